//! Avro schemas: parsing with `apache-avro`, validation, canonical form.
//! (Skeleton: the Avro engine replaces this module.)

use super::{ParseOptions, Reference, SchemaError};

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
