//! What a Protobuf schema may cost: size before parsing, bracket nesting before the
//! recursive parser sees the text, and the compiled file's size in elements.

use prost_reflect::{FileDescriptor, MessageDescriptor};

use super::source::line_column;
use crate::limits::Limits;
use crate::schema::error::SchemaError;

/// Refuses a text over the size limit.
pub(super) fn check_size(text: &str, limits: &Limits) -> Result<(), SchemaError> {
    if text.len() > limits.max_schema_bytes {
        return Err(SchemaError::TooLarge {
            size: text.len(),
            limit: limits.max_schema_bytes,
        });
    }
    Ok(())
}

/// Refuses a text whose brackets (`{`, `[`, `(`, `<`) nest deeper than the limit,
/// outside strings and comments, so that hostile option values cannot exhaust the
/// parser's stack.
pub(super) fn check_nesting(text: &str, limits: &Limits) -> Result<(), SchemaError> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i += 1;
            }
            quote @ (b'"' | b'\'') => {
                i += 1;
                while i < bytes.len() && bytes[i] != quote && bytes[i] != b'\n' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'{' | b'[' | b'(' | b'<' => {
                depth += 1;
                if depth > limits.max_depth {
                    let (line, column) = line_column(text, i);
                    return Err(SchemaError::TooDeep {
                        limit: limits.max_depth,
                        line,
                        column,
                    });
                }
            }
            b'}' | b']' | b')' | b'>' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

/// Refuses a compiled file with more elements (messages, fields, enums, values) than
/// the node limit, or messages nested deeper than the depth limit (a descriptor sent
/// as base64 has no text whose brackets could be counted).
pub(super) fn check_shape(file: &FileDescriptor, limits: &Limits) -> Result<(), SchemaError> {
    let mut nodes = 0usize;
    for message in file.messages() {
        walk(&message, 1, &mut nodes, limits)?;
    }
    for e in file.enums() {
        nodes += 1 + e.values().len();
    }
    if nodes > limits.max_nodes {
        return Err(SchemaError::TooMany {
            what: "messages, fields, enums and enum values",
            count: nodes,
            limit: limits.max_nodes,
        });
    }
    Ok(())
}

fn walk(
    message: &MessageDescriptor,
    depth: usize,
    nodes: &mut usize,
    limits: &Limits,
) -> Result<(), SchemaError> {
    if depth > limits.max_depth {
        return Err(SchemaError::Protobuf {
            file: None,
            line: None,
            column: None,
            message: format!(
                "message {} nests deeper than {} levels",
                message.full_name(),
                limits.max_depth
            ),
        });
    }
    *nodes += 1 + message.fields().len();
    for e in message.child_enums() {
        *nodes += 1 + e.values().len();
    }
    if *nodes > limits.max_nodes {
        return Err(SchemaError::TooMany {
            what: "messages, fields, enums and enum values",
            count: *nodes,
            limit: limits.max_nodes,
        });
    }
    for child in message.child_messages() {
        walk(&child, depth + 1, nodes, limits)?;
    }
    Ok(())
}
