//! Reading a registry's whole state over the Confluent REST API, as transfer records.
//!
//! Only calls every Confluent-compatible registry answers are relied on; the ones
//! some lack (`/contexts`, the DEK registry, context-level settings) read as empty
//! when answered 404. Subjects are listed with `deleted=true` and `subjectPrefix=:*:`
//! so soft-deleted subjects and every context come along; each version is read with
//! `deleted=true`, and a version missing from the plain listing is soft-deleted.
//!
//! Memory stays bounded: the small per-subject facts (version numbers, settings) are
//! gathered first, then versions are fetched with a fixed number in flight and handed
//! on in order, one at a time.

use std::collections::{BTreeMap, HashSet, VecDeque};

use anyhow::{Context as _, Result, anyhow};
use schemagate_client::{Client, Error as ClientError, Verb, segment};
use schemagate_core::transfer::{ConfigRecord, ContextRecord, ModeRecord, Record, SchemaRecord};
use serde_json::{Map, Value};
use tokio::sync::mpsc::Sender;

use super::progress::Progress;
use super::{KEKS, context_of};
use crate::registry::{bounded, explain};

/// What one subject holds, besides its schemas.
#[derive(Debug)]
struct SubjectFacts {
    subject: String,
    all: Vec<i32>,
    live: HashSet<i32>,
    config: Option<Map<String, Value>>,
    mode: Option<String>,
}

/// Reads a registry.
pub struct Scanner {
    client: Client,
    concurrency: usize,
}

/// Hands `record` on; fails when the reader has stopped (it reports why).
async fn send(sink: &Sender<Record>, record: Record) -> Result<()> {
    sink.send(record)
        .await
        .map_err(|_| anyhow!("the records' reader stopped"))
}

/// GET that reads 404 (and 422: a name another registry does not accept, such as
/// `:.__GLOBAL:`) as nothing there.
async fn get_opt(client: &Client, path: &str) -> Result<Option<Value>, ClientError> {
    match client.call(Verb::Get, path, None).await {
        Ok(v) => Ok(Some(v)),
        Err(ClientError::Registry {
            status: 404 | 422, ..
        }) => Ok(None),
        Err(e) => Err(e),
    }
}

fn versions_of(value: Option<Value>) -> Vec<i32> {
    let mut out: Vec<i32> = value
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.as_i64().and_then(|v| i32::try_from(v).ok()))
        .collect();
    out.sort_unstable();
    out
}

impl Scanner {
    /// A scanner with at most `concurrency` requests in flight.
    pub fn new(client: Client, concurrency: usize) -> Scanner {
        Scanner {
            client,
            concurrency: concurrency.max(1),
        }
    }

    /// Streams the registry's state to `sink` in transfer order: contexts, schema
    /// versions (subject by subject, versions in order), configs, modes, KEKs, DEKs.
    /// `progress` learns the number of versions once it is known. Answers the next id
    /// of each context whose registry tells its counter (`maxId`).
    pub async fn scan(
        &self,
        progress: &Progress,
        sink: &Sender<Record>,
    ) -> Result<BTreeMap<String, u32>> {
        let client = &self.client;
        let fail = |e: ClientError| anyhow!(explain(&e));
        let contexts: Vec<String> = get_opt(client, "/contexts")
            .await
            .map_err(fail)?
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default();
        let contexts: Vec<String> = contexts
            .into_iter()
            .filter(|c| c != "." && !c.is_empty())
            .collect();
        for context in &contexts {
            send(
                sink,
                Record::Context(ContextRecord {
                    context: context.clone(),
                }),
            )
            .await?;
        }
        let mut subjects: Vec<String> = client
            .call(
                Verb::Get,
                "/subjects?deleted=true&subjectPrefix=%3A%2A%3A",
                None,
            )
            .await
            .map_err(fail)
            .and_then(|v| {
                serde_json::from_value(v).context("the subject listing is not a list of names")
            })?;
        subjects.sort();
        subjects.dedup();

        let jobs = subjects.into_iter().map(|subject| {
            let client = client.clone();
            async move { subject_facts(&client, subject).await }
        });
        let facts: Vec<SubjectFacts> = bounded(self.concurrency, jobs)
            .await
            .into_iter()
            .collect::<Result<_, _>>()
            .map_err(fail)?;
        progress.set_total(facts.iter().map(|f| f.all.len() as u64).sum());

        // Versions in order with a window of requests in flight.
        let pairs: Vec<(usize, i32)> = facts
            .iter()
            .enumerate()
            .flat_map(|(i, f)| f.all.iter().map(move |v| (i, *v)))
            .collect();
        let mut wanted = pairs.into_iter();
        let mut window = VecDeque::new();
        // One id of each context, to ask its counter with.
        let mut probes: BTreeMap<String, (u32, String)> = BTreeMap::new();
        loop {
            while window.len() < self.concurrency {
                let Some((i, version)) = wanted.next() else {
                    break;
                };
                let f = &facts[i];
                let client = client.clone();
                let subject = f.subject.clone();
                let deleted = !f.live.contains(&version);
                window.push_back(tokio::spawn(async move {
                    let path = format!(
                        "/subjects/{}/versions/{version}?deleted=true",
                        segment(&subject)
                    );
                    let answer = get_opt(&client, &path).await;
                    (subject, version, deleted, answer)
                }));
            }
            let Some(next) = window.pop_front() else {
                break;
            };
            let (subject, version, deleted, answer) = next.await?;
            let Some(value) = answer.map_err(fail)? else {
                // Permanently deleted since the listing: the source is changing under
                // the export; say so rather than write a half state silently.
                progress.note(&format!(
                    "{subject} version {version} was deleted while the export ran; freeze the source (mode READONLY) for a consistent copy"
                ));
                continue;
            };
            let mut record: SchemaRecord = serde_json::from_value(value).with_context(|| {
                format!("{subject} version {version}: the answer is not a schema version")
            })?;
            probes
                .entry(context_of(&subject))
                .or_insert_with(|| (record.id, subject.clone()));
            record.subject = subject;
            record.version = version;
            record.deleted = deleted;
            send(sink, Record::Schema(record)).await?;
            progress.advance(1);
        }

        // Settings: the top level, `:.__GLOBAL:`, each context, each subject.
        let top_config = client
            .call(Verb::Get, "/config", None)
            .await
            .map_err(fail)?;
        if let Value::Object(config) = top_config {
            send(
                sink,
                Record::Config(ConfigRecord {
                    subject: None,
                    config,
                }),
            )
            .await?;
        }
        let top_mode = client.call(Verb::Get, "/mode", None).await.map_err(fail)?;
        let mut scopes: Vec<String> = vec![":.__GLOBAL:".to_owned()];
        scopes.extend(contexts.iter().map(|c| format!(":{c}:")));
        let mut modes = Vec::new();
        if let Some(mode) = top_mode.get("mode").and_then(Value::as_str) {
            modes.push((None, mode.to_owned()));
        }
        for scope in scopes {
            let (config, mode) = settings(client, &scope).await.map_err(fail)?;
            if let Some(config) = config {
                send(
                    sink,
                    Record::Config(ConfigRecord {
                        subject: Some(scope.clone()),
                        config,
                    }),
                )
                .await?;
            }
            if let Some(mode) = mode {
                modes.push((Some(scope), mode));
            }
        }
        for f in facts {
            if let Some(config) = f.config {
                send(
                    sink,
                    Record::Config(ConfigRecord {
                        subject: Some(f.subject.clone()),
                        config,
                    }),
                )
                .await?;
            }
            if let Some(mode) = f.mode {
                modes.push((Some(f.subject), mode));
            }
        }
        for (subject, mode) in modes {
            send(sink, Record::Mode(ModeRecord { subject, mode })).await?;
        }
        self.keys(sink).await?;
        let mut next_ids = BTreeMap::new();
        for (context, (id, subject)) in probes {
            let path = if context.is_empty() {
                format!("/schemas/ids/{id}?fetchMaxId=true")
            } else {
                format!(
                    "/schemas/ids/{id}?fetchMaxId=true&subject={}",
                    segment(&subject)
                )
            };
            let max = get_opt(client, &path)
                .await
                .map_err(fail)?
                .and_then(|v| v.get("maxId").and_then(Value::as_u64))
                .and_then(|m| u32::try_from(m).ok());
            if let Some(max) = max {
                next_ids.insert(context, max.saturating_add(1));
            }
        }
        Ok(next_ids)
    }

    /// KEKs and DEK versions, soft-deleted ones included; nothing when the registry
    /// has no DEK registry.
    async fn keys(&self, sink: &Sender<Record>) -> Result<()> {
        let client = &self.client;
        let fail = |e: ClientError| anyhow!(explain(&e));
        let Some(names) = get_opt(client, &format!("{KEKS}?deleted=true"))
            .await
            .map_err(fail)?
        else {
            return Ok(());
        };
        let names: Vec<String> = serde_json::from_value(names).unwrap_or_default();
        let mut deks = Vec::new();
        for name in names {
            let kek_path = format!("{KEKS}/{}", segment(&name));
            if let Some(Value::Object(kek)) = get_opt(client, &format!("{kek_path}?deleted=true"))
                .await
                .map_err(fail)?
            {
                send(sink, Record::Kek(kek)).await?;
            }
            let subjects: Vec<String> = get_opt(client, &format!("{kek_path}/deks?deleted=true"))
                .await
                .map_err(fail)?
                .and_then(|v| serde_json::from_value(v).ok())
                .unwrap_or_default();
            for subject in subjects {
                let dek_path = format!("{kek_path}/deks/{}", segment(&subject));
                let versions = versions_of(
                    get_opt(client, &format!("{dek_path}/versions?deleted=true"))
                        .await
                        .map_err(fail)?,
                );
                for version in versions {
                    if let Some(Value::Object(dek)) = get_opt(
                        client,
                        &format!("{dek_path}/versions/{version}?deleted=true"),
                    )
                    .await
                    .map_err(fail)?
                    {
                        deks.push(dek);
                    }
                }
            }
        }
        // After every KEK: a DEK is created under its KEK.
        for dek in deks {
            send(sink, Record::Dek(dek)).await?;
        }
        Ok(())
    }
}

/// A scope's own configuration and mode (not inherited ones).
async fn settings(
    client: &Client,
    scope: &str,
) -> Result<(Option<Map<String, Value>>, Option<String>), ClientError> {
    let config = get_opt(
        client,
        &format!("/config/{}?defaultToGlobal=false", segment(scope)),
    )
    .await?
    .and_then(|v| match v {
        Value::Object(m) => Some(m),
        _ => None,
    });
    let mode = get_opt(
        client,
        &format!("/mode/{}?defaultToGlobal=false", segment(scope)),
    )
    .await?
    .and_then(|v| v.get("mode").and_then(Value::as_str).map(str::to_owned));
    Ok((config, mode))
}

async fn subject_facts(client: &Client, subject: String) -> Result<SubjectFacts, ClientError> {
    let path = format!("/subjects/{}/versions", segment(&subject));
    let all = versions_of(get_opt(client, &format!("{path}?deleted=true")).await?);
    let live: HashSet<i32> = versions_of(get_opt(client, &path).await?)
        .into_iter()
        .collect();
    let (config, mode) = settings(client, &subject).await?;
    Ok(SubjectFacts {
        subject,
        all,
        live,
        config,
        mode,
    })
}
