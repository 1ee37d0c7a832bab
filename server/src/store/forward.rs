use std::sync::Arc;

use super::keys::{DekRecord, KekRecord, KeyCounts};
use super::{
    ConfigRecord, ContentKey, Counts, Mode, Op, Row, SchemaId, Store, StoreResult, StoredSchema,
    Table, VersionEntry, WriteLock,
};

/// A replacement for one method; it gets the inner store so it can still call it.
type Hook<T> = Option<Box<dyn Fn(&dyn Store) -> T + Send + Sync>>;
/// A replacement for [`Store::flush`], given the inner store and `upto`.
type FlushHook = Box<dyn Fn(&dyn Store, u64) -> StoreResult<()> + Send + Sync>;

/// Forwards every [`Store`] method to the inner store, unless a hook replaces it.
pub struct Forward {
    inner: Arc<dyn Store>,
    flush: Option<FlushHook>,
    external_changes: Hook<u64>,
    external_deletions: Hook<u64>,
}

impl Forward {
    /// Wraps `inner` with nothing replaced yet.
    pub fn new(inner: Arc<dyn Store>) -> Forward {
        Forward {
            inner,
            flush: None,
            external_changes: None,
            external_deletions: None,
        }
    }

    /// Replaces [`Store::flush`].
    pub fn on_flush(
        mut self,
        hook: impl Fn(&dyn Store, u64) -> StoreResult<()> + Send + Sync + 'static,
    ) -> Forward {
        self.flush = Some(Box::new(hook));
        self
    }

    /// Replaces [`Store::external_changes`].
    pub fn on_external_changes(
        mut self,
        hook: impl Fn(&dyn Store) -> u64 + Send + Sync + 'static,
    ) -> Forward {
        self.external_changes = Some(Box::new(hook));
        self
    }

    /// Replaces [`Store::external_deletions`].
    pub fn on_external_deletions(
        mut self,
        hook: impl Fn(&dyn Store) -> u64 + Send + Sync + 'static,
    ) -> Forward {
        self.external_deletions = Some(Box::new(hook));
        self
    }
}

impl Store for Forward {
    fn schema(&self, context: &str, id: SchemaId) -> StoreResult<Option<StoredSchema>> {
        self.inner.schema(context, id)
    }
    fn id_for_key(&self, key: &ContentKey) -> StoreResult<Option<SchemaId>> {
        self.inner.id_for_key(key)
    }
    fn ids_for_guid(&self, guid: &str) -> StoreResult<Vec<(String, SchemaId)>> {
        self.inner.ids_for_guid(guid)
    }
    fn schema_ids(&self) -> StoreResult<Vec<SchemaId>> {
        self.inner.schema_ids()
    }
    fn format(&self) -> StoreResult<u32> {
        self.inner.format()
    }
    fn versions(&self, subject: &str) -> StoreResult<Vec<VersionEntry>> {
        self.inner.versions(subject)
    }
    fn version(&self, subject: &str, version: i32) -> StoreResult<Option<VersionEntry>> {
        self.inner.version(subject, version)
    }
    fn latest_version(
        &self,
        subject: &str,
        include_deleted: bool,
    ) -> StoreResult<Option<VersionEntry>> {
        self.inner.latest_version(subject, include_deleted)
    }
    fn all_versions(&self) -> StoreResult<Vec<(String, Vec<VersionEntry>)>> {
        self.inner.all_versions()
    }
    fn usages(&self, id: SchemaId) -> StoreResult<Vec<(String, VersionEntry)>> {
        self.inner.usages(id)
    }
    fn referrers(&self, subject: &str, version: i32) -> StoreResult<Vec<(String, SchemaId)>> {
        self.inner.referrers(subject, version)
    }
    fn config(&self, subject: Option<&str>) -> StoreResult<Option<ConfigRecord>> {
        self.inner.config(subject)
    }
    fn mode(&self, subject: Option<&str>) -> StoreResult<Option<Mode>> {
        self.inner.mode(subject)
    }
    fn mode_subjects(&self) -> StoreResult<Vec<String>> {
        self.inner.mode_subjects()
    }
    fn next_id(&self, context: &str) -> StoreResult<SchemaId> {
        self.inner.next_id(context)
    }
    fn contexts(&self) -> StoreResult<Vec<String>> {
        self.inner.contexts()
    }
    fn configs(&self) -> StoreResult<Vec<(String, ConfigRecord)>> {
        self.inner.configs()
    }
    fn counts(&self) -> StoreResult<Counts> {
        self.inner.counts()
    }
    fn apply(&self, seq: u64, ops: &[Op]) -> StoreResult<()> {
        self.inner.apply(seq, ops)
    }
    fn flush(&self, upto: u64) -> StoreResult<()> {
        match &self.flush {
            Some(hook) => hook(&*self.inner, upto),
            None => self.inner.flush(upto),
        }
    }
    fn durable_on_commit(&self) -> bool {
        self.inner.durable_on_commit()
    }
    fn discard_unflushed(&self, after: u64) -> StoreResult<()> {
        self.inner.discard_unflushed(after)
    }
    // The inner store's lock commits through its own `apply`, not through this wrapper.
    fn lock_writes(&self) -> StoreResult<Box<dyn WriteLock + '_>> {
        self.inner.lock_writes()
    }
    fn inline_reads(&self) -> bool {
        self.inner.inline_reads()
    }
    fn external_changes(&self) -> u64 {
        match &self.external_changes {
            Some(hook) => hook(&*self.inner),
            None => self.inner.external_changes(),
        }
    }
    fn external_deletions(&self) -> u64 {
        match &self.external_deletions {
            Some(hook) => hook(&*self.inner),
            None => self.inner.external_deletions(),
        }
    }
    fn kek(&self, name: &str) -> StoreResult<Option<KekRecord>> {
        self.inner.kek(name)
    }
    fn keks(&self) -> StoreResult<Vec<KekRecord>> {
        self.inner.keks()
    }
    fn deks(&self, kek_name: &str) -> StoreResult<Vec<DekRecord>> {
        self.inner.deks(kek_name)
    }
    fn subject_deks(&self, kek_name: &str, subject: &str) -> StoreResult<Vec<DekRecord>> {
        self.inner.subject_deks(kek_name, subject)
    }
    fn key_counts(&self) -> StoreResult<KeyCounts> {
        self.inner.key_counts()
    }
    fn rows(&self, table: Table, after: Option<&Row>, limit: usize) -> StoreResult<Vec<Row>> {
        self.inner.rows(table, after, limit)
    }
    fn id_counters(&self) -> StoreResult<Vec<(String, SchemaId)>> {
        self.inner.id_counters()
    }
}
