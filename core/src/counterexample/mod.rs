//! Counterexamples: for a breaking finding, one concrete event that proves it. The event
//! is written with the schema that writes in the finding's direction (the old one for a
//! backward finding, the new one for a forward one) and steered at the finding's path,
//! then checked against the schema that reads: Avro and Protobuf data are encoded with
//! the writer and decoded with the reader, a JSON Schema instance is validated under
//! both. Only an event whose check shows the break is returned; when no event the
//! search tries shows it, there is no counterexample (never a guess).
//!
//! One file per format: `avro`, `json`, `protobuf`. Every search is bounded (the size
//! of an event, the nesting it descends, the number of events tried), so a hostile
//! schema costs a bounded amount of work and finds nothing rather than hang.

mod avro;
mod json;
mod protobuf;

use serde::Serialize;
use serde_json::Value;

use crate::compat::{Direction, Finding, Report};
use crate::schema::{Model, ParsedSchema};

/// Which of the two compared schemas wrote a counterexample's event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// The old schema (a backward finding: the new schema reads what the old wrote).
    Old,
    /// The new schema (a forward finding: the old schema reads what the new wrote).
    New,
}

/// A concrete event that proves a breaking finding.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Counterexample {
    /// The finding's rule id.
    pub rule: String,
    /// The finding's JSON pointer (into the schema that reads).
    pub path: String,
    /// Which schema wrote the event.
    pub writer: Side,
    /// The event as JSON: for Avro, the datum in the Avro specification's JSON
    /// encoding (a union as `null` or `{"<branch>": value}`, bytes and fixed as strings
    /// of code points U+0000..U+00FF, an enum as its symbol), which `validate` reads;
    /// for JSON Schema, the instance; for Protobuf, the message's canonical proto3
    /// JSON.
    pub event: Value,
    /// The Avro binary datum or the Protobuf wire bytes the writer encoded (base64 in
    /// JSON); `None` for JSON Schema, whose instance is the data.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "base64_bytes"
    )]
    pub bytes: Option<Vec<u8>>,
    /// What goes wrong, as the check observed it: `the reader fails: <decoder's
    /// error>`, `decodes to something else: ...`, or `invalid under the new schema:
    /// <validator's error at path>`.
    pub outcome: String,
}

/// Bytes as one base64 string, as JSON documents carry binary data (serde's own form
/// is an array of numbers).
fn base64_bytes<S: serde::Serializer>(bytes: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
    use base64::Engine as _;
    bytes
        .as_ref()
        .map(|b| base64::engine::general_purpose::STANDARD.encode(b))
        .serialize(s)
}

/// What a format's search found: the event, its bytes and the observed outcome.
pub(crate) struct Found {
    pub(crate) event: Value,
    pub(crate) bytes: Option<Vec<u8>>,
    pub(crate) outcome: String,
}

/// A counterexample for `finding`, a finding of comparing `new` with `old`: `None` when
/// the finding is not breaking, the two schemas are of different types, or no event the
/// search tries is shown to break. A finding without a direction is taken as backward
/// (the new schema reading the old one's data), as a report renders it.
pub fn counterexample(
    old: &ParsedSchema,
    new: &ParsedSchema,
    finding: &Finding,
) -> Option<Counterexample> {
    if !finding.is_breaking() {
        return None;
    }
    let (side, writer, reader) = match finding.direction {
        Some(Direction::Forward) => (Side::New, new, old),
        _ => (Side::Old, old, new),
    };
    let found = match (writer.model(), reader.model()) {
        (Model::Avro(w), Model::Avro(r)) => avro::find(w, r, &finding.path),
        (Model::Json(w), Model::Json(r)) => json::find(w, r, &finding.path, side),
        (Model::Protobuf(w), Model::Protobuf(r)) => protobuf::find(w, r, finding),
        _ => None,
    }?;
    Some(Counterexample {
        rule: finding.rule.clone(),
        path: finding.path.clone(),
        writer: side,
        event: found.event,
        bytes: found.bytes,
        outcome: found.outcome,
    })
}

/// A counterexample for each breaking finding of comparing `new` with `old` that has
/// one, in the findings' order.
pub fn counterexamples<'a>(
    old: &ParsedSchema,
    new: &ParsedSchema,
    findings: impl IntoIterator<Item = &'a Finding>,
) -> Vec<Counterexample> {
    findings
        .into_iter()
        .filter_map(|f| counterexample(old, new, f))
        .collect()
}

/// A counterexample for each breaking finding of `report`, the report of checking `new`
/// against `history` (oldest first, as given to [`crate::check_with`]): each finding
/// is tried against the version it names (`against`), the newest when it names none.
pub fn for_report(
    new: &ParsedSchema,
    history: &[ParsedSchema],
    report: &Report,
) -> Vec<Counterexample> {
    report
        .breaking()
        .filter_map(|f| {
            let old = match f.against {
                Some(i) => history.get(i)?,
                None => history.last()?,
            };
            counterexample(old, new, f)
        })
        .collect()
}
