//! Protobuf counterexamples. A finding's Confluent path (`#/Order/Line/3`: message
//! names, then a field number, or a oneof's name) names the message the break is in,
//! and the field. An instance of the writer's message is built with that field set to
//! a value that is not its default (so that it is on the wire), encoded with the
//! writer's descriptor and decoded with the reader's (`prost-reflect`). It is a
//! counterexample when decoding fails, or when a field the writer set reads back
//! otherwise by number: unknown to the reader, unset, or another value. When the
//! path names no field (a oneof), every field of the message is set at once, which is
//! what shows fields merged into one oneof overwriting each other.
//!
//! The event is that message (which may be nested: Confluent's serializers write any
//! message of the file) in the canonical proto3 JSON mapping.
//!
//! Breaks that the wire does not show get no counterexample: a message removed (the
//! reader has no descriptor to decode with), a proto2 `required` field added or
//! removed (`prost-reflect` does not check presence when decoding), the package.

use std::borrow::Cow;
use std::collections::HashMap;

use prost::Message as _;
use prost_reflect::{
    DynamicMessage, FieldDescriptor, FileDescriptor, Kind, MapKey, MessageDescriptor,
    ReflectMessage, Value,
};

use super::Found;
use crate::compat::Finding;
use crate::schema::protobuf::ProtobufSchema;

/// Nesting of messages set inside the target message.
const MAX_DEPTH: usize = 8;
/// Fields set in one event when the whole message is filled.
const MAX_FIELDS: usize = 256;

/// A counterexample for `finding`, `reader` reading what `writer` wrote.
pub(super) fn find(
    writer: &ProtobufSchema,
    reader: &ProtobufSchema,
    finding: &Finding,
) -> Option<Found> {
    let path = finding.confluent_path.as_deref()?.strip_prefix("#/")?;
    let mut parts: Vec<&str> = path.split('/').collect();
    let number = parts.last().and_then(|p| p.parse::<u32>().ok());
    if number.is_some() {
        parts.pop();
    }
    // The last name is a oneof's when it names no message.
    let (w, oneof) = match message_at(writer.file(), &parts) {
        Some(m) => (m, None),
        None => {
            let (last, rest) = parts.split_last()?;
            (message_at(writer.file(), rest)?, Some(*last))
        }
    };
    let focus = Focus { number, oneof };
    let r = reader.pool().get_message_by_name(w.full_name())?;
    let mut tries: Vec<DynamicMessage> = Vec::new();
    if let Some(field) = number.and_then(|n| w.get_field(n)) {
        for variant in 0..2 {
            let mut m = DynamicMessage::new(w.clone());
            m.set_field(&field, sample(&field, variant, 0)?);
            tries.push(m);
        }
    }
    // Every field at once (a oneof keeps only the last one set, so each field of a
    // oneof is tried alone as well).
    let mut all = DynamicMessage::new(w.clone());
    for field in w.fields().take(MAX_FIELDS) {
        if let Some(v) = sample(&field, 0, 0) {
            if field.containing_oneof().is_some() {
                let mut alone = DynamicMessage::new(w.clone());
                alone.set_field(&field, v.clone());
                tries.push(alone);
            }
            let free = field
                .containing_oneof()
                .is_none_or(|o| o.fields().all(|f| !all.has_field(&f)));
            if free {
                all.set_field(&field, v);
            }
        }
    }
    tries.push(all);
    tries.into_iter().find_map(|m| check(&m, &r, &focus))
}

/// The fields a finding is about: the one numbered, or those of the named oneof (on
/// either side); every field when the path names neither.
struct Focus<'a> {
    number: Option<u32>,
    oneof: Option<&'a str>,
}

impl Focus<'_> {
    fn covers(&self, written: &FieldDescriptor, read: Option<&FieldDescriptor>) -> bool {
        let in_oneof = |f: &FieldDescriptor, name: &str| {
            f.containing_oneof().is_some_and(|o| o.name() == name)
        };
        match (self.number, self.oneof) {
            (Some(n), _) => written.number() == n,
            (None, Some(name)) => {
                in_oneof(written, name) || read.is_some_and(|r| in_oneof(r, name))
            }
            (None, None) => true,
        }
    }
}

/// The message at `names` (a top-level message, then nested ones) in `file`.
fn message_at(file: &FileDescriptor, names: &[&str]) -> Option<MessageDescriptor> {
    let (first, rest) = names.split_first()?;
    let mut m = file.messages().find(|m| m.name() == *first)?;
    for name in rest {
        let child = m.child_messages().find(|c| c.name() == *name)?;
        m = child;
    }
    Some(m)
}

/// A value of `field` that is not its default: `variant` picks another one.
fn sample(field: &FieldDescriptor, variant: usize, depth: usize) -> Option<Value> {
    if depth > MAX_DEPTH {
        return None;
    }
    if field.is_map() {
        let Kind::Message(entry) = field.kind() else {
            return None;
        };
        let key = match scalar(&entry.map_entry_key_field().kind(), variant, depth)? {
            Value::Bool(b) => MapKey::Bool(b),
            Value::I32(n) => MapKey::I32(n),
            Value::I64(n) => MapKey::I64(n),
            Value::U32(n) => MapKey::U32(n),
            Value::U64(n) => MapKey::U64(n),
            Value::String(s) => MapKey::String(s),
            _ => return None,
        };
        let value = scalar(&entry.map_entry_value_field().kind(), variant, depth)?;
        return Some(Value::Map(HashMap::from([(key, value)])));
    }
    let one = scalar(&field.kind(), variant, depth)?;
    if field.is_list() {
        let two = scalar(&field.kind(), variant + 1, depth)?;
        return Some(Value::List(vec![one, two]));
    }
    Some(one)
}

/// A value of `kind` that is not its default: negative signed numbers (whose varint
/// and zigzag encodings differ), non-zero unsigned ones, non-empty strings, ...
fn scalar(kind: &Kind, variant: usize, depth: usize) -> Option<Value> {
    let big = variant % 2 == 1;
    Some(match kind {
        Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => Value::I32(if big { 300 } else { -2 }),
        Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => Value::I64(if big { 300 } else { -2 }),
        Kind::Uint32 | Kind::Fixed32 => Value::U32(if big { 300 } else { 3 }),
        Kind::Uint64 | Kind::Fixed64 => Value::U64(if big { 300 } else { 3 }),
        Kind::Float => Value::F32(if big { 300.5 } else { 1.5 }),
        Kind::Double => Value::F64(if big { 300.5 } else { 1.5 }),
        Kind::Bool => Value::Bool(true),
        Kind::String => Value::String(if big { "yz" } else { "x" }.to_owned()),
        Kind::Bytes => Value::Bytes(if big { &b"yz"[..] } else { &b"x"[..] }.to_vec().into()),
        Kind::Enum(e) => {
            let mut values = e.values().map(|v| v.number()).filter(|n| *n != 0);
            Value::EnumNumber(
                values
                    .nth(variant % 2)
                    .or_else(|| e.values().next().map(|v| v.number()))?,
            )
        }
        Kind::Message(m) => {
            // A nested message with its first field set, so that it carries data.
            let mut inner = DynamicMessage::new(m.clone());
            if let Some(f) = m.fields().next()
                && let Some(v) = sample(&f, variant, depth + 1)
            {
                inner.set_field(&f, v);
            }
            Value::Message(inner)
        }
    })
}

/// The counterexample `written` makes when read with `reader`, if it does.
fn check(written: &DynamicMessage, reader: &MessageDescriptor, focus: &Focus<'_>) -> Option<Found> {
    let bytes = written.encode_to_vec();
    let event = serde_json::to_value(written).ok()?;
    let outcome = match DynamicMessage::decode(reader.clone(), bytes.as_slice()) {
        Err(e) => format!("the reader fails: {e}"),
        Ok(read) => format!(
            "decodes to something else: {}",
            misread(written, &read, focus)?
        ),
    };
    Some(Found {
        event,
        bytes: Some(bytes),
        outcome,
    })
}

/// The first field of the focus `written` set that `read` does not hold as written, in words.
fn misread(written: &DynamicMessage, read: &DynamicMessage, focus: &Focus<'_>) -> Option<String> {
    let rd = read.descriptor();
    for (field, value) in written.fields() {
        let n = field.number();
        let name = field.name();
        let r_field = rd.get_field(n);
        if !focus.covers(&field, r_field.as_ref()) {
            continue;
        }
        let Some(r_field) = r_field else {
            return Some(format!(
                "field {n} ({name}) is unknown to the reader, which drops it"
            ));
        };
        if !read.has_field(&r_field) {
            return Some(format!(
                "field {n} ({name}) reads as unset instead of {value:?}"
            ));
        }
        let got: Cow<'_, Value> = read.get_field(&r_field);
        if !same(value, &got) {
            return Some(format!(
                "field {n} ({name}) reads {got:?} instead of {value:?}"
            ));
        }
    }
    None
}

/// Whether two values are the same data, whatever descriptors their messages have.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Message(a), Value::Message(b)) => a.encode_to_vec() == b.encode_to_vec(),
        (Value::List(a), Value::List(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same(a, b))
        }
        (Value::Map(a), Value::Map(b)) => {
            a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}
