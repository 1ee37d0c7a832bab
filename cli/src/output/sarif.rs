//! SARIF 2.1.0: one run, one rule per rule id seen, one result per finding.

use std::collections::BTreeSet;

use schemagate_core::Severity;
use serde_json::{Value, json};

use crate::report::Outcome;

pub(super) fn render(outcome: &Outcome) -> String {
    let rules: BTreeSet<&str> = outcome
        .notes()
        .map(|(_, n)| n.finding.rule.as_str())
        .collect();
    let rules: Vec<Value> = rules
        .iter()
        .map(|r| json!({"id": r, "name": r, "shortDescription": {"text": r}}))
        .collect();
    let mut results = Vec::new();
    for (item, note) in outcome.notes() {
        let f = &note.finding;
        let level = match f.severity {
            Severity::Breaking => "error",
            Severity::Additive => "note",
            Severity::Cosmetic => "note",
        };
        let mut text = format!("{}: {}", item.name, f.message);
        if let Some(h) = &f.hint {
            text.push_str(" Fix: ");
            text.push_str(h);
        }
        let mut result = json!({
            "ruleId": f.rule,
            "level": level,
            "message": {"text": text},
            "properties": {"subject": item.name, "path": f.path},
        });
        if let Some(file) = &note.file {
            let mut location = json!({"artifactLocation": {"uri": file}});
            if let Some(line) = note.line {
                location["region"] =
                    json!({"startLine": line, "startColumn": note.column.unwrap_or(1)});
            }
            result["locations"] = json!([{"physicalLocation": location}]);
        }
        results.push(result);
    }
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "schemagate",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}
