//! Counterexamples: a concrete event for a breaking finding, checked here again with
//! apache-avro and jsonschema directly (not through the module's own verification):
//! unit cases for the main rules of each format, and property tests over random
//! breaking evolutions that also measure how many breaking findings get one.

use std::sync::atomic::{AtomicUsize, Ordering};

use apache_avro::reader::datum::GenericDatumReader;
use apache_avro::schema::ResolvedSchema;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use schemagate_core::counterexample::{Counterexample, Side, counterexample, for_report};
use schemagate_core::{Level, ParsedSchema, SchemaType, check, validate};
use serde_json::{Map, Value, json};

fn parse(schema_type: SchemaType, text: &str) -> ParsedSchema {
    ParsedSchema::parse(schema_type, text, &[]).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn avro(value: &Value) -> ParsedSchema {
    parse(SchemaType::Avro, &value.to_string())
}

/// The writer and reader of a counterexample.
fn roles<'a>(
    old: &'a ParsedSchema,
    new: &'a ParsedSchema,
    c: &Counterexample,
) -> (&'a ParsedSchema, &'a ParsedSchema) {
    match c.writer {
        Side::Old => (old, new),
        Side::New => (new, old),
    }
}

/// Decodes Avro `bytes` written with `writer`, read with `reader` when given.
fn avro_decode(
    writer: &ParsedSchema,
    reader: Option<&ParsedSchema>,
    bytes: &[u8],
) -> Result<apache_avro::types::Value, String> {
    let w = writer.as_avro().unwrap();
    let w_names = ResolvedSchema::new_with_schemata(w.apache_schemata()).unwrap();
    let builder =
        GenericDatumReader::builder(w.apache().unwrap()).resolved_writer_schemata(w_names);
    let result = match reader {
        None => builder.build().unwrap().read_value(&mut &bytes[..]),
        Some(r) => {
            let r = r.as_avro().unwrap();
            let r_names = ResolvedSchema::new_with_schemata(r.apache_schemata()).unwrap();
            builder
                .reader_schema(r.apache().unwrap())
                .resolved_reader_schemata(r_names)
                .build()
                .unwrap()
                .read_value(&mut &bytes[..])
        }
    };
    result.map_err(|e| e.to_string())
}

/// Checks an Avro counterexample independently: the writer reads its bytes back and
/// its JSON event is valid under the writer; the reader fails on the bytes.
fn assert_avro_proves(old: &ParsedSchema, new: &ParsedSchema, c: &Counterexample) {
    let (writer, reader) = roles(old, new, c);
    let bytes = c
        .bytes
        .as_deref()
        .expect("an Avro counterexample has bytes");
    assert!(
        avro_decode(writer, None, bytes).is_ok(),
        "the writer cannot read {c:?}"
    );
    assert_eq!(validate(writer, &c.event), vec![], "{c:?}");
    assert!(
        avro_decode(writer, Some(reader), bytes).is_err(),
        "the reader reads {c:?}\nwriter {}\nreader {}",
        writer.canonical(),
        reader.canonical()
    );
    assert!(c.outcome.starts_with("the reader fails: "), "{}", c.outcome);
}

/// The counterexample of the one breaking finding with `rule` under `level`.
fn only(level: Level, old: &ParsedSchema, new: &ParsedSchema, rule: &str) -> Counterexample {
    let report = check(level, new, std::slice::from_ref(old));
    let finding = report
        .breaking()
        .find(|f| f.rule == rule)
        .unwrap_or_else(|| panic!("no {rule} in {report}"));
    counterexample(old, new, finding).unwrap_or_else(|| panic!("no counterexample for {finding}"))
}

fn record(fields: Value) -> Value {
    json!({"type": "record", "name": "R", "namespace": "t", "fields": fields})
}

#[test]
fn avro_missing_field_without_default() {
    let old = avro(&record(json!([{"name": "a", "type": "int"}])));
    let new = avro(&record(
        json!([{"name": "a", "type": "int"}, {"name": "b", "type": "string"}]),
    ));
    let c = only(
        Level::Backward,
        &old,
        &new,
        "READER_FIELD_MISSING_DEFAULT_VALUE",
    );
    assert_eq!(c.writer, Side::Old);
    assert_eq!(c.path, "/fields/1");
    assert_eq!(c.event, json!({"a": 0}));
    assert_avro_proves(&old, &new, &c);
}

#[test]
fn avro_removed_field_breaks_old_readers_forward() {
    let old = avro(&record(
        json!([{"name": "a", "type": "int"}, {"name": "b", "type": "string"}]),
    ));
    let new = avro(&record(json!([{"name": "a", "type": "int"}])));
    let c = only(
        Level::Full,
        &old,
        &new,
        "READER_FIELD_MISSING_DEFAULT_VALUE",
    );
    assert_eq!(c.writer, Side::New);
    assert_avro_proves(&old, &new, &c);
}

#[test]
fn avro_type_mismatch_inside_an_array_of_records() {
    let item = |ty: &str| {
        json!({"type": "array", "items": {"type": "record", "name": "Line", "fields": [
            {"name": "sku", "type": "string"}, {"name": "qty", "type": ty}]}})
    };
    let old = avro(&record(json!([{"name": "lines", "type": item("int")}])));
    let new = avro(&record(json!([{"name": "lines", "type": item("string")}])));
    let c = only(Level::Backward, &old, &new, "TYPE_MISMATCH");
    assert_eq!(c.path, "/fields/0/type/items/fields/1/type");
    // A non-empty array: an empty one would read.
    assert_eq!(c.event, json!({"lines": [{"sku": "", "qty": 0}]}));
    assert_avro_proves(&old, &new, &c);
}

#[test]
fn avro_removed_enum_symbol_is_written() {
    let e = |symbols: Value| json!([{"name": "s", "type": {"type": "enum", "name": "S", "symbols": symbols}}]);
    let old = avro(&record(e(json!(["A", "B", "C"]))));
    let new = avro(&record(e(json!(["A", "C"]))));
    let c = only(Level::Backward, &old, &new, "MISSING_ENUM_SYMBOLS");
    assert_eq!(c.event, json!({"s": "B"}));
    assert_avro_proves(&old, &new, &c);
}

#[test]
fn avro_union_branch_removed_is_written() {
    let old = avro(&record(
        json!([{"name": "v", "type": ["null", "string", "int"]}]),
    ));
    let new = avro(&record(json!([{"name": "v", "type": ["null", "int"]}])));
    let c = only(Level::Backward, &old, &new, "MISSING_UNION_BRANCH");
    assert_eq!(c.event, json!({"v": {"string": ""}}));
    assert_avro_proves(&old, &new, &c);

    // A nullable field made required: the null branch is the counterexample.
    let old = avro(&record(json!([{"name": "v", "type": ["null", "string"]}])));
    let new = avro(&record(json!([{"name": "v", "type": "string"}])));
    let c = only(Level::Backward, &old, &new, "TYPE_MISMATCH");
    assert_eq!(c.event, json!({"v": null}));
    assert_avro_proves(&old, &new, &c);
}

#[test]
fn avro_fixed_size_and_map_values() {
    let old = avro(&record(
        json!([{"name": "m", "type": {"type": "map", "values":
        {"type": "fixed", "name": "H", "size": 4}}}]),
    ));
    let new = avro(&record(
        json!([{"name": "m", "type": {"type": "map", "values":
        {"type": "fixed", "name": "H", "size": 8}}}]),
    ));
    let c = only(Level::Backward, &old, &new, "FIXED_SIZE_MISMATCH");
    assert_eq!(c.event, json!({"m": {"k": "\u{0}\u{0}\u{0}\u{0}"}}));
    assert_avro_proves(&old, &new, &c);
}

#[test]
fn avro_recursive_types_end() {
    // A linked list: the smallest datum ends the list with null.
    let list = |extra: Value| {
        let mut fields = vec![
            json!({"name": "v", "type": "int"}),
            json!({"name": "next", "type": ["null", "Node"]}),
        ];
        if !extra.is_null() {
            fields.push(extra);
        }
        json!({"type": "record", "name": "Node", "fields": fields})
    };
    let old = avro(&list(Value::Null));
    let new = avro(&list(json!({"name": "w", "type": "long"})));
    let c = only(
        Level::Backward,
        &old,
        &new,
        "READER_FIELD_MISSING_DEFAULT_VALUE",
    );
    assert_eq!(c.event, json!({"v": 0, "next": null}));
    assert_avro_proves(&old, &new, &c);
    // A record that needs itself has no finite datum: no counterexample, and no hang.
    let endless = |ty: &str| {
        json!({"type": "record", "name": "E", "fields": [
            {"name": "x", "type": ty}, {"name": "me", "type": "E"}]})
    };
    let (old, new) = (avro(&endless("int")), avro(&endless("string")));
    let report = check(Level::Full, &new, std::slice::from_ref(&old));
    assert!(!report.compatible);
    assert_eq!(
        for_report(&new, std::slice::from_ref(&old), &report),
        vec![]
    );
}

#[test]
fn avro_named_types_from_references() {
    use schemagate_core::Reference;
    let reference = |symbols: Value| {
        Reference::new(
            "t.S",
            json!({"type": "enum", "name": "S", "namespace": "t", "symbols": symbols}).to_string(),
        )
    };
    let text = record(json!([{"name": "s", "type": "t.S"}])).to_string();
    let old =
        ParsedSchema::parse(SchemaType::Avro, &text, &[reference(json!(["A", "B"]))]).unwrap();
    let new = ParsedSchema::parse(SchemaType::Avro, &text, &[reference(json!(["A"]))]).unwrap();
    let c = only(Level::Backward, &old, &new, "MISSING_ENUM_SYMBOLS");
    assert_eq!(c.event, json!({"s": "B"}));
    assert_avro_proves(&old, &new, &c);
}

#[test]
fn compatible_and_non_breaking_findings_have_none() {
    let old = avro(&record(json!([{"name": "a", "type": "int"}])));
    let new = avro(&record(json!([{"name": "a", "type": "long"}])));
    let report = check(Level::Full, &new, std::slice::from_ref(&old));
    for f in &report.findings {
        if !f.is_breaking() {
            assert_eq!(counterexample(&old, &new, f), None);
        }
    }
}

fn json_schema(value: &Value) -> ParsedSchema {
    parse(SchemaType::Json, &value.to_string())
}

/// Checks a JSON Schema counterexample independently with `jsonschema`: the instance
/// is valid under the writer's schema and invalid under the reader's.
fn assert_json_proves(old: &ParsedSchema, new: &ParsedSchema, c: &Counterexample) {
    let (writer, reader) = roles(old, new, c);
    let compile = |s: &ParsedSchema| {
        jsonschema::draft7::new(s.as_json().unwrap().value()).expect("the test's schemas compile")
    };
    assert!(c.bytes.is_none());
    assert!(
        compile(writer).is_valid(&c.event),
        "not valid under the writer: {c:?}\nwriter {}",
        writer.canonical()
    );
    assert!(
        !compile(reader).is_valid(&c.event),
        "valid under the reader: {c:?}\nreader {}",
        reader.canonical()
    );
    let reader_words = match c.writer {
        Side::Old => "invalid under the new schema: ",
        Side::New => "invalid under the old schema: ",
    };
    assert!(c.outcome.starts_with(reader_words), "{}", c.outcome);
}

fn object(properties: Value, extra: Value) -> Value {
    let mut o = json!({"type": "object", "properties": properties});
    if let Value::Object(extra) = extra {
        o.as_object_mut().unwrap().extend(extra);
    }
    o
}

/// The counterexample of the first breaking finding under `level`.
fn first(level: Level, old: &ParsedSchema, new: &ParsedSchema) -> Counterexample {
    let report = check(level, new, std::slice::from_ref(old));
    let finding = report
        .breaking()
        .next()
        .unwrap_or_else(|| panic!("no break in {report}"));
    counterexample(old, new, finding).unwrap_or_else(|| panic!("no counterexample for {finding}"))
}

#[test]
fn json_required_property_added() {
    let old = json_schema(&object(json!({"a": {"type": "string"}}), json!({})));
    let new = json_schema(&object(
        json!({"a": {"type": "string"}, "b": {"type": "integer"}}),
        json!({"required": ["b"]}),
    ));
    let c = first(Level::Backward, &old, &new);
    assert_eq!(c.writer, Side::Old);
    assert_eq!(c.event.get("b"), None, "{c:?}");
    assert_json_proves(&old, &new, &c);
}

#[test]
fn json_bounds_and_types_narrowed() {
    let prop = |schema: Value| object(json!({"a": schema}), json!({"required": ["a"]}));
    for (before, after, expect) in [
        (
            json!({"type": "string", "maxLength": 10}),
            json!({"type": "string", "maxLength": 5}),
            json!("aaaaaa"),
        ),
        (
            json!({"type": "integer", "minimum": 0}),
            json!({"type": "integer", "minimum": 5}),
            json!(4),
        ),
        (
            json!({"type": "string"}),
            json!({"type": "integer"}),
            json!(""),
        ),
        (
            json!({"enum": ["A", "B"]}),
            json!({"enum": ["A"]}),
            json!("B"),
        ),
        (
            json!({"type": "array", "items": {"type": "integer"}}),
            json!({"type": "array", "items": {"type": "integer"}, "maxItems": 2}),
            json!([0, 0, 0]),
        ),
    ] {
        let (old, new) = (json_schema(&prop(before)), json_schema(&prop(after)));
        let c = first(Level::Backward, &old, &new);
        assert_eq!(c.event["a"], expect, "{c:?}");
        assert_json_proves(&old, &new, &c);
    }
}

#[test]
fn json_content_model_closed_and_nested_items() {
    let old = json_schema(&object(json!({"a": {"type": "string"}}), json!({})));
    let new = json_schema(&object(
        json!({"a": {"type": "string"}}),
        json!({"additionalProperties": false}),
    ));
    let c = first(Level::Backward, &old, &new);
    assert_json_proves(&old, &new, &c);

    let lines = |max: u64| {
        object(
            json!({"lines": {"type": "array", "items": object(
                json!({"sku": {"type": "string", "maxLength": max}}), json!({"required": ["sku"]}))}}),
            json!({"required": ["lines"]}),
        )
    };
    let (old, new) = (json_schema(&lines(8)), json_schema(&lines(4)));
    let c = first(Level::Backward, &old, &new);
    assert_eq!(c.event, json!({"lines": [{"sku": "aaaaa"}]}));
    assert_json_proves(&old, &new, &c);
}

#[test]
fn json_forward_finding_is_written_by_the_new_schema() {
    let old = json_schema(&json!({"type": "integer", "maximum": 10}));
    let new = json_schema(&json!({"type": "integer", "maximum": 20}));
    let c = first(Level::Full, &old, &new);
    assert_eq!(c.writer, Side::New);
    assert_eq!(c.event, json!(11));
    assert_json_proves(&old, &new, &c);
}

#[test]
fn json_refs_to_references_are_followed() {
    use schemagate_core::Reference;
    let address = |max: u64| {
        Reference::new(
            "address.json",
            json!({"type": "object", "properties": {"zip": {"type": "string", "maxLength": max}}, "required": ["zip"]}).to_string(),
        )
    };
    let text = object(
        json!({"home": {"$ref": "address.json"}}),
        json!({"required": ["home"]}),
    )
    .to_string();
    let old = ParsedSchema::parse(SchemaType::Json, &text, &[address(9)]).unwrap();
    let new = ParsedSchema::parse(SchemaType::Json, &text, &[address(5)]).unwrap();
    let report = check(Level::Backward, &new, std::slice::from_ref(&old));
    let finding = report.breaking().next().expect("a break");
    let c = counterexample(&old, &new, finding).expect("a counterexample");
    assert_eq!(c.event, json!({"home": {"zip": "aaaaaa"}}));
    // Checked with the schemas' own validators, which know the references.
    assert_eq!(validate(&old, &c.event), vec![]);
    assert!(!validate(&new, &c.event).is_empty());
}

fn proto(body: &str) -> ParsedSchema {
    parse(
        SchemaType::Protobuf,
        &format!("syntax = \"proto3\";\npackage shop;\n{body}"),
    )
}

/// Checks a Protobuf counterexample independently with `prost-reflect`: the bytes
/// decode with the writer's message to the event, and the reader's decoding fails or
/// holds field `number` otherwise.
fn assert_proto_proves(
    old: &ParsedSchema,
    new: &ParsedSchema,
    c: &Counterexample,
    message: &str,
    number: u32,
) {
    use prost_reflect::{DynamicMessage, ReflectMessage};
    let (writer, reader) = roles(old, new, c);
    let bytes = c.bytes.as_deref().expect("wire bytes");
    let w = writer.as_protobuf().unwrap().message(message).unwrap();
    let written = DynamicMessage::decode(w, bytes).expect("the writer reads its bytes");
    assert_eq!(serde_json::to_value(&written).unwrap(), c.event);
    let r = reader.as_protobuf().unwrap().message(message).unwrap();
    match DynamicMessage::decode(r, bytes) {
        Err(_) => assert!(c.outcome.starts_with("the reader fails: "), "{c:?}"),
        Ok(read) => {
            assert!(
                c.outcome.starts_with("decodes to something else: "),
                "{c:?}"
            );
            let before = written
                .get_field_by_number(number)
                .map(|v| format!("{v:?}"));
            let after = read
                .descriptor()
                .get_field(number)
                .filter(|f| read.has_field(f))
                .map(|f| format!("{:?}", read.get_field(&f)));
            assert_ne!(before, after, "{c:?}");
        }
    }
}

#[test]
fn protobuf_scalar_kind_changed_misreads() {
    for (before, after) in [
        ("int32", "sint32"),
        ("int32", "string"),
        ("string", "int64"),
        ("fixed64", "double"),
    ] {
        let old = proto(&format!(
            "message Order {{ string id = 1; {before} qty = 2; }}"
        ));
        let new = proto(&format!(
            "message Order {{ string id = 1; {after} qty = 2; }}"
        ));
        let c = only(Level::Backward, &old, &new, "FIELD_SCALAR_KIND_CHANGED");
        assert_eq!(c.writer, Side::Old);
        assert_proto_proves(&old, &new, &c, "shop.Order", 2);
    }
}

#[test]
fn protobuf_label_and_named_type_changes() {
    let old = proto("message Order { repeated int32 qty = 2; }");
    let new = proto("message Order { optional int32 qty = 2; }");
    let c = only(Level::Backward, &old, &new, "FIELD_NUMERIC_LABEL_CHANGED");
    assert_proto_proves(&old, &new, &c, "shop.Order", 2);

    let old = proto(
        "message A { string s = 1; } message B { int64 n = 1; } message Order { A line = 3; }",
    );
    let new = proto(
        "message A { string s = 1; } message B { int64 n = 1; } message Order { B line = 3; }",
    );
    let c = only(Level::Backward, &old, &new, "FIELD_NAMED_TYPE_CHANGED");
    assert_proto_proves(&old, &new, &c, "shop.Order", 3);
}

#[test]
fn protobuf_nested_message_and_forward() {
    let old = proto("message Order { message Line { int32 qty = 1; } Line line = 1; }");
    let new = proto("message Order { message Line { string qty = 1; } Line line = 1; }");
    let c = only(Level::Forward, &old, &new, "FIELD_SCALAR_KIND_CHANGED");
    assert_eq!(c.writer, Side::New);
    assert_proto_proves(&old, &new, &c, "shop.Order.Line", 1);
}

#[test]
fn protobuf_fields_moved_into_a_oneof_overwrite_each_other() {
    let old = proto("message Order { string a = 1; string b = 2; }");
    let new = proto("message Order { oneof pick { string a = 1; string b = 2; } }");
    let report = check(Level::Backward, &new, std::slice::from_ref(&old));
    let finding = report.breaking().next().expect("a break");
    let c = counterexample(&old, &new, finding).expect("a counterexample");
    assert!(
        c.outcome.starts_with("decodes to something else: "),
        "{c:?}"
    );
    assert_proto_proves(&old, &new, &c, "shop.Order", 1);
}

// ---------------------------------------------------------------------------------
// Property tests: random schemas, random breaking edits.

/// Breaking findings seen and counterexamples found, per format, across all cases.
struct Tally {
    findings: AtomicUsize,
    found: AtomicUsize,
}

impl Tally {
    const fn new() -> Self {
        Tally {
            findings: AtomicUsize::new(0),
            found: AtomicUsize::new(0),
        }
    }

    fn rate(&self) -> (usize, usize) {
        (
            self.found.load(Ordering::Relaxed),
            self.findings.load(Ordering::Relaxed),
        )
    }
}

/// A random Avro type; named types get their names later (`name_types`).
fn avro_type() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(json!("int")),
        Just(json!("long")),
        Just(json!("float")),
        Just(json!("double")),
        Just(json!("string")),
        Just(json!("bytes")),
        Just(json!("boolean")),
        (1usize..4).prop_map(|n| {
            let symbols: Vec<String> = (0..n).map(|i| format!("S{i}")).collect();
            json!({"type": "enum", "symbols": symbols})
        }),
        (1u64..5).prop_map(|size| json!({"type": "fixed", "size": size})),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            inner
                .clone()
                .prop_map(|t| json!({"type": "array", "items": t})),
            inner
                .clone()
                .prop_map(|t| json!({"type": "map", "values": t})),
            inner.clone().prop_filter_map("no nested union", |t| {
                (!t.is_array()).then(|| json!(["null", t]))
            }),
            prop::collection::vec(inner, 1..4).prop_map(|types| {
                let fields: Vec<Value> = types
                    .into_iter()
                    .enumerate()
                    .map(|(i, t)| json!({"name": format!("f{i}"), "type": t}))
                    .collect();
                json!({"type": "record", "fields": fields})
            }),
        ]
    })
}

/// Gives every record, enum and fixed a unique name.
fn name_types(value: &mut Value, next: &mut usize) {
    match value {
        Value::Object(m) => {
            if matches!(
                m.get("type").and_then(Value::as_str),
                Some("record" | "enum" | "fixed")
            ) && !m.contains_key("name")
            {
                m.insert("name".into(), json!(format!("N{next}")));
                *next += 1;
            }
            for v in m.values_mut() {
                name_types(v, next);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|v| name_types(v, next)),
        _ => {}
    }
}

/// Every JSON value in `value` that is a schema of a record's field, as pointers.
fn field_pointers(value: &Value, at: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(m) => {
            if let Some(Value::Array(fields)) = m.get("fields") {
                for (i, f) in fields.iter().enumerate() {
                    let p = format!("{at}/fields/{i}");
                    out.push(p.clone());
                    field_pointers(&f["type"], &format!("{p}/type"), out);
                }
            }
            for key in ["items", "values"] {
                if let Some(v) = m.get(key) {
                    field_pointers(v, &format!("{at}/{key}"), out);
                }
            }
        }
        Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                field_pointers(v, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// A breaking edit of the field at `pointer` of `schema`, chosen by `kind`.
fn avro_edit(schema: &Value, pointer: &str, kind: u8) -> Value {
    let mut new = schema.clone();
    let field = new.pointer_mut(pointer).expect("a field");
    let ty = field["type"].clone();
    match kind % 5 {
        // A new required field beside it.
        0 => {
            let parent = pointer.rsplit_once('/').unwrap().0;
            let fields = new.pointer_mut(parent).unwrap().as_array_mut().unwrap();
            fields.push(json!({"name": "added", "type": "string"}));
        }
        // The type changed to one the old type does not promote to.
        1 => {
            field["type"] = if ty == json!("boolean") {
                json!("int")
            } else {
                json!("boolean")
            }
        }
        // Symbols removed, a fixed resized, a union's null dropped, or the field removed.
        _ => match (&ty, ty.get("type").and_then(Value::as_str)) {
            (_, Some("enum")) if ty["symbols"].as_array().unwrap().len() > 1 => {
                field["type"]["symbols"].as_array_mut().unwrap().remove(0);
            }
            (_, Some("fixed")) => {
                field["type"]["size"] = json!(ty["size"].as_u64().unwrap() + 1);
            }
            (Value::Array(branches), _) => field["type"] = branches[1].clone(),
            _ => field["type"] = json!({"type": "array", "items": ty}),
        },
    }
    new
}

static AVRO_TALLY: Tally = Tally::new();

#[test]
fn avro_counterexamples_of_random_breaking_edits_prove_the_break() {
    let strategy = (
        prop::collection::vec(avro_type(), 1..4),
        any::<prop::sample::Index>(),
        any::<u8>(),
        any::<bool>(),
    );
    let mut runner = TestRunner::new(Config {
        cases: 256,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&strategy, |(types, at, kind, full)| {
            let fields: Vec<Value> = types
                .into_iter()
                .enumerate()
                .map(|(i, t)| json!({"name": format!("f{i}"), "type": t}))
                .collect();
            let mut old = json!({"type": "record", "name": "Root", "fields": fields});
            name_types(&mut old, &mut 0);
            let mut pointers = Vec::new();
            field_pointers(&old, "", &mut pointers);
            let pointer = at.get(&pointers);
            let new = avro_edit(&old, pointer, kind);
            let (Ok(o), Ok(n)) = (
                ParsedSchema::parse(SchemaType::Avro, &old.to_string(), &[]),
                ParsedSchema::parse(SchemaType::Avro, &new.to_string(), &[]),
            ) else {
                return Ok(());
            };
            let level = if full { Level::Full } else { Level::Backward };
            let history = [o.clone()];
            let report = check(level, &n, &history);
            let breaking = report.breaking().count();
            let found = for_report(&n, &history, &report);
            AVRO_TALLY.findings.fetch_add(breaking, Ordering::Relaxed);
            AVRO_TALLY.found.fetch_add(found.len(), Ordering::Relaxed);
            for c in &found {
                assert_avro_proves(&o, &n, c);
            }
            Ok(())
        })
        .unwrap();
    let (found, findings) = AVRO_TALLY.rate();
    eprintln!("avro: {found} counterexamples for {findings} breaking findings");
    assert!(findings > 100, "too few breaking findings: {findings}");
    assert!(
        found * 100 >= findings * 80,
        "counterexamples for only {found} of {findings} breaking findings"
    );
}

/// A random JSON Schema for a value.
fn json_type() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        (0u64..8).prop_map(|n| json!({"type": "string", "maxLength": n + 2})),
        (0u64..3).prop_map(|n| json!({"type": "string", "minLength": n})),
        (-5i64..5).prop_map(|n| json!({"type": "integer", "minimum": n, "maximum": n + 10})),
        Just(json!({"type": "number"})),
        Just(json!({"type": "boolean"})),
        (1usize..4).prop_map(|n| {
            let values: Vec<String> = (0..n).map(|i| format!("V{i}")).collect();
            json!({"enum": values})
        }),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            inner
                .clone()
                .prop_map(|t| json!({"type": "array", "items": t})),
            (prop::collection::vec(inner, 1..4), any::<bool>()).prop_map(|(types, all)| {
                let mut props = Map::new();
                for (i, t) in types.into_iter().enumerate() {
                    props.insert(format!("p{i}"), t);
                }
                let required: Vec<String> = if all {
                    props.keys().cloned().collect()
                } else {
                    Vec::new()
                };
                json!({"type": "object", "properties": props, "required": required})
            }),
        ]
    })
}

/// Every subschema of `value` (properties, items) as pointers.
fn json_pointers(value: &Value, at: &str, out: &mut Vec<String>) {
    out.push(at.to_owned());
    if let Some(Value::Object(props)) = value.get("properties") {
        for (k, v) in props {
            json_pointers(v, &format!("{at}/properties/{k}"), out);
        }
    }
    if let Some(items) = value.get("items") {
        json_pointers(items, &format!("{at}/items"), out);
    }
}

/// A narrowing edit of the subschema at `pointer`, chosen by `kind`.
fn json_edit(schema: &Value, pointer: &str, kind: u8) -> Value {
    let mut new = schema.clone();
    let s = new.pointer_mut(pointer).unwrap().as_object_mut().unwrap();
    let ty = s
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("enum")
        .to_owned();
    match (kind % 4, ty.as_str()) {
        (0, _) => {
            let other = if ty == "boolean" { "string" } else { "boolean" };
            s.clear();
            s.insert("type".into(), json!(other));
        }
        (1, "string") if s.contains_key("maxLength") => {
            let n = s["maxLength"].as_u64().unwrap();
            s.insert("maxLength".into(), json!(n - 1));
        }
        (1, "string") => {
            s.insert("minLength".into(), json!(4));
        }
        (1, "integer") => {
            let n = s["minimum"].as_i64().unwrap();
            s.insert("minimum".into(), json!(n + 1));
        }
        (1, "enum") if s["enum"].as_array().unwrap().len() > 1 => {
            s.get_mut("enum").unwrap().as_array_mut().unwrap().pop();
        }
        (1, "array") => {
            s.insert("minItems".into(), json!(1));
        }
        (1 | 2, "object") => {
            let props = s["properties"].as_object_mut().unwrap();
            props.insert("added".into(), json!({"type": "string"}));
            s.get_mut("required")
                .unwrap()
                .as_array_mut()
                .unwrap()
                .push(json!("added"));
        }
        (3, "object") => {
            s.insert("additionalProperties".into(), json!(false));
            s.insert("maxProperties".into(), json!(1));
        }
        (_, "number") => {
            s.insert("maximum".into(), json!(-1));
        }
        _ => {
            s.clear();
            s.insert("type".into(), json!("null"));
        }
    }
    new
}

static JSON_TALLY: Tally = Tally::new();

#[test]
fn json_counterexamples_of_random_breaking_edits_prove_the_break() {
    let strategy = (
        json_type(),
        any::<prop::sample::Index>(),
        any::<u8>(),
        any::<bool>(),
    );
    let mut runner = TestRunner::new(Config {
        cases: 256,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&strategy, |(old, at, kind, full)| {
            let mut pointers = Vec::new();
            json_pointers(&old, "", &mut pointers);
            let new = json_edit(&old, at.get(&pointers).as_str(), kind);
            let (o, n) = (json_schema(&old), json_schema(&new));
            let level = if full { Level::Full } else { Level::Backward };
            let history = [o.clone()];
            let report = check(level, &n, &history);
            let breaking = report.breaking().count();
            let found = for_report(&n, &history, &report);
            JSON_TALLY.findings.fetch_add(breaking, Ordering::Relaxed);
            JSON_TALLY.found.fetch_add(found.len(), Ordering::Relaxed);
            for c in &found {
                assert_json_proves(&o, &n, c);
            }
            Ok(())
        })
        .unwrap();
    let (found, findings) = JSON_TALLY.rate();
    eprintln!("json: {found} counterexamples for {findings} breaking findings");
    assert!(findings > 100, "too few breaking findings: {findings}");
    assert!(
        found * 100 >= findings * 80,
        "counterexamples for only {found} of {findings} breaking findings"
    );
}
