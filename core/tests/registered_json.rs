//! The registered text of JSON schemas: what Confluent stores, Jackson's
//! `writeValueAsString` of the tree its mapper read (keys in the registrant's order,
//! no whitespace, numbers as exact `BigDecimal`s), against the canonical form (keys
//! sorted), which stays the identity.

use schemagate_core::{ParseOptions, ParsedSchema, SchemaType};

fn json(text: &str) -> ParsedSchema {
    ParsedSchema::parse(SchemaType::Json, text, &[]).expect("valid schema")
}

fn normalized(text: &str) -> ParsedSchema {
    let options = ParseOptions {
        normalize: true,
        ..ParseOptions::default()
    };
    ParsedSchema::parse_with(SchemaType::Json, text, &[], &options).expect("valid schema")
}

#[test]
fn keys_come_back_in_the_order_written() {
    let s = json(
        r#"{"properties": {"zeta": {"type": "string"}, "alpha": {"type": "integer"}, "mid": {"type": "boolean"}}}"#,
    );
    assert_eq!(
        s.registered(),
        r#"{"properties":{"zeta":{"type":"string"},"alpha":{"type":"integer"},"mid":{"type":"boolean"}}}"#
    );
    assert_eq!(
        s.canonical(),
        r#"{"properties":{"alpha":{"type":"integer"},"mid":{"type":"boolean"},"zeta":{"type":"string"}}}"#
    );
}

#[test]
fn nested_keys_keep_their_order_and_whitespace_goes() {
    let text = "{\n  \"type\" : \"object\",\n  \"properties\" : {\n    \"b\" : { \"type\" : \"object\", \"properties\" : { \"y\" : { \"minimum\" : 1 }, \"x\" : { \"enum\" : [ \"q\", \"p\" ] } } },\n    \"a\" : { \"type\" : \"array\", \"items\" : { \"title\" : \"t\", \"description\" : \"d\" } }\n  },\n  \"required\" : [ \"b\", \"a\" ]\n}\n";
    assert_eq!(
        json(text).registered(),
        r#"{"type":"object","properties":{"b":{"type":"object","properties":{"y":{"minimum":1},"x":{"enum":["q","p"]}}},"a":{"type":"array","items":{"title":"t","description":"d"}}},"required":["b","a"]}"#
    );
}

#[test]
fn key_order_and_whitespace_change_the_registered_text_only() {
    let a = json(r#"{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"number"}}}"#);
    let b = json(
        "{ \"properties\": { \"b\": { \"type\": \"number\" }, \"a\": { \"type\": \"string\" } },\n  \"type\": \"object\" }",
    );
    let c = json(
        "{\"type\" :\"object\",\n\t\"properties\":{\"a\":{\"type\":\"string\"},\"b\":{\"type\":\"number\"}}}",
    );
    assert_ne!(a.registered(), b.registered());
    assert_eq!(a.canonical(), b.canonical());
    assert_eq!(a.fingerprint(), b.fingerprint());
    // Whitespace alone: the compact texts are equal too.
    assert_eq!(a.registered(), c.registered());
    assert_eq!(a.fingerprint(), c.fingerprint());
}

#[test]
fn numbers_are_written_as_jackson_writes_exact_decimals() {
    // Confluent's mapper reads non-integers as BigDecimal exactly and writes them with
    // BigDecimal.toString; integers keep their digits, however many. Expected: printed
    // by Jackson configured as Confluent's mapper, as below.
    let s = json(
        r#"{"properties":{"a":{"maximum":1.50},"b":{"minimum":1e2},"c":{"multipleOf":0.0000001},"d":{"enum":[-0,12345678901234567890123,1.0,-2.5E-3]}}}"#,
    );
    assert_eq!(
        s.registered(),
        r#"{"properties":{"a":{"maximum":1.50},"b":{"minimum":1E+2},"c":{"multipleOf":1E-7},"d":{"enum":[0,12345678901234567890123,1.0,-0.0025]}}}"#
    );
}

#[test]
fn number_forms_match_jackson() {
    // Expected: printed by Jackson (2.14) configured as Confluent's JSON Schema mapper
    // (USE_BIG_DECIMAL_FOR_FLOATS, JsonNodeFactory.withExactBigDecimals(true)),
    // writeValueAsString(readTree(text)).
    let s = json(
        r#"{"x":[0.00001,0.0000001,100e-2,12.5e1,0e5,-0.0,0.000,1E+2,1.5e10,123.456e-2,0.5e-10,9007199254740993,-9223372036854775809]}"#,
    );
    assert_eq!(
        s.registered(),
        r#"{"x":[0.00001,1E-7,1.00,125,0E+5,0.0,0.000,1E+2,1.5E+10,1.23456,5E-11,9007199254740993,-9223372036854775809]}"#
    );
}

#[test]
fn strings_are_escaped_as_jackson_escapes_them() {
    // Expected: printed by Jackson configured as Confluent's mapper, as above.
    let s = json(r#"{"description":"a \/ b \" c \\ d \u0001 e \t f é \ud83d\ude00"}"#);
    assert_eq!(
        s.registered(),
        "{\"description\":\"a / b \\\" c \\\\ d \\u0001 e \\t f é 😀\"}"
    );
}

#[test]
fn a_repeated_key_keeps_its_first_place_and_last_value() {
    let s = json(r#"{"title":"first","type":"object","title":"last"}"#);
    assert_eq!(s.registered(), r#"{"title":"last","type":"object"}"#);
}

#[test]
fn normalize_sorts_keys_at_every_level() {
    // Confluent's normalize reads the text again into a sorting tree.
    let s = normalized(
        r#"{"type":"object","properties":{"zeta":{"type":"string","title":"z"},"alpha":{"type":"integer"}}}"#,
    );
    assert_eq!(
        s.registered(),
        r#"{"properties":{"alpha":{"type":"integer"},"zeta":{"title":"z","type":"string"}},"type":"object"}"#
    );
}

#[test]
fn a_boolean_schema_is_its_word() {
    assert_eq!(json("true").registered(), "true");
    assert_eq!(json(" false ").registered(), "false");
}
