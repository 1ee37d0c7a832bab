//! Avro schemas: parsing with `apache-avro`, validation, canonical form.
//! (Skeleton: the Avro engine replaces this module.)

use super::{ParseOptions, Reference, SchemaError};
use crate::validate::Violation;

/// A parsed Avro schema as the compatibility engine walks it.
#[derive(Clone, Debug)]
pub struct AvroSchema {
    /// The schema as `apache-avro` understands it.
    pub schema: apache_avro::Schema,
}

pub(crate) fn parse(
    text: &str,
    _references: &[Reference],
    options: &ParseOptions,
) -> Result<(AvroSchema, String), SchemaError> {
    let value = super::parse_json_text(text, &options.limits)?;
    let schema =
        apache_avro::Schema::parse(&value).map_err(|e| SchemaError::invalid("", e.to_string()))?;
    let canonical =
        serde_json::to_string(&value).map_err(|e| SchemaError::invalid("", e.to_string()))?;
    Ok((AvroSchema { schema }, canonical))
}

impl AvroSchema {
    /// Violations of `event` against this schema. (Skeleton: refuses every event until
    /// the engine lands, so nothing is wrongly passed.)
    pub fn validate_event(&self, _event: &serde_json::Value) -> Vec<Violation> {
        vec![Violation {
            path: String::new(),
            message: "Avro payload validation is not implemented yet".to_owned(),
        }]
    }
}
