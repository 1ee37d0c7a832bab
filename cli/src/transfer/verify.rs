//! Whether a registry holds what a source held: every version with the same id,
//! deletion, schema and data contract, every id answering the same schema, every
//! setting equal.
//!
//! Texts are compared by digest first; a version whose text differs while its id
//! matches is read again from the source and settled by the target's own identity
//! ([`same_schema`]): a registry may write one schema in other words (Confluent and
//! Schemagate shorten Avro names inside a namespace).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

use anyhow::{Result, anyhow};
use schemagate_client::{Client, Verb, segment};
use schemagate_core::transfer::{Record, SchemaRecord, records};
use serde::Serialize;
use serde_json::Value;

use super::{Entry, Index, VersionKey, open_lines, same_schema, scope_label, text_digest};
use crate::registry::{bounded, explain};

/// Most differences listed one by one; the rest are counted.
const LISTED: usize = 50;

/// Where the source's records can be read again.
pub enum Origin<'a> {
    /// Records held in memory (a folded `_schemas` dump).
    Records(&'a [Record]),
    /// A transfer file.
    File(&'a Path),
    /// A registry.
    Registry(&'a Client),
}

impl Origin<'_> {
    /// The source's versions named in `keys`.
    async fn versions(&self, keys: &HashSet<(String, i32)>) -> Result<Vec<SchemaRecord>> {
        let wanted = |s: &SchemaRecord| keys.contains(&(s.subject.clone(), s.version));
        match self {
            Origin::Records(records) => Ok(records
                .iter()
                .filter_map(|r| match r {
                    Record::Schema(s) if wanted(s) => Some(s.clone()),
                    _ => None,
                })
                .collect()),
            Origin::File(path) => {
                let mut out = Vec::new();
                for record in records(open_lines(path)?) {
                    if let Record::Schema(s) = record?
                        && wanted(&s)
                    {
                        out.push(s);
                    }
                }
                Ok(out)
            }
            Origin::Registry(client) => {
                let mut out = Vec::new();
                for (subject, version) in keys {
                    let path = format!(
                        "/subjects/{}/versions/{version}?deleted=true",
                        segment(subject)
                    );
                    let answer = client
                        .call(Verb::Get, &path, None)
                        .await
                        .map_err(|e| anyhow!(explain(&e)))?;
                    let mut record: SchemaRecord = serde_json::from_value(answer)?;
                    record.subject.clone_from(subject);
                    record.version = *version;
                    out.push(record);
                }
                Ok(out)
            }
        }
    }
}

/// The outcome of a comparison.
#[derive(Debug, Default, Serialize)]
pub struct Verification {
    /// Versions compared.
    pub versions: u64,
    /// Distinct ids read back by id.
    pub ids: u64,
    /// Settings (configurations and modes) compared.
    pub settings: u64,
    /// Texts written differently by the two registries and found to be the same
    /// schema by the target.
    pub reworded: u64,
    /// Differences found (all of them counted).
    pub differences: u64,
    /// The first differences, each a sentence.
    pub listed: Vec<String>,
    /// Subjects on the target that the source does not have (left alone).
    pub other_subjects: u64,
}

impl Verification {
    fn differ(&mut self, text: String) {
        self.differences += 1;
        if self.listed.len() < LISTED {
            self.listed.push(text);
        }
    }
}

/// Compares `actual` (the target, read back) with `wanted` (the source, readable
/// again from `origin`), then reads every id of `wanted` back from `client` by id.
pub async fn verify(
    wanted: &Index,
    actual: &Index,
    origin: Origin<'_>,
    client: &Client,
    concurrency: usize,
) -> Result<Verification> {
    let mut v = Verification::default();
    let mut keys: Vec<&(String, i32)> = wanted.versions.keys().collect();
    keys.sort();
    // Versions whose text alone differs, to settle with the target.
    let mut unsure: Vec<((String, i32), Entry)> = Vec::new();
    for key in keys {
        v.versions += 1;
        let want = wanted.versions[key];
        let (subject, version) = key;
        match actual.versions.get(key) {
            None => v.differ(format!("{subject} version {version} is missing")),
            Some(have) if have.id != want.id => v.differ(format!(
                "{subject} version {version} has id {} instead of {}",
                have.id, want.id
            )),
            Some(have) if have.contract != want.contract => v.differ(format!(
                "{subject} version {version} (id {}) has another data contract",
                want.id
            )),
            Some(have) if have.deleted != want.deleted => v.differ(format!(
                "{subject} version {version} is {} instead of {}",
                state(have.deleted),
                state(want.deleted)
            )),
            Some(have) if have.text != want.text => unsure.push((key.clone(), want)),
            Some(_) => {}
        }
    }
    let subjects: BTreeSet<&str> = wanted.versions.keys().map(|(s, _)| s.as_str()).collect();
    let mut extra: Vec<&(String, i32)> = actual
        .versions
        .keys()
        .filter(|k| subjects.contains(k.0.as_str()) && !wanted.versions.contains_key(*k))
        .collect();
    extra.sort();
    for (subject, version) in extra {
        v.differ(format!(
            "{subject} version {version} exists on the target only"
        ));
    }
    v.other_subjects = actual
        .versions
        .keys()
        .map(|(s, _)| s.as_str())
        .filter(|s| !subjects.contains(s))
        .collect::<BTreeSet<_>>()
        .len() as u64;
    settings(wanted, actual, &mut v);

    // Every id by id, as a consumer resolves it: one version of its context names it.
    // Each answer is judged inside its job, so only verdicts are held, never texts.
    let jobs = wanted.ids.iter().map(|((context, id), (digest, holder))| {
        let (client, context, id, digest, holder) = (
            client.clone(),
            context.clone(),
            *id,
            *digest,
            holder.clone(),
        );
        async move {
            let path = if context.is_empty() {
                format!("/schemas/ids/{id}")
            } else {
                format!("/schemas/ids/{id}?subject={}", segment(&holder.0))
            };
            let verdict = match client.call(Verb::Get, &path, None).await {
                Ok(Value::Object(mut body)) => {
                    body.insert("subject".into(), Value::String(holder.0.clone()));
                    body.insert("version".into(), Value::from(holder.1));
                    body.insert("id".into(), Value::from(id));
                    match serde_json::from_value::<SchemaRecord>(Value::Object(body)) {
                        Ok(record) if text_digest(&record) == digest => ById::Same,
                        Ok(_) => ById::Reworded,
                        Err(e) => ById::Differs(format!("unreadable answer ({e})")),
                    }
                }
                Ok(_) => ById::Differs("unreadable answer".into()),
                Err(e) if e.is_not_found() => ById::Differs("not found".into()),
                Err(e) => ById::Failed(explain(&e)),
            };
            (context, id, holder, verdict)
        }
    });
    let mut unsure_ids: Vec<(String, u32, VersionKey)> = Vec::new();
    for (context, id, holder, verdict) in bounded(concurrency, jobs).await {
        v.ids += 1;
        match verdict {
            ById::Same => {}
            ById::Reworded => unsure_ids.push((context, id, holder)),
            ById::Differs(what) => v.differ(format!("{}: {what}", id_place(&context, id))),
            ById::Failed(error) => return Err(anyhow!(error)),
        }
    }

    // Settle the texts that differ: the source's text, looked up on the target.
    let mut needed: HashSet<(String, i32)> = unsure.iter().map(|(k, _)| k.clone()).collect();
    needed.extend(unsure_ids.iter().map(|(_, _, holder)| holder.clone()));
    if !needed.is_empty() {
        let records: HashMap<(String, i32), SchemaRecord> = origin
            .versions(&needed)
            .await?
            .into_iter()
            .map(|r| ((r.subject.clone(), r.version), r))
            .collect();
        for ((subject, version), want) in unsure {
            let same = match records.get(&(subject.clone(), version)) {
                Some(record) => same_schema(client, &subject, version, record)
                    .await
                    .map_err(|e| anyhow!(explain(&e)))?,
                None => false,
            };
            if same {
                v.reworded += 1;
            } else {
                v.differ(format!(
                    "{subject} version {version} (id {}) holds another schema",
                    want.id
                ));
            }
        }
        for (context, id, holder) in unsure_ids {
            let same = match records.get(&holder) {
                Some(record) => same_schema(client, &holder.0, holder.1, record)
                    .await
                    .map_err(|e| anyhow!(explain(&e)))?,
                None => false,
            };
            if !same {
                v.differ(format!("{} answers another schema", id_place(&context, id)));
            }
        }
    }
    Ok(v)
}

/// What reading one id back showed.
enum ById {
    /// The schema the source's id names.
    Same,
    /// Another text: to settle with the target's lookup.
    Reworded,
    /// Missing or unreadable.
    Differs(String),
    /// The target could not be asked.
    Failed(String),
}

/// Configurations, modes, KEKs and DEKs.
fn settings(wanted: &Index, actual: &Index, v: &mut Verification) {
    for (scope, want) in &wanted.configs {
        v.settings += 1;
        if actual.configs.get(scope) != Some(want) {
            v.differ(format!(
                "the configuration of {} differs",
                scope_label(scope.as_deref())
            ));
        }
    }
    let mut modes: BTreeMap<&Option<String>, &str> =
        wanted.modes.iter().map(|(k, m)| (k, m.as_str())).collect();
    modes.entry(&None).or_insert("READWRITE");
    for (scope, want) in modes {
        v.settings += 1;
        let have = actual.modes.get(scope).map(String::as_str);
        if have != Some(want) {
            v.differ(format!(
                "the mode of {} is {} instead of {want}",
                scope_label(scope.as_deref()),
                have.unwrap_or("unset")
            ));
        }
    }
    for (name, want) in &wanted.keks {
        if actual.keks.get(name) != Some(want) {
            v.differ(format!("KEK {name} is missing or differs"));
        }
    }
    for (key, want) in &wanted.deks {
        if actual.deks.get(key) != Some(want) {
            v.differ(format!(
                "DEK {} version {} of KEK {} is missing or differs",
                key.1, key.2, key.0
            ));
        }
    }
}

fn id_place(context: &str, id: u32) -> String {
    if context.is_empty() {
        format!("id {id}")
    } else {
        format!("id {id} in {context}")
    }
}

fn state(deleted: bool) -> &'static str {
    if deleted { "soft-deleted" } else { "live" }
}
