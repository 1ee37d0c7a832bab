//! What must survive: a restart on the same data directory, and many concurrent
//! writers registering overlapping schemas.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use common::{TestServer, order_v1, order_v2, record};
use schemagate_server::Config;
use serde_json::json;

on_each_store! {
    async fn everything_survives_a_restart() {
        let s = TestServer::start().await;
        s.put("/config", json!({"compatibility": "NONE"}))
            .await
            .assert_ok();
        s.put("/config/orders-value", json!({"compatibility": "FULL"}))
            .await
            .assert_ok();
        s.put("/mode/frozen", json!({"mode": "READONLY"}))
            .await
            .assert_ok();
        let a = s.register_ok("orders-value", &order_v1()).await;
        let b = s.register_ok("refunds-value", &order_v2()).await;
        let c = s
            .register_ok(
                "refunds-value",
                &record("Refund", r#"[{"name":"r","type":"int"}]"#),
            )
            .await;
        s.delete("/subjects/refunds-value/versions/1")
            .await
            .assert_ok();
        let gone = s
            .register_ok("gone", &record("Gone", r#"[{"name":"g","type":"int"}]"#))
            .await;
        s.delete("/subjects/gone").await.assert_ok();
        s.delete("/subjects/gone?permanent=true").await.assert_ok();

        let dir = s.stop().await;
        let s = TestServer::start_in(dir, Config::default()).await;

        assert_eq!(s.get("/config").await.body["compatibilityLevel"], "NONE");
        assert_eq!(
            s.get("/config/orders-value").await.body["compatibilityLevel"],
            "FULL"
        );
        assert_eq!(s.get("/mode/frozen").await.body["mode"], "READONLY");
        assert_eq!(
            s.get("/subjects/orders-value/versions/1").await.body["id"],
            a
        );
        assert_eq!(
            s.get("/subjects/refunds-value/versions").await.body,
            json!([2])
        );
        assert_eq!(
            s.get("/subjects/refunds-value/versions/1?deleted=true")
                .await
                .body["id"],
            b
        );
        assert_eq!(
            s.get("/subjects/refunds-value/versions/2").await.body["id"],
            c
        );
        s.get("/subjects/gone/versions?deleted=true")
            .await
            .assert_error(404, 40401);
        // Re-registering keeps ids; a new schema never reuses one, not even a deleted one's.
        assert_eq!(s.register_ok("orders-value", &order_v1()).await, a);
        let fresh = s
            .register_ok("new", &record("New", r#"[{"name":"n","type":"int"}]"#))
            .await;
        assert!(
            fresh > gone,
            "fresh id {fresh} must be above every earlier id"
        );
        s.stop().await;
    }

    #[test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_registrations_get_one_id_per_schema_and_dense_versions() {
        let s = Arc::new(TestServer::start().await);
        s.put("/config", json!({"compatibility": "NONE"}))
            .await
            .assert_ok();
        let schemas: Vec<String> = (0..6)
            .map(|i| record(&format!("R{i}"), r#"[{"name":"f","type":"int"}]"#))
            .collect();
        let subjects = ["s0", "s1", "s2"];

        let mut tasks = Vec::new();
        for t in 0..32usize {
            let s = Arc::clone(&s);
            let schemas = schemas.clone();
            tasks.push(tokio::spawn(async move {
                let mut seen = Vec::new();
                // Each task walks the same pairs in a different order, so they collide.
                for k in 0..6 {
                    let schema = (t + k) % schemas.len();
                    let subject = subjects[(t / 2 + k) % subjects.len()];
                    let id = s.register_ok(subject, &schemas[schema]).await;
                    seen.push((schema, subject, id));
                }
                seen
            }));
        }
        let mut id_of: BTreeMap<usize, BTreeSet<u64>> = BTreeMap::new();
        let mut pairs: BTreeSet<(&str, usize)> = BTreeSet::new();
        for task in tasks {
            for (schema, subject, id) in task.await.unwrap() {
                id_of.entry(schema).or_default().insert(id);
                pairs.insert((subject, schema));
            }
        }
        // One id per schema, distinct schemas distinct ids.
        let mut all_ids = BTreeSet::new();
        for (schema, ids) in &id_of {
            assert_eq!(ids.len(), 1, "schema {schema} got ids {ids:?}");
            assert!(all_ids.insert(*ids.iter().next().unwrap()));
        }
        // Per subject: versions 1..=n without gaps, one version per distinct schema.
        for subject in subjects {
            let versions = s.get(&format!("/subjects/{subject}/versions")).await.body;
            let expected: Vec<usize> =
                (1..=pairs.iter().filter(|(s, _)| *s == subject).count()).collect();
            assert_eq!(versions, json!(expected), "versions of {subject}");
            let mut ids = BTreeSet::new();
            for v in &expected {
                let id = s
                    .get(&format!("/subjects/{subject}/versions/{v}"))
                    .await
                    .body["id"]
                    .as_u64()
                    .unwrap();
                assert!(ids.insert(id), "{subject} holds id {id} twice");
            }
        }
    }

    async fn shutdown_lets_in_flight_requests_finish() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let s = TestServer::start().await;
        let addr = s.base.trim_start_matches("http://").to_owned();
        let body = json!({ "schema": order_v1() }).to_string();
        let (head, tail) = body.split_at(10);
        let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
        conn.write_all(
            format!(
                "POST /subjects/late/versions HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{head}",
                body.len()
            )
            .as_bytes(),
        )
        .await
        .unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let stopped = tokio::spawn(s.begin_stop());
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        assert!(
            !stopped.is_finished(),
            "must wait for the request in flight"
        );
        conn.write_all(tail.as_bytes()).await.unwrap();
        let mut answer = String::new();
        conn.read_to_string(&mut answer).await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        let dir = stopped.await.unwrap();

        // And what it acknowledged was flushed.
        let s = TestServer::start_in(dir, Config::default()).await;
        assert_eq!(s.get("/subjects/late/versions").await.body, json!([1]));
    }
}
