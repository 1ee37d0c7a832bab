//! The CLI's own rules: the findings it reports about files, the registry, data
//! contracts, event fixtures and the semver gate, beside the engines' rules that the
//! core catalogues.
//! Each id is written once, here, with its words; a finding is made from the rule
//! ([`crate::report::Note::error`] takes a [`CliRule`]), so every id the CLI can emit is
//! one `schemagate explain` knows.

use schemagate_core::Severity;
use schemagate_core::compat::catalog::{Engine, Rule};

/// Declares [`CliRule`] from `ID { [severity,] message, hint, meaning }` entries: the
/// variant's name is the id, so it cannot be spelled two ways. A rule is breaking unless
/// its entry names another severity.
macro_rules! cli_rules {
    (@severity) => { Severity::Breaking };
    (@severity $severity:ident) => { Severity::$severity };
    ($($id:ident {
        $(severity: $severity:ident,)?
        message: $message:literal,
        hint: $hint:literal,
        meaning: $meaning:literal $(,)?
    })*) => {
        /// One rule the CLI reports itself; all but the informational ones are breaking.
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum CliRule {
            $(#[doc = $message] $id,)*
        }

        impl CliRule {
            /// Every rule, in declaration order.
            pub const ALL: &'static [CliRule] = &[$(CliRule::$id),*];

            /// The id findings carry.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(CliRule::$id => stringify!($id),)*
                }
            }

            /// How much its findings matter.
            pub fn severity(self) -> Severity {
                match self {
                    $(CliRule::$id => cli_rules!(@severity $($severity)?),)*
                }
            }

            /// The rule in the shape of the core catalogue's entries.
            pub fn entry(self) -> Rule {
                let (message, hint, meaning) = match self {
                    $(CliRule::$id => ($message, $hint, $meaning),)*
                };
                Rule {
                    id: self.as_str(),
                    engine: Engine::Cli,
                    severity: self.severity(),
                    lenient_severity: self.severity(),
                    message,
                    hint: Some(hint),
                    meaning: meaning.to_owned(),
                }
            }
        }
    };
}

cli_rules! {
    FILE_MISSING {
        message: "a mapped schema file does not exist",
        hint: "create the file, or correct its `file` or `glob` in schemagate.toml",
        meaning: "schemagate.toml maps a subject to a file that is not there (in the working tree, or in the revision checked against). Nothing can be checked or registered for that subject.",
    }
    FILE_UNREADABLE {
        message: "a schema, reference or event file could not be read",
        hint: "check the file's permissions and that it is UTF-8 text",
        meaning: "The file exists but reading it failed (permissions, not UTF-8, git could not show it at the revision). What it holds is unknown, so it is judged as an error rather than passed.",
    }
    FILE_UNWRITABLE {
        message: "`schemagate pull` could not write a schema or data contract file",
        hint: "check that the directory is writable and the path is not a directory",
        meaning: "The registry answered, but the schema it returned, or its data contract, could not be written to the mapped file or its `.contract.json` sidecar, so the working tree does not hold what the registry does.",
    }
    REFERENCE_MISSING {
        message: "a reference named in schemagate.toml cannot be found",
        hint: "add `file = \"...\"` to the reference in schemagate.toml, or check against a registry that has the referenced subject",
        meaning: "A schema refers to another by name, and schemagate.toml says where that one is: a file that does not exist, or a registry subject that an offline check cannot fetch. Without the referenced text the schema cannot be parsed.",
    }
    SCHEMA_SYNTAX {
        message: "a schema file is not well-formed JSON",
        hint: "fix the JSON at the line and column shown",
        meaning: "The file cannot be read as JSON at all, so it is no schema. The finding is placed at the line and column the JSON parser stopped at.",
    }
    SCHEMA_TOO_DEEP {
        message: "a schema nests deeper than the parser's limit",
        hint: "flatten the schema: so deep a nesting is almost certainly unintended",
        meaning: "The JSON nests past the limit every Schemagate parser keeps (so that no schema can exhaust the stack). The registry would refuse it the same way.",
    }
    SCHEMA_INVALID {
        message: "a schema file is JSON but not a valid schema",
        hint: "fix the value at the JSON pointer shown (the message says what was expected)",
        meaning: "The text is JSON, but not a schema its language accepts: an Avro type with no name, a JSON Schema keyword with a value of the wrong kind, and the like. The registry would refuse it with error 42201.",
    }
    SCHEMA_UNRESOLVED_REFERENCE {
        message: "a schema uses a name or $ref that nothing defines",
        hint: "map the file that defines it under `references` of this subject in schemagate.toml",
        meaning: "A named type or `$ref` points at a definition that is neither in the schema nor in the references schemagate.toml gives it. The registry would refuse it the same way.",
    }
    CONTRACT_INVALID {
        message: "a data contract file is not a contract the registry would accept",
        hint: "fix the value at the JSON pointer shown: a sidecar holds {\"metadata\": ..., \"ruleSet\": ...} in Confluent's JSON",
        meaning: "A schema's sidecar (`<schema file>.contract.json`) is not JSON, has a key Confluent's contract does not have (a misspelling would silently drop that part), has a value of the wrong kind, or holds a rule set the registry would refuse with error 42210 (a rule without a name or type, a duplicate name, a mode outside its phase, two actions where only one direction runs). Nothing is sent for the subject.",
    }
    CONTRACT_CONFLICT {
        message: "a subject's data contract is declared both in schemagate.toml and in a sidecar file",
        hint: "keep one: delete the sidecar file, or remove `metadata` and `ruleSet` from the [[subjects]] entry",
        meaning: "A contract lives in one place: the subject's `[[subjects]]` entry (`metadata` and `ruleSet` tables) or the `<schema file>.contract.json` next to the schema. With both, which one is meant cannot be known, so neither is sent.",
    }
    CONTRACT_CHANGED {
        severity: Additive,
        message: "the data contract differs from the registry's latest version",
        hint: "nothing to fix when the change is meant: `schemagate register` publishes it as a new version",
        meaning: "The metadata or rule set the registry would store for this schema (the declared contract, with the subject's default and override contracts merged in, as the registry merges them) is not the latest version's. The schema may be the same, but a contract is part of a version's identity: registering makes a new version and id. It is no compatibility finding and never fails a check; `confluent:version`, which the registry keeps itself, is not compared.",
    }
    REGISTRY_ERROR {
        message: "the registry could not be asked or refused the request",
        hint: "check the registry URL, the credentials and that the subject exists",
        meaning: "The registry was unreachable, refused the credentials, or answered with an error other than an incompatibility. Nothing is known about the subject, so it is judged as an error.",
    }
    REGISTRY_INCOMPATIBLE {
        message: "the registry judged the schema incompatible",
        hint: "fix the incompatibility the registry names, or change the subject's compatibility level on purpose",
        meaning: "For a schema type this CLI does not check itself (or when asked to let the registry judge), the registry's own verdict is reported: each message it gave is one finding.",
    }
    REGISTRY_DISAGREES {
        severity: Additive,
        message: "the registry's compatibility verdict is not schemagate's",
        hint: "read both: the registry may be another implementation; `schemagate explain` the engine's rules to see which is right, and report a bug to the one that is wrong",
        meaning: "An online check asks the registry's compatibility endpoint (POST /compatibility/subjects/{subject}/versions?verbose=true) for its verdict as well, when the level judged is the one the registry holds. When one says compatible and the other breaking, this note says so plainly. The check's verdict is still the local engine's (it never fails by this note); a registry that refuses what the engine passes will refuse `register` too.",
    }
    FIXTURES_MISSING {
        message: "an event fixture's pattern matches no file",
        hint: "correct the fixture's `files` pattern in schemagate.toml, or add the events",
        meaning: "A `[[fixtures]]` entry names event files that do not exist, so the schema is tested against nothing; that is reported rather than passed.",
    }
    EVENT_SYNTAX {
        message: "an event file is not JSON",
        hint: "fix the JSON at the line and column shown",
        meaning: "An example event (a file, or one line of a .jsonl/.ndjson file) cannot be read as JSON, so it cannot be validated against the schema.",
    }
    EVENT_VIOLATION {
        message: "an example event does not conform to its schema",
        hint: "fix the event, or the schema if the event is right",
        meaning: "A fixture of valid events holds one that the subject's schema rejects: a producer writing it would be refused, or a consumer would misread it.",
    }
    EVENT_UNEXPECTEDLY_VALID {
        message: "a negative example event conforms to its schema",
        hint: "tighten the schema, or move the event to a fixture of valid events",
        meaning: "A fixture marked `valid = false` holds an event the schema accepts: the schema no longer rejects what it was meant to.",
    }
    ACCEPT_EXPIRED {
        message: "an [[accept]] entry of schemagate.toml is past its `until` date",
        hint: "fix the break it accepted, or, if it is still meant, raise `until` (and say why in `reason`)",
        meaning: "An `[[accept]]` entry accepts one known break (a subject, a rule id, a JSON pointer) until a date. After that date it accepts nothing: the break fails the check again, and this finding says which entry expired. Dates are compared with today's UTC date.",
    }
    ACCEPT_STALE {
        severity: Additive,
        message: "an [[accept]] entry of schemagate.toml matches no finding",
        hint: "delete the entry: the break it accepted is gone (or its subject, rule or path is misspelt)",
        meaning: "An `[[accept]]` entry whose subject was checked, but no breaking finding of that rule at that path was reported: the break was fixed, or the entry does not say what the finding says. It never fails a check; it is reported so that accepts do not pile up and later hide a new break at the same place.",
    }
    SEMVER_BUMP_TOO_SMALL {
        message: "the schema's declared version bump is smaller than its change needs",
        hint: "raise the declared version by at least the bump the change needs",
        meaning: "With the semver gate on, a schema that declares its own version (Avro `version`, JSON Schema `x-version`, or the `[semver] key`) must raise it by at least what the change implies: major for a breaking change, minor for an additive one, patch for a cosmetic one. A version that goes down is refused too.",
    }
}

/// Every CLI rule, as catalogue entries.
pub fn rules() -> Vec<Rule> {
    CliRule::ALL.iter().map(|r| r.entry()).collect()
}

/// The CLI rule with this id, in any letter case.
pub fn rule(id: &str) -> Option<Rule> {
    let id = id.trim();
    CliRule::ALL
        .iter()
        .find(|r| r.as_str().eq_ignore_ascii_case(id))
        .map(|r| r.entry())
}

/// Any rule a finding can carry: the engines' (core's catalogue), else the CLI's own.
pub fn any(id: &str) -> Option<Rule> {
    schemagate_core::compat::catalog::rule(id).or_else(|| rule(id))
}

#[cfg(test)]
mod tests {
    use schemagate_core::compat::catalog;

    use super::*;

    #[test]
    fn ids_are_unique_and_clash_with_no_engine_rule() {
        let mut ids: Vec<&str> = CliRule::ALL.iter().map(|r| r.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), CliRule::ALL.len());
        for id in ids {
            assert_eq!(catalog::rule(id), None, "{id} is an engine's rule too");
            assert_eq!(rule(&id.to_lowercase()).map(|r| r.id), Some(id));
        }
    }
}
