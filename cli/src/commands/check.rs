//! `schemagate check`: every mapped schema against the registry (its level, its
//! history, judged by the core so findings are structured; its data contract compared
//! with the latest version's, which is never a breaking change), or offline `--against`
//! a git revision or a directory (schemas only).

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Result;
use schemagate_client::{Client, SubjectVersion, VersionSpec};
use schemagate_core::contract::Metadata;
use schemagate_core::{Level, ParsedSchema};

use super::{
    Disk, History, Loaded, Prefetched, RemoteRefs, Source, contract_drift, judge, load,
    load_present, registry_findings,
};
use crate::cli::{CheckArgs, Global};
use crate::contract::{self, Contract};
use crate::project::{Mapping, Project};
use crate::registry;
use crate::report::{CommandName, Item, Note, Outcome, Status};
use crate::rules::CliRule;

/// Runs the command.
pub async fn run(global: &Global, args: &CheckArgs) -> Result<Outcome> {
    let project = Project::discover(global.project.as_deref())?;
    let selected = project.select(&args.subjects)?;
    let today = crate::accept::today()?;
    let outcome = match &args.against {
        Some(against) => offline(&project, &selected, against)?,
        None => online(global, &project, &selected).await?,
    };
    Ok(crate::accept::apply(
        &project.accepts,
        &crate::project::display_path(&project.file),
        outcome,
        today,
    ))
}

fn offline(project: &Project, selected: &[&Mapping], against: &str) -> Result<Outcome> {
    let dir = PathBuf::from(against);
    let old_source: Box<dyn Source> = if dir.is_dir() {
        Box::new(DirSource {
            root: dir,
            label: against.to_owned(),
        })
    } else {
        let mut files: Vec<PathBuf> = project.mappings.iter().map(|m| m.file.clone()).collect();
        files.extend(
            project
                .mappings
                .iter()
                .flat_map(|m| m.references.iter().filter_map(|r| r.file.clone())),
        );
        files.sort();
        files.dedup();
        Box::new(Prefetched {
            texts: crate::git::read_at(&project.root, against, &files)?,
            label: against.to_owned(),
        })
    };
    let now = Disk(&project.root);
    let none = RemoteRefs::new();
    let items = selected
        .iter()
        .map(|m| {
            let shown = Some(project.display(&m.file));
            let new = match load_present(project, m, &now, &none) {
                Ok(new) => new,
                Err(note) => return Item::error(m.subject.as_str(), shown, note),
            };
            let versions = match load(project, m, old_source.as_ref(), &none) {
                Ok(Some(old)) => vec![old],
                Ok(None) => Vec::new(),
                Err(mut note) => {
                    note.finding.message =
                        format!("at {}: {}", old_source.label(), note.finding.message);
                    note.file = None;
                    note.line = None;
                    return Item::error(m.subject.as_str(), shown, note);
                }
            };
            let history = History {
                labels: vec![old_source.label(); versions.len()],
                versions,
            };
            let mut item = judge(
                Some(project),
                m.subject.as_str(),
                shown,
                m.level,
                m.check_options(),
                &new,
                &history,
            );
            if item.status == Status::New {
                item.detail = Some(format!("not in {}", old_source.label()));
            }
            item
        })
        .collect();
    Ok(Outcome::new(CommandName::Check, items))
}

/// Old files from another directory laid out like the project.
struct DirSource {
    root: PathBuf,
    label: String,
}

impl Source for DirSource {
    fn read(&self, file: &std::path::Path) -> Result<Option<String>> {
        Disk(&self.root).read(file)
    }
    fn label(&self) -> String {
        self.label.clone()
    }
}

async fn online(global: &Global, project: &Project, selected: &[&Mapping]) -> Result<Outcome> {
    let client = registry::connect(global, project).await?;
    let project = Arc::new(project.clone());
    let jobs = selected.iter().map(|m| {
        let (client, project, mapping) = (client.clone(), Arc::clone(&project), (*m).clone());
        async move { check_one(&client, &project, &mapping).await }
    });
    let items = registry::bounded(registry::concurrency(&project), jobs).await;
    Ok(Outcome::new(CommandName::Check, items))
}

pub(super) async fn check_one(client: &Client, project: &Project, m: &Mapping) -> Item {
    let shown = Some(project.display(&m.file));
    let network =
        |e: &schemagate_client::Error| registry::failed(m.subject.as_str(), shown.clone(), e);
    let remote = match remote_references(client, m).await {
        Ok(r) => r,
        Err(e) => return network(&e),
    };
    let new = match load_present(project, m, &Disk(&project.root), &remote) {
        Ok(new) => new,
        Err(note) => return Item::error(m.subject.as_str(), shown, note),
    };
    let declared = match contract::declared(project, m) {
        Ok(d) => d,
        Err(note) => return Item::error(m.subject.as_str(), shown, note),
    };
    let sent = declared
        .as_ref()
        .map(|d| &d.contract)
        .filter(|c| !c.is_empty());
    // One request for the level and the contract settings (defaults, overrides, the
    // compatibility group) that decide what registration would store and compare.
    let config = match client.config(Some(m.subject.as_str()), true).await {
        Ok(config) => config,
        Err(e) => return network(&e),
    };
    let held = match config.compatibility_level {
        Some(level) => level,
        None => match client.level(Some(m.subject.as_str())).await {
            Ok(level) => level,
            Err(e) => return network(&e),
        },
    };
    // A declared level is the one `register` applies before it registers: judging
    // under it gives the verdict registration will give, and the offline one.
    let level = m.declared_level.unwrap_or(held);
    let group = config.compatibility_group.as_deref();
    // A compatibility group picks its versions by their metadata, so every version is
    // needed to find the latest of the group.
    let numbers = if level.is_transitive() || group.is_some() {
        match client.versions(m.subject.as_str()).await {
            Ok(v) => v.into_iter().map(VersionSpec::Number).collect(),
            Err(e) if e.is_not_found() => Vec::new(),
            Err(e) => return network(&e),
        }
    } else {
        vec![VersionSpec::Latest]
    };
    let mut registered: Vec<Arc<SubjectVersion>> = Vec::new();
    for v in numbers {
        match client.version(m.subject.as_str(), v).await {
            Ok(found) => registered.push(found),
            Err(e) if e.is_not_found() => {}
            Err(e) => return network(&e),
        }
    }
    let Some(latest) = registered.last().cloned() else {
        let mut item =
            Item::new(m.subject.as_str(), shown, Status::New).detail("not in the registry yet");
        item.level = Some(level);
        item.schema_type = Some(new.parsed.schema_type());
        return item;
    };
    let latest_contract = contract::registered(latest.metadata.as_ref(), latest.rule_set.as_ref());
    let stored = contract::stored(sent, Some(&latest_contract), &config);
    let mut group_detail = None;
    if let Some(group) = group {
        // Confluent compares a new schema only with the versions whose metadata has the
        // same value of the group's property (absent matching absent).
        let value = Metadata::group_value(stored.metadata.as_ref(), group);
        registered.retain(|r| Metadata::group_value(r.metadata.as_ref(), group) == value);
        if !level.is_transitive() && registered.len() > 1 {
            registered.drain(..registered.len() - 1);
        }
        let shown_value = value.map_or("absent".to_owned(), |v| format!("{v:?}"));
        group_detail = Some(match registered.last() {
            None => format!(
                "no version in compatibility group {group} = {shown_value} yet (the latest, version {}, is in another)",
                latest.version
            ),
            Some(_) => format!("compatibility group {group} = {shown_value}"),
        });
    }
    let judged: Vec<String> = registered.iter().map(|r| r.version.to_string()).collect();
    let latest_judged = registered.last().map(|r| r.version);
    let mut history = History {
        versions: Vec::new(),
        labels: Vec::new(),
    };
    for r in &registered {
        let parsed = match client.resolve_references(&r.references).await {
            Ok(refs) => ParsedSchema::parse(r.schema_type, &r.schema, &refs).ok(),
            Err(e) => return network(&e),
        };
        match parsed {
            Some(parsed) => {
                history.versions.push(Loaded {
                    text: r.schema.clone(),
                    parsed,
                });
                history.labels.push(format!("version {}", r.version));
            }
            // A registered schema the core cannot read (another registry's dialect,
            // Protobuf): let the registry judge, with its own words.
            None => return remote_verdict(client, project, m, shown, level, &new, sent).await,
        }
    }
    let mut item = judge(
        Some(project),
        m.subject.as_str(),
        shown.clone(),
        level,
        m.check_options(),
        &new,
        &history,
    );
    if let Some(v) = latest_judged {
        let latest_of = if v == latest.version {
            "the latest"
        } else {
            "the latest of its compatibility group"
        };
        item.detail = Some(match item.status {
            Status::Unchanged => format!("registered as version {v}, {latest_of}"),
            _ if level.is_transitive() && group.is_some() => format!(
                "against versions {}, those of its compatibility group",
                judged.join(", ")
            ),
            _ if level.is_transitive() => format!("against versions 1..{v}, all of them"),
            _ => format!("against version {v}, {latest_of}"),
        });
    }
    if let Some(detail) = group_detail {
        item.add_detail(detail);
    }
    // A contract is part of a version's identity but not of compatibility: a change is
    // said, never counted as breaking, and turns "unchanged" into a new version.
    let place = declared
        .as_ref()
        .map(|d| d.origin.file().to_owned())
        .or(shown);
    if let Some(note) = contract_drift(&latest, sent, &config, place) {
        if project
            .ignores
            .iter()
            .any(|i| i.covers(m.subject.as_str(), CliRule::CONTRACT_CHANGED.as_str(), ""))
        {
            item.ignored += 1;
        } else {
            if item.status == Status::Unchanged {
                item.status = Status::Compatible;
                item.detail = Some(format!(
                    "the schema of version {}, the latest, with another data contract",
                    latest.version
                ));
            }
            item.findings.push(note);
        }
    }
    let body = super::register::body(client, project, m, &new, sent).await;
    // The registry's own verdict, asked as `register` would be judged: under the level
    // it holds, so only when that is the level judged here. The local engine's verdict
    // stays the gate; a registry that disagrees (another implementation) is said.
    if level == held
        && let Ok(body) = &body
    {
        match client
            .check_compatibility(m.subject.as_str(), None, body, true)
            .await
        {
            Ok(answer) => {
                if let Some(note) = disagreement(&item, answer.is_compatible, &answer.messages) {
                    item.findings.push(note);
                } else {
                    item.add_detail("the registry agrees".to_owned());
                }
            }
            Err(e) => item.add_detail(format!("the registry's own verdict is unknown: {e}")),
        }
    }
    // A file that is an older registered version breaks against the latest while
    // `register` calls it registered: say both, so the two do not seem to disagree.
    if item.status != Status::Unchanged
        && let Ok(body) = &body
        && let Ok(Some(found)) = client.lookup(m.subject.as_str(), body).await
        && found.version != latest.version
    {
        let older = format!(
            "the file is registered version {}, not the latest: `register` changes nothing",
            found.version
        );
        item.add_detail(older);
    }
    if level != held {
        let pending = pending_level(level, held);
        item.add_detail(pending);
    }
    item
}

/// A note when the registry's verdict is not the local engine's: it judged the
/// schema compatible and the engine found breaking changes, or the other way round.
fn disagreement(item: &Item, registry_compatible: bool, messages: &[String]) -> Option<Note> {
    // The CLI's own findings (the semver gate) are nothing a registry judges.
    let local_compatible = !item
        .findings
        .iter()
        .any(|n| n.is_breaking() && crate::rules::rule(&n.finding.rule).is_none());
    if local_compatible == registry_compatible {
        return None;
    }
    let message = if registry_compatible {
        "the registry judges this schema compatible, and schemagate's engine finds breaking changes: `register` would be accepted, and readers may still fail; the check follows the engine".to_owned()
    } else {
        let said: Vec<&str> = messages.iter().take(3).map(String::as_str).collect();
        let said = if said.is_empty() {
            "no reason given".to_owned()
        } else {
            said.join("; ")
        };
        format!(
            "the registry judges this schema incompatible, and schemagate's engine finds no breaking change: `register` would be refused (the registry says: {said})"
        )
    };
    Some(Note::of(CliRule::REGISTRY_DISAGREES, "", message))
}

/// What a check says when the project declares another level than the registry holds.
fn pending_level(declared: Level, held: Level) -> String {
    format!(
        "schemagate.toml declares {declared}, the registry holds {held} until `schemagate register` applies it"
    )
}

/// Texts of references that have no local file, from the registry.
async fn remote_references(
    client: &Client,
    m: &Mapping,
) -> Result<RemoteRefs, schemagate_client::Error> {
    let mut out = RemoteRefs::new();
    for r in m.references.iter().filter(|r| r.file.is_none()) {
        let Some(subject) = &r.subject else { continue };
        let spec = r.version.map_or(VersionSpec::Latest, VersionSpec::Number);
        let found = client.version(subject.as_str(), spec).await?;
        out.insert(r.name.clone(), found.schema.clone());
    }
    Ok(out)
}

async fn remote_verdict(
    client: &Client,
    project: &Project,
    m: &Mapping,
    shown: Option<String>,
    level: Level,
    new: &Loaded,
    sent: Option<&Contract>,
) -> Item {
    let body = match super::register::body(client, project, m, new, sent).await {
        Ok(b) => b,
        Err(e) => {
            return registry::failed(m.subject.as_str(), shown, &e);
        }
    };
    match client
        .check_compatibility(m.subject.as_str(), None, &body, true)
        .await
    {
        Ok(answer) => {
            let mut item = Item::new(
                m.subject.as_str(),
                shown.clone(),
                if answer.is_compatible {
                    Status::Compatible
                } else {
                    Status::Breaking
                },
            )
            .detail("judged by the registry");
            item.level = Some(level);
            item.findings = registry_findings(answer.messages, &shown);
            item
        }
        Err(e) => registry::failed(m.subject.as_str(), shown, &e),
    }
}
