//! Confluent's own JSON Schema compatibility examples (`shared/conformance/json-schema`),
//! each run as a BACKWARD check under the STRICT policy: `original_schema` is the
//! registered version (the writer), `update_schema` the candidate (the reader), which is
//! how Confluent's `JsonSchema.isBackwardCompatible` calls `SchemaDiff.compare(previous,
//! this)`. Every `compatible` verdict must agree, and every change type Confluent lists
//! must be among our findings at the same place.

use std::path::PathBuf;

use schemagate_core::{Level, ParsedSchema, SchemaType, check};
use serde_json::Value;

/// Cases whose verdict Schemagate deliberately does not share, with the reason.
/// (Empty: every verdict agrees.)
const VERDICT_DEVIATIONS: &[(&str, &str)] = &[];

/// Listed change types we report under a different name or not at all, with the
/// reason. (Empty: every listed change is reported at its pointer.)
const CHANGE_DEVIATIONS: &[(&str, &str, &str)] = &[];

#[path = "support/shared.rs"]
mod shared;

/// Whether this runs in CI, where skipping for missing data is a failure. CI runners set
/// `CI` (this project's runs `.ci/run` with `CI=true`); `CI=false` or `CI=0` counts as
/// unset.
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// Confluent's files carry trailing commas; drop those that precede `]` or `}`
/// (outside strings) so that a strict JSON parser reads them.
fn strip_trailing_commas(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    for (i, &b) in bytes.iter().enumerate() {
        let c = b as char;
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            out.push(c);
            continue;
        }
        if c == '"' {
            in_string = true;
        }
        if c == ',' {
            let next = bytes[i + 1..].iter().find(|b| !b.is_ascii_whitespace());
            if matches!(next, Some(b']') | Some(b'}')) {
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// "TYPE_CHANGED #/properties/foo" -> ("TYPE_CHANGED", "/properties/foo").
fn split_change(change: &str) -> (String, String) {
    let (rule, path) = change.split_once(' ').unwrap_or((change, "#/"));
    let path = path.trim().trim_start_matches('#');
    let path = if path == "/" { "" } else { path };
    (rule.to_owned(), path.to_owned())
}

#[test]
fn agrees_with_every_confluent_verdict() {
    let dir = shared::conformance("json-schema");
    if !dir.is_dir() {
        // In CI the data must be there (CI lays shared/ beside the clone): a missing
        // directory means a broken path or copy, and passing then would hide that the
        // conformance suite did not run. Locally, a checkout without shared/ may skip,
        // loudly.
        assert!(
            !in_ci(),
            "CI is set but the JSON conformance data is missing: {} (set SCHEMAGATE_SHARED_DIR)",
            dir.display()
        );
        eprintln!(
            "\n*** SKIPPED JSON conformance: {} not found (set SCHEMAGATE_SHARED_DIR; with CI=true this fails) ***\n",
            dir.display()
        );
        return;
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("conformance dir readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut total = 0;
    let mut agreed = 0;
    let mut verdict_failures = Vec::new();
    let mut change_failures = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable");
        let cases: Vec<Value> =
            serde_json::from_str(&strip_trailing_commas(&text)).expect("conformance JSON");
        for case in cases {
            total += 1;
            let description = case["description"].as_str().unwrap_or("?").to_owned();
            let parse = |key: &str| {
                ParsedSchema::parse(SchemaType::Json, &case[key].to_string(), &[])
                    .unwrap_or_else(|e| panic!("{description}: {key} does not parse: {e}"))
            };
            let old = parse("original_schema");
            let new = parse("update_schema");
            let expected = case["compatible"].as_bool().expect("compatible flag");
            let report = check(Level::Backward, &new, &[old]);
            let deviation = VERDICT_DEVIATIONS.iter().find(|(d, _)| *d == description);
            if report.compatible == expected || deviation.is_some() {
                agreed += usize::from(report.compatible == expected);
            } else {
                verdict_failures.push(format!(
                    "{} [{}]: expected compatible={expected}, got {}\n    {}",
                    description,
                    file.file_name().unwrap_or_default().to_string_lossy(),
                    report.compatible,
                    report.render_text().replace('\n', "\n    ")
                ));
            }
            for change in case["changes"].as_array().into_iter().flatten() {
                let change = change.as_str().unwrap_or_default();
                let (rule, path) = split_change(change);
                let found = report
                    .findings
                    .iter()
                    .any(|f| f.rule == rule && f.path == path);
                let excused = CHANGE_DEVIATIONS
                    .iter()
                    .any(|(d, c, _)| *d == description && *c == change);
                if !found && !excused {
                    change_failures.push(format!(
                        "{description}: missing {change}; got [{}]",
                        report
                            .findings
                            .iter()
                            .map(|f| format!("{} {}", f.rule, f.path))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
            }
        }
    }
    eprintln!("JSON conformance: {agreed}/{total} verdicts agree");
    assert!(total > 0, "no conformance cases found in {}", dir.display());
    assert!(
        verdict_failures.is_empty() && change_failures.is_empty(),
        "{} verdict disagreement(s):\n{}\n\n{} missing change type(s):\n{}",
        verdict_failures.len(),
        verdict_failures.join("\n"),
        change_failures.len(),
        change_failures.join("\n")
    );
}
