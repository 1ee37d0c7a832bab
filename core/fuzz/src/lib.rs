//! The fuzz target bodies, shared by the cargo-fuzz binaries in `fuzz_targets/` and by
//! the stable-toolchain replay in `core/tests/fuzz_corpus.rs` (which includes this
//! file as a module). Each takes arbitrary bytes and must return without panicking;
//! the properties asserted on the way are ones every valid schema has.

use schemagate_core::counterexample::{Side, for_report};
use schemagate_core::{Level, ParseOptions, ParsedSchema, SchemaType, check, validate};

/// Parses `data` plainly and normalised; whatever parses must have a canonical text
/// that parses again to the same canonical text (the registry stores that text and
/// re-parses it for every later check), and a registered text (what Confluent would
/// store and return) that parses again to itself.
fn parse(schema_type: SchemaType, data: &[u8]) -> Option<ParsedSchema> {
    let mut plain = None;
    for normalize in [false, true] {
        let options = ParseOptions {
            normalize,
            ..ParseOptions::default()
        };
        let Ok(parsed) = ParsedSchema::parse_bytes(schema_type, data, &[], &options) else {
            continue;
        };
        let again = ParsedSchema::parse_with(schema_type, parsed.canonical(), &[], &options)
            .unwrap_or_else(|e| {
                panic!(
                    "canonical form {:?} does not parse: {e}",
                    parsed.canonical()
                )
            });
        assert_eq!(
            again.canonical(),
            parsed.canonical(),
            "canonical form is not a fixed point"
        );
        if !normalize {
            // Not with normalize: Confluent's normalised Avro text converts defaults
            // and may move a type's namespace, so it is not a fixed point by design.
            let again = ParsedSchema::parse_with(schema_type, parsed.registered(), &[], &options)
                .unwrap_or_else(|e| {
                    panic!(
                        "registered text {:?} does not parse: {e}",
                        parsed.registered()
                    )
                });
            assert_eq!(
                again.registered(),
                parsed.registered(),
                "registered text is not a fixed point"
            );
            plain = Some(parsed);
        }
    }
    plain
}

/// Two schemas from one input: split at the first NUL byte (none: the input twice).
fn compat(schema_type: SchemaType, data: &[u8]) {
    let (old, new) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, data),
    };
    let (Some(old), Some(new)) = (parse(schema_type, old), parse(schema_type, new)) else {
        return;
    };
    let history = [old.clone(), new.clone()];
    for level in Level::ALL {
        let report = check(level, &new, &history[..1]);
        let _ = report.compatible;
        let _ = check(level, &old, &history);
    }
    // Counterexamples of both directions: the search is bounded and must not panic,
    // and an Avro or JSON Schema event is one its writer accepts (a Protobuf event may
    // be of a nested message, which `validate`, reading the first one, does not take).
    let report = check(Level::Full, &new, &history[..1]);
    for c in for_report(&new, &history[..1], &report) {
        let writer = match c.writer {
            Side::Old => &old,
            Side::New => &new,
        };
        if schema_type != SchemaType::Protobuf {
            assert_eq!(
                validate(writer, &c.event),
                vec![],
                "a counterexample its writer refuses: {c:?}"
            );
        }
    }
    // The one exception, as in Java's `lookupWriterField`: a field alias that names
    // another field of the record makes that field ambiguous, even against itself.
    let itself = check(Level::FullTransitive, &old, std::slice::from_ref(&old));
    assert!(
        itself
            .breaking()
            .all(|finding| finding.rule == "AMBIGUOUS_READER_FIELD"),
        "a schema is not compatible with itself: {}",
        old.canonical()
    );
}

/// `parse_avro`: any bytes as an Avro schema.
pub fn parse_avro(data: &[u8]) {
    let _ = parse(SchemaType::Avro, data);
}

/// `parse_json`: any bytes as a JSON Schema.
pub fn parse_json(data: &[u8]) {
    let _ = parse(SchemaType::Json, data);
}

/// `compat_avro`: two Avro schemas (split at the first NUL) through every level.
pub fn compat_avro(data: &[u8]) {
    compat(SchemaType::Avro, data);
}

/// `compat_json`: two JSON Schemas (split at the first NUL) through every level.
pub fn compat_json(data: &[u8]) {
    compat(SchemaType::Json, data);
}

/// `parse_protobuf`: any bytes as a Protobuf schema (`.proto` text or a base64
/// descriptor); what parses prints back to a text that parses to the same print.
pub fn parse_protobuf(data: &[u8]) {
    let _ = parse(SchemaType::Protobuf, data);
}

/// `compat_protobuf`: two Protobuf schemas (split at the first NUL) through every level.
pub fn compat_protobuf(data: &[u8]) {
    compat(SchemaType::Protobuf, data);
}
