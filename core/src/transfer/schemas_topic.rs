//! A `_schemas` topic dump read into transfer records.
//!
//! Confluent keeps its whole state in the compacted `_schemas` topic and rebuilds it at
//! start by replaying every record in order (`KafkaStoreMessageHandler`); this fold
//! does the same so that a dump taken with `kcat -C -J -t _schemas -e` imports as the
//! registry that wrote it would have served it. One line is one Kafka record:
//! `{"topic":…, "offset":…, "key": "<JSON text>", "payload": "<JSON text>" | null}`
//! (an object in place of the text is accepted too, and `value` for `payload`). The
//! key's `keytype` says what the record is:
//!
//! - `SCHEMA` (`subject`, `version`): the version's value (`id`, `schema`,
//!   `schemaType`, `references`, `metadata`, `ruleSet`, `deleted`); a tombstone (null
//!   payload) is a permanent delete of that version.
//! - `CONFIG` and `MODE` (`subject`, null for the top level): the configuration or
//!   `{"mode": …}`; a tombstone removes it.
//! - `DELETE_SUBJECT` (`subject`): the payload's `version` is the last version soft
//!   deleted with the subject; every version up to it becomes deleted.
//! - `CLEAR_SUBJECT` (`subject`): a permanent subject delete; its soft-deleted
//!   versions are dropped.
//! - `CONTEXT` (`context`): a context exists; a tombstone removes it.
//! - `NOOP` (written to sync readers) and `ASSOC` (associations, which Schemagate does
//!   not keep) carry no state here and are counted as skipped.
//!
//! The whole state is held while folding: a compacted log can only be replayed that
//! way, and it is the size of the registry, not of the log.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::subject::Context;

use super::record::{ConfigRecord, ContextRecord, ModeRecord, Record, SchemaRecord, TransferError};

/// A `_schemas` dump replayed to its final state.
#[derive(Debug, Default)]
pub struct Folded {
    schemas: BTreeMap<(String, i32), SchemaRecord>,
    configs: BTreeMap<Option<String>, Map<String, Value>>,
    modes: BTreeMap<Option<String>, String>,
    contexts: BTreeSet<String>,
    /// Kafka records read.
    pub records: u64,
    /// `NOOP` and `ASSOC` records, which leave no state.
    pub skipped: u64,
    /// The highest id each context's SCHEMA records named, deleted ones included, as
    /// Confluent's id generator counts them on replay.
    max_ids: BTreeMap<String, u32>,
}

impl Folded {
    /// Applies the dump's line `line` (1-based, for messages); blank lines are skipped.
    pub fn apply_line(&mut self, text: &str, line: u64) -> Result<(), TransferError> {
        // `#` lines are comments of a hand-written dump; kcat never writes one.
        if text.trim().is_empty() || text.trim_start().starts_with('#') {
            return Ok(());
        }
        let bad = |reason: String| TransferError::Line { line, reason };
        let outer: Value =
            serde_json::from_str(text).map_err(|e| bad(format!("not JSON ({e})")))?;
        let key = embedded(outer.get("key"))
            .map_err(|e| bad(format!("the key is not JSON ({e})")))?
            .ok_or_else(|| bad("the record has no key".into()))?;
        let payload = embedded(outer.get("payload").or_else(|| outer.get("value")))
            .map_err(|e| bad(format!("the payload is not JSON ({e})")))?;
        let keytype = key
            .get("keytype")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("the key has no `keytype`".into()))?;
        let subject = key
            .get("subject")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let need_subject = || {
            subject
                .clone()
                .ok_or_else(|| bad(format!("a {keytype} key without a `subject`")))
        };
        self.records += 1;
        match keytype {
            "SCHEMA" => {
                let subject = need_subject()?;
                let version = key
                    .get("version")
                    .and_then(Value::as_i64)
                    .and_then(|v| i32::try_from(v).ok())
                    .ok_or_else(|| bad("a SCHEMA key without a valid `version`".into()))?;
                match payload {
                    None => {
                        self.schemas.remove(&(subject, version));
                    }
                    Some(value) => {
                        let mut record: SchemaRecord = serde_json::from_value(value)
                            .map_err(|e| bad(format!("a SCHEMA value that is not one: {e}")))?;
                        let max = self
                            .max_ids
                            .entry(Context::of(&subject).prefix())
                            .or_default();
                        *max = (*max).max(record.id);
                        // The key is what compaction and Confluent's store go by.
                        record.subject.clone_from(&subject);
                        record.version = version;
                        self.schemas.insert((subject, version), record);
                    }
                }
            }
            "CONFIG" => match payload {
                None => {
                    self.configs.remove(&subject);
                }
                Some(Value::Object(mut config)) => {
                    config.remove("subject");
                    self.configs.insert(subject, config);
                }
                Some(_) => return Err(bad("a CONFIG value that is not an object".into())),
            },
            "MODE" => match payload {
                None => {
                    self.modes.remove(&subject);
                }
                Some(value) => {
                    let mode = value
                        .get("mode")
                        .and_then(Value::as_str)
                        .ok_or_else(|| bad("a MODE value without `mode`".into()))?;
                    self.modes.insert(subject, mode.to_owned());
                }
            },
            // Tombstones of the other kinds are ignored, as Confluent's handler does.
            _ if payload.is_none() && keytype != "CONTEXT" => {}
            "DELETE_SUBJECT" => {
                let subject = need_subject()?;
                let upto = payload
                    .as_ref()
                    .and_then(|p| p.get("version"))
                    .and_then(Value::as_i64)
                    .ok_or_else(|| bad("a DELETE_SUBJECT value without `version`".into()))?;
                for ((_, version), record) in self.schemas.range_mut(span(&subject)) {
                    if i64::from(*version) <= upto {
                        record.deleted = true;
                    }
                }
            }
            "CLEAR_SUBJECT" => {
                let subject = need_subject()?;
                let gone: Vec<(String, i32)> = self
                    .schemas
                    .range(span(&subject))
                    .filter(|(_, r)| r.deleted)
                    .map(|(k, _)| k.clone())
                    .collect();
                for key in gone {
                    self.schemas.remove(&key);
                }
            }
            "CONTEXT" => {
                let context = key
                    .get("context")
                    .and_then(Value::as_str)
                    .ok_or_else(|| bad("a CONTEXT key without `context`".into()))?;
                if payload.is_some() {
                    self.contexts.insert(context.to_owned());
                } else {
                    self.contexts.remove(context);
                }
            }
            "NOOP" | "ASSOC" => self.skipped += 1,
            other => return Err(bad(format!("unknown keytype {other:?}"))),
        }
        Ok(())
    }

    /// Per context, the next id the registry that wrote the dump would hand out.
    pub fn next_ids(&self) -> BTreeMap<String, u32> {
        self.max_ids
            .iter()
            .map(|(context, max)| (context.clone(), max.saturating_add(1)))
            .collect()
    }

    /// The final state as transfer records: contexts, then each subject's versions in
    /// order (subjects by their smallest id, which is close to the order they were
    /// registered in, so references mostly precede their referrers), then configs,
    /// then modes.
    pub fn into_records(self) -> Vec<Record> {
        let mut out: Vec<Record> = self
            .contexts
            .into_iter()
            .filter(|c| c != "." && !c.is_empty())
            .map(|context| Record::Context(ContextRecord { context }))
            .collect();
        let mut subjects: BTreeMap<String, Vec<SchemaRecord>> = BTreeMap::new();
        for ((subject, _), record) in self.schemas {
            subjects.entry(subject).or_default().push(record);
        }
        let mut ordered: Vec<Vec<SchemaRecord>> = subjects.into_values().collect();
        ordered.sort_by_key(|versions| versions.iter().map(|r| r.id).min());
        out.extend(ordered.into_iter().flatten().map(Record::Schema));
        out.extend(
            self.configs
                .into_iter()
                .map(|(subject, config)| Record::Config(ConfigRecord { subject, config })),
        );
        out.extend(
            self.modes
                .into_iter()
                .map(|(subject, mode)| Record::Mode(ModeRecord { subject, mode })),
        );
        out
    }
}

/// The keys of one subject's versions.
fn span(subject: &str) -> std::ops::RangeInclusive<(String, i32)> {
    (subject.to_owned(), i32::MIN)..=(subject.to_owned(), i32::MAX)
}

/// A key or payload: kcat prints it as a string of JSON text; tools that decode it
/// print the object itself. `None` for a tombstone.
fn embedded(value: Option<&Value>) -> Result<Option<Value>, serde_json::Error> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => serde_json::from_str(text).map(Some),
        Some(other) => Ok(Some(other.clone())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(key: &str, payload: Option<&str>) -> String {
        serde_json::json!({"topic": "_schemas", "partition": 0, "key": key, "payload": payload})
            .to_string()
    }

    fn fold(lines: &[String]) -> Vec<Record> {
        let mut folded = Folded::default();
        for (n, l) in lines.iter().enumerate() {
            folded.apply_line(l, n as u64 + 1).unwrap();
        }
        folded.into_records()
    }

    #[test]
    fn deletes_replay_as_confluent_replays_them() {
        let key =
            |v: i32| format!(r#"{{"keytype":"SCHEMA","subject":"s","version":{v},"magic":1}}"#);
        let value = |v: i32, id: u32| {
            format!(
                r#"{{"subject":"s","version":{v},"id":{id},"schema":"\"string\"","deleted":false}}"#
            )
        };
        let records = fold(&[
            line(&key(1), Some(&value(1, 1))),
            line(&key(2), Some(&value(2, 2))),
            line(&key(3), Some(&value(3, 3))),
            line(&key(3), None),
            line(
                r#"{"keytype":"DELETE_SUBJECT","subject":"s","magic":0}"#,
                Some(r#"{"subject":"s","version":1}"#),
            ),
            line(r#"{"keytype":"NOOP","magic":0}"#, None),
        ]);
        let versions: Vec<(i32, bool)> = records
            .iter()
            .filter_map(|r| match r {
                Record::Schema(s) => Some((s.version, s.deleted)),
                _ => None,
            })
            .collect();
        assert_eq!(versions, vec![(1, true), (2, false)]);
        let cleared = fold(&[
            line(&key(1), Some(&value(1, 1))),
            line(
                r#"{"keytype":"DELETE_SUBJECT","subject":"s","magic":0}"#,
                Some(r#"{"subject":"s","version":1}"#),
            ),
            line(
                r#"{"keytype":"CLEAR_SUBJECT","subject":"s","magic":0}"#,
                Some(r#"{"subject":"s"}"#),
            ),
        ]);
        assert!(cleared.is_empty(), "{cleared:?}");
    }

    #[test]
    fn bad_lines_are_named() {
        let mut folded = Folded::default();
        let err = folded
            .apply_line(&line(r#"{"keytype":"WHAT"}"#, Some("{}")), 7)
            .unwrap_err();
        assert!(
            err.to_string().starts_with("line 7: unknown keytype"),
            "{err}"
        );
        let err = folded.apply_line("{not json", 8).unwrap_err();
        assert!(err.to_string().starts_with("line 8: not JSON"), "{err}");
    }
}
