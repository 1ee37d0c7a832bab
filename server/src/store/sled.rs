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

use super::keys::{self, DekId, DekRecord, KekRecord, KeyCounts};
use super::{
    ConfigRecord, ContentKey, Counts, Mode, Op, Row, SchemaId, Store, StoreError, StoreResult,
    StoredSchema, Table, VersionEntry,
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
const CONTEXTS: usize = 9;
const KEKS: usize = 10;
const DEKS: usize = 11;
const TREE_NAMES: [&str; 12] = [
    "schemas",
    "fingerprints",
    "subject_versions",
    "id_versions",
    "refs",
    "config",
    "mode",
    "meta",
    "guids",
    "contexts",
    "keks",
    "deks",
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

    /// The DEKs whose keys start with `prefix`, in key order.
    fn scan_deks(&self, prefix: Vec<u8>) -> StoreResult<Vec<DekRecord>> {
        self.tree(DEKS)
            .scan_prefix(prefix)
            .values()
            .map(|v| keys::decode(&v?, "DEK"))
            .collect()
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

/// Keys of a context's records: the context's prefix, then the default context's key.
/// The default context's prefix is empty, so its keys are those of store format 2; any
/// other prefix starts with `:`, and a GUID or counter name never does, nor is a
/// default-context schema key (4 bytes) ever as long as a prefixed one.
fn in_context(context: &str, key: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(context.len() + key.len());
    out.extend_from_slice(context.as_bytes());
    out.extend_from_slice(key);
    out
}

/// A GUID index key: the GUID (36 characters), then the context's prefix.
fn guid_key(context: &str, guid: &str) -> Vec<u8> {
    let mut out = guid.as_bytes().to_vec();
    out.extend_from_slice(context.as_bytes());
    out
}

/// Splits what follows a fixed prefix into (context prefix, id): the id is the last
/// four bytes.
fn split_context_id(rest: &[u8]) -> StoreResult<(String, SchemaId)> {
    let cut = rest
        .len()
        .checked_sub(4)
        .ok_or_else(|| StoreError("corrupt context id".into()))?;
    let context = std::str::from_utf8(&rest[..cut])
        .map_err(|_| StoreError("corrupt context in key".into()))?;
    Ok((context.to_owned(), be_id(&rest[cut..])?))
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
    context: &str,
    id: SchemaId,
    key: Option<&ContentKey>,
    guid: &str,
    schema: &StoredSchema,
) -> TxResult<()> {
    let Ok(bytes) = serde_json::to_vec(schema) else {
        return abort("schema does not serialise");
    };
    t.insert(SCHEMAS, in_context(context, &id.to_be_bytes()), bytes)?;
    if let Some(key) = key
        && t.get(FINGERPRINTS, key)?.is_none()
    {
        t.insert(FINGERPRINTS, key, &id.to_be_bytes())?;
    }
    let guid_key = guid_key(context, guid);
    if t.get(GUIDS, &guid_key)?.is_none() {
        t.insert(GUIDS, guid_key, &id.to_be_bytes())?;
    }
    for r in &schema.references {
        let subject = super::reference_target(context, &r.subject);
        let mut k = version_key(&subject, r.version);
        k.extend_from_slice(&in_context(context, &id.to_be_bytes()));
        t.insert(REFS, k, &[])?;
    }
    Ok(())
}

fn apply_op(t: &mut Changes<'_>, op: &Op) -> TxResult<()> {
    match op {
        Op::PutSchema {
            context,
            id,
            key,
            guid,
            schema,
        } => put_schema(t, context, *id, Some(key), guid, schema)?,
        Op::UpgradeSchema {
            id,
            key,
            guid,
            schema,
        } => put_schema(t, "", *id, key.as_ref(), guid, schema)?,
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
        Op::SetNextId { context, next } => {
            let key = in_context(context, NEXT_ID);
            let current = match t.get(META, &key)? {
                Some(v) => match be_id(&v) {
                    Ok(v) => v,
                    Err(_) => return abort("corrupt id counter"),
                },
                None => SchemaId(1),
            };
            if *next > current {
                t.insert(META, key, &next.to_be_bytes())?;
            }
        }
        Op::SetContext { context, present } => {
            if *present {
                t.insert(CONTEXTS, context.as_bytes(), &[])?;
            } else {
                t.remove(CONTEXTS, context.as_bytes())?;
            }
        }
        Op::PutKek(kek) => t.insert(KEKS, kek.name.as_bytes(), keys::encode(kek).as_bytes())?,
        Op::RemoveKek { name } => t.remove(KEKS, name.as_bytes()).map(drop)?,
        Op::PutDek(dek) => t.insert(DEKS, dek_key(&dek.id()), keys::encode(dek).as_bytes())?,
        Op::RemoveDek(id) => t.remove(DEKS, dek_key(id)).map(drop)?,
        Op::PutRows(rows) => {
            for row in rows {
                put_row(t, row)?;
            }
        }
    }
    Ok(())
}

/// The key a [`Row`] is stored under, in its table's tree ([`table_tree`]).
fn row_key(row: &Row) -> Vec<u8> {
    match row {
        Row::Schema { context, id, .. } => in_context(context, &id.to_be_bytes()),
        Row::ContentKey { key, .. } => key.to_vec(),
        Row::Guid { guid, context, .. } => guid_key(context, guid),
        Row::Reference {
            subject,
            version,
            context,
            id,
        } => {
            let mut key = version_key(subject, *version);
            key.extend_from_slice(&in_context(context, &id.to_be_bytes()));
            key
        }
        Row::Version { subject, entry } => version_key(subject, entry.version),
    }
}

fn table_tree(table: Table) -> usize {
    match table {
        Table::Schemas => SCHEMAS,
        Table::ContentKeys => FINGERPRINTS,
        Table::Guids => GUIDS,
        Table::References => REFS,
        Table::Versions => SUBJECT_VERSIONS,
    }
}

/// Writes a row copied from another store as it is (the id index of a version with it).
fn put_row(t: &mut Changes<'_>, row: &Row) -> TxResult<()> {
    let (tree, key) = (table_tree(row.table()), row_key(row));
    match row {
        Row::Schema { schema, .. } => {
            let Ok(bytes) = serde_json::to_vec(schema) else {
                return abort("schema does not serialise");
            };
            t.insert(tree, key, bytes)
        }
        Row::ContentKey { id, .. } | Row::Guid { id, .. } => t.insert(tree, key, &id.to_be_bytes()),
        Row::Reference { .. } => t.insert(tree, key, &[]),
        Row::Version { subject, entry } => {
            let value = encode_version_value(entry);
            t.insert(tree, key, &value[..])?;
            t.insert(
                ID_VERSIONS,
                id_version_key(entry.id, subject, entry.version),
                &value[4..],
            )
        }
    }
}

/// Reads a row of `table` back from its key and value.
fn decode_row(table: Table, key: &[u8], value: &[u8]) -> StoreResult<Row> {
    Ok(match table {
        Table::Schemas => {
            let (context, id) = split_context_id(key)?;
            let schema = serde_json::from_slice(value)
                .map_err(|e| StoreError(format!("corrupt schema {context}/{id}: {e}")))?;
            Row::Schema {
                context,
                id,
                schema,
            }
        }
        Table::ContentKeys => Row::ContentKey {
            key: key
                .try_into()
                .map_err(|_| StoreError("corrupt content key".into()))?,
            id: be_id(value)?,
        },
        Table::Guids => {
            // A GUID is 36 characters; the context's prefix follows.
            let (guid, context) = key
                .split_at_checked(36)
                .ok_or_else(|| StoreError("corrupt GUID key".into()))?;
            let text = |b: &[u8]| {
                String::from_utf8(b.to_vec()).map_err(|_| StoreError("corrupt GUID key".into()))
            };
            Row::Guid {
                guid: text(guid)?,
                context: text(context)?,
                id: be_id(value)?,
            }
        }
        Table::References => {
            let nul = key
                .iter()
                .position(|b| *b == 0)
                .filter(|at| key.len() >= at + 9)
                .ok_or_else(|| StoreError("corrupt reference key".into()))?;
            let (subject, version) = split_version_key(&key[..nul + 5])?;
            let (context, id) = split_context_id(&key[nul + 5..])?;
            Row::Reference {
                subject,
                version,
                context,
                id,
            }
        }
        Table::Versions => {
            let (subject, version) = split_version_key(key)?;
            Row::Version {
                subject,
                entry: decode_version_value(version, value)?,
            }
        }
    })
}

/// `kek NUL`: the prefix of every DEK key under a KEK. KEK names are letters, digits,
/// `_` and `-`, and subjects have no control characters, so neither holds a NUL.
fn dek_prefix(kek_name: &str, subject: Option<&str>) -> Vec<u8> {
    let mut key = Vec::with_capacity(kek_name.len() + subject.map_or(0, str::len) + 2);
    key.extend_from_slice(kek_name.as_bytes());
    key.push(0);
    if let Some(subject) = subject {
        key.extend_from_slice(subject.as_bytes());
        key.push(0);
    }
    key
}

/// `kek NUL subject NUL algorithm version`: sorts by KEK, subject, algorithm, version.
fn dek_key(id: &DekId) -> Vec<u8> {
    let mut key = dek_prefix(&id.kek_name, Some(&id.subject));
    key.push(id.algorithm.ordinal());
    key.extend_from_slice(&(id.version as u32).to_be_bytes());
    key
}

impl Store for SledStore {
    fn schema(&self, context: &str, id: SchemaId) -> StoreResult<Option<StoredSchema>> {
        match self
            .tree(SCHEMAS)
            .get(in_context(context, &id.to_be_bytes()))?
        {
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

    fn ids_for_guid(&self, guid: &str) -> StoreResult<Vec<(String, SchemaId)>> {
        // The default context's key is the bare GUID, which sorts first.
        self.tree(GUIDS)
            .scan_prefix(guid.as_bytes())
            .map(|item| {
                let (key, value) = item?;
                let context = std::str::from_utf8(&key[guid.len()..])
                    .map_err(|_| StoreError("corrupt context in GUID key".into()))?;
                Ok((context.to_owned(), be_id(&value)?))
            })
            .collect()
    }

    fn schema_ids(&self) -> StoreResult<Vec<SchemaId>> {
        let mut ids = Vec::new();
        for key in self.tree(SCHEMAS).iter().keys() {
            let key = key?;
            // Other contexts' keys are longer; the default context's are the ids.
            if key.len() == 4 {
                ids.push(be_id(&key)?);
            }
        }
        Ok(ids)
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

    fn referrers(&self, subject: &str, version: i32) -> StoreResult<Vec<(String, SchemaId)>> {
        let prefix = version_key(subject, version);
        self.tree(REFS)
            .scan_prefix(&prefix)
            .map(|item| {
                let (key, _) = item?;
                split_context_id(&key[prefix.len()..])
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

    fn next_id(&self, context: &str) -> StoreResult<SchemaId> {
        match self.tree(META).get(in_context(context, NEXT_ID))? {
            None => Ok(SchemaId(1)),
            Some(v) => be_id(&v),
        }
    }

    fn configs(&self) -> StoreResult<Vec<(String, ConfigRecord)>> {
        // Subjects' keys are `1` and the name; the top level's is `0`.
        self.tree(CONFIG)
            .scan_prefix([1])
            .map(|item| {
                let (key, value) = item?;
                let subject = String::from_utf8(key[1..].to_vec())
                    .map_err(|_| StoreError("corrupt configuration key".into()))?;
                let text = std::str::from_utf8(&value)
                    .map_err(|_| StoreError("corrupt configuration".into()))?;
                Ok((subject, ConfigRecord::decode(text)?))
            })
            .collect()
    }

    fn contexts(&self) -> StoreResult<Vec<String>> {
        self.tree(CONTEXTS)
            .iter()
            .keys()
            .map(|k| {
                String::from_utf8(k?.to_vec())
                    .map_err(|_| StoreError("corrupt context name".into()))
            })
            .collect()
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

    fn kek(&self, name: &str) -> StoreResult<Option<KekRecord>> {
        self.tree(KEKS)
            .get(name.as_bytes())?
            .map(|v| keys::decode(&v, "KEK"))
            .transpose()
    }

    fn keks(&self) -> StoreResult<Vec<KekRecord>> {
        self.tree(KEKS)
            .iter()
            .values()
            .map(|v| keys::decode(&v?, "KEK"))
            .collect()
    }

    fn deks(&self, kek_name: &str) -> StoreResult<Vec<DekRecord>> {
        self.scan_deks(dek_prefix(kek_name, None))
    }

    fn subject_deks(&self, kek_name: &str, subject: &str) -> StoreResult<Vec<DekRecord>> {
        self.scan_deks(dek_prefix(kek_name, Some(subject)))
    }

    fn key_counts(&self) -> StoreResult<KeyCounts> {
        Ok(KeyCounts {
            keks: self.tree(KEKS).len() as u64,
            deks: self.tree(DEKS).len() as u64,
        })
    }

    fn rows(&self, table: Table, after: Option<&Row>, limit: usize) -> StoreResult<Vec<Row>> {
        use std::ops::Bound;
        let tree = self.tree(table_tree(table));
        let start = match after {
            Some(row) if row.table() == table => Bound::Excluded(IVec::from(row_key(row))),
            Some(_) => return Err(StoreError("a page cursor of another table".into())),
            None => Bound::Unbounded,
        };
        tree.range::<IVec, _>((start, Bound::Unbounded))
            .take(limit)
            .map(|item| {
                let (key, value) = item?;
                decode_row(table, &key, &value)
            })
            .collect()
    }

    fn id_counters(&self) -> StoreResult<Vec<(String, SchemaId)>> {
        let mut out = Vec::new();
        for item in self.tree(META).iter() {
            let (key, value) = item?;
            if let Some(context) = key.strip_suffix(NEXT_ID) {
                let context = String::from_utf8(context.to_vec())
                    .map_err(|_| StoreError("corrupt id counter key".into()))?;
                out.push((context, be_id(&value)?));
            }
        }
        out.sort();
        Ok(out)
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::store::keys::DekAlgorithm;

    fn kek(name: &str, deleted: bool) -> KekRecord {
        KekRecord {
            name: name.into(),
            kms_type: "local-kms".into(),
            kms_key_id: "id".into(),
            kms_props: BTreeMap::new(),
            doc: None,
            shared: false,
            ts: 1,
            deleted,
        }
    }

    fn dek(kek: &str, subject: &str, algorithm: DekAlgorithm, version: i32) -> DekRecord {
        DekRecord {
            kek_name: kek.into(),
            subject: subject.into(),
            version,
            algorithm,
            encrypted_key_material: format!("{subject}{version}"),
            ts: 1,
            deleted: false,
        }
    }

    /// KEKs and DEKs are found by KEK and subject in key order, and a commit that failed
    /// to flush is taken back from their trees like from every other.
    #[test]
    fn encryption_keys_are_ordered_and_taken_back_with_unflushed_commits() {
        let dir = tempfile::tempdir().unwrap();
        let store = SledStore::open(dir.path()).unwrap();
        let a = dek("k", "a", DekAlgorithm::Aes256Gcm, 2);
        let a1 = dek("k", "a", DekAlgorithm::Aes256Gcm, 1);
        let a_siv = dek("k", "a", DekAlgorithm::Aes256Siv, 1);
        // "a" is a prefix of "ab": the subject's scan must not reach it.
        let ab = dek("k", "ab", DekAlgorithm::Aes128Gcm, 1);
        let other = dek("k2", "a", DekAlgorithm::Aes256Gcm, 1);
        store
            .apply(
                1,
                &[
                    Op::PutKek(kek("k", false)),
                    Op::PutKek(kek("k2", false)),
                    Op::PutDek(a_siv.clone()),
                    Op::PutDek(a.clone()),
                    Op::PutDek(ab.clone()),
                    Op::PutDek(a1.clone()),
                    Op::PutDek(other.clone()),
                ],
            )
            .unwrap();
        store.flush(1).unwrap();
        assert_eq!(
            store.subject_deks("k", "a").unwrap(),
            vec![a1.clone(), a.clone(), a_siv.clone()]
        );
        assert_eq!(store.deks("k").unwrap(), vec![a1, a.clone(), a_siv, ab]);
        assert_eq!(store.deks("k2").unwrap(), vec![other]);
        assert_eq!(store.key_counts().unwrap(), KeyCounts { keks: 2, deks: 5 });

        store
            .apply(
                2,
                &[
                    Op::PutKek(kek("k", true)),
                    Op::RemoveKek { name: "k2".into() },
                    Op::RemoveDek(a.id()),
                    Op::PutDek(dek("k", "new", DekAlgorithm::Aes256Gcm, 1)),
                ],
            )
            .unwrap();
        assert!(store.kek("k").unwrap().unwrap().deleted);
        store.discard_unflushed(1).unwrap();
        assert!(!store.kek("k").unwrap().unwrap().deleted);
        assert!(store.kek("k2").unwrap().is_some());
        assert!(store.subject_deks("k", "a").unwrap().contains(&a));
        assert!(store.subject_deks("k", "new").unwrap().is_empty());
        assert_eq!(store.key_counts().unwrap(), KeyCounts { keks: 2, deks: 5 });
        assert_eq!(store.keks().unwrap().len(), 2);
    }
}
