//! The auth file (`--auth-config`, TOML): users with argon2 password hashes, bearer
//! tokens stored as SHA-256 digests, a role each, optionally limited to subject
//! prefixes. Parsed once at start; a malformed file stops the server rather than
//! starting it open.

use std::path::Path;

use argon2::PasswordHash;
use serde::Deserialize;

/// What a principal may do; each role includes the ones before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Read schemas, subjects, configs; check compatibility.
    Read,
    /// Also register and delete schemas.
    Write,
    /// Also change compatibility levels and modes.
    Admin,
}

impl Role {
    /// The name used in messages.
    pub fn name(self) -> &'static str {
        match self {
            Role::Read => "Read",
            Role::Write => "Write",
            Role::Admin => "Admin",
        }
    }
}

/// Who may scrape `GET /metrics` while authentication is on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MetricsAccess {
    /// Anyone, without credentials (a Prometheus scraper on a private network).
    Open,
    /// Any authenticated principal.
    Read,
    /// Admins only.
    #[default]
    Admin,
}

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthFile {
    /// Who may read `/metrics`.
    #[serde(default)]
    pub metrics: MetricsAccess,
    /// HTTP Basic users.
    #[serde(default)]
    pub users: Vec<UserEntry>,
    /// Bearer tokens.
    #[serde(default)]
    pub tokens: Vec<TokenEntry>,
}

/// One `[[users]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserEntry {
    /// The Basic user name.
    pub name: String,
    /// A PHC string: `$argon2id$v=19$m=...,t=...,p=...$salt$hash`.
    pub password_hash: String,
    /// What the user may do.
    pub role: Role,
    /// When present, the only subjects the user may touch: those starting with one of these.
    pub subject_prefixes: Option<Vec<String>>,
}

/// One `[[tokens]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenEntry {
    /// A label for messages and logs (the token itself is never logged).
    pub name: String,
    /// Lower-case hex SHA-256 of the token.
    pub sha256: String,
    /// What the token may do.
    pub role: Role,
    /// When present, the only subjects the token may touch.
    pub subject_prefixes: Option<Vec<String>>,
}

impl AuthFile {
    /// Reads and checks the file; every error names what to fix.
    pub fn load(path: &Path) -> Result<AuthFile, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read auth config {}: {e}", path.display()))?;
        warn_if_readable_by_others(path);
        Self::parse(&text).map_err(|e| format!("auth config {}: {e}", path.display()))
    }

    /// Parses and checks TOML text.
    pub fn parse(text: &str) -> Result<AuthFile, String> {
        let file: AuthFile = toml::from_str(text).map_err(|e| e.to_string())?;
        file.check()?;
        Ok(file)
    }

    fn check(&self) -> Result<(), String> {
        if self.users.is_empty() && self.tokens.is_empty() {
            return Err("no [[users]] and no [[tokens]]: nobody could authenticate".into());
        }
        let mut names = std::collections::HashSet::new();
        for user in &self.users {
            if user.name.is_empty() || user.name.contains(':') {
                return Err(format!(
                    "user name {:?} must be non-empty and free of ':'",
                    user.name
                ));
            }
            if !names.insert(("user", user.name.as_str())) {
                return Err(format!("user {:?} is defined twice", user.name));
            }
            let hash = PasswordHash::new(&user.password_hash).map_err(|e| {
                format!(
                    "user {:?}: password_hash is not a PHC string ({e}); make one with `schemagate-server hash-password`",
                    user.name
                )
            })?;
            if !hash.algorithm.as_str().starts_with("argon2") {
                return Err(format!(
                    "user {:?}: password_hash uses {}, only argon2 is accepted",
                    user.name, hash.algorithm
                ));
            }
            check_prefixes("user", &user.name, user.subject_prefixes.as_deref())?;
        }
        for token in &self.tokens {
            if !names.insert(("token", token.name.as_str())) {
                return Err(format!("token {:?} is defined twice", token.name));
            }
            if decode_sha256(&token.sha256).is_none() {
                return Err(format!(
                    "token {:?}: sha256 must be 64 hex digits; make one with `schemagate-server gen-token`",
                    token.name
                ));
            }
            check_prefixes("token", &token.name, token.subject_prefixes.as_deref())?;
        }
        Ok(())
    }
}

fn check_prefixes(kind: &str, name: &str, prefixes: Option<&[String]>) -> Result<(), String> {
    match prefixes {
        Some([]) => Err(format!(
            "{kind} {name:?}: subject_prefixes is empty; remove it to allow every subject"
        )),
        Some(p) if p.iter().any(String::is_empty) => Err(format!(
            "{kind} {name:?}: an empty subject prefix would match every subject; remove subject_prefixes instead"
        )),
        _ => Ok(()),
    }
}

/// 64 hex digits (any case) into 32 bytes.
pub fn decode_sha256(hex: &str) -> Option<[u8; 32]> {
    let hex = hex.trim().as_bytes();
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in hex.chunks(2).enumerate() {
        let s = std::str::from_utf8(pair).ok()?;
        out[i] = u8::from_str_radix(s, 16).ok()?;
    }
    Some(out)
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path)
        && meta.permissions().mode() & 0o077 != 0
    {
        tracing::warn!(
            path = %path.display(),
            "the auth config is readable by group or others; chmod 600 it"
        );
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$0Ejkdl0VQ9vVGVGtIlQa+aKZAm1vGwnTWjW1VHhZJkI";

    #[test]
    fn a_full_file_parses() {
        let file = AuthFile::parse(&format!(
            r#"
            metrics = "open"
            [[users]]
            name = "alice"
            password_hash = "{HASH}"
            role = "write"
            subject_prefixes = ["orders."]
            [[tokens]]
            name = "ci"
            sha256 = "{}"
            role = "read"
            "#,
            "ab".repeat(32)
        ))
        .unwrap();
        assert_eq!(file.metrics, MetricsAccess::Open);
        assert_eq!(file.users[0].role, Role::Write);
        assert_eq!(file.tokens[0].role, Role::Read);
        assert!(Role::Admin > Role::Write && Role::Write > Role::Read);
    }

    #[test]
    fn mistakes_are_refused_with_a_reason() {
        for (text, needle) in [
            ("", "nobody could authenticate"),
            (
                "[[users]]\nname='a'\npassword_hash='plain'\nrole='read'",
                "hash-password",
            ),
            (
                "[[users]]\nname='a'\npassword_hash='$pbkdf2-sha256$i=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA'\nrole='read'",
                "only argon2",
            ),
            (
                "[[tokens]]\nname='t'\nsha256='abc'\nrole='read'",
                "64 hex digits",
            ),
            ("[[tokens]]\nname='t'\nsha256='abc'\nrole='root'", "role"),
            ("[[tokens]]\nname='t'\nsha256='abc'\nrol='read'", "rol"),
        ] {
            let err = AuthFile::parse(text).unwrap_err();
            assert!(err.contains(needle), "{text:?}: {err}");
        }
        let empty = format!(
            "[[tokens]]\nname='t'\nsha256='{}'\nrole='read'\nsubject_prefixes=[]",
            "0".repeat(64)
        );
        assert!(AuthFile::parse(&empty).unwrap_err().contains("empty"));
    }
}
