//! The contract types against Confluent's own expectations: GUIDs from the golden
//! file of Confluent's `SchemaMD5RegressionTest` (core/src/test/resources/
//! schema-md5-golden-data.json in confluentinc/schema-registry), the validation
//! messages of `Rule.validate`/`RuleSet.validate`, and the merge rules of
//! `Metadata.mergeMetadata`/`RuleSet.mergeRuleSets`.

use serde_json::json;

use super::*;

/// The golden file's inputs: one text per format, two references, one metadata and one
/// rule set with two migration and two domain rules.
const AVRO: &str = "{\"type\":\"record\",\"name\":\"Person\",\"namespace\":\"io.confluent.kafka.example\",\"fields\":[{\"name\":\"name\",\"type\":\"string\"},{\"name\":\"age\",\"type\":\"int\"},{\"name\":\"ssn\",\"type\":\"string\"},{\"name\":\"user\",\"type\":\"io.confluent.kafka.example.User\"},{\"name\":\"address\",\"type\":\"io.confluent.kafka.example.Address\"}]}";
const PROTOBUF: &str = "syntax = \"proto3\";\npackage io.confluent.kafka.example;\nimport \"google/protobuf/timestamp.proto\";\nmessage Person {\n  string name = 1;\n  int32 age = 2;\n  string ssn = 3;\n  User user = 4;\n  Address address = 5;\n}\nmessage User {\n  string id = 1;\n  string email = 2;\n}\nmessage Address {\n  string street = 1;\n  string city = 2;\n  string zip = 3;\n}";
const JSON: &str = "{\n  \"$schema\": \"http://json-schema.org/draft-07/schema#\",\n  \"type\": \"object\",\n  \"title\": \"Person\",\n  \"properties\": {\n    \"name\": {\n      \"type\": \"string\"\n    },\n    \"age\": {\n      \"type\": \"integer\",\n      \"minimum\": 0\n    },\n    \"ssn\": {\n      \"type\": \"string\",\n      \"pattern\": \"^[0-9]{3}-[0-9]{2}-[0-9]{4}$\"\n    },\n    \"user\": {\n      \"$ref\": \"#/definitions/User\"\n    },\n    \"address\": {\n      \"$ref\": \"#/definitions/Address\"\n    }\n  },\n  \"required\": [\"name\", \"age\"],\n  \"definitions\": {\n    \"User\": {\n      \"type\": \"object\",\n      \"properties\": {\n        \"id\": {\"type\": \"string\"},\n        \"email\": {\"type\": \"string\", \"format\": \"email\"}\n      }\n    },\n    \"Address\": {\n      \"type\": \"object\",\n      \"properties\": {\n        \"street\": {\"type\": \"string\"},\n        \"city\": {\"type\": \"string\"},\n        \"zip\": {\"type\": \"string\"}\n      }\n    }\n  }\n}";

fn golden_metadata() -> Metadata {
    serde_json::from_value(json!({"tags": {"environment": ["production", "staging"], "team": ["data-engineering"]}, "properties": {"description": "Person schema for user management", "owner": "data-team", "version": "1.0.0"}, "sensitive": ["credit-card", "ssn"]})).unwrap()
}

fn golden_rules() -> RuleSet {
    serde_json::from_value(json!({"migrationRules": [{"name": "upgrade-rule-1", "doc": "Upgrade rule for field changes", "kind": "TRANSFORM", "mode": "UPGRADE", "type": "FIELD_UPDATE", "tags": ["PERSON"], "params": {"field": "name"}, "expr": "field.name = field.name.toUpperCase()", "onSuccess": "none", "onFailure": "error", "disabled": false}, {"name": "downgrade-rule-1", "doc": "Downgrade rule for compatibility", "kind": "TRANSFORM", "mode": "DOWNGRADE", "type": "FIELD_DELETE", "tags": ["PERSON"], "params": {"field": "ssn"}, "expr": "delete field.ssn", "onSuccess": "none", "onFailure": "error", "disabled": false}], "domainRules": [{"name": "validation-rule-1", "doc": "Validate age field", "kind": "CONDITION", "mode": "WRITE", "type": "FIELD_VALIDATION", "tags": ["PERSON"], "params": {"field": "age"}, "expr": "field.age >= 0 && field.age <= 150", "onSuccess": "none", "onFailure": "error", "disabled": false}, {"name": "masking-rule-1", "doc": "Mask sensitive data on read", "kind": "TRANSFORM", "mode": "READ", "type": "DATA_MASKING", "tags": ["PERSON"], "params": {"field": "ssn"}, "expr": "field.ssn = '***-**-****'", "onSuccess": "none", "onFailure": "error", "disabled": false}]})).unwrap()
}

const REFS: [GuidRef<'static>; 2] = [
    GuidRef {
        name: "io.confluent.kafka.example.User",
        subject: "User",
        version: 1,
    },
    GuidRef {
        name: "io.confluent.kafka.example.Address",
        subject: "Address",
        version: 2,
    },
];

#[test]
fn guids_match_confluents_golden_md5s_for_every_combination_of_references_metadata_and_rules() {
    // Keyed as the golden file is: references, metadata, rules present (1) or not (0).
    let expected: [(&str, [&str; 8]); 3] = [
        (
            AVRO,
            [
                "d629bb05-ad85-3d20-fbcb-895de3c459f7",
                "c0708b8f-65f6-b698-bffe-45c1dfa8987c",
                "2034166c-90a8-1166-0ff2-f5f62c80dbe0",
                "d9877161-cfdf-d8c5-4eb4-ab37ed50e9d5",
                "5c08d70e-5347-41b2-6369-199425d044eb",
                "96825311-eb10-b7f5-48be-2a023b4c018e",
                "3619d8e0-2ee8-de51-0d9e-2520d39174d5",
                "589556fb-ad98-e8e0-94fa-e6da3455433a",
            ],
        ),
        (
            PROTOBUF,
            [
                "fd291f54-9ebf-6b66-69c4-d7c94f57d765",
                "e0a5944a-07ec-f8b3-2e65-d618095d9b93",
                "56052a3d-b48e-0af1-2f4e-fb4fc5defed4",
                "89665e7a-68a3-0750-503e-cab9c5ab6494",
                "2acee2f0-10ab-9e39-ff5e-a3c6301a16fc",
                "ca144a0b-d04f-9cdf-5576-bc3e0872c2ec",
                "1b1cd912-56b3-5aec-ed5e-628e4f8d6b99",
                "6e27c5d9-341f-eedd-8d14-8e32f414f50e",
            ],
        ),
        (
            JSON,
            [
                "8d9ce1c2-8624-0d98-53ec-66d14051c703",
                "b1dd5216-670b-476a-bba4-2763ff8720d6",
                "c1410156-b1ec-346c-3b3b-e8ef9df4fd20",
                "4f438fbe-c518-fea5-e433-82bd8c77e72f",
                "ee6044f3-6476-c191-e6b6-e3eceeea87d6",
                "0476399c-ee06-5d92-14fd-f3afe300b400",
                "916dad4b-fef3-50ed-25ab-de84bd91c74a",
                "fbab57e1-71f5-063c-288a-03fbfb24c505",
            ],
        ),
    ];
    let metadata = golden_metadata();
    let rules = golden_rules();
    for (text, guids) in expected {
        for (i, want) in guids.iter().enumerate() {
            let refs: &[GuidRef<'_>] = if i & 4 != 0 { &REFS } else { &[] };
            let got = guid(
                text,
                refs.iter().copied(),
                (i & 2 != 0).then_some(&metadata),
                (i & 1 != 0).then_some(&rules),
            );
            assert_eq!(&got, want, "combination {i:03b} of {}", &text[..20]);
            assert!(is_guid(&got));
        }
    }
}

fn rules(value: serde_json::Value) -> Result<Option<RuleSet>, ContractError> {
    rule_set_from_json(Some(value), "ruleSet")
}

fn refused(value: serde_json::Value) -> String {
    match rules(value) {
        Err(ContractError::InvalidRuleSet(m)) => m,
        other => panic!("expected 42210, got {other:?}"),
    }
}

#[test]
fn rules_refused_as_confluents_rule_validate_refuses_them() {
    let cel = |name: serde_json::Value, mode: &str| json!({"name": name, "kind": "CONDITION", "mode": mode, "type": "CEL", "expr": "true"});
    assert!(refused(json!({"domainRules": [{"type": "CEL"}]})).starts_with("Missing rule name"));
    assert!(
        refused(json!({"domainRules": [cel(json!(""), "WRITE")]})).starts_with("Empty rule name")
    );
    assert!(
        refused(json!({"domainRules": [cel(json!("1st"), "WRITE")]}))
            .starts_with("Illegal initial character in rule name: 1st")
    );
    assert!(
        refused(json!({"domainRules": [cel(json!("a b"), "WRITE")]}))
            .starts_with("Illegal character in rule name: a b")
    );
    assert!(
        refused(json!({"domainRules": [cel(json!("x".repeat(257)), "WRITE")]}))
            .starts_with("Rule name too long")
    );
    assert!(rules(json!({"domainRules": [cel(json!("x".repeat(256)), "WRITE")]})).is_ok());
    assert!(refused(json!({"domainRules": [{"name": "r"}]})).starts_with("Missing rule type"));
    assert_eq!(
        refused(json!({"domainRules": [cel(json!("r"), "WRITE"), cel(json!("r"), "READ")]})),
        "Found rule with duplicate name 'r'"
    );
    // Names are unique across phases too.
    assert_eq!(
        refused(
            json!({"migrationRules": [cel(json!("r"), "UPGRADE")], "encodingRules": [cel(json!("r"), "READ")]})
        ),
        "Found rule with duplicate name 'r'"
    );
    assert!(
        refused(json!({"migrationRules": [cel(json!("r"), "WRITE")]}))
            .starts_with("Migration rules can only be UPGRADE, DOWNGRADE, UPDOWN")
    );
    assert!(
        refused(json!({"domainRules": [cel(json!("r"), "UPGRADE")]}))
            .starts_with("Domain rules can only be WRITE, READ, WRITEREAD")
    );
    assert!(
        refused(json!({"encodingRules": [cel(json!("r"), "UPDOWN")]}))
            .starts_with("Encoding rules can only be WRITE, READ, WRITEREAD")
    );
    let mut two_actions = cel(json!("r"), "WRITE");
    two_actions["onFailure"] = json!("ERROR,NONE");
    assert!(
        refused(json!({"domainRules": [two_actions.clone()]}))
            .starts_with("Multiple actions only valid with WRITEREAD and UPDOWN")
    );
    two_actions["mode"] = json!("WRITEREAD");
    assert!(rules(json!({"domainRules": [two_actions]})).is_ok());
    // Kinds and modes outside Confluent's enums, and wrong shapes, are 42210 too.
    assert!(
        refused(json!({"domainRules": [{"name": "r", "type": "CEL", "kind": "MAYBE"}]}))
            .contains("MAYBE")
    );
    assert!(
        refused(json!({"domainRules": [{"name": "r", "type": "CEL", "mode": "SOMETIMES"}]}))
            .contains("SOMETIMES")
    );
    assert!(refused(json!({"domainRules": {"name": "r"}})).starts_with("Invalid ruleSet"));
    assert_eq!(rules(json!(null)), Ok(None));
}

#[test]
fn a_rule_defaults_and_answers_as_confluent_writes_it() {
    let set = rules(json!({"domainRules": [{"name": "r", "type": "CEL", "tags": ["PII", "A"], "params": {"z": 1, "a": true}}]}))
        .unwrap()
        .unwrap();
    let rule = &set.domain_rules[0];
    assert_eq!(
        (rule.kind, rule.mode),
        (RuleKind::Transform, RuleMode::Writeread)
    );
    // Fields in Confluent's order, collections sorted, `disabled` always written.
    assert_eq!(
        serde_json::to_string(&set).unwrap(),
        r#"{"domainRules":[{"name":"r","kind":"TRANSFORM","mode":"WRITEREAD","type":"CEL","tags":["A","PII"],"params":{"a":"true","z":"1"},"disabled":false}]}"#
    );
    let back: RuleSet = serde_json::from_str(&serde_json::to_string(&set).unwrap()).unwrap();
    assert_eq!(back, set);
}

#[test]
fn metadata_reads_nulls_as_empty_sorts_and_answers_without_empty_collections() {
    let m = metadata_from_json(Some(json!({"tags": {"b": ["y", "x"], "a": null}, "properties": {"owner": "team", "n": 3}, "sensitive": null})))
        .unwrap()
        .unwrap();
    assert_eq!(
        serde_json::to_string(&m).unwrap(),
        r#"{"tags":{"a":[],"b":["x","y"]},"properties":{"n":"3","owner":"team"}}"#
    );
    assert_eq!(metadata_from_json(Some(json!(null))), Ok(None));
    assert!(matches!(
        metadata_from_json(Some(json!({"properties": {"a": null}}))),
        Err(ContractError::InvalidMetadata(m)) if m.contains("\"a\"")
    ));
    assert!(metadata_from_json(Some(json!({"properties": ["a"]}))).is_err());
}

fn md(value: serde_json::Value) -> Metadata {
    serde_json::from_value(value).unwrap()
}

#[test]
fn metadata_merges_as_confluents_merge_metadata_new_keys_win() {
    let old = md(
        json!({"properties": {"owner": "a", "team": "t"}, "tags": {"f": ["PII"]}, "sensitive": ["ssn"]}),
    );
    let new = md(json!({"properties": {"owner": "b"}, "sensitive": ["card"]}));
    let merged = Metadata::merge(Some(&old), Some(&new)).unwrap();
    assert_eq!(
        merged,
        md(
            json!({"properties": {"owner": "b", "team": "t"}, "tags": {"f": ["PII"]}, "sensitive": ["card", "ssn"]})
        )
    );
    assert_eq!(Metadata::merge(None, Some(&new)), Some(new.clone()));
    assert_eq!(Metadata::merge(Some(&old), None), Some(old.clone()));
    assert_eq!(Metadata::merge(None, None), None);
    let pinned = Metadata::with_confluent_version(Some(&old), 3);
    assert_eq!(pinned.confluent_version(), Some("3"));
    assert_eq!(pinned.properties["owner"], "a");
    assert_eq!(
        Metadata::with_confluent_version(None, 1).properties.len(),
        1
    );
}

#[test]
fn rule_sets_merge_as_confluents_merge_rule_sets_a_new_rule_replaces_its_namesake() {
    let rule = |name: &str, expr: &str| json!({"name": name, "type": "CEL", "mode": "WRITE", "expr": expr});
    let old: RuleSet = serde_json::from_value(
        json!({"domainRules": [rule("a", "1"), rule("b", "1")], "enableAt": "CLIENT"}),
    )
    .unwrap();
    let new: RuleSet =
        serde_json::from_value(json!({"domainRules": [rule("b", "2"), rule("c", "2")]})).unwrap();
    let merged = RuleSet::merge(Some(&old), Some(&new)).unwrap();
    let names: Vec<_> = merged
        .domain_rules
        .iter()
        .map(|r| (r.name(), r.expr.as_deref().unwrap()))
        .collect();
    // The old rules not renamed first, then the new ones, in their order.
    assert_eq!(names, [("a", "1"), ("b", "2"), ("c", "2")]);
    assert_eq!(merged.enable_at, Some(ExecutionEnvironment::Client));
    assert_eq!(RuleSet::merge(None, Some(&new)), Some(new.clone()));
    assert!(merged.has_rule_type("CEL") && !merged.has_rule_type("JSONATA"));
}

#[test]
fn guid_shape() {
    let g = guid("\"string\"", [], None, None);
    assert!(is_guid(&g), "{g}");
    for bad in ["", "x", &g.to_uppercase(), &g[1..], &format!("{g}0")] {
        assert!(!is_guid(bad), "{bad}");
    }
    // Empty metadata is not no metadata, as in Java.
    assert_ne!(guid("\"string\"", [], Some(&Metadata::default()), None), g);
}

#[test]
fn rule_names_are_judged_by_javas_letter_and_digit_classes() {
    let named =
        |name: &str| json!({"domainRules": [{"name": name, "type": "CEL", "mode": "WRITE"}]});
    for ok in ["é_1", "名前", "_x-9", "a٣"] {
        assert!(rules(named(ok)).is_ok(), "{ok}");
    }
    // Numbers that are not decimal digits, and letters outside the BMP (two UTF-16
    // units, each a surrogate to Java), are refused as Java refuses them.
    for bad in ["half½", "squared²", "romanⅫ", "x\u{1D49C}"] {
        assert!(
            refused(named(bad)).starts_with("Illegal character"),
            "{bad}"
        );
    }
    assert!(refused(named("\u{1D49C}x")).starts_with("Illegal initial character"));
    assert!(refused(named("٣x")).starts_with("Illegal initial character"));
}
