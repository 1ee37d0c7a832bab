//! Reading `schemagate.toml`: finding the file, and deserialising it into the shape
//! the file is written in, every scalar already typed (levels, policies, strategies,
//! schema types, subjects) so a misspelt value is refused at its line. Nothing here
//! looks at the disk beyond the file itself; globs, inferred types and derived
//! subjects are `resolve`'s.

use std::fmt::Display;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{Context, Result, anyhow};
use schemagate_core::{Level, NamingStrategy, Policy, SchemaType, Subject};
use serde::{Deserialize, Deserializer};

use super::{FILE_NAME, Ignore};

/// The file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawProject {
    #[serde(default)]
    pub registry: RawRegistry,
    #[serde(default)]
    pub defaults: RawDefaults,
    #[serde(default)]
    pub semver: RawSemver,
    #[serde(default)]
    pub subjects: Vec<RawSubject>,
    #[serde(default)]
    pub ignore: Vec<Ignore>,
    #[serde(default)]
    pub fixtures: Vec<RawFixture>,
}

/// `[registry]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRegistry {
    pub url: Option<String>,
    pub timeout: Option<f64>,
    pub retries: Option<u32>,
    pub concurrency: Option<usize>,
    // Caught only to explain why they are refused.
    pub user: Option<toml::Value>,
    pub username: Option<toml::Value>,
    pub password: Option<toml::Value>,
    pub token: Option<toml::Value>,
}

/// `[defaults]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDefaults {
    #[serde(default, deserialize_with = "parsed")]
    pub level: Option<Level>,
    #[serde(default, deserialize_with = "parsed")]
    pub policy: Option<Policy>,
}

/// `[semver]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSemver {
    pub enabled: Option<bool>,
    pub key: Option<String>,
}

/// One `[[subjects]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSubject {
    pub file: Option<String>,
    pub subject: Option<Subject>,
    pub glob: Option<String>,
    #[serde(default, deserialize_with = "parsed")]
    pub strategy: Option<NamingStrategy>,
    pub topic: Option<String>,
    #[serde(default)]
    pub key: bool,
    #[serde(rename = "type", default, deserialize_with = "schema_type")]
    pub schema_type: Option<SchemaType>,
    #[serde(default, deserialize_with = "parsed")]
    pub level: Option<Level>,
    #[serde(default, deserialize_with = "parsed")]
    pub policy: Option<Policy>,
    #[serde(default)]
    pub references: Vec<RawReference>,
}

/// One entry of a subject's `references`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawReference {
    pub name: String,
    pub file: Option<String>,
    pub subject: Option<Subject>,
    pub version: Option<u32>,
}

/// One `[[fixtures]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFixture {
    pub subject: Subject,
    pub events: String,
    #[serde(default = "yes")]
    pub valid: bool,
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
