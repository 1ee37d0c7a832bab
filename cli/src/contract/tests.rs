//! Contracts as files declare them (strict reading, places of problems, TOML and JSON
//! alike), as the registry would store them, and the changes the CLI reports.

use serde_json::json;

use super::*;

fn contract(value: Value) -> Contract {
    from_json(&value).unwrap_or_else(|p| panic!("{} at {}", p.message, p.pointer()))
}

fn problem(value: Value) -> Problem {
    match from_json(&value) {
        Err(p) => p,
        Ok(c) => panic!("accepted: {c:?}"),
    }
}

fn cel(name: &str, mode: &str) -> Value {
    json!({"name": name, "kind": "CONDITION", "mode": mode, "type": "CEL", "expr": "true"})
}

#[test]
fn sidecars_sit_next_to_their_schema_and_are_recognised_by_name() {
    assert_eq!(
        sidecar_of(Path::new("schemas/orders.avsc")),
        Path::new("schemas/orders.avsc.contract.json")
    );
    assert_eq!(
        sidecar_of(Path::new("c.schema.json")),
        Path::new("c.schema.json.contract.json")
    );
    assert!(is_sidecar(Path::new("a/orders.json.contract.json")));
    assert!(!is_sidecar(Path::new("a/orders.json")));
    assert!(!is_sidecar(Path::new("a/contract.json")));
}

#[test]
fn a_sidecar_reads_confluents_shape_and_absent_parts_stay_absent() {
    let c = contract(json!({
        "metadata": {"tags": {"ssn": ["PII"]}, "properties": {"owner": "payments"}, "sensitive": ["ssn"]},
        "ruleSet": {"domainRules": [cel("checkSsn", "WRITE")], "enableAt": "CLIENT"}
    }));
    assert_eq!(c.metadata.as_ref().unwrap().properties["owner"], "payments");
    let rules = c.rule_set.as_ref().unwrap();
    assert_eq!(rules.domain_rules[0].name(), "checkSsn");
    assert_eq!(rules.enable_at, Some(ExecutionEnvironment::Client));
    let only = contract(json!({"metadata": {"properties": {"owner": "x"}}}));
    assert!(only.rule_set.is_none());
    // Empty is declared (it clears the part), null and absent are not.
    assert_eq!(
        contract(json!({"metadata": {}})).metadata,
        Some(Metadata::default())
    );
    assert!(contract(json!({"metadata": null})).is_empty());
    assert!(contract(json!({})).is_empty());
}

#[test]
fn misspelt_keys_and_wrong_values_are_refused_at_their_place() {
    let cases: Vec<(Value, &str, &str)> = vec![
        (json!([]), "", "must be an object, found an array"),
        (
            json!({"rule_set": {}}),
            "/rule_set",
            "the rule set is `ruleSet`",
        ),
        (
            json!({"ruleset": {}}),
            "/ruleset",
            "the rule set is `ruleSet`",
        ),
        (
            json!({"meta": {}}),
            "/meta",
            "holds `metadata` and `ruleSet`",
        ),
        (
            json!({"metadata": {"propertes": {}}}),
            "/metadata/propertes",
            "expected one of tags, properties, sensitive",
        ),
        (
            json!({"metadata": {"properties": {"owner": null}}}),
            "/metadata/properties",
            "\"owner\"",
        ),
        (
            json!({"metadata": {"sensitive": "ssn"}}),
            "/metadata/sensitive",
            "Invalid metadata",
        ),
        (
            json!({"ruleSet": {"domainrules": []}}),
            "/ruleSet/domainrules",
            "expected one of migrationRules",
        ),
        (
            json!({"ruleSet": {"domainRules": {}}}),
            "/ruleSet/domainRules",
            "must be a list of rules",
        ),
        (
            json!({"ruleSet": {"domainRules": ["r"]}}),
            "/ruleSet/domainRules/0",
            "a rule must be an object",
        ),
        (
            json!({"ruleSet": {"domainRules": [cel("a", "WRITE"), {"name": "b", "type": "CEL", "knd": "CONDITION"}]}}),
            "/ruleSet/domainRules/1/knd",
            "unknown key \"knd\"",
        ),
        (
            json!({"ruleSet": {"domainRules": [{"name": "b", "type": "CEL", "kind": "MAYBE"}]}}),
            "/ruleSet/domainRules/0/kind",
            "MAYBE",
        ),
        (
            json!({"ruleSet": {"enableAt": "SOMETIMES"}}),
            "/ruleSet/enableAt",
            "ALL, CLIENT, GATEWAY, SERVER or NONE",
        ),
    ];
    for (value, pointer, says) in cases {
        let p = problem(value.clone());
        assert_eq!(p.pointer(), pointer, "{value}: {}", p.message);
        assert!(
            p.message.contains(says),
            "{value}: {:?} lacks {says:?}",
            p.message
        );
    }
}

#[test]
fn rule_sets_are_validated_as_the_registry_does_and_the_culprit_is_named() {
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            json!({"domainRules": [cel("ok", "WRITE"), {"name": "noType", "mode": "WRITE"}]}),
            "/ruleSet/domainRules/1",
            "Missing rule type in rule 'noType'",
        ),
        (
            json!({"migrationRules": [cel("r", "UPGRADE")], "domainRules": [cel("a", "READ"), cel("r", "WRITE")]}),
            "/ruleSet/domainRules/1",
            "Found rule with duplicate name 'r'",
        ),
        (
            json!({"encodingRules": [cel("enc", "UPDOWN")]}),
            "/ruleSet/encodingRules/0",
            "Encoding rules can only be WRITE, READ, WRITEREAD (rule 'enc' is UPDOWN)",
        ),
        (
            json!({"migrationRules": [cel("1st", "UPGRADE")]}),
            "/ruleSet/migrationRules/0",
            "Illegal initial character in rule name: 1st",
        ),
        (
            json!({"domainRules": [{"name": "two", "type": "CEL", "mode": "WRITE", "onFailure": "DLQ,ERROR"}]}),
            "/ruleSet/domainRules/0",
            "Multiple actions only valid with WRITEREAD and UPDOWN",
        ),
    ];
    for (rules, pointer, says) in cases {
        let p = problem(json!({ "ruleSet": rules }));
        assert_eq!(p.pointer(), pointer, "{}", p.message);
        assert!(p.message.contains(says), "{:?} lacks {says:?}", p.message);
    }
}

#[test]
fn toml_tables_read_as_their_json_and_problems_are_named_as_toml_keys() {
    let doc: toml::Value = toml::from_str(
        r#"
[metadata.properties]
owner = "payments"
[metadata.tags]
"$.ssn" = ["PII"]
[[ruleSet.domainRules]]
name = "checkSsn"
kind = "CONDITION"
mode = "WRITE"
type = "CEL"
expr = "true"
"#,
    )
    .unwrap();
    let c = from_toml(doc.get("metadata"), doc.get("ruleSet"))
        .unwrap()
        .unwrap();
    let same = contract(json!({
        "metadata": {"properties": {"owner": "payments"}, "tags": {"$.ssn": ["PII"]}},
        "ruleSet": {"domainRules": [cel("checkSsn", "WRITE")]}
    }));
    assert_eq!(c, same);
    assert_eq!(from_toml(None, None), Ok(None));

    let bad: toml::Value =
        toml::from_str("[[ruleSet.domainRules]]\nname = \"a\"\ntype = \"CEL\"\n[[ruleSet.domainRules]]\nname = \"b\"\nmode = \"SOMETIMES\"\n").unwrap();
    let p = from_toml(None, bad.get("ruleSet")).unwrap_err();
    assert_eq!(p.dotted(), "ruleSet.domainRules[1].mode");
    assert!(p.message.contains("SOMETIMES"), "{}", p.message);
    let odd = Problem::new(
        &[
            Step::Key("metadata".into()),
            Step::Key("tags".into()),
            Step::Key("$.a/b".into()),
        ],
        "x",
    );
    assert_eq!(odd.dotted(), "metadata.tags.\"$.a/b\"");
    assert_eq!(odd.pointer(), "/metadata/tags/$.a~1b");
}

fn md(value: Value) -> Metadata {
    serde_json::from_value(value).unwrap()
}

fn rules(value: Value) -> RuleSet {
    serde_json::from_value(value).unwrap()
}

#[test]
fn the_stored_contract_is_confluents_merge_without_its_version_property() {
    let latest = registered(
        Some(&md(
            json!({"properties": {"owner": "a", "confluent:version": "3"}}),
        )),
        Some(&rules(json!({"domainRules": [cel("old", "WRITE")]}))),
    );
    assert!(
        !latest
            .metadata
            .as_ref()
            .unwrap()
            .properties
            .contains_key(CONFLUENT_VERSION),
        "the registry's bookkeeping is not compared"
    );
    // Metadata sent replaces the latest's; the rules not sent are the latest's.
    let sent = Contract {
        metadata: Some(md(json!({"properties": {"team": "t"}}))),
        rule_set: None,
    };
    let none = Config::default();
    let stored_plain = stored(Some(&sent), Some(&latest), &none);
    assert_eq!(stored_plain.metadata, sent.metadata);
    assert_eq!(stored_plain.rule_set, latest.rule_set);
    // Nothing sent: the latest's, unchanged.
    assert_eq!(stored(None, Some(&latest), &none), latest);
    // Defaults under, overrides over.
    let mut config = Config::default();
    config.default_metadata = Some(md(json!({"properties": {"team": "default", "tier": "1"}})));
    config.override_metadata = Some(md(json!({"properties": {"tier": "forced"}})));
    config.override_rule_set = Some(rules(json!({"domainRules": [cel("always", "READ")]})));
    let merged = stored(Some(&sent), Some(&latest), &config);
    assert_eq!(
        merged.metadata,
        Some(md(json!({"properties": {"team": "t", "tier": "forced"}})))
    );
    let names: Vec<&str> = merged
        .rule_set
        .as_ref()
        .unwrap()
        .domain_rules
        .iter()
        .map(Rule::name)
        .collect();
    assert_eq!(names, ["old", "always"]);
    // Metadata that held only the version property is no metadata.
    let only_version = registered(
        Some(&md(json!({"properties": {"confluent:version": "1"}}))),
        None,
    );
    assert!(only_version.is_empty());
}

#[test]
fn changes_are_said_one_by_one_and_empty_reads_as_absent() {
    let old = contract(json!({
        "metadata": {"tags": {"ssn": ["PII"]}, "properties": {"owner": "a", "gone": "x"}, "sensitive": ["ssn"]},
        "ruleSet": {"domainRules": [cel("a", "WRITE"), cel("b", "WRITE"), cel("c", "READ")], "enableAt": "CLIENT"}
    }));
    let mut changed_b = cel("b", "WRITE");
    changed_b["expr"] = json!("false");
    changed_b["onFailure"] = json!("DLQ");
    let new = contract(json!({
        "metadata": {"tags": {"ssn": ["PII", "SECRET"]}, "properties": {"owner": "b", "team": "t"}, "sensitive": ["card"]},
        "ruleSet": {"domainRules": [changed_b, cel("a", "WRITE"), cel("d", "WRITE")], "enableAt": "ALL"}
    }));
    assert_eq!(
        changes(&old, &new),
        [
            "metadata.tags.ssn PII -> PII, SECRET",
            "metadata.properties.gone removed (was \"x\")",
            "metadata.properties.owner \"a\" -> \"b\"",
            "metadata.properties.team added (\"t\")",
            "metadata.sensitive card added",
            "metadata.sensitive ssn removed",
            "ruleSet.domainRules: b changed (expr, onFailure)",
            "ruleSet.domainRules: d added",
            "ruleSet.domainRules: c removed",
            "ruleSet.domainRules: reordered (a, b -> b, a)",
            "ruleSet.enableAt CLIENT -> ALL",
        ]
    );
    assert!(changes(&new, &new).is_empty());
    let empty = contract(json!({"metadata": {}, "ruleSet": {}}));
    assert!(changes(&Contract::default(), &empty).is_empty());
    assert_eq!(
        changes(
            &Contract::default(),
            &contract(json!({"ruleSet": {"migrationRules": [cel("up", "UPGRADE")]}}))
        ),
        ["ruleSet.migrationRules: up added"]
    );
}

#[test]
fn a_sidecar_is_written_in_confluents_key_order_and_reads_back() {
    let c = contract(json!({
        "ruleSet": {"enableAt": "CLIENT", "domainRules": [{"onFailure": "DLQ", "expr": "size(message.ssn) == 9", "type": "CEL", "mode": "WRITE", "kind": "CONDITION", "name": "checkSsn"}]},
        "metadata": {"sensitive": ["ssn"], "properties": {"owner": "payments"}, "tags": {"ssn": ["PII"]}}
    }));
    let text = to_text(&c);
    assert_eq!(
        text,
        r#"{
  "metadata": {"tags": {"ssn": ["PII"]}, "properties": {"owner": "payments"}, "sensitive": ["ssn"]},
  "ruleSet": {
    "domainRules": [
      {
        "name": "checkSsn",
        "kind": "CONDITION",
        "mode": "WRITE",
        "type": "CEL",
        "expr": "size(message.ssn) == 9",
        "onFailure": "DLQ",
        "disabled": false
      }
    ],
    "enableAt": "CLIENT"
  }
}
"#
    );
    assert_eq!(contract(serde_json::from_str(&text).unwrap()), c);
    assert_eq!(
        summary(&c),
        "metadata (tags ssn; properties owner; sensitive ssn), ruleSet (domainRules checkSsn; enableAt CLIENT)"
    );
    assert_eq!(
        summary(&contract(json!({"metadata": {}}))),
        "metadata (empty)"
    );
}
