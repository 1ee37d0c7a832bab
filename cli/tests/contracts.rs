//! Data contracts through the real binary: declared in schemagate.toml or in a sidecar
//! (`<schema>.contract.json`), refused where they are wrong before anything is sent,
//! sent by `register`, compared by `check` and `register --dry-run`, written back by
//! `pull`; against a real Schemagate server started on port 0.
//!
//! The tests under "the registry keeps contracts" need a server that stores and
//! answers `metadata` and `ruleSet` (Confluent 8's data contracts) and, for the last
//! one, `compatibilityGroup` in `PUT /config`. Each first asserts that the registry
//! kept what it was sent, so that on a server without contracts it fails saying so.

mod common;

use common::*;
use schemagate_client::{Client, Config};
use schemagate_core::contract::{Metadata, RuleSet};

/// A contract for the Order record, as a person writes a sidecar: one property, one
/// domain rule. `noType` (line 6) is what the invalid variant adds.
const CONTRACT: &str = r#"{
  "metadata": {"properties": {"owner": "payments"}},
  "ruleSet": {
    "domainRules": [
      {"name": "checkId", "kind": "CONDITION", "mode": "WRITE", "type": "CEL", "expr": "size(message.id) > 0"}
    ]
  }
}
"#;

/// [`CONTRACT`] with another owner and a second rule: a contract-only change.
const CONTRACT_CHANGED: &str = r#"{
  "metadata": {"properties": {"owner": "billing"}},
  "ruleSet": {
    "domainRules": [
      {"name": "checkId", "kind": "CONDITION", "mode": "WRITE", "type": "CEL", "expr": "size(message.id) > 0"},
      {"name": "checkTotal", "kind": "CONDITION", "mode": "WRITE", "type": "CEL", "expr": "message.total >= 0.0"}
    ]
  }
}
"#;

/// A second rule without a type, which the registry refuses (42210).
const CONTRACT_INVALID: &str = r#"{
  "metadata": {"properties": {"owner": "payments"}},
  "ruleSet": {
    "domainRules": [
      {"name": "checkId", "kind": "CONDITION", "mode": "WRITE", "type": "CEL", "expr": "size(message.id) > 0"},
      {"name": "noType", "mode": "WRITE"}
    ]
  }
}
"#;

const SIDECAR: &str = "schemas/orders.avsc.contract.json";

/// The shop project with [`CONTRACT`] next to orders.avsc.
fn shop_with_contract() -> Project {
    let p = shop();
    p.write(SIDECAR, CONTRACT);
    p
}

fn metadata(text: &str) -> Metadata {
    let value: serde_json::Value = serde_json::from_str(text).unwrap();
    serde_json::from_value(value["metadata"].clone()).unwrap()
}

/// A registered version's metadata without `confluent:version`, which the registry may
/// add and the CLI does not compare.
fn kept(metadata: Option<&Metadata>) -> Option<Metadata> {
    let mut m = metadata?.clone();
    m.properties.remove("confluent:version");
    Some(m)
}

fn rule_set(text: &str) -> RuleSet {
    let value: serde_json::Value = serde_json::from_str(text).unwrap();
    serde_json::from_value(value["ruleSet"].clone()).unwrap()
}

/// The project file with `[[subjects]]` entry 1 (orders-value) declaring `tables`.
fn project_with_tables(tables: &str) -> String {
    PROJECT.replacen(
        "subject = \"orders-value\"\n",
        &format!("subject = \"orders-value\"\n{tables}"),
        1,
    )
}

const TOML_CONTRACT: &str = r#"[subjects.metadata.properties]
owner = "payments"
[[subjects.ruleSet.domainRules]]
name = "checkId"
kind = "CONDITION"
mode = "WRITE"
type = "CEL"
expr = "size(message.id) > 0"
"#;

// ---- Declaring contracts: refused where they are wrong, before anything is sent ----

#[test]
fn a_misspelt_or_invalid_contract_in_schemagate_toml_is_refused_naming_file_entry_and_key() {
    let p = shop();
    p.write(
        "schemagate.toml",
        &project_with_tables("[subjects.rule_set]\ndomainRules = []\n"),
    );
    // The project does not load: no registry is asked (the URL in PROJECT is dead).
    p.run(&["register"])
        .code(2)
        .stderr_has("schemagate.toml")
        .stderr_has("[[subjects]] entry 1: unknown key `rule_set`: the rule set is `ruleSet`");
    p.write(
        "schemagate.toml",
        &project_with_tables(&TOML_CONTRACT.replace(
            "mode = \"WRITE\"",
            "mode = \"WRITE\"\nonFailure = \"DLQ,ERROR\"",
        )),
    );
    p.run(&["check"])
        .code(2)
        .stderr_has("schemagate.toml")
        .stderr_has(
            "[[subjects]] entry 1: ruleSet.domainRules[0]: Multiple actions only valid with WRITEREAD and UPDOWN (rule 'checkId' is WRITE)",
        );
}

#[test]
fn init_and_globs_take_a_sidecar_for_part_of_its_schema_not_for_a_schema() {
    let p = Project::new();
    p.write("schemas/customers.json", CUSTOMER_V1)
        .write("schemas/customers.json.contract.json", CONTRACT);
    let init = p.run(&["init"]);
    init.code(0);
    assert!(!init.stdout.contains("contract.json"), "{}", init.stdout);
    let toml = p.read("schemagate.toml");
    assert!(toml.contains("file = \"schemas/customers.json\""), "{toml}");
    assert!(!toml.contains("contract.json\""), "{toml}");
    assert!(toml.contains("<schema file>.contract.json"), "{toml}");
    // A glob over `*.json` maps the schema alone.
    p.write(
        "schemagate.toml",
        "[[subjects]]\nglob = \"schemas/*.json\"\n",
    );
    let offline = p.run(&["check", "--against", "schemas", "--format", "json"]);
    let names: Vec<String> = offline.json()["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["customers-value"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_sidecar_is_refused_at_its_line_and_pointer_and_nothing_is_sent() {
    with_registry(|url| async move {
        let p = shop();
        p.write(SIDECAR, CONTRACT_INVALID);
        for command in [&["register"][..], &["register", "--dry-run"], &["check"]] {
            run(&p, &url, command)
                .await
                .code(2)
                .stdout_has("orders-value ERROR")
                .stdout_has(
                    "error[CONTRACT_INVALID] schemas/orders.avsc.contract.json:6:7 at /ruleSet/domainRules/1",
                )
                .stdout_has("Missing rule type in rule 'noType'")
                // The other subject is not held back by it.
                .stdout_has("customers-value");
        }
        let client = Client::builder(&url).build().unwrap();
        let err = client.versions("orders-value").await.unwrap_err();
        assert!(err.is_not_found(), "orders-value was registered: {err}");
        // Not JSON at all: the parser's line and column.
        p.write(SIDECAR, "{\n  \"metadata\": {,\n}\n");
        run(&p, &url, &["register", "orders-value"])
            .await
            .code(2)
            .stdout_has("error[CONTRACT_INVALID] schemas/orders.avsc.contract.json:2:16 at /")
            .stdout_has("is not JSON");
        // A misspelt key is refused, not dropped.
        p.write(SIDECAR, r#"{"metadata": {"properties": {"owner": "x"}}, "rule_set": {}}"#);
        run(&p, &url, &["register", "orders-value"])
            .await
            .code(2)
            .stdout_has("at /rule_set")
            .stdout_has("the rule set is `ruleSet`, as Confluent spells it");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contract_declared_in_both_places_is_refused_naming_both() {
    with_registry(|url| async move {
        let p = shop_with_contract();
        p.write("schemagate.toml", &project_with_tables(TOML_CONTRACT));
        for command in [&["register"][..], &["check"]] {
            run(&p, &url, command)
                .await
                .code(2)
                .stdout_has("error[CONTRACT_CONFLICT] schemas/orders.avsc.contract.json")
                .stdout_has(
                    "the data contract of orders-value is declared twice: in schemagate.toml ([[subjects]] entry 1) and in schemas/orders.avsc.contract.json",
                )
                .stdout_has("fix: keep one");
        }
        let client = Client::builder(&url).build().unwrap();
        assert!(client.versions("orders-value").await.unwrap_err().is_not_found());
        // Either one alone is fine.
        std::fs::remove_file(p.path().join(SIDECAR)).unwrap();
        run(&p, &url, &["register", "--dry-run", "orders-value"])
            .await
            .code(0)
            .stdout_has("would send the data contract of schemagate.toml ([[subjects]] entry 1)");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_says_which_contract_it_would_send() {
    with_registry(|url| async move {
        let p = shop_with_contract();
        run(&p, &url, &["register", "--dry-run"])
            .await
            .code(0)
            .stdout_has("orders-value would register")
            .stdout_has(
                "would send the data contract of schemas/orders.avsc.contract.json: metadata (properties owner), ruleSet (domainRules checkId)",
            );
        let out = run(&p, &url, &["register", "--dry-run", "--format", "json"]).await;
        out.code(0);
        let doc = out.json();
        let orders = &doc["results"][0];
        assert_eq!(orders["name"], "orders-value");
        assert_eq!(
            orders["contract"]["metadata"],
            serde_json::json!({"properties": {"owner": "payments"}})
        );
        assert_eq!(orders["contract"]["ruleSet"]["domainRules"][0]["name"], "checkId");
        // The subject without a contract sends none.
        assert!(doc["results"][1].get("contract").is_none(), "{doc}");
        let client = Client::builder(&url).build().unwrap();
        assert!(client.versions("orders-value").await.unwrap_err().is_not_found());
    })
    .await;
}

// ---- Pull without contracts in the registry ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_leaves_no_sidecar_for_a_version_without_a_contract_and_removes_none() {
    with_registry(|url| async move {
        let p = shop();
        run(&p, &url, &["register"]).await.code(0);
        run(&p, &url, &["pull"]).await.code(0).stdout_has("2 unchanged");
        assert!(!p.path().join(SIDECAR).exists());
        assert!(!p.path().join("schemas/customers.json.contract.json").exists());
        // A sidecar the registry does not have is kept: it is what `register` sends next.
        p.write(SIDECAR, CONTRACT);
        run(&p, &url, &["pull", "orders-value"])
            .await
            .code(0)
            .stdout_has("orders-value unchanged")
            .stdout_has(
                "schemas/orders.avsc.contract.json kept: version 1 has no data contract, so `register` would send the file's",
            );
        assert_eq!(p.read(SIDECAR), CONTRACT);
    })
    .await;
}

// ---- The registry keeps contracts (needs a server that stores metadata and ruleSet) ----

/// Registers the shop with [`CONTRACT`] and asserts that the registry kept it: the
/// precondition of every test below.
async fn register_with_contract(p: &Project, url: &str) -> Client {
    run(p, url, &["register"])
        .await
        .code(0)
        .stdout_has("orders-value registered")
        .stdout_has("sent the data contract of schemas/orders.avsc.contract.json");
    let client = Client::builder(url).build().unwrap();
    let latest = client.latest("orders-value").await.unwrap();
    assert_eq!(
        (kept(latest.metadata.as_ref()), latest.rule_set.as_ref()),
        (Some(metadata(CONTRACT)), Some(&rule_set(CONTRACT))),
        "the registry did not keep the data contract it was sent (GET /subjects/orders-value/versions/latest answers no metadata/ruleSet): this needs the server's data-contract support"
    );
    client
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_sends_the_sidecars_contract_and_is_idempotent_with_it() {
    with_registry(|url| async move {
        let p = shop_with_contract();
        register_with_contract(&p, &url).await;
        run(&p, &url, &["register", "orders-value"])
            .await
            .code(0)
            .stdout_has("orders-value already registered")
            .stdout_has("with the data contract of schemas/orders.avsc.contract.json");
        let check = run(&p, &url, &["check"]).await;
        check.code(0).stdout_has("orders-value unchanged");
        assert!(
            !check.stdout.contains("CONTRACT_CHANGED"),
            "{}",
            check.stdout
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contract_only_change_is_a_new_version_not_a_breaking_change() {
    with_registry(|url| async move {
        let p = shop_with_contract();
        let client = register_with_contract(&p, &url).await;
        p.write(SIDECAR, CONTRACT_CHANGED);
        let changes = "data contract changes against version 1, the latest: metadata.properties.owner \"payments\" -> \"billing\"; ruleSet.domainRules: checkTotal added; registering makes a new version";
        run(&p, &url, &["check", "orders-value"])
            .await
            .code(0)
            .stdout_has("orders-value compatible under BACKWARD")
            .stdout_has("the schema of version 1, the latest, with another data contract")
            .stdout_has("info[CONTRACT_CHANGED] schemas/orders.avsc.contract.json at /")
            .stdout_has(changes);
        run(&p, &url, &["register", "--dry-run", "orders-value"])
            .await
            .code(0)
            .stdout_has("orders-value would register")
            .stdout_has("would send the data contract of schemas/orders.avsc.contract.json: metadata (properties owner), ruleSet (domainRules checkId, checkTotal)")
            .stdout_has(changes);
        assert_eq!(client.versions("orders-value").await.unwrap(), [1], "a dry run sends nothing");
        run(&p, &url, &["register", "orders-value"])
            .await
            .code(0)
            .stdout_has("orders-value registered")
            .stdout_has("version 2)")
            .stdout_has(changes);
        // A fresh client: the first one keeps `latest` for its TTL, as Confluent's does.
        let latest = Client::builder(&url)
            .build()
            .unwrap()
            .latest("orders-value")
            .await
            .unwrap();
        assert_eq!(latest.version, 2);
        assert_eq!(latest.rule_set.as_ref(), Some(&rule_set(CONTRACT_CHANGED)));
        run(&p, &url, &["check", "orders-value"])
            .await
            .code(0)
            .stdout_has("orders-value unchanged");
        // A contract change beside a breaking one: the breaking one decides.
        p.write("schemas/orders.avsc", ORDER_BREAKING);
        p.write(SIDECAR, CONTRACT);
        run(&p, &url, &["check", "orders-value"])
            .await
            .code(1)
            .stdout_has("error[READER_FIELD_MISSING_DEFAULT_VALUE]")
            .stdout_has("info[CONTRACT_CHANGED]");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_writes_the_registrys_contract_next_to_each_schema() {
    with_registry(|url| async move {
        let p = shop_with_contract();
        register_with_contract(&p, &url).await;
        std::fs::remove_file(p.path().join(SIDECAR)).unwrap();
        run(&p, &url, &["pull"])
            .await
            .code(0)
            .stdout_has("orders-value written")
            .stdout_has("data contract written to schemas/orders.avsc.contract.json")
            .stdout_has("customers-value unchanged");
        // Laid out by pretty, in Confluent's key order, `disabled` as Confluent writes it.
        let written = p.read(SIDECAR);
        assert_eq!(
            written,
            r#"{
  "metadata": {"properties": {"owner": "payments"}},
  "ruleSet": {
    "domainRules": [
      {
        "name": "checkId",
        "kind": "CONDITION",
        "mode": "WRITE",
        "type": "CEL",
        "expr": "size(message.id) > 0",
        "disabled": false
      }
    ]
  }
}
"#
        );
        assert!(
            !p.path()
                .join("schemas/customers.json.contract.json")
                .exists()
        );
        // The same contract, laid out by hand: left byte for byte.
        p.write(SIDECAR, CONTRACT);
        run(&p, &url, &["pull", "orders-value"])
            .await
            .code(0)
            .stdout_has("orders-value unchanged");
        assert_eq!(p.read(SIDECAR), CONTRACT);
        // An unmapped subject goes to --dir, its contract beside it.
        run(&p, &url, &["pull", "orders-value", "--dir", "out"])
            .await
            .code(0);
        let client = Client::builder(&url).build().unwrap();
        client
            .register(
                "archive-value",
                &client.latest("orders-value").await.unwrap().body(),
            )
            .await
            .unwrap();
        run(&p, &url, &["pull", "archive-value", "--dir", "out"])
            .await
            .code(0)
            .stdout_has("data contract written to out/archive-value.avsc.contract.json");
        assert_eq!(p.read("out/archive-value.avsc.contract.json"), written);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_compares_a_contract_declared_in_schemagate_toml_without_writing_it() {
    with_registry(|url| async move {
        let p = shop();
        p.write("schemagate.toml", &project_with_tables(TOML_CONTRACT));
        run(&p, &url, &["register"])
            .await
            .code(0)
            .stdout_has("sent the data contract of schemagate.toml ([[subjects]] entry 1)");
        let client = Client::builder(&url).build().unwrap();
        let latest = client.latest("orders-value").await.unwrap();
        assert_eq!(
            kept(latest.metadata.as_ref()),
            Some(metadata(CONTRACT)),
            "the registry did not keep the data contract it was sent: this needs the server's data-contract support"
        );
        run(&p, &url, &["pull", "orders-value"])
            .await
            .code(0)
            .stdout_has("orders-value unchanged")
            .stdout_has("data contract as declared in schemagate.toml ([[subjects]] entry 1)");
        assert!(!p.path().join(SIDECAR).exists(), "pull wrote a sidecar beside a declared contract");
        p.write(
            "schemagate.toml",
            &project_with_tables(&TOML_CONTRACT.replace("\"payments\"", "\"billing\"")),
        );
        run(&p, &url, &["pull", "orders-value"])
            .await
            .code(0)
            .stdout_has("info[CONTRACT_CHANGED] schemagate.toml")
            .stdout_has("version 1's data contract is not the one schemagate.toml ([[subjects]] entry 1) declares, and pull does not edit schemagate.toml (registry -> declared): metadata.properties.owner \"payments\" -> \"billing\"");
        assert!(!p.path().join(SIDECAR).exists());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_compatibility_group_limits_what_check_compares_as_the_registry_does() {
    with_registry(|url| async move {
        let p = shop();
        p.write(SIDECAR, r#"{"metadata": {"properties": {"major": "1"}}}"#);
        let client = Client::builder(&url).build().unwrap();
        let mut group = Config::default();
        group.compatibility_group = Some("major".into());
        client
            .set_config(Some("orders-value"), &group)
            .await
            .expect("PUT /config/orders-value with compatibilityGroup: this needs the server's data-contract config");
        run(&p, &url, &["register", "orders-value"]).await.code(0);
        let config = client.config(Some("orders-value"), true).await.unwrap();
        assert_eq!(config.compatibility_group.as_deref(), Some("major"));
        // A breaking change in the same group is breaking...
        p.write("schemas/orders.avsc", ORDER_BREAKING);
        run(&p, &url, &["check", "orders-value"])
            .await
            .code(1)
            .stdout_has("compatibility group major = \"1\"");
        // ...and starts a new group when the contract says so: nothing to compare with.
        p.write(SIDECAR, r#"{"metadata": {"properties": {"major": "2"}}}"#);
        run(&p, &url, &["check", "orders-value"])
            .await
            .code(0)
            .stdout_has("no version in compatibility group major = \"2\" yet (the latest, version 1, is in another)")
            .stdout_has("metadata.properties.major \"1\" -> \"2\"");
        run(&p, &url, &["register", "orders-value"])
            .await
            .code(0)
            .stdout_has("version 2)");
    })
    .await;
}
