//! One JSON document: the command, the exit code, the summary and every item.

use crate::report::Outcome;

pub(super) fn render(outcome: &Outcome) -> String {
    let mut doc = serde_json::json!({
        "command": outcome.command,
        "exit_code": outcome.exit_status().code(),
        "summary": outcome.summary(),
        "results": outcome.items,
    });
    if let Some(next) = &outcome.next {
        doc["next"] = next.as_str().into();
    }
    // Serialising plain data built above cannot fail; keep the document valid anyway.
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}
