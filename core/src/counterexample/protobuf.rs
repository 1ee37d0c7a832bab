//! Protobuf counterexamples (to come).

use super::Found;
use crate::compat::Finding;
use crate::schema::protobuf::ProtobufSchema;

/// A counterexample for `finding`.
pub(super) fn find(
    _writer: &ProtobufSchema,
    _reader: &ProtobufSchema,
    _finding: &Finding,
) -> Option<Found> {
    None
}
