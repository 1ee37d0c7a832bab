//! Avro parsing: canonical form and fingerprints, normalisation, references, and
//! errors that say what is wrong and where.

use schemagate_core::{
    Level, ParseOptions, ParsedSchema, Reference, SchemaError, SchemaType, check,
};

fn parse(text: &str) -> Result<ParsedSchema, SchemaError> {
    ParsedSchema::parse(SchemaType::Avro, text, &[])
}

fn normalized(text: &str) -> ParsedSchema {
    let options = ParseOptions {
        normalize: true,
        ..ParseOptions::default()
    };
    ParsedSchema::parse_with(SchemaType::Avro, text, &[], &options).expect("valid schema")
}

fn invalid_at(text: &str) -> (String, String) {
    match parse(text) {
        Err(SchemaError::Invalid { path, message }) => (path, message),
        other => panic!("expected Invalid for {text}, got {other:?}"),
    }
}

#[test]
fn whitespace_and_key_order_do_not_change_identity() {
    let a = parse(r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#).unwrap();
    let b = parse(
        "{\n  \"fields\" : [ { \"type\" : \"int\", \"name\" : \"a\" } ],\n  \"name\": \"R\", \"type\": \"record\"\n}",
    )
    .unwrap();
    assert_eq!(a.canonical(), b.canonical());
    assert_eq!(a.fingerprint(), b.fingerprint());
}

#[test]
fn docs_defaults_aliases_and_attributes_are_identity() {
    let base = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#;
    let variants = [
        r#"{"type":"record","name":"R","doc":"d","fields":[{"name":"a","type":"int"}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":1}]}"#,
        r#"{"type":"record","name":"R","aliases":["Q"],"fields":[{"name":"a","type":"int"}]}"#,
        r#"{"type":"record","name":"R","x-owner":"team","fields":[{"name":"a","type":"int"}]}"#,
    ];
    let base = parse(base).unwrap();
    for v in variants {
        assert_ne!(parse(v).unwrap().fingerprint(), base.fingerprint(), "{v}");
    }
}

#[test]
fn primitive_objects_fold_only_without_attributes() {
    assert_eq!(
        parse(r#"{"type":"string"}"#).unwrap().canonical(),
        "\"string\""
    );
    let with_attr = parse(r#"{"type":"string","avro.java.string":"String"}"#).unwrap();
    assert_eq!(
        with_attr.canonical(),
        r#"{"avro.java.string":"String","type":"string"}"#
    );
    let in_field =
        parse(r#"{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"int"}}]}"#)
            .unwrap();
    assert_eq!(
        in_field.canonical(),
        r#"{"fields":[{"name":"a","type":"int"}],"name":"R","type":"record"}"#
    );
}

#[test]
fn attribute_values_are_key_sorted_too() {
    let a = parse(r#"{"type":"int","x":{"b":1,"a":2}}"#).unwrap();
    let b = parse(r#"{"type":"int","x":{"a":2,"b":1}}"#).unwrap();
    assert_eq!(a.fingerprint(), b.fingerprint());
}

#[test]
fn redundant_namespaces_fold_like_java_to_string() {
    let dotted = parse(r#"{"type":"record","name":"a.b.R","fields":[]}"#).unwrap();
    let split = parse(r#"{"type":"record","name":"R","namespace":"a.b","fields":[]}"#).unwrap();
    assert_eq!(dotted.canonical(), split.canonical());
    let inner_redundant = parse(
        r#"{"type":"record","name":"a.R","fields":[{"name":"e","type":{"type":"enum","name":"E","namespace":"a","symbols":["X"]}}]}"#,
    )
    .unwrap();
    let inner_implicit = parse(
        r#"{"type":"record","name":"a.R","fields":[{"name":"e","type":{"type":"enum","name":"E","symbols":["X"]}}]}"#,
    )
    .unwrap();
    assert_eq!(inner_redundant.canonical(), inner_implicit.canonical());
}

#[test]
fn normalize_writes_full_names_everywhere() {
    let text = r#"{"type":"record","name":"R","namespace":"a","fields":[
        {"name":"e","type":{"type":"enum","name":"E","symbols":["X"]}},
        {"name":"f","type":"E"}]}"#;
    let n = normalized(text);
    assert!(
        n.canonical().contains(r#""name":"a.E""#),
        "{}",
        n.canonical()
    );
    assert!(
        n.canonical().contains(r#""type":"a.E""#),
        "{}",
        n.canonical()
    );
    assert!(!n.canonical().contains("namespace"), "{}", n.canonical());
    let spelled_out = normalized(
        r#"{"type":"record","name":"a.R","fields":[
        {"name":"e","type":{"type":"enum","name":"a.E","symbols":["X"]}},
        {"name":"f","type":"a.E"}]}"#,
    );
    assert_eq!(n.fingerprint(), spelled_out.fingerprint());
    // Without normalize the reference is written relative to its namespace.
    assert!(parse(text).unwrap().canonical().contains(r#""type":"E""#));
}

#[test]
fn references_resolve_in_order() {
    let money = Reference::new(
        "com.shop.Money",
        r#"{"type":"record","name":"Money","namespace":"com.shop","fields":[{"name":"cents","type":"long"}]}"#,
    );
    let line = Reference::new(
        "com.shop.Line",
        r#"{"type":"record","name":"Line","namespace":"com.shop","fields":[{"name":"price","type":"Money"}]}"#,
    );
    let order = r#"{"type":"record","name":"Order","namespace":"com.shop","fields":[
        {"name":"lines","type":{"type":"array","items":"Line"}},
        {"name":"total","type":"com.shop.Money"}]}"#;
    let parsed =
        ParsedSchema::parse(SchemaType::Avro, order, &[money.clone(), line.clone()]).unwrap();
    // The referenced definitions are not part of the schema's own text.
    assert!(!parsed.canonical().contains("cents"));
    match ParsedSchema::parse(SchemaType::Avro, order, std::slice::from_ref(&money)) {
        Err(SchemaError::UnresolvedReference { name, path }) => {
            assert_eq!(
                (name.as_str(), path.as_str()),
                ("Line", "/fields/0/type/items")
            );
        }
        other => panic!("{other:?}"),
    }
    // A reference may only use the ones before it.
    assert!(ParsedSchema::parse(SchemaType::Avro, order, &[line, money]).is_err());
}

#[test]
fn checks_see_through_references() {
    let v1 = Reference::new(
        "Money",
        r#"{"type":"record","name":"Money","fields":[{"name":"cents","type":"long"}]}"#,
    );
    let v2 = Reference::new(
        "Money",
        r#"{"type":"record","name":"Money","fields":[{"name":"cents","type":"int"}]}"#,
    );
    let order = r#"{"type":"record","name":"Order","fields":[{"name":"total","type":"Money"}]}"#;
    let old = ParsedSchema::parse(SchemaType::Avro, order, &[v1]).unwrap();
    let new = ParsedSchema::parse(SchemaType::Avro, order, &[v2]).unwrap();
    let report = check(Level::Backward, &new, &[old]);
    assert!(!report.compatible);
    assert_eq!(report.findings[0].path, "/fields/0/type/fields/0/type");
}

#[test]
fn names_fall_back_to_the_null_namespace_as_in_java() {
    let text = r#"{"type":"record","name":"Outer","fields":[
        {"name":"a","type":{"type":"fixed","name":"Id","size":4}},
        {"name":"b","type":{"type":"record","name":"In","namespace":"x","fields":[{"name":"id","type":"Id"}]}}]}"#;
    assert!(parse(text).is_ok());
}

#[test]
fn recursive_types_parse() {
    assert!(parse(r#"{"type":"record","name":"Node","fields":[{"name":"next","type":["null","Node"],"default":null}]}"#).is_ok());
}

#[test]
fn errors_name_the_place() {
    let cases: &[(&str, &str, &str)] = &[
        (
            r#"{"type":"record","name":"R","fields":[{"name":"1a","type":"int"}]}"#,
            "/fields/0/name",
            "invalid name",
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"a","type":"int"}]}"#,
            "/fields/1/name",
            "duplicate field",
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":["null","int"],"default":1}]}"#,
            "/fields/0/default",
            "first branch",
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"x"}]}"#,
            "/fields/0/default",
            "32-bit integer",
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":3000000000}]}"#,
            "/fields/0/default",
            "32-bit integer",
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"array","items":"int"},"default":[1,"x"]}]}"#,
            "/fields/0/default/1",
            "32-bit",
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"record","name":"S","fields":[{"name":"b","type":"int"}]},"default":{}}]}"#,
            "/fields/0/default/b",
            "missing",
        ),
        (
            r#"{"type":"enum","name":"E","symbols":["A","A"]}"#,
            "/symbols/1",
            "duplicate enum symbol",
        ),
        (
            r#"{"type":"enum","name":"E","symbols":["A"],"default":"B"}"#,
            "/default",
            "not one of the symbols",
        ),
        (
            r#"{"type":"enum","name":"E","symbols":["A-B"]}"#,
            "/symbols/0",
            "invalid name",
        ),
        (r#"["int","int"]"#, "/1", "duplicate int"),
        (r#"["int",["null","string"]]"#, "/1", "another union"),
        (r#"{"type":"record","name":"R"}"#, "", "no \"fields\""),
        (r#"{"type":"fixed","name":"F"}"#, "", "no \"size\""),
        (
            r#"{"type":"fixed","name":"F","size":-1}"#,
            "/size",
            "non-negative",
        ),
        (
            r#"{"type":"record","name":"int","fields":[]}"#,
            "/name",
            "primitive",
        ),
        (
            r#"[{"type":"fixed","name":"F","size":1},{"type":"fixed","name":"F","size":2}]"#,
            "/1/name",
            "defined twice",
        ),
        (r#"{"type":"array"}"#, "", "no \"items\""),
        (r#"{"type":{"type":"int"}}"#, "/type", "must be a type name"),
        (r#"42"#, "", "expected a schema"),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","order":"up"}]}"#,
            "/fields/0/order",
            "order",
        ),
        (
            r#"{"type":"record","name":"R","namespace":"1x","fields":[]}"#,
            "/name",
            "namespace",
        ),
    ];
    for (text, path, needle) in cases {
        let (p, m) = invalid_at(text);
        assert_eq!(&p, path, "{text}: {m}");
        assert!(m.contains(needle), "{text}: {m}");
    }
}

#[test]
fn undefined_names_are_unresolved_references() {
    match parse(r#"{"type":"record","name":"R","fields":[{"name":"a","type":"Missing"}]}"#) {
        Err(SchemaError::UnresolvedReference { name, path }) => {
            assert_eq!(
                (name.as_str(), path.as_str()),
                ("Missing", "/fields/0/type")
            )
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn malformed_json_gives_line_and_column() {
    match parse("{\"type\": \"record\",\n \"name\": }") {
        Err(SchemaError::Syntax { line, .. }) => assert_eq!(line, 2),
        other => panic!("{other:?}"),
    }
}

#[test]
fn java_accepted_defaults_are_accepted() {
    // Java checks only that enum and fixed defaults are strings, and that float
    // defaults are numbers; Confluent registers these.
    for text in [
        r#"{"type":"record","name":"R","fields":[{"name":"e","type":{"type":"enum","name":"E","symbols":["A"]},"default":"A"}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"d","type":"double","default":1}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"d","type":{"type":"bytes","logicalType":"decimal","precision":4,"scale":2},"default":"\u0000"}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"m","type":{"type":"map","values":"long"},"default":{"a":1}}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"s","type":{"type":"record","name":"S","fields":[{"name":"b","type":"int","default":2}]},"default":{}}]}"#,
    ] {
        assert!(parse(text).is_ok(), "{text}: {:?}", parse(text).err());
    }
}

#[test]
fn apache_avro_parses_the_same_schema() {
    let s = parse(r#"{"type":"record","name":"R","fields":[{"name":"a","type":["null","string"],"default":null}]}"#).unwrap();
    assert!(s.as_avro().and_then(|a| a.apache()).is_some());
}

/// Two texts that Avro's Java parser reads into the same schema: the same canonical
/// text, fingerprint and registered text.
fn same_schema(a: &str, b: &str) {
    let (a, b) = (parse(a).unwrap(), parse(b).unwrap());
    assert_eq!(a.canonical(), b.canonical());
    assert_eq!(a.fingerprint(), b.fingerprint());
    assert_eq!(a.registered(), b.registered());
}

#[test]
fn reserved_keys_on_a_primitive_are_dropped_as_java_drops_them() {
    // Java's parsePrimitive keeps only the keys outside Schema.SCHEMA_RESERVED.
    same_schema(r#"{"type":"int","name":"N"}"#, r#""int""#);
    assert_eq!(
        parse(r#"{"type":"int","name":"N"}"#).unwrap().canonical(),
        "\"int\""
    );
    same_schema(
        r#"{"type":"int","doc":"d","namespace":"q","aliases":["a"],"x":1,"size":3,"fields":[],"symbols":["S"],"items":"int","values":"int"}"#,
        r#"{"type":"int","x":1}"#,
    );
}

#[test]
fn reserved_keys_on_arrays_and_maps_are_dropped() {
    same_schema(
        r#"{"type":"array","items":"int","name":"A","doc":"d","values":"x","x":"kept"}"#,
        r#"{"type":"array","items":"int","x":"kept"}"#,
    );
    same_schema(
        r#"{"type":"map","values":"int","items":"y","symbols":["S"],"fields":[],"namespace":"n","size":1,"aliases":["q"]}"#,
        r#"{"type":"map","values":"int"}"#,
    );
}

#[test]
fn reserved_keys_a_named_type_does_not_use_are_dropped() {
    same_schema(
        r#"{"type":"record","name":"R","size":3,"symbols":["A"],"items":"int","values":"int","fields":[]}"#,
        r#"{"type":"record","name":"R","fields":[]}"#,
    );
    same_schema(
        r#"{"type":"enum","name":"E","symbols":["A"],"size":3,"fields":[],"items":"int","values":"int"}"#,
        r#"{"type":"enum","name":"E","symbols":["A"]}"#,
    );
    same_schema(
        r#"{"type":"fixed","name":"F","size":2,"fields":[],"symbols":["A"],"items":"int","values":"int"}"#,
        r#"{"type":"fixed","name":"F","size":2}"#,
    );
    // A key that is reserved only for another type stays an attribute (Java keeps a
    // record's or a fixed's "default"), and so stays part of the identity.
    let plain = parse(r#"{"type":"record","name":"R","fields":[]}"#).unwrap();
    let with_default = parse(r#"{"type":"record","name":"R","default":{},"fields":[]}"#).unwrap();
    assert_ne!(plain.fingerprint(), with_default.fingerprint());
}

#[test]
fn repeated_aliases_are_one_alias() {
    // Java holds a field's aliases in a LinkedHashSet<String>, a named type's in a
    // LinkedHashSet<Name>: a repeat, or a full name that is the relative one, is dropped.
    same_schema(
        r#"{"type":"record","name":"R","fields":[{"name":"f","type":"int","aliases":["g","h","g"]}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"f","type":"int","aliases":["g","h"]}]}"#,
    );
    same_schema(
        r#"{"type":"record","name":"R","namespace":"n","aliases":["A","n.A","B","A"],"fields":[]}"#,
        r#"{"type":"record","name":"R","namespace":"n","aliases":["A","B"],"fields":[]}"#,
    );
}
