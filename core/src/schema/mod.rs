//! Parsed schemas of every supported type. A [`ParsedSchema`] can only be built by
//! parsing, so holding one means the text was valid, within [`crate::Limits`], and has a
//! canonical form, a fingerprint and the text Confluent would register it as.

pub mod avro;
mod error;
mod jackson;
pub mod json;
mod options;
pub mod protobuf;
mod schema_type;
mod text;

use std::fmt;

use sha2::{Digest, Sha256};

pub use error::SchemaError;
pub use options::{ParseOptions, Reference};
pub use schema_type::SchemaType;
pub use text::json_kind;

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
    Protobuf(protobuf::ProtobufSchema),
}

/// The two texts a format parser writes for a schema.
#[derive(Clone, Debug)]
pub(crate) struct Texts {
    /// Identity: keys sorted, see [`ParsedSchema::canonical`].
    pub(crate) canonical: String,
    /// As Confluent stores it, see [`ParsedSchema::registered`].
    pub(crate) registered: String,
}

/// A valid schema with its canonical text, fingerprint and registered text.
#[derive(Clone, Debug)]
pub struct ParsedSchema {
    schema_type: SchemaType,
    canonical: String,
    registered: String,
    fingerprint: Fingerprint,
    model: Model,
    /// See [`Self::approximate_memory`].
    memory: usize,
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
        let (model, texts) = match schema_type {
            SchemaType::Avro => {
                let (schema, texts) = avro::parse(text, references, options)?;
                (Model::Avro(schema), texts)
            }
            SchemaType::Json => {
                let (schema, texts) = json::parse(text, references, options)?;
                (Model::Json(schema), texts)
            }
            SchemaType::Protobuf => {
                let (schema, texts) = protobuf::parse(text, references, options)?;
                (Model::Protobuf(schema), texts)
            }
        };
        let fingerprint = Fingerprint::of(schema_type, &texts.canonical);
        let referenced: usize = references.iter().map(|r| r.text.len()).sum();
        let memory = approximate_memory(&model, texts.canonical.len() + referenced);
        Ok(ParsedSchema {
            schema_type,
            canonical: texts.canonical,
            registered: texts.registered,
            fingerprint,
            model,
            memory,
        })
    }

    /// The text Confluent answers for `format=resolved`: for Avro, `text` with the
    /// named types of its `references` written in full where first used, so that it
    /// reads without them (`AvroSchema.formattedString`); for JSON Schema, whose
    /// provider formats nothing, `None` (the text as registered stands).
    pub fn resolved_text(
        schema_type: SchemaType,
        text: &str,
        references: &[Reference],
        options: &ParseOptions,
    ) -> Result<Option<String>, SchemaError> {
        match schema_type {
            SchemaType::Avro => avro::resolved(text, references, options).map(Some),
            // Neither provider formats a resolved text: the text as registered stands.
            SchemaType::Json | SchemaType::Protobuf => Ok(None),
        }
    }

    /// The schema language.
    pub fn schema_type(&self) -> SchemaType {
        self.schema_type
    }

    /// Compact canonical text, the schema's identity: object keys sorted at every
    /// level, so the same schema written with other whitespace or key order has the
    /// same canonical text (and [`Self::fingerprint`], from which the registry's
    /// content keys are built). Not what Confluent shows: see [`Self::registered`].
    pub fn canonical(&self) -> &str {
        &self.canonical
    }

    /// The text Confluent would store for this schema and return for it (its
    /// `canonicalString`), computed at parse time:
    ///
    /// - Avro: Avro Java's `Schema.toString()` (1.12) of the parsed schema. Keys in
    ///   Avro's own order (`type`, `name`, `namespace` when it differs from the
    ///   enclosing one, `doc`, `fields`/`symbols`/`size`, other attributes in the order
    ///   written, `aliases`), a named type written in full at its first use and by name
    ///   after, the top-level types of references by name, attributes Avro drops
    ///   dropped, numbers as Java writes a `double` (`1e2` as `100.0`). With
    ///   `normalize`, what Confluent stores for the normalised schema (attributes and
    ///   aliases sorted, a valid logical type's attributes first).
    /// - JSON Schema: the registrant's text, compact: keys in the order written,
    ///   no whitespace, numbers as Jackson writes an exact `BigDecimal` (`1.50` stays,
    ///   `1e2` becomes `1E+2`). With `normalize`, keys sorted at every level.
    ///
    /// Two texts that differ only in key order or whitespace have different registered
    /// texts and the same canonical text and fingerprint.
    pub fn registered(&self) -> &str {
        &self.registered
    }

    /// Fingerprint of the canonical text.
    pub fn fingerprint(&self) -> Fingerprint {
        self.fingerprint
    }

    /// The Avro model, when this is an Avro schema.
    pub fn as_avro(&self) -> Option<&avro::AvroSchema> {
        match &self.model {
            Model::Avro(s) => Some(s),
            _ => None,
        }
    }

    /// The JSON Schema model, when this is a JSON schema.
    pub fn as_json(&self) -> Option<&json::JsonSchema> {
        match &self.model {
            Model::Json(s) => Some(s),
            _ => None,
        }
    }

    /// The Protobuf model, when this is a Protobuf schema.
    pub fn as_protobuf(&self) -> Option<&protobuf::ProtobufSchema> {
        match &self.model {
            Model::Protobuf(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn model(&self) -> &Model {
        &self.model
    }

    /// Roughly how many bytes of memory the parsed schema holds (its model, compiled
    /// validator or descriptors, texts and the indexes a check builds), never much
    /// less than it really does: for caches that bound their memory.
    pub fn approximate_memory(&self) -> usize {
        self.memory
    }
}

/// [`ParsedSchema::approximate_memory`] of `model`, parsed from `text_len` bytes of
/// canonical and referenced text. The factors are measured and rounded up (the
/// `parsed_memory` example prints the figures): a 200-field schema holds 200 to
/// 260 KB (Avro), 350 to 510 KB (JSON Schema, mostly its compiled validator) and
/// 330 to 500 KB once checked (Protobuf: prost-reflect's descriptors, which scale with
/// the compiled files, built-in imports included, rather than with the text, and the
/// engine's tables); a two-field schema 12 to 20 KB.
fn approximate_memory(model: &Model, text_len: usize) -> usize {
    const KIB: usize = 1024;
    match model {
        Model::Avro(_) => 12 * KIB + text_len.saturating_mul(36),
        Model::Json(_) => 20 * KIB + text_len.saturating_mul(72),
        Model::Protobuf(p) => 20 * KIB + p.descriptor_len().saturating_mul(80),
    }
}

impl PartialEq for ParsedSchema {
    fn eq(&self, other: &Self) -> bool {
        self.fingerprint == other.fingerprint
    }
}

impl Eq for ParsedSchema {}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 200-field record, object or message in `schema_type`'s language.
    fn wide(schema_type: SchemaType) -> String {
        let names = (1..=200).map(|i| format!("f{i}"));
        match schema_type {
            SchemaType::Avro => {
                let fields: Vec<String> = names
                    .map(|n| format!(r#"{{"name":"{n}","type":"long"}}"#))
                    .collect();
                format!(
                    r#"{{"type":"record","name":"R","fields":[{}]}}"#,
                    fields.join(",")
                )
            }
            SchemaType::Json => {
                let properties: Vec<String> = names
                    .map(|n| format!(r#""{n}":{{"type":"integer"}}"#))
                    .collect();
                format!(
                    r#"{{"type":"object","properties":{{{}}}}}"#,
                    properties.join(",")
                )
            }
            SchemaType::Protobuf => {
                let fields: String = names
                    .zip(1..)
                    .map(|(n, i)| format!("  int64 {n} = {i};\n"))
                    .collect();
                format!("syntax = \"proto3\";\nmessage R {{\n{fields}}}\n")
            }
        }
    }

    #[test]
    fn memory_estimates_follow_what_a_parsed_schema_holds() {
        // Measured (the `parsed_memory` example): these 200-field schemas hold
        // 205 KB (Avro), 354 KB (JSON Schema) and 327 KB (Protobuf, once checked); a
        // two-field Protobuf schema 19 KB. The estimate may not be lower.
        for (schema_type, held) in [
            (SchemaType::Avro, 204_000),
            (SchemaType::Json, 354_000),
            (SchemaType::Protobuf, 327_000),
        ] {
            let wide = ParsedSchema::parse(schema_type, &wide(schema_type), &[]).unwrap();
            assert!(
                wide.approximate_memory() >= held,
                "{schema_type:?}: {}",
                wide.approximate_memory()
            );
        }
        // A Protobuf schema carries the files it imports, built-ins included.
        let bare = "syntax = \"proto3\";\nmessage M { string a = 1; }\n";
        let importing = "syntax = \"proto3\";\nimport \"google/protobuf/descriptor.proto\";\nmessage M { string a = 1; google.protobuf.FileDescriptorProto d = 2; }\n";
        let bare = ParsedSchema::parse(SchemaType::Protobuf, bare, &[]).unwrap();
        let importing = ParsedSchema::parse(SchemaType::Protobuf, importing, &[]).unwrap();
        assert!(bare.approximate_memory() >= 19_000);
        assert!(
            importing.approximate_memory() >= bare.approximate_memory() + 300 * 1024,
            "{} vs {}",
            importing.approximate_memory(),
            bare.approximate_memory()
        );
    }
}
