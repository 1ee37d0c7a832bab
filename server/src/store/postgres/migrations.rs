//! The database schema, as numbered migrations applied once each at start-up.
//!
//! Every instance runs [`migrate`] when it starts; a session advisory lock makes
//! concurrent starts take turns, and `schemagate_migrations` records what is applied, so
//! running it again changes nothing. Migrations are append-only: a released one is never
//! edited, a change is a new number.

use postgres::Client;

use super::pg_error;
use crate::store::{StoreError, StoreResult};

/// Advisory lock key held while migrating ("SGMIGRAT").
const MIGRATION_LOCK: i64 = 0x5347_4d49_4752_4154;

/// (version, SQL), ascending.
const MIGRATIONS: &[(i32, &str)] = &[
    (1, V1_TABLES),
    (2, V2_CONTRACTS),
    (3, V3_CONTEXTS),
    (4, V4_ENCRYPTION_KEYS),
];

/// Subjects use the "C" collation so that every listing sorts by bytes, as the embedded
/// store does, whatever the database's default collation.
const V1_TABLES: &str = r#"
CREATE TABLE schemagate_schemas (
    id integer PRIMARY KEY CHECK (id > 0),
    schema_type text NOT NULL,
    schema text NOT NULL,
    refs text NOT NULL
);
CREATE TABLE schemagate_content_keys (
    key bytea PRIMARY KEY CHECK (length(key) = 32),
    id integer NOT NULL REFERENCES schemagate_schemas (id)
);
CREATE TABLE schemagate_versions (
    subject text COLLATE "C" NOT NULL,
    version integer NOT NULL CHECK (version > 0),
    id integer NOT NULL REFERENCES schemagate_schemas (id),
    deleted boolean NOT NULL,
    PRIMARY KEY (subject, version)
);
CREATE INDEX schemagate_versions_by_id ON schemagate_versions (id, subject, version);
CREATE TABLE schemagate_refs (
    subject text COLLATE "C" NOT NULL,
    version integer NOT NULL,
    id integer NOT NULL REFERENCES schemagate_schemas (id),
    PRIMARY KEY (subject, version, id)
);
CREATE TABLE schemagate_config (
    scope text COLLATE "C" PRIMARY KEY,
    level text NOT NULL
);
CREATE TABLE schemagate_modes (
    scope text COLLATE "C" PRIMARY KEY,
    mode text NOT NULL
);
CREATE TABLE schemagate_meta (
    key text PRIMARY KEY,
    value bigint NOT NULL
);

-- An id, once handed out, names one schema forever: stored schemas and the content
-- index are insert-only, and a version never changes the schema it points at.
CREATE FUNCTION schemagate_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'schemagate: % on % is refused: stored schemas are immutable',
        TG_OP, TG_TABLE_NAME;
END $$;
CREATE TRIGGER schemagate_schemas_immutable
    BEFORE UPDATE OR DELETE ON schemagate_schemas
    FOR EACH ROW EXECUTE FUNCTION schemagate_refuse_change();
CREATE TRIGGER schemagate_content_keys_immutable
    BEFORE UPDATE OR DELETE ON schemagate_content_keys
    FOR EACH ROW EXECUTE FUNCTION schemagate_refuse_change();
CREATE FUNCTION schemagate_version_keeps_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id <> OLD.id OR NEW.subject <> OLD.subject OR NEW.version <> OLD.version THEN
        RAISE EXCEPTION 'schemagate: version % of % cannot change schema id % to %',
            OLD.version, OLD.subject, OLD.id, NEW.id;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER schemagate_versions_keep_id
    BEFORE UPDATE ON schemagate_versions
    FOR EACH ROW EXECUTE FUNCTION schemagate_version_keeps_id();
"#;

/// Store format 2: data contracts and GUIDs of schemas, the write time of versions,
/// whole configurations (JSON; a bare level name is what format 1 wrote), and the one
/// exception to immutable schemas: `Registry::upgrade_store` rewrites each format-1
/// record once, in a transaction that says so (`schemagate.upgrade`), under the same
/// id, content and identity.
const V2_CONTRACTS: &str = r#"
ALTER TABLE schemagate_schemas ADD COLUMN metadata text, ADD COLUMN rule_set text;
CREATE TABLE schemagate_guids (
    guid text PRIMARY KEY,
    id integer NOT NULL REFERENCES schemagate_schemas (id)
);
ALTER TABLE schemagate_versions ADD COLUMN ts bigint;
ALTER TABLE schemagate_config RENAME COLUMN level TO config;
CREATE OR REPLACE FUNCTION schemagate_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'schemagate_schemas'
        AND current_setting('schemagate.upgrade', true) = 'on' AND NEW.id = OLD.id THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'schemagate: % on % is refused: stored schemas are immutable',
        TG_OP, TG_TABLE_NAME;
END $$;
CREATE TRIGGER schemagate_guids_immutable
    BEFORE UPDATE OR DELETE ON schemagate_guids
    FOR EACH ROW EXECUTE FUNCTION schemagate_refuse_change();
"#;

/// Store format 3: every context has its own schema ids, so a schema is keyed by its
/// context's prefix (empty for the default context) and id. The indexes that name a
/// schema say which context's; references are indexed by the subject they resolve to.
/// The foreign keys on a bare id cannot name a context, so they go: the registry writes
/// a version's schema in the same transaction, and schemas are never deleted.
const V3_CONTEXTS: &str = r#"
ALTER TABLE schemagate_content_keys DROP CONSTRAINT schemagate_content_keys_id_fkey;
ALTER TABLE schemagate_versions DROP CONSTRAINT schemagate_versions_id_fkey;
ALTER TABLE schemagate_refs DROP CONSTRAINT schemagate_refs_id_fkey;
ALTER TABLE schemagate_guids DROP CONSTRAINT schemagate_guids_id_fkey;
ALTER TABLE schemagate_schemas ADD COLUMN context text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE schemagate_schemas DROP CONSTRAINT schemagate_schemas_pkey;
ALTER TABLE schemagate_schemas ADD PRIMARY KEY (context, id);
ALTER TABLE schemagate_guids ADD COLUMN context text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE schemagate_guids DROP CONSTRAINT schemagate_guids_pkey;
ALTER TABLE schemagate_guids ADD PRIMARY KEY (guid, context);
ALTER TABLE schemagate_refs ADD COLUMN context text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE schemagate_refs DROP CONSTRAINT schemagate_refs_pkey;
ALTER TABLE schemagate_refs ADD PRIMARY KEY (subject, version, context, id);
CREATE TABLE schemagate_contexts (
    context text COLLATE "C" PRIMARY KEY
);
"#;

/// The DEK registry: KEKs and DEKs, each row the record as JSON (`store::keys`) beside
/// the columns it is found by. A DEK's KEK cannot be removed while the DEK is there.
/// DEKs hold only wrapped key material: no column could hold a plaintext key.
const V4_ENCRYPTION_KEYS: &str = r#"
CREATE TABLE schemagate_keks (
    name text COLLATE "C" PRIMARY KEY,
    record text NOT NULL
);
CREATE TABLE schemagate_deks (
    kek_name text COLLATE "C" NOT NULL REFERENCES schemagate_keks (name),
    subject text COLLATE "C" NOT NULL,
    algorithm smallint NOT NULL,
    version integer NOT NULL CHECK (version > 0),
    record text NOT NULL,
    PRIMARY KEY (kek_name, subject, algorithm, version)
);
"#;

/// Brings the database up to the newest migration this build knows.
pub fn migrate(client: &mut Client) -> StoreResult<()> {
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .map_err(pg_error)?;
    let result = apply_missing(client);
    // Also after a failure; a lost connection releases the lock by itself.
    let _ = client.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK]);
    result
}

fn apply_missing(client: &mut Client) -> StoreResult<()> {
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS schemagate_migrations (
                version integer PRIMARY KEY,
                applied_at timestamptz NOT NULL DEFAULT now()
            )",
        )
        .map_err(pg_error)?;
    let applied: Vec<i32> = client
        .query("SELECT version FROM schemagate_migrations", &[])
        .map_err(pg_error)?
        .iter()
        .map(|row| row.get(0))
        .collect();
    let newest = MIGRATIONS.last().map_or(0, |m| m.0);
    if let Some(newer) = applied.iter().copied().filter(|v| *v > newest).max() {
        return Err(StoreError(format!(
            "the database is at schema version {newer}, newer than this server knows ({newest}); run a newer schemagate-server"
        )));
    }
    for (version, sql) in MIGRATIONS {
        if applied.contains(version) {
            continue;
        }
        let mut tx = client.transaction().map_err(pg_error)?;
        tx.batch_execute(sql)
            .map_err(|e| StoreError(format!("migration {version} failed: {}", pg_error(e).0)))?;
        tx.execute(
            "INSERT INTO schemagate_migrations (version) VALUES ($1)",
            &[version],
        )
        .map_err(pg_error)?;
        tx.commit().map_err(pg_error)?;
        tracing::info!(version, "applied database migration");
    }
    Ok(())
}
