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
    // Each rule's catalogue entry, as `schemagate explain` prints it: code-scanning
    // dashboards show these next to every result.
    let rules: Vec<Value> = rules
        .iter()
        .map(|id| match crate::rules::any(id) {
            Some(rule) => {
                let mut descriptor = json!({
                    "id": id,
                    "name": id,
                    "shortDescription": {"text": rule.message},
                    "fullDescription": {"text": rule.meaning},
                });
                descriptor["help"] = json!({"text": match rule.hint {
                    Some(fix) => format!("Fix: {fix}. More: `schemagate explain {id}`"),
                    None => format!("Never breaks a check. More: `schemagate explain {id}`"),
                }});
                descriptor
            }
            None => json!({"id": id, "name": id, "shortDescription": {"text": id}}),
        })
        .collect();
    let mut results = Vec::new();
    for (item, note) in outcome.notes() {
        let f = &note.finding;
        let level = match f.severity {
            _ if note.is_warning() => "warning",
            Severity::Breaking => "error",
            Severity::Additive => "note",
            Severity::Cosmetic => "note",
        };
        let mut text = format!("{}: {}", item.name, f.message);
        if let Some(accepted) = note.acceptance_line() {
            text.push_str(" Accepted until ");
            text.push_str(&accepted["accepted until ".len()..]);
            text.push('.');
        }
        if let Some(h) = &f.hint {
            text.push_str(" Fix: ");
            text.push_str(h);
        }
        if let Some(example) = super::example::line(note) {
            text.push_str(" Example: ");
            text.push_str(&example);
        }
        let mut result = json!({
            "ruleId": f.rule,
            "level": level,
            "message": {"text": text},
            "properties": {"subject": item.name, "path": f.path},
        });
        if let Some(c) = &note.counterexample {
            result["properties"]["counterexample"] = crate::report::counterexample_json(c);
        }
        if let Some(a) = &note.accepted {
            result["properties"]["accepted"] = json!({"reason": a.reason, "until": a.until});
            // SARIF's own word for a finding a team has decided to live with.
            result["suppressions"] = json!([{
                "kind": "external",
                "status": "accepted",
                "justification": format!("until {}: {}", a.until, a.reason),
            }]);
        }
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
