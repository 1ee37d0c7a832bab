//! Sample events for a Protobuf schema: a message in Protobuf's JSON encoding (the
//! canonical proto3 JSON mapping), read with `prost-reflect`'s dynamic messages.

use prost_reflect::{DynamicMessage, MessageDescriptor};
use serde_json::Value;

use super::ProtobufSchema;
use crate::violation::Violation;

impl ProtobufSchema {
    /// The message a record of this schema carries when none is named: the first
    /// message of the file, as Confluent's serializers assume.
    pub fn default_message(&self) -> Option<MessageDescriptor> {
        self.file.messages().next()
    }

    /// The message named `name` (full name, or a name relative to the file's package).
    pub fn message(&self, name: &str) -> Option<MessageDescriptor> {
        let package = self.file.package_name();
        self.pool.get_message_by_name(name).or_else(|| {
            (!package.is_empty())
                .then(|| self.pool.get_message_by_name(&format!("{package}.{name}")))
                .flatten()
        })
    }

    /// Every violation of `event` (JSON) against the file's first message.
    pub fn validate_event(&self, event: &Value) -> Vec<Violation> {
        match self.default_message() {
            Some(message) => validate_message(&message, event),
            None => vec![Violation {
                path: String::new(),
                message: "the schema declares no message, so no event can conform".into(),
            }],
        }
    }
}

/// Every violation of `event` against `message` in the JSON mapping: unknown fields,
/// values of the wrong type, numbers out of range, unknown enum names.
pub fn validate_message(message: &MessageDescriptor, event: &Value) -> Vec<Violation> {
    match DynamicMessage::deserialize(message.clone(), event) {
        Ok(_) => Vec::new(),
        Err(e) => vec![Violation {
            path: String::new(),
            message: format!(
                "not a {} in Protobuf's JSON encoding: {e}",
                message.full_name()
            ),
        }],
    }
}
