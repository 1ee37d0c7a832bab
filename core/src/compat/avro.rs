//! Avro schema resolution rules (COMPAT.md, Avro).
//! (Placeholder, refusing every non-identical pair rather than guessing: the Avro engine replaces this module.)

use super::Finding;
use crate::schema::avro::AvroSchema;

/// Findings of "can `reader` read data written with `writer`".
pub(crate) fn compare(reader: &AvroSchema, writer: &AvroSchema) -> Vec<Finding> {
    super::placeholder_verdict(reader.schema == writer.schema, "Avro")
}
