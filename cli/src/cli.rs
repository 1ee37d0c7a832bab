//! Command-line definitions (clap) and nothing else: the commands live in
//! `commands/`, so `--help` can be read here in one place.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use schemagate_core::{Level, Policy, ProtobufPolicy, SchemaType, Subject};

use crate::output::{ColorChoice, Format};

/// Schemagate: refuse breaking schema changes before they reach the registry.
///
/// Exit codes: 0 compatible, 1 breaking changes (or invalid events), 2 usage,
/// parse, config or network error.
#[derive(Debug, Parser)]
#[command(name = "schemagate", version, propagate_version = true)]
pub struct Cli {
    /// Colour in text output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// `--project`, for the commands that read schemagate.toml.
#[derive(Debug, Args)]
pub struct ProjectOpt {
    /// Project file, or the directory holding schemagate.toml [default: nearest one
    /// from the current directory upwards].
    #[arg(long, env = "SCHEMAGATE_PROJECT", value_name = "PATH")]
    pub project: Option<PathBuf>,
}

/// `--registry` and `--timeout`, for the commands that talk to a registry.
#[derive(Debug, Args)]
pub struct RegistryOpt {
    /// Registry base URL; overrides [registry] url. Credentials come from
    /// SCHEMAGATE_REGISTRY_USER + SCHEMAGATE_REGISTRY_PASSWORD or SCHEMAGATE_REGISTRY_TOKEN.
    #[arg(long, env = "SCHEMAGATE_REGISTRY_URL", value_name = "URL")]
    pub registry: Option<String>,
    /// Per-request timeout in seconds [default: [registry] timeout, else 10].
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<f64>,
}

/// The options of the commands that judge a project's schemas with a registry.
#[derive(Debug, Args)]
pub struct ProjectReport {
    #[command(flatten)]
    pub project: ProjectOpt,
    #[command(flatten)]
    pub registry: RegistryOpt,
    #[command(flatten)]
    pub format: ReportFormat,
}

/// `--format` for the commands that report findings: every format CI systems read.
#[derive(Debug, Args)]
pub struct ReportFormat {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// `--format` for the commands that list what they did: for people, or one JSON
/// document (findings formats such as SARIF have nothing to carry here).
#[derive(Debug, Args)]
pub struct ListFormat {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Listing::Text)]
    pub format: Listing,
}

/// The formats of [`ListFormat`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Listing {
    /// For people.
    Text,
    /// One JSON document.
    Json,
}

impl From<Listing> for Format {
    fn from(listing: Listing) -> Format {
        match listing {
            Listing::Text => Format::Text,
            Listing::Json => Format::Json,
        }
    }
}

/// What the commands read of the shared options, whichever of them the command takes
/// (the others keep their defaults).
#[derive(Debug, Default)]
pub struct Global {
    /// `--project`.
    pub project: Option<PathBuf>,
    /// `--registry`.
    pub registry: Option<String>,
    /// `--timeout`.
    pub timeout: Option<f64>,
    /// `--format`.
    pub format: Format,
}

impl Command {
    /// The shared options this command was given.
    pub fn global(&self) -> Global {
        let with = |project: &ProjectOpt, registry: Option<&RegistryOpt>, format: Format| Global {
            project: project.project.clone(),
            registry: registry.and_then(|r| r.registry.clone()),
            timeout: registry.and_then(|r| r.timeout),
            format,
        };
        match self {
            Command::Check(CheckArgs { options: o, .. })
            | Command::Register(RegisterArgs { options: o, .. }) => {
                with(&o.project, Some(&o.registry), o.format.format)
            }
            Command::Diff(a) if a.example => with(&a.project, None, Format::Examples),
            Command::Diff(a) => with(&a.project, None, a.format.format),
            Command::Pull(a) => with(&a.project, Some(&a.registry), a.format.format.into()),
            Command::Validate(a) => with(&a.project, None, a.format.format),
            Command::Init(a) => Global {
                format: a.format.format.into(),
                ..Global::default()
            },
            Command::Explain(a) => Global {
                format: a.format.format.into(),
                ..Global::default()
            },
            Command::Export(ExportArgs { opts, .. })
            | Command::Import(ImportArgs { opts, .. })
            | Command::Migrate(MigrateArgs { opts, .. }) => Global {
                format: opts.format.into(),
                ..Global::default()
            },
        }
    }
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
    /// Write a registry's whole state (every version with its id, soft deletions,
    /// references, contracts, configs, modes, contexts, keys) to one file.
    Export(ExportArgs),
    /// Load an export or a `_schemas` topic dump into a Schemagate registry, keeping
    /// every id and version; idempotent and resumable.
    Import(ImportArgs),
    /// Copy one registry into a Schemagate registry, then verify every id and version.
    Migrate(MigrateArgs),
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
    #[command(flatten)]
    pub options: ProjectReport,
}

/// `schemagate diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The old schema file.
    pub old: PathBuf,
    /// The new schema file.
    pub new: PathBuf,
    /// Schema language [default: from the extension and content].
    #[arg(long = "type", value_name = "AVRO|JSON|PROTOBUF", value_parser = schema_type)]
    pub schema_type: Option<SchemaType>,
    /// Compatibility level.
    #[arg(long, default_value = "BACKWARD")]
    pub level: Level,
    /// Rule set: strict (default) or lenient for JSON Schema; confluent (default),
    /// wire-json or file for Protobuf.
    #[arg(long, value_name = "POLICY", value_parser = any_policy)]
    pub policy: Option<PolicyArg>,
    /// Print only the counterexamples: for each breaking change, an event the old
    /// schema writes that the new one cannot read (or the reverse), one JSON object a
    /// line (`event`, Avro/Protobuf `bytes` in base64, `outcome`); exit 1 on a break.
    #[arg(long, conflicts_with = "format")]
    pub example: bool,
    #[command(flatten)]
    pub project: ProjectOpt,
    #[command(flatten)]
    pub format: ReportFormat,
}

/// `schemagate register`.
#[derive(Debug, Args)]
pub struct RegisterArgs {
    /// Show what would be registered, and whether the registry would accept it.
    #[arg(long)]
    pub dry_run: bool,
    /// Only these subjects [default: all mapped].
    pub subjects: Vec<Subject>,
    #[command(flatten)]
    pub options: ProjectReport,
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
    #[command(flatten)]
    pub project: ProjectOpt,
    #[command(flatten)]
    pub registry: RegistryOpt,
    #[command(flatten)]
    pub format: ListFormat,
}

/// `schemagate validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Only the fixtures of these subjects [default: all].
    pub subjects: Vec<Subject>,
    #[command(flatten)]
    pub project: ProjectOpt,
    #[command(flatten)]
    pub format: ReportFormat,
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
    #[command(flatten)]
    pub format: ListFormat,
}

/// A `--policy` of either family; which one applies is known once the schema type is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyArg {
    /// JSON Schema's `strict` or `lenient`.
    Json(Policy),
    /// Protobuf's `confluent`, `wire-json` or `file`.
    Protobuf(ProtobufPolicy),
}

fn any_policy(text: &str) -> Result<PolicyArg, String> {
    text.parse()
        .map(PolicyArg::Json)
        .or_else(|_| text.parse().map(PolicyArg::Protobuf))
        .map_err(|_| {
            "use strict or lenient (JSON Schema), or confluent, wire-json or file (Protobuf)"
                .to_owned()
        })
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
    #[command(flatten)]
    pub format: ListFormat,
}

/// The options `export`, `import` and `migrate` share.
#[derive(Debug, Args)]
pub struct TransferOpts {
    /// Requests in flight at once.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// Per-request timeout in seconds [default: 10].
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<f64>,
    /// Output format: a summary for people, or one JSON document.
    #[arg(long, value_enum, default_value_t = Listing::Text)]
    pub format: Listing,
}

impl TransferOpts {
    /// `--concurrency` as a count of requests.
    pub fn in_flight(&self) -> usize {
        usize::from(self.concurrency)
    }
}

/// `schemagate export`.
#[derive(Debug, Args)]
#[command(
    after_help = "The file's format is documented in docs/export-format.md. Credentials: SCHEMAGATE_REGISTRY_USER + SCHEMAGATE_REGISTRY_PASSWORD or SCHEMAGATE_REGISTRY_TOKEN.\nExit codes: 0 written, 2 usage, file or connection error."
)]
pub struct ExportArgs {
    /// The registry to read (any Confluent-compatible registry).
    #[arg(long, env = "SCHEMAGATE_REGISTRY_URL", value_name = "URL")]
    pub registry: String,
    /// The file to write (`-`: standard output). It appears only once complete.
    #[arg(long, short, value_name = "FILE")]
    pub output: PathBuf,
    #[command(flatten)]
    pub opts: TransferOpts,
}

/// `schemagate import`.
#[derive(Debug, Args)]
#[command(
    after_help = "FILE is a `schemagate export` file or a `_schemas` topic dump (`kcat -C -J -t _schemas -e`); the kind is told from its first line. The target is put in IMPORT mode while schemas are written, then gets the source's modes. Re-running changes nothing that is already there, so an interrupted import resumes.\nExit codes: 0 the target holds everything in FILE, 1 a conflict, refusal or difference remains, 2 usage, file or connection error."
)]
pub struct ImportArgs {
    /// The export or `_schemas` dump to load.
    pub file: PathBuf,
    /// The Schemagate registry to load it into.
    #[arg(long, env = "SCHEMAGATE_REGISTRY_URL", value_name = "URL")]
    pub registry: String,
    /// Say what would be written and what conflicts, and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub opts: TransferOpts,
}

/// `schemagate migrate`.
#[derive(Debug, Args)]
#[command(
    after_help = "Credentials: SCHEMAGATE_FROM_USER/_PASSWORD/_TOKEN for the source and SCHEMAGATE_TO_* for the target, else SCHEMAGATE_REGISTRY_* for both. Freeze the source (mode READONLY) for a consistent copy.\nExit codes: 0 the target holds what the source holds, 1 a conflict, refusal or difference remains, 2 usage or connection error."
)]
pub struct MigrateArgs {
    /// The registry to copy (any Confluent-compatible registry).
    #[arg(long, value_name = "URL")]
    pub from: String,
    /// The Schemagate registry to copy into.
    #[arg(long, value_name = "URL")]
    pub to: String,
    /// Say what would be written and what conflicts, and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub opts: TransferOpts,
}
