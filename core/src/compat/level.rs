//! What a check is asked: the Confluent level (which versions, which direction) and
//! the options beyond it (the JSON Schema policy). A leaf, so that the engines and the
//! report can name a level or policy without importing the module that runs them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Confluent's compatibility levels.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Level {
    /// No check at all.
    None,
    /// The new schema reads data written with the latest version (Confluent's default).
    #[default]
    Backward,
    /// The new schema reads data written with every live version.
    BackwardTransitive,
    /// The latest version reads data written with the new schema.
    Forward,
    /// Every live version reads data written with the new schema.
    ForwardTransitive,
    /// Backward and forward against the latest version.
    Full,
    /// Backward and forward against every live version.
    FullTransitive,
}

impl Level {
    /// All seven levels, in Confluent's documentation order.
    pub const ALL: [Level; 7] = [
        Level::None,
        Level::Backward,
        Level::BackwardTransitive,
        Level::Forward,
        Level::ForwardTransitive,
        Level::Full,
        Level::FullTransitive,
    ];

    /// Confluent's name for the level.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::None => "NONE",
            Level::Backward => "BACKWARD",
            Level::BackwardTransitive => "BACKWARD_TRANSITIVE",
            Level::Forward => "FORWARD",
            Level::ForwardTransitive => "FORWARD_TRANSITIVE",
            Level::Full => "FULL",
            Level::FullTransitive => "FULL_TRANSITIVE",
        }
    }

    /// Whether every live version is checked, not only the latest.
    pub fn is_transitive(self) -> bool {
        matches!(
            self,
            Level::BackwardTransitive | Level::ForwardTransitive | Level::FullTransitive
        )
    }

    /// Whether the new schema must read old data.
    pub fn checks_backward(self) -> bool {
        matches!(
            self,
            Level::Backward | Level::BackwardTransitive | Level::Full | Level::FullTransitive
        )
    }

    /// Whether old schemas must read new data.
    pub fn checks_forward(self) -> bool {
        matches!(
            self,
            Level::Forward | Level::ForwardTransitive | Level::Full | Level::FullTransitive
        )
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A compatibility level name that Confluent does not define.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid compatibility level {0:?}: use one of NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE"
)]
pub struct InvalidLevel(pub String);

impl FromStr for Level {
    type Err = InvalidLevel;

    /// Accepts Confluent's names in any case (clients send them upper-case; people
    /// typing config files do not always).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Level::ALL
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| InvalidLevel(s.to_owned()))
    }
}

/// Which JSON Schema rule set decides (Avro has one rule set and ignores this).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Policy {
    /// Confluent's default rule set: drop-in fidelity.
    #[default]
    Strict,
    /// Confluent's lenient set: open-model additions and closed-model removals pass.
    Lenient,
}

impl FromStr for Policy {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "strict" => Ok(Policy::Strict),
            "lenient" => Ok(Policy::Lenient),
            other => Err(format!("invalid policy {other:?}: use strict or lenient")),
        }
    }
}

/// Which Protobuf rule set decides (the other formats ignore it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProtobufPolicy {
    /// Confluent's `SchemaDiff` rules, exactly: what the registry enforces.
    #[default]
    Confluent,
    /// Confluent's rules plus what breaks Protobuf's JSON encoding (buf's WIRE_JSON):
    /// field and enum value renames, fields deleted without reserving number and name.
    WireJson,
    /// WIRE_JSON plus what breaks generated code (buf's FILE): package and type
    /// renames, deleted types, changed options that shape generated files.
    File,
}

impl ProtobufPolicy {
    /// The name as written in configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            ProtobufPolicy::Confluent => "confluent",
            ProtobufPolicy::WireJson => "wire-json",
            ProtobufPolicy::File => "file",
        }
    }
}

impl FromStr for ProtobufPolicy {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "confluent" => Ok(ProtobufPolicy::Confluent),
            "wire-json" | "wire_json" => Ok(ProtobufPolicy::WireJson),
            "file" => Ok(ProtobufPolicy::File),
            other => Err(format!(
                "invalid Protobuf policy {other:?}: use confluent, wire-json or file"
            )),
        }
    }
}

/// Options of one check beyond the level.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CheckOptions {
    /// JSON Schema rule set.
    pub policy: Policy,
    /// Protobuf rule set.
    pub protobuf: ProtobufPolicy,
}
