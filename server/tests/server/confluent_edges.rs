//! Confluent's edges, each pinned by what Confluent 8 (its Jersey resources, exceptions
//! and storage) and Karapace's tests answer: content negotiation, error codes and
//! words, listing filters, modes, compatibility answers and the newer query parameters.

use crate::common;

use common::{Answer, TestServer, order_breaking, order_v1, order_v2, record};
use reqwest::Method;
use serde_json::{Value, json};

const V1: &str = "application/vnd.schemaregistry.v1+json";

async fn get_accepting(s: &TestServer, path: &str, accept: &str) -> Answer {
    s.send(s.client.get(s.url(path)).header("accept", accept))
        .await
}

async fn put_raw(s: &TestServer, path: &str, content_type: &str, body: Vec<u8>) -> Answer {
    s.send(
        s.client
            .put(s.url(path))
            .header("content-type", content_type)
            .body(body),
    )
    .await
}

fn message(answer: &Answer) -> &str {
    answer.body["message"].as_str().unwrap_or_default()
}

/// A record `Address` for references, and `Person` using it by name.
fn address() -> String {
    record("Address", r#"[{"name":"street","type":"string"}]"#)
}

fn person() -> Value {
    json!({
        "schema": record("Person", r#"[{"name":"home","type":"shop.Address"}]"#),
        "references": [{"name": "shop.Address", "subject": "addr", "version": 1}],
    })
}

on_each_store! {
    async fn confluent_accept_header_is_negotiated_as_jersey_does() {
        let s = TestServer::start().await;
        let id = s.register_ok("orders-value", &order_v1()).await;
        for (accept, expected) in [
            ("application/json", "application/json"),
            ("*/*", V1),
            ("*", V1),
            ("application/*", V1),
            ("*/does_not_matter", V1),
            ("text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2", V1),
            (
                "application/vnd.schemaregistry.v2+json; q=0.1, application/vnd.schemaregistry+json; q=0.9",
                "application/vnd.schemaregistry+json",
            ),
            ("application/vnd.schemaregistry.v1+json; q=0.9, application/json; q=0.5", V1),
            ("application/json; q=0.9, application/vnd.schemaregistry.v1+json; q=0.5", "application/json"),
        ] {
            // A routed read, and both hot reads, answer in the preferred type.
            for path in [
                "/subjects".to_owned(),
                format!("/schemas/ids/{id}"),
                "/subjects/orders-value/versions/1".to_owned(),
            ] {
                let answer = get_accepting(&s, &path, accept).await;
                assert_eq!(answer.status, 200, "{path} {accept}: {}", answer.text);
                assert_eq!(answer.content_type, expected, "{path} {accept}");
            }
        }
        for accept in [
            "application/vnd.schemaregistry.v2+json",
            "text/*",
            "application/octet-stream",
        ] {
            for path in ["/subjects".to_owned(), format!("/schemas/ids/{id}")] {
                let answer = get_accepting(&s, &path, accept).await;
                answer.assert_error(406, 406);
                assert_eq!(message(&answer), "HTTP 406 Not Acceptable");
                assert_eq!(answer.content_type, V1);
            }
        }
        // Prometheus and probes are not Confluent's: they get their answer.
        assert_eq!(get_accepting(&s, "/metrics", "text/plain").await.status, 200);
    }

    async fn confluent_body_types_are_415_and_wide_charsets_are_decoded() {
        let s = TestServer::start().await;
        let refused = put_raw(&s, "/config", "text/html", br#"{"compatibility":"NONE"}"#.to_vec()).await;
        refused.assert_error(415, 415);
        assert_eq!(message(&refused), "HTTP 415 Unsupported Media Type");
        assert_eq!(refused.content_type, V1);
        // Refused before anything was written.
        assert_eq!(s.get("/config").await.body["compatibilityLevel"], "BACKWARD");
        // The hot lookup refuses too.
        let lookup = s
            .send(
                s.client
                    .post(s.url("/subjects/orders-value"))
                    .header("content-type", "text/plain")
                    .body(json!({"schema": order_v1()}).to_string()),
            )
            .await;
        lookup.assert_error(415, 415);
        let octet = put_raw(&s, "/config", "application/octet-stream", br#"{"compatibility":"FULL"}"#.to_vec()).await;
        assert_eq!(octet.assert_ok()["compatibility"], "FULL");

        // UTF-16 (with a BOM, as Python's "utf-16" writes it, or without) and UTF-32
        // bodies are read as Jackson reads them.
        let text = r#"{"compatibility": "NONE"}"#;
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let utf16be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let utf32: Vec<u8> = text.chars().flat_map(|c| (c as u32).to_le_bytes()).collect();
        for (charset, body) in [("utf-16", utf16), ("utf-16be", utf16be), ("utf-32", utf32)] {
            let answer = put_raw(
                &s,
                "/config",
                &format!("application/vnd.schemaregistry.v1+json; charset={charset}"),
                body,
            )
            .await;
            assert_eq!(answer.assert_ok()["compatibility"], "NONE", "{charset}");
            assert_eq!(answer.content_type, V1);
        }
    }

    async fn confluent_non_numeric_schema_id_is_404_with_error_code_404() {
        let s = TestServer::start().await;
        for path in ["/schemas/ids/invalid", "/schemas/ids/invalid/schema", "/schemas/ids/4294967296"] {
            let answer = s.get(path).await;
            answer.assert_error(404, 404);
            assert_eq!(message(&answer), "HTTP 404 Not Found", "{path}");
        }
        let unknown = s.get("/schemas/ids/999").await;
        unknown.assert_error(404, 40403);
        assert_eq!(message(&unknown), "Schema 999 not found");
        let zero = s.get("/schemas/ids/0").await;
        zero.assert_error(404, 40403);
        assert_eq!(message(&zero), "Schema 0 not found");
        // The subjects and versions of an unknown id name no id, as Confluent words it.
        let subjects = s.get("/schemas/ids/999/subjects").await;
        subjects.assert_error(404, 40403);
        assert_eq!(message(&subjects), "Schema not found");
    }

    async fn confluent_error_messages_are_confluents_words() {
        let s = TestServer::start().await;
        s.register_ok("orders-value", &order_v1()).await;
        s.register_ok("orders-value", &order_v2()).await;

        let missing = s.get("/subjects/nope/versions").await;
        missing.assert_error(404, 40401);
        assert_eq!(message(&missing), "Subject 'nope' not found.");
        let version = s.get("/subjects/orders-value/versions/7").await;
        version.assert_error(404, 40402);
        assert_eq!(message(&version), "Version 7 not found.");
        let lookup = s.post("/subjects/orders-value", json!({"schema": order_breaking()})).await;
        lookup.assert_error(404, 40403);
        assert_eq!(message(&lookup), "Schema not found");

        let not_soft = s.delete("/subjects/orders-value/versions/2?permanent=true").await;
        not_soft.assert_error(404, 40407);
        assert_eq!(
            message(&not_soft),
            "Subject 'orders-value' Version 2 was not deleted first before being permanently deleted"
        );
        s.delete("/subjects/orders-value/versions/2").await.assert_ok();
        let again = s.delete("/subjects/orders-value/versions/2").await;
        again.assert_error(404, 40406);
        assert_eq!(
            message(&again),
            "Subject 'orders-value' Version 2 was soft deleted.Set permanent=true to delete permanently"
        );
        s.delete("/subjects/orders-value").await.assert_ok();
        let subject = s.delete("/subjects/orders-value").await;
        subject.assert_error(404, 40404);
        assert_eq!(
            message(&subject),
            "Subject 'orders-value' was soft deleted.Set permanent=true to delete permanently"
        );

        let level = s.put("/config", json!({"compatibility": "nonexistentmode"})).await;
        level.assert_error(422, 42203);
        assert_eq!(
            message(&level),
            "Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive"
        );
        let mode = s.put("/mode", json!({"mode": "SIDEWAYS"})).await;
        mode.assert_error(422, 42204);
        assert_eq!(
            message(&mode),
            "Invalid mode. Valid values are READWRITE, READONLY, IMPORT and FORWARD."
        );
    }

    async fn confluent_deleted_only_lists_subjects_whose_every_version_is_soft_deleted() {
        let s = TestServer::start().await;
        s.register_ok("live", &order_v1()).await;
        s.register_ok("mixed", &order_v1()).await;
        s.register_ok("mixed", &order_v2()).await;
        s.register_ok("gone", &order_v1()).await;
        s.delete("/subjects/mixed/versions/1").await.assert_ok();
        s.delete("/subjects/gone").await.assert_ok();

        assert_eq!(s.get("/subjects").await.body, json!(["live", "mixed"]));
        assert_eq!(
            s.get("/subjects?deleted=true").await.body,
            json!(["gone", "live", "mixed"])
        );
        // `mixed` still has a live version: not deleted-only. `deletedOnly` beats `deleted`.
        for query in ["deletedOnly=true", "deletedOnly=true&deleted=true"] {
            assert_eq!(s.get(&format!("/subjects?{query}")).await.body, json!(["gone"]), "{query}");
        }
        assert_eq!(
            s.get("/subjects/mixed/versions?deletedOnly=true&deleted=true").await.body,
            json!([1])
        );
    }

    async fn confluent_deleted_as_negative_lists_soft_deleted_versions_negated() {
        let s = TestServer::start().await;
        s.register_ok("orders-value", &order_v1()).await;
        s.register_ok("orders-value", &order_v2()).await;
        s.delete("/subjects/orders-value/versions/1").await.assert_ok();
        for query in ["deletedAsNegative=true", "deletedAsNegative=true&deletedOnly=true"] {
            assert_eq!(
                s.get(&format!("/subjects/orders-value/versions?{query}")).await.body,
                json!([-1, 2]),
                "{query}"
            );
        }
        assert_eq!(
            s.get("/subjects/orders-value/versions?deletedAsNegative=true&offset=1").await.body,
            json!([2])
        );
        // A subject with only soft-deleted versions is 40401 unless deleted ones are asked for.
        s.delete("/subjects/orders-value/versions/2").await.assert_ok();
        s.get("/subjects/orders-value/versions?deletedAsNegative=true")
            .await
            .assert_error(404, 40401);
        assert_eq!(
            s.get("/subjects/orders-value/versions?deletedAsNegative=true&deleted=true").await.body,
            json!([-1, -2])
        );
    }

    async fn confluent_delete_global_mode_returns_old_mode() {
        let s = TestServer::start().await;
        // Nothing set: the default the registry ran in.
        assert_eq!(s.delete("/mode").await.assert_ok(), &json!({"mode": "READWRITE"}));
        s.put("/mode", json!({"mode": "READONLY"})).await.assert_ok();
        s.put("/mode/a", json!({"mode": "IMPORT"})).await.assert_ok();
        assert_eq!(s.delete("/mode").await.assert_ok(), &json!({"mode": "READONLY"}));
        assert_eq!(s.get("/mode").await.body, json!({"mode": "READWRITE"}));
        // Without `recursive` the subject keeps its own mode; with it, it goes too.
        assert_eq!(s.get("/mode/a").await.body, json!({"mode": "IMPORT"}));
        s.put("/mode", json!({"mode": "READONLY"})).await.assert_ok();
        assert_eq!(
            s.delete("/mode?recursive=true").await.assert_ok(),
            &json!({"mode": "READONLY"})
        );
        s.get("/mode/a").await.assert_error(404, 40409);
        s.register_ok("a", &order_v1()).await;
    }

    async fn confluent_delete_subject_mode_recursive_answers_null_mode() {
        let s = TestServer::start().await;
        s.delete("/mode/a").await.assert_error(404, 40401);
        assert_eq!(s.delete("/mode/a?recursive=true").await.assert_ok(), &json!({}));
        s.put("/mode/a", json!({"mode": "READONLY"})).await.assert_ok();
        assert_eq!(
            s.delete("/mode/a?recursive=true").await.assert_ok(),
            &json!({"mode": "READONLY"})
        );
        s.get("/mode/a").await.assert_error(404, 40409);
    }

    async fn confluent_forward_mode_is_global_only_and_registers_as_import() {
        let s = TestServer::start().await;
        let subject = s.put("/mode/a", json!({"mode": "FORWARD"})).await;
        subject.assert_error(422, 42204);
        assert_eq!(message(&subject), "Forward mode only supported on global level");
        assert_eq!(s.put("/mode", json!({"mode": "forward"})).await.assert_ok(), &json!({"mode": "FORWARD"}));
        assert_eq!(s.get("/mode").await.body, json!({"mode": "FORWARD"}));
        // As in IMPORT: the given id is kept and no compatibility check runs.
        let kept = s
            .post("/subjects/a/versions", json!({"schema": order_v1(), "id": 40}))
            .await;
        assert_eq!(kept.assert_ok()["id"], 40);
        let breaking = s
            .post("/subjects/a/versions", json!({"schema": order_breaking(), "id": 41}))
            .await;
        assert_eq!(breaking.assert_ok()["id"], 41);
    }

    async fn confluent_compatibility_of_a_version_of_an_unknown_subject_is_40402() {
        let s = TestServer::start().await;
        let body = json!({"schema": order_v1()});
        let numbered = s.post("/compatibility/subjects/nope/versions/3", body.clone()).await;
        numbered.assert_error(404, 40402);
        assert_eq!(message(&numbered), "Version 3 not found.");
        // `latest` of nothing is compatible with anything, as in Confluent.
        assert_eq!(
            s.post("/compatibility/subjects/nope/versions/latest", body).await.assert_ok(),
            &json!({"is_compatible": true})
        );
    }

    async fn confluent_incompatible_registration_is_40901_with_confluents_details() {
        let s = TestServer::start().await;
        s.register_ok("orders-value", &order_v1()).await;
        let refused = s.register("orders-value", &order_breaking()).await;
        refused.assert_error(409, 40901);
        let text = message(&refused);
        assert!(
            text.starts_with(
                "Schema being registered is incompatible with an earlier schema for subject \"orders-value\", details: [{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'"
            ),
            "{text}"
        );
        assert!(text.contains(", {oldSchemaVersion: 1}, {oldSchema: '"), "{text}");
        assert!(
            text.ends_with(", {validateFields: 'false', compatibility: 'BACKWARD'}]"),
            "{text}"
        );
    }

    async fn confluent_register_force_skips_the_compatibility_check() {
        let s = TestServer::start().await;
        s.register_ok("orders-value", &order_v1()).await;
        s.register("orders-value", &order_breaking()).await.assert_error(409, 40901);
        let forced = s
            .post("/subjects/orders-value/versions?force=true", json!({"schema": order_breaking()}))
            .await;
        assert_eq!(forced.assert_ok()["version"], 2);
        // The level still holds for the next registration without force.
        let retyped = record(
            "Order",
            r#"[{"name":"id","type":"string"},{"name":"amount","type":"string"}]"#,
        );
        s.register("orders-value", &retyped).await.assert_error(409, 40901);
    }

    async fn confluent_fetch_max_id_adds_max_id() {
        let s = TestServer::start().await;
        let first = s.register_ok("a", &order_v1()).await;
        let second = s.register_ok("b", &record("Other", "[]")).await;
        let answer = s.get(&format!("/schemas/ids/{first}?fetchMaxId=true")).await;
        assert_eq!(answer.assert_ok()["maxId"], second);
        assert_eq!(answer.body["schema"], s.get(&format!("/schemas/ids/{first}")).await.body["schema"]);
        // Confluent's client always sends fetchMaxId=false: the plain answer.
        let plain = s.get(&format!("/schemas/ids/{first}?fetchMaxId=false")).await;
        assert!(plain.assert_ok().get("maxId").is_none());
    }

    async fn confluent_id_listings_and_referencedby_are_paged() {
        let s = TestServer::start().await;
        let id = s.register_ok("a", &order_v1()).await;
        s.register_ok("b", &order_v1()).await;
        s.register_ok("c", &order_v1()).await;
        assert_eq!(
            s.get(&format!("/schemas/ids/{id}/subjects?offset=1&limit=1")).await.body,
            json!(["b"])
        );
        assert_eq!(
            s.get(&format!("/schemas/ids/{id}/versions?offset=2")).await.body,
            json!([{"subject": "c", "version": 1}])
        );

        s.register_ok("addr", &address()).await;
        let p1 = s.post("/subjects/p1/versions", person()).await.assert_ok()["id"].clone();
        let mut other = person();
        other["schema"] = json!(record("Person2", r#"[{"name":"home","type":"shop.Address"}]"#));
        let p2 = s.post("/subjects/p2/versions", other).await.assert_ok()["id"].clone();
        assert_eq!(
            s.get("/subjects/addr/versions/1/referencedby").await.body,
            json!([p1, p2])
        );
        assert_eq!(
            s.get("/subjects/addr/versions/1/referencedby?offset=1&limit=5000").await.body,
            json!([p2])
        );
        // A referrer used only by a soft-deleted version shows with `deleted=true`.
        s.delete("/subjects/p2/versions/1").await.assert_ok();
        assert_eq!(s.get("/subjects/addr/versions/1/referencedby").await.body, json!([p1]));
        assert_eq!(
            s.get("/subjects/addr/versions/1/referencedby?deleted=true").await.body,
            json!([p1, p2])
        );
    }

    async fn confluent_format_resolved_writes_avro_references_in_full() {
        let s = TestServer::start().await;
        s.register_ok("addr", &address()).await;
        let id = s.post("/subjects/person/versions", person()).await.assert_ok()["id"].clone();
        let registered = r#"{"type":"record","name":"Person","namespace":"shop","fields":[{"name":"home","type":"Address"}]}"#;
        let resolved = r#"{"type":"record","name":"Person","namespace":"shop","fields":[{"name":"home","type":{"type":"record","name":"Address","fields":[{"name":"street","type":"string"}]}}]}"#;
        assert_eq!(s.get(&format!("/schemas/ids/{id}")).await.body["schema"], registered);
        for path in [
            format!("/schemas/ids/{id}?format=resolved"),
            "/subjects/person/versions/1?format=resolved".to_owned(),
            "/subjects/person/versions/latest?format=RESOLVED".to_owned(),
        ] {
            assert_eq!(s.get(&path).await.assert_ok()["schema"], resolved, "{path}");
        }
        for path in [
            format!("/schemas/ids/{id}/schema?format=resolved"),
            "/subjects/person/versions/1/schema?format=resolved".to_owned(),
        ] {
            let raw = s.get(&path).await;
            assert_eq!(raw.status, 200, "{path}");
            assert_eq!(raw.text, resolved, "{path}");
        }
        let looked_up = s.post("/subjects/person?format=resolved", person()).await;
        assert_eq!(looked_up.assert_ok()["schema"], resolved);
        let registered_again = s.post("/subjects/person/versions?format=resolved", person()).await;
        assert_eq!(registered_again.assert_ok()["schema"], resolved);
        // `serialized` is Protobuf's: Confluent's Avro provider answers the text as registered.
        assert_eq!(
            s.get(&format!("/schemas/ids/{id}?format=serialized")).await.body["schema"],
            registered
        );
        // JSON Schema's provider formats nothing: `resolved` is the text as registered.
        let json_id = s
            .post(
                "/subjects/j/versions",
                json!({"schema": r#"{"type":"object"}"#, "schemaType": "JSON"}),
            )
            .await
            .assert_ok()["id"]
            .clone();
        assert_eq!(
            s.get(&format!("/schemas/ids/{json_id}?format=resolved")).await.body["schema"],
            r#"{"type":"object"}"#
        );
    }

    async fn confluent_logical_format_is_refused_and_unknown_formats_answer_the_default() {
        let s = TestServer::start().await;
        let id = s.register_ok("a", &order_v1()).await;
        // A format no provider knows: Confluent logs it and answers the default text.
        let raw = s.get(&format!("/schemas/ids/{id}/schema")).await.text;
        assert_eq!(s.get(&format!("/schemas/ids/{id}/schema?format=pretty")).await.text, raw);
        for path in [
            format!("/schemas/ids/{id}?format=logical"),
            format!("/schemas/ids/{id}/schema?format=LOGICAL"),
            "/subjects/a/versions/1?format=logical".to_owned(),
        ] {
            let answer = s.get(&path).await;
            answer.assert_error(400, 400);
            assert!(message(&answer).starts_with("Format not supported: "), "{path}");
        }
        // Refused before the write: nothing registered.
        let refused = s
            .call(
                Method::POST,
                "/subjects/b/versions?format=logical",
                Some(json!({"schema": order_v1()})),
            )
            .await;
        refused.assert_error(400, 400);
        s.get("/subjects/b/versions").await.assert_error(404, 40401);
    }
}
