//! The hot routes (schema by id, subject version, lookup) are answered before the
//! router; they must answer exactly as the router does. A percent-encoded path segment
//! always takes the router's way, so each request is sent both ways and compared:
//! status, body and content type, for answers from the cache and for every error.

use crate::common;

use common::{TestServer, order_v1, order_v2};
use schemagate_server::Config;

/// Status, content type and body of one raw request.
async fn send(
    s: &TestServer,
    method: reqwest::Method,
    path: &str,
    accept: Option<&str>,
    body: Option<&[u8]>,
) -> (u16, String, String) {
    let mut request = s.client.request(method, s.url(path));
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    if let Some(body) = body {
        request = request
            .header("content-type", "application/vnd.schemaregistry.v1+json")
            .body(body.to_vec());
    }
    let answer = s.send(request).await;
    (answer.status, answer.content_type, answer.text)
}

/// `path` with its first occurrence of `plain` percent-encoded, so the router answers.
fn routed(path: &str, plain: &str) -> String {
    let encoded: String = plain.bytes().map(|b| format!("%{b:02X}")).collect();
    path.replacen(plain, &encoded, 1)
}

/// Sends the request the hot way and the router's way, twice each (a miss, then a hit
/// where there is a cache), and requires the same answer every time.
async fn same_both_ways(
    s: &TestServer,
    method: reqwest::Method,
    path: &str,
    segment: &str,
    accept: Option<&str>,
    body: Option<&[u8]>,
) -> (u16, String) {
    let slow = routed(path, segment);
    let mut answers = Vec::new();
    for p in [path, slow.as_str(), path, slow.as_str()] {
        answers.push(send(s, method.clone(), p, accept, body).await);
    }
    for answer in &answers[1..] {
        assert_eq!(answer, &answers[0], "{method} {path} against {slow}");
    }
    let (status, _, text) = answers.swap_remove(0);
    (status, text)
}

on_each_store! {
    async fn hot_reads_answer_as_the_router_does() {
        let s = TestServer::start().await;
        let v1 = s.register_ok("orders", &order_v1()).await;
        s.register_ok("orders", &order_v2()).await;
        s.register_ok("other", &order_v1()).await;
        s.delete("/subjects/other/versions/1").await.assert_ok();

        let get = reqwest::Method::GET;
        let id_path = format!("/schemas/ids/{v1}");
        let cases: Vec<(String, &str)> = vec![
            (id_path.clone(), "/ids/"),
            (format!("{id_path}?fetchMaxId=false&subject=orders"), "/ids/"),
            ("/schemas/ids/0".into(), "/ids/"),
            ("/schemas/ids/999".into(), "/ids/"),
            ("/schemas/ids/x".into(), "/ids/"),
            ("/schemas/ids/99999999999".into(), "/ids/"),
            ("/subjects/orders/versions/latest".into(), "orders"),
            ("/subjects/orders/versions/-1".into(), "orders"),
            ("/subjects/orders/versions/1".into(), "orders"),
            ("/subjects/orders/versions/3".into(), "orders"),
            ("/subjects/orders/versions/0".into(), "orders"),
            ("/subjects/orders/versions/abc".into(), "orders"),
            ("/subjects/orders/versions/latest/".into(), "orders"),
            ("/subjects/other/versions/1".into(), "other"),
            ("/subjects/other/versions/1?deleted=true".into(), "other"),
            ("/subjects/nobody/versions/1".into(), "nobody"),
        ];
        for (path, segment) in &cases {
            // "/ids/" is a literal segment: encode the id's first digit instead.
            let segment = if *segment == "/ids/" {
                &path["/schemas/ids/".len()..="/schemas/ids/".len()]
            } else {
                segment
            };
            for accept in [None, Some("application/json")] {
                same_both_ways(&s, get.clone(), path, segment, accept, None).await;
            }
        }
        // The cached answers are the right ones, not merely consistent.
        let (status, text) = same_both_ways(&s, get.clone(), &id_path, &v1.to_string()[..1], None, None).await;
        assert_eq!(status, 200);
        assert!(text.contains("\"schema\""), "{text}");
        let (status, text) = same_both_ways(&s, get, "/subjects/orders/versions/latest", "orders", None, None).await;
        assert_eq!(status, 200);
        assert!(text.contains("\"version\":2"), "{text}");
    }

    async fn hot_lookups_answer_as_the_router_does() {
        let s = TestServer::start_with(Config {
            max_body: 4096,
            ..Config::default()
        })
        .await;
        s.register_ok("orders", &order_v1()).await;
        s.register_ok("gone", &order_v2()).await;
        s.delete("/subjects/gone").await.assert_ok();
        let post = reqwest::Method::POST;
        let known = serde_json::json!({ "schema": order_v1() }).to_string();
        let unknown = serde_json::json!({ "schema": "\"string\"" }).to_string();
        let json_type = serde_json::json!({ "schema": "{}", "schemaType": "JSON" }).to_string();
        let gone = serde_json::json!({ "schema": order_v2() }).to_string();
        let too_large = format!(r#"{{"schema":"{}"}}"#, "x".repeat(8192));
        let bodies: Vec<&[u8]> = vec![
            known.as_bytes(),
            unknown.as_bytes(),
            json_type.as_bytes(),
            gone.as_bytes(),
            too_large.as_bytes(),
            b"",
            b"   ",
            b"{",
            b"[]",
            b"{\"schema\": 5}",
            b"{\"schema\": \"{not avro\"}",
            b"\xff\xfe",
        ];
        for path in [
            "/subjects/orders",
            "/subjects/orders?normalize=true",
            "/subjects/orders/",
            "/subjects/gone",
            "/subjects/gone?deleted=true",
            "/subjects/nobody",
        ] {
            let segment = path["/subjects/".len()..].split(['/', '?']).next().unwrap_or("");
            for body in &bodies {
                same_both_ways(&s, post.clone(), path, segment, None, Some(body)).await;
            }
        }
        let (status, text) = same_both_ways(&s, post.clone(), "/subjects/orders", "orders", None, Some(known.as_bytes())).await;
        assert_eq!(status, 200);
        assert!(text.contains("\"version\":1"), "{text}");
        let (status, text) = same_both_ways(&s, post, "/subjects/orders", "orders", None, Some(too_large.as_bytes())).await;
        assert_eq!(status, 413);
        assert!(text.contains("4096"), "{text}");
    }

    async fn hot_routes_are_counted_under_the_router_labels() {
        let s = TestServer::start().await;
        let id = s.register_ok("orders", &order_v1()).await;
        for _ in 0..3 {
            s.get(&format!("/schemas/ids/{id}")).await.assert_ok();
            s.get("/subjects/orders/versions/latest").await.assert_ok();
            s.post("/subjects/orders", serde_json::json!({ "schema": order_v1() }))
                .await
                .assert_ok();
        }
        let text = s.get("/metrics").await.text;
        for (method, route) in [
            ("GET", "/schemas/ids/{id}"),
            ("GET", "/subjects/{s}/versions/{v}"),
            ("POST", "/subjects/{s}"),
        ] {
            let series = format!(
                "schemagate_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"200\"}} 3"
            );
            assert!(text.contains(&series), "{series} in {text}");
        }
    }
}
