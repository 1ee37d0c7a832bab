//! Field defaults checked against their types as Java's `Schema.isValidDefault` does,
//! since Confluent refuses exactly what Java refuses.

use serde_json::Value;

use super::model::{Field, Kind, Named, NamedDef, Node};
use crate::limits::Limits;
use crate::pointer::escape;
use crate::schema::error::SchemaError;
use crate::schema::text::json_kind;

/// Refuses a field whose `default` cannot be a value of its type.
pub(super) fn check_field_default(
    named: &[Named],
    record: &str,
    field: &Field,
    default: &Value,
    limits: &Limits,
) -> Result<(), SchemaError> {
    let checker = Checker { named, limits };
    let at = format!("{}/default", field.path);
    checker
        .check(&field.ty, Some(default), &at, 0)
        .map_err(|(path, why)| {
            SchemaError::invalid(
                path,
                format!(
                    "default of field {:?} in {record} is not a valid {}: {why}",
                    field.name,
                    describe(named, &field.ty)
                ),
            )
        })
}

struct Checker<'a> {
    named: &'a [Named],
    limits: &'a Limits,
}

impl Checker<'_> {
    /// `Err((pointer, reason))` at the first mismatch.
    fn check(
        &self,
        ty: &Node,
        value: Option<&Value>,
        path: &str,
        depth: usize,
    ) -> Result<(), (String, String)> {
        // A record default may take its fields' own defaults, and a recursive record's
        // field default may contain the record again: bound the walk like the text.
        if depth > self.limits.max_depth {
            return Err((
                path.to_owned(),
                format!("nests deeper than {} levels", self.limits.max_depth),
            ));
        }
        let Some(value) = value else {
            return Err((
                path.to_owned(),
                "a value is missing and has no default".to_owned(),
            ));
        };
        let mismatch = |expected: &str| {
            Err((
                path.to_owned(),
                format!("expected {expected}, found {}", json_kind(value)),
            ))
        };
        match &ty.kind {
            Kind::Null => match value {
                Value::Null => Ok(()),
                _ => mismatch("null"),
            },
            Kind::Boolean => match value {
                Value::Bool(_) => Ok(()),
                _ => mismatch("a boolean"),
            },
            Kind::Int => match value.as_i64() {
                Some(n) if i32::try_from(n).is_ok() => Ok(()),
                _ => mismatch("a 32-bit integer"),
            },
            Kind::Long => match value.as_i64() {
                Some(_) => Ok(()),
                None => mismatch("a 64-bit integer"),
            },
            Kind::Float | Kind::Double => match value {
                Value::Number(_) => Ok(()),
                // Java's JSON encoding writes non-finite numbers as these strings.
                Value::String(s) if matches!(s.as_str(), "NaN" | "Infinity" | "-Infinity") => {
                    Ok(())
                }
                _ => mismatch("a number"),
            },
            Kind::Bytes | Kind::String => match value {
                Value::String(_) => Ok(()),
                _ => mismatch("a string"),
            },
            Kind::Array(items) => match value {
                Value::Array(elements) => {
                    for (i, e) in elements.iter().enumerate() {
                        self.check(items, Some(e), &format!("{path}/{i}"), depth + 1)?;
                    }
                    Ok(())
                }
                _ => mismatch("an array"),
            },
            Kind::Map(values) => match value {
                Value::Object(entries) => {
                    for (k, v) in entries {
                        self.check(values, Some(v), &format!("{path}/{}", escape(k)), depth + 1)?;
                    }
                    Ok(())
                }
                _ => mismatch("an object"),
            },
            // The specification and Java agree: a union's default is a value of its
            // first branch, which is why nullable fields are written ["null", T].
            Kind::Union(branches) => match branches.first() {
                Some(first) => self.check(first, Some(value), path, depth + 1).map_err(|(p, why)| {
                    (
                        p,
                        format!(
                            "{why} (a union's default must be a value of its first branch, {}; reorder the branches to put the default's type first)",
                            describe(self.named, first)
                        ),
                    )
                }),
                None => Err((path.to_owned(), "an empty union has no values".to_owned())),
            },
            Kind::Named(i) => match &self.named[*i].def {
                // COMPAT: Java accepts any string for enum and fixed defaults (its
                // isValidDefault checks only that the default is textual); the
                // specification asks for a symbol / exactly `size` bytes. Confluent
                // registers what Java accepts.
                NamedDef::Enum { .. } | NamedDef::Fixed { .. } => match value {
                    Value::String(_) => Ok(()),
                    _ => mismatch("a string"),
                },
                NamedDef::Record { fields, .. } => match value {
                    Value::Object(entries) => {
                        for f in fields {
                            let v = entries.get(&f.name).or(f.default.as_ref());
                            self.check(
                                &f.ty,
                                v,
                                &format!("{path}/{}", escape(&f.name)),
                                depth + 1,
                            )?;
                        }
                        Ok(())
                    }
                    _ => mismatch("an object"),
                },
            },
        }
    }
}

fn describe(named: &[Named], node: &Node) -> String {
    match &node.kind {
        Kind::Array(_) => "array".to_owned(),
        Kind::Map(_) => "map".to_owned(),
        Kind::Union(_) => "union".to_owned(),
        Kind::Named(i) => named[*i].full_name.clone(),
        other => other.primitive_name().unwrap_or("?").to_owned(),
    }
}
