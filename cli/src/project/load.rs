//! Reading `schemagate.toml`: finding the file, and deserialising it into the raw
//! shape the file is written in. Nothing here looks at the disk beyond the file
//! itself; globs, types and subjects are resolved in `resolve`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
use serde::Deserialize;

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
    pub level: Option<String>,
    pub policy: Option<String>,
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
    pub subject: Option<String>,
    pub glob: Option<String>,
    pub strategy: Option<String>,
    pub topic: Option<String>,
    #[serde(default)]
    pub key: bool,
    #[serde(rename = "type")]
    pub schema_type: Option<String>,
    pub level: Option<String>,
    pub policy: Option<String>,
    #[serde(default)]
    pub references: Vec<RawReference>,
}

/// One entry of a subject's `references`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawReference {
    pub name: String,
    pub file: Option<String>,
    pub subject: Option<String>,
    pub version: Option<u32>,
}

/// One `[[fixtures]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFixture {
    pub subject: String,
    pub events: String,
    #[serde(default = "yes")]
    pub valid: bool,
}

fn yes() -> bool {
    true
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
