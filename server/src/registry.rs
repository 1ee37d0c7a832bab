//! The use cases: register, look up, list, delete, check compatibility, configure.
//!
//! This is the only module that knows both the store and the core. Handlers call it
//! with raw request values and get either a view to serialise or an [`Error`] that
//! `api::error` turns into a Confluent error body.
//!
//! Concurrency: every write runs check-and-commit under one writer mutex, so two
//! registrations of the same schema cannot both decide it is new. The mutex is a
//! blocking one and write use cases run on the blocking pool as a whole: a client
//! that disconnects mid-request cannot leave a half-done decision behind. Durability
//! is a separate step ([`Registry::durable`]) outside the mutex, where concurrent
//! writers share one flush (group commit). Reads take no lock; no answer shows what is
//! not yet durable ([`durability`]).

mod durability;

use std::collections::HashSet;
use std::hash::BuildHasher as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use durability::Commits;

use axum::body::Bytes;
use schemagate_core::{
    CheckOptions, Level, Limits, ParseOptions, ParsedSchema, Reference, SchemaError, SchemaType,
    Subject, check_with,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::auth::policy::denial;
use crate::auth::{Principal, Role};
use crate::cache::Cache;
use crate::hash::hash_parts;
use crate::store::{
    ContentKey, Counts, Mode, Op, SchemaId, SchemaRef, Store, StoreError, StoredSchema,
    VersionEntry, WriteLock,
};

/// Everything a use case can refuse, one variant per Confluent error condition.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// 40301: the principal's role or subject prefixes do not allow what the request's
    /// content names (the auth layer refuses by route before any use case runs).
    #[error("{0}")]
    Forbidden(String),
    /// 40401.
    #[error("Subject '{0}' not found.")]
    SubjectNotFound(String),
    /// 40402.
    #[error("Version {0} not found.")]
    VersionNotFound(String),
    /// 40403.
    #[error("Schema {0} not found")]
    SchemaNotFound(String),
    /// 40404.
    #[error("Subject '{0}' was soft deleted. Set permanent=true to delete permanently")]
    SubjectSoftDeleted(String),
    /// 40405.
    #[error("Subject '{0}' was not deleted first before being permanently deleted")]
    SubjectNotSoftDeleted(String),
    /// 40406.
    #[error(
        "Version {version} of subject '{subject}' was soft deleted. Set permanent=true to delete permanently"
    )]
    VersionSoftDeleted {
        /// Subject.
        subject: String,
        /// Version.
        version: i32,
    },
    /// 40407.
    #[error(
        "Version {version} of subject '{subject}' was not deleted first before being permanently deleted"
    )]
    VersionNotSoftDeleted {
        /// Subject.
        subject: String,
        /// Version.
        version: i32,
    },
    /// 40408.
    #[error("Subject '{0}' does not have subject-level compatibility configured")]
    SubjectLevelNotConfigured(String),
    /// 40409.
    #[error("Subject '{0}' does not have subject-level mode configured")]
    SubjectModeNotConfigured(String),
    /// 409: the findings rendered one per message.
    #[error(
        "Schema being registered is incompatible with an earlier schema for subject \"{subject}\", details: [{}]",
        messages.join("; ")
    )]
    Incompatible {
        /// Subject.
        subject: String,
        /// One line per breaking finding.
        messages: Vec<String>,
    },
    /// 42201.
    #[error("Invalid schema: {0}")]
    InvalidSchema(String),
    /// 42202.
    #[error(
        "The specified version '{0}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\""
    )]
    InvalidVersion(String),
    /// 42203.
    #[error(
        "Invalid compatibility level {0:?}. Valid values are NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE"
    )]
    InvalidLevel(String),
    /// 42204.
    #[error("Invalid mode {0:?}. Valid values are READWRITE, READONLY, READONLY_OVERRIDE, IMPORT")]
    InvalidMode(String),
    /// 42205.
    #[error("{0}")]
    NotPermitted(String),
    /// 42206.
    #[error("One or more references exist to the schema {{subject={subject},version={version}}}")]
    ReferenceExists {
        /// Subject.
        subject: String,
        /// Version.
        version: i32,
    },
    /// 42207.
    #[error("{0}")]
    IdMismatch(String),
    /// 42208.
    #[error("Invalid subject: {0}")]
    InvalidSubject(String),
    /// 42209.
    #[error("Schema too large: {0}")]
    SchemaTooLarge(String),
    /// 50001.
    #[error("Error in the backend data store: {0}")]
    Store(#[from] StoreError),
    /// 50002.
    #[error("Operation timed out")]
    Timeout,
}

/// Result of a use case.
pub type Result<T> = std::result::Result<T, Error>;

/// A version as given in a path: a number or the newest live one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VersionSpec {
    /// `latest` (any case) or `-1`.
    Latest,
    /// 1 to 2^31-1.
    Number(i32),
}

impl VersionSpec {
    /// Parses a path segment; anything but a valid version is 42202.
    pub fn parse(s: &str) -> Result<VersionSpec> {
        if s.eq_ignore_ascii_case("latest") || s == "-1" {
            return Ok(VersionSpec::Latest);
        }
        match s.parse::<i32>() {
            Ok(n) if n >= 1 => Ok(VersionSpec::Number(n)),
            _ => Err(Error::InvalidVersion(s.to_owned())),
        }
    }
}

/// Whom a use case serves, for what only the request's content decides. The auth layer
/// checks the route (the role, the subject in the path) before any use case runs; the
/// use cases check the subjects a body names (references), the subjects an answer would
/// show (the references of a stored schema) and the ids an IMPORT would take.
#[derive(Clone, Copy, Debug, Default)]
pub struct Caller<'a>(Option<&'a Principal>);

impl<'a> Caller<'a> {
    /// Authentication off: everyone may do everything.
    pub const ANYONE: Caller<'static> = Caller(None);

    /// The authenticated principal of the request, or `None` with authentication off.
    pub fn new(principal: Option<&'a Principal>) -> Caller<'a> {
        Caller(principal)
    }

    /// Whether the caller is limited to subject prefixes, so that answers naming
    /// subjects must be checked before it sees them.
    pub fn is_limited(self) -> bool {
        self.0.is_some_and(|p| p.subject_prefixes.is_some())
    }

    fn may_read(self, subject: &str) -> bool {
        self.0.is_none_or(|p| p.may_touch(subject))
    }

    /// An admin without subject prefixes (or anyone, with authentication off): the only
    /// caller whose requests may change what every subject sees.
    fn is_global_admin(self) -> bool {
        self.0
            .is_none_or(|p| p.role == Role::Admin && p.subject_prefixes.is_none())
    }

    /// 40301 in the auth layer's words; only called with a principal.
    fn denied(self, role: Role, on: &str) -> Error {
        match self.0 {
            Some(p) => Error::Forbidden(denial(p, role, on)),
            None => Error::Forbidden(format!("Operation {} denied on {on}", role.name())),
        }
    }

    /// 40301 unless every reference names a subject the caller may read. Checked before
    /// any reference is looked up, so a refusal tells nothing about what exists, and a
    /// reference (which protects its target from deletion, 42206) can only pin the
    /// caller's own subjects.
    fn check_references(self, refs: Option<&[RefInput]>) -> Result<()> {
        match refs
            .unwrap_or_default()
            .iter()
            .find(|r| !self.may_read(&r.subject))
        {
            None => Ok(()),
            Some(r) => Err(self.denied(Role::Read, &format!("Subject: {}", r.subject))),
        }
    }

    /// 40301 when an answer showing schema `id` with `references` would name a subject
    /// outside the caller's prefixes. The message names the id, never the subject.
    fn check_shown(self, id: SchemaId, references: &[SchemaRef]) -> Result<()> {
        if !self.is_limited() || references.iter().all(|r| self.may_read(&r.subject)) {
            Ok(())
        } else {
            Err(self.denied(
                Role::Read,
                &format!(
                    "Schema: {id} (its references name subjects outside your subject prefixes; its text alone is at /schemas/ids/{id}/schema)"
                ),
            ))
        }
    }
}

/// A reference as a client sends it.
#[derive(Clone, Debug, Deserialize)]
pub struct RefInput {
    /// Import name.
    pub name: String,
    /// Referenced subject.
    pub subject: String,
    /// Referenced version; `-1` means the latest.
    pub version: i64,
}

/// A schema as a client sends it (register, lookup, compatibility).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct SchemaInput {
    /// The schema text.
    pub schema: Option<String>,
    /// `AVRO` (default), `JSON` or `PROTOBUF`.
    #[serde(rename = "schemaType")]
    pub schema_type: Option<String>,
    /// Imported subject-versions.
    pub references: Option<Vec<RefInput>>,
}

fn is_avro(t: &SchemaType) -> bool {
    *t == SchemaType::Avro
}

/// A subject version with its schema, as the API shows it.
#[derive(Clone, Debug, Serialize)]
pub struct SchemaView {
    /// Subject.
    pub subject: String,
    /// Version.
    pub version: i32,
    /// Global id.
    pub id: SchemaId,
    /// Omitted for Avro, as Confluent does (kafkajs reads `null` as unknown).
    #[serde(rename = "schemaType", skip_serializing_if = "is_avro")]
    pub schema_type: SchemaType,
    /// Canonical text.
    pub schema: String,
    /// Omitted when empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<SchemaRef>,
}

/// `GET /schemas/ids/{id}` rendered once: ids are immutable, so the bytes are too.
#[derive(Debug)]
pub struct IdDoc {
    /// The JSON body.
    pub json: Bytes,
    /// The raw schema text (`/schema` variant).
    pub raw: Bytes,
    /// The references the JSON body shows, so that a cached body is checked against a
    /// prefix-limited caller without a store read.
    references: Vec<SchemaRef>,
}

#[derive(Serialize)]
struct IdBody<'a> {
    schema: &'a str,
    #[serde(rename = "schemaType", skip_serializing_if = "is_avro")]
    schema_type: SchemaType,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    references: &'a [SchemaRef],
}

/// Answer of the compatibility endpoints.
#[derive(Clone, Debug, Serialize)]
pub struct CompatView {
    /// The verdict.
    pub is_compatible: bool,
    /// Present only with `verbose=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub messages: Option<Vec<String>>,
}

/// A committed write and the commit sequence that must be durable before answering.
#[derive(Debug)]
pub struct Written<T> {
    /// What the use case returns.
    pub value: T,
    /// Commit sequence to pass to [`Registry::durable`].
    pub seq: u64,
}

/// A parsed candidate schema with the identity it will be stored under.
struct Candidate {
    parsed: Arc<ParsedSchema>,
    references: Vec<SchemaRef>,
    /// The id each of `references` held when it was resolved (see
    /// [`Registry::recheck_references`]).
    pinned: Vec<SchemaId>,
    key: ContentKey,
}

/// Client references resolved against the store.
struct Resolved {
    /// The concrete subject-versions, in the order given.
    references: Vec<SchemaRef>,
    /// The id each of them held when resolved.
    ids: Vec<SchemaId>,
    /// The texts to parse with, dependencies before dependents.
    texts: Vec<Reference>,
}

/// Held while a write use case decides and commits; see [`Registry::lock_writer`].
struct WriterGuard<'a> {
    // Declared first so that the store lock is released before the local mutex.
    store: Box<dyn WriteLock + 'a>,
    _local: MutexGuard<'a, ()>,
}

/// The registry: use cases over a [`Store`].
pub struct Registry {
    store: Arc<dyn Store>,
    /// Serialises check-and-commit so concurrent writers cannot both decide.
    writer: Mutex<()>,
    /// Commit numbers, group commit, and whether the store is failing.
    commits: Commits,
    default_level: Level,
    limits: Limits,
    /// Hot-path bodies of `GET /schemas/ids/{id}`, tagged with [`Registry::id_epoch`]:
    /// a permanent delete is the only thing that can make an id unresolvable.
    id_docs: Cache<SchemaId, Arc<IdDoc>>,
    /// Permanent deletes so far (see [`Registry::id_epoch`]).
    forgets: AtomicU64,
    /// Rendered `GET /subjects/{s}/versions/{v}` bodies, tagged with [`Registry::epoch`].
    version_docs: Cache<[u8; 32], Bytes>,
    /// Rendered `POST /subjects/{s}` answers, tagged with [`Registry::epoch`].
    lookup_docs: Cache<[u8; 32], Bytes>,
    /// Lookup answers by the request's exact body, tagged with [`Registry::epoch`]: a
    /// producer sends the same bytes at every start, and matching them skips the JSON
    /// parse and the content digest. The key is a fast hash seeded per process; each
    /// entry keeps what it answers, so a collision is a miss, never a wrong answer.
    body_lookups: Cache<u64, Arc<BodyLookup>>,
    body_lookup_seed: u64,
    /// Parsed history for compatibility checks, so a registration does not re-parse
    /// every earlier version.
    parsed: Cache<SchemaId, Arc<ParsedSchema>>,
    /// Recently parsed request schemas by digest of their exact input: producers look
    /// up and re-register the same text at every start, and parsing (metaschema
    /// validation, compiling a JSON validator) dwarfs everything else on that path.
    inputs: Cache<[u8; 32], Arc<ParsedSchema>>,
}

/// A lookup request as sent, with the answer it got.
struct BodyLookup {
    subject: Box<str>,
    flags: u8,
    /// A copy of exactly the body: the request's own `Bytes` may be a slice of a much
    /// larger read buffer, which the entry would keep alive uncounted.
    body: Bytes,
    answer: Bytes,
    /// The subjects the body's references name, checked against the caller on a hit.
    referenced: Box<[Box<str>]>,
}

/// Bounds of the id-body cache: every schema of a 10k registry fits, a 100k one cannot
/// grow the process without limit.
const ID_CACHE_MAX_ENTRIES: usize = 32 * 1024;
const ID_CACHE_MAX_BYTES: usize = 16 << 20;
/// Bounds of each of the version-body and lookup-answer caches.
const BODY_CACHE_MAX_ENTRIES: usize = 16 * 1024;
const BODY_CACHE_MAX_BYTES: usize = 8 << 20;

/// Ids kept for normal registration above the largest id an IMPORT may give: the id
/// counter passes every imported id, and ids are positive 32-bit ints, so without this
/// headroom one import of 2^31-1 would leave no id for any later registration.
const ID_HEADROOM: u32 = 1 << 24;
/// The largest id an IMPORT may give (2,130,706,431).
const MAX_IMPORT_ID: u32 = i32::MAX as u32 - ID_HEADROOM;

/// Inputs larger than this are parsed every time rather than cached.
const INPUT_CACHE_MAX_TEXT: usize = 64 * 1024;
/// Bounds of the parsed-input cache (entries), and of it and the parsed stored-schema
/// cache (each: entries, estimated bytes). A check that needs more history than fits
/// parses the rest again; it is slower, never wrong.
const INPUT_CACHE_MAX_ENTRIES: usize = 4096;
const PARSED_CACHE_MAX_ENTRIES: usize = 16 * 1024;
const PARSED_CACHE_MAX_BYTES: usize = 128 << 20;

/// What a parsed schema is counted as against a cache's byte budget: its syntax tree
/// and indexes take several times its canonical text.
fn parsed_size(parsed: &ParsedSchema) -> usize {
    parsed.canonical().len().saturating_mul(4) + 512
}

/// Digest of everything a parse depends on: type, normalisation, text, reference texts.
fn input_digest(
    schema_type: SchemaType,
    normalize: bool,
    text: &str,
    references: &[Reference],
) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(schema_type.as_str().as_bytes());
    h.update([u8::from(normalize)]);
    for part in std::iter::once(("", text)).chain(
        references
            .iter()
            .map(|r| (r.name.as_str(), r.text.as_str())),
    ) {
        // Length-prefixed so that no two different inputs hash the same bytes.
        h.update((part.0.len() as u64).to_be_bytes());
        h.update(part.0.as_bytes());
        h.update((part.1.len() as u64).to_be_bytes());
        h.update(part.1.as_bytes());
    }
    h.finalize().into()
}

fn valid_subject(name: &str) -> Result<Subject> {
    Subject::parse(name).map_err(|e| Error::InvalidSubject(e.to_string()))
}

fn paginate<T>(items: Vec<T>, offset: usize, limit: i64) -> Vec<T> {
    let it = items.into_iter().skip(offset);
    if limit > 0 {
        it.take(limit as usize).collect()
    } else {
        it.collect()
    }
}

fn content_key(parsed: &ParsedSchema, references: &[SchemaRef]) -> ContentKey {
    let mut h = Sha256::new();
    h.update(parsed.fingerprint().0);
    for r in references {
        h.update(r.name.as_bytes());
        h.update([0]);
        h.update(r.subject.as_bytes());
        h.update([0]);
        h.update(r.version.to_be_bytes());
    }
    h.finalize().into()
}

/// A view as its JSON body, in an allocation of exactly its length: cached bodies are
/// counted by length, and the serializer's doubling buffer may be twice that.
fn render<T: Serialize>(value: &T) -> Result<Bytes> {
    serde_json::to_vec(value)
        .map(exact)
        .map_err(|e| Error::Store(StoreError(e.to_string())))
}

/// `bytes` without spare capacity (see [`render`]).
fn exact(bytes: Vec<u8>) -> Bytes {
    Bytes::from(bytes.into_boxed_slice())
}

/// Bytes a cache entry's references take, for its budget.
fn references_size(references: &[SchemaRef]) -> usize {
    references
        .iter()
        .map(|r| std::mem::size_of::<SchemaRef>() + r.name.len() + r.subject.len())
        .sum()
}

fn schema_error(e: SchemaError) -> Error {
    match e {
        SchemaError::TooLarge { .. } => Error::SchemaTooLarge(e.to_string()),
        other => Error::InvalidSchema(other.to_string()),
    }
}

impl Registry {
    /// A registry over `store`; `default_level` applies when no level is configured.
    pub fn new(store: Arc<dyn Store>, default_level: Level, limits: Limits) -> Registry {
        Registry {
            store,
            writer: Mutex::new(()),
            commits: Commits::new(),
            default_level,
            limits,
            id_docs: Cache::new(ID_CACHE_MAX_ENTRIES, ID_CACHE_MAX_BYTES),
            forgets: AtomicU64::new(0),
            version_docs: Cache::new(BODY_CACHE_MAX_ENTRIES, BODY_CACHE_MAX_BYTES),
            lookup_docs: Cache::new(BODY_CACHE_MAX_ENTRIES, BODY_CACHE_MAX_BYTES),
            body_lookups: Cache::new(BODY_CACHE_MAX_ENTRIES, BODY_CACHE_MAX_BYTES),
            body_lookup_seed: std::hash::RandomState::new().hash_one(0u8),
            parsed: Cache::new(PARSED_CACHE_MAX_ENTRIES, PARSED_CACHE_MAX_BYTES),
            inputs: Cache::new(INPUT_CACHE_MAX_ENTRIES, PARSED_CACHE_MAX_BYTES),
        }
    }

    /// Runs a write use case on the blocking pool, then waits until it is durable.
    pub async fn write<T, F>(self: &Arc<Self>, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Registry) -> Result<Written<T>> + Send + 'static,
    {
        let written = self.on_blocking_pool(f).await?;
        self.durable(written.seq).await?;
        Ok(written.value)
    }

    /// Runs a quick read use case: inline when the store answers from memory or local
    /// disk, on the blocking pool when it is a network round trip away. Answers only
    /// once what it read is durable ([`Registry::settle`]).
    pub async fn read<T, F>(self: &Arc<Self>, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Registry) -> Result<T> + Send + 'static,
    {
        let value = if self.store.inline_reads() {
            f(self)?
        } else {
            self.on_blocking_pool(f).await?
        };
        self.settle().await?;
        Ok(value)
    }

    /// Runs a CPU- or disk-bound read use case on the blocking pool; answers only once
    /// what it read is durable.
    pub async fn blocking<T, F>(self: &Arc<Self>, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Registry) -> Result<T> + Send + 'static,
    {
        let value = self.on_blocking_pool(f).await?;
        self.settle().await?;
        Ok(value)
    }

    async fn on_blocking_pool<T, F>(self: &Arc<Self>, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Registry) -> Result<T> + Send + 'static,
    {
        let this = Arc::clone(self);
        tokio::task::spawn_blocking(move || f(&this))
            .await
            .map_err(|e| Error::Store(StoreError(format!("worker failed: {e}"))))?
    }

    /// Flushes everything (shutdown).
    pub fn flush(&self) -> Result<()> {
        Ok(self.store.flush(self.commits.current())?)
    }

    /// Takes this process's writer mutex, then the store's lock, which excludes writers
    /// in other processes sharing the store.
    fn lock_writer(&self) -> Result<WriterGuard<'_>> {
        if let Some(why) = self.commits.broken() {
            return Err(Error::Store(StoreError(format!(
                "writes are refused until a restart: the store failed and could not take back a write ({why})"
            ))));
        }
        // Poisoning only means another writer panicked; the store itself is transactional.
        let local = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let store = self.store.lock_writes()?;
        Ok(WriterGuard {
            store,
            _local: local,
        })
    }

    /// Applies `ops` atomically and releases the writer lock.
    fn commit(&self, writer: WriterGuard<'_>, ops: &[Op]) -> Result<u64> {
        let seq = self.commits.begin();
        let applied = writer.store.commit(seq, ops);
        // Also on failure, so that waiters on `seq` in `durable` move on.
        self.commits.finish(seq);
        applied?;
        Ok(seq)
    }

    /// The newest commit whose data a reader may already see.
    fn current_seq(&self) -> u64 {
        self.commits.current()
    }

    fn forget_ids(&self) {
        self.forgets.fetch_add(1, Ordering::SeqCst);
        self.id_docs.clear();
        self.parsed.clear();
    }

    // ----- reading helpers -----

    fn stored(&self, id: SchemaId) -> Result<StoredSchema> {
        self.store
            .schema(id)?
            .ok_or_else(|| Error::SchemaNotFound(id.to_string()))
    }

    fn view(&self, subject: &str, entry: &VersionEntry) -> Result<SchemaView> {
        let stored = self.stored(entry.id)?;
        Ok(SchemaView {
            subject: subject.to_owned(),
            version: entry.version,
            id: entry.id,
            schema_type: stored.schema_type,
            schema: stored.schema,
            references: stored.references,
        })
    }

    fn find_version(
        versions: &[VersionEntry],
        spec: VersionSpec,
        include_deleted: bool,
    ) -> Option<VersionEntry> {
        match spec {
            VersionSpec::Latest => versions
                .iter()
                .rev()
                .find(|v| include_deleted || !v.deleted)
                .copied(),
            VersionSpec::Number(n) => versions
                .iter()
                .find(|v| v.version == n && (include_deleted || !v.deleted))
                .copied(),
        }
    }

    /// The versions of `subject`, or 40401 when it has none at all.
    fn existing_versions(&self, subject: &str) -> Result<Vec<VersionEntry>> {
        let versions = self.store.versions(subject)?;
        if versions.is_empty() {
            return Err(Error::SubjectNotFound(subject.to_owned()));
        }
        Ok(versions)
    }

    /// Ids of schemas referencing `subject`/`version` that a live version still uses.
    fn live_referrers(&self, subject: &str, version: i32) -> Result<Vec<SchemaId>> {
        let mut out = Vec::new();
        for id in self.store.referrers(subject, version)? {
            if self.store.usages(id)?.iter().any(|(_, e)| !e.deleted) {
                out.push(id);
            }
        }
        Ok(out)
    }

    /// The level that applies to `subject`: its own, else the global one, else the default.
    fn effective_level(&self, subject: &str) -> Result<Level> {
        Ok(match self.store.config(Some(subject))? {
            Some(l) => l,
            None => self.store.config(None)?.unwrap_or(self.default_level),
        })
    }

    /// The mode that applies to `subject`; a global READONLY_OVERRIDE beats subject modes.
    fn effective_mode(&self, subject: &str) -> Result<Mode> {
        let global = self.store.mode(None)?.unwrap_or(Mode::ReadWrite);
        if global == Mode::ReadOnlyOverride {
            return Ok(global);
        }
        Ok(self.store.mode(Some(subject))?.unwrap_or(global))
    }

    fn ensure_writable(&self, subject: &str) -> Result<Mode> {
        let mode = self.effective_mode(subject)?;
        if mode.is_read_only() {
            return Err(Error::NotPermitted(format!(
                "Subject {subject} is in read-only mode"
            )));
        }
        Ok(mode)
    }

    // ----- references and parsing -----

    /// Adds the text of schema `id` (imported as `name`) and, first, everything it
    /// imports in turn, so core sees dependencies before dependents.
    fn collect_reference(
        &self,
        name: &str,
        id: SchemaId,
        out: &mut Vec<Reference>,
        seen: &mut HashSet<SchemaId>,
    ) -> Result<()> {
        if !seen.insert(id) {
            return Ok(());
        }
        if seen.len() > self.limits.max_references {
            return Err(Error::InvalidSchema(format!(
                "more than {} references, directly or transitively",
                self.limits.max_references
            )));
        }
        let stored = self.stored(id)?;
        for r in &stored.references {
            let versions = self.store.versions(&r.subject)?;
            let entry = Self::find_version(&versions, VersionSpec::Number(r.version), true)
                .ok_or_else(|| {
                    Error::InvalidSchema(format!(
                        "referenced schema {} version {} no longer exists",
                        r.subject, r.version
                    ))
                })?;
            self.collect_reference(&r.name, entry.id, out, seen)?;
        }
        out.push(Reference::new(name, stored.schema));
        Ok(())
    }

    /// Resolves client references to concrete subject-versions, their ids and texts.
    fn resolve_references(&self, refs: &[RefInput]) -> Result<Resolved> {
        // Checked up front: repeats of one subject-version would otherwise pass the
        // transitive count below and be stored (and looked up) one by one.
        if refs.len() > self.limits.max_references {
            return Err(Error::InvalidSchema(format!(
                "{} references, over the limit of {}",
                refs.len(),
                self.limits.max_references
            )));
        }
        let mut concrete = Vec::with_capacity(refs.len());
        let mut ids = Vec::with_capacity(refs.len());
        let mut texts = Vec::new();
        let mut seen = HashSet::new();
        for r in refs {
            let not_found = || {
                Error::InvalidSchema(format!(
                    "reference {:?} names subject {:?} version {}, which is not registered",
                    r.name, r.subject, r.version
                ))
            };
            let spec = match r.version {
                -1 => VersionSpec::Latest,
                v if v >= 1 && v <= i64::from(i32::MAX) => VersionSpec::Number(v as i32),
                _ => return Err(not_found()),
            };
            let versions = self.store.versions(&r.subject)?;
            let entry = Self::find_version(&versions, spec, false).ok_or_else(not_found)?;
            concrete.push(SchemaRef {
                name: r.name.clone(),
                subject: r.subject.clone(),
                version: entry.version,
            });
            ids.push(entry.id);
            self.collect_reference(&r.name, entry.id, &mut texts, &mut seen)?;
        }
        Ok(Resolved {
            references: concrete,
            ids,
            texts,
        })
    }

    /// Under the writer lock: refuses `cand` unless every version it references is still
    /// live and holds the schema it was parsed against. References are resolved before
    /// the lock, since parsing is the slow part; a soft-then-permanent delete of a
    /// referenced version may run in between, and committing then would store a
    /// reference to a missing version (which re-registering that version would give
    /// another meaning). Deletes check referrers under the same lock, so from here on
    /// the versions stay. Direct references suffice: what a live version references is
    /// itself protected from deletion (42206).
    fn recheck_references(&self, cand: &Candidate) -> Result<()> {
        for (r, id) in cand.references.iter().zip(&cand.pinned) {
            let current = self.store.version(&r.subject, r.version)?;
            if !current.is_some_and(|e| !e.deleted && e.id == *id) {
                return Err(Error::InvalidSchema(format!(
                    "reference {:?} names subject {:?} version {}, which was deleted while this schema was being registered; register it against a version that exists",
                    r.name, r.subject, r.version
                )));
            }
        }
        Ok(())
    }

    fn parse_input(&self, input: &SchemaInput, normalize: bool) -> Result<Candidate> {
        let text = match input.schema.as_deref() {
            Some(t) if !t.trim().is_empty() => t,
            _ => return Err(Error::InvalidSchema("Empty schema".into())),
        };
        let schema_type = match input.schema_type.as_deref() {
            None => SchemaType::Avro,
            Some(t) => t.parse::<SchemaType>().map_err(schema_error)?,
        };
        let Resolved {
            references,
            ids: pinned,
            texts,
        } = self.resolve_references(input.references.as_deref().unwrap_or(&[]))?;
        let options = ParseOptions {
            normalize,
            limits: self.limits,
        };
        let digest = input_digest(schema_type, normalize, text, &texts);
        // Parsed schemas never go stale: both caches use one constant tag.
        let parsed = match self.inputs.get(&digest, 0) {
            Some(parsed) => parsed,
            None => {
                let parsed = Arc::new(
                    ParsedSchema::parse_with(schema_type, text, &texts, &options)
                        .map_err(schema_error)?,
                );
                if text.len() <= INPUT_CACHE_MAX_TEXT {
                    let bytes = parsed_size(&parsed);
                    self.inputs.insert(digest, 0, Arc::clone(&parsed), bytes);
                }
                parsed
            }
        };
        let key = content_key(&parsed, &references);
        Ok(Candidate {
            parsed,
            references,
            pinned,
            key,
        })
    }

    /// A stored schema parsed for comparison (cached: stored schemas never change).
    fn parsed(&self, id: SchemaId) -> Result<Arc<ParsedSchema>> {
        if let Some(p) = self.parsed.get(&id, 0) {
            return Ok(p);
        }
        let parsed = Arc::new(self.reparse(id, false)?);
        self.parsed
            .insert(id, 0, Arc::clone(&parsed), parsed_size(&parsed));
        Ok(parsed)
    }

    fn reparse(&self, id: SchemaId, normalize: bool) -> Result<ParsedSchema> {
        let stored = self.stored(id)?;
        let mut texts = Vec::new();
        let mut seen = HashSet::new();
        for r in &stored.references {
            let versions = self.store.versions(&r.subject)?;
            if let Some(e) = Self::find_version(&versions, VersionSpec::Number(r.version), true) {
                self.collect_reference(&r.name, e.id, &mut texts, &mut seen)?;
            }
        }
        let options = ParseOptions {
            normalize,
            limits: self.limits,
        };
        ParsedSchema::parse_with(stored.schema_type, &stored.schema, &texts, &options).map_err(
            |e| {
                Error::Store(StoreError(format!(
                    "stored schema {id} no longer parses: {e}"
                )))
            },
        )
    }

    /// The version among `candidates` holding the same schema as `cand`: by content
    /// key, or with `normalize`, by comparing normalised forms of the stored texts.
    fn matching_version(
        &self,
        cand: &Candidate,
        candidates: &[VersionEntry],
        normalize: bool,
    ) -> Result<Option<VersionEntry>> {
        if let Some(id) = self.store.id_for_key(&cand.key)?
            && let Some(v) = candidates.iter().rev().find(|v| v.id == id)
        {
            return Ok(Some(*v));
        }
        for v in candidates.iter().rev() {
            let stored = self.stored(v.id)?;
            if stored.schema_type == cand.parsed.schema_type()
                && stored.references == cand.references
                && (stored.schema == cand.parsed.canonical()
                    || (normalize
                        && self.reparse(v.id, true).map(|p| p.fingerprint()).ok()
                            == Some(cand.parsed.fingerprint())))
            {
                return Ok(Some(*v));
            }
        }
        Ok(None)
    }

    // ----- use cases: schemas by id -----

    /// The state of the registry that cached answers are tagged with: commits applied
    /// here (counted after the store applies them) plus changes other processes made
    /// to a shared store. Read it before reading the store, so that an entry is never
    /// tagged with a state newer than the data it was built from; both counters only
    /// grow, so an equal sum means nothing changed.
    fn epoch(&self) -> u64 {
        self.commits
            .applied()
            .wrapping_add(self.store.external_changes())
    }

    /// [`Registry::epoch`] for id bodies, which only a permanent delete (here or in
    /// another process sharing the store) can invalidate, so that registrations do not
    /// empty the deserializers' cache.
    fn id_epoch(&self) -> u64 {
        self.forgets
            .load(Ordering::SeqCst)
            .wrapping_add(self.store.external_deletions())
    }

    /// The cached body of `GET /schemas/ids/{id}`, if any and `caller` may see it: no
    /// store access, so callers may try it on a runtime thread before going to a
    /// networked store. A refusal comes from [`Registry::schema_by_id`]. `None` too
    /// while a commit is not yet durable, since the entry may show it.
    pub fn cached_schema_by_id(&self, caller: Caller<'_>, id: SchemaId) -> Option<Arc<IdDoc>> {
        if !self.settled() {
            return None;
        }
        self.id_docs
            .get(&id, self.id_epoch())
            .filter(|doc| caller.check_shown(id, &doc.references).is_ok())
    }

    /// `GET /schemas/ids/{id}`: served from a cache of rendered bodies. Any caller may
    /// read any id (deserializers resolve every id they meet), except that a caller
    /// limited to subject prefixes is refused a schema whose references name subjects
    /// outside them: the body would show those names.
    pub fn schema_by_id(&self, caller: Caller<'_>, id: SchemaId) -> Result<Arc<IdDoc>> {
        let epoch = self.id_epoch();
        if let Some(doc) = self.id_docs.get(&id, epoch) {
            caller.check_shown(id, &doc.references)?;
            return Ok(doc);
        }
        let stored = self.stored(id)?;
        if self.store.usages(id)?.is_empty() {
            return Err(Error::SchemaNotFound(id.to_string()));
        }
        let json = render(&IdBody {
            schema: &stored.schema,
            schema_type: stored.schema_type,
            references: &stored.references,
        })?;
        let doc = Arc::new(IdDoc {
            json,
            raw: exact(stored.schema.into_bytes()),
            references: stored.references,
        });
        let bytes = doc.json.len()
            + doc.raw.len()
            + references_size(&doc.references)
            + std::mem::size_of::<IdDoc>();
        self.id_docs.insert(id, epoch, Arc::clone(&doc), bytes);
        caller.check_shown(id, &doc.references)?;
        Ok(doc)
    }

    fn id_usages(&self, id: SchemaId, deleted: bool) -> Result<Vec<(String, VersionEntry)>> {
        let usages = self.store.usages(id)?;
        if usages.is_empty() || self.store.schema(id)?.is_none() {
            return Err(Error::SchemaNotFound(id.to_string()));
        }
        Ok(usages
            .into_iter()
            .filter(|(_, e)| deleted || !e.deleted)
            .collect())
    }

    /// `GET /schemas/ids/{id}/subjects`.
    pub fn id_subjects(&self, id: SchemaId, deleted: bool) -> Result<Vec<String>> {
        let mut subjects: Vec<String> = self
            .id_usages(id, deleted)?
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        subjects.dedup();
        Ok(subjects)
    }

    /// `GET /schemas/ids/{id}/versions`.
    pub fn id_versions(&self, id: SchemaId, deleted: bool) -> Result<Vec<(String, i32)>> {
        Ok(self
            .id_usages(id, deleted)?
            .into_iter()
            .map(|(s, e)| (s, e.version))
            .collect())
    }

    // ----- use cases: listing -----

    /// `GET /schemas`; refused to a prefix-limited `caller` when a listed schema's
    /// references name subjects outside its prefixes (see [`Registry::schema_by_id`]).
    pub fn list_schemas(
        &self,
        caller: Caller<'_>,
        prefix: &str,
        deleted: bool,
        latest_only: bool,
        offset: usize,
        limit: i64,
    ) -> Result<Vec<SchemaView>> {
        let mut out = Vec::new();
        for (subject, versions) in self.store.all_versions()? {
            if !subject.starts_with(prefix) {
                continue;
            }
            let visible: Vec<&VersionEntry> =
                versions.iter().filter(|v| deleted || !v.deleted).collect();
            let chosen: Vec<&VersionEntry> = if latest_only {
                visible.last().copied().into_iter().collect()
            } else {
                visible
            };
            for v in chosen {
                let view = self.view(&subject, v)?;
                caller.check_shown(view.id, &view.references)?;
                out.push(view);
            }
        }
        Ok(paginate(out, offset, limit))
    }

    /// `GET /subjects`.
    pub fn list_subjects(
        &self,
        prefix: &str,
        deleted: bool,
        deleted_only: bool,
        offset: usize,
        limit: i64,
    ) -> Result<Vec<String>> {
        let subjects = self
            .store
            .all_versions()?
            .into_iter()
            .filter(|(s, _)| s.starts_with(prefix))
            .filter(|(_, versions)| {
                if deleted_only {
                    versions.iter().any(|v| v.deleted)
                } else {
                    deleted || versions.iter().any(|v| !v.deleted)
                }
            })
            .map(|(s, _)| s)
            .collect();
        Ok(paginate(subjects, offset, limit))
    }

    /// `GET /subjects/{s}/versions`.
    pub fn list_versions(
        &self,
        subject: &str,
        deleted: bool,
        deleted_only: bool,
        offset: usize,
        limit: i64,
    ) -> Result<Vec<i32>> {
        valid_subject(subject)?;
        let versions = self.existing_versions(subject)?;
        let listed: Vec<i32> = versions
            .iter()
            .filter(|v| {
                if deleted_only {
                    v.deleted
                } else {
                    deleted || !v.deleted
                }
            })
            .map(|v| v.version)
            .collect();
        if listed.is_empty() && !deleted && !deleted_only {
            return Err(Error::SubjectNotFound(subject.to_owned()));
        }
        Ok(paginate(listed, offset, limit))
    }

    /// `GET /subjects/{s}/versions/{v}`.
    pub fn get_version(&self, subject: &str, version: &str, deleted: bool) -> Result<SchemaView> {
        valid_subject(subject)?;
        let spec = VersionSpec::parse(version)?;
        // The hot read: one or two keyed lookups, never a scan of every version.
        let found = match spec {
            VersionSpec::Latest => self.store.latest_version(subject, deleted)?,
            VersionSpec::Number(n) => self
                .store
                .version(subject, n)?
                .filter(|e| deleted || !e.deleted),
        };
        match found {
            Some(entry) => self.view(subject, &entry),
            // A subject with nothing visible is "not found" as a whole, as Confluent says.
            None if self.store.latest_version(subject, deleted)?.is_none() => {
                Err(Error::SubjectNotFound(subject.to_owned()))
            }
            None => Err(Error::VersionNotFound(version.to_owned())),
        }
    }

    /// Cache key of a version answer; only a valid spec gets one, since errors are
    /// computed (and not cached).
    fn version_key(subject: &str, version: &str, deleted: bool) -> Option<[u8; 32]> {
        VersionSpec::parse(version).ok().map(|spec| {
            let number = match spec {
                VersionSpec::Latest => -1,
                VersionSpec::Number(n) => n,
            };
            let mut h = Sha256::new();
            h.update((subject.len() as u64).to_be_bytes());
            h.update(subject.as_bytes());
            h.update(number.to_be_bytes());
            h.update([u8::from(deleted)]);
            <[u8; 32]>::from(h.finalize())
        })
    }

    /// The cached answer of [`Registry::version_json`], if any, without store access.
    /// Never for a prefix-limited caller, whose answer must be checked.
    pub fn cached_version_json(
        &self,
        caller: Caller<'_>,
        subject: &str,
        version: &str,
        deleted: bool,
    ) -> Option<Bytes> {
        if caller.is_limited() || !self.settled() {
            return None;
        }
        let epoch = self.epoch();
        let key = Self::version_key(subject, version, deleted)?;
        self.version_docs.get(&key, epoch)
    }

    /// `GET /subjects/{s}/versions/{v}` rendered, from a cache tagged with
    /// [`Registry::epoch`]; refused to a prefix-limited `caller` when the version's
    /// references name subjects outside its prefixes (see [`Registry::schema_by_id`]).
    pub fn version_json(
        &self,
        caller: Caller<'_>,
        subject: &str,
        version: &str,
        deleted: bool,
    ) -> Result<Bytes> {
        if caller.is_limited() {
            // Cached bodies do not say what they reference: built and checked each time.
            let view = self.get_version(subject, version, deleted)?;
            caller.check_shown(view.id, &view.references)?;
            return render(&view);
        }
        let epoch = self.epoch();
        let key = Self::version_key(subject, version, deleted);
        if let Some(key) = &key
            && let Some(body) = self.version_docs.get(key, epoch)
        {
            return Ok(body);
        }
        let body = render(&self.get_version(subject, version, deleted)?)?;
        if let Some(key) = key {
            self.version_docs
                .insert(key, epoch, body.clone(), body.len());
        }
        Ok(body)
    }

    /// `GET /subjects/{s}/versions/{v}/referencedby`.
    pub fn referenced_by(&self, subject: &str, version: &str) -> Result<Vec<SchemaId>> {
        valid_subject(subject)?;
        let spec = VersionSpec::parse(version)?;
        let versions = self.existing_versions(subject)?;
        let entry = Self::find_version(&versions, spec, true)
            .ok_or_else(|| Error::VersionNotFound(version.to_owned()))?;
        self.live_referrers(subject, entry.version)
    }

    // ----- use cases: register and look up -----

    /// [`Registry::register_as`] with authentication off.
    pub fn register(
        &self,
        subject: &str,
        input: &SchemaInput,
        requested_id: Option<i64>,
        requested_version: Option<i64>,
        normalize: bool,
    ) -> Result<Written<SchemaId>> {
        self.register_as(
            Caller::ANYONE,
            subject,
            input,
            requested_id,
            requested_version,
            normalize,
        )
    }

    /// `POST /subjects/{s}/versions` for `caller`: returns the schema's global id.
    pub fn register_as(
        &self,
        caller: Caller<'_>,
        subject: &str,
        input: &SchemaInput,
        requested_id: Option<i64>,
        requested_version: Option<i64>,
        normalize: bool,
    ) -> Result<Written<SchemaId>> {
        valid_subject(subject)?;
        caller.check_references(input.references.as_deref())?;
        // Parse outside the writer lock: it is the expensive part and needs no consistency.
        let cand = self.parse_input(input, normalize)?;
        // Serializers re-register on every start: answer a schema the subject already
        // holds without queueing behind writers. Versions only appear under the lock,
        // so a hit seen here stays a hit.
        if requested_id.is_none()
            && requested_version.is_none()
            && let Some(id) = self.store.id_for_key(&cand.key)?
            && self
                .store
                .versions(subject)?
                .iter()
                .any(|v| v.id == id && !v.deleted)
        {
            self.ensure_writable(subject)?;
            return Ok(Written {
                value: id,
                seq: self.current_seq(),
            });
        }
        let writer = self.lock_writer()?;
        let mode = self.ensure_writable(subject)?;
        self.recheck_references(&cand)?;
        let import = mode == Mode::Import;
        let versions = self.store.versions(subject)?;
        let live: Vec<VersionEntry> = versions.iter().filter(|v| !v.deleted).copied().collect();

        if let Some(hit) = self.matching_version(&cand, &live, normalize)? {
            if let Some(req) = requested_id
                && req != i64::from(hit.id)
            {
                return Err(Error::IdMismatch(format!(
                    "Schema already registered with id {} instead of input id {req}",
                    hit.id
                )));
            }
            // Possibly committed by a writer whose flush is still running: wait for it too.
            return Ok(Written {
                value: hit.id,
                seq: self.current_seq(),
            });
        }

        let existing_id = self.store.id_for_key(&cand.key)?;
        let id = match requested_id {
            None => match existing_id {
                Some(id) => id,
                None => self.store.next_id()?,
            },
            Some(req) if !import => match existing_id {
                Some(id) if i64::from(id) == req => id,
                _ => {
                    return Err(Error::NotPermitted(
                        "a schema id can only be given in IMPORT mode".into(),
                    ));
                }
            },
            Some(req) => {
                let invalid = || {
                    Error::IdMismatch(format!(
                        "invalid schema id {req}: an imported id must be between 1 and {MAX_IMPORT_ID}, so that ids remain for the registrations after an import"
                    ))
                };
                let id = u32::try_from(req)
                    .ok()
                    .filter(|id| *id >= 1 && *id <= i32::MAX as u32)
                    .ok_or_else(invalid)?;
                // Who may move the counter first: a refusal says what to ask for.
                self.check_import_id(caller, id)?;
                if id > MAX_IMPORT_ID {
                    return Err(invalid());
                }
                if let Some(stored) = self.store.schema(id)?
                    && (stored.schema_type != cand.parsed.schema_type()
                        || stored.schema != cand.parsed.canonical()
                        || stored.references != cand.references)
                {
                    return Err(Error::IdMismatch(format!(
                        "Overwrite new schema with id {id} is not permitted: a different schema has that id"
                    )));
                }
                id
            }
        };
        if id > i32::MAX as u32 {
            return Err(Error::Store(StoreError("schema ids exhausted".into())));
        }

        let max_version = versions.iter().map(|v| v.version).max().unwrap_or(0);
        let version = match requested_version {
            None | Some(-1) | Some(0) => max_version
                .checked_add(1)
                .ok_or_else(|| Error::InvalidVersion("2^31".into()))?,
            Some(v) if v < 1 || v > i64::from(i32::MAX) => {
                return Err(Error::InvalidVersion(v.to_string()));
            }
            Some(v) if import => {
                let v = v as i32;
                if let Some(existing) = versions.iter().find(|e| e.version == v)
                    && (existing.id != id || !existing.deleted)
                {
                    return Err(Error::InvalidVersion(format!(
                        "{v} (already holds schema id {})",
                        existing.id
                    )));
                }
                v
            }
            Some(v) if v == i64::from(max_version) + 1 => v as i32,
            Some(v) => return Err(Error::InvalidVersion(v.to_string())),
        };

        if !import {
            self.check_against_history(subject, &cand, &live)?;
        }

        let mut ops = Vec::with_capacity(3);
        if self.store.schema(id)?.is_none() {
            ops.push(Op::PutSchema {
                id,
                key: cand.key,
                schema: StoredSchema {
                    schema_type: cand.parsed.schema_type(),
                    schema: cand.parsed.canonical().to_owned(),
                    references: cand.references.clone(),
                },
            });
        }
        ops.push(Op::PutVersion {
            subject: subject.to_owned(),
            entry: VersionEntry {
                version,
                id,
                deleted: false,
            },
        });
        ops.push(Op::SetNextId(id + 1));
        let seq = self.commit(writer, &ops)?;
        Ok(Written { value: id, seq })
    }

    /// An imported id at or above the id counter raises the counter, and so moves the id
    /// space of every subject: only an admin without subject prefixes may give one. Ids
    /// below it are free slots an earlier import skipped (or schemas already stored,
    /// checked by the caller), and taking one changes nothing for anyone else.
    fn check_import_id(&self, caller: Caller<'_>, id: SchemaId) -> Result<()> {
        let next = self.store.next_id()?;
        if id < next || caller.is_global_admin() {
            return Ok(());
        }
        Err(caller.denied(
            Role::Admin,
            &format!(
                "this server: schema id {id} is at or above the next id ({next}), and only an admin without subject prefixes may import ids that move the id counter"
            ),
        ))
    }

    /// Refuses `cand` when the subject's level finds a breaking change against `live`.
    fn check_against_history(
        &self,
        subject: &str,
        cand: &Candidate,
        live: &[VersionEntry],
    ) -> Result<()> {
        let level = self.effective_level(subject)?;
        let against: &[VersionEntry] = match (level, live.len()) {
            (Level::None, _) | (_, 0) => return Ok(()),
            (l, _) if l.is_transitive() => live,
            (_, n) => &live[n - 1..],
        };
        let report = self.report(level, cand, against)?;
        if report.is_compatible {
            Ok(())
        } else {
            Err(Error::Incompatible {
                subject: subject.to_owned(),
                messages: report.messages.unwrap_or_default(),
            })
        }
    }

    fn report(
        &self,
        level: Level,
        cand: &Candidate,
        against: &[VersionEntry],
    ) -> Result<CompatView> {
        let history = against
            .iter()
            .map(|v| self.parsed(v.id).map(|p| (*p).clone()))
            .collect::<Result<Vec<_>>>()?;
        let report = check_with(level, &cand.parsed, &history, &CheckOptions::default());
        let messages =
            report.messages(|i| format!("version {}", against.get(i).map_or(0, |v| v.version)));
        Ok(CompatView {
            is_compatible: report.compatible,
            messages: Some(messages),
        })
    }

    /// `POST /subjects/{s}` rendered. An answer cached for this input at the current
    /// [`Registry::epoch`] is served on the runtime thread (hashing the input is all it
    /// costs); anything else runs on the blocking pool, since it may parse.
    async fn lookup_json(
        self: &Arc<Self>,
        subject: &str,
        input: SchemaInput,
        normalize: bool,
        deleted: bool,
    ) -> Result<Bytes> {
        // With references, the key needs store reads: those belong off the runtime.
        let inline = input.references.as_deref().is_none_or(<[_]>::is_empty)
            && input
                .schema
                .as_ref()
                .is_some_and(|t| t.len() <= INPUT_CACHE_MAX_TEXT);
        if inline {
            let epoch = self.epoch();
            if let Some(key) = self.lookup_key(subject, &input, normalize, deleted)
                && let Some(body) = self.lookup_docs.get(&key, epoch)
            {
                return Ok(body);
            }
        }
        let subject = subject.to_owned();
        // The caller settles the answer ([`Registry::lookup_by_body`]).
        self.on_blocking_pool(move |r| r.lookup_body(&subject, &input, normalize, deleted))
            .await
    }

    /// `POST /subjects/{s}` for `caller` from the request body as sent: answered from
    /// the cache when the same bytes were answered at the current state (and name no
    /// subject the caller may not read), else decoded with `decode` and looked up.
    pub async fn lookup_by_body<E: From<Error>>(
        self: &Arc<Self>,
        caller: Caller<'_>,
        subject: &str,
        body: Bytes,
        normalize: bool,
        deleted: bool,
        decode: impl FnOnce(&[u8]) -> std::result::Result<SchemaInput, E>,
    ) -> std::result::Result<Bytes, E> {
        let flags = u8::from(normalize) | (u8::from(deleted) << 1);
        // Larger bodies are not kept, so not hashed either.
        let key = (body.len() <= INPUT_CACHE_MAX_TEXT).then(|| {
            hash_parts(
                self.body_lookup_seed,
                &[subject.as_bytes(), &[flags], &body],
            )
        });
        // Read before the store, as for every epoch-tagged cache.
        let epoch = self.epoch();
        if let Some(key) = key
            && let Some(hit) = self.body_lookups.get(&key, epoch)
            && *hit.subject == *subject
            && hit.flags == flags
            && hit.body == body
            && hit.referenced.iter().all(|s| caller.may_read(s))
        {
            self.settle().await?;
            return Ok(hit.answer.clone());
        }
        let input = decode(&body)?;
        caller.check_references(input.references.as_deref())?;
        let referenced: Box<[Box<str>]> = input
            .references
            .iter()
            .flatten()
            .map(|r| r.subject.as_str().into())
            .collect();
        let answer = self.lookup_json(subject, input, normalize, deleted).await?;
        self.settle().await?;
        if let Some(key) = key {
            let bytes = subject.len()
                + body.len()
                + answer.len()
                + referenced
                    .iter()
                    .map(|s| s.len() + std::mem::size_of::<Box<str>>())
                    .sum::<usize>()
                + std::mem::size_of::<BodyLookup>();
            let entry = BodyLookup {
                subject: subject.into(),
                flags,
                body: Bytes::copy_from_slice(&body),
                answer: answer.clone(),
                referenced,
            };
            self.body_lookups.insert(key, epoch, Arc::new(entry), bytes);
        }
        Ok(answer)
    }

    fn lookup_body(
        &self,
        subject: &str,
        input: &SchemaInput,
        normalize: bool,
        deleted: bool,
    ) -> Result<Bytes> {
        let epoch = self.epoch();
        let key = self.lookup_key(subject, input, normalize, deleted);
        if let Some(key) = &key
            && let Some(body) = self.lookup_docs.get(key, epoch)
        {
            return Ok(body);
        }
        let body = render(&self.lookup(subject, input, normalize, deleted)?)?;
        if let Some(key) = key {
            self.lookup_docs
                .insert(key, epoch, body.clone(), body.len());
        }
        Ok(body)
    }

    /// What a lookup answer depends on besides the registry's state: the input digest
    /// the parse cache uses, the concrete references (equal texts may sit under other
    /// subjects, which changes the content key), the subject and the flags. `None` when
    /// the input fails before matching; [`Registry::lookup`] then gives the error.
    fn lookup_key(
        &self,
        subject: &str,
        input: &SchemaInput,
        normalize: bool,
        deleted: bool,
    ) -> Option<[u8; 32]> {
        let text = input.schema.as_deref()?;
        let schema_type = match input.schema_type.as_deref() {
            None => SchemaType::Avro,
            Some(t) => t.parse::<SchemaType>().ok()?,
        };
        let resolved = self
            .resolve_references(input.references.as_deref().unwrap_or(&[]))
            .ok()?;
        let mut h = Sha256::new();
        h.update(input_digest(schema_type, normalize, text, &resolved.texts));
        for r in &resolved.references {
            for part in [&r.name, &r.subject] {
                h.update((part.len() as u64).to_be_bytes());
                h.update(part.as_bytes());
            }
            h.update(r.version.to_be_bytes());
        }
        h.update((subject.len() as u64).to_be_bytes());
        h.update(subject.as_bytes());
        h.update([u8::from(normalize), u8::from(deleted)]);
        Some(h.finalize().into())
    }

    /// `POST /subjects/{s}`: the version of `subject` holding this schema.
    pub fn lookup(
        &self,
        subject: &str,
        input: &SchemaInput,
        normalize: bool,
        deleted: bool,
    ) -> Result<SchemaView> {
        valid_subject(subject)?;
        let versions = self.existing_versions(subject)?;
        let candidates: Vec<VersionEntry> = versions
            .iter()
            .filter(|v| deleted || !v.deleted)
            .copied()
            .collect();
        if candidates.is_empty() {
            return Err(Error::SubjectNotFound(subject.to_owned()));
        }
        let cand = self.parse_input(input, normalize)?;
        let hit = self
            .matching_version(&cand, &candidates, normalize)?
            .ok_or_else(|| Error::SchemaNotFound("not found".into()))?;
        self.view(subject, &hit)
    }

    // ----- use cases: compatibility -----

    /// `POST /compatibility/subjects/{s}/versions[/{v}]` for `caller`.
    pub fn check_compatibility(
        &self,
        caller: Caller<'_>,
        subject: &str,
        version: Option<&str>,
        input: &SchemaInput,
        normalize: bool,
        verbose: bool,
    ) -> Result<CompatView> {
        valid_subject(subject)?;
        caller.check_references(input.references.as_deref())?;
        let spec = version.map(VersionSpec::parse).transpose()?;
        let cand = match self.parse_input(input, normalize) {
            Ok(c) => c,
            Err(e @ (Error::InvalidSchema(_) | Error::SchemaTooLarge(_))) if verbose => {
                return Ok(CompatView {
                    is_compatible: false,
                    messages: Some(vec![e.to_string()]),
                });
            }
            Err(e) => return Err(e),
        };
        let versions = self.store.versions(subject)?;
        let live: Vec<VersionEntry> = versions.iter().filter(|v| !v.deleted).copied().collect();
        let level = self.effective_level(subject)?;
        let against: Vec<VersionEntry> = match spec {
            None | Some(VersionSpec::Latest) if live.is_empty() => Vec::new(),
            None if level.is_transitive() => live,
            None | Some(VersionSpec::Latest) => live.last().copied().into_iter().collect(),
            Some(VersionSpec::Number(n)) => {
                if versions.is_empty() {
                    return Err(Error::SubjectNotFound(subject.to_owned()));
                }
                let entry = Self::find_version(&versions, VersionSpec::Number(n), false)
                    .ok_or_else(|| Error::VersionNotFound(n.to_string()))?;
                vec![entry]
            }
        };
        let mut view = if against.is_empty() {
            CompatView {
                is_compatible: true,
                messages: Some(Vec::new()),
            }
        } else {
            self.report(level, &cand, &against)?
        };
        if !verbose {
            view.messages = None;
        }
        Ok(view)
    }

    // ----- use cases: delete -----

    /// `DELETE /subjects/{s}`: the versions deleted.
    pub fn delete_subject(&self, subject: &str, permanent: bool) -> Result<Written<Vec<i32>>> {
        valid_subject(subject)?;
        let writer = self.lock_writer()?;
        self.ensure_writable(subject)?;
        let versions = self.existing_versions(subject)?;
        let live: Vec<VersionEntry> = versions.iter().filter(|v| !v.deleted).copied().collect();
        if !permanent && live.is_empty() {
            return Err(Error::SubjectSoftDeleted(subject.to_owned()));
        }
        if permanent && !live.is_empty() {
            return Err(Error::SubjectNotSoftDeleted(subject.to_owned()));
        }
        let targets = if permanent { &versions } else { &live };
        for v in targets {
            if !self.live_referrers(subject, v.version)?.is_empty() {
                return Err(Error::ReferenceExists {
                    subject: subject.to_owned(),
                    version: v.version,
                });
            }
        }
        let mut ops: Vec<Op> = targets
            .iter()
            .map(|v| {
                if permanent {
                    Op::RemoveVersion {
                        subject: subject.to_owned(),
                        version: v.version,
                    }
                } else {
                    Op::PutVersion {
                        subject: subject.to_owned(),
                        entry: VersionEntry {
                            deleted: true,
                            ..*v
                        },
                    }
                }
            })
            .collect();
        if permanent {
            ops.extend(Self::forget_subject_settings(subject));
        }
        let seq = self.commit(writer, &ops)?;
        if permanent {
            self.forget_ids();
        }
        Ok(Written {
            value: targets.iter().map(|v| v.version).collect(),
            seq,
        })
    }

    fn forget_subject_settings(subject: &str) -> [Op; 2] {
        [
            Op::SetConfig {
                subject: Some(subject.to_owned()),
                level: None,
            },
            Op::SetMode {
                subject: Some(subject.to_owned()),
                mode: None,
            },
        ]
    }

    /// `DELETE /subjects/{s}/versions/{v}`: the version deleted.
    pub fn delete_version(
        &self,
        subject: &str,
        version: &str,
        permanent: bool,
    ) -> Result<Written<i32>> {
        valid_subject(subject)?;
        let spec = VersionSpec::parse(version)?;
        let writer = self.lock_writer()?;
        self.ensure_writable(subject)?;
        let versions = self.existing_versions(subject)?;
        // A numbered version is found even when soft-deleted, to answer 40406 rather
        // than 40402; `latest` means the newest live one unless deleting permanently.
        let include_deleted = permanent || matches!(spec, VersionSpec::Number(_));
        let entry = Self::find_version(&versions, spec, include_deleted)
            .ok_or_else(|| Error::VersionNotFound(version.to_owned()))?;
        if !permanent && entry.deleted {
            return Err(Error::VersionSoftDeleted {
                subject: subject.to_owned(),
                version: entry.version,
            });
        }
        if permanent && !entry.deleted {
            return Err(Error::VersionNotSoftDeleted {
                subject: subject.to_owned(),
                version: entry.version,
            });
        }
        if !self.live_referrers(subject, entry.version)?.is_empty() {
            return Err(Error::ReferenceExists {
                subject: subject.to_owned(),
                version: entry.version,
            });
        }
        let mut ops = Vec::new();
        if permanent {
            ops.push(Op::RemoveVersion {
                subject: subject.to_owned(),
                version: entry.version,
            });
            if versions.len() == 1 {
                ops.extend(Self::forget_subject_settings(subject));
            }
        } else {
            ops.push(Op::PutVersion {
                subject: subject.to_owned(),
                entry: VersionEntry {
                    deleted: true,
                    ..entry
                },
            });
        }
        let seq = self.commit(writer, &ops)?;
        if permanent {
            self.forget_ids();
        }
        Ok(Written {
            value: entry.version,
            seq,
        })
    }

    // ----- use cases: config -----

    /// `GET /config` and `GET /config/{s}`.
    pub fn get_config(&self, subject: Option<&str>, default_to_global: bool) -> Result<Level> {
        let global =
            || -> Result<Level> { Ok(self.store.config(None)?.unwrap_or(self.default_level)) };
        match subject {
            None => global(),
            Some(s) => {
                valid_subject(s)?;
                match self.store.config(Some(s))? {
                    Some(l) => Ok(l),
                    None if default_to_global => global(),
                    None => Err(Error::SubjectLevelNotConfigured(s.to_owned())),
                }
            }
        }
    }

    /// `PUT /config[/{s}]`.
    pub fn set_config(&self, subject: Option<&str>, level: Option<&str>) -> Result<Written<Level>> {
        if let Some(s) = subject {
            valid_subject(s)?;
        }
        let raw = level.unwrap_or_default();
        let level: Level = raw
            .parse()
            .map_err(|_| Error::InvalidLevel(raw.to_owned()))?;
        let writer = self.lock_writer()?;
        let seq = self.commit(
            writer,
            &[Op::SetConfig {
                subject: subject.map(str::to_owned),
                level: Some(level),
            }],
        )?;
        Ok(Written { value: level, seq })
    }

    /// `DELETE /config[/{s}]`: the level that was in force.
    pub fn delete_config(&self, subject: Option<&str>) -> Result<Written<Level>> {
        if let Some(s) = subject {
            valid_subject(s)?;
        }
        let writer = self.lock_writer()?;
        let previous = match (subject, self.store.config(subject)?) {
            (_, Some(l)) => l,
            (None, None) => self.default_level,
            (Some(s), None) => return Err(Error::SubjectNotFound(s.to_owned())),
        };
        let seq = self.commit(
            writer,
            &[Op::SetConfig {
                subject: subject.map(str::to_owned),
                level: None,
            }],
        )?;
        Ok(Written {
            value: previous,
            seq,
        })
    }

    // ----- use cases: mode -----

    /// `GET /mode` and `GET /mode/{s}`.
    pub fn get_mode(&self, subject: Option<&str>, default_to_global: bool) -> Result<Mode> {
        let global = || -> Result<Mode> { Ok(self.store.mode(None)?.unwrap_or(Mode::ReadWrite)) };
        match subject {
            None => global(),
            Some(s) => {
                valid_subject(s)?;
                match self.store.mode(Some(s))? {
                    Some(m) => Ok(m),
                    None if default_to_global => global(),
                    None => Err(Error::SubjectModeNotConfigured(s.to_owned())),
                }
            }
        }
    }

    /// `PUT /mode[/{s}]`. IMPORT over live data needs `force`, since imported ids
    /// could collide with ids already handed out.
    pub fn set_mode(
        &self,
        subject: Option<&str>,
        mode: Option<&str>,
        force: bool,
    ) -> Result<Written<Mode>> {
        if let Some(s) = subject {
            valid_subject(s)?;
        }
        let raw = mode.unwrap_or_default();
        let mode = Mode::parse(raw).ok_or_else(|| Error::InvalidMode(raw.to_owned()))?;
        let writer = self.lock_writer()?;
        if mode == Mode::Import && !force {
            let has_live = match subject {
                None => self
                    .store
                    .all_versions()?
                    .iter()
                    .any(|(_, vs)| vs.iter().any(|v| !v.deleted)),
                Some(s) => self.store.versions(s)?.iter().any(|v| !v.deleted),
            };
            if has_live {
                return Err(Error::NotPermitted(
                    "Cannot import since found existing subjects; use force=true to override"
                        .into(),
                ));
            }
        }
        let seq = self.commit(
            writer,
            &[Op::SetMode {
                subject: subject.map(str::to_owned),
                mode: Some(mode),
            }],
        )?;
        Ok(Written { value: mode, seq })
    }

    /// `DELETE /mode/{s}`: the mode that was set.
    pub fn delete_mode(&self, subject: &str) -> Result<Written<Mode>> {
        valid_subject(subject)?;
        let writer = self.lock_writer()?;
        let previous = self
            .store
            .mode(Some(subject))?
            .ok_or_else(|| Error::SubjectNotFound(subject.to_owned()))?;
        let seq = self.commit(
            writer,
            &[Op::SetMode {
                subject: Some(subject.to_owned()),
                mode: None,
            }],
        )?;
        Ok(Written {
            value: previous,
            seq,
        })
    }

    // ----- operations -----

    /// Gauge values for `/metrics`.
    pub fn counts(&self) -> Result<Counts> {
        Ok(self.store.counts()?)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;
    use std::time::Duration;

    use super::*;
    use crate::store::forward::Forward;
    use crate::store::sled::SledStore;

    fn input(name: &str) -> SchemaInput {
        SchemaInput {
            schema: Some(format!(
                r#"{{"type":"record","name":"{name}","fields":[]}}"#
            )),
            ..SchemaInput::default()
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_writers_share_flushes() {
        let dir = tempfile::tempdir().unwrap();
        // Sled, counting flushes and making each one slow, as a disk is.
        let flushes = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&flushes);
        let store = Forward::new(Arc::new(SledStore::open(dir.path()).unwrap())).on_flush(
            move |inner, upto| {
                counted.fetch_add(1, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(30));
                inner.flush(upto)
            },
        );
        let registry = Arc::new(Registry::new(
            Arc::new(store),
            Level::Backward,
            Limits::default(),
        ));
        let writers = 24;
        let tasks: Vec<_> = (0..writers)
            .map(|i| {
                let registry = Arc::clone(&registry);
                tokio::spawn(async move {
                    registry
                        .write(move |r| {
                            r.register(
                                &format!("s{i}"),
                                &input(&format!("R{i}")),
                                None,
                                None,
                                false,
                            )
                        })
                        .await
                })
            })
            .collect();
        let mut ids = HashSet::new();
        for t in tasks {
            assert!(ids.insert(t.await.unwrap().unwrap()));
        }
        let flushes = flushes.load(Ordering::SeqCst);
        assert!(
            flushes < writers,
            "{flushes} flushes for {writers} acknowledged writes: no group commit"
        );
        // Every acknowledged write is covered by a flush that started after its commit.
        assert!(registry.commits.settled());
        assert_eq!(registry.commits.current(), writers as u64);
    }

    #[test]
    fn version_specs() {
        assert_eq!(VersionSpec::parse("LaTeSt").unwrap(), VersionSpec::Latest);
        assert_eq!(VersionSpec::parse("-1").unwrap(), VersionSpec::Latest);
        assert_eq!(VersionSpec::parse("7").unwrap(), VersionSpec::Number(7));
        for bad in ["0", "-2", "x", "", "2147483648"] {
            assert!(matches!(
                VersionSpec::parse(bad),
                Err(Error::InvalidVersion(_))
            ));
        }
    }
}
