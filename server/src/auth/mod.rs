//! Authentication and authorisation, off unless `--auth-config` names a file.
//!
//! Who: HTTP Basic (what Confluent clients send with `basic.auth.user.info`), checked
//! against argon2 hashes, or `Authorization: Bearer <token>`, checked against SHA-256
//! digests in constant time. What: [`policy`] maps each request to a role (read, write,
//! admin) and a subject; a principal limited to subject prefixes only reaches subjects
//! that start with one of them. [`middleware`] puts the two together in front of the
//! router; SECURITY.md explains the choices.

pub mod config;
pub mod middleware;
pub mod policy;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine as _;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tokio::sync::Semaphore;

pub use config::{AuthFile, MetricsAccess, Role};

/// An authenticated caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// User or token name, for messages.
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// `None`: every subject; otherwise the prefixes of the subjects it may touch.
    pub subject_prefixes: Option<Vec<String>>,
}

/// What the `Authorization` header carried.
#[derive(Debug, PartialEq, Eq)]
pub enum Credentials {
    /// `Basic base64(user:password)`.
    Basic {
        /// User name.
        user: String,
        /// Password.
        password: String,
    },
    /// `Bearer <token>`.
    Bearer(String),
}

impl Credentials {
    /// Parses an `Authorization` header value; `None` when absent or unreadable.
    pub fn parse(header: &[u8]) -> Option<Credentials> {
        let header = std::str::from_utf8(header).ok()?.trim();
        let (scheme, rest) = header.split_once(' ')?;
        let rest = rest.trim();
        if scheme.eq_ignore_ascii_case("basic") {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(rest)
                .ok()?;
            let decoded = String::from_utf8(decoded).ok()?;
            let (user, password) = decoded.split_once(':')?;
            Some(Credentials::Basic {
                user: user.to_owned(),
                password: password.to_owned(),
            })
        } else if scheme.eq_ignore_ascii_case("bearer") && !rest.is_empty() {
            Some(Credentials::Bearer(rest.to_owned()))
        } else {
            None
        }
    }
}

struct User {
    password_hash: String,
    principal: Principal,
}

struct Token {
    sha256: [u8; 32],
    principal: Principal,
}

/// Most Basic verifications cached before the cache starts over.
const CACHE_CAPACITY: usize = 4096;

/// Checks credentials against the auth file.
///
/// Confluent clients send Basic credentials with every request, and argon2 is slow on
/// purpose (tens of milliseconds, 19 MiB): a successful verification is remembered,
/// keyed by SHA-256 over a per-process random key, the user and the password, so each
/// client pays argon2 once. Failures are never cached and always pay the full price;
/// at most one verification per core runs at a time, so a flood of wrong passwords
/// costs CPU but cannot exhaust memory.
pub struct Authenticator {
    users: HashMap<String, User>,
    tokens: Vec<Token>,
    /// Verified against when the user is unknown, so that its absence takes as long.
    dummy_hash: String,
    /// Who may read `/metrics`.
    pub metrics: MetricsAccess,
    cache_key: [u8; 32],
    cache: Mutex<HashMap<[u8; 32], Principal>>,
    verifying: Semaphore,
}

impl Authenticator {
    /// Loads and checks the auth file (blocking: it reads a file and hashes once).
    pub fn load(path: &Path) -> Result<Authenticator, String> {
        Ok(Self::new(AuthFile::load(path)?))
    }

    /// Builds from a checked file.
    pub fn new(file: AuthFile) -> Authenticator {
        let first_hash = file.users.first().map(|u| u.password_hash.clone());
        let users = file
            .users
            .into_iter()
            .map(|u| {
                let principal = Principal {
                    name: u.name.clone(),
                    role: u.role,
                    subject_prefixes: u.subject_prefixes,
                };
                (
                    u.name,
                    User {
                        password_hash: u.password_hash,
                        principal,
                    },
                )
            })
            .collect();
        let tokens = file
            .tokens
            .into_iter()
            .filter_map(|t| {
                Some(Token {
                    sha256: config::decode_sha256(&t.sha256)?,
                    principal: Principal {
                        name: t.name,
                        role: t.role,
                        subject_prefixes: t.subject_prefixes,
                    },
                })
            })
            .collect();
        let random: [u8; 32] = random_bytes();
        let cache_key = random_bytes();
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Authenticator {
            users,
            tokens,
            dummy_hash: dummy_hash(first_hash.as_deref(), &random),
            metrics: file.metrics,
            cache_key,
            cache: Mutex::new(HashMap::new()),
            verifying: Semaphore::new(cores),
        }
    }

    /// The principal the credentials prove, or `None`.
    pub async fn authenticate(self: &Arc<Self>, credentials: Credentials) -> Option<Principal> {
        match credentials {
            Credentials::Bearer(token) => self.check_token(&token),
            Credentials::Basic { user, password } => {
                let key = self.cache_key(&user, &password);
                if let Some(p) = self.cached(&key) {
                    return Some(p);
                }
                let _permit = self.verifying.acquire().await.ok()?;
                let this = Arc::clone(self);
                let found =
                    tokio::task::spawn_blocking(move || this.check_password(&user, &password))
                        .await
                        .ok()
                        .flatten()?;
                let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
                if cache.len() >= CACHE_CAPACITY {
                    cache.clear();
                }
                cache.insert(key, found.clone());
                Some(found)
            }
        }
    }

    fn cached(&self, key: &[u8; 32]) -> Option<Principal> {
        let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache.get(key).cloned()
    }

    fn cache_key(&self, user: &str, password: &str) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(self.cache_key);
        h.update((user.len() as u64).to_be_bytes());
        h.update(user.as_bytes());
        h.update(password.as_bytes());
        h.finalize().into()
    }

    /// Argon2 against the user's hash, or against the dummy when there is no such user,
    /// so that unknown and known users take the same time.
    fn check_password(&self, user: &str, password: &str) -> Option<Principal> {
        let (hash, principal) = match self.users.get(user) {
            Some(u) => (u.password_hash.as_str(), Some(&u.principal)),
            None => (self.dummy_hash.as_str(), None),
        };
        let ok = verify_password(hash, password);
        if ok { principal.cloned() } else { None }
    }

    /// SHA-256 of the token compared with every stored digest in constant time; no
    /// early exit, so the position of a match does not show either.
    fn check_token(&self, token: &str) -> Option<Principal> {
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let mut found = None;
        for t in &self.tokens {
            if bool::from(t.sha256.ct_eq(&digest)) {
                found = Some(&t.principal);
            }
        }
        found.cloned()
    }
}

/// Argon2id with the crate's defaults (the OWASP recommendation: 19 MiB, 2 passes),
/// as a PHC string for the auth file.
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::encode_b64(&random_bytes::<16>()).expect("16 bytes fit a salt");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .unwrap_or_default()
}

/// A hash of random bytes with the same algorithm and cost as `like` (the first user's
/// hash), so that verifying an unknown user costs what verifying a known one does.
fn dummy_hash(like: Option<&str>, random: &[u8]) -> String {
    let salt = SaltString::encode_b64(&random_bytes::<16>()).expect("16 bytes fit a salt");
    let hasher = like
        .and_then(|phc| PasswordHash::new(phc).ok())
        .and_then(|h| {
            let algorithm = argon2::Algorithm::try_from(h.algorithm).ok()?;
            let version = argon2::Version::try_from(h.version?).ok()?;
            let params = argon2::Params::try_from(&h).ok()?;
            Some(Argon2::new(algorithm, version, params))
        })
        .unwrap_or_default();
    hasher
        .hash_password(random, &salt)
        .map(|h| h.to_string())
        .unwrap_or_default()
}

fn verify_password(phc: &str, password: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

/// Bytes from the operating system's CSPRNG, through ring (already there for TLS).
fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    rustls::crypto::ring::default_provider()
        .secure_random
        .fill(&mut bytes)
        .expect("the operating system's random source works");
    bytes
}

/// A fresh bearer token (256 random bits, URL-safe base64) and its SHA-256 in hex.
pub fn generate_token() -> (String, String) {
    let bytes: [u8; 32] = random_bytes();
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let digest = Sha256::digest(token.as_bytes());
    let hex = digest.iter().map(|b| format!("{b:02x}")).collect();
    (token, hex)
}

/// The helper subcommands, run before the server's own flags are parsed:
/// `hash-password` (password on stdin, PHC string on stdout) and `gen-token`.
/// Returns `None` when the arguments are not one of them.
pub fn run_tool(args: &[String]) -> Option<Result<String, String>> {
    match args.get(1).map(String::as_str) {
        Some("hash-password") => Some(read_password().map(|p| hash_password(&p))),
        Some("gen-token") => {
            let (token, digest) = generate_token();
            Some(Ok(format!(
                "token:  {token}\nsha256: {digest}\n\n# give the token to the client; put this in the auth file:\n[[tokens]]\nname = \"CHANGE-ME\"\nsha256 = \"{digest}\"\nrole = \"read\""
            )))
        }
        _ => None,
    }
}

fn read_password() -> Result<String, String> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from stdin: {e}"))?;
    let password = line.trim_end_matches(['\n', '\r']);
    if password.is_empty() {
        return Err("empty password: pipe it on stdin, e.g. `read -rs P; printf '%s' \"$P\" | schemagate-server hash-password`".into());
    }
    Ok(password.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn authenticator() -> (Arc<Authenticator>, String) {
        let (token, digest) = generate_token();
        let file = AuthFile::parse(&format!(
            "[[users]]\nname='alice'\npassword_hash='{}'\nrole='write'\n[[tokens]]\nname='ci'\nsha256='{digest}'\nrole='read'\nsubject_prefixes=['a.']",
            hash_password("s3cret")
        ))
        .unwrap();
        (Arc::new(Authenticator::new(file)), token)
    }

    #[tokio::test]
    async fn passwords_and_tokens() {
        let (auth, token) = authenticator();
        let basic = |user: &str, password: &str| Credentials::Basic {
            user: user.into(),
            password: password.into(),
        };
        let alice = auth.authenticate(basic("alice", "s3cret")).await.unwrap();
        assert_eq!(alice.role, Role::Write);
        // Cached the second time, same answer.
        assert_eq!(
            auth.authenticate(basic("alice", "s3cret")).await,
            Some(alice)
        );
        assert_eq!(auth.authenticate(basic("alice", "wrong")).await, None);
        assert_eq!(auth.authenticate(basic("bob", "s3cret")).await, None);
        let ci = auth.authenticate(Credentials::Bearer(token)).await.unwrap();
        assert_eq!(ci.subject_prefixes, Some(vec!["a.".to_owned()]));
        assert_eq!(
            auth.authenticate(Credentials::Bearer("nope".into())).await,
            None
        );
    }

    #[test]
    fn unknown_users_take_as_long_as_wrong_passwords() {
        let (auth, _) = authenticator();
        // The fastest of a few runs each: noise from other processes only adds time.
        let fastest = |user: &str| {
            (0..5)
                .map(|_| {
                    let start = std::time::Instant::now();
                    assert_eq!(auth.check_password(user, "wrong"), None);
                    start.elapsed()
                })
                .min()
                .unwrap()
        };
        let (known, unknown) = (fastest("alice"), fastest("mallory"));
        let ratio = unknown.as_secs_f64() / known.as_secs_f64();
        // Wide bounds: other work on a loaded machine skews single runs, while the flaw
        // this guards against (no hash for unknown users) is a ratio near 0.001.
        assert!(
            (0.2..5.0).contains(&ratio),
            "known user {known:?}, unknown user {unknown:?}"
        );
    }

    #[test]
    fn the_dummy_costs_what_the_users_hash_costs() {
        let strong = Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            argon2::Params::new(8 * 1024, 3, 1, None).unwrap(),
        );
        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
        let user = strong.hash_password(b"pw", &salt).unwrap().to_string();
        let dummy = dummy_hash(Some(&user), b"random");
        let (a, b) = (
            PasswordHash::new(&user).unwrap(),
            PasswordHash::new(&dummy).unwrap(),
        );
        assert_eq!(
            (a.algorithm, a.version, a.params),
            (b.algorithm, b.version, b.params)
        );
        assert_ne!(a.hash, b.hash);
        let default = PasswordHash::new(&hash_password("x"))
            .unwrap()
            .params
            .to_string();
        let fallback = dummy_hash(None, b"random");
        assert_eq!(
            PasswordHash::new(&fallback).unwrap().params.to_string(),
            default
        );
    }

    #[test]
    fn authorization_headers() {
        assert_eq!(
            Credentials::parse(b"Basic YWxpY2U6czNjcjp4"),
            Some(Credentials::Basic {
                user: "alice".into(),
                password: "s3cr:x".into()
            })
        );
        assert_eq!(
            Credentials::parse(b"bearer abc"),
            Some(Credentials::Bearer("abc".into()))
        );
        for bad in [
            &b"Basic !!"[..],
            b"Basic YWxpY2U=",
            b"Digest x",
            b"Bearer ",
            b"\xff",
        ] {
            assert_eq!(Credentials::parse(bad), None, "{bad:?}");
        }
    }
}
