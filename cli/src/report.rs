//! What a command found, in one shape that every output format renders: an
//! [`Outcome`] of [`Item`]s (a subject, a file pair, an event file), each with located
//! [`Note`]s (core findings, parse errors, violations). The exit status follows from it.

use std::fmt;

use schemagate_core::{Bump, Finding, Level, SchemaError, SchemaType, Severity};
use serde::Serialize;

use crate::exit::ExitStatus;
use crate::rules::CliRule;

/// The command an outcome comes from: named in every output format, and it picks the
/// summary's noun.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CommandName {
    /// `schemagate check`.
    Check,
    /// `schemagate diff`.
    Diff,
    /// `schemagate register`.
    Register,
    /// `schemagate pull`.
    Pull,
    /// `schemagate validate`.
    Validate,
    /// `schemagate init`.
    Init,
}

impl CommandName {
    /// The command as typed.
    pub fn as_str(self) -> &'static str {
        match self {
            CommandName::Check => "check",
            CommandName::Diff => "diff",
            CommandName::Register => "register",
            CommandName::Pull => "pull",
            CommandName::Validate => "validate",
            CommandName::Init => "init",
        }
    }

    /// What one item of its outcome is, for the summary line ("3 subjects").
    pub fn noun(self) -> &'static str {
        match self {
            CommandName::Validate => "event file",
            CommandName::Diff => "comparison",
            CommandName::Check | CommandName::Register | CommandName::Pull | CommandName::Init => {
                "subject"
            }
        }
    }
}

impl fmt::Display for CommandName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How one item ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// No breaking change.
    Compatible,
    /// Breaking changes (or a refused registration, a too-small version bump).
    Breaking,
    /// Breaking changes, every one accepted by an `[[accept]]` entry of schemagate.toml.
    Accepted,
    /// Nothing to compare against: the subject or file is new.
    New,
    /// Same schema as the one compared against.
    Unchanged,
    /// Registered now.
    Registered,
    /// Already registered: nothing was sent.
    AlreadyRegistered,
    /// `--dry-run`: would be registered.
    WouldRegister,
    /// Written to a file.
    Written,
    /// Looked at and left out, with the reason in the detail (a file that is no schema).
    Skipped,
    /// An event conforming to its schema (or refused, as a negative example expects).
    Valid,
    /// An event breaking its schema (or passing when it should not).
    Invalid,
    /// Could not be judged: parse, config or network error.
    Error,
}

impl Status {
    /// The word shown in text output.
    pub fn label(self) -> &'static str {
        match self {
            Status::Compatible => "compatible",
            Status::Breaking => "BREAKING",
            Status::Accepted => "accepted",
            Status::New => "new",
            Status::Unchanged => "unchanged",
            Status::Registered => "registered",
            Status::AlreadyRegistered => "already registered",
            Status::WouldRegister => "would register",
            Status::Written => "written",
            Status::Skipped => "skipped",
            Status::Valid => "valid",
            Status::Invalid => "INVALID",
            Status::Error => "ERROR",
        }
    }

    /// Whether it fails the run ([`ExitStatus::Failed`]).
    pub fn is_failure(self) -> bool {
        matches!(self, Status::Breaking | Status::Invalid)
    }
}

/// A finding placed in a file.
#[derive(Clone, Debug, Serialize)]
pub struct Note {
    /// Rule id, severity, JSON pointer, message, hint.
    #[serde(flatten)]
    pub finding: Finding,
    /// The file it concerns, as shown to people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// 1-based line in that file, when the pointer could be placed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// 1-based column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// What it was compared with, as a person knows it ("version 3", "HEAD").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compared_with: Option<String>,
    /// For a breaking finding: a concrete event that proves it, verified by encoding
    /// and decoding (or validating) it (core's `counterexample`).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_counterexample"
    )]
    pub counterexample: Option<schemagate_core::counterexample::Counterexample>,
    /// For a breaking finding: the `[[accept]]` entry of schemagate.toml that accepts
    /// it, so it does not fail the run (it is still shown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted: Option<Acceptance>,
}

/// A counterexample as JSON documents carry it (its bytes in base64, as core
/// serialises them), fields in name order.
pub fn counterexample_json(
    c: &schemagate_core::counterexample::Counterexample,
) -> serde_json::Value {
    serde_json::to_value(c).unwrap_or_default()
}

fn serialize_counterexample<S: serde::Serializer>(
    c: &Option<schemagate_core::counterexample::Counterexample>,
    s: S,
) -> Result<S::Ok, S::Error> {
    c.as_ref().map(counterexample_json).serialize(s)
}

/// `noun` with an `s` unless there is one of it.
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        noun.to_owned()
    } else {
        format!("{noun}s")
    }
}

/// An accepted break: why, and until when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Acceptance {
    /// The entry's `reason`.
    pub reason: String,
    /// The entry's `until` date (`YYYY-MM-DD`), after which it accepts nothing.
    pub until: String,
}

impl Note {
    /// A note for `finding` without a place yet.
    pub fn new(finding: Finding) -> Self {
        Note {
            finding,
            file: None,
            line: None,
            column: None,
            compared_with: None,
            counterexample: None,
            accepted: None,
        }
    }

    /// The same note placed at `file`, line and column.
    pub fn at(mut self, file: Option<String>, place: Option<(usize, usize)>) -> Self {
        self.file = file;
        self.line = place.map(|p| p.0);
        self.column = place.map(|p| p.1);
        self
    }

    /// A breaking note of one of the CLI's own rules (a problem that is not a
    /// compatibility finding of the core's engines).
    pub fn error(
        rule: CliRule,
        path: impl Into<String>,
        message: impl Into<String>,
        hint: Option<&str>,
    ) -> Self {
        debug_assert_eq!(rule.severity(), Severity::Breaking, "use Note::of");
        Note::new(Finding::breaking(
            rule.as_str(),
            path,
            message,
            hint.map(str::to_owned),
        ))
    }

    /// A note of one of the CLI's own rules at the rule's own severity (an
    /// informational rule's note does not fail the item).
    pub fn of(rule: CliRule, path: impl Into<String>, message: impl Into<String>) -> Self {
        Note::new(Finding::new(
            rule.as_str(),
            rule.severity(),
            path,
            message,
            None,
        ))
    }

    /// Whether it is a breaking finding (accepted or not).
    pub fn is_breaking(&self) -> bool {
        self.finding.severity == Severity::Breaking
    }

    /// Whether it counts against the item: breaking and not accepted.
    pub fn fails(&self) -> bool {
        self.is_breaking() && self.accepted.is_none()
    }

    /// Whether formats with a warning level show it as one: an accepted break, an
    /// `[[accept]]` entry that matches nothing, a registry that disagrees.
    pub fn is_warning(&self) -> bool {
        self.accepted.is_some()
            || self.finding.rule == CliRule::ACCEPT_STALE.as_str()
            || self.finding.rule == CliRule::REGISTRY_DISAGREES.as_str()
    }

    /// "accepted until 2026-01-31: no consumers yet", for an accepted note.
    pub fn acceptance_line(&self) -> Option<String> {
        self.accepted
            .as_ref()
            .map(|a| format!("accepted until {}: {}", a.until, a.reason))
    }
}

/// One checked thing.
#[derive(Clone, Debug, Serialize)]
pub struct Item {
    /// The subject, or another name when there is none (a file pair, an event file).
    pub name: String,
    /// The schema or event file, as shown to people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The verdict.
    pub status: Status,
    /// The level it was judged under.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// Schema language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema_type: Option<SchemaType>,
    /// The semver bump the change implies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bump: Option<Bump>,
    /// Registry id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<u32>,
    /// Registry version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    /// One line of context (what it was compared with, where it was written).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Findings, breaking ones first.
    pub findings: Vec<Note>,
    /// Findings waived by `[[ignore]]`.
    #[serde(skip_serializing_if = "is_zero")]
    pub ignored: usize,
    /// The data contract sent (or, with `--dry-run`, that would be), in Confluent's
    /// JSON: what `register` declares for the subject.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contract: Option<crate::contract::Contract>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Item {
    /// An item with a status and nothing else.
    pub fn new(name: impl Into<String>, file: Option<String>, status: Status) -> Self {
        Item {
            name: name.into(),
            file,
            status,
            level: None,
            schema_type: None,
            bump: None,
            id: None,
            version: None,
            detail: None,
            findings: Vec::new(),
            ignored: 0,
            contract: None,
        }
    }

    /// An item that could not be judged, with the reason as its one note.
    pub fn error(name: impl Into<String>, file: Option<String>, note: Note) -> Self {
        let mut item = Item::new(name, file, Status::Error);
        item.findings.push(note);
        item
    }

    /// The same item with `detail`.
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Adds `more` to the line of context, after what it already says.
    pub fn add_detail(&mut self, more: String) {
        self.detail = Some(match self.detail.take() {
            Some(detail) => format!("{detail}; {more}"),
            None => more,
        });
    }
}

/// Everything a command reports.
#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    /// The command.
    pub command: CommandName,
    /// Items in a stable order.
    pub items: Vec<Item>,
    /// What to run next, when the command sets up something to use.
    pub next: Option<String>,
}

/// Counts for the summary line.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    /// Items.
    pub total: usize,
    /// Items failing the run.
    pub failed: usize,
    /// Items that could not be judged.
    pub errors: usize,
    /// Breaking findings over all items that fail (not accepted).
    pub breaking_findings: usize,
    /// Breaking findings accepted by `[[accept]]` entries.
    #[serde(skip_serializing_if = "is_zero")]
    pub accepted: usize,
    /// Waived findings.
    pub ignored: usize,
}

impl Outcome {
    /// An outcome of `command`.
    pub fn new(command: CommandName, items: Vec<Item>) -> Self {
        Outcome {
            command,
            items,
            next: None,
        }
    }

    /// The same outcome with a suggestion of what to run next.
    pub fn next(mut self, next: impl Into<String>) -> Self {
        self.next = Some(next.into());
        self
    }

    /// Every note with the item it belongs to, in item order.
    pub fn notes(&self) -> impl Iterator<Item = (&Item, &Note)> {
        self.items
            .iter()
            .flat_map(|item| item.findings.iter().map(move |note| (item, note)))
    }

    /// The counts.
    pub fn summary(&self) -> Summary {
        Summary {
            total: self.items.len(),
            failed: self.items.iter().filter(|i| i.status.is_failure()).count(),
            errors: self
                .items
                .iter()
                .filter(|i| i.status == Status::Error)
                .count(),
            breaking_findings: self.notes().filter(|(_, n)| n.fails()).count(),
            accepted: self.notes().filter(|(_, n)| n.accepted.is_some()).count(),
            ignored: self.items.iter().map(|i| i.ignored).sum(),
        }
    }

    /// "1 accepted, 2 unchanged": how many items ended in each status, in the order
    /// the statuses first appear.
    pub fn status_counts(&self) -> String {
        let mut counts: Vec<(Status, usize)> = Vec::new();
        for item in &self.items {
            match counts.iter_mut().find(|(st, _)| *st == item.status) {
                Some((_, n)) => *n += 1,
                None => counts.push((item.status, 1)),
            }
        }
        counts
            .iter()
            .map(|(st, n)| format!("{n} {}", st.label().to_lowercase()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// An error when anything could not be judged, a failure when anything failed.
    pub fn exit_status(&self) -> ExitStatus {
        let s = self.summary();
        if s.errors > 0 {
            ExitStatus::Error
        } else if s.failed > 0 {
            ExitStatus::Failed
        } else {
            ExitStatus::Ok
        }
    }
}

/// A schema text that did not parse, as a note placed at its line.
pub fn schema_error_note(err: &SchemaError, file: Option<String>, text: &str) -> Note {
    let (rule, path, place) = match err {
        SchemaError::Syntax { line, column, .. } => {
            (CliRule::SCHEMA_SYNTAX, "", Some((*line, *column)))
        }
        SchemaError::TooDeep { line, column, .. } => {
            (CliRule::SCHEMA_TOO_DEEP, "", Some((*line, *column)))
        }
        SchemaError::Invalid { path, .. } => (
            CliRule::SCHEMA_INVALID,
            path.as_str(),
            crate::locate::locate(text, path),
        ),
        SchemaError::UnresolvedReference { path, .. } => (
            CliRule::SCHEMA_UNRESOLVED_REFERENCE,
            path.as_str(),
            crate::locate::locate(text, path),
        ),
        // A `.proto` error carries its own place; `file` (a reference's import path)
        // is placed by the caller, which knows where the project keeps that file.
        SchemaError::Protobuf {
            line: Some(line),
            column,
            ..
        } => (
            CliRule::SCHEMA_INVALID,
            "",
            Some((*line, column.unwrap_or(1))),
        ),
        _ => (CliRule::SCHEMA_INVALID, "", None),
    };
    let hint = match err {
        SchemaError::UnresolvedReference { .. } => Some(
            "map the file that defines it under `references` of this subject in schemagate.toml",
        ),
        _ => None,
    };
    Note::error(rule, path, err.to_string(), hint).at(file, place)
}
