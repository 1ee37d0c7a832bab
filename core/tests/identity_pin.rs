//! Pins the canonical text and fingerprint of a few schemas byte for byte. The
//! registry's stored content keys are built from the fingerprint, so a change here
//! would make a stored schema a stranger to its own text: these values were printed
//! by the code before `registered()` existed and must never move.

use schemagate_core::{ParseOptions, ParsedSchema, Reference, SchemaType};

struct Pin {
    schema_type: SchemaType,
    normalize: bool,
    references: &'static [(&'static str, &'static str)],
    text: &'static str,
    canonical: &'static str,
    fingerprint: &'static str,
}

const AVRO_RECORD: &str = r#"{
  "type": "record", "name": "Order", "namespace": "com.shop", "doc": "An order",
  "aliases": ["Purchase", "old.Order"], "x-owner": {"team": "b", "alpha": [2, 1]},
  "fields": [
    {"name": "id", "type": "long", "doc": "key", "order": "descending", "aliases": ["key"], "x-pii": false},
    {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "DONE"], "default": "NEW", "aliases": ["State"], "x-e": 1}, "default": "NEW"},
    {"name": "hash", "type": {"type": "fixed", "name": "Hash", "namespace": "com.crypto", "size": 16}},
    {"name": "amount", "type": {"type": "bytes", "scale": 2, "logicalType": "decimal", "precision": 9}},
    {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    {"name": "tags", "type": {"type": "array", "items": "string", "x-a": "y"}, "default": []},
    {"name": "attrs", "type": {"type": "map", "values": "Status"}, "default": {"b": "NEW", "a": "DONE"}},
    {"name": "next", "type": ["null", "Order"], "default": null, "ratio": 1.50}
  ]
}"#;

const PINS: &[Pin] = &[
    Pin {
        schema_type: SchemaType::Avro,
        normalize: false,
        references: &[],
        text: AVRO_RECORD,
        canonical: "{\"aliases\":[\"Purchase\",\"old.Order\"],\"doc\":\"An order\",\"fields\":[{\"aliases\":[\"key\"],\"doc\":\"key\",\"name\":\"id\",\"order\":\"descending\",\"type\":\"long\",\"x-pii\":false},{\"default\":\"NEW\",\"name\":\"status\",\"type\":{\"aliases\":[\"State\"],\"default\":\"NEW\",\"name\":\"Status\",\"symbols\":[\"NEW\",\"DONE\"],\"type\":\"enum\",\"x-e\":1}},{\"name\":\"hash\",\"type\":{\"name\":\"Hash\",\"namespace\":\"com.crypto\",\"size\":16,\"type\":\"fixed\"}},{\"name\":\"amount\",\"type\":{\"logicalType\":\"decimal\",\"precision\":9,\"scale\":2,\"type\":\"bytes\"}},{\"name\":\"at\",\"type\":{\"logicalType\":\"timestamp-millis\",\"type\":\"long\"}},{\"default\":[],\"name\":\"tags\",\"type\":{\"items\":\"string\",\"type\":\"array\",\"x-a\":\"y\"}},{\"default\":{\"a\":\"DONE\",\"b\":\"NEW\"},\"name\":\"attrs\",\"type\":{\"type\":\"map\",\"values\":\"Status\"}},{\"default\":null,\"name\":\"next\",\"ratio\":1.5,\"type\":[\"null\",\"Order\"]}],\"name\":\"Order\",\"namespace\":\"com.shop\",\"type\":\"record\",\"x-owner\":{\"alpha\":[2,1],\"team\":\"b\"}}",
        fingerprint: "dcd6c19c6bd2234146c86b15028020edf1d5cf40101e797ce2c97139d25cf8f7",
    },
    Pin {
        schema_type: SchemaType::Avro,
        normalize: true,
        references: &[],
        text: AVRO_RECORD,
        canonical: "{\"aliases\":[\"com.shop.Purchase\",\"old.Order\"],\"doc\":\"An order\",\"fields\":[{\"aliases\":[\"key\"],\"doc\":\"key\",\"name\":\"id\",\"order\":\"descending\",\"type\":\"long\",\"x-pii\":false},{\"default\":\"NEW\",\"name\":\"status\",\"type\":{\"aliases\":[\"com.shop.State\"],\"default\":\"NEW\",\"name\":\"com.shop.Status\",\"symbols\":[\"NEW\",\"DONE\"],\"type\":\"enum\",\"x-e\":1}},{\"name\":\"hash\",\"type\":{\"name\":\"com.crypto.Hash\",\"size\":16,\"type\":\"fixed\"}},{\"name\":\"amount\",\"type\":{\"logicalType\":\"decimal\",\"precision\":9,\"scale\":2,\"type\":\"bytes\"}},{\"name\":\"at\",\"type\":{\"logicalType\":\"timestamp-millis\",\"type\":\"long\"}},{\"default\":[],\"name\":\"tags\",\"type\":{\"items\":\"string\",\"type\":\"array\",\"x-a\":\"y\"}},{\"default\":{\"a\":\"DONE\",\"b\":\"NEW\"},\"name\":\"attrs\",\"type\":{\"type\":\"map\",\"values\":\"com.shop.Status\"}},{\"default\":null,\"name\":\"next\",\"ratio\":1.5,\"type\":[\"null\",\"com.shop.Order\"]}],\"name\":\"com.shop.Order\",\"type\":\"record\",\"x-owner\":{\"alpha\":[2,1],\"team\":\"b\"}}",
        fingerprint: "65c053b7d8670dff6d3f9950a99bbcc41dee6e595364aff756dc2fd4fe41809a",
    },
    Pin {
        schema_type: SchemaType::Avro,
        normalize: false,
        references: &[],
        text: r#"{"type":"string","avro.java.string":"String"}"#,
        canonical: "{\"avro.java.string\":\"String\",\"type\":\"string\"}",
        fingerprint: "915d4d0359e74266b7eee2c71e917d4ed24f6129428c17236bab7d7db0a28151",
    },
    Pin {
        schema_type: SchemaType::Avro,
        normalize: false,
        references: &[],
        text: "\"int\"",
        canonical: "\"int\"",
        fingerprint: "b97955ad5fe5ef560395c1fa1a1d1c90e91af2fa2b69acad51b8ee157b9ce41d",
    },
    Pin {
        schema_type: SchemaType::Avro,
        normalize: false,
        references: &[(
            "com.shop.Address",
            r#"{"type":"record","name":"Address","namespace":"com.shop","fields":[{"name":"zip","type":"string"}]}"#,
        )],
        text: r#"{"type":"record","name":"Customer","namespace":"com.shop","fields":[{"name":"home","type":"Address"},{"name":"work","type":["null","com.shop.Address"],"default":null}]}"#,
        canonical: "{\"fields\":[{\"name\":\"home\",\"type\":\"Address\"},{\"default\":null,\"name\":\"work\",\"type\":[\"null\",\"Address\"]}],\"name\":\"Customer\",\"namespace\":\"com.shop\",\"type\":\"record\"}",
        fingerprint: "21215d77951eea555036919d8a003db44bf98761298c78fe9b310be7e4f8bab7",
    },
    Pin {
        schema_type: SchemaType::Json,
        normalize: false,
        references: &[],
        text: r#"{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object",
  "properties": {"zeta": {"type": "number", "maximum": 1.50, "minimum": 1e2}, "alpha": {"type": "string", "pattern": "^a\/b\u0001$"}, "mid": {"enum": [3, -0, 12345678901234567890123]}},
  "required": ["zeta", "alpha"],
  "additionalProperties": false
}"#,
        canonical: "{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"additionalProperties\":false,\"properties\":{\"alpha\":{\"pattern\":\"^a/b\\u0001$\",\"type\":\"string\"},\"mid\":{\"enum\":[3,-0.0,1.2345678901234568e+22]},\"zeta\":{\"maximum\":1.5,\"minimum\":100.0,\"type\":\"number\"}},\"required\":[\"zeta\",\"alpha\"],\"type\":\"object\"}",
        fingerprint: "2a7da28838456907a0d9c284587f70b80839c70cbfa684de5a0bfcbe61c56efa",
    },
    Pin {
        schema_type: SchemaType::Json,
        normalize: false,
        references: &[(
            "address.json",
            r#"{"type":"object","properties":{"street":{"type":"string"}}}"#,
        )],
        text: r#"{"type":"object","properties":{"home":{"$ref":"address.json"}}}"#,
        canonical: "{\"properties\":{\"home\":{\"$ref\":\"address.json\"}},\"type\":\"object\"}",
        fingerprint: "53a62c0f5726ee5d97537739abbe970bd5c099258146d14b73f33f5aa612c1d4",
    },
];

fn parse(pin: &Pin) -> ParsedSchema {
    let references: Vec<Reference> = pin
        .references
        .iter()
        .map(|(name, text)| Reference::new(*name, *text))
        .collect();
    let options = ParseOptions {
        normalize: pin.normalize,
        ..ParseOptions::default()
    };
    ParsedSchema::parse_with(pin.schema_type, pin.text, &references, &options)
        .expect("valid schema")
}

#[test]
fn canonical_text_and_fingerprint_never_move() {
    let mut drift = Vec::new();
    for (i, pin) in PINS.iter().enumerate() {
        let parsed = parse(pin);
        let fingerprint = parsed.fingerprint().to_hex();
        if parsed.canonical() != pin.canonical || fingerprint != pin.fingerprint {
            drift.push(format!(
                "pin {i}:\n  canonical: {:?}\n  fingerprint: {fingerprint:?}",
                parsed.canonical()
            ));
        }
    }
    assert!(drift.is_empty(), "identity drifted:\n{}", drift.join("\n"));
}
