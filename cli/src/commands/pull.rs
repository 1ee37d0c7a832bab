//! `schemagate pull [SUBJECT...]`: the latest registered schema of each subject,
//! written to its mapped file (or to `--dir` for unmapped subjects), laid out for
//! review, and its data contract written to the sidecar next to it
//! (`<schema file>.contract.json`). A file that already holds the same schema, or the
//! same contract, is left as it is, byte for byte.
//!
//! Pull removes no file. A version without a contract leaves no sidecar, and a sidecar
//! already there is kept and reported: Confluent carries a contract over to every later
//! version once one is set, so a sidecar beside a version without one is almost always
//! a contract written and not yet registered, which deleting would lose. A contract
//! declared in schemagate.toml is not written anywhere (pull does not edit the project
//! file); a difference from the registry's is reported instead.

use std::path::{Path, PathBuf};

use anyhow::Result;
use schemagate_client::{Client, SubjectVersion};
use schemagate_core::schema::protobuf::PrintOptions;
use schemagate_core::{ParsedSchema, SchemaType, Subject};

use crate::cli::{Global, PullArgs};
use crate::contract::{self, Origin};
use crate::pretty::pretty;
use crate::project::{Mapping, Project, display_path};
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
        items.push(pull_one(&client, &project, args, subject.as_str()).await);
    }
    Ok(Outcome::new(CommandName::Pull, items))
}

async fn pull_one(client: &Client, project: &Project, args: &PullArgs, subject: &str) -> Item {
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
            return Item::error(
                subject,
                None,
                Note::error(CliRule::REGISTRY_ERROR, "", message, None),
            );
        }
    };
    let path: PathBuf = match mapping {
        Some(m) => project.root.join(&m.file),
        None => {
            let ext = match found.schema_type {
                SchemaType::Avro => "avsc",
                SchemaType::Protobuf => "proto",
                _ => "json",
            };
            match import_path(subject, found.schema_type) {
                Some(path) => args.dir.join(path),
                None => args.dir.join(format!("{}.{ext}", file_stem(subject))),
            }
        }
    };
    let shown = display_path(&path);
    let mut item = Item::new(subject, Some(shown.clone()), Status::Unchanged);
    item.id = Some(found.id);
    item.version = Some(found.version);
    item.schema_type = Some(found.schema_type);
    let schema_written = match write_schema(client, &found, &path).await {
        Ok(written) => written,
        Err(note) => return Item::error(subject, Some(shown), note),
    };
    let contract_written = match mapping.filter(|m| m.contract.is_some()) {
        Some(m) => {
            if let Err(e) = compare_declared(client, project, m, &found, &mut item).await {
                return registry::failed(subject, Some(shown), &e);
            }
            false
        }
        None => match write_contract(&found, &path, &mut item) {
            Ok(written) => written,
            Err(note) => return Item::error(subject, Some(shown), note),
        },
    };
    if schema_written || contract_written {
        item.status = Status::Written;
    }
    item
}

/// Writes the schema of `found` to `path` unless the file holds the same schema;
/// whether it wrote.
async fn write_schema(client: &Client, found: &SubjectVersion, path: &Path) -> Result<bool, Note> {
    // The registry keeps a compact canonical text; rewriting a file that already holds
    // the same schema would only churn its formatting. Both are read with the
    // registered version's references, without which a schema that imports a named
    // type would not parse and would look different.
    let refs = client
        .resolve_references(&found.references)
        .await
        .map_err(|e| Note::error(CliRule::REGISTRY_ERROR, "", registry::explain(&e), None))?;
    let registered = ParsedSchema::parse(found.schema_type, &found.schema, &refs);
    let same = std::fs::read_to_string(path).ok().is_some_and(|current| {
        match (
            ParsedSchema::parse(found.schema_type, &current, &refs),
            &registered,
        ) {
            (Ok(a), Ok(b)) => a.canonical() == b.canonical(),
            _ => false,
        }
    });
    if same {
        return Ok(false);
    }
    let text = match registered.as_ref().ok().and_then(ParsedSchema::as_protobuf) {
        // A schema registered as a base64 descriptor (as confluent-kafka-python
        // registers them) is written as the `.proto` text it describes.
        Some(proto) if !proto.from_text() => proto.print(&PrintOptions::default()),
        Some(_) => found.schema.clone(),
        None => pretty(&found.schema).unwrap_or_else(|| found.schema.clone()),
    };
    write(path, &text)?;
    Ok(true)
}

/// Writes the contract of `found` to the sidecar of `schema_path` unless it holds the
/// same one; whether it wrote. Removes nothing (see the module's comment).
fn write_contract(
    found: &SubjectVersion,
    schema_path: &Path,
    item: &mut Item,
) -> Result<bool, Note> {
    let sidecar = contract::sidecar_of(schema_path);
    let shown = display_path(&sidecar);
    let registered = contract::registered(found.metadata.as_ref(), found.rule_set.as_ref());
    let current = std::fs::read_to_string(&sidecar).ok();
    if registered.is_empty() {
        if current.is_some() {
            item.add_detail(format!(
                "{shown} kept: version {} has no data contract, so `register` would send the file's (delete it if the registry is right)",
                found.version
            ));
        }
        return Ok(false);
    }
    let same = current
        .and_then(|text| serde_json::from_str(&text).ok())
        .and_then(|value| contract::from_json(&value).ok())
        .is_some_and(|c| c == registered);
    if same {
        return Ok(false);
    }
    write(&sidecar, &contract::to_text(&registered))?;
    item.add_detail(format!("data contract written to {shown}"));
    Ok(true)
}

/// For a contract declared in schemagate.toml: says whether the registry stores what
/// registering it would store, without editing the project file.
async fn compare_declared(
    client: &Client,
    project: &Project,
    m: &Mapping,
    found: &SubjectVersion,
    item: &mut Item,
) -> Result<(), schemagate_client::Error> {
    let Some(declared) = &m.contract else {
        return Ok(());
    };
    let config = client.config(Some(m.subject.as_str()), true).await?;
    let registered = contract::registered(found.metadata.as_ref(), found.rule_set.as_ref());
    let wanted = contract::stored(Some(declared), Some(&registered), &config);
    let changes = contract::changes(&registered, &wanted);
    let origin = Origin::Project {
        file: display_path(&project.file),
        entry: m.entry.clone(),
    };
    if changes.is_empty() {
        item.add_detail(format!("data contract as declared in {origin}"));
        return Ok(());
    }
    let message = format!(
        "version {}'s data contract is not the one {origin} declares, and pull does not edit {} (registry -> declared): {}",
        found.version,
        origin.file(),
        changes.join("; ")
    );
    item.findings.push(
        Note::of(CliRule::CONTRACT_CHANGED, "", message).at(Some(origin.file().to_owned()), None),
    );
    Ok(())
}

/// Writes `text` to `path`, creating its directory; a failure is a FILE_UNWRITABLE note.
fn write(path: &Path, text: &str) -> Result<(), Note> {
    let shown = display_path(path);
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(path, text))
        .map_err(|e| {
            Note::error(
                CliRule::FILE_UNWRITABLE,
                "",
                format!("cannot write {shown}: {e}"),
                None,
            )
        })
}

/// A Protobuf subject named by an import path (`shop/v1/customer.proto`, as
/// Confluent's serializers name a referenced file's subject): that path, so the pulled
/// files import one another from `--dir`. Only plain relative paths qualify; anything
/// that could leave the directory is a flat file name instead.
fn import_path(subject: &str, schema_type: SchemaType) -> Option<PathBuf> {
    let plain = |part: &str| {
        !part.is_empty()
            && !part.starts_with('.')
            && part
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    (schema_type == SchemaType::Protobuf
        && subject.ends_with(".proto")
        && subject.split('/').all(plain))
    .then(|| PathBuf::from(subject))
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
