//! Persistence behind the registry: a backend-neutral [`Store`] trait and the records
//! it holds. The registry decides *what* to write; a store only promises that one
//! [`Store::apply`] call is atomic, that [`Store::flush`] makes it durable (or says it
//! could not), and that what was applied since the last good flush can be taken back
//! ([`Store::discard_unflushed`]), so a networked backend (PostgreSQL) can replace the
//! embedded one without touching the use cases.

/// A store wrapper for tests that need to alter one behaviour of a real store.
#[doc(hidden)]
pub mod forward;
pub mod keys;
pub mod migrate;
pub mod postgres;
pub mod sled;

use schemagate_core::contract::{self, Contract, GuidRef, Metadata, RuleSet};
use schemagate_core::{Level, SchemaType};
use serde::{Deserialize, Serialize};

/// A global schema id, as Confluent hands it to serializers (a positive 32-bit int).
/// A type of its own so that an id cannot be passed where a version or a count is
/// meant; it is stored and served as the bare number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SchemaId(pub u32);

impl SchemaId {
    /// An id as a path names it: a decimal number from 1 up; anything else names no
    /// schema.
    pub fn parse(raw: &str) -> Option<SchemaId> {
        raw.parse::<u32>().ok().filter(|id| *id >= 1).map(SchemaId)
    }

    /// The id after this one, which the counter moves to once this one is taken.
    pub fn next(self) -> SchemaId {
        SchemaId(self.0.saturating_add(1))
    }

    /// Big-endian bytes: keys that sort as the ids do.
    pub fn to_be_bytes(self) -> [u8; 4] {
        self.0.to_be_bytes()
    }
}

impl From<SchemaId> for i64 {
    fn from(id: SchemaId) -> i64 {
        i64::from(id.0)
    }
}

impl std::fmt::Display for SchemaId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Content key of a schema: SHA-256 over type, canonical text, references and data
/// contract (and the context, outside the default one), so the same schema maps to the
/// same id in every subject of a context.
pub type ContentKey = [u8; 32];

/// A reference from one schema to a registered subject-version, as on the wire.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SchemaRef {
    /// The name the referring schema imports it by.
    pub name: String,
    /// Subject of the referenced schema.
    pub subject: String,
    /// Version of the referenced schema (always a concrete version once stored).
    pub version: i32,
}

/// A schema as stored under its id: immutable once written (a store format upgrade
/// aside, see `Registry::upgrade_store`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredSchema {
    /// Schema language.
    pub schema_type: SchemaType,
    /// The text as Confluent stores it (its `canonicalString`: Avro in Avro's own key
    /// order, JSON in the registrant's), compact, from the first registration of this
    /// schema. Records of store format 1 hold the sorted canonical text instead.
    pub schema: String,
    /// Referenced subject-versions, in the order given at registration.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<SchemaRef>,
    /// The data contract's metadata, part of the schema's identity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    /// The data contract's rules, part of the schema's identity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_set: Option<RuleSet>,
}

impl StoredSchema {
    /// Its data contract.
    pub fn contract(&self) -> Contract {
        Contract {
            metadata: self.metadata.clone(),
            rule_set: self.rule_set.clone(),
        }
    }

    /// The GUID Confluent computes for this schema (see [`contract::guid`]).
    pub fn guid(&self) -> String {
        contract::guid(
            &self.schema,
            self.references.iter().map(|r| GuidRef {
                name: &r.name,
                subject: &r.subject,
                version: r.version,
            }),
            self.metadata.as_ref(),
            self.rule_set.as_ref(),
        )
    }
}

/// A subject's or the global configuration (Confluent's `Config`): every field optional,
/// as a `PUT /config` may set any of them alone. Stored and answered with Confluent's
/// field names.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigRecord {
    /// Another subject whose settings and versions this one stands for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// Whether schemas are normalized before they are looked up and registered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub normalize: Option<bool>,
    /// Whether field names are validated (stored and answered; Schemagate always
    /// validates names as Avro's parser does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validate_fields: Option<bool>,
    /// Whether rules are validated (stored and answered; rules are always validated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validate_rules: Option<bool>,
    /// The compatibility level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compatibility_level: Option<Level>,
    /// The metadata property whose value splits a subject's versions into groups that
    /// are checked only against each other.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compatibility_group: Option<String>,
    /// Metadata a registration starts from (its own wins).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_metadata: Option<Metadata>,
    /// Metadata that wins over a registration's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_metadata: Option<Metadata>,
    /// Rules a registration starts from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_rule_set: Option<RuleSet>,
    /// Rules that win over a registration's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_rule_set: Option<RuleSet>,
}

impl ConfigRecord {
    /// What it adds under every registration's contract (`defaultMetadata`,
    /// `defaultRuleSet`).
    pub fn defaults(&self) -> Contract {
        Contract {
            metadata: self.default_metadata.clone(),
            rule_set: self.default_rule_set.clone(),
        }
    }

    /// What it sets over every registration's contract (`overrideMetadata`,
    /// `overrideRuleSet`).
    pub fn overrides(&self) -> Contract {
        Contract {
            metadata: self.override_metadata.clone(),
            rule_set: self.override_rule_set.clone(),
        }
    }

    /// Whether it adds metadata or rules to every registration (Confluent's
    /// `Config.hasDefaultsOrOverrides`).
    pub fn has_defaults_or_overrides(&self) -> bool {
        !self.defaults().is_empty() || !self.overrides().is_empty()
    }

    /// A configuration holding only a level (what store format 1 kept).
    pub fn level(level: Level) -> ConfigRecord {
        ConfigRecord {
            compatibility_level: Some(level),
            ..ConfigRecord::default()
        }
    }

    /// Reads a stored configuration: a JSON object, or a bare level name as store
    /// format 1 wrote it.
    pub fn decode(text: &str) -> StoreResult<ConfigRecord> {
        if text.starts_with('{') {
            serde_json::from_str(text)
                .map_err(|e| StoreError(format!("corrupt configuration: {e}")))
        } else {
            text.parse()
                .map(ConfigRecord::level)
                .map_err(|_| StoreError("corrupt compatibility level".into()))
        }
    }

    /// The stored form.
    pub fn encode(&self) -> String {
        // A struct of strings, booleans and maps always serialises.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// One version of a subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VersionEntry {
    /// 1-based version number.
    pub version: i32,
    /// The schema it points at.
    pub id: SchemaId,
    /// Soft-deleted: hidden unless asked for, still counted for numbering.
    pub deleted: bool,
    /// When it was last written (registered or soft-deleted), in milliseconds since the
    /// Unix epoch, as Confluent's `ts`; `None` for versions stored by format 1.
    pub ts: Option<i64>,
}

/// Registry modes (Confluent's `mode` resource).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Normal operation.
    ReadWrite,
    /// Writes refused.
    ReadOnly,
    /// Writes refused, and subject-level modes cannot lift it.
    ReadOnlyOverride,
    /// Registration keeps the ids and versions the client gives (migrations).
    Import,
    /// Global only: registrations are taken as IMPORT takes them (given ids kept, no
    /// compatibility check), which is all Confluent's open-source registry does with it.
    Forward,
}

impl Mode {
    /// Confluent's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::ReadWrite => "READWRITE",
            Mode::ReadOnly => "READONLY",
            Mode::ReadOnlyOverride => "READONLY_OVERRIDE",
            Mode::Import => "IMPORT",
            Mode::Forward => "FORWARD",
        }
    }

    /// Parses Confluent's name in any case; `None` for anything else.
    pub fn parse(s: &str) -> Option<Mode> {
        [
            Mode::ReadWrite,
            Mode::ReadOnly,
            Mode::ReadOnlyOverride,
            Mode::Import,
            Mode::Forward,
        ]
        .into_iter()
        .find(|m| m.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// Whether writes are refused.
    pub fn is_read_only(self) -> bool {
        matches!(self, Mode::ReadOnly | Mode::ReadOnlyOverride)
    }

    /// Whether registrations keep given ids and versions and skip compatibility
    /// checks (Confluent's `isImportOrForwardMode`).
    pub fn is_import_or_forward(self) -> bool {
        matches!(self, Mode::Import | Mode::Forward)
    }
}

/// The store format this build writes: 2 keeps texts as registered, data contracts,
/// GUIDs, version timestamps and whole configurations; 3 gives every context its own
/// schema ids.
pub const FORMAT: u32 = 3;

/// Sizes reported as gauges.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Subjects with at least one live version.
    pub subjects: u64,
    /// Live versions over all subjects.
    pub versions: u64,
    /// Stored schemas (distinct ids).
    pub schemas: u64,
}

/// One change within an atomic [`Store::apply`].
///
/// Every context has its own schema ids; a store names a context by its prefix (the
/// `:.ctx:` that qualifies its subjects, empty for the default context), and stores
/// the default context's records exactly as before contexts existed.
#[derive(Clone, Debug)]
pub enum Op {
    /// Store a new schema under `id` of `context` and index its content key, GUID and
    /// references (by the subjects they resolve to). The content key and GUID are only
    /// set when absent, so the first id wins.
    PutSchema {
        /// The context's prefix.
        context: String,
        /// The id.
        id: SchemaId,
        /// Its content key.
        key: ContentKey,
        /// Its GUID ([`StoredSchema::guid`]).
        guid: String,
        /// The schema.
        schema: StoredSchema,
    },
    /// Rewrites the record of an already stored schema in the current store format
    /// (same identity), and indexes its content key and GUID when absent. Only the
    /// store format upgrade writes it.
    UpgradeSchema {
        /// The id.
        id: SchemaId,
        /// Its content key under the current identity rules (`None`: the stored text
        /// no longer parses, so no new key is known).
        key: Option<ContentKey>,
        /// Its GUID.
        guid: String,
        /// The record in the current format.
        schema: StoredSchema,
    },
    /// Records the store format the data is now in.
    SetFormat(u32),
    /// Create or overwrite one subject version (also how soft deletes are written).
    PutVersion {
        /// Subject name.
        subject: String,
        /// The version.
        entry: VersionEntry,
    },
    /// Permanently remove one subject version.
    RemoveVersion {
        /// Subject name.
        subject: String,
        /// Version number.
        version: i32,
    },
    /// Set (`Some`) or clear (`None`) a configuration; `subject: None` is global.
    SetConfig {
        /// Subject, or `None` for the global setting.
        subject: Option<String>,
        /// The configuration.
        config: Option<ConfigRecord>,
    },
    /// Set or clear a mode; `subject: None` is global.
    SetMode {
        /// Subject, or `None` for the global setting.
        subject: Option<String>,
        /// The mode.
        mode: Option<Mode>,
    },
    /// Advance a context's id counter (never lowered, so ids are never reused).
    SetNextId {
        /// The context's prefix.
        context: String,
        /// The id the next new schema of that context gets.
        next: SchemaId,
    },
    /// Record that a context exists (`present`) or forget it (`DELETE /contexts`).
    SetContext {
        /// The context's prefix (never the default context's).
        context: String,
        /// Whether it is listed.
        present: bool,
    },
    /// Create or overwrite a KEK (also how soft deletes and undeletes are written).
    PutKek(keys::KekRecord),
    /// Permanently remove a KEK (the registry removes its DEKs first).
    RemoveKek {
        /// Its name.
        name: String,
    },
    /// Create or overwrite one DEK version (also soft deletes and undeletes).
    PutDek(keys::DekRecord),
    /// Permanently remove one DEK version.
    RemoveDek(keys::DekId),
    /// Writes rows read from another store exactly as they are ([`Store::rows`]), indexes
    /// included as rows of their own: only `migrate-store` writes it, into an empty
    /// store, so no row already exists.
    PutRows(Vec<Row>),
}

/// A table of a store as [`Store::rows`] lists it: the records and indexes that hold
/// one entry per schema or version, copied a page at a time. (Settings, contexts, id
/// counters and encryption keys are few and read whole through the other methods.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Table {
    /// Schemas by context and id.
    Schemas,
    /// The content index: content key to the first id given to that content.
    ContentKeys,
    /// The GUID index: GUID and context to the first id with that GUID.
    Guids,
    /// The reference index: which schema (context, id) references which subject-version.
    References,
    /// Subject versions.
    Versions,
}

impl Table {
    /// Every table, in the order `migrate-store` copies them.
    pub const ALL: [Table; 5] = [
        Table::Schemas,
        Table::ContentKeys,
        Table::Guids,
        Table::References,
        Table::Versions,
    ];

    /// Its name in summaries.
    pub fn name(self) -> &'static str {
        match self {
            Table::Schemas => "schemas",
            Table::ContentKeys => "content keys",
            Table::Guids => "GUIDs",
            Table::References => "references",
            Table::Versions => "versions",
        }
    }
}

/// One row of a [`Table`], as every store reads and writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Row {
    /// A stored schema.
    Schema {
        /// The context's prefix.
        context: String,
        /// Its id in that context.
        id: SchemaId,
        /// The record.
        schema: StoredSchema,
    },
    /// A content key and the id it names.
    ContentKey {
        /// The key.
        key: ContentKey,
        /// The id.
        id: SchemaId,
    },
    /// A GUID in a context and the id it names.
    Guid {
        /// The GUID.
        guid: String,
        /// The context's prefix.
        context: String,
        /// The id.
        id: SchemaId,
    },
    /// Schema `id` of `context` references `version` of `subject` (qualified).
    Reference {
        /// The subject the reference resolves to.
        subject: String,
        /// Its version.
        version: i32,
        /// The referrer's context.
        context: String,
        /// The referrer's id.
        id: SchemaId,
    },
    /// A subject version.
    Version {
        /// The subject.
        subject: String,
        /// The version.
        entry: VersionEntry,
    },
}

impl Row {
    /// The table it belongs to.
    pub fn table(&self) -> Table {
        match self {
            Row::Schema { .. } => Table::Schemas,
            Row::ContentKey { .. } => Table::ContentKeys,
            Row::Guid { .. } => Table::Guids,
            Row::Reference { .. } => Table::References,
            Row::Version { .. } => Table::Versions,
        }
    }

    /// What identifies it within its table, for people (`schema :.ctx:/5`).
    pub fn name(&self) -> String {
        match self {
            Row::Schema { context, id, .. } => format!("schema {context}/{id}"),
            Row::ContentKey { key, .. } => format!(
                "content key {}",
                key.iter().map(|b| format!("{b:02x}")).collect::<String>()
            ),
            Row::Guid { guid, context, .. } => format!("GUID {guid} in {context:?}"),
            Row::Reference {
                subject,
                version,
                context,
                id,
            } => format!("reference of schema {context}/{id} to {subject:?} version {version}"),
            Row::Version { subject, entry } => {
                format!("version {} of {subject:?}", entry.version)
            }
        }
    }

    /// Its value, apart from what [`Row::name`] says (for comparing two stores).
    pub fn value(&self) -> String {
        match self {
            Row::Schema { schema, .. } => serde_json::to_string(schema).unwrap_or_default(),
            Row::ContentKey { id, .. } | Row::Guid { id, .. } => id.to_string(),
            Row::Reference { .. } => String::new(),
            Row::Version { entry, .. } => format!(
                "id {} deleted {} ts {}",
                entry.id,
                entry.deleted,
                entry.ts.map_or("none".to_owned(), |t| t.to_string())
            ),
        }
    }
}

/// The subject a stored reference names, read in the context of the schema that makes
/// it (`context`, a prefix).
pub fn reference_target(context: &str, subject: &str) -> String {
    schemagate_core::Context::of(context).qualify_reference(subject)
}

/// A failure of the backend: I/O, corruption, a lost connection.
#[derive(Debug, thiserror::Error)]
#[error("store error: {0}")]
pub struct StoreError(pub String);

/// Result of store operations.
pub type StoreResult<T> = Result<T, StoreError>;

/// The exclusive right to decide on one write and apply it, held across every process
/// that shares the store. Dropping it without [`WriteLock::commit`] applies nothing.
pub trait WriteLock: Send {
    /// Applies every op or none as commit number `seq` (see [`Store::apply`]), then
    /// releases the lock.
    fn commit(self: Box<Self>, seq: u64, ops: &[Op]) -> StoreResult<()>;
}

/// The lock of a store that only one process can open: the registry's own mutex already
/// excludes other writers, so committing is just [`Store::apply`].
struct ApplyOnCommit<'a, S: ?Sized>(&'a S);

impl<S: Store + ?Sized> WriteLock for ApplyOnCommit<'_, S> {
    fn commit(self: Box<Self>, seq: u64, ops: &[Op]) -> StoreResult<()> {
        self.0.apply(seq, ops)
    }
}

/// What the registry needs from a backend. Methods block; the registry calls the slow
/// ones off the async runtime. A `context` argument is a context's prefix (see [`Op`]).
pub trait Store: Send + Sync + 'static {
    /// The schema stored under `id` in `context`, whether or not any subject still uses
    /// it.
    fn schema(&self, context: &str, id: SchemaId) -> StoreResult<Option<StoredSchema>>;
    /// The id first given to this content (content keys tell contexts apart).
    fn id_for_key(&self, key: &ContentKey) -> StoreResult<Option<SchemaId>>;
    /// The contexts and ids whose schema has this GUID, the default context first.
    fn ids_for_guid(&self, guid: &str) -> StoreResult<Vec<(String, SchemaId)>>;
    /// Every stored schema id of the default context, ascending (the store format
    /// upgrade walks them).
    fn schema_ids(&self) -> StoreResult<Vec<SchemaId>>;
    /// The format the stored data is in: 1 before data contracts and texts as
    /// registered, [`FORMAT`] after `Registry::upgrade_store`.
    fn format(&self) -> StoreResult<u32>;
    /// Every stored version of `subject` (soft-deleted included), ascending.
    fn versions(&self, subject: &str) -> StoreResult<Vec<VersionEntry>>;
    /// One version of `subject`, soft-deleted or not. The default scans
    /// [`Store::versions`]; backends with ordered keys answer it directly.
    fn version(&self, subject: &str, version: i32) -> StoreResult<Option<VersionEntry>> {
        Ok(self
            .versions(subject)?
            .into_iter()
            .find(|v| v.version == version))
    }
    /// The newest version of `subject` (live only unless `include_deleted`): the hot
    /// `latest` read, so backends should answer it without reading every version.
    fn latest_version(
        &self,
        subject: &str,
        include_deleted: bool,
    ) -> StoreResult<Option<VersionEntry>> {
        Ok(self
            .versions(subject)?
            .into_iter()
            .rev()
            .find(|v| include_deleted || !v.deleted))
    }
    /// Every subject with at least one stored version, sorted, with its versions.
    fn all_versions(&self) -> StoreResult<Vec<(String, Vec<VersionEntry>)>>;
    /// Every subject version, of any context, whose id is `id`, sorted by subject then
    /// version (the registry keeps those of the context it asks about).
    fn usages(&self, id: SchemaId) -> StoreResult<Vec<(String, VersionEntry)>>;
    /// The contexts and ids of schemas whose references resolve to `subject` (qualified)
    /// at `version`.
    fn referrers(&self, subject: &str, version: i32) -> StoreResult<Vec<(String, SchemaId)>>;
    /// A configuration, global when `subject` is `None`.
    fn config(&self, subject: Option<&str>) -> StoreResult<Option<ConfigRecord>>;
    /// A mode, global when `subject` is `None`.
    fn mode(&self, subject: Option<&str>) -> StoreResult<Option<Mode>>;
    /// Every configuration set on a subject or context (not the top level's), by key,
    /// sorted.
    fn configs(&self) -> StoreResult<Vec<(String, ConfigRecord)>>;
    /// The id the next new schema of `context` gets.
    fn next_id(&self, context: &str) -> StoreResult<SchemaId>;
    /// The prefixes of every context recorded by [`Op::SetContext`], sorted.
    fn contexts(&self) -> StoreResult<Vec<String>>;
    /// Every subject that has a mode of its own, ascending (`DELETE /mode?recursive`).
    fn mode_subjects(&self) -> StoreResult<Vec<String>>;
    /// Gauge values.
    fn counts(&self) -> StoreResult<Counts>;
    /// Applies every op or none. `seq` is the registry's commit number, increasing from
    /// one commit to the next; [`Store::flush`] and [`Store::discard_unflushed`] name
    /// commits by it.
    fn apply(&self, seq: u64, ops: &[Op]) -> StoreResult<()>;
    /// Makes everything applied so far durable: on a local disk, written and synced
    /// (`fdatasync`), not just handed to the kernel. An error means some of it may not
    /// be durable. On success, commits numbered up to `upto` (all applied before the
    /// call) no longer need to be taken back by [`Store::discard_unflushed`].
    fn flush(&self, upto: u64) -> StoreResult<()>;
    /// Whether [`Store::apply`] is already durable when it returns (a database that
    /// commits durably), so that nothing visible ever waits for [`Store::flush`].
    fn durable_on_commit(&self) -> bool {
        false
    }
    /// Takes back, atomically, every commit numbered above `after` (the last one known
    /// durable), so that what readers see is again what is on disk. Called after a failed
    /// flush, under the write lock. A store that is durable on commit has nothing to take
    /// back; the default refuses, so that a store which cannot undo says so rather than
    /// serving writes that were refused.
    fn discard_unflushed(&self, after: u64) -> StoreResult<()> {
        let _ = after;
        Err(StoreError(
            "this store cannot take back writes that failed to flush".into(),
        ))
    }
    /// Takes the write lock: everything read after this returns and before the commit
    /// sees every write committed before it, by any process. The default suits a store
    /// only one process can open, where the registry's own mutex is that lock.
    fn lock_writes(&self) -> StoreResult<Box<dyn WriteLock + '_>> {
        Ok(Box::new(ApplyOnCommit(self)))
    }
    /// Whether reads are quick enough to run on the async runtime's own threads (an
    /// in-memory or embedded store); a networked store answers `false` and is always
    /// called from the blocking pool.
    fn inline_reads(&self) -> bool {
        true
    }
    /// Counts changes made by other processes sharing the store (a networked backend
    /// bumps it when it learns of them), so caches tagged with an older epoch are
    /// dropped. Never decreases; an embedded store, which no one else can write, keeps 0.
    fn external_changes(&self) -> u64 {
        0
    }
    /// Counts permanent deletions made by other processes: the only change that can make
    /// an immutable id unresolvable, so id caches start over when it moves.
    fn external_deletions(&self) -> u64 {
        0
    }
    /// The KEK of this name, soft-deleted or not.
    fn kek(&self, name: &str) -> StoreResult<Option<keys::KekRecord>>;
    /// Every KEK, soft-deleted included, sorted by name.
    fn keks(&self) -> StoreResult<Vec<keys::KekRecord>>;
    /// Every DEK wrapped by the KEK `kek_name`, soft-deleted included, sorted by subject,
    /// algorithm and version.
    fn deks(&self, kek_name: &str) -> StoreResult<Vec<keys::DekRecord>>;
    /// Every DEK of `subject` wrapped by `kek_name` (all algorithms and versions,
    /// soft-deleted included), sorted by algorithm and version.
    fn subject_deks(&self, kek_name: &str, subject: &str) -> StoreResult<Vec<keys::DekRecord>>;
    /// How many KEKs and DEKs are stored.
    fn key_counts(&self) -> StoreResult<keys::KeyCounts>;
    /// Up to `limit` rows of `table` following `after` (a row of the same table, or
    /// `None` for the first page), in the store's own key order: how `migrate-store`
    /// reads a store whole without holding it in memory. The default refuses.
    fn rows(&self, table: Table, after: Option<&Row>, limit: usize) -> StoreResult<Vec<Row>> {
        let _ = (table, after, limit);
        Err(StoreError("this store cannot be listed whole".into()))
    }
    /// Every context's id counter that is set, as (context prefix, next id), sorted.
    fn id_counters(&self) -> StoreResult<Vec<(String, SchemaId)>> {
        Err(StoreError("this store cannot be listed whole".into()))
    }
}
