//! The use cases: register, look up, list, delete, check compatibility, configure.
//!
//! Contexts (`:.ctx:subject`) are namespaces with their own schema ids: every use case
//! that reads or writes a schema by id does so in the context of the subject it works
//! on, which the store names by the context's prefix (see [`context_of`]); references
//! resolve in the referrer's context.
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
//!
//! The rooms: this file holds the request and answer shapes, the [`Registry`] itself
//! and how use cases run (blocking pool, writer lock, commit); each use case has a room
//! of its own (`register`, `lookup`, `read`, `delete`, `settings` for levels and modes,
//! `compatibility`, `contexts`), beside `references` (resolving and parsing), `read_cache` (every
//! cache and the epochs that retire them) and `durability`. The rooms share this
//! file's imports and helpers (`use super::*`), as parts of one module.

mod backup;
mod compatibility;
mod contexts;
mod dek;
mod delete;
mod durability;
mod format;
mod lookup;
mod read;
mod read_cache;
mod references;
mod register;
mod settings;
mod upgrade;

pub use backup::Backup;
pub use dek::{CreateDekInput, CreateKekInput, DekError, KekUpdate, algorithm_param};
pub use format::{IdRequest, SchemaFormat};
pub use read::{SCHEMA_LIMIT, VersionListing};
pub use settings::{ConfigUpdate, Scope};

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use durability::Commits;
use read_cache::{BodyLookup, INPUT_CACHE_MAX_TEXT, ReadCache};

use axum::body::Bytes;
use schemagate_core::contract::{self, Contract, ContractError, Metadata, RuleSet};
use schemagate_core::{
    CheckOptions, Context, Level, Limits, ParseOptions, ParsedSchema, Reference, SchemaError,
    SchemaType, Subject, SubjectError, SubjectPrefix, check_with,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::auth::policy::denial;
use crate::auth::{Principal, Role};
use crate::cache::Cache;
use crate::hash::hash_parts;
use crate::store::{
    ConfigRecord, ContentKey, Counts, Mode, Op, SchemaId, SchemaRef, Store, StoreError,
    StoredSchema, VersionEntry, WriteLock, reference_target,
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
    /// 40403, naming the id or GUID asked for.
    #[error("Schema {0} not found")]
    SchemaNotFound(String),
    /// 40403 without naming the schema, as Confluent words it for a lookup by content
    /// that matched no version and for the subjects and versions of an unknown id.
    #[error("Schema not found")]
    NoMatchingSchema,
    /// 40404 (Confluent's words, without a space after the period).
    #[error("Subject '{0}' was soft deleted.Set permanent=true to delete permanently")]
    SubjectSoftDeleted(String),
    /// 40405.
    #[error("Subject '{0}' was not deleted first before being permanently deleted")]
    SubjectNotSoftDeleted(String),
    /// 40406 (Confluent's words).
    #[error(
        "Subject '{subject}' Version {version} was soft deleted.Set permanent=true to delete permanently"
    )]
    VersionSoftDeleted {
        /// Subject.
        subject: String,
        /// Version.
        version: i32,
    },
    /// 40407 (Confluent's words).
    #[error(
        "Subject '{subject}' Version {version} was not deleted first before being permanently deleted"
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
    /// 40901 (HTTP 409), worded as Confluent 8 words it: the details are the verbose
    /// compatibility messages, as Java prints a list.
    #[error(
        "Schema being registered is incompatible with an earlier schema for subject \"{subject}\", details: [{}]",
        messages.join(", ")
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
    /// 42203, in Confluent's exact words (clients and Karapace's tests match them whole);
    /// the level refused is kept for the log.
    #[error(
        "Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive"
    )]
    InvalidLevel(String),
    /// 42204, in Confluent's exact words (READONLY_OVERRIDE is accepted too, as in
    /// Confluent, which leaves it out of the message).
    #[error("Invalid mode. Valid values are READWRITE, READONLY, IMPORT and FORWARD.")]
    InvalidMode(String),
    /// 42204: `FORWARD` asked for a subject (Confluent's words).
    #[error("Forward mode only supported on global level")]
    ForwardModeNotGlobal,
    /// 42205.
    #[error("{0}")]
    NotPermitted(String),
    /// 400: a `format` this registry does not produce (Confluent would answer the text
    /// unformatted, or fail); the message begins with Confluent's own words.
    #[error("Format not supported: {0}")]
    UnsupportedFormat(String),
    /// 501: a Confluent route this registry knows and does not implement; the message
    /// says what to do instead, so that a client never mistakes it for a missing path.
    #[error("{0}")]
    NotImplemented(String),
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
    /// 42210: a rule set that does not validate (in a registration or a config).
    #[error("Invalid rule set: {0}")]
    InvalidRuleSet(String),
    /// 42211: `DELETE /contexts/{ctx}` on a context that still holds subjects.
    #[error("The specified context '{0}' is not empty.")]
    ContextNotEmpty(String),
    /// 50001.
    #[error("Error in the backend data store: {0}")]
    Store(#[from] StoreError),
    /// 50002.
    #[error("Operation timed out")]
    Timeout,
    /// A refusal of the DEK registry, with its own codes ([`DekError::code`]).
    #[error(transparent)]
    Dek(DekError),
}

impl From<ContractError> for Error {
    fn from(e: ContractError) -> Error {
        match e {
            ContractError::InvalidRuleSet(m) => Error::InvalidRuleSet(m),
            ContractError::InvalidMetadata(m) => Error::InvalidSchema(m),
        }
    }
}

impl From<SubjectError> for Error {
    fn from(e: SubjectError) -> Error {
        Error::InvalidSubject(e.to_string())
    }
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

impl std::fmt::Display for VersionSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VersionSpec::Latest => f.write_str("latest"),
            VersionSpec::Number(n) => n.fmt(f),
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

    /// An admin, with or without subject prefixes (or anyone, with authentication off).
    fn is_admin(self) -> bool {
        self.0.is_none_or(|p| p.role == Role::Admin)
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

    /// 40301 unless every reference, read in `context` (a prefix) as it will resolve,
    /// names a subject the caller may read. Checked before any reference is looked up,
    /// so a refusal tells nothing about what exists, and a reference (which protects its
    /// target from deletion, 42206) can only pin the caller's own subjects.
    fn check_references(self, context: &str, refs: Option<&[RefInput]>) -> Result<()> {
        match refs
            .unwrap_or_default()
            .iter()
            .map(|r| reference_target(context, &r.subject))
            .find(|target| !self.may_read(target))
        {
            None => Ok(()),
            Some(target) => Err(self.denied(Role::Read, &format!("Subject: {target}"))),
        }
    }

    /// 40301 when an answer showing schema `id` of `context` (a prefix) with
    /// `references` would name a subject outside the caller's prefixes, as the
    /// references resolve. The message names the id, never the subject.
    fn check_shown(self, context: &str, id: SchemaId, references: &[SchemaRef]) -> Result<()> {
        if !self.is_limited()
            || references
                .iter()
                .all(|r| self.may_read(&reference_target(context, &r.subject)))
        {
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

impl From<&SchemaRef> for RefInput {
    fn from(r: &SchemaRef) -> RefInput {
        RefInput {
            name: r.name.clone(),
            subject: r.subject.clone(),
            version: i64::from(r.version),
        }
    }
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
    /// The data contract's metadata, read by [`contract::metadata_from_json`] in the
    /// use case (so that a bad one is a Confluent error, not a malformed body).
    #[serde(default)]
    pub metadata: Option<serde_json::Value>,
    /// The data contract's rules, validated in the use case (42210).
    #[serde(default, rename = "ruleSet")]
    pub rule_set: Option<serde_json::Value>,
    /// Confluent's inline schema tags to add: not supported yet, so refused when given
    /// rather than dropped (see [`contract_of`]).
    #[serde(default, rename = "schemaTagsToAdd")]
    pub schema_tags_to_add: Option<serde_json::Value>,
    /// Confluent's inline schema tags to remove: refused when given, as above.
    #[serde(default, rename = "schemaTagsToRemove")]
    pub schema_tags_to_remove: Option<serde_json::Value>,
}

/// A request's data contract, read and validated: 42210 for rules that do not
/// validate. Inline schema tags (`schemaTagsToAdd`/`schemaTagsToRemove`), which would
/// rewrite the schema text, are refused (42201) rather than silently dropped.
fn contract_of(input: &SchemaInput) -> Result<Contract> {
    for (field, value) in [
        ("schemaTagsToAdd", &input.schema_tags_to_add),
        ("schemaTagsToRemove", &input.schema_tags_to_remove),
    ] {
        let empty = match value {
            None | Some(serde_json::Value::Null) => true,
            Some(serde_json::Value::Array(items)) => items.is_empty(),
            Some(_) => false,
        };
        if !empty {
            return Err(Error::InvalidSchema(format!(
                "{field} is not supported by this registry: tag the schema in its text (Avro and JSON Schema \"confluent:tags\", Protobuf (confluent.field_meta).tags) or in metadata.tags instead"
            )));
        }
    }
    Ok(Contract {
        metadata: contract::metadata_from_json(input.metadata.clone())?,
        rule_set: contract::rule_set_from_json(input.rule_set.clone(), "ruleSet")?,
    })
}

fn is_avro(t: &SchemaType) -> bool {
    *t == SchemaType::Avro
}

/// A subject version with its schema, as the API shows it (Confluent's `Schema`).
#[derive(Clone, Debug, Serialize)]
pub struct SchemaView {
    /// Subject (omitted in the answer to a registration, as Confluent does).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub subject: String,
    /// Version.
    pub version: i32,
    /// Global id.
    pub id: SchemaId,
    /// The GUID Confluent computes for the schema.
    pub guid: String,
    /// Omitted for Avro, as Confluent 7 did (kafkajs reads `null` as unknown).
    #[serde(rename = "schemaType", skip_serializing_if = "is_avro")]
    pub schema_type: SchemaType,
    /// The text as registered.
    pub schema: String,
    /// Omitted when empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<SchemaRef>,
    /// The data contract's metadata, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    /// The data contract's rules, when it has some.
    #[serde(rename = "ruleSet", skip_serializing_if = "Option::is_none")]
    pub rule_set: Option<RuleSet>,
    /// When the version was last written (ms since the epoch); absent for versions
    /// stored before store format 2.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ts: Option<i64>,
    /// Whether the version is soft-deleted.
    pub deleted: bool,
    /// The subjects whose configuration makes them aliases of this one; only in
    /// `GET /schemas?aliases=true` (Confluent's `ExtendedSchema`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aliases: Option<Vec<String>>,
}

impl SchemaView {
    /// Version `entry` of `subject` holding `stored`.
    fn of(subject: &str, entry: &VersionEntry, stored: StoredSchema) -> SchemaView {
        SchemaView {
            subject: subject.to_owned(),
            version: entry.version,
            id: entry.id,
            guid: stored.guid(),
            schema_type: stored.schema_type,
            schema: stored.schema,
            references: stored.references,
            metadata: stored.metadata,
            rule_set: stored.rule_set,
            ts: entry.ts,
            deleted: entry.deleted,
            aliases: None,
        }
    }
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

/// Confluent's `SchemaString`, as `GET /schemas/ids/{id}` and `/schemas/guids/{g}`
/// answer it.
#[derive(Serialize)]
struct IdBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<i32>,
    schema: &'a str,
    #[serde(rename = "schemaType", skip_serializing_if = "is_avro")]
    schema_type: SchemaType,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    references: &'a [SchemaRef],
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata: Option<&'a Metadata>,
    #[serde(rename = "ruleSet", skip_serializing_if = "Option::is_none")]
    rule_set: Option<&'a RuleSet>,
    guid: &'a str,
}

/// What `GET /schemas` asks for.
#[derive(Clone, Debug, Default)]
pub struct SchemaListing {
    /// Only subjects this selects, read as [`SubjectPrefix`] reads it.
    pub prefix: String,
    /// Soft-deleted versions too.
    pub deleted: bool,
    /// Only each subject's newest (visible) version.
    pub latest_only: bool,
    /// Only versions whose rule set has a rule of this type (`ruleType`).
    pub rule_type: Option<String>,
    /// Confluent's association filters (`resourceType`, `associationType`,
    /// `lifecycle`): Schemagate keeps no associations, so a filtered listing keeps every
    /// subject when `lifecycle=NONE` (subjects without associations) is among them, and
    /// none otherwise, as Confluent answers for subjects without associations.
    pub associations: AssociationFilter,
    /// Confluent's `aliases`: also the schemas of subjects that subjects of the listing
    /// are aliases of (a configuration's `alias`), each answer naming its aliases.
    pub aliases: bool,
    /// Items to skip.
    pub offset: usize,
    /// At most this many (1 to 1000); anything else is 1000.
    pub limit: i64,
}

/// Whether a `GET /schemas` filters by association, and how.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AssociationFilter {
    /// No association filter: every subject.
    #[default]
    Any,
    /// Filtered, with `lifecycle=NONE`: subjects without associations (all here).
    Unassociated,
    /// Filtered without `NONE`: subjects with matching associations (none here).
    Associated,
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
    /// The prefix of the context it is registered or looked up in: its references
    /// resolve there, and its id is one of that context's.
    context: String,
    parsed: Arc<ParsedSchema>,
    references: Vec<SchemaRef>,
    /// The texts the references resolved to, dependencies first.
    texts: Vec<Reference>,
    /// Its data contract (after inheritance and the config's defaults and overrides,
    /// where the use case applies them).
    contract: Contract,
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
    /// Every cache, and the epochs that retire their entries.
    cache: ReadCache,
    /// The most KEKs, and the most DEK versions, the DEK registry keeps.
    dek_max_keys: u64,
}

/// Ids kept for normal registration above the largest id an IMPORT may give: the id
/// counter passes every imported id, and ids are positive 32-bit ints, so without this
/// headroom one import of 2^31-1 would leave no id for any later registration.
const ID_HEADROOM: u32 = 1 << 24;
/// The largest id an IMPORT may give (2,130,706,431).
const MAX_IMPORT_ID: u32 = i32::MAX as u32 - ID_HEADROOM;

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

fn paginate<T>(items: Vec<T>, offset: usize, limit: i64) -> Vec<T> {
    let it = items.into_iter().skip(offset);
    if limit > 0 {
        it.take(limit as usize).collect()
    } else {
        it.collect()
    }
}

/// The store's name of `subject`'s context (its prefix; empty for the default one).
fn context_of(subject: &str) -> String {
    Context::of(subject).prefix()
}

fn content_key(
    parsed: &ParsedSchema,
    references: &[SchemaRef],
    contract: &Contract,
    context: &str,
) -> ContentKey {
    let mut h = Sha256::new();
    h.update(parsed.fingerprint().0);
    for r in references {
        h.update(r.name.as_bytes());
        h.update([0]);
        h.update(r.subject.as_bytes());
        h.update([0]);
        h.update(r.version.to_be_bytes());
    }
    // A schema without a contract keeps the key store format 1 gave it. The contract's
    // JSON is canonical: its maps and sets are sorted, its rules in their order.
    for (tag, part) in [
        (
            b"\x01metadata",
            contract.metadata.as_ref().map(serde_json::to_vec),
        ),
        (
            b"\x01ruleSet\0",
            contract.rule_set.as_ref().map(serde_json::to_vec),
        ),
    ] {
        if let Some(Ok(json)) = part {
            h.update(tag);
            h.update((json.len() as u64).to_be_bytes());
            h.update(json);
        }
    }
    // Each context has its own ids; the default context keeps the keys it always had.
    if !context.is_empty() {
        h.update(b"\x01context");
        h.update((context.len() as u64).to_be_bytes());
        h.update(context.as_bytes());
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
            commits: Commits::new(store.durable_on_commit()),
            store,
            writer: Mutex::new(()),
            default_level,
            limits,
            cache: ReadCache::new(),
            dek_max_keys: dek::MAX_KEYS,
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
                                Caller::ANYONE,
                                &Subject::parse(&format!("s{i}")).unwrap(),
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
            assert!(ids.insert(t.await.unwrap().unwrap().id));
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
    fn schema_ids_in_paths() {
        assert_eq!(SchemaId::parse("12"), Some(SchemaId(12)));
        for bad in ["0", "-1", "x", "", "4294967296", "1.0"] {
            assert_eq!(SchemaId::parse(bad), None, "{bad}");
        }
        assert_eq!(SchemaId(7).next(), SchemaId(8));
        assert_eq!(serde_json::to_string(&SchemaId(7)).unwrap(), "7");
    }

    #[test]
    fn version_specs() {
        assert_eq!(VersionSpec::parse("LaTeSt").unwrap(), VersionSpec::Latest);
        assert_eq!(VersionSpec::parse("-1").unwrap(), VersionSpec::Latest);
        assert_eq!(VersionSpec::parse("7").unwrap(), VersionSpec::Number(7));
        // Errors name the version as parsed, as Confluent's do.
        assert_eq!(VersionSpec::parse("007").unwrap().to_string(), "7");
        assert_eq!(VersionSpec::parse("-1").unwrap().to_string(), "latest");
        for bad in ["0", "-2", "x", "", "2147483648"] {
            assert!(matches!(
                VersionSpec::parse(bad),
                Err(Error::InvalidVersion(_))
            ));
        }
    }
}
