//! `schemagate diff OLD NEW`: two files, no project needed; the findings and the
//! semver bump the change implies. Inside a project, a file the project maps brings
//! its references (read from their files on disk), its subject's policies (unless
//! `--policy` says otherwise) and the project's waivers.

use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use schemagate_core::{CheckOptions, ParsedSchema, Reference, SchemaType};

use super::{Disk, History, Loaded, RemoteRefs, collect_references, judge};
use crate::cli::{DiffArgs, Global, PolicyArg};
use crate::project::{Mapping, Project, display_path, infer_type};
use crate::report::{CommandName, Item, Note, Outcome, schema_error_note};

/// Runs the command.
pub fn run(global: &Global, args: &DiffArgs) -> Result<Outcome> {
    let read = |p: &std::path::Path| {
        std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))
    };
    let (old_text, new_text) = (read(&args.old)?, read(&args.new)?);
    let schema_type = match args.schema_type {
        Some(t) => t,
        None => infer_type(&args.new, &new_text)
            .or_else(|| infer_type(&args.old, &old_text))
            .ok_or_else(|| {
                anyhow!(
                    "cannot tell the schema type of {}; pass --type AVRO, --type JSON or --type PROTOBUF",
                    args.new.display()
                )
            })?,
    };
    let given = options(args.policy, schema_type)?;
    let (old_shown, new_shown) = (display_path(&args.old), display_path(&args.new));
    let name = format!("{old_shown} -> {new_shown}");
    // A project brings its waivers, semver key and references; diff works without
    // one, but a project named with --project must load.
    let project = match &global.project {
        Some(path) => Some(Project::discover(Some(path))?),
        None => Project::discover(None).ok(),
    };
    // Both files import what the project maps for either (the new file's mapping
    // first): an old copy kept elsewhere imports the same names.
    let mapping = project
        .as_ref()
        .and_then(|p| mapping_of(p, &args.new).or_else(|| mapping_of(p, &args.old)));
    let references = match (&project, mapping) {
        (Some(p), Some(m)) => match references(p, m) {
            Ok(refs) => refs,
            Err(note) => {
                let shown = display_path(&args.new);
                return Ok(Outcome::new(
                    CommandName::Diff,
                    vec![Item::error(
                        name,
                        Some(shown.clone()),
                        note.at(Some(shown), None),
                    )],
                ));
            }
        },
        _ => Vec::new(),
    };
    // Without --policy, a mapped file is judged under its subject's policies, as
    // `check` judges it.
    let options = match mapping {
        Some(m) if args.policy.is_none() => m.check_options(),
        _ => given,
    };
    // A text that does not parse ends the diff with an outcome that says why.
    let load =
        |text: String, shown: &str| match ParsedSchema::parse(schema_type, &text, &references) {
            Ok(parsed) => Ok(Loaded { text, parsed }),
            Err(e) => {
                let note = schema_error_note(&e, Some(shown.to_owned()), &text);
                let item = Item::error(name.clone(), Some(shown.to_owned()), note);
                Err(Outcome::new(CommandName::Diff, vec![item]))
            }
        };
    let old = match load(old_text, &old_shown) {
        Ok(old) => old,
        Err(outcome) => return Ok(outcome),
    };
    let new = match load(new_text, &new_shown) {
        Ok(new) => new,
        Err(outcome) => return Ok(outcome),
    };
    let history = History {
        versions: vec![old],
        labels: vec![old_shown],
    };
    let item = judge(
        project.as_ref(),
        &name,
        Some(new_shown),
        args.level,
        options,
        &new,
        &history,
    );
    Ok(Outcome::new(CommandName::Diff, vec![item]))
}

/// The check options `--policy` gives for a schema of `schema_type`: a policy of the
/// other family is refused, naming the ones that apply.
fn options(policy: Option<PolicyArg>, schema_type: SchemaType) -> Result<CheckOptions> {
    let mut options = CheckOptions::default();
    match (policy, schema_type) {
        (None, _) => {}
        (Some(PolicyArg::Protobuf(p)), SchemaType::Protobuf) => options.protobuf = p,
        (Some(PolicyArg::Json(p)), t) if t != SchemaType::Protobuf => options.policy = p,
        (Some(PolicyArg::Json(p)), _) => bail!(
            "--policy {}: the files are Protobuf, whose policies are confluent (the default), wire-json and file",
            format!("{p:?}").to_lowercase()
        ),
        (Some(PolicyArg::Protobuf(p)), t) => bail!(
            "--policy {}: the files are {t}, whose policies are strict (the default) and lenient",
            p.as_str()
        ),
    }
    Ok(options)
}

/// The mapping of `file` (a path as given on the command line), if the project maps it.
fn mapping_of<'p>(project: &'p Project, file: &Path) -> Option<&'p Mapping> {
    let file = file.canonicalize().ok()?;
    project
        .mappings
        .iter()
        .find(|m| project.root.join(&m.file).canonicalize().ok().as_ref() == Some(&file))
}

/// The texts `mapping` imports, from the project's files on disk.
fn references(project: &Project, mapping: &Mapping) -> Result<Vec<Reference>, Note> {
    let (mut out, mut seen) = (Vec::new(), Vec::new());
    collect_references(
        project,
        &mapping.references,
        &Disk(&project.root),
        &RemoteRefs::new(),
        &mut out,
        &mut seen,
    )?;
    Ok(out)
}
