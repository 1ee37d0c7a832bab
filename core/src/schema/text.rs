//! Turning schema text into a `serde_json::Value` under the limits: size first, then a
//! cheap depth scan, then the JSON parser (whose errors carry line and column); and
//! naming a JSON value's kind in the messages that refuse one.

use serde_json::Value;

use super::error::SchemaError;
use crate::limits::Limits;

/// What kind of JSON value `value` is, as a message says it ("a string", "null").
pub fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Parses `text` as JSON, refusing texts that break `limits` before building a value.
pub(crate) fn parse_json_text(text: &str, limits: &Limits) -> Result<Value, SchemaError> {
    if text.len() > limits.max_schema_bytes {
        return Err(SchemaError::TooLarge {
            size: text.len(),
            limit: limits.max_schema_bytes,
        });
    }
    check_depth(text, limits.max_depth)?;
    serde_json::from_str(text).map_err(|e| SchemaError::Syntax {
        line: e.line(),
        column: e.column(),
        message: strip_position(&e.to_string()),
    })
}

/// serde_json appends " at line L column C", which our message already carries.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// Scans brackets outside strings so that a 100,000-deep text is refused in linear
/// time without recursion (serde_json's own limit would also stop it, but later and
/// without saying which limit applies).
fn check_depth(text: &str, max_depth: usize) -> Result<(), SchemaError> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let (mut line, mut column) = (1usize, 0usize);
    for &b in text.as_bytes() {
        if b == b'\n' {
            line += 1;
            column = 0;
        } else {
            column += 1;
        }
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > max_depth {
                    return Err(SchemaError::TooDeep {
                        limit: max_depth,
                        line,
                        column,
                    });
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_carry_line_and_column() {
        let err =
            parse_json_text("{\n  \"type\": \"record\",\n  oops\n}", &Limits::DEFAULT).unwrap_err();
        match err {
            SchemaError::Syntax { line, column, .. } => assert_eq!((line, column), (3, 3)),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn deep_nesting_is_refused_without_recursion() {
        let text = "[".repeat(100_000) + &"]".repeat(100_000);
        let err = parse_json_text(&text, &Limits::DEFAULT).unwrap_err();
        assert!(
            matches!(
                err,
                SchemaError::TooDeep {
                    limit: 100,
                    line: 1,
                    column: 101
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn brackets_inside_strings_do_not_count() {
        let text = format!("{{\"doc\": \"{}\\\"\"}}", "[".repeat(1000));
        assert!(parse_json_text(&text, &Limits::DEFAULT).is_ok());
    }

    #[test]
    fn oversized_text_is_refused_before_parsing() {
        let limits = Limits {
            max_schema_bytes: 10,
            ..Limits::DEFAULT
        };
        let err = parse_json_text("\"0123456789abc\"", &limits).unwrap_err();
        assert_eq!(
            err,
            SchemaError::TooLarge {
                size: 15,
                limit: 10
            }
        );
    }
}
