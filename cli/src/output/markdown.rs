//! GitHub-flavoured Markdown, for a pull-request comment: a summary table with a row per
//! item (subject, verdict, level, semver bump, what it was compared with), each
//! breaking change with its place, rule, path, message, fix, acceptance and
//! counterexample, then the compatible findings collapsed in `<details>`.
//!
//! A comment must stay under GitHub's limit ([`LIMIT`] characters): compatible
//! findings are left out first, then breaking ones from the end, then table rows, and
//! the report says how many it left out.

use std::fmt::Write;

use schemagate_core::Severity;

use super::example;
use crate::exit::ExitStatus;
use crate::report::{CommandName, Item, Note, Outcome, Status, plural};

/// GitHub's limit on a comment's body, in characters.
pub(super) const LIMIT: usize = 65_536;

/// The longest event shown in full; a longer one is cut (`--format json` has it whole).
const EVENT_MAX: usize = 2_000;

/// Room kept for the lines that say what was left out.
const RESERVE: usize = 600;

pub(super) fn render(outcome: &Outcome) -> String {
    render_within(outcome, LIMIT)
}

/// The report in at most `limit` bytes (a character is at least one byte, so this
/// keeps under a limit counted in characters too).
fn render_within(outcome: &Outcome, limit: usize) -> String {
    let head = head(outcome);
    let (columns, rows): (Vec<&str>, Vec<String>) = table(outcome);
    // Warnings (a stale accept, a registry that disagrees) are few and must be seen:
    // never folded away or cut.
    let warnings: Vec<String> = outcome
        .notes()
        .filter(|(_, n)| !n.is_breaking() && n.is_warning())
        .map(|(item, n)| compatible_entry(item, n))
        .collect();
    let warnings = if warnings.is_empty() {
        String::new()
    } else {
        format!("\n### Warnings\n\n{}\n", warnings.join("\n"))
    };
    let breaking: Vec<String> = outcome
        .notes()
        .filter(|(_, n)| n.is_breaking())
        .map(|(item, n)| breaking_entry(item, n))
        .collect();
    let compatible: Vec<String> = outcome
        .notes()
        .filter(|(_, n)| !n.is_breaking() && !n.is_warning())
        .map(|(item, n)| compatible_entry(item, n))
        .collect();
    let budget = limit.saturating_sub(RESERVE);
    let fixed = head.len() + warnings.len() + table_len(&columns, &[]) + 200;
    let sum = |v: &[String]| v.iter().map(|e| e.len() + 1).sum::<usize>();
    // What fits, taking from the end of compatible findings, then of breaking changes,
    // then of table rows.
    let (mut n_rows, mut n_breaking, mut n_compatible) =
        (rows.len(), breaking.len(), compatible.len());
    let total = |r: usize, b: usize, c: usize| {
        fixed + sum(&rows[..r]) + sum(&breaking[..b]) + sum(&compatible[..c])
    };
    while n_compatible > 0 && total(n_rows, n_breaking, n_compatible) > budget {
        n_compatible -= 1;
    }
    while n_breaking > 0 && total(n_rows, n_breaking, n_compatible) > budget {
        n_breaking -= 1;
    }
    while n_rows > 0 && total(n_rows, n_breaking, n_compatible) > budget {
        n_rows -= 1;
    }

    let mut out = head;
    out.push_str(&render_table(&columns, &rows[..n_rows]));
    if n_rows < rows.len() {
        let _ = writeln!(
            out,
            "\n… {} more {} not shown: the comment would exceed GitHub's limit of {LIMIT} characters.",
            rows.len() - n_rows,
            plural(rows.len() - n_rows, outcome.command.noun())
        );
    }
    out.push_str(&warnings);
    if !breaking.is_empty() {
        let heading = match outcome.command {
            CommandName::Validate => "Violations",
            _ => "Breaking changes",
        };
        let _ = writeln!(out, "\n### {heading}\n");
        for entry in &breaking[..n_breaking] {
            out.push_str(entry);
            out.push('\n');
        }
        if n_breaking < breaking.len() {
            let left = breaking.len() - n_breaking;
            let _ = writeln!(
                out,
                "… {left} more {} not shown: the comment would exceed GitHub's limit of {LIMIT} characters; run `schemagate {}` for all of them.\n",
                plural(left, "breaking finding"),
                outcome.command
            );
        }
    }
    if !compatible.is_empty() {
        let _ = writeln!(
            out,
            "\n<details><summary>{} {}</summary>\n",
            compatible.len(),
            plural(compatible.len(), "compatible finding")
        );
        for entry in &compatible[..n_compatible] {
            out.push_str(entry);
            out.push('\n');
        }
        if n_compatible < compatible.len() {
            let left = compatible.len() - n_compatible;
            let _ = writeln!(
                out,
                "\n… {left} more {} not shown: the comment would exceed GitHub's limit of {LIMIT} characters.",
                plural(left, "compatible finding")
            );
        }
        out.push_str("\n</details>\n");
    }
    if let Some(next) = &outcome.next {
        let _ = writeln!(out, "\nNext: {}", inline(next));
    }
    if out.len() > limit {
        // Only an entry alone longer than the whole budget gets here.
        let notice = "\n\n… cut here: the comment would exceed GitHub's limit.\n";
        let mut cut = limit - notice.len();
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push_str(notice);
    }
    out
}

/// The title and the summary line.
fn head(outcome: &Outcome) -> String {
    let s = outcome.summary();
    let verdict = match outcome.exit_status() {
        ExitStatus::Ok => "✅ passed",
        ExitStatus::Failed => "❌ failed",
        ExitStatus::Error => "⚠️ error",
    };
    let mut line = format!("{} {}", s.total, plural(s.total, outcome.command.noun()));
    let counts = outcome.status_counts();
    if !counts.is_empty() {
        let _ = write!(line, ": {counts}");
    }
    if s.breaking_findings > 0 {
        let _ = write!(
            line,
            "; {} {}",
            s.breaking_findings,
            plural(s.breaking_findings, "breaking finding")
        );
    }
    // Accepted breaks are counted apart: they no longer fail the run.
    if s.accepted > 0 {
        let _ = write!(
            line,
            "; {} accepted",
            plural(s.accepted, &format!("{} breaking finding", s.accepted))
        );
    }
    if s.ignored > 0 {
        let _ = write!(
            line,
            "; {} ignored by schemagate.toml",
            plural(s.ignored, &format!("{} finding", s.ignored))
        );
    }
    format!(
        "## Schemagate {}: {verdict}\n\n{}\n\n",
        outcome.command,
        inline(&line)
    )
}

/// The summary table's columns and one row per item.
fn table(outcome: &Outcome) -> (Vec<&'static str>, Vec<String>) {
    let dash = || "—".to_owned();
    if outcome.command == CommandName::Validate {
        let columns = vec!["Subject", "Event file", "Verdict", "Violations", "Detail"];
        let rows = outcome
            .items
            .iter()
            .map(|item| {
                row(&[
                    cell(&item.name),
                    item.file.as_deref().map_or_else(dash, code),
                    verdict(item),
                    item.findings
                        .iter()
                        .filter(|n| n.is_breaking())
                        .count()
                        .to_string(),
                    item.detail.as_deref().map_or_else(dash, cell),
                ])
            })
            .collect();
        return (columns, rows);
    }
    let columns = vec![
        "Subject",
        "Verdict",
        "Level",
        "Semver bump",
        "Compared with",
    ];
    let rows = outcome
        .items
        .iter()
        .map(|item| {
            row(&[
                cell(&item.name),
                verdict(item),
                item.level.map_or_else(dash, |l| l.to_string()),
                item.bump.map_or_else(dash, |b| plain(&b)),
                compared_with(item).map_or_else(dash, |c| cell(&c)),
            ])
        })
        .collect();
    (columns, rows)
}

fn verdict(item: &Item) -> String {
    let mark = match item.status {
        Status::Error => "⚠️",
        s if s.is_failure() => "❌",
        _ => "✅",
    };
    let accepted = item
        .findings
        .iter()
        .filter(|n| n.accepted.is_some())
        .count();
    if accepted > 0 {
        format!(
            "{mark} {} ({accepted} accepted {})",
            item.status.label(),
            plural(accepted, "break")
        )
    } else {
        format!("{mark} {}", item.status.label())
    }
}

/// What an item was compared with: the versions its findings name, else its line of
/// context ("against version 3, the latest").
fn compared_with(item: &Item) -> Option<String> {
    let mut labels: Vec<&str> = Vec::new();
    for n in &item.findings {
        if let Some(l) = n.compared_with.as_deref()
            && !labels.contains(&l)
        {
            labels.push(l);
        }
    }
    if labels.is_empty() {
        item.detail.clone()
    } else {
        Some(labels.join(", "))
    }
}

fn row(cells: &[String]) -> String {
    format!("| {} |", cells.join(" | "))
}

fn table_len(columns: &[&str], rows: &[String]) -> usize {
    render_table(columns, rows).len()
}

fn render_table(columns: &[&str], rows: &[String]) -> String {
    let mut out = row(&columns.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>());
    out.push('\n');
    out.push_str(&row(&vec!["---".to_owned(); columns.len()]));
    out.push('\n');
    for r in rows {
        out.push_str(r);
        out.push('\n');
    }
    out
}

/// `file:line:column`, as the note is placed.
fn place(note: &Note) -> Option<String> {
    let mut place = note.file.clone()?;
    if let Some(line) = note.line {
        let _ = write!(place, ":{line}");
        if let Some(col) = note.column {
            let _ = write!(place, ":{col}");
        }
    }
    Some(place)
}

/// One breaking change: a list item with its place, rule and path, then the message,
/// the fix, the acceptance and the counterexample.
fn breaking_entry(item: &Item, note: &Note) -> String {
    let f = &note.finding;
    let path = if f.path.is_empty() { "/" } else { &f.path };
    let mut out = format!(
        "- **{}** {} at {}",
        inline(&item.name),
        code(&f.rule),
        code(path)
    );
    if let Some(place) = place(note) {
        let _ = write!(out, " in {}", code(&place));
    }
    out.push('\n');
    let mut message = inline(&f.message);
    if let Some(with) = &note.compared_with {
        let _ = write!(message, " (against {})", inline(with));
    }
    let _ = writeln!(out, "  {message}");
    if let Some(h) = &f.hint {
        let _ = writeln!(out, "  <br>**Fix:** {}", inline(h));
    }
    if let Some(a) = &note.accepted {
        let _ = writeln!(
            out,
            "  <br>**Accepted** until {}: {}",
            inline(&a.until),
            inline(&a.reason)
        );
    }
    if let Some(c) = &note.counterexample {
        let _ = writeln!(
            out,
            "  <br>**Example event**, written by {}: {}",
            inline(&example::writer(note, c)),
            inline(&c.outcome)
        );
        let mut event = example::event(c);
        if event.len() > EVENT_MAX {
            let mut cut = EVENT_MAX;
            while !event.is_char_boundary(cut) {
                cut -= 1;
            }
            event.truncate(cut);
            event.push_str(" … (cut; `--format json` has the whole event)");
        }
        let fence = fence_for(&event);
        let _ = writeln!(out, "\n  {fence}json\n  {event}\n  {fence}");
    }
    out
}

/// One compatible finding, a line of the collapsed list.
fn compatible_entry(item: &Item, note: &Note) -> String {
    let f = &note.finding;
    let path = if f.path.is_empty() { "/" } else { &f.path };
    let kind = match f.severity {
        Severity::Additive => "additive",
        _ => "cosmetic",
    };
    let mut out = format!(
        "- **{}** {} at {} ({kind})",
        inline(&item.name),
        code(&f.rule),
        code(path)
    );
    if let Some(place) = place(note) {
        let _ = write!(out, " in {}", code(&place));
    }
    let _ = write!(out, ": {}", inline(&f.message));
    out
}

/// A code fence longer than any run of backticks in `text`.
fn fence_for(text: &str) -> String {
    "`".repeat(longest_run(text, '`').max(2) + 1)
}

fn longest_run(text: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for ch in text.chars() {
        if ch == c {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

/// `text` as a code span, in running text or a table cell: delimited by more backticks
/// than it holds, `|` escaped (GitHub reads a table's cells before code spans) and
/// newlines as spaces.
fn code(text: &str) -> String {
    let text = text.replace(['\n', '\r'], " ").replace('|', "\\|");
    let ticks = "`".repeat(longest_run(&text, '`') + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{text}{pad}{ticks}")
}

/// Plain text in running text or a table cell: Markdown's and HTML's punctuation
/// escaped, `|` too, newlines as `<br>`.
fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => out.push_str("<br>"),
            c => out.push(c),
        }
    }
    out
}

/// A table cell of plain text.
fn cell(text: &str) -> String {
    inline(text)
}

/// A unit enum's serde name ("major"), which is how bumps are spelled everywhere.
fn plain<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use schemagate_core::counterexample::{Counterexample, Side};
    use schemagate_core::{Bump, Finding, Level};

    use super::*;
    use crate::report::Acceptance;

    fn breaking_item(name: &str, findings: usize) -> Item {
        let mut item = Item::new(name, Some("schemas/orders.avsc".into()), Status::Breaking);
        item.level = Some(Level::Backward);
        item.bump = Some(Bump::Major);
        for i in 0..findings {
            let mut note = Note::new(Finding::breaking(
                "READER_FIELD_MISSING_DEFAULT_VALUE",
                format!("/fields/{i}"),
                format!("reader field \"f{i}\" (string) is not in the writer and has no default"),
                Some("add a default".to_owned()),
            ))
            .at(Some("schemas/orders.avsc".into()), Some((8 + i, 5)));
            note.compared_with = Some("version 3".into());
            item.findings.push(note);
        }
        item
    }

    fn compatible_item(name: &str, findings: usize) -> Item {
        let mut item = Item::new(name, Some("schemas/c.avsc".into()), Status::Compatible);
        item.level = Some(Level::Backward);
        item.bump = Some(Bump::Minor);
        for i in 0..findings {
            let mut note = Note::new(Finding::new(
                "READER_FIELD_ADDED_WITH_DEFAULT",
                Severity::Additive,
                format!("/fields/{i}"),
                format!(
                    "reader field \"g{i}\" was added with a default, and a long message to take room {}",
                    "x".repeat(200)
                ),
                None,
            ));
            note.compared_with = Some("version 1".into());
            item.findings.push(note);
        }
        item
    }

    #[test]
    fn an_accepted_break_is_shown_with_its_reason_and_date() {
        let mut item = breaking_item("orders-value", 1);
        item.findings[0].accepted = Some(Acceptance {
            reason: "no consumers yet | see #42".into(),
            until: "2099-01-31".into(),
        });
        item.findings[0].counterexample = Some(Counterexample {
            rule: "READER_FIELD_MISSING_DEFAULT_VALUE".into(),
            path: "/fields/0".into(),
            writer: Side::Old,
            event: serde_json::json!({"id": "a"}),
            bytes: Some(vec![2, 97]),
            outcome: "the reader fails: missing field f0".into(),
        });
        // What `check` gives an item whose only breaks are accepted.
        item.status = Status::Accepted;
        let outcome = Outcome::new(CommandName::Check, vec![item]);
        insta::assert_snapshot!("markdown_accepted", render(&outcome));
    }

    #[test]
    fn compatible_findings_are_cut_first_then_breaking_ones_and_it_says_so() {
        let outcome = Outcome::new(
            CommandName::Check,
            vec![
                breaking_item("orders-value", 40),
                compatible_item("c-value", 40),
            ],
        );
        let whole = render(&outcome);
        assert!(!whole.contains("not shown"), "{whole}");
        // Room for the breaking list but not for every compatible finding.
        let breaking_len: usize = whole.split("<details>").next().unwrap().len();
        let limit = breaking_len + RESERVE + 2_000;
        let cut = render_within(&outcome, limit);
        assert!(cut.len() <= limit, "{} > {limit}", cut.len());
        assert!(cut.contains("f39"), "every breaking finding is kept");
        assert!(cut.contains("more compatible findings not shown"), "{cut}");
        assert!(!cut.contains("g39"));
        // Less room: breaking findings are cut too, from the end.
        let tight = render_within(&outcome, breaking_len / 2 + RESERVE);
        assert!(tight.len() <= breaking_len / 2 + RESERVE);
        assert!(tight.contains("field \"f0\""), "{tight}");
        assert!(!tight.contains("f39"));
        assert!(
            tight.contains("more breaking findings not shown"),
            "{tight}"
        );
        assert!(
            tight.contains("40 compatible findings</summary>"),
            "{tight}"
        );
    }

    #[test]
    fn the_real_limit_holds_for_thousands_of_findings() {
        let outcome = Outcome::new(
            CommandName::Check,
            vec![
                breaking_item("orders-value", 2_000),
                compatible_item("c-value", 2_000),
            ],
        );
        let out = render(&outcome);
        assert!(out.chars().count() <= LIMIT);
        assert!(out.contains("more breaking findings not shown"));
        assert!(out.contains("2000 more compatible findings not shown"));
    }

    #[test]
    fn cells_escape_pipes_backticks_and_newlines() {
        assert_eq!(inline("a|b`c\nd<e>"), "a\\|b\\`c<br>d&lt;e&gt;");
        assert_eq!(code("/a|b"), "`/a\\|b`");
        assert_eq!(code("x`y"), "``x`y``");
        assert_eq!(code("`y"), "`` `y ``");
        let mut item = breaking_item("weird|subject`\nname", 1);
        item.detail = Some("two\nlines".into());
        let outcome = Outcome::new(CommandName::Check, vec![item]);
        let out = render(&outcome);
        let rows: Vec<&str> = out.lines().filter(|l| l.starts_with('|')).collect();
        assert_eq!(rows.len(), 3, "{out}");
        assert!(rows[2].contains("weird\\|subject\\`<br>name"), "{out}");
    }
}
