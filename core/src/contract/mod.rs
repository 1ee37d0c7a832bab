//! Data contracts, as Confluent 8 keeps them beside a schema: [`Metadata`] (tags,
//! properties, sensitive fields) and a [`RuleSet`] (migration, domain and encoding
//! rules), with the rules Confluent applies to them (validation, merging, the
//! `confluent:version` property) and the GUID Confluent derives from a schema with its
//! references and contract ([`guid`]).
//!
//! The registry stores and serves them and applies the merges; it never runs a rule:
//! clients do.

mod lenient;
mod metadata;
mod rules;

use md5::{Digest, Md5};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use metadata::{CONFLUENT_VERSION, Metadata};
pub use rules::{ExecutionEnvironment, RULE_NAME_MAX, Rule, RuleKind, RuleMode, RuleSet};

/// A schema's data contract: its metadata and its rules. Each part is optional, and
/// absent is not empty: a registration without `metadata` inherits the previous
/// version's, one with empty metadata has none.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contract {
    /// Tags, properties and sensitive fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    /// Migration, domain and encoding rules.
    #[serde(default, rename = "ruleSet", skip_serializing_if = "Option::is_none")]
    pub rule_set: Option<RuleSet>,
}

impl Contract {
    /// Whether it has neither part.
    pub fn is_empty(&self) -> bool {
        self.metadata.is_none() && self.rule_set.is_none()
    }

    /// The contract a registration giving this one is stored with, as Confluent's
    /// `maybeSetMetadataRuleSet` computes it (`confluent:version` aside): each part not
    /// given is `previous`'s (the subject's latest version), then merged over the
    /// config's `defaults` and under its `overrides`.
    pub fn inherit(
        self,
        previous: Option<&Contract>,
        defaults: &Contract,
        overrides: &Contract,
    ) -> Contract {
        let metadata = self
            .metadata
            .or_else(|| previous.and_then(|p| p.metadata.clone()));
        let rule_set = self
            .rule_set
            .or_else(|| previous.and_then(|p| p.rule_set.clone()));
        Contract {
            metadata: Metadata::merge(
                Metadata::merge(defaults.metadata.as_ref(), metadata.as_ref()).as_ref(),
                overrides.metadata.as_ref(),
            ),
            rule_set: RuleSet::merge(
                RuleSet::merge(defaults.rule_set.as_ref(), rule_set.as_ref()).as_ref(),
                overrides.rule_set.as_ref(),
            ),
        }
    }
}

/// Why a contract was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ContractError {
    /// Confluent's 42210: a rule set that does not validate.
    #[error("{0}")]
    InvalidRuleSet(String),
    /// Metadata that is not Confluent's shape.
    #[error("{0}")]
    InvalidMetadata(String),
}

/// Reads a request's `metadata` (`null` is absent).
pub fn metadata_from_json(value: Option<Value>) -> Result<Option<Metadata>, ContractError> {
    from_json(value, "metadata").map_err(ContractError::InvalidMetadata)
}

/// Reads and validates a request's `ruleSet` (`null` is absent).
pub fn rule_set_from_json(
    value: Option<Value>,
    field: &str,
) -> Result<Option<RuleSet>, ContractError> {
    let rules: Option<RuleSet> = from_json(value, field).map_err(ContractError::InvalidRuleSet)?;
    if let Some(r) = &rules {
        r.validate()?;
    }
    Ok(rules)
}

fn from_json<T: DeserializeOwned>(value: Option<Value>, field: &str) -> Result<Option<T>, String> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(v) => serde_json::from_value(v)
            .map(Some)
            .map_err(|e| format!("Invalid {field}: {e}")),
    }
}

/// One reference as the GUID covers it.
#[derive(Clone, Copy, Debug)]
pub struct GuidRef<'a> {
    /// Import name.
    pub name: &'a str,
    /// Referenced subject.
    pub subject: &'a str,
    /// Referenced version.
    pub version: i32,
}

/// The GUID Confluent gives a schema: the MD5 of the schema text as stored, each
/// reference's name, subject and big-endian version, then a `1` byte and the metadata,
/// then a `1` byte and the rule set, read as a UUID's 16 bytes (no version bits set, as
/// Java's `new UUID(high, low)`). Confluent's `Schema.getGuid` and `MD5.ofSchema`
/// compute the same, so a GUID from a Confluent registry names the same schema here.
pub fn guid<'a>(
    schema: &str,
    references: impl IntoIterator<Item = GuidRef<'a>>,
    metadata: Option<&Metadata>,
    rule_set: Option<&RuleSet>,
) -> String {
    let mut md5 = Md5::new();
    let mut hash = |bytes: &[u8]| md5.update(bytes);
    hash(schema.as_bytes());
    for r in references {
        hash(r.name.as_bytes());
        hash(r.subject.as_bytes());
        hash(&r.version.to_be_bytes());
    }
    if let Some(m) = metadata {
        // Distinguishes empty metadata from none, as Java does.
        hash(&[1]);
        m.update_hash(&mut hash);
    }
    if let Some(r) = rule_set {
        hash(&[1]);
        r.update_hash(&mut hash);
    }
    uuid_text(&md5.finalize())
}

/// 16 bytes in the 8-4-4-4-12 lower-case form of `java.util.UUID.toString`.
fn uuid_text(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(36);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Whether `text` has the shape of a GUID as [`guid`] writes it, so that a path that
/// cannot name one is answered without a lookup.
pub fn is_guid(text: &str) -> bool {
    text.len() == 36
        && text.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_digit() || ('a'..='f').contains(&c),
        })
}

#[cfg(test)]
mod tests;
