//! Parsed schemas of every supported type. A [`ParsedSchema`] can only be built by
//! parsing, so holding one means the text was valid, within [`Limits`], and has a
//! canonical form and fingerprint.

pub mod avro;
mod error;
pub mod json;
mod text;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use error::SchemaError;
pub(crate) use text::parse_json_text;

use crate::limits::Limits;

/// The schema languages of the Confluent API (`schemaType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum SchemaType {
    /// Apache Avro, the Confluent default when `schemaType` is absent.
    Avro,
    /// JSON Schema (drafts 4 to 2020-12).
    Json,
    /// Protocol Buffers: named by the API, not supported by Schemagate.
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

impl FromStr for SchemaType {
    type Err = SchemaError;

    /// Confluent requires the exact upper-case name; anything else is an unknown type.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "AVRO" => Ok(SchemaType::Avro),
            "JSON" => Ok(SchemaType::Json),
            "PROTOBUF" => Ok(SchemaType::Protobuf),
            other => Err(SchemaError::UnknownType(other.to_owned())),
        }
    }
}

/// A schema imported by name (a Confluent reference), already fetched as text.
///
/// For Avro, `name` is informational (named types are found by their full names in
/// `text`); for JSON Schema it is the URI that `$ref` uses to point at `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// The reference name as registered (`"com.shop.Address"`, `"address.json"`).
    pub name: String,
    /// The referenced schema's text, of the same schema type as the referrer.
    pub text: String,
}

impl Reference {
    /// A reference from its name and text.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        Reference {
            name: name.into(),
            text: text.into(),
        }
    }
}

/// How to parse: limits, and whether to normalise (Confluent's `normalize=true`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ParseOptions {
    /// Fold format-specific equivalences into the canonical form (Avro: full names and
    /// redundant namespaces) on top of whitespace and key order.
    pub normalize: bool,
    /// Size, depth and count limits.
    pub limits: Limits,
}

/// SHA-256 of the schema type and canonical text: equal fingerprints, same schema.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fingerprint(pub [u8; 32]);

impl Fingerprint {
    /// Fingerprint of a canonical text of the given type.
    pub fn of(schema_type: SchemaType, canonical: &str) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(schema_type.as_str().as_bytes());
        hasher.update([0u8]);
        hasher.update(canonical.as_bytes());
        Fingerprint(hasher.finalize().into())
    }

    /// Lower-case hex, as shown to people.
    pub fn to_hex(&self) -> String {
        use std::fmt::Write;
        self.0.iter().fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({})", self.to_hex())
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// The format-specific model a compatibility check walks.
#[derive(Clone, Debug)]
pub(crate) enum Model {
    Avro(avro::AvroSchema),
    Json(json::JsonSchema),
}

/// A valid schema with its canonical text and fingerprint.
#[derive(Clone, Debug)]
pub struct ParsedSchema {
    schema_type: SchemaType,
    canonical: String,
    fingerprint: Fingerprint,
    model: Model,
}

impl ParsedSchema {
    /// Parses `text` as `schema_type` with default options, resolving `references`.
    pub fn parse(
        schema_type: SchemaType,
        text: &str,
        references: &[Reference],
    ) -> Result<Self, SchemaError> {
        Self::parse_with(schema_type, text, references, &ParseOptions::default())
    }

    /// Parses raw bytes, which must be UTF-8 (the error gives the offset if not).
    pub fn parse_bytes(
        schema_type: SchemaType,
        bytes: &[u8],
        references: &[Reference],
        options: &ParseOptions,
    ) -> Result<Self, SchemaError> {
        let text = std::str::from_utf8(bytes).map_err(|e| SchemaError::InvalidUtf8 {
            offset: e.valid_up_to(),
        })?;
        Self::parse_with(schema_type, text, references, options)
    }

    /// Parses `text` as `schema_type` with explicit options.
    pub fn parse_with(
        schema_type: SchemaType,
        text: &str,
        references: &[Reference],
        options: &ParseOptions,
    ) -> Result<Self, SchemaError> {
        if references.len() > options.limits.max_references {
            return Err(SchemaError::TooMany {
                what: "references",
                count: references.len(),
                limit: options.limits.max_references,
            });
        }
        let (model, canonical) = match schema_type {
            SchemaType::Avro => {
                let (schema, canonical) = avro::parse(text, references, options)?;
                (Model::Avro(schema), canonical)
            }
            SchemaType::Json => {
                let (schema, canonical) = json::parse(text, references, options)?;
                (Model::Json(schema), canonical)
            }
            SchemaType::Protobuf => return Err(SchemaError::Unsupported(schema_type)),
        };
        let fingerprint = Fingerprint::of(schema_type, &canonical);
        Ok(ParsedSchema {
            schema_type,
            canonical,
            fingerprint,
            model,
        })
    }

    /// The schema language.
    pub fn schema_type(&self) -> SchemaType {
        self.schema_type
    }

    /// Compact canonical text: what the registry stores and compares.
    pub fn canonical(&self) -> &str {
        &self.canonical
    }

    /// Fingerprint of the canonical text.
    pub fn fingerprint(&self) -> Fingerprint {
        self.fingerprint
    }

    /// The Avro model, when this is an Avro schema.
    pub fn as_avro(&self) -> Option<&avro::AvroSchema> {
        match &self.model {
            Model::Avro(s) => Some(s),
            Model::Json(_) => None,
        }
    }

    /// The JSON Schema model, when this is a JSON schema.
    pub fn as_json(&self) -> Option<&json::JsonSchema> {
        match &self.model {
            Model::Json(s) => Some(s),
            Model::Avro(_) => None,
        }
    }

    pub(crate) fn model(&self) -> &Model {
        &self.model
    }
}

impl PartialEq for ParsedSchema {
    fn eq(&self, other: &Self) -> bool {
        self.fingerprint == other.fingerprint
    }
}

impl Eq for ParsedSchema {}
