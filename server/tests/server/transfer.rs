//! Moving a registry's data: `schemagate-server migrate-store` between sled and
//! PostgreSQL (every id, version and setting, checked over HTTP on both sides), the
//! online backup (`GET /v1/backup`, `schemagate-server backup --to FILE`), and the
//! CLI's `export`, `import` and `migrate` between running servers on both stores: a
//! `_schemas` dump imports as Confluent would replay it, re-runs change nothing,
//! conflicts are refused, and an import killed midway resumes to the same state. The
//! binaries run as users run them.

use crate::common::{self, Backend, TestServer};

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

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
    // The newest id removed for good: a copy must not hand it out again.
    s.register_ok("tail", &common::record("Tail", "[]")).await;
    s.delete("/subjects/tail").await.assert_ok();
    s.delete("/subjects/tail?permanent=true").await.assert_ok();
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
                assert!(end.same_counts(&counts), "end counts {end:?} {counts:?}");
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

// `schemagate export`, `import` and `migrate` (the CLI) between running servers.

/// Runs the `schemagate` CLI off the runtime's threads.
async fn cli(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        Command::new(schemagate_e2e::binary("schemagate"))
            .args(&args)
            .env_remove("SCHEMAGATE_REGISTRY_URL")
            .output()
            .expect("the CLI runs")
    })
    .await
    .unwrap()
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[track_caller]
fn expect(out: &Output, code: i32) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(code),
        "exit code\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    stdout
}

#[track_caller]
fn ok(a: &common::Answer) -> Value {
    assert_eq!(a.status, 200, "{}", a.text);
    a.body.clone()
}

/// [`answers`] without the registration times, which an import sets anew (Confluent's
/// API has no way to give them).
fn without_times(answers: Vec<(String, u16, String)>) -> Vec<(String, u16, String)> {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(o) => {
                o.remove("ts");
                o.values_mut().for_each(strip);
            }
            Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    answers
        .into_iter()
        .map(
            |(path, status, text)| match serde_json::from_str::<Value>(&text) {
                Ok(mut v) => {
                    strip(&mut v);
                    (path, status, v.to_string())
                }
                Err(_) => (path, status, text),
            },
        )
        .collect()
}

/// The same reads answer the same on both, times aside.
async fn assert_same(a: &TestServer, b: &TestServer) {
    let (x, y) = (
        without_times(answers(a).await),
        without_times(answers(b).await),
    );
    assert_eq!(x.len(), y.len());
    for ((path, s1, t1), (_, s2, t2)) in x.iter().zip(&y) {
        assert_eq!((s1, t1), (s2, t2), "{path} differs");
    }
}

/// The next registration in each context gets the same id on both.
async fn same_next_ids(a: &TestServer, b: &TestServer) {
    for subject in ["fresh", ":.c1:fresh", ":.c2:fresh"] {
        let schema = common::record("Fresh", "[]");
        assert_eq!(
            a.register_ok(subject, &schema).await,
            b.register_ok(subject, &schema).await,
            "the next id of {subject}"
        );
    }
}

on_each_store! {
    async fn migrate_keeps_every_id_version_deletion_and_setting() {
        let source = TestServer::start().await;
        populate(&source).await;
        let target = TestServer::start().await;
        let run = || cli(args(&["migrate", "--from", &source.url(""), "--to", &target.url("")]));
        let out = expect(&run().await, 0);
        assert!(out.contains("verify: the target holds what the source holds"), "{out}");
        assert_same(&source, &target).await;
        // A second run finds everything in place.
        let again = expect(&run().await, 0);
        assert!(again.contains("nothing to write"), "{again}");
        assert_same(&source, &target).await;
        same_next_ids(&source, &target).await;
    }

    async fn export_then_import_is_the_same_registry_and_says_so_on_a_rerun() {
        let source = TestServer::start().await;
        populate(&source).await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("registry.jsonl");
        let file_arg = file.to_str().unwrap().to_owned();
        expect(&cli(args(&["export", "--registry", &source.url(""), "--output", &file_arg])).await, 0);
        let target = TestServer::start().await;
        // A dry run writes nothing and says what it would write.
        let dry = expect(&cli(args(&["import", &file_arg, "--registry", &target.url(""), "--dry-run"])).await, 0);
        assert!(dry.contains("would write") && dry.contains("dry run: nothing was written"), "{dry}");
        assert_eq!(ok(&target.get("/subjects?deleted=true").await), json!([]));
        let out = expect(&cli(args(&["import", &file_arg, "--registry", &target.url(""), "--format", "json"])).await, 0);
        let doc: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(doc["ok"], true, "{out}");
        assert_eq!(doc["verification"]["differences"], 0, "{out}");
        assert_same(&source, &target).await;
        let again = expect(&cli(args(&["import", &file_arg, "--registry", &target.url("")])).await, 0);
        assert!(again.contains("nothing to write"), "{again}");
        same_next_ids(&source, &target).await;

        // A file cut short is refused before anything is written.
        let text = std::fs::read_to_string(&file).unwrap();
        let cut = dir.path().join("cut.jsonl");
        let lines: Vec<&str> = text.lines().collect();
        std::fs::write(&cut, lines[..lines.len() - 1].join("\n")).unwrap();
        let empty = TestServer::start().await;
        let refused = cli(args(&["import", cut.to_str().unwrap(), "--registry", &empty.url("")])).await;
        expect(&refused, 2);
        assert!(String::from_utf8_lossy(&refused.stderr).contains("incomplete"), "{refused:?}");
        assert_eq!(ok(&empty.get("/subjects?deleted=true").await), json!([]));
    }

    async fn a_conflict_is_reported_and_never_overwritten() {
        let source = TestServer::start().await;
        populate(&source).await;
        let target = TestServer::start().await;
        // The target already gives `address` version 1 (id 1) another schema.
        target.register_ok("address", "\"string\"").await;
        let from = source.url("");
        let to = target.url("");
        let dry = cli(args(&["migrate", "--from", &from, "--to", &to, "--dry-run"])).await;
        let dry_out = expect(&dry, 1);
        assert!(dry_out.contains("conflicts"), "{dry_out}");
        let out = expect(&cli(args(&["migrate", "--from", &from, "--to", &to])).await, 1);
        assert!(out.contains("address version 1"), "{out}");
        let kept = ok(&target.get("/subjects/address/versions/1").await);
        assert_eq!(kept["schema"], "\"string\"");
        // What does not depend on the conflict still arrived; what does did not.
        ok(&target.get("/subjects/events/versions/3").await);
        assert_eq!(target.get("/subjects/order/versions/1").await.status, 404);
    }

    async fn a_schemas_topic_dump_imports_as_confluent_replays_it() {
        let fixture =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/transfer/schemas-topic.jsonl");
        let target = TestServer::start().await;
        let out = expect(
            &cli(args(&["import", fixture.to_str().unwrap(), "--registry", &target.url("")])).await,
            0,
        );
        assert!(out.contains("_schemas topic dump"), "{out}");
        let version = |subject: &'static str, v: i32| {
            let target = &target;
            async move {
                ok(&target.get(&format!("/subjects/{subject}/versions/{v}?deleted=true")).await)
            }
        };
        for (subject, v, id, deleted) in [
            ("customer", 1, 1, false),
            ("orders-value", 1, 2, false),
            ("orders-value", 2, 3, true),
            ("orders-value", 3, 5, false),
            ("payments-value", 1, 6, false),
            ("payments-value", 3, 8, false),
            ("legacy", 1, 9, true),
            ("legacy", 2, 10, true),
            (":.team-a:events", 1, 1, false),
            (":.team-a:proto", 1, 2, false),
        ] {
            let got = version(subject, v).await;
            assert_eq!(got["id"], id, "{subject} v{v}: {got}");
            assert_eq!(got["deleted"], deleted, "{subject} v{v}: {got}");
        }
        let v2 = version("orders-value", 2).await;
        assert_eq!(v2["metadata"]["properties"]["owner"], "orders-team");
        assert_eq!(v2["ruleSet"]["domainRules"][0]["name"], "positiveAmount");
        assert_eq!(v2["references"][0]["subject"], "customer");
        assert_eq!(version(":.team-a:proto", 1).await["schemaType"], "PROTOBUF");
        assert_eq!(ok(&target.get("/subjects/payments-value/versions?deleted=true").await), json!([1, 3]));
        for gone in ["scratch", "old-events"] {
            assert_eq!(target.get(&format!("/subjects/{gone}/versions?deleted=true")).await.status, 404);
        }
        for id in [4, 11] {
            assert_eq!(target.get(&format!("/schemas/ids/{id}")).await.status, 404, "id {id}");
        }
        assert_eq!(ok(&target.get("/config").await)["compatibilityLevel"], "FULL");
        let orders = ok(&target.get("/config/orders-value").await);
        assert_eq!(orders["compatibilityLevel"], "BACKWARD_TRANSITIVE");
        assert_eq!(orders["compatibilityGroup"], "major");
        assert_eq!(ok(&target.get("/config/:.team-a:").await)["compatibilityLevel"], "FORWARD");
        target.get("/config/payments-value").await.assert_error(404, 40408);
        target.get("/mode/payments-value").await.assert_error(404, 40409);
        assert_eq!(ok(&target.get("/mode/customer").await)["mode"], "READONLY");
        assert_eq!(ok(&target.get("/mode").await)["mode"], "READWRITE");
        // Ids the dump used and deleted stay unused.
        assert_eq!(target.register_ok("fresh", "\"null\"").await, 12);
        assert_eq!(target.register_ok(":.team-a:fresh", "\"null\"").await, 3);
        let again = expect(
            &cli(args(&["import", fixture.to_str().unwrap(), "--registry", &target.url("")])).await,
            0,
        );
        assert!(again.contains("nothing to write"), "{again}");
    }
}

/// A transfer file of `subjects` subjects with `versions` versions each: every tenth
/// subject references the one before it, every seventh has a soft-deleted version.
fn big_export(path: &Path, subjects: usize, versions: usize) {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut line = |v: Value| writeln!(out, "{v}").unwrap();
    line(json!({"record": "header", "format": "schemagate-export", "formatVersion": 1}));
    let mut id = 0u32;
    for s in 0..subjects {
        for v in 1..=versions {
            id += 1;
            let fields: Vec<String> = (0..v)
                .map(|f| format!(r#"{{"name":"f{f}","type":"int","default":0}}"#))
                .collect();
            let mut record = json!({
                "record": "schema",
                "subject": format!("s{s}"),
                "version": v,
                "id": id,
                "deleted": s % 7 == 0 && v == 1,
                "schema": format!(r#"{{"type":"record","name":"R{s}","fields":[{}]}}"#, fields.join(",")),
            });
            if s % 10 == 1 && v == 1 {
                record["schema"] = json!(format!(
                    r#"{{"type":"record","name":"R{s}","fields":[{{"name":"prev","type":"R{}"}}]}}"#,
                    s - 1
                ));
                record["references"] = json!([{"name": format!("R{}", s - 1), "subject": format!("s{}", s - 1), "version": versions}]);
            }
            line(record);
        }
    }
    line(json!({"record": "mode", "subject": null, "mode": "READWRITE"}));
    line(
        json!({"record": "end", "schemas": subjects * versions, "configs": 0, "modes": 1, "contexts": 0}),
    );
}

/// The CLI killed with SIGKILL in the middle of an import, then run again: the target
/// ends up as one uninterrupted import leaves it.
#[tokio::test(flavor = "multi_thread")]
async fn an_import_killed_midway_resumes_to_the_same_state() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.jsonl");
    let (subjects, versions) = (300, 4);
    big_export(&file, subjects, versions);
    let file_arg = file.to_str().unwrap().to_owned();

    let whole = TestServer::start().await;
    expect(
        &cli(args(&["import", &file_arg, "--registry", &whole.url("")])).await,
        0,
    );

    let target = TestServer::start().await;
    let mut child = Command::new(schemagate_e2e::binary("schemagate"))
        .args([
            "import",
            &file_arg,
            "--registry",
            &target.url(""),
            "--concurrency",
            "4",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once some, but not all, subjects are there.
    let started = Instant::now();
    loop {
        let listed = target.get("/subjects?deleted=true").await.body;
        let n = listed.as_array().map_or(0, Vec::len);
        if n >= 20 {
            assert!(
                n < subjects,
                "the import finished before it could be killed"
            );
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the import ended early"
        );
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the import makes no progress"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    // Half-done: in IMPORT mode, some subjects there.
    assert_eq!(ok(&target.get("/mode").await)["mode"], "IMPORT");

    let out = expect(
        &cli(args(&["import", &file_arg, "--registry", &target.url("")])).await,
        0,
    );
    assert!(
        out.contains("verify: the target holds what the source holds"),
        "{out}"
    );
    let subjects_of = |s: &TestServer| {
        let s = s.url("/subjects?deleted=true");
        async move { reqwest::get(s).await.unwrap().text().await.unwrap() }
    };
    assert_eq!(subjects_of(&whole).await, subjects_of(&target).await);
    let from = whole.url("");
    let to = target.url("");
    // The uninterrupted target and the resumed one hold the same: a migration between
    // them finds nothing to write and verifies.
    let same = expect(
        &cli(args(&["migrate", "--from", &from, "--to", &to])).await,
        0,
    );
    assert!(same.contains("nothing to write"), "{same}");
    assert_eq!(ok(&target.get("/mode").await)["mode"], "READWRITE");
}

/// An online backup restores with `schemagate import` as the registry it was taken
/// from, counters included.
#[tokio::test(flavor = "multi_thread")]
async fn a_backup_restores_with_import() {
    let source = TestServer::start().await;
    populate(&source).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("backup.ndjson");
    let (code, out, err) = backup(&source, &file, Vec::new()).await;
    assert_eq!(code, 0, "{out}{err}");
    let target = TestServer::start().await;
    let restored = expect(
        &cli(args(&[
            "import",
            file.to_str().unwrap(),
            "--registry",
            &target.url(""),
        ]))
        .await,
        0,
    );
    assert!(
        restored.contains("verify: the target holds what the source holds"),
        "{restored}"
    );
    assert_same(&source, &target).await;
    same_next_ids(&source, &target).await;
}

/// Soft-deleted encryption keys move as deleted (the DEK registry answers a delete
/// with 204 and no body), and a second run finds them in place.
#[tokio::test(flavor = "multi_thread")]
async fn deleted_keys_migrate_once() {
    let source = TestServer::start().await;
    source.register_ok("orders-value", "\"int\"").await;
    post_ok(
        &source,
        KEKS,
        json!({"name": "k1", "kmsType": "local-kms", "kmsKeyId": "mykey"}),
    )
    .await;
    post_ok(
        &source,
        &format!("{KEKS}/k1/deks"),
        json!({"subject": "orders-value", "encryptedKeyMaterial": "d3JhcHBlZA=="}),
    )
    .await;
    assert_eq!(
        source
            .delete(&format!("{KEKS}/k1/deks/orders-value"))
            .await
            .status,
        204
    );
    assert_eq!(source.delete(&format!("{KEKS}/k1")).await.status, 204);
    let target = TestServer::start().await;
    let run = || {
        cli(args(&[
            "migrate",
            "--from",
            &source.url(""),
            "--to",
            &target.url(""),
        ]))
    };
    let out = expect(&run().await, 0);
    assert!(
        out.contains("verify: the target holds what the source holds"),
        "{out}"
    );
    assert_eq!(
        ok(&target.get(&format!("{KEKS}/k1?deleted=true")).await)["deleted"],
        true
    );
    assert_eq!(target.get(&format!("{KEKS}/k1")).await.status, 404);
    let again = expect(&run().await, 0);
    assert!(again.contains("nothing to write"), "{again}");
}
