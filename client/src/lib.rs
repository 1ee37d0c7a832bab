//! Typed async client for the Confluent Schema Registry REST API.
//!
//! It speaks only the Confluent API, so it works against Schemagate and any other
//! compatible registry. Two caches serve producers' hot path: schemas by global id are
//! kept forever (ids are immutable), the latest version of a subject for a short TTL.
//! [`Client::load_latest`] is the startup helper: fetch and parse every schema a
//! producer needs, and fail before the first message if one is missing.
//!
//! Confluent 8's data contracts ride along: bodies send `metadata` and `ruleSet` (core's
//! [`Metadata`](schemagate_core::contract::Metadata) and
//! [`RuleSet`](schemagate_core::contract::RuleSet)), answers carry them with `guid`, and
//! the contract calls are here too: a schema by GUID, the ids of a GUID, the latest
//! version with given metadata, and the full configuration.
//!
//! ```no_run
//! # async fn demo() -> Result<(), schemagate_client::Error> {
//! let client = schemagate_client::Client::builder("http://localhost:8081").build()?;
//! let schemas = client.load_latest(&["orders-value", "payments-value"]).await?;
//! println!("orders-value is id {}", schemas[0].id);
//! # Ok(()) }
//! ```

mod cache;
mod error;
mod types;

use std::sync::Arc;
use std::time::Duration;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::{Method, StatusCode};
use schemagate_core::{Level, ParsedSchema, Reference};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use error::Error;
pub use types::{
    Compatibility, Config, ContextId, Registered, SchemaBody, SchemaById, SchemaReference,
    SubjectVersion, VersionSpec,
};

use cache::Cache;

/// Everything except unreserved characters is escaped in a path segment, so subjects
/// containing `/`, `?` or `%` reach the registry intact.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A query value keeps only unreserved characters too: `&`, `=`, `+` and `#` in a
/// metadata key or value must not end or split the pair.
const QUERY_VALUE: &AsciiSet = SEGMENT;

/// The content type Confluent's own clients send.
const CONTENT_TYPE: &str = "application/vnd.schemaregistry.v1+json";

/// How to authenticate to the registry.
#[derive(Clone, PartialEq, Eq)]
pub enum Auth {
    /// HTTP Basic (Confluent Cloud API key and secret, most proxies).
    Basic {
        /// User name or API key.
        user: String,
        /// Password or API secret.
        password: String,
    },
    /// `Authorization: Bearer <token>` (OAuth gateways).
    Bearer(String),
}

impl std::fmt::Debug for Auth {
    // Secrets never reach logs, even in debug output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::Basic { user, .. } => write!(f, "Basic({user}:***)"),
            Auth::Bearer(_) => f.write_str("Bearer(***)"),
        }
    }
}

/// Builds a [`Client`]; every setting has a default fit for CI and producers.
#[derive(Clone, Debug)]
pub struct ClientBuilder {
    url: String,
    auth: Option<Auth>,
    timeout: Duration,
    connect_timeout: Duration,
    retries: u32,
    latest_ttl: Duration,
}

impl ClientBuilder {
    /// Credentials to send with every request.
    pub fn auth(mut self, auth: Option<Auth>) -> Self {
        self.auth = auth;
        self
    }

    /// Limit on one whole request (default 10 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Limit on establishing a connection (default 3 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How often a request is retried after a connection error, a timeout or a 502,
    /// 503 or 504 (default 2, with a doubling pause from 100 ms).
    pub fn retries(mut self, retries: u32) -> Self {
        self.retries = retries;
        self
    }

    /// How long the latest version of a subject is served from the cache (default
    /// 30 s; zero disables that cache). Lookups by id are cached regardless.
    pub fn latest_ttl(mut self, ttl: Duration) -> Self {
        self.latest_ttl = ttl;
        self
    }

    /// The client.
    pub fn build(self) -> Result<Client, Error> {
        let url = self.url.trim().trim_end_matches('/').to_owned();
        let invalid = |reason: &str| Error::InvalidUrl {
            url: self.url.clone(),
            reason: reason.to_owned(),
        };
        let rest = url
            .strip_prefix("http://")
            .or_else(|| url.strip_prefix("https://"))
            .ok_or_else(|| invalid("it must start with http:// or https://"))?;
        if rest.is_empty() || rest.starts_with('/') {
            return Err(invalid("it has no host"));
        }
        if rest
            .split('/')
            .next()
            .is_some_and(|host| host.contains('@'))
        {
            return Err(invalid(
                "credentials in the URL are not accepted; pass them as Auth",
            ));
        }
        install_crypto_provider();
        let http = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .user_agent(concat!("schemagate-client/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| invalid(&e.to_string()))?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base: url,
                auth: self.auth,
                timeout: self.timeout,
                retries: self.retries,
                cache: Cache::new(self.latest_ttl),
            }),
        })
    }
}

/// reqwest is built with `rustls-no-provider` to avoid compiling aws-lc; ring becomes
/// the process default unless the application chose a provider already.
fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing the race to another thread installing one is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// A registry client. Cheap to clone; clones share connections and caches.
#[derive(Clone, Debug)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    base: String,
    auth: Option<Auth>,
    timeout: Duration,
    retries: u32,
    cache: Cache,
}

/// A subject's schema fetched and parsed at startup by [`Client::load_latest`].
#[derive(Clone, Debug)]
pub struct LoadedSchema {
    /// The subject.
    pub subject: String,
    /// Global id, to put in the wire format's header.
    pub id: u32,
    /// Version within the subject.
    pub version: u32,
    /// The parsed schema.
    pub schema: ParsedSchema,
}

impl Client {
    /// A builder for a registry at `url` (e.g. `http://localhost:8081`).
    pub fn builder(url: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            url: url.into(),
            auth: None,
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(3),
            retries: 2,
            latest_ttl: Duration::from_secs(30),
        }
    }

    /// The registry's base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base
    }

    /// Every live subject (`GET /subjects`).
    pub async fn subjects(&self) -> Result<Vec<String>, Error> {
        self.get("/subjects").await
    }

    /// The live versions of a subject, oldest first (`GET /subjects/{s}/versions`).
    pub async fn versions(&self, subject: &str) -> Result<Vec<u32>, Error> {
        let mut versions: Vec<u32> = self
            .get(&format!("/subjects/{}/versions", seg(subject)))
            .await?;
        versions.sort_unstable();
        Ok(versions)
    }

    /// One version of a subject. Numbered versions are cached (their content never
    /// changes); `latest` is cached for the configured TTL.
    pub async fn version(
        &self,
        subject: &str,
        version: VersionSpec,
    ) -> Result<Arc<SubjectVersion>, Error> {
        let cache = &self.inner.cache;
        if let Some(hit) = cache.version(subject, version) {
            return Ok(hit);
        }
        let path = format!("/subjects/{}/versions/{}", seg(subject), version.segment());
        let fetched: Arc<SubjectVersion> = Arc::new(self.get(&path).await?);
        cache.put_version(subject, version, &fetched);
        Ok(fetched)
    }

    /// The newest live version of a subject.
    pub async fn latest(&self, subject: &str) -> Result<Arc<SubjectVersion>, Error> {
        self.version(subject, VersionSpec::Latest).await
    }

    /// A schema by global id, cached for the life of the client.
    pub async fn schema_by_id(&self, id: u32) -> Result<Arc<SchemaById>, Error> {
        if let Some(hit) = self.inner.cache.by_id(id) {
            return Ok(hit);
        }
        let fetched: Arc<SchemaById> = Arc::new(self.get(&format!("/schemas/ids/{id}")).await?);
        self.inner.cache.put_by_id(id, &fetched);
        Ok(fetched)
    }

    /// A schema by Confluent's GUID (`GET /schemas/guids/{guid}`), cached for the life of
    /// the client: a GUID is a digest of the schema and its contract, so what it names
    /// never changes.
    pub async fn schema_by_guid(&self, guid: &str) -> Result<Arc<SchemaById>, Error> {
        if let Some(hit) = self.inner.cache.by_guid(guid) {
            return Ok(hit);
        }
        let path = format!("/schemas/guids/{}", seg(guid));
        let fetched: Arc<SchemaById> = Arc::new(self.get(&path).await?);
        self.inner.cache.put_by_guid(guid, &fetched);
        Ok(fetched)
    }

    /// The ids a GUID has, one per schema context (`GET /schemas/guids/{guid}/ids`).
    pub async fn ids_by_guid(&self, guid: &str) -> Result<Vec<ContextId>, Error> {
        self.get(&format!("/schemas/guids/{}/ids", seg(guid))).await
    }

    /// The newest version of `subject` whose metadata properties hold every
    /// `(key, value)` pair (`GET /subjects/{s}/metadata?key=K&value=V...`); with
    /// `deleted`, soft-deleted versions count too. Not found is 40401 when the subject
    /// does not exist and 40403 when no version matches ([`Error::error_code`]).
    pub async fn latest_with_metadata(
        &self,
        subject: &str,
        properties: &[(&str, &str)],
        deleted: bool,
    ) -> Result<Arc<SubjectVersion>, Error> {
        let path = metadata_path(subject, properties, deleted);
        let found: Arc<SubjectVersion> = Arc::new(self.get(&path).await?);
        // A numbered version never changes: later reads of it need no request.
        let number = VersionSpec::Number(found.version);
        self.inner.cache.put_version(subject, number, &found);
        Ok(found)
    }

    /// Registers `body` under `subject` and returns its global id. Idempotent: a schema
    /// the subject already holds gets its existing id.
    pub async fn register(&self, subject: &str, body: &SchemaBody) -> Result<u32, Error> {
        Ok(self.register_answer(subject, body).await?.id)
    }

    /// [`Client::register`], with all the registry answered: Confluent 8 also sends the
    /// version, the GUID and the contract it stored (merged with the subject's defaults
    /// and overrides), which older registries do not.
    pub async fn register_answer(
        &self,
        subject: &str,
        body: &SchemaBody,
    ) -> Result<Registered, Error> {
        let answer: Registered = self
            .send(
                Method::POST,
                &format!("/subjects/{}/versions", seg(subject)),
                Some(body),
            )
            .await?;
        self.inner.cache.forget_latest(subject);
        Ok(answer)
    }

    /// The version of `subject` that holds `body`, or `None` when the subject does not
    /// exist or does not hold it (`POST /subjects/{s}`).
    pub async fn lookup(
        &self,
        subject: &str,
        body: &SchemaBody,
    ) -> Result<Option<SubjectVersion>, Error> {
        match self
            .send(
                Method::POST,
                &format!("/subjects/{}", seg(subject)),
                Some(body),
            )
            .await
        {
            Ok(found) => Ok(Some(found)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Asks the registry whether `body` is compatible with `subject`: against one
    /// version, or (with `None`) against the versions the subject's level names.
    /// `verbose` asks for the reasons.
    pub async fn check_compatibility(
        &self,
        subject: &str,
        version: Option<VersionSpec>,
        body: &SchemaBody,
        verbose: bool,
    ) -> Result<Compatibility, Error> {
        let mut path = format!("/compatibility/subjects/{}/versions", seg(subject));
        if let Some(v) = version {
            path.push('/');
            path.push_str(&v.segment());
        }
        if verbose {
            path.push_str("?verbose=true");
        }
        self.send(Method::POST, &path, Some(body)).await
    }

    /// The compatibility level in force for `subject` (its own, else the global one),
    /// or the global level with `None`.
    pub async fn level(&self, subject: Option<&str>) -> Result<Level, Error> {
        let path = match subject {
            Some(s) => format!("/config/{}?defaultToGlobal=true", seg(s)),
            None => "/config".to_owned(),
        };
        let answer: types::ConfigAnswer = match self.get(&path).await {
            // Registries that predate defaultToGlobal answer 40408 for a subject
            // without its own level: the global one applies then.
            Err(e) if subject.is_some() && e.is_not_found() => self.get("/config").await?,
            other => other?,
        };
        answer
            .level
            .parse()
            .map_err(|e: schemagate_core::compat::InvalidLevel| Error::Decode {
                url: self.url(&path),
                reason: e.to_string(),
            })
    }

    /// Sets the compatibility level of `subject`, or the global one with `None`
    /// (`PUT /config[/{s}]`).
    pub async fn set_level(&self, subject: Option<&str>, level: Level) -> Result<(), Error> {
        let path = match subject {
            Some(s) => format!("/config/{}", seg(s)),
            None => "/config".to_owned(),
        };
        let body = serde_json::json!({ "compatibility": level.as_str() });
        let _: serde_json::Value = self.send(Method::PUT, &path, Some(&body)).await?;
        Ok(())
    }

    /// The configuration of `subject`, or the global one with `None`: the level and
    /// Confluent 8's contract settings. With `default_to_global`, a subject without its
    /// own configuration gets the global one (as `GET /config/{s}?defaultToGlobal=true`,
    /// and from registries that predate that parameter too); without it, such a subject
    /// is not found (40408).
    pub async fn config(
        &self,
        subject: Option<&str>,
        default_to_global: bool,
    ) -> Result<Config, Error> {
        let path = match subject {
            Some(s) if default_to_global => format!("/config/{}?defaultToGlobal=true", seg(s)),
            Some(s) => format!("/config/{}", seg(s)),
            None => "/config".to_owned(),
        };
        match self.get(&path).await {
            // As in `level`: an older registry answers 40408 for a subject without its
            // own configuration, where the global one applies.
            Err(e) if subject.is_some() && default_to_global && e.is_not_found() => {
                self.get("/config").await
            }
            other => other,
        }
    }

    /// Updates the configuration of `subject`, or the global one with `None` (`PUT
    /// /config[/{s}]`): only the fields set in `config` are sent, so the others keep
    /// their values. Answers what the registry says it set.
    pub async fn set_config(
        &self,
        subject: Option<&str>,
        config: &Config,
    ) -> Result<Config, Error> {
        let path = match subject {
            Some(s) => format!("/config/{}", seg(s)),
            None => "/config".to_owned(),
        };
        self.send(Method::PUT, &path, Some(config)).await
    }

    /// Soft-deletes a subject, or permanently deletes an already soft-deleted one;
    /// returns the versions deleted.
    pub async fn delete_subject(&self, subject: &str, permanent: bool) -> Result<Vec<u32>, Error> {
        let mut path = format!("/subjects/{}", seg(subject));
        if permanent {
            path.push_str("?permanent=true");
        }
        let deleted = self.send(Method::DELETE, &path, None::<&()>).await;
        self.inner.cache.forget_subject(subject);
        deleted
    }

    /// The texts of `references` and of everything they import in turn, as the core
    /// needs them to parse the referring schema. Each subject-version is fetched once.
    pub async fn resolve_references(
        &self,
        references: &[SchemaReference],
    ) -> Result<Vec<Reference>, Error> {
        let mut out: Vec<Reference> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut queue: Vec<SchemaReference> = references.to_vec();
        while let Some(r) = queue.pop() {
            if !seen.insert((r.subject.clone(), r.version)) {
                continue;
            }
            let found = self
                .version(&r.subject, VersionSpec::Number(r.version))
                .await?;
            queue.extend(found.references.iter().cloned());
            out.push(Reference::new(r.name, found.schema.clone()));
        }
        Ok(out)
    }

    /// Startup helper for producers: fetches and parses the latest schema of every
    /// subject in `subjects`, in order. Fails on the first subject that is missing or
    /// does not parse, naming it, so a misconfigured producer stops before it sends.
    pub async fn load_latest(&self, subjects: &[&str]) -> Result<Vec<LoadedSchema>, Error> {
        let mut out = Vec::with_capacity(subjects.len());
        for &subject in subjects {
            let found = match self.latest(subject).await {
                Ok(found) => found,
                Err(e) if e.is_not_found() => {
                    return Err(Error::MissingSubject {
                        subject: subject.to_owned(),
                        url: self.inner.base.clone(),
                    });
                }
                Err(e) => return Err(e),
            };
            let references = self.resolve_references(&found.references).await?;
            let schema = ParsedSchema::parse(found.schema_type, &found.schema, &references)
                .map_err(|source| Error::Schema {
                    subject: subject.to_owned(),
                    source,
                })?;
            out.push(LoadedSchema {
                subject: subject.to_owned(),
                id: found.id,
                version: found.version,
                schema,
            });
        }
        Ok(out)
    }

    /// Any call of the API, answered as raw JSON: for tools that must carry every
    /// field a registry returns (an export keeps what this client's types do not
    /// know). `path` is the path and query after the base URL, its segments escaped
    /// with [`segment`]. Retried as the typed calls are, so only idempotent calls
    /// belong here.
    pub async fn call(
        &self,
        verb: Verb,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<serde_json::Value, Error> {
        let method = match verb {
            Verb::Get => Method::GET,
            Verb::Post => Method::POST,
            Verb::Put => Method::PUT,
            Verb::Delete => Method::DELETE,
        };
        self.send(method, path, body).await
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.inner.base, path)
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, Error> {
        self.send(Method::GET, path, None::<&()>).await
    }

    /// One request with retries. Every call of the API the client makes is idempotent
    /// (register included), so retrying after a lost connection is safe.
    async fn send<T: DeserializeOwned, B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<T, Error> {
        let url = self.url(path);
        let mut attempt = 0;
        loop {
            let result = self.send_once(method.clone(), &url, body).await;
            let retryable = match &result {
                Err(Error::Unreachable { .. } | Error::Timeout { .. }) => true,
                Err(Error::Registry { status, .. }) => matches!(status, 502..=504),
                _ => false,
            };
            if !retryable || attempt >= self.inner.retries {
                return result;
            }
            tokio::time::sleep(Duration::from_millis(100 << attempt.min(6))).await;
            attempt += 1;
        }
    }

    async fn send_once<T: DeserializeOwned, B: Serialize + ?Sized>(
        &self,
        method: Method,
        url: &str,
        body: Option<&B>,
    ) -> Result<T, Error> {
        let mut request = self
            .inner
            .http
            .request(method, url)
            .header(reqwest::header::ACCEPT, CONTENT_TYPE);
        if let Some(body) = body {
            let bytes = serde_json::to_vec(body).map_err(|e| Error::Decode {
                url: url.to_owned(),
                reason: format!("cannot encode the request: {e}"),
            })?;
            request = request
                .header(reqwest::header::CONTENT_TYPE, CONTENT_TYPE)
                .body(bytes);
        }
        request = match &self.inner.auth {
            Some(Auth::Basic { user, password }) => request.basic_auth(user, Some(password)),
            Some(Auth::Bearer(token)) => request.bearer_auth(token),
            None => request,
        };
        let response = request.send().await.map_err(|e| self.transport(url, e))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| self.transport(url, e))?;
        if status.is_success() {
            // A 204 (a DEK registry delete) has no body: it reads as JSON `null`.
            let body: &[u8] = if bytes.is_empty() { b"null" } else { &bytes };
            return serde_json::from_slice(body).map_err(|e| Error::Decode {
                url: url.to_owned(),
                reason: format!("{e} in {}", preview(&bytes)),
            });
        }
        let (error_code, message) = match serde_json::from_slice::<types::ErrorBody>(&bytes) {
            Ok(body) => (body.error_code, body.message),
            Err(_) => (i64::from(status.as_u16()), preview(&bytes)),
        };
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            return Err(Error::Unauthorized {
                url: url.to_owned(),
                status: status.as_u16(),
                message,
            });
        }
        Err(Error::Registry {
            url: url.to_owned(),
            status: status.as_u16(),
            error_code,
            message,
        })
    }

    fn transport(&self, url: &str, e: reqwest::Error) -> Error {
        if e.is_timeout() {
            Error::Timeout {
                url: url.to_owned(),
                seconds: self.inner.timeout.as_secs_f64(),
            }
        } else {
            Error::Unreachable {
                url: url.to_owned(),
                reason: error_chain(&e),
            }
        }
    }
}

/// reqwest's top-level message only repeats the URL; the cause (connection refused,
/// DNS failure, certificate) is in the source chain.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    if parts.is_empty() {
        return e.to_string();
    }
    parts.join(": ")
}

fn preview(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim();
    if text.is_empty() {
        return "an empty body".to_owned();
    }
    let cut: String = text.chars().take(200).collect();
    if cut.len() < text.len() {
        format!("{cut}...")
    } else {
        cut
    }
}

/// The HTTP methods of [`Client::call`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verb {
    /// GET.
    Get,
    /// POST.
    Post,
    /// PUT.
    Put,
    /// DELETE.
    Delete,
}

/// `text` escaped as one path segment (or query value) for [`Client::call`].
pub fn segment(text: &str) -> String {
    seg(text)
}

fn seg(subject: &str) -> String {
    utf8_percent_encode(subject, SEGMENT).to_string()
}

/// `/subjects/{s}/metadata` with one `key` and one `value` per pair, in order, as
/// Confluent's `RestService.getLatestWithMetadata` sends them (the registry pairs the
/// n-th key with the n-th value).
fn metadata_path(subject: &str, properties: &[(&str, &str)], deleted: bool) -> String {
    let mut path = format!("/subjects/{}/metadata", seg(subject));
    let mut separator = '?';
    for (key, value) in properties {
        let key = utf8_percent_encode(key, QUERY_VALUE);
        let value = utf8_percent_encode(value, QUERY_VALUE);
        path.push_str(&format!("{separator}key={key}&value={value}"));
        separator = '&';
    }
    if deleted {
        path.push_str(&format!("{separator}deleted=true"));
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_escaped_as_one_path_segment() {
        for (subject, segment) in [
            ("orders-value", "orders-value"),
            ("a/b c?%", "a%2Fb%20c%3F%25"),
            ("ünï", "%C3%BCn%C3%AF"),
        ] {
            assert_eq!(seg(subject), segment);
        }
    }

    #[test]
    fn metadata_queries_pair_keys_and_values_in_order_and_escape_both() {
        assert_eq!(metadata_path("s", &[], false), "/subjects/s/metadata");
        assert_eq!(
            metadata_path("a/b", &[("owner", "team a"), ("x&y=z", "1+1#")], true),
            "/subjects/a%2Fb/metadata?key=owner&value=team%20a&key=x%26y%3Dz&value=1%2B1%23&deleted=true"
        );
        assert_eq!(
            metadata_path("s", &[], true),
            "/subjects/s/metadata?deleted=true"
        );
    }

    #[test]
    fn urls_are_checked_and_credentials_in_them_refused() {
        assert!(Client::builder("http://localhost:8081/").build().is_ok());
        assert!(Client::builder("localhost:8081").build().is_err());
        assert!(Client::builder("https://").build().is_err());
        let err = Client::builder("https://u:p@host").build().unwrap_err();
        assert!(err.to_string().contains("credentials"), "{err}");
        let c = Client::builder("https://host/prefix/").build().unwrap();
        assert_eq!(c.base_url(), "https://host/prefix");
    }

    #[test]
    fn auth_debug_hides_secrets() {
        let basic = Auth::Basic {
            user: "key".into(),
            password: "secret".into(),
        };
        assert_eq!(format!("{basic:?}"), "Basic(key:***)");
        assert!(!format!("{:?}", Auth::Bearer("tok".into())).contains("tok"));
    }
}
