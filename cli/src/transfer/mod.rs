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
use std::hash::{Hash, Hasher};

use schemagate_core::Context;
use schemagate_core::transfer::{ConfigRecord, ModeRecord, Record, SchemaRecord};
use serde_json::{Map, Value};

/// A subject version as the index keeps it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The schema id (in the subject's context).
    pub id: u32,
    /// Soft-deleted.
    pub deleted: bool,
    /// Digest of what a client reads back.
    pub digest: u64,
}

/// The comparable state of a registry, or of a file.
#[derive(Debug, Default)]
pub struct Index {
    /// `(subject, version)` → entry.
    pub versions: HashMap<(String, i32), Entry>,
    /// `(context, id)` → [`text_digest`] of the schema the id names.
    pub ids: HashMap<(String, u32), u64>,
    /// Configurations by scope (`None`: the top level).
    pub configs: BTreeMap<Option<String>, u64>,
    /// Modes by scope.
    pub modes: BTreeMap<Option<String>, String>,
    /// KEKs by name → digest.
    pub keks: BTreeMap<String, u64>,
    /// DEK versions by `(kek, subject, version, algorithm)` → digest.
    pub deks: BTreeMap<(String, String, i64, String), u64>,
}

impl Index {
    /// Adds `record` to the index.
    pub fn add(&mut self, record: &Record) {
        match record {
            Record::Schema(s) => {
                let digest = schema_digest(s);
                self.versions.insert(
                    (s.subject.clone(), s.version),
                    Entry {
                        id: s.id,
                        deleted: s.deleted,
                        digest,
                    },
                );
                self.ids
                    .insert((context_of(&s.subject), s.id), text_digest(s));
            }
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

/// What a client reads back of a version: the same for two registries that hold the
/// same schema, whatever whitespace or key order each returns JSON texts in.
pub fn schema_digest(s: &SchemaRecord) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text_digest(s).hash(&mut h);
    // An absent contract and an empty one read back the same.
    non_empty(s.metadata.as_ref()).hash(&mut h);
    non_empty(s.rule_set.as_ref()).hash(&mut h);
    h.finish()
}

/// The schema an id names, without the version's data contract: what every
/// registry's `GET /schemas/ids/{id}` answers (older ones carry no contract there).
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

fn non_empty(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::Object(m)) if m.values().all(empty_value) => String::new(),
        Some(v) => v.to_string(),
    }
}

fn empty_value(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// A configuration's digest: its fields with a value (registries differ in which
/// unset fields they spell out as null).
pub fn config_digest(config: &Map<String, Value>) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for (k, v) in config {
        if !v.is_null() {
            k.hash(&mut h);
            v.to_string().hash(&mut h);
        }
    }
    h.finish()
}

/// A KEK's or DEK's digest, without the timestamp every registry sets itself.
fn key_digest(key: &Map<String, Value>) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for (k, v) in key {
        if k != "ts" && !v.is_null() {
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
