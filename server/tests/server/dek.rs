//! The DEK registry (`/dek-registry/v1`, Confluent's client-side field-level
//! encryption) over HTTP, on both stores: every route with its answers and error codes,
//! soft and permanent deletes and undeletes in Confluent's order, pagination, shared
//! KEKs (which need a KMS Schemagate never holds), keys surviving a restart, and the
//! auth roles of the route table.

use crate::common;

use common::{Answer, TestServer};
use reqwest::Method;
use schemagate_server::Config;
use schemagate_server::auth::hash_password;
use serde_json::{Value, json};

const KEKS: &str = "/dek-registry/v1/keks";

fn kek_body(name: &str) -> Value {
    json!({"name": name, "kmsType": "local-kms", "kmsKeyId": "mykey"})
}

/// Wrapped key material as a client sends it (opaque to the registry).
fn material(tag: &str) -> String {
    format!("d3JhcHBlZC1{tag}")
}

async fn create_kek(s: &TestServer, name: &str) -> Value {
    s.post(KEKS, kek_body(name)).await.assert_ok().clone()
}

async fn create_dek(s: &TestServer, kek: &str, subject: &str, body: Value) -> Answer {
    s.post(&format!("{KEKS}/{kek}/deks/{subject}"), body).await
}

#[track_caller]
fn assert_no_content(a: &Answer) {
    assert_eq!(a.status, 204, "expected 204, got {} {}", a.status, a.text);
    assert!(a.text.is_empty(), "204 with a body: {}", a.text);
}

on_each_store! {
    /// A KEK: created with Confluent's shape, found, refused twice, updated, listed,
    /// soft-deleted, undeleted, permanently deleted only after a soft delete.
    async fn keks_are_created_read_updated_listed_and_deleted_as_confluent_does() {
        let s = TestServer::start().await;
        let kek = create_kek(&s, "kek1").await;
        assert_eq!(kek["name"], "kek1");
        assert_eq!(kek["kmsType"], "local-kms");
        assert_eq!(kek["kmsKeyId"], "mykey");
        assert_eq!(kek["kmsProps"], json!({}));
        assert_eq!(kek["shared"], false);
        assert!(kek["ts"].as_i64().unwrap() > 0);
        assert!(kek.get("deleted").is_none() && kek.get("doc").is_none(), "{kek}");
        assert_eq!(s.get(&format!("{KEKS}/kek1")).await.assert_ok(), &kek);

        s.post(KEKS, kek_body("kek1")).await.assert_error(409, 40971);
        s.get(&format!("{KEKS}/nokek")).await.assert_error(404, 40470);
        s.get(&format!("{KEKS}/1bad")).await.assert_error(422, 42271);
        for (body, field) in [
            (json!({"kmsType": "local-kms", "kmsKeyId": "k"}), "name"),
            (json!({"name": "k-", "kmsType": "local-kms"}), "kmsKeyId"),
            (json!({"name": "k-", "kmsType": "local-kms", "kmsKeyId": ""}), "kmsKeyId"),
            (json!({"name": "k-", "kmsKeyId": "k"}), "kmsType"),
            (json!({"name": "k-", "kmsType": "aws-kms", "kmsKeyId": "k"}), "kmsKeyId"),
        ] {
            let a = s.post(KEKS, body.clone()).await;
            a.assert_error(422, 42271);
            let message = a.body["message"].as_str().unwrap();
            assert!(
                message.starts_with(&format!("Invalid or missing value for field '{field}' of key")),
                "{body}: {message}"
            );
        }
        // A type starting with a cloud's name is that cloud's KMS.
        let aws = s
            .post(KEKS, json!({"name": "aws1", "kmsType": "AWS", "kmsKeyId": "arn:aws:kms:x"}))
            .await;
        assert_eq!(aws.assert_ok()["kmsType"], "aws-kms");

        // Update: fields left out stay, `null` clears, the type and key id never change.
        let kek1 = format!("{KEKS}/kek1");
        let put = |body: Value| s.put(&kek1, body);
        let updated = put(json!({"doc": "orders", "kmsProps": {"b": "2", "a": "1"}})).await;
        let updated = updated.assert_ok().clone();
        assert_eq!(updated["doc"], "orders");
        assert_eq!(
            serde_json::to_string(&updated["kmsProps"]).unwrap(),
            r#"{"a":"1","b":"2"}"#
        );
        let kept = put(json!({"kmsKeyId": "other"})).await.assert_ok().clone();
        assert_eq!(kept, updated, "an update that changes nothing keeps the KEK");
        let cleared = put(json!({"doc": null})).await.assert_ok().clone();
        assert!(cleared.get("doc").is_none(), "{cleared}");
        assert_eq!(cleared["kmsProps"], json!({"a": "1", "b": "2"}));
        assert_eq!(cleared["kmsKeyId"], "mykey");
        s.put(&format!("{KEKS}/nokek"), json!({"doc": "x"}))
            .await
            .assert_error(404, 40470);

        // Listing and pagination.
        for name in ["kek2", "kek3"] {
            create_kek(&s, name).await;
        }
        assert_eq!(s.get(KEKS).await.body, json!(["aws1", "kek1", "kek2", "kek3"]));
        assert_eq!(s.get(&format!("{KEKS}?offset=1&limit=2")).await.body, json!(["kek1", "kek2"]));
        assert_eq!(s.get(&format!("{KEKS}?offset=3&limit=-1")).await.body, json!(["kek3"]));

        // Deletes: permanent only after soft; a soft-deleted KEK is found with deleted=true.
        let kek2 = format!("{KEKS}/kek2");
        s.delete(&format!("{kek2}?permanent=true")).await.assert_error(404, 40471);
        assert_no_content(&s.delete(&kek2).await);
        assert_no_content(&s.delete(&kek2).await);
        s.get(&kek2).await.assert_error(404, 40470);
        assert_eq!(s.get(&format!("{kek2}?deleted=true")).await.assert_ok()["deleted"], true);
        s.put(&kek2, json!({"doc": "x"})).await.assert_error(404, 40470);
        assert_eq!(s.get(KEKS).await.body, json!(["aws1", "kek1", "kek3"]));
        assert_eq!(
            s.get(&format!("{KEKS}?deleted=true")).await.body,
            json!(["aws1", "kek1", "kek2", "kek3"])
        );
        assert_no_content(&s.post(&format!("{kek2}/undelete"), json!({})).await);
        assert!(s.get(&kek2).await.assert_ok().get("deleted").is_none());
        // Creating a soft-deleted KEK unchanged undeletes it; changed, it is 40971.
        assert_no_content(&s.delete(&kek2).await);
        let mut changed = kek_body("kek2");
        changed["doc"] = json!("new");
        s.post(KEKS, changed).await.assert_error(409, 40971);
        s.post(KEKS, kek_body("kek2")).await.assert_ok();
        assert_no_content(&s.delete(&kek2).await);
        assert_no_content(&s.delete(&format!("{kek2}?permanent=true")).await);
        s.get(&format!("{kek2}?deleted=true")).await.assert_error(404, 40470);
        s.delete(&kek2).await.assert_error(404, 40470);
        s.post(&format!("{kek2}/undelete"), json!({})).await.assert_error(404, 40470);
        // Gone for good: the name can be taken again.
        create_kek(&s, "kek2").await;
    }

    /// DEKs: created with the client's wrapped material, read by version and `latest`,
    /// listed, with Confluent's rules for conflicts, algorithms, deletes and undeletes,
    /// and the KEK's deletion rules while it wraps them.
    async fn deks_follow_confluents_rules_for_versions_deletes_and_their_kek() {
        let s = TestServer::start().await;
        create_kek(&s, "k1").await;
        let dek = create_dek(&s, "k1", "orders-value", json!({"encryptedKeyMaterial": material("1")})).await;
        let dek = dek.assert_ok().clone();
        assert_eq!(dek["kekName"], "k1");
        assert_eq!(dek["subject"], "orders-value");
        assert_eq!(dek["version"], 1);
        assert_eq!(dek["algorithm"], "AES256_GCM");
        assert_eq!(dek["encryptedKeyMaterial"], material("1"));
        assert!(dek["ts"].as_i64().unwrap() > 0);
        assert!(dek.get("keyMaterial").is_none() && dek.get("deleted").is_none(), "{dek}");
        let base = format!("{KEKS}/k1/deks/orders-value");
        assert_eq!(s.get(&base).await.assert_ok(), &dek);
        assert_eq!(s.get(&format!("{base}/versions/1")).await.assert_ok(), &dek);

        // The same version again is 40971; a new version is a new key.
        create_dek(&s, "k1", "orders-value", json!({"encryptedKeyMaterial": material("1")}))
            .await
            .assert_error(409, 40971);
        let v2 = create_dek(
            &s,
            "k1",
            "orders-value",
            json!({"encryptedKeyMaterial": material("2"), "version": 2, "algorithm": "AES256_GCM"}),
        )
        .await;
        assert_eq!(v2.assert_ok()["version"], 2);
        assert_eq!(s.get(&format!("{base}/versions/latest")).await.assert_ok()["version"], 2);
        assert_eq!(s.get(&format!("{base}/versions")).await.body, json!([1, 2]));
        assert_eq!(s.get(&format!("{base}/versions?offset=1&limit=1")).await.body, json!([2]));
        // Another algorithm is another key, listed on its own.
        let siv = create_dek(
            &s,
            "k1",
            "orders-value",
            json!({"encryptedKeyMaterial": material("s"), "algorithm": "AES256_SIV"}),
        )
        .await;
        assert_eq!(siv.assert_ok()["algorithm"], "AES256_SIV");
        assert_eq!(s.get(&format!("{base}/versions?algorithm=AES256_SIV")).await.body, json!([1]));
        assert_eq!(
            s.get(&format!("{base}?algorithm=AES256_SIV")).await.assert_ok()["encryptedKeyMaterial"],
            material("s")
        );

        // Refusals: material missing, unknown algorithm (body 422, query 404), bad version.
        let a = create_dek(&s, "k1", "payments", json!({})).await;
        a.assert_error(422, 42271);
        assert!(a.text.contains("encryptedKeyMaterial"), "{}", a.text);
        create_dek(&s, "k1", "payments", json!({"encryptedKeyMaterial": "x", "algorithm": "AES512"}))
            .await
            .assert_error(422, 422);
        create_dek(&s, "k1", "payments", json!({"encryptedKeyMaterial": "x", "version": 0}))
            .await
            .assert_error(422, 42271);
        s.get(&format!("{base}?algorithm=aes256_gcm")).await.assert_error(404, 404);
        s.get(&format!("{base}/versions/0")).await.assert_error(422, 42202);
        s.get(&format!("{base}/versions/9")).await.assert_error(404, 40470);
        s.get(&format!("{KEKS}/k1/deks/nosubject")).await.assert_error(404, 40470);
        s.get(&format!("{KEKS}/nokek/deks/orders-value")).await.assert_error(404, 40470);
        create_dek(&s, "nokek", "s", json!({"encryptedKeyMaterial": "x"}))
            .await
            .assert_error(404, 40470);
        create_dek(&s, "k1", "a%0Ab", json!({"encryptedKeyMaterial": "x"}))
            .await
            .assert_error(422, 42271);

        // The older route, subject in the body; subjects are listed once each, sorted.
        let old = s
            .post(&format!("{KEKS}/k1/deks"), json!({"subject": "a-value", "encryptedKeyMaterial": material("a")}))
            .await;
        assert_eq!(old.assert_ok()["subject"], "a-value");
        assert_eq!(
            s.get(&format!("{KEKS}/k1/deks")).await.body,
            json!(["a-value", "orders-value"])
        );
        assert_eq!(s.get(&format!("{KEKS}/k1/deks?limit=1&offset=1")).await.body, json!(["orders-value"]));
        s.get(&format!("{KEKS}/nokek/deks")).await.assert_error(404, 40470);

        // A KEK that wraps live DEKs cannot be deleted.
        s.delete(&format!("{KEKS}/k1")).await.assert_error(422, 42272);

        // One version: soft, then permanent; undelete in between.
        let v1 = format!("{base}/versions/1");
        s.delete(&format!("{v1}?permanent=true")).await.assert_error(404, 40471);
        assert_no_content(&s.delete(&v1).await);
        s.get(&v1).await.assert_error(404, 40470);
        assert_eq!(s.get(&format!("{v1}?deleted=true")).await.assert_ok()["deleted"], true);
        assert_eq!(s.get(&format!("{base}/versions")).await.body, json!([2]));
        assert_eq!(s.get(&format!("{base}/versions?deleted=true")).await.body, json!([1, 2]));
        assert_no_content(&s.post(&format!("{v1}/undelete"), json!({})).await);
        assert!(s.get(&v1).await.assert_ok().get("deleted").is_none());

        // Every version of the subject's AES256_GCM key, then the KEK.
        s.delete(&format!("{base}?permanent=true")).await.assert_error(404, 40471);
        assert_no_content(&s.delete(&base).await);
        assert_eq!(s.get(&format!("{base}/versions")).await.body, json!([]));
        // The SIV key is another key: still live.
        assert_eq!(s.get(&format!("{base}/versions?algorithm=AES256_SIV")).await.body, json!([1]));
        assert_no_content(&s.delete(&format!("{base}?algorithm=AES256_SIV")).await);
        assert_no_content(&s.delete(&format!("{KEKS}/k1/deks/a-value")).await);
        assert_eq!(s.get(&format!("{KEKS}/k1/deks")).await.body, json!([]));
        assert_eq!(
            s.get(&format!("{KEKS}/k1/deks?deleted=true")).await.body,
            json!(["a-value", "orders-value"])
        );
        // Soft-deleted DEKs no longer hold back a soft delete, but do a permanent one.
        assert_no_content(&s.delete(&format!("{KEKS}/k1")).await);
        s.delete(&format!("{KEKS}/k1?permanent=true")).await.assert_error(422, 42272);
        // A soft-deleted KEK hides its DEKs, and they cannot be undeleted under it.
        s.get(&format!("{v1}?deleted=false")).await.assert_error(404, 40470);
        assert_eq!(s.get(&format!("{v1}?deleted=true")).await.assert_ok()["deleted"], true);
        s.post(&format!("{base}/undelete"), json!({})).await.assert_error(404, 40472);
        s.post(&format!("{v1}/undelete"), json!({})).await.assert_error(404, 40472);
        create_dek(&s, "k1", "new", json!({"encryptedKeyMaterial": "x"}))
            .await
            .assert_error(404, 40470);
        assert_no_content(&s.post(&format!("{KEKS}/k1/undelete"), json!({})).await);
        assert_no_content(&s.post(&format!("{base}/undelete"), json!({})).await);
        assert_eq!(s.get(&format!("{base}/versions")).await.body, json!([1, 2]));

        // Permanent deletes of every DEK free the KEK for a permanent delete.
        for (path, query) in [
            (base.clone(), ""),
            (base.clone(), "&algorithm=AES256_SIV"),
            (format!("{KEKS}/k1/deks/a-value"), ""),
        ] {
            assert_no_content(&s.delete(&format!("{path}?permanent=false{query}")).await);
            assert_no_content(&s.delete(&format!("{path}?permanent=true{query}")).await);
        }
        assert_eq!(s.get(&format!("{base}/versions?deleted=true")).await.body, json!([]));
        assert_eq!(s.get(&format!("{KEKS}/k1/deks?deleted=true")).await.body, json!([]));
        s.delete(&base).await.assert_error(404, 40470);
        assert_no_content(&s.delete(&format!("{KEKS}/k1")).await);
        assert_no_content(&s.delete(&format!("{KEKS}/k1?permanent=true")).await);
        s.get(&format!("{KEKS}/k1?deleted=true")).await.assert_error(404, 40470);
    }

    /// A shared KEK would have the registry use the KMS: Schemagate refuses that with
    /// 40370 and what to do, keeps a DEK the client wrapped, and never answers a
    /// plaintext key.
    async fn shared_keks_need_dek_material_from_the_client() {
        let s = TestServer::start().await;
        let mut shared = kek_body("shared1");
        shared["shared"] = json!(true);
        let a = s.post(&format!("{KEKS}?testSharing=true"), shared.clone()).await;
        a.assert_error(403, 40370);
        assert!(a.text.contains("no KMS credentials"), "{}", a.text);
        assert_eq!(s.post(KEKS, shared).await.assert_ok()["shared"], true);
        s.post(&format!("{KEKS}/shared1/test"), json!({})).await.assert_error(403, 40370);
        s.put(&format!("{KEKS}/shared1?testSharing=true"), json!({})).await.assert_error(403, 40370);

        let a = create_dek(&s, "shared1", "orders-value", json!({})).await;
        a.assert_error(403, 40370);
        let message = a.body["message"].as_str().unwrap();
        assert!(
            message.contains("no KMS credentials") && message.contains("encryptedKeyMaterial"),
            "{message}"
        );
        let dek = create_dek(&s, "shared1", "orders-value", json!({"encryptedKeyMaterial": material("x")})).await;
        let dek = dek.assert_ok().clone();
        assert!(dek.get("keyMaterial").is_none(), "{dek}");
        let read = s.get(&format!("{KEKS}/shared1/deks/orders-value")).await;
        assert_eq!(read.assert_ok(), &dek);
        // Confluent re-wraps a shared KEK's DEK with the KMS; it is never replaced.
        create_dek(&s, "shared1", "orders-value", json!({"encryptedKeyMaterial": material("y")}))
            .await
            .assert_error(409, 40971);
        s.post(
            &format!("{KEKS}/shared1/deks/orders-value?rewrap=true"),
            json!({"encryptedKeyMaterial": material("y")}),
        )
        .await
        .assert_error(409, 40971);

        // Testing a KEK that is not shared is refused as Confluent does.
        create_kek(&s, "plain").await;
        let a = s.post(&format!("{KEKS}/plain/test"), json!({})).await;
        a.assert_error(422, 42271);
        assert!(a.text.contains("'shared'"), "{}", a.text);
        // Not shared: `rewrap` replaces the client's wrapped material of a version.
        create_dek(&s, "plain", "s", json!({"encryptedKeyMaterial": material("1")})).await.assert_ok();
        let rewrapped = s
            .post(&format!("{KEKS}/plain/deks/s?rewrap=true"), json!({"encryptedKeyMaterial": material("2")}))
            .await;
        assert_eq!(rewrapped.assert_ok()["encryptedKeyMaterial"], material("2"));
        assert_eq!(
            s.get(&format!("{KEKS}/plain/deks/s")).await.assert_ok()["encryptedKeyMaterial"],
            material("2")
        );
    }

    /// `subjectPrefix` lists the KEKs that wrap a DEK of a matching subject.
    async fn keks_are_listed_by_the_subjects_of_their_deks() {
        let s = TestServer::start().await;
        for kek in ["ka", "kb", "kc"] {
            create_kek(&s, kek).await;
        }
        for (kek, subject) in [("ka", "orders.created"), ("kb", "payments.x"), ("kc", "orders.paid")] {
            create_dek(&s, kek, subject, json!({"encryptedKeyMaterial": material(kek)})).await.assert_ok();
        }
        let list = |q: &'static str| s.get_owned(format!("{KEKS}?{q}"));
        assert_eq!(list("subjectPrefix=orders.").await.body, json!(["ka", "kc"]));
        assert_eq!(
            list("subjectPrefix=orders.paid&subjectPrefix=payments").await.body,
            json!(["kb", "kc"])
        );
        assert_eq!(list("subjectPrefix=nothing").await.body, json!([]));
        assert_eq!(list("subjectPrefix=orders.&limit=1").await.body, json!(["ka"]));
        assert_no_content(&s.delete(&format!("{KEKS}/ka/deks/orders.created")).await);
        assert_eq!(list("subjectPrefix=orders.").await.body, json!(["kc"]));
        assert_eq!(list("subjectPrefix=orders.&deleted=true").await.body, json!(["ka", "kc"]));
    }

    /// An acknowledged KEK or DEK, and a delete, survive a restart.
    async fn keys_survive_a_restart() {
        let s = TestServer::start().await;
        create_kek(&s, "durable").await;
        create_kek(&s, "gone").await;
        let dek = create_dek(&s, "durable", "orders-value", json!({"encryptedKeyMaterial": material("d")}))
            .await
            .assert_ok()
            .clone();
        assert_no_content(&s.delete(&format!("{KEKS}/gone")).await);
        let dir = s.stop().await;
        let s = TestServer::start_in(dir, Config::default()).await;
        assert_eq!(
            s.get(&format!("{KEKS}/durable/deks/orders-value/versions/latest")).await.assert_ok(),
            &dek
        );
        assert_eq!(s.get(KEKS).await.body, json!(["durable"]));
        assert_eq!(s.get(&format!("{KEKS}/gone?deleted=true")).await.assert_ok()["deleted"], true);
    }
}

impl TestServer {
    /// [`TestServer::get`] with an owned path, for closures.
    async fn get_owned(&self, path: String) -> Answer {
        self.get(&path).await
    }
}

/// Subject roles apply to a DEK's routes through `{s}`, the older create route checks
/// the body's subject, KEK changes need a global role, and a KEK listing by a
/// prefix-limited principal must stay within its prefixes, every prefix of it.
#[tokio::test]
async fn auth_roles_guard_the_dek_registry() {
    let file = format!(
        r#"
[[users]]
name = "reader"
password_hash = "{pw}"
role = "read"

[[users]]
name = "writer"
password_hash = "{pw}"
role = "write"

[[users]]
name = "producer"
password_hash = "{pw}"
role = "write"
subject_prefixes = ["orders."]

[[users]]
name = "admin"
password_hash = "{pw}"
role = "admin"
"#,
        pw = hash_password("pw"),
    );
    let auth_dir = tempfile::tempdir().unwrap();
    let path = auth_dir.path().join("auth.toml");
    std::fs::write(&path, file).unwrap();
    let s = TestServer::start_with(Config {
        auth_config: Some(path),
        ..Config::default()
    })
    .await;
    let call = |user: &'static str, method: Method, path: String, body: Option<Value>| {
        let mut req = s
            .client
            .request(method, s.url(&path))
            .basic_auth(user, Some("pw"));
        if let Some(b) = body {
            req = req
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        s.send(req)
    };
    let dek = |m: &str| Some(json!({"encryptedKeyMaterial": material(m)}));

    // KEKs: write without prefixes creates, admin changes; a limited writer cannot.
    call("producer", Method::POST, KEKS.into(), Some(kek_body("k")))
        .await
        .assert_error(403, 40301);
    call("reader", Method::POST, KEKS.into(), Some(kek_body("k")))
        .await
        .assert_error(403, 40301);
    call("writer", Method::POST, KEKS.into(), Some(kek_body("k")))
        .await
        .assert_ok();
    call(
        "writer",
        Method::PUT,
        format!("{KEKS}/k"),
        Some(json!({"doc": "d"})),
    )
    .await
    .assert_error(403, 40301);
    call("writer", Method::DELETE, format!("{KEKS}/k"), None)
        .await
        .assert_error(403, 40301);
    call(
        "admin",
        Method::PUT,
        format!("{KEKS}/k"),
        Some(json!({"doc": "d"})),
    )
    .await
    .assert_ok();
    assert_eq!(
        call("producer", Method::GET, format!("{KEKS}/k"), None)
            .await
            .assert_ok()["doc"],
        "d"
    );

    // DEKs: subject roles through `{s}`.
    call(
        "producer",
        Method::POST,
        format!("{KEKS}/k/deks/orders.created"),
        dek("1"),
    )
    .await
    .assert_ok();
    call(
        "producer",
        Method::POST,
        format!("{KEKS}/k/deks/payments.x"),
        dek("2"),
    )
    .await
    .assert_error(403, 40301);
    call(
        "reader",
        Method::POST,
        format!("{KEKS}/k/deks/payments.x"),
        dek("2"),
    )
    .await
    .assert_error(403, 40301);
    call(
        "writer",
        Method::POST,
        format!("{KEKS}/k/deks/payments.x"),
        dek("2"),
    )
    .await
    .assert_ok();
    call(
        "producer",
        Method::GET,
        format!("{KEKS}/k/deks/orders.created/versions/latest"),
        None,
    )
    .await
    .assert_ok();
    call(
        "producer",
        Method::GET,
        format!("{KEKS}/k/deks/payments.x"),
        None,
    )
    .await
    .assert_error(403, 40301);
    call(
        "reader",
        Method::GET,
        format!("{KEKS}/k/deks/payments.x"),
        None,
    )
    .await
    .assert_ok();
    call(
        "reader",
        Method::DELETE,
        format!("{KEKS}/k/deks/payments.x"),
        None,
    )
    .await
    .assert_error(403, 40301);
    call(
        "producer",
        Method::DELETE,
        format!("{KEKS}/k/deks/payments.x/versions/1"),
        None,
    )
    .await
    .assert_error(403, 40301);
    call(
        "producer",
        Method::POST,
        format!("{KEKS}/k/deks/payments.x/undelete"),
        None,
    )
    .await
    .assert_error(403, 40301);
    // The older route: the body's subject is checked by the registry.
    let body = |subject: &str| Some(json!({"subject": subject, "encryptedKeyMaterial": "x"}));
    call(
        "producer",
        Method::POST,
        format!("{KEKS}/k/deks"),
        body("payments.y"),
    )
    .await
    .assert_error(403, 40301);
    call(
        "producer",
        Method::POST,
        format!("{KEKS}/k/deks"),
        body("orders.y"),
    )
    .await
    .assert_ok();
    // Subject lists under a KEK name every subject: no prefix limits.
    call("producer", Method::GET, format!("{KEKS}/k/deks"), None)
        .await
        .assert_error(403, 40301);
    assert_eq!(
        call("reader", Method::GET, format!("{KEKS}/k/deks"), None)
            .await
            .body,
        json!(["orders.created", "orders.y", "payments.x"])
    );
    // KEK listings: a limited principal within its prefixes, each of them.
    call("producer", Method::GET, KEKS.into(), None)
        .await
        .assert_error(403, 40301);
    assert_eq!(
        call(
            "producer",
            Method::GET,
            format!("{KEKS}?subjectPrefix=orders."),
            None
        )
        .await
        .body,
        json!(["k"])
    );
    call(
        "producer",
        Method::GET,
        format!("{KEKS}?subjectPrefix=orders.&subjectPrefix=payments."),
        None,
    )
    .await
    .assert_error(403, 40301);
    assert_eq!(
        call("reader", Method::GET, KEKS.into(), None).await.body,
        json!(["k"])
    );
    drop(auth_dir);
}
