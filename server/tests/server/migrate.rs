//! `schemagate export`, `import` and `migrate` between real servers on both stores: a
//! registry with every kind of state moves with every id and version, a `_schemas`
//! dump imports as Confluent would replay it, re-runs change nothing, conflicts are
//! refused, and an import killed midway resumes to the same state.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::TestServer;

const KEKS: &str = "/dek-registry/v1/keks";

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

fn avro(name: &str, fields: &str) -> String {
    format!(r#"{{"type":"record","name":"{name}","namespace":"shop","fields":[{fields}]}}"#)
}

#[track_caller]
fn ok(a: &crate::common::Answer) -> Value {
    assert_eq!(a.status, 200, "{}", a.text);
    a.body.clone()
}

/// A registry with everything a migration must carry: references (a chain), soft and
/// permanent deletes, a version gap, a soft-deleted subject, imported (non-contiguous)
/// ids, two contexts with overlapping ids, data contracts, configs and modes at every
/// scope, a KEK with a DEK, and a permanently deleted newest id.
async fn populate(s: &TestServer) {
    let reg = |subject: &'static str, body: Value| async move {
        ok(&s.post(&format!("/subjects/{subject}/versions"), body).await)
    };
    let money = avro("Money", r#"{"name":"cents","type":"long"}"#);
    reg("money", json!({"schema": money})).await;
    let price = avro("Price", r#"{"name":"amount","type":"shop.Money"}"#);
    reg(
        "price",
        json!({"schema": price, "references": [{"name": "shop.Money", "subject": "money", "version": 1}]}),
    )
    .await;
    let line = avro("Line", r#"{"name":"price","type":"shop.Price"}"#);
    reg(
        "line-value",
        json!({"schema": line, "references": [{"name": "shop.Price", "subject": "price", "version": 1}]}),
    )
    .await;
    let order = |extra: &str| {
        avro(
            "Order",
            &format!(r#"{{"name":"line","type":"shop.Line"}}{extra}"#),
        )
    };
    let refs = json!([{"name": "shop.Line", "subject": "line-value", "version": 1}]);
    reg(
        "orders-value",
        json!({"schema": order(""), "references": refs}),
    )
    .await;
    reg(
        "orders-value",
        json!({
            "schema": order(r#",{"name":"note","type":"string","default":""}"#),
            "references": refs,
            "metadata": {"properties": {"owner": "orders-team"}, "sensitive": ["note"]},
            "ruleSet": {"domainRules": [{"name": "noteShort", "kind": "CONDITION", "type": "CEL", "mode": "WRITE", "expr": "size(message.note) < 100"}]}
        }),
    )
    .await;
    reg(
        "orders-value",
        json!({"schema": order(r#",{"name":"note","type":"string","default":""},{"name":"n","type":"int","default":0}"#), "references": refs}),
    )
    .await;
    // A soft-deleted version in the middle.
    ok(&s.delete("/subjects/orders-value/versions/2").await);
    // A version gap: v2 of payments removed for good.
    for n in 1..=3 {
        let props: Vec<String> = (0..n)
            .map(|i| format!(r#""p{i}":{{"type":"string"}}"#))
            .collect();
        reg(
            "payments-value",
            json!({"schemaType": "JSON", "schema": format!(r#"{{"type":"object","additionalProperties":false,"properties":{{{}}}}}"#, props.join(","))}),
        )
        .await;
    }
    ok(&s.delete("/subjects/payments-value/versions/2").await);
    ok(&s
        .delete("/subjects/payments-value/versions/2?permanent=true")
        .await);
    // A subject removed for good: its id is gone.
    reg("scratch", json!({"schema": "\"bytes\""})).await;
    ok(&s.delete("/subjects/scratch").await);
    ok(&s.delete("/subjects/scratch?permanent=true").await);
    // A whole subject soft-deleted.
    reg("legacy", json!({"schema": "\"int\""})).await;
    reg("legacy", json!({"schema": "\"long\""})).await;
    ok(&s.delete("/subjects/legacy").await);
    // Imported ids, far apart and out of order.
    ok(&s
        .put("/mode/imported?force=true", json!({"mode": "IMPORT"}))
        .await);
    reg(
        "imported",
        json!({"schema": "\"float\"", "id": 500, "version": 1}),
    )
    .await;
    reg(
        "imported",
        json!({"schema": "\"double\"", "id": 100, "version": 4}),
    )
    .await;
    ok(&s.delete("/mode/imported").await);
    // Two contexts whose ids overlap the default context's.
    reg(
        ":.team-a:events",
        json!({"schemaType": "JSON", "schema": r#"{"type":"object"}"#}),
    )
    .await;
    reg(
        ":.team-a:ping",
        json!({"schemaType": "PROTOBUF", "schema": "syntax = \"proto3\";\npackage team.a;\n\nmessage Ping {\n  string id = 1;\n}\n"}),
    )
    .await;
    reg(":.team-b:events", json!({"schema": "\"string\""})).await;
    // A KEK and a DEK.
    ok(&s
        .post(
            KEKS,
            json!({"name": "k1", "kmsType": "local-kms", "kmsKeyId": "mykey"}),
        )
        .await);
    ok(&s
        .post(
            &format!("{KEKS}/k1/deks"),
            json!({"subject": "orders-value", "encryptedKeyMaterial": "d3JhcHBlZC1h"}),
        )
        .await);
    // The newest id removed for good: a migration must not hand it out again.
    reg("tail", json!({"schema": "\"boolean\""})).await;
    ok(&s.delete("/subjects/tail").await);
    ok(&s.delete("/subjects/tail?permanent=true").await);
    // Settings last, at every scope.
    ok(&s.put("/config", json!({"compatibility": "FULL"})).await);
    ok(&s
        .put(
            "/config/orders-value",
            json!({"compatibility": "BACKWARD_TRANSITIVE", "compatibilityGroup": "major"}),
        )
        .await);
    ok(&s
        .put("/config/:.team-a:", json!({"compatibility": "FORWARD"}))
        .await);
    ok(&s.put("/mode/money", json!({"mode": "READONLY"})).await);
    ok(&s.put("/mode/:.team-b:", json!({"mode": "READONLY"})).await);
}

/// Everything a client can read of a registry, without the times each server sets.
async fn snapshot(s: &TestServer) -> Value {
    let mut out = serde_json::Map::new();
    let subjects = ok(&s.get("/subjects?deleted=true&subjectPrefix=:*:").await);
    out.insert("subjects".into(), subjects.clone());
    out.insert("contexts".into(), ok(&s.get("/contexts").await));
    out.insert("config".into(), ok(&s.get("/config").await));
    out.insert("mode".into(), ok(&s.get("/mode").await));
    for scope in [":.team-a:", ":.team-b:", ":.__GLOBAL:"] {
        out.insert(
            format!("config {scope}"),
            s.get(&format!("/config/{scope}")).await.body,
        );
        out.insert(
            format!("mode {scope}"),
            s.get(&format!("/mode/{scope}")).await.body,
        );
    }
    for subject in subjects.as_array().unwrap() {
        let subject = subject.as_str().unwrap();
        let all = ok(&s
            .get(&format!("/subjects/{subject}/versions?deleted=true"))
            .await);
        out.insert(format!("{subject} versions"), all.clone());
        out.insert(
            format!("{subject} live"),
            s.get(&format!("/subjects/{subject}/versions")).await.body,
        );
        out.insert(
            format!("{subject} config"),
            s.get(&format!("/config/{subject}")).await.body,
        );
        out.insert(
            format!("{subject} mode"),
            s.get(&format!("/mode/{subject}")).await.body,
        );
        for v in all.as_array().unwrap() {
            let mut version = ok(&s
                .get(&format!("/subjects/{subject}/versions/{v}?deleted=true"))
                .await);
            version.as_object_mut().unwrap().remove("ts");
            let id = version["id"].as_u64().unwrap();
            let by_id = s
                .get(&format!("/schemas/ids/{id}?subject={subject}"))
                .await
                .body;
            out.insert(format!("{subject} v{v}"), version);
            out.insert(format!("{subject} v{v} by id"), by_id);
        }
    }
    let mut keks = ok(&s.get(&format!("{KEKS}/k1?deleted=true")).await);
    keks.as_object_mut().unwrap().remove("ts");
    out.insert("kek".into(), keks);
    let mut dek = ok(&s
        .get(&format!("{KEKS}/k1/deks/orders-value?deleted=true"))
        .await);
    dek.as_object_mut().unwrap().remove("ts");
    out.insert("dek".into(), dek);
    Value::Object(out)
}

/// The next registration in each context gets the same id on both.
async fn same_next_ids(a: &TestServer, b: &TestServer) {
    for subject in ["fresh", ":.team-a:fresh"] {
        let body = json!({"schema": "\"null\""});
        let path = format!("/subjects/{subject}/versions");
        let ia = ok(&a.post(&path, body.clone()).await)["id"].clone();
        let ib = ok(&b.post(&path, body).await)["id"].clone();
        assert_eq!(ia, ib, "the next id of {subject}");
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
        assert_eq!(snapshot(&source).await, snapshot(&target).await);
        // A second run finds everything in place.
        let again = expect(&run().await, 0);
        assert!(again.contains("nothing to write"), "{again}");
        assert_eq!(snapshot(&source).await, snapshot(&target).await);
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
        assert_eq!(snapshot(&source).await, snapshot(&target).await);
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
        // The target already gives `money` version 1 (id 1) another schema.
        target.register_ok("money", "\"string\"").await;
        let from = source.url("");
        let to = target.url("");
        let dry = cli(args(&["migrate", "--from", &from, "--to", &to, "--dry-run"])).await;
        let dry_out = expect(&dry, 1);
        assert!(dry_out.contains("conflicts"), "{dry_out}");
        let out = expect(&cli(args(&["migrate", "--from", &from, "--to", &to])).await, 1);
        assert!(out.contains("money version 1"), "{out}");
        let kept = ok(&target.get("/subjects/money/versions/1").await);
        assert_eq!(kept["schema"], "\"string\"");
        // What does not depend on the conflict still arrived.
        ok(&target.get("/subjects/payments-value/versions/3").await);
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
