//! The client against a scripted HTTP server on a loopback port: wire format, error
//! mapping, credentials, retries, timeouts, caches, the startup helper and the data
//! contract calls.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use schemagate_client::{Auth, Client, Config, Error, SchemaBody, VersionSpec};
use schemagate_core::contract::{Metadata, RuleSet};
use schemagate_core::{Level, SchemaType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One request as the server saw it.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

type Handler = Arc<dyn Fn(&Seen, usize) -> Option<(u16, String)> + Send + Sync>;

/// Answers each request with `handler(request, index)`; `None` hangs up without an
/// answer.
async fn serve(handler: Handler) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let (handler, log) = (Arc::clone(&handler), Arc::clone(&log));
            tokio::spawn(async move {
                let mut buf = Vec::new();
                loop {
                    // Read one request head and body.
                    let head_end = loop {
                        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            break i + 4;
                        }
                        let mut chunk = [0u8; 4096];
                        match socket.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    };
                    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
                    let mut lines = head.lines();
                    let mut first = lines.next().unwrap_or_default().split(' ');
                    let (method, path) = (
                        first.next().unwrap_or_default().to_owned(),
                        first.next().unwrap_or_default().to_owned(),
                    );
                    let headers: Vec<(String, String)> = lines
                        .filter_map(|l| l.split_once(':'))
                        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                        .collect();
                    let len: usize = headers
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                        .and_then(|(_, v)| v.parse().ok())
                        .unwrap_or(0);
                    while buf.len() < head_end + len {
                        let mut chunk = [0u8; 4096];
                        match socket.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let body = String::from_utf8_lossy(&buf[head_end..head_end + len]).into_owned();
                    buf.drain(..head_end + len);
                    let request = Seen {
                        method,
                        path,
                        headers,
                        body,
                    };
                    let index = {
                        let mut log = log.lock().unwrap();
                        log.push(request.clone());
                        log.len() - 1
                    };
                    let Some((status, body)) = handler(&request, index) else {
                        return;
                    };
                    if status == 0 {
                        // Never answer: exercises the client's timeout.
                        tokio::time::sleep(Duration::from_secs(30)).await;
                        return;
                    }
                    let response = format!(
                        "HTTP/1.1 {status} X\r\ncontent-type: application/vnd.schemaregistry.v1+json\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if socket.write_all(response.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (url, seen)
}

const ORDER: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"string"}]}"#;

fn version_body(subject: &str, id: u32, version: u32) -> String {
    serde_json::json!({"subject": subject, "id": id, "version": version, "schema": ORDER})
        .to_string()
}

fn not_found(code: u32) -> Option<(u16, String)> {
    Some((
        404,
        format!(r#"{{"error_code":{code},"message":"Subject 'x' not found."}}"#),
    ))
}

#[tokio::test]
async fn typed_calls_send_confluent_requests() {
    let (url, seen) = serve(Arc::new(|r: &Seen, _| {
        Some(match (r.method.as_str(), r.path.as_str()) {
            ("GET", "/subjects") => (200, r#"["a","b/c"]"#.into()),
            ("GET", "/subjects/b%2Fc/versions") => (200, "[2,1]".into()),
            ("GET", "/config/b%2Fc?defaultToGlobal=true") => (200, r#"{"compatibilityLevel":"FULL_TRANSITIVE"}"#.into()),
            ("POST", "/subjects/b%2Fc/versions") => (200, r#"{"id":7}"#.into()),
            ("DELETE", "/subjects/b%2Fc?permanent=true") => (200, "[1,2]".into()),
            ("PUT", "/config/b%2Fc") => (200, r#"{"compatibility":"NONE"}"#.into()),
            ("POST", "/compatibility/subjects/b%2Fc/versions/latest?verbose=true") => {
                (200, r#"{"is_compatible":false,"messages":["READER_FIELD_MISSING_DEFAULT_VALUE at /fields/1: ..."]}"#.into())
            }
            _ => return not_found(404),
        })
    }))
    .await;
    let client = Client::builder(&url).build().unwrap();
    assert_eq!(client.subjects().await.unwrap(), ["a", "b/c"]);
    assert_eq!(client.versions("b/c").await.unwrap(), [1, 2]);
    assert_eq!(
        client.level(Some("b/c")).await.unwrap(),
        Level::FullTransitive
    );
    let body = SchemaBody::new(SchemaType::Json, "{}");
    assert_eq!(client.register("b/c", &body).await.unwrap(), 7);
    let verdict = client
        .check_compatibility("b/c", Some(VersionSpec::Latest), &body, true)
        .await
        .unwrap();
    assert!(!verdict.is_compatible);
    assert_eq!(verdict.messages.len(), 1);
    client.set_level(Some("b/c"), Level::None).await.unwrap();
    assert_eq!(client.delete_subject("b/c", true).await.unwrap(), [1, 2]);
    let seen = seen.lock().unwrap();
    let put = seen.iter().find(|r| r.method == "PUT").unwrap();
    assert_eq!(put.body, r#"{"compatibility":"NONE"}"#);
    let register = seen
        .iter()
        .find(|r| r.method == "POST" && r.path.ends_with("/versions"))
        .unwrap();
    assert_eq!(register.body, r#"{"schema":"{}","schemaType":"JSON"}"#);
    assert_eq!(
        register.header("content-type"),
        Some("application/vnd.schemaregistry.v1+json")
    );
}

#[tokio::test]
async fn errors_carry_confluent_codes_and_the_url() {
    let (url, _) = serve(Arc::new(|r: &Seen, _| {
        Some(match r.path.as_str() {
            "/subjects/gone/versions/latest" => (404, r#"{"error_code":40401,"message":"Subject 'gone' not found."}"#.into()),
            "/subjects/s/versions" => (409, r#"{"error_code":409,"message":"incompatible: READER_FIELD_MISSING_DEFAULT_VALUE"}"#.into()),
            "/subjects" => (401, r#"{"error_code":401,"message":"Unauthorized"}"#.into()),
            _ => (500, "<html>oops</html>".into()),
        })
    }))
    .await;
    let client = Client::builder(&url).retries(0).build().unwrap();
    let err = client.latest("gone").await.unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(err.error_code(), Some(40401));
    assert!(
        err.to_string()
            .contains(&format!("{url}/subjects/gone/versions/latest")),
        "{err}"
    );
    let err = client
        .register("s", &SchemaBody::new(SchemaType::Avro, ORDER))
        .await
        .unwrap_err();
    assert!(err.is_incompatible(), "{err}");
    assert!(
        err.to_string()
            .contains("READER_FIELD_MISSING_DEFAULT_VALUE")
    );
    let err = client.subjects().await.unwrap_err();
    assert!(
        matches!(err, Error::Unauthorized { status: 401, .. }),
        "{err}"
    );
    let err = client.versions("other").await.unwrap_err();
    assert_eq!(err.error_code(), Some(500));
    assert!(err.to_string().contains("<html>oops</html>"), "{err}");
}

#[tokio::test]
async fn credentials_go_in_the_authorization_header() {
    let (url, seen) = serve(Arc::new(|_: &Seen, _| Some((200, "[]".into())))).await;
    let basic = Client::builder(&url)
        .auth(Some(Auth::Basic {
            user: "key".into(),
            password: "secret".into(),
        }))
        .build()
        .unwrap();
    basic.subjects().await.unwrap();
    let bearer = Client::builder(&url)
        .auth(Some(Auth::Bearer("tok".into())))
        .build()
        .unwrap();
    bearer.subjects().await.unwrap();
    let seen = seen.lock().unwrap();
    // base64("key:secret")
    assert_eq!(
        seen[0].header("authorization"),
        Some("Basic a2V5OnNlY3JldA==")
    );
    assert_eq!(seen[1].header("authorization"), Some("Bearer tok"));
}

#[tokio::test]
async fn ids_are_cached_forever_and_latest_for_its_ttl() {
    let (url, seen) = serve(Arc::new(|r: &Seen, _| {
        Some(match r.path.as_str() {
            "/schemas/ids/3" => (200, serde_json::json!({"schema": ORDER}).to_string()),
            "/subjects/orders-value/versions/latest" => (200, version_body("orders-value", 3, 1)),
            _ => return not_found(40403),
        })
    }))
    .await;
    let client = Client::builder(&url)
        .latest_ttl(Duration::from_millis(300))
        .build()
        .unwrap();
    for _ in 0..3 {
        assert_eq!(client.schema_by_id(3).await.unwrap().schema, ORDER);
        assert_eq!(client.latest("orders-value").await.unwrap().id, 3);
    }
    // Clones share the cache.
    client.clone().schema_by_id(3).await.unwrap();
    assert_eq!(seen.lock().unwrap().len(), 2);
    tokio::time::sleep(Duration::from_millis(350)).await;
    client.latest("orders-value").await.unwrap();
    client.schema_by_id(3).await.unwrap();
    assert_eq!(
        seen.lock().unwrap().len(),
        3,
        "latest expired, the id did not"
    );
    let err = client.schema_by_id(4).await.unwrap_err();
    assert_eq!(err.error_code(), Some(40403));
}

#[tokio::test]
async fn retries_after_503_and_dropped_connections_then_gives_up() {
    let (url, seen) = serve(Arc::new(|_: &Seen, i| match i {
        0 => None,
        1 => Some((503, "busy".into())),
        _ => Some((200, r#"["a"]"#.into())),
    }))
    .await;
    let client = Client::builder(&url).retries(2).build().unwrap();
    assert_eq!(client.subjects().await.unwrap(), ["a"]);
    assert_eq!(seen.lock().unwrap().len(), 3);

    let (url, seen) = serve(Arc::new(|_: &Seen, _| Some((503, "busy".into())))).await;
    let client = Client::builder(&url).retries(1).build().unwrap();
    let err = client.subjects().await.unwrap_err();
    assert_eq!(err.error_code(), Some(503));
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn unreachable_and_slow_registries_are_named() {
    // Bind then drop: nothing listens there any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let client = Client::builder(&url).retries(1).build().unwrap();
    let err = client.subjects().await.unwrap_err();
    assert!(matches!(err, Error::Unreachable { .. }), "{err:?}");
    assert!(
        err.to_string().starts_with(&format!(
            "cannot reach the schema registry at {url}/subjects"
        )),
        "{err}"
    );

    let (url, _) = serve(Arc::new(|_: &Seen, _| Some((0, String::new())))).await;
    let client = Client::builder(&url)
        .timeout(Duration::from_millis(200))
        .retries(0)
        .build()
        .unwrap();
    let err = client.subjects().await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(
        err.to_string().contains("did not answer within 0.2 s"),
        "{err}"
    );
}

#[tokio::test]
async fn the_startup_helper_parses_and_fails_fast_naming_the_subject() {
    let (url, seen) = serve(Arc::new(|r: &Seen, _| {
        Some(match r.path.as_str() {
            "/subjects/orders-value/versions/latest" => (200, version_body("orders-value", 5, 2)),
            "/subjects/broken-value/versions/latest" => (
                200,
                serde_json::json!({"subject": "broken-value", "id": 6, "version": 1, "schema": "{\"type\":\"record\"}"}).to_string(),
            ),
            _ => return not_found(40401),
        })
    }))
    .await;
    let client = Client::builder(&url).build().unwrap();
    let loaded = client.load_latest(&["orders-value"]).await.unwrap();
    assert_eq!((loaded[0].id, loaded[0].version), (5, 2));
    assert_eq!(loaded[0].schema.schema_type(), SchemaType::Avro);

    let err = client
        .load_latest(&["orders-value", "payments-value", "later-value"])
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::MissingSubject { subject, .. } if subject == "payments-value"),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("\"payments-value\" is not registered"),
        "{err}"
    );
    // Failing fast: nothing after the missing subject was asked for.
    assert!(
        !seen
            .lock()
            .unwrap()
            .iter()
            .any(|r| r.path.contains("later-value"))
    );

    let err = client.load_latest(&["broken-value"]).await.unwrap_err();
    assert!(
        matches!(&err, Error::Schema { subject, .. } if subject == "broken-value"),
        "{err:?}"
    );
}

const GUID: &str = "d629bb05-ad85-3d20-fbcb-895de3c459f7";

fn contract_version(version: u32) -> String {
    serde_json::json!({
        "subject": "pay/ments", "id": 9, "version": version, "guid": GUID, "schema": ORDER,
        "metadata": {"properties": {"owner": "payments", "major": "2"}},
        "ruleSet": {"domainRules": [{"name": "checkId", "kind": "CONDITION", "mode": "WRITE", "type": "CEL", "expr": "size(message.id) > 0"}]},
        "ts": 1718000000000_i64
    })
    .to_string()
}

#[tokio::test]
async fn contract_calls_send_confluent_requests() {
    let (url, seen) = serve(Arc::new(|r: &Seen, _| {
        Some(match (r.method.as_str(), r.path.as_str()) {
            ("GET", path) if path == format!("/schemas/guids/{GUID}") => (
                200,
                serde_json::json!({"schema": ORDER, "guid": GUID, "metadata": {"properties": {"owner": "payments"}}}).to_string(),
            ),
            ("GET", path) if path == format!("/schemas/guids/{GUID}/ids") => {
                (200, r#"[{"context":".","id":9}]"#.into())
            }
            ("GET", "/subjects/pay%2Fments/metadata?key=owner&value=payments&key=major&value=2") => {
                (200, contract_version(4))
            }
            ("GET", "/subjects/pay%2Fments/metadata?key=major&value=3") => (
                404,
                r#"{"error_code":40403,"message":"Schema not found"}"#.into(),
            ),
            ("GET", "/subjects/nobody/metadata?key=major&value=3&deleted=true") => (
                404,
                r#"{"error_code":40401,"message":"Subject 'nobody' not found."}"#.into(),
            ),
            ("GET", "/config/pay%2Fments?defaultToGlobal=true") => (
                200,
                r#"{"compatibilityLevel":"BACKWARD","compatibilityGroup":"major","defaultMetadata":{"properties":{"team":"t"}}}"#.into(),
            ),
            ("GET", "/config/pay%2Fments") => (
                404,
                r#"{"error_code":40408,"message":"Subject 'pay/ments' does not have subject-level compatibility configured"}"#.into(),
            ),
            ("PUT", "/config/pay%2Fments") => (200, r.body.clone()),
            ("POST", "/subjects/pay%2Fments/versions") => {
                (200, serde_json::json!({"id": 9, "version": 4, "guid": GUID}).to_string())
            }
            _ => return not_found(404),
        })
    }))
    .await;
    let client = Client::builder(&url).build().unwrap();

    // By GUID: once over the wire, then from the cache, as ids are.
    for _ in 0..2 {
        let s = client.schema_by_guid(GUID).await.unwrap();
        assert_eq!(s.guid.as_deref(), Some(GUID));
        assert_eq!(s.metadata.as_ref().unwrap().properties["owner"], "payments");
    }
    let ids = client.ids_by_guid(GUID).await.unwrap();
    assert_eq!((ids[0].context.as_str(), ids[0].id), (".", 9));

    // Latest with metadata: the pairs in order, and Confluent's two not-founds apart.
    let found = client
        .latest_with_metadata("pay/ments", &[("owner", "payments"), ("major", "2")], false)
        .await
        .unwrap();
    assert_eq!((found.version, found.ts), (4, Some(1718000000000)));
    assert_eq!(
        found.rule_set.as_ref().unwrap().domain_rules[0].name(),
        "checkId"
    );
    // ...and version 4 is now known without asking.
    let again = client
        .version("pay/ments", VersionSpec::Number(4))
        .await
        .unwrap();
    assert_eq!(again, found);
    let none = client
        .latest_with_metadata("pay/ments", &[("major", "3")], false)
        .await
        .unwrap_err();
    assert_eq!(
        (none.is_not_found(), none.error_code()),
        (true, Some(40403))
    );
    let gone = client
        .latest_with_metadata("nobody", &[("major", "3")], true)
        .await
        .unwrap_err();
    assert_eq!(gone.error_code(), Some(40401));

    // The full configuration, with and without falling back to the global one.
    let config = client.config(Some("pay/ments"), true).await.unwrap();
    assert_eq!(config.compatibility_level, Some(Level::Backward));
    assert_eq!(config.compatibility_group.as_deref(), Some("major"));
    assert_eq!(config.default_metadata.unwrap().properties["team"], "t");
    let own = client.config(Some("pay/ments"), false).await.unwrap_err();
    assert_eq!(own.error_code(), Some(40408));
    let mut update = Config::default();
    update.compatibility_group = Some("major".into());
    update.override_rule_set = Some(
        serde_json::from_value::<RuleSet>(
            serde_json::json!({"domainRules": [{"name": "r", "type": "CEL", "mode": "READ"}]}),
        )
        .unwrap(),
    );
    let echoed = client.set_config(Some("pay/ments"), &update).await.unwrap();
    assert_eq!(echoed, update);

    // Registration sends the contract and reads Confluent 8's fuller answer.
    let metadata: Metadata =
        serde_json::from_value(serde_json::json!({"properties": {"major": "2"}})).unwrap();
    let body = SchemaBody::new(SchemaType::Avro, ORDER).with_metadata(Some(metadata));
    let registered = client.register_answer("pay/ments", &body).await.unwrap();
    assert_eq!(
        (
            registered.id,
            registered.version,
            registered.guid.as_deref()
        ),
        (9, Some(4), Some(GUID))
    );

    let seen = seen.lock().unwrap();
    let guid_gets = seen
        .iter()
        .filter(|r| r.path == format!("/schemas/guids/{GUID}"))
        .count();
    assert_eq!(guid_gets, 1, "a GUID is fetched once");
    assert!(!seen.iter().any(|r| r.path.contains("/versions/4")));
    let put = seen.iter().find(|r| r.method == "PUT").unwrap();
    assert_eq!(
        put.body,
        r#"{"compatibilityGroup":"major","overrideRuleSet":{"domainRules":[{"name":"r","kind":"TRANSFORM","mode":"READ","type":"CEL","disabled":false}]}}"#
    );
    let register = seen.iter().find(|r| r.method == "POST").unwrap();
    assert_eq!(
        register.body,
        format!(
            r#"{{"schema":{},"metadata":{{"properties":{{"major":"2"}}}}}}"#,
            serde_json::Value::from(ORDER)
        )
    );
}
