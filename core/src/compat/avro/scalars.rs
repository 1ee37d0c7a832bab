//! Scalars and logical types: promotions (int -> long and the rest), types that cannot
//! be read as each other, fixed sizes, and the logical types and custom attributes of
//! a type, which change what values mean but never how they decode.

use serde_json::Value;

use super::rules::Rule;
use super::{Checker, class, promotes};
use crate::compat::report::Finding;
use crate::pointer::escape;
use crate::schema::avro::{Node, Props};

impl Checker<'_> {
    #[inline(never)]
    pub(super) fn promoted(&mut self, r: &Node, w: &Node, path: &str, out: &mut Vec<Finding>) {
        let (wd, rd) = (self.w.describe(w), self.r.describe(r));
        let message = if self.forward() {
            format!(
                "type changed from {rd} to {wd}; readers of the old version promote {wd} to {rd}"
            )
        } else {
            format!("writer type {wd} is promoted to reader type {rd}")
        };
        let f = Rule::TYPE_PROMOTED.finding(path.to_owned(), message);
        self.add(out, f);
    }

    #[inline(never)]
    pub(super) fn mismatch(&mut self, r: &Node, w: &Node, path: &str, out: &mut Vec<Finding>) {
        let (wd, rd) = (self.w.describe(w), self.r.describe(r));
        let widens = promotes(class(self.r, r), class(self.w, w));
        let (message, hint) = if self.forward() {
            // The reader is the old version: the edit went from its type to the
            // writer's. A new field beside the old one is safe for old readers (they
            // skip it); dropping the old one is not unless the old version has a default.
            let hint = if widens {
                format!(
                    "{rd} -> {wd} widens, which readers of the old version cannot follow; keep {rd}, or add a new field of type {wd} beside it"
                )
            } else {
                format!(
                    "keep {rd}; to change a field's type add a new field of type {wd} beside it"
                )
            };
            (
                format!(
                    "type changed from {rd} to {wd}; readers of the old version cannot read {wd}"
                ),
                hint,
            )
        } else {
            let hint = if widens {
                format!(
                    "{wd} -> {rd} narrows; keep {wd}, or add a new field of the new type with a default and stop writing this one"
                )
            } else {
                format!(
                    "keep {wd}; to change a field's type add a new field with a default and stop writing the old one"
                )
            };
            (
                format!("writer type {wd} cannot be read as reader type {rd}"),
                hint,
            )
        };
        let f = Rule::TYPE_MISMATCH.finding_with_hint(path, message, Some(hint));
        self.add(out, f);
    }

    #[inline(never)]
    pub(super) fn fixed_size(
        &mut self,
        rs: u64,
        ws: u64,
        name: &str,
        out: &mut Vec<Finding>,
    ) -> bool {
        if rs == ws {
            return true;
        }
        let (message, old) = if self.forward() {
            (
                format!(
                    "fixed {name} changed size from {rs} to {ws}; readers of the old version read {rs} bytes"
                ),
                rs,
            )
        } else {
            (
                format!("fixed {name} has size {ws} in the writer but {rs} in the reader"),
                ws,
            )
        };
        let f = Rule::FIXED_SIZE_MISMATCH.finding_with_hint(
            "/size",
            message,
            Some(format!(
                "keep size {old}: fixed values carry no length, so another size cannot be read; use a new fixed type in a new field instead"
            )),
        );
        self.add(out, f);
        false
    }

    /// Logical type and custom attributes of anonymous types.
    pub(super) fn annotations(&mut self, r: &Node, w: &Node, path: &str, out: &mut Vec<Finding>) {
        if !r.props.is_empty() || !w.props.is_empty() {
            self.props(&r.props, &w.props, path, out);
        }
    }

    /// Attribute differences: logical-type ones change what values mean (additive);
    /// others are cosmetic. COMPAT: Java's resolution ignores logical types, so
    /// decimal precision or millis -> micros changes read; we flag them, never refuse.
    pub(super) fn props(&mut self, rp: &Props, wp: &Props, path: &str, out: &mut Vec<Finding>) {
        let keys: std::collections::BTreeSet<&String> = rp.keys().chain(wp.keys()).collect();
        for key in keys {
            let (a, b) = (wp.get(key), rp.get(key));
            if a == b {
                continue;
            }
            let show = |v: Option<&Value>| v.map_or_else(|| "absent".to_owned(), Value::to_string);
            let at = format!("{path}/{}", escape(key));
            let message = if self.forward() {
                format!("{key} changed: {} -> {}", show(b), show(a))
            } else {
                format!("{key} changed: writer {}, reader {}", show(a), show(b))
            };
            let f = if matches!(key.as_str(), "logicalType" | "precision" | "scale") {
                Rule::LOGICAL_TYPE_CHANGED.finding(at, message)
            } else {
                Rule::ATTRIBUTE_CHANGED.finding(at, message)
            };
            self.add(out, f);
        }
    }
}
