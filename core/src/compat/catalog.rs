//! The rule catalogue of the engines, for people: every rule id a finding can carry,
//! with its engine, severity, message, fix and what it means. The rules themselves are
//! declared once, in `avro/rules.rs`, `json/rules.rs` and `protobuf/rules.rs`; this
//! module only reads them (and declares the one rule that belongs to no engine), so
//! `schemagate explain` and the findings can never disagree.

use std::fmt;

use serde::Serialize;

use super::avro::rules::Rule as AvroRule;
use super::json::rules::Kind as JsonKind;
use super::level::Policy;
use super::protobuf::rules::Rule as ProtobufRule;
use super::report::{Finding, Severity};
use crate::schema::SchemaType;

/// Which engine reports a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// The Avro schema-resolution walk.
    Avro,
    /// The JSON Schema walk.
    Json,
    /// The Protobuf diff (Confluent's rules, and the opt-in buf-style policies).
    Protobuf,
    /// Neither: reported before either engine runs (the two schemas' types differ).
    Any,
    /// Neither: the `schemagate` CLI's own findings about files, the registry, events
    /// and the semver gate. The CLI keeps their catalogue; the core only names the kind.
    Cli,
}

impl Engine {
    /// The lower-case name shown to people.
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Avro => "avro",
            Engine::Json => "json",
            Engine::Protobuf => "protobuf",
            Engine::Any => "any",
            Engine::Cli => "cli",
        }
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One rule as the catalogue describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// The stable id findings carry (`READER_FIELD_MISSING_DEFAULT_VALUE`).
    pub id: &'static str,
    /// The engine that reports it.
    pub engine: Engine,
    /// Its severity under the STRICT policy, Confluent's default (Avro has no policy;
    /// a Protobuf rule's is the same under every policy that reports it).
    pub severity: Severity,
    /// Its severity under the LENIENT policy; differs from `severity` only for the JSON
    /// Schema changes that the lenient rule set accepts.
    pub lenient_severity: Severity,
    /// What happened, in general (a finding's own message names the parts involved).
    pub message: &'static str,
    /// The smallest change that makes it compatible; `None` for rules that never break.
    pub hint: Option<&'static str>,
    /// What the rule means for data and for the schema's owners.
    pub meaning: String,
}

/// The rule of a check between schemas of two types, which no engine can compare.
const SCHEMA_TYPE_CHANGED: &str = "SCHEMA_TYPE_CHANGED";
const SCHEMA_TYPE_CHANGED_MESSAGE: &str =
    "the schema type changed: no reader of one can read the other";
const SCHEMA_TYPE_CHANGED_HINT: &str = "register the new type under a new subject";

/// The finding for a check between an `old` and a `new` version of different schema
/// types (named old -> new whichever of them reads).
pub(crate) fn schema_type_changed(old: SchemaType, new: SchemaType) -> Finding {
    Finding::breaking(
        SCHEMA_TYPE_CHANGED,
        "",
        format!("schema type changed from {old} to {new}: no reader of one can read the other"),
        Some(SCHEMA_TYPE_CHANGED_HINT.to_owned()),
    )
}

/// Every rule: Avro's in declaration order, then JSON Schema's, then Protobuf's, then
/// the one that belongs to no engine.
pub fn rules() -> Vec<Rule> {
    let avro = AvroRule::ALL.iter().map(|&r| avro_rule(r));
    let json = JsonKind::ALL.iter().map(|&k| json_rule(k));
    let protobuf = ProtobufRule::ALL.iter().map(|&r| protobuf_rule(r));
    avro.chain(json)
        .chain(protobuf)
        .chain(std::iter::once(any_rule()))
        .collect()
}

/// The rule with this id, in any letter case (`type_mismatch` finds `TYPE_MISMATCH`).
pub fn rule(id: &str) -> Option<Rule> {
    let id = id.trim();
    if id.eq_ignore_ascii_case(SCHEMA_TYPE_CHANGED) {
        return Some(any_rule());
    }
    if let Some(&r) = AvroRule::ALL
        .iter()
        .find(|r| r.as_str().eq_ignore_ascii_case(id))
    {
        return Some(avro_rule(r));
    }
    if let Some(&r) = ProtobufRule::ALL
        .iter()
        .find(|r| r.as_str().eq_ignore_ascii_case(id))
    {
        return Some(protobuf_rule(r));
    }
    JsonKind::ALL
        .iter()
        .find(|k| k.as_str().eq_ignore_ascii_case(id))
        .map(|&k| json_rule(k))
}

fn protobuf_rule(r: ProtobufRule) -> Rule {
    Rule {
        id: r.as_str(),
        engine: Engine::Protobuf,
        severity: r.severity(),
        lenient_severity: r.severity(),
        message: r.message(),
        hint: r.hint(),
        meaning: r.meaning(),
    }
}

fn avro_rule(r: AvroRule) -> Rule {
    Rule {
        id: r.as_str(),
        engine: Engine::Avro,
        severity: r.severity(),
        lenient_severity: r.severity(),
        message: r.message(),
        hint: r.hint(),
        meaning: r.meaning().to_owned(),
    }
}

fn json_rule(k: JsonKind) -> Rule {
    let verdict = match (
        k.is_compatible(Policy::Strict),
        k.is_compatible(Policy::Lenient),
    ) {
        (true, _) => "Both the STRICT and the LENIENT policy accept it.",
        (false, true) => {
            "The STRICT policy (Confluent's default) refuses it; the LENIENT policy accepts it."
        }
        (false, false) => "Both the STRICT and the LENIENT policy refuse it.",
    };
    Rule {
        id: k.as_str(),
        engine: Engine::Json,
        severity: k.severity(Policy::Strict),
        lenient_severity: k.severity(Policy::Lenient),
        message: k.message(),
        hint: k.hint(),
        meaning: format!(
            "A change type of the JSON Schema walk, which compares the old (writer) and new (reader) schemas keyword by keyword and sorts each difference into a type: Confluent's `Difference.Type` names, plus a few for what Confluent's checker does not look at. A change is compatible when the reader schema still accepts every document the writer schema accepted; each policy is Confluent's list of the types it accepts. {verdict}"
        ),
    }
}

fn any_rule() -> Rule {
    Rule {
        id: SCHEMA_TYPE_CHANGED,
        engine: Engine::Any,
        severity: Severity::Breaking,
        lenient_severity: Severity::Breaking,
        message: SCHEMA_TYPE_CHANGED_MESSAGE,
        hint: Some(SCHEMA_TYPE_CHANGED_HINT),
        meaning: "A subject's new schema is of another type (Avro, JSON Schema) than the version it is checked against. Data written with one cannot be read with the other, so every level but NONE refuses it.".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn ids_are_unique_across_engines() {
        let all = rules();
        let ids: HashSet<&str> = all.iter().map(|r| r.id).collect();
        assert_eq!(ids.len(), all.len());
        assert!(all.len() > 150, "{} rules", all.len());
    }

    #[test]
    fn every_rule_is_found_by_its_id_in_any_case() {
        for r in rules() {
            assert_eq!(rule(r.id).as_ref(), Some(&r));
            assert_eq!(rule(&r.id.to_lowercase()).as_ref(), Some(&r));
        }
        assert_eq!(rule("NO_SUCH_RULE"), None);
    }

    #[test]
    fn every_rule_has_words_breaking_ones_hints_and_policies_only_matter_for_json() {
        for r in rules() {
            assert!(!r.message.is_empty(), "{}", r.id);
            assert!(!r.meaning.is_empty(), "{}", r.id);
            if r.severity == Severity::Breaking {
                assert!(r.hint.is_some(), "{} can break but has no hint", r.id);
            }
            if r.engine != Engine::Json {
                assert_eq!(r.severity, r.lenient_severity, "{}", r.id);
            }
        }
        let open = rule("OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL").unwrap();
        assert_eq!(
            (open.severity, open.lenient_severity),
            (Severity::Breaking, Severity::Additive)
        );
    }

    #[test]
    fn the_schema_type_rule_matches_its_finding() {
        let f = schema_type_changed(SchemaType::Avro, SchemaType::Json);
        let r = rule(&f.rule).unwrap();
        assert_eq!((r.engine, r.severity), (Engine::Any, f.severity));
        assert_eq!(r.hint, f.hint.as_deref());
    }
}
