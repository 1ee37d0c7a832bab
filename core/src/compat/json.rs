//! JSON Schema compatibility (COMPAT.md, JSON Schema).
//! (Placeholder, refusing every non-identical pair rather than guessing: the JSON Schema engine replaces this module.)

use super::{Finding, Policy};
use crate::schema::json::JsonSchema;

/// Findings of "does `reader` accept everything `writer` accepted".
pub(crate) fn compare(reader: &JsonSchema, writer: &JsonSchema, _policy: Policy) -> Vec<Finding> {
    if reader.value == writer.value {
        Vec::new()
    } else {
        vec![Finding::breaking(
            "ENGINE_NOT_IMPLEMENTED",
            "",
            "the JSON Schema compatibility engine is not implemented yet, so only identical schemas are treated as compatible",
            Some("this is a conservative placeholder: do not rely on its verdicts".to_owned()),
        )]
    }
}
