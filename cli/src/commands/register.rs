//! `schemagate register [--dry-run]`: publish every mapped schema, referenced ones
//! first, each with the data contract declared for it (validated before anything is
//! sent). Idempotent: a schema the subject already holds with the same contract is
//! reported with its id and version and not sent again; a new contract on the same
//! schema is a new version, and the output says what changes.

use anyhow::Result;
use schemagate_client::{Client, SchemaBody, SchemaReference, VersionSpec};
use schemagate_core::Level;

use super::{Disk, Loaded, RemoteRefs, contract_drift, load_present, registry_findings};
use crate::cli::{Global, RegisterArgs};
use crate::contract::{self, Contract, Declared};
use crate::project::{Mapping, Project};
use crate::registry;
use crate::report::{CommandName, Item, Outcome, Status};

/// Runs the command.
pub async fn run(global: &Global, args: &RegisterArgs) -> Result<Outcome> {
    let project = Project::discover(global.project.as_deref())?;
    let selected = project.select(&args.subjects)?;
    let client = registry::connect(global, &project).await?;
    let mut items = Vec::new();
    // In dependency order and one at a time: a reference needs the version its target
    // just got.
    for m in dependency_order(&project, selected) {
        items.push(register_one(&client, &project, m, args.dry_run).await);
    }
    Ok(Outcome::new(CommandName::Register, items))
}

/// Mappings ordered so that every referenced mapped file comes before its referrers;
/// a cycle (which no registry accepts anyway) keeps file order.
fn dependency_order<'a>(project: &'a Project, selected: Vec<&'a Mapping>) -> Vec<&'a Mapping> {
    let referenced = |m: &Mapping| -> Vec<&'a str> {
        m.references
            .iter()
            .filter_map(|r| match (&r.subject, &r.file) {
                (Some(s), _) => project.mapping(s.as_str()).map(|m| m.subject.as_str()),
                (None, Some(f)) => project
                    .mappings
                    .iter()
                    .find(|m| &m.file == f)
                    .map(|m| m.subject.as_str()),
                _ => None,
            })
            .collect()
    };
    let chosen: Vec<&str> = selected.iter().map(|m| m.subject.as_str()).collect();
    let mut done: Vec<&Mapping> = Vec::new();
    let mut pending = selected;
    while !pending.is_empty() {
        let before = pending.len();
        let (ready, rest): (Vec<&Mapping>, Vec<&Mapping>) = pending.into_iter().partition(|m| {
            // Subjects outside this run are taken as registered already.
            referenced(m)
                .iter()
                .all(|s| !chosen.contains(s) || done.iter().any(|d| d.subject.as_str() == *s))
        });
        done.extend(ready);
        if rest.len() == before {
            done.extend(rest);
            break;
        }
        pending = rest;
    }
    done
}

async fn register_one(client: &Client, project: &Project, m: &Mapping, dry_run: bool) -> Item {
    let shown = Some(project.display(&m.file));
    // The contract is read and validated first: a refused one stops the subject before
    // any request about it.
    let declared = match contract::declared(project, m) {
        Ok(d) => d,
        Err(note) => return Item::error(m.subject.as_str(), shown, note),
    };
    let mut item = register_schema(client, project, m, dry_run, declared.as_ref()).await;
    if let Some(d) = &declared
        && item.status != Status::Error
    {
        let (origin, summary) = (&d.origin, contract::summary(&d.contract));
        item.add_detail(match item.status {
            _ if d.contract.is_empty() => format!(
                "{origin} declares no data contract: the registry keeps the latest version's"
            ),
            Status::WouldRegister => format!("would send the data contract of {origin}: {summary}"),
            Status::Registered => format!("sent the data contract of {origin}: {summary}"),
            Status::AlreadyRegistered => format!("with the data contract of {origin}: {summary}"),
            _ => format!("the data contract of {origin} was not sent"),
        });
        item.contract = Some(d.contract.clone());
    }
    item
}

async fn register_schema(
    client: &Client,
    project: &Project,
    m: &Mapping,
    dry_run: bool,
    declared: Option<&Declared>,
) -> Item {
    let shown = Some(project.display(&m.file));
    let sent = declared.map(|d| &d.contract).filter(|c| !c.is_empty());
    let fail =
        |e: &schemagate_client::Error| registry::failed(m.subject.as_str(), shown.clone(), e);
    let mut remote = RemoteRefs::new();
    for r in m.references.iter().filter(|r| r.file.is_none()) {
        let Some(subject) = &r.subject else { continue };
        match client
            .version(
                subject.as_str(),
                r.version.map_or(VersionSpec::Latest, VersionSpec::Number),
            )
            .await
        {
            Ok(found) => {
                remote.insert(r.name.clone(), found.schema.clone());
            }
            Err(e) => return fail(&e),
        }
    }
    let loaded = match load_present(project, m, &Disk(&project.root), &remote) {
        Ok(l) => l,
        Err(note) => return Item::error(m.subject.as_str(), shown, note),
    };
    let body = match body(client, project, m, &loaded, sent).await {
        Ok(b) => b,
        Err(e) => return fail(&e),
    };
    // The level the project declares goes to the registry first, so that the registry
    // judges this version under it (and every later one, whoever registers it).
    let mut level_note = None;
    if let Some(declared) = m.declared_level {
        let held = match client.level(Some(m.subject.as_str())).await {
            Ok(level) => level,
            Err(e) => return fail(&e),
        };
        if declared != held {
            if dry_run {
                return dry_run_under(client, project, m, declared, held).await;
            }
            if let Err(e) = client.set_level(Some(m.subject.as_str()), declared).await {
                return fail(&e);
            }
            level_note = Some(format!("level set to {declared} (was {held})"));
        }
    }
    let mut item = match client.lookup(m.subject.as_str(), &body).await {
        Ok(Some(found)) => {
            let mut item = Item::new(m.subject.as_str(), shown.clone(), Status::AlreadyRegistered);
            item.id = Some(found.id);
            item.version = Some(found.version);
            // Registered, but maybe not the newest: `check` compares with the latest.
            match client.latest(m.subject.as_str()).await {
                Ok(latest) if latest.version != found.version => {
                    item.detail = Some(format!(
                        "not the latest: version {} is, and `check` compares with it",
                        latest.version
                    ));
                }
                Ok(_) => item.detail = Some("the latest version".to_owned()),
                Err(e) => return fail(&e),
            }
            item
        }
        Ok(None) => {
            // What the contract changes is known only before registering: afterwards
            // the latest version is the new one.
            let drift = match sent {
                Some(sent) => match drift_note(client, m, sent, declared).await {
                    Ok(note) => note,
                    Err(e) => return fail(&e),
                },
                None => None,
            };
            let mut item = if dry_run {
                match client
                    .check_compatibility(m.subject.as_str(), None, &body, true)
                    .await
                {
                    Ok(answer) if answer.is_compatible => {
                        Item::new(m.subject.as_str(), shown.clone(), Status::WouldRegister)
                    }
                    Ok(answer) => refused(m, shown.clone(), answer.messages),
                    Err(e) if e.is_not_found() => {
                        Item::new(m.subject.as_str(), shown.clone(), Status::WouldRegister)
                            .detail("new subject")
                    }
                    Err(e) => return fail(&e),
                }
            } else {
                match client.register_answer(m.subject.as_str(), &body).await {
                    Ok(answer) => {
                        let mut item =
                            Item::new(m.subject.as_str(), shown.clone(), Status::Registered);
                        item.id = Some(answer.id);
                        item.version = answer.version;
                        // Registries before Confluent 8 answer the id alone.
                        if item.version.is_none() {
                            match client.lookup(m.subject.as_str(), &body).await {
                                Ok(Some(found)) => item.version = Some(found.version),
                                Ok(None) => {}
                                Err(e) => return fail(&e),
                            }
                        }
                        item
                    }
                    Err(e) if e.is_incompatible() => {
                        let message = match &e {
                            schemagate_client::Error::Registry { message, .. } => message.clone(),
                            other => other.to_string(),
                        };
                        refused(m, shown.clone(), vec![message])
                    }
                    Err(e) => return fail(&e),
                }
            };
            item.findings.extend(drift);
            item
        }
        Err(e) => return fail(&e),
    };
    item.schema_type = Some(loaded.parsed.schema_type());
    if let Some(note) = level_note {
        item.add_detail(note);
    }
    item
}

/// `--dry-run` for a subject whose declared level the registry does not hold yet: the
/// registry would judge under its own level, so the verdict is the online check's,
/// under the declared one.
async fn dry_run_under(
    client: &Client,
    project: &Project,
    m: &Mapping,
    declared: Level,
    held: Level,
) -> Item {
    let mut item = super::check::check_one(client, project, m).await;
    let pending = format!("would set level {declared} (the registry holds {held}) first");
    item.status = match item.status {
        Status::Compatible | Status::New => Status::WouldRegister,
        Status::Unchanged => Status::AlreadyRegistered,
        other => other,
    };
    item.detail = Some(pending);
    item
}

fn refused(m: &Mapping, shown: Option<String>, messages: Vec<String>) -> Item {
    let mut item = Item::new(m.subject.as_str(), shown.clone(), Status::Breaking)
        .detail("refused by the registry");
    item.findings = registry_findings(messages, &shown);
    item
}

/// What the declared contract `sent` changes against the subject's latest version,
/// as a CONTRACT_CHANGED note; `None` for a new subject or no change.
async fn drift_note(
    client: &Client,
    m: &Mapping,
    sent: &Contract,
    declared: Option<&Declared>,
) -> Result<Option<crate::report::Note>, schemagate_client::Error> {
    let latest = match client.latest(m.subject.as_str()).await {
        Ok(latest) => latest,
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(e),
    };
    let config = client.config(Some(m.subject.as_str()), true).await?;
    let place = declared.map(|d| d.origin.file().to_owned());
    Ok(contract_drift(&latest, Some(sent), &config, place))
}

/// The register/check body for a mapped schema: its text as written (the registry
/// canonicalises), its references pinned to registered versions, and the data
/// contract declared for it (`None`: the registry keeps the latest version's).
pub async fn body(
    client: &Client,
    project: &Project,
    m: &Mapping,
    loaded: &Loaded,
    contract: Option<&Contract>,
) -> Result<SchemaBody, schemagate_client::Error> {
    let mut references = Vec::new();
    for r in &m.references {
        let subject = r.subject.clone().or_else(|| {
            let file = r.file.as_ref()?;
            project
                .mappings
                .iter()
                .find(|x| &x.file == file)
                .map(|x| x.subject.clone())
        });
        // A reference without a subject can only be checked offline.
        let Some(subject) = subject else { continue };
        let version = match r.version {
            Some(v) => v,
            None => client.latest(subject.as_str()).await?.version,
        };
        references.push(SchemaReference {
            name: r.name.clone(),
            subject: subject.into(),
            version,
        });
    }
    let (metadata, rule_set) =
        contract.map_or((None, None), |c| (c.metadata.clone(), c.rule_set.clone()));
    Ok(SchemaBody::new(m.schema_type, loaded.text.clone())
        .with_references(references)
        .with_metadata(metadata)
        .with_rule_set(rule_set))
}
