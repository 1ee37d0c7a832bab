//! Confluent contexts over real HTTP, on both stores: qualified subjects (`:.ctx:name`),
//! an id space per context, references resolved inside their context, `subjectPrefix`
//! and the `:*:` wildcard, `/contexts` and `DELETE /contexts/{ctx}`, context and
//! `:.__GLOBAL:` configuration and mode, `?subject=` on the id routes, GUIDs across
//! contexts, IMPORT per context, and the upgrade of a store that held qualified names
//! as ordinary subjects.
//!
//! Each expected outcome is Confluent's (QualifiedSubject, IncrementalIdGenerator,
//! AbstractSchemaRegistry.getSchemaKeyUsingContexts, InMemoryCache.config/mode,
//! ContextsResource in confluentinc/schema-registry); the test names say which.

use crate::common;

use common::{TestServer, order_v1, order_v2, record};
use schemagate_core::Context;
use schemagate_server::Config;
use schemagate_server::config::StoreChoice;
use schemagate_server::store::{Op, SchemaId, Store, StoredSchema, VersionEntry};
use serde_json::{Value, json};

fn customer() -> String {
    record("Customer", r#"[{"name":"name","type":"string"}]"#)
}

fn order_with_customer() -> String {
    record(
        "Order",
        r#"[{"name":"id","type":"string"},{"name":"customer","type":"shop.Customer"}]"#,
    )
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("an array: {v}"))
        .iter()
        .map(|s| s.as_str().expect("strings").to_owned())
        .collect()
}

/// The store a server on `dir` opens (`choice`, from [`common::store_for`] on the
/// test's task), opened directly to write what an older build wrote or to read what
/// this one did.
fn open_store(dir: &std::path::Path, choice: StoreChoice) -> Box<dyn Store> {
    match choice {
        StoreChoice::Sled => {
            Box::new(schemagate_server::store::sled::SledStore::open(&dir.join("data")).unwrap())
        }
        StoreChoice::Postgres(url) => {
            Box::new(schemagate_server::store::postgres::PgStore::open(&url, 2).unwrap())
        }
    }
}

on_each_store! {
    /// `IncrementalIdGenerator` keeps a counter per context: the first schema of every
    /// context is id 1, and versions count per qualified subject.
    async fn confluent_each_context_has_its_own_ids_and_versions() {
        let s = TestServer::start().await;
        assert_eq!(s.register_ok("orders", &order_v1()).await, 1);
        assert_eq!(s.register_ok("orders", &order_v2()).await, 2);
        // The same name in another context: a new subject, ids from 1 again.
        assert_eq!(s.register_ok(":.team-a:orders", &order_v2()).await, 1);
        assert_eq!(s.register_ok(":.team-b:orders", &customer()).await, 1);
        assert_eq!(s.register_ok(":.team-b:payments", &order_v1()).await, 2);

        let v = s.get("/subjects/:.team-a:orders/versions").await;
        assert_eq!(v.assert_ok(), &json!([1]));
        let latest = s.get("/subjects/:.team-b:orders/versions/latest").await;
        let latest = latest.assert_ok();
        assert_eq!(latest["subject"], ":.team-b:orders");
        assert_eq!(latest["id"], 1);
        assert_eq!(latest["schema"].as_str().unwrap(), customer());
        // Id 1 of the default context is still the default context's.
        let one = s.get("/schemas/ids/1").await;
        assert_eq!(one.assert_ok()["schema"].as_str().unwrap(), order_v1());

        // A restart keeps every context's ids and counters.
        let dir = s.stop().await;
        let s = TestServer::start_in(dir, Config::default()).await;
        assert_eq!(s.register_ok(":.team-a:orders", &order_v2()).await, 1);
        assert_eq!(s.register_ok(":.team-a:customers", &customer()).await, 2);
        assert_eq!(s.register_ok("customers", &customer()).await, 3);
    }

    /// `QualifiedSubject.normalize`: `:.:orders` is the default context's `orders`.
    async fn confluent_default_context_qualifier_names_the_plain_subject() {
        let s = TestServer::start().await;
        s.register_ok(":.:orders", &order_v1()).await;
        let subjects = s.get("/subjects").await;
        assert_eq!(strings(subjects.assert_ok()), ["orders"]);
        let v = s.get("/subjects/orders/versions/1").await;
        assert_eq!(v.assert_ok()["subject"], "orders");
    }

    /// `qualifySubjectWithParent`: an unqualified reference names a subject of the
    /// referrer's context; a qualified one is taken as written.
    async fn confluent_references_resolve_inside_their_context() {
        let s = TestServer::start().await;
        s.register_ok(":.team-a:customer", &customer()).await;
        let body = json!({
            "schema": order_with_customer(),
            "references": [{"name": "shop.Customer", "subject": "customer", "version": 1}],
        });
        let a = s.post("/subjects/:.team-a:orders/versions", body.clone()).await;
        assert_eq!(a.assert_ok()["id"], 2);
        // As registered: the reference keeps the name the client gave.
        let v = s.get("/subjects/:.team-a:orders/versions/1").await;
        assert_eq!(v.assert_ok()["references"][0]["subject"], "customer");
        // `referenceFormat=qualified` names the subject the reference resolves to.
        let q = s.get("/subjects/:.team-a:orders/versions/1?referenceFormat=qualified").await;
        assert_eq!(q.assert_ok()["references"][0]["subject"], ":.team-a:customer");
        let q = s.get("/schemas/ids/2?subject=:.team-a:orders&referenceFormat=qualified").await;
        assert_eq!(q.assert_ok()["references"][0]["subject"], ":.team-a:customer");
        let by = s.get("/subjects/:.team-a:customer/versions/1/referencedby").await;
        assert_eq!(by.assert_ok(), &json!([2]));
        // The referenced version is protected as any other.
        s.delete("/subjects/:.team-a:customer/versions/1").await.assert_error(422, 42206);

        // In the default context `customer` does not exist: the same body is refused.
        s.post("/subjects/orders/versions", body).await.assert_error(422, 42201);
        // A qualified reference reaches across.
        let across = json!({
            "schema": order_with_customer(),
            "references": [{"name": "shop.Customer", "subject": ":.team-a:customer", "version": 1}],
        });
        let a = s.post("/subjects/orders/versions", across).await;
        assert_eq!(a.assert_ok()["id"], 1);
        // A lookup resolves the same way.
        let found = s
            .post(
                "/subjects/:.team-a:orders",
                json!({
                    "schema": order_with_customer(),
                    "references": [{"name": "shop.Customer", "subject": "customer", "version": 1}],
                }),
            )
            .await;
        assert_eq!(found.assert_ok()["version"], 1);
    }

    /// `listSubjectsWithPrefix`: `:*:` (the Confluent CLI's default prefix, and the
    /// endpoint's) lists every context, `:.ctx:` one context, a plain prefix (even an
    /// empty one) the default context only.
    async fn confluent_cli_subject_list_wildcard_prefix_lists_every_context() {
        let s = TestServer::start().await;
        s.register_ok("orders", &order_v1()).await;
        s.register_ok(":.team-a:orders", &order_v1()).await;
        s.register_ok(":.team-a:payments", &order_v1()).await;
        s.register_ok(":.team-b:orders", &order_v1()).await;
        let all = [":.team-a:orders", ":.team-a:payments", ":.team-b:orders", "orders"];
        let list = |q: &'static str| {
            let s = &s;
            async move { strings(s.get(&format!("/subjects{q}")).await.assert_ok()) }
        };
        assert_eq!(list("").await, all);
        assert_eq!(list("?subjectPrefix=:*:").await, all);
        assert_eq!(
            list("?subjectPrefix=:*:or").await,
            [":.team-a:orders", ":.team-b:orders", "orders"]
        );
        assert_eq!(
            list("?subjectPrefix=:.team-a:").await,
            [":.team-a:orders", ":.team-a:payments"]
        );
        assert_eq!(list("?subjectPrefix=:.team").await, all[..3]);
        assert_eq!(list("?subjectPrefix=").await, ["orders"]);
        assert_eq!(list("?subjectPrefix=or").await, ["orders"]);
        // A reader of one context sees none of another's subjects.
        let schemas = s.get("/schemas?subjectPrefix=:.team-b:").await;
        let subjects: Vec<&str> = schemas
            .assert_ok()
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["subject"].as_str().unwrap())
            .collect();
        assert_eq!(subjects, [":.team-b:orders"]);
        // `/schemas` defaults to the default context, as Confluent's "" prefix.
        let plain = s.get("/schemas").await;
        assert_eq!(plain.assert_ok().as_array().unwrap().len(), 1);
    }

    /// `ContextsResource`: `.` first, then contexts in order; `contextPrefix`, `offset`
    /// and `limit`; `DELETE` refuses a context with subjects (even soft-deleted ones)
    /// with 42211 and forgets an empty one with 204.
    async fn confluent_contexts_are_listed_and_deleted_when_empty() {
        let s = TestServer::start().await;
        assert_eq!(s.get("/contexts").await.assert_ok(), &json!(["."]));
        s.register_ok(":.b:x", &order_v1()).await;
        s.register_ok(":.a:x", &order_v1()).await;
        s.register_ok(":.ab:x", &order_v1()).await;
        assert_eq!(s.get("/contexts").await.assert_ok(), &json!([".", ".a", ".ab", ".b"]));
        let prefixed = s.get("/contexts?contextPrefix=.a").await;
        assert_eq!(prefixed.assert_ok(), &json!([".a", ".ab"]));
        let page = s.get("/contexts?offset=1&limit=2").await;
        assert_eq!(page.assert_ok(), &json!([".a", ".ab"]));

        let refused = s.delete("/contexts/.a").await;
        refused.assert_error(422, 42211);
        assert!(refused.text.contains("':.a:'"), "{}", refused.text);
        s.delete("/subjects/:.a:x").await.assert_ok();
        // Soft-deleted subjects still hold the context.
        s.delete("/contexts/.a").await.assert_error(422, 42211);
        s.delete("/subjects/:.a:x?permanent=true").await.assert_ok();
        assert_eq!(s.delete("/contexts/.a").await.status, 204);
        assert_eq!(s.get("/contexts").await.assert_ok(), &json!([".", ".ab", ".b"]));
        // A context that was never there: nothing to do, as in Confluent.
        assert_eq!(s.delete("/contexts/:.nowhere:").await.status, 204);
    }

    /// `InMemoryCache.config`: a subject outside the default context falls back to its
    /// context's configuration, then to `:.__GLOBAL:`'s; the top level is the default
    /// context's. `:.:` is the top level.
    async fn confluent_context_and_global_context_configs_apply_in_scope() {
        let s = TestServer::start().await;
        s.put("/config/:.a:", json!({"compatibility": "NONE"})).await.assert_ok();
        s.put("/config/:.__GLOBAL:", json!({"compatibility": "FULL"})).await.assert_ok();
        let level = |path: &'static str| {
            let s = &s;
            async move {
                let a = s.get(&format!("/config/{path}?defaultToGlobal=true")).await;
                a.assert_ok()["compatibilityLevel"].as_str().unwrap().to_owned()
            }
        };
        assert_eq!(level(":.a:orders").await, "NONE");
        assert_eq!(level(":.b:orders").await, "FULL");
        assert_eq!(level("orders").await, "FULL");
        s.put("/config", json!({"compatibility": "FORWARD"})).await.assert_ok();
        assert_eq!(level("orders").await, "FORWARD");
        // The top level is the default context's alone.
        assert_eq!(level(":.b:orders").await, "FULL");
        assert_eq!(
            s.get("/config/:.:").await.assert_ok()["compatibilityLevel"],
            "FORWARD"
        );
        // The context's own configuration, and its absence elsewhere.
        assert_eq!(s.get("/config/:.a:").await.assert_ok()["compatibilityLevel"], "NONE");
        s.get("/config/:.b:").await.assert_error(404, 40408);

        // The level decides: NONE in `.a` lets a breaking change through.
        s.register_ok(":.a:orders", &order_v1()).await;
        s.register_ok(":.a:orders", &customer()).await;
        s.register_ok(":.b:orders", &order_v1()).await;
        s.register(":.b:orders", &customer()).await.assert_error(409, 40901);
    }

    /// `getModeInScope`: a context's mode (IMPORT included) reaches its subjects only;
    /// `:.__GLOBAL:` READONLY reaches every context.
    async fn confluent_context_and_global_context_modes_apply_in_scope() {
        let s = TestServer::start().await;
        s.put("/mode/:.ro:", json!({"mode": "READONLY"})).await.assert_ok();
        s.register(":.ro:x", &order_v1()).await.assert_error(422, 42205);
        s.register_ok(":.rw:x", &order_v1()).await;
        assert_eq!(
            s.get("/mode/:.ro:x?defaultToGlobal=true").await.assert_ok()["mode"],
            "READONLY"
        );
        s.put("/mode/:.__GLOBAL:", json!({"mode": "READONLY"})).await.assert_ok();
        s.register("plain", &order_v1()).await.assert_error(422, 42205);
        s.register(":.rw:y", &order_v1()).await.assert_error(422, 42205);
        assert_eq!(s.delete("/mode/:.__GLOBAL:").await.assert_ok()["mode"], "READONLY");
        s.register_ok(":.rw:y", &order_v1()).await;
        // A subject cannot live in the global context.
        s.register(":.__GLOBAL:x", &order_v1()).await.assert_error(422, 42208);
    }

    /// Schema linking and migrations import contexts whose ids overlap: IMPORT per
    /// context keeps each context's ids, and an id taken in one context is free in
    /// another.
    async fn confluent_import_of_two_contexts_with_overlapping_ids() {
        let s = TestServer::start().await;
        for ctx in [":.src-1:", ":.src-2:"] {
            s.put(&format!("/mode/{ctx}"), json!({"mode": "IMPORT"})).await.assert_ok();
        }
        let import = |subject: &'static str, schema: String, id: u64| {
            let s = &s;
            async move {
                let body = json!({"schema": schema, "id": id, "version": 1});
                let a = s.post(&format!("/subjects/{subject}/versions"), body).await;
                assert_eq!(a.assert_ok()["id"], id, "{subject}");
            }
        };
        import(":.src-1:orders", order_v1(), 100).await;
        import(":.src-2:orders", customer(), 100).await;
        import(":.src-2:payments", order_v2(), 7).await;
        // Outside the contexts in IMPORT, a given id is refused.
        let plain = json!({"schema": order_v1(), "id": 100});
        s.post("/subjects/orders/versions", plain).await.assert_error(422, 42205);

        let one = s.get("/schemas/ids/100?subject=:.src-1:orders").await;
        assert_eq!(one.assert_ok()["schema"].as_str().unwrap(), order_v1());
        let two = s.get("/schemas/ids/100?subject=:.src-2:orders").await;
        assert_eq!(two.assert_ok()["schema"].as_str().unwrap(), customer());
        // A different schema under a taken id of the same context is refused.
        let clash = json!({"schema": order_v2(), "id": 100, "version": 1});
        s.post("/subjects/:.src-1:other/versions", clash).await.assert_error(422, 42207);
        // Back to READWRITE, new ids continue after the imported ones.
        s.delete("/mode/:.src-2:").await.assert_ok();
        assert_eq!(s.register_ok(":.src-2:more", &record("More", "[]")).await, 101);
    }

    /// `getSchemaKeyUsingContexts` and Confluent 8's `SchemaString`: `?subject=` picks
    /// the context (a qualified subject only where it uses the id; an unqualified one in
    /// the default context, then in any context, then anywhere in the default context),
    /// and the answer names the subject and version found.
    async fn confluent_schema_by_id_with_subject_picks_the_context() {
        let s = TestServer::start().await;
        s.register_ok("orders", &order_v1()).await;
        s.register_ok(":.a:payments", &customer()).await;
        let by = |q: &'static str| {
            let s = &s;
            async move { s.get(&format!("/schemas/ids/1{q}")).await }
        };
        let plain = by("").await;
        let plain = plain.assert_ok();
        assert_eq!(plain["schema"].as_str().unwrap(), order_v1());
        assert!(plain.get("subject").is_none(), "{plain}");

        let a = by("?subject=:.a:payments").await;
        let a = a.assert_ok();
        assert_eq!(a["schema"].as_str().unwrap(), customer());
        assert_eq!((a["subject"].clone(), a["version"].clone()), (json!(":.a:payments"), json!(1)));
        // Unqualified: not in the default context, so found in `.a`.
        let found = by("?subject=payments").await;
        assert_eq!(found.assert_ok()["subject"], ":.a:payments");
        // A context alone.
        let ctx = by("?subject=:.a:").await;
        assert_eq!(ctx.assert_ok()["schema"].as_str().unwrap(), customer());
        // A qualified subject that does not use the id finds nothing.
        by("?subject=:.a:orders").await.assert_error(404, 40403);
        // The raw text and the listings follow the same context.
        let raw = s.get("/schemas/ids/1/schema?subject=:.a:").await;
        assert_eq!(raw.text, customer());
        let subjects = s.get("/schemas/ids/1/subjects?subject=:.a:").await;
        assert_eq!(subjects.assert_ok(), &json!([":.a:payments"]));
        let versions = s.get("/schemas/ids/1/versions").await;
        assert_eq!(versions.assert_ok(), &json!([{"subject": "orders", "version": 1}]));
    }

    /// `allVersionsIncludingAliasesWithSubjectPrefix`: with `aliases=true`, `/schemas`
    /// also lists the subjects that listed subjects are aliases of (an alias is read in
    /// the aliasing subject's context), each naming its aliases.
    async fn confluent_schemas_with_aliases_lists_the_aliased_subjects() {
        let s = TestServer::start().await;
        s.register_ok("orders-v2", &order_v1()).await;
        s.register_ok(":.a:payments", &customer()).await;
        s.put("/config/legacy", json!({"alias": "orders-v2"})).await.assert_ok();
        s.put("/config/:.a:pay", json!({"alias": "payments"})).await.assert_ok();
        let listed = |q: &'static str| {
            let s = &s;
            async move {
                let a = s.get(&format!("/schemas{q}")).await;
                a.assert_ok()
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| (v["subject"].as_str().unwrap().to_owned(), v.get("aliases").cloned()))
                    .collect::<Vec<_>>()
            }
        };
        // Without `aliases`, a prefix only the alias matches lists nothing.
        assert_eq!(listed("?subjectPrefix=legacy").await, []);
        assert_eq!(
            listed("?subjectPrefix=legacy&aliases=true").await,
            [("orders-v2".to_owned(), Some(json!(["legacy"])))]
        );
        // A subject the listing reaches itself names its aliases too.
        assert_eq!(
            listed("?aliases=true").await,
            [("orders-v2".to_owned(), Some(json!(["legacy"])))]
        );
        assert_eq!(
            listed("?subjectPrefix=:.a:pay&aliases=true").await,
            [(":.a:payments".to_owned(), Some(json!([":.a:pay"])))]
        );
        assert_eq!(listed("?subjectPrefix=zzz&aliases=true").await, []);
    }

    /// `getIdUsingContexts` and `/schemas/guids/{guid}/ids`: the GUID is the content's,
    /// found in every context that holds it, the default context first.
    async fn confluent_guid_ids_list_every_context() {
        let s = TestServer::start().await;
        let guid = s.register("orders", &order_v1()).await.assert_ok()["guid"].clone();
        s.register_ok(":.a:other", &customer()).await;
        let again = s.register(":.a:orders", &order_v1()).await;
        assert_eq!(again.assert_ok()["guid"], guid);
        assert_eq!(again.body["id"], 2);
        let ids = s.get(&format!("/schemas/guids/{}/ids", guid.as_str().unwrap())).await;
        assert_eq!(
            ids.assert_ok(),
            &json!([{"context": ".", "id": 1}, {"context": ".a", "id": 2}])
        );
        let only_a = s.register(":.b:x", &record("OnlyB", "[]")).await;
        let guid_b = only_a.assert_ok()["guid"].as_str().unwrap().to_owned();
        let by_guid = s.get(&format!("/schemas/guids/{guid_b}")).await;
        assert_eq!(by_guid.assert_ok()["schema"].as_str().unwrap(), record("OnlyB", "[]"));
    }

    /// A store of format 2, before contexts: a qualified name was an ordinary subject whose
    /// versions used ids of the one id space. After the upgrade every version shows what it
    /// showed, the context is listed, and its counter starts past the ids it holds.
    async fn upgrade_gives_qualified_subjects_of_format_2_their_context() {
        let dir = tempfile::tempdir().unwrap();
        let choice = common::store_for(dir.path());
        // A thread of its own: PostgreSQL's blocking client may not run on a tokio worker.
        std::thread::scope(|t| t.spawn(|| {
            let store = open_store(dir.path(), choice.clone());
            let schema = |text: String| StoredSchema {
                schema_type: schemagate_core::SchemaType::Avro,
                schema: text,
                references: Vec::new(),
                metadata: None,
                rule_set: None,
            };
            let mut ops = Vec::new();
            for (id, text) in [(1, order_v1()), (2, customer()), (3, order_v2())] {
                let stored = schema(text);
                ops.push(Op::PutSchema {
                    context: String::new(),
                    id: SchemaId(id),
                    key: [id as u8; 32],
                    guid: stored.guid(),
                    schema: stored,
                });
            }
            for (subject, version, id) in [
                ("plain", 1, 1),
                (":.legacy:orders", 1, 2),
                (":.legacy:orders", 2, 3),
            ] {
                ops.push(Op::PutVersion {
                    subject: subject.into(),
                    entry: VersionEntry {
                        version,
                        id: SchemaId(id),
                        deleted: false,
                        ts: Some(1),
                    },
                });
            }
            ops.push(Op::SetNextId {
                context: String::new(),
                next: SchemaId(4),
            });
            ops.push(Op::SetFormat(2));
            store.apply(1, &ops).unwrap();
            store.flush(1).unwrap();
        }).join().unwrap());
        let s = TestServer::start_in(dir, Config::default()).await;
        let v2 = s.get("/subjects/:.legacy:orders/versions/2").await;
        assert_eq!(v2.assert_ok()["schema"].as_str().unwrap(), order_v2());
        assert_eq!(v2.body["id"], 3);
        let by_id = s.get("/schemas/ids/2?subject=:.legacy:orders").await;
        assert_eq!(by_id.assert_ok()["schema"].as_str().unwrap(), customer());
        assert_eq!(
            s.get("/contexts").await.assert_ok(),
            &json!([".", ".legacy"])
        );
        // The copies are found by content too, and new ids continue past them.
        let found = s
            .post("/subjects/:.legacy:orders", json!({"schema": order_v2()}))
            .await;
        assert_eq!(found.assert_ok()["version"], 2);
        assert_eq!(s.register_ok(":.legacy:orders", &record("Order", r#"[{"name":"id","type":"string"},{"name":"note","type":["null","string"],"default":null},{"name":"x","type":["null","int"],"default":null}]"#)).await, 4);
        assert_eq!(
            s.get("/schemas/ids/1").await.assert_ok()["schema"]
                .as_str()
                .unwrap(),
            order_v1()
        );
        let dir = s.stop().await;
        let (format, next) = std::thread::scope(|t| {
            t.spawn(|| {
                let reopened = open_store(dir.path(), choice.clone());
                let legacy = Context::parse(".legacy").unwrap().prefix();
                (reopened.format().unwrap(), reopened.next_id(&legacy).unwrap())
            })
            .join()
            .unwrap()
        });
        assert_eq!(format, schemagate_server::store::FORMAT);
        assert_eq!(next, SchemaId(5));
    }
}
