//! Validation of a sample event given in Avro's JSON encoding: unions as `null` or
//! `{"<branch type name>": value}`, bytes and fixed as strings of code points up to
//! U+00FF, enums as symbol strings. Every violation is reported, each at its JSON
//! pointer into the event.

use serde_json::Value;

use super::model::{AvroSchema, Kind, NamedDef, Node};
use crate::pointer::escape;
use crate::schema::text::json_kind;
use crate::violation::Violation;

/// Deeper than any event a JSON parser hands us (serde_json stops at 128); bounds the
/// walk's stack if a caller builds a deeper `Value` by hand.
const MAX_DEPTH: usize = 256;

impl AvroSchema {
    /// Every violation of `event` (Avro JSON encoding) against this schema; empty when
    /// it conforms.
    pub fn validate_event(&self, event: &Value) -> Vec<Violation> {
        let mut out = Vec::new();
        self.event(&self.root, event, &mut String::new(), 0, &mut out);
        out
    }

    fn event(
        &self,
        ty: &Node,
        value: &Value,
        path: &mut String,
        depth: usize,
        out: &mut Vec<Violation>,
    ) {
        if depth > MAX_DEPTH {
            out.push(violation(
                path,
                format!("nests deeper than {MAX_DEPTH} levels"),
            ));
            return;
        }
        let mut expect = |what: &str| {
            out.push(violation(
                path,
                format!("expected {what}, found {}", json_kind(value)),
            ));
        };
        match &ty.kind {
            Kind::Null => {
                if !value.is_null() {
                    expect("null");
                }
            }
            Kind::Boolean => {
                if !value.is_boolean() {
                    expect("a boolean");
                }
            }
            Kind::Int => {
                if value.as_i64().is_none_or(|n| i32::try_from(n).is_err()) {
                    expect("an int (32-bit integer)");
                }
            }
            Kind::Long => {
                if value.as_i64().is_none() {
                    expect("a long (64-bit integer)");
                }
            }
            Kind::Float | Kind::Double => {
                if !value.is_number() {
                    expect("a number");
                }
            }
            Kind::String => {
                if !value.is_string() {
                    expect("a string");
                }
            }
            Kind::Bytes => self.bytes(value, None, path, out),
            Kind::Array(items) => match value {
                Value::Array(elements) => {
                    for (i, e) in elements.iter().enumerate() {
                        let len = path.len();
                        path.push_str(&format!("/{i}"));
                        self.event(items, e, path, depth + 1, out);
                        path.truncate(len);
                    }
                }
                _ => expect("an array"),
            },
            Kind::Map(values) => match value {
                Value::Object(entries) => {
                    for (k, v) in entries {
                        let len = path.len();
                        path.push('/');
                        path.push_str(&escape(k));
                        self.event(values, v, path, depth + 1, out);
                        path.truncate(len);
                    }
                }
                _ => expect("an object (map)"),
            },
            Kind::Union(branches) => self.union(branches, value, path, depth, out),
            Kind::Named(i) => {
                let named = self.named(*i);
                match &named.def {
                    NamedDef::Fixed { size } => self.bytes(value, Some(*size), path, out),
                    NamedDef::Enum { symbols, .. } => match value {
                        Value::String(s) if symbols.iter().any(|x| x == s) => {}
                        Value::String(s) => out.push(violation(
                            path,
                            format!(
                                "{s:?} is not a symbol of enum {} (symbols: {})",
                                named.full_name,
                                symbols.join(", ")
                            ),
                        )),
                        _ => expect(&format!("a symbol of enum {}", named.full_name)),
                    },
                    NamedDef::Record { .. } => self.record_event(*i, value, path, depth, out),
                }
            }
        }
    }

    #[inline(never)]
    fn record_event(
        &self,
        index: usize,
        value: &Value,
        path: &mut String,
        depth: usize,
        out: &mut Vec<Violation>,
    ) {
        let named = self.named(index);
        let NamedDef::Record {
            fields, by_name, ..
        } = &named.def
        else {
            return;
        };
        let Value::Object(entries) = value else {
            out.push(violation(
                path,
                format!(
                    "expected an object (record {}), found {}",
                    named.full_name,
                    json_kind(value)
                ),
            ));
            return;
        };
        for f in fields {
            let len = path.len();
            path.push('/');
            path.push_str(&escape(&f.name));
            match entries.get(&f.name) {
                Some(v) => self.event(&f.ty, v, path, depth + 1, out),
                None if f.default.is_some() => {}
                None => out.push(violation(
                    path,
                    format!(
                        "missing field {:?} of record {} (it has no default)",
                        f.name, named.full_name
                    ),
                )),
            }
            path.truncate(len);
        }
        for k in entries.keys().filter(|k| !by_name.contains_key(*k)) {
            let len = path.len();
            path.push('/');
            path.push_str(&escape(k));
            out.push(violation(
                path,
                format!("record {} has no field {k:?}", named.full_name),
            ));
            path.truncate(len);
        }
    }

    fn bytes(&self, value: &Value, size: Option<u64>, path: &str, out: &mut Vec<Violation>) {
        let Value::String(s) = value else {
            out.push(violation(
                path,
                format!(
                    "expected a string of byte values (U+0000..U+00FF), found {}",
                    json_kind(value)
                ),
            ));
            return;
        };
        if let Some(c) = s.chars().find(|c| u32::from(*c) > 0xFF) {
            out.push(violation(
                path,
                format!("{c:?} is not a byte: Avro's JSON encoding writes bytes as code points U+0000..U+00FF"),
            ));
            return;
        }
        if let Some(size) = size {
            let len = s.chars().count() as u64;
            if len != size {
                out.push(violation(
                    path,
                    format!("fixed of size {size} given {len} bytes"),
                ));
            }
        }
    }

    #[inline(never)]
    fn union(
        &self,
        branches: &[Node],
        value: &Value,
        path: &mut String,
        depth: usize,
        out: &mut Vec<Violation>,
    ) {
        let names: Vec<String> = branches.iter().map(|b| self.branch_name(b)).collect();
        if value.is_null() {
            if !branches.iter().any(|b| b.kind == Kind::Null) {
                out.push(violation(
                    path,
                    format!(
                        "null is not allowed: the union has no null branch ({})",
                        names.join(", ")
                    ),
                ));
            }
            return;
        }
        let single = match value {
            Value::Object(m) if m.len() == 1 => m.iter().next(),
            _ => None,
        };
        let Some((key, inner)) = single else {
            out.push(violation(
                path,
                format!(
                    "a union value is null or an object with one key naming the branch ({}), found {}",
                    names.join(", "),
                    json_kind(value)
                ),
            ));
            return;
        };
        match names.iter().position(|n| n == key) {
            Some(i) if branches[i].kind != Kind::Null => {
                let len = path.len();
                path.push('/');
                path.push_str(&escape(key));
                self.event(&branches[i], inner, path, depth + 1, out);
                path.truncate(len);
            }
            _ => out.push(violation(
                path,
                format!(
                    "{key:?} is not a branch of the union (branches: {})",
                    names.join(", ")
                ),
            )),
        }
    }

    /// The key Avro's JSON encoding uses for a union branch.
    fn branch_name(&self, node: &Node) -> String {
        match &node.kind {
            Kind::Array(_) => "array".to_owned(),
            Kind::Map(_) => "map".to_owned(),
            Kind::Named(i) => self.named(*i).full_name.clone(),
            other => other.primitive_name().unwrap_or("union").to_owned(),
        }
    }
}

fn violation(path: &str, message: String) -> Violation {
    Violation {
        path: path.to_owned(),
        message,
    }
}
