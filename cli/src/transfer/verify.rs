//! Whether a registry holds what a source held: every version with the same id,
//! deletion and content, every id answering the same schema, every setting equal.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Result, anyhow};
use schemagate_client::{Client, Verb, segment};
use schemagate_core::transfer::SchemaRecord;
use serde::Serialize;
use serde_json::Value;

use super::{Index, context_of, scope_label, text_digest};
use crate::registry::{bounded, explain};

/// Most differences listed one by one; the rest are counted.
const LISTED: usize = 50;

/// The outcome of a comparison.
#[derive(Debug, Default, Serialize)]
pub struct Verification {
    /// Versions compared.
    pub versions: u64,
    /// Distinct ids read back by id.
    pub ids: u64,
    /// Settings (configurations and modes) compared.
    pub settings: u64,
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

/// Compares `actual` (the target, read back) with `wanted` (the source), then reads
/// every id of `wanted` back from `client` by id.
pub async fn verify(
    wanted: &Index,
    actual: &Index,
    client: &Client,
    concurrency: usize,
) -> Result<Verification> {
    let mut v = Verification::default();
    let mut keys: Vec<&(String, i32)> = wanted.versions.keys().collect();
    keys.sort();
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
            Some(have) if have.digest != want.digest => v.differ(format!(
                "{subject} version {version} (id {}) holds another schema",
                want.id
            )),
            Some(have) if have.deleted != want.deleted => v.differ(format!(
                "{subject} version {version} is {} instead of {}",
                state(have.deleted),
                state(want.deleted)
            )),
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

    // Every id by id, as a consumer resolves it: one subject of its context names it.
    let mut by_id: BTreeMap<(String, u32), (String, u64)> = BTreeMap::new();
    for ((subject, _), entry) in &wanted.versions {
        let key = (context_of(subject), entry.id);
        if let Some(&digest) = wanted.ids.get(&key) {
            by_id
                .entry(key)
                .or_insert_with(|| (subject.clone(), digest));
        }
    }
    let jobs = by_id
        .into_iter()
        .map(|((context, id), (subject, digest))| {
            let client = client.clone();
            async move {
                let path = if context.is_empty() {
                    format!("/schemas/ids/{id}")
                } else {
                    format!("/schemas/ids/{id}?subject={}", segment(&subject))
                };
                let answer = client.call(Verb::Get, &path, None).await;
                (context, id, subject, digest, answer)
            }
        })
        .collect();
    for (context, id, subject, digest, answer) in bounded(concurrency, jobs).await {
        v.ids += 1;
        let place = if context.is_empty() {
            format!("id {id}")
        } else {
            format!("id {id} in {context}")
        };
        match answer {
            Ok(Value::Object(mut body)) => {
                body.insert("subject".into(), Value::String(subject.clone()));
                body.insert("version".into(), Value::from(1));
                body.insert("id".into(), Value::from(id));
                let read: Result<SchemaRecord, _> = serde_json::from_value(Value::Object(body));
                match read {
                    Ok(record) if text_digest(&record) == digest => {}
                    Ok(_) => v.differ(format!("{place} answers another schema")),
                    Err(e) => v.differ(format!("{place}: unreadable answer ({e})")),
                }
            }
            Ok(_) => v.differ(format!("{place}: unreadable answer")),
            Err(e) if e.is_not_found() => v.differ(format!("{place} is not found")),
            Err(e) => return Err(anyhow!(explain(&e))),
        }
    }
    Ok(v)
}

fn state(deleted: bool) -> &'static str {
    if deleted { "soft-deleted" } else { "live" }
}
