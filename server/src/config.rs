//! Server configuration: flags, then `SCHEMAGATE_*` environment variables, then the
//! embedded defaults (`127.0.0.1:8081`, `./schemagate-data`, BACKWARD, 16 MiB).

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use schemagate_core::Level;

/// How log lines are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line, for log shippers.
    Json,
}

/// Everything the server needs to start.
#[derive(Clone, Debug, Parser)]
#[command(
    name = "schemagate-server",
    version,
    about = "Schema registry speaking the Confluent Schema Registry REST API",
    after_help = "Helpers for the auth file: `schemagate-server hash-password` (password on stdin), `schemagate-server gen-token`. See SECURITY.md."
)]
pub struct Config {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "SCHEMAGATE_LISTEN", default_value = "127.0.0.1:8081")]
    pub listen: SocketAddr,
    /// Directory of the embedded store; one server per directory.
    #[arg(long, env = "SCHEMAGATE_DATA_DIR", default_value = "./schemagate-data")]
    pub data_dir: PathBuf,
    /// Compatibility level in force until one is configured through `PUT /config`.
    #[arg(
        long,
        env = "SCHEMAGATE_DEFAULT_COMPATIBILITY",
        default_value = "BACKWARD"
    )]
    pub default_compatibility: Level,
    /// Largest request body accepted: bytes, or with a KiB/MiB/GiB suffix.
    #[arg(long, env = "SCHEMAGATE_MAX_BODY", default_value = "16MiB", value_parser = parse_size)]
    pub max_body: usize,
    /// Longest a request may take, body upload included, in seconds.
    #[arg(long, env = "SCHEMAGATE_REQUEST_TIMEOUT", default_value = "30", value_parser = parse_seconds)]
    pub request_timeout: Duration,
    /// Log line format.
    #[arg(
        long,
        env = "SCHEMAGATE_LOG_FORMAT",
        value_enum,
        default_value = "text"
    )]
    pub log_format: LogFormat,
    /// Most verbose level logged (error, warn, info, debug, trace).
    #[arg(long, env = "SCHEMAGATE_LOG_LEVEL", default_value = "info")]
    pub log_level: tracing::Level,
    /// TOML file of users, tokens and roles; without it there is no authentication.
    #[arg(long, env = "SCHEMAGATE_AUTH_CONFIG")]
    pub auth_config: Option<PathBuf>,
    /// PEM certificate chain (leaf first); serves HTTPS, together with --tls-key.
    #[arg(long, env = "SCHEMAGATE_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key of --tls-cert.
    #[arg(long, env = "SCHEMAGATE_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 8081)),
            data_dir: PathBuf::from("./schemagate-data"),
            default_compatibility: Level::Backward,
            max_body: 16 * 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            log_format: LogFormat::Text,
            log_level: tracing::Level::INFO,
            auth_config: None,
            tls_cert: None,
            tls_key: None,
        }
    }
}

/// `16777216`, `16MiB`, `512KiB`, `1GiB` (also `MB`/`KB`/`GB`, read as binary units).
fn parse_size(raw: &str) -> Result<usize, String> {
    let s = raw.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, unit) = s.split_at(split);
    let n: usize = digits
        .parse()
        .map_err(|_| format!("invalid size {raw:?}: use bytes or a KiB/MiB/GiB suffix"))?;
    let factor = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1024,
        "m" | "mb" | "mib" => 1024 * 1024,
        "g" | "gb" | "gib" => 1024 * 1024 * 1024,
        _ => return Err(format!("invalid size unit in {raw:?}: use KiB, MiB or GiB")),
    };
    n.checked_mul(factor)
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("invalid size {raw:?}"))
}

fn parse_seconds(raw: &str) -> Result<Duration, String> {
    let s = raw.trim().trim_end_matches('s');
    s.parse::<u64>()
        .ok()
        .filter(|n| *n > 0)
        .map(Duration::from_secs)
        .ok_or_else(|| format!("invalid timeout {raw:?}: use whole seconds"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_flags() {
        let parsed = Config::try_parse_from(["schemagate-server"]).unwrap();
        let default = Config::default();
        assert_eq!(parsed.max_body, default.max_body);
        assert_eq!(parsed.default_compatibility, default.default_compatibility);
        assert_eq!(parsed.request_timeout, default.request_timeout);
        assert_eq!(parsed.log_format, default.log_format);
        assert_eq!(parsed.log_level, default.log_level);
    }

    #[test]
    fn flags_override() {
        let c = Config::try_parse_from([
            "schemagate-server",
            "--listen",
            "0.0.0.0:9000",
            "--max-body",
            "1MiB",
            "--default-compatibility",
            "full_transitive",
            "--log-format",
            "json",
        ])
        .unwrap();
        assert_eq!(c.listen.port(), 9000);
        assert_eq!(c.max_body, 1024 * 1024);
        assert_eq!(c.default_compatibility, Level::FullTransitive);
        assert_eq!(c.log_format, LogFormat::Json);
        assert!(Config::try_parse_from(["x", "--max-body", "12XB"]).is_err());
        assert!(Config::try_parse_from(["x", "--default-compatibility", "SIDEWAYS"]).is_err());
    }

    #[test]
    fn tls_needs_both_files() {
        assert!(Config::try_parse_from(["x", "--tls-cert", "c.pem"]).is_err());
        assert!(Config::try_parse_from(["x", "--tls-key", "k.pem"]).is_err());
        let c = Config::try_parse_from(["x", "--tls-cert", "c.pem", "--tls-key", "k.pem"]).unwrap();
        assert!(c.tls_cert.is_some() && c.tls_key.is_some() && c.auth_config.is_none());
    }
}
