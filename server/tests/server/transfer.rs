//! Moving a registry's data: `schemagate-server migrate-store` between sled and
//! PostgreSQL (every id, version and setting, checked over HTTP on both sides), and the
//! online backup, `GET /v1/backup` and `schemagate-server backup --to FILE` (issue 21,
//! item 4). The binary runs as users run it.

use crate::common::{self, Backend, TestServer};

use std::path::Path;
use std::process::Command;

use schemagate_core::transfer;
use schemagate_server::Config;
use schemagate_server::config::StoreChoice;
use serde_json::{Value, json};
use tempfile::TempDir;

const BIN: &str = env!("CARGO_BIN_EXE_schemagate-server");
const KEKS: &str = "/dek-registry/v1/keks";

/// Runs the binary with `args` to its end: exit code, stdout, stderr.
async fn run(args: Vec<String>, env: Vec<(String, String)>) -> (i32, String, String) {
    tokio::task::spawn_blocking(move || {
        let out = Command::new(BIN)
            .args(&args)
            .envs(env)
            .output()
            .expect("the binary runs");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    })
    .await
    .unwrap()
}

async fn migrate(from: &str, to: &str) -> (i32, String, String) {
    run(
        vec![
            "migrate-store".into(),
            "--from".into(),
            from.into(),
            "--to".into(),
            to.into(),
        ],
        Vec::new(),
    )
    .await
}

/// A server on `backend` whose state lives in `dir`, and its store as migrate-store
/// names it.
async fn start_on(backend: Backend, dir: TempDir) -> (TestServer, String) {
    let store = common::store_on(backend, dir.path());
    let spec = match &store {
        StoreChoice::Sled => format!("sled:{}", dir.path().join("data").display()),
        StoreChoice::Postgres(url) => url.clone(),
    };
    let config = Config {
        store,
        ..Config::default()
    };
    (TestServer::start_in(dir, config).await, spec)
}

fn json_schema(id: &str, properties: Value) -> String {
    json!({"$id": id, "type": "object", "properties": properties}).to_string()
}

async fn post_ok(s: &TestServer, path: &str, body: Value) -> Value {
    s.post(path, body).await.assert_ok().clone()
}

/// Every kind of record a registry holds: a reference chain, soft and permanent
/// deletes (a version gap, a subject gone), two contexts, configs and modes at every
/// level, a data contract, imported (non-contiguous) ids, a KEK and a DEK.
async fn populate(s: &TestServer) {
    s.put("/config", json!({"compatibility": "NONE"}))
        .await
        .assert_ok();
    let address = json_schema("address.json", json!({"city": {"type": "string"}}));
    post_ok(
        s,
        "/subjects/address/versions",
        json!({"schema": address, "schemaType": "JSON"}),
    )
    .await;
    let customer = json_schema("customer.json", json!({"home": {"$ref": "address.json"}}));
    post_ok(
        s,
        "/subjects/customer/versions",
        json!({"schema": customer, "schemaType": "JSON",
               "references": [{"name": "address.json", "subject": "address", "version": 1}]}),
    )
    .await;
    let order = json_schema("order.json", json!({"buyer": {"$ref": "customer.json"}}));
    post_ok(
        s,
        "/subjects/order/versions",
        json!({"schema": order, "schemaType": "JSON",
               "references": [{"name": "customer.json", "subject": "customer", "version": 1}]}),
    )
    .await;
    for i in 1..=4 {
        s.register_ok(
            "events",
            &common::record("Event", &format!(r#"[{{"name":"f{i}","type":"int"}}]"#)),
        )
        .await;
    }
    // A gap: version 2 soft-deleted, then removed; version 4 only soft-deleted.
    s.delete("/subjects/events/versions/2").await.assert_ok();
    s.delete("/subjects/events/versions/2?permanent=true")
        .await
        .assert_ok();
    s.delete("/subjects/events/versions/4").await.assert_ok();
    // A subject gone for good (its schema stays under its id).
    s.register_ok("gone", &common::record("Gone", "[]")).await;
    s.delete("/subjects/gone").await.assert_ok();
    s.delete("/subjects/gone?permanent=true").await.assert_ok();
    // A data contract.
    post_ok(
        s,
        "/subjects/contract/versions",
        json!({
            "schema": common::record("Contract", "[]"),
            "metadata": {"properties": {"owner": "team-a"}, "tags": {"Contract": ["PII"]}},
            "ruleSet": {"domainRules": [{"name": "r", "kind": "CONDITION", "mode": "WRITE", "type": "CEL", "expr": "true"}]}
        }),
    )
    .await;
    // Imported ids far above the others.
    s.put("/mode/imported", json!({"mode": "IMPORT"}))
        .await
        .assert_ok();
    post_ok(
        s,
        "/subjects/imported/versions",
        json!({"schema": common::record("Imported", "[]"), "id": 40, "version": 7}),
    )
    .await;
    s.put("/mode/imported", json!({"mode": "READONLY"}))
        .await
        .assert_ok();
    // Two contexts, one with a reference inside it.
    post_ok(
        s,
        "/subjects/:.c1:address/versions",
        json!({"schema": json_schema("address.json", json!({"zip": {"type": "string"}})), "schemaType": "JSON"}),
    )
    .await;
    post_ok(
        s,
        "/subjects/:.c1:customer/versions",
        json!({"schema": json_schema("customer.json", json!({"home": {"$ref": "address.json"}})),
               "schemaType": "JSON",
               "references": [{"name": "address.json", "subject": "address", "version": 1}]}),
    )
    .await;
    s.register_ok(":.c2:x", &common::record("X", "[]")).await;
    s.put(
        "/config/events",
        json!({"compatibility": "NONE", "normalize": true}),
    )
    .await
    .assert_ok();
    s.put("/config/:.c1:", json!({"compatibility": "FORWARD"}))
        .await
        .assert_ok();
    s.put("/mode", json!({"mode": "READWRITE"}))
        .await
        .assert_ok();
    s.put("/mode/:.c2:", json!({"mode": "READWRITE"}))
        .await
        .assert_ok();
    post_ok(
        s,
        KEKS,
        json!({"name": "k1", "kmsType": "local-kms", "kmsKeyId": "mykey"}),
    )
    .await;
    post_ok(
        s,
        &format!("{KEKS}/k1/deks/events"),
        json!({"encryptedKeyMaterial": "d3JhcHBlZA=="}),
    )
    .await;
}

/// The answers to every read that shows stored state, by path.
async fn answers(s: &TestServer) -> Vec<(String, u16, String)> {
    let mut paths: Vec<String> = [
        "/subjects?deleted=true",
        "/config",
        "/mode",
        "/contexts",
        "/config/:.c1:",
        "/mode/:.c2:",
        "/dek-registry/v1/keks?deleted=true",
        "/dek-registry/v1/keks/k1?deleted=true",
        "/dek-registry/v1/keks/k1/deks/events?deleted=true",
    ]
    .iter()
    .map(|p| p.to_string())
    .collect();
    for id in 1..=42 {
        paths.push(format!("/schemas/ids/{id}"));
        paths.push(format!("/schemas/ids/{id}?subject=:.c1:"));
        paths.push(format!("/schemas/ids/{id}/versions?deleted=true"));
    }
    let subjects = s.get("/subjects?deleted=true").await;
    for subject in subjects.body.as_array().expect("subjects") {
        let subject = subject.as_str().unwrap();
        paths.push(format!("/config/{subject}"));
        paths.push(format!("/mode/{subject}"));
        paths.push(format!("/subjects/{subject}/versions?deleted=true"));
        let versions = s
            .get(&format!("/subjects/{subject}/versions?deleted=true"))
            .await;
        for v in versions.body.as_array().expect("versions") {
            paths.push(format!("/subjects/{subject}/versions/{v}?deleted=true"));
            paths.push(format!(
                "/subjects/{subject}/versions/{v}/referencedby?deleted=true"
            ));
        }
    }
    assert!(paths.len() > 150, "{paths:?}");
    let mut out = Vec::new();
    for path in paths {
        let a = s.get(&path).await;
        out.push((path, a.status, a.text));
    }
    out
}

async fn migrate_and_compare(from: Backend, to: Backend) {
    let (source, from_spec) = start_on(from, tempfile::tempdir().unwrap()).await;
    populate(&source).await;
    let before = answers(&source).await;
    let source_dir = source.stop().await;

    let target_dir = tempfile::tempdir().unwrap();
    let to_spec = match to {
        Backend::Sled => format!("sled:{}", target_dir.path().join("data").display()),
        Backend::Postgres => common::store_arg(&common::store_on(to, target_dir.path())),
    };
    let (code, out, err) = migrate(&from_spec, &to_spec).await;
    assert_eq!(code, 0, "stdout: {out}\nstderr: {err}");
    assert!(out.contains("verified"), "{out}");
    assert!(
        out.contains("versions") && out.contains("1 KEKs") && out.contains("1 DEKs"),
        "{out}"
    );

    let (source, _) = start_on(from, source_dir).await;
    let (target, _) = start_on(to, target_dir).await;
    let after = answers(&target).await;
    assert_eq!(before.len(), after.len());
    for ((path, status, body), (_, status2, body2)) in before.iter().zip(&after) {
        assert_eq!(
            (status, body),
            (status2, body2),
            "{path} differs after migrating"
        );
    }
    assert_eq!(before, answers(&source).await, "the source is unchanged");
    // The next registration gets the same new id on both, in each context.
    for subject in ["fresh", ":.c1:fresh", ":.c2:fresh"] {
        let schema = common::record("Fresh", "[]");
        let a = source.register_ok(subject, &schema).await;
        let b = target.register_ok(subject, &schema).await;
        assert_eq!(a, b, "next id in {subject}");
    }
    let a = source
        .register_ok("fresh2", &common::record("Fresh2", "[]"))
        .await;
    assert!(a > 40, "the counter passed the imported id: {a}");
    assert_eq!(
        a,
        target
            .register_ok("fresh2", &common::record("Fresh2", "[]"))
            .await
    );
    source.stop().await;
    target.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn migrate_store_sled_to_postgres_keeps_every_id_and_version() {
    if common::available(Backend::Postgres) {
        migrate_and_compare(Backend::Sled, Backend::Postgres).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn migrate_store_postgres_to_sled_keeps_every_id_and_version() {
    if common::available(Backend::Postgres) {
        migrate_and_compare(Backend::Postgres, Backend::Sled).await;
    }
}

/// A target that holds anything is refused (never merged into), and so is a sled
/// directory a running server holds; both exit 2 and say what to do.
#[tokio::test(flavor = "multi_thread")]
async fn migrate_store_refuses_a_non_empty_target_and_a_running_server() {
    let (source, from) = start_on(Backend::Sled, tempfile::tempdir().unwrap()).await;
    source.register_ok("a", &common::order_v1()).await;

    let (code, out, err) = migrate(&from, "sled:/nonexistent-target-for-a-held-source").await;
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("in use by another process") && err.contains("stop it"),
        "{err}"
    );
    assert!(!Path::new("/nonexistent-target-for-a-held-source").exists());
    let source_dir = source.stop().await;

    let target = tempfile::tempdir().unwrap();
    let to = format!("sled:{}", target.path().join("copy").display());
    let (code, out, err) = migrate(&from, &to).await;
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = migrate(&from, &to).await;
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("is not empty")
            && err.contains("schemas")
            && err.contains("remove the directory"),
        "{err}"
    );
    if common::available(Backend::Postgres) {
        let pg = tempfile::tempdir().unwrap();
        let url = common::store_arg(&common::store_on(Backend::Postgres, pg.path()));
        let (code, out, err) = migrate(&from, &url).await;
        assert_eq!(code, 0, "{out}{err}");
        let (code, _, err) = migrate(&from, &url).await;
        assert_eq!(code, 2, "{err}");
        assert!(
            err.contains("is not empty") && err.contains("drop and create"),
            "{err}"
        );
    }
    // Usage errors: no store at the source, the same store twice, an unknown scheme.
    let (code, _, err) = migrate("sled:/nonexistent-source", &to).await;
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no sled store"), "{err}");
    let (code, _, err) = migrate(&to, &to).await;
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = migrate("mysql://x", &to).await;
    assert_eq!(code, 2, "{err}");
    drop(source_dir);
}

/// Runs `schemagate-server backup --to FILE` against `s`, with `env` added.
async fn backup(s: &TestServer, to: &Path, env: Vec<(&str, &str)>) -> (i32, String, String) {
    let listen = s.base.trim_start_matches("http://").to_owned();
    run(
        vec![
            "backup".into(),
            "--to".into(),
            to.display().to_string(),
            "--listen".into(),
            listen,
        ],
        env.into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
    )
    .await
}

/// Reads a backup file: every record parses, the header comes first and the `end`
/// last with the counts of what came before it. Gives the schema records.
fn read_backup(path: &Path) -> Vec<transfer::SchemaRecord> {
    let text = std::fs::read_to_string(path).expect("the backup file");
    let lines: Vec<&str> = text.lines().collect();
    let mut counts = transfer::Trailer::default();
    let mut schemas = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let record = transfer::read_record(line, i as u64 + 1).expect("a record");
        match (&record, i) {
            (transfer::Record::Header(_), 0) => {}
            (transfer::Record::End(end), i) if i == lines.len() - 1 => {
                assert_eq!(*end, counts, "end counts");
                return schemas;
            }
            (transfer::Record::Header(_) | transfer::Record::End(_), _) => {
                panic!("line {}: {line}", i + 1)
            }
            (transfer::Record::Schema(s), _) => schemas.push(s.clone()),
            _ => {}
        }
        counts.count(&record);
    }
    panic!("no end record");
}

/// A backup taken while a writer keeps registering (a reference chain, subjects of two
/// versions deleted in one request) is one consistent state: every reference it names
/// is in it, and no subject's delete is half applied.
#[tokio::test(flavor = "multi_thread")]
async fn backup_while_writing_is_consistent() {
    let s = std::sync::Arc::new(TestServer::start().await);
    s.put("/config", json!({"compatibility": "NONE"}))
        .await
        .assert_ok();
    post_ok(
        &s,
        "/subjects/w0/versions",
        json!({"schema": json_schema("w0.json", json!({})), "schemaType": "JSON"}),
    )
    .await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (s, stop) = (s.clone(), stop.clone());
        tokio::spawn(async move {
            let mut i = 1;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let schema = json_schema(
                    &format!("w{i}.json"),
                    json!({"prev": {"$ref": format!("w{}.json", i - 1)}}),
                );
                post_ok(
                    &s,
                    &format!("/subjects/w{i}/versions"),
                    json!({"schema": schema, "schemaType": "JSON",
                           "references": [{"name": format!("w{}.json", i - 1), "subject": format!("w{}", i - 1), "version": 1}]}),
                )
                .await;
                for v in 0..2 {
                    s.register_ok(&format!("d{i}"), &common::record(&format!("D{v}"), "[]"))
                        .await;
                }
                s.delete(&format!("/subjects/d{i}")).await.assert_ok();
                i += 1;
            }
            i
        })
    };
    let dir = tempfile::tempdir().unwrap();
    for round in 0..3 {
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
        let file = dir.path().join(format!("backup-{round}.ndjson"));
        let (code, out, err) = backup(&s, &file, Vec::new()).await;
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.contains("schemas"), "{out}");
        let schemas = read_backup(&file);
        let present: std::collections::HashSet<(String, i32)> = schemas
            .iter()
            .map(|r| (r.subject.clone(), r.version))
            .collect();
        let mut deleted: std::collections::HashMap<&str, Vec<bool>> = Default::default();
        for r in &schemas {
            for target in r.reference_targets() {
                assert!(
                    present.contains(&target),
                    "{} names {target:?}, not in the backup",
                    r.subject
                );
            }
            if r.subject.starts_with('d') {
                deleted.entry(&r.subject).or_default().push(r.deleted);
            }
        }
        for (subject, flags) in deleted {
            assert!(
                flags.iter().all(|d| *d == flags[0]),
                "{subject}: a half-applied delete {flags:?}"
            );
        }
        assert!(schemas.len() > 1, "round {round}: {}", schemas.len());
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let written = writer.await.unwrap();
    assert!(written > 3, "the writer wrote while backups ran: {written}");
    // Nothing is left beside the files but the files.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
}

/// With authentication on, only an admin without subject prefixes may take a backup:
/// refused without credentials, to a reader and to a prefix-limited admin (no file is
/// left), taken with an admin's password or token from the environment.
#[tokio::test(flavor = "multi_thread")]
async fn backup_with_auth_needs_a_global_admin() {
    use schemagate_server::auth::{generate_token, hash_password};
    let (token, digest) = generate_token();
    let file = format!(
        r#"
[[users]]
name = "admin"
password_hash = "{admin}"
role = "admin"

[[users]]
name = "team-admin"
password_hash = "{team}"
role = "admin"
subject_prefixes = ["orders."]

[[users]]
name = "reader"
password_hash = "{reader}"
role = "read"

[[tokens]]
name = "backup"
sha256 = "{digest}"
role = "admin"
"#,
        admin = hash_password("admin-pw"),
        team = hash_password("team-pw"),
        reader = hash_password("reader-pw"),
    );
    let auth = tempfile::tempdir().unwrap();
    let path = auth.path().join("auth.toml");
    std::fs::write(&path, file).unwrap();
    let s = TestServer::start_with(Config {
        auth_config: Some(path),
        ..Config::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().join("b.ndjson");
    for env in [
        vec![],
        vec![
            ("SCHEMAGATE_BACKUP_USER", "reader"),
            ("SCHEMAGATE_BACKUP_PASSWORD", "reader-pw"),
        ],
        vec![
            ("SCHEMAGATE_BACKUP_USER", "team-admin"),
            ("SCHEMAGATE_BACKUP_PASSWORD", "team-pw"),
        ],
        vec![
            ("SCHEMAGATE_BACKUP_USER", "admin"),
            ("SCHEMAGATE_BACKUP_PASSWORD", "wrong"),
        ],
    ] {
        let (code, out, err) = backup(&s, &to, env.clone()).await;
        assert_eq!(code, 1, "{env:?}: {out}{err}");
        assert!(
            err.contains("answered 401") || err.contains("answered 403"),
            "{env:?}: {err}"
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "{env:?}");
    }
    for env in [
        vec![
            ("SCHEMAGATE_BACKUP_USER", "admin"),
            ("SCHEMAGATE_BACKUP_PASSWORD", "admin-pw"),
        ],
        vec![("SCHEMAGATE_BACKUP_TOKEN", token.as_str())],
    ] {
        let (code, out, err) = backup(&s, &to, env.clone()).await;
        assert_eq!(code, 0, "{env:?}: {out}{err}");
        read_backup(&to);
    }
    // Both at once is a mistake, said before anything is sent.
    let (code, _, err) = backup(
        &s,
        &to,
        vec![
            ("SCHEMAGATE_BACKUP_USER", "admin"),
            ("SCHEMAGATE_BACKUP_TOKEN", "x"),
        ],
    )
    .await;
    assert_eq!(code, 1);
    assert!(err.contains("not both"), "{err}");
    drop(auth);
}
