//! The compatibility engine: which earlier versions a level compares against, in which
//! direction, and the one report type every renderer (server, CLI) uses.
//!
//! Each format implements one pairwise question, "can `reader` read data written with
//! `writer`?", returning findings. The seven Confluent levels are built from it here.

/// Declares an engine's rule enum: one variant a rule id, `ALL` for the catalogue and
/// for tests over the whole set, and `as_str` giving the id as written. Each engine
/// calls it once, so both enums read their ids from the variant names the same way.
macro_rules! rule_enum {
    ($(#[$doc:meta])* $Enum:ident { $($name:ident),* $(,)? }) => {
        $(#[$doc])*
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub(crate) enum $Enum { $($name),* }

        impl $Enum {
            /// Every rule, for the catalogue and for tests over the whole set.
            pub(crate) const ALL: &'static [$Enum] = &[$($Enum::$name),*];

            /// The stable rule id: the variant's name (Java's or Confluent's name where
            /// the engine it follows has one).
            pub(crate) fn as_str(self) -> &'static str {
                match self { $($Enum::$name => stringify!($name)),* }
            }
        }
    };
}

pub mod avro;
pub mod catalog;
pub mod confluent;
pub mod json;
mod level;
pub mod protobuf;
mod report;

pub use level::{CheckOptions, InvalidLevel, Level, Policy, ProtobufPolicy};
pub use report::{Direction, Finding, Position, Report, Severity};

use crate::schema::{Model, ParsedSchema};

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
                compare(new, old, options, Direction::Backward),
                index,
                Direction::Backward,
            ));
        }
        if level.checks_forward() {
            findings.extend(tagged(
                compare(old, new, options, Direction::Forward),
                index,
                Direction::Forward,
            ));
        }
        // The Protobuf policies judge the edit old -> new once per version, not once
        // per direction; they point into the new schema, as a backward finding does.
        if let (Some(o), Some(n)) = (old.as_protobuf(), new.as_protobuf()) {
            findings.extend(tagged(
                protobuf::policy_findings(o, n, options.protobuf),
                index,
                Direction::Backward,
            ));
        }
    }
    Report::new(new.schema_type(), level, findings)
}

/// Findings of "can `reader` read what `writer` wrote", whatever the formats.
///
/// `direction` says which of the two is the old version (the writer under
/// `Backward`, the reader under `Forward`); the engines decide the same either way and
/// use it only to word each finding as the user's edit, old -> new.
pub(crate) fn compare(
    reader: &ParsedSchema,
    writer: &ParsedSchema,
    options: &CheckOptions,
    direction: Direction,
) -> Vec<Finding> {
    match (reader.model(), writer.model()) {
        (Model::Avro(r), Model::Avro(w)) => avro::compare(r, w, direction),
        (Model::Json(r), Model::Json(w)) => json::compare(r, w, options.policy, direction),
        (Model::Protobuf(r), Model::Protobuf(w)) => protobuf::compare(r, w, direction),
        _ => {
            let (old, new) = match direction {
                Direction::Backward => (writer, reader),
                Direction::Forward => (reader, writer),
            };
            vec![catalog::schema_type_changed(
                old.schema_type(),
                new.schema_type(),
            )]
        }
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
