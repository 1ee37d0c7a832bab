//! The real binary on Protobuf projects: `.proto` files mapped (type from the
//! extension), imports turned into references, errors placed at their line, the
//! Protobuf policies, sample events in Protobuf's JSON encoding, `init`, and
//! `register`/`pull` against a real Schemagate server on loopback.
//!
//! The tests marked "awaits the Protobuf engine" expect a real Protobuf verdict from
//! the core's compatibility engine, which is built in parallel; until it lands, two
//! Protobuf schemas compare as a schema-type change and those tests fail.

mod common;

use common::*;
use schemagate_client::{Client, SchemaBody, VersionSpec};
use schemagate_core::{ParsedSchema, SchemaType};

const CUSTOMER: &str = r#"syntax = "proto3";

package shop.v1;

message Customer {
  string customer_id = 1;
  string email = 2;
}
"#;

const ORDER: &str = r#"syntax = "proto3";

package shop.v1;

import "google/protobuf/timestamp.proto";
import "shop/v1/customer.proto";

message OrderCreated {
  string order_id = 1;
  Customer customer = 2;
  string total = 3;
  google.protobuf.Timestamp created_at = 4;
}

message OrderCancelled {
  string order_id = 1;
}
"#;

const PROJECT: &str = r#"[registry]
url = "http://127.0.0.1:9"

[protobuf]
import_paths = ["proto"]

[[subjects]]
file = "proto/shop/v1/customer.proto"
subject = "shop/v1/customer.proto"

[[subjects]]
file = "proto/shop/v1/order.proto"
subject = "orders-value"
"#;

fn shop_proto() -> Project {
    let p = Project::new();
    p.write("schemagate.toml", PROJECT)
        .write("proto/shop/v1/customer.proto", CUSTOMER)
        .write("proto/shop/v1/order.proto", ORDER);
    std::fs::create_dir_all(p.path().join("empty")).unwrap();
    p
}

#[test]
fn imports_of_mapped_files_become_references_and_built_ins_need_none() {
    let p = shop_proto();
    p.git(&["init", "-q"]);
    p.commit("v1");
    // Unchanged against HEAD: both load, the import resolved from the project.
    let run = p.run(&["check", "--against", "HEAD", "--format", "json"]);
    let doc = run.json();
    let results = doc["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "{doc}");
    for r in results {
        assert_eq!(r["schema_type"], "PROTOBUF", "{doc}");
        assert_ne!(r["status"], "error", "{doc}");
    }
    // An explicit reference wins over the one the import makes: here it names a file
    // that does not define Customer, so the compile error proves it was used.
    p.write(
        "other/customer.proto",
        "syntax = \"proto3\";\npackage shop.v1;\nmessage Client {}\n",
    );
    let explicit = PROJECT.replace(
        "subject = \"orders-value\"\n",
        "subject = \"orders-value\"\nreferences = [{ name = \"shop/v1/customer.proto\", file = \"other/customer.proto\" }]\n",
    );
    p.write("schemagate.toml", &explicit);
    p.run(&["check", "--against", "HEAD", "orders-value"])
        .code(2)
        .stdout_has("orders-value ERROR")
        .stdout_has("Customer");
}

#[test]
fn an_import_that_is_neither_a_subject_nor_built_in_is_an_error_at_its_line() {
    let p = shop_proto();
    let unmapped = PROJECT.replace(
        "[[subjects]]\nfile = \"proto/shop/v1/customer.proto\"\nsubject = \"shop/v1/customer.proto\"\n",
        "",
    );
    p.write("schemagate.toml", &unmapped);
    p.run(&["check", "--against", "HEAD"])
        .code(2)
        .stderr_has("proto/shop/v1/order.proto:6:1: import \"shop/v1/customer.proto\"")
        .stderr_has("which no [[subjects]] entry maps");
    p.write("schemagate.toml", PROJECT);
    p.write(
        "proto/shop/v1/order.proto",
        &ORDER.replace("shop/v1/customer.proto", "shop/v2/nowhere.proto"),
    );
    p.run(&["validate"])
        .code(2)
        .stderr_has("proto/shop/v1/order.proto:6:1: import \"shop/v2/nowhere.proto\" of orders-value is neither a subject of this project nor a built-in import (looked under proto)");
}

#[test]
fn a_proto_that_does_not_compile_is_reported_at_its_line() {
    let p = shop_proto();
    p.write(
        "proto/shop/v1/order.proto",
        &ORDER.replace("string total = 3;", "Money total = 3;"),
    );
    let run = p.run(&[
        "check",
        "--against",
        "empty",
        "orders-value",
        "--format",
        "json",
    ]);
    run.code(2);
    let doc = run.json();
    let note = &doc["results"][0]["findings"][0];
    assert_eq!(note["rule"], "SCHEMA_INVALID", "{doc}");
    assert_eq!(note["file"], "proto/shop/v1/order.proto", "{doc}");
    assert_eq!(note["line"], 11, "{doc}");
    assert!(note["column"].as_u64().is_some(), "{doc}");
}

#[test]
fn policies_belong_to_their_family_and_a_wrong_one_names_subject_and_values() {
    let p = shop_proto();
    p.write("schemas/customers.json", CUSTOMER_V1);
    let with_json = format!(
        "{PROJECT}\n[[subjects]]\nfile = \"schemas/customers.json\"\nsubject = \"customers-value\"\n"
    );
    // A Protobuf policy as project default leaves JSON subjects at strict, and back.
    for default in ["wire-json", "lenient"] {
        let toml = with_json.replace(
            "[protobuf]",
            &format!("[defaults]\npolicy = \"{default}\"\n\n[protobuf]"),
        );
        p.write("schemagate.toml", &toml);
        p.run(&["check", "--against", "empty"]).code(0);
    }
    let bad = with_json.replace(
        "subject = \"orders-value\"\n",
        "subject = \"orders-value\"\npolicy = \"strict\"\n",
    );
    p.write("schemagate.toml", &bad);
    p.run(&["check", "--against", "empty"])
        .code(2)
        .stderr_has("subject orders-value is Protobuf, and policy \"strict\" is not one of its policies: use confluent (the default), wire-json or file");
    let bad = with_json.replace(
        "subject = \"customers-value\"\n",
        "subject = \"customers-value\"\npolicy = \"file\"\n",
    );
    p.write("schemagate.toml", &bad);
    p.run(&["check", "--against", "empty"])
        .code(2)
        .stderr_has("subject customers-value is JSON, and policy \"file\" is not one of its policies: use strict (the default) or lenient");
    let bad = with_json.replace("[protobuf]", "[defaults]\npolicy = \"loose\"\n\n[protobuf]");
    p.write("schemagate.toml", &bad);
    p.run(&["check", "--against", "empty"])
        .code(2)
        .stderr_has("invalid policy \"loose\": use strict or lenient (JSON Schema subjects), or confluent, wire-json or file (Protobuf subjects)");
}

#[test]
fn validate_reads_events_in_protobufs_json_encoding_for_the_named_message() {
    let p = shop_proto();
    let fixtures = "\n[[fixtures]]\nsubject = \"orders-value\"\nevents = \"events/created/*.json\"\n\n[[fixtures]]\nsubject = \"orders-value\"\nevents = \"events/bad/*.json\"\nvalid = false\n";
    let toml = format!("{PROJECT}{fixtures}");
    p.write("schemagate.toml", &toml);
    p.write(
        "events/created/one.json",
        r#"{"orderId": "o-1", "customer": {"customerId": "c-1"}, "total": "12.50", "createdAt": "2026-01-02T03:04:05Z"}"#,
    );
    p.write(
        "events/bad/wrong_type.json",
        r#"{"orderId": 7, "unknownField": true}"#,
    );
    // The first message is the default.
    p.run(&["validate"]).code(0).stdout_has("2 valid");
    // Named: OrderCancelled has no `customer`, so the valid fixture fails.
    let named = PROJECT.replace(
        "subject = \"orders-value\"\n",
        "subject = \"orders-value\"\nmessage = \"OrderCancelled\"\n",
    ) + fixtures;
    p.write("schemagate.toml", &named);
    p.run(&["validate"])
        .code(1)
        .stdout_has("INVALID")
        .stdout_has("shop.v1.OrderCancelled");
    let missing = named.replace("\"OrderCancelled\"", "\"shop.v1.Nope\"");
    p.write("schemagate.toml", &missing);
    p.run(&["validate"]).code(2).stdout_has(
        "names no message of this file; it declares shop.v1.OrderCreated, shop.v1.OrderCancelled",
    );
    // `message` is for Protobuf entries only.
    let misplaced =
        format!("{PROJECT}\n[[subjects]]\nfile = \"c.json\"\nsubject = \"c\"\nmessage = \"X\"\n");
    p.write("c.json", CUSTOMER_V1);
    p.write("schemagate.toml", &misplaced);
    p.run(&["validate"])
        .code(2)
        .stderr_has("`message` names the message of a Protobuf schema, and c.json is JSON");
}

#[test]
fn init_maps_proto_files_with_their_import_path_and_reference_subjects() {
    let p = Project::new();
    p.write("schemas/proto/shop/v1/customer.proto", CUSTOMER)
        .write("schemas/proto/shop/v1/order.proto", ORDER)
        .write(
            "schemas/proto/lost.proto",
            "syntax = \"proto3\";\nimport \"elsewhere/x.proto\";\nmessage L {}\n",
        );
    p.run(&["init"]).code(0).stdout_has("skipped");
    let toml = p.read("schemagate.toml");
    assert!(
        toml.contains("import_paths = [\"schemas/proto\"]"),
        "{toml}"
    );
    assert!(
        toml.contains("subject = \"shop/v1/customer.proto\"\ntype = \"PROTOBUF\""),
        "{toml}"
    );
    assert!(toml.contains("subject = \"order-value\""), "{toml}");
    assert!(!toml.contains("lost.proto"), "{toml}");
    // The file it wrote loads, with the reference from the import.
    std::fs::create_dir_all(p.path().join("empty")).unwrap();
    p.run(&["check", "--against", "empty", "--format", "json"])
        .code(0);
}

/// Awaits the Protobuf engine: changing a field from string to int32 is
/// FIELD_SCALAR_KIND_CHANGED, breaking under BACKWARD, placed at the field's line.
#[test]
fn diff_and_check_give_confluents_verdict_on_a_scalar_kind_change() {
    let p = shop_proto();
    p.git(&["init", "-q"]);
    p.commit("v1");
    p.write(
        "proto/shop/v1/order.proto",
        &ORDER.replace("string total = 3;", "int32 total = 3;"),
    );
    let run = p.run(&[
        "check",
        "--against",
        "HEAD",
        "orders-value",
        "--format",
        "json",
    ]);
    run.code(1);
    let doc = run.json();
    let note = &doc["results"][0]["findings"][0];
    assert_eq!(note["rule"], "FIELD_SCALAR_KIND_CHANGED", "{doc}");
    assert_eq!(note["severity"], "breaking", "{doc}");
    assert_eq!(note["file"], "proto/shop/v1/order.proto", "{doc}");
    assert_eq!(note["line"], 11, "{doc}");
    std::fs::create_dir_all(p.path().join("old")).unwrap();
    p.write("old/order.proto", ORDER);
    p.run(&["diff", "old/order.proto", "proto/shop/v1/order.proto"])
        .code(1)
        .stdout_has("FIELD_SCALAR_KIND_CHANGED")
        .stdout_has("proto/shop/v1/order.proto:11:");
}

#[test]
fn diff_in_a_project_judges_a_mapped_file_under_its_subjects_policy() {
    let p = shop_proto();
    let renamed = ORDER.replace("string total = 3;", "string amount = 3;");
    std::fs::create_dir_all(p.path().join("old")).unwrap();
    p.write("old/order.proto", ORDER)
        .write("proto/shop/v1/order.proto", &renamed);
    // Under Confluent's rules a renamed field is no change on the wire.
    p.run(&["diff", "old/order.proto", "proto/shop/v1/order.proto"])
        .code(0);
    // The subject's wire-json policy applies to diff as it does to check.
    p.write(
        "schemagate.toml",
        &PROJECT.replace(
            "subject = \"orders-value\"\n",
            "subject = \"orders-value\"\npolicy = \"wire-json\"\n",
        ),
    );
    p.run(&["diff", "old/order.proto", "proto/shop/v1/order.proto"])
        .code(1)
        .stdout_has("FIELD_SAME_JSON_NAME");
    // --policy still wins.
    p.run(&[
        "diff",
        "old/order.proto",
        "proto/shop/v1/order.proto",
        "--policy",
        "confluent",
    ])
    .code(0);
}

#[test]
fn diff_refuses_a_policy_of_the_other_family() {
    let p = shop_proto();
    p.write("a.proto", CUSTOMER).write("b.proto", CUSTOMER);
    p.run(&["diff", "a.proto", "b.proto", "--policy", "lenient"])
        .code(2)
        .stderr_has("the files are Protobuf, whose policies are confluent (the default), wire-json and file");
    p.write("a.json", CUSTOMER_V1).write("b.json", CUSTOMER_V1);
    p.run(&["diff", "a.json", "b.json", "--policy", "wire-json"])
        .code(2)
        .stderr_has("the files are JSON, whose policies are strict (the default) and lenient");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_sends_references_from_imports_and_pull_writes_proto_text() {
    with_registry(|url| async move {
        let p = shop_proto();
        let out = run(&p, &url, &["register", "--format", "json"]).await;
        out.code(0);
        let doc = out.json();
        let names: Vec<&str> = doc["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["shop/v1/customer.proto", "orders-value"], "{doc}");
        let client = Client::builder(&url).build().unwrap();
        let order = client
            .version("orders-value", VersionSpec::Latest)
            .await
            .unwrap();
        assert_eq!(order.schema_type, SchemaType::Protobuf);
        let refs: Vec<(String, String, u32)> = order
            .references
            .iter()
            .map(|r| (r.name.clone(), r.subject.to_string(), r.version))
            .collect();
        assert_eq!(
            refs,
            [(
                "shop/v1/customer.proto".to_owned(),
                "shop/v1/customer.proto".to_owned(),
                1
            )]
        );
        // Idempotent.
        run(&p, &url, &["register"])
            .await
            .code(0)
            .stdout_has("2 already registered");
        // A schema registered as a base64 descriptor (as confluent-kafka-python does)
        // is pulled as `.proto` text.
        let parsed = ParsedSchema::parse(SchemaType::Protobuf, CUSTOMER, &[]).unwrap();
        let base64 = parsed.as_protobuf().unwrap().serialized();
        client
            .register_answer(
                "customers-bin",
                &SchemaBody::new(SchemaType::Protobuf, base64),
            )
            .await
            .unwrap();
        let out = Project::new();
        out.write(
            "schemagate.toml",
            "[registry]\nurl = \"http://127.0.0.1:9\"\n",
        );
        run(
            &out,
            &url,
            &[
                "pull",
                "customers-bin",
                "shop/v1/customer.proto",
                "--dir",
                "pulled",
            ],
        )
        .await
        .code(0);
        // A subject named by its import path is pulled to that path, ready to import.
        for file in [
            "pulled/customers-bin.proto",
            "pulled/shop/v1/customer.proto",
        ] {
            let text = out.read(file);
            assert!(text.contains("message Customer {"), "{file}: {text}");
            assert!(text.contains("customer_id = 1;"), "{file}: {text}");
            ParsedSchema::parse(SchemaType::Protobuf, &text, &[]).unwrap();
        }
    })
    .await;
}
