//! Protobuf over real HTTP, on both stores: `schemaType: PROTOBUF` registered, looked
//! up, read, listed, referenced (by import path, transitively, in contexts) and deleted
//! as Avro and JSON Schema are; the text answered is core's printing of the `.proto`
//! (Confluent's `canonicalString`) whether the client sent text or a base64 descriptor,
//! and the same schema sent either way is one schema; `format=serialized` answers the
//! base64 `FileDescriptorProto` and `format=ignore_extensions` the text without
//! extension options, on every route that takes `format`.
//!
//! Expected texts come from schemagate-core's own parse of the same input, so the test
//! checks that the server answers what core prints, not a particular layout.

use crate::common;

use base64::Engine as _;
use common::TestServer;
use schemagate_core::schema::protobuf::{self, PrintOptions};
use schemagate_core::{ParseOptions, ParsedSchema, Reference, SchemaType};
use serde_json::{Value, json};

/// The referenced file, imported by its path; it uses a well-known type itself.
const CUSTOMER_PATH: &str = "shop/customer.proto";
const CUSTOMER: &str = r#"syntax = "proto3";
package shop;

import "google/protobuf/timestamp.proto";

// Who placed an order.
message Customer {
  string name = 1;
  google.protobuf.Timestamp since = 2;
}
"#;

/// The main schema: imports the customer (a reference) and `Timestamp` (built in, no
/// reference needed).
const ORDER: &str = r#"syntax = "proto3";
package shop;

import "shop/customer.proto";
import "google/protobuf/timestamp.proto";

message Order {
  string id = 1;
  Customer customer = 2;
  google.protobuf.Timestamp placed = 3;
  int32 quantity = 4;
}
"#;

/// [`ORDER`] written differently: other spacing, comments, a fully qualified type.
const ORDER_RESPELLED: &str = r#"syntax="proto3";   package shop;
import "shop/customer.proto"; import "google/protobuf/timestamp.proto";
/* the same message */
message Order { string id = 1; .shop.Customer customer = 2;
  google.protobuf.Timestamp placed = 3; int32 quantity = 4; }
"#;

/// A self-contained schema with Confluent's own options (`confluent/meta.proto` is
/// one of the built-in imports).
const TAGGED: &str = r#"syntax = "proto3";
package shop;

import "confluent/meta.proto";
import "google/protobuf/descriptor.proto";

extend google.protobuf.FieldOptions {
  string label = 50001;
}

message Tagged {
  option (confluent.message_meta) = { doc: "a tagged message" };
  string id = 1 [(confluent.field_meta) = { doc: "the id" }, (label) = "key"];
}
"#;

fn customer_ref() -> Value {
    json!([{"name": CUSTOMER_PATH, "subject": CUSTOMER_PATH, "version": 1}])
}

/// Core's parse of `text` with the customer as its reference (when it imports it).
fn parsed(text: &str, normalize: bool) -> ParsedSchema {
    let refs = [Reference::new(CUSTOMER_PATH, CUSTOMER)];
    let refs: &[Reference] = if text.contains(CUSTOMER_PATH)
        || protobuf::decode_descriptor(text)
            .is_some_and(|d| d.dependency.iter().any(|d| d == CUSTOMER_PATH))
    {
        &refs
    } else {
        &[]
    };
    ParsedSchema::parse_with(
        SchemaType::Protobuf,
        text,
        refs,
        &ParseOptions {
            normalize,
            ..ParseOptions::default()
        },
    )
    .unwrap_or_else(|e| panic!("core parses the test schema: {e}"))
}

/// The base64 `FileDescriptorProto` of `text`, as confluent-kafka-python sends it
/// (without source info).
fn base64_of(text: &str) -> String {
    parsed(text, false)
        .as_protobuf()
        .expect("a Protobuf schema")
        .serialized()
}

async fn register(s: &TestServer, subject: &str, schema: &str, refs: Value) -> common::Answer {
    s.post(
        &format!("/subjects/{}/versions", enc(subject)),
        json!({"schema": schema, "schemaType": "PROTOBUF", "references": refs}),
    )
    .await
}

async fn register_ok(s: &TestServer, subject: &str, schema: &str, refs: Value) -> u64 {
    let a = register(s, subject, schema, refs).await;
    a.assert_ok()["id"].as_u64().expect("an id")
}

/// A subject in a path (`shop/customer.proto` has a slash), as clients encode it.
fn enc(subject: &str) -> String {
    subject.replace('/', "%2F").replace(':', "%3A")
}

/// The customer and the order registered under `prefix` (a context's, or empty): their
/// ids.
async fn customer_and_order(s: &TestServer, prefix: &str) -> (u64, u64) {
    let customer = register_ok(s, &format!("{prefix}{CUSTOMER_PATH}"), CUSTOMER, json!([])).await;
    let order = register_ok(s, &format!("{prefix}orders"), ORDER, customer_ref()).await;
    (customer, order)
}

on_each_store! {
    /// The types in Confluent's order; a registration answers only the id, and every
    /// read answers `schemaType: PROTOBUF` with core's printed text.
    async fn protobuf_registers_and_reads_back_core_printed_text() {
        let s = TestServer::start().await;
        assert_eq!(
            s.get("/schemas/types").await.body,
            json!(["JSON", "PROTOBUF", "AVRO"])
        );
        let (customer, order) = customer_and_order(&s, "").await;
        assert_ne!(customer, order);
        let printed = parsed(ORDER, false).registered().to_owned();
        let version = s.get("/subjects/orders/versions/1").await;
        let body = version.assert_ok();
        assert_eq!(body["schemaType"], "PROTOBUF", "{}", version.text);
        assert_eq!(body["schema"], printed.as_str());
        assert_eq!(body["id"], order);
        assert_eq!(body["references"], customer_ref());
        let by_id = s.get(&format!("/schemas/ids/{order}")).await;
        assert_eq!(by_id.assert_ok()["schema"], printed.as_str());
        assert_eq!(by_id.body["schemaType"], "PROTOBUF");
        assert_eq!(by_id.body["references"], customer_ref());
        assert_eq!(s.get(&format!("/schemas/ids/{order}/schema")).await.text, printed);
        assert_eq!(s.get("/subjects/orders/versions/latest/schema").await.text, printed);
        // The referenced file reads back under its import path as subject.
        let c = s.get(&format!("/subjects/{}/versions/1", enc(CUSTOMER_PATH))).await;
        assert_eq!(c.assert_ok()["schema"], parsed(CUSTOMER, false).registered());
        // The listing shows the type too.
        let listed = s.get("/schemas?subjectPrefix=orders").await;
        let listed = listed.assert_ok().as_array().expect("a list").clone();
        assert_eq!(listed.len(), 1, "{listed:?}");
        assert_eq!(listed[0]["schemaType"], "PROTOBUF");
        assert_eq!(listed[0]["schema"], printed.as_str());
        // The GUID route finds it with its type.
        let guid = body["guid"].as_str().expect("a guid").to_owned();
        let by_guid = s.get(&format!("/schemas/guids/{guid}")).await;
        assert_eq!(by_guid.assert_ok()["schemaType"], "PROTOBUF");
    }

    /// Identity is the printed form: the same schema re-spelled, or sent as a base64
    /// descriptor (as confluent-kafka-python sends it), finds the same id and version
    /// and registers nothing new.
    async fn protobuf_text_and_base64_descriptor_are_one_schema() {
        let s = TestServer::start().await;
        let (_, order) = customer_and_order(&s, "").await;
        let b64 = base64_of(ORDER);
        assert!(
            base64::engine::general_purpose::STANDARD.decode(&b64).is_ok() && !b64.contains("message"),
            "{b64}"
        );
        for schema in [ORDER, ORDER_RESPELLED, b64.as_str()] {
            let found = s
                .post(
                    "/subjects/orders",
                    json!({"schema": schema, "schemaType": "PROTOBUF", "references": customer_ref()}),
                )
                .await;
            assert_eq!(found.assert_ok()["id"], order, "{schema}");
            assert_eq!(found.body["version"], 1);
            assert_eq!(found.body["schemaType"], "PROTOBUF");
            assert_eq!(found.body["schema"], parsed(ORDER, false).registered());
            assert_eq!(register_ok(&s, "orders", schema, customer_ref()).await, order);
        }
        assert_eq!(s.get("/subjects/orders/versions").await.body, json!([1]));
        // A schema first registered as base64 is stored and answered as text.
        let tagged = register_ok(&s, "tagged", &base64_of(TAGGED), json!([])).await;
        let text = s.get(&format!("/schemas/ids/{tagged}/schema")).await.text;
        assert_eq!(text, parsed(TAGGED, false).registered());
        assert!(text.contains("message Tagged"), "{text}");
        assert_eq!(register_ok(&s, "tagged", TAGGED, json!([])).await, tagged);
        // Without its references the same text is another schema: refused, 42201.
        s.post(
            "/subjects/orders",
            json!({"schema": ORDER, "schemaType": "PROTOBUF"}),
        )
        .await
        .assert_error(422, 42201);
        // The same text under another type is not a Protobuf lookup match.
        s.post("/subjects/orders", json!({"schema": "\"string\""}))
            .await
            .assert_error(404, 40403);
    }

    /// `format=serialized` answers the base64 descriptor computed from the stored text
    /// and its references, on every route that takes `format`; `ignore_extensions` the
    /// text printed without extension options; Avro and JSON Schema answer their text
    /// as registered for both, as Confluent's providers do.
    async fn protobuf_formats_serialized_and_ignore_extensions() {
        let s = TestServer::start().await;
        let (_, order) = customer_and_order(&s, "").await;
        let serialized = base64_of(ORDER);
        let descriptor = protobuf::decode_descriptor(&serialized).expect("a descriptor");
        assert_eq!(descriptor.name(), protobuf::MAIN_FILE);
        assert_eq!(
            descriptor.dependency,
            vec![CUSTOMER_PATH.to_owned(), "google/protobuf/timestamp.proto".to_owned()]
        );
        assert_eq!(descriptor.message_type[0].name(), "Order");
        let guid = s.get(&format!("/schemas/ids/{order}")).await.body["guid"]
            .as_str()
            .expect("a guid")
            .to_owned();
        for format in ["serialized", "SERIALIZED"] {
            for path in [
                format!("/schemas/ids/{order}?format={format}"),
                format!("/schemas/ids/{order}?format={format}&subject=orders"),
                format!("/schemas/guids/{guid}?format={format}"),
                format!("/subjects/orders/versions/1?format={format}"),
                format!("/subjects/orders/versions/latest?format={format}"),
            ] {
                let a = s.get(&path).await;
                assert_eq!(a.assert_ok()["schema"], serialized.as_str(), "{path}");
                assert_eq!(a.body["schemaType"], "PROTOBUF", "{path}");
                assert_eq!(a.body["references"], customer_ref(), "{path}");
            }
            for path in [
                format!("/schemas/ids/{order}/schema?format={format}"),
                format!("/subjects/orders/versions/1/schema?format={format}"),
            ] {
                assert_eq!(s.get(&path).await.text, serialized, "{path}");
            }
        }
        // A lookup and a registration answer in the format asked for too.
        let looked_up = s
            .post(
                "/subjects/orders?format=serialized",
                json!({"schema": ORDER, "schemaType": "PROTOBUF", "references": customer_ref()}),
            )
            .await;
        assert_eq!(looked_up.assert_ok()["schema"], serialized.as_str());

        // The referenced file's descriptor, as a deserializer resolving imports reads it.
        let c = s
            .get(&format!("/subjects/{}/versions/1?format=serialized", enc(CUSTOMER_PATH)))
            .await;
        assert_eq!(c.assert_ok()["schema"], base64_of(CUSTOMER).as_str());

        // ignore_extensions: core's printing without extension options.
        let tagged = register_ok(&s, "tagged", TAGGED, json!([])).await;
        let without = parsed(TAGGED, false)
            .as_protobuf()
            .expect("Protobuf")
            .print(&PrintOptions {
                ignore_extensions: true,
                ..PrintOptions::default()
            });
        assert_ne!(
            without,
            parsed(TAGGED, false).registered(),
            "the extension options are left out"
        );
        for path in [
            format!("/schemas/ids/{tagged}/schema?format=ignore_extensions"),
            "/subjects/tagged/versions/1/schema?format=IGNORE_EXTENSIONS".to_owned(),
        ] {
            assert_eq!(s.get(&path).await.text, without, "{path}");
        }
        assert_eq!(
            s.get(&format!("/schemas/ids/{tagged}?format=ignore_extensions")).await.body["schema"],
            without.as_str()
        );
        // Formats Protobuf's provider does not know answer the default text.
        for format in ["resolved", "pretty", "default"] {
            assert_eq!(
                s.get(&format!("/schemas/ids/{order}/schema?format={format}")).await.text,
                parsed(ORDER, false).registered(),
                "{format}"
            );
        }

        // Avro and JSON Schema: `serialized` and `ignore_extensions` are not theirs.
        let avro = s.register_ok("avro", &common::order_v1()).await;
        let avro_text = s.get(&format!("/schemas/ids/{avro}/schema")).await.text;
        let json_id = s
            .post(
                "/subjects/json/versions",
                json!({"schema": r#"{"type":"object"}"#, "schemaType": "JSON"}),
            )
            .await
            .assert_ok()["id"]
            .as_u64()
            .expect("an id");
        for format in ["serialized", "ignore_extensions"] {
            assert_eq!(
                s.get(&format!("/schemas/ids/{avro}/schema?format={format}")).await.text,
                avro_text
            );
            assert_eq!(
                s.get(&format!("/schemas/ids/{json_id}?format={format}")).await.body["schema"],
                r#"{"type":"object"}"#
            );
        }
    }

    /// `normalize=true` stores core's normalised printing, and a lookup with it finds
    /// the version.
    async fn protobuf_normalize_uses_cores_normalised_printing() {
        let s = TestServer::start().await;
        register_ok(&s, CUSTOMER_PATH, CUSTOMER, json!([])).await;
        let id = s
            .post(
                "/subjects/orders/versions?normalize=true",
                json!({"schema": ORDER_RESPELLED, "schemaType": "PROTOBUF", "references": customer_ref()}),
            )
            .await
            .assert_ok()["id"]
            .as_u64()
            .expect("an id");
        let normalised = parsed(ORDER, true).registered().to_owned();
        assert_eq!(s.get(&format!("/schemas/ids/{id}/schema")).await.text, normalised);
        let found = s
            .post(
                "/subjects/orders?normalize=true",
                json!({"schema": base64_of(ORDER), "schemaType": "PROTOBUF", "references": customer_ref()}),
            )
            .await;
        assert_eq!(found.assert_ok()["id"], id);
    }

    /// Invalid Protobuf is 42201 with core's message, place included; so are a missing
    /// import, an unknown reference and a reference named as the schema itself.
    async fn protobuf_errors_are_42201_with_line_and_column() {
        let s = TestServer::start().await;
        let bad = "syntax = \"proto3\";\nmessage M {\n  int32 = 1;\n}\n";
        let answer = register(&s, "bad", bad, json!([])).await;
        answer.assert_error(422, 42201);
        let expected = ParsedSchema::parse(SchemaType::Protobuf, bad, &[])
            .expect_err("core refuses it")
            .to_string();
        let message = answer.body["message"].as_str().expect("a message");
        assert!(message.contains(&expected), "{message} / {expected}");
        assert!(message.contains("line 3, column 9"), "{message}");
        // The import nobody supplied.
        let missing = register(&s, "orders", ORDER, json!([])).await;
        missing.assert_error(422, 42201);
        assert!(missing.text.contains(CUSTOMER_PATH), "{}", missing.text);
        // A reference to a subject that does not exist.
        register(&s, "orders", ORDER, customer_ref()).await.assert_error(422, 42201);
        // Nothing was registered by the failures.
        s.get("/subjects/orders/versions").await.assert_error(404, 40401);
        // A descriptor that does not decode, and a wrong schema type name.
        register(&s, "bad", "AAAA////", json!([])).await.assert_error(422, 42201);
        s.post(
            "/subjects/bad/versions",
            json!({"schema": ORDER, "schemaType": "protobuf3"}),
        )
        .await
        .assert_error(422, 42201);
        // The compatibility route answers the same error in its verbose body.
        let verbose = s
            .post(
                "/compatibility/subjects/bad/versions/latest?verbose=true",
                json!({"schema": bad, "schemaType": "PROTOBUF"}),
            )
            .await;
        assert_eq!(verbose.assert_ok()["is_compatible"], false, "{}", verbose.text);
        assert!(verbose.text.contains("line 3, column 9"), "{}", verbose.text);
    }

    /// References are by import path; `referencedby` lists the referrer; a referenced
    /// version cannot be deleted while a live version uses it (42206); soft then hard
    /// deletes of the referrer free it; a chain of references resolves transitively.
    async fn protobuf_references_referencedby_and_deletes() {
        let s = TestServer::start().await;
        let (customer, order) = customer_and_order(&s, "").await;
        let by = s
            .get(&format!("/subjects/{}/versions/1/referencedby", enc(CUSTOMER_PATH)))
            .await;
        assert_eq!(by.assert_ok(), &json!([order]));
        // A chain: an invoice imports the order, which imports the customer.
        let invoice = r#"syntax = "proto3";
package billing;

import "shop/order.proto";

message Invoice {
  shop.Order order = 1;
  double total = 2;
}
"#;
        let invoice_refs = json!([{"name": "shop/order.proto", "subject": "orders", "version": 1}]);
        let invoice_id = register_ok(&s, "invoices", invoice, invoice_refs.clone()).await;
        let serialized = s.get(&format!("/schemas/ids/{invoice_id}?format=serialized")).await;
        let d = protobuf::decode_descriptor(serialized.body["schema"].as_str().expect("text"))
            .expect("a descriptor");
        assert_eq!(d.dependency, vec!["shop/order.proto".to_owned()]);
        assert_eq!(
            s.get("/subjects/orders/versions/1/referencedby").await.body,
            json!([invoice_id])
        );

        // Deleting what is referenced: refused, soft and hard.
        s.delete(&format!("/subjects/{}/versions/1", enc(CUSTOMER_PATH)))
            .await
            .assert_error(422, 42206);
        s.delete("/subjects/orders").await.assert_error(422, 42206);
        // The referrers go first: soft, then permanently.
        assert_eq!(s.delete("/subjects/invoices/versions/1").await.body, json!(1));
        s.delete("/subjects/invoices/versions/1?permanent=true").await.assert_ok();
        assert_eq!(s.delete("/subjects/orders").await.body, json!([1]));
        // A soft-deleted referrer no longer holds the customer (Confluent's
        // `getReferencedBy` without deleted schemas, as for Avro); permanently deleted,
        // its id is gone.
        assert_eq!(
            s.delete(&format!("/subjects/{}/versions/1", enc(CUSTOMER_PATH))).await.body,
            json!(1)
        );
        s.delete("/subjects/orders?permanent=true").await.assert_ok();
        s.get(&format!("/schemas/ids/{order}")).await.assert_error(404, 40403);
        // A soft-deleted version is still read with deleted=true, in every format.
        let deleted = s
            .get(&format!(
                "/subjects/{}/versions/1?deleted=true&format=serialized",
                enc(CUSTOMER_PATH)
            ))
            .await;
        assert_eq!(deleted.assert_ok()["schema"], base64_of(CUSTOMER).as_str());
        assert_eq!(deleted.body["id"], customer);
    }

    /// In a context, references resolve to that context's subjects, ids count from 1,
    /// and `?subject=` picks the context for `format=serialized`.
    async fn protobuf_references_in_a_context() {
        let s = TestServer::start().await;
        // The default context holds another schema under id 1.
        s.register_ok("other", &common::order_v1()).await;
        let (customer, order) = customer_and_order(&s, ":.team:").await;
        assert_eq!((customer, order), (1, 2));
        let v = s.get(&format!("/subjects/{}/versions/1", enc(":.team:orders"))).await;
        assert_eq!(v.assert_ok()["schemaType"], "PROTOBUF", "{}", v.text);
        assert_eq!(v.body["references"], customer_ref());
        let in_context = s
            .get(&format!(
                "/schemas/ids/2?subject={}&format=serialized",
                enc(":.team:orders")
            ))
            .await;
        assert_eq!(in_context.assert_ok()["schema"], base64_of(ORDER).as_str());
        // In the default context id 2 does not exist.
        s.get("/schemas/ids/2").await.assert_error(404, 40403);
        // The same order sent as base64 finds the context's version.
        let found = s
            .post(
                &format!("/subjects/{}", enc(":.team:orders")),
                json!({"schema": base64_of(ORDER), "schemaType": "PROTOBUF", "references": customer_ref()}),
            )
            .await;
        assert_eq!(found.assert_ok()["id"], 2);
        let by = s
            .get(&format!(
                "/subjects/{}/versions/1/referencedby",
                enc(&format!(":.team:{CUSTOMER_PATH}"))
            ))
            .await;
        assert_eq!(by.assert_ok(), &json!([2]));
    }

}

/// Compatibility with Confluent's Protobuf rules through the registry: a field
/// added passes, a scalar kind changed fails, with Confluent's difference type and
/// path in the verbose answer and the version's text as `oldSchema`.
async fn compatibility_and_verbose_messages() {
    let s = TestServer::start().await;
    customer_and_order(&s, "").await;
    let added = ORDER.replace(
        "int32 quantity = 4;",
        "int32 quantity = 4;\n  string note = 5;",
    );
    let ok = s
        .post(
            "/compatibility/subjects/orders/versions/latest?verbose=true",
            json!({"schema": added, "schemaType": "PROTOBUF", "references": customer_ref()}),
        )
        .await;
    assert_eq!(ok.assert_ok()["is_compatible"], true, "{}", ok.text);
    let changed = ORDER.replace("int32 quantity = 4;", "string quantity = 4;");
    let verdict = s
        .post(
            "/compatibility/subjects/orders/versions/1?verbose=true",
            json!({"schema": changed, "schemaType": "PROTOBUF", "references": customer_ref()}),
        )
        .await;
    let body = verdict.assert_ok();
    assert_eq!(body["is_compatible"], false, "{}", verdict.text);
    let messages: Vec<&str> = body["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m.as_str().expect("strings"))
        .collect();
    assert!(
        messages[0].starts_with("{errorType:\"FIELD_SCALAR_KIND_CHANGED\", description:\"")
            && messages[0].contains("'#/Order/4'"),
        "{messages:?}"
    );
    assert!(messages.contains(&"{oldSchemaVersion: 1}"), "{messages:?}");
    let old = format!("{{oldSchema: '{}'}}", parsed(ORDER, false).registered());
    assert!(messages.contains(&old.as_str()), "{messages:?}");
    assert_eq!(
        messages.last().copied(),
        Some("{validateFields: 'false', compatibility: 'BACKWARD'}")
    );
    // Registration under BACKWARD refuses it (409) and takes the compatible one.
    register(&s, "orders", &changed, customer_ref())
        .await
        .assert_error(409, 40901);
    register_ok(&s, "orders", &added, customer_ref()).await;
    // A change of schema type is refused as in Confluent.
    let avro = s.register("orders", &common::order_v1()).await;
    avro.assert_error(409, 40901);
}

/// Compatibility checks and Confluent's verbose messages, on both stores.
mod compatibility {
    use super::*;

    #[tokio::test]
    async fn sled() {
        common::run_on(common::Backend::Sled, compatibility_and_verbose_messages()).await
    }

    #[tokio::test]
    async fn postgres() {
        common::run_on(
            common::Backend::Postgres,
            compatibility_and_verbose_messages(),
        )
        .await
    }
}

/// The Python test's schema files, compiled by core: a `FileDescriptorSet` (every file
/// the order needs, the well-known `Timestamp` included) for the script to build its
/// message classes from, without `protoc`.
pub fn python_descriptor_set() -> Vec<u8> {
    let schema = parsed(ORDER, false);
    schema
        .as_protobuf()
        .expect("Protobuf")
        .pool()
        .encode_to_vec()
}
