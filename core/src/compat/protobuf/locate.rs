//! Where a finding points: a `SourceCodeInfo` path of the reader's main file turned
//! into a JSON pointer over the `FileDescriptorProto` in protobuf's JSON field names
//! (`[4, 0, 2, 1]` -> `/messageType/0/field/1`), and its line and column.

use std::fmt::Write as _;

use crate::compat::report::Position;
use crate::schema::protobuf::ProtobufSchema;

/// What the number at each step of a source path names, given what contains it.
#[derive(Clone, Copy)]
enum Node {
    File,
    Message,
    Enum,
    /// A field, oneof, value, option or anything whose inner numbers we do not name.
    Leaf,
}

fn step(node: Node, number: i32) -> (Option<&'static str>, Node) {
    match (node, number) {
        (Node::File, 2) => (Some("package"), Node::Leaf),
        (Node::File, 4) => (Some("messageType"), Node::Message),
        (Node::File, 5) => (Some("enumType"), Node::Enum),
        (Node::File, 6) => (Some("service"), Node::Leaf),
        (Node::File, 7) => (Some("extension"), Node::Leaf),
        (Node::File, 8) => (Some("options"), Node::Leaf),
        (Node::File, 12) => (Some("syntax"), Node::Leaf),
        (Node::Message, 2) => (Some("field"), Node::Leaf),
        (Node::Message, 3) => (Some("nestedType"), Node::Message),
        (Node::Message, 4) => (Some("enumType"), Node::Enum),
        (Node::Message, 6) => (Some("extension"), Node::Leaf),
        (Node::Message, 8) => (Some("oneofDecl"), Node::Leaf),
        (Node::Message, 9) => (Some("reservedRange"), Node::Leaf),
        (Node::Message, 10) => (Some("reservedName"), Node::Leaf),
        (Node::Enum, 2) => (Some("value"), Node::Leaf),
        (Node::Enum, 4) => (Some("reservedRange"), Node::Leaf),
        (Node::Enum, 5) => (Some("reservedName"), Node::Leaf),
        _ => (None, Node::Leaf),
    }
}

/// The JSON pointer of a `SourceCodeInfo` path: pairs of (field number, index) become
/// `/jsonName/index`; a number we do not name is written as the number itself.
pub(crate) fn pointer(path: &[i32]) -> String {
    // Written into one buffer: every finding has a pointer, and thousands of findings
    // per check made the intermediate strings show up.
    let mut out = String::with_capacity(path.len() * 8);
    let mut node = Node::File;
    let mut parts = path.iter();
    while let Some(&number) = parts.next() {
        let (name, next) = step(node, number);
        match name {
            Some(name) => {
                out.push('/');
                out.push_str(name);
            }
            None => {
                let _ = write!(out, "/{number}");
            }
        }
        // Repeated members are followed by their index; singular ones (package,
        // syntax, options) are not.
        if matches!(number, 2 | 8 | 12) && matches!(node, Node::File) {
            node = next;
            continue;
        }
        if let Some(&index) = parts.next() {
            let _ = write!(out, "/{index}");
        }
        node = next;
    }
    out
}

/// Line and column of the element at `path` in `schema`'s main file, when its source
/// is known (a schema parsed from text).
pub(crate) fn position(schema: &ProtobufSchema, path: &[i32]) -> Option<Position> {
    if path.is_empty() {
        return None;
    }
    schema
        .position(path)
        .map(|(line, column)| Position { line, column })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_use_protobufs_json_names() {
        assert_eq!(pointer(&[4, 0, 2, 2]), "/messageType/0/field/2");
        assert_eq!(
            pointer(&[4, 1, 3, 0, 8, 1]),
            "/messageType/1/nestedType/0/oneofDecl/1"
        );
        assert_eq!(pointer(&[5, 2, 2, 0]), "/enumType/2/value/0");
        assert_eq!(
            pointer(&[4, 0, 4, 1, 2, 3]),
            "/messageType/0/enumType/1/value/3"
        );
        assert_eq!(pointer(&[2]), "/package");
        assert_eq!(pointer(&[]), "");
    }
}
