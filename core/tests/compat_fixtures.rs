//! Schemagate's own compatibility cases, `fixtures/compat/{avro,json,protobuf}/*.json`,
//! in the shared fixture format: every case is checked and every failure is reported by
//! file and description, not only the first.
//!
//! Avro and JSON Schema cases embed schemas as JSON values; Protobuf cases embed the
//! `.proto` text as a JSON string, may share `references` (import path -> `.proto` text)
//! between all schemas of a case, and choose the rule set with `protobuf_policy`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use schemagate_core::{
    Bump, CheckOptions, Level, ParsedSchema, Policy, ProtobufPolicy, Reference, SchemaType,
    bump_at, check_with,
};
use serde::Deserialize;
use serde_json::Value;

/// One case: `history` oldest first, schemas embedded as JSON values (Protobuf: strings
/// holding `.proto` text).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    description: String,
    #[serde(default)]
    level: Level,
    #[serde(default)]
    policy: Policy,
    history: Vec<Value>,
    new: Value,
    compatible: bool,
    #[serde(default)]
    rules: Vec<String>,
    /// Rule id -> the JSON pointer one of its findings must sit at.
    #[serde(default)]
    paths: BTreeMap<String, String>,
    #[serde(default)]
    bump: Option<Bump>,
    /// Protobuf only: import path -> `.proto` text, given to every schema of the case.
    #[serde(default)]
    references: BTreeMap<String, String>,
    /// Protobuf only: which rule set decides ("confluent", "wire-json", "file").
    #[serde(default)]
    protobuf_policy: ProtobufPolicy,
    /// Protobuf only: rule id -> Confluent's `Difference` path (`#/Msg/3`) one of its
    /// findings must carry in `confluent_path`.
    #[serde(default)]
    confluent_paths: BTreeMap<String, String>,
}

fn fixtures_dir(format: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/compat")
        .join(format)
}

/// Every case of one format's directory, with the file it came from.
fn load(format: &str) -> Vec<(String, Case)> {
    let dir = fixtures_dir(format);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{} is readable: {e}", dir.display()))
        .map(|e| e.expect("readable directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for path in files {
        let file = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(&path).expect("readable fixture");
        let list: Vec<Case> = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{format}/{file} is not an array of cases: {e}"));
        cases.extend(list.into_iter().map(|c| (format!("{format}/{file}"), c)));
    }
    cases
}

/// Parses one embedded schema: Protobuf text comes as a JSON string, the other formats
/// as the JSON value itself.
fn parse(
    schema_type: SchemaType,
    value: &Value,
    references: &[Reference],
    what: &str,
) -> Result<ParsedSchema, String> {
    let text = match (schema_type, value) {
        (SchemaType::Protobuf, Value::String(text)) => text.clone(),
        (SchemaType::Protobuf, other) => {
            return Err(format!(
                "{what} must be a string of .proto text, not {other}"
            ));
        }
        (_, value) => value.to_string(),
    };
    ParsedSchema::parse(schema_type, &text, references)
        .map_err(|e| format!("{what} does not parse: {e}"))
}

/// The case's references in the form the parser takes.
fn references(case: &Case) -> Vec<Reference> {
    case.references
        .iter()
        .map(|(name, text)| Reference::new(name.clone(), text.clone()))
        .collect()
}

/// Parses every schema of a case: the history oldest first, then the new schema.
fn parse_case(
    schema_type: SchemaType,
    case: &Case,
) -> Result<(Vec<ParsedSchema>, ParsedSchema), String> {
    let refs = references(case);
    let history = case
        .history
        .iter()
        .enumerate()
        .map(|(i, v)| parse(schema_type, v, &refs, &format!("history[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    let new = parse(schema_type, &case.new, &refs, "new")?;
    Ok((history, new))
}

/// Runs one case; `Err` says everything that went wrong with it.
fn run(schema_type: SchemaType, case: &Case) -> Result<(), String> {
    let (history, new) = parse_case(schema_type, case)?;
    let options = CheckOptions {
        policy: case.policy,
        protobuf: case.protobuf_policy,
    };
    let report = check_with(case.level, &new, &history, &options);
    let mut problems = Vec::new();
    if report.compatible != case.compatible {
        problems.push(format!(
            "expected compatible={}, got {}",
            case.compatible, report.compatible
        ));
    }
    for rule in &case.rules {
        if !report.findings.iter().any(|f| &f.rule == rule) {
            problems.push(format!("rule {rule} not reported"));
        }
    }
    for (rule, path) in &case.paths {
        if !report
            .findings
            .iter()
            .any(|f| &f.rule == rule && &f.path == path)
        {
            problems.push(format!("rule {rule} not reported at {path:?}"));
        }
    }
    for (rule, path) in &case.confluent_paths {
        if !report
            .findings
            .iter()
            .any(|f| &f.rule == rule && f.confluent_path.as_deref() == Some(path.as_str()))
        {
            problems.push(format!(
                "rule {rule} not reported at Confluent path {path:?}"
            ));
        }
    }
    if let Some(expected) = case.bump {
        let old = history.last().ok_or("bump needs a history")?;
        let got = bump_at(case.level, old, &new, &options);
        if got != expected {
            problems.push(format!("expected bump {expected:?}, got {got:?}"));
        }
    }
    // Every finding must be usable by a person: a rule id, a pointer, a message, and a
    // hint when it blocks.
    for f in &report.findings {
        if f.rule.is_empty()
            || f.message.is_empty()
            || !(f.path.is_empty() || f.path.starts_with('/'))
        {
            problems.push(format!("malformed finding {f:?}"));
        }
        if f.is_breaking() && f.hint.as_deref().is_none_or(str::is_empty) {
            problems.push(format!("breaking finding {} has no hint", f.rule));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}\n      {}",
            problems.join("; "),
            report.render_text().replace('\n', "\n      ")
        ))
    }
}

/// Runs every case of a format and fails once, listing every failing case.
fn run_all(format: &str, schema_type: SchemaType, at_least: usize) -> Vec<(String, Case)> {
    let cases = load(format);
    assert!(
        cases.len() >= at_least,
        "only {} {format} fixture cases",
        cases.len()
    );
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(file, case)| {
            run(schema_type, case)
                .err()
                .map(|why| format!("{file}: {} [{}]: {why}", case.description, case.level))
        })
        .collect();
    eprintln!(
        "{format} fixtures: {} of {} cases hold",
        cases.len() - failures.len(),
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n  {}",
        failures.len(),
        cases.len(),
        failures.join("\n  ")
    );
    cases
}

#[test]
fn every_avro_case_holds_and_the_cases_cover_every_level_and_rule() {
    let cases = run_all("avro", SchemaType::Avro, 80);
    for level in Level::ALL {
        assert!(
            cases.iter().any(|(_, c)| c.level == level),
            "no Avro case at {level}"
        );
    }
    for rule in [
        "NAME_MISMATCH",
        "FIXED_SIZE_MISMATCH",
        "MISSING_ENUM_SYMBOLS",
        "READER_FIELD_MISSING_DEFAULT_VALUE",
        "TYPE_MISMATCH",
        "MISSING_UNION_BRANCH",
    ] {
        assert!(
            cases.iter().any(|(_, c)| c.rules.iter().any(|r| r == rule)),
            "no Avro case expects {rule}"
        );
    }
}

#[test]
fn every_json_case_holds_and_the_cases_cover_both_policies() {
    let cases = run_all("json", SchemaType::Json, 60);
    for policy in [Policy::Strict, Policy::Lenient] {
        assert!(
            cases.iter().any(|(_, c)| c.policy == policy),
            "no JSON case under {policy:?}"
        );
    }
}

/// Every Confluent `Difference.Type`, the rule ids the Protobuf engine reports.
const CONFLUENT_PROTOBUF_RULES: [&str; 26] = [
    "MESSAGE_ADDED",
    "MESSAGE_MOVED",
    "ENUM_ADDED",
    "ENUM_REMOVED",
    "ENUM_CONST_ADDED",
    "ENUM_CONST_CHANGED",
    "ENUM_CONST_REMOVED",
    "FIELD_ADDED",
    "FIELD_REMOVED",
    "FIELD_NAME_CHANGED",
    "FIELD_STRING_OR_BYTES_LABEL_CHANGED",
    "ONEOF_ADDED",
    "ONEOF_REMOVED",
    "ONEOF_FIELD_ADDED",
    "ONEOF_FIELD_MOVED_TO_TOP_LEVEL",
    "PACKAGE_CHANGED",
    "MESSAGE_REMOVED",
    "FIELD_KIND_CHANGED",
    "FIELD_SCALAR_KIND_CHANGED",
    "FIELD_NAMED_TYPE_CHANGED",
    "FIELD_NUMERIC_LABEL_CHANGED",
    "REQUIRED_FIELD_ADDED",
    "REQUIRED_FIELD_REMOVED",
    "ONEOF_FIELD_REMOVED",
    "MULTIPLE_FIELDS_MOVED_TO_ONEOF",
    "FIELD_MOVED_TO_EXISTING_ONEOF",
];

/// The opt-in policies' rule ids the cases must exercise, with the policy that adds them.
const POLICY_PROTOBUF_RULES: [(&str, ProtobufPolicy); 12] = [
    ("FIELD_SAME_NAME", ProtobufPolicy::WireJson),
    ("FIELD_SAME_JSON_NAME", ProtobufPolicy::WireJson),
    ("ENUM_VALUE_SAME_NAME", ProtobufPolicy::WireJson),
    (
        "FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED",
        ProtobufPolicy::WireJson,
    ),
    (
        "FIELD_NO_DELETE_UNLESS_NAME_RESERVED",
        ProtobufPolicy::WireJson,
    ),
    (
        "ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED",
        ProtobufPolicy::WireJson,
    ),
    ("RESERVED_NUMBER_REUSED", ProtobufPolicy::WireJson),
    ("FILE_SAME_PACKAGE", ProtobufPolicy::File),
    ("MESSAGE_NO_DELETE", ProtobufPolicy::File),
    ("FIELD_NO_DELETE", ProtobufPolicy::File),
    ("FIELD_SAME_TYPE", ProtobufPolicy::File),
    ("FILE_SAME_JAVA_PACKAGE", ProtobufPolicy::File),
];

/// Parses every schema of every Protobuf case (with the case's references). This holds
/// whatever state the compatibility engine is in, so a fixture typo shows up at once.
#[test]
fn every_protobuf_fixture_schema_parses() {
    let cases = load("protobuf");
    assert!(
        cases.len() >= 60,
        "only {} protobuf fixture cases",
        cases.len()
    );
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(file, case)| {
            parse_case(SchemaType::Protobuf, case)
                .err()
                .map(|why| format!("{file}: {}: {why}", case.description))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} protobuf cases have a schema that does not parse:\n  {}",
        failures.len(),
        cases.len(),
        failures.join("\n  ")
    );
}

/// The Protobuf cases cover every level, every rule set, every Confluent rule id and the
/// policies' main rule ids. Static, so it holds before the engine does.
#[test]
fn the_protobuf_cases_cover_every_level_policy_and_rule() {
    let cases = load("protobuf");
    for level in Level::ALL {
        assert!(
            cases.iter().any(|(_, c)| c.level == level),
            "no Protobuf case at {level}"
        );
    }
    for policy in [
        ProtobufPolicy::Confluent,
        ProtobufPolicy::WireJson,
        ProtobufPolicy::File,
    ] {
        let n = cases
            .iter()
            .filter(|(_, c)| c.protobuf_policy == policy)
            .count();
        assert!(n >= 4, "only {n} Protobuf cases under {}", policy.as_str());
    }
    for rule in CONFLUENT_PROTOBUF_RULES {
        assert!(
            cases.iter().any(|(_, c)| {
                c.protobuf_policy == ProtobufPolicy::Confluent && c.rules.iter().any(|r| r == rule)
            }),
            "no Protobuf case under the confluent policy expects {rule}"
        );
    }
    for (rule, policy) in POLICY_PROTOBUF_RULES {
        assert!(
            cases
                .iter()
                .any(|(_, c)| c.protobuf_policy == policy && c.rules.iter().any(|r| r == rule)),
            "no Protobuf case under {} expects {rule}",
            policy.as_str()
        );
    }
    // Both verdicts occur, so that an engine answering always one way cannot pass.
    for verdict in [true, false] {
        assert!(
            cases.iter().any(|(_, c)| c.compatible == verdict),
            "no Protobuf case with compatible={verdict}"
        );
    }
}

/// Every Protobuf case holds: verdicts, rule ids and Confluent paths as Confluent's
/// `SchemaDiff` (or the opt-in policy) decides. Fails until the Protobuf engine lands.
#[test]
fn every_protobuf_case_holds() {
    run_all("protobuf", SchemaType::Protobuf, 60);
}
