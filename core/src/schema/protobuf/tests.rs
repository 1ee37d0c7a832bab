//! Parsing: text and descriptor inputs, imports, errors with places, limits.

use super::*;
use crate::Limits;
use crate::schema::ParsedSchema;

const ORDER: &str = r#"
syntax = "proto3";
package shop.v1;

import "google/protobuf/timestamp.proto";
import "customer.proto";

message Order {
  string id = 1;
  google.protobuf.Timestamp placed_at = 2;
  Customer customer = 3;
}
"#;

const CUSTOMER: &str = r#"syntax = "proto3";
package shop.v1;
message Customer { string name = 1; }
"#;

fn parse(text: &str, refs: &[Reference]) -> Result<ParsedSchema, SchemaError> {
    ParsedSchema::parse(SchemaType::Protobuf, text, refs)
}

#[test]
fn text_with_a_reference_and_a_well_known_import_compiles() {
    let schema = parse(ORDER, &[Reference::new("customer.proto", CUSTOMER)]).unwrap();
    let proto = schema.as_protobuf().unwrap();
    assert_eq!(proto.file().name(), MAIN_FILE);
    assert!(proto.reference("customer.proto").is_some());
    let order = proto.default_message().unwrap();
    assert_eq!(order.full_name(), "shop.v1.Order");
    // Line and column of declarations come from the source: the first message, its
    // second field, the package. Parts of a declaration (the message's name) are
    // not indexed.
    assert_eq!(proto.position(&[4, 0]), Some((8, 1)));
    assert_eq!(proto.position(&[4, 0, 2, 1]), Some((10, 3)));
    assert_eq!(proto.position(&[2]), Some((3, 1)));
    assert_eq!(proto.position(&[4, 0, 1]), None);
    // The compiled files keep no source info (the positions above were taken
    // before): not the main file, not the reference, not the built-in import.
    for file in proto.pool().files() {
        assert!(
            file.file_descriptor_proto().source_code_info.is_none(),
            "{}",
            file.name()
        );
    }
}

#[test]
fn the_same_schema_as_text_and_as_a_base64_descriptor_is_one_schema() {
    let refs = [Reference::new("customer.proto", CUSTOMER)];
    let text = parse(ORDER, &refs).unwrap();
    let base64 = text.as_protobuf().unwrap().serialized();
    let decoded = parse(&base64, &refs).unwrap();
    assert!(!decoded.as_protobuf().unwrap().from_text());
    assert_eq!(decoded.canonical(), text.canonical());
    assert_eq!(decoded.fingerprint(), text.fingerprint());
}

#[test]
fn a_descriptor_with_an_unknown_syntax_is_refused_in_the_schema_and_in_a_reference() {
    use base64::Engine as _;
    use prost::Message as _;
    let encode = |syntax: &str| {
        let proto = prost_types::FileDescriptorProto {
            name: Some("x.proto".into()),
            syntax: Some(syntax.into()),
            ..Default::default()
        };
        base64::engine::general_purpose::STANDARD.encode(proto.encode_to_vec())
    };
    for syntax in ["", "proto4", "editions"] {
        let err = parse(&encode(syntax), &[]).unwrap_err();
        let SchemaError::Protobuf { file, message, .. } = &err else {
            panic!("{syntax:?}: {err:?}")
        };
        assert_eq!(file, &None, "{syntax:?}");
        assert!(
            message.contains("syntax") || message.contains("editions"),
            "{message}"
        );
        let text = "syntax = \"proto3\";\nimport \"x.proto\";\nmessage M { int32 a = 1; }\n";
        let err = parse(text, &[Reference::new("x.proto", encode(syntax))]).unwrap_err();
        let SchemaError::Protobuf { file, .. } = &err else {
            panic!("{syntax:?}: {err:?}")
        };
        assert_eq!(file.as_deref(), Some("x.proto"), "{syntax:?}");
    }
}

#[test]
fn every_built_in_import_resolves_without_a_reference() {
    for name in known_imports() {
        let text =
            format!("syntax = \"proto3\";\nimport \"{name}\";\nmessage M {{ int32 a = 1; }}\n");
        parse(&text, &[]).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn a_reference_wins_over_the_built_in_of_the_same_name() {
    let own = "syntax = \"proto3\";\npackage google.type;\nmessage Date { string iso = 1; }\n";
    let text = "syntax = \"proto3\";\nimport \"google/type/date.proto\";\nmessage M { google.type.Date d = 1; }\n";
    let schema = parse(text, &[Reference::new("google/type/date.proto", own)]).unwrap();
    let date = schema
        .as_protobuf()
        .unwrap()
        .pool()
        .get_message_by_name("google.type.Date")
        .unwrap();
    assert!(date.get_field_by_name("iso").is_some());
}

#[test]
fn bad_text_names_line_and_column() {
    let err = parse("syntax = \"proto3\";\nmessage M {\n  int32 = 1;\n}\n", &[]).unwrap_err();
    let SchemaError::Protobuf { line, column, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!((*line, *column), (Some(3), Some(9)), "{err}");
}

#[test]
fn a_missing_import_says_to_pass_a_reference() {
    let err = parse(ORDER, &[]).unwrap_err().to_string();
    assert!(
        err.contains("customer.proto") && err.contains("references"),
        "{err}"
    );
}

#[test]
fn an_undefined_type_is_refused_with_its_place() {
    let err = parse("syntax = \"proto3\";\nmessage M {\n  Nope n = 1;\n}\n", &[]).unwrap_err();
    let SchemaError::Protobuf { line, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*line, Some(3), "{err}");
}

#[test]
fn an_error_in_a_reference_names_the_reference() {
    let err = parse(
        ORDER,
        &[Reference::new(
            "customer.proto",
            "syntax = \"proto3\"; message {",
        )],
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("in reference \"customer.proto\""), "{err}");
}

#[test]
fn editions_are_refused_with_what_to_do() {
    let err = parse("edition = \"2023\";\nmessage M { int32 a = 1; }\n", &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("editions") && err.contains("line 1"), "{err}");
}

#[test]
fn deep_brackets_are_refused_before_parsing() {
    let text = format!(
        "syntax = \"proto3\";\nmessage M {{ option (x) = {}; }}",
        "{ a: ".repeat(10_000)
    );
    let err = parse(&text, &[]).unwrap_err();
    assert!(matches!(err, SchemaError::TooDeep { .. }), "{err:?}");
}

#[test]
fn proto2_with_required_and_groups_compiles() {
    let text = "syntax = \"proto2\";\nmessage M {\n  required int32 a = 1;\n  optional group G = 2 { optional string s = 3; }\n}\n";
    parse(text, &[]).unwrap();
}

#[test]
fn events_are_read_in_the_json_mapping() {
    let schema = parse(ORDER, &[Reference::new("customer.proto", CUSTOMER)]).unwrap();
    let ok = serde_json::json!({"id": "o1", "placedAt": "2026-01-01T00:00:00Z", "customer": {"name": "Ann"}});
    assert!(crate::validate(&schema, &ok).is_empty());
    let bad = serde_json::json!({"id": 5, "nope": true});
    assert!(!crate::validate(&schema, &bad).is_empty());
}

#[test]
fn a_long_chain_of_imports_is_bounded_by_the_reference_limit_without_overflowing() {
    // Each file imports the next; protox follows imports recursively, so the chain's
    // length must not be able to exhaust the stack within the reference limit.
    let n = Limits::DEFAULT.max_references;
    let refs: Vec<Reference> = (0..n)
        .map(|i| {
            let import = if i + 1 < n {
                format!("import \"f{}.proto\";\n", i + 1)
            } else {
                String::new()
            };
            Reference::new(
                format!("f{i}.proto"),
                format!("syntax = \"proto3\";\n{import}message M{i} {{ int32 a = 1; }}\n"),
            )
        })
        .collect();
    let text = "syntax = \"proto3\";\nimport \"f0.proto\";\nmessage Top { M0 m = 1; }\n";
    let schema = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || parse(text, &refs).map(|s| s.canonical().to_owned()))
        .unwrap()
        .join()
        .expect("no stack overflow");
    schema.unwrap();
}
