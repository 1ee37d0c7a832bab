//! The registry transfer format: a whole registry's state as JSON lines, written by
//! `schemagate export` and `schemagate-server backup`, read by `schemagate import`.
//!
//! A file is a header line, then one record a line (schema versions, contexts,
//! configs, modes) and an `end` line with the counts, so a truncated file is told from
//! a complete one. The layout is documented in `docs/export-format.md`; its
//! `formatVersion` changes whenever a reader of the old version would misread a file.
//!
//! [`schemas_topic`] reads the other source a team moving from Confluent has: a dump
//! of the `_schemas` Kafka topic as `kcat -C -J` prints it, folded the way Confluent's
//! own store replays that topic, into the same records.

mod reader;
mod record;
pub mod schemas_topic;

pub use reader::{Checker, records};
pub use record::{
    ConfigRecord, ContextRecord, FORMAT, FORMAT_VERSION, Header, ModeRecord, Record, SchemaRecord,
    Trailer, TransferError, read_record, write_record,
};

/// What a file holds, told from its first record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// Schemagate's own transfer format.
    Export,
    /// A `_schemas` topic dump, one Kafka record a line.
    SchemasTopic,
}

/// Tells the kind of a file from its first non-blank line.
pub fn detect(first_line: &str) -> Result<FileKind, TransferError> {
    let value: serde_json::Value =
        serde_json::from_str(first_line).map_err(|e| TransferError::Line {
            line: 1,
            reason: format!("not JSON ({e})"),
        })?;
    if value.get("record").and_then(|r| r.as_str()) == Some("header") {
        return Ok(FileKind::Export);
    }
    if value.get("key").is_some()
        && (value.get("payload").is_some() || value.get("value").is_some())
    {
        return Ok(FileKind::SchemasTopic);
    }
    Err(TransferError::Line {
        line: 1,
        reason: "neither a Schemagate export (its first line is a `header` record) nor a `_schemas` topic dump (lines with `key` and `payload`, as `kcat -C -J` prints them)".into(),
    })
}
