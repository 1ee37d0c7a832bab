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
    /// Old and new values, when they help (`5 -> 3`).
    pub(super) detail: Option<String>,
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

/// A difference at `path` with the kind's own hint.
pub(super) fn diff(path: &str, kind: Kind, detail: Option<String>) -> Diff {
    Diff {
        kind,
        path: path.to_owned(),
        detail,
        hint: None,
    }
}

/// "old -> new" for two optional JSON values.
pub(super) fn old_new(a: Option<&Value>, b: Option<&Value>) -> String {
    let show = |v: Option<&Value>| match v {
        Some(v) => short(v),
        None => "(none)".to_owned(),
    };
    format!("{} -> {}", show(a), show(b))
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
