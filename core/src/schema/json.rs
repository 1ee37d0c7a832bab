//! JSON Schema: parsing, metaschema validation, canonical form.
//! (Skeleton: the JSON Schema engine replaces this module.)

use super::{ParseOptions, Reference, SchemaError};

/// A parsed JSON Schema as the compatibility engine walks it.
#[derive(Clone, Debug)]
pub struct JsonSchema {
    /// The schema document.
    pub value: serde_json::Value,
}

pub(crate) fn parse(
    text: &str,
    _references: &[Reference],
    options: &ParseOptions,
) -> Result<(JsonSchema, String), SchemaError> {
    let value = super::parse_json_text(text, &options.limits)?;
    let canonical =
        serde_json::to_string(&value).map_err(|e| SchemaError::invalid("", e.to_string()))?;
    Ok((JsonSchema { value }, canonical))
}
