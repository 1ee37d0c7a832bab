//! Parsed schemas of every supported type. A [`ParsedSchema`] can only be built by
//! parsing, so holding one means the text was valid, within [`crate::Limits`], and has a
//! canonical form and fingerprint.

pub mod avro;
mod error;
pub mod json;
mod options;
mod schema_type;
mod text;

use std::fmt;

use sha2::{Digest, Sha256};

pub use error::SchemaError;
pub use options::{ParseOptions, Reference};
pub use schema_type::SchemaType;

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
