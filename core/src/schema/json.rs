//! JSON Schema: parsing, metaschema validation, canonical form.
//! (Skeleton: the JSON Schema engine replaces this module.)

use super::{ParseOptions, Reference, SchemaError};
use crate::validate::Violation;

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

impl JsonSchema {
    /// Violations of `event` against this schema. (Skeleton: refuses every event until
    /// the engine lands, so nothing is wrongly passed.)
    pub fn validate_event(&self, _event: &serde_json::Value) -> Vec<Violation> {
        vec![Violation {
            path: String::new(),
            message: "JSON Schema payload validation is not implemented yet".to_owned(),
        }]
    }
}
