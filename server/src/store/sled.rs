//! The embedded store: sled 0.34, one process per data directory.
//!
//! Keys are big-endian so that range scans come back in version and id order. Every
//! [`Store::apply`] is one sled transaction over all the trees it touches; indexes
//! (`fingerprints`, `id_versions`, `refs`) are maintained inside that transaction so
//! they can never disagree with the records they index.
//!
//! Readers never wait for the registry's writer lock or for a flush; sled only makes
//! them wait for the microseconds in which a transaction's writes are applied.
//!
//! Durability: sled 0.34's own flush writes its log with `sync_file_range`, which
//! neither syncs the file's metadata nor flushes the device's cache, and its only
//! `fsync` runs every 500 ms in a background thread whose errors go to the log. So
//! [`Store::flush`] follows sled's flush with an `fdatasync` of the log file, and a
//! failure of either is returned to the registry.
//!
//! Every transaction also records the bytes it replaced (an undo journal, tagged with
//! the registry's commit number). After a failed flush the registry calls
//! [`Store::discard_unflushed`], which writes the old bytes back in one transaction, so
//! that a write which was refused to its client is not served afterwards.

use std::fs::File;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use sled::transaction::{ConflictableTransactionError, TransactionError, TransactionalTree};
use sled::{IVec, Transactional, Tree};

use super::{
    ConfigRecord, ContentKey, Counts, Mode, Op, SchemaId, Store, StoreError, StoreResult,
    StoredSchema, VersionEntry,
};

const SCHEMAS: usize = 0;
const FINGERPRINTS: usize = 1;
const SUBJECT_VERSIONS: usize = 2;
const ID_VERSIONS: usize = 3;
const REFS: usize = 4;
const CONFIG: usize = 5;
const MODE: usize = 6;
const META: usize = 7;
const GUIDS: usize = 8;
const TREE_NAMES: [&str; 9] = [
    "schemas",
    "fingerprints",
    "subject_versions",
    "id_versions",
    "refs",
    "config",
    "mode",
    "meta",
    "guids",
];
const NEXT_ID: &[u8] = b"next_id";
/// The store format (absent: 1).
const FORMAT_KEY: &[u8] = b"format";

/// A [`Store`] in a sled database directory.
pub struct SledStore {
    db: sled::Db,
    trees: Vec<Tree>,
    /// sled's log file, opened a second time to `fdatasync` it (sled's lock is a
    /// `flock`, which another descriptor of the same process neither takes nor drops).
    log: File,
    /// What each commit not yet known durable replaced, oldest first.
    journal: Mutex<Vec<Undone>>,
}

/// The old value of one key that a commit changed (`None`: the key was absent).
struct Undo {
    tree: usize,
    key: IVec,
    old: Option<IVec>,
}

/// One commit's undo records, in the order it made the changes.
struct Undone {
    seq: u64,
    undo: Vec<Undo>,
}

impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> Self {
        StoreError(e.to_string())
    }
}

impl SledStore {
    /// Opens (or creates) the database in `dir`. Fails if another process holds it.
    pub fn open(dir: &Path) -> StoreResult<SledStore> {
        let db = sled::Config::new().path(dir).open()?;
        let trees = TREE_NAMES
            .iter()
            .map(|name| db.open_tree(name))
            .collect::<Result<Vec<_>, _>>()?;
        let io = |what: &str, e: std::io::Error| StoreError(format!("{what}: {e}"));
        let log = File::open(dir.join("db")).map_err(|e| io("opening sled's log to sync it", e))?;
        // The files sled created must survive a power loss as directory entries too.
        log.sync_all().map_err(|e| io("syncing sled's log", e))?;
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| io("syncing the data directory", e))?;
        Ok(SledStore {
            db,
            trees,
            log,
            journal: Mutex::new(Vec::new()),
        })
    }

    fn tree(&self, index: usize) -> &Tree {
        &self.trees[index]
    }

    /// Every tree by name, for `crate::fuzzing` to write records that no [`Op`] would
    /// (corrupt ones), so that the decoding of what is read back can be fuzzed.
    pub(crate) fn raw_trees(&self) -> impl Iterator<Item = (&'static str, &Tree)> {
        TREE_NAMES.iter().copied().zip(&self.trees)
    }

    fn journal(&self) -> MutexGuard<'_, Vec<Undone>> {
        // A panic while holding it leaves the journal whole: entries are pushed at once.
        self.journal.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `change` as one transaction over every tree, recording what it replaces.
    fn transact(
        &self,
        change: impl Fn(&mut Changes<'_>) -> TxResult<()>,
    ) -> StoreResult<Vec<Undo>> {
        self.trees
            .as_slice()
            .transaction(|t| {
                // sled may run the closure again on a conflict: start the record afresh.
                let mut changes = Changes {
                    t,
                    undo: Vec::new(),
                };
                change(&mut changes)?;
                Ok(changes.undo)
            })
            .map_err(|e| match e {
                TransactionError::Abort(e) => e,
                TransactionError::Storage(e) => StoreError(e.to_string()),
            })
    }
}

/// The trees inside one transaction, with the undo record of what was changed.
struct Changes<'a> {
    t: &'a [TransactionalTree],
    undo: Vec<Undo>,
}

impl Changes<'_> {
    fn get(&self, tree: usize, key: &[u8]) -> TxResult<Option<IVec>> {
        Ok(self.t[tree].get(key)?)
    }

    fn insert(
        &mut self,
        tree: usize,
        key: impl Into<IVec>,
        value: impl Into<IVec>,
    ) -> TxResult<()> {
        let key = key.into();
        let old = self.t[tree].insert(key.clone(), value)?;
        self.undo.push(Undo { tree, key, old });
        Ok(())
    }

    fn remove(&mut self, tree: usize, key: impl Into<IVec>) -> TxResult<Option<IVec>> {
        let key = key.into();
        let old = self.t[tree].remove(key.clone())?;
        if old.is_some() {
            self.undo.push(Undo {
                tree,
                key,
                old: old.clone(),
            });
        }
        Ok(old)
    }

    /// Sets a per-subject (or, without a subject, global) setting in `tree`, or clears
    /// it when `value` is `None`: the config and the mode are stored alike.
    fn set_scoped(
        &mut self,
        tree: usize,
        subject: Option<&str>,
        value: Option<&str>,
    ) -> TxResult<()> {
        let key = scope_key(subject);
        match value {
            Some(v) => self.insert(tree, key, v),
            None => self.remove(tree, key).map(drop),
        }
    }
}

/// `subject NUL version` — subjects never contain NUL (control characters are refused),
/// so this sorts by subject, then numerically by version.
fn version_key(subject: &str, version: i32) -> Vec<u8> {
    let mut key = Vec::with_capacity(subject.len() + 5);
    key.extend_from_slice(subject.as_bytes());
    key.push(0);
    key.extend_from_slice(&(version as u32).to_be_bytes());
    key
}

fn subject_prefix(subject: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(subject.len() + 1);
    key.extend_from_slice(subject.as_bytes());
    key.push(0);
    key
}

/// Splits a `subject NUL version` key (possibly after a fixed-size prefix).
pub(crate) fn split_version_key(key: &[u8]) -> StoreResult<(String, i32)> {
    if key.len() < 5 {
        return Err(StoreError("corrupt version key".into()));
    }
    let (subject, rest) = key.split_at(key.len() - 5);
    let version = u32::from_be_bytes([rest[1], rest[2], rest[3], rest[4]]) as i32;
    let subject = String::from_utf8(subject.to_vec())
        .map_err(|_| StoreError("corrupt subject in key".into()))?;
    Ok((subject, version))
}

/// A version's value: the id (4 bytes, big-endian), the deleted flag (1 byte), then,
/// from store format 2, the write time in milliseconds (8 bytes, big-endian).
pub(crate) fn decode_version_value(version: i32, value: &[u8]) -> StoreResult<VersionEntry> {
    let ts = match value.len() {
        5 => None,
        13 => Some(i64::from_be_bytes(
            value[5..13]
                .try_into()
                .map_err(|_| StoreError("corrupt version value".into()))?,
        )),
        _ => return Err(StoreError("corrupt version value".into())),
    };
    Ok(VersionEntry {
        version,
        id: SchemaId(u32::from_be_bytes([value[0], value[1], value[2], value[3]])),
        deleted: value[4] != 0,
        ts,
    })
}

fn encode_version_value(entry: &VersionEntry) -> Vec<u8> {
    let mut out = Vec::with_capacity(13);
    out.extend_from_slice(&entry.id.to_be_bytes());
    out.push(entry.deleted as u8);
    if let Some(ts) = entry.ts {
        out.extend_from_slice(&ts.to_be_bytes());
    }
    out
}

fn id_version_key(id: SchemaId, subject: &str, version: i32) -> Vec<u8> {
    let mut key = id.to_be_bytes().to_vec();
    key.extend_from_slice(&version_key(subject, version));
    key
}

fn scope_key(subject: Option<&str>) -> Vec<u8> {
    match subject {
        None => vec![0],
        Some(s) => {
            let mut key = vec![1];
            key.extend_from_slice(s.as_bytes());
            key
        }
    }
}

pub(crate) fn be_id(bytes: &[u8]) -> StoreResult<SchemaId> {
    <[u8; 4]>::try_from(bytes)
        .map(|b| SchemaId(u32::from_be_bytes(b)))
        .map_err(|_| StoreError("corrupt 32-bit value".into()))
}

type TxResult<T> = Result<T, ConflictableTransactionError<StoreError>>;

fn abort<T>(message: &str) -> TxResult<T> {
    Err(ConflictableTransactionError::Abort(StoreError(
        message.to_owned(),
    )))
}

/// Writes a schema record and indexes it: content key and GUID only when absent (the
/// first id keeps them), references always.
fn put_schema(
    t: &mut Changes<'_>,
    id: SchemaId,
    key: Option<&ContentKey>,
    guid: &str,
    schema: &StoredSchema,
) -> TxResult<()> {
    let Ok(bytes) = serde_json::to_vec(schema) else {
        return abort("schema does not serialise");
    };
    t.insert(SCHEMAS, &id.to_be_bytes(), bytes)?;
    if let Some(key) = key
        && t.get(FINGERPRINTS, key)?.is_none()
    {
        t.insert(FINGERPRINTS, key, &id.to_be_bytes())?;
    }
    if t.get(GUIDS, guid.as_bytes())?.is_none() {
        t.insert(GUIDS, guid.as_bytes(), &id.to_be_bytes())?;
    }
    for r in &schema.references {
        let mut k = version_key(&r.subject, r.version);
        k.extend_from_slice(&id.to_be_bytes());
        t.insert(REFS, k, &[])?;
    }
    Ok(())
}

fn apply_op(t: &mut Changes<'_>, op: &Op) -> TxResult<()> {
    match op {
        Op::PutSchema {
            id,
            key,
            guid,
            schema,
        } => put_schema(t, *id, Some(key), guid, schema)?,
        Op::UpgradeSchema {
            id,
            key,
            guid,
            schema,
        } => put_schema(t, *id, key.as_ref(), guid, schema)?,
        Op::PutVersion { subject, entry } => {
            let key = version_key(subject, entry.version);
            if let Some(old) = t.get(SUBJECT_VERSIONS, &key)? {
                let Ok(old) = decode_version_value(entry.version, &old) else {
                    return abort("corrupt version value");
                };
                t.remove(ID_VERSIONS, id_version_key(old.id, subject, entry.version))?;
            }
            let value = encode_version_value(entry);
            t.insert(SUBJECT_VERSIONS, key, &value[..])?;
            // The index repeats the value past the id (the flag and the time), so that
            // usages need no second read.
            t.insert(
                ID_VERSIONS,
                id_version_key(entry.id, subject, entry.version),
                &value[4..],
            )?;
        }
        Op::RemoveVersion { subject, version } => {
            let key = version_key(subject, *version);
            if let Some(old) = t.remove(SUBJECT_VERSIONS, key)? {
                let Ok(old) = decode_version_value(*version, &old) else {
                    return abort("corrupt version value");
                };
                t.remove(ID_VERSIONS, id_version_key(old.id, subject, *version))?;
            }
        }
        Op::SetConfig { subject, config } => t.set_scoped(
            CONFIG,
            subject.as_deref(),
            config.as_ref().map(ConfigRecord::encode).as_deref(),
        )?,
        Op::SetFormat(format) => {
            t.insert(META, FORMAT_KEY, &format.to_be_bytes())?;
        }
        Op::SetMode { subject, mode } => {
            t.set_scoped(MODE, subject.as_deref(), mode.map(Mode::as_str))?
        }
        Op::SetNextId(next) => {
            let current = match t.get(META, NEXT_ID)? {
                Some(v) => match be_id(&v) {
                    Ok(v) => v,
                    Err(_) => return abort("corrupt id counter"),
                },
                None => SchemaId(1),
            };
            if *next > current {
                t.insert(META, NEXT_ID, &next.to_be_bytes())?;
            }
        }
    }
    Ok(())
}

impl Store for SledStore {
    fn schema(&self, id: SchemaId) -> StoreResult<Option<StoredSchema>> {
        match self.tree(SCHEMAS).get(id.to_be_bytes())? {
            None => Ok(None),
            Some(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| StoreError(format!("corrupt schema {id}: {e}"))),
        }
    }

    fn id_for_key(&self, key: &ContentKey) -> StoreResult<Option<SchemaId>> {
        self.tree(FINGERPRINTS)
            .get(key)?
            .map(|v| be_id(&v))
            .transpose()
    }

    fn id_for_guid(&self, guid: &str) -> StoreResult<Option<SchemaId>> {
        self.tree(GUIDS)
            .get(guid.as_bytes())?
            .map(|v| be_id(&v))
            .transpose()
    }

    fn schema_ids(&self) -> StoreResult<Vec<SchemaId>> {
        self.tree(SCHEMAS)
            .iter()
            .keys()
            .map(|k| be_id(&k?))
            .collect()
    }

    fn format(&self) -> StoreResult<u32> {
        match self.tree(META).get(FORMAT_KEY)? {
            None => Ok(1),
            Some(v) => <[u8; 4]>::try_from(v.as_ref())
                .map(u32::from_be_bytes)
                .map_err(|_| StoreError("corrupt store format".into())),
        }
    }

    fn versions(&self, subject: &str) -> StoreResult<Vec<VersionEntry>> {
        self.tree(SUBJECT_VERSIONS)
            .scan_prefix(subject_prefix(subject))
            .map(|item| {
                let (key, value) = item?;
                let (_, version) = split_version_key(&key)?;
                decode_version_value(version, &value)
            })
            .collect()
    }

    fn version(&self, subject: &str, version: i32) -> StoreResult<Option<VersionEntry>> {
        self.tree(SUBJECT_VERSIONS)
            .get(version_key(subject, version))?
            .map(|value| decode_version_value(version, &value))
            .transpose()
    }

    fn latest_version(
        &self,
        subject: &str,
        include_deleted: bool,
    ) -> StoreResult<Option<VersionEntry>> {
        // Keys sort by version, so walking backwards meets the newest first.
        for item in self
            .tree(SUBJECT_VERSIONS)
            .scan_prefix(subject_prefix(subject))
            .rev()
        {
            let (key, value) = item?;
            let (_, version) = split_version_key(&key)?;
            let entry = decode_version_value(version, &value)?;
            if include_deleted || !entry.deleted {
                return Ok(Some(entry));
            }
        }
        Ok(None)
    }

    fn all_versions(&self) -> StoreResult<Vec<(String, Vec<VersionEntry>)>> {
        let mut out: Vec<(String, Vec<VersionEntry>)> = Vec::new();
        for item in self.tree(SUBJECT_VERSIONS).iter() {
            let (key, value) = item?;
            let (subject, version) = split_version_key(&key)?;
            let entry = decode_version_value(version, &value)?;
            match out.last_mut() {
                Some((s, entries)) if *s == subject => entries.push(entry),
                _ => out.push((subject, vec![entry])),
            }
        }
        Ok(out)
    }

    fn usages(&self, id: SchemaId) -> StoreResult<Vec<(String, VersionEntry)>> {
        self.tree(ID_VERSIONS)
            .scan_prefix(id.to_be_bytes())
            .map(|item| {
                let (key, value) = item?;
                let rest = key
                    .get(4..)
                    .ok_or_else(|| StoreError("corrupt id index key".into()))?;
                let (subject, version) = split_version_key(rest)?;
                Ok((
                    subject,
                    VersionEntry {
                        version,
                        id,
                        deleted: value.first().is_some_and(|b| *b != 0),
                        ts: value
                            .get(1..9)
                            .and_then(|b| b.try_into().ok())
                            .map(i64::from_be_bytes),
                    },
                ))
            })
            .collect()
    }

    fn referrers(&self, subject: &str, version: i32) -> StoreResult<Vec<SchemaId>> {
        let prefix = version_key(subject, version);
        self.tree(REFS)
            .scan_prefix(&prefix)
            .map(|item| {
                let (key, _) = item?;
                be_id(&key[prefix.len()..])
            })
            .collect()
    }

    fn config(&self, subject: Option<&str>) -> StoreResult<Option<ConfigRecord>> {
        match self.tree(CONFIG).get(scope_key(subject))? {
            None => Ok(None),
            Some(v) => std::str::from_utf8(&v)
                .map_err(|_| StoreError("corrupt configuration".into()))
                .and_then(ConfigRecord::decode)
                .map(Some),
        }
    }

    fn mode(&self, subject: Option<&str>) -> StoreResult<Option<Mode>> {
        match self.tree(MODE).get(scope_key(subject))? {
            None => Ok(None),
            Some(v) => std::str::from_utf8(&v)
                .ok()
                .and_then(Mode::parse)
                .map(Some)
                .ok_or_else(|| StoreError("corrupt mode".into())),
        }
    }

    fn mode_subjects(&self) -> StoreResult<Vec<String>> {
        // Subject scopes are keyed `1` + name; the global one is `0`.
        let mut out = Vec::new();
        for entry in self.tree(MODE).scan_prefix([1]) {
            let (key, _) = entry?;
            let name = std::str::from_utf8(&key[1..])
                .map_err(|_| StoreError("corrupt mode key".into()))?;
            out.push(name.to_owned());
        }
        Ok(out)
    }

    fn next_id(&self) -> StoreResult<SchemaId> {
        match self.tree(META).get(NEXT_ID)? {
            None => Ok(SchemaId(1)),
            Some(v) => be_id(&v),
        }
    }

    fn counts(&self) -> StoreResult<Counts> {
        let mut counts = Counts {
            schemas: self.tree(SCHEMAS).len() as u64,
            ..Counts::default()
        };
        for (_, entries) in self.all_versions()? {
            let live = entries.iter().filter(|e| !e.deleted).count() as u64;
            counts.versions += live;
            counts.subjects += u64::from(live > 0);
        }
        Ok(counts)
    }

    fn apply(&self, seq: u64, ops: &[Op]) -> StoreResult<()> {
        // Held across the transaction so that a flush's cut never falls between a
        // commit becoming visible and its undo record being kept.
        let mut journal = self.journal();
        let undo = self.transact(|t| ops.iter().try_for_each(|op| apply_op(t, op)))?;
        journal.push(Undone { seq, undo });
        Ok(())
    }

    fn flush(&self, upto: u64) -> StoreResult<()> {
        self.db.flush()?;
        self.log
            .sync_data()
            .map_err(|e| StoreError(format!("syncing sled's log failed: {e}")))?;
        // Everything numbered up to `upto` was applied before this flush began.
        self.journal().retain(|u| u.seq > upto);
        Ok(())
    }

    fn discard_unflushed(&self, after: u64) -> StoreResult<()> {
        let mut journal = self.journal();
        self.transact(|t| {
            for u in journal.iter().filter(|u| u.seq > after).rev() {
                for change in u.undo.iter().rev() {
                    match &change.old {
                        Some(old) => t.insert(change.tree, change.key.clone(), old.clone())?,
                        None => {
                            t.remove(change.tree, change.key.clone())?;
                        }
                    }
                }
            }
            Ok(())
        })?;
        // What is left is now the state of the last good flush (or older, and durable).
        journal.clear();
        Ok(())
    }
}
