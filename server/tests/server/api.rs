//! The Confluent REST contract over real HTTP: every endpoint of API.md with its
//! parameters, answers and error codes.

use crate::common;

use common::{Answer, TestServer, order_breaking, order_v1, order_v2, record};
use reqwest::Method;
use schemagate_server::Config;
use serde_json::{Value, json};

/// The answer to checking `schema` against `versions` (the path after the subject, with
/// its query) of orders-value.
async fn check_orders(s: &TestServer, versions: &str, schema: String) -> Answer {
    let path = format!("/compatibility/subjects/orders-value/{versions}");
    s.post(&path, json!({ "schema": schema })).await
}

on_each_store! {
    async fn discovery_endpoints_and_confluent_shaped_edges() {
        let s = TestServer::start().await;
        let root = s.get("/").await;
        assert_eq!(root.assert_ok(), &json!({}));
        assert_eq!(root.content_type, "application/vnd.schemaregistry.v1+json");
        assert_eq!(s.get("/schemas/types").await.body, json!(["JSON", "PROTOBUF", "AVRO"]));
        assert_eq!(s.get("/contexts").await.body, json!(["."]));
        assert!(s.get("/v1/metadata/id").await.body["scope"].is_object());
        assert_eq!(s.get("/health").await.body["status"], "UP");

        // Newer serializers probe associations first and fall back only on a Confluent 404.
        s.get("/associations/resources/-/orders?resourceType=topic&associationType=value")
            .await
            .assert_error(404, 404);
        s.get("/no/such/route").await.assert_error(404, 404);
        s.call(Method::DELETE, "/schemas/types", None)
            .await
            .assert_error(405, 405);

        // One trailing slash is tolerated, query string included.
        assert_eq!(
            s.get("/config/").await.body,
            json!({"compatibilityLevel": "BACKWARD"})
        );
        assert_eq!(s.get("/subjects/?deleted=true").await.body, json!([]));

        // Accept: application/json is honoured.
        let plain = s
            .client
            .get(s.url("/config"))
            .header("accept", "application/json")
            .send()
            .await
            .unwrap();
        assert_eq!(plain.headers()["content-type"], "application/json");
    }

    async fn register_is_idempotent_and_ids_are_global() {
        let s = TestServer::start().await;
        let id = s.register_ok("orders-value", &order_v1()).await;
        assert_eq!(id, 1);

        // Whitespace alone never creates a new version or id.
        let spaced = order_v1().replace(',', " ,\n  ").replace(':', " : ");
        assert_eq!(s.register_ok("orders-value", &spaced).await, id);
        assert_eq!(
            s.get("/subjects/orders-value/versions").await.body,
            json!([1])
        );

        // The same schema under another subject keeps its id.
        assert_eq!(s.register_ok("refunds-value", &order_v1()).await, id);

        let v = s.get("/subjects/orders-value/versions/1").await;
        let body = v.assert_ok();
        assert_eq!(body["subject"], "orders-value");
        assert_eq!(body["version"], 1);
        assert_eq!(body["id"], 1);
        assert!(body.get("schemaType").is_none(), "Avro omits schemaType");
        assert!(body.get("references").is_none(), "empty references omitted");
        let stored = body["schema"].as_str().unwrap().to_owned();
        assert!(
            !stored.contains(' ') && !stored.contains('\n'),
            "compact: {stored}"
        );
        for latest in ["latest", "LATEST", "-1"] {
            let l = s
                .get(&format!("/subjects/orders-value/versions/{latest}"))
                .await;
            assert_eq!(l.body, *body);
        }
        let raw = s.get("/subjects/orders-value/versions/1/schema").await;
        assert_eq!(raw.text, stored);

        // With `subject`, Confluent 8 also names the subject version it was found under.
        let by_id = s.get("/schemas/ids/1?subject=orders-value").await;
        let guid = schemagate_core::contract::guid(&stored, [], None, None);
        assert_eq!(
            by_id.assert_ok(),
            &json!({ "subject": "orders-value", "version": 1, "schema": stored, "guid": guid })
        );
        let plain = s.get("/schemas/ids/1").await;
        assert_eq!(plain.assert_ok(), &json!({ "schema": stored, "guid": guid }));
        assert_eq!(s.get("/schemas/ids/1/schema").await.text, stored);
        assert_eq!(
            s.get("/schemas/ids/1/subjects").await.body,
            json!(["orders-value", "refunds-value"])
        );
        assert_eq!(
            s.get("/schemas/ids/1/versions").await.body,
            json!([{"subject":"orders-value","version":1},{"subject":"refunds-value","version":1}])
        );

        // A schema given with a non-Avro type carries schemaType in every answer.
        let j = s
            .post(
                "/subjects/customer-value/versions",
                json!({"schema": r#"{"type":"object"}"#, "schemaType": "JSON"}),
            )
            .await;
        assert_eq!(j.assert_ok()["id"], 2);
        assert_eq!(s.get("/schemas/ids/2").await.body["schemaType"], "JSON");
        assert_eq!(
            s.get("/subjects/customer-value/versions/1").await.body["schemaType"],
            "JSON"
        );

        assert_eq!(
            s.get("/subjects").await.body,
            json!(["customer-value", "orders-value", "refunds-value"])
        );
        assert_eq!(
            s.get("/subjects?subjectPrefix=or").await.body,
            json!(["orders-value"])
        );
        assert_eq!(
            s.get("/subjects?offset=1&limit=1").await.body,
            json!(["orders-value"])
        );
        let all = s.get("/schemas").await;
        assert_eq!(all.body.as_array().unwrap().len(), 3);
        assert_eq!(all.body[0]["subject"], "customer-value");
        assert_eq!(all.body[0]["schemaType"], "JSON");
        let some = s
            .get("/schemas?subjectPrefix=refunds&latestOnly=true")
            .await;
        assert_eq!(some.body.as_array().unwrap().len(), 1);
        assert_eq!(some.body[0]["id"], 1);
        assert_eq!(
            s.get("/schemas?limit=2")
                .await
                .body
                .as_array()
                .unwrap()
                .len(),
            2
        );
    }

    async fn subject_names_are_decoded_path_segments() {
        let s = TestServer::start().await;
        s.register_ok("team%2Forders", &order_v1()).await;
        assert_eq!(s.get("/subjects").await.body, json!(["team/orders"]));
        assert_eq!(
            s.get("/subjects/team%2Forders/versions/1").await.body["subject"],
            "team/orders"
        );
        s.register("bad%0Aname", &order_v1())
            .await
            .assert_error(422, 42208);
        s.get("/subjects/bad%07/versions")
            .await
            .assert_error(422, 42208);
    }

    async fn lookup_finds_the_version_holding_a_schema() {
        let s = TestServer::start().await;
        s.register_ok("orders-value", &order_v1()).await;
        let found = s
            .post("/subjects/orders-value", json!({"schema": order_v1()}))
            .await;
        let body = found.assert_ok();
        assert_eq!(
            (
                body["subject"].clone(),
                body["id"].clone(),
                body["version"].clone()
            ),
            (json!("orders-value"), json!(1), json!(1))
        );
        assert!(body["schema"].is_string());
        s.post("/subjects/nobody", json!({"schema": order_v1()}))
            .await
            .assert_error(404, 40401);
        s.post("/subjects/orders-value", json!({"schema": order_v2()}))
            .await
            .assert_error(404, 40403);
        s.post("/subjects/orders-value", json!({"schema": "{not json"}))
            .await
            .assert_error(422, 42201);

        // Soft-deleted versions are found only with deleted=true.
        s.delete("/subjects/orders-value/versions/1")
            .await
            .assert_ok();
        s.post("/subjects/orders-value", json!({"schema": order_v1()}))
            .await
            .assert_error(404, 40401);
        let again = s
            .post(
                "/subjects/orders-value?deleted=True",
                json!({"schema": order_v1()}),
            )
            .await;
        assert_eq!(again.assert_ok()["version"], 1);
    }

    async fn read_errors_carry_confluent_codes() {
        let s = TestServer::start().await;
        s.register_ok("orders-value", &order_v1()).await;
        s.get("/subjects/nobody/versions")
            .await
            .assert_error(404, 40401);
        s.get("/subjects/nobody/versions/1")
            .await
            .assert_error(404, 40401);
        s.get("/subjects/orders-value/versions/7")
            .await
            .assert_error(404, 40402);
        for bad in ["abc", "0", "-2", "2147483648", "1.5"] {
            s.get(&format!("/subjects/orders-value/versions/{bad}"))
                .await
                .assert_error(422, 42202);
        }
        s.get("/schemas/ids/99").await.assert_error(404, 40403);
        // Not a Java `Integer`: no route matches, as in Confluent.
        s.get("/schemas/ids/abc").await.assert_error(404, 404);
        s.get("/schemas/ids/99/subjects")
            .await
            .assert_error(404, 40403);
        s.get("/schemas/ids/99/versions")
            .await
            .assert_error(404, 40403);
        s.get("/schemas/ids/99/schema")
            .await
            .assert_error(404, 40403);
    }

    async fn malformed_requests_get_confluent_error_bodies() {
        let s = TestServer::start().await;
        let url = s.url("/subjects/x/versions");
        for content_type in [
            "application/vnd.schemaregistry.v1+json",
            "application/vnd.schemaregistry+json",
            "application/json",
            "application/octet-stream",
        ] {
            let r = s
                .client
                .post(&url)
                .header("content-type", content_type)
                .body(json!({"schema": order_v1()}).to_string())
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{content_type}");
        }
        // No content type at all, unknown fields and an unknown query parameter.
        let r = s
            .client
            .post(s.url("/subjects/y/versions?whatever=1"))
            .body(
                json!({"schema": order_v1(), "metadata": {"properties": {}}, "ruleSet": null})
                    .to_string(),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);

        let garbage = s
            .client
            .post(&url)
            .body("{\"schema\": ")
            .send()
            .await
            .unwrap();
        assert_eq!(garbage.status(), 400);
        let body: Value = garbage.json().await.unwrap();
        assert_eq!(body["error_code"], 400);
        s.post(
            "/subjects/x/versions",
            json!({"schema": {"type": "string"}}),
        )
        .await
        .assert_error(400, 400);
        // Without a schema: 42201 for a subject with no version to take it from.
        s.post("/subjects/never-registered/versions", json!({}))
            .await
            .assert_error(422, 42201);
        s.post(
            "/subjects/x/versions",
            json!({"schema": "{\"type\":\"nope\"}"}),
        )
        .await
        .assert_error(422, 42201);
        s.post(
            "/subjects/x/versions",
            json!({"schema": order_v1(), "schemaType": "avro"}),
        )
        .await
        .assert_error(422, 42201);
        s.post(
            "/subjects/x/versions",
            json!({"schema": "syntax = \"proto3\";\nmessage {", "schemaType": "PROTOBUF"}),
        )
        .await
        .assert_error(422, 42201);

        // Bigger than core's schema limit (4 MiB) but within the body limit: 42209.
        let huge = format!(
            r#"{{"type":"record","name":"Big","doc":"{}","fields":[]}}"#,
            "x".repeat(5 * 1024 * 1024)
        );
        s.post("/subjects/x/versions", json!({ "schema": huge }))
            .await
            .assert_error(422, 42209);
    }

    async fn body_limit_is_answered_with_a_confluent_body() {
        let s = TestServer::start_with(Config {
            max_body: 1024,
            ..Config::default()
        })
        .await;
        let big = json!({ "schema": format!(r#"{{"type":"string","doc":"{}"}}"#, "x".repeat(4096)) });
        s.post("/subjects/x/versions", big)
            .await
            .assert_error(413, 413);
        s.register_ok("x", &order_v1()).await;
    }

    async fn slow_clients_time_out() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let s = TestServer::start_with(Config {
            request_timeout: std::time::Duration::from_secs(1),
            ..Config::default()
        })
        .await;
        let addr = s.base.trim_start_matches("http://").to_owned();
        // A registration goes through the router, a lookup is answered before it
        // (api/hot.rs): both must give up on the body.
        for path in ["/subjects/x/versions", "/subjects/x"] {
            let mut conn = tokio::net::TcpStream::connect(&addr).await.unwrap();
            // Promise a body and never send it.
            let head = format!("POST {path} HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n{{");
            conn.write_all(head.as_bytes()).await.unwrap();
            let mut buf = vec![0u8; 4096];
            let n = tokio::time::timeout(std::time::Duration::from_secs(10), conn.read(&mut buf))
                .await
                .expect("answered before the test gave up")
                .unwrap();
            let answer = String::from_utf8_lossy(&buf[..n]);
            assert!(answer.starts_with("HTTP/1.1 500"), "{path}: {answer}");
            assert!(answer.contains("50002"), "{path}: {answer}");
        }
    }

    async fn clients_trickling_headers_are_cut_off() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let s = TestServer::start_with(Config {
            request_timeout: std::time::Duration::from_secs(1),
            ..Config::default()
        })
        .await;
        let addr = s.base.trim_start_matches("http://").to_owned();
        let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
        conn.write_all(b"GET /subjects HTTP/1.1\r\nhost: x\r\n")
            .await
            .unwrap();
        let mut buf = Vec::new();
        tokio::time::timeout(
            std::time::Duration::from_secs(10),
            conn.read_to_end(&mut buf),
        )
        .await
        .expect("connection closed by the server")
        .ok();
        // The server still answers everyone else.
        s.get("/subjects").await.assert_ok();
    }

    async fn soft_then_permanent_deletes() {
        let s = TestServer::start().await;
        s.put("/config", json!({"compatibility": "NONE"}))
            .await
            .assert_ok();
        let a = s.register_ok("orders-value", &order_v1()).await;
        let b = s.register_ok("orders-value", &order_v2()).await;
        assert_ne!(a, b);

        s.delete("/subjects/orders-value/versions/2?permanent=true")
            .await
            .assert_error(404, 40407);
        assert_eq!(
            s.delete("/subjects/orders-value/versions/2").await.body,
            json!(2)
        );
        s.delete("/subjects/orders-value/versions/2")
            .await
            .assert_error(404, 40406);
        s.get("/subjects/orders-value/versions/2")
            .await
            .assert_error(404, 40402);
        assert_eq!(
            s.get("/subjects/orders-value/versions/2?deleted=true")
                .await
                .body["id"],
            b
        );
        assert_eq!(
            s.get("/subjects/orders-value/versions").await.body,
            json!([1])
        );
        assert_eq!(
            s.get("/subjects/orders-value/versions?deleted=true")
                .await
                .body,
            json!([1, 2])
        );
        assert_eq!(
            s.get("/subjects/orders-value/versions?deletedOnly=true")
                .await
                .body,
            json!([2])
        );
        // Soft-deleted versions still resolve by id, and `latest` skips them.
        s.get(&format!("/schemas/ids/{b}")).await.assert_ok();
        assert_eq!(
            s.get("/subjects/orders-value/versions/latest").await.body["version"],
            1
        );

        // Same content as a soft-deleted version: new version (max + 1), same id.
        assert_eq!(s.register_ok("orders-value", &order_v2()).await, b);
        assert_eq!(
            s.get("/subjects/orders-value/versions").await.body,
            json!([1, 3])
        );

        s.delete("/subjects/orders-value?permanent=true")
            .await
            .assert_error(404, 40405);
        assert_eq!(s.delete("/subjects/orders-value").await.body, json!([1, 3]));
        s.delete("/subjects/orders-value")
            .await
            .assert_error(404, 40404);
        s.get("/subjects/orders-value/versions/1")
            .await
            .assert_error(404, 40401);
        s.get("/subjects/orders-value/versions/latest")
            .await
            .assert_error(404, 40401);
        assert_eq!(
            s.get("/subjects/orders-value/versions/latest?deleted=true")
                .await
                .body["version"],
            3
        );
        s.get("/subjects/orders-value/versions/2?deleted=true")
            .await
            .assert_ok();
        s.get("/subjects/orders-value/versions/9?deleted=true")
            .await
            .assert_error(404, 40402);
        s.get("/subjects/orders-value/versions")
            .await
            .assert_error(404, 40401);
        assert_eq!(s.get("/subjects").await.body, json!([]));
        assert_eq!(
            s.get("/subjects?deleted=true").await.body,
            json!(["orders-value"])
        );
        assert_eq!(
            s.get("/subjects?deletedOnly=true").await.body,
            json!(["orders-value"])
        );
        assert_eq!(
            s.get(&format!("/schemas/ids/{a}/subjects")).await.body,
            json!([])
        );
        assert_eq!(
            s.get(&format!("/schemas/ids/{a}/subjects?deleted=true"))
                .await
                .body,
            json!(["orders-value"])
        );

        s.put("/config/orders-value", json!({"compatibility": "FULL"}))
            .await
            .assert_ok();
        assert_eq!(
            s.delete("/subjects/orders-value?permanent=true").await.body,
            json!([1, 2, 3])
        );
        s.delete("/subjects/orders-value")
            .await
            .assert_error(404, 40401);
        s.delete("/subjects/orders-value/versions/1")
            .await
            .assert_error(404, 40401);
        // A permanent delete drops the subject's config, and the id no longer resolves.
        s.get("/config/orders-value").await.assert_error(404, 40408);
        s.get(&format!("/schemas/ids/{a}"))
            .await
            .assert_error(404, 40403);

        // Numbering restarts; the same content gets its old id back, never a reused one.
        assert_eq!(s.register_ok("orders-value", &order_v2()).await, b);
        assert_eq!(
            s.get("/subjects/orders-value/versions").await.body,
            json!([1])
        );
        let c = s
            .register_ok(
                "orders-value",
                &record("Order", r#"[{"name":"x","type":"int"}]"#),
            )
            .await;
        assert!(c > b, "fresh id {c} after {b}");
    }

    async fn deleting_latest_version_and_invalid_versions() {
        let s = TestServer::start().await;
        s.register_ok("s", &order_v1()).await;
        s.delete("/subjects/s/versions/abc")
            .await
            .assert_error(422, 42202);
        s.delete("/subjects/s/versions/5")
            .await
            .assert_error(404, 40402);
        assert_eq!(s.delete("/subjects/s/versions/latest").await.body, json!(1));
        assert_eq!(
            s.delete("/subjects/s/versions/1?permanent=true").await.body,
            json!(1)
        );
        s.get("/subjects/s/versions?deleted=true")
            .await
            .assert_error(404, 40401);
    }

    async fn global_and_subject_config() {
        let s = TestServer::start().await;
        assert_eq!(
            s.get("/config").await.body,
            json!({"compatibilityLevel": "BACKWARD"})
        );
        assert_eq!(
            s.put("/config", json!({"compatibility": "FULL"}))
                .await
                .body,
            json!({"compatibility": "FULL"})
        );
        assert_eq!(s.get("/config").await.body["compatibilityLevel"], "FULL");
        s.put("/config", json!({"compatibility": "SIDEWAYS"}))
            .await
            .assert_error(422, 42203);
        // A body without a level changes nothing else, as Confluent's update does.
        assert_eq!(
            s.put("/config", json!({})).await.assert_ok(),
            &json!({"compatibility": "FULL"})
        );

        s.get("/config/orders-value").await.assert_error(404, 40408);
        assert_eq!(
            s.get("/config/orders-value?defaultToGlobal=TRUE")
                .await
                .body,
            json!({"compatibilityLevel": "FULL"})
        );
        assert_eq!(
            s.put("/config/orders-value", json!({"compatibility": "NONE"}))
                .await
                .body,
            json!({"compatibility": "NONE"})
        );
        assert_eq!(
            s.get("/config/orders-value").await.body,
            json!({"compatibilityLevel": "NONE"})
        );
        // The subject level applies: NONE lets a breaking change through.
        s.register_ok("orders-value", &order_v1()).await;
        s.register_ok("orders-value", &order_breaking()).await;

        assert_eq!(
            s.delete("/config/orders-value").await.body,
            json!({"compatibilityLevel": "NONE"})
        );
        s.delete("/config/orders-value")
            .await
            .assert_error(404, 40401);
        assert_eq!(
            s.delete("/config").await.body,
            json!({"compatibilityLevel": "FULL"})
        );
        assert_eq!(
            s.get("/config").await.body["compatibilityLevel"],
            "BACKWARD"
        );
    }

    async fn default_level_comes_from_the_config() {
        let s = TestServer::start_with(Config {
            default_compatibility: schemagate_core::Level::None,
            ..Config::default()
        })
        .await;
        assert_eq!(s.get("/config").await.body["compatibilityLevel"], "NONE");
        s.register_ok("s", &order_v1()).await;
        s.register_ok("s", &order_breaking()).await;
    }

    async fn modes_readonly_and_import() {
        let s = TestServer::start().await;
        assert_eq!(s.get("/mode").await.body, json!({"mode": "READWRITE"}));
        s.put("/mode", json!({"mode": "SOMETIMES"}))
            .await
            .assert_error(422, 42204);
        s.get("/mode/orders-value").await.assert_error(404, 40409);
        assert_eq!(
            s.get("/mode/orders-value?defaultToGlobal=true").await.body,
            json!({"mode": "READWRITE"})
        );

        s.register_ok("orders-value", &order_v1()).await;
        assert_eq!(
            s.put("/mode/orders-value", json!({"mode": "READONLY"}))
                .await
                .body,
            json!({"mode": "READONLY"})
        );
        s.register("orders-value", &order_v2())
            .await
            .assert_error(422, 42205);
        s.delete("/subjects/orders-value")
            .await
            .assert_error(422, 42205);
        // Other subjects still write; reads still work.
        s.register_ok("other", &order_v1()).await;
        s.get("/subjects/orders-value/versions/1").await.assert_ok();
        assert_eq!(
            s.delete("/mode/orders-value").await.body,
            json!({"mode": "READONLY"})
        );
        s.delete("/mode/orders-value")
            .await
            .assert_error(404, 40401);

        s.put("/mode", json!({"mode": "READONLY"}))
            .await
            .assert_ok();
        s.register("x", &order_v1()).await.assert_error(422, 42205);

        // IMPORT over live subjects needs force.
        s.put("/mode", json!({"mode": "IMPORT"}))
            .await
            .assert_error(422, 42205);
        assert_eq!(
            s.put("/mode?force=true", json!({"mode": "IMPORT"}))
                .await
                .body,
            json!({"mode": "IMPORT"})
        );
        // IMPORT keeps the given id and version, and skips compatibility.
        let imported = s
            .post(
                "/subjects/imported/versions",
                json!({"schema": order_v1(), "id": 100, "version": 5}),
            )
            .await;
        assert_eq!(imported.assert_ok()["id"], 100);
        let v = s.get("/subjects/imported/versions/5").await;
        assert_eq!(v.body["id"], 100);
        s.post(
            "/subjects/imported/versions",
            json!({"schema": order_breaking(), "id": 100, "version": 6}),
        )
        .await
        .assert_error(422, 42207);
        let next = s
            .post(
                "/subjects/imported/versions",
                json!({"schema": order_breaking(), "id": 101, "version": 6}),
            )
            .await;
        assert_eq!(next.assert_ok()["id"], 101);

        s.put("/mode", json!({"mode": "READWRITE"}))
            .await
            .assert_ok();
        // Ids given outside IMPORT are refused; new ids continue after imported ones.
        s.post(
            "/subjects/z/versions",
            json!({"schema": record("Z", "[]"), "id": 500}),
        )
        .await
        .assert_error(422, 42205);
        let fresh = s.register_ok("z", &record("Z", "[]")).await;
        assert_eq!(fresh, 102);
    }

    async fn incompatible_registration_is_409_with_reasons() {
        let s = TestServer::start().await;
        s.register_ok("orders-value", &order_v1()).await;
        let refused = s.register("orders-value", &order_breaking()).await;
        refused.assert_error(409, 40901);
        assert!(
            refused.body["message"]
                .as_str()
                .unwrap()
                .contains("incompatible with an earlier schema"),
            "{}",
            refused.text
        );
        assert_eq!(
            s.get("/subjects/orders-value/versions").await.body,
            json!([1])
        );

        // A different schemaType than the subject's versions is incompatible.
        s.post(
            "/subjects/orders-value/versions",
            json!({"schema": r#"{"type":"object"}"#, "schemaType": "JSON"}),
        )
        .await
        .assert_error(409, 40901);

        let metrics = s.get("/metrics").await.text;
        assert!(
            metrics.contains("schemagate_registrations_rejected_total 2"),
            "{metrics}"
        );
    }

    async fn compatibility_endpoints() {
        let s = TestServer::start().await;
        // Nothing registered: compatible with anything.
        let empty = check_orders(&s, "versions/latest", order_breaking()).await;
        assert_eq!(empty.assert_ok(), &json!({"is_compatible": true}));
        let empty = check_orders(&s, "versions?verbose=true", order_breaking()).await;
        assert_eq!(
            empty.assert_ok(),
            &json!({"is_compatible": true, "messages": []})
        );
        // An unknown subject has no version 1 either: 40402, as Confluent answers.
        check_orders(&s, "versions/1", order_v1())
            .await
            .assert_error(404, 40402);

        s.register_ok("orders-value", &order_v1()).await;
        let same = check_orders(&s, "versions/1", order_v1()).await;
        assert_eq!(same.assert_ok(), &json!({"is_compatible": true}));

        let breaking = check_orders(&s, "versions/latest?verbose=true", order_breaking()).await;
        let body = breaking.assert_ok();
        assert_eq!(body["is_compatible"], false);
        let messages = body["messages"].as_array().unwrap();
        assert!(!messages.is_empty());
        // Confluent 8's shape: the findings, then the version and text compared against,
        // then the level.
        let texts: Vec<&str> = messages.iter().map(|m| m.as_str().unwrap()).collect();
        let findings: Vec<&&str> = texts
            .iter()
            .filter(|m| m.starts_with("{errorType:"))
            .collect();
        assert!(!findings.is_empty(), "{texts:?}");
        assert!(
            findings.iter().all(|m| m.contains("version 1")),
            "messages name the version compared against: {texts:?}"
        );
        assert_eq!(texts[findings.len()], "{oldSchemaVersion: 1}");
        assert!(texts[findings.len() + 1].starts_with("{oldSchema: '"));
        assert_eq!(
            texts.last().unwrap(),
            &"{validateFields: 'false', compatibility: 'BACKWARD'}"
        );
        let quiet = check_orders(&s, "versions", order_breaking()).await;
        assert_eq!(quiet.assert_ok(), &json!({"is_compatible": false}));

        check_orders(&s, "versions/9", order_v1())
            .await
            .assert_error(404, 40402);
        check_orders(&s, "versions/nope", order_v1())
            .await
            .assert_error(422, 42202);

        // An invalid schema: 42201, or with verbose a 200 carrying the parse error.
        check_orders(&s, "versions", "{oops".to_owned())
            .await
            .assert_error(422, 42201);
        let verbose = check_orders(&s, "versions?verbose=true", "{oops".to_owned()).await;
        let body = verbose.assert_ok();
        assert_eq!(body["is_compatible"], false);
        assert!(
            body["messages"][0].as_str().unwrap().contains("line 1"),
            "{body}"
        );

        // Level NONE: everything is compatible.
        s.put("/config/orders-value", json!({"compatibility": "NONE"}))
            .await
            .assert_ok();
        let none = check_orders(&s, "versions", order_breaking()).await;
        assert_eq!(none.body, json!({"is_compatible": true}));
    }

    async fn compatible_evolution_registers_a_new_version() {
        let s = TestServer::start().await;
        s.register_ok("orders-value", &order_v1()).await;
        // Adding an optional field with a default is BACKWARD compatible.
        let v2 = s.register_ok("orders-value", &order_v2()).await;
        assert_eq!(v2, 2);
        assert_eq!(
            s.get("/subjects/orders-value/versions").await.body,
            json!([1, 2])
        );
        // Content equal to any live version, not only the latest, returns that version's id.
        assert_eq!(s.register_ok("orders-value", &order_v1()).await, 1);
        assert_eq!(
            s.get("/subjects/orders-value/versions").await.body,
            json!([1, 2])
        );
        let ok = s
            .post(
                "/compatibility/subjects/orders-value/versions/1?verbose=true",
                json!({"schema": order_v2()}),
            )
            .await;
        assert_eq!(ok.body, json!({"is_compatible": true, "messages": []}));
        // Removing the default-less field again is FORWARD-breaking under FULL.
        s.put(
            "/config/orders-value",
            json!({"compatibility": "FULL_TRANSITIVE"}),
        )
        .await
        .assert_ok();
        s.register("orders-value", &order_breaking())
            .await
            .assert_error(409, 40901);
    }

    async fn avro_canonical_form_and_normalize() {
        let s = TestServer::start().await;
        s.register_ok("prim", r#"{"type":"string"}"#).await;
        assert_eq!(
            s.get("/subjects/prim/versions/1").await.body["schema"],
            "\"string\""
        );
        // A redundant namespace is folded by normalize=true: same id, no new version.
        let full = r#"{"type":"record","name":"shop.Order","fields":[{"name":"id","type":"string"}]}"#;
        let id = s.register_ok("n", full).await;
        let redundant = r#"{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"string"}]}"#;
        let again = s
            .post(
                "/subjects/n/versions?normalize=true",
                json!({ "schema": redundant }),
            )
            .await;
        assert_eq!(again.assert_ok()["id"], id);
        assert_eq!(s.get("/subjects/n/versions").await.body, json!([1]));
    }

    /// Confluent's register, lookup and compatibility resources normalise when the
    /// request asks or the configuration in scope says `normalize: true`: Avro in its
    /// normalised form, JSON Schema with its keys sorted at every level.
    async fn confluent_config_normalize_applies_to_register_lookup_and_compatibility() {
        let s = TestServer::start().await;
        s.put("/config/n", json!({"normalize": true})).await.assert_ok();
        let full = r#"{"type":"record","name":"shop.Order","fields":[{"name":"id","type":"string"}]}"#;
        let redundant = r#"{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"string"}]}"#;
        let id = s.register_ok("n", full).await;
        let again = s.post("/subjects/n/versions", json!({ "schema": redundant })).await;
        assert_eq!(again.assert_ok()["id"], id);
        let found = s.post("/subjects/n", json!({ "schema": redundant })).await;
        assert_eq!(found.assert_ok()["version"], 1);
        let compatible = s
            .post("/compatibility/subjects/n/versions/latest", json!({ "schema": redundant }))
            .await;
        assert_eq!(compatible.assert_ok()["is_compatible"], true);
        // Without the configuration, the subject `plain` keeps the text as written.
        s.register_ok("plain", redundant).await;
        let plain = s.get("/subjects/plain/versions/1").await;
        assert!(plain.assert_ok()["schema"].as_str().unwrap().contains("\"namespace\""));

        // JSON Schema: the stored text has its keys sorted once `normalize` is on.
        let json_text = r#"{"type":"object","properties":{"b":{"type":"string"},"a":{"type":"integer"}}}"#;
        let body = json!({"schema": json_text, "schemaType": "JSON"});
        s.post("/subjects/j-plain/versions", body.clone()).await.assert_ok();
        let as_written = s.get("/subjects/j-plain/versions/1").await;
        assert_eq!(as_written.assert_ok()["schema"], json_text);
        // (Another schema: a text already stored keeps its first registration's form.)
        s.put("/config/j", json!({"normalize": true})).await.assert_ok();
        let other = r#"{"type":"object","properties":{"d":{"type":"string"},"c":{"type":"integer"}}}"#;
        let body = json!({"schema": other, "schemaType": "JSON"});
        s.post("/subjects/j/versions", body).await.assert_ok();
        let sorted = s.get("/subjects/j/versions/1").await;
        assert_eq!(
            sorted.assert_ok()["schema"],
            r#"{"properties":{"c":{"type":"integer"},"d":{"type":"string"}},"type":"object"}"#
        );
    }

    async fn references_resolve_and_protect_what_they_reference() {
        let s = TestServer::start().await;
        let address =
            r#"{"$id":"address.json","type":"object","properties":{"city":{"type":"string"}}}"#;
        let address_id = s
            .post(
                "/subjects/address/versions",
                json!({"schema": address, "schemaType": "JSON"}),
            )
            .await
            .assert_ok()["id"]
            .clone();
        let customer = r#"{"type":"object","properties":{"home":{"$ref":"address.json"}}}"#;
        let refs = json!([{"name": "address.json", "subject": "address", "version": -1}]);
        let reg = s
            .post(
                "/subjects/customer/versions",
                json!({"schema": customer, "schemaType": "JSON", "references": refs}),
            )
            .await;
        let customer_id = reg.assert_ok()["id"].clone();
        assert_ne!(customer_id, address_id);

        // Stored with the concrete version, shown wherever the schema is.
        let expected_refs = json!([{"name": "address.json", "subject": "address", "version": 1}]);
        assert_eq!(
            s.get("/subjects/customer/versions/1").await.body["references"],
            expected_refs
        );
        assert_eq!(
            s.get(&format!("/schemas/ids/{customer_id}")).await.body["references"],
            expected_refs
        );
        // `-1` was resolved to the concrete version: naming it explicitly is the same schema.
        let explicit = s
            .post(
                "/subjects/customer2/versions",
                json!({"schema": customer, "schemaType": "JSON", "references": expected_refs}),
            )
            .await;
        assert_eq!(explicit.assert_ok()["id"], customer_id);
        s.delete("/subjects/customer2").await.assert_ok();
        // Without its references the `$ref` resolves to nothing.
        s.post(
            "/subjects/customer3/versions",
            json!({"schema": customer, "schemaType": "JSON"}),
        )
        .await
        .assert_error(422, 42201);

        assert_eq!(
            s.get("/subjects/address/versions/1/referencedby")
                .await
                .body,
            json!([customer_id])
        );
        s.delete("/subjects/address/versions/1")
            .await
            .assert_error(422, 42206);
        s.delete("/subjects/address").await.assert_error(422, 42206);

        // A reference to nothing registered is an invalid schema.
        s.post(
            "/subjects/broken/versions",
            json!({"schema": customer, "schemaType": "JSON",
                   "references": [{"name": "address.json", "subject": "nobody", "version": 1}]}),
        )
        .await
        .assert_error(422, 42201);

        // Once the referrer is gone, the referenced version may go.
        s.delete("/subjects/customer").await.assert_ok();
        assert_eq!(
            s.get("/subjects/address/versions/1/referencedby")
                .await
                .body,
            json!([])
        );
        s.delete("/subjects/address/versions/1").await.assert_ok();
    }

    async fn avro_references_import_named_types_from_other_subjects() {
        let s = TestServer::start().await;
        let address = record("Address", r#"[{"name":"city","type":"string"}]"#);
        let address_id = s.register_ok("shop.Address", &address).await;
        let order = record("Order", r#"[{"name":"ship_to","type":"shop.Address"}]"#);
        let refs = json!([{"name": "shop.Address", "subject": "shop.Address", "version": 1}]);
        let order_id = s
            .post(
                "/subjects/orders-value/versions",
                json!({"schema": order, "references": refs}),
            )
            .await
            .assert_ok()["id"]
            .clone();
        assert_ne!(order_id, address_id);
        // Lookup needs the same references to find it.
        let found = s
            .post(
                "/subjects/orders-value",
                json!({"schema": order, "references": refs}),
            )
            .await;
        assert_eq!(found.assert_ok()["id"], order_id);
        assert_eq!(found.body["references"], refs);
        s.register("orders-value-2", &order)
            .await
            .assert_error(422, 42201);
        assert_eq!(
            s.get("/subjects/shop.Address/versions/1/referencedby")
                .await
                .body,
            json!([order_id])
        );
        s.delete("/subjects/shop.Address/versions/latest")
            .await
            .assert_error(422, 42206);
    }

    async fn metrics_count_requests_by_route_template() {
        let s = TestServer::start().await;
        s.register_ok("a", &order_v1()).await;
        s.register_ok("b", &order_v1()).await;
        s.get("/subjects/a/versions/1").await.assert_ok();
        let m = s.get("/metrics").await;
        assert!(m.content_type.starts_with("text/plain"));
        let text = m.text;
        assert!(
            text.contains(
                "schemagate_http_requests_total{method=\"POST\",route=\"/subjects/{s}/versions\",status=\"200\"} 2"
            ),
            "{text}"
        );
        assert!(text.contains("schemagate_http_request_duration_seconds_bucket{method=\"GET\",route=\"/subjects/{s}/versions/{v}\",status=\"200\",le=\"+Inf\"} 1"));
        assert!(text.contains("schemagate_subjects 2"));
        assert!(text.contains("schemagate_versions 2"));
        assert!(text.contains("schemagate_schemas 1"));
    }
}

/// `ServerMetadataResource` and `RootResource`: the server's version (what
/// `RestService.getSchemaRegistryServerVersion` reads), its deployment attributes, and
/// `POST /`, which Confluent answers `{}`.
#[tokio::test]
async fn confluent_server_metadata_version_deployment_and_root_post() {
    let s = TestServer::start().await;
    let version = s.get("/v1/metadata/version").await;
    let version = version.assert_ok();
    assert_eq!(version["version"], env!("CARGO_PKG_VERSION"));
    assert!(version["commitId"].is_string(), "{version}");
    let deployment = s.get("/v1/metadata/deployment").await;
    assert_eq!(deployment.assert_ok(), &json!({"attributes": []}));
    assert_eq!(
        s.post("/", json!({"any": "thing"})).await.assert_ok(),
        &json!({})
    );
}

/// Confluent's association filters on `GET /schemas` (`resourceType`,
/// `associationType`, `lifecycle`), over a registry that keeps no associations: a
/// filtered listing is every subject's schemas when `lifecycle=NONE` (subjects without
/// associations) is asked for, and empty otherwise, never the unfiltered list.
#[tokio::test]
async fn confluent_schemas_association_filters_over_subjects_without_associations() {
    let s = TestServer::start().await;
    s.register_ok("orders", &order_v1()).await;
    let count = |q: &'static str| {
        let s = &s;
        async move {
            let a = s.get(&format!("/schemas{q}")).await;
            a.assert_ok().as_array().expect("a list").len()
        }
    };
    assert_eq!(count("").await, 1);
    assert_eq!(count("?associationType=value").await, 0);
    assert_eq!(count("?resourceType=topic").await, 0);
    assert_eq!(count("?lifecycle=STRONG&lifecycle=WEAK").await, 0);
    assert_eq!(count("?lifecycle=NONE").await, 1);
    assert_eq!(
        count("?associationType=value&lifecycle=STRONG&lifecycle=NONE").await,
        1
    );
    let bad = s.get("/schemas?lifecycle=FOREVER").await;
    bad.assert_error(400, 400);
    assert!(bad.text.contains("FOREVER"), "{}", bad.text);
}

/// Confluent's `normalizeSchemaLimit`: `GET /schemas` answers at most 1000 schemas, and
/// 1000 when the limit is absent or out of range; `offset` pages past them.
#[tokio::test]
async fn confluent_schemas_listing_is_capped_at_1000_and_pages_with_offset() {
    let s = TestServer::start().await;
    let total = 1003;
    for i in 0..total {
        let schema = record(&format!("R{i}"), "[]");
        s.register_ok(&format!("s{i:04}"), &schema).await;
    }
    let count = |q: String| {
        let s = &s;
        async move {
            s.get(&format!("/schemas{q}"))
                .await
                .assert_ok()
                .as_array()
                .unwrap()
                .len()
        }
    };
    assert_eq!(count(String::new()).await, 1000);
    assert_eq!(count("?limit=5000".into()).await, 1000);
    assert_eq!(count("?limit=-1".into()).await, 1000);
    assert_eq!(count("?limit=10".into()).await, 10);
    assert_eq!(count("?offset=1000".into()).await, 3);
}

/// `RestService.modifySchemaTags` (`POST /subjects/{s}/versions/{v}/tags`): not
/// implemented here, and answered so, with what to do instead, never as an unknown path
/// and never by changing anything.
#[tokio::test]
async fn confluent_modify_schema_tags_is_refused_as_not_implemented() {
    let s = TestServer::start().await;
    s.register_ok("orders", &order_v1()).await;
    let body = json!({"newVersion": 2, "tagsToAdd": [{"entityPath": "shop.Order.id", "entityType": "SR_FIELD", "tags": ["PII"]}]});
    let a = s.post("/subjects/orders/versions/1/tags", body).await;
    a.assert_error(501, 501);
    assert!(
        a.text.contains("not implemented") && a.text.contains("confluent:tags"),
        "{}",
        a.text
    );
    assert_eq!(
        s.get("/subjects/orders/versions").await.assert_ok(),
        &json!([1])
    );
}
