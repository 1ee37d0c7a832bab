//! Schemagate's own JSON Schema compatibility cases (`fixtures/compat/json/*.json`, the
//! shared fixture format): every case is checked and every failure is reported by its
//! description, not only the first.

use std::path::PathBuf;

use schemagate_core::{
    Bump, CheckOptions, Level, ParsedSchema, Policy, SchemaType, bump_at, check_with,
};
use serde_json::Value;

fn fixtures_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/compat/json"
    ))
}

fn parse(value: &Value, what: &str) -> Result<ParsedSchema, String> {
    ParsedSchema::parse(SchemaType::Json, &value.to_string(), &[])
        .map_err(|e| format!("{what} does not parse: {e}"))
}

/// Runs one case; `Err` says what went wrong.
fn run(case: &Value) -> Result<(), String> {
    let level: Level = case["level"]
        .as_str()
        .unwrap_or("BACKWARD")
        .parse()
        .map_err(|e| format!("{e}"))?;
    let policy: Policy = case["policy"].as_str().unwrap_or("strict").parse()?;
    let options = CheckOptions { policy };
    let history = case["history"]
        .as_array()
        .ok_or("history must be an array")?
        .iter()
        .enumerate()
        .map(|(i, v)| parse(v, &format!("history[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    let new = parse(&case["new"], "new")?;
    let expected = case["compatible"].as_bool().ok_or("compatible missing")?;
    let report = check_with(level, &new, &history, &options);
    let mut problems = Vec::new();
    if report.compatible != expected {
        problems.push(format!(
            "expected compatible={expected}, got {}",
            report.compatible
        ));
    }
    for rule in case["rules"].as_array().into_iter().flatten() {
        let rule = rule.as_str().unwrap_or_default();
        if !report.findings.iter().any(|f| f.rule == rule) {
            problems.push(format!("rule {rule} not reported"));
        }
    }
    if let Some(want) = case["bump"].as_str() {
        let last = history.last().ok_or("bump needs a history")?;
        let got = bump_at(level, last, &new, &options);
        let want = match want {
            "none" => Bump::None,
            "patch" => Bump::Patch,
            "minor" => Bump::Minor,
            "major" => Bump::Major,
            other => return Err(format!("unknown bump {other:?}")),
        };
        if got != want {
            problems.push(format!("expected bump {want:?}, got {got:?}"));
        }
    }
    // Every finding must be usable by a person: a rule id, a pointer and a message.
    for f in &report.findings {
        if f.rule.is_empty()
            || f.message.is_empty()
            || !(f.path.is_empty() || f.path.starts_with('/'))
        {
            problems.push(format!("malformed finding {f:?}"));
        }
        if f.is_breaking() && f.hint.is_none() {
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

#[test]
fn every_fixture_case_holds() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .expect("fixtures/compat/json exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut total = 0;
    let mut failures = Vec::new();
    for file in &files {
        let name = file
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let text = std::fs::read_to_string(file).expect("readable fixture");
        let cases: Vec<Value> = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{name} is not a JSON array of cases: {e}"));
        for case in &cases {
            total += 1;
            let description = case["description"].as_str().unwrap_or("(no description)");
            if let Err(problem) = run(case) {
                failures.push(format!("[{name}] {description}: {problem}"));
            }
        }
    }
    eprintln!(
        "JSON fixtures: {} of {total} cases hold",
        total - failures.len()
    );
    assert!(total >= 60, "only {total} JSON fixture cases");
    assert!(
        failures.is_empty(),
        "{} failing case(s):\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}
