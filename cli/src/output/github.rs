//! GitHub Actions workflow commands: `::error file=..,line=..,title=RULE::message`
//! for every breaking finding (notices for the others), then a plain summary line.

use std::fmt::Write;

use schemagate_core::Severity;

use crate::report::{Outcome, Status};

pub(super) fn render(outcome: &Outcome) -> String {
    let mut out = String::new();
    for item in &outcome.items {
        for note in &item.findings {
            let f = &note.finding;
            let command = match f.severity {
                _ if note.is_warning() => "warning",
                Severity::Breaking => "error",
                Severity::Additive | Severity::Cosmetic => "notice",
            };
            let mut props = Vec::new();
            if let Some(file) = &note.file {
                props.push(format!("file={}", escape_property(file)));
                if let Some(line) = note.line {
                    props.push(format!("line={line}"));
                    if let Some(col) = note.column {
                        props.push(format!("col={col}"));
                    }
                }
            }
            props.push(format!(
                "title={}",
                escape_property(&format!("{} ({})", f.rule, item.name))
            ));
            let path = if f.path.is_empty() { "/" } else { &f.path };
            let mut message = format!("{}: {} at {path}: {}", item.name, f.rule, f.message);
            if let Some(with) = &note.compared_with {
                let _ = write!(message, " (against {with})");
            }
            if let Some(accepted) = note.acceptance_line() {
                let _ = write!(
                    message,
                    "\nAccepted until {}",
                    &accepted["accepted until ".len()..]
                );
            }
            if let Some(h) = &f.hint {
                let _ = write!(message, "\nFix: {h}");
            }
            if let Some(example) = super::example::line(note) {
                let _ = write!(message, "\nExample: {example}");
            }
            let _ = writeln!(
                out,
                "::{command} {}::{}",
                props.join(","),
                escape_data(&message)
            );
        }
        if item.status == Status::Error && item.findings.is_empty() {
            let _ = writeln!(out, "::error title=schemagate::{}", escape_data(&item.name));
        }
    }
    let s = outcome.summary();
    let _ = writeln!(
        out,
        "schemagate {}: {} checked, {} failed, {} errors, {} breaking findings",
        outcome.command, s.total, s.failed, s.errors, s.breaking_findings
    );
    if s.accepted > 0 {
        out.insert_str(out.len() - 1, &format!(", {} accepted", s.accepted));
    }
    out
}

/// Escaping of a workflow command's message (GitHub's `escapeData`).
pub(super) fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping of a workflow command's property value (GitHub's `escapeProperty`).
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}
