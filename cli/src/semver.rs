//! The optional semver gate: when a schema declares its own version (Avro top-level
//! `version`, JSON Schema `x-version`, or the key `[semver] key` names), the declared
//! bump must be at least the one the change needs.

use std::cmp::Ordering;

use schemagate_core::pointer::escape;
use schemagate_core::{Bump, SchemaType};

use crate::report::Note;
use crate::rules::CliRule;

/// A declared version: up to three numbers; "2" is 2.0.0, pre-release tags are
/// ignored (they do not change what the contract promises).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Declared(pub u64, pub u64, pub u64);

impl std::fmt::Display for Declared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

impl Declared {
    /// Parses `1`, `1.2`, `1.2.3`, `v1.2.3`, `1.2.3-rc.1`.
    pub fn parse(text: &str) -> Option<Declared> {
        let text = text.trim().trim_start_matches(['v', 'V']);
        let core = text.split(['-', '+']).next()?;
        let mut parts = core.split('.').map(|p| p.parse::<u64>());
        let major = parts.next()?.ok()?;
        let minor = parts.next().transpose().ok()?.unwrap_or(0);
        let patch = parts.next().transpose().ok()?.unwrap_or(0);
        if parts.next().is_some() {
            return None;
        }
        Some(Declared(major, minor, patch))
    }

    /// The bump from `self` to `new`; [`Bump::None`] when `new` is not greater.
    fn bump_to(self, new: Declared) -> Bump {
        if new.0 > self.0 {
            Bump::Major
        } else if new.0 == self.0 && new.1 > self.1 {
            Bump::Minor
        } else if new.0 == self.0 && new.1 == self.1 && new.2 > self.2 {
            Bump::Patch
        } else {
            Bump::None
        }
    }

    /// The smallest version after `self` that carries `bump`.
    fn after(self, bump: Bump) -> Declared {
        match bump {
            Bump::Major => Declared(self.0.saturating_add(1), 0, 0),
            Bump::Minor => Declared(self.0, self.1.saturating_add(1), 0),
            Bump::Patch => Declared(self.0, self.1, self.2.saturating_add(1)),
            Bump::None => self,
        }
    }
}

/// The key a schema of `schema_type` declares its version under.
pub fn key_for(schema_type: SchemaType, configured: Option<&str>) -> String {
    configured.map_or_else(
        || match schema_type {
            SchemaType::Json => "x-version".to_owned(),
            _ => "version".to_owned(),
        },
        str::to_owned,
    )
}

/// The version `text` declares under `key`, as a string or a number.
pub fn declared(text: &str, key: &str) -> Option<Declared> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    match value.as_object()?.get(key)? {
        serde_json::Value::String(s) => Declared::parse(s),
        serde_json::Value::Number(n) => Declared::parse(&n.to_string()),
        _ => None,
    }
}

/// A breaking note when both texts declare a version and the declared bump is smaller
/// than `needed`; `None` when the gate does not apply or is satisfied.
pub fn gate(old_text: &str, new_text: &str, key: &str, needed: Bump) -> Option<Note> {
    let old = declared(old_text, key)?;
    let new = declared(new_text, key)?;
    let declared_bump = old.bump_to(new);
    if new >= old && declared_bump >= needed {
        return None;
    }
    let path = format!("/{}", escape(key));
    let needed_name = match needed {
        Bump::Major => "major",
        Bump::Minor => "minor",
        Bump::Patch => "patch",
        Bump::None => "no",
    };
    let message = match new.cmp(&old) {
        Ordering::Less => format!("the declared version went down from {old} to {new}"),
        _ => format!(
            "the change needs a {needed_name} version bump, but `{key}` goes from {old} to {new}"
        ),
    };
    Some(Note::error(
        CliRule::SEMVER_BUMP_TOO_SMALL,
        &path,
        message,
        Some(&format!("declare `{key}` {} or later", old.after(needed))),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_leniently() {
        assert_eq!(Declared::parse("2"), Some(Declared(2, 0, 0)));
        assert_eq!(Declared::parse("v1.2"), Some(Declared(1, 2, 0)));
        assert_eq!(Declared::parse("1.2.3-rc.1"), Some(Declared(1, 2, 3)));
        assert_eq!(Declared::parse("1.x"), None);
        assert_eq!(Declared::parse("1.2.3.4"), None);
    }

    #[test]
    fn the_gate_needs_a_big_enough_bump() {
        let v = |s: &str| format!(r#"{{"type":"record","name":"A","version":"{s}","fields":[]}}"#);
        assert!(gate(&v("1.2.0"), &v("2.0.0"), "version", Bump::Major).is_none());
        let note = gate(&v("1.2.0"), &v("1.3.0"), "version", Bump::Major).unwrap();
        assert_eq!(note.finding.rule, "SEMVER_BUMP_TOO_SMALL");
        assert_eq!(note.finding.path, "/version");
        assert!(note.finding.hint.unwrap().contains("2.0.0"), "hint");
        assert!(gate(&v("1.2.0"), &v("1.2.1"), "version", Bump::Patch).is_none());
        assert!(gate(&v("1.2.0"), &v("1.2.0"), "version", Bump::Patch).is_some());
        assert!(gate(&v("1.2.0"), &v("1.2.0"), "version", Bump::None).is_none());
        assert!(gate(&v("1.2.0"), &v("1.1.0"), "version", Bump::None).is_some());
        // Huge numbers saturate rather than overflow.
        let max = u64::MAX.to_string();
        assert!(gate(&v(&max), &v(&max), "version", Bump::Major).is_some());
        // Undeclared on either side: the gate stays out of the way.
        assert!(gate("{}", &v("1.0.0"), "version", Bump::Major).is_none());
    }
}
