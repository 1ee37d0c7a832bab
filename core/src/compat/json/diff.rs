//! One classified difference before it becomes a finding, and the small helpers every
//! keyword family uses to build one: the path it sits at and the values it shows.
//! A leaf below the walker, so that the keyword modules and the walker can both use it.

use serde_json::Value;

use super::rules::Kind;
use crate::pointer::escape;

/// One classified difference, before it becomes a [`crate::compat::Finding`].
#[derive(Clone, Debug)]
pub(super) struct Diff {
    /// The change type.
    pub(super) kind: Kind,
    /// JSON pointer into the update (reader) schema.
    pub(super) path: String,
    /// The values involved, when they help (`5 -> 3`); kept apart from the words so
    /// that a forward check (original = new) can show them old -> new.
    pub(super) detail: Option<Detail>,
    /// A hint more precise than the kind's own (naming the property, say).
    pub(super) hint: Option<String>,
}

/// Appends one JSON pointer segment; returns the length to truncate back to.
pub(super) fn push(path: &mut String, segment: &str) -> usize {
    let len = path.len();
    path.push('/');
    path.push_str(&escape(segment));
    len
}

/// The values behind a difference, by role, so that they can be shown in the order of
/// the user's edit whichever side of the walk is the old version.
#[derive(Clone, Debug)]
pub(super) enum Detail {
    /// The original's value and the update's, shown `from -> to` then `unit`.
    Change {
        /// The original's value.
        from: String,
        /// The update's value.
        to: String,
        /// Appended after both (" subschemas"), or empty.
        unit: &'static str,
    },
    /// What the difference concerns (a property, a tuple item, a `$ref`), the same
    /// whichever side is old.
    Subject(String),
    /// Enum values only the original allows, and only the update allows (each a
    /// short list, empty when there are none).
    Values {
        /// Values only in the original.
        original: String,
        /// Values only in the update.
        update: String,
    },
    /// How many of the original's subschemas found a compatible counterpart.
    Matched {
        /// Matched subschemas.
        matched: usize,
        /// The original's subschemas.
        of: usize,
    },
}

impl Detail {
    /// `from -> to` with no unit.
    pub(super) fn change(from: impl Into<String>, to: impl Into<String>) -> Self {
        Detail::Change {
            from: from.into(),
            to: to.into(),
            unit: "",
        }
    }

    /// The words shown in a message; `original_is_old` is true for a backward check
    /// (the original is the old version), false for a forward one (the update is).
    pub(super) fn render(&self, original_is_old: bool) -> String {
        match self {
            Detail::Change { from, to, unit } if original_is_old => {
                format!("{from} -> {to}{unit}")
            }
            Detail::Change { from, to, unit } => format!("{to} -> {from}{unit}"),
            Detail::Subject(s) => s.clone(),
            Detail::Values { original, update } => {
                let (removed, added) = if original_is_old {
                    (original, update)
                } else {
                    (update, original)
                };
                let mut parts = Vec::new();
                if !removed.is_empty() {
                    parts.push(format!("removed {removed}"));
                }
                if !added.is_empty() {
                    parts.push(format!("added {added}"));
                }
                parts.join("; ")
            }
            Detail::Matched { matched, of } if original_is_old => {
                format!("{matched} of {of} old subschemas have a compatible counterpart")
            }
            Detail::Matched { matched, of } => format!(
                "{matched} of {of} new subschemas have a counterpart in the old version that accepts them"
            ),
        }
    }
}

/// A difference at `path` with the kind's own hint.
pub(super) fn diff(path: &str, kind: Kind, detail: Option<Detail>) -> Diff {
    Diff {
        kind,
        path: path.to_owned(),
        detail,
        hint: None,
    }
}

/// The original's and the update's values, two optional JSON values.
pub(super) fn old_new(a: Option<&Value>, b: Option<&Value>) -> Detail {
    let show = |v: Option<&Value>| match v {
        Some(v) => short(v),
        None => "(none)".to_owned(),
    };
    Detail::change(show(a), show(b))
}

/// A value for a message, cut short when long.
pub(super) fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 80 {
        let cut: String = s.chars().take(77).collect();
        format!("{cut}...")
    } else {
        s
    }
}
