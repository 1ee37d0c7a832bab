//! Hostile input over HTTP: every answer is a Confluent error body
//! `{"error_code": int, "message": str}` with the status its code starts with, and the
//! server answers the next request (`GET /` -> 200) after each.
//!
//! Bytes reqwest will not send (invalid UTF-8 in a path, `..` that URL parsers
//! normalise away) go over raw TCP.

use crate::common;

use std::time::Duration;

use common::{Answer, TestServer, order_v1, record};
use schemagate_server::Config;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Status and body of a raw HTTP/1.1 exchange (`Connection: close`).
async fn raw(s: &TestServer, head: &[u8], body: &[u8]) -> (u16, Value, String) {
    let addr = s.base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let mut request = head.to_vec();
    request.extend_from_slice(
        format!(
            " HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    );
    request.extend_from_slice(body);
    stream.write_all(&request).await.expect("send");
    let mut response = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut response))
        .await
        .expect("answer within 20 s")
        .expect("read");
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    let (headers, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let body = if headers
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_owned()
    };
    let json = serde_json::from_str(&body).unwrap_or(Value::String(body.clone()));
    (status, json, text)
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        body = rest[n..].trim_start_matches("\r\n");
    }
    out
}

#[track_caller]
fn confluent_error(status: u16, body: &Value, text: &str, want_status: u16, want_code: u64) {
    assert_eq!(status, want_status, "status of {text}");
    assert_eq!(body["error_code"], want_code, "error_code of {text}");
    assert!(body["message"].is_string(), "message in {text}");
    assert_eq!(
        body.as_object().map(|o| o.len()),
        Some(2),
        "exactly error_code and message in {text}"
    );
}

/// A Confluent error body whose code is one of `codes`, with the status it starts with.
#[track_caller]
fn one_of(a: &Answer, codes: &[u64]) {
    let code = a.body["error_code"]
        .as_u64()
        .unwrap_or_else(|| panic!("no error_code in {} {}", a.status, a.text));
    assert!(
        codes.contains(&code),
        "error_code {code} not in {codes:?}: {}",
        a.text
    );
    let http = if code >= 1000 { code / 100 } else { code };
    assert_eq!(u64::from(a.status), http, "status of {}", a.text);
    assert!(a.body["message"].is_string(), "message in {}", a.text);
}

async fn alive(s: &TestServer) {
    let a = s.get("/").await;
    assert_eq!(a.status, 200, "server stopped answering: {}", a.text);
    assert_eq!(a.body, json!({}));
}

/// POST with an arbitrary body (not necessarily JSON).
async fn post_raw(s: &TestServer, path: &str, body: Vec<u8>) -> Answer {
    s.send(
        s.client
            .post(s.url(path))
            .header("content-type", "application/vnd.schemaregistry.v1+json")
            .body(body),
    )
    .await
}

fn nested(depth: usize) -> String {
    let mut s = "[".repeat(depth);
    s.push_str(&"]".repeat(depth));
    s
}

on_each_store! {
    async fn malformed_json_and_wrong_field_types() {
        let s = TestServer::start().await;
        let bodies: &[&[u8]] = &[
            b"{",
            b"{\"schema\":",
            b"not json",
            b"\"just a string\"",
            b"[]",
            b"null",
            b"42",
            b"{\"schema\": \"\\\"string\\\"\"} trailing",
            b"{\"schema\": \"\\ud800\"}",
            // Looks like UTF-16 by its zero byte, but is an odd number of bytes.
            b"{\x00\"",
        ];
        for path in [
            "/subjects/m/versions",
            "/subjects/m",
            "/compatibility/subjects/m/versions/latest",
        ] {
            for body in bodies {
                let a = post_raw(&s, path, body.to_vec()).await;
                one_of(&a, &[400, 422, 42201]);
                alive(&s).await;
            }
        }
        // A UTF-8 byte-order mark is skipped, as Jackson skips it.
        let bom = post_raw(
            &s,
            "/subjects/bom/versions",
            b"\xef\xbb\xbf{\"schema\":\"\\\"string\\\"\"}".to_vec(),
        )
        .await;
        assert_eq!(bom.status, 200, "{}", bom.text);
        let wrong_types = [
            json!({"schema": 5}),
            json!({"schema": {"type": "string"}}),
            json!({"schema": ["string"]}),
            json!({"schema": null}),
            json!({"schema": "\"string\"", "schemaType": 7}),
            json!({"schema": "\"string\"", "schemaType": "avro"}),
            json!({"schema": "\"string\"", "schemaType": "XML"}),
            json!({"schema": "\"string\"", "references": "x"}),
            json!({"schema": "\"string\"", "references": [{"name": 1}]}),
            json!({"schema": "\"string\"", "references": [{"name": "a", "subject": "b", "version": "one"}]}),
            json!({"schema": "\"string\"", "references": [null]}),
            json!({"schema": "\"string\"", "id": "seven"}),
            json!({"schema": "\"string\"", "version": 1.5}),
            json!({}),
            json!({"schema": ""}),
            json!({"schema": "   "}),
        ];
        for body in &wrong_types {
            let a = s.post("/subjects/m/versions", body.clone()).await;
            one_of(&a, &[400, 422, 42201]);
            alive(&s).await;
        }
        // (`{"compatibility": null}` clears the level, as in Confluent: not refused.)
        for body in [
            json!({"compatibility": 5}),
            json!({"compatibility": "SIDEWAYS"}),
            json!({"normalize": "yes"}),
            json!({"compatibilityGroup": 1}),
            json!({"defaultRuleSet": {"domainRules": [{"name": "1x", "type": "CEL"}]}}),
            json!({"defaultMetadata": {"properties": ["a"]}}),
            json!([]),
        ] {
            let a = s.put("/config", body.clone()).await;
            one_of(&a, &[400, 422, 42201, 42203, 42210]);
            let a = s.put("/config/m", body).await;
            one_of(&a, &[400, 422, 42201, 42203, 42210]);
        }
        for body in [json!({"mode": []}), json!({"mode": "SIDEWAYS"}), json!(7)] {
            let a = s.put("/mode", body).await;
            one_of(&a, &[400, 422, 42204]);
        }
        // The exact codes where API.md names one.
        s.put("/config", json!({"compatibility": "SIDEWAYS"}))
            .await
            .assert_error(422, 42203);
        s.put("/mode", json!({"mode": "SIDEWAYS"}))
            .await
            .assert_error(422, 42204);
        s.post(
            "/subjects/m/versions",
            json!({"schema": "\"string\"", "schemaType": "XML"}),
        )
        .await
        .assert_error(422, 42201);
        s.post("/subjects/m/versions", json!({"schema": "{\"type\":"}))
            .await
            .assert_error(422, 42201);
        // Nothing above was registered.
        s.get("/subjects/m/versions").await.assert_error(404, 40401);
        alive(&s).await;
    }

    async fn fifty_megabyte_bodies_get_the_configured_limit() {
        let s = TestServer::start().await;
        let limit = Config::default().max_body;
        // 50 MB inside a well-formed body, and 50 MB of garbage.
        let big_schema = format!(r#"{{"schema":"{}"}}"#, "a".repeat(50 * 1024 * 1024));
        for body in [big_schema.into_bytes(), vec![b'{'; 50 * 1024 * 1024]] {
            for path in ["/subjects/big/versions", "/subjects/big", "/config"] {
                let a = if path == "/config" {
                    s.send(s.client.put(s.url(path)).body(body.clone())).await
                } else {
                    post_raw(&s, path, body.clone()).await
                };
                a.assert_error(413, 413);
                let message = a.body["message"].as_str().unwrap();
                assert!(
                    message.contains(&limit.to_string()),
                    "message names the limit: {message}"
                );
                alive(&s).await;
            }
        }
        // Under the body limit but over the schema limit: 42209.
        let five_mb = format!("\"{}\"", "x".repeat(5 * 1024 * 1024));
        s.register("big", &five_mb).await.assert_error(422, 42209);
        alive(&s).await;

        // A smaller configured limit is the one enforced and named.
        let small = TestServer::start_with(Config {
            max_body: 64 * 1024,
            ..Config::default()
        })
        .await;
        let a = post_raw(
            &small,
            "/subjects/big/versions",
            format!(r#"{{"schema":"{}"}}"#, "a".repeat(100_000)).into_bytes(),
        )
        .await;
        a.assert_error(413, 413);
        assert!(a.body["message"].as_str().unwrap().contains("65536"));
        alive(&small).await;
    }

    async fn hundred_thousand_deep_nesting() {
        let s = TestServer::start().await;
        let deep = nested(100_000);
        let deep_object = format!("{}1{}", r#"{"a":"#.repeat(100_000), "}".repeat(100_000));
        // In the schema text (the registry's parser).
        for (schema_type, text) in [
            ("AVRO", &deep),
            ("JSON", &deep),
            ("AVRO", &deep_object),
            ("JSON", &deep_object),
        ] {
            let body = json!({"schema": text, "schemaType": schema_type});
            for path in [
                "/subjects/deep/versions",
                "/subjects/deep",
                "/compatibility/subjects/deep/versions/latest",
            ] {
                let a = s.post(path, body.clone()).await;
                if path == "/subjects/deep" {
                    one_of(&a, &[40401, 42201]);
                } else if path.starts_with("/compatibility") {
                    // No versions yet: nothing to compare with, or refused as invalid.
                    if a.status != 200 {
                        a.assert_error(422, 42201);
                    }
                } else {
                    a.assert_error(422, 42201);
                }
                alive(&s).await;
            }
        }
        // In the request body itself (the HTTP layer's parser).
        for body in [
            format!(r#"{{"schema":"\"string\"","metadata":{deep}}}"#),
            format!(r#"{{"schema":"\"string\"","ruleSet":{deep_object}}}"#),
            deep.clone(),
        ] {
            let a = post_raw(&s, "/subjects/deep/versions", body.into_bytes()).await;
            one_of(&a, &[400, 422]);
            alive(&s).await;
        }
        // Deep but within limits still works (the limit is not a crash guard gone wrong).
        let ok = format!(
            r#"{{"type":"array","items":{}"int"{}}}"#,
            r#"{"type":"array","items":"#.repeat(20),
            "}".repeat(20)
        );
        s.register_ok("deep", &ok).await;
        alive(&s).await;
    }

    async fn invalid_utf8_anywhere() {
        let s = TestServer::start().await;
        // In the body: inside a JSON string, and as the whole body.
        for body in [
            b"{\"schema\":\"\xff\xfe\"}".to_vec(),
            b"{\"schema\":\"\\\"string\\\"\",\"x\":\"\xc3\x28\"}".to_vec(),
            vec![0xff; 64],
        ] {
            let a = post_raw(&s, "/subjects/u/versions", body).await;
            one_of(&a, &[400, 422, 42201]);
            alive(&s).await;
        }
        // Percent-encoded invalid UTF-8 in the subject: an invalid subject.
        for path in [
            "/subjects/%FF/versions",
            "/subjects/%C3%28/versions",
            "/subjects/a%ED%A0%80b/versions",
        ] {
            let (status, body, text) = raw(&s, format!("GET {path}").as_bytes(), b"").await;
            confluent_error(status, &body, &text, 422, 42208);
            let (status, body, text) = raw(
                &s,
                format!("POST {path}").as_bytes(),
                br#"{"schema":"\"string\""}"#,
            )
            .await;
            confluent_error(status, &body, &text, 422, 42208);
            alive(&s).await;
        }
        // Raw bytes >= 0x80 in the request line. UTF-8 passes the HTTP parser and is
        // routed like its percent-encoded form. A byte that is not UTF-8 (0xFF) is refused
        // by hyper's request-line parser with a bare `400` and no body, before any of our
        // code runs: the one answer here that is not Confluent-shaped (known limitation;
        // clients percent-encode, and hyper gives no hook to render that error).
        let (status, body, text) = raw(&s, b"GET /subjects/caf\xc3\xa9/versions", b"").await;
        confluent_error(status, &body, &text, 404, 40401);
        alive(&s).await;
        let (status, _, text) = raw(&s, b"GET /subjects/\xff/versions", b"").await;
        assert_eq!(status, 400, "{text}");
        alive(&s).await;
        // Invalid UTF-8 in a query string is ignored like any unknown parameter.
        let (status, _, text) = raw(&s, b"GET /subjects?subjectPrefix=%FF%FE", b"").await;
        assert!(status == 200 || status == 400 || status == 422, "{text}");
        alive(&s).await;
    }

    async fn percent_encoded_unicode_dotdot_and_slash_subjects() {
        let s = TestServer::start().await;
        let schema = order_v1();
        // Names that are valid subjects: each registers and reads back under its decoded name.
        for (encoded, decoded) in [
            ("caf%C3%A9", "café"),
            ("%E6%97%A5%E6%9C%AC-value", "日本-value"),
            ("%F0%9F%92%A9", "💩"),
            ("a%2Fb", "a/b"),
            ("%2F", "/"),
            ("..", ".."),
            ("%2E%2E", ".."),
            ("..%2F..%2Fetc%2Fpasswd", "../../etc/passwd"),
            ("a%20b", "a b"),
            ("a%25b", "a%b"),
            ("a%3Fb%23c", "a?b#c"),
        ] {
            // Raw TCP: URL parsers would resolve `..` before sending.
            let (status, body, text) = raw(
                &s,
                format!("POST /subjects/{encoded}/versions").as_bytes(),
                json!({ "schema": schema }).to_string().as_bytes(),
            )
            .await;
            assert_eq!(status, 200, "register {encoded}: {text}");
            let id = body["id"].as_u64().unwrap();
            let (status, body, text) = raw(
                &s,
                format!("GET /subjects/{encoded}/versions/1").as_bytes(),
                b"",
            )
            .await;
            assert_eq!(status, 200, "{text}");
            assert_eq!(body["subject"], decoded, "{text}");
            assert_eq!(body["id"], id);
            alive(&s).await;
        }
        let subjects = s.get("/subjects").await;
        for name in ["café", "a/b", "/", "..", "../../etc/passwd", "💩"] {
            assert!(
                subjects.body.as_array().unwrap().contains(&json!(name)),
                "{name} in {}",
                subjects.text
            );
        }
        // Invalid subjects: 42208.
        let long = "a".repeat(5000);
        for encoded in [
            "%00",
            "a%0Ab",
            "%1B%5B31m",
            "%7F",
            "%20",
            "%C2%85",
            long.as_str(),
        ] {
            let (status, body, text) = raw(
                &s,
                format!("POST /subjects/{encoded}/versions").as_bytes(),
                json!({ "schema": schema }).to_string().as_bytes(),
            )
            .await;
            confluent_error(status, &body, &text, 422, 42208);
            alive(&s).await;
        }
        // A bare slash splits the path: an unknown route, Confluent-shaped.
        let (status, body, text) = raw(&s, b"GET /subjects/a/b/c/versions", b"").await;
        confluent_error(status, &body, &text, 404, 404);
        let (status, body, text) = raw(&s, b"GET /subjects/../../../etc/passwd", b"").await;
        confluent_error(status, &body, &text, 404, 404);
        // Malformed percent-encoding is taken literally or refused, never a crash.
        let (status, _, text) = raw(&s, b"GET /subjects/%ZZ/versions", b"").await;
        assert!([404, 422].contains(&status), "{text}");
        alive(&s).await;
    }

    async fn huge_negative_and_zero_versions_and_ids() {
        let s = TestServer::start().await;
        s.register_ok("n", &order_v1()).await;
        for v in [
            "99999999999999999999",
            "2147483648",
            "-5",
            "0",
            "-2",
            "1.5",
            "1e3",
            "latest%00",
            "",
            "NaN",
            "-9223372036854775809",
        ] {
            for path in [
                format!("/subjects/n/versions/{v}"),
                format!("/subjects/n/versions/{v}/schema"),
                format!("/subjects/n/versions/{v}/referencedby"),
            ] {
                let a = s.get(&path).await;
                if v.is_empty() && path.ends_with('/') {
                    // `/subjects/n/versions/` is the version list (trailing slash).
                    assert_eq!(a.status, 200, "{path}: {}", a.text);
                    continue;
                }
                a.assert_error(422, 42202);
            }
            if !v.is_empty() {
                s.delete(&format!("/subjects/n/versions/{v}"))
                    .await
                    .assert_error(422, 42202);
                let a = s
                    .post(
                        &format!("/compatibility/subjects/n/versions/{v}"),
                        json!({"schema": order_v1()}),
                    )
                    .await;
                a.assert_error(422, 42202);
            }
            alive(&s).await;
        }
        // A valid but absent version.
        s.get("/subjects/n/versions/2147483647")
            .await
            .assert_error(404, 40402);
        for id in [
            "99999999999999999999",
            "4294967296",
            "2147483648",
            "-5",
            "0",
            "1.0",
            "x",
        ] {
            for path in [
                format!("/schemas/ids/{id}"),
                format!("/schemas/ids/{id}/schema"),
                format!("/schemas/ids/{id}/subjects"),
                format!("/schemas/ids/{id}/versions"),
            ] {
                // Not a Java `Integer`: no route matches, as in Confluent; an integer
                // that is no id names no schema.
                let code = if id.parse::<i32>().is_ok() { 40403 } else { 404 };
                s.get(&path).await.assert_error(404, code);
            }
            alive(&s).await;
        }
        // Huge numbers in bodies.
        for body in [
            json!({"schema": order_v1(), "version": 99_999_999_999_999_999_999.0_f64}),
            json!({"schema": order_v1(), "id": -5}),
            json!({"schema": order_v1(), "id": 0}),
            json!({"schema": order_v1(), "id": 99_999_999_999_u64}),
            json!({"schema": order_v1(), "version": -5}),
            json!({"schema": "\"string\"", "references": [{"name": "a", "subject": "n", "version": 99_999_999_999_u64}]}),
            json!({"schema": "\"string\"", "references": [{"name": "a", "subject": "n", "version": -5}]}),
            json!({"schema": "\"string\"", "references": [{"name": "a", "subject": "n", "version": 0}]}),
        ] {
            let a = s.post("/subjects/n/versions", body.clone()).await;
            if a.status == 200 {
                // An id or version that matches what the subject holds is harmless.
                assert_eq!(a.body["id"], 1, "{body}: {}", a.text);
            } else {
                one_of(&a, &[400, 422, 42201, 42202, 42205, 42207]);
            }
            alive(&s).await;
        }
        let raw_huge = br#"{"schema":"\"string\"","references":[{"name":"a","subject":"n","version":99999999999999999999}]}"#;
        let a = post_raw(&s, "/subjects/n/versions", raw_huge.to_vec()).await;
        one_of(&a, &[400, 422, 42201]);
        // offset/limit: ignored when unparsable, never an error.
        for q in [
            "offset=99999999999999999999",
            "limit=-99999999999999999999",
            "offset=-5&limit=0",
        ] {
            let a = s.get(&format!("/subjects?{q}")).await;
            assert_eq!(a.status, 200, "{q}: {}", a.text);
        }
        // Nothing was corrupted.
        assert_eq!(s.get("/subjects/n/versions").await.body, json!([1]));
        alive(&s).await;
    }

    async fn ref_loops_and_pathological_patterns() {
        let s = TestServer::start().await;
        let json_schema = |v: Value| json!({"schema": v.to_string(), "schemaType": "JSON"});
        let loops = [
            json!({"$ref": "#"}),
            json!({"$ref": "#/definitions/a", "definitions": {"a": {"$ref": "#/definitions/b"}, "b": {"$ref": "#/definitions/a"}}}),
            json!({"type": "object", "properties": {"self": {"$ref": "#"}}}),
            json!({"allOf": [{"$ref": "#"}], "anyOf": [{"$ref": "#/anyOf/0"}]}),
            json!({"$ref": "other.json"}),
            json!({"$ref": "#/definitions/missing"}),
            json!({"$id": "http://x/a", "$ref": "http://x/a"}),
        ];
        for (i, schema) in loops.iter().enumerate() {
            let subject = format!("loop-{i}");
            let a = s
                .post(
                    &format!("/subjects/{subject}/versions"),
                    json_schema(schema.clone()),
                )
                .await;
            if a.status == 200 {
                // Registered: checking a change against it must end in a verdict.
                let mut changed = schema.clone();
                changed["description"] = json!("changed");
                for level in ["FULL_TRANSITIVE", "BACKWARD"] {
                    s.put(
                        &format!("/config/{subject}"),
                        json!({"compatibility": level}),
                    )
                    .await
                    .assert_ok();
                    let c = s
                        .post(
                            &format!("/compatibility/subjects/{subject}/versions/latest?verbose=true"),
                            json_schema(changed.clone()),
                        )
                        .await;
                    assert_eq!(c.status, 200, "{schema}: {}", c.text);
                    let r = s
                        .post(
                            &format!("/subjects/{subject}/versions"),
                            json_schema(changed.clone()),
                        )
                        .await;
                    assert!(r.status == 200 || r.status == 409, "{}", r.text);
                    if r.status == 409 {
                        r.assert_error(409, 40901);
                    }
                }
            } else {
                a.assert_error(422, 42201);
            }
            alive(&s).await;
        }
        // Avro: a record that contains itself, through a union and through an array.
        let recursive = record(
            "Node",
            r#"[{"name":"next","type":["null","Node"],"default":null},{"name":"kids","type":{"type":"array","items":"Node"}}]"#,
        );
        s.register_ok("avro-loop", &recursive).await;
        s.put("/config/avro-loop", json!({"compatibility": "FULL"}))
            .await
            .assert_ok();
        let c = s
            .post(
                "/compatibility/subjects/avro-loop/versions/latest",
                json!({"schema": recursive.replace("\"kids\"", "\"children\"")}),
            )
            .await;
        assert_eq!(c.status, 200, "{}", c.text);

        // Pathological regular expressions: catastrophic backtracking shapes, a huge
        // compiled size, an invalid one. Answered quickly either way.
        let patterns = [
            "(a+)+$",
            "^(a|a)*$",
            "(x+x+)+y",
            "a{1000}{1000}{1000}",
            "(((((((((((a*)*)*)*)*)*)*)*)*)*)*)*",
            "[",
            "(?<n>a)\\k<n>",
            "(?=a)a",
            "\\p{NotAProperty}",
        ];
        for (i, p) in patterns.iter().enumerate() {
            let subject = format!("regex-{i}");
            let v1 = json!({"type": "object", "properties": {"s": {"type": "string", "pattern": p}}, "patternProperties": {*p: {"type": "string"}}});
            let a = s
                .post(
                    &format!("/subjects/{subject}/versions"),
                    json_schema(v1.clone()),
                )
                .await;
            if a.status != 200 {
                a.assert_error(422, 42201);
                alive(&s).await;
                continue;
            }
            let mut v2 = v1.clone();
            v2["patternProperties"] = json!({ format!("{p}|{}", "a".repeat(30)): {"type": "integer"} });
            v2["properties"]["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"] = json!({"type": "string"});
            let c = s
                .post(
                    &format!("/compatibility/subjects/{subject}/versions/latest?verbose=true"),
                    json_schema(v2),
                )
                .await;
            assert!(c.status == 200 || c.status == 422, "{p}: {}", c.text);
            if c.status == 422 {
                c.assert_error(422, 42201);
            }
            alive(&s).await;
        }
    }

    async fn ten_thousand_references() {
        let s = TestServer::start().await;
        let address = record("Address", r#"[{"name":"street","type":"string"}]"#);
        s.register_ok("address", &address).await;
        let user = record("User", r#"[{"name":"home","type":"shop.Address"}]"#);
        // 10,000 references to one registered subject-version, to absent ones, and to
        // 10,000 distinct registered ones would be too slow to set up; the first two
        // already cross every limit.
        let same: Vec<Value> = (0..10_000)
            .map(|i| json!({"name": format!("shop.Address{i}"), "subject": "address", "version": 1}))
            .collect();
        let absent: Vec<Value> = (0..10_000)
            .map(|i| json!({"name": format!("r{i}"), "subject": format!("absent-{i}"), "version": 1}))
            .collect();
        for refs in [same, absent] {
            for path in [
                "/subjects/user/versions",
                "/subjects/user",
                "/compatibility/subjects/user/versions/latest",
            ] {
                let a = s
                    .post(path, json!({"schema": user, "references": refs}))
                    .await;
                if path == "/subjects/user" {
                    one_of(&a, &[40401, 42201]);
                } else {
                    a.assert_error(422, 42201);
                }
                alive(&s).await;
            }
        }
        // One reference is fine.
        let id = s
            .post(
                "/subjects/user/versions",
                json!({"schema": user, "references": [{"name": "shop.Address", "subject": "address", "version": 1}]}),
            )
            .await
            .assert_ok()["id"]
            .clone();
        assert!(id.is_u64());
    }

    async fn unknown_routes_and_methods_are_confluent_shaped() {
        let s = TestServer::start().await;
        for (method, path) in [
            ("GET", "/nope"),
            ("GET", "/associations/resources/-/orders?resourceType=topic"),
            ("PUT", "/"),
            ("PATCH", "/config"),
            ("DELETE", "/schemas/ids/1"),
            ("GET", "/subjects/a/versions/1/schema/extra"),
            ("TRACE", "/subjects"),
        ] {
            let (status, body, text) = raw(&s, format!("{method} {path}").as_bytes(), b"").await;
            assert!(status == 404 || status == 405, "{method} {path}: {text}");
            confluent_error(status, &body, &text, status, u64::from(status));
            alive(&s).await;
        }
    }
}

/// The bodies of the server's cargo-fuzz targets (`server/fuzz`), compiled here so that
/// the stable suite replays their corpus.
#[path = "../../fuzz/src/lib.rs"]
mod fuzz_targets;

/// Every committed corpus file of every server fuzz target, the minimised crashes that
/// fuzzing found among them, runs without a panic (`.ci/fuzz` runs the real fuzzer).
#[test]
fn fuzz_corpus_replays_cleanly() {
    type Body = fn(&[u8]);
    let targets: [(&str, Body); 3] = [
        ("request_parse", fuzz_targets::request_parse),
        ("app_requests", fuzz_targets::app_requests),
        ("store_records", fuzz_targets::store_records),
    ];
    for (target, body) in targets {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fuzz/corpus")
            .join(target);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("corpus {}: {e}", dir.display()))
            .map(|entry| entry.expect("corpus entry").path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "{target}: empty corpus");
        for file in files {
            let data = std::fs::read(&file).expect("corpus file");
            let outcome = std::panic::catch_unwind(|| body(&data));
            assert!(outcome.is_ok(), "{target} panicked on {}", file.display());
        }
    }
}
