//! JSON laid out the way people write schemas by hand: the keys in the order the text
//! has them (serde_json's `Value` would sort them, and Avro readers expect `type` and
//! `name` first), and an object or array on one line when it fits, so that a field
//! reads `{"name": "sku", "type": "string"}` rather than four lines.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// How wide a line may grow before a value is broken over several lines.
const WIDTH: usize = 100;
/// One level of indentation.
const INDENT: &str = "  ";

/// `text` laid out for people, ending with a newline; `None` when it is not JSON.
pub fn pretty(text: &str) -> Option<String> {
    let node: Node = serde_json::from_str(text).ok()?;
    let mut out = String::with_capacity(text.len() * 2);
    node.write(&mut out, 0, 0);
    out.push('\n');
    Some(out)
}

/// A JSON value with its object keys in text order.
enum Node {
    /// A string, number, boolean or null, already as JSON text.
    Scalar(String),
    Array(Vec<Node>),
    Object(Vec<(String, Node)>),
}

impl Node {
    /// The value on one line: `{"a": 1, "b": [true]}`.
    fn compact(&self) -> String {
        match self {
            Node::Scalar(text) => text.clone(),
            Node::Array(items) => {
                let items: Vec<String> = items.iter().map(Node::compact).collect();
                format!("[{}]", items.join(", "))
            }
            Node::Object(entries) => {
                let entries: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| format!("{}: {}", quote(k), v.compact()))
                    .collect();
                format!("{{{}}}", entries.join(", "))
            }
        }
    }

    /// Writes the value at `depth`, `column` characters into the current line: on
    /// that line when it fits, else one member a line.
    fn write(&self, out: &mut String, depth: usize, column: usize) {
        let compact = self.compact();
        if matches!(self, Node::Scalar(_)) || column + compact.len() <= WIDTH {
            out.push_str(&compact);
            return;
        }
        let inner = INDENT.repeat(depth + 1);
        let (open, close) = match self {
            Node::Array(_) => ('[', ']'),
            _ => ('{', '}'),
        };
        out.push(open);
        let members: Vec<(Option<&str>, &Node)> = match self {
            Node::Array(items) => items.iter().map(|v| (None, v)).collect(),
            Node::Object(entries) => entries.iter().map(|(k, v)| (Some(k.as_str()), v)).collect(),
            Node::Scalar(_) => Vec::new(),
        };
        for (i, (key, value)) in members.iter().enumerate() {
            out.push('\n');
            out.push_str(&inner);
            let mut column = inner.len();
            if let Some(key) = key {
                let key = format!("{}: ", quote(key));
                column += key.len();
                out.push_str(&key);
            }
            value.write(out, depth + 1, column);
            if i + 1 < members.len() {
                out.push(',');
            }
        }
        out.push('\n');
        out.push_str(&INDENT.repeat(depth));
        out.push(close);
    }
}

/// A string as JSON text.
fn quote(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Node, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JSON")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Scalar(serde_json::Value::from(v).to_string()))
    }
    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Scalar(quote(v)))
    }
    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Scalar("null".to_owned()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, Node>()? {
            entries.push((key, value));
        }
        Ok(Node::Object(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::pretty;

    #[test]
    fn short_values_stay_on_one_line_and_keys_keep_their_order() {
        let text = r#"{"type":"record","name":"A","doc":"a, {b}: [c]","fields":[{"name":"x","type":"int"},{"name":"tags","type":{"type":"array","items":"string"},"default":[]}],"e":{},"f":[]}"#;
        let shown = pretty(text).unwrap();
        assert_eq!(
            shown,
            r#"{
  "type": "record",
  "name": "A",
  "doc": "a, {b}: [c]",
  "fields": [
    {"name": "x", "type": "int"},
    {"name": "tags", "type": {"type": "array", "items": "string"}, "default": []}
  ],
  "e": {},
  "f": []
}
"#
        );
        let back: serde_json::Value = serde_json::from_str(&shown).unwrap();
        assert_eq!(
            back,
            serde_json::from_str::<serde_json::Value>(text).unwrap()
        );
        assert_eq!(pretty(r#""string""#).unwrap(), "\"string\"\n");
        assert_eq!(pretty("1.5").unwrap(), "1.5\n");
        assert!(pretty("{").is_none());
    }

    #[test]
    fn long_values_break_one_member_a_line() {
        let symbols: Vec<String> = (0..30).map(|i| format!("\"SYMBOL_{i}\"")).collect();
        let text = format!(
            r#"{{"type":"enum","name":"E","symbols":[{}]}}"#,
            symbols.join(",")
        );
        let shown = pretty(&text).unwrap();
        assert!(
            shown.contains("\"symbols\": [\n    \"SYMBOL_0\",\n"),
            "{shown}"
        );
        assert!(shown.lines().all(|l| l.len() <= 100), "{shown}");
    }
}
