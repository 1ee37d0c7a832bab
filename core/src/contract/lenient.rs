//! Reading contract fields as Jackson reads them into Confluent's entities: `null` for
//! a collection is an empty one, and a number or boolean where a string is expected is
//! its text. A `null` inside a collection is refused: Java would keep it and fail later
//! while hashing, where we can say which field it was.

use std::collections::{BTreeMap, BTreeSet};

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::schema::json_kind;

/// A scalar as Jackson coerces it to a `String`.
fn scalar_text<E: serde::de::Error>(value: Value, what: &str) -> Result<String, E> {
    match value {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Null => Err(E::custom(format!("{what} is null; give a string"))),
        other => Err(E::custom(format!(
            "{what} must be a string, found {}",
            json_kind(&other)
        ))),
    }
}

/// An optional string that may also arrive as a number or boolean.
pub(super) fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        other => scalar_text(other, "the value").map(Some),
    }
}

/// A map of strings; `null` is empty.
pub(super) fn string_map<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, String>, D::Error> {
    match Option::<BTreeMap<String, Value>>::deserialize(d)? {
        None => Ok(BTreeMap::new()),
        Some(map) => map
            .into_iter()
            .map(|(k, v)| {
                let text = scalar_text(v, &format!("the value of {k:?}"))?;
                Ok((k, text))
            })
            .collect(),
    }
}

/// A set of strings; `null` is empty.
pub(super) fn string_set<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeSet<String>, D::Error> {
    match Option::<Vec<Value>>::deserialize(d)? {
        None => Ok(BTreeSet::new()),
        Some(items) => items
            .into_iter()
            .map(|v| scalar_text(v, "an entry"))
            .collect(),
    }
}

/// A map of string sets; `null` is empty, and so is a `null` set.
pub(super) fn string_set_map<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, BTreeSet<String>>, D::Error> {
    match Option::<BTreeMap<String, Option<Vec<Value>>>>::deserialize(d)? {
        None => Ok(BTreeMap::new()),
        Some(map) => map
            .into_iter()
            .map(|(k, values)| {
                let set = values
                    .unwrap_or_default()
                    .into_iter()
                    .map(|v| scalar_text(v, &format!("an entry of {k:?}")))
                    .collect::<Result<BTreeSet<_>, _>>()?;
                Ok((k, set))
            })
            .collect(),
    }
}

/// A boolean that may be `null` (false).
pub(super) fn null_false<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(false),
        Value::Bool(b) => Ok(b),
        // Jackson reads "true"/"false" text into a boolean too.
        Value::String(s) if s == "true" || s == "false" => Ok(s == "true"),
        other => Err(D::Error::custom(format!(
            "disabled must be a boolean, found {}",
            json_kind(&other)
        ))),
    }
}
