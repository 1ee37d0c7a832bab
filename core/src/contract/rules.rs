//! A schema's `ruleSet` (Confluent's data contracts): migration, domain and encoding
//! rules. The registry validates, stores, merges and serves them; clients run them.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde::{Deserialize, Deserializer, Serialize};

use super::ContractError;
use super::lenient::{null_false, opt_string, string_map, string_set};

/// Longest rule name Confluent accepts (`Rule.NAME_MAX_LENGTH`).
pub const RULE_NAME_MAX: usize = 256;

/// Java's `Character.isLetter` and `isLetterOrDigit` as Confluent applies them, one
/// UTF-16 unit at a time: a letter is a Unicode letter (`L*`), a digit a decimal digit
/// (`Nd`, not `½` or `²`), and nothing outside the Basic Multilingual Plane passes (a
/// surrogate is neither). The first pattern checks the initial character, the second
/// the whole name.
fn name_classes() -> &'static (regex::Regex, regex::Regex) {
    static CLASSES: std::sync::OnceLock<(regex::Regex, regex::Regex)> = std::sync::OnceLock::new();
    CLASSES.get_or_init(|| {
        let letter = r"\p{L}&&[\x{0}-\x{FFFF}]";
        let digit = r"\p{Nd}&&[\x{0}-\x{FFFF}]";
        (
            regex::Regex::new(&format!(r"^(?:[{letter}]|_)")).expect("a valid pattern"),
            regex::Regex::new(&format!(
                r"^(?:[{letter}]|_)(?:[{letter}]|[{digit}]|[_-])*$"
            ))
            .expect("a valid pattern"),
        )
    })
}

/// Whether a rule changes data or only checks it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum RuleKind {
    /// Rewrites data (the default, as in Java).
    #[default]
    Transform,
    /// Accepts or refuses data.
    Condition,
}

impl RuleKind {
    /// Confluent's name.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::Transform => "TRANSFORM",
            RuleKind::Condition => "CONDITION",
        }
    }
}

/// When a rule runs: across versions (migration rules) or on write and read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum RuleMode {
    /// Reading data of an older version.
    Upgrade,
    /// Reading data of a newer version.
    Downgrade,
    /// Both directions.
    Updown,
    /// When a producer writes.
    Write,
    /// When a consumer reads.
    Read,
    /// Both (the default, as in Java).
    #[default]
    Writeread,
}

impl RuleMode {
    /// Confluent's name.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleMode::Upgrade => "UPGRADE",
            RuleMode::Downgrade => "DOWNGRADE",
            RuleMode::Updown => "UPDOWN",
            RuleMode::Write => "WRITE",
            RuleMode::Read => "READ",
            RuleMode::Writeread => "WRITEREAD",
        }
    }

    fn is_migration(self) -> bool {
        matches!(
            self,
            RuleMode::Upgrade | RuleMode::Downgrade | RuleMode::Updown
        )
    }
}

/// Where a rule set is enforced (`enableAt`, Confluent 8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ExecutionEnvironment {
    /// Everywhere.
    All,
    /// In clients.
    Client,
    /// In gateways.
    Gateway,
    /// In servers.
    Server,
    /// Nowhere.
    None,
}

impl ExecutionEnvironment {
    /// Confluent's name.
    pub fn as_str(self) -> &'static str {
        match self {
            ExecutionEnvironment::All => "ALL",
            ExecutionEnvironment::Client => "CLIENT",
            ExecutionEnvironment::Gateway => "GATEWAY",
            ExecutionEnvironment::Server => "SERVER",
            ExecutionEnvironment::None => "NONE",
        }
    }
}

fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// One rule, fields in Confluent's order (the order answers show them in). Tags and
/// params are sorted, as Java's `TreeSet`/`TreeMap` keep them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    /// Unique within the rule set; `None` only until validation refuses it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What the rule is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// Transform or condition.
    #[serde(default, deserialize_with = "null_default")]
    pub kind: RuleKind,
    /// When it runs.
    #[serde(default, deserialize_with = "null_default")]
    pub mode: RuleMode,
    /// The executor (`CEL`, `CEL_FIELD`, `JSONATA`, `ENCRYPT`, …).
    #[serde(
        default,
        rename = "type",
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub rule_type: Option<String>,
    /// The tags whose fields it applies to.
    #[serde(
        default,
        deserialize_with = "string_set",
        skip_serializing_if = "BTreeSet::is_empty"
    )]
    pub tags: BTreeSet<String>,
    /// Executor parameters.
    #[serde(
        default,
        deserialize_with = "string_map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub params: BTreeMap<String, String>,
    /// The expression the executor runs.
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub expr: Option<String>,
    /// Action on success (`NONE`, `ERROR`, `DLQ`, …; two comma-separated for
    /// WRITEREAD and UPDOWN).
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub on_success: Option<String>,
    /// Action on failure.
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub on_failure: Option<String>,
    /// Switched off. Always answered, as Jackson writes a primitive `boolean`.
    #[serde(default, deserialize_with = "null_false")]
    pub disabled: bool,
}

impl Rule {
    /// The name, empty when missing (only before validation).
    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or_default()
    }

    /// Confluent's `Rule.validate`: a name that is an identifier of at most 256
    /// characters, a type, and multiple actions only where both directions run.
    fn validate(&self) -> Result<(), ContractError> {
        let invalid = |message: String| ContractError::InvalidRuleSet(message);
        let Some(name) = self.name.as_deref() else {
            return Err(invalid("Missing rule name".into()));
        };
        if name.is_empty() {
            return Err(invalid("Empty rule name".into()));
        }
        // Java counts UTF-16 units.
        if name.encode_utf16().count() > RULE_NAME_MAX {
            return Err(invalid(format!(
                "Rule name too long: {} characters, at most {RULE_NAME_MAX}",
                name.chars().count()
            )));
        }
        let (first, rest) = name_classes();
        if !first.is_match(name) {
            return Err(invalid(format!(
                "Illegal initial character in rule name: {name} (start with a letter or '_')"
            )));
        }
        if !rest.is_match(name) {
            return Err(invalid(format!(
                "Illegal character in rule name: {name} (use letters, digits, '_' and '-')"
            )));
        }
        if self.rule_type.is_none() {
            return Err(invalid(format!(
                "Missing rule type in rule '{name}' (e.g. \"type\": \"CEL\")"
            )));
        }
        let both_ways = matches!(self.mode, RuleMode::Writeread | RuleMode::Updown);
        for action in [&self.on_success, &self.on_failure].into_iter().flatten() {
            if !both_ways && action.contains(',') {
                return Err(invalid(format!(
                    "Multiple actions only valid with WRITEREAD and UPDOWN (rule '{name}' is {})",
                    self.mode.as_str()
                )));
            }
        }
        Ok(())
    }

    /// Feeds Confluent's MD5 (`Rule.updateHash`).
    fn update_hash(&self, hash: &mut impl FnMut(&[u8])) {
        for text in [&self.name, &self.doc].into_iter().flatten() {
            hash(text.as_bytes());
        }
        hash(self.kind.as_str().as_bytes());
        hash(self.mode.as_str().as_bytes());
        if let Some(t) = &self.rule_type {
            hash(t.as_bytes());
        }
        for tag in &self.tags {
            hash(tag.as_bytes());
        }
        for (k, v) in &self.params {
            hash(k.as_bytes());
            hash(v.as_bytes());
        }
        for text in [&self.expr, &self.on_success, &self.on_failure]
            .into_iter()
            .flatten()
        {
            hash(text.as_bytes());
        }
        if self.disabled {
            hash(&[1]);
        }
    }
}

/// Confluent's `RuleSet`. Empty lists are omitted from answers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleSet {
    /// UPGRADE, DOWNGRADE or UPDOWN rules, run between versions.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub migration_rules: Vec<Rule>,
    /// WRITE, READ or WRITEREAD rules on the data.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub domain_rules: Vec<Rule>,
    /// WRITE, READ or WRITEREAD rules on the encoded bytes.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub encoding_rules: Vec<Rule>,
    /// Where the rules are enforced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_at: Option<ExecutionEnvironment>,
}

impl RuleSet {
    /// Confluent's `RuleSet.validate`: names unique across the set, each rule valid,
    /// and each phase's modes its own.
    pub fn validate(&self) -> Result<(), ContractError> {
        let mut names = HashSet::new();
        let phases: [(&[Rule], bool, &str); 3] = [
            (
                &self.migration_rules,
                true,
                "Migration rules can only be UPGRADE, DOWNGRADE, UPDOWN",
            ),
            (
                &self.domain_rules,
                false,
                "Domain rules can only be WRITE, READ, WRITEREAD",
            ),
            (
                &self.encoding_rules,
                false,
                "Encoding rules can only be WRITE, READ, WRITEREAD",
            ),
        ];
        for (rules, migration, wrong_mode) in phases {
            for rule in rules {
                if !names.insert(rule.name()) {
                    return Err(ContractError::InvalidRuleSet(format!(
                        "Found rule with duplicate name '{}'",
                        rule.name()
                    )));
                }
                rule.validate()?;
                if rule.mode.is_migration() != migration {
                    return Err(ContractError::InvalidRuleSet(format!(
                        "{wrong_mode} (rule '{}' is {})",
                        rule.name(),
                        rule.mode.as_str()
                    )));
                }
            }
        }
        Ok(())
    }

    /// Every rule, migration rules first, then domain and encoding rules (the order
    /// Confluent hashes them in).
    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.migration_rules
            .iter()
            .chain(&self.domain_rules)
            .chain(&self.encoding_rules)
    }

    /// Whether any rule has executor `rule_type` (the `ruleType` filter of `/schemas`).
    pub fn has_rule_type(&self, rule_type: &str) -> bool {
        self.rules()
            .any(|r| r.rule_type.as_deref() == Some(rule_type))
    }

    /// Confluent's `RuleSet.mergeRuleSets`: per phase, the old rules not renamed by a
    /// new one, then the new rules; `enableAt` from `new` when it has one.
    pub fn merge(old: Option<&RuleSet>, new: Option<&RuleSet>) -> Option<RuleSet> {
        match (old, new) {
            (None, new) => new.cloned(),
            (old, None) => old.cloned(),
            (Some(old), Some(new)) => Some(RuleSet {
                migration_rules: merge_rules(&old.migration_rules, &new.migration_rules),
                domain_rules: merge_rules(&old.domain_rules, &new.domain_rules),
                encoding_rules: merge_rules(&old.encoding_rules, &new.encoding_rules),
                enable_at: new.enable_at.or(old.enable_at),
            }),
        }
    }

    /// Feeds Confluent's MD5 (`RuleSet.updateHash`).
    pub(super) fn update_hash(&self, hash: &mut impl FnMut(&[u8])) {
        for rule in self.rules() {
            rule.update_hash(hash);
        }
        if let Some(at) = self.enable_at {
            hash(at.as_str().as_bytes());
        }
    }
}

fn merge_rules(old: &[Rule], new: &[Rule]) -> Vec<Rule> {
    let renamed: HashSet<&str> = new.iter().map(Rule::name).collect();
    old.iter()
        .filter(|r| !renamed.contains(r.name()))
        .chain(new)
        .cloned()
        .collect()
}
