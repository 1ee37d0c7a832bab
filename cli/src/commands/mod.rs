//! One module per command, and what they share: reading mapped schemas (with their
//! references) from a source, judging a new schema against its history, and saying
//! what a declared data contract changes in the registry.

pub mod check;
pub mod diff;
pub mod explain;
pub mod init;
pub mod pull;
pub mod register;
pub mod transfer;
pub mod validate;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use schemagate_client::{Config, SubjectVersion};
use schemagate_core::counterexample::{Counterexample, counterexample};
use schemagate_core::{
    Bump, CheckOptions, Direction, Level, ParsedSchema, Reference, SchemaError, Subject, bump_at,
    check_with,
};

use crate::contract::{self, Contract};
use crate::locate::{Counterparts, locate};
use crate::project::{Mapping, Project, RefSpec};
use crate::report::{Item, Note, Status, schema_error_note};
use crate::rules::CliRule;

/// Where schema texts come from: the working tree, another directory, a git revision.
pub trait Source {
    /// The text of a project-relative file; `None` when it does not exist there.
    fn read(&self, file: &Path) -> anyhow::Result<Option<String>>;
    /// How to name this source in messages ("HEAD", "../old").
    fn label(&self) -> String;
}

/// The working tree under the project root.
pub struct Disk<'a>(pub &'a Path);

impl Source for Disk<'_> {
    fn read(&self, file: &Path) -> anyhow::Result<Option<String>> {
        let path = self.0.join(file);
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Some(text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(anyhow::anyhow!("cannot read {}: {e}", path.display())),
        }
    }
    fn label(&self) -> String {
        "the working tree".to_owned()
    }
}

/// Texts read ahead of time (a git revision read in one batch).
pub struct Prefetched {
    /// Text per project-relative file; `None` where the file does not exist.
    pub texts: HashMap<PathBuf, Option<String>>,
    /// The source's name.
    pub label: String,
}

impl Source for Prefetched {
    fn read(&self, file: &Path) -> anyhow::Result<Option<String>> {
        Ok(self.texts.get(file).cloned().flatten())
    }
    fn label(&self) -> String {
        self.label.clone()
    }
}

/// A schema text and its parse.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// The text as written.
    pub text: String,
    /// The parse.
    pub parsed: ParsedSchema,
}

/// Texts of references that have no local file, fetched from the registry by name.
pub type RemoteRefs = HashMap<String, String>;

/// Reads and parses `mapping`'s file from `source`, with its references. `Ok(None)`
/// when the file does not exist there; a parse error is a note placed at its line.
pub fn load(
    project: &Project,
    mapping: &Mapping,
    source: &dyn Source,
    remote: &RemoteRefs,
) -> Result<Option<Loaded>, Note> {
    let shown = Some(project.display(&mapping.file));
    let text = match source.read(&mapping.file) {
        Ok(Some(text)) => text,
        Ok(None) => return Ok(None),
        Err(e) => {
            return Err(
                Note::error(CliRule::FILE_UNREADABLE, "", format!("{e:#}"), None).at(shown, None),
            );
        }
    };
    let mut references = Vec::new();
    let mut seen = Vec::new();
    collect_references(
        project,
        &mapping.references,
        source,
        remote,
        &mut references,
        &mut seen,
    )
    .map_err(|n| n.at(shown.clone(), None))?;
    match ParsedSchema::parse(mapping.schema_type, &text, &references) {
        Ok(parsed) => Ok(Some(Loaded { text, parsed })),
        Err(e) => Err(in_reference(project, &e, source)
            .unwrap_or_else(|| schema_error_note(&e, shown, &text))),
    }
}

/// A Protobuf error inside an imported file, placed in the project's copy of that file
/// (its line and column are that file's); `None` for any other error.
fn in_reference(project: &Project, err: &SchemaError, source: &dyn Source) -> Option<Note> {
    let SchemaError::Protobuf {
        file: Some(name), ..
    } = err
    else {
        return None;
    };
    let file = project
        .mappings
        .iter()
        .flat_map(|m| &m.references)
        .find(|r| &r.name == name)?
        .file
        .clone()?;
    let text = source.read(&file).ok().flatten().unwrap_or_default();
    Some(schema_error_note(err, Some(project.display(&file)), &text))
}

/// [`load`] for a mapping whose file must exist: a missing one is a FILE_MISSING note.
pub fn load_present(
    project: &Project,
    mapping: &Mapping,
    source: &dyn Source,
    remote: &RemoteRefs,
) -> Result<Loaded, Note> {
    load(project, mapping, source, remote)?.ok_or_else(|| {
        let missing = format!("{} does not exist", mapping.file.display());
        Note::error(CliRule::FILE_MISSING, "", missing, None)
    })
}

/// The registry's verdict messages as findings, one REGISTRY_INCOMPATIBLE note each,
/// all placed at the file `shown`. Confluent 8 (and Schemagate) follow the findings
/// with the old version's number and whole text and the level checked; those repeat
/// what the findings say and are left out.
pub fn registry_findings(messages: Vec<String>, shown: &Option<String>) -> Vec<Note> {
    let note = |m| Note::error(CliRule::REGISTRY_INCOMPATIBLE, "", m, None);
    let bookkeeping = |m: &String| {
        ["{oldSchemaVersion:", "{oldSchema:", "{validateFields:"]
            .iter()
            .any(|prefix| m.starts_with(prefix))
    };
    messages
        .into_iter()
        .filter(|m| !bookkeeping(m))
        .map(|m| note(m).at(shown.clone(), None))
        .collect()
}

/// What registering with the contract `sent` (`None`: none declared) would change in
/// the data contract of `latest`, under the subject's `config`, as one CONTRACT_CHANGED
/// note placed at `place` (where the contract is declared); `None` when nothing changes.
pub fn contract_drift(
    latest: &SubjectVersion,
    sent: Option<&Contract>,
    config: &Config,
    place: Option<String>,
) -> Option<Note> {
    let old = contract::registered(latest.metadata.as_ref(), latest.rule_set.as_ref());
    let new = contract::stored(sent, Some(&old), config);
    let changes = contract::changes(&old, &new);
    if changes.is_empty() {
        return None;
    }
    let message = format!(
        "data contract changes against version {}, the latest: {}; registering makes a new version",
        latest.version,
        changes.join("; ")
    );
    Some(Note::of(CliRule::CONTRACT_CHANGED, "", message).at(place, None))
}

/// The texts of `refs` and of what the referenced files import in turn (a referenced
/// file that is itself mapped brings its own `references`).
pub(super) fn collect_references(
    project: &Project,
    refs: &[RefSpec],
    source: &dyn Source,
    remote: &RemoteRefs,
    out: &mut Vec<Reference>,
    seen: &mut Vec<String>,
) -> Result<(), Note> {
    for r in refs {
        if seen.contains(&r.name) {
            continue;
        }
        seen.push(r.name.clone());
        let text = match &r.file {
            Some(file) => source
                .read(file)
                .map_err(|e| Note::error(CliRule::FILE_UNREADABLE, "", format!("{e:#}"), None))?
                .ok_or_else(|| {
                    Note::error(
                        CliRule::REFERENCE_MISSING,
                        "",
                        format!(
                            "reference {:?}: {} does not exist in {}",
                            r.name,
                            file.display(),
                            source.label()
                        ),
                        None,
                    )
                })?,
            None => remote.get(&r.name).cloned().ok_or_else(|| {
                Note::error(
                    CliRule::REFERENCE_MISSING,
                    "",
                    format!(
                        "reference {:?} has no local `file`, and offline checks cannot fetch subject {:?}",
                        r.name,
                        r.subject.as_ref().map_or("?", Subject::as_str)
                    ),
                    Some("add `file = \"...\"` to the reference in schemagate.toml"),
                )
            })?,
        };
        out.push(Reference::new(r.name.clone(), text));
        if let Some(file) = &r.file
            && let Some(m) = project.mappings.iter().find(|m| &m.file == file)
        {
            collect_references(project, &m.references, source, remote, out, seen)?;
        }
    }
    Ok(())
}

/// Where in the new file a finding of the core lands, as (line, column).
///
/// An engine that knows the place (Protobuf, from the `.proto` source) gives it as the
/// finding's `position`, in the text its path points into, which is preferred; JSON
/// texts are located from the pointer. Forward findings point into the old schema
/// (the reader): they are carried over to the same place in the new one, so that they
/// get a line in this file too.
fn place(
    f: &schemagate_core::Finding,
    new: &Loaded,
    history: &History,
    counterparts: &mut Counterparts<'_>,
) -> Option<(usize, usize)> {
    let own = f.position.map(|p| (p.line, p.column));
    let old = f.against.and_then(|i| history.versions.get(i));
    match (f.direction, old) {
        (Some(Direction::Forward), Some(old)) if own.is_some() => {
            crate::locate::proto_counterpart(&new.parsed, f.confluent_path.as_deref())
                .or_else(|| own.filter(|_| old.text == new.text))
        }
        (Some(Direction::Forward), Some(old)) => {
            counterparts.locate(f.against.unwrap_or_default(), &old.text, &f.path)
        }
        _ => own.or_else(|| locate(&new.text, &f.path)),
    }
}

/// The event that proves a breaking finding `f` of `new` against `history`: written by
/// the version the finding names (`against`; the latest when it names none), verified
/// by core before it is shown; `None` for a compatible finding or when the bounded
/// search finds none.
fn proof(
    new: &Loaded,
    history: &History,
    against: Option<usize>,
    f: &schemagate_core::Finding,
) -> Option<Counterexample> {
    if !f.is_breaking() {
        return None;
    }
    let old = match against {
        Some(i) => history.versions.get(i)?,
        None => history.versions.last()?,
    };
    counterexample(&old.parsed, &new.parsed, f)
}

/// What a new schema is judged against: earlier versions, oldest first, each with the
/// name a person knows it by.
pub struct History {
    /// Schemas, oldest first.
    pub versions: Vec<Loaded>,
    /// "version 3", "HEAD" ...
    pub labels: Vec<String>,
}

/// Judges `new` against `history` under `level`: findings placed at lines of the new
/// file, waivers applied, the semver bump and the semver gate.
#[allow(clippy::too_many_arguments)]
pub fn judge(
    project: Option<&Project>,
    name: &str,
    file: Option<String>,
    level: Level,
    options: CheckOptions,
    new: &Loaded,
    history: &History,
) -> Item {
    let olds: Vec<ParsedSchema> = history.versions.iter().map(|l| l.parsed.clone()).collect();
    let report = check_with(level, &new.parsed, &olds, &options);
    let mut item = Item::new(name, file.clone(), Status::Compatible);
    item.level = Some(level);
    item.schema_type = Some(new.parsed.schema_type());
    let mut counterparts = Counterparts::new(&new.text);
    for mut f in report.findings {
        // Forward findings point into the old schema (the reader): carried over to the
        // same place in the new one, so that they get a line in this file too.
        let place = place(&f, new, history, &mut counterparts);
        let against = f.against;
        // The core's index into the history means nothing to a reader of the output:
        // `compared_with` names the version instead.
        let label = f
            .against
            .take()
            .and_then(|i| history.labels.get(i).cloned());
        if project.is_some_and(|p| p.ignores.iter().any(|i| i.covers(name, &f.rule, &f.path))) {
            item.ignored += 1;
            continue;
        }
        let counterexample = proof(new, history, against, &f);
        let mut note = Note::new(f).at(file.clone(), place);
        note.compared_with = label;
        note.counterexample = counterexample;
        item.findings.push(note);
    }
    if let Some(latest) = history.versions.last() {
        let bump = bump_at(level, &latest.parsed, &new.parsed, &options);
        item.bump = Some(bump);
        let gate = project.is_none_or(|p| p.semver.enabled);
        if gate {
            let key = crate::semver::key_for(
                new.parsed.schema_type(),
                project.and_then(|p| p.semver.key.as_deref()),
            );
            if let Some(note) = crate::semver::gate(&latest.text, &new.text, &key, bump) {
                let place = locate(&new.text, &note.finding.path);
                item.findings.insert(0, note.at(file.clone(), place));
            }
        }
    }
    item.status = if item.findings.iter().any(Note::is_breaking) {
        Status::Breaking
    } else if history.versions.is_empty() {
        Status::New
    } else if item.bump == Some(Bump::None) {
        Status::Unchanged
    } else {
        Status::Compatible
    };
    item
}

#[cfg(test)]
mod place_tests {
    use schemagate_core::{Finding, Position, SchemaType};

    use super::*;
    use crate::output::{Format, Printer};
    use crate::report::{CommandName, Outcome};

    const V1: &str = "syntax = \"proto3\";\npackage shop;\n\nmessage Order {\n  string id = 1;\n  string total = 2;\n}\n";
    const V2: &str = "syntax = \"proto3\";\npackage shop;\n\n// Totals are now in cents.\nmessage Order {\n  string id = 1;\n  int32 total = 2;\n}\n";

    fn loaded(text: &str) -> Loaded {
        let parsed = ParsedSchema::parse(SchemaType::Protobuf, text, &[]).unwrap();
        Loaded {
            text: text.to_owned(),
            parsed,
        }
    }

    /// A finding as the Protobuf engine makes it: about field 2 of Order, placed.
    fn finding(direction: Direction, line: usize, column: usize) -> Finding {
        let mut f = Finding::breaking(
            "FIELD_SCALAR_KIND_CHANGED",
            "/Order/total",
            "field total changed from string to int32",
            Some("add a new field instead".to_owned()),
        );
        f.against = Some(0);
        f.direction = Some(direction);
        f.confluent_path = Some("#/Order/2".to_owned());
        f.position = Some(Position { line, column });
        f
    }

    #[test]
    fn a_position_is_preferred_and_a_forward_one_is_carried_into_the_new_text() {
        let (old, new) = (loaded(V1), loaded(V2));
        let history = History {
            versions: vec![old],
            labels: vec!["HEAD".to_owned()],
        };
        let mut counterparts = Counterparts::new(&new.text);
        let backward = finding(Direction::Backward, 7, 3);
        assert_eq!(
            place(&backward, &new, &history, &mut counterparts),
            Some((7, 3))
        );
        // Forward: the position is in the old text (line 6); the field is on line 7
        // of the new one, found from Confluent's path.
        let forward = finding(Direction::Forward, 6, 3);
        assert_eq!(
            place(&forward, &new, &history, &mut counterparts),
            Some((7, 3))
        );
        // A path the new text lacks falls back to the deepest element it has.
        let mut gone = finding(Direction::Forward, 6, 3);
        gone.confluent_path = Some("#/Order/9".to_owned());
        assert_eq!(
            place(&gone, &new, &history, &mut counterparts),
            Some((5, 1))
        );
    }

    #[test]
    fn every_format_carries_file_line_and_column_of_a_protobuf_finding() {
        let mut item = Item::new(
            "orders-value",
            Some("shop/order.proto".into()),
            Status::Breaking,
        );
        item.findings.push(
            Note::new(finding(Direction::Backward, 7, 3))
                .at(Some("shop/order.proto".into()), Some((7, 3))),
        );
        let outcome = Outcome::new(CommandName::Check, vec![item]);
        let render =
            |format| Printer::new(format, crate::output::ColorChoice::Never).render(&outcome);
        assert!(
            render(Format::Text).contains("shop/order.proto:7:3"),
            "{}",
            render(Format::Text)
        );
        assert!(
            render(Format::Junit).contains("shop/order.proto:7:3: [FIELD_SCALAR_KIND_CHANGED]")
        );
        assert!(
            render(Format::Github).contains("file=shop/order.proto,line=7,col=3"),
            "{}",
            render(Format::Github)
        );
        let json: serde_json::Value = serde_json::from_str(&render(Format::Json)).unwrap();
        let note = &json["results"][0]["findings"][0];
        assert_eq!(
            (note["line"].as_u64(), note["column"].as_u64()),
            (Some(7), Some(3)),
            "{json}"
        );
        assert_eq!(note["confluent_path"], "#/Order/2");
        let sarif: serde_json::Value = serde_json::from_str(&render(Format::Sarif)).unwrap();
        let location = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "shop/order.proto");
        assert_eq!(location["region"]["startLine"], 7);
        assert_eq!(location["region"]["startColumn"], 3);
    }
}

#[cfg(test)]
mod registry_findings_tests {
    use super::registry_findings;

    #[test]
    fn confluent_8_bookkeeping_messages_are_not_findings() {
        let messages = vec![
            "{errorType:'TYPE_MISMATCH', description:'at /fields/0/type: …', additionalInfo:''}"
                .to_owned(),
            "{oldSchemaVersion: 1}".to_owned(),
            "{oldSchema: '{\"type\":\"string\"}'}".to_owned(),
            "{validateFields: 'false', compatibility: 'BACKWARD'}".to_owned(),
        ];
        let notes = registry_findings(messages, &None);
        assert_eq!(notes.len(), 1);
    }
}
