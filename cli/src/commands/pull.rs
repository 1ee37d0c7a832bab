//! `schemagate pull [SUBJECT...]`: the latest registered schema of each subject,
//! written to its mapped file (or to `--dir` for unmapped subjects), laid out for
//! review. A file that already holds the same schema is left as it is, byte for byte.

use std::path::PathBuf;

use anyhow::Result;
use schemagate_core::{ParsedSchema, SchemaType, Subject};

use crate::cli::{Global, PullArgs};
use crate::pretty::pretty;
use crate::project::{Project, display_path};
use crate::registry;
use crate::report::{CommandName, Item, Note, Outcome, Status};
use crate::rules::CliRule;

/// Runs the command.
pub async fn run(global: &Global, args: &PullArgs) -> Result<Outcome> {
    let project = Project::discover(global.project.as_deref())?;
    let client = registry::connect(global, &project).await?;
    let subjects: Vec<Subject> = if args.subjects.is_empty() {
        project.mappings.iter().map(|m| m.subject.clone()).collect()
    } else {
        args.subjects.clone()
    };
    let mut items = Vec::new();
    for subject in &subjects {
        let subject = subject.as_str();
        let mapping = project.mapping(subject);
        let found = match client.latest(subject).await {
            Ok(found) => found,
            Err(e) => {
                let message = if e.is_not_found() {
                    format!(
                        "subject {subject:?} is not registered in {}",
                        client.base_url()
                    )
                } else {
                    registry::explain(&e)
                };
                items.push(Item::error(
                    subject,
                    None,
                    Note::error(CliRule::REGISTRY_ERROR, "", message, None),
                ));
                continue;
            }
        };
        let path: PathBuf = match mapping {
            Some(m) => project.root.join(&m.file),
            None => {
                let ext = if found.schema_type == SchemaType::Avro {
                    "avsc"
                } else {
                    "json"
                };
                args.dir.join(format!("{}.{ext}", file_stem(subject)))
            }
        };
        let shown = display_path(&path);
        let mut item = Item::new(subject, Some(shown.clone()), Status::Written);
        item.id = Some(found.id);
        item.version = Some(found.version);
        item.schema_type = Some(found.schema_type);
        // The registry keeps a compact canonical text; rewriting a file that already
        // holds the same schema would only churn its formatting. Both are read with the
        // registered version's references, without which a schema that imports a
        // named type would not parse and would look different.
        let refs = match client.resolve_references(&found.references).await {
            Ok(refs) => refs,
            Err(e) => {
                items.push(registry::failed(subject, Some(shown), &e));
                continue;
            }
        };
        let same = std::fs::read_to_string(&path).ok().is_some_and(|current| {
            match (
                ParsedSchema::parse(found.schema_type, &current, &refs),
                ParsedSchema::parse(found.schema_type, &found.schema, &refs),
            ) {
                (Ok(a), Ok(b)) => a.canonical() == b.canonical(),
                _ => false,
            }
        });
        if same {
            item.status = Status::Unchanged;
            items.push(item);
            continue;
        }
        let written = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| {
                let text = pretty(&found.schema).unwrap_or_else(|| found.schema.clone());
                std::fs::write(&path, text)
            });
        if let Err(e) = written {
            item = Item::error(
                subject,
                Some(shown.clone()),
                Note::error(
                    CliRule::FILE_UNWRITABLE,
                    "",
                    format!("cannot write {shown}: {e}"),
                    None,
                ),
            );
        }
        items.push(item);
    }
    Ok(Outcome::new(CommandName::Pull, items))
}

/// A subject as a file name: path separators and other awkward characters become `_`.
fn file_stem(subject: &str) -> String {
    subject
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}
