//! The records of the transfer format and their one-line JSON form.

use std::collections::BTreeMap;
use std::io::Write;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The `format` of a header.
pub const FORMAT: &str = "schemagate-export";
/// The layout version this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// A line of a transfer file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "lowercase")]
pub enum Record {
    /// The first line: what the file is and where it came from.
    Header(Header),
    /// A context that exists on the source (listed even when it holds no subject).
    Context(ContextRecord),
    /// One version of one subject, with the schema its id names.
    Schema(SchemaRecord),
    /// A configuration of the top level, a context or a subject.
    Config(ConfigRecord),
    /// A mode of the top level, a context or a subject.
    Mode(ModeRecord),
    /// A key-encryption key as `GET /dek-registry/v1/keks/{name}?deleted=true` answers
    /// it (Schemagate keeps only what the API shows; no KMS secret is ever in it).
    Kek(Map<String, Value>),
    /// A data-encryption key version as `GET …/deks/{subject}/versions/{v}?deleted=true`
    /// answers it, with its `encryptedKeyMaterial`.
    Dek(Map<String, Value>),
    /// The last line: how many records of each kind came before it.
    End(Trailer),
}

/// The first line of a transfer file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Header {
    /// Always [`FORMAT`].
    pub format: String,
    /// The layout version, [`FORMAT_VERSION`] when written by this build.
    pub format_version: u32,
    /// The registry the state was read from, when it came from one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// When the export began (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exported_at: Option<String>,
    /// The program that wrote the file, with its version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generator: Option<String>,
}

impl Header {
    /// A header for a file this build writes.
    pub fn new(source: Option<String>, exported_at: Option<String>, generator: &str) -> Header {
        Header {
            format: FORMAT.to_owned(),
            format_version: FORMAT_VERSION,
            source,
            exported_at,
            generator: Some(generator.to_owned()),
        }
    }
}

/// A context of the source registry (`.team-a`; the default context is not listed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContextRecord {
    /// The context's name with its leading dot.
    pub context: String,
}

/// One subject version as `GET /subjects/{s}/versions/{v}?deleted=true` answers it,
/// with whether it is soft-deleted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SchemaRecord {
    /// The subject, qualified with its context (`:.team-a:orders-value`) outside the
    /// default context.
    pub subject: String,
    /// The version number within the subject.
    pub version: i32,
    /// The schema id, within the subject's context.
    pub id: u32,
    /// Soft-deleted on the source.
    #[serde(default)]
    pub deleted: bool,
    /// `AVRO` when absent, as in Confluent's API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_type: Option<String>,
    /// The schema text as the source returned it.
    pub schema: String,
    /// References as the source returned them (`name`, `subject`, `version`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Value>,
    /// The data contract's metadata, kept whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    /// The data contract's rules, kept whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_set: Option<Value>,
    /// Everything else the source answered (`guid`, `ts`, fields of newer registries):
    /// carried so that nothing is lost, though a registry recomputes some of them.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl SchemaRecord {
    /// The schema type, `AVRO` when the source left it out.
    pub fn schema_type(&self) -> &str {
        self.schema_type.as_deref().unwrap_or("AVRO")
    }

    /// The body of a registration or lookup of this version's schema: the text, its
    /// type, references and data contract, as the source returned them.
    pub fn request_body(&self) -> Map<String, Value> {
        let mut body = Map::new();
        body.insert("schema".into(), Value::String(self.schema.clone()));
        if let Some(t) = &self.schema_type {
            body.insert("schemaType".into(), Value::String(t.clone()));
        }
        if !self.references.is_empty() {
            body.insert("references".into(), Value::Array(self.references.clone()));
        }
        if let Some(m) = &self.metadata {
            body.insert("metadata".into(), m.clone());
        }
        if let Some(r) = &self.rule_set {
            body.insert("ruleSet".into(), r.clone());
        }
        body
    }

    /// The `(subject, version)` pairs this version's references name.
    pub fn reference_targets(&self) -> Vec<(String, i32)> {
        self.references
            .iter()
            .filter_map(|r| {
                let subject = r.get("subject")?.as_str()?;
                let version = i32::try_from(r.get("version")?.as_i64()?).ok()?;
                Some((subject.to_owned(), version))
            })
            .collect()
    }
}

/// A configuration as `GET /config[/{s}]` answers it (`compatibilityLevel`, …).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConfigRecord {
    /// The subject, context (`:.team-a:`) or `:.__GLOBAL:`; `None` for the top level.
    #[serde(default)]
    pub subject: Option<String>,
    /// The configuration's fields.
    pub config: Map<String, Value>,
}

/// A mode (`READWRITE`, `READONLY`, `READONLY_OVERRIDE`, `IMPORT`, `FORWARD`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModeRecord {
    /// As for [`ConfigRecord::subject`].
    #[serde(default)]
    pub subject: Option<String>,
    /// The mode's name.
    pub mode: String,
}

/// The counts of the records before the `end` line.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Trailer {
    /// `schema` records.
    pub schemas: u64,
    /// `config` records.
    pub configs: u64,
    /// `mode` records.
    pub modes: u64,
    /// `context` records.
    pub contexts: u64,
    /// `kek` records.
    #[serde(default)]
    pub keks: u64,
    /// `dek` records.
    #[serde(default)]
    pub deks: u64,
    /// Per context (`""` for the default one, `:.ctx:` otherwise), the next id the
    /// source would hand out, when the writer knows it: it can exceed every id in the
    /// file when the newest schemas were permanently deleted, and those ids may still
    /// be in topics, so an import must not give them to other schemas.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub next_ids: BTreeMap<String, u32>,
}

impl Trailer {
    /// Whether the counts (not the id hints) are those of `other`.
    pub fn same_counts(&self, other: &Trailer) -> bool {
        (
            self.schemas,
            self.configs,
            self.modes,
            self.contexts,
            self.keks,
            self.deks,
        ) == (
            other.schemas,
            other.configs,
            other.modes,
            other.contexts,
            other.keks,
            other.deks,
        )
    }

    /// Counts `record` (the header and the end line count for nothing).
    pub fn count(&mut self, record: &Record) {
        match record {
            Record::Schema(_) => self.schemas += 1,
            Record::Config(_) => self.configs += 1,
            Record::Mode(_) => self.modes += 1,
            Record::Context(_) => self.contexts += 1,
            Record::Kek(_) => self.keks += 1,
            Record::Dek(_) => self.deks += 1,
            Record::Header(_) | Record::End(_) => {}
        }
    }
}

/// A transfer file that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    /// A line that is not a record of the format.
    #[error("line {line}: {reason}")]
    Line {
        /// 1-based line number.
        line: u64,
        /// What is wrong with it.
        reason: String,
    },
    /// A file written by a newer layout.
    #[error(
        "the file's formatVersion is {found}, this build reads {FORMAT_VERSION}: use a newer schemagate"
    )]
    UnsupportedVersion {
        /// The version in the header.
        found: u32,
    },
    /// The file ends before its `end` line, or the counts disagree with it.
    #[error("the file is incomplete: {0} (was the export interrupted?)")]
    Incomplete(String),
    /// The file could not be read.
    #[error("cannot read the file: {0}")]
    Read(String),
}

/// Reads line `line` (1-based, for the message) of a transfer file.
pub fn read_record(text: &str, line: u64) -> Result<Record, TransferError> {
    let record: Record = serde_json::from_str(text).map_err(|e| TransferError::Line {
        line,
        reason: format!("not a transfer record: {e}"),
    })?;
    if let Record::Header(h) = &record {
        if h.format != FORMAT {
            return Err(TransferError::Line {
                line,
                reason: format!("the header's format is {:?}, not {FORMAT:?}", h.format),
            });
        }
        if h.format_version > FORMAT_VERSION {
            return Err(TransferError::UnsupportedVersion {
                found: h.format_version,
            });
        }
    }
    Ok(record)
}

/// Writes `record` as one line.
pub fn write_record(out: &mut impl Write, record: &Record) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, record)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_and_keep_unknown_fields() {
        let line = r#"{"record":"schema","subject":"a","version":2,"id":7,"deleted":true,"schemaType":"JSON","schema":"{}","references":[{"name":"b","subject":"b","version":1}],"guid":"x","ts":5,"future":{"k":1}}"#;
        let record = read_record(line, 3).unwrap();
        let Record::Schema(s) = &record else {
            panic!("{record:?}")
        };
        assert_eq!((s.version, s.id, s.deleted), (2, 7, true));
        assert_eq!(s.reference_targets(), vec![("b".to_owned(), 1)]);
        assert_eq!(s.extra.get("future"), Some(&serde_json::json!({"k": 1})));
        let mut out = Vec::new();
        write_record(&mut out, &record).unwrap();
        let again = read_record(std::str::from_utf8(&out).unwrap().trim_end(), 1).unwrap();
        assert_eq!(again, record);
    }

    #[test]
    fn a_newer_layout_and_a_foreign_header_are_refused() {
        let newer = r#"{"record":"header","format":"schemagate-export","formatVersion":9}"#;
        assert!(matches!(
            read_record(newer, 1),
            Err(TransferError::UnsupportedVersion { found: 9 })
        ));
        let other = r#"{"record":"header","format":"other","formatVersion":1}"#;
        assert!(
            read_record(other, 1)
                .unwrap_err()
                .to_string()
                .contains("other")
        );
        let err = read_record(r#"{"record":"schema","subject":"a"}"#, 4).unwrap_err();
        assert!(err.to_string().starts_with("line 4:"), "{err}");
    }
}
