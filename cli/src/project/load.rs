//! Reading `schemagate.toml`: finding the file, and deserialising it into the shape
//! the file is written in, every scalar already typed (levels, policies, strategies,
//! schema types, subjects) so a misspelt value is refused at its line. Nothing here
//! looks at the disk beyond the file itself; globs, inferred types and derived
//! subjects are `resolve`'s.

use std::fmt::Display;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{Context, Result, anyhow};
use schemagate_core::{Level, NamingStrategy, Policy, ProtobufPolicy, SchemaType, Subject};
use serde::{Deserialize, Deserializer};

use super::{FILE_NAME, Ignore};

/// The file as written. The keys and what they mean are documented once, in
/// `cli/README.md` ("schemagate.toml"); these structs mirror them one to one.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawProject {
    #[serde(default)]
    pub(super) registry: RawRegistry,
    #[serde(default)]
    pub(super) defaults: RawDefaults,
    #[serde(default)]
    pub(super) semver: RawSemver,
    #[serde(default)]
    pub(super) protobuf: RawProtobuf,
    #[serde(default)]
    pub(super) subjects: Vec<RawSubject>,
    #[serde(default)]
    pub(super) ignore: Vec<Ignore>,
    #[serde(default)]
    pub(super) fixtures: Vec<RawFixture>,
    #[serde(default)]
    pub(super) accept: Vec<RawAccept>,
}

/// One `[[accept]]` entry; every key is required, and `crate::accept::Accept::new`
/// checks their values.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAccept {
    pub(super) subject: Subject,
    pub(super) rule: String,
    pub(super) path: String,
    pub(super) reason: String,
    pub(super) until: String,
}

/// `[registry]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRegistry {
    pub(super) url: Option<String>,
    pub(super) timeout: Option<f64>,
    pub(super) retries: Option<u32>,
    pub(super) concurrency: Option<usize>,
    /// The Confluent context (`.team-a`) the project's unqualified subjects live in.
    pub(super) context: Option<String>,
    // Caught only to explain why they are refused.
    pub(super) user: Option<toml::Value>,
    pub(super) username: Option<toml::Value>,
    pub(super) password: Option<toml::Value>,
    pub(super) token: Option<toml::Value>,
}

/// `[defaults]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDefaults {
    #[serde(default, deserialize_with = "parsed")]
    pub(super) level: Option<Level>,
    /// A JSON Schema policy (`strict`, `lenient`) or a Protobuf one (`confluent`,
    /// `wire-json`, `file`): each applies to the subjects of its own family.
    #[serde(default, deserialize_with = "any_policy")]
    pub(super) policy: Option<AnyPolicy>,
}

/// A policy as `[defaults]` may give it: of either family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum AnyPolicy {
    /// For JSON Schema subjects.
    Json(Policy),
    /// For Protobuf subjects.
    Protobuf(ProtobufPolicy),
}

/// `[protobuf]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawProtobuf {
    /// Directories, relative to the project file, against which an `import` is
    /// resolved (protoc's `-I`); the project's directory when absent.
    pub(super) import_paths: Option<Vec<String>>,
}

/// `[semver]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSemver {
    pub(super) enabled: Option<bool>,
    pub(super) key: Option<String>,
}

/// One `[[subjects]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSubject {
    pub(super) file: Option<String>,
    pub(super) subject: Option<Subject>,
    pub(super) glob: Option<String>,
    #[serde(default, deserialize_with = "parsed")]
    pub(super) strategy: Option<NamingStrategy>,
    pub(super) topic: Option<String>,
    #[serde(default)]
    pub(super) key: bool,
    #[serde(rename = "type", default, deserialize_with = "schema_type")]
    pub(super) schema_type: Option<SchemaType>,
    #[serde(default, deserialize_with = "parsed")]
    pub(super) level: Option<Level>,
    /// Read once the schema type is known: `strict`/`lenient` for JSON Schema,
    /// `confluent`/`wire-json`/`file` for Protobuf.
    pub(super) policy: Option<String>,
    /// Protobuf: the message sample events carry (full name, or relative to the
    /// package); the file's first message when absent.
    pub(super) message: Option<String>,
    #[serde(default)]
    pub(super) references: Vec<RawReference>,
    /// The data contract's metadata, in Confluent's JSON shape written as TOML; read by
    /// `crate::contract`, which refuses what Confluent would not take.
    pub(super) metadata: Option<toml::Value>,
    /// The data contract's rules, spelled as Confluent spells it (so are its fields).
    #[serde(rename = "ruleSet")]
    pub(super) rule_set: Option<toml::Value>,
    /// Caught only to say how the key is spelled.
    #[serde(rename = "rule_set")]
    pub(super) rule_set_misspelt: Option<toml::Value>,
}

/// One entry of a subject's `references`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawReference {
    pub(super) name: String,
    pub(super) file: Option<String>,
    pub(super) subject: Option<Subject>,
    pub(super) version: Option<u32>,
}

/// One `[[fixtures]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFixture {
    pub(super) subject: Subject,
    pub(super) events: String,
    #[serde(default = "yes")]
    pub(super) valid: bool,
}

fn yes() -> bool {
    true
}

/// A scalar read through its `FromStr`, so the file accepts what the command line
/// accepts (levels in any case, `topic_record`) and refuses it in the same words.
fn parsed<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr,
    T::Err: Display,
{
    Option::<String>::deserialize(d)?
        .map(|text| text.parse().map_err(serde::de::Error::custom))
        .transpose()
}

/// A policy of either family; a value of neither is refused naming all five.
fn any_policy<'de, D: Deserializer<'de>>(d: D) -> Result<Option<AnyPolicy>, D::Error> {
    Option::<String>::deserialize(d)?
        .map(|text| {
            text.parse::<Policy>()
                .map(AnyPolicy::Json)
                .or_else(|_| text.parse::<ProtobufPolicy>().map(AnyPolicy::Protobuf))
                .map_err(|_| {
                    serde::de::Error::custom(format!(
                        "invalid policy {text:?}: use strict or lenient (JSON Schema subjects), or confluent, wire-json or file (Protobuf subjects)"
                    ))
                })
        })
        .transpose()
}

/// `type = "avro"` as well as `"AVRO"`: the registry's names are upper-case, people
/// typing them are not always.
fn schema_type<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SchemaType>, D::Error> {
    Option::<String>::deserialize(d)?
        .map(|text| {
            text.to_ascii_uppercase()
                .parse()
                .map_err(serde::de::Error::custom)
        })
        .transpose()
}

/// The project file: `explicit` (a file or a directory holding one), else the
/// nearest `schemagate.toml` from the current directory upwards.
pub(super) fn find(explicit: Option<&Path>) -> Result<PathBuf> {
    Ok(match explicit {
        Some(p) if p.is_dir() => p.join(FILE_NAME),
        Some(p) => p.to_path_buf(),
        None => {
            let cwd = std::env::current_dir().context("cannot read the current directory")?;
            cwd.ancestors()
                .map(|d| d.join(FILE_NAME))
                .find(|p| p.is_file())
                .ok_or_else(|| {
                    anyhow!(
                        "no {FILE_NAME} in {} or any parent directory; run `schemagate init` to write one",
                        cwd.display()
                    )
                })?
        }
    })
}

/// Deserialises the file's text.
pub(super) fn parse(text: &str) -> Result<RawProject> {
    toml::from_str(text).map_err(|e| anyhow!("{}", e.to_string().trim_end()))
}
