//! JUnit XML: one test suite per command, one test case per item; breaking findings
//! are failures and items that could not be judged are errors, as CI views expect.

use std::fmt::Write;

use crate::report::{Outcome, Status};

pub(super) fn render(outcome: &Outcome) -> String {
    let s = outcome.summary();
    let suite = format!("schemagate {}", outcome.command);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"schemagate\" tests=\"{}\" failures=\"{}\" errors=\"{}\">",
        s.total, s.failed, s.errors
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\">",
        esc(&suite),
        s.total,
        s.failed,
        s.errors
    );
    for item in &outcome.items {
        let name = match &item.file {
            Some(f) => format!("{} ({f})", item.name),
            None => item.name.clone(),
        };
        let _ = write!(
            out,
            "    <testcase classname=\"schemagate.{}\" name=\"{}\"",
            esc(outcome.command.as_str()),
            esc(&name)
        );
        let tag = match item.status {
            Status::Error => "error",
            s if s.is_failure() => "failure",
            _ => {
                out.push_str(">\n");
                // Accepted breaks and stale accepts are shown even on a passing case.
                let mut lines: Vec<String> = item.detail.iter().cloned().collect();
                for n in item.findings.iter().filter(|n| n.is_warning()) {
                    let f = &n.finding;
                    let mut line = format!("[{}] at {}: {}", f.rule, or_root(&f.path), f.message);
                    if let Some(accepted) = n.acceptance_line() {
                        line = format!("{line} ({accepted})");
                    }
                    if let Some(example) = super::example::line(n) {
                        line = format!("{line}\n  {example}");
                    }
                    lines.push(line);
                }
                if !lines.is_empty() {
                    let _ = writeln!(
                        out,
                        "      <system-out>{}: {}</system-out>",
                        item.status.label(),
                        esc(&lines.join("\n"))
                    );
                }
                out.push_str("    </testcase>\n");
                continue;
            }
        };
        out.push_str(">\n");
        let breaking: Vec<_> = item.findings.iter().filter(|n| n.fails()).collect();
        let message = match breaking.first() {
            Some(n) if breaking.len() == 1 => format!("{}: {}", n.finding.rule, n.finding.message),
            Some(_) => format!("{} breaking changes", breaking.len()),
            None => item.status.label().to_owned(),
        };
        let kind = breaking
            .first()
            .map_or("schemagate", |n| n.finding.rule.as_str());
        let _ = write!(
            out,
            "      <{tag} type=\"{}\" message=\"{}\">",
            esc(kind),
            esc(&message)
        );
        let mut body = String::new();
        for n in &item.findings {
            let f = &n.finding;
            let place = match (&n.file, n.line, n.column) {
                (Some(file), Some(line), Some(column)) => format!("{file}:{line}:{column}: "),
                (Some(file), Some(line), None) => format!("{file}:{line}: "),
                (Some(file), None, _) => format!("{file}: "),
                _ => String::new(),
            };
            let path = if f.path.is_empty() { "/" } else { &f.path };
            let _ = writeln!(body, "{place}[{}] at {path}: {}", f.rule, f.message);
            if let Some(accepted) = n.acceptance_line() {
                let _ = writeln!(body, "  {accepted}");
            }
            if let Some(h) = &f.hint {
                let _ = writeln!(body, "  fix: {h}");
            }
            if let Some(example) = super::example::line(n) {
                let _ = writeln!(body, "  {example}");
            }
        }
        out.push_str(&esc(&body));
        let _ = writeln!(out, "</{tag}>");
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// XML escaping for attributes and text; control characters XML 1.0 cannot carry
/// are dropped.
fn or_root(path: &str) -> &str {
    if path.is_empty() { "/" } else { path }
}

fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            c if (c as u32) < 0x20 && c != '\t' && c != '\r' => {}
            c => out.push(c),
        }
    }
    out
}
