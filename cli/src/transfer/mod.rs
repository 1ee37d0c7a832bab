//! Moving a registry's state: read it from any Confluent-compatible registry
//! ([`scan`]), write it into a Schemagate registry in IMPORT mode ([`apply`]), and
//! check that the target now holds what the source held ([`verify`]). The file
//! between them is core's transfer format (`docs/export-format.md`).
//!
//! What is compared is an [`Index`]: per subject version its id, soft deletion and a
//! digest of everything a client reads back (type, schema, references, metadata,
//! rules), per id its content, and the settings. The index keeps digests, not texts,
//! so a 100,000-version registry is checked in a few megabytes.

pub mod apply;
pub mod progress;
pub mod scan;
pub mod verify;

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::hash::{Hash, Hasher};
use std::io::BufReader;
use std::path::Path;

use anyhow::Context as _;

use schemagate_client::{Client, Error as ClientError, Verb, segment};
use schemagate_core::Context;
use schemagate_core::transfer::{ConfigRecord, ModeRecord, Record, SchemaRecord};
use serde_json::{Map, Value};

/// A transfer file or dump opened for reading line by line.
pub fn open_lines(path: &Path) -> anyhow::Result<BufReader<File>> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    Ok(BufReader::with_capacity(1 << 16, file))
}

/// Where the DEK registry's API lives.
pub const KEKS: &str = "/dek-registry/v1/keks";

/// A subject and one of its versions.
pub type VersionKey = (String, i32);

/// A subject version as the index keeps it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The schema id (in the subject's context).
    pub id: u32,
    /// Soft-deleted.
    pub deleted: bool,
    /// [`text_digest`]: the schema as the registry returns it.
    pub text: u64,
    /// [`contract_digest`]: the version's metadata and rules.
    pub contract: u64,
}

impl Entry {
    /// The entry of `s`.
    pub fn of(s: &SchemaRecord) -> Entry {
        Entry {
            id: s.id,
            deleted: s.deleted,
            text: text_digest(s),
            contract: contract_digest(s),
        }
    }
}

/// The comparable state of a registry, or of a file.
#[derive(Debug, Default)]
pub struct Index {
    /// `(subject, version)` → entry.
    pub versions: HashMap<(String, i32), Entry>,
    /// `(context, id)` → [`text_digest`] of the schema the id names, and one version
    /// that uses it.
    pub ids: HashMap<(String, u32), (u64, VersionKey)>,
    /// Configurations by scope (`None`: the top level).
    pub configs: BTreeMap<Option<String>, u64>,
    /// Modes by scope.
    pub modes: BTreeMap<Option<String>, String>,
    /// KEKs by name → digest.
    pub keks: BTreeMap<String, u64>,
    /// DEK versions by `(kek, subject, version, algorithm)` → digest.
    pub deks: BTreeMap<(String, String, i64, String), u64>,
    /// Per context, the next id the registry hands out, when it tells.
    pub next_ids: BTreeMap<String, u32>,
}

impl Index {
    /// Adds one version.
    pub fn add_version(&mut self, s: &SchemaRecord) {
        let entry = Entry::of(s);
        let key = (s.subject.clone(), s.version);
        self.ids
            .insert((context_of(&s.subject), s.id), (entry.text, key.clone()));
        self.versions.insert(key, entry);
    }

    /// Adds `record` to the index.
    pub fn add(&mut self, record: &Record) {
        match record {
            Record::Schema(s) => self.add_version(s),
            Record::Config(ConfigRecord { subject, config }) => {
                self.configs.insert(subject.clone(), config_digest(config));
            }
            Record::Mode(ModeRecord { subject, mode }) => {
                self.modes.insert(subject.clone(), mode.clone());
            }
            Record::Kek(kek) => {
                if let Some(name) = kek.get("name").and_then(Value::as_str) {
                    self.keks.insert(name.to_owned(), key_digest(kek));
                }
            }
            Record::Dek(dek) => {
                self.deks.insert(dek_key(dek), key_digest(dek));
            }
            Record::Header(_) | Record::Context(_) | Record::End(_) => {}
        }
    }
}

/// The context prefix (`""` or `:.ctx:`) a subject's ids belong to.
pub fn context_of(subject: &str) -> String {
    Context::of(subject).prefix()
}

/// The subject a reference of `referrer` names, qualified as the registry resolves it
/// (in the referrer's context unless it names another).
pub fn reference_subject(referrer: &str, reference: &str) -> String {
    Context::of(referrer).qualify_reference(reference)
}

/// A version's data contract, with what registries spell differently removed: unset
/// fields (null, empty lists and maps) and `false` flags (`disabled`, which Confluent
/// writes out on every rule), so that an absent contract and an empty one agree.
pub fn contract_digest(s: &SchemaRecord) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for part in [&s.metadata, &s.rule_set] {
        part.as_ref()
            .and_then(trimmed)
            .map(|v| v.to_string())
            .hash(&mut h);
    }
    h.finish()
}

/// `value` without unset fields and `false` flags; `None` when nothing is left.
fn trimmed(value: &Value) -> Option<Value> {
    match value {
        Value::Null | Value::Bool(false) => None,
        Value::Array(items) => {
            let items: Vec<Value> = items.iter().filter_map(trimmed).collect();
            (!items.is_empty()).then_some(Value::Array(items))
        }
        Value::Object(fields) => {
            let fields: Map<String, Value> = fields
                .iter()
                .filter_map(|(k, v)| trimmed(v).map(|v| (k.clone(), v)))
                .collect();
            (!fields.is_empty()).then_some(Value::Object(fields))
        }
        other => Some(other.clone()),
    }
}

/// The schema an id names, as text: the same for two registries that return the same
/// text, whatever whitespace or key order each writes JSON in. Two texts of one
/// schema can still differ (a registry may shorten names as Confluent does); that is
/// settled by asking the registry ([`same_schema`]).
pub fn text_digest(s: &SchemaRecord) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    s.schema_type().hash(&mut h);
    match serde_json::from_str::<Value>(&s.schema) {
        Ok(json) => json.to_string().hash(&mut h),
        Err(_) => s.schema.hash(&mut h),
    }
    for r in &s.references {
        r.to_string().hash(&mut h);
    }
    h.finish()
}

/// Whether the registry behind `client` holds `record`'s schema as `subject` version
/// `version`, by its own identity (canonical form): `POST /subjects/{s}?deleted=true`
/// with the record's text answers that version with the record's id. This settles a
/// text that differs only in how a registry writes it.
pub async fn same_schema(
    client: &Client,
    subject: &str,
    version: i32,
    record: &SchemaRecord,
) -> Result<bool, ClientError> {
    // The contract too: a registry may keep one text under versions with different
    // contracts, and the lookup must find this version's.
    let body = record.request_body();
    let path = format!("/subjects/{}?deleted=true", segment(subject));
    match client
        .call(Verb::Post, &path, Some(&Value::Object(body)))
        .await
    {
        Ok(found) => Ok(
            found.get("id").and_then(Value::as_u64) == Some(u64::from(record.id))
                && found.get("version").and_then(Value::as_i64) == Some(i64::from(version)),
        ),
        Err(e) if e.is_not_found() => Ok(false),
        Err(e) => Err(e),
    }
}

/// A configuration's digest: its fields with a value (registries differ in which
/// unset fields they spell out as null).
pub fn config_digest(config: &Map<String, Value>) -> u64 {
    fields_digest(config, None)
}

/// A KEK's or DEK's digest, without the timestamp every registry sets itself.
pub fn key_digest(key: &Map<String, Value>) -> u64 {
    fields_digest(key, Some("ts"))
}

/// The digest of an object's fields that have a value, `skip` left out.
fn fields_digest(object: &Map<String, Value>, skip: Option<&str>) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for (k, v) in object {
        if Some(k.as_str()) != skip && !v.is_null() {
            k.hash(&mut h);
            v.to_string().hash(&mut h);
        }
    }
    h.finish()
}

/// What names one DEK version.
pub fn dek_key(dek: &Map<String, Value>) -> (String, String, i64, String) {
    let text = |k: &str| dek.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    (
        text("kekName"),
        text("subject"),
        dek.get("version").and_then(Value::as_i64).unwrap_or(1),
        text("algorithm"),
    )
}

/// A scope for messages: `the top level`, or the subject or context itself.
pub fn scope_label(scope: Option<&str>) -> String {
    scope.map_or_else(|| "the top level".to_owned(), str::to_owned)
}
