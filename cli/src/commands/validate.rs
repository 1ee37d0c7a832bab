//! `schemagate validate`: the sample events under `[[fixtures]]` against their
//! subjects' schemas, every violation placed at its line in the event file. A fixture
//! with `valid = false` holds negative examples that the schema must refuse.

use std::path::Path;

use anyhow::{Result, bail};
use schemagate_core::schema::protobuf;
use schemagate_core::{ParsedSchema, Violation, validate};

use super::{Disk, RemoteRefs, load_present};
use crate::cli::{Global, ValidateArgs};
use crate::locate::locate;
use crate::project::Project;
use crate::report::{CommandName, Item, Note, Outcome, Status};
use crate::rules::CliRule;

/// Runs the command.
pub fn run(global: &Global, args: &ValidateArgs) -> Result<Outcome> {
    let project = Project::discover(global.project.as_deref())?;
    if project.fixtures.is_empty() {
        bail!(
            "no [[fixtures]] in schemagate.toml: map sample events with\n  [[fixtures]]\n  subject = \"orders-value\"\n  events = \"fixtures/events/orders/*.json\""
        );
    }
    for s in &args.subjects {
        if !project.fixtures.iter().any(|f| &f.subject == s) {
            bail!("subject {:?} has no [[fixtures]] entry", s.as_str());
        }
    }
    let mut items = Vec::new();
    for fixture in &project.fixtures {
        if !args.subjects.is_empty() && !args.subjects.contains(&fixture.subject) {
            continue;
        }
        let subject = fixture.subject.as_str();
        let Some(mapping) = project.mapping(subject) else {
            continue;
        };
        let shown = Some(project.display(&mapping.file));
        let schema = match load_present(&project, mapping, &Disk(&project.root), &RemoteRefs::new())
        {
            Ok(l) => l.parsed,
            Err(note) => {
                items.push(Item::error(subject, shown, note));
                continue;
            }
        };
        let check = match checker(&schema, mapping.message.as_deref()) {
            Ok(check) => check,
            Err(note) => {
                items.push(Item::error(subject, shown.clone(), note.at(shown, None)));
                continue;
            }
        };
        if fixture.files.is_empty() {
            let note = Note::error(
                CliRule::FIXTURES_MISSING,
                "",
                format!("{:?} matches no event file", fixture.pattern),
                None,
            );
            items.push(Item::error(subject, None, note));
            continue;
        }
        for file in &fixture.files {
            items.push(check_file(
                &project,
                subject,
                &schema,
                &check,
                file,
                fixture.valid,
            ));
        }
    }
    Ok(Outcome::new(CommandName::Validate, items))
}

/// What an event is checked with: the whole schema, or for Protobuf the message the
/// subject names (`message = "shop.v1.Order"`; the file's first message without one,
/// as Confluent's serializers assume).
type Checker<'a> = Box<dyn Fn(&serde_json::Value) -> Vec<Violation> + 'a>;

fn checker<'a>(schema: &'a ParsedSchema, message: Option<&str>) -> Result<Checker<'a>, Note> {
    let (Some(proto), Some(name)) = (schema.as_protobuf(), message) else {
        return Ok(Box::new(move |event| validate(schema, event)));
    };
    match proto.message(name) {
        Some(descriptor) => Ok(Box::new(move |event| {
            protobuf::validate_message(&descriptor, event)
        })),
        None => {
            let declared: Vec<String> = proto
                .file()
                .messages()
                .map(|m| m.full_name().to_owned())
                .collect();
            Err(Note::error(
                CliRule::SCHEMA_INVALID,
                "",
                format!(
                    "`message = {name:?}` in schemagate.toml names no message of this file; it declares {}",
                    if declared.is_empty() {
                        "none".to_owned()
                    } else {
                        declared.join(", ")
                    }
                ),
                Some("name one of the file's messages (its full name, or relative to the package)"),
            ))
        }
    }
}

fn check_file(
    project: &Project,
    subject: &str,
    schema: &ParsedSchema,
    check: &Checker<'_>,
    file: &Path,
    expect_valid: bool,
) -> Item {
    let shown = project.display(file);
    let name = subject.to_owned();
    let text = match std::fs::read_to_string(project.root.join(file)) {
        Ok(t) => t,
        Err(e) => {
            return Item::error(
                name,
                Some(shown.clone()),
                Note::error(
                    CliRule::FILE_UNREADABLE,
                    "",
                    format!("cannot read {shown}: {e}"),
                    None,
                ),
            );
        }
    };
    // `.jsonl` / `.ndjson`: one event per line; anything else: one event per file.
    let lines = matches!(
        file.extension().and_then(|e| e.to_str()),
        Some("jsonl" | "ndjson")
    );
    let events: Vec<(usize, &str)> = if lines {
        text.lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .collect()
    } else {
        vec![(0, text.as_str())]
    };
    let mut item = Item::new(name.clone(), Some(shown.clone()), Status::Valid);
    item.schema_type = Some(schema.schema_type());
    let mut violations = 0usize;
    for (offset, event_text) in events {
        let event: serde_json::Value = match serde_json::from_str(event_text) {
            Ok(v) => v,
            Err(e) => {
                let note = Note::error(CliRule::EVENT_SYNTAX, "", format!("not JSON: {e}"), None)
                    .at(Some(shown.clone()), Some((offset + e.line(), e.column())));
                return Item::error(name, Some(shown), note);
            }
        };
        for v in check(&event) {
            violations += 1;
            let place = locate(event_text, &v.path).map(|(l, c)| (l + offset, c));
            let note = Note::error(CliRule::EVENT_VIOLATION, v.path.clone(), v.message, None);
            if expect_valid {
                item.findings.push(note.at(Some(shown.clone()), place));
            }
        }
    }
    match (expect_valid, violations) {
        (true, 0) | (false, 1..) => {}
        (true, _) => item.status = Status::Invalid,
        (false, 0) => {
            item.status = Status::Invalid;
            item.findings.push(
                Note::error(
                    CliRule::EVENT_UNEXPECTEDLY_VALID,
                    "",
                    "this negative example conforms to the schema, but its fixture says `valid = false`",
                    Some("tighten the schema, or move the event to a fixture of valid events"),
                )
                .at(Some(shown), None),
            );
        }
    }
    if !expect_valid && item.status == Status::Valid {
        item.detail = Some(format!(
            "refused as expected ({violations} violation{})",
            if violations == 1 { "" } else { "s" }
        ));
    }
    item
}
