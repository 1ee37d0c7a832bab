//! Wire types of the Confluent Schema Registry API: what the client sends and gets
//! back, named as Confluent names them on the wire.

use schemagate_core::SchemaType;
use serde::{Deserialize, Serialize};

/// A reference from one schema to a registered subject-version it imports.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SchemaReference {
    /// The name the referring schema uses (Avro full name, JSON `$ref` URI).
    pub name: String,
    /// The subject the referenced schema is registered under.
    pub subject: String,
    /// The referenced version.
    pub version: u32,
}

/// A schema to register, look up or check: text, type and references.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SchemaBody {
    /// The schema text, as a string (Confluent never takes it as a JSON object).
    pub schema: String,
    /// Omitted for Avro, which is Confluent's default and what old registries expect.
    #[serde(rename = "schemaType", skip_serializing_if = "is_avro")]
    pub schema_type: SchemaType,
    /// Omitted when empty, as Confluent's own clients do.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<SchemaReference>,
}

impl SchemaBody {
    /// A body of the given type without references.
    pub fn new(schema_type: SchemaType, schema: impl Into<String>) -> Self {
        SchemaBody {
            schema: schema.into(),
            schema_type,
            references: Vec::new(),
        }
    }

    /// The same body with `references`.
    pub fn with_references(mut self, references: Vec<SchemaReference>) -> Self {
        self.references = references;
        self
    }
}

fn is_avro(t: &SchemaType) -> bool {
    *t == SchemaType::Avro
}

fn default_type() -> SchemaType {
    SchemaType::Avro
}

/// A schema as registered under a subject (`GET /subjects/{s}/versions/{v}`, lookup).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct SubjectVersion {
    /// The subject.
    pub subject: String,
    /// Global schema id.
    pub id: u32,
    /// Version within the subject.
    pub version: u32,
    /// Schema language (Avro when the registry omits it).
    #[serde(rename = "schemaType", default = "default_type")]
    pub schema_type: SchemaType,
    /// Schema text as the registry stores it.
    pub schema: String,
    /// Schemas it imports.
    #[serde(default)]
    pub references: Vec<SchemaReference>,
}

impl SubjectVersion {
    /// The schema as a body, to check or register elsewhere.
    pub fn body(&self) -> SchemaBody {
        SchemaBody::new(self.schema_type, self.schema.clone())
            .with_references(self.references.clone())
    }
}

/// A schema fetched by global id (`GET /schemas/ids/{id}`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct SchemaById {
    /// Schema language (Avro when the registry omits it).
    #[serde(rename = "schemaType", default = "default_type")]
    pub schema_type: SchemaType,
    /// Schema text.
    pub schema: String,
    /// Schemas it imports.
    #[serde(default)]
    pub references: Vec<SchemaReference>,
}

/// The answer of a compatibility check (`POST /compatibility/...`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Compatibility {
    /// The registry's verdict.
    pub is_compatible: bool,
    /// With `verbose=true`: one readable message per breaking finding.
    #[serde(default)]
    pub messages: Vec<String>,
}

/// Which version of a subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VersionSpec {
    /// The newest live version.
    Latest,
    /// A version number (1-based).
    Number(u32),
}

impl VersionSpec {
    pub(crate) fn segment(self) -> String {
        match self {
            VersionSpec::Latest => "latest".to_owned(),
            VersionSpec::Number(n) => n.to_string(),
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct RegisterAnswer {
    pub id: u32,
}

#[derive(Deserialize)]
pub(crate) struct ConfigAnswer {
    #[serde(rename = "compatibilityLevel", alias = "compatibility")]
    pub level: String,
}

#[derive(Deserialize)]
pub(crate) struct ErrorBody {
    pub error_code: i64,
    #[serde(default)]
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn avro_bodies_omit_type_and_empty_references() {
        let body = SchemaBody::new(SchemaType::Avro, "\"string\"");
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"schema":"\"string\""}"#
        );
        let body = SchemaBody::new(SchemaType::Json, "{}").with_references(vec![SchemaReference {
            name: "a.json".into(),
            subject: "a".into(),
            version: 2,
        }]);
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"schema":"{}","schemaType":"JSON","references":[{"name":"a.json","subject":"a","version":2}]}"#
        );
    }

    #[test]
    fn missing_schema_type_means_avro() {
        let v: SubjectVersion =
            serde_json::from_str(r#"{"subject":"s","id":1,"version":1,"schema":"\"int\""}"#)
                .unwrap();
        assert_eq!(v.schema_type, SchemaType::Avro);
        assert!(v.references.is_empty());
    }
}
