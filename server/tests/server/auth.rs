//! Authentication and authorisation over HTTP: off by default; with an auth file,
//! 401 without or with wrong credentials (Confluent body, `WWW-Authenticate`), 403 for
//! a role or a subject prefix that does not allow the request, and the real thing for
//! the right principal, by Basic and by bearer token — also through an independent
//! Confluent client.

use crate::common;

use common::{Answer, TestServer, order_breaking, order_v1, order_v2, record};
use reqwest::Method;
use schemagate_server::Config;
use schemagate_server::auth::{generate_token, hash_password};
use serde_json::{Value, json};
use tempfile::TempDir;

/// A server with three users and two tokens; the directory keeps the auth file alive.
struct Secured {
    server: TestServer,
    _auth_dir: TempDir,
    deployer_token: String,
    orders_token: String,
}

enum Who<'a> {
    Nobody,
    Basic(&'a str, &'a str),
    Bearer(&'a str),
    Header(&'a str),
}

async fn secured(metrics: &str) -> Secured {
    let (deployer_token, deployer_digest) = generate_token();
    let (orders_token, orders_digest) = generate_token();
    let file = format!(
        r#"
metrics = "{metrics}"

[[users]]
name = "reader"
password_hash = "{reader}"
role = "read"

[[users]]
name = "producer"
password_hash = "{producer}"
role = "write"
subject_prefixes = ["orders."]

[[users]]
name = "admin"
password_hash = "{admin}"
role = "admin"

[[users]]
name = "orders-admin"
password_hash = "{orders_admin}"
role = "admin"
subject_prefixes = ["orders."]

[[users]]
name = "team-a"
password_hash = "{team_a}"
role = "write"
subject_prefixes = [":.team-a:orders.", "payments."]

[[tokens]]
name = "deployer"
sha256 = "{deployer_digest}"
role = "write"

[[tokens]]
name = "orders-reader"
sha256 = "{orders_digest}"
role = "read"
subject_prefixes = ["orders."]
"#,
        reader = hash_password("reader-pw"),
        producer = hash_password("producer-pw"),
        admin = hash_password("admin-pw"),
        orders_admin = hash_password("orders-admin-pw"),
        team_a = hash_password("team-a-pw"),
    );
    let auth_dir = tempfile::tempdir().unwrap();
    let path = auth_dir.path().join("auth.toml");
    std::fs::write(&path, file).unwrap();
    let server = TestServer::start_with(Config {
        auth_config: Some(path),
        ..Config::default()
    })
    .await;
    Secured {
        server,
        _auth_dir: auth_dir,
        deployer_token,
        orders_token,
    }
}

impl Secured {
    async fn call(
        &self,
        who: Who<'_>,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (Answer, Vec<String>) {
        let s = &self.server;
        let mut req = s.client.request(method, s.url(path));
        req = match who {
            Who::Nobody => req,
            Who::Basic(user, password) => req.basic_auth(user, Some(password)),
            Who::Bearer(token) => req.bearer_auth(token),
            Who::Header(raw) => req.header("authorization", raw),
        };
        if let Some(b) = body {
            req = req
                .header("content-type", "application/vnd.schemaregistry.v1+json")
                .body(b.to_string());
        }
        let resp = req.send().await.expect("request sent");
        let challenges = resp
            .headers()
            .get_all("www-authenticate")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        (Answer::read(resp).await, challenges)
    }

    async fn get(&self, who: Who<'_>, path: &str) -> Answer {
        self.call(who, Method::GET, path, None).await.0
    }

    async fn register(&self, who: Who<'_>, subject: &str, schema: &str) -> Answer {
        let path = format!("/subjects/{subject}/versions");
        self.call(who, Method::POST, &path, Some(json!({ "schema": schema })))
            .await
            .0
    }

    async fn post(&self, who: Who<'_>, path: &str, body: Value) -> Answer {
        self.call(who, Method::POST, path, Some(body)).await.0
    }

    async fn put(&self, who: Who<'_>, path: &str, body: Value) -> Answer {
        self.call(who, Method::PUT, path, Some(body)).await.0
    }

    async fn delete(&self, who: Who<'_>, path: &str) -> Answer {
        self.call(who, Method::DELETE, path, None).await.0
    }
}

#[test]
fn the_binary_hashes_passwords_and_makes_tokens_for_the_auth_file() {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let bin = env!("CARGO_BIN_EXE_schemagate-server");
    let mut child = Command::new(bin)
        .arg("hash-password")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"correct horse\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    // (With a CARGO_TARGET_DIR shared between checkouts, another checkout's build can
    // replace this binary between build and run: stderr then says "unexpected argument".)
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let hash = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    let file = format!("[[users]]\nname='u'\npassword_hash='{hash}'\nrole='read'");
    assert!(schemagate_server::auth::AuthFile::parse(&file).is_ok());

    let empty = Command::new(bin)
        .arg("hash-password")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!empty.status.success(), "an empty password is refused");

    let out = Command::new(bin).arg("gen-token").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let token = text
        .lines()
        .next()
        .unwrap()
        .trim_start_matches("token:")
        .trim();
    let digest = text
        .lines()
        .nth(1)
        .unwrap()
        .trim_start_matches("sha256:")
        .trim();
    assert_eq!(token.len(), 43);
    assert_eq!(
        schemagate_server::auth::config::decode_sha256(digest),
        Some(sha256(token))
    );
}

fn sha256(text: &str) -> [u8; 32] {
    use sha2::Digest as _;
    sha2::Sha256::digest(text.as_bytes()).into()
}

on_each_store! {
    async fn auth_is_off_by_default() {
        let server = TestServer::start().await;
        server.register_ok("orders.created", &order_v1()).await;
        server.get("/subjects").await.assert_ok();
        server
            .put("/config", json!({"compatibility": "FULL"}))
            .await
            .assert_ok();
        server.get("/metrics").await.assert_ok();
    }

    async fn missing_or_wrong_credentials_are_401_with_a_challenge() {
        let s = secured("admin").await;
        let deployer = s.deployer_token.clone();
        for who in [
            Who::Nobody,
            Who::Basic("reader", "wrong"),
            Who::Basic("reader", ""),
            Who::Basic("nobody", "reader-pw"),
            Who::Basic("READER", "reader-pw"),
            Who::Bearer("not-a-token"),
            Who::Bearer(&deployer[1..]),
            Who::Header("Basic !!!not-base64"),
            Who::Header("Digest username=\"reader\""),
        ] {
            let (a, challenges) = s.call(who, Method::GET, "/subjects", None).await;
            a.assert_error(401, 401);
            assert_eq!(
                a.body,
                json!({"error_code": 401, "message": "Unauthorized"})
            );
            assert_eq!(a.content_type, "application/vnd.schemaregistry.v1+json");
            assert!(
                challenges
                    .iter()
                    .any(|c| c.starts_with(r#"Basic realm="schemagate""#)),
                "{challenges:?}"
            );
        }
        // Writes, admin routes and unknown routes are closed too; nothing was registered.
        s.register(Who::Nobody, "orders.created", &order_v1())
            .await
            .assert_error(401, 401);
        let (a, _) = s
            .call(
                Who::Nobody,
                Method::PUT,
                "/config/",
                Some(json!({"compatibility": "NONE"})),
            )
            .await;
        a.assert_error(401, 401);
        s.get(Who::Nobody, "/associations/resources/-/t")
            .await
            .assert_error(401, 401);
        assert_eq!(
            s.get(Who::Basic("admin", "admin-pw"), "/subjects")
                .await
                .body,
            json!([])
        );
    }

    async fn root_and_health_stay_open_and_metrics_follow_the_setting() {
        let s = secured("admin").await;
        s.get(Who::Nobody, "/").await.assert_ok();
        s.get(Who::Nobody, "/health").await.assert_ok();
        s.get(Who::Nobody, "/metrics").await.assert_error(401, 401);
        s.get(Who::Basic("reader", "reader-pw"), "/metrics")
            .await
            .assert_error(403, 40301);
        let a = s.get(Who::Basic("admin", "admin-pw"), "/metrics").await;
        assert_eq!(a.status, 200);

        let open = secured("open").await;
        assert_eq!(open.get(Who::Nobody, "/metrics").await.status, 200);
        open.get(Who::Nobody, "/subjects")
            .await
            .assert_error(401, 401);
    }

    async fn confluent_register_force_needs_the_admin_role() {
        let s = secured("admin").await;
        let producer = || Who::Basic("producer", "producer-pw");
        let orders_admin = || Who::Basic("orders-admin", "orders-admin-pw");
        s.register(producer(), "orders.created", &order_v1())
            .await
            .assert_ok();
        let path = "/subjects/orders.created/versions?force=true";
        let body = json!({ "schema": order_breaking() });
        // force bypasses the level an admin set: write alone may not use it.
        let denied = s.post(producer(), path, body.clone()).await;
        denied.assert_error(403, 40301);
        assert!(
            denied.body["message"]
                .as_str()
                .unwrap()
                .contains("force=true skips the compatibility check"),
            "{}",
            denied.text
        );
        // An admin of the subject's prefix may.
        assert_eq!(
            s.post(orders_admin(), path, body).await.assert_ok()["version"],
            2
        );
    }

    async fn roles_decide_what_basic_users_may_do() {
        let s = secured("admin").await;
        let reader = || Who::Basic("reader", "reader-pw");
        let producer = || Who::Basic("producer", "producer-pw");
        let admin = || Who::Basic("admin", "admin-pw");

        // read cannot register; write can, within its prefix.
        let denied = s.register(reader(), "orders.created", &order_v1()).await;
        denied.assert_error(403, 40301);
        assert_eq!(
            denied.body["message"],
            "User reader is denied operation Write on Subject: orders.created"
        );
        let id = s
            .register(producer(), "orders.created", &order_v1())
            .await
            .assert_ok()["id"]
            .clone();
        s.register(producer(), "payments.settled", &order_v1())
            .await
            .assert_error(403, 40301);
        s.register(admin(), "payments.settled", &order_v1())
            .await
            .assert_ok();

        // read reads everything, and checks compatibility (as Confluent's read roles do).
        assert_eq!(
            s.get(reader(), "/subjects").await.assert_ok(),
            &json!(["orders.created", "payments.settled"])
        );
        s.get(reader(), &format!("/schemas/ids/{id}"))
            .await
            .assert_ok();
        s.get(reader(), "/subjects/payments.settled/versions/latest")
            .await
            .assert_ok();
        let (compat, _) = s
            .call(
                reader(),
                Method::POST,
                "/compatibility/subjects/orders.created/versions/latest",
                Some(json!({"schema": order_v2()})),
            )
            .await;
        assert_eq!(compat.assert_ok()["is_compatible"], true);
        let (lookup, _) = s
            .call(
                reader(),
                Method::POST,
                "/subjects/orders.created",
                Some(json!({"schema": order_v1()})),
            )
            .await;
        lookup.assert_ok();

        // A prefix-limited user cannot list every subject, only within its prefix.
        s.get(producer(), "/subjects")
            .await
            .assert_error(403, 40301);
        assert_eq!(
            s.get(producer(), "/subjects?subjectPrefix=orders.")
                .await
                .assert_ok(),
            &json!(["orders.created"])
        );
        s.get(producer(), "/subjects/payments.settled/versions")
            .await
            .assert_error(403, 40301);

        // Levels and modes are admin; per subject, an admin's own business.
        for (who, expected) in [(reader(), 403), (producer(), 403), (admin(), 200)] {
            let (a, _) = s
                .call(
                    who,
                    Method::PUT,
                    "/config",
                    Some(json!({"compatibility": "FULL"})),
                )
                .await;
            assert_eq!(a.status, expected, "{}", a.text);
        }
        let (a, _) = s
            .call(
                producer(),
                Method::PUT,
                "/config/orders.created",
                Some(json!({"compatibility": "NONE"})),
            )
            .await;
        a.assert_error(403, 40301);
        let (a, _) = s
            .call(
                producer(),
                Method::PUT,
                "/mode",
                Some(json!({"mode": "READONLY"})),
            )
            .await;
        a.assert_error(403, 40301);
        s.get(reader(), "/config").await.assert_ok();

        // Deleting is write, within the prefix.
        let (a, _) = s
            .call(
                producer(),
                Method::DELETE,
                "/subjects/payments.settled",
                None,
            )
            .await;
        a.assert_error(403, 40301);
        let (a, _) = s
            .call(reader(), Method::DELETE, "/subjects/orders.created", None)
            .await;
        a.assert_error(403, 40301);
        let (a, _) = s
            .call(producer(), Method::DELETE, "/subjects/orders.created", None)
            .await;
        assert_eq!(a.assert_ok(), &json!([1]));
    }

    /// Item 5 of issue 15: an IMPORT id at or above the id counter moves the global id
    /// space, so only an admin without subject prefixes may give one; and no import may
    /// push the counter to where later registrations would find no id left.
    async fn item5_a_prefix_limited_admin_cannot_exhaust_the_id_space() {
        let s = secured("admin").await;
        let team_admin = || Who::Basic("orders-admin", "orders-admin-pw");
        let admin = || Who::Basic("admin", "admin-pw");
        let import = |name: &str, id: i64| json!({"schema": record(name, "[]"), "id": id});
        assert_eq!(
            s.register(admin(), "payments.settled", &order_v1()).await.assert_ok()["id"],
            1
        );
        // A team admin may put its own subjects in IMPORT mode...
        s.put(team_admin(), "/mode/orders.imported", json!({"mode": "IMPORT"}))
            .await
            .assert_ok();
        // ...but not give an id at or above the counter: the largest id there is, the
        // next one.
        for id in [2_147_483_647, 2] {
            let a = s
                .post(team_admin(), "/subjects/orders.imported/versions", import("Big", id))
                .await;
            a.assert_error(403, 40301);
            let message = a.body["message"].as_str().unwrap();
            assert!(
                message.starts_with("User orders-admin is denied operation Admin on "),
                "{message}"
            );
            assert!(message.contains(&format!("id {id}")), "{message}");
        }
        // Registrations everywhere still get ids.
        assert_eq!(
            s.register(admin(), "payments.refunded", &record("Refund", "[]"))
                .await
                .assert_ok()["id"],
            2
        );
        // An admin without prefixes may move the counter...
        s.put(admin(), "/mode/payments.imported", json!({"mode": "IMPORT"}))
            .await
            .assert_ok();
        let a = s
            .post(admin(), "/subjects/payments.imported/versions", import("Fifty", 50))
            .await;
        assert_eq!(a.assert_ok()["id"], 50);
        // ...and then the team admin may import the free ids below it, not above.
        let a = s
            .post(team_admin(), "/subjects/orders.imported/versions", import("Twenty", 20))
            .await;
        assert_eq!(a.assert_ok()["id"], 20);
        s.post(team_admin(), "/subjects/orders.imported/versions", import("FiftyOne", 51))
            .await
            .assert_error(403, 40301);
        // Not even an admin without prefixes may take the ids normal registration needs.
        let a = s
            .post(admin(), "/subjects/payments.imported/versions", import("Max", 2_147_483_647))
            .await;
        a.assert_error(422, 42207);
        assert!(
            a.body["message"].as_str().unwrap().contains("2130706431"),
            "{}",
            a.text
        );
        let a = s
            .post(admin(), "/subjects/payments.imported/versions", import("Top", 2_130_706_431))
            .await;
        assert_eq!(a.assert_ok()["id"], 2_130_706_431_u64);
        assert_eq!(
            s.register(admin(), "payments.after", &record("After", "[]"))
                .await
                .assert_ok()["id"],
            2_130_706_432_u64
        );
    }

    /// Item 6 of issue 15: references are checked against the principal's prefixes
    /// (no probing, no pinning another team's versions), and a prefix-limited principal
    /// is never shown the name of a subject outside its prefixes.
    /// A reference resolves in its referrer's context, and so does the check: an
    /// unqualified `payments.card` from `:.team-a:` is `:.team-a:payments.card`, outside
    /// a principal whose prefixes cover only the default context's `payments.`.
    async fn references_are_authorised_as_they_resolve_in_their_context() {
        let s = secured("admin").await;
        let admin = || Who::Basic("admin", "admin-pw");
        let team = || Who::Basic("team-a", "team-a-pw");
        let card = record("Card", r#"[{"name":"number","type":"string"}]"#);
        s.register(admin(), "payments.card", &card).await.assert_ok();
        s.register(admin(), ":.team-a:payments.card", &card).await.assert_ok();
        s.register(admin(), ":.team-a:orders.card", &card).await.assert_ok();
        let order = record("Order", r#"[{"name":"card","type":"shop.Card"}]"#);
        let body = |subject: &str| {
            json!({"schema": order, "references": [{"name": "shop.Card", "subject": subject, "version": 1}]})
        };
        let path = "/subjects/:.team-a:orders.created/versions";
        let refused = s.post(team(), path, body("payments.card")).await;
        refused.assert_error(403, 40301);
        assert!(refused.text.contains(":.team-a:payments.card"), "{}", refused.text);
        // Within its prefixes once resolved: `orders.card` is `:.team-a:orders.card`.
        s.post(team(), path, body("orders.card")).await.assert_ok();
        s.post(team(), path, body(":.team-a:orders.card")).await.assert_ok();
        // `:.:` does not leave the context either (as Confluent's
        // `qualifySubjectWithParent`): still `:.team-a:payments.card`.
        let mixed = json!({"schema": order, "references": [{"name": "shop.Card", "subject": ":.:payments.card", "version": 1}]});
        s.post(team(), "/subjects/:.team-a:orders.mixed/versions", mixed)
            .await
            .assert_error(403, 40301);

        // The settings of `:.__GLOBAL:` and of the default context (`:.:`) reach every
        // subject: only an admin without prefixes may change them.
        let orders_admin = || Who::Basic("orders-admin", "orders-admin-pw");
        for path in ["/config/:.__GLOBAL:", "/config/:.:", "/mode/:.__GLOBAL:", "/mode/%3A.%3A"] {
            let body = if path.starts_with("/config") {
                json!({"compatibility": "NONE"})
            } else {
                json!({"mode": "READONLY"})
            };
            let (a, _) = s.call(orders_admin(), Method::PUT, path, Some(body.clone())).await;
            a.assert_error(403, 40301);
            let (a, _) = s.call(admin(), Method::PUT, path, Some(body)).await;
            a.assert_ok();
        }
    }

    async fn item6_references_stay_within_the_principals_prefixes() {
        let s = secured("admin").await;
        let producer = || Who::Basic("producer", "producer-pw");
        let reader = || Who::Basic("reader", "reader-pw");
        let admin = || Who::Basic("admin", "admin-pw");
        let orders = || Who::Bearer(&s.orders_token);
        let card = record("Card", r#"[{"name":"number","type":"string"}]"#);
        s.register(admin(), "payments.card", &card).await.assert_ok();
        s.register(admin(), "payments.pinned", &card).await.assert_ok();
        let order = record("Order", r#"[{"name":"card","type":"shop.Card"}]"#);
        let body = |subject: &str| {
            json!({"schema": order, "references": [{"name": "shop.Card", "subject": subject, "version": 1}]})
        };

        // Another team's subject, registered or not, is refused alike (nothing to probe)
        // when registering, looking up or checking compatibility.
        for subject in ["payments.card", "payments.pinned", "payments.nothing"] {
            let expected = format!("User producer is denied operation Read on Subject: {subject}");
            let a = s
                .post(producer(), "/subjects/orders.created/versions", body(subject))
                .await;
            a.assert_error(403, 40301);
            assert_eq!(a.body["message"], expected.as_str());
            for path in [
                "/subjects/orders.created",
                "/compatibility/subjects/orders.created/versions",
                "/compatibility/subjects/orders.created/versions/latest",
            ] {
                let a = s.post(orders(), path, body(subject)).await;
                a.assert_error(403, 40301);
                assert!(a.text.contains(subject), "{path}: {}", a.text);
            }
        }
        // So nothing pins the other team's version: its owner may still delete it.
        assert_eq!(
            s.delete(admin(), "/subjects/payments.pinned/versions/1").await.assert_ok(),
            &json!(1)
        );

        // An admin without prefixes may reference across teams, and look it up.
        let id = s
            .post(admin(), "/subjects/orders.mixed/versions", body("payments.card"))
            .await
            .assert_ok()["id"]
            .as_u64()
            .unwrap();
        s.post(admin(), "/subjects/orders.mixed", body("payments.card"))
            .await
            .assert_ok();
        // The same bytes from the team reader are refused, although answered before
        // (the lookup cache does not get around the check).
        s.post(orders(), "/subjects/orders.mixed", body("payments.card"))
            .await
            .assert_error(403, 40301);

        // What shows the references is refused to the team reader, without naming the
        // other team's subject; twice, so that cached answers are checked as well.
        for _ in 0..2 {
            for path in [
                format!("/schemas/ids/{id}"),
                "/subjects/orders.mixed/versions/1".to_owned(),
                "/subjects/orders.mixed/versions/latest".to_owned(),
                "/schemas?subjectPrefix=orders.".to_owned(),
                format!("/schemas/ids/{id}/versions"),
            ] {
                let a = s.get(orders(), &path).await;
                a.assert_error(403, 40301);
                assert!(!a.text.contains("payments"), "{path}: {}", a.text);
            }
            // Raw texts name no subject: readable, as every schema's text is.
            for path in [
                format!("/schemas/ids/{id}/schema"),
                "/subjects/orders.mixed/versions/1/schema".to_owned(),
            ] {
                let a = s.get(orders(), &path).await;
                assert_eq!(a.status, 200, "{path}: {}", a.text);
                assert!(a.text.contains(r#""name":"Order""#), "{}", a.text);
            }
            // Principals without prefixes see the references.
            for who in [reader(), admin()] {
                let a = s.get(who, &format!("/schemas/ids/{id}")).await;
                assert_eq!(a.assert_ok()["references"][0]["subject"], "payments.card");
                let a = s.get(reader(), "/subjects/orders.mixed/versions/1").await;
                assert_eq!(a.assert_ok()["references"][0]["subject"], "payments.card");
            }
        }
        // Schemas without such references stay readable by id for the team reader.
        let plain = s.register(admin(), "payments.plain", &record("Plain", "[]")).await;
        let plain = plain.assert_ok()["id"].as_u64().unwrap();
        s.get(orders(), &format!("/schemas/ids/{plain}")).await.assert_ok();
    }

    async fn bearer_tokens_and_percent_encoded_subjects() {
        let s = secured("admin").await;
        let deployer = Who::Bearer(&s.deployer_token);
        s.register(deployer, "orders.created", &order_v1())
            .await
            .assert_ok();
        s.register(
            Who::Bearer(&s.deployer_token),
            "payments.settled",
            &order_v1(),
        )
        .await
        .assert_ok();
        let orders = || Who::Bearer(&s.orders_token);
        s.get(orders(), "/subjects/orders.created/versions")
            .await
            .assert_ok();
        s.register(orders(), "orders.created", &order_v2())
            .await
            .assert_error(403, 40301);
        s.get(orders(), "/subjects/payments.settled/versions")
            .await
            .assert_error(403, 40301);
        // Encoding the subject does not get around the prefix, nor does a trailing slash.
        s.get(orders(), "/subjects/%70ayments.settled/versions/")
            .await
            .assert_error(403, 40301);
        s.get(orders(), "/subjects//versions")
            .await
            .assert_error(403, 40301);
        s.get(orders(), "/subjects/orders%2E..%2Fx/versions")
            .await
            .assert_error(404, 40401);
        // Id lookups are open to every reader (deserializers resolve ids they meet).
        s.get(orders(), "/schemas/ids/1").await.assert_ok();
        s.get(orders(), "/schemas/ids/1/subjects")
            .await
            .assert_error(403, 40301);
        // Unknown routes answer 404 to whoever is authenticated (clients probe them).
        s.get(orders(), "/associations/resources/-/t")
            .await
            .assert_error(404, 404);
    }

    async fn a_confluent_client_authenticates_with_basic_and_bearer() {
        use schema_registry_converter::async_impl::schema_registry::{SrSettings, get_schema_by_id};
        let s = secured("admin").await;
        s.register(
            Who::Bearer(&s.deployer_token),
            "orders.created",
            &order_v1(),
        )
        .await
        .assert_ok();
        let basic = SrSettings::new_builder(s.server.base.clone())
            .set_basic_authorization("reader", Some("reader-pw"))
            .build()
            .unwrap();
        let schema = get_schema_by_id(1, &basic).await.expect("basic auth works");
        assert!(schema.schema.contains("Order"));
        let bearer = SrSettings::new_builder(s.server.base.clone())
            .set_token_authorization(&s.orders_token)
            .build()
            .unwrap();
        get_schema_by_id(1, &bearer).await.expect("token works");
        let wrong = SrSettings::new_builder(s.server.base.clone())
            .set_basic_authorization("reader", Some("nope"))
            .build()
            .unwrap();
        assert!(get_schema_by_id(1, &wrong).await.is_err());
    }

    async fn a_bad_auth_file_stops_the_server() {
        let dir = tempfile::tempdir().unwrap();
        for (text, needle) in [
            (
                "[[users]]\nname='a'\npassword_hash='plain'\nrole='read'",
                "hash-password",
            ),
            ("", "nobody could authenticate"),
        ] {
            let path = dir.path().join("auth.toml");
            std::fs::write(&path, text).unwrap();
            let err = schemagate_server::Server::bind(Config {
                listen: "127.0.0.1:0".parse().unwrap(),
                data_dir: dir.path().join("data"),
                auth_config: Some(path),
                ..Config::default()
            })
            .await
            .err()
            .expect("refused");
            assert!(err.to_string().contains(needle), "{err}");
        }
        let err = schemagate_server::Server::bind(Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            data_dir: dir.path().join("data2"),
            auth_config: Some(dir.path().join("missing.toml")),
            ..Config::default()
        })
        .await
        .err()
        .expect("refused");
        assert!(err.to_string().contains("missing.toml"), "{err}");
    }
}

/// The one route table: every route is routed (an admin never gets the router's own
/// 404 or 405), counted under its pattern in the metrics, and classified by the auth
/// policy as it declares; a read-only principal gets 403 on every route that needs
/// more than read, and never on one that needs only read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_declared_route_is_routed_labelled_classified_and_guarded() {
    use schemagate_server::api::routes::{self, Access, ROUTES};
    use schemagate_server::auth::policy::{Need, classify};
    use schemagate_server::auth::{MetricsAccess, Role};

    let s = secured("admin").await;
    let admin = || Who::Basic("admin", "admin-pw");
    let reader = || Who::Basic("reader", "reader-pw");
    let subject = "routes.s";
    let sample = |pattern: &str| {
        pattern
            .replace("{s}", subject)
            .replace("{v}", "1")
            .replace("{id}", "1")
            .replace("{name}", "routes_kek")
    };
    for route in ROUTES {
        let path = sample(route.pattern);
        let what = format!("{} {}", route.method, route.pattern);

        let found = routes::find(&route.method, &path)
            .and_then(|m| m.route)
            .unwrap_or_else(|| panic!("{what}: the policy does not find it"));
        assert!(
            std::ptr::eq(found, route),
            "{what}: found as {}",
            found.pattern
        );
        let expected = match route.access {
            Access::Open => Need::Open,
            Access::Metrics => Need::Global(Role::Admin),
            Access::Role(role) => Need::Role(role),
            Access::Subject(role) => {
                assert!(route.pattern.contains("{s}"), "{what}: no subject to check");
                Need::Subject(role, subject.to_owned())
            }
            Access::Global(role) => Need::Global(role),
            Access::Listing => Need::Listing(None),
        };
        let uri = path.parse().unwrap();
        assert_eq!(
            classify(&route.method, &uri, MetricsAccess::Admin),
            expected,
            "{what}"
        );

        let body = match route.method {
            Method::PUT if route.pattern.starts_with("/mode") => Some(json!({"mode": "READWRITE"})),
            Method::PUT => Some(json!({"compatibility": "BACKWARD"})),
            Method::POST => Some(json!({"schema": "\"string\""})),
            _ => None,
        };
        let (answer, _) = s
            .call(admin(), route.method.clone(), &path, body.clone())
            .await;
        assert!(
            answer.status != 405 && answer.body.get("error_code") != Some(&json!(404)),
            "{what}: not routed: {} {}",
            answer.status,
            answer.body
        );

        let needs_more_than_read = match route.access {
            Access::Role(role) | Access::Subject(role) | Access::Global(role) => role > Role::Read,
            Access::Metrics => true,
            Access::Open | Access::Listing => false,
        };
        let (answer, _) = s.call(reader(), route.method.clone(), &path, body).await;
        if needs_more_than_read {
            assert_eq!(answer.status, 403, "{what}: a reader got {}", answer.body);
        } else {
            assert_ne!(answer.status, 403, "{what}: a reader got {}", answer.body);
        }
    }
    let metrics = s.get(admin(), "/metrics").await;
    let text = metrics.text;
    for route in ROUTES {
        assert!(
            text.contains(&format!("route=\"{}\"", route.pattern)),
            "{} {} is not counted under its pattern",
            route.method,
            route.pattern
        );
    }
}
