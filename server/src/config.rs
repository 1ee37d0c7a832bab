//! Server configuration: flags, then `SCHEMAGATE_*` environment variables, then the
//! embedded defaults (`127.0.0.1:8081`, `./schemagate-data`, BACKWARD, 16 MiB).
//!
//! Every number is bounded: a value outside its range stops the start with a message
//! naming the flag and the range, rather than being accepted and failing later (a
//! timeout of 2^64-1 seconds overflowed every connection's deadline).

use std::net::{Ipv4Addr, SocketAddr};
use std::ops::RangeInclusive;
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

/// Which [`Store`](crate::store::Store) backs the registry.
#[derive(Clone, PartialEq, Eq)]
pub enum StoreChoice {
    /// The embedded sled database in the data directory (the default).
    Sled,
    /// A PostgreSQL database shared by several instances; the URL may hold a password.
    Postgres(String),
}

impl std::fmt::Debug for StoreChoice {
    // Never print the URL: it may carry a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreChoice::Sled => f.write_str("Sled"),
            StoreChoice::Postgres(_) => f.write_str("Postgres(..)"),
        }
    }
}

impl std::fmt::Display for StoreChoice {
    /// `sled`, or the PostgreSQL URL with any password masked.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreChoice::Sled => f.write_str("sled"),
            StoreChoice::Postgres(url) => f.write_str(&mask_password(url)),
        }
    }
}

/// `postgres://user:secret@host/db` as `postgres://user:***@host/db`.
fn mask_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

/// Bounds of `--request-timeout`, in seconds: a day is more than any upload needs, and
/// keeps every deadline far from the clock's limits.
pub const REQUEST_TIMEOUT_SECS: RangeInclusive<u64> = 1..=86_400;
/// Bounds of `--max-body`, in bytes: below 1 KiB even a small schema is refused (a unit
/// left out, most likely); above 1 GiB a single request could take the memory of a
/// machine, while the largest schema is 4 MiB.
pub const MAX_BODY_BYTES: RangeInclusive<usize> = 1024..=1 << 30;
/// Bounds of `--store-pool-size`: no connection would never answer, and PostgreSQL
/// itself allows 100 connections unless configured otherwise.
pub const STORE_POOL_SIZE: RangeInclusive<usize> = 1..=1000;

fn parse_store(raw: &str) -> Result<StoreChoice, String> {
    let s = raw.trim();
    if s.eq_ignore_ascii_case("sled") || s.is_empty() {
        Ok(StoreChoice::Sled)
    } else if crate::store::postgres::is_postgres_url(s) {
        Ok(StoreChoice::Postgres(s.to_owned()))
    } else {
        Err(format!(
            "unknown store {:?}: use `sled` or a postgres://user:password@host:5432/database URL",
            mask_password(s)
        ))
    }
}

/// Everything the server needs to start.
///
/// The binary's command line (name, about text, helper commands) is in `main.rs`, which
/// flattens these options into it and into `healthcheck`; no `#[command]` attributes
/// here, since a flattened struct would carry them into every command that holds it.
#[derive(Clone, Debug, Parser)]
pub struct Config {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "SCHEMAGATE_LISTEN", default_value = "127.0.0.1:8081")]
    pub listen: SocketAddr,
    /// Directory of the embedded store; one server per directory.
    #[arg(long, env = "SCHEMAGATE_DATA_DIR", default_value = "./schemagate-data")]
    pub data_dir: PathBuf,
    /// Where schemas live: `sled` (the embedded store in --data-dir) or a PostgreSQL URL
    /// (`postgres://user:password@host:5432/db`) shared by any number of instances.
    #[arg(long, env = "SCHEMAGATE_STORE", default_value = "sled", value_parser = parse_store, hide_env_values = true)]
    pub store: StoreChoice,
    /// Connections each instance keeps to PostgreSQL at most (1 to 1000).
    #[arg(long, env = "SCHEMAGATE_STORE_POOL_SIZE", default_value_t = crate::store::postgres::DEFAULT_POOL_SIZE, value_parser = parse_pool_size)]
    pub store_pool_size: usize,
    /// Compatibility level in force until one is configured through `PUT /config`.
    #[arg(
        long,
        env = "SCHEMAGATE_DEFAULT_COMPATIBILITY",
        default_value = "BACKWARD"
    )]
    pub default_compatibility: Level,
    /// Largest request body accepted: bytes, or with a KiB/MiB/GiB suffix (1KiB to 1GiB).
    #[arg(long, env = "SCHEMAGATE_MAX_BODY", default_value = "16MiB", value_parser = parse_size)]
    pub max_body: usize,
    /// Longest a request may take, body upload included, in seconds (1 to 86400).
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
            store: StoreChoice::Sled,
            store_pool_size: crate::store::postgres::DEFAULT_POOL_SIZE,
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

impl Config {
    /// Checks what the flag parsers check, for a `Config` built in code rather than from
    /// flags: the first value out of its range, named by its flag.
    pub fn check(&self) -> Result<(), String> {
        let timeout = Duration::from_secs(*REQUEST_TIMEOUT_SECS.start())
            ..=Duration::from_secs(*REQUEST_TIMEOUT_SECS.end());
        if !timeout.contains(&self.request_timeout) {
            return Err(format!(
                "--request-timeout {:?}: {}",
                self.request_timeout,
                timeout_range()
            ));
        }
        if !MAX_BODY_BYTES.contains(&self.max_body) {
            return Err(format!("--max-body {}: {}", self.max_body, size_range()));
        }
        if !STORE_POOL_SIZE.contains(&self.store_pool_size) {
            return Err(format!(
                "--store-pool-size {}: {}",
                self.store_pool_size,
                pool_range()
            ));
        }
        Ok(())
    }
}

fn timeout_range() -> String {
    format!(
        "use whole seconds from {} to {} (a day)",
        REQUEST_TIMEOUT_SECS.start(),
        REQUEST_TIMEOUT_SECS.end()
    )
}

fn size_range() -> &'static str {
    "use a size from 1KiB to 1GiB (bytes, or with a KiB/MiB/GiB suffix)"
}

fn pool_range() -> String {
    format!(
        "use {} to {} connections",
        STORE_POOL_SIZE.start(),
        STORE_POOL_SIZE.end()
    )
}

/// `16777216`, `16MiB`, `512KiB`, `1GiB` (also `MB`/`KB`/`GB`, read as binary units),
/// within [`MAX_BODY_BYTES`].
fn parse_size(raw: &str) -> Result<usize, String> {
    let s = raw.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, unit) = s.split_at(split);
    let invalid = || format!("invalid size {raw:?}: {}", size_range());
    let n: usize = digits.parse().map_err(|_| invalid())?;
    let factor = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1024,
        "m" | "mb" | "mib" => 1024 * 1024,
        "g" | "gb" | "gib" => 1024 * 1024 * 1024,
        _ => return Err(format!("invalid size unit in {raw:?}: use KiB, MiB or GiB")),
    };
    n.checked_mul(factor)
        .filter(|n| MAX_BODY_BYTES.contains(n))
        .ok_or_else(invalid)
}

/// Whole seconds, optionally with an `s`, within [`REQUEST_TIMEOUT_SECS`].
fn parse_seconds(raw: &str) -> Result<Duration, String> {
    let s = raw.trim().trim_end_matches('s');
    s.parse::<u64>()
        .ok()
        .filter(|n| REQUEST_TIMEOUT_SECS.contains(n))
        .map(Duration::from_secs)
        .ok_or_else(|| format!("invalid timeout {raw:?}: {}", timeout_range()))
}

/// A connection count within [`STORE_POOL_SIZE`].
fn parse_pool_size(raw: &str) -> Result<usize, String> {
    raw.trim()
        .parse::<usize>()
        .ok()
        .filter(|n| STORE_POOL_SIZE.contains(n))
        .ok_or_else(|| format!("invalid pool size {raw:?}: {}", pool_range()))
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
    fn numbers_are_bounded() {
        for (flag, ok, bad) in [
            (
                "--request-timeout",
                &["1", "30s", "86400"][..],
                &["0", "86401", "18446744073709551615", "-1", "1.5"][..],
            ),
            (
                "--max-body",
                &["1024", "1KiB", "16MiB", "1GiB"],
                &["0", "1023", "1GiB1", "1025MiB", "18446744073709551615"],
            ),
            (
                "--store-pool-size",
                &["1", "16", "1000"],
                &["0", "1001", "-1", "x"],
            ),
        ] {
            for value in ok {
                let c = Config::try_parse_from(["x", flag, value]);
                assert!(
                    c.as_ref().is_ok_and(|c| c.check().is_ok()),
                    "{flag} {value}"
                );
            }
            for value in bad {
                // `--flag=value`, so that `-1` is read as a value, not as a flag.
                let err = Config::try_parse_from(["x", &format!("{flag}={value}")]).unwrap_err();
                assert!(err.to_string().contains(flag), "{flag} {value}: {err}");
            }
        }
        assert!(Config::default().check().is_ok());
        let huge = Config {
            request_timeout: Duration::MAX,
            ..Config::default()
        };
        assert!(huge.check().unwrap_err().contains("--request-timeout"));
    }

    #[test]
    fn store_is_sled_or_a_postgres_url() {
        let c = Config::try_parse_from(["x"]).unwrap();
        assert_eq!(c.store, StoreChoice::Sled);
        let c = Config::try_parse_from(["x", "--store", "postgres://sg:pw@db:5432/reg"]).unwrap();
        assert_eq!(
            c.store,
            StoreChoice::Postgres("postgres://sg:pw@db:5432/reg".into())
        );
        assert_eq!(c.store.to_string(), "postgres://sg:***@db:5432/reg");
        assert!(!format!("{c:?}").contains("pw@"));
        let err = Config::try_parse_from(["x", "--store", "mysql://u:pw@h/db"]).unwrap_err();
        assert!(err.to_string().contains("unknown store"), "{err}");
    }

    #[test]
    fn tls_needs_both_files() {
        assert!(Config::try_parse_from(["x", "--tls-cert", "c.pem"]).is_err());
        assert!(Config::try_parse_from(["x", "--tls-key", "k.pem"]).is_err());
        let c = Config::try_parse_from(["x", "--tls-cert", "c.pem", "--tls-key", "k.pem"]).unwrap();
        assert!(c.tls_cert.is_some() && c.tls_key.is_some() && c.auth_config.is_none());
    }
}
