//! Avro schema resolution rules (COMPAT.md, Avro).
//! (Placeholder, refusing every non-identical pair rather than guessing: the Avro engine replaces this module.)

use super::Finding;
use crate::schema::avro::AvroSchema;

/// Findings of "can `reader` read data written with `writer`".
pub(crate) fn compare(reader: &AvroSchema, writer: &AvroSchema) -> Vec<Finding> {
    if reader.schema == writer.schema {
        Vec::new()
    } else {
        vec![Finding::breaking(
            "ENGINE_NOT_IMPLEMENTED",
            "",
            "the Avro compatibility engine is not implemented yet, so only identical schemas are treated as compatible",
            Some("this is a conservative placeholder: do not rely on its verdicts".to_owned()),
        )]
    }
}
