//! `schemagate diff OLD NEW`: two files, no project needed; the findings and the
//! semver bump the change implies.

use anyhow::{Context, Result, anyhow};
use schemagate_core::ParsedSchema;

use super::{History, Loaded, judge};
use crate::cli::DiffArgs;
use crate::project::{Project, display_path, infer_type};
use crate::report::{CommandName, Item, Outcome, schema_error_note};

/// Runs the command.
pub fn run(args: &DiffArgs) -> Result<Outcome> {
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
                    "cannot tell the schema type of {}; pass --type AVRO or --type JSON",
                    args.new.display()
                )
            })?,
    };
    let (old_shown, new_shown) = (display_path(&args.old), display_path(&args.new));
    let name = format!("{old_shown} -> {new_shown}");
    // A project, when there is one, brings its waivers and semver key; diff works
    // without one.
    let project = Project::discover(None).ok();
    // A text that does not parse ends the diff with an outcome that says why.
    let load = |text: String, shown: &str| match ParsedSchema::parse(schema_type, &text, &[]) {
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
        args.policy,
        &new,
        &history,
    );
    Ok(Outcome::new(CommandName::Diff, vec![item]))
}
