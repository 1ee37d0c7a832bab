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
            "TYPE_CHANGED",
            "",
            "schemas differ",
            None,
        )]
    }
}
