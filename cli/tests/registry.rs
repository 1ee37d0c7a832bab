//! The real binary against a real Schemagate server started on port 0: the tour a
//! newcomer takes (check, register, break, fix, pull), the registry's level, references,
//! and snapshots of every output format for a breaking and a clean change.

mod common;

use std::time::{Duration, Instant};

use common::*;
use schemagate_client::Client;
use schemagate_core::Level;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tour_check_register_break_fix_pull() {
    with_registry(|url| async move {
        let p = shop();
        run(&p, &url, &["check"])
            .await
            .code(0)
            .stdout_has("orders-value new")
            .stdout_has("2 new");
        let first = run(&p, &url, &["register", "--dry-run"]).await;
        first.code(0).stdout_has("orders-value would register");
        let registered = run(&p, &url, &["register", "--format", "json"]).await;
        registered.code(0);
        let doc = registered.json();
        assert_eq!(doc["results"][0]["status"], "registered");
        assert_eq!(doc["results"][0]["version"], 1);
        let id = doc["results"][0]["id"].as_u64().unwrap();
        // Idempotent: nothing new, same ids.
        let again = run(&p, &url, &["register", "--format", "json"]).await;
        again.code(0);
        assert_eq!(again.json()["results"][0]["status"], "already_registered");
        assert_eq!(again.json()["results"][0]["id"].as_u64(), Some(id));
        run(&p, &url, &["check"])
            .await
            .code(0)
            .stdout_has("registered as version 1");

        // Break it: the registry's history and level decide, the core explains.
        p.write("schemas/orders.avsc", ORDER_BREAKING);
        run(&p, &url, &["check"])
            .await
            .code(1)
            .stdout_has("orders-value BREAKING under BACKWARD")
            .stdout_has(
                "error[READER_FIELD_MISSING_DEFAULT_VALUE] schemas/orders.avsc:8:5 at /fields/2",
            )
            .stdout_has("(against version 1)");
        run(&p, &url, &["register", "--dry-run"])
            .await
            .code(1)
            .stdout_has("REGISTRY_INCOMPATIBLE");
        run(&p, &url, &["register"])
            .await
            .code(1)
            .stdout_has("refused by the registry");

        // Fix it with the hint: a default.
        p.write("schemas/orders.avsc", ORDER_COMPATIBLE);
        run(&p, &url, &["check"])
            .await
            .code(0)
            .stdout_has("orders-value compatible under BACKWARD, minor bump");
        run(&p, &url, &["register"])
            .await
            .code(0)
            .stdout_has("orders-value registered")
            .stdout_has("version 2)");

        // Pull: a mapped file that holds the same schema is left alone; others are written.
        let before = p.read("schemas/orders.avsc");
        run(&p, &url, &["pull"])
            .await
            .code(0)
            .stdout_has("2 unchanged");
        assert_eq!(p.read("schemas/orders.avsc"), before);
        std::fs::remove_file(p.path().join("schemas/customers.json")).unwrap();
        run(&p, &url, &["pull", "customers-value"])
            .await
            .code(0)
            .stdout_has("customers-value written");
        assert!(
            p.read("schemas/customers.json")
                .contains("\"title\": \"Customer\"")
        );
        run(&p, &url, &["pull", "orders-value", "--dir", "out"])
            .await
            .code(0);
        run(&p, &url, &["pull", "nobody-value", "--dir", "out"])
            .await
            .code(2)
            .stdout_has("not registered");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_registry_level_applies_not_the_project_default() {
    with_registry(|url| async move {
        let p = shop();
        run(&p, &url, &["register"]).await.code(0);
        let client = Client::builder(&url).build().unwrap();
        p.write("schemas/orders.avsc", ORDER_BREAKING);
        for (level, code, says) in [
            (Level::None, 0, "under NONE"),
            // Old readers ignore the new field: FORWARD-compatible.
            (Level::Forward, 0, "under FORWARD"),
            (Level::FullTransitive, 1, "against versions 1..1"),
        ] {
            client.set_level(Some("orders-value"), level).await.unwrap();
            run(&p, &url, &["check", "orders-value"])
                .await
                .code(code)
                .stdout_has(says);
        }
    })
    .await;
}

/// v1 without `total`: a deleted field, which only the FORWARD levels refuse.
const ORDER_WITHOUT_TOTAL: &str = r#"{
  "type": "record",
  "name": "Order",
  "namespace": "shop",
  "fields": [
    {"name": "id", "type": "string"}
  ]
}
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn item2_a_declared_level_reaches_the_registry_and_online_matches_offline() {
    with_registry(|url| async move {
        let p = shop();
        p.write(
            "schemagate.toml",
            &PROJECT.replace(
                "subject = \"orders-value\"",
                "subject = \"orders-value\"\nlevel = \"FULL_TRANSITIVE\"",
            ),
        );
        p.git(&["init", "-q"]);
        p.commit("v1");
        let client = Client::builder(&url).build().unwrap();
        // Registration applies the declared level before it registers.
        run(&p, &url, &["register"])
            .await
            .code(0)
            .stdout_has("level set to FULL_TRANSITIVE (was BACKWARD)");
        assert_eq!(
            client.level(Some("orders-value")).await.unwrap(),
            Level::FullTransitive
        );
        // Deleting a field breaks FULL_TRANSITIVE, online as offline, and the registry
        // refuses it under that level.
        p.write("schemas/orders.avsc", ORDER_WITHOUT_TOTAL);
        run(&p, &url, &["check", "--against", "HEAD", "orders-value"])
            .await
            .code(1);
        run(&p, &url, &["check", "orders-value"])
            .await
            .code(1)
            .stdout_has("under FULL_TRANSITIVE");
        run(&p, &url, &["register", "--dry-run", "orders-value"])
            .await
            .code(1);
        run(&p, &url, &["register", "orders-value"]).await.code(1);

        // A registry that holds another level (set behind the project's back): checks
        // judge under the declared one and say so; a dry run says it would set it.
        client
            .set_level(Some("orders-value"), Level::Backward)
            .await
            .unwrap();
        run(&p, &url, &["check", "orders-value"])
            .await
            .code(1)
            .stdout_has("under FULL_TRANSITIVE")
            .stdout_has("the registry holds BACKWARD until `schemagate register` applies it");
        run(&p, &url, &["register", "--dry-run", "orders-value"])
            .await
            .code(1)
            .stdout_has("would set level FULL_TRANSITIVE (the registry holds BACKWARD) first");
        assert_eq!(
            client.level(Some("orders-value")).await.unwrap(),
            Level::Backward,
            "a dry run changes nothing"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn item9_check_and_register_say_what_they_compare_with() {
    with_registry(|url| async move {
        let p = shop();
        run(&p, &url, &["register", "orders-value"]).await.code(0);
        p.write("schemas/orders.avsc", ORDER_WITHOUT_TOTAL);
        run(&p, &url, &["register", "orders-value"])
            .await
            .code(0)
            .stdout_has("version 2");
        // Back to version 1's text: breaking against version 2, and registered as 1.
        p.write("schemas/orders.avsc", ORDER_V1);
        run(&p, &url, &["check", "orders-value"])
            .await
            .code(1)
            .stdout_has("against version 2, the latest")
            .stdout_has("the file is registered version 1, not the latest");
        run(&p, &url, &["register", "orders-value"])
            .await
            .code(0)
            .stdout_has("already registered")
            .stdout_has("not the latest: version 2 is, and `check` compares with it");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn item5_pull_keeps_a_formatted_file_with_references_and_lays_out_new_ones() {
    with_registry(|url| async move {
        let p = Project::new();
        let money = "{\n  \"type\": \"record\", \"name\": \"Money\", \"namespace\": \"shop\",\n  \"fields\": [{\"name\": \"cents\", \"type\": \"long\"}]\n}\n";
        let order = "{\n  \"type\": \"record\",\n  \"name\": \"Order\",\n  \"namespace\": \"shop\",\n  \"doc\": \"An order.\",\n  \"fields\": [\n    {\"name\": \"id\", \"type\": \"string\"},\n    {\"name\": \"total\", \"type\": \"shop.Money\"}\n  ]\n}\n";
        p.write("schemas/money.avsc", money)
            .write("schemas/order.avsc", order)
            .write(
                "schemagate.toml",
                "[[subjects]]\nfile = \"schemas/money.avsc\"\nsubject = \"money\"\n\n[[subjects]]\nfile = \"schemas/order.avsc\"\nsubject = \"orders-value\"\nreferences = [{ name = \"shop.Money\", file = \"schemas/money.avsc\" }]\n",
            );
        run(&p, &url, &["register"]).await.code(0);
        // The same schemas, hand-formatted: left byte for byte, references or not.
        run(&p, &url, &["pull"])
            .await
            .code(0)
            .stdout_has("2 unchanged");
        assert_eq!(p.read("schemas/order.avsc"), order);
        assert_eq!(p.read("schemas/money.avsc"), money);
        // A missing file is written laid out, short members on a line, keys in the order
        // of the registry's text (which is the schema's own once the registry keeps the
        // text as registered).
        std::fs::remove_file(p.path().join("schemas/order.avsc")).unwrap();
        run(&p, &url, &["pull", "orders-value"])
            .await
            .code(0)
            .stdout_has("orders-value written");
        let written = p.read("schemas/order.avsc");
        assert!(
            written.contains("{\"name\": \"id\", \"type\": \"string\"}"),
            "{written}"
        );
        assert!(written.contains("\n  \"name\": \"Order\",\n"), "{written}");
        assert!(written.lines().count() <= 12, "{written}");
        // And it is the same schema: pulling again leaves it alone.
        run(&p, &url, &["pull", "orders-value"])
            .await
            .code(0)
            .stdout_has("1 unchanged");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_semver_gate_reads_the_registered_version() {
    with_registry(|url| async move {
        let versioned = |text: &str, v: &str| {
            text.replacen(
                "\"type\": \"record\",",
                &format!("\"type\": \"record\",\n  \"version\": \"{v}\","),
                1,
            )
        };
        let p = shop();
        p.write("schemas/orders.avsc", &versioned(ORDER_V1, "1.4.0"));
        run(&p, &url, &["register"]).await.code(0);
        // An optional field is a minor change; a patch bump is too small.
        p.write("schemas/orders.avsc", &versioned(ORDER_COMPATIBLE, "1.4.1"));
        run(&p, &url, &["check"])
            .await
            .code(1)
            .stdout_has("error[SEMVER_BUMP_TOO_SMALL] schemas/orders.avsc:3:14 at /version")
            .stdout_has("declare `version` 1.5.0 or later");
        p.write("schemas/orders.avsc", &versioned(ORDER_COMPATIBLE, "1.5.0"));
        run(&p, &url, &["check"]).await.code(0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn references_register_in_order_and_check() {
    with_registry(|url| async move {
        let p = Project::new();
        write_money_and_order(&p);
        // The referrer comes first in the file: register must still do money first.
        p.write(
            "schemagate.toml",
            "[[subjects]]\nfile = \"schemas/order.avsc\"\nsubject = \"orders-value\"\nreferences = [{ name = \"shop.Money\", file = \"schemas/money.avsc\" }]\n\n[[subjects]]\nfile = \"schemas/money.avsc\"\nsubject = \"money\"\n",
        );
        let out = run(&p, &url, &["register", "--format", "json"]).await;
        out.code(0);
        let doc = out.json();
        let names: Vec<&str> = doc["results"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["money", "orders-value"]);
        run(&p, &url, &["check"]).await.code(0).stdout_has("2 unchanged");
        let client = Client::builder(&url).build().unwrap();
        let loaded = client.load_latest(&["orders-value", "money"]).await.unwrap();
        assert_eq!(loaded.len(), 2);
    })
    .await;
}

/// `[registry] context` puts the project's subjects in a Confluent context: they are
/// registered qualified (`:.team-a:money`), get that context's ids, and `check` and
/// `register` find them there again; the default context stays empty.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_project_context_qualifies_every_subject() {
    with_registry(|url| async move {
        let p = Project::new();
        write_money_and_order(&p);
        p.write(
            "schemagate.toml",
            "[registry]\ncontext = \".team-a\"\n\n[[subjects]]\nfile = \"schemas/order.avsc\"\nsubject = \"orders-value\"\nreferences = [{ name = \"shop.Money\", file = \"schemas/money.avsc\" }]\n\n[[subjects]]\nfile = \"schemas/money.avsc\"\nsubject = \"money\"\n",
        );
        run(&p, &url, &["register"]).await.code(0);
        let client = Client::builder(&url).build().unwrap();
        let subjects = client.subjects().await.unwrap();
        assert_eq!(subjects, [":.team-a:money", ":.team-a:orders-value"]);
        let loaded = client
            .load_latest(&[":.team-a:orders-value", ":.team-a:money"])
            .await
            .unwrap();
        assert_eq!(loaded.len(), 2);
        run(&p, &url, &["check"]).await.code(0).stdout_has("2 unchanged");
        run(&p, &url, &["register"]).await.code(0);

        // A context name that is not one is refused at load, naming the key.
        p.write(
            "schemagate.toml",
            "[registry]\ncontext = \"a:b\"\n\n[[subjects]]\nfile = \"schemas/money.avsc\"\nsubject = \"money\"\n",
        );
        run(&p, &url, &["check"]).await.code(2).stderr_has("[registry] context");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_format_against_the_registry() {
    with_registry(|url| async move {
        let p = shop();
        run(&p, &url, &["register"]).await.code(0);
        for (case, orders, code) in [
            ("clean", ORDER_COMPATIBLE, 0),
            ("breaking", ORDER_BREAKING, 1),
        ] {
            p.write("schemas/orders.avsc", orders);
            for format in ["text", "json", "junit", "github", "sarif"] {
                let out = run(&p, &url, &["check", "--format", format]).await;
                out.code(code);
                insta::assert_snapshot!(format!("registry_{case}_{format}"), out.stdout);
            }
        }
    })
    .await;
}

/// `check` of 500 schema files against a local registry. Run with
/// `cargo test --release -p schemagate-cli --test registry -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "timing run: registers 500 schemas first"]
async fn check_500_files_timing() {
    with_registry(|url| async move {
        let p = Project::new();
        let mut toml = String::from("[[subjects]]\nglob = \"schemas/*.avsc\"\n");
        toml.push_str("\n[registry]\nconcurrency = 16\n");
        p.write("schemagate.toml", &toml);
        for i in 0..500 {
            p.write(
                &format!("schemas/topic{i:03}.avsc"),
                &ORDER_V1.replace("\"Order\"", &format!("\"Order{i}\"")),
            );
        }
        let t = Instant::now();
        run(&p, &url, &["register"]).await.code(0);
        println!("register 500: {:?}", t.elapsed());
        let t = Instant::now();
        run(&p, &url, &["check"])
            .await
            .code(0)
            .stdout_has("500 unchanged");
        let elapsed = t.elapsed();
        println!("check 500: {elapsed:?}");
        assert!(elapsed < Duration::from_secs(30));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn online_check_asks_the_registry_for_its_verdict_too() {
    with_registry(|url| async move {
        let p = shop();
        run(&p, &url, &["register"]).await.code(0);
        // The same engine on both sides: they agree, and the check says it asked.
        p.write("schemas/orders.avsc", ORDER_BREAKING);
        let breaking = run(&p, &url, &["check"]).await;
        breaking
            .code(1)
            .stdout_has("against version 1, the latest; the registry agrees");
        assert!(
            !breaking.stdout.contains("REGISTRY_DISAGREES"),
            "{}",
            breaking.stdout
        );
        p.write("schemas/orders.avsc", ORDER_COMPATIBLE);
        run(&p, &url, &["check"])
            .await
            .code(0)
            .stdout_has("the registry agrees");
        // A level the registry does not hold yet is not what it would judge under:
        // it is not asked then.
        let declared = PROJECT.replace(
            "subject = \"orders-value\"",
            "subject = \"orders-value\"\nlevel = \"NONE\"",
        );
        p.write("schemagate.toml", &declared);
        let pending = run(&p, &url, &["check"]).await;
        pending.code(0);
        let orders = pending
            .stdout
            .lines()
            .find(|l| l.contains("schemas/orders.avsc —"))
            .unwrap();
        assert!(
            !orders.contains("the registry agrees"),
            "{}",
            pending.stdout
        );
    })
    .await;
}

/// A registry holding ORDER_V1 as orders-value version 1 whose compatibility endpoint
/// answers `verdict`.
fn scripted(method: &str, path: &str, verdict: &str) -> (u16, String) {
    match (method, path) {
        ("GET", p) if p.starts_with("/config") => {
            (200, r#"{"compatibilityLevel":"BACKWARD"}"#.into())
        }
        ("GET", "/subjects/orders-value/versions/latest") => (
            200,
            format!(
                r#"{{"subject":"orders-value","id":1,"version":1,"schema":{}}}"#,
                serde_json::to_string(ORDER_V1).unwrap()
            ),
        ),
        ("POST", "/compatibility/subjects/orders-value/versions?verbose=true") => {
            (200, verdict.to_owned())
        }
        _ => (
            404,
            r#"{"error_code":40401,"message":"Subject not found"}"#.into(),
        ),
    }
}

#[test]
fn a_registry_that_disagrees_with_the_engine_is_said_plainly() {
    let lenient = fake_registry(|m, p| scripted(m, p, r#"{"is_compatible":true,"messages":[]}"#));
    let p = shop();
    p.write("schemas/orders.avsc", ORDER_BREAKING);
    // The engine's verdict stays the gate; the registry's is a warning beside it.
    p.run(&["check", "--registry", &lenient])
        .code(1)
        .stdout_has("orders-value BREAKING")
        .stdout_has("error[READER_FIELD_MISSING_DEFAULT_VALUE]")
        .stdout_has("warning[REGISTRY_DISAGREES]")
        .stdout_has("the registry judges this schema compatible");
    let strict = fake_registry(|m, p| {
        scripted(
            m,
            p,
            r#"{"is_compatible":false,"messages":["READER_FIELD_MISSING_DEFAULT_VALUE: coupon"]}"#,
        )
    });
    p.write("schemas/orders.avsc", ORDER_COMPATIBLE);
    let run = p.run(&["check", "--registry", &strict, "--format", "github"]);
    run.code(0)
        .stdout_has("::warning title=REGISTRY_DISAGREES (orders-value)::");
    assert!(
        run.stdout
            .contains("`register` would be refused (the registry says: READER_FIELD_MISSING_DEFAULT_VALUE: coupon)"),
        "{}",
        run.stdout
    );
}
