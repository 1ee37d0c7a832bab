//! Data contracts (Confluent 8's `metadata` and `ruleSet`) over real HTTP: what every
//! endpoint answers and keeps across a restart, how a registration inherits and merges
//! them (Confluent's `maybeSetMetadataRuleSet`), `confluent:version`, registrations
//! without a schema, compatibility groups, rule validation (42210), GUIDs, and the
//! upgrade of a store written by format 1.
//!
//! Each expected outcome is Confluent's (AbstractSchemaRegistry, KafkaSchemaRegistry,
//! Metadata, RuleSet, Rule, MD5 in confluentinc/schema-registry); the test names say it.

use crate::common;

use common::{Answer, TestServer, order_breaking, order_v1, order_v2, record};
use schemagate_core::contract::{self, GuidRef, Metadata, RuleSet};
use schemagate_server::Config;
use serde_json::{Value, json};

// ----- shared inputs -----

/// Metadata of every kind: tags, properties, sensitive fields.
fn metadata() -> Value {
    json!({
        "tags": {"Order.id": ["PII", "KEY"]},
        "properties": {"owner": "team-a", "application.major.version": "1"},
        "sensitive": ["id"]
    })
}

/// `metadata()` as answered: collections sorted (Java's TreeMap/TreeSet).
fn metadata_answered() -> Value {
    json!({
        "tags": {"Order.id": ["KEY", "PII"]},
        "properties": {"application.major.version": "1", "owner": "team-a"},
        "sensitive": ["id"]
    })
}

/// A CEL condition named `name` in `mode` (a domain rule unless the mode says migration).
fn rule(name: &str, mode: &str, expr: &str) -> Value {
    json!({"name": name, "kind": "CONDITION", "mode": mode, "type": "CEL", "expr": expr})
}

/// `rule(..)` as answered: `disabled` is always written, as Jackson writes a primitive.
fn rule_answered(name: &str, mode: &str, expr: &str) -> Value {
    let mut r = rule(name, mode, expr);
    r["disabled"] = json!(false);
    r
}

/// Rules of two phases, with every optional field of a rule.
fn rules() -> Value {
    json!({
        "migrationRules": [{
            "name": "rename-note", "doc": "note was called comment", "kind": "TRANSFORM",
            "mode": "UPGRADE", "type": "JSONATA", "expr": "$merge([$, {'note': comment}])",
            "tags": ["B", "A"], "params": {"z": "1", "a": "2"},
            "onSuccess": "NONE", "onFailure": "ERROR", "disabled": false
        }],
        "domainRules": [rule("id-not-empty", "WRITE", "message.id != ''")]
    })
}

/// `rules()` as answered.
fn rules_answered() -> Value {
    json!({
        "migrationRules": [{
            "name": "rename-note", "doc": "note was called comment", "kind": "TRANSFORM",
            "mode": "UPGRADE", "type": "JSONATA", "tags": ["A", "B"], "params": {"a": "2", "z": "1"},
            "expr": "$merge([$, {'note': comment}])",
            "onSuccess": "NONE", "onFailure": "ERROR", "disabled": false
        }],
        "domainRules": [rule_answered("id-not-empty", "WRITE", "message.id != ''")]
    })
}

/// A third Order, BACKWARD compatible with v1 and v2.
fn order_v3() -> String {
    record(
        "Order",
        r#"[{"name":"id","type":"string"},{"name":"note","type":["null","string"],"default":null},{"name":"tag","type":["null","string"],"default":null}]"#,
    )
}

/// A registration body: `schema` (when given) with the contract parts given.
fn body(schema: Option<&str>, metadata: Option<Value>, rule_set: Option<Value>) -> Value {
    let mut b = json!({});
    if let Some(s) = schema {
        b["schema"] = json!(s);
    }
    if let Some(m) = metadata {
        b["metadata"] = m;
    }
    if let Some(r) = rule_set {
        b["ruleSet"] = r;
    }
    b
}

async fn register(s: &TestServer, subject: &str, b: Value) -> Answer {
    s.post(&format!("/subjects/{subject}/versions"), b).await
}

/// Registers and insists it worked; returns the answer's body.
async fn register_ok(s: &TestServer, subject: &str, b: Value) -> Value {
    let a = register(s, subject, b).await;
    assert_eq!(a.status, 200, "register {subject}: {}", a.text);
    a.body
}

async fn lookup(s: &TestServer, subject: &str, b: Value) -> Answer {
    s.post(&format!("/subjects/{subject}"), b).await
}

async fn version(s: &TestServer, subject: &str, v: &str) -> Value {
    let a = s.get(&format!("/subjects/{subject}/versions/{v}")).await;
    a.assert_ok().clone()
}

/// The GUID Confluent computes for `text` without references (the core's function,
/// itself checked against Confluent's golden MD5s): a cross-check of what the server
/// answers.
fn guid_of(text: &str, metadata: Option<&Value>, rule_set: Option<&Value>) -> String {
    let m: Option<Metadata> = metadata.map(|m| serde_json::from_value(m.clone()).unwrap());
    let r: Option<RuleSet> = rule_set.map(|r| serde_json::from_value(r.clone()).unwrap());
    contract::guid(text, [], m.as_ref(), r.as_ref())
}

// ----- key order: the text as registered, through every read, a restart, both stores -----

/// Every read of `subject`'s version 1 (schema `id`) answers `kept` as its text; the
/// answers' bodies, in order.
async fn reads_of_text(s: &TestServer, subject: &str, id: &Value, kept: &str) -> Vec<String> {
    let mut texts = Vec::new();
    for path in [
        format!("/subjects/{subject}/versions/1"),
        format!("/subjects/{subject}/versions/latest"),
        format!("/schemas/ids/{id}"),
    ] {
        let a = s.get(&path).await;
        assert_eq!(a.body["schema"], kept, "{path}: {}", a.text);
        let guid = a.body["guid"].as_str().expect("a guid").to_owned();
        assert_eq!(
            s.get(&format!("/schemas/guids/{guid}")).await.body["schema"],
            kept,
            "by the GUID of {path}"
        );
        texts.push(a.text);
    }
    for path in [
        format!("/subjects/{subject}/versions/1/schema"),
        format!("/schemas/ids/{id}/schema"),
    ] {
        assert_eq!(s.get(&path).await.text, kept, "{path}");
    }
    let listed = s.get(&format!("/schemas?subjectPrefix={subject}")).await;
    assert_eq!(listed.body[0]["schema"], kept);
    texts
}

// ----- 1. every endpoint, before and after a restart -----

/// Every read of the registered contract, as (what, answer text); each is checked for
/// the contract (`answered_rules`: the rule set as answered) on the way.
async fn read_everything(
    s: &TestServer,
    (id, guid, text): (u64, &str, &str),
    answered_rules: &Value,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut keep = |what: &str, a: &Answer| {
        assert_eq!(a.status, 200, "{what}: {}", a.text);
        out.push((what.to_owned(), a.text.clone()));
    };
    // Schema answers of the subject's version.
    for (what, a) in [
        ("version 1", s.get("/subjects/orders-value/versions/1").await),
        ("latest", s.get("/subjects/orders-value/versions/latest").await),
        (
            "lookup with the contract",
            lookup(s, "orders-value", body(Some(&order_v1()), Some(metadata()), Some(rules()))).await,
        ),
        (
            "lookup without it (inherited)",
            lookup(s, "orders-value", body(Some(&order_v1()), None, None)).await,
        ),
        (
            "metadata",
            s.get("/subjects/orders-value/metadata?key=owner&value=team-a&key=application.major.version&value=1")
                .await,
        ),
    ] {
        let b = &a.body;
        assert_eq!(b["subject"], "orders-value", "{what}: {}", a.text);
        assert_eq!(b["version"], 1, "{what}");
        assert_eq!(b["id"], id, "{what}");
        assert_eq!(b["guid"], guid, "{what}");
        assert_eq!(b["schema"], text, "{what}");
        assert_eq!(b["metadata"], metadata_answered(), "{what}");
        assert_eq!(b["ruleSet"], *answered_rules, "{what}");
        assert!(b["ts"].is_i64(), "{what}: {}", a.text);
        assert_eq!(b["deleted"], false, "{what}");
        keep(what, &a);
    }
    // The schema by id and by GUID: the same body.
    let by_id = s.get(&format!("/schemas/ids/{id}")).await;
    let by_guid = s.get(&format!("/schemas/guids/{guid}")).await;
    for (what, a) in [("by id", &by_id), ("by guid", &by_guid)] {
        let b = &a.body;
        assert_eq!(b["schema"], text, "{what}: {}", a.text);
        assert_eq!(b["metadata"], metadata_answered(), "{what}");
        assert_eq!(b["ruleSet"], *answered_rules, "{what}");
        assert_eq!(b["guid"], guid, "{what}");
        keep(what, a);
    }
    assert_eq!(
        by_id.text, by_guid.text,
        "a GUID answers what its id answers"
    );
    let ids = s.get(&format!("/schemas/guids/{guid}/ids")).await;
    assert_eq!(ids.body, json!([{"context": ".", "id": id}]));
    keep("ids of the guid", &ids);
    // The listing.
    let all = s.get("/schemas").await;
    let listed = all.body.as_array().expect("listing");
    assert_eq!(listed.len(), 1, "{}", all.text);
    assert_eq!(listed[0]["metadata"], metadata_answered());
    assert_eq!(listed[0]["ruleSet"], *answered_rules);
    assert_eq!(listed[0]["guid"], guid);
    keep("listing", &all);
    // The configurations holding contracts, and the idempotent registration.
    keep("config", &s.get("/config/orders-value").await);
    keep("other config", &s.get("/config/other-value").await);
    keep(
        "registered again",
        &register(
            s,
            "orders-value",
            body(Some(&order_v1()), Some(metadata()), Some(rules())),
        )
        .await,
    );
    out
}

on_each_store! {
    /// A JSON Schema written `zeta, alpha, mid` and an Avro record with custom
    /// attributes in the registrant's order come back as Confluent stores them (JSON
    /// compact in the registrant's order; Avro in Avro's order, attributes as written)
    /// from every read, and the same after a restart.
    async fn key_order_is_kept_through_every_read_endpoint_and_a_restart() {
        let s = TestServer::start().await;
        let json_sent = "{\n  \"type\": \"object\",\n  \"properties\": {\"zeta\": {\"type\": \"string\"}, \"alpha\": {\"type\": \"integer\", \"minimum\": 1.50}, \"mid\": {\"type\": \"boolean\"}},\n  \"required\": [\"zeta\"]\n}";
        let json_kept = r#"{"type":"object","properties":{"zeta":{"type":"string"},"alpha":{"type":"integer","minimum":1.50},"mid":{"type":"boolean"}},"required":["zeta"]}"#;
        let avro_sent = r#"{"fields": [{"type": "string", "name": "id", "z-prop": 1, "a-prop": 2}], "x-owner": "team", "namespace": "shop", "name": "Order", "type": "record", "doc": "An order"}"#;
        let avro_kept = r#"{"type":"record","name":"Order","namespace":"shop","doc":"An order","fields":[{"name":"id","type":"string","z-prop":1,"a-prop":2}],"x-owner":"team"}"#;
        let mut json_body = body(Some(json_sent), None, None);
        json_body["schemaType"] = json!("JSON");
        let json_id = register_ok(&s, "people-value", json_body).await["id"].clone();
        let avro_id = register_ok(&s, "orders-value", body(Some(avro_sent), None, None)).await["id"].clone();
        let before = (
            reads_of_text(&s, "people-value", &json_id, json_kept).await,
            reads_of_text(&s, "orders-value", &avro_id, avro_kept).await,
        );
        // A lookup in another key order finds the version and answers the text kept.
        let reordered = r#"{"type":"record","namespace":"shop","name":"Order","doc":"An order","x-owner":"team","fields":[{"a-prop":2,"z-prop":1,"name":"id","type":"string"}]}"#;
        let found = lookup(&s, "orders-value", body(Some(reordered), None, None)).await;
        assert_eq!(found.body["schema"], avro_kept, "{}", found.text);
        let dir = s.stop().await;
        let s = TestServer::start_in(dir, Config::default()).await;
        let after = (
            reads_of_text(&s, "people-value", &json_id, json_kept).await,
            reads_of_text(&s, "orders-value", &avro_id, avro_kept).await,
        );
        assert_eq!(before, after, "the answers changed across the restart");
    }

    /// Register with metadata and rules, read them from every endpoint, restart, read
    /// again: the same bytes (`ts`, `guid`, the contract and the configurations
    /// holding contracts included).
    async fn a_contract_is_answered_by_every_endpoint_and_byte_identical_after_a_restart() {
        let s = TestServer::start().await;
        let compressed = || rule("compressed", "WRITEREAD", "true");
        let set = s
            .put(
                "/config/orders-value",
                json!({"defaultRuleSet": {"encodingRules": [compressed()]}, "normalize": false}),
            )
            .await;
        assert_eq!(
            set.assert_ok(),
            &json!({"normalize": false, "defaultRuleSet": {"encodingRules": [rule_answered("compressed", "WRITEREAD", "true")]}})
        );
        let other = json!({
            "compatibility": "FULL",
            "compatibilityGroup": "application.major.version",
            "defaultMetadata": metadata_answered(),
            "overrideMetadata": {"properties": {"owner": "platform"}},
            "defaultRuleSet": rules_answered(),
            "overrideRuleSet": {"domainRules": [rule_answered("x", "READ", "true")], "enableAt": "CLIENT"}
        });
        assert_eq!(s.put("/config/other-value", other.clone()).await.assert_ok(), &other);

        let reg = register(&s, "orders-value", body(Some(&order_v1()), Some(metadata()), Some(rules()))).await;
        let b = reg.assert_ok().clone();
        assert!(b.get("subject").is_none(), "a registration answers no subject: {b}");
        assert_eq!(b["version"], 1);
        let id = b["id"].as_u64().expect("id");
        // The default rules merge in under the registration's own.
        let mut expected_rules = rules_answered();
        expected_rules["encodingRules"] = json!([rule_answered("compressed", "WRITEREAD", "true")]);
        let mut rules_stored = rules();
        rules_stored["encodingRules"] = json!([compressed()]);
        let guid = b["guid"].as_str().expect("guid").to_owned();
        assert!(contract::is_guid(&guid), "{guid}");
        // Confluent's MD5 of the text answered, the metadata and the rules as merged.
        let text = b["schema"].as_str().expect("schema").to_owned();
        assert_eq!(guid, guid_of(&text, Some(&metadata()), Some(&rules_stored)));
        assert_eq!(b["metadata"], metadata_answered());
        assert_eq!(b["ruleSet"], expected_rules);
        assert!(b["ts"].is_i64() && b["ts"].as_i64().unwrap() > 1_600_000_000_000, "{b}");
        assert_eq!(b["deleted"], false);

        let before = read_everything(&s, (id, &guid, &text), &expected_rules).await;
        // Read twice: the second from the caches.
        assert_eq!(read_everything(&s, (id, &guid, &text), &expected_rules).await, before);
        // The idempotent registration answers what the registration did.
        assert_eq!(before.last().unwrap().1, reg.text);
        let mut other_answered = other.clone();
        let level = other_answered.as_object_mut().unwrap().remove("compatibility").unwrap();
        other_answered["compatibilityLevel"] = level;
        assert_eq!(s.get("/config/other-value").await.body, other_answered);

        let dir = s.stop().await;
        let s = TestServer::start_in(dir, Config::default()).await;
        let after = read_everything(&s, (id, &guid, &text), &expected_rules).await;
        assert_eq!(before.len(), after.len());
        for ((what, old), (_, new)) in before.iter().zip(&after) {
            assert_eq!(old, new, "{what} changed across the restart");
        }
    }

    /// `"metadata": {}` and `"ruleSet": {}` are given, empty: they replace the previous
    /// version's (nothing is inherited), differ from none (another id and GUID: Java
    /// hashes a present metadata with a marker byte) and are answered as `{}`, also
    /// after a restart.
    async fn empty_metadata_and_rules_are_given_ones_distinct_from_none_and_survive_a_restart() {
        let s = TestServer::start().await;
        let v1 = register_ok(&s, "orders-value", body(Some(&order_v1()), Some(metadata()), Some(rules()))).await;
        let plain = register_ok(&s, "plain-value", body(Some(&order_v1()), None, None)).await;
        let v2 = register_ok(&s, "orders-value", body(Some(&order_v1()), Some(json!({})), Some(json!({})))).await;
        assert_eq!(v2["version"], 2);
        assert_eq!((&v2["metadata"], &v2["ruleSet"]), (&json!({}), &json!({})));
        let text = v2["schema"].as_str().unwrap();
        assert_eq!(v2["guid"], guid_of(text, Some(&json!({})), Some(&json!({}))));
        let ids: std::collections::BTreeSet<_> = [&v1, &v2, &plain].iter().map(|v| v["id"].to_string()).collect();
        assert_eq!(ids.len(), 3);
        let before = s.get("/subjects/orders-value/versions/2").await.text;
        let dir = s.stop().await;
        let s = TestServer::start_in(dir, Config::default()).await;
        assert_eq!(s.get("/subjects/orders-value/versions/2").await.text, before);
        // And it is found again as such, not as the plain schema.
        let again = register_ok(&s, "orders-value", body(Some(&order_v1()), Some(json!({})), Some(json!({})))).await;
        assert_eq!(again["version"], 2);
    }

}

#[tokio::test]
async fn a_config_update_keeps_the_fields_it_leaves_out_and_clears_those_it_sets_to_null() {
    let s = TestServer::start().await;
    let full = json!({
        "compatibility": "FULL",
        "normalize": true,
        "compatibilityGroup": "g",
        "defaultMetadata": {"properties": {"owner": "a"}}
    });
    assert_eq!(
        s.put("/config/orders-value", full).await.assert_ok()["compatibility"],
        "FULL"
    );
    let partial = s
        .put(
            "/config/orders-value",
            json!({"normalize": null, "overrideMetadata": {"properties": {"owner": "b"}}}),
        )
        .await;
    let expected = json!({
        "compatibilityGroup": "g",
        "defaultMetadata": {"properties": {"owner": "a"}},
        "overrideMetadata": {"properties": {"owner": "b"}}
    });
    let mut answered = expected.clone();
    answered["compatibility"] = json!("FULL");
    assert_eq!(partial.assert_ok(), &answered);
    let mut read = expected;
    read["compatibilityLevel"] = json!("FULL");
    assert_eq!(s.get("/config/orders-value").await.body, read);
    // Metadata of the wrong shape is refused (42201) and changes nothing.
    s.put(
        "/config/orders-value",
        json!({"defaultMetadata": {"properties": ["a"]}}),
    )
    .await
    .assert_error(422, 42201);
    assert_eq!(s.get("/config/orders-value").await.body, read);
    // A delete answers the configuration that was set, all of it.
    assert_eq!(s.delete("/config/orders-value").await.body, read);
    s.get("/config/orders-value").await.assert_error(404, 40408);
}

// ----- 2. inheritance, merges, confluent:version, registrations without a schema -----

#[tokio::test]
async fn registering_the_same_schema_without_metadata_inherits_it_and_returns_the_same_version() {
    let s = TestServer::start().await;
    let first = register_ok(
        &s,
        "orders-value",
        body(Some(&order_v1()), Some(metadata()), Some(rules())),
    )
    .await;
    let again = register_ok(&s, "orders-value", body(Some(&order_v1()), None, None)).await;
    assert_eq!(
        (again["id"].clone(), again["version"].clone()),
        (first["id"].clone(), json!(1))
    );
    assert_eq!(again["metadata"], metadata_answered());
    assert_eq!(again["ruleSet"], rules_answered());
    assert_eq!(
        s.get("/subjects/orders-value/versions").await.body,
        json!([1])
    );
}

#[tokio::test]
async fn a_new_schema_registered_without_a_contract_inherits_the_previous_versions() {
    let s = TestServer::start().await;
    register_ok(
        &s,
        "orders-value",
        body(Some(&order_v1()), Some(metadata()), Some(rules())),
    )
    .await;
    let v2 = register_ok(&s, "orders-value", body(Some(&order_v2()), None, None)).await;
    assert_eq!(v2["version"], 2);
    assert_eq!(v2["metadata"], metadata_answered());
    assert_eq!(v2["ruleSet"], rules_answered());
    // Only the metadata given: the rules still come from the previous version.
    let v3 = register_ok(
        &s,
        "orders-value",
        body(
            Some(&order_v3()),
            Some(json!({"properties": {"owner": "team-b"}})),
            None,
        ),
    )
    .await;
    assert_eq!(v3["metadata"], json!({"properties": {"owner": "team-b"}}));
    assert_eq!(v3["ruleSet"], rules_answered());
    // Only the rules given: the metadata comes from v3.
    let v4 = register_ok(
        &s,
        "orders-value",
        body(
            None,
            None,
            Some(json!({"domainRules": [rule("other", "READ", "true")]})),
        ),
    )
    .await;
    assert_eq!(v4["version"], 4);
    assert_eq!(v4["metadata"], json!({"properties": {"owner": "team-b"}}));
    assert_eq!(
        v4["ruleSet"],
        json!({"domainRules": [rule_answered("other", "READ", "true")]})
    );
}

#[tokio::test]
async fn given_metadata_and_rules_replace_the_previous_versions_rather_than_merging_with_them() {
    let s = TestServer::start().await;
    register_ok(
        &s,
        "orders-value",
        body(
            Some(&order_v1()),
            Some(json!({"properties": {"owner": "a", "team": "t"}, "tags": {"Order.id": ["PII"]}, "sensitive": ["id"]})),
            Some(json!({"domainRules": [rule("x", "WRITE", "1"), rule("y", "WRITE", "1")]})),
        ),
    )
    .await;
    let v2 = register_ok(
        &s,
        "orders-value",
        body(
            Some(&order_v2()),
            Some(json!({"properties": {"owner": "b"}})),
            Some(json!({"domainRules": [rule("z", "WRITE", "2")]})),
        ),
    )
    .await;
    assert_eq!(v2["metadata"], json!({"properties": {"owner": "b"}}));
    assert_eq!(
        v2["ruleSet"],
        json!({"domainRules": [rule_answered("z", "WRITE", "2")]})
    );
}

#[tokio::test]
async fn default_metadata_is_under_the_request_and_override_metadata_over_it_key_by_key() {
    let s = TestServer::start().await;
    let config = json!({
        "defaultMetadata": {
            "properties": {"owner": "default", "tier": "gold", "domain": "shop"},
            "tags": {"Order.id": ["DEFAULT"]},
            "sensitive": ["a"]
        },
        "overrideMetadata": {"properties": {"owner": "override", "region": "eu"}, "sensitive": ["c"]}
    });
    for subject in ["orders-value", "bare-value"] {
        let set = s.put(&format!("/config/{subject}"), config.clone()).await;
        assert_eq!(set.assert_ok(), &config);
    }
    let v1 = register_ok(
        &s,
        "orders-value",
        body(
            Some(&order_v1()),
            Some(json!({"properties": {"owner": "mine", "tier": "silver", "team": "t"}, "tags": {"Order.id": ["PII"]}, "sensitive": ["b"]})),
            None,
        ),
    )
    .await;
    // merge(merge(default, request), override): the request beats the default (tier,
    // the tag list), the override beats both (owner); sensitive fields are a union.
    let merged = json!({
        "properties": {"owner": "override", "tier": "silver", "domain": "shop", "team": "t", "region": "eu"},
        "tags": {"Order.id": ["PII"]},
        "sensitive": ["a", "b", "c"]
    });
    assert_eq!(v1["metadata"], merged);
    // Without a contract of its own, a version starts from the previous one's.
    let v2 = register_ok(&s, "orders-value", body(Some(&order_v2()), None, None)).await;
    assert_eq!(v2["metadata"], merged);
    // Nothing given and nothing before: the default under the override.
    let bare = register_ok(&s, "bare-value", body(Some(&order_v1()), None, None)).await;
    assert_eq!(
        bare["metadata"],
        json!({
            "properties": {"owner": "override", "tier": "gold", "domain": "shop", "region": "eu"},
            "tags": {"Order.id": ["DEFAULT"]},
            "sensitive": ["a", "c"]
        })
    );
}

#[tokio::test]
async fn rules_merge_by_name_a_new_rule_replaces_its_namesake_after_the_old_rules_it_keeps() {
    let s = TestServer::start().await;
    s.put(
        "/config/orders-value",
        json!({
            "defaultRuleSet": {"domainRules": [rule("b", "WRITE", "default"), rule("a", "WRITE", "default")], "enableAt": "CLIENT"},
            "overrideRuleSet": {"domainRules": [rule("a", "WRITE", "override")], "migrationRules": [rule("m", "UPGRADE", "override")]}
        }),
    )
    .await
    .assert_ok();
    let v1 = register_ok(
        &s,
        "orders-value",
        body(
            Some(&order_v1()),
            None,
            Some(json!({"domainRules": [rule("b", "WRITE", "mine")]})),
        ),
    )
    .await;
    // default [b, a] + request [b] = [a, b(mine)]; + override [a] = [b(mine), a(override)].
    assert_eq!(
        v1["ruleSet"],
        json!({
            "migrationRules": [rule_answered("m", "UPGRADE", "override")],
            "domainRules": [rule_answered("b", "WRITE", "mine"), rule_answered("a", "WRITE", "override")],
            "enableAt": "CLIENT"
        })
    );
}

#[tokio::test]
async fn confluent_version_is_pinned_when_asked_for_and_kept_up_to_date_once_present() {
    let s = TestServer::start().await;
    // A version asked for: `confluent:version` is set to it.
    let mut asked = body(Some(&order_v1()), None, None);
    asked["version"] = json!(1);
    let v1 = register_ok(&s, "orders-value", asked).await;
    assert_eq!(
        v1["metadata"],
        json!({"properties": {"confluent:version": "1"}})
    );
    // Inherited, it follows the new version.
    let v2 = register_ok(&s, "orders-value", body(Some(&order_v2()), None, None)).await;
    assert_eq!(v2["version"], 2);
    assert_eq!(
        v2["metadata"],
        json!({"properties": {"confluent:version": "2"}})
    );
    // Given with another number, it is corrected to the new version.
    let v3 = register_ok(
        &s,
        "orders-value",
        body(
            Some(&order_v3()),
            Some(json!({"properties": {"owner": "x", "confluent:version": "9"}})),
            None,
        ),
    )
    .await;
    assert_eq!(v3["version"], 3);
    assert_eq!(
        v3["metadata"],
        json!({"properties": {"confluent:version": "3", "owner": "x"}})
    );

    // The same schema without `confluent:version` is the version that has it.
    let again = register_ok(&s, "orders-value", body(Some(&order_v1()), None, None)).await;
    assert_eq!(
        (again["version"].clone(), again["id"].clone()),
        (json!(1), v1["id"].clone())
    );
    let found = lookup(&s, "orders-value", body(Some(&order_v2()), None, None)).await;
    assert_eq!(found.assert_ok()["version"], 2);
    let found = lookup(
        &s,
        "orders-value",
        body(
            Some(&order_v2()),
            Some(json!({"properties": {"confluent:version": "2"}})),
            None,
        ),
    )
    .await;
    assert_eq!(found.assert_ok()["version"], 2);
    // Another number names no version.
    lookup(
        &s,
        "orders-value",
        body(
            Some(&order_v2()),
            Some(json!({"properties": {"confluent:version": "1"}})),
            None,
        ),
    )
    .await
    .assert_error(404, 40403);
    assert_eq!(
        s.get("/subjects/orders-value/versions").await.body,
        json!([1, 2, 3])
    );

    // A version stored without one is found by a request that names its number only.
    register_ok(&s, "plain-value", body(Some(&order_v1()), None, None)).await;
    let pinned = |n: &str| {
        body(
            Some(&order_v1()),
            Some(json!({"properties": {"confluent:version": n}})),
            None,
        )
    };
    assert_eq!(
        lookup(&s, "plain-value", pinned("1")).await.assert_ok()["version"],
        1
    );
    lookup(&s, "plain-value", pinned("2"))
        .await
        .assert_error(404, 40403);
}

/// `"version": -1` asks for the latest version: Confluent's `registerOrForward` looks the
/// schema up in the latest version first (`lookupLatestOnly`) and answers it when it
/// holds the schema, before any `confluent:version` is pinned.
#[tokio::test]
async fn registering_the_latest_schema_with_version_minus_1_answers_the_latest_version() {
    let s = TestServer::start().await;
    let v1 = register_ok(&s, "orders-value", body(Some(&order_v1()), None, None)).await;
    let mut latest = body(Some(&order_v1()), None, None);
    latest["version"] = json!(-1);
    let again = register_ok(&s, "orders-value", latest).await;
    assert_eq!(
        (again["version"].clone(), again["id"].clone()),
        (json!(1), v1["id"].clone()),
        "{again}"
    );
    assert_eq!(
        s.get("/subjects/orders-value/versions").await.body,
        json!([1])
    );
}

#[tokio::test]
async fn a_registration_without_a_schema_creates_a_new_version_with_the_previous_schema_and_the_new_rules()
 {
    let s = TestServer::start().await;
    let v1 = register_ok(
        &s,
        "orders-value",
        body(Some(&order_v1()), Some(metadata()), Some(rules())),
    )
    .await;
    let new_rules = json!({"domainRules": [rule("id-short", "WRITE", "size(message.id) < 10")]});
    let v2 = register_ok(
        &s,
        "orders-value",
        body(None, None, Some(new_rules.clone())),
    )
    .await;
    assert_eq!(v2["version"], 2);
    assert_ne!(v2["id"], v1["id"], "other rules, another schema id");
    assert_eq!(v2["schema"], v1["schema"]);
    assert_eq!(v2["metadata"], metadata_answered());
    assert_eq!(
        v2["ruleSet"],
        json!({"domainRules": [rule_answered("id-short", "WRITE", "size(message.id) < 10")]})
    );
    assert_eq!(
        s.get("/subjects/orders-value/versions").await.body,
        json!([1, 2])
    );
    // Nothing new at all: the latest version, no new one.
    let same = register_ok(&s, "orders-value", json!({})).await;
    assert_eq!(
        (same["version"].clone(), same["id"].clone()),
        (json!(2), v2["id"].clone())
    );
    assert_eq!(
        s.get("/subjects/orders-value/versions").await.body,
        json!([1, 2])
    );
}

/// SECURITY.md: a prefix-limited principal may only reference subjects within its
/// prefixes, and is never shown a subject name outside them. A registration without a
/// schema takes the latest version's schema, references included: for such a principal
/// it must be refused (40301) when those references name another team's subject, as a
/// read of that version is, rather than answer them and pin the other version.
#[tokio::test]
async fn a_registration_without_a_schema_neither_shows_nor_pins_references_outside_the_callers_prefixes()
 {
    use schemagate_server::auth::hash_password;
    let auth_dir = tempfile::tempdir().unwrap();
    let auth = auth_dir.path().join("auth.toml");
    std::fs::write(
        &auth,
        format!(
            "[[users]]\nname = \"admin\"\npassword_hash = \"{}\"\nrole = \"admin\"\n\n\
             [[users]]\nname = \"producer\"\npassword_hash = \"{}\"\nrole = \"write\"\n\
             subject_prefixes = [\"orders.\"]\n",
            hash_password("admin-pw"),
            hash_password("producer-pw")
        ),
    )
    .unwrap();
    let s = TestServer::start_with(Config {
        auth_config: Some(auth),
        ..Config::default()
    })
    .await;
    let send = |who: (&'static str, &'static str),
                method: reqwest::Method,
                path: String,
                b: Option<Value>| {
        let s = &s;
        async move {
            let mut req = s
                .client
                .request(method, s.url(&path))
                .basic_auth(who.0, Some(who.1));
            if let Some(b) = b {
                req = req
                    .header("content-type", "application/json")
                    .body(b.to_string());
            }
            s.send(req).await
        }
    };
    let (admin, producer) = (("admin", "admin-pw"), ("producer", "producer-pw"));
    let post = reqwest::Method::POST;
    let customer = record("Customer", r#"[{"name":"name","type":"string"}]"#);
    send(
        admin,
        post.clone(),
        "/subjects/shared.customer/versions".into(),
        Some(body(Some(&customer), None, None)),
    )
    .await
    .assert_ok();
    let mut order = body(
        Some(&record(
            "Order",
            r#"[{"name":"customer","type":"shop.Customer"}]"#,
        )),
        None,
        None,
    );
    order["references"] =
        json!([{"name": "shop.Customer", "subject": "shared.customer", "version": 1}]);
    send(
        admin,
        post.clone(),
        "/subjects/orders.value/versions".into(),
        Some(order),
    )
    .await
    .assert_ok();

    // The rule, as reads apply it.
    send(
        producer,
        reqwest::Method::GET,
        "/subjects/orders.value/versions/latest".into(),
        None,
    )
    .await
    .assert_error(403, 40301);
    let a = send(
        producer,
        post,
        "/subjects/orders.value/versions".into(),
        Some(body(
            None,
            Some(json!({"properties": {"owner": "orders"}})),
            None,
        )),
    )
    .await;
    assert!(
        !a.text.contains("shared.customer"),
        "shown another team's subject: {}",
        a.text
    );
    a.assert_error(403, 40301);
    let versions = send(
        admin,
        reqwest::Method::GET,
        "/subjects/orders.value/versions".into(),
        None,
    )
    .await;
    assert_eq!(
        versions.body,
        json!([1]),
        "a version pinning shared.customer v1 was added"
    );
}

#[tokio::test]
async fn a_registration_without_a_schema_and_without_a_live_version_is_refused_with_42201() {
    let s = TestServer::start().await;
    let a = register(&s, "orders-value", body(None, Some(metadata()), None)).await;
    a.assert_error(422, 42201);
    assert!(
        a.body["message"].as_str().unwrap().contains("Empty schema"),
        "{}",
        a.text
    );
    s.get("/subjects/orders-value/versions")
        .await
        .assert_error(404, 40401);
    // Soft-deleted versions are not "previous" ones.
    register_ok(&s, "orders-value", body(Some(&order_v1()), None, None)).await;
    s.delete("/subjects/orders-value").await.assert_ok();
    register(&s, "orders-value", body(None, None, Some(rules())))
        .await
        .assert_error(422, 42201);
    assert_eq!(s.get("/subjects").await.body, json!([]));
}

#[tokio::test]
async fn other_metadata_or_rules_make_a_new_version_and_a_new_id() {
    let s = TestServer::start().await;
    let m1 = json!({"properties": {"owner": "a"}});
    let m2 = json!({"properties": {"owner": "b"}});
    let a = register_ok(
        &s,
        "orders-value",
        body(Some(&order_v1()), Some(m1.clone()), None),
    )
    .await;
    let b = register_ok(
        &s,
        "orders-value",
        body(Some(&order_v1()), Some(m2.clone()), None),
    )
    .await;
    let c = register_ok(
        &s,
        "orders-value",
        body(Some(&order_v1()), Some(m2.clone()), Some(rules())),
    )
    .await;
    let plain = register_ok(&s, "plain-value", body(Some(&order_v1()), None, None)).await;
    let versions: Vec<_> = [&a, &b, &c].iter().map(|v| v["version"].clone()).collect();
    assert_eq!(versions, [json!(1), json!(2), json!(3)]);
    let mut ids: Vec<u64> = [&a, &b, &c, &plain]
        .iter()
        .map(|v| v["id"].as_u64().unwrap())
        .collect();
    let guids: std::collections::BTreeSet<_> = [&a, &b, &c, &plain]
        .iter()
        .map(|v| v["guid"].to_string())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 4, "four schemas: {a} {b} {c} {plain}");
    assert_eq!(guids.len(), 4);
    // The same schema with the same contract elsewhere: the same id (ids are global).
    let elsewhere = register_ok(&s, "copy-value", body(Some(&order_v1()), Some(m1), None)).await;
    assert_eq!(
        (elsewhere["id"].clone(), elsewhere["version"].clone()),
        (a["id"].clone(), json!(1))
    );
    assert_eq!(elsewhere["guid"], a["guid"]);
}

#[tokio::test]
async fn the_same_schema_with_the_same_contract_answers_the_same_id_and_version() {
    let s = TestServer::start().await;
    let first = register_ok(
        &s,
        "orders-value",
        body(Some(&order_v1()), Some(metadata()), Some(rules())),
    )
    .await;
    // The same contract in another order and layout, defaults spelt out.
    let reordered_metadata = json!({
        "sensitive": ["id"],
        "properties": {"application.major.version": 1, "owner": "team-a"},
        "tags": {"Order.id": ["KEY", "PII"]}
    });
    let mut spelt_out = rules();
    spelt_out["domainRules"][0]["disabled"] = json!(null);
    spelt_out["encodingRules"] = json!([]);
    for b in [
        body(Some(&order_v1()), Some(metadata()), Some(rules())),
        body(Some(&order_v1()), Some(reordered_metadata), Some(spelt_out)),
    ] {
        let again = register_ok(&s, "orders-value", b).await;
        assert_eq!(again, first);
    }
    assert_eq!(
        s.get("/subjects/orders-value/versions").await.body,
        json!([1])
    );
}

#[tokio::test]
async fn a_lookup_without_a_contract_finds_the_version_registered_with_an_inherited_one() {
    let s = TestServer::start().await;
    register_ok(
        &s,
        "orders-value",
        body(Some(&order_v1()), Some(metadata()), Some(rules())),
    )
    .await;
    let v2 = register_ok(&s, "orders-value", body(Some(&order_v2()), None, None)).await;
    assert_eq!(v2["metadata"], metadata_answered());
    for (schema, v) in [(order_v2(), 2), (order_v1(), 1)] {
        let found = lookup(&s, "orders-value", body(Some(&schema), None, None)).await;
        assert_eq!(found.assert_ok()["version"], v, "{}", found.text);
        assert_eq!(found.body["metadata"], metadata_answered());
    }
    // Other metadata names no version.
    lookup(
        &s,
        "orders-value",
        body(
            Some(&order_v1()),
            Some(json!({"properties": {"owner": "nobody"}})),
            None,
        ),
    )
    .await
    .assert_error(404, 40403);
}

#[tokio::test]
async fn a_lookup_applies_the_configs_defaults_as_a_registration_does() {
    let s = TestServer::start().await;
    s.put(
        "/config/orders-value",
        json!({"defaultMetadata": {"properties": {"owner": "default"}}}),
    )
    .await
    .assert_ok();
    let v1 = register_ok(&s, "orders-value", body(Some(&order_v1()), None, None)).await;
    assert_eq!(v1["metadata"], json!({"properties": {"owner": "default"}}));
    let found = lookup(&s, "orders-value", body(Some(&order_v1()), None, None)).await;
    assert_eq!(found.assert_ok()["version"], 1);
    let again = register_ok(&s, "orders-value", body(Some(&order_v1()), None, None)).await;
    assert_eq!(again["version"], 1);
    assert_eq!(
        s.get("/subjects/orders-value/versions").await.body,
        json!([1])
    );
}

/// `GET /subjects/{s}/metadata` (Confluent's `getLatestWithMetadata`): the newest
/// version whose metadata properties hold every pair asked for.
#[tokio::test]
async fn the_metadata_route_answers_the_newest_version_holding_every_pair() {
    let s = TestServer::start().await;
    let props = |owner: &str, tier: &str| json!({"properties": {"owner": owner, "tier": tier}});
    register_ok(
        &s,
        "orders-value",
        body(Some(&order_v1()), Some(props("a", "1")), None),
    )
    .await;
    register_ok(
        &s,
        "orders-value",
        body(Some(&order_v2()), Some(props("a", "2")), None),
    )
    .await;
    register_ok(
        &s,
        "orders-value",
        body(Some(&order_v3()), Some(props("b", "2")), None),
    )
    .await;
    let found = |query: &'static str| {
        let s = &s;
        async move {
            let a = s
                .get(&format!("/subjects/orders-value/metadata?{query}"))
                .await;
            let b = a.assert_ok();
            assert_eq!(b["subject"], "orders-value");
            b["version"].clone()
        }
    };
    assert_eq!(found("key=owner&value=a").await, 2);
    assert_eq!(found("key=owner&value=a&key=tier&value=1").await, 1);
    assert_eq!(found("key=tier&value=2").await, 3);
    assert_eq!(found("key=tier&value=2&key=owner&value=a").await, 2);
    s.get("/subjects/orders-value/metadata?key=owner&value=c")
        .await
        .assert_error(404, 40403);
    s.get("/subjects/orders-value/metadata?key=owner&value=a&key=tier&value=3")
        .await
        .assert_error(404, 40403);
    s.get("/subjects/nothing-here/metadata?key=owner&value=a")
        .await
        .assert_error(404, 40401);
    // Soft-deleted versions only with deleted=true.
    s.delete("/subjects/orders-value/versions/2")
        .await
        .assert_ok();
    assert_eq!(found("key=owner&value=a").await, 1);
    assert_eq!(found("key=owner&value=a&deleted=true").await, 2);
}

/// `GET /schemas?ruleType=T` (Confluent's `SchemasResource.getSchemas`): only the
/// versions whose rule set has a rule of executor type `T`, in any phase.
#[tokio::test]
async fn the_schema_listing_keeps_only_the_rule_type_asked_for() {
    let s = TestServer::start().await;
    register_ok(
        &s,
        "orders-value",
        body(Some(&order_v1()), None, Some(rules())),
    )
    .await;
    let jsonata_only = json!({"migrationRules": rules()["migrationRules"].clone()});
    register_ok(
        &s,
        "orders-value",
        body(Some(&order_v2()), None, Some(jsonata_only)),
    )
    .await;
    register_ok(&s, "plain-value", body(Some(&order_v1()), None, None)).await;
    let listed = |query: &'static str| {
        let s = &s;
        async move {
            let a = s.get(&format!("/schemas{query}")).await;
            a.assert_ok()
                .as_array()
                .expect("a listing")
                .iter()
                .map(|e| format!("{} v{}", e["subject"].as_str().unwrap(), e["version"]))
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        listed("").await,
        ["orders-value v1", "orders-value v2", "plain-value v1"]
    );
    assert_eq!(listed("?ruleType=CEL").await, ["orders-value v1"]);
    assert_eq!(
        listed("?ruleType=JSONATA").await,
        ["orders-value v1", "orders-value v2"]
    );
    assert!(listed("?ruleType=ENCRYPT").await.is_empty());
}

/// Confluent answers 40401 when the subject has no version it may show
/// (`hasSubjects(subject, deleted)`), as `GET /subjects/{s}/versions/latest` does here.
#[tokio::test]
async fn the_metadata_route_of_a_subject_with_only_soft_deleted_versions_is_40401() {
    let s = TestServer::start().await;
    register_ok(
        &s,
        "orders-value",
        body(Some(&order_v1()), Some(metadata()), None),
    )
    .await;
    s.delete("/subjects/orders-value").await.assert_ok();
    s.get("/subjects/orders-value/versions/latest")
        .await
        .assert_error(404, 40401);
    let with = s
        .get("/subjects/orders-value/metadata?key=owner&value=team-a&deleted=true")
        .await;
    assert_eq!(with.assert_ok()["version"], 1);
    s.get("/subjects/orders-value/metadata?key=owner&value=team-a")
        .await
        .assert_error(404, 40401);
}

/// A lookup's answer depends on the config's defaults and overrides: a cached answer
/// must not outlive a change of them.
#[tokio::test]
async fn a_lookup_follows_a_change_of_the_configs_override() {
    let s = TestServer::start().await;
    register_ok(
        &s,
        "orders-value",
        body(Some(&order_v1()), Some(metadata()), Some(rules())),
    )
    .await;
    let plain = || body(Some(&order_v1()), None, None);
    for _ in 0..2 {
        assert_eq!(
            lookup(&s, "orders-value", plain()).await.assert_ok()["version"],
            1
        );
    }
    let with_override = json!({"overrideMetadata": {"properties": {"owner": "platform"}}});
    s.put("/config/orders-value", with_override)
        .await
        .assert_ok();
    // What a registration would now give it is not v1's contract.
    lookup(&s, "orders-value", plain())
        .await
        .assert_error(404, 40403);
    // The contract given in full still finds v1.
    let full = body(Some(&order_v1()), Some(metadata()), Some(rules()));
    assert_eq!(
        lookup(&s, "orders-value", full).await.assert_ok()["version"],
        1
    );
    s.delete("/config/orders-value").await.assert_ok();
    assert_eq!(
        lookup(&s, "orders-value", plain()).await.assert_ok()["version"],
        1
    );
}

// ----- 3. compatibility groups -----

const GROUP: &str = "application.major.version";

fn major(n: &str) -> Value {
    json!({"properties": {GROUP: n}})
}

/// A subject grouped by `GROUP` (BACKWARD, the default level).
async fn grouped(s: &TestServer, subject: &str) {
    let set = s
        .put(
            &format!("/config/{subject}"),
            json!({"compatibilityGroup": GROUP}),
        )
        .await;
    assert_eq!(set.assert_ok(), &json!({"compatibilityGroup": GROUP}));
}

/// Incompatible with `order_breaking` (its amount becomes a string).
fn order_breaking_again() -> String {
    record(
        "Order",
        r#"[{"name":"id","type":"string"},{"name":"amount","type":"string"}]"#,
    )
}

#[tokio::test]
async fn an_incompatible_change_in_another_compatibility_group_is_accepted() {
    let s = TestServer::start().await;
    grouped(&s, "orders-value").await;
    register_ok(
        &s,
        "orders-value",
        body(Some(&order_v1()), Some(major("1")), None),
    )
    .await;
    let v2 = register_ok(
        &s,
        "orders-value",
        body(Some(&order_breaking()), Some(major("2")), None),
    )
    .await;
    assert_eq!(v2["version"], 2);
    // Without the group, the same change is refused.
    register_ok(
        &s,
        "ungrouped-value",
        body(Some(&order_v1()), Some(major("1")), None),
    )
    .await;
    register(
        &s,
        "ungrouped-value",
        body(Some(&order_breaking()), Some(major("2")), None),
    )
    .await
    .assert_error(409, 40901);
}

#[tokio::test]
async fn an_incompatible_change_in_the_same_compatibility_group_is_refused_with_409() {
    let s = TestServer::start().await;
    grouped(&s, "orders-value").await;
    register_ok(
        &s,
        "orders-value",
        body(Some(&order_v1()), Some(major("1")), None),
    )
    .await;
    register_ok(
        &s,
        "orders-value",
        body(Some(&order_breaking()), Some(major("2")), None),
    )
    .await;
    // Group 1 holds v1, which order_breaking breaks.
    register(
        &s,
        "orders-value",
        body(Some(&order_breaking()), Some(major("1")), None),
    )
    .await
    .assert_error(409, 40901);
    // Group 2 holds v2, which order_breaking_again breaks.
    register(
        &s,
        "orders-value",
        body(Some(&order_breaking_again()), Some(major("2")), None),
    )
    .await
    .assert_error(409, 40901);
    // Compatible within the group: accepted.
    let v3 = register_ok(
        &s,
        "orders-value",
        body(Some(&order_v2()), Some(major("1")), None),
    )
    .await;
    assert_eq!(v3["version"], 3);
    // Without metadata, a registration inherits the latest version's group (1 here):
    // order_breaking is v2 itself in group 2, and breaks v3 in group 1.
    register(
        &s,
        "orders-value",
        body(Some(&order_breaking()), None, None),
    )
    .await
    .assert_error(409, 40901);
    assert_eq!(
        s.get("/subjects/orders-value/versions").await.body,
        json!([1, 2, 3])
    );
}

#[tokio::test]
async fn a_version_without_the_group_property_is_a_group_of_its_own() {
    let s = TestServer::start().await;
    grouped(&s, "orders-value").await;
    register_ok(&s, "orders-value", body(Some(&order_v1()), None, None)).await;
    register_ok(
        &s,
        "orders-value",
        body(Some(&order_breaking()), Some(major("2")), None),
    )
    .await;
    // Metadata without the property: compared with v1, which has none either, and
    // not with v2 (the latest), which order_breaking would match.
    let no_group = || Some(json!({"properties": {"owner": "x"}}));
    register(
        &s,
        "orders-value",
        body(Some(&order_breaking()), no_group(), None),
    )
    .await
    .assert_error(409, 40901);
    let v3 = register_ok(
        &s,
        "orders-value",
        body(Some(&order_v2()), no_group(), None),
    )
    .await;
    assert_eq!(v3["version"], 3);
}

/// `is_compatible` of checking `schema` with `metadata` against `versions` (the path
/// after the subject).
async fn compatible(
    s: &TestServer,
    versions: &str,
    schema: &str,
    metadata: Option<Value>,
) -> Value {
    let a = s
        .post(
            &format!("/compatibility/subjects/orders-value/{versions}"),
            body(Some(schema), metadata, None),
        )
        .await;
    a.assert_ok()["is_compatible"].clone()
}

#[tokio::test]
async fn the_compatibility_endpoint_checks_only_the_candidates_group() {
    let s = TestServer::start().await;
    grouped(&s, "orders-value").await;
    register_ok(
        &s,
        "orders-value",
        body(Some(&order_v1()), Some(major("1")), None),
    )
    .await;
    register_ok(
        &s,
        "orders-value",
        body(Some(&order_breaking()), Some(major("2")), None),
    )
    .await;
    assert_eq!(
        compatible(&s, "versions", &order_breaking(), Some(major("1"))).await,
        false
    );
    assert_eq!(
        compatible(&s, "versions", &order_breaking(), Some(major("2"))).await,
        true
    );
    assert_eq!(
        compatible(&s, "versions", &order_breaking_again(), Some(major("2"))).await,
        false
    );
    // A new group has nothing to be compatible with; so has a candidate without the
    // property here (no version lacks it), since the check inherits nothing.
    assert_eq!(
        compatible(&s, "versions", &order_breaking_again(), Some(major("3"))).await,
        true
    );
    assert_eq!(
        compatible(&s, "versions", &order_breaking_again(), None).await,
        true
    );
}

/// Confluent's CompatibilityResource passes the one version asked for (`latest`: the
/// subject's latest) to `isCompatibleWithPrevious`, which keeps only the versions of
/// the candidate's group: a version of another group leaves nothing to compare.
#[tokio::test]
async fn checking_against_one_version_of_another_group_compares_nothing_as_confluent_does() {
    let s = TestServer::start().await;
    grouped(&s, "orders-value").await;
    register_ok(
        &s,
        "orders-value",
        body(Some(&order_v1()), Some(major("1")), None),
    )
    .await;
    register_ok(
        &s,
        "orders-value",
        body(Some(&order_breaking()), Some(major("2")), None),
    )
    .await;
    // Against v1, in the candidate's group: compared.
    assert_eq!(
        compatible(&s, "versions/1", &order_breaking(), Some(major("1"))).await,
        false
    );
    // Against v1 from group 2, and against the latest (v2, group 2) from group 1.
    assert_eq!(
        compatible(&s, "versions/1", &order_breaking(), Some(major("2"))).await,
        true,
        "version 1 is not in group 2"
    );
    assert_eq!(
        compatible(&s, "versions/latest", &order_breaking(), Some(major("1"))).await,
        true,
        "the latest version (2) is not in group 1"
    );
}

// ----- 4. rule validation -----

/// Every refusal of Confluent's `Rule.validate` and `RuleSet.validate`, with the start
/// of the message.
fn refused_rule_sets() -> Vec<(Value, &'static str)> {
    let named = |name: Value| json!({"domainRules": [{"name": name, "type": "CEL", "mode": "WRITE", "expr": "true"}]});
    let mut two_actions = rule("r", "WRITE", "true");
    two_actions["onFailure"] = json!("ERROR,NONE");
    vec![
        (
            json!({"domainRules": [{"type": "CEL"}]}),
            "Missing rule name",
        ),
        (named(json!("")), "Empty rule name"),
        (
            named(json!("1st")),
            "Illegal initial character in rule name",
        ),
        (named(json!("a b")), "Illegal character in rule name"),
        (named(json!("x".repeat(257))), "Rule name too long"),
        (
            json!({"domainRules": [{"name": "r", "expr": "true"}]}),
            "Missing rule type",
        ),
        (
            json!({"domainRules": [rule("r", "WRITE", "1"), rule("r", "READ", "2")]}),
            "Found rule with duplicate name 'r'",
        ),
        (
            json!({"migrationRules": [rule("r", "UPGRADE", "1")], "encodingRules": [rule("r", "READ", "2")]}),
            "Found rule with duplicate name 'r'",
        ),
        (
            json!({"migrationRules": [rule("r", "WRITE", "1")]}),
            "Migration rules can only be UPGRADE, DOWNGRADE, UPDOWN",
        ),
        (
            json!({"domainRules": [rule("r", "UPGRADE", "1")]}),
            "Domain rules can only be WRITE, READ, WRITEREAD",
        ),
        (
            json!({"encodingRules": [rule("r", "UPDOWN", "1")]}),
            "Encoding rules can only be WRITE, READ, WRITEREAD",
        ),
        (
            json!({"domainRules": [two_actions]}),
            "Multiple actions only valid with WRITEREAD and UPDOWN",
        ),
    ]
}

#[track_caller]
fn assert_42210(a: &Answer, starts: &str, what: &str) {
    assert_eq!(
        (a.status, &a.body["error_code"]),
        (422, &json!(42210)),
        "{what}: {}",
        a.text
    );
    let message = a.body["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(starts),
        "{what}: {message:?} does not say {starts:?}"
    );
}

#[tokio::test]
async fn each_rule_confluent_refuses_is_42210_on_register_and_config_and_nothing_is_stored() {
    let s = TestServer::start().await;
    for (rule_set, says) in refused_rule_sets() {
        let what = rule_set.to_string();
        let a = register(
            &s,
            "orders-value",
            body(Some(&order_v1()), None, Some(rule_set.clone())),
        )
        .await;
        assert_42210(&a, says, &format!("register {what}"));
        let a = s
            .put("/config", json!({"defaultRuleSet": rule_set.clone()}))
            .await;
        assert_42210(&a, says, &format!("PUT /config defaultRuleSet {what}"));
        let a = s
            .put("/config", json!({"overrideRuleSet": rule_set.clone()}))
            .await;
        assert_42210(&a, says, &format!("PUT /config overrideRuleSet {what}"));
        let a = s
            .put(
                "/config/orders-value",
                json!({"compatibility": "NONE", "overrideRuleSet": rule_set.clone()}),
            )
            .await;
        assert_42210(&a, says, &format!("PUT /config/{{s}} {what}"));
        let a = s
            .put("/config/orders-value", json!({"defaultRuleSet": rule_set}))
            .await;
        assert_42210(
            &a,
            says,
            &format!("PUT /config/{{s}} defaultRuleSet {what}"),
        );
    }
    assert_eq!(s.get("/subjects").await.body, json!([]));
    assert_eq!(s.get("/schemas").await.body, json!([]));
    assert_eq!(
        s.get("/config").await.body,
        json!({"compatibilityLevel": "BACKWARD"})
    );
    s.get("/config/orders-value").await.assert_error(404, 40408);
    // What Confluent accepts at the edges: a 256-character name, two actions both ways.
    let mut both_ways = rule("r", "WRITEREAD", "true");
    both_ways["onFailure"] = json!("ERROR,NONE");
    let accepted = json!({"domainRules": [both_ways, rule(&"x".repeat(256), "WRITE", "true")]});
    register_ok(
        &s,
        "orders-value",
        body(Some(&order_v1()), None, Some(accepted.clone())),
    )
    .await;
    s.put(
        "/config",
        json!({"defaultRuleSet": accepted.clone(), "overrideRuleSet": accepted}),
    )
    .await
    .assert_ok();
}

/// Confluent checks a rule name one UTF-16 unit at a time with Java's
/// `Character.isLetter` (initial) and `isLetterOrDigit`: a number that is not a decimal
/// digit (`½`, `²`, `Ⅻ`) is no letter or digit, and a letter outside the Basic
/// Multilingual Plane arrives as surrogates, which are neither.
#[tokio::test]
async fn rule_names_are_judged_by_javas_character_classes() {
    let s = TestServer::start().await;
    let named = |name: &str| json!({"domainRules": [rule(name, "WRITE", "true")]});
    // What Java accepts: letters and decimal digits of any script.
    for name in ["règle_1", "правило-2", "規則３", "r٣"] {
        register_ok(
            &s,
            "accepted-value",
            body(Some(&order_v1()), None, Some(named(name))),
        )
        .await;
    }
    for (name, says) in [
        ("half½", "Illegal character in rule name"),
        ("squared²", "Illegal character in rule name"),
        ("roman\u{216B}", "Illegal character in rule name"),
        ("\u{1D49C}script", "Illegal initial character in rule name"),
        ("a\u{1D49C}", "Illegal character in rule name"),
    ] {
        let a = register(
            &s,
            "orders-value",
            body(Some(&order_v1()), None, Some(named(name))),
        )
        .await;
        assert_42210(&a, says, &format!("rule name {name:?}"));
        let a = s
            .put("/config", json!({"defaultRuleSet": named(name)}))
            .await;
        assert_42210(&a, says, &format!("config rule name {name:?}"));
    }
    s.get("/subjects/orders-value/versions")
        .await
        .assert_error(404, 40401);
}

// ----- 5. GUIDs -----

/// The inputs of Confluent's golden file (`schema-md5-golden-data.json` of
/// `SchemaMD5RegressionTest`) and its GUIDs, as core/src/contract/tests.rs has them.
mod golden {
    use serde_json::{Value, json};

    pub const AVRO: &str = "{\"type\":\"record\",\"name\":\"Person\",\"namespace\":\"io.confluent.kafka.example\",\"fields\":[{\"name\":\"name\",\"type\":\"string\"},{\"name\":\"age\",\"type\":\"int\"},{\"name\":\"ssn\",\"type\":\"string\"},{\"name\":\"user\",\"type\":\"io.confluent.kafka.example.User\"},{\"name\":\"address\",\"type\":\"io.confluent.kafka.example.Address\"}]}";

    /// Avro with references (`User` v1, `Address` v2), metadata and rules present or
    /// not: combinations 100, 101, 110 and 111 of the golden file.
    pub const AVRO_WITH_REFERENCES: [&str; 4] = [
        "5c08d70e-5347-41b2-6369-199425d044eb",
        "96825311-eb10-b7f5-48be-2a023b4c018e",
        "3619d8e0-2ee8-de51-0d9e-2520d39174d5",
        "589556fb-ad98-e8e0-94fa-e6da3455433a",
    ];

    pub fn references() -> Value {
        json!([
            {"name": "io.confluent.kafka.example.User", "subject": "User", "version": 1},
            {"name": "io.confluent.kafka.example.Address", "subject": "Address", "version": 2}
        ])
    }

    pub fn metadata() -> Value {
        json!({"tags": {"environment": ["production", "staging"], "team": ["data-engineering"]}, "properties": {"description": "Person schema for user management", "owner": "data-team", "version": "1.0.0"}, "sensitive": ["credit-card", "ssn"]})
    }

    pub fn rules() -> Value {
        json!({"migrationRules": [{"name": "upgrade-rule-1", "doc": "Upgrade rule for field changes", "kind": "TRANSFORM", "mode": "UPGRADE", "type": "FIELD_UPDATE", "tags": ["PERSON"], "params": {"field": "name"}, "expr": "field.name = field.name.toUpperCase()", "onSuccess": "none", "onFailure": "error", "disabled": false}, {"name": "downgrade-rule-1", "doc": "Downgrade rule for compatibility", "kind": "TRANSFORM", "mode": "DOWNGRADE", "type": "FIELD_DELETE", "tags": ["PERSON"], "params": {"field": "ssn"}, "expr": "delete field.ssn", "onSuccess": "none", "onFailure": "error", "disabled": false}], "domainRules": [{"name": "validation-rule-1", "doc": "Validate age field", "kind": "CONDITION", "mode": "WRITE", "type": "FIELD_VALIDATION", "tags": ["PERSON"], "params": {"field": "age"}, "expr": "field.age >= 0 && field.age <= 150", "onSuccess": "none", "onFailure": "error", "disabled": false}, {"name": "masking-rule-1", "doc": "Mask sensitive data on read", "kind": "TRANSFORM", "mode": "READ", "type": "DATA_MASKING", "tags": ["PERSON"], "params": {"field": "ssn"}, "expr": "field.ssn = '***-**-****'", "onSuccess": "none", "onFailure": "error", "disabled": false}]})
    }
}

/// The referenced types of the golden Avro text, `User` at v1 and `Address` at v2.
async fn golden_references(s: &TestServer) {
    let ns = "io.confluent.kafka.example";
    let user = format!(
        r#"{{"type":"record","name":"User","namespace":"{ns}","fields":[{{"name":"id","type":"string"}}]}}"#
    );
    let address = |extra: &str| {
        format!(
            r#"{{"type":"record","name":"Address","namespace":"{ns}","fields":[{{"name":"street","type":"string"}}{extra}]}}"#
        )
    };
    s.register_ok("User", &user).await;
    s.register_ok("Address", &address("")).await;
    s.register_ok(
        "Address",
        &address(r#",{"name":"city","type":["null","string"],"default":null}"#),
    )
    .await;
}

/// The golden Avro text as Confluent's registry stores it: `AvroSchema.canonicalString`
/// prints it with Avro's `Schema.toString(referencedSchemas, false)`, which writes a
/// named type of the record's own namespace by its short name.
fn golden_avro_as_stored() -> String {
    golden::AVRO
        .replace("\"io.confluent.kafka.example.User\"", "\"User\"")
        .replace("\"io.confluent.kafka.example.Address\"", "\"Address\"")
}

fn golden_refs() -> Vec<GuidRef<'static>> {
    vec![
        GuidRef {
            name: "io.confluent.kafka.example.User",
            subject: "User",
            version: 1,
        },
        GuidRef {
            name: "io.confluent.kafka.example.Address",
            subject: "Address",
            version: 2,
        },
    ]
}

/// The GUID of `text` with the golden references and, per `i` (as the golden file
/// numbers its combinations), the golden metadata (2) and rules (1).
fn golden_guid(text: &str, i: usize) -> String {
    let m: Metadata = serde_json::from_value(golden::metadata()).unwrap();
    let r: RuleSet = serde_json::from_value(golden::rules()).unwrap();
    contract::guid(
        text,
        golden_refs(),
        (i & 2 != 0).then_some(&m),
        (i & 1 != 0).then_some(&r),
    )
}

/// Registers the golden Avro text with its references under `person-{i}`, with the
/// golden metadata and rules as combination `i` says.
async fn register_golden(s: &TestServer, i: usize) -> Value {
    let mut b = body(
        Some(golden::AVRO),
        (i & 2 != 0).then(golden::metadata),
        (i & 1 != 0).then(golden::rules),
    );
    b["references"] = golden::references();
    register_ok(s, &format!("person-{i}"), b).await
}

#[tokio::test]
async fn the_guid_is_confluents_md5_of_the_answered_text_the_references_and_the_contract() {
    let s = TestServer::start().await;
    golden_references(&s).await;
    // The inputs are the golden file's: its GUIDs for the raw text.
    for (i, want) in golden::AVRO_WITH_REFERENCES.iter().enumerate() {
        assert_eq!(golden_guid(golden::AVRO, i), *want);
    }
    let mut guids = std::collections::BTreeSet::new();
    for i in 0..4 {
        let got = register_golden(&s, i).await;
        let text = got["schema"].as_str().unwrap();
        let guid = got["guid"].as_str().unwrap();
        assert_eq!(guid, golden_guid(text, i), "combination 1{i:02b}");
        guids.insert(guid.to_owned());
        // Every answer carries it, and it names the schema.
        let id = got["id"].as_u64().unwrap();
        assert_eq!(version(&s, &format!("person-{i}"), "1").await["guid"], guid);
        let by_guid = s.get(&format!("/schemas/guids/{guid}")).await;
        assert_eq!(by_guid.assert_ok()["references"], golden::references());
        assert_eq!(by_guid.body["schema"], text);
        assert_eq!(
            s.get(&format!("/schemas/guids/{guid}/ids")).await.body,
            json!([{"context": ".", "id": id}])
        );
    }
    // JSON Schema, without references.
    let json_text = r#"{"type":"object","title":"Person","properties":{"name":{"type":"string"}}}"#;
    for i in 0..4 {
        let (m, r) = (
            (i & 2 != 0).then(golden::metadata),
            (i & 1 != 0).then(golden::rules),
        );
        let mut b = body(Some(json_text), m.clone(), r.clone());
        b["schemaType"] = json!("JSON");
        let got = register_ok(&s, &format!("json-{i}"), b).await;
        let text = got["schema"].as_str().unwrap();
        assert_eq!(
            got["guid"],
            guid_of(text, m.as_ref(), r.as_ref()),
            "combination 0{i:02b}"
        );
        guids.insert(got["guid"].as_str().unwrap().to_owned());
    }
    assert_eq!(guids.len(), 8, "every input has a GUID of its own");
}

/// What Confluent's registry answers for its own golden Avro input registered with
/// references, metadata and rules: the text as it stores it and the MD5 of that text.
#[tokio::test]
async fn the_golden_avro_registered_with_references_has_the_text_and_guid_confluent_answers() {
    let s = TestServer::start().await;
    golden_references(&s).await;
    let stored = golden_avro_as_stored();
    for i in 0..4 {
        let got = register_golden(&s, i).await;
        assert_eq!(got["schema"], stored.as_str(), "combination 1{i:02b}");
        assert_eq!(got["guid"], golden_guid(&stored, i), "combination 1{i:02b}");
    }
}

/// Confluent stores a schema's `canonicalString`: Avro in Avro's own key order (`type`,
/// `name`, `namespace`, `fields`; a field's `name`, `type`, `default`), JSON Schema
/// compact in the registrant's key order. The GUID is the MD5 of that text, so this is
/// what makes a GUID from Confluent name the same schema here (API.md, "The text as
/// registered" and "GUIDs").
#[tokio::test]
async fn the_text_as_registered_is_answered_as_confluent_stores_it() {
    let s = TestServer::start().await;
    // Avro in Avro's order, given pretty: answered compact, in that order.
    let pretty = order_v2().replace(',', ",\n  ").replace(':', ": ");
    let avro = register_ok(&s, "orders-value", body(Some(&pretty), None, None)).await;
    assert_eq!(avro["schema"], order_v2());
    assert_eq!(avro["guid"], guid_of(&order_v2(), None, None));
    // The same schema in another key order is the same schema, with the first text.
    let reordered = r#"{"namespace":"shop","fields":[{"type":"string","name":"id"},{"default":null,"type":["null","string"],"name":"note"}],"name":"Order","type":"record"}"#;
    let again = register_ok(&s, "copy-value", body(Some(reordered), None, None)).await;
    assert_eq!(
        (again["id"].clone(), again["schema"].clone()),
        (avro["id"].clone(), json!(order_v2()))
    );
    // JSON Schema: compact, the registrant's order.
    let json_text = r#"{"type":"object","title":"Person","properties":{"name":{"type":"string"},"age":{"type":"integer","minimum":0}},"required":["name"]}"#;
    let mut b = body(Some(&json_text.replace(',', ", ")), None, None);
    b["schemaType"] = json!("JSON");
    let json_answer = register_ok(&s, "person-value", b).await;
    assert_eq!(json_answer["schema"], json_text);
    assert_eq!(json_answer["guid"], guid_of(json_text, None, None));
}

#[tokio::test]
async fn an_unknown_or_malformed_guid_is_40403() {
    let s = TestServer::start().await;
    let b = register_ok(
        &s,
        "orders-value",
        body(Some(&order_v1()), Some(metadata()), None),
    )
    .await;
    let guid = b["guid"].as_str().unwrap().to_owned();
    s.get(&format!("/schemas/guids/{guid}")).await.assert_ok();
    let unknown = "00000000-0000-0000-0000-000000000000".to_owned();
    for bad in [
        unknown,
        "x".to_owned(),
        "not-a-guid".to_owned(),
        guid[1..].to_owned(),
        format!("{guid}0"),
        guid.replace('-', "_"),
        "1".to_owned(),
    ] {
        for path in [
            format!("/schemas/guids/{bad}"),
            format!("/schemas/guids/{bad}/ids"),
        ] {
            s.get(&path).await.assert_error(404, 40403);
        }
    }
    // A schema whose last version is gone for good has no GUID either.
    s.delete("/subjects/orders-value").await.assert_ok();
    s.get(&format!("/schemas/guids/{guid}")).await.assert_ok();
    s.delete("/subjects/orders-value?permanent=true")
        .await
        .assert_ok();
    s.get(&format!("/schemas/guids/{guid}"))
        .await
        .assert_error(404, 40403);
    s.get(&format!("/schemas/guids/{guid}/ids"))
        .await
        .assert_error(404, 40403);
}

/// Confluent reads the path's GUID with `UUID.fromString` (or as 32 hex digits), which
/// takes hex digits in either case: a GUID from a client that upper-cases it names the
/// same schema.
#[tokio::test]
async fn a_guid_is_read_in_either_case_as_java_reads_a_uuid() {
    let s = TestServer::start().await;
    let b = register_ok(
        &s,
        "orders-value",
        body(Some(&order_v1()), Some(metadata()), None),
    )
    .await;
    let guid = b["guid"].as_str().unwrap();
    let upper = s
        .get(&format!("/schemas/guids/{}", guid.to_uppercase()))
        .await;
    assert_eq!(upper.status, 200, "{}", upper.text);
    assert_eq!(upper.body["guid"], guid);
}

// ----- 8. the upgrade of a store written by format 1 -----

mod upgrade {
    use super::*;

    use std::collections::HashMap;
    use std::path::Path;

    use common::Backend;
    use schemagate_core::SchemaType;
    use schemagate_server::config::StoreChoice;
    use schemagate_server::store::{SchemaId, SchemaRef, Store, StoredSchema};

    /// One schema record as format 1 kept it: the sorted canonical text.
    struct V1Schema {
        id: u32,
        schema_type: SchemaType,
        /// The text format 1 stored (keys sorted).
        stored: &'static str,
        /// The text a client registers for it.
        registered: &'static str,
        references: Vec<SchemaRef>,
    }

    impl V1Schema {
        fn record(&self) -> StoredSchema {
            StoredSchema {
                schema_type: self.schema_type,
                schema: self.stored.to_owned(),
                references: self.references.clone(),
                metadata: None,
                rule_set: None,
            }
        }

        fn guid_of(&self, text: &str) -> String {
            contract::guid(
                text,
                self.references.iter().map(|r| GuidRef {
                    name: &r.name,
                    subject: &r.subject,
                    version: r.version,
                }),
                None,
                None,
            )
        }

        /// A content key as an older identity computed it: not the current one, so the
        /// upgrade must add the current key for the schema to be found by content.
        fn stale_key(&self) -> [u8; 32] {
            let mut key = [0xA5; 32];
            key[..4].copy_from_slice(&self.id.to_be_bytes());
            key
        }
    }

    const ORDER_SORTED: &str = r#"{"fields":[{"name":"id","type":"string"}],"name":"Order","namespace":"shop","type":"record"}"#;
    const ORDER: &str = r#"{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"string"}]}"#;
    // (ORDER is `order_v1()`, ORDER_V2 `order_v2()`.)
    const ORDER_V2_SORTED: &str = r#"{"fields":[{"name":"id","type":"string"},{"default":null,"name":"note","type":["null","string"]}],"name":"Order","namespace":"shop","type":"record"}"#;
    const ORDER_V2: &str = r#"{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"string"},{"name":"note","type":["null","string"],"default":null}]}"#;
    const PULSE_SORTED: &str = r#"{"properties":{"beat":{"type":"integer"}},"type":"object"}"#;
    const INVOICE_SORTED: &str = r#"{"fields":[{"name":"order","type":"shop.Order"}],"name":"Invoice","namespace":"shop","type":"record"}"#;
    const INVOICE: &str = r#"{"type":"record","name":"Invoice","namespace":"shop","fields":[{"name":"order","type":"shop.Order"}]}"#;
    const OLD_SORTED: &str = r#"{"fields":[],"name":"Old","namespace":"shop","type":"record"}"#;
    const OLD: &str = r#"{"type":"record","name":"Old","namespace":"shop","fields":[]}"#;

    fn order_ref() -> SchemaRef {
        SchemaRef {
            name: "shop.Order".into(),
            subject: "orders-value".into(),
            version: 1,
        }
    }

    fn schemas() -> Vec<V1Schema> {
        let avro = |id, stored, registered| V1Schema {
            id,
            schema_type: SchemaType::Avro,
            stored,
            registered,
            references: Vec::new(),
        };
        vec![
            avro(1, ORDER_SORTED, ORDER),
            avro(2, ORDER_V2_SORTED, ORDER_V2),
            V1Schema {
                id: 3,
                schema_type: SchemaType::Json,
                stored: PULSE_SORTED,
                registered: r#"{"type":"object","properties":{"beat":{"type":"integer"}}}"#,
                references: Vec::new(),
            },
            V1Schema {
                id: 4,
                schema_type: SchemaType::Avro,
                stored: INVOICE_SORTED,
                registered: INVOICE,
                references: vec![order_ref()],
            },
            avro(5, OLD_SORTED, OLD),
        ]
    }

    /// (subject, version, id, soft-deleted).
    const VERSIONS: [(&str, i32, u32, bool); 6] = [
        ("invoices-value", 1, 4, false),
        ("old-value", 1, 5, true),
        ("orders-value", 1, 1, false),
        ("orders-value", 2, 2, false),
        ("pulse-value", 1, 3, false),
        ("refunds-value", 1, 1, false),
    ];
    /// Ids 6 to 9 were skipped (an import); the next one is 10.
    const NEXT_ID: u32 = 10;

    fn version_key(subject: &str, version: i32) -> Vec<u8> {
        let mut key = subject.as_bytes().to_vec();
        key.push(0);
        key.extend_from_slice(&(version as u32).to_be_bytes());
        key
    }

    fn scope_key(subject: Option<&str>) -> Vec<u8> {
        match subject {
            None => vec![0],
            Some(s) => [&[1u8][..], s.as_bytes()].concat(),
        }
    }

    /// Writes the format-1 data set into a sled store at `dir`, record by record, as
    /// format 1 laid them out (5-byte versions, a 1-byte id index, bare level names).
    fn write_sled_v1(dir: &Path) {
        use schemagate_server::fuzzing::{put_raw, tree_names};
        use schemagate_server::store::sled::SledStore;
        let store = SledStore::open(dir).expect("opens a new sled store");
        let names = tree_names(&store);
        let tree = |name: &str| names.iter().position(|n| *n == name).expect(name);
        let put = |name: &str, key: &[u8], value: &[u8]| {
            put_raw(&store, tree(name), key, value).expect("raw write");
        };
        for s in schemas() {
            put(
                "schemas",
                &s.id.to_be_bytes(),
                &serde_json::to_vec(&s.record()).unwrap(),
            );
            put("fingerprints", &s.stale_key(), &s.id.to_be_bytes());
            for r in &s.references {
                let key = [
                    version_key(&r.subject, r.version),
                    s.id.to_be_bytes().to_vec(),
                ]
                .concat();
                put("refs", &key, &[]);
            }
        }
        for (subject, version, id, deleted) in VERSIONS {
            let value = [&id.to_be_bytes()[..], &[u8::from(deleted)]].concat();
            put("subject_versions", &version_key(subject, version), &value);
            let key = [&id.to_be_bytes()[..], &version_key(subject, version)].concat();
            put("id_versions", &key, &[u8::from(deleted)]);
        }
        put("config", &scope_key(None), b"FULL");
        put("config", &scope_key(Some("orders-value")), b"NONE");
        put("mode", &scope_key(Some("refunds-value")), b"READONLY");
        put("meta", b"next_id", &NEXT_ID.to_be_bytes());
        assert_eq!(store.format().unwrap(), 1);
        store.flush(0).expect("flushed");
    }

    /// Migration 1 of the PostgreSQL store, as released (read from the source, where
    /// released migrations are never edited).
    fn migration_1() -> &'static str {
        let source = include_str!("../../src/store/postgres/migrations.rs");
        let open = "const V1_TABLES: &str = r#\"";
        let start = source.find(open).expect("V1_TABLES") + open.len();
        let len = source[start..].find("\"#;").expect("end of V1_TABLES");
        &source[start..start + len]
    }

    /// A database with only migration 1 applied, holding the format-1 data set.
    fn write_postgres_v1(url: &str) {
        let url = url.to_owned();
        std::thread::spawn(move || {
            let mut c = ::postgres::Client::connect(&url, ::postgres::NoTls).expect("connects");
            let mut tx = c.transaction().unwrap();
            tx.batch_execute(migration_1()).expect("migration 1");
            tx.batch_execute(
                "CREATE TABLE schemagate_migrations (
                    version integer PRIMARY KEY,
                    applied_at timestamptz NOT NULL DEFAULT now()
                 );
                 INSERT INTO schemagate_migrations (version) VALUES (1);",
            )
            .unwrap();
            for s in schemas() {
                let id = s.id as i32;
                let refs = serde_json::to_string(&s.references).unwrap();
                tx.execute(
                    "INSERT INTO schemagate_schemas (id, schema_type, schema, refs) VALUES ($1, $2, $3, $4)",
                    &[&id, &s.schema_type.as_str(), &s.stored, &refs],
                )
                .unwrap();
                tx.execute(
                    "INSERT INTO schemagate_content_keys (key, id) VALUES ($1, $2)",
                    &[&&s.stale_key()[..], &id],
                )
                .unwrap();
                for r in &s.references {
                    tx.execute(
                        "INSERT INTO schemagate_refs (subject, version, id) VALUES ($1, $2, $3)",
                        &[&r.subject, &r.version, &id],
                    )
                    .unwrap();
                }
            }
            for (subject, version, id, deleted) in VERSIONS {
                tx.execute(
                    "INSERT INTO schemagate_versions (subject, version, id, deleted) VALUES ($1, $2, $3, $4)",
                    &[&subject, &version, &(id as i32), &deleted],
                )
                .unwrap();
            }
            tx.batch_execute(
                "INSERT INTO schemagate_config (scope, level) VALUES ('', 'FULL'), ('orders-value', 'NONE');
                 INSERT INTO schemagate_modes (scope, mode) VALUES ('refunds-value', 'READONLY');",
            )
            .unwrap();
            tx.execute(
                "INSERT INTO schemagate_meta (key, value) VALUES ('next_id', $1)",
                &[&i64::from(NEXT_ID)],
            )
            .unwrap();
            tx.commit().unwrap();
        })
        .join()
        .expect("format-1 database written");
    }

    /// What the store holds, read through the store itself: its format and every
    /// schema record with the id its GUID names.
    fn store_state(open: &Opener) -> (u32, Vec<(u32, StoredSchema, Option<SchemaId>)>) {
        // A thread of its own: PostgreSQL's blocking client may not run on a tokio worker.
        std::thread::scope(|scope| scope.spawn(|| read_store(open())).join().unwrap())
    }

    /// Opens the store the test wrote (the server stopped).
    type Opener = dyn Fn() -> Box<dyn Store> + Sync;

    fn read_store(store: Box<dyn Store>) -> (u32, Vec<(u32, StoredSchema, Option<SchemaId>)>) {
        let records = store
            .schema_ids()
            .unwrap()
            .into_iter()
            .map(|id| {
                let record = store.schema("", id).unwrap().expect("record");
                let by_guid = store
                    .ids_for_guid(&record.guid())
                    .unwrap()
                    .into_iter()
                    .find(|(context, _)| context.is_empty())
                    .map(|(_, id)| id);
                (id.0, record, by_guid)
            })
            .collect();
        (store.format().unwrap(), records)
    }

    /// For each id of the data set, the text and GUID the upgraded store must answer:
    /// what a new store answers for the same registrations today. A JSON text keeps
    /// the sorted order format 1 stored (the registrant's order is gone).
    async fn expected() -> HashMap<u32, (String, String)> {
        let s = TestServer::start().await;
        let mut out = HashMap::new();
        for (v1, subject) in schemas().into_iter().zip([
            "orders-value",
            "orders-value",
            "pulse-value",
            "invoices-value",
            "old-value",
        ]) {
            if v1.schema_type == SchemaType::Json {
                out.insert(v1.id, (v1.stored.to_owned(), v1.guid_of(v1.stored)));
                continue;
            }
            let mut b = body(Some(v1.registered), None, None);
            if !v1.references.is_empty() {
                b["references"] = json!(v1.references);
            }
            let got = register_ok(&s, subject, b).await;
            let text = got["schema"].as_str().unwrap().to_owned();
            assert_eq!(got["guid"], v1.guid_of(&text), "GUID of {text}");
            out.insert(v1.id, (text, got["guid"].as_str().unwrap().to_owned()));
        }
        out
    }

    /// Every answer about the upgraded data, checked on the way.
    async fn read_upgraded(
        s: &TestServer,
        expected: &HashMap<u32, (String, String)>,
    ) -> Vec<String> {
        let mut out = Vec::new();
        let subjects = s.get("/subjects").await;
        assert_eq!(
            subjects.body,
            json!([
                "invoices-value",
                "orders-value",
                "pulse-value",
                "refunds-value"
            ])
        );
        out.push(subjects.text);
        for (subject, v, id, deleted) in VERSIONS {
            let a = s
                .get(&format!("/subjects/{subject}/versions/{v}?deleted=true"))
                .await;
            let b = a.assert_ok();
            let (text, guid) = &expected[&id];
            assert_eq!(b["id"], id, "{subject} v{v}: {}", a.text);
            assert_eq!(b["deleted"], deleted, "{subject} v{v}");
            assert_eq!(b["schema"], text.as_str(), "{subject} v{v}");
            assert_eq!(b["guid"], guid.as_str(), "{subject} v{v}");
            assert!(
                b.get("metadata").is_none() && b.get("ruleSet").is_none(),
                "{}",
                a.text
            );
            assert!(b.get("ts").is_none(), "format 1 kept no time: {}", a.text);
            out.push(a.text.clone());
        }
        for s1 in schemas() {
            let (text, guid) = &expected[&s1.id];
            let a = s.get(&format!("/schemas/ids/{}", s1.id)).await;
            assert_eq!(a.assert_ok()["schema"], text.as_str(), "id {}", s1.id);
            let g = s.get(&format!("/schemas/guids/{guid}")).await;
            assert_eq!(g.status, 200, "GUID of id {}: {}", s1.id, g.text);
            assert_eq!(g.text, a.text, "id {}", s1.id);
            let ids = s.get(&format!("/schemas/guids/{guid}/ids")).await;
            assert_eq!(ids.body, json!([{"context": ".", "id": s1.id}]));
            out.extend([a.text, ids.text]);
        }
        let config = s.get("/config").await;
        assert_eq!(config.body, json!({"compatibilityLevel": "FULL"}));
        let own = s.get("/config/orders-value").await;
        assert_eq!(own.body, json!({"compatibilityLevel": "NONE"}));
        let mode = s.get("/mode/refunds-value").await;
        assert_eq!(mode.body, json!({"mode": "READONLY"}));
        out.extend([config.text, own.text, mode.text]);
        out
    }

    /// Writes to the upgraded store: content is found again under its id, new content
    /// takes the next id format 1 recorded. Returns the new id.
    async fn write_upgraded(s: &TestServer) -> u64 {
        // Found by the version scan in its own subject, by content key elsewhere.
        let again = register_ok(s, "orders-value", body(Some(&order_v1()), None, None)).await;
        assert_eq!(
            (again["id"].clone(), again["version"].clone()),
            (json!(1), json!(1))
        );
        assert_eq!(s.register_ok("orders-copy", &order_v1()).await, 1);
        assert_eq!(s.register_ok("orders-copy-2", ORDER_V2).await, 2);
        let mut invoice = body(Some(INVOICE), None, None);
        invoice["references"] =
            json!([{"name": "shop.Order", "subject": "orders-value", "version": 1}]);
        assert_eq!(register_ok(s, "invoices-copy", invoice).await["id"], 4);
        let mut pulse = body(
            Some(r#"{"type":"object","properties":{"beat":{"type":"integer"}}}"#),
            None,
            None,
        );
        pulse["schemaType"] = json!("JSON");
        assert_eq!(register_ok(s, "pulse-copy", pulse).await["id"], 3);
        s.register("refunds-value", &order_v2())
            .await
            .assert_error(422, 42205);
        let fresh = s.register_ok("fresh-value", &record("Fresh", "[]")).await;
        assert_eq!(fresh, u64::from(NEXT_ID));
        fresh
    }

    /// Starts a server on the format-1 store (it upgrades), reads and writes, restarts
    /// (nothing more to upgrade) and reads again.
    async fn upgrades(dir: tempfile::TempDir, config: impl Fn() -> Config, open: &Opener) {
        let expected = expected().await;
        let s = TestServer::start_in(dir, config()).await;
        let first = read_upgraded(&s, &expected).await;
        let dir = s.stop().await;
        let upgraded = store_state(open);
        assert_eq!(
            upgraded.0,
            schemagate_server::store::FORMAT,
            "the store is marked upgraded"
        );
        assert_eq!(upgraded.1.len(), 5);
        for (id, record, by_guid) in &upgraded.1 {
            assert_eq!(*by_guid, Some(SchemaId(*id)), "the GUID of {id} is indexed");
            assert!(record.metadata.is_none() && record.rule_set.is_none());
        }

        // A second start upgrades nothing and answers the same.
        let s = TestServer::start_in(dir, config()).await;
        assert_eq!(read_upgraded(&s, &expected).await, first);
        let dir = s.stop().await;
        assert_eq!(
            store_state(open),
            upgraded,
            "a second start changed the store"
        );

        // Writes on the upgraded store.
        let s = TestServer::start_in(dir, config()).await;
        write_upgraded(&s).await;
        s.stop().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_format_1_sled_store_is_upgraded_at_start_and_a_second_start_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        write_sled_v1(&data);
        let open = move || -> Box<dyn Store> {
            Box::new(schemagate_server::store::sled::SledStore::open(&data).expect("opens"))
        };
        upgrades(dir, Config::default, &open).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_format_1_postgres_database_is_upgraded_at_start_and_a_second_start_changes_nothing()
    {
        if !common::available(Backend::Postgres) {
            return;
        }
        let url = common::postgres::new_database().expect("test database");
        write_postgres_v1(&url);
        let config = || Config {
            store: StoreChoice::Postgres(url.clone()),
            ..Config::default()
        };
        let pg = url.clone();
        let open = move || -> Box<dyn Store> {
            Box::new(schemagate_server::store::postgres::PgStore::open(&pg, 2).expect("opens"))
        };
        upgrades(tempfile::tempdir().unwrap(), config, &open).await;
    }
}

/// Inline schema tags would rewrite the schema text, which this registry does not do
/// yet: a registration giving some is refused (42201), never stored without them; an
/// empty or null list is no tag at all.
#[tokio::test]
async fn schema_tags_to_add_or_remove_are_refused_not_dropped() {
    let s = TestServer::start().await;
    for field in ["schemaTagsToAdd", "schemaTagsToRemove"] {
        let mut b = body(Some(&order_v1()), None, None);
        b[field] =
            json!([{"entityPath": "shop.Order.id", "entityType": "SR_FIELD", "tags": ["PII"]}]);
        let a = register(&s, "orders-value", b).await;
        a.assert_error(422, 42201);
        assert!(a.text.contains(field), "{}", a.text);
    }
    s.get("/subjects/orders-value/versions")
        .await
        .assert_error(404, 40401);
    let mut b = body(Some(&order_v1()), None, None);
    b["schemaTagsToAdd"] = json!([]);
    b["schemaTagsToRemove"] = json!(null);
    register_ok(&s, "orders-value", b).await;
}

/// Outside IMPORT, a registration may name only the next version; any other is
/// Confluent's "Version is not one more than previous version", 42201.
#[tokio::test]
async fn a_registration_naming_a_version_other_than_the_next_is_42201() {
    let s = TestServer::start().await;
    let mut b = body(Some(&order_v1()), None, None);
    b["version"] = json!(1);
    assert_eq!(register_ok(&s, "orders-value", b).await["version"], 1);
    for v in [1, 3] {
        let mut b = body(Some(&order_v2()), None, None);
        b["version"] = json!(v);
        let a = register(&s, "orders-value", b).await;
        a.assert_error(422, 42201);
        assert!(
            a.text.contains("not one more than previous version"),
            "{}",
            a.text
        );
    }
    let mut b = body(Some(&order_v2()), None, None);
    b["version"] = json!(2);
    assert_eq!(register_ok(&s, "orders-value", b).await["version"], 2);
}
