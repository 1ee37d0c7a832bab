//! Text for people: one block per item, each finding at `file:line`, then a summary.

use std::fmt::Write;

use schemagate_core::Severity;

use crate::exit::ExitStatus;
use crate::report::{Item, Outcome, Status, plural};

struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
    fn red(&self, t: &str) -> String {
        self.wrap("1;31", t)
    }
    fn green(&self, t: &str) -> String {
        self.wrap("32", t)
    }
    fn yellow(&self, t: &str) -> String {
        self.wrap("33", t)
    }
    fn dim(&self, t: &str) -> String {
        self.wrap("2", t)
    }
    fn bold(&self, t: &str) -> String {
        self.wrap("1", t)
    }
}

pub(super) fn render(outcome: &Outcome, color: bool) -> String {
    let p = Paint(color);
    let mut out = String::new();
    for item in &outcome.items {
        render_item(&mut out, item, &p);
    }
    let s = outcome.summary();
    let counts = outcome.status_counts();
    let mut line = format!("{} {}", s.total, plural(s.total, outcome.command.noun()));
    if !counts.is_empty() {
        let _ = write!(line, ": {counts}");
    }
    if s.ignored > 0 {
        let _ = write!(
            line,
            " ({} {} ignored)",
            s.ignored,
            plural(s.ignored, "finding")
        );
    }
    if s.accepted > 0 {
        let _ = write!(
            line,
            " ({} {} accepted)",
            s.accepted,
            plural(s.accepted, "breaking finding")
        );
    }
    let verdict = match outcome.exit_status() {
        ExitStatus::Ok => p.green("ok"),
        ExitStatus::Failed => p.red("failed"),
        ExitStatus::Error => p.red("error"),
    };
    let _ = writeln!(out, "{verdict}: {line}");
    if let Some(next) = &outcome.next {
        let _ = writeln!(out, "next: {next}");
    }
    out
}

fn render_item(out: &mut String, item: &Item, p: &Paint) {
    let status = match item.status {
        Status::Breaking | Status::Invalid | Status::Error => p.red(item.status.label()),
        Status::New
        | Status::WouldRegister
        | Status::Registered
        | Status::Written
        | Status::Accepted => p.yellow(item.status.label()),
        _ => p.green(item.status.label()),
    };
    let mut head = format!("{} {}", p.bold(&item.name), status);
    if let Some(level) = item.level {
        let _ = write!(head, " under {level}");
    }
    if let Some(bump) = item.bump.filter(|b| *b != schemagate_core::Bump::None) {
        let _ = write!(head, ", {} bump", serde_plain(&bump));
    }
    if let (Some(id), Some(version)) = (item.id, item.version) {
        let _ = write!(head, " (id {id}, version {version})");
    }
    let _ = writeln!(out, "{head}");
    let mut context = Vec::new();
    if let Some(file) = &item.file {
        context.push(file.clone());
    }
    if let Some(detail) = &item.detail {
        context.push(detail.clone());
    }
    if !context.is_empty() {
        let _ = writeln!(out, "  {}", p.dim(&context.join(" — ")));
    }
    for note in &item.findings {
        let f = &note.finding;
        let label = match f.severity {
            _ if note.accepted.is_some() => p.yellow("accepted"),
            _ if note.is_warning() => p.yellow("warning"),
            Severity::Breaking => p.red("error"),
            Severity::Additive => p.yellow("info"),
            Severity::Cosmetic => p.dim("info"),
        };
        let mut place = note.file.clone().unwrap_or_default();
        if let Some(line) = note.line {
            let _ = write!(place, ":{line}");
            if let Some(col) = note.column {
                let _ = write!(place, ":{col}");
            }
        }
        let path = if f.path.is_empty() { "/" } else { &f.path };
        let _ = write!(out, "  {label}[{}] ", p.bold(&f.rule));
        if !place.is_empty() {
            let _ = write!(out, "{place} ");
        }
        let _ = writeln!(out, "at {path}");
        let _ = write!(out, "    {}", f.message);
        if let Some(with) = &note.compared_with {
            let _ = write!(out, " {}", p.dim(&format!("(against {with})")));
        }
        out.push('\n');
        if let Some(accepted) = note.acceptance_line() {
            let _ = writeln!(out, "    {}", p.yellow(&accepted));
        }
        if let Some(hint) = &f.hint {
            let _ = writeln!(out, "    {} {hint}", p.green("fix:"));
        }
        if let Some(example) = super::example::line(note) {
            let _ = writeln!(out, "    {example}");
        }
    }
    if item.ignored > 0 {
        let _ = writeln!(
            out,
            "  {}",
            p.dim(&format!(
                "{} finding(s) ignored by schemagate.toml",
                item.ignored
            ))
        );
    }
}

/// A unit enum's serde name ("major"), which is how bumps are spelled everywhere.
fn serde_plain<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
