//! The compatibility engine: which earlier versions a level compares against, in which
//! direction, and the one report type every renderer (server, CLI) uses.
//!
//! Each format implements one pairwise question, "can `reader` read data written with
//! `writer`?", returning findings. The seven Confluent levels are built from it here.

pub mod avro;
pub mod json;
mod report;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use report::{Direction, Finding, Report, Severity};

use crate::schema::{Model, ParsedSchema};

/// Confluent's compatibility levels.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Level {
    /// No check at all.
    None,
    /// The new schema reads data written with the latest version (Confluent's default).
    #[default]
    Backward,
    /// The new schema reads data written with every live version.
    BackwardTransitive,
    /// The latest version reads data written with the new schema.
    Forward,
    /// Every live version reads data written with the new schema.
    ForwardTransitive,
    /// Backward and forward against the latest version.
    Full,
    /// Backward and forward against every live version.
    FullTransitive,
}

impl Level {
    /// All seven levels, in Confluent's documentation order.
    pub const ALL: [Level; 7] = [
        Level::None,
        Level::Backward,
        Level::BackwardTransitive,
        Level::Forward,
        Level::ForwardTransitive,
        Level::Full,
        Level::FullTransitive,
    ];

    /// Confluent's name for the level.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::None => "NONE",
            Level::Backward => "BACKWARD",
            Level::BackwardTransitive => "BACKWARD_TRANSITIVE",
            Level::Forward => "FORWARD",
            Level::ForwardTransitive => "FORWARD_TRANSITIVE",
            Level::Full => "FULL",
            Level::FullTransitive => "FULL_TRANSITIVE",
        }
    }

    /// Whether every live version is checked, not only the latest.
    pub fn is_transitive(self) -> bool {
        matches!(
            self,
            Level::BackwardTransitive | Level::ForwardTransitive | Level::FullTransitive
        )
    }

    /// Whether the new schema must read old data.
    pub fn checks_backward(self) -> bool {
        matches!(
            self,
            Level::Backward | Level::BackwardTransitive | Level::Full | Level::FullTransitive
        )
    }

    /// Whether old schemas must read new data.
    pub fn checks_forward(self) -> bool {
        matches!(
            self,
            Level::Forward | Level::ForwardTransitive | Level::Full | Level::FullTransitive
        )
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A compatibility level name that Confluent does not define.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid compatibility level {0:?}: use one of NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE"
)]
pub struct InvalidLevel(pub String);

impl FromStr for Level {
    type Err = InvalidLevel;

    /// Accepts Confluent's names in any case (clients send them upper-case; people
    /// typing config files do not always).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Level::ALL
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| InvalidLevel(s.to_owned()))
    }
}

/// Which JSON Schema rule set decides (Avro has one rule set and ignores this).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Policy {
    /// Confluent's default rule set: drop-in fidelity.
    #[default]
    Strict,
    /// Confluent's lenient set: open-model additions and closed-model removals pass.
    Lenient,
}

impl FromStr for Policy {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "strict" => Ok(Policy::Strict),
            "lenient" => Ok(Policy::Lenient),
            other => Err(format!("invalid policy {other:?}: use strict or lenient")),
        }
    }
}

/// Options of one check beyond the level.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CheckOptions {
    /// JSON Schema rule set.
    pub policy: Policy,
}

/// Checks `new` against `history` (oldest first) under `level` with default options.
pub fn check(level: Level, new: &ParsedSchema, history: &[ParsedSchema]) -> Report {
    check_with(level, new, history, &CheckOptions::default())
}

/// Checks `new` against `history` (oldest first) under `level`.
///
/// Non-transitive levels compare with the newest entry only; transitive ones with every
/// entry, newest first, so that the first findings concern the version people know.
pub fn check_with(
    level: Level,
    new: &ParsedSchema,
    history: &[ParsedSchema],
    options: &CheckOptions,
) -> Report {
    let mut findings = Vec::new();
    let indices: Vec<usize> = match (level, history.len()) {
        (Level::None, _) | (_, 0) => Vec::new(),
        (l, n) if l.is_transitive() => (0..n).rev().collect(),
        (_, n) => vec![n - 1],
    };
    for index in indices {
        let old = &history[index];
        if level.checks_backward() {
            findings.extend(tagged(
                compare(new, old, options),
                index,
                Direction::Backward,
            ));
        }
        if level.checks_forward() {
            findings.extend(tagged(
                compare(old, new, options),
                index,
                Direction::Forward,
            ));
        }
    }
    Report::new(new.schema_type(), level, findings)
}

/// Findings of "can `reader` read what `writer` wrote", whatever the formats.
pub(crate) fn compare(
    reader: &ParsedSchema,
    writer: &ParsedSchema,
    options: &CheckOptions,
) -> Vec<Finding> {
    match (reader.model(), writer.model()) {
        (Model::Avro(r), Model::Avro(w)) => avro::compare(r, w),
        (Model::Json(r), Model::Json(w)) => json::compare(r, w, options.policy),
        _ => vec![Finding::breaking(
            "SCHEMA_TYPE_CHANGED",
            "",
            format!(
                "schema type changed from {} to {}: no reader of one can read the other",
                writer.schema_type(),
                reader.schema_type()
            ),
            Some("register the new type under a new subject".to_owned()),
        )],
    }
}

fn tagged(
    findings: Vec<Finding>,
    index: usize,
    direction: Direction,
) -> impl Iterator<Item = Finding> {
    findings.into_iter().map(move |mut f| {
        f.against = Some(index);
        f.direction = Some(direction);
        f
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_parse_from_confluent_names_in_any_case() {
        for level in Level::ALL {
            assert_eq!(level.as_str().parse::<Level>().unwrap(), level);
            assert_eq!(
                level.as_str().to_lowercase().parse::<Level>().unwrap(),
                level
            );
        }
        assert!("BACKWARDS".parse::<Level>().is_err());
        assert!("".parse::<Level>().is_err());
    }

    #[test]
    fn level_directions() {
        assert!(Level::Full.checks_backward() && Level::Full.checks_forward());
        assert!(!Level::None.checks_backward() && !Level::None.checks_forward());
        assert!(
            Level::ForwardTransitive.is_transitive() && !Level::ForwardTransitive.checks_backward()
        );
    }
}
