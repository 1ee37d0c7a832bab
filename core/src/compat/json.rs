//! JSON Schema compatibility (COMPAT.md, JSON Schema).
//! (Placeholder, refusing every non-identical pair rather than guessing: the JSON Schema engine replaces this module.)

use super::{Finding, Policy};
use crate::schema::json::JsonSchema;

/// Findings of "does `reader` accept everything `writer` accepted".
pub(crate) fn compare(reader: &JsonSchema, writer: &JsonSchema, _policy: Policy) -> Vec<Finding> {
    super::placeholder_verdict(reader.value == writer.value, "JSON Schema")
}
