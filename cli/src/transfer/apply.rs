//! Writing transfer records into a Schemagate registry, in IMPORT mode, so that ids
//! and versions arrive unchanged.
//!
//! What to do with each version is decided against the target's state read first
//! (an [`Index`]), which makes a run idempotent and resumable: a version already there
//! with the same id and content is left alone, one missing is registered with its id
//! and version, a soft deletion not yet replayed is replayed, and a version or id the
//! target holds with other content is a conflict, reported and never overwritten.
//!
//! A version waits for the versions its references name and for the previous
//! version of its own subject (a soft deletion must be replayed before a later
//! version re-registers the same schema, or the registry would answer the old
//! version); everything else runs with a fixed number of requests in flight.
//! Settings come last: configurations, then modes (subjects, contexts, the top level),
//! so IMPORT mode lasts exactly as long as the schemas are being written.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use anyhow::{Result, anyhow};
use schemagate_client::{Client, Error as ClientError, Verb, segment};
use schemagate_core::transfer::{Record, SchemaRecord};
use serde::Serialize;
use serde_json::{Map, Value, json};
use tokio::task::JoinSet;

use super::progress::Progress;
use super::{
    Entry, Index, KEKS, config_digest, context_of, dek_key, key_digest, reference_subject,
    same_schema, scope_label, text_digest,
};
use crate::registry::explain;

/// What an import did, or would do under `--dry-run`.
#[derive(Debug, Default, Serialize)]
pub struct ImportReport {
    /// Schema versions read.
    pub versions: u64,
    /// Versions registered with their id and version.
    pub registered: u64,
    /// Versions the target already held as they are.
    pub unchanged: u64,
    /// Soft deletions replayed.
    pub deleted: u64,
    /// Versions soft-deleted on the target but live in the source, registered again.
    pub restored: u64,
    /// Configurations written or removed.
    pub configs: u64,
    /// Modes written or removed.
    pub modes: u64,
    /// KEKs and DEKs created or deleted.
    pub keys: u64,
    /// Contexts whose id counter was raised past ids the source used and deleted.
    pub counters_raised: u64,
    /// What the target holds differently and was left alone.
    pub conflicts: Vec<String>,
    /// What the registry refused or could not be written.
    pub failures: Vec<String>,
}

impl ImportReport {
    /// Whether the run wrote (or would write) anything.
    pub fn changed(&self) -> bool {
        self.registered
            + self.deleted
            + self.restored
            + self.configs
            + self.modes
            + self.keys
            + self.counters_raised
            > 0
    }
}

/// What a version needs on the target.
enum Action {
    Nothing,
    /// Register it (`restore`: over a soft-deleted copy), then soft-delete it.
    Write {
        register: bool,
        restore: bool,
        delete: bool,
    },
    Conflict(String),
}

/// A version waiting for what it depends on.
struct Pending {
    record: SchemaRecord,
    deps: Vec<(String, i32)>,
}

/// Writes records into one registry.
pub struct Importer<'a> {
    client: Client,
    /// The target as read before the run, updated with every write.
    target: Index,
    dry_run: bool,
    concurrency: usize,
    progress: &'a Progress,
    /// The last version of each subject seen in the input.
    last_of: HashMap<String, i32>,
    /// Versions in the input so far.
    seen: HashSet<(String, i32)>,
    /// Versions written (or found) in this run.
    done: HashSet<(String, i32)>,
    failed: HashSet<(String, i32)>,
    parked: HashMap<(String, i32), Vec<Pending>>,
    running: JoinSet<(SchemaRecord, Result<(), WriteError>)>,
    /// Contexts (`""` or `:.ctx:`) put into IMPORT mode by this run.
    switched: BTreeSet<String>,
    configs: BTreeMap<Option<String>, Map<String, Value>>,
    modes: BTreeMap<Option<String>, String>,
    keks: Vec<Map<String, Value>>,
    deks: Vec<Map<String, Value>>,
    /// The source's id counters, per context, when the input tells them.
    next_ids: BTreeMap<String, u32>,
    /// The report so far.
    pub report: ImportReport,
}

impl<'a> Importer<'a> {
    /// An importer into `client`'s registry, whose state is `target`.
    pub fn new(
        client: Client,
        target: Index,
        dry_run: bool,
        concurrency: usize,
        progress: &'a Progress,
    ) -> Importer<'a> {
        Importer {
            client,
            target,
            dry_run,
            concurrency: concurrency.max(1),
            progress,
            last_of: HashMap::new(),
            seen: HashSet::new(),
            done: HashSet::new(),
            failed: HashSet::new(),
            parked: HashMap::new(),
            running: JoinSet::new(),
            switched: BTreeSet::new(),
            configs: BTreeMap::new(),
            modes: BTreeMap::new(),
            keks: Vec::new(),
            deks: Vec::new(),
            next_ids: BTreeMap::new(),
            report: ImportReport::default(),
        }
    }

    /// The source's id counters: after the schemas, each context's counter on the
    /// target is raised to at least this.
    pub fn reserve_ids(&mut self, next_ids: BTreeMap<String, u32>) {
        self.next_ids = next_ids;
    }

    /// Takes the next record of the input.
    pub async fn push(&mut self, record: Record) -> Result<()> {
        match record {
            Record::Schema(s) => {
                self.report.versions += 1;
                let key = (s.subject.clone(), s.version);
                let mut deps: Vec<(String, i32)> = s
                    .reference_targets()
                    .into_iter()
                    .map(|(subject, version)| (reference_subject(&s.subject, &subject), version))
                    .collect();
                if let Some(previous) = self.last_of.insert(s.subject.clone(), s.version) {
                    deps.push((s.subject.clone(), previous));
                }
                self.seen.insert(key);
                self.schedule(Pending { record: s, deps }).await
            }
            Record::Config(c) => {
                self.configs.insert(c.subject, c.config);
                Ok(())
            }
            Record::Mode(m) => {
                self.modes.insert(m.subject, m.mode);
                Ok(())
            }
            Record::Kek(k) => {
                self.keks.push(k);
                Ok(())
            }
            Record::Dek(d) => {
                self.deks.push(d);
                Ok(())
            }
            Record::Header(_) | Record::Context(_) | Record::End(_) => Ok(()),
        }
    }

    /// Whether `dep` is on the target or written in this run.
    fn ready(&self, dep: &(String, i32)) -> bool {
        self.done.contains(dep) || self.target.versions.contains_key(dep)
    }

    async fn schedule(&mut self, mut pending: Pending) -> Result<()> {
        if !self.dry_run {
            if let Some(failed) = pending.deps.iter().find(|d| self.failed.contains(*d)) {
                let msg = format!(
                    "{} version {}: not written, it depends on {} version {}, which failed",
                    pending.record.subject, pending.record.version, failed.0, failed.1
                );
                self.fail(&pending.record, msg);
                return Ok(());
            }
            pending.deps.retain(|d| !self.ready(d));
            if let Some(dep) = pending.deps.first().cloned() {
                self.parked.entry(dep).or_default().push(pending);
                return Ok(());
            }
        }
        self.dispatch(pending.record).await
    }

    fn fail(&mut self, record: &SchemaRecord, message: String) {
        self.failed.insert((record.subject.clone(), record.version));
        self.report.failures.push(message);
        self.progress.advance(1);
    }

    /// Decides and starts what `record` needs, keeping at most `concurrency` writes in
    /// flight.
    async fn dispatch(&mut self, record: SchemaRecord) -> Result<()> {
        let action = self.action(&record).await?;
        let key = (record.subject.clone(), record.version);
        let (register, delete) = match action {
            Action::Nothing => {
                self.report.unchanged += 1;
                return self.completed(key).await;
            }
            Action::Conflict(message) => {
                self.report.conflicts.push(message);
                self.failed.insert(key.clone());
                self.progress.advance(1);
                return self.release(&key).await;
            }
            Action::Write {
                register,
                restore,
                delete,
            } => {
                match (register, restore) {
                    (true, true) => self.report.restored += 1,
                    (true, false) => self.report.registered += 1,
                    (false, _) => {}
                }
                self.report.deleted += u64::from(delete);
                (register, delete)
            }
        };
        if self.dry_run {
            return self.completed(key).await;
        }
        self.import_mode(&context_of(&record.subject)).await?;
        while self.running.len() >= self.concurrency {
            self.join_one().await?;
        }
        let client = self.client.clone();
        self.running.spawn(async move {
            let result = write(&client, &record, register, delete).await;
            (record, result)
        });
        Ok(())
    }

    /// Waits for one write and releases what waited for it.
    async fn join_one(&mut self) -> Result<()> {
        let Some(joined) = self.running.join_next().await else {
            return Ok(());
        };
        let (record, result) = joined.map_err(|e| anyhow!("an import task failed: {e}"))?;
        let key = (record.subject.clone(), record.version);
        match result {
            Err(WriteError::Unreachable) => Err(anyhow!(
                "the target stopped answering while writing {} version {}; run the import again to resume",
                record.subject,
                record.version
            )),
            Ok(()) => {
                self.target.add_version(&record);
                self.completed(key).await
            }
            Err(WriteError::Refused(message)) => {
                self.fail(&record, message);
                self.release(&key).await
            }
        }
    }

    async fn completed(&mut self, key: (String, i32)) -> Result<()> {
        self.progress.advance(1);
        self.done.insert(key.clone());
        self.release(&key).await
    }

    /// Reschedules what waited for `key`.
    async fn release(&mut self, key: &(String, i32)) -> Result<()> {
        if let Some(waiting) = self.parked.remove(key) {
            for pending in waiting {
                Box::pin(self.schedule(pending)).await?;
            }
        }
        Ok(())
    }

    /// What the target needs for `record`. A text that differs from the target's
    /// while the id matches is settled by asking the target whether it is the same
    /// schema (registries may write one schema in different words).
    async fn action(&mut self, record: &SchemaRecord) -> Result<Action> {
        let key = (record.subject.clone(), record.version);
        let want = Entry::of(record);
        let context = context_of(&record.subject);
        if let Some((held, holder)) = self.target.ids.get(&(context, record.id)).cloned()
            && held != want.text
            && !self.equivalent(&holder, record).await?
        {
            return Ok(Action::Conflict(format!(
                "{} version {}: id {} already holds another schema on the target ({} version {})",
                record.subject, record.version, record.id, holder.0, holder.1
            )));
        }
        let Some(e) = self.target.versions.get(&key).copied() else {
            return Ok(Action::Write {
                register: true,
                restore: false,
                delete: record.deleted,
            });
        };
        let conflict = |what: String| {
            Action::Conflict(format!(
                "{} version {}: {what}",
                record.subject, record.version
            ))
        };
        if e.id != record.id {
            return Ok(conflict(format!(
                "the target holds id {}, the source id {}",
                e.id, record.id
            )));
        }
        if e.contract != want.contract {
            return Ok(conflict(format!(
                "id {} has another data contract (metadata or rules) on the target",
                e.id
            )));
        }
        if e.text != want.text && !self.equivalent(&key, record).await? {
            return Ok(conflict(format!(
                "id {} holds another schema on the target",
                e.id
            )));
        }
        Ok(if e.deleted == record.deleted {
            Action::Nothing
        } else {
            // Live in one and soft-deleted in the other: register again over the
            // deleted copy, or replay the deletion.
            Action::Write {
                register: e.deleted,
                restore: e.deleted,
                delete: record.deleted,
            }
        })
    }

    /// Whether the target's `holder` version is `record`'s schema; once it is, the
    /// index takes the record's text digest, so the question is asked once.
    async fn equivalent(&mut self, holder: &(String, i32), record: &SchemaRecord) -> Result<bool> {
        let same = same_schema(&self.client, &holder.0, holder.1, record)
            .await
            .map_err(|e| anyhow!(explain(&e)))?;
        if same {
            let text = text_digest(record);
            if let Some(e) = self.target.versions.get_mut(holder) {
                e.text = text;
            }
            if let Some(held) = self.target.ids.get_mut(&(context_of(&holder.0), record.id)) {
                held.0 = text;
            }
        }
        Ok(same)
    }

    /// Puts `context` into IMPORT mode before its first write.
    async fn import_mode(&mut self, context: &str) -> Result<()> {
        if self.switched.contains(context) {
            return Ok(());
        }
        let scope = (!context.is_empty()).then(|| context.to_owned());
        let path = mode_path(scope.as_deref());
        self.client
            .call(
                Verb::Put,
                &format!("{path}?force=true"),
                Some(&json!({"mode": "IMPORT"})),
            )
            .await
            .map_err(|e| anyhow!("cannot put the target into IMPORT mode: {}", explain(&e)))?;
        self.target.modes.insert(scope, "IMPORT".to_owned());
        self.switched.insert(context.to_owned());
        Ok(())
    }

    /// Finishes the writes, then sets configurations, modes and keys as the input has
    /// them.
    pub async fn finish(mut self) -> Result<ImportReport> {
        while !self.running.is_empty() {
            self.join_one().await?;
        }
        let stranded: Vec<Pending> = self.parked.drain().flat_map(|(_, p)| p).collect();
        for pending in stranded {
            let missing: Vec<String> = pending
                .deps
                .iter()
                .filter(|d| !self.ready(d))
                .map(|(s, v)| {
                    let why = if self.seen.contains(&(s.clone(), *v)) {
                        "not written"
                    } else {
                        "neither on the target nor in the input"
                    };
                    format!("{s} version {v} ({why})")
                })
                .collect();
            let message = format!(
                "{} version {}: not written, it references {}",
                pending.record.subject,
                pending.record.version,
                missing.join(", ")
            );
            self.fail(&pending.record, message);
        }
        self.raise_counters().await?;
        self.settings().await?;
        self.keys().await?;
        Ok(self.report)
    }

    /// Raises each context's id counter past the highest id the source used, where the
    /// target's highest id is below it: the API has no call to set a counter, so an
    /// IMPORT registration takes that id with a placeholder schema, which is then
    /// deleted permanently, leaving the id unused (as on the source) and the counter
    /// past it.
    async fn raise_counters(&mut self) -> Result<()> {
        for (context, next) in std::mem::take(&mut self.next_ids) {
            let Some(last) = next.checked_sub(1).filter(|l| *l > 0) else {
                continue;
            };
            let counter = self
                .target
                .next_ids
                .get(&context)
                .map_or(0, |n| n.saturating_sub(1));
            let highest = self
                .target
                .ids
                .keys()
                .filter(|(c, _)| *c == context)
                .map(|(_, id)| *id)
                .max()
                .unwrap_or(0)
                .max(counter);
            if highest >= last {
                continue;
            }
            self.report.counters_raised += 1;
            if self.dry_run {
                continue;
            }
            self.import_mode(&context).await?;
            let subject = format!("{context}schemagate-reserved-id-{last}");
            let path = format!("/subjects/{}", segment(&subject));
            let schema = json!({"type": "record", "name": format!("SchemagateReservedId{last}"), "fields": []});
            let body = json!({"schema": schema.to_string(), "id": last, "version": 1});
            let steps = [
                (Verb::Post, format!("{path}/versions"), Some(body)),
                (Verb::Delete, path.clone(), None),
                (Verb::Delete, format!("{path}?permanent=true"), None),
            ];
            for (verb, path, body) in steps {
                if let Err(e) = self.client.call(verb, &path, body.as_ref()).await {
                    self.report.failures.push(format!(
                        "raising the id counter of {} past {last}: {}",
                        if context.is_empty() {
                            "the default context"
                        } else {
                            context.as_str()
                        },
                        explain(&e)
                    ));
                    break;
                }
            }
        }
        Ok(())
    }

    async fn settings(&mut self) -> Result<()> {
        let subjects: BTreeSet<String> = self.last_of.keys().cloned().collect();
        // Configurations: as the input has them; a subject of the input with one the
        // source does not have loses it.
        let mut config_scopes: BTreeSet<Option<String>> = self.configs.keys().cloned().collect();
        config_scopes.extend(
            self.target
                .configs
                .keys()
                .filter(|s| s.as_ref().is_some_and(|s| subjects.contains(s)))
                .cloned(),
        );
        for scope in config_scopes {
            let wanted = self.configs.get(&scope);
            let held = self.target.configs.get(&scope);
            let path = config_path(scope.as_deref());
            let call = match wanted {
                Some(c) if held == Some(&config_digest(c)) => continue,
                Some(c) => (Verb::Put, path, Some(config_body(c))),
                None if held.is_some() => (Verb::Delete, path, None),
                None => continue,
            };
            self.report.configs += 1;
            if self.dry_run {
                continue;
            }
            if let Err(e) = self.client.call(call.0, &call.1, call.2.as_ref()).await {
                self.report.failures.push(format!(
                    "the configuration of {}: {}",
                    scope_label(scope.as_deref()),
                    explain(&e)
                ));
            }
        }
        // Modes: subjects first, then contexts, the top level last, so IMPORT holds
        // until everything else is in place. The top level without a mode in the
        // input is READWRITE.
        let mut scopes: BTreeSet<Option<String>> = self.modes.keys().cloned().collect();
        scopes.extend(
            self.switched
                .iter()
                .map(|c| (!c.is_empty()).then(|| c.clone())),
        );
        scopes.extend(
            self.target
                .modes
                .keys()
                .filter(|s| s.as_ref().is_some_and(|s| subjects.contains(s)))
                .cloned(),
        );
        scopes.insert(None);
        let mut ordered: Vec<Option<String>> = scopes.into_iter().collect();
        ordered.sort_by_key(|s| match s {
            None => 2,
            Some(s) if s.ends_with(':') => 1,
            Some(_) => 0,
        });
        for scope in ordered {
            let wanted = self
                .modes
                .get(&scope)
                .cloned()
                .or_else(|| scope.is_none().then(|| "READWRITE".to_owned()));
            let held = self.target.modes.get(&scope);
            let path = mode_path(scope.as_deref());
            let call = match &wanted {
                Some(m) if held == Some(m) => continue,
                Some(m) => (
                    Verb::Put,
                    format!("{path}?force=true"),
                    Some(json!({"mode": m})),
                ),
                None if held.is_some() => (Verb::Delete, path, None),
                None => continue,
            };
            self.report.modes += 1;
            if self.dry_run {
                continue;
            }
            match self.client.call(call.0, &call.1, call.2.as_ref()).await {
                Ok(_) => {
                    match wanted {
                        Some(m) => self.target.modes.insert(scope, m),
                        None => self.target.modes.remove(&scope),
                    };
                }
                Err(e) => self.report.failures.push(format!(
                    "the mode of {}: {}",
                    scope_label(scope.as_deref()),
                    explain(&e)
                )),
            }
        }
        Ok(())
    }

    /// KEKs, then DEKs, then the soft deletions of both (a KEK is deleted only once
    /// its DEKs are). A key the target holds as the source does is left alone; one it
    /// holds live that the source deleted gets its deletion.
    async fn keys(&mut self) -> Result<()> {
        let mut deletions = Vec::new();
        for kek in std::mem::take(&mut self.keks) {
            let Some(name) = kek.get("name").and_then(Value::as_str).map(str::to_owned) else {
                continue;
            };
            let path = format!("{KEKS}/{}", segment(&name));
            let held = self.target.keks.get(&name).copied();
            if held == Some(key_digest(&kek)) {
                continue;
            }
            if is_deleted(&kek) {
                deletions.push((1, path));
            }
            if held.is_none() {
                let body = fields(
                    &kek,
                    &["name", "kmsType", "kmsKeyId", "kmsProps", "doc", "shared"],
                );
                self.create_key(KEKS.to_owned(), body, &name).await;
            }
        }
        for dek in std::mem::take(&mut self.deks) {
            let key = dek_key(&dek);
            let (kek, subject, version, _) = &key;
            let path = format!("{KEKS}/{}/deks", segment(kek));
            let held = self.target.deks.get(&key).copied();
            if held == Some(key_digest(&dek)) {
                continue;
            }
            if is_deleted(&dek) {
                deletions.push((0, format!("{path}/{}/versions/{version}", segment(subject))));
            }
            if held.is_none() {
                let body = fields(
                    &dek,
                    &["subject", "version", "algorithm", "encryptedKeyMaterial"],
                );
                let label = format!("DEK {subject} version {version} of {kek}");
                self.create_key(path, body, &label).await;
            }
        }
        deletions.sort();
        for (_, path) in deletions {
            self.report.keys += 1;
            if self.dry_run {
                continue;
            }
            match self.client.call(Verb::Delete, &path, None).await {
                Ok(_) => {}
                // Already soft-deleted on the target.
                Err(e) if matches!(e.error_code(), Some(40471 | 40472)) => {}
                Err(e) => self
                    .report
                    .failures
                    .push(format!("deleting {path}: {}", explain(&e))),
            }
        }
        Ok(())
    }

    async fn create_key(&mut self, path: String, body: Value, label: &str) {
        self.report.keys += 1;
        if self.dry_run {
            return;
        }
        if let Err(e) = self.client.call(Verb::Post, &path, Some(&body)).await {
            self.report
                .failures
                .push(format!("creating {label}: {}", explain(&e)));
        }
    }
}

/// Whether a KEK or DEK record is soft-deleted.
fn is_deleted(key: &Map<String, Value>) -> bool {
    key.get("deleted").and_then(Value::as_bool) == Some(true)
}

/// The fields of `record` a create request takes.
fn fields(record: &Map<String, Value>, names: &[&str]) -> Value {
    Value::Object(
        record
            .iter()
            .filter(|(k, _)| names.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    )
}

/// Why a version was not written.
enum WriteError {
    /// The registry refused it: reported, and the run goes on.
    Refused(String),
    /// The registry could not be reached: the run stops (a re-run resumes).
    Unreachable,
}

/// Registers and/or soft-deletes one version.
async fn write(
    client: &Client,
    record: &SchemaRecord,
    register: bool,
    delete: bool,
) -> Result<(), WriteError> {
    let subject = segment(&record.subject);
    let label = |e: &ClientError| {
        format!(
            "{} version {} (id {}): {}",
            record.subject,
            record.version,
            record.id,
            explain(e)
        )
    };
    let transport = |e: &ClientError| {
        matches!(
            e,
            ClientError::Unreachable { .. } | ClientError::Timeout { .. }
        )
    };
    if register {
        let mut body = record.request_body();
        body.insert("id".into(), json!(record.id));
        body.insert("version".into(), json!(record.version));
        let path = format!("/subjects/{subject}/versions");
        match client
            .call(Verb::Post, &path, Some(&Value::Object(body)))
            .await
        {
            Ok(answer) => {
                let id = answer.get("id").and_then(Value::as_u64);
                if id != Some(u64::from(record.id)) {
                    return Err(WriteError::Refused(format!(
                        "{} version {}: the registry answered id {} for id {}",
                        record.subject,
                        record.version,
                        id.map_or("none".to_owned(), |i| i.to_string()),
                        record.id
                    )));
                }
            }
            Err(e) if transport(&e) => return Err(WriteError::Unreachable),
            Err(e) => return Err(WriteError::Refused(label(&e))),
        }
    }
    if delete {
        let path = format!("/subjects/{subject}/versions/{}", record.version);
        match client.call(Verb::Delete, &path, None).await {
            Ok(_) => {}
            // 40406: already soft-deleted.
            Err(e) if e.error_code() == Some(40406) => {}
            Err(e) if transport(&e) => return Err(WriteError::Unreachable),
            Err(e) => return Err(WriteError::Refused(label(&e))),
        }
    }
    Ok(())
}

fn config_path(scope: Option<&str>) -> String {
    scope.map_or_else(
        || "/config".to_owned(),
        |s| format!("/config/{}", segment(s)),
    )
}

fn mode_path(scope: Option<&str>) -> String {
    scope.map_or_else(|| "/mode".to_owned(), |s| format!("/mode/{}", segment(s)))
}

/// A configuration as `PUT /config` takes it: `compatibility` for the level that
/// `GET` answers as `compatibilityLevel`, unset fields left out.
fn config_body(config: &Map<String, Value>) -> Value {
    let mut body = Map::new();
    for (k, v) in config {
        if v.is_null() {
            continue;
        }
        let k = if k == "compatibilityLevel" {
            "compatibility"
        } else {
            k.as_str()
        };
        body.insert(k.to_owned(), v.clone());
    }
    Value::Object(body)
}
