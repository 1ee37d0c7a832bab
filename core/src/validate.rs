//! Payload validation: does a sample event (as JSON) conform to a schema? Used by the
//! CLI's contract tests of sample events. Avro events are read in Avro's JSON encoding, Protobuf events in Protobuf's.

use serde_json::Value;

use crate::schema::{Model, ParsedSchema};
pub use crate::violation::Violation;

/// Every violation of `event` against `schema`; empty when the event conforms.
pub fn validate(schema: &ParsedSchema, event: &Value) -> Vec<Violation> {
    match schema.model() {
        Model::Avro(s) => s.validate_event(event),
        Model::Json(s) => s.validate_event(event),
        Model::Protobuf(s) => s.validate_event(event),
    }
}
