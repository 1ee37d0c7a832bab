//! Wire types of the Confluent Schema Registry API: what the client sends and gets
//! back, named as Confluent names them on the wire.
//!
//! Data contracts (Confluent 8's `metadata` and `ruleSet`) travel in core's types, so a
//! contract read from a registry is the same value the core hashes and merges. Every
//! field that Confluent added after the first API (`guid`, `ts`, `deleted`, the contract)
//! is optional on the way in: other registries, and older ones, do not send them.

use schemagate_core::contract::{Metadata, RuleSet};
use schemagate_core::{Level, SchemaType};
use serde::{Deserialize, Serialize};

/// A reference from one schema to a registered subject-version it imports.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SchemaReference {
    /// The name the referring schema uses (Avro full name, JSON `$ref` URI).
    pub name: String,
    /// The subject the referenced schema is registered under.
    pub subject: String,
    /// The referenced version.
    pub version: u32,
}

/// A schema to register, look up or check: text, type, references and data contract.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SchemaBody {
    /// The schema text, as a string (Confluent never takes it as a JSON object).
    pub schema: String,
    /// Omitted for Avro, which is Confluent's default and what old registries expect.
    #[serde(rename = "schemaType", skip_serializing_if = "is_avro")]
    pub schema_type: SchemaType,
    /// Omitted when empty, as Confluent's own clients do.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<SchemaReference>,
    /// The contract's metadata. Omitted when absent, which a Confluent registry reads as
    /// "the latest version's" on registration: absent is not empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    /// The contract's rules; absent (kept from the latest version) is not empty.
    #[serde(rename = "ruleSet", skip_serializing_if = "Option::is_none")]
    pub rule_set: Option<RuleSet>,
}

impl SchemaBody {
    /// A body of the given type without references or contract.
    pub fn new(schema_type: SchemaType, schema: impl Into<String>) -> Self {
        SchemaBody {
            schema: schema.into(),
            schema_type,
            references: Vec::new(),
            metadata: None,
            rule_set: None,
        }
    }

    /// The same body with `references`.
    pub fn with_references(mut self, references: Vec<SchemaReference>) -> Self {
        self.references = references;
        self
    }

    /// The same body with the contract's `metadata` (`None` sends none).
    pub fn with_metadata(mut self, metadata: Option<Metadata>) -> Self {
        self.metadata = metadata;
        self
    }

    /// The same body with the contract's `ruleSet` (`None` sends none).
    pub fn with_rule_set(mut self, rule_set: Option<RuleSet>) -> Self {
        self.rule_set = rule_set;
        self
    }
}

fn is_avro(t: &SchemaType) -> bool {
    *t == SchemaType::Avro
}

fn default_type() -> SchemaType {
    SchemaType::Avro
}

/// A schema as registered under a subject (`GET /subjects/{s}/versions/{v}`, lookup,
/// `GET /subjects/{s}/metadata`). Non-exhaustive: Confluent keeps adding fields, and
/// answers are only ever built by deserialising.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct SubjectVersion {
    /// The subject.
    pub subject: String,
    /// Global schema id.
    pub id: u32,
    /// Version within the subject.
    pub version: u32,
    /// Confluent's GUID of the schema with its references and contract, when sent.
    #[serde(default)]
    pub guid: Option<String>,
    /// Schema language (Avro when the registry omits it).
    #[serde(rename = "schemaType", default = "default_type")]
    pub schema_type: SchemaType,
    /// Schema text as the registry stores it.
    pub schema: String,
    /// Schemas it imports.
    #[serde(default)]
    pub references: Vec<SchemaReference>,
    /// The contract's metadata as the registry stores it (merged with the subject's
    /// defaults and overrides), when it has one.
    #[serde(default)]
    pub metadata: Option<Metadata>,
    /// The contract's rules, when it has some. Confluent's own entity also reads
    /// `ruleset`, so that spelling is taken too.
    #[serde(default, rename = "ruleSet", alias = "ruleset")]
    pub rule_set: Option<RuleSet>,
    /// When the version was registered, in milliseconds since the epoch, when sent.
    #[serde(default)]
    pub ts: Option<i64>,
    /// Whether the version is soft-deleted (only asked-for deleted versions are), when
    /// sent.
    #[serde(default)]
    pub deleted: Option<bool>,
}

impl SubjectVersion {
    /// The schema as a body, with its contract, to check or register elsewhere.
    pub fn body(&self) -> SchemaBody {
        SchemaBody::new(self.schema_type, self.schema.clone())
            .with_references(self.references.clone())
            .with_metadata(self.metadata.clone())
            .with_rule_set(self.rule_set.clone())
    }
}

/// A schema fetched by global id (`GET /schemas/ids/{id}`) or by GUID (`GET
/// /schemas/guids/{guid}`): Confluent's `SchemaString`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct SchemaById {
    /// Confluent's GUID, when sent.
    #[serde(default)]
    pub guid: Option<String>,
    /// Schema language (Avro when the registry omits it).
    #[serde(rename = "schemaType", default = "default_type")]
    pub schema_type: SchemaType,
    /// Schema text.
    pub schema: String,
    /// Schemas it imports.
    #[serde(default)]
    pub references: Vec<SchemaReference>,
    /// The contract's metadata, when it has one: part of what the id names.
    #[serde(default)]
    pub metadata: Option<Metadata>,
    /// The contract's rules, when it has some.
    #[serde(default, rename = "ruleSet", alias = "ruleset")]
    pub rule_set: Option<RuleSet>,
    /// Registration time in milliseconds since the epoch, when sent.
    #[serde(default)]
    pub ts: Option<i64>,
    /// Whether it is soft-deleted, when sent.
    #[serde(default)]
    pub deleted: Option<bool>,
}

impl SchemaById {
    /// What a subject-version says about its schema: everything but the subject, the
    /// version and what belongs to the version alone (`ts`, `deleted`).
    pub(crate) fn from_version(found: &SubjectVersion) -> Self {
        SchemaById {
            guid: found.guid.clone(),
            schema_type: found.schema_type,
            schema: found.schema.clone(),
            references: found.references.clone(),
            metadata: found.metadata.clone(),
            rule_set: found.rule_set.clone(),
            ts: None,
            deleted: None,
        }
    }
}

/// One id a GUID has (`GET /schemas/guids/{guid}/ids`): the same schema may hold an id
/// in each schema context.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct ContextId {
    /// The context (`.` is the default one).
    #[serde(default = "default_context")]
    pub context: String,
    /// The id in that context.
    pub id: u32,
}

fn default_context() -> String {
    ".".to_owned()
}

/// What a registration answers (`POST /subjects/{s}/versions`). Confluent 8 answers the
/// whole registered schema; older registries only the id.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Registered {
    /// Global schema id.
    pub id: u32,
    /// Version within the subject, when sent.
    #[serde(default)]
    pub version: Option<u32>,
    /// Confluent's GUID, when sent.
    #[serde(default)]
    pub guid: Option<String>,
    /// The metadata the registry stored (merged with defaults and overrides), when sent.
    #[serde(default)]
    pub metadata: Option<Metadata>,
    /// The rule set the registry stored, when sent.
    #[serde(default, rename = "ruleSet", alias = "ruleset")]
    pub rule_set: Option<RuleSet>,
}

/// A configuration, global or of one subject: the level and the data-contract settings
/// Confluent 8 keeps beside it. Every field is optional, both ways: a registry answers
/// what it has, and `PUT /config` changes only the fields it is sent, so a [`Config`]
/// with one field set updates that one.
///
/// It serialises as Confluent's update request (the level as `compatibility`) and reads
/// both Confluent's answer (`compatibilityLevel`) and the update echo (`compatibility`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Config {
    /// The compatibility level.
    #[serde(
        default,
        rename(serialize = "compatibility", deserialize = "compatibilityLevel"),
        alias = "compatibility",
        skip_serializing_if = "Option::is_none"
    )]
    pub compatibility_level: Option<Level>,
    /// Whether schemas are normalised before they are stored and looked up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub normalize: Option<bool>,
    /// A metadata property: only versions with the same value of it are checked
    /// against each other (a major-version bump starts a new group).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compatibility_group: Option<String>,
    /// Merged under each registered schema's own metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_metadata: Option<Metadata>,
    /// Merged over each registered schema's own metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_metadata: Option<Metadata>,
    /// Merged under each registered schema's own rule set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_rule_set: Option<RuleSet>,
    /// Merged over each registered schema's own rule set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_rule_set: Option<RuleSet>,
}

impl Config {
    /// A configuration that sets the level and nothing else.
    pub fn with_level(level: Level) -> Self {
        Config {
            compatibility_level: Some(level),
            ..Config::default()
        }
    }
}

/// The answer of a compatibility check (`POST /compatibility/...`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Compatibility {
    /// The registry's verdict.
    pub is_compatible: bool,
    /// With `verbose=true`: one readable message per breaking finding.
    #[serde(default)]
    pub messages: Vec<String>,
}

/// Which version of a subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VersionSpec {
    /// The newest live version.
    Latest,
    /// A version number (1-based).
    Number(u32),
}

impl VersionSpec {
    pub(crate) fn segment(self) -> String {
        match self {
            VersionSpec::Latest => "latest".to_owned(),
            VersionSpec::Number(n) => n.to_string(),
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct ConfigAnswer {
    #[serde(rename = "compatibilityLevel", alias = "compatibility")]
    pub level: String,
}

#[derive(Deserialize)]
pub(crate) struct ErrorBody {
    pub error_code: i64,
    #[serde(default)]
    pub message: String,
}

#[cfg(test)]
mod tests {
    use schemagate_core::contract::{ExecutionEnvironment, RuleMode};
    use serde_json::json;

    use super::*;

    #[test]
    fn avro_bodies_omit_type_and_empty_references() {
        let body = SchemaBody::new(SchemaType::Avro, "\"string\"");
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"schema":"\"string\""}"#
        );
        let body = SchemaBody::new(SchemaType::Json, "{}").with_references(vec![SchemaReference {
            name: "a.json".into(),
            subject: "a".into(),
            version: 2,
        }]);
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"schema":"{}","schemaType":"JSON","references":[{"name":"a.json","subject":"a","version":2}]}"#
        );
    }

    #[test]
    fn missing_schema_type_means_avro() {
        let v: SubjectVersion =
            serde_json::from_str(r#"{"subject":"s","id":1,"version":1,"schema":"\"int\""}"#)
                .unwrap();
        assert_eq!(v.schema_type, SchemaType::Avro);
        assert!(v.references.is_empty());
        // A registry without data contracts: none of Confluent 8's fields.
        assert_eq!(
            (&v.guid, &v.metadata, &v.rule_set, v.ts, v.deleted),
            (&None, &None, &None, None, None)
        );
    }

    fn contract_json() -> serde_json::Value {
        json!({
            "metadata": {"tags": {"ssn": ["PII"]}, "properties": {"owner": "payments"}, "sensitive": ["ssn"]},
            "ruleSet": {"domainRules": [{"name": "checkSsn", "kind": "CONDITION", "mode": "WRITE", "type": "CEL", "expr": "size(message.ssn) == 9", "onFailure": "DLQ"}], "enableAt": "CLIENT"}
        })
    }

    #[test]
    fn bodies_send_the_contract_in_confluents_shape_and_omit_what_is_absent() {
        let contract = contract_json();
        let metadata: Metadata = serde_json::from_value(contract["metadata"].clone()).unwrap();
        let rules: RuleSet = serde_json::from_value(contract["ruleSet"].clone()).unwrap();
        let body = SchemaBody::new(SchemaType::Avro, "\"string\"")
            .with_metadata(Some(metadata))
            .with_rule_set(Some(rules));
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            concat!(
                r#"{"schema":"\"string\"","#,
                r#""metadata":{"tags":{"ssn":["PII"]},"properties":{"owner":"payments"},"sensitive":["ssn"]},"#,
                r#""ruleSet":{"domainRules":[{"name":"checkSsn","kind":"CONDITION","mode":"WRITE","type":"CEL","expr":"size(message.ssn) == 9","onFailure":"DLQ","disabled":false}],"enableAt":"CLIENT"}}"#
            )
        );
        // Empty metadata is sent as such: to Confluent it is not the same as none.
        let empty = SchemaBody::new(SchemaType::Avro, "\"string\"")
            .with_metadata(Some(Metadata::default()));
        assert_eq!(
            serde_json::to_string(&empty).unwrap(),
            r#"{"schema":"\"string\"","metadata":{}}"#
        );
    }

    #[test]
    fn confluent_8_answers_carry_guid_contract_ts_and_deleted() {
        let mut answer = json!({
            "subject": "payments-value", "version": 3, "id": 7,
            "guid": "d629bb05-ad85-3d20-fbcb-895de3c459f7", "schemaType": "AVRO",
            "schema": "\"string\"", "ts": 1718000000123_i64, "deleted": true,
            "schemaTags": [{"schemaEntity": {"entityPath": "x", "entityType": "SR_FIELD"}, "tags": ["PII"]}]
        });
        answer["metadata"] = contract_json()["metadata"].clone();
        answer["ruleSet"] = contract_json()["ruleSet"].clone();
        let v: SubjectVersion = serde_json::from_value(answer.clone()).unwrap();
        assert_eq!(
            v.guid.as_deref(),
            Some("d629bb05-ad85-3d20-fbcb-895de3c459f7")
        );
        assert_eq!((v.ts, v.deleted), (Some(1718000000123), Some(true)));
        let metadata = v.metadata.as_ref().unwrap();
        assert_eq!(metadata.properties["owner"], "payments");
        let rules = v.rule_set.as_ref().unwrap();
        assert_eq!(rules.domain_rules[0].mode, RuleMode::Write);
        assert_eq!(rules.enable_at, Some(ExecutionEnvironment::Client));
        // The body to register it elsewhere keeps its contract.
        let body = v.body();
        assert_eq!((&body.metadata, &body.rule_set), (&v.metadata, &v.rule_set));
        // Confluent's own entity reads `ruleset` as well.
        let rules = answer.as_object_mut().unwrap().remove("ruleSet").unwrap();
        answer["ruleset"] = rules;
        let lower: SubjectVersion = serde_json::from_value(answer).unwrap();
        assert_eq!(lower.rule_set, v.rule_set);
    }

    #[test]
    fn schemas_by_id_or_guid_and_the_ids_of_a_guid() {
        let mut answer =
            json!({"schema": "\"string\"", "guid": "d629bb05-ad85-3d20-fbcb-895de3c459f7"});
        answer["ruleSet"] = contract_json()["ruleSet"].clone();
        let s: SchemaById = serde_json::from_value(answer).unwrap();
        assert_eq!(s.schema_type, SchemaType::Avro);
        assert!(s.guid.is_some() && s.metadata.is_none());
        assert_eq!(s.rule_set.unwrap().domain_rules[0].name(), "checkSsn");
        let ids: Vec<ContextId> = serde_json::from_str(
            r#"[{"context":".","id":1},{"context":".staging","id":40},{"id":3}]"#,
        )
        .unwrap();
        let pairs: Vec<(&str, u32)> = ids.iter().map(|c| (c.context.as_str(), c.id)).collect();
        assert_eq!(pairs, [(".", 1), (".staging", 40), (".", 3)]);
    }

    #[test]
    fn registrations_answer_an_id_or_confluent_8s_whole_schema() {
        let old: Registered = serde_json::from_str(r#"{"id":7}"#).unwrap();
        assert_eq!((old.id, old.version, old.guid), (7, None, None));
        let mut answer = json!({"id": 7, "version": 2, "guid": "d629bb05-ad85-3d20-fbcb-895de3c459f7", "schema": "\"string\""});
        answer["metadata"] = contract_json()["metadata"].clone();
        let new: Registered = serde_json::from_value(answer).unwrap();
        assert_eq!((new.id, new.version), (7, Some(2)));
        assert_eq!(new.metadata.unwrap().sensitive.len(), 1);
    }

    #[test]
    fn config_reads_confluents_answer_and_sends_only_what_is_set() {
        let mut answer = json!({
            "compatibilityLevel": "FULL_TRANSITIVE", "normalize": true,
            "compatibilityGroup": "application.major.version", "validateFields": false,
            "defaultMetadata": {"properties": {"owner": "platform"}},
            "overrideRuleSet": {"domainRules": [{"name": "r", "type": "CEL", "mode": "WRITE"}]}
        });
        let config: Config = serde_json::from_value(answer.clone()).unwrap();
        assert_eq!(config.compatibility_level, Some(Level::FullTransitive));
        assert_eq!(config.normalize, Some(true));
        assert_eq!(
            config.compatibility_group.as_deref(),
            Some("application.major.version")
        );
        assert_eq!(
            config.default_metadata.as_ref().unwrap().properties["owner"],
            "platform"
        );
        assert!(config.override_metadata.is_none() && config.default_rule_set.is_none());
        assert_eq!(
            config
                .override_rule_set
                .as_ref()
                .unwrap()
                .domain_rules
                .len(),
            1
        );
        // Sent back, the level is Confluent's update field, and unknown fields are gone.
        let sent = serde_json::to_value(&config).unwrap();
        answer.as_object_mut().unwrap().remove("validateFields");
        let level = answer
            .as_object_mut()
            .unwrap()
            .remove("compatibilityLevel")
            .unwrap();
        answer["compatibility"] = level;
        answer["overrideRuleSet"]["domainRules"][0]["kind"] = json!("TRANSFORM");
        answer["overrideRuleSet"]["domainRules"][0]["disabled"] = json!(false);
        assert_eq!(sent, answer);
        // One field set, one field sent; and the update's echo reads back.
        let only = Config::with_level(Level::None);
        assert_eq!(
            serde_json::to_string(&only).unwrap(),
            r#"{"compatibility":"NONE"}"#
        );
        let echo: Config = serde_json::from_str(r#"{"compatibility":"NONE"}"#).unwrap();
        assert_eq!(echo, only);
        assert_eq!(serde_json::to_string(&Config::default()).unwrap(), "{}");
    }
}
