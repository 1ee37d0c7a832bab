//! The schema languages the Confluent API names. A leaf: the error type and the parsed
//! schema both depend on it, so it depends on neither.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The schema languages of the Confluent API (`schemaType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum SchemaType {
    /// Apache Avro, the Confluent default when `schemaType` is absent.
    Avro,
    /// JSON Schema (drafts 4 to 2020-12).
    Json,
    /// Protocol Buffers (proto2 and proto3).
    Protobuf,
}

impl SchemaType {
    /// The name Confluent uses on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            SchemaType::Avro => "AVRO",
            SchemaType::Json => "JSON",
            SchemaType::Protobuf => "PROTOBUF",
        }
    }
}

impl fmt::Display for SchemaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
