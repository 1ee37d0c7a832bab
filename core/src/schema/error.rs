//! Why a schema text was refused. Every variant says what was wrong and where, so the
//! server's 42201 message and the CLI's output can point a person at the fix.

use std::str::FromStr;

use super::schema_type::SchemaType;

/// Where in a schema a JSON pointer points, for messages: the empty pointer is the
/// whole schema, which a reader would not recognise in `at : ...`.
fn place(pointer: &str) -> &str {
    if pointer.is_empty() {
        "the top level"
    } else {
        pointer
    }
}

/// ` in reference "x.proto" at line 3, column 5`, or as much of it as is known.
fn proto_place(file: &Option<String>, line: Option<usize>, column: Option<usize>) -> String {
    let mut out = String::new();
    if let Some(file) = file {
        out.push_str(&format!(" in reference {file:?}"));
    }
    if let Some(line) = line {
        out.push_str(&format!(" at line {line}"));
        if let Some(column) = column {
            out.push_str(&format!(", column {column}"));
        }
    }
    out
}

/// A schema text that could not become a [`super::ParsedSchema`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SchemaError {
    /// The bytes are not UTF-8.
    #[error("schema is not valid UTF-8 (first bad byte at offset {offset})")]
    InvalidUtf8 {
        /// Byte offset of the first invalid sequence.
        offset: usize,
    },
    /// The text is not JSON at all.
    #[error("malformed JSON at line {line}, column {column}: {message}")]
    Syntax {
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// What the JSON parser expected.
        message: String,
    },
    /// The JSON is well formed but is not a valid schema.
    #[error("invalid schema at {}: {message}", place(path))]
    Invalid {
        /// JSON pointer to the offending value (`""` is the whole schema).
        path: String,
        /// What is wrong and, where it helps, what would be right.
        message: String,
    },
    /// The text is larger than the configured limit.
    #[error("schema is {size} bytes, over the limit of {limit} bytes")]
    TooLarge {
        /// Size of the text.
        size: usize,
        /// The limit in force.
        limit: usize,
    },
    /// The text nests deeper than the configured limit.
    #[error("schema nests deeper than {limit} levels (at line {line}, column {column})")]
    TooDeep {
        /// The limit in force.
        limit: usize,
        /// 1-based line where the limit was crossed.
        line: usize,
        /// 1-based column where the limit was crossed.
        column: usize,
    },
    /// Some part of the schema occurs more often than the configured limit allows.
    #[error("schema has {count} {what}, over the limit of {limit}")]
    TooMany {
        /// What was counted ("union branches", "references", ...).
        what: &'static str,
        /// How many were found (or how many had been found when parsing stopped).
        count: usize,
        /// The limit in force.
        limit: usize,
    },
    /// A named type or `$ref` points at nothing this schema or its references define.
    #[error(
        "unresolved reference {name:?} at {}: register the schema that defines it and pass it in `references`",
        place(path)
    )]
    UnresolvedReference {
        /// The name or URI that did not resolve.
        name: String,
        /// JSON pointer to where it is used.
        path: String,
    },
    /// A Protobuf schema that does not compile: bad `.proto` text, an undefined type,
    /// an import nobody supplied, a descriptor that does not decode.
    #[error("invalid Protobuf schema{}: {message}", proto_place(file, *line, *column))]
    Protobuf {
        /// The file it is in when not the schema itself (a reference's import path).
        file: Option<String>,
        /// 1-based line, when the problem has a place in a text.
        line: Option<usize>,
        /// 1-based column, with `line`.
        column: Option<usize>,
        /// What is wrong and, where it helps, what would be right.
        message: String,
    },
    /// `schemaType` is not one Confluent defines.
    #[error("unknown schema type {0:?}: use AVRO, JSON or PROTOBUF (exact upper case)")]
    UnknownType(String),
}

impl SchemaError {
    /// An [`SchemaError::Invalid`] at `path`.
    pub fn invalid(path: impl Into<String>, message: impl Into<String>) -> Self {
        SchemaError::Invalid {
            path: path.into(),
            message: message.into(),
        }
    }

    /// A syntax error's message prefixed with `text` (which says which text it is in,
    /// since its line and column are not the main text's); any other error unchanged.
    pub(crate) fn in_text_of(self, text: &str) -> Self {
        match self {
            SchemaError::Syntax {
                line,
                column,
                message,
            } => SchemaError::Syntax {
                line,
                column,
                message: format!("{text}: {message}"),
            },
            other => other,
        }
    }
}

// Here rather than beside `SchemaType`: its error is a `SchemaError`, which already names
// `SchemaType`, and keeping both impls in one module keeps the type a leaf.
impl FromStr for SchemaType {
    type Err = SchemaError;

    /// Confluent requires the exact upper-case name; anything else is an unknown type.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "AVRO" => Ok(SchemaType::Avro),
            "JSON" => Ok(SchemaType::Json),
            "PROTOBUF" => Ok(SchemaType::Protobuf),
            other => Err(SchemaError::UnknownType(other.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SchemaError;

    #[test]
    fn item13_an_error_at_the_whole_schema_names_the_top_level() {
        let top = SchemaError::Invalid {
            path: String::new(),
            message: "expected an object".into(),
        };
        assert_eq!(
            top.to_string(),
            "invalid schema at the top level: expected an object"
        );
        let inner = SchemaError::Invalid {
            path: "/fields/0".into(),
            message: "x".into(),
        };
        assert_eq!(inner.to_string(), "invalid schema at /fields/0: x");
    }
}
