//! Schemagate's own compatibility cases, `fixtures/compat/{avro,json}/*.json`, in the
//! shared fixture format: every case is checked and every failure is reported by file
//! and description, not only the first.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use schemagate_core::{
    Bump, CheckOptions, Level, ParsedSchema, Policy, SchemaType, bump_at, check_with,
};
use serde::Deserialize;
use serde_json::Value;

/// One case: `history` oldest first, schemas embedded as JSON values.
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

fn parse(schema_type: SchemaType, value: &Value, what: &str) -> Result<ParsedSchema, String> {
    ParsedSchema::parse(schema_type, &value.to_string(), &[])
        .map_err(|e| format!("{what} does not parse: {e}"))
}

/// Runs one case; `Err` says everything that went wrong with it.
fn run(schema_type: SchemaType, case: &Case) -> Result<(), String> {
    let history = case
        .history
        .iter()
        .enumerate()
        .map(|(i, v)| parse(schema_type, v, &format!("history[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    let new = parse(schema_type, &case.new, "new")?;
    let options = CheckOptions {
        policy: case.policy,
        ..CheckOptions::default()
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
