//! Which semantic-version bump a schema change implies (COMPAT.md, "Semver"):
//! breaking under the level -> major; compatible but additive -> minor; only cosmetic
//! differences (docs, order, titles) -> patch; identical canonical forms -> none.

use serde::{Deserialize, Serialize};

use crate::compat::{CheckOptions, Direction, Level, Severity, check_with, compare};
use crate::schema::ParsedSchema;

/// The smallest semver bump that honestly describes a change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    /// Same canonical schema.
    None,
    /// Only cosmetic differences.
    Patch,
    /// Compatible under the level, but readers may now see different data.
    Minor,
    /// Breaking under the level.
    Major,
}

/// The bump from `old` to `new` under Confluent's default level, BACKWARD.
pub fn bump(old: &ParsedSchema, new: &ParsedSchema) -> Bump {
    bump_at(Level::Backward, old, new, &CheckOptions::default())
}

/// The bump from `old` to `new` under `level`.
pub fn bump_at(
    level: Level,
    old: &ParsedSchema,
    new: &ParsedSchema,
    options: &CheckOptions,
) -> Bump {
    if old.fingerprint() == new.fingerprint() {
        return Bump::None;
    }
    if !check_with(level, new, std::slice::from_ref(old), options).compatible {
        return Bump::Major;
    }
    // Under NONE or a one-way level, a change the level ignores is still a change of
    // contract: look both ways for anything beyond cosmetics.
    let both_ways = compare(new, old, options, Direction::Backward)
        .into_iter()
        .chain(compare(old, new, options, Direction::Forward));
    if both_ways
        .into_iter()
        .any(|f| f.severity != Severity::Cosmetic)
    {
        Bump::Minor
    } else {
        Bump::Patch
    }
}
