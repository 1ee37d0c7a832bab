//! Command-line definitions (clap) and nothing else: the commands live in
//! `commands/`, so `--help` can be read here in one place.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use schemagate_core::{Level, Policy, SchemaType, Subject};

use crate::output::{ColorChoice, Format};

/// Schemagate: refuse breaking schema changes before they reach the registry.
///
/// Exit codes: 0 compatible, 1 breaking changes (or invalid events), 2 usage,
/// parse, config or network error.
#[derive(Debug, Parser)]
#[command(name = "schemagate", version, propagate_version = true)]
pub struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub global: Global,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct Global {
    /// Project file, or the directory holding schemagate.toml [default: nearest one
    /// from the current directory upwards].
    #[arg(long, global = true, env = "SCHEMAGATE_PROJECT", value_name = "PATH")]
    pub project: Option<PathBuf>,

    /// Registry base URL; overrides [registry] url. Credentials come from
    /// SCHEMAGATE_REGISTRY_USER + SCHEMAGATE_REGISTRY_PASSWORD or SCHEMAGATE_REGISTRY_TOKEN.
    #[arg(
        long,
        global = true,
        env = "SCHEMAGATE_REGISTRY_URL",
        value_name = "URL"
    )]
    pub registry: Option<String>,

    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Colour in text output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Per-request timeout in seconds [default: [registry] timeout, else 10].
    #[arg(long, global = true, value_name = "SECONDS")]
    pub timeout: Option<f64>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check every mapped schema: against the registry, or offline --against a git
    /// revision or a directory.
    Check(CheckArgs),
    /// Compare two schema files: findings and the semver bump the change implies.
    Diff(DiffArgs),
    /// Register every mapped schema (idempotent); prints ids and versions.
    Register(RegisterArgs),
    /// Write registered schemas to files.
    Pull(PullArgs),
    /// Validate the sample events mapped under [[fixtures]] against their schemas.
    Validate(ValidateArgs),
    /// Write a schemagate.toml for an existing directory of schemas.
    Init(InitArgs),
    /// What a rule id means: engine, severity, message, fix; every rule without RULE.
    Explain(ExplainArgs),
}

/// `schemagate check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Offline: compare with the files at this git revision (HEAD, main,
    /// origin/main, a sha) or in this directory, using the levels of schemagate.toml.
    #[arg(long, value_name = "REV|DIR")]
    pub against: Option<String>,
    /// Only these subjects [default: all mapped].
    pub subjects: Vec<Subject>,
}

/// `schemagate diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The old schema file.
    pub old: PathBuf,
    /// The new schema file.
    pub new: PathBuf,
    /// Schema language [default: from the extension and content].
    #[arg(long = "type", value_name = "AVRO|JSON", value_parser = schema_type)]
    pub schema_type: Option<SchemaType>,
    /// Compatibility level.
    #[arg(long, default_value = "BACKWARD")]
    pub level: Level,
    /// JSON Schema rule set: strict or lenient.
    #[arg(long, default_value = "strict")]
    pub policy: Policy,
}

/// `schemagate register`.
#[derive(Debug, Args)]
pub struct RegisterArgs {
    /// Show what would be registered, and whether the registry would accept it.
    #[arg(long)]
    pub dry_run: bool,
    /// Only these subjects [default: all mapped].
    pub subjects: Vec<Subject>,
}

/// `schemagate pull`.
#[derive(Debug, Args)]
pub struct PullArgs {
    /// Subjects to pull [default: all mapped]. Mapped subjects go to their file,
    /// others to --dir.
    pub subjects: Vec<Subject>,
    /// Directory for subjects that schemagate.toml does not map.
    #[arg(long, default_value = ".")]
    pub dir: PathBuf,
}

/// `schemagate validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Only the fixtures of these subjects [default: all].
    pub subjects: Vec<Subject>,
}

/// `schemagate init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Directory of schema files (.avsc, .json) to map.
    #[arg(default_value = "schemas")]
    pub dir: PathBuf,
    /// Registry URL to write into the file.
    #[arg(long = "url", default_value = "http://localhost:8081")]
    pub url: String,
    /// Overwrite an existing schemagate.toml.
    #[arg(long)]
    pub force: bool,
}

/// `--type avro` as well as `--type AVRO`: the registry's names are upper-case,
/// people typing them are not always.
fn schema_type(text: &str) -> Result<SchemaType, schemagate_core::SchemaError> {
    text.to_ascii_uppercase().parse()
}

/// `schemagate explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A rule id as findings show it (any case), e.g. READER_FIELD_MISSING_DEFAULT_VALUE
    /// [default: list every rule].
    pub rule: Option<String>,
}
