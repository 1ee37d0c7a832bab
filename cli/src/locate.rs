//! From a JSON pointer to the line it names in the file's text, so findings and
//! violations point at a line a person (and GitHub's annotations) can open.
//!
//! A tolerant scanner over the bytes rather than a parse into a value: values forget
//! their positions, and the texts it reads were already accepted by a real parser.
//! [`Counterparts`] places a pointer into an old version in the new version's text;
//! [`proto_counterpart`] does the same for a Protobuf finding, from Confluent's path
//! (a `.proto` text is no JSON, and its findings carry their own positions).

use std::collections::HashMap;

use schemagate_core::pointer::counterpart;
use serde_json::Value;

use schemagate_core::pointer::unescape;

/// 1-based line and column of the value `pointer` designates in `text`, if it exists.
/// An array step that is not a number picks the element whose `"name"` equals it, so
/// `/fields/coupon` finds the Avro field named `coupon`.
pub fn locate(text: &str, pointer: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut pos = skip_ws(bytes, 0);
    if pos >= bytes.len() {
        return None;
    }
    if !pointer.is_empty() {
        let rest = pointer.strip_prefix('/')?;
        for token in rest.split('/') {
            pos = step(bytes, pos, &unescape(token))?;
        }
    }
    Some(line_col(bytes, pos))
}

/// Line and column in a Protobuf schema's text of the element Confluent's path names
/// (`#/Order/3`: message names, nested ones after their parent, then a field or enum
/// value number): the deepest element of the path the schema still has, so a finding
/// about a field the new version removed lands on its message. `None` for other
/// schemas, a schema read from a descriptor, or a path that names nothing here.
pub fn proto_counterpart(
    schema: &schemagate_core::ParsedSchema,
    confluent_path: Option<&str>,
) -> Option<(usize, usize)> {
    let proto = schema.as_protobuf()?;
    if !proto.from_text() {
        return None;
    }
    let segments = confluent_path?.strip_prefix("#/")?.split('/');
    let file = proto.file();
    let mut message: Option<prost_reflect::MessageDescriptor> = None;
    let mut enumeration: Option<prost_reflect::EnumDescriptor> = None;
    let mut best: Option<Vec<i32>> = None;
    for segment in segments.filter(|s| !s.is_empty()) {
        if let Ok(number) = segment.parse::<i32>() {
            let path = match (&message, &enumeration) {
                (Some(m), _) => u32::try_from(number)
                    .ok()
                    .and_then(|n| m.get_field(n))
                    .map(|f| f.path().to_vec()),
                (None, Some(e)) => e.get_value(number).map(|v| v.path().to_vec()),
                (None, None) => None,
            };
            best = path.or(best);
            break;
        }
        let child = match &message {
            None => file.messages().find(|m| m.name() == segment),
            Some(m) => m.child_messages().find(|c| c.name() == segment),
        };
        if let Some(child) = child {
            best = Some(child.path().to_vec());
            message = Some(child);
            continue;
        }
        let child = match &message {
            None => file.enums().find(|e| e.name() == segment),
            Some(m) => m.child_enums().find(|e| e.name() == segment),
        };
        match child {
            Some(e) => {
                best = Some(e.path().to_vec());
                message = None;
                enumeration = Some(e);
            }
            None => break,
        }
    }
    proto.position(&best?)
}

/// Places pointers into earlier versions of one schema in its new text, parsing each
/// text once however many findings point into it.
pub struct Counterparts<'a> {
    new_text: &'a str,
    /// The new text's value; `None` when it is not JSON (then nothing is placed).
    new: Option<Value>,
    /// Earlier versions' values by history index.
    olds: HashMap<usize, Option<Value>>,
}

impl<'a> Counterparts<'a> {
    /// For the new version's text.
    pub fn new(new_text: &'a str) -> Self {
        Counterparts {
            new_text,
            new: serde_json::from_str(new_text).ok(),
            olds: HashMap::new(),
        }
    }

    /// Line and column in the new text of the place corresponding to `pointer` in
    /// `old_text` (history entry `index`): the same field by name or alias, the same
    /// symbol, the same key; the parent where the new version has no counterpart.
    pub fn locate(
        &mut self,
        index: usize,
        old_text: &str,
        pointer: &str,
    ) -> Option<(usize, usize)> {
        let new = self.new.as_ref()?;
        let old = self
            .olds
            .entry(index)
            .or_insert_with(|| serde_json::from_str(old_text).ok())
            .as_ref()?;
        locate(self.new_text, &counterpart(old, new, pointer))
    }
}

fn line_col(bytes: &[u8], pos: usize) -> (usize, usize) {
    let before = &bytes[..pos];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    (
        line,
        String::from_utf8_lossy(&before[start..]).chars().count() + 1,
    )
}

fn skip_ws(bytes: &[u8], mut pos: usize) -> usize {
    while pos < bytes.len() && bytes[pos].is_ascii_whitespace() {
        pos += 1;
    }
    pos
}

/// From the value at `pos`, to the start of its child `token`.
fn step(bytes: &[u8], pos: usize, token: &str) -> Option<usize> {
    match bytes.get(pos)? {
        b'{' => members(bytes, pos)?
            .into_iter()
            .find(|(key, _)| key == token)
            .map(|(_, value)| value),
        b'[' => {
            let elements = elements(bytes, pos)?;
            match token.parse::<usize>() {
                Ok(i) => elements.get(i).copied(),
                Err(_) => elements.into_iter().find(|&e| {
                    bytes.get(e) == Some(&b'{')
                        && members(bytes, e).is_some_and(|m| {
                            m.iter().any(|(k, v)| {
                                k == "name" && string_at(bytes, *v).as_deref() == Some(token)
                            })
                        })
                }),
            }
        }
        _ => None,
    }
}

/// Keys and value positions of the object at `pos`.
fn members(bytes: &[u8], pos: usize) -> Option<Vec<(String, usize)>> {
    let mut out = Vec::new();
    let mut p = skip_ws(bytes, pos + 1);
    if bytes.get(p) == Some(&b'}') {
        return Some(out);
    }
    loop {
        let key = string_at(bytes, p)?;
        p = skip_ws(bytes, skip_value(bytes, p)?);
        if bytes.get(p) != Some(&b':') {
            return None;
        }
        let value = skip_ws(bytes, p + 1);
        out.push((key, value));
        p = skip_ws(bytes, skip_value(bytes, value)?);
        match bytes.get(p)? {
            b',' => p = skip_ws(bytes, p + 1),
            b'}' => return Some(out),
            _ => return None,
        }
    }
}

/// Positions of the elements of the array at `pos`.
fn elements(bytes: &[u8], pos: usize) -> Option<Vec<usize>> {
    let mut out = Vec::new();
    let mut p = skip_ws(bytes, pos + 1);
    if bytes.get(p) == Some(&b']') {
        return Some(out);
    }
    loop {
        out.push(p);
        p = skip_ws(bytes, skip_value(bytes, p)?);
        match bytes.get(p)? {
            b',' => p = skip_ws(bytes, p + 1),
            b']' => return Some(out),
            _ => return None,
        }
    }
}

/// The decoded string starting at `pos`.
fn string_at(bytes: &[u8], pos: usize) -> Option<String> {
    if bytes.get(pos) != Some(&b'"') {
        return None;
    }
    let end = skip_value(bytes, pos)?;
    serde_json::from_slice(&bytes[pos..end]).ok()
}

/// The position just past the value at `pos`. Iterative, so deep nesting costs no
/// stack.
fn skip_value(bytes: &[u8], pos: usize) -> Option<usize> {
    let mut p = pos;
    let mut depth = 0usize;
    loop {
        match *bytes.get(p)? {
            b'"' => {
                p += 1;
                loop {
                    match *bytes.get(p)? {
                        b'\\' => p += 2,
                        b'"' => break,
                        _ => p += 1,
                    }
                }
                p += 1;
            }
            b'{' | b'[' => {
                depth += 1;
                p += 1;
            }
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                p += 1;
            }
            _ if depth == 0 => {
                // A scalar: runs to the next delimiter.
                while p < bytes.len()
                    && !matches!(bytes[p], b',' | b'}' | b']' | b':')
                    && !bytes[p].is_ascii_whitespace()
                {
                    p += 1;
                }
                return Some(p);
            }
            _ => p += 1,
        }
        if depth == 0 {
            return Some(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AVRO: &str = r#"{
  "type": "record",
  "name": "Order",
  "fields": [
    {"name": "id", "type": "string"},
    {
      "name": "total",
      "type": "double"
    }
  ]
}"#;

    #[test]
    fn pointers_find_their_lines() {
        assert_eq!(locate(AVRO, ""), Some((1, 1)));
        assert_eq!(locate(AVRO, "/name"), Some((3, 11)));
        assert_eq!(locate(AVRO, "/fields/0"), Some((5, 5)));
        assert_eq!(locate(AVRO, "/fields/1/type"), Some((8, 15)));
        assert_eq!(locate(AVRO, "/fields/total/type"), Some((8, 15)));
        assert_eq!(locate(AVRO, "/fields/2"), None);
        assert_eq!(locate(AVRO, "/nope"), None);
        assert_eq!(locate(AVRO, "name"), None);
    }

    #[test]
    fn escapes_in_keys_and_strings() {
        let text = "{\"a/b\": 1,\n \"q\\\"\": {\"x\": [true, \"]\", 3]}}";
        assert_eq!(locate(text, "/a~1b"), Some((1, 9)));
        assert_eq!(locate(text, "/q\"/x/2"), Some((2, 27)));
    }

    #[test]
    fn old_pointers_land_on_the_new_fields_or_their_parent() {
        let old = r#"{"type": "record", "name": "Order", "fields": [
  {"name": "carrier", "type": "string"},
  {"name": "total", "type": "float"}
]}"#;
        let mut c = Counterparts::new(AVRO);
        // total moved from index 1 to 1, carrier is gone: its parent, `fields`.
        assert_eq!(c.locate(0, old, "/fields/1/type"), Some((8, 15)));
        assert_eq!(c.locate(0, old, "/fields/0"), Some((4, 13)));
        assert_eq!(Counterparts::new("not json").locate(0, old, ""), None);
    }

    #[test]
    fn broken_text_gives_none_not_a_panic() {
        for text in [
            "",
            "{",
            "{\"a\": [1, 2",
            "[\"unterminated",
            "}}}",
            "{\"a\" 1}",
        ] {
            let _ = locate(text, "/a/1");
            let _ = locate(text, "/0");
        }
    }
}
