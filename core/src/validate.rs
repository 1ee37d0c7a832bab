//! Payload validation: does a sample event (as JSON) conform to a schema? Used by the
//! CLI's contract tests of sample events. Avro events are read in Avro's JSON encoding.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::schema::{Model, ParsedSchema};

/// One way an event breaks its schema.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// JSON pointer into the event.
    pub path: String,
    /// What is wrong there.
    pub message: String,
}

/// Every violation of `event` against `schema`; empty when the event conforms.
pub fn validate(schema: &ParsedSchema, event: &Value) -> Vec<Violation> {
    match schema.model() {
        Model::Avro(s) => s.validate_event(event),
        Model::Json(s) => s.validate_event(event),
    }
}
