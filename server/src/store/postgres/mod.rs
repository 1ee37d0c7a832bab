//! The shared store: PostgreSQL, for several stateless registry instances.
//!
//! Correctness across instances rests on the database, never on process memory:
//! - every write use case runs inside one transaction that first takes a transaction
//!   advisory lock ([`WRITE_LOCK`]), so the registry's read-decide-write sequence is
//!   serialised across instances, and the lock cannot outlive the transaction: if the
//!   connection drops, nothing is written;
//! - primary keys make ids, content keys and subject versions unique, and triggers make
//!   stored schemas immutable (see [`migrations`]);
//! - a commit is durable when PostgreSQL acknowledges it (with the default
//!   `synchronous_commit`), so [`Store::flush`] has nothing left to do.
//!
//! Reads go to the database each time; only immutable data (schemas by id) is cached by
//! the registry for good, and caches of anything mutable are tagged with the change
//! counts of [`listener`].

mod listener;
pub mod migrations;
mod pool;

use std::sync::Arc;
use std::time::Duration;

use postgres::Row;
use schemagate_core::SchemaType;

use self::listener::Listener;
use self::pool::{Conn, Pool, Pooled};
use super::keys::{self, DekId, DekRecord, KekRecord, KeyCounts};
use super::{
    ConfigRecord, ContentKey, Counts, Mode, Op, Row as StoreRow, SchemaId, SchemaRef, Store,
    StoreError, StoreResult, StoredSchema, Table, VersionEntry, WriteLock,
};

/// Transaction advisory lock key of the write path ("SGWRITES").
const WRITE_LOCK: i64 = 0x5347_5752_4954_4553;
/// Longest a writer waits for another instance's write to finish.
const LOCK_TIMEOUT: &str = "30s";
/// Scope key of the global config and mode rows (subjects are never empty).
const GLOBAL: &str = "";

/// Default number of pooled connections per instance.
pub const DEFAULT_POOL_SIZE: usize = 16;

/// Whether `store` names a PostgreSQL database rather than the embedded store.
pub fn is_postgres_url(store: &str) -> bool {
    store.starts_with("postgres://") || store.starts_with("postgresql://")
}

pub(crate) fn pg_error(e: postgres::Error) -> StoreError {
    match e.as_db_error() {
        Some(db) => StoreError(format!(
            "PostgreSQL refused: {} (SQLSTATE {})",
            db.message(),
            db.code().code()
        )),
        None => {
            // The top-level message is generic ("error connecting to server"); the cause
            // (refused, timed out, bad password) is in the chain.
            let mut message = format!("PostgreSQL: {e}");
            let mut source = std::error::Error::source(&e);
            while let Some(cause) = source {
                message.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            StoreError(message)
        }
    }
}

/// A [`Store`] in a PostgreSQL database, shared by any number of instances.
pub struct PgStore {
    pool: Arc<Pool>,
    listener: Listener,
}

impl PgStore {
    /// Connects to `url` (`postgres://user:password@host:port/db?options`), applies any
    /// missing migrations and starts listening for other instances' changes.
    pub fn open(url: &str, pool_size: usize) -> StoreResult<PgStore> {
        let mut config: postgres::Config = url.parse().map_err(|e| {
            StoreError(format!(
                "invalid PostgreSQL URL: {e}; expected postgres://user:password@host:5432/database"
            ))
        })?;
        if config.get_ssl_mode() == postgres::config::SslMode::Require {
            return Err(StoreError(
                "sslmode=require: TLS to PostgreSQL is not supported yet; keep the database on a private network (or a local TLS proxy) and drop sslmode".into(),
            ));
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        if config.get_application_name().is_none() {
            config.application_name("schemagate-server");
        }
        // Notice a peer that vanished without closing (a lost machine) within a minute.
        config.keepalives_idle(Duration::from_secs(30));
        let pool = Arc::new(Pool::new(config, pool_size));
        let mut client = pool.connect()?;
        migrations::migrate(&mut client)?;
        drop(client);
        let listener = Listener::start(Arc::clone(&pool))
            .map_err(|e| StoreError(format!("cannot start the change listener: {e}")))?;
        Ok(PgStore { pool, listener })
    }

    /// Runs a read on a pooled connection; once more on a fresh one if the pooled
    /// connection turned out to be closed (the database restarted meanwhile).
    fn read<T>(&self, f: impl Fn(&mut Conn) -> Result<T, postgres::Error>) -> StoreResult<T> {
        let mut pooled = self.pool.get()?;
        match f(pooled.conn()) {
            Ok(v) => Ok(v),
            Err(e) if connection_lost(&e, pooled.conn()) => {
                pooled.discard();
                drop(pooled);
                tracing::debug!(error = %e, "retrying a read on a new connection");
                let mut pooled = self.pool.get()?;
                f(pooled.conn()).map_err(pg_error)
            }
            Err(e) => Err(pg_error(e)),
        }
    }

    /// A `schemagate_meta` value (`what` names it in the error for a corrupt one).
    fn meta(&self, key: &str, what: &str) -> StoreResult<Option<u32>> {
        self.rows("SELECT value FROM schemagate_meta WHERE key = $1", &[&key])?
            .first()
            .map(|row| {
                u32::try_from(row.get::<_, i64>(0))
                    .map_err(|_| StoreError(format!("corrupt {what}")))
            })
            .transpose()
    }

    fn rows(
        &self,
        sql: &'static str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> StoreResult<Vec<Row>> {
        self.read(|c| {
            let statement = c.statement(sql)?;
            c.client.query(&statement, params)
        })
    }
}

/// A schema id in a row's first column.
fn first_id(row: &Row) -> SchemaId {
    SchemaId(row.get::<_, i32>(0) as u32)
}

/// The column value of `id`; `None` for ids above the column's range, which the
/// registry never hands out, so nothing is stored under them.
/// Whether `e` means the connection is gone (a restarted or failed-over database), so
/// the same statement may be retried on a fresh one.
fn connection_lost(e: &postgres::Error, conn: &Conn) -> bool {
    e.is_closed()
        || conn.client.is_closed()
        || e.code().is_some_and(|c| {
            // admin_shutdown, crash_shutdown, cannot_connect_now
            ["57P01", "57P02", "57P03"].contains(&c.code())
        })
}

fn id_param(id: SchemaId) -> Option<i32> {
    i32::try_from(id.0).ok()
}

fn version_entry(row: &Row) -> VersionEntry {
    VersionEntry {
        version: row.get("version"),
        id: SchemaId(row.get::<_, i32>("id") as u32),
        deleted: row.get("deleted"),
        ts: row.get("ts"),
    }
}

/// The schema in a row of `schemagate_schemas` (`id` names it in errors).
fn stored_schema(row: &Row, id: i32) -> StoreResult<StoredSchema> {
    let schema_type: SchemaType = row
        .get::<_, &str>("schema_type")
        .parse()
        .map_err(|_| StoreError(format!("corrupt schema type of schema {id}")))?;
    let references: Vec<SchemaRef> = serde_json::from_str(row.get("refs"))
        .map_err(|e| StoreError(format!("corrupt references of schema {id}: {e}")))?;
    Ok(StoredSchema {
        schema_type,
        schema: row.get("schema"),
        references,
        metadata: json_column(row, "metadata", id)?,
        rule_set: json_column(row, "rule_set", id)?,
    })
}

/// A JSON column holding an optional contract part.
fn json_column<T: serde::de::DeserializeOwned>(
    row: &Row,
    column: &str,
    id: i32,
) -> StoreResult<Option<T>> {
    row.get::<_, Option<&str>>(column)
        .map(|text| {
            serde_json::from_str(text)
                .map_err(|e| StoreError(format!("corrupt {column} of schema {id}: {e}")))
        })
        .transpose()
}

fn json_text<T: serde::Serialize>(value: &Option<T>) -> Option<String> {
    value.as_ref().and_then(|v| serde_json::to_string(v).ok())
}

/// The `schemagate_meta` key of a context's id counter: `next_id`, then the context's
/// prefix (none for the default context, as before contexts).
fn next_id_key(context: &str) -> String {
    format!("next_id{context}")
}

fn scope(subject: Option<&str>) -> &str {
    subject.unwrap_or(GLOBAL)
}

impl Store for PgStore {
    fn schema(&self, context: &str, id: SchemaId) -> StoreResult<Option<StoredSchema>> {
        let Some(id) = id_param(id) else {
            return Ok(None);
        };
        let rows = self.rows(
            "SELECT schema_type, schema, refs, metadata, rule_set FROM schemagate_schemas
             WHERE context = $1 AND id = $2",
            &[&context, &id],
        )?;
        rows.first().map(|row| stored_schema(row, id)).transpose()
    }

    fn id_for_key(&self, key: &ContentKey) -> StoreResult<Option<SchemaId>> {
        let key: &[u8] = key;
        Ok(self
            .rows(
                "SELECT id FROM schemagate_content_keys WHERE key = $1",
                &[&key],
            )?
            .first()
            .map(first_id))
    }

    fn ids_for_guid(&self, guid: &str) -> StoreResult<Vec<(String, SchemaId)>> {
        Ok(self
            .rows(
                "SELECT context, id FROM schemagate_guids WHERE guid = $1 ORDER BY context",
                &[&guid],
            )?
            .iter()
            .map(|row| (row.get("context"), SchemaId(row.get::<_, i32>("id") as u32)))
            .collect())
    }

    fn schema_ids(&self) -> StoreResult<Vec<SchemaId>> {
        Ok(self
            .rows(
                "SELECT id FROM schemagate_schemas WHERE context = '' ORDER BY id",
                &[],
            )?
            .iter()
            .map(first_id)
            .collect())
    }

    fn format(&self) -> StoreResult<u32> {
        Ok(self.meta("format", "store format")?.unwrap_or(1))
    }

    fn versions(&self, subject: &str) -> StoreResult<Vec<VersionEntry>> {
        Ok(self
            .rows(
                "SELECT version, id, deleted, ts FROM schemagate_versions
                 WHERE subject = $1 ORDER BY version",
                &[&subject],
            )?
            .iter()
            .map(version_entry)
            .collect())
    }

    fn version(&self, subject: &str, version: i32) -> StoreResult<Option<VersionEntry>> {
        Ok(self
            .rows(
                "SELECT version, id, deleted, ts FROM schemagate_versions
                 WHERE subject = $1 AND version = $2",
                &[&subject, &version],
            )?
            .first()
            .map(version_entry))
    }

    fn latest_version(
        &self,
        subject: &str,
        include_deleted: bool,
    ) -> StoreResult<Option<VersionEntry>> {
        Ok(self
            .rows(
                "SELECT version, id, deleted, ts FROM schemagate_versions
                 WHERE subject = $1 AND ($2 OR NOT deleted)
                 ORDER BY version DESC LIMIT 1",
                &[&subject, &include_deleted],
            )?
            .first()
            .map(version_entry))
    }

    fn all_versions(&self) -> StoreResult<Vec<(String, Vec<VersionEntry>)>> {
        let rows = self.rows(
            "SELECT subject, version, id, deleted, ts FROM schemagate_versions
             ORDER BY subject, version",
            &[],
        )?;
        let mut out: Vec<(String, Vec<VersionEntry>)> = Vec::new();
        for row in &rows {
            let subject: &str = row.get("subject");
            let entry = version_entry(row);
            match out.last_mut() {
                Some((s, entries)) if s == subject => entries.push(entry),
                _ => out.push((subject.to_owned(), vec![entry])),
            }
        }
        Ok(out)
    }

    fn usages(&self, id: SchemaId) -> StoreResult<Vec<(String, VersionEntry)>> {
        let Some(id) = id_param(id) else {
            return Ok(Vec::new());
        };
        Ok(self
            .rows(
                "SELECT subject, version, id, deleted, ts FROM schemagate_versions
                 WHERE id = $1 ORDER BY subject, version",
                &[&id],
            )?
            .iter()
            .map(|row| (row.get("subject"), version_entry(row)))
            .collect())
    }

    fn referrers(&self, subject: &str, version: i32) -> StoreResult<Vec<(String, SchemaId)>> {
        Ok(self
            .rows(
                "SELECT context, id FROM schemagate_refs WHERE subject = $1 AND version = $2
                 ORDER BY context, id",
                &[&subject, &version],
            )?
            .iter()
            .map(|row| (row.get("context"), SchemaId(row.get::<_, i32>("id") as u32)))
            .collect())
    }

    fn config(&self, subject: Option<&str>) -> StoreResult<Option<ConfigRecord>> {
        let scope = scope(subject);
        self.rows(
            "SELECT config FROM schemagate_config WHERE scope = $1",
            &[&scope],
        )?
        .first()
        .map(|row| ConfigRecord::decode(row.get::<_, &str>(0)))
        .transpose()
    }

    fn mode_subjects(&self) -> StoreResult<Vec<String>> {
        Ok(self
            .rows(
                "SELECT scope FROM schemagate_modes WHERE scope <> '' ORDER BY scope",
                &[],
            )?
            .iter()
            .map(|row| row.get(0))
            .collect())
    }

    fn mode(&self, subject: Option<&str>) -> StoreResult<Option<Mode>> {
        let scope = scope(subject);
        self.rows(
            "SELECT mode FROM schemagate_modes WHERE scope = $1",
            &[&scope],
        )?
        .first()
        .map(|row| Mode::parse(row.get(0)).ok_or_else(|| StoreError("corrupt mode".into())))
        .transpose()
    }

    fn next_id(&self, context: &str) -> StoreResult<SchemaId> {
        Ok(SchemaId(
            self.meta(&next_id_key(context), "id counter")?.unwrap_or(1),
        ))
    }

    fn configs(&self) -> StoreResult<Vec<(String, ConfigRecord)>> {
        self.rows(
            "SELECT scope, config FROM schemagate_config WHERE scope <> $1 ORDER BY scope",
            &[&GLOBAL],
        )?
        .iter()
        .map(|row| Ok((row.get(0), ConfigRecord::decode(row.get(1))?)))
        .collect()
    }

    fn contexts(&self) -> StoreResult<Vec<String>> {
        Ok(self
            .rows(
                "SELECT context FROM schemagate_contexts ORDER BY context",
                &[],
            )?
            .iter()
            .map(|row| row.get(0))
            .collect())
    }

    fn counts(&self) -> StoreResult<Counts> {
        let rows = self.rows(
            "SELECT (SELECT count(*) FROM schemagate_schemas),
                    (SELECT count(DISTINCT subject) FROM schemagate_versions WHERE NOT deleted),
                    (SELECT count(*) FROM schemagate_versions WHERE NOT deleted)",
            &[],
        )?;
        let row = rows
            .first()
            .ok_or_else(|| StoreError("counts query returned nothing".into()))?;
        let count = |i: usize| row.get::<_, i64>(i).max(0) as u64;
        Ok(Counts {
            schemas: count(0),
            subjects: count(1),
            versions: count(2),
        })
    }

    fn apply(&self, seq: u64, ops: &[Op]) -> StoreResult<()> {
        self.lock_writes()?.commit(seq, ops)
    }

    fn flush(&self, _upto: u64) -> StoreResult<()> {
        Ok(())
    }

    /// A transaction's COMMIT returns once PostgreSQL has made it durable (with the
    /// server's `synchronous_commit`, on by default).
    fn durable_on_commit(&self) -> bool {
        true
    }

    fn discard_unflushed(&self, _after: u64) -> StoreResult<()> {
        Ok(())
    }

    fn lock_writes(&self) -> StoreResult<Box<dyn WriteLock + '_>> {
        let begin = format!(
            "BEGIN; SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'; SELECT pg_advisory_xact_lock({WRITE_LOCK})"
        );
        // A second attempt only when the pooled connection had died (database restart).
        for attempt in 0..2 {
            let mut pooled = self.pool.get()?;
            match pooled.conn().client.batch_execute(&begin) {
                Ok(()) => {
                    return Ok(Box::new(PgWriteLock {
                        pooled,
                        finished: false,
                    }));
                }
                Err(e) if attempt == 0 && connection_lost(&e, pooled.conn()) => {
                    pooled.discard();
                    tracing::debug!(error = %e, "retrying a write on a new connection");
                }
                Err(e) => {
                    if pooled.conn().client.batch_execute("ROLLBACK").is_err() {
                        pooled.discard();
                    }
                    return Err(pg_error(e));
                }
            }
        }
        Err(StoreError("no usable PostgreSQL connection".into()))
    }

    fn inline_reads(&self) -> bool {
        false
    }

    fn external_changes(&self) -> u64 {
        self.listener.changes().writes()
    }

    fn external_deletions(&self) -> u64 {
        self.listener.changes().deletions()
    }

    fn kek(&self, name: &str) -> StoreResult<Option<KekRecord>> {
        self.rows(
            "SELECT record FROM schemagate_keks WHERE name = $1",
            &[&name],
        )?
        .first()
        .map(|row| keys::decode(row.get::<_, &str>(0).as_bytes(), "KEK"))
        .transpose()
    }

    fn keks(&self) -> StoreResult<Vec<KekRecord>> {
        self.rows("SELECT record FROM schemagate_keks ORDER BY name", &[])?
            .iter()
            .map(|row| keys::decode(row.get::<_, &str>(0).as_bytes(), "KEK"))
            .collect()
    }

    fn deks(&self, kek_name: &str) -> StoreResult<Vec<DekRecord>> {
        self.rows(
            "SELECT record FROM schemagate_deks WHERE kek_name = $1
             ORDER BY subject, algorithm, version",
            &[&kek_name],
        )?
        .iter()
        .map(|row| keys::decode(row.get::<_, &str>(0).as_bytes(), "DEK"))
        .collect()
    }

    fn subject_deks(&self, kek_name: &str, subject: &str) -> StoreResult<Vec<DekRecord>> {
        self.rows(
            "SELECT record FROM schemagate_deks WHERE kek_name = $1 AND subject = $2
             ORDER BY algorithm, version",
            &[&kek_name, &subject],
        )?
        .iter()
        .map(|row| keys::decode(row.get::<_, &str>(0).as_bytes(), "DEK"))
        .collect()
    }

    fn rows(
        &self,
        table: Table,
        after: Option<&StoreRow>,
        limit: usize,
    ) -> StoreResult<Vec<StoreRow>> {
        if after.is_some_and(|row| row.table() != table) {
            return Err(StoreError("a page cursor of another table".into()));
        }
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let id = |id: SchemaId| id.0 as i32;
        let row_id = |row: &Row| SchemaId(row.get::<_, i32>("id") as u32);
        // Keyset pages in primary-key order; the first page starts below every key.
        match table {
            Table::Schemas => {
                let (context, from) = match after {
                    Some(StoreRow::Schema { context, id: i, .. }) => (context.as_str(), id(*i)),
                    _ => ("", 0),
                };
                self.rows(
                    "SELECT context, id, schema_type, schema, refs, metadata, rule_set
                     FROM schemagate_schemas WHERE (context, id) > ($1, $2)
                     ORDER BY context, id LIMIT $3",
                    &[&context, &from, &limit],
                )?
                .iter()
                .map(|row| {
                    let id: i32 = row.get("id");
                    Ok(StoreRow::Schema {
                        context: row.get("context"),
                        id: SchemaId(id as u32),
                        schema: stored_schema(row, id)?,
                    })
                })
                .collect()
            }
            Table::ContentKeys => {
                let from: &[u8] = match after {
                    Some(StoreRow::ContentKey { key, .. }) => key,
                    _ => &[],
                };
                self.rows(
                    "SELECT key, id FROM schemagate_content_keys WHERE key > $1
                     ORDER BY key LIMIT $2",
                    &[&from, &limit],
                )?
                .iter()
                .map(|row| {
                    Ok(StoreRow::ContentKey {
                        key: row
                            .get::<_, &[u8]>("key")
                            .try_into()
                            .map_err(|_| StoreError("corrupt content key".into()))?,
                        id: row_id(row),
                    })
                })
                .collect()
            }
            Table::Guids => {
                let (guid, context) = match after {
                    Some(StoreRow::Guid { guid, context, .. }) => (guid.as_str(), context.as_str()),
                    _ => ("", ""),
                };
                Ok(self
                    .rows(
                        "SELECT guid, context, id FROM schemagate_guids
                         WHERE (guid, context) > ($1, $2) ORDER BY guid, context LIMIT $3",
                        &[&guid, &context, &limit],
                    )?
                    .iter()
                    .map(|row| StoreRow::Guid {
                        guid: row.get("guid"),
                        context: row.get("context"),
                        id: row_id(row),
                    })
                    .collect())
            }
            Table::References => {
                let (subject, version, context, from) = match after {
                    Some(StoreRow::Reference {
                        subject,
                        version,
                        context,
                        id: i,
                    }) => (subject.as_str(), *version, context.as_str(), id(*i)),
                    _ => ("", i32::MIN, "", 0),
                };
                Ok(self
                    .rows(
                        "SELECT subject, version, context, id FROM schemagate_refs
                         WHERE (subject, version, context, id) > ($1, $2, $3, $4)
                         ORDER BY subject, version, context, id LIMIT $5",
                        &[&subject, &version, &context, &from, &limit],
                    )?
                    .iter()
                    .map(|row| StoreRow::Reference {
                        subject: row.get("subject"),
                        version: row.get("version"),
                        context: row.get("context"),
                        id: row_id(row),
                    })
                    .collect())
            }
            Table::Versions => {
                let (subject, version) = match after {
                    Some(StoreRow::Version { subject, entry }) => (subject.as_str(), entry.version),
                    _ => ("", 0),
                };
                Ok(self
                    .rows(
                        "SELECT subject, version, id, deleted, ts FROM schemagate_versions
                         WHERE (subject, version) > ($1, $2) ORDER BY subject, version LIMIT $3",
                        &[&subject, &version, &limit],
                    )?
                    .iter()
                    .map(|row| StoreRow::Version {
                        subject: row.get("subject"),
                        entry: version_entry(row),
                    })
                    .collect())
            }
        }
    }

    fn id_counters(&self) -> StoreResult<Vec<(String, SchemaId)>> {
        self.rows(
            "SELECT key, value FROM schemagate_meta WHERE key LIKE 'next\\_id%' ORDER BY key",
            &[],
        )?
        .iter()
        .map(|row| {
            let key: &str = row.get(0);
            let next = u32::try_from(row.get::<_, i64>(1))
                .map_err(|_| StoreError("corrupt id counter".into()))?;
            Ok((key["next_id".len()..].to_owned(), SchemaId(next)))
        })
        .collect()
    }

    fn key_counts(&self) -> StoreResult<KeyCounts> {
        let rows = self.rows(
            "SELECT (SELECT count(*) FROM schemagate_keks), (SELECT count(*) FROM schemagate_deks)",
            &[],
        )?;
        let row = rows
            .first()
            .ok_or_else(|| StoreError("key counts query returned nothing".into()))?;
        let count = |i: usize| row.get::<_, i64>(i).max(0) as u64;
        Ok(KeyCounts {
            keks: count(0),
            deks: count(1),
        })
    }
}

/// An open transaction holding [`WRITE_LOCK`]; rolled back if dropped uncommitted.
struct PgWriteLock<'a> {
    pooled: Pooled<'a>,
    finished: bool,
}

impl WriteLock for PgWriteLock<'_> {
    fn commit(mut self: Box<Self>, _seq: u64, ops: &[Op]) -> StoreResult<()> {
        let conn = self.pooled.conn();
        for op in ops {
            apply_op(conn, op).map_err(pg_error)?;
        }
        let deletes = ops.iter().any(|op| matches!(op, Op::RemoveVersion { .. }));
        let kind = if deletes {
            listener::DELETION
        } else {
            listener::WRITE
        };
        let notify = conn
            .statement("SELECT pg_notify($1, $2)")
            .map_err(pg_error)?;
        conn.client
            .execute(&notify, &[&listener::CHANNEL, &kind])
            .map_err(pg_error)?;
        // Whatever COMMIT answers, the transaction is over; if the answer was lost the
        // outcome is unknown, and a retried registration finds its schema or writes it.
        self.finished = true;
        conn.client.batch_execute("COMMIT").map_err(pg_error)
    }
}

impl Drop for PgWriteLock<'_> {
    fn drop(&mut self) {
        if !self.finished && self.pooled.conn().client.batch_execute("ROLLBACK").is_err() {
            self.pooled.discard();
        }
    }
}

fn apply_op(conn: &mut Conn, op: &Op) -> Result<(), postgres::Error> {
    match op {
        Op::PutSchema {
            context,
            id,
            key,
            guid,
            schema,
        } => put_schema(conn, context, *id, Some(key), guid, schema, false)?,
        Op::UpgradeSchema {
            id,
            key,
            guid,
            schema,
        } => put_schema(conn, "", *id, key.as_ref(), guid, schema, true)?,
        Op::PutVersion { subject, entry } => {
            let s = conn.statement(
                "INSERT INTO schemagate_versions (subject, version, id, deleted, ts)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (subject, version) DO UPDATE SET deleted = EXCLUDED.deleted,
                     id = EXCLUDED.id, ts = EXCLUDED.ts",
            )?;
            conn.client.execute(
                &s,
                &[
                    subject,
                    &entry.version,
                    &(entry.id.0 as i32),
                    &entry.deleted,
                    &entry.ts,
                ],
            )?;
        }
        Op::RemoveVersion { subject, version } => {
            let s = conn
                .statement("DELETE FROM schemagate_versions WHERE subject = $1 AND version = $2")?;
            conn.client.execute(&s, &[subject, version])?;
        }
        Op::SetConfig { subject, config } => set_scoped(
            conn,
            "INSERT INTO schemagate_config (scope, config) VALUES ($1, $2)
             ON CONFLICT (scope) DO UPDATE SET config = EXCLUDED.config",
            "DELETE FROM schemagate_config WHERE scope = $1",
            subject.as_deref(),
            config.as_ref().map(ConfigRecord::encode).as_deref(),
        )?,
        Op::SetFormat(format) => {
            let s = conn.statement(
                "INSERT INTO schemagate_meta (key, value) VALUES ('format', $1)
                 ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            )?;
            conn.client.execute(&s, &[&i64::from(*format)])?;
        }
        Op::SetMode { subject, mode } => set_scoped(
            conn,
            "INSERT INTO schemagate_modes (scope, mode) VALUES ($1, $2)
             ON CONFLICT (scope) DO UPDATE SET mode = EXCLUDED.mode",
            "DELETE FROM schemagate_modes WHERE scope = $1",
            subject.as_deref(),
            mode.map(Mode::as_str),
        )?,
        Op::SetNextId { context, next } => {
            // Never lowered, so an id is never handed out twice.
            let s = conn.statement(
                "INSERT INTO schemagate_meta (key, value) VALUES ($1, $2)
                 ON CONFLICT (key) DO UPDATE
                 SET value = GREATEST(schemagate_meta.value, EXCLUDED.value)",
            )?;
            conn.client
                .execute(&s, &[&next_id_key(context), &i64::from(*next)])?;
        }
        Op::SetContext { context, present } => {
            let s = conn.statement(if *present {
                "INSERT INTO schemagate_contexts (context) VALUES ($1) ON CONFLICT DO NOTHING"
            } else {
                "DELETE FROM schemagate_contexts WHERE context = $1"
            })?;
            conn.client.execute(&s, &[context])?;
        }
        Op::PutKek(kek) => {
            let s = conn.statement(
                "INSERT INTO schemagate_keks (name, record) VALUES ($1, $2)
                 ON CONFLICT (name) DO UPDATE SET record = EXCLUDED.record",
            )?;
            conn.client.execute(&s, &[&kek.name, &keys::encode(kek)])?;
        }
        Op::RemoveKek { name } => {
            let s = conn.statement("DELETE FROM schemagate_keks WHERE name = $1")?;
            conn.client.execute(&s, &[name])?;
        }
        Op::PutDek(dek) => {
            let s = conn.statement(
                "INSERT INTO schemagate_deks (kek_name, subject, algorithm, version, record)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (kek_name, subject, algorithm, version)
                 DO UPDATE SET record = EXCLUDED.record",
            )?;
            conn.client.execute(
                &s,
                &[
                    &dek.kek_name,
                    &dek.subject,
                    &i16::from(dek.algorithm.ordinal()),
                    &dek.version,
                    &keys::encode(dek),
                ],
            )?;
        }
        Op::RemoveDek(DekId {
            kek_name,
            subject,
            algorithm,
            version,
        }) => {
            let s = conn.statement(
                "DELETE FROM schemagate_deks
                 WHERE kek_name = $1 AND subject = $2 AND algorithm = $3 AND version = $4",
            )?;
            conn.client.execute(
                &s,
                &[kek_name, subject, &i16::from(algorithm.ordinal()), version],
            )?;
        }
        Op::PutRows(rows) => put_rows(conn, rows)?,
    }
    Ok(())
}

/// Columns of `schemagate_schemas` for one insert: context, id, type, text, references.
type SchemaColumns<'a> = (
    Vec<&'a str>,
    Vec<i32>,
    Vec<&'a str>,
    Vec<&'a str>,
    Vec<String>,
);
/// Columns of `schemagate_versions` for one insert: subject, version, id, deleted, ts.
type VersionColumns<'a> = (
    Vec<&'a str>,
    Vec<i32>,
    Vec<i32>,
    Vec<bool>,
    Vec<Option<i64>>,
);

/// Writes rows copied from another store as they are: one multi-row insert per table
/// (`unnest` of arrays), so a page of a thousand rows is one round trip, not a thousand.
fn put_rows(conn: &mut Conn, rows: &[StoreRow]) -> Result<(), postgres::Error> {
    let mut schemas: SchemaColumns<'_> = Default::default();
    let mut contracts: (Vec<Option<String>>, Vec<Option<String>>) = Default::default();
    let mut keys: (Vec<&[u8]>, Vec<i32>) = Default::default();
    let mut guids: (Vec<&str>, Vec<&str>, Vec<i32>) = Default::default();
    let mut refs: (Vec<&str>, Vec<i32>, Vec<&str>, Vec<i32>) = Default::default();
    let mut versions: VersionColumns<'_> = Default::default();
    for row in rows {
        match row {
            StoreRow::Schema {
                context,
                id,
                schema,
            } => {
                schemas.0.push(context);
                schemas.1.push(id.0 as i32);
                schemas.2.push(schema.schema_type.as_str());
                schemas.3.push(&schema.schema);
                schemas.4.push(
                    serde_json::to_string(&schema.references).unwrap_or_else(|_| "[]".into()),
                );
                contracts.0.push(json_text(&schema.metadata));
                contracts.1.push(json_text(&schema.rule_set));
            }
            StoreRow::ContentKey { key, id } => {
                keys.0.push(key);
                keys.1.push(id.0 as i32);
            }
            StoreRow::Guid { guid, context, id } => {
                guids.0.push(guid);
                guids.1.push(context);
                guids.2.push(id.0 as i32);
            }
            StoreRow::Reference {
                subject,
                version,
                context,
                id,
            } => {
                refs.0.push(subject);
                refs.1.push(*version);
                refs.2.push(context);
                refs.3.push(id.0 as i32);
            }
            StoreRow::Version { subject, entry } => {
                versions.0.push(subject);
                versions.1.push(entry.version);
                versions.2.push(entry.id.0 as i32);
                versions.3.push(entry.deleted);
                versions.4.push(entry.ts);
            }
        }
    }
    if !schemas.0.is_empty() {
        let s = conn.statement(
            "INSERT INTO schemagate_schemas
                 (context, id, schema_type, schema, refs, metadata, rule_set)
             SELECT * FROM unnest($1::text[], $2::int4[], $3::text[], $4::text[], $5::text[],
                 $6::text[], $7::text[])",
        )?;
        conn.client.execute(
            &s,
            &[
                &schemas.0,
                &schemas.1,
                &schemas.2,
                &schemas.3,
                &schemas.4,
                &contracts.0,
                &contracts.1,
            ],
        )?;
    }
    if !keys.0.is_empty() {
        let s = conn.statement(
            "INSERT INTO schemagate_content_keys (key, id)
             SELECT * FROM unnest($1::bytea[], $2::int4[])",
        )?;
        conn.client.execute(&s, &[&keys.0, &keys.1])?;
    }
    if !guids.0.is_empty() {
        let s = conn.statement(
            "INSERT INTO schemagate_guids (guid, context, id)
             SELECT * FROM unnest($1::text[], $2::text[], $3::int4[])",
        )?;
        conn.client.execute(&s, &[&guids.0, &guids.1, &guids.2])?;
    }
    if !refs.0.is_empty() {
        let s = conn.statement(
            "INSERT INTO schemagate_refs (subject, version, context, id)
             SELECT * FROM unnest($1::text[], $2::int4[], $3::text[], $4::int4[])",
        )?;
        conn.client
            .execute(&s, &[&refs.0, &refs.1, &refs.2, &refs.3])?;
    }
    if !versions.0.is_empty() {
        let s = conn.statement(
            "INSERT INTO schemagate_versions (subject, version, id, deleted, ts)
             SELECT * FROM unnest($1::text[], $2::int4[], $3::int4[], $4::bool[], $5::int8[])",
        )?;
        conn.client.execute(
            &s,
            &[
                &versions.0,
                &versions.1,
                &versions.2,
                &versions.3,
                &versions.4,
            ],
        )?;
    }
    Ok(())
}

/// Writes a schema row (inserted, or with `upgrade` rewritten in place, the one update
/// the immutability trigger of migration 2 lets through) and indexes it: content key
/// and GUID only when absent (the first id keeps them), references always.
fn put_schema(
    conn: &mut Conn,
    context: &str,
    id: SchemaId,
    key: Option<&ContentKey>,
    guid: &str,
    schema: &StoredSchema,
    upgrade: bool,
) -> Result<(), postgres::Error> {
    let id = id.0 as i32;
    let refs = serde_json::to_string(&schema.references).unwrap_or_else(|_| "[]".into());
    let (metadata, rule_set) = (json_text(&schema.metadata), json_text(&schema.rule_set));
    if upgrade {
        conn.client
            .batch_execute("SET LOCAL schemagate.upgrade = 'on'")?;
        let s = conn.statement(
            "UPDATE schemagate_schemas SET schema = $2, metadata = $3, rule_set = $4
             WHERE context = '' AND id = $1",
        )?;
        conn.client
            .execute(&s, &[&id, &schema.schema, &metadata, &rule_set])?;
        conn.client
            .batch_execute("SET LOCAL schemagate.upgrade = 'off'")?;
    } else {
        let s = conn.statement(
            "INSERT INTO schemagate_schemas
                 (context, id, schema_type, schema, refs, metadata, rule_set)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )?;
        conn.client.execute(
            &s,
            &[
                &context,
                &id,
                &schema.schema_type.as_str(),
                &schema.schema,
                &refs,
                &metadata,
                &rule_set,
            ],
        )?;
    }
    let s = conn.statement(
        "INSERT INTO schemagate_guids (guid, context, id) VALUES ($1, $2, $3)
         ON CONFLICT (guid, context) DO NOTHING",
    )?;
    conn.client.execute(&s, &[&guid, &context, &id])?;
    if let Some(key) = key {
        let s = conn.statement(
            "INSERT INTO schemagate_content_keys (key, id) VALUES ($1, $2)
             ON CONFLICT (key) DO NOTHING",
        )?;
        conn.client.execute(&s, &[&&key[..], &id])?;
    }
    let s = conn.statement(
        "INSERT INTO schemagate_refs (subject, version, context, id) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING",
    )?;
    for r in &schema.references {
        let target = crate::store::reference_target(context, &r.subject);
        conn.client
            .execute(&s, &[&target, &r.version, &context, &id])?;
    }
    Ok(())
}

/// Sets a subject's (or the global) setting with `upsert`, or clears it with `delete`
/// when `value` is `None`: config and modes share one table shape.
fn set_scoped(
    conn: &mut Conn,
    upsert: &'static str,
    delete: &'static str,
    subject: Option<&str>,
    value: Option<&str>,
) -> Result<(), postgres::Error> {
    let scope = scope(subject);
    match value {
        Some(value) => {
            let s = conn.statement(upsert)?;
            conn.client.execute(&s, &[&scope, &value])?;
        }
        None => {
            let s = conn.statement(delete)?;
            conn.client.execute(&s, &[&scope])?;
        }
    }
    Ok(())
}
