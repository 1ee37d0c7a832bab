//! The README tour as a test: register the example contracts, make a breaking change,
//! watch `schemagate check` fail with its explanation, fix it with the hint, register.

use schemagate_e2e::{Project, Registry, text};
use serde_json::{Value, json};

/// Runs `schemagate ARGS` against `registry`, asserts its exit code and returns all it
/// printed.
#[track_caller]
fn run(project: &Project, registry: &Registry, args: &[&str], code: i32) -> String {
    let out = project.schemagate(registry, args);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(code), "{shown}");
    shown
}

#[test]
fn the_readme_tour_works_end_to_end() {
    let data = tempfile::tempdir().unwrap();
    let registry = Registry::start(data.path());
    let project = Project::copy_examples();

    // The sample events match their contracts.
    run(&project, &registry, &["validate"], 0);

    // Publish every contract; registering again changes nothing.
    let shown = run(&project, &registry, &["register"], 0);
    assert!(shown.contains("orders-value registered"), "{shown}");
    run(&project, &registry, &["register"], 0);

    run(&project, &registry, &["check"], 0);

    // The breaking change: rename a field, add a required one.
    let file = "schemas/avro/order_placed.avsc";
    let mut schema = project.read_json(file);
    let fields = schema["fields"].as_array_mut().unwrap();
    for field in fields.iter_mut() {
        if field["name"] == "customer_id" {
            field["name"] = json!("buyer_id");
        }
    }
    fields.push(json!({"name": "gift_wrap", "type": "boolean"}));
    project.write_json(file, &schema);

    let shown = run(&project, &registry, &["check"], 1);
    assert!(shown.contains("orders-value BREAKING"), "{shown}");
    assert!(
        shown.contains("READER_FIELD_MISSING_DEFAULT_VALUE"),
        "{shown}"
    );
    assert!(
        shown.contains(r#"looks like a rename of customer_id to buyer_id: add `aliases: ["customer_id"]` to buyer_id"#),
        "{shown}"
    );
    assert!(shown.contains("schemas/avro/order_placed.avsc:"), "{shown}");

    // The same verdict as a GitHub annotation and as one JSON document.
    let out = project.schemagate(&registry, &["check", "--format", "github"]);
    assert_eq!(out.status.code(), Some(1));
    let annotations = String::from_utf8_lossy(&out.stdout);
    assert!(
        annotations
            .lines()
            .any(|l| l.starts_with("::error file=schemas/avro/order_placed.avsc")),
        "{annotations}"
    );
    let out = project.schemagate(&registry, &["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("--format json is one document");
    assert!(doc.is_object(), "{doc}");

    // The registry refuses the change too, whatever the CLI says.
    let out = project.schemagate(&registry, &["register", "orders-value"]);
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));

    // Follow the hints: an alias for the rename, a default for the new field.
    let fields = schema["fields"].as_array_mut().unwrap();
    for field in fields.iter_mut() {
        if field["name"] == "buyer_id" {
            field["aliases"] = json!(["customer_id"]);
        }
        if field["name"] == "gift_wrap" {
            field["default"] = json!(false);
        }
    }
    project.write_json(file, &schema);
    let out = project.schemagate(&registry, &["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = project.schemagate(&registry, &["register", "orders-value"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("version 2"), "{}", text(&out));
}

#[test]
fn a_broken_schema_file_is_a_usage_error_naming_file_and_line() {
    let data = tempfile::tempdir().unwrap();
    let registry = Registry::start(data.path());
    let project = Project::copy_examples();
    let file = project
        .path()
        .join("schemas/json/refund_requested.schema.json");
    let text_before = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text_before.replace("\"refund_id\": {", "\"refund_id\": {,"),
    )
    .unwrap();
    let shown = run(&project, &registry, &["check"], 2);
    assert!(shown.contains("refund_requested.schema.json"), "{shown}");
    assert!(
        shown.contains("refund_requested.schema.json:7:"),
        "the line of the syntax error is named: {shown}"
    );
}
