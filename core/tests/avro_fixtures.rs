//! Runs every Avro compatibility case in `fixtures/compat/avro/` and reports every
//! failing case by description, not only the first.

use std::path::Path;

use schemagate_core::{Bump, CheckOptions, Level, ParsedSchema, SchemaType, bump_at, check};
use serde::Deserialize;
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/compat/avro");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    description: String,
    level: Level,
    history: Vec<Value>,
    new: Value,
    compatible: bool,
    #[serde(default)]
    rules: Vec<String>,
    #[serde(default)]
    bump: Option<Bump>,
}

fn parse(value: &Value) -> Result<ParsedSchema, String> {
    let text = serde_json::to_string(value).map_err(|e| e.to_string())?;
    ParsedSchema::parse(SchemaType::Avro, &text, &[]).map_err(|e| e.to_string())
}

fn load() -> Vec<(String, Case)> {
    let mut files: Vec<_> = std::fs::read_dir(FIXTURES)
        .expect("fixtures/compat/avro exists")
        .map(|e| e.expect("readable directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("readable fixture");
        let value: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display()));
        let list = match value {
            Value::Array(items) => items,
            single => vec![single],
        };
        let file = Path::new(&path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for item in list {
            let case: Case = serde_json::from_value(item)
                .unwrap_or_else(|e| panic!("{file}: malformed case: {e}"));
            cases.push((file.clone(), case));
        }
    }
    cases
}

fn run(case: &Case) -> Result<(), String> {
    let history = case
        .history
        .iter()
        .map(parse)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("history does not parse: {e}"))?;
    let new = parse(&case.new).map_err(|e| format!("new does not parse: {e}"))?;
    let report = check(case.level, &new, &history);
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
    for f in report.breaking() {
        if f.hint.as_deref().is_none_or(str::is_empty) {
            problems.push(format!("breaking finding {} has no hint", f.rule));
        }
    }
    if let (Some(expected), Some(old)) = (case.bump, history.last()) {
        let got = bump_at(case.level, old, &new, &CheckOptions::default());
        if got != expected {
            problems.push(format!("expected bump {expected:?}, got {got:?}"));
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

#[test]
fn every_avro_fixture_case_holds() {
    let cases = load();
    assert!(cases.len() >= 80, "only {} fixture cases", cases.len());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(file, case)| {
            run(case)
                .err()
                .map(|why| format!("{file}: {} [{}]: {why}", case.description, case.level))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n  {}",
        failures.len(),
        cases.len(),
        failures.join("\n  ")
    );
}

#[test]
fn fixtures_cover_every_level_and_rule() {
    let cases = load();
    for level in Level::ALL {
        assert!(
            cases.iter().any(|(_, c)| c.level == level),
            "no case at {level}"
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
            "no case expects {rule}"
        );
    }
}
