//! The read caches never answer from an older state: every write made here, and every
//! change another process reports through `Store::external_changes` (and, for ids,
//! `Store::external_deletions`), retires them.
//! Uses only the library's public API, not the HTTP test harness.
//!
//! Also: the lookup-by-body cache holds only what it counts (issue 15, item 8).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use schemagate_core::{Level, Limits, Subject};
use schemagate_server::registry::{Caller, Error, Registry, SchemaInput, VersionSpec};
use schemagate_server::store::forward::Forward;
use schemagate_server::store::sled::SledStore;
use schemagate_server::store::{Op, SchemaId, Store, VersionEntry};
use serde_json::Value;

fn avro(fields: &str) -> SchemaInput {
    SchemaInput {
        schema: Some(format!(
            r#"{{"type":"record","name":"E","fields":[{fields}]}}"#
        )),
        ..SchemaInput::default()
    }
}

fn v1() -> SchemaInput {
    avro(r#"{"name":"a","type":"int"}"#)
}

fn v2() -> SchemaInput {
    avro(r#"{"name":"a","type":"int"},{"name":"b","type":"int","default":0}"#)
}

/// Subject `s` has no live version: neither its latest nor a lookup of `schema` in it is
/// answered (from a cache or otherwise).
async fn subject_s_is_gone(r: &Arc<Registry>, schema: &SchemaInput) {
    assert!(matches!(
        r.version_json(Caller::ANYONE, &s(), VersionSpec::Latest, false),
        Err(Error::SubjectNotFound(_))
    ));
    assert!(matches!(
        lookup(r, schema, false, false).await,
        Err(Error::SubjectNotFound(_))
    ));
}

/// Schema `id` is no longer served by id.
#[track_caller]
fn id_is_gone(r: &Registry, id: SchemaId) {
    assert!(matches!(
        r.schema_by_id(Caller::ANYONE, id),
        Err(Error::SchemaNotFound(_))
    ));
}

/// Sled behind a registry, plus a change counter the test bumps as a networked backend
/// would when another process writes. Returns the sled store too, to write behind the
/// registry's back.
fn open() -> (
    tempfile::TempDir,
    Arc<SledStore>,
    Arc<AtomicU64>,
    Arc<Registry>,
) {
    let dir = tempfile::tempdir().unwrap();
    let sled = Arc::new(SledStore::open(dir.path()).unwrap());
    let external = Arc::new(AtomicU64::new(0));
    let changes = Arc::clone(&external);
    // The test's only external change includes a permanent delete, so it counts as one.
    let deletions = Arc::clone(&external);
    let store = Forward::new(sled.clone())
        .on_external_changes(move |_| changes.load(Ordering::SeqCst))
        .on_external_deletions(move |_| deletions.load(Ordering::SeqCst));
    let registry = Arc::new(Registry::new(
        Arc::new(store),
        Level::Backward,
        Limits::default(),
    ));
    (dir, sled, external, registry)
}

/// The subject every test here writes to.
fn s() -> Subject {
    Subject::parse("s").unwrap()
}

/// A lookup of `input` under "s" as the HTTP layer makes it: from the request body,
/// which goes through the by-body cache first.
async fn lookup(
    r: &Arc<Registry>,
    input: &SchemaInput,
    normalize: bool,
    deleted: bool,
) -> Result<axum::body::Bytes, Error> {
    let body = serde_json::json!({ "schema": input.schema }).to_string();
    r.lookup_by_body(Caller::ANYONE, "s", body.into(), normalize, deleted, |b| {
        serde_json::from_slice(b).map_err(|e| Error::InvalidSchema(e.to_string()))
    })
    .await
}

fn version_of(body: &[u8]) -> i64 {
    let v: Value = serde_json::from_slice(body).unwrap();
    v["version"].as_i64().unwrap()
}

#[tokio::test]
async fn latest_and_lookup_follow_every_local_write() {
    let (_dir, _sled, _external, r) = open();
    r.register(Caller::ANYONE, &s(), &v1(), None, None, false)
        .unwrap();
    assert_eq!(
        version_of(
            &r.version_json(Caller::ANYONE, &s(), VersionSpec::Latest, false)
                .unwrap()
        ),
        1
    );
    let found = lookup(&r, &v1(), false, false).await.unwrap();
    assert_eq!(version_of(&found), 1);
    // Twice more, so that the second answer comes from the cache.
    assert_eq!(
        r.version_json(Caller::ANYONE, &s(), VersionSpec::Latest, false)
            .unwrap(),
        r.version_json(Caller::ANYONE, &s(), VersionSpec::Latest, false)
            .unwrap()
    );

    r.register(Caller::ANYONE, &s(), &v2(), None, None, false)
        .unwrap();
    assert_eq!(
        version_of(
            &r.version_json(Caller::ANYONE, &s(), VersionSpec::Latest, false)
                .unwrap()
        ),
        2
    );
    assert_eq!(
        version_of(
            &r.version_json(Caller::ANYONE, &s(), VersionSpec::Number(1), false)
                .unwrap()
        ),
        1
    );

    r.delete_version(&s(), VersionSpec::Number(2), false)
        .unwrap();
    assert_eq!(
        version_of(
            &r.version_json(Caller::ANYONE, &s(), VersionSpec::Latest, false)
                .unwrap()
        ),
        1
    );
    assert!(matches!(
        r.version_json(Caller::ANYONE, &s(), VersionSpec::Number(2), false),
        Err(Error::VersionNotFound(_))
    ));
    assert_eq!(
        version_of(
            &r.version_json(Caller::ANYONE, &s(), VersionSpec::Number(2), true)
                .unwrap()
        ),
        2
    );

    r.delete_subject(&s(), false).unwrap();
    subject_s_is_gone(&r, &v1()).await;
    // The soft-deleted version is still found when asked for.
    let found = lookup(&r, &v1(), false, true).await.unwrap();
    assert_eq!(version_of(&found), 1);
}

#[tokio::test]
async fn a_permanent_delete_retires_the_id_body() {
    let (_dir, _sled, _external, r) = open();
    let id = r
        .register(Caller::ANYONE, &s(), &v1(), None, None, false)
        .unwrap()
        .value
        .id;
    let body = r.schema_by_id(Caller::ANYONE, id).unwrap().json.clone();
    assert_eq!(r.schema_by_id(Caller::ANYONE, id).unwrap().json, body);
    r.delete_subject(&s(), false).unwrap();
    r.delete_subject(&s(), true).unwrap();
    id_is_gone(&r, id);
}

#[tokio::test]
async fn changes_reported_by_the_store_retire_every_cache() {
    let (_dir, sled, external, r) = open();
    let id = r
        .register(Caller::ANYONE, &s(), &v1(), None, None, false)
        .unwrap()
        .value
        .id;
    let id2 = r
        .register(Caller::ANYONE, &s(), &v2(), None, None, false)
        .unwrap()
        .value
        .id;
    assert_eq!(
        version_of(
            &r.version_json(Caller::ANYONE, &s(), VersionSpec::Latest, false)
                .unwrap()
        ),
        2
    );
    assert_eq!(
        version_of(&lookup(&r, &v2(), false, false).await.unwrap()),
        2
    );
    r.schema_by_id(Caller::ANYONE, id).unwrap();

    // Another process soft-deletes version 2 and permanently removes version 1.
    // Numbered 0: not one of this registry's commits.
    sled.apply(
        0,
        &[
            Op::PutVersion {
                subject: "s".into(),
                entry: VersionEntry {
                    version: 2,
                    id: id2,
                    deleted: true,
                    ts: None,
                },
            },
            Op::RemoveVersion {
                subject: "s".into(),
                version: 1,
            },
        ],
    )
    .unwrap();
    external.fetch_add(1, Ordering::SeqCst);

    subject_s_is_gone(&r, &v2()).await;
    id_is_gone(&r, id);
}

/// Item 8 of issue 15: the lookup-by-body cache counted each request body's length but
/// kept a slice of the buffer it was read into (hyper reads into 8 KiB buffers and more),
/// so 15,000 small lookups held far more memory than the budget said. The cache must
/// keep a copy of exactly the body, and let the read buffer go.
#[tokio::test]
async fn item8_the_lookup_cache_keeps_copies_not_the_read_buffer() {
    let (_dir, _sled, _external, r) = open();
    r.register(Caller::ANYONE, &s(), &v1(), None, None, false)
        .unwrap();
    let body = serde_json::json!({ "schema": v1().schema }).to_string();
    // A read buffer much larger than the body it carries, as hyper's is.
    let mut buffer = vec![b' '; 64 * 1024];
    buffer[..body.len()].copy_from_slice(body.as_bytes());
    let buffer = axum::body::Bytes::from(buffer);
    let decode =
        |b: &[u8]| serde_json::from_slice(b).map_err(|e| Error::InvalidSchema(e.to_string()));
    for _ in 0..2 {
        // The second lookup is answered from the cache: the entry is there.
        let answer = r
            .lookup_by_body(
                Caller::ANYONE,
                "s",
                buffer.slice(..body.len()),
                false,
                false,
                decode,
            )
            .await
            .unwrap();
        assert_eq!(version_of(&answer), 1);
    }
    assert!(
        buffer.is_unique(),
        "the cache still holds the 64 KiB read buffer of a {}-byte body",
        body.len()
    );
}
