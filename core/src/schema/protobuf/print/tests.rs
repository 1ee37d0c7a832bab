//! The printer: Confluent's exact texts where its tests pin them, and for a wide set
//! of files print → parse → print is a fixed point and the re-parsed descriptor is the
//! original one (fields laid out as the text orders them, source info ignored).

use prost_types::{DescriptorProto, FileDescriptorProto};

use super::{PrintOptions, print};
use crate::schema::options::Reference;
use crate::schema::protobuf::ProtobufSchema;
use crate::schema::{ParsedSchema, SchemaType};

#[path = "../../../../tests/support/shared.rs"]
mod shared;

const DEFAULT: PrintOptions = PrintOptions {
    normalize: false,
    ignore_extensions: false,
};
const NORMALIZE: PrintOptions = PrintOptions {
    normalize: true,
    ignore_extensions: false,
};
const IGNORE_EXTENSIONS: PrintOptions = PrintOptions {
    normalize: false,
    ignore_extensions: true,
};

fn parse(text: &str, refs: &[Reference]) -> ParsedSchema {
    ParsedSchema::parse(SchemaType::Protobuf, text, refs)
        .unwrap_or_else(|e| panic!("{e}\n--- text ---\n{text}"))
}

fn proto(schema: &ParsedSchema) -> &ProtobufSchema {
    schema.as_protobuf().expect("a Protobuf schema")
}

/// The descriptor as the printed text lays it out: in each message, plain fields,
/// then each oneof's fields, then groups; without source info.
fn laid_out(file: &FileDescriptorProto) -> FileDescriptorProto {
    fn message(m: &DescriptorProto) -> DescriptorProto {
        let mut m = m.clone();
        let is_group = |f: &prost_types::FieldDescriptorProto| {
            f.r#type() == prost_types::field_descriptor_proto::Type::Group
        };
        let in_oneof =
            |f: &prost_types::FieldDescriptorProto| f.oneof_index.is_some() && !f.proto3_optional();
        let mut fields: Vec<_> = m
            .field
            .iter()
            .filter(|f| !in_oneof(f) && !is_group(f))
            .cloned()
            .collect();
        for i in 0..m.oneof_decl.len() as i32 {
            let members = m
                .field
                .iter()
                .filter(|f| in_oneof(f) && f.oneof_index == Some(i));
            let (plain, groups): (Vec<_>, Vec<_>) = members.partition(|f| !is_group(f));
            fields.extend(plain.into_iter().cloned());
            fields.extend(groups.into_iter().cloned());
        }
        fields.extend(
            m.field
                .iter()
                .filter(|f| !in_oneof(f) && is_group(f))
                .cloned(),
        );
        // A group's body is declared with its field, so the group types come first,
        // in the order their fields are printed.
        let group_types: Vec<String> = fields
            .iter()
            .filter(|f| is_group(f))
            .map(|f| {
                f.type_name()
                    .rsplit('.')
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect();
        let mut nested: Vec<DescriptorProto> = group_types
            .iter()
            .filter_map(|name| m.nested_type.iter().find(|n| n.name() == name).cloned())
            .collect();
        nested.extend(
            m.nested_type
                .iter()
                .filter(|n| !group_types.iter().any(|g| g == n.name()))
                .cloned(),
        );
        m.field = fields;
        m.nested_type = nested.iter().map(message).collect();
        m
    }
    let mut file = file.clone();
    file.source_code_info = None;
    file.message_type = file.message_type.iter().map(message).collect();
    file
}

/// Prints, re-parses and prints again with `options`; returns the first text.
fn round_trip(text: &str, refs: &[Reference], options: &PrintOptions) -> String {
    let first = parse(text, refs);
    let printed = proto(&first).print(options);
    let second = parse(&printed, refs);
    let again = proto(&second).print(options);
    assert_eq!(printed, again, "not a fixed point; input:\n{text}");
    if !options.normalize && !options.ignore_extensions {
        let want = laid_out(proto(&first).file().file_descriptor_proto());
        let mut got = proto(&second).file().file_descriptor_proto().clone();
        got.source_code_info = None;
        if got != want {
            let (got, want) = (format!("{got:?}"), format!("{want:?}"));
            let at = got
                .bytes()
                .zip(want.bytes())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            let from = at.saturating_sub(300);
            panic!(
                "descriptor differs at {at}:\n got: {}\nwant: {}\nprinted:\n{printed}",
                &got[from..(at + 300).min(got.len())],
                &want[from..(at + 300).min(want.len())]
            );
        }
        // Extension options are outside prost-types' structs: compare them through
        // the encoded descriptors, which keep them.
        assert_eq!(
            proto(&first).serialized().len(),
            proto(&second).serialized().len(),
            "encoded descriptors differ in size; printed:\n{printed}"
        );
    }
    printed
}

fn round_trip_all(text: &str, refs: &[Reference]) -> String {
    round_trip(text, refs, &NORMALIZE);
    round_trip(text, refs, &IGNORE_EXTENSIONS);
    round_trip(text, refs, &DEFAULT)
}

const OPTIONS_PROTO: &str = r#"syntax = "proto2";
package opts.v1;
import "google/protobuf/descriptor.proto";
enum Level { LOW = 0; HIGH = 1; }
message Rule { optional string expr = 1; repeated int32 codes = 2; optional Level level = 3; optional bytes blob = 4; optional double ratio = 5; optional uint64 big = 6; }
extend google.protobuf.FileOptions { optional string owner = 50001; }
extend google.protobuf.MessageOptions { optional Rule rule = 50002; }
extend google.protobuf.FieldOptions { optional bool secret = 50003; repeated string labels = 50004; optional Level level = 50005; optional float weight = 50006; }
extend google.protobuf.EnumOptions { optional int32 enum_tag = 50007; }
extend google.protobuf.EnumValueOptions { optional string alias_of = 50008; }
extend google.protobuf.ServiceOptions { optional string team = 50009; }
extend google.protobuf.MethodOptions { optional int64 timeout_ms = 50010; }
extend google.protobuf.OneofOptions { optional string note = 50011; }
"#;

const PROTO3_WIDE: &str = r#"syntax = "proto3";
package shop.v1;

import "google/protobuf/timestamp.proto";
import "opts.proto";
import "confluent/meta.proto";
import public "google/protobuf/wrappers.proto";

option java_package = "com.shop.v1";
option java_multiple_files = true;
option optimize_for = CODE_SIZE;
option go_package = "shop/v1;shopv1";
option (opts.v1.owner) = "team \"shop\"\n";
option (confluent.file_meta) = { doc: "the shop", tags: ["PII", "GDPR"] };

message Order {
  option deprecated = true;
  option (opts.v1.rule) = { expr: "a > 1" codes: [1, 2] level: HIGH blob: "\x01\xffA" ratio: 2.5e10 big: 18446744073709551615 };
  option (confluent.message_meta) = { doc: "an order", params: [{ key: "k", value: "v" }] };

  reserved 15, 9 to 11, 100 to max;
  reserved "old", "older";

  string id = 1 [json_name = "orderId", (opts.v1.secret) = true, (opts.v1.labels) = "a", (opts.v1.labels) = "b"];
  optional int64 amount = 2 [(opts.v1.level) = HIGH, (opts.v1.weight) = 0.25];
  oneof payment {
    option (opts.v1.note) = "one";
    string card = 3;
    Wallet wallet = 4 [deprecated = true];
  }
  map<string, int32> counts = 5;
  map<int64, Item> items = 6;
  repeated int32 codes = 7 [packed = false];
  google.protobuf.Timestamp placed_at = 8 [(confluent.field_meta) = { doc: "when", params: [{ key: "precision", value: "3" }, { key: "scale", value: "2" }] }];
  Status status = 12;
  bytes raw = 13 [jstype = JS_NORMAL, ctype = CORD];
  google.protobuf.StringValue note = 14;

  message Item {
    string sku = 1;
    message Deep { repeated Item items = 1; }
  }
  message Wallet { string id = 1; }
  enum Status {
    option allow_alias = true;
    option (opts.v1.enum_tag) = -7;
    reserved 5, 10 to 20, 1000 to max;
    reserved "GONE";
    UNKNOWN = 0;
    NEW = 1 [(opts.v1.alias_of) = "x", deprecated = true];
    FRESH = 1;
  }
}

enum Top { TOP_ZERO = 0; TOP_ONE = 1; }

message Empty {}

service Orders {
  option deprecated = true;
  option (opts.v1.team) = "orders";
  rpc Get (Order) returns (Order);
  rpc Watch (Order) returns (stream Order) { option idempotency_level = NO_SIDE_EFFECTS; option (opts.v1.timeout_ms) = 1500; }
  rpc Upload (stream Order.Item) returns (Empty);
  rpc Chat (stream Order) returns (stream Order) { option deprecated = true; }
}
"#;

const PROTO2_WIDE: &str = r#"syntax = "proto2";
package legacy;

message Defaults {
  required int32 id = 1;
  optional string s = 2 [default = "a\"b\\c\n\t'\x01é"];
  optional bytes b = 3 [default = "\000\001\377abc\"'"];
  optional double inf = 4 [default = inf];
  optional double ninf = 5 [default = -inf];
  optional float nan = 6 [default = nan];
  optional double neg = 7 [default = -1.5];
  optional float small = 8 [default = 1e-10];
  optional int64 big = 9 [default = -9223372036854775808];
  optional uint64 ubig = 10 [default = 18446744073709551615];
  optional bool flag = 11 [default = true];
  optional Color color = 12 [default = GREEN];
  optional sint32 hexy = 13 [default = 0x1F];
  repeated int32 packed_ints = 14 [packed = true];
  optional string named = 15 [json_name = "NAMED"];
  optional group Result = 16 {
    required string url = 17;
    optional string title = 18;
  }
  repeated group Entry = 19 {
    optional int32 n = 20;
  }
  oneof choice {
    int32 a = 21;
    group Pick = 22 { optional int32 p = 23; }
  }
  optional double d2 = 24 [default = 100000000];
  optional float f3 = 25 [default = 0.1];

  extensions 100 to 199, 500, 1000 to max;

  enum Color { RED = 0; GREEN = 1; }
  message Inner {
    extend Defaults { optional string inner_ext = 101; repeated int32 inner_list = 102; }
  }
}

extend Defaults {
  optional int32 top_ext = 150;
  optional Defaults.Color color_ext = 151 [default = RED];
}

message Later { optional Defaults d = 1; }
"#;

fn opts_ref() -> Reference {
    Reference::new("opts.proto", OPTIONS_PROTO)
}

#[test]
fn a_wide_proto3_file_prints_back_to_the_same_descriptor() {
    let printed = round_trip_all(PROTO3_WIDE, &[opts_ref()]);
    for needle in [
        "repeated .shop.v1.Order.CountsEntry counts = 5;",
        "    option map_entry = true;\n",
        "  reserved 100 to max;\n",
        "  string id = 1 [\n    (opts.v1.secret) = true,\n    (opts.v1.labels) = \"a\",\n    (opts.v1.labels) = \"b\",\n    json_name = \"orderId\"\n  ];\n",
        "option (opts.v1.owner) = \"team \\\"shop\\\"\\n\";\n",
        "  rpc Watch (.shop.v1.Order) returns (stream .shop.v1.Order) {\n",
        "import public \"google/protobuf/wrappers.proto\";\n",
        "ratio: 2.5E10",
    ] {
        assert!(
            printed.contains(needle),
            "{needle:?} missing from\n{printed}"
        );
    }
}

#[test]
fn a_wide_proto2_file_with_defaults_groups_and_extensions_prints_back() {
    let printed = round_trip_all(PROTO2_WIDE, &[]);
    for needle in [
        "  optional group Result = 16 {\n",
        "  extensions 1000 to max;\n",
        "extend .legacy.Defaults {\n",
        "[default = inf]",
        "[default = GREEN]",
        "optional string named = 15 [json_name = \"NAMED\"];",
    ] {
        assert!(
            printed.contains(needle),
            "{needle:?} missing from\n{printed}"
        );
    }
}

#[test]
fn a_file_without_syntax_is_proto2_without_a_syntax_line_or_keeps_what_protox_gives() {
    let text = "package p;\nmessage M { optional int32 a = 1; }\n";
    round_trip_all(text, &[]);
}

#[test]
fn ignore_extensions_drops_custom_options_ranges_and_extends_but_keeps_confluent_meta() {
    let schema = parse(PROTO3_WIDE, &[opts_ref()]);
    let text = proto(&schema).print(&IGNORE_EXTENSIONS);
    assert!(!text.contains("(opts.v1."), "{text}");
    assert!(text.contains("(confluent.file_meta)"), "{text}");
    assert!(text.contains("(confluent.field_meta)"), "{text}");
    assert!(text.contains("json_name = \"orderId\""), "{text}");
    let schema = parse(PROTO2_WIDE, &[]);
    let text = proto(&schema).print(&IGNORE_EXTENSIONS);
    assert!(!text.contains("extensions "), "{text}");
    assert!(!text.contains("extend "), "{text}");
    assert!(text.contains("[default = GREEN]"), "{text}");
}

#[test]
fn serialized_keeps_extension_options_and_drops_source_info() {
    let schema = parse(PROTO3_WIDE, &[opts_ref()]);
    let base64 = proto(&schema).serialized();
    let decoded = crate::schema::protobuf::decode_descriptor(&base64).expect("decodes");
    assert!(decoded.source_code_info.is_none());
    assert_eq!(decoded.name(), crate::schema::protobuf::MAIN_FILE);
    let bytes = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &base64)
        .expect("base64");
    // The custom option's string travels in the encoded options.
    let needle = b"team \"shop\"\n";
    assert!(bytes.windows(needle.len()).any(|w| w == needle));
    let reparsed = parse(&base64, &[opts_ref()]);
    assert_eq!(
        proto(&reparsed).print(&DEFAULT),
        proto(&schema).print(&DEFAULT)
    );
}

/// Confluent's `ProtobufSchemaTest.testNormalization`: the normalized text of the
/// schema re-read from its descriptor. Wire accepts the test's input where protox
/// (like protoc) does not, so the input here imports `confluent/meta.proto`, starts
/// its proto3 enums at 0 and reserves 40 to 42 instead of 1 and 9 to 11 (numbers its
/// own fields use); the expected text changes only by that import and those lines.
/// Two lines differ otherwise: Confluent keeps `json_name = "id"` and
/// `json_name = "otherId2"` because the Java descriptor remembers they were written
/// out; ours has a JSON name for every field and cannot tell them from the default.
#[test]
fn normalized_text_matches_confluents_test_normalization() {
    let input = r#"syntax = "proto3";
package my.package;

import "google/protobuf/timestamp.proto";
import "confluent/type/decimal.proto";
import "confluent/meta.proto";

option java_package = "my.package";
option java_outer_classname = "Outer";
option java_multiple_files = true;
option java_string_check_utf8 = true;
option optimize_for = CODE_SIZE;
option go_package = "go.package";
option cc_generic_services = false;
option java_generic_services = true;
option py_generic_services = false;
option cc_enable_arenas = true;
option objc_class_prefix = "objc";
option csharp_namespace = "csharp";
option swift_prefix = "swift";
option php_class_prefix = "php";
option php_namespace = "php_ns";
option php_metadata_namespace = "php_md_ns";
option ruby_package = "ruby";

message Nested {
  confluent.type.Decimal test_cflt_decimal = 1 [(confluent.field_meta) = {
    params: [
      {
        value: "8",
        key: "precision"
      },
      {
        value: "3",
        key: "scale"
      }
    ],
    doc: "test decimal"
  }];
  google.protobuf.Timestamp test_timestamp = 2;
  map<string, InnerMessage> test_map = 3;

  message InnerMessage {
    reserved "foo", "bar";
    reserved 14, 15, 40 to 42;
    reserved 20, 29 to 31;
  
    option no_standard_descriptor_accessor = true;
    option deprecated = true;
  
    InnerMessage.DeepMessage deep2 = 4;
    Nested.InnerMessage.DeepMessage deep3 = 5;
    my.package.Nested.InnerMessage.DeepMessage deep4 = 6;
    .my.package.Nested.InnerMessage.DeepMessage deep5 = 7;
    string id = 1 [json_name = "id"];
    repeated int32 ids = 2 [packed = true];
    DeepMessage deep1 = 3;
  
    oneof some_val {
      string one_id = 12;
      int32 other_id = 11;
    }
    oneof some_val2 {
      string one_id2 = 13;
      int32 other_id2 = 10 [
        deprecated = true,
        ctype = CORD,
        jstype = JS_STRING,
        json_name = "otherId2"
      ];
    }
  
    message DeepMessage {
      string id = 1;
    }
    enum InnerEnum {
      reserved 100 to 110;
      option allow_alias = true;
      ZERO = 0 [deprecated = true];
      TWO = 2;
      ONE = 1;
      ALSO_ZERO = 0;
    }
  }
}
enum Status {
  ACTIVE = 0;
  INACTIVE = 1;
}

service MyService {
  option deprecated = true;

  rpc MyMethod2 (stream Nested) returns (Nested.InnerMessage);
  rpc MyMethod1 (Nested.InnerMessage) returns (stream Nested) {
    option idempotency_level = NO_SIDE_EFFECTS;
    option deprecated = true;
  };
}
"#;
    let expected = r#"syntax = "proto3";
package my.package;

import "confluent/meta.proto";
import "confluent/type/decimal.proto";
import "google/protobuf/timestamp.proto";

option cc_enable_arenas = true;
option cc_generic_services = false;
option csharp_namespace = "csharp";
option go_package = "go.package";
option java_generic_services = true;
option java_multiple_files = true;
option java_outer_classname = "Outer";
option java_package = "my.package";
option java_string_check_utf8 = true;
option objc_class_prefix = "objc";
option optimize_for = CODE_SIZE;
option php_class_prefix = "php";
option php_metadata_namespace = "php_md_ns";
option php_namespace = "php_ns";
option py_generic_services = false;
option ruby_package = "ruby";
option swift_prefix = "swift";

message Nested {
  .confluent.type.Decimal test_cflt_decimal = 1 [(confluent.field_meta) = {
    doc: "test decimal",
    params: [
      {
        key: "precision",
        value: "8"
      },
      {
        key: "scale",
        value: "3"
      }
    ]
  }];
  .google.protobuf.Timestamp test_timestamp = 2;
  map<string, .my.package.Nested.InnerMessage> test_map = 3;

  message InnerMessage {
    reserved 14;
    reserved 15;
    reserved 20;
    reserved 29 to 31;
    reserved 40 to 42;
    reserved "bar";
    reserved "foo";
  
    option deprecated = true;
    option no_standard_descriptor_accessor = true;
  
    string id = 1;
    repeated int32 ids = 2 [packed = true];
    .my.package.Nested.InnerMessage.DeepMessage deep1 = 3;
    .my.package.Nested.InnerMessage.DeepMessage deep2 = 4;
    .my.package.Nested.InnerMessage.DeepMessage deep3 = 5;
    .my.package.Nested.InnerMessage.DeepMessage deep4 = 6;
    .my.package.Nested.InnerMessage.DeepMessage deep5 = 7;
  
    oneof some_val2 {
      int32 other_id2 = 10 [
        ctype = CORD,
        deprecated = true,
        jstype = JS_STRING
      ];
      string one_id2 = 13;
    }
    oneof some_val {
      int32 other_id = 11;
      string one_id = 12;
    }
  
    message DeepMessage {
      string id = 1;
    }
    enum InnerEnum {
      reserved 100 to 110;
      option allow_alias = true;
      ALSO_ZERO = 0;
      ZERO = 0 [deprecated = true];
      ONE = 1;
      TWO = 2;
    }
  }
}
enum Status {
  ACTIVE = 0;
  INACTIVE = 1;
}

service MyService {
  option deprecated = true;

  rpc MyMethod2 (stream .my.package.Nested) returns (.my.package.Nested.InnerMessage);
  rpc MyMethod1 (.my.package.Nested.InnerMessage) returns (stream .my.package.Nested) {
    option deprecated = true;
    option idempotency_level = NO_SIDE_EFFECTS;
  };
}
"#;
    let schema = parse(input, &[]);
    assert_eq!(proto(&schema).print(&NORMALIZE), expected);
    // Normalizing is idempotent and the normalized text compiles.
    let again = parse(expected, &[]);
    assert_eq!(proto(&again).print(&NORMALIZE), expected);
}

/// Confluent's `ProtobufSchemaTest` case with custom field options set by path
/// (`(event_metadata).owner.value = ...`): its normalized text.
#[test]
fn normalized_custom_options_match_confluent() {
    let input = r#"syntax = "proto3";
package acme.events;

import "google/protobuf/wrappers.proto";
import "google/protobuf/timestamp.proto";
import "google/protobuf/descriptor.proto";

message ValidationSettings {
  bool is_optional = 1;
}
message EventMetadata {
  google.protobuf.StringValue owner = 1;
  google.protobuf.StringValue description = 2;
  RetentionPolicies retention_policy = 4;
}

extend google.protobuf.FieldOptions {
  ValidationSettings validation_settings = 10000;
  EventMetadata event_metadata = 10001;
}

enum RetentionPolicies {
  DEFAULT = 0; // Default value
  SEVEN_DAYS = 1;
  THIRTY_DAYS = 2;
  NINETY_DAYS = 3;
  ONE_YEAR = 4;
  TWO_YEARS = 5;
  SEVEN_YEARS = 6;
  ALL_TIME = 7;
}

message EventHeader {
  google.protobuf.StringValue event_source = 1;
  google.protobuf.StringValue event_id = 2;
  google.protobuf.Timestamp event_timestamp = 3;
  google.protobuf.StringValue event_name = 4;
}

message Event {
  EventHeader header = 1;
  oneof only_one_event_limiter {
    SearchEvent requested_search = 2 [
      (event_metadata).description.value = "Fires when a user submits a search request.",
      (event_metadata).owner.value = "DISCO"
    ];
  }
}
message SearchEvent {
  google.protobuf.Int32Value user_id = 1 [(validation_settings).is_optional = true];
}
"#;
    let expected = r#"syntax = "proto3";
package acme.events;

import "google/protobuf/descriptor.proto";
import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";

message ValidationSettings {
  bool is_optional = 1;
}
message EventMetadata {
  .google.protobuf.StringValue owner = 1;
  .google.protobuf.StringValue description = 2;
  .acme.events.RetentionPolicies retention_policy = 4;
}
message EventHeader {
  .google.protobuf.StringValue event_source = 1;
  .google.protobuf.StringValue event_id = 2;
  .google.protobuf.Timestamp event_timestamp = 3;
  .google.protobuf.StringValue event_name = 4;
}
message Event {
  .acme.events.EventHeader header = 1;

  oneof only_one_event_limiter {
    .acme.events.SearchEvent requested_search = 2 [(acme.events.event_metadata) = {
      description: {
        value: "Fires when a user submits a search request."
      },
      owner: {
        value: "DISCO"
      }
    }];
  }
}
message SearchEvent {
  .google.protobuf.Int32Value user_id = 1 [(acme.events.validation_settings) = {
    is_optional: true
  }];
}
enum RetentionPolicies {
  DEFAULT = 0;
  SEVEN_DAYS = 1;
  THIRTY_DAYS = 2;
  NINETY_DAYS = 3;
  ONE_YEAR = 4;
  TWO_YEARS = 5;
  SEVEN_YEARS = 6;
  ALL_TIME = 7;
}

extend .google.protobuf.FieldOptions {
  .acme.events.ValidationSettings validation_settings = 10000;
  .acme.events.EventMetadata event_metadata = 10001;
}
"#;
    let schema = parse(input, &[]);
    assert_eq!(proto(&schema).print(&NORMALIZE), expected);
    round_trip_all(input, &[]);
}

/// Confluent's `mapEntrySchemaString` layout: what a map field looks like when read
/// from a descriptor (a nested entry message whose body starts with a blank
/// section line).
#[test]
fn a_map_prints_as_confluent_prints_it_from_a_descriptor() {
    let input = "syntax = \"proto3\";\nmessage TestMap {\n  map<string, string> test_map = 1;\n}\n";
    let expected = "syntax = \"proto3\";\n\nmessage TestMap {\n  repeated .TestMap.TestMapEntry test_map = 1;\n\n  message TestMapEntry {\n    option map_entry = true;\n  \n    string key = 1;\n    string value = 2;\n  }\n}\n";
    let schema = parse(input, &[]);
    assert_eq!(proto(&schema).print(&DEFAULT), expected);
    let normalized =
        "syntax = \"proto3\";\n\nmessage TestMap {\n  map<string, string> test_map = 1;\n}\n";
    assert_eq!(proto(&schema).print(&NORMALIZE), normalized);
    round_trip_all(input, &[]);
}

#[test]
fn confluents_compatibility_examples_print_back() {
    // Missing data fails the test.
    let path = shared::conformance("protobuf/diff-schema-examples.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{} is needed by this test (set SCHEMAGATE_SHARED_DIR): {e}",
            path.display()
        )
    });
    let cases: Vec<serde_json::Value> = serde_json::from_str(&text).expect("JSON");
    assert_eq!(cases.len(), 54);
    let mut printed = 0;
    let mut without_their_imports = 0;
    for case in &cases {
        for key in ["original_schema", "update_schema"] {
            let schema = case[key].as_str().expect("schema text");
            // Twelve schemas import `google.proto` / `google2.proto`, files the
            // corpus does not carry (Confluent's Java test builds them); they are
            // counted, not printed.
            if schema.contains("import \"google.proto\"")
                || schema.contains("import \"google2.proto\"")
            {
                without_their_imports += 1;
                continue;
            }
            round_trip_all(schema, &[]);
            printed += 1;
        }
    }
    assert_eq!((printed, without_their_imports), (96, 12));
}

#[test]
fn every_built_in_file_prints_back() {
    for name in crate::schema::protobuf::known_imports() {
        let text =
            format!("syntax = \"proto3\";\nimport \"{name}\";\nmessage M {{ int32 a = 1; }}\n");
        let schema = parse(&text, &[]);
        let file = proto(&schema)
            .pool()
            .get_file_by_name(name)
            .unwrap_or_else(|| panic!("{name}"));
        let printed = print(&file, &DEFAULT);
        // Printed under its own name so that it can be compiled in place of the
        // built-in one.
        let user =
            format!("syntax = \"proto3\";\nimport \"{name}\";\nmessage M {{ int32 a = 1; }}\n");
        let reparsed = parse(&user, &[Reference::new(name, &printed)]);
        let again = proto(&reparsed).pool().get_file_by_name(name).unwrap();
        assert_eq!(print(&again, &DEFAULT), printed, "{name}");
    }
}

/// Options defined and used in one file whose package has a `confluent` scope, so
/// that `confluent.field_meta` would resolve inside the package: the printer must
/// write `(.confluent.field_meta)`. Also: options set field by field, repeated
/// options of message type with map and list fields, repeated enum value options.
const SHADOWED_OPTIONS: &str = r#"syntax = "proto3";
package acme.confluent.billing;

import "confluent/meta.proto";
import "google/protobuf/descriptor.proto";

option java_package = "com.acme.billing";
option (file_tag) = "ledger";
option (file_tags) = "a";
option (file_tags) = "b";

message Invoice {
  option (.confluent.message_meta).doc = "an invoice";
  option (flagged) = true;
  option (flags) = true;
  option (flags) = false;

  string number = 1 [(weight) = 7, (weights) = 8, (weights) = 9];
  int64 cents = 2 [(.confluent.field_meta).doc = "in cents", (.confluent.field_meta).tags = "PII"];
}

enum Channel {
  option (.confluent.enum_meta).doc = "how it was sent";
  option (shape) = { label: "plain" };
  option (shape).rank = 1;
  option (shape).ratio = 0.5;
  option (shapes) = { rank: 2, label: "x", attrs: [ { key: "k", value: "v" } ], sizes: [4, 5] };
  option (shapes) = { rank: 3, label: "y", attrs: [ { key: "a", value: "b" }, { key: "c", value: "d" } ], sizes: [] };

  MAIL = 0 [(tier) = GOLD];
  EMAIL = 1 [(tiers) = GOLD, (tiers) = SILVER];
  FAX = 2 [(.confluent.enum_value_meta).doc = "rare"];
}

message Shape {
  int32 rank = 1;
  float ratio = 2;
  string label = 3;
  map<string, string> attrs = 4;
  repeated int32 sizes = 5;
}

enum Tier {
  NONE = 0;
  GOLD = 1;
  SILVER = 2;
}

extend google.protobuf.FileOptions {
  string file_tag = 52001;
  repeated string file_tags = 52002;
}
extend google.protobuf.MessageOptions {
  bool flagged = 52001;
  repeated bool flags = 52002;
}
extend google.protobuf.FieldOptions {
  int32 weight = 52001;
  repeated int32 weights = 52002;
}
extend google.protobuf.EnumOptions {
  Shape shape = 52001;
  repeated Shape shapes = 52002;
}
extend google.protobuf.EnumValueOptions {
  Tier tier = 52001;
  repeated Tier tiers = 52002;
}
"#;

#[test]
fn options_a_package_scope_would_shadow_print_with_a_leading_dot() {
    let printed = round_trip_all(SHADOWED_OPTIONS, &[]);
    assert!(
        printed.contains("(.confluent.field_meta)"),
        "no leading dot in\n{printed}"
    );
    // Same-package options need no dot and keep their short, resolvable form.
    assert!(!printed.contains("(.acme."), "{printed}");
}

/// Ranges of every shape (single numbers, pairs, `max`) on messages and enums.
const RANGES: &str = r#"syntax = "proto2";
package acme.ranges;

message Span {
  extensions 100 to 200;
  extensions 1000 to 1001;
  extensions 2000 to 2000;
  extensions 5000 to max;

  reserved 3000 to 3999;
  reserved 4000 to 4001;
  reserved 4500 to 4500;
  reserved "gone";

  optional int32 start = 1;
  optional string label = 2;

  enum Unit {
    reserved 100 to 200;
    reserved 1000 to 1001;
    reserved 2000 to 2000;
    reserved -5 to -1;
    reserved "OLD";

    UNIT_NONE = 0;
    UNIT_MS = 1;
  }
}
"#;

#[test]
fn ranges_of_every_shape_print_back() {
    let printed = round_trip_all(RANGES, &[]);
    for needle in [
        "extensions 2000;",
        "reserved 4500;",
        "extensions 5000 to max;",
    ] {
        assert!(
            printed.contains(needle),
            "{needle:?} missing from\n{printed}"
        );
    }
}

#[test]
fn public_and_weak_imports_print_back() {
    let text = "syntax = \"proto3\";\npackage w;\nimport \"google/protobuf/timestamp.proto\";\nimport public \"opts.proto\";\nimport weak \"google/protobuf/duration.proto\";\nmessage M { google.protobuf.Timestamp t = 1; opts.v1.Rule r = 2; }\n";
    let printed = round_trip_all(text, &[opts_ref()]);
    assert!(
        printed.contains(
            "\nimport \"google/protobuf/timestamp.proto\";\nimport public \"opts.proto\";\nimport weak \"google/protobuf/duration.proto\";\n"
        ),
        "{printed}"
    );
}
