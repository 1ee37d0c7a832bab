//! The JSON Schema engine seen from outside: findings people read (rule, pointer,
//! severity, hint), `$ref`s into Confluent references, and payload validation.

use schemagate_core::{
    Bump, CheckOptions, Direction, Level, ParsedSchema, Policy, Reference, SchemaType, Severity,
    bump, check, check_with, validate,
};
use serde_json::json;

fn parse(v: serde_json::Value) -> ParsedSchema {
    ParsedSchema::parse(SchemaType::Json, &v.to_string(), &[]).expect("valid schema")
}

#[test]
fn rename_gets_a_rename_hint_on_both_findings() {
    let old = parse(
        json!({"type": "object", "properties": {"customer_id": {"type": "string"}}, "additionalProperties": false}),
    );
    let new = parse(
        json!({"type": "object", "properties": {"customerId": {"type": "string"}}, "additionalProperties": false}),
    );
    let report = check(Level::Full, &new, &[old]);
    assert!(!report.compatible);
    let renamed: Vec<_> = report
        .breaking()
        .filter(|f| {
            f.hint
                .as_deref()
                .is_some_and(|h| h.contains("rename of \"customer_id\" to \"customerId\""))
        })
        .collect();
    assert!(!renamed.is_empty(), "{report}");
    assert!(
        renamed
            .iter()
            .all(|f| f.hint.as_deref().unwrap().contains("optional"))
    );
}

#[test]
fn findings_carry_pointer_severity_and_direction() {
    let old = parse(
        json!({"type": "object", "title": "Order", "properties": {"status": {"enum": ["NEW"]}, "qty": {"type": "integer", "maximum": 10}}}),
    );
    let new = parse(
        json!({"type": "object", "title": "Order!", "properties": {"status": {"enum": ["NEW", "PAID"]}, "qty": {"type": "integer", "maximum": 5}}}),
    );
    let report = check(Level::Backward, &new, std::slice::from_ref(&old));
    let find = |rule: &str| {
        report
            .findings
            .iter()
            .find(|f| f.rule == rule)
            .unwrap_or_else(|| panic!("{rule} in {report}"))
    };
    assert_eq!(find("TITLE_CHANGED").severity, Severity::Cosmetic);
    assert_eq!(find("TITLE_CHANGED").path, "");
    assert_eq!(find("ENUM_ARRAY_EXTENDED").severity, Severity::Additive);
    assert_eq!(find("ENUM_ARRAY_EXTENDED").path, "/properties/status/enum");
    let max = find("MAXIMUM_DECREASED");
    assert_eq!(
        (max.severity, max.path.as_str()),
        (Severity::Breaking, "/properties/qty/maximum")
    );
    assert!(max.message.contains("10 -> 5"), "{}", max.message);
    assert!(max.hint.is_some());
    assert_eq!(max.direction, Some(Direction::Backward));
    assert_eq!(max.against, Some(0));
    assert_eq!(bump(&old, &new), Bump::Major);
}

#[test]
fn policy_is_chosen_per_check() {
    let old = parse(json!({"type": "object", "properties": {"a": {"type": "string"}}}));
    let new = parse(
        json!({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}}),
    );
    let strict = check_with(
        Level::Backward,
        &new,
        std::slice::from_ref(&old),
        &CheckOptions::default(),
    );
    let lenient = check_with(
        Level::Backward,
        &new,
        &[old],
        &CheckOptions {
            policy: Policy::Lenient,
            ..CheckOptions::default()
        },
    );
    assert!(!strict.compatible);
    assert!(lenient.compatible);
    let hint = strict.findings[0].hint.as_deref().unwrap_or_default();
    assert!(
        hint.contains("additionalProperties") && hint.contains("LENIENT"),
        "{hint}"
    );
}

#[test]
fn refs_into_references_are_followed_on_both_sides() {
    let root = r#"{"type": "object", "properties": {"home": {"$ref": "address.json"}, "zip": {"$ref": "address.json#/definitions/zip"}}}"#;
    let v1 = Reference::new(
        "address.json",
        r#"{"type": "object", "properties": {"city": {"type": "string"}}, "definitions": {"zip": {"type": "string"}}}"#,
    );
    let v2 = Reference::new(
        "address.json",
        r#"{"type": "object", "properties": {"city": {"type": "integer"}}, "definitions": {"zip": {"type": "string", "maxLength": 12}}}"#,
    );
    let old = ParsedSchema::parse(SchemaType::Json, root, &[v1]).unwrap();
    let new = ParsedSchema::parse(SchemaType::Json, root, &[v2]).unwrap();
    let report = check(Level::Backward, &new, &[old]);
    assert!(!report.compatible);
    let rules: Vec<(&str, &str)> = report
        .findings
        .iter()
        .map(|f| (f.rule.as_str(), f.path.as_str()))
        .collect();
    assert!(
        rules.contains(&("TYPE_CHANGED", "/properties/home/properties/city")),
        "{rules:?}"
    );
    assert!(
        rules.contains(&("MAX_LENGTH_ADDED", "/properties/zip/maxLength")),
        "{rules:?}"
    );
}

#[test]
fn payload_validation_names_every_pointer() {
    let schema = parse(json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {
            "id": {"type": "string", "pattern": "^o-[0-9]+$"},
            "lines": {"type": "array", "items": {"type": "object", "properties": {"qty": {"type": "integer", "minimum": 1}}, "required": ["qty"]}}
        },
        "required": ["id"],
        "additionalProperties": false
    }));
    assert!(validate(&schema, &json!({"id": "o-1", "lines": [{"qty": 2}]})).is_empty());
    let violations = validate(
        &schema,
        &json!({"id": "x", "lines": [{"qty": 0}, {}], "extra": true}),
    );
    let paths: Vec<&str> = violations.iter().map(|v| v.path.as_str()).collect();
    for expected in ["/id", "/lines/0/qty", "/lines/1", ""] {
        assert!(
            paths.contains(&expected),
            "{expected} missing from {violations:?}"
        );
    }
    assert!(violations.iter().all(|v| !v.message.is_empty()));
    // The validator is compiled once; validating many events reuses it.
    for i in 0..1_000 {
        assert!(validate(&schema, &json!({"id": format!("o-{i}")})).is_empty());
    }
}

#[test]
fn drafts_are_validated_against_their_own_metaschema() {
    // `exclusiveMaximum: true` is draft 4's boolean form: valid there, invalid in draft 7.
    let d4 = r#"{"$schema": "http://json-schema.org/draft-04/schema#", "maximum": 3, "exclusiveMaximum": true}"#;
    assert!(ParsedSchema::parse(SchemaType::Json, d4, &[]).is_ok());
    let d7 = r#"{"maximum": 3, "exclusiveMaximum": true}"#;
    assert!(ParsedSchema::parse(SchemaType::Json, d7, &[]).is_err());
    for uri in [
        "http://json-schema.org/draft-06/schema#",
        "http://json-schema.org/draft-07/schema",
        "https://json-schema.org/draft/2019-09/schema",
        "https://json-schema.org/draft/2020-12/schema",
    ] {
        let text = format!(r#"{{"$schema": "{uri}", "type": "string"}}"#);
        assert!(
            ParsedSchema::parse(SchemaType::Json, &text, &[]).is_ok(),
            "{uri}"
        );
    }
}

#[test]
fn relative_refs_resolve_against_the_root_id() {
    let root = r#"{"$id": "https://shop.example/schemas/order.json", "type": "object", "properties": {"ship_to": {"$ref": "address.json"}}}"#;
    let address = Reference::new(
        "address.json",
        r#"{"$id": "https://shop.example/schemas/address.json", "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}"#,
    );
    let schema = ParsedSchema::parse(SchemaType::Json, root, &[address]).unwrap();
    assert!(validate(&schema, &json!({"ship_to": {"city": "Oslo"}})).is_empty());
    let violations = validate(&schema, &json!({"ship_to": {}}));
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert_eq!(violations[0].path, "/ship_to");
}

#[test]
fn rename_in_an_open_model_is_paired_by_type_and_explains_both_steps() {
    let old = parse(
        json!({"type": "object", "properties": {"qty": {"type": "integer", "maximum": 10}, "id": {"type": "string"}}}),
    );
    let new = parse(
        json!({"type": "object", "properties": {"quantity": {"type": "integer", "maximum": 5}, "note": {"type": "string"}, "id": {"type": "string"}}, "required": ["quantity"]}),
    );
    let report = check(Level::Backward, &new, &[old]);
    let quantity = report
        .findings
        .iter()
        .find(|f| f.path == "/properties/quantity")
        .expect("finding for the added property");
    let hint = quantity.hint.as_deref().unwrap_or_default();
    assert!(hint.contains("rename of \"qty\" to \"quantity\""), "{hint}");
    assert!(hint.contains("additionalProperties"), "{hint}");
    assert!(
        quantity.message.contains("(\"quantity\" (required))"),
        "{}",
        quantity.message
    );
}

fn with_max_length(n: u64) -> ParsedSchema {
    parse(json!({"type": "object", "properties": {"name": {"type": "string", "maxLength": n}}}))
}

#[test]
fn item7_json_max_length_lowered_under_forward_reads_as_lowered() {
    let report = check(
        Level::Forward,
        &with_max_length(100),
        &[with_max_length(200)],
    );
    assert!(report.compatible, "{report}");
    let f = &report.findings[0];
    // The rule is the walk's (the old reader sees an increase); the words are the edit's.
    assert_eq!(f.rule, "MAX_LENGTH_INCREASED");
    assert_eq!(f.direction, Some(Direction::Forward));
    assert_eq!(f.message, "maxLength lowered (200 -> 100)");
}

#[test]
fn item7_json_max_length_raised_under_forward_says_what_old_readers_meet() {
    let report = check(
        Level::Forward,
        &with_max_length(200),
        &[with_max_length(100)],
    );
    assert!(!report.compatible, "{report}");
    let f = report.breaking().next().unwrap();
    assert_eq!(f.rule, "MAX_LENGTH_DECREASED");
    assert_eq!(
        f.message,
        "maxLength raised (100 -> 200): readers of the old version reject values the new version allows"
    );
    assert_eq!(
        f.hint.as_deref(),
        Some("keep the old upper bound (or a lower one)")
    );
    // Backward wording is unchanged.
    let back = check(
        Level::Backward,
        &with_max_length(100),
        &[with_max_length(200)],
    );
    assert_eq!(
        back.breaking().next().unwrap().message,
        "a bound was decreased (200 -> 100)"
    );
}

#[test]
fn item7_json_forward_property_and_enum_edits_read_old_to_new() {
    let old = parse(json!({"type": "object", "additionalProperties": false,
        "properties": {"a": {"type": "string"}, "e": {"enum": ["x", "y"]}}}));
    let new = parse(json!({"type": "object", "additionalProperties": false,
        "properties": {"a": {"type": "string"}, "b": {"type": "string"}, "e": {"enum": ["x", "y", "z"]}}}));
    let report = check(Level::Forward, &new, &[old]);
    assert!(!report.compatible);
    let said: Vec<(&str, &str)> = report
        .findings
        .iter()
        .map(|f| (f.rule.as_str(), f.message.as_str()))
        .collect();
    assert!(
        said.contains(&(
            "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL",
            "a property was added to a closed content model (\"b\"): readers of the old version reject data that carries it"
        )),
        "{said:#?}"
    );
    assert!(
        said.contains(&(
            "ENUM_ARRAY_NARROWED",
            "enum values were added (added \"z\"): readers of the old version reject values the new version allows"
        )),
        "{said:#?}"
    );
}

/// The findings of one check of `new` against `old`, as (rule, pointer) pairs, and its
/// verdict.
fn verdict(
    level: Level,
    old: serde_json::Value,
    new: serde_json::Value,
) -> (bool, Vec<(String, String)>) {
    let report = check(level, &parse(new), &[parse(old)]);
    let found = report
        .findings
        .iter()
        .map(|f| (f.rule.clone(), f.path.clone()))
        .collect();
    (report.compatible, found)
}

fn has(found: &[(String, String)], rule: &str, path: &str) -> bool {
    found.iter().any(|(r, p)| r == rule && p == path)
}

const DRAFT_2020_12: &str = "https://json-schema.org/draft/2020-12/schema";

#[test]
fn unevaluated_items_cannot_see_items_past_the_tuple_when_items_is_written() {
    // `items: true` evaluates every item past prefixItems, so the sibling
    // `unevaluatedItems: false` refuses none: the old array was open there.
    let old = json!({"$schema": DRAFT_2020_12, "type": "array", "prefixItems": [{"type": "string"}], "items": true, "unevaluatedItems": false});
    let new = json!({"$schema": DRAFT_2020_12, "type": "array", "prefixItems": [{"type": "string"}, {"type": "number"}], "items": true, "unevaluatedItems": false});
    let (compatible, found) = verdict(Level::Backward, old, new);
    assert!(!compatible, "{found:?}");
    assert!(
        has(&found, "ITEM_ADDED_TO_OPEN_CONTENT_MODEL", "/prefixItems/1"),
        "{found:?}"
    );
}

#[test]
fn draft_7_ignores_unevaluated_items_so_the_tuple_stays_open() {
    // Draft 7 has no `unevaluatedItems`: validators ignore the word, so the old array
    // accepted anything past its tuple and a new tuple item narrows it.
    let old = json!({"type": "array", "items": [{"type": "string"}], "unevaluatedItems": false});
    let new = json!({"type": "array", "items": [{"type": "string"}, {"type": "number"}], "unevaluatedItems": false});
    let (compatible, found) = verdict(Level::Backward, old, new);
    assert!(!compatible, "{found:?}");
    assert!(
        has(&found, "ITEM_ADDED_TO_OPEN_CONTENT_MODEL", "/items/1"),
        "{found:?}"
    );
}

#[test]
fn in_place_subschemas_that_evaluate_items_keep_the_old_position_open() {
    // The allOf's prefixItems evaluates item 1 (any string), so `unevaluatedItems:
    // false` never refused it: ["a", "b"] was valid and the new number item rejects it.
    let all_of = json!([{"prefixItems": [true, {"type": "string"}]}]);
    let old = json!({"$schema": DRAFT_2020_12, "type": "array", "prefixItems": [{"type": "string"}], "unevaluatedItems": false, "allOf": all_of});
    let new = json!({"$schema": DRAFT_2020_12, "type": "array", "prefixItems": [{"type": "string"}, {"type": "number"}], "unevaluatedItems": false, "allOf": all_of});
    // (The array keywords are one part of the node's synthetic allOf, so the refusal
    // surfaces as that part finding no compatible counterpart.)
    let (compatible, found) = verdict(Level::Backward, old, new);
    assert!(!compatible, "{found:?}");
    assert!(
        has(&found, "COMBINED_TYPE_SUBSCHEMAS_CHANGED", ""),
        "{found:?}"
    );

    // A subschema that evaluates no item (minItems only) leaves unevaluatedItems in
    // charge: the position was closed, and a new item there narrows nothing.
    let all_of = json!([{"minItems": 1}]);
    let old = json!({"$schema": DRAFT_2020_12, "type": "array", "prefixItems": [{"type": "string"}], "unevaluatedItems": false, "allOf": all_of});
    let new = json!({"$schema": DRAFT_2020_12, "type": "array", "prefixItems": [{"type": "string"}, {"type": "number"}], "unevaluatedItems": false, "allOf": all_of});
    let (compatible, found) = verdict(Level::Backward, old, new);
    assert!(compatible, "{found:?}");
    assert!(
        found.iter().any(
            |(r, p)| r == "ITEM_ADDED_TO_CLOSED_CONTENT_MODEL" && p.ends_with("/prefixItems/1")
        ),
        "{found:?}"
    );
}

#[test]
fn a_ref_beside_unevaluated_items_is_followed_to_see_whether_it_evaluates_items() {
    let defs =
        json!({"pair": {"prefixItems": [true, {"type": "string"}]}, "short": {"maxItems": 3}});
    let schema = |target: &str, tuple: serde_json::Value| json!({"$schema": DRAFT_2020_12, "$defs": defs, "$ref": target, "type": "array", "prefixItems": tuple, "unevaluatedItems": false});
    let one = json!([{"type": "string"}]);
    let two = json!([{"type": "string"}, {"type": "number"}]);
    let (compatible, found) = verdict(
        Level::Backward,
        schema("#/$defs/pair", one.clone()),
        schema("#/$defs/pair", two.clone()),
    );
    assert!(!compatible, "the $ref evaluates item 1: {found:?}");
    let (compatible, found) = verdict(
        Level::Backward,
        schema("#/$defs/short", one),
        schema("#/$defs/short", two),
    );
    assert!(compatible, "the $ref evaluates no item: {found:?}");
}

#[test]
fn contains_lets_items_past_the_tuple_through_only_from_2020_12() {
    // 2019-09's `contains` gives no annotation to `unevaluatedItems`: item 1 was
    // refused whatever it was, so any new item there is compatible.
    let draft = "https://json-schema.org/draft/2019-09/schema";
    let old = json!({"$schema": draft, "type": "array", "items": [{"type": "string"}], "contains": {"type": "number"}, "unevaluatedItems": false});
    let new = json!({"$schema": draft, "type": "array", "items": [{"type": "string"}, {"type": "string"}], "contains": {"type": "number"}, "unevaluatedItems": false});
    let (compatible, found) = verdict(Level::Backward, old, new);
    assert!(compatible, "{found:?}");
    assert!(
        has(&found, "ITEM_ADDED_TO_CLOSED_CONTENT_MODEL", "/items/1"),
        "{found:?}"
    );
}

#[test]
fn a_removed_tuple_item_is_covered_by_contains_beside_a_closed_unevaluated_items() {
    // Numbers past the tuple match `contains`, which evaluates them: the new array
    // still accepts the old number at position 1.
    let old = json!({"$schema": DRAFT_2020_12, "type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}], "contains": {"type": "number"}, "unevaluatedItems": false});
    let new = json!({"$schema": DRAFT_2020_12, "type": "array", "prefixItems": [{"type": "string"}], "contains": {"type": "number"}, "unevaluatedItems": false});
    let (compatible, found) = verdict(Level::Backward, old, new);
    assert!(compatible, "{found:?}");
    assert!(
        has(
            &found,
            "ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
            "/prefixItems/1"
        ),
        "{found:?}"
    );
}

#[test]
fn property_names_findings_name_the_witness_and_read_old_to_new_under_forward() {
    let old = parse(json!({"type": "object", "properties": {"userId": {"type": "string"}}}));
    let new = parse(
        json!({"type": "object", "properties": {"userId": {"type": "string"}}, "propertyNames": {"pattern": "^[a-z]+$"}}),
    );
    let report = check(Level::Backward, &new, std::slice::from_ref(&old));
    let narrowed = report
        .findings
        .iter()
        .find(|f| f.rule == "PROPERTY_NAMES_NARROWED")
        .unwrap_or_else(|| panic!("{report}"));
    assert_eq!(narrowed.path, "/propertyNames");
    assert_eq!(narrowed.severity, Severity::Breaking);
    // The declared property is the witness: it is the name old data most surely holds.
    assert!(
        narrowed.message.contains("\"userId\""),
        "{}",
        narrowed.message
    );
    assert!(narrowed.hint.is_some());

    // The same edit read by the old version: it accepts every name, so nothing breaks.
    let report = check(Level::Forward, &new, std::slice::from_ref(&old));
    assert!(report.compatible, "{report}");
    let changed = report
        .findings
        .iter()
        .find(|f| f.rule == "PROPERTY_NAMES_CHANGED")
        .unwrap_or_else(|| panic!("{report}"));
    assert!(
        changed.message.contains("the new version allows"),
        "{}",
        changed.message
    );

    // The reverse edit under FORWARD: the old version rejects names the new one allows.
    let report = check(Level::Forward, &old, std::slice::from_ref(&new));
    assert!(!report.compatible, "{report}");
    let widened = report
        .breaking()
        .find(|f| f.rule == "PROPERTY_NAMES_NARROWED")
        .unwrap_or_else(|| panic!("{report}"));
    assert!(widened.message.contains("widened"), "{}", widened.message);
    assert!(
        widened
            .message
            .contains("readers of the old version reject"),
        "{}",
        widened.message
    );
}

#[test]
fn property_names_probes_respect_the_old_content_model() {
    // A closed model whose only names match the new pattern loses nothing; a pattern
    // property the old model forbade (false) is no witness either.
    let old = json!({"type": "object", "properties": {"abc": {}}, "patternProperties": {"^_": false}, "additionalProperties": false});
    let new = json!({"type": "object", "properties": {"abc": {}}, "patternProperties": {"^_": false}, "additionalProperties": false, "propertyNames": {"pattern": "^[a-z]+$"}});
    let (compatible, found) = verdict(Level::Backward, old, new);
    assert!(compatible, "{found:?}");
    assert!(
        has(&found, "PROPERTY_NAMES_CHANGED", "/propertyNames"),
        "{found:?}"
    );

    // Open to names matching a pattern: "_" is allowed there and the new names refuse it.
    let old = json!({"type": "object", "patternProperties": {"^_": {"type": "string"}}, "additionalProperties": false});
    let new = json!({"type": "object", "patternProperties": {"^_": {"type": "string"}}, "additionalProperties": false, "propertyNames": {"pattern": "^[a-z]+$"}});
    let (compatible, found) = verdict(Level::Backward, old, new);
    assert!(!compatible, "{found:?}");
    assert!(
        has(&found, "PROPERTY_NAMES_NARROWED", "/propertyNames"),
        "{found:?}"
    );

    // An object that can hold no property (maxProperties 0) loses no name.
    let old = json!({"type": "object", "maxProperties": 0});
    let new = json!({"type": "object", "maxProperties": 0, "propertyNames": {"const": "x"}});
    let (compatible, found) = verdict(Level::Backward, old, new);
    assert!(compatible, "{found:?}");
}

#[test]
fn unevaluated_items_cannot_see_items_an_all_items_schema_evaluates() {
    // 2019-09 `items` as one schema evaluates every item, so `unevaluatedItems: false`
    // refused none: the old array held strings at position 0, which the new tuple's
    // number item rejects.
    let draft = "https://json-schema.org/draft/2019-09/schema";
    let old = json!({"$schema": draft, "type": "array", "items": {"type": "string"}, "unevaluatedItems": false});
    let new = json!({"$schema": draft, "type": "array", "items": [{"type": "number"}], "unevaluatedItems": false});
    let (compatible, found) = verdict(Level::Backward, old, new);
    assert!(!compatible, "{found:?}");
    assert!(
        !found
            .iter()
            .any(|(r, _)| r == "ITEM_ADDED_TO_CLOSED_CONTENT_MODEL"),
        "{found:?}"
    );
}

#[test]
fn property_names_take_no_witness_a_dependency_or_in_place_subschema_may_forbid() {
    // "Ab" is declared, but a schema dependency hangs on it: not sure it was allowed.
    let old = json!({"type": "object", "properties": {"Ab": {}}, "additionalProperties": false, "dependentSchemas": {"Ab": false}});
    let new = json!({"type": "object", "properties": {"Ab": {}}, "additionalProperties": false, "dependentSchemas": {"Ab": false}, "propertyNames": {"pattern": "^[a-z]+$"}});
    let (compatible, found) = verdict(Level::Backward, old, new);
    assert!(compatible, "{found:?}");
    assert!(
        has(&found, "PROPERTY_NAMES_CHANGED", "/propertyNames"),
        "{found:?}"
    );

    // The allOf already held names to the same pattern: "B" was never allowed.
    let all_of = json!([{"propertyNames": {"pattern": "^[a-z]+$"}}]);
    let old = json!({"type": "object", "properties": {"a": {}, "B": {}}, "allOf": all_of});
    let new = json!({"type": "object", "properties": {"a": {}, "B": {}}, "allOf": all_of, "propertyNames": {"pattern": "^[a-z]+$"}});
    let (compatible, found) = verdict(Level::Backward, old, new);
    assert!(
        !found.iter().any(|(r, _)| r == "PROPERTY_NAMES_NARROWED"),
        "{found:?} ({compatible})"
    );
}

#[test]
fn an_if_that_evaluates_items_keeps_the_old_position_open_and_says_why() {
    // An `if` that holds keeps its annotations: ["a", "b"] passes the `if`, whose
    // prefixItems evaluates "b", so the old `unevaluatedItems: false` accepted it.
    let cond = json!({"prefixItems": [true, {"type": "string"}]});
    let old = parse(
        json!({"$schema": DRAFT_2020_12, "type": "array", "prefixItems": [{"type": "string"}], "unevaluatedItems": false, "if": cond}),
    );
    let new = parse(
        json!({"$schema": DRAFT_2020_12, "type": "array", "prefixItems": [{"type": "string"}, {"type": "number"}], "unevaluatedItems": false, "if": cond}),
    );
    let report = check(Level::Backward, &new, &[old]);
    assert!(!report.compatible, "{report}");
    let open = report
        .breaking()
        .find(|f| f.rule == "ITEM_ADDED_TO_OPEN_CONTENT_MODEL" && f.path == "/prefixItems/1")
        .unwrap_or_else(|| panic!("{report}"));
    assert!(
        open.message.contains("applied in place"),
        "{}",
        open.message
    );
}
