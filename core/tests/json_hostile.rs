//! Hostile JSON Schema input: every case must end in an error or a verdict, quickly,
//! without a panic, a stack overflow or a hang. Each runs on its own thread with a
//! default-sized stack and a deadline, so a hang fails the test instead of stalling CI.

use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use schemagate_core::{
    Finding, Level, Limits, ParseOptions, ParsedSchema, Report, SchemaError, SchemaType, check,
    validate,
};
use serde_json::{Value, json};

/// Runs `f` on a fresh thread; fails if it panics or takes longer than `secs`.
fn within<T: Send + 'static>(secs: u64, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(Duration::from_secs(secs)) {
        Ok(v) => v,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("did not finish within {secs}s"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("panicked (see above)"),
    }
}

fn parse(v: &Value) -> Result<ParsedSchema, SchemaError> {
    ParsedSchema::parse(SchemaType::Json, &v.to_string(), &[])
}

/// The check of `build("string")` against `build("integer")` under `level`: one schema
/// whose deepest type changes, which is always a breaking change.
fn leaf_type_changed(level: Level, build: impl Fn(&str) -> Value) -> Report {
    let old = parse(&build("integer")).unwrap();
    let new = parse(&build("string")).unwrap();
    check(level, &new, &[old])
}

/// `$ref` cycles are legal JSON Schema: the metaschema allows them, and Confluent's
/// registry loads them (everit's loader keeps each `$ref` as a mutable placeholder so
/// that recursive schemas load). A Confluent-compatible registry must therefore accept
/// them too, not refuse them at parse time, and its checker must then reach a verdict
/// on them without looping.
#[test]
fn ref_loops_parse_and_compare_without_looping() {
    within(20, || {
        let loops = [
            json!({"$ref": "#"}),
            json!({"$ref": "#/definitions/a", "definitions": {"a": {"$ref": "#/definitions/b"}, "b": {"$ref": "#/definitions/a"}}}),
            json!({"allOf": [{"$ref": "#"}], "properties": {"x": {"$ref": "#"}}}),
            json!({"anyOf": [{"$ref": "#"}, {"type": "string"}]}),
            json!({"not": {"$ref": "#"}}),
        ];
        for (i, schema) in loops.iter().enumerate() {
            let old = parse(schema).unwrap_or_else(|e| panic!("loop {i} refused: {e}"));
            let mut changed = schema.clone();
            changed["description"] = json!("changed");
            let new = parse(&changed).expect("same schema plus a description");
            for level in Level::ALL {
                let report = check(level, &new, std::slice::from_ref(&old));
                // A description is an annotation: through a loop or not, it never breaks.
                assert!(report.compatible, "loop {i} under {level}: {report}");
            }
            let _ = validate(&old, &json!({"x": {"x": {"x": 1}}}));
        }
    });
}

/// A cycle of nothing but `$ref`s is accepted like any other loop (see above), but it
/// never reaches a schema, so no other schema can be shown to read the same data:
/// the verdict against one is breaking, never a hang.
#[test]
fn pure_ref_cycle_is_a_verdict_not_a_hang() {
    within(20, || {
        let schema = json!({"$ref": "#/definitions/a", "definitions": {"a": {"$ref": "#/definitions/b"}, "b": {"$ref": "#/definitions/a"}}});
        let s = parse(&schema).expect("a pure $ref cycle is accepted at parse time");
        let other = parse(&json!({"type": "string"})).unwrap();
        let report = check(Level::Full, &other, &[s]);
        assert!(report.findings.iter().any(|f| f.is_breaking()));
    });
}

#[test]
fn ten_thousand_deep_nesting_is_refused() {
    within(20, || {
        // `leaf` inside 10,000 objects that each hold the next under `keyword`.
        let nested = |keyword: &str, leaf: &str| {
            let open = format!("{{\"{keyword}\":");
            format!("{}{leaf}{}", open.repeat(10_000), "}".repeat(10_000))
        };
        let text = nested("items", "{}");
        let err = ParsedSchema::parse(SchemaType::Json, &text, &[]).unwrap_err();
        assert!(matches!(err, SchemaError::TooDeep { .. }), "{err:?}");

        let text = nested("not", "true");
        assert!(ParsedSchema::parse(SchemaType::Json, &text, &[]).is_err());
    });
}

#[test]
fn nesting_at_the_depth_limit_compares() {
    within(30, || {
        // 49 levels of properties: 98 JSON levels, just inside the default limit of 100.
        let build = |leaf: &str| {
            let mut v = json!({"type": leaf});
            for _ in 0..49 {
                v = json!({"properties": {"a": v}});
            }
            v
        };
        let report = leaf_type_changed(Level::FullTransitive, build);
        assert!(!report.compatible);
        assert!(
            report
                .findings
                .iter()
                .any(|f| f.rule == "TYPE_CHANGED" && f.path.matches("/properties/a").count() == 49)
        );
    });
}

#[test]
fn long_acyclic_ref_chain_stops_at_the_walk_limit() {
    within(60, || {
        let n = 3_000;
        let build = |leaf: &str| {
            let mut defs = serde_json::Map::new();
            for i in 0..n {
                defs.insert(
                    format!("d{i}"),
                    json!({"type": "object", "properties": {"next": {"$ref": format!("#/definitions/d{}", i + 1)}}}),
                );
            }
            defs.insert(format!("d{n}"), json!({"type": leaf}));
            json!({"$ref": "#/definitions/d0", "definitions": defs})
        };
        let report = leaf_type_changed(Level::Full, build);
        // Too deep to prove either way: refused, with a rule that says why.
        assert!(!report.compatible);
        let too_complex = |f: &Finding| f.rule == "COMPARISON_TOO_COMPLEX";
        assert!(report.findings.iter().any(too_complex), "{report}");
    });
}

#[test]
fn pathological_patterns_are_bounded() {
    within(30, || {
        let evil = "a".repeat(40) + "!";
        for pattern in [
            "^(a+)+$",
            "^(a|aa)+$",
            "^(a|a?)+$",
            "^(?=a)(a+)+$",
            "^(a+)+\\1$",
        ] {
            let schema = parse(&json!({"type": "string", "pattern": pattern}));
            let Ok(schema) = schema else { continue };
            let start = Instant::now();
            let violations = validate(&schema, &json!(evil));
            assert!(
                start.elapsed() < Duration::from_secs(5),
                "{pattern} took {:?}",
                start.elapsed()
            );
            // Never silently valid: either a plain mismatch or a bounded-regex error.
            assert!(!violations.is_empty(), "{pattern} accepted {evil}");
        }
        // A regex whose compiled form would be enormous is refused up front.
        let err = parse(&json!({"type": "string", "pattern": "(a{1000}){1000}"})).unwrap_err();
        assert!(matches!(err, SchemaError::Invalid { .. }), "{err:?}");
        // In patternProperties, used by the compatibility walk, it matches nothing.
        let old = parse(&json!({"type": "object", "patternProperties": {"^(a+)+$": {"type": "string"}}, "additionalProperties": false})).unwrap();
        let new = parse(&json!({"type": "object", "properties": {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!": {"type": "string"}}, "patternProperties": {"^(a+)+$": {"type": "string"}}, "additionalProperties": false})).unwrap();
        let _ = check(Level::Full, &new, &[old]);
    });
}

#[test]
fn huge_enums_compare_in_linear_time() {
    within(60, || {
        let values: Vec<Value> = (0..100_000).map(|i| json!(format!("v{i}"))).collect();
        let old = parse(&json!({"enum": values})).unwrap();
        let mut more = values.clone();
        more.push(json!("extra"));
        let new = parse(&json!({"enum": more})).unwrap();
        let start = Instant::now();
        let report = check(Level::Backward, &new, std::slice::from_ref(&old));
        assert!(report.compatible);
        let report = check(Level::Forward, &new, &[old]);
        assert!(!report.compatible);
        assert!(
            report.findings[0].message.len() < 500,
            "message stays short"
        );
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{:?}",
            start.elapsed()
        );
    });
}

#[test]
fn wide_and_nested_combinators_end_in_a_verdict() {
    within(120, || {
        // 1,000 distinct branches on each side: a million branch pairs.
        let branches = |t: &str| -> Vec<Value> {
            (0..1000).map(|i| json!({"type": "object", "properties": {format!("p{i}"): {"type": t}}, "required": [format!("p{i}")]})).collect()
        };
        let old = parse(&json!({"oneOf": branches("string")})).unwrap();
        let new = parse(&json!({"oneOf": branches("integer")})).unwrap();
        let report = check(Level::Backward, &new, &[old]);
        assert!(!report.compatible);

        // anyOf nested 12 deep, 4 branches at each level.
        let mut leaf_a = json!({"type": "string"});
        let mut leaf_b = json!({"type": "integer"});
        for i in 0..12 {
            leaf_a = json!({"anyOf": [leaf_a, {"minimum": i}, {"maxLength": i}, {"enum": [i]}]});
            leaf_b = json!({"anyOf": [leaf_b, {"minimum": i}, {"maxLength": i}, {"enum": [i]}]});
        }
        let old = parse(&leaf_a).unwrap();
        let new = parse(&leaf_b).unwrap();
        let _ = check(Level::FullTransitive, &new, &[old]);
    });
}

#[test]
fn malformed_and_oversized_input_is_an_error() {
    within(20, || {
        for text in [
            "",
            "[1, 2]",
            "42",
            "{\"type\": ",
            "{\"type\": \"strng\"}",
            "{\"minimum\": \"x\"}",
        ] {
            assert!(
                ParsedSchema::parse(SchemaType::Json, text, &[]).is_err(),
                "{text:?}"
            );
        }
        let too_many: Vec<Value> = (0..250_000).map(Value::from).collect();
        let err = parse(&json!({"enum": too_many})).unwrap_err();
        assert!(matches!(err, SchemaError::TooMany { .. }), "{err:?}");
        let branches: Vec<Value> = (0..1_500).map(|i| json!({"const": i})).collect();
        let err = parse(&json!({"oneOf": branches})).unwrap_err();
        assert!(
            matches!(
                err,
                SchemaError::TooMany {
                    what: "combinator branches",
                    ..
                }
            ),
            "{err:?}"
        );
        let err = ParsedSchema::parse(SchemaType::Json, r##"{"$ref": "other.json#/x"}"##, &[])
            .unwrap_err();
        assert!(
            matches!(err, SchemaError::UnresolvedReference { .. }),
            "{err:?}"
        );
    });
}

/// An `unevaluatedItems` beside in-place subschemas that fan out through `$ref`s at
/// every level (8 refs per level, 3 levels: 512 paths, none evaluating items, more
/// than the look's budget): the look for subschemas that evaluate items stops at its
/// budget and answers "maybe", so the old position counts as open and the added tuple
/// item is refused. (At 5 levels the schema no longer parses: the expansion that
/// `unevaluatedItems` costs the validator's compiler passes `max_in_place_expansions`,
/// see `fanned_out_refs_below_unevaluated_keywords_are_refused_at_parse`.)
#[test]
fn fanned_out_in_place_refs_beside_unevaluated_items_are_bounded() {
    let report = within(30, || {
        let mut defs = serde_json::Map::new();
        for level in 0..3 {
            let next = format!("#/$defs/l{}", level + 1);
            let refs: Vec<Value> = (0..8).map(|_| json!({"$ref": next})).collect();
            defs.insert(format!("l{level}"), json!({"allOf": refs}));
        }
        defs.insert("l3".to_owned(), json!({"minItems": 0}));
        let schema = |tuple: Value| {
            json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "$defs": defs,
                   "type": "array", "allOf": [{"$ref": "#/$defs/l0"}],
                   "prefixItems": tuple, "unevaluatedItems": false})
        };
        let old = parse(&schema(json!([{"type": "string"}]))).unwrap();
        let new = parse(&schema(json!([{"type": "string"}, {"type": "number"}]))).unwrap();
        check(Level::Backward, &new, &[old])
    });
    assert!(!report.compatible, "{report}");
}

/// `levels` definitions that each apply the next one in place `width` times (`allOf` of
/// `$ref`s), under a 2020-12 array root whose `unevaluated` keyword (if any) must look
/// through them all; the deepest definition has type `leaf`.
fn fan_out(width: usize, levels: usize, unevaluated: Option<&str>, leaf: &str) -> Value {
    let mut defs = serde_json::Map::new();
    for level in 0..levels {
        let next = format!("#/$defs/l{}", level + 1);
        let refs: Vec<Value> = (0..width).map(|_| json!({"$ref": next})).collect();
        defs.insert(format!("l{level}"), json!({"allOf": refs}));
    }
    defs.insert(format!("l{levels}"), json!({"type": leaf}));
    let mut schema = json!({"$schema": "https://json-schema.org/draft/2020-12/schema",
                            "$defs": defs, "allOf": [{"$ref": "#/$defs/l0"}]});
    if let Some(keyword) = unevaluated {
        schema[keyword] = json!(false);
    }
    schema
}

/// The validator's compiler expands every in-place subschema below `unevaluatedItems`
/// and `unevaluatedProperties` once per path to it (8^5 here); before the expansion was
/// counted, parsing these took from seconds to hours. Now each is refused at once, at
/// the keyword, saying what to change.
#[test]
fn fanned_out_refs_below_unevaluated_keywords_are_refused_at_parse() {
    within(60, || {
        for (width, levels) in [(8, 5), (4, 10), (16, 4)] {
            for keyword in ["unevaluatedItems", "unevaluatedProperties"] {
                let err = parse(&fan_out(width, levels, Some(keyword), "string")).unwrap_err();
                match err {
                    SchemaError::Invalid { path, message } => {
                        assert_eq!(path, format!("/{keyword}"), "{width}x{levels}");
                        assert!(
                            message.contains("more than 10000 subschemas"),
                            "{width}x{levels}: {message}"
                        );
                    }
                    other => panic!("{width}x{levels} {keyword}: {other:?}"),
                }
            }
        }
    });
}

/// Under the budget the same shape parses and the check reaches a verdict; a larger
/// configured budget admits a larger expansion (4 refs over 6 levels: about 11,000).
#[test]
fn fan_out_under_the_expansion_budget_parses_and_compares() {
    within(120, || {
        let old = parse(&fan_out(8, 3, Some("unevaluatedItems"), "string")).unwrap();
        let new = parse(&fan_out(8, 3, Some("unevaluatedItems"), "integer")).unwrap();
        assert!(!check(Level::Backward, &new, &[old]).compatible);

        let text = fan_out(4, 6, Some("unevaluatedItems"), "string").to_string();
        assert!(ParsedSchema::parse(SchemaType::Json, &text, &[]).is_err());
        let options = ParseOptions {
            limits: Limits {
                max_in_place_expansions: 20_000,
                ..Limits::DEFAULT
            },
            ..ParseOptions::default()
        };
        ParsedSchema::parse_with(SchemaType::Json, &text, &[], &options)
            .expect("within a raised budget");

        // A `$ref` cycle through the in-place subschemas is followed once, as the
        // compiler does, so it costs a few expansions, not the budget.
        let cyclic = json!({"$schema": "https://json-schema.org/draft/2020-12/schema",
                            "$defs": {"a": {"anyOf": [{"$ref": "#/$defs/b"}, {"$ref": "#"}]},
                                      "b": {"allOf": [{"$ref": "#/$defs/a"}]}},
                            "allOf": [{"$ref": "#/$defs/a"}], "unevaluatedProperties": false});
        parse(&cyclic).expect("a cycle below unevaluatedProperties parses");
    });
}

/// Without an unevaluated keyword nothing expands at parse time, and the check's walk
/// is bounded by its own work budget: a deep type change through the fan-out is found
/// breaking (or too complex to prove, also breaking), never compatible.
#[test]
fn fanned_out_refs_without_unevaluated_keywords_parse_and_check() {
    within(120, || {
        for (width, levels) in [(8, 5), (4, 10), (16, 4)] {
            let old = parse(&fan_out(width, levels, None, "string")).unwrap();
            let new = parse(&fan_out(width, levels, None, "integer")).unwrap();
            let report = check(Level::Backward, &new, std::slice::from_ref(&old));
            assert!(!report.compatible, "{width}x{levels}: {report}");
            let report = check(Level::Full, &old, std::slice::from_ref(&old));
            assert!(report.compatible, "{width}x{levels}: {report}");
        }
    });
}

/// A fan-out written differently at each use (a title) cannot be collapsed, so the
/// check pairs every branch with every branch and runs out of its work budget inside a
/// branch pairing, whose differences are weighed and dropped. The type change of a
/// property compared after that must still end breaking: the walk says it stopped
/// (before, every comparison after the budget ran out found nothing, and the pair was
/// reported compatible).
#[test]
fn a_walk_that_runs_out_inside_a_pairing_is_never_compatible() {
    let report = within(120, || {
        let mut defs = serde_json::Map::new();
        for level in 0..3 {
            let next = format!("#/$defs/l{}", level + 1);
            let refs: Vec<Value> = (0..8)
                .map(|i| json!({"$ref": next, "title": format!("use {i}")}))
                .collect();
            defs.insert(format!("l{level}"), json!({"allOf": refs}));
        }
        defs.insert("l3".to_owned(), json!({"type": "string"}));
        let schema = |b: &str| {
            json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "$defs": defs,
                   "type": "object",
                   "properties": {"a": {"$ref": "#/$defs/l0"}, "b": {"type": b}}})
        };
        let old = parse(&schema("string")).unwrap();
        let new = parse(&schema("integer")).unwrap();
        check(Level::Backward, &new, &[old])
    });
    assert!(!report.compatible, "{report}");
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.rule == "COMPARISON_TOO_COMPLEX" && f.is_breaking()),
        "{report}"
    );
}

/// Each in-place branch the validator's compiler expands is compiled in full, so large
/// inline branches count by their size too, against `max_nodes`: a schema of about
/// 1,000 nodes whose branches would be compiled some 25,000 nodes' worth is refused
/// under a 5,000-node limit, and parses under the default one.
#[test]
fn large_inline_branches_below_unevaluated_keywords_count_by_size() {
    within(60, || {
        let props: serde_json::Map<String, Value> = (0..20)
            .map(|i| (format!("p{i}"), json!({"type": "string"})))
            .collect();
        let mut defs = serde_json::Map::new();
        for level in 0..3 {
            let next = format!("#/$defs/l{}", level + 1);
            let branches: Vec<Value> = (0..8)
                .map(|_| json!({"$ref": next, "properties": props}))
                .collect();
            defs.insert(format!("l{level}"), json!({"allOf": branches}));
        }
        defs.insert("l3".to_owned(), json!({"type": "object"}));
        let text = json!({"$schema": "https://json-schema.org/draft/2020-12/schema",
                          "$defs": defs, "allOf": [{"$ref": "#/$defs/l0"}],
                          "unevaluatedProperties": false})
        .to_string();
        let options = ParseOptions {
            limits: Limits {
                max_nodes: 5_000,
                ..Limits::DEFAULT
            },
            ..ParseOptions::default()
        };
        match ParsedSchema::parse_with(SchemaType::Json, &text, &[], &options) {
            Err(SchemaError::Invalid { path, message }) => {
                assert_eq!(path, "/unevaluatedProperties");
                assert!(
                    message.contains("more than 5000 schema nodes to compile"),
                    "{message}"
                );
            }
            other => panic!("{other:?}"),
        }
        ParsedSchema::parse(SchemaType::Json, &text, &[]).expect("under the default limits");
    });
}
