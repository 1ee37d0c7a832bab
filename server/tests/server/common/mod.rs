//! Shared test harness: a real server on 127.0.0.1:0 over a temporary data directory,
//! and a small JSON client for driving it over HTTP.

#![allow(dead_code)]

pub mod postgres;

use std::future::Future;
use std::path::Path;

use reqwest::Method;
use schemagate_server::config::StoreChoice;
use schemagate_server::{Config, Server};
use serde_json::Value;
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The store a test runs on; see [`on_each_store!`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// The embedded store in the test's temp dir.
    Sled,
    /// A database of its own on the test PostgreSQL.
    Postgres,
}

tokio::task_local! {
    static BACKEND: Backend;
}

/// The store of the test running on this task (sled outside [`run_on`]).
pub fn backend() -> Backend {
    BACKEND.try_with(|b| *b).unwrap_or(Backend::Sled)
}

/// Runs `test` with every server it starts on `backend`; a PostgreSQL run without a
/// PostgreSQL to use says so loudly and passes.
pub async fn run_on(backend: Backend, test: impl Future<Output = ()>) {
    if available(backend) {
        BACKEND.scope(backend, test).await;
    }
}

/// Whether tests can run on `backend`; for PostgreSQL without one, says so loudly.
pub fn available(backend: Backend) -> bool {
    if backend == Backend::Postgres
        && let Err(reason) = probe_postgres()
    {
        assert!(
            std::env::var_os("SCHEMAGATE_REQUIRE_POSTGRES").is_none(),
            "SCHEMAGATE_REQUIRE_POSTGRES is set but PostgreSQL is unusable: {reason}"
        );
        postgres::warn_skipped(&reason);
        return false;
    }
    true
}

fn probe_postgres() -> Result<(), String> {
    static PROBE: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    PROBE
        .get_or_init(|| postgres::new_database().map(|_| ()))
        .clone()
}

/// The store for a server whose state lives in `dir`: sled inside it, or the database
/// recorded in it (created on first use), so a restart on `dir` finds its data.
pub fn store_for(dir: &Path) -> StoreChoice {
    store_on(backend(), dir)
}

/// [`store_for`] with the backend given rather than taken from the running test.
pub fn store_on(backend: Backend, dir: &Path) -> StoreChoice {
    match backend {
        Backend::Sled => StoreChoice::Sled,
        Backend::Postgres => {
            let marker = dir.join("postgres-url");
            let url = match std::fs::read_to_string(&marker) {
                Ok(url) => url,
                Err(_) => {
                    let url = postgres::new_database().expect("test database");
                    std::fs::write(&marker, &url).expect("record the test database");
                    url
                }
            };
            StoreChoice::Postgres(url)
        }
    }
}

/// The value of `--store` / `SCHEMAGATE_STORE` for `choice`.
pub fn store_arg(choice: &StoreChoice) -> String {
    match choice {
        StoreChoice::Sled => "sled".to_owned(),
        StoreChoice::Postgres(url) => url.clone(),
    }
}

/// Defines each `async fn name() { .. }` once and runs it as a test on both stores:
/// `sled::name` and `postgres::name`. `#[test(args)]` before a function passes `args`
/// to `#[tokio::test]` (e.g. `flavor = "multi_thread"`).
#[macro_export]
macro_rules! on_each_store {
    (@define $( $(#[doc = $doc:expr])* $(#[test($($args:tt)*)])? async fn $name:ident() $body:block )*) => {
        $( $(#[doc = $doc])* async fn $name() $body )*
    };
    (@run $backend:ident) => {};
    (@run $backend:ident $(#[doc = $doc:expr])* #[test($($args:tt)*)] async fn $name:ident() $body:block $($rest:tt)*) => {
        #[tokio::test($($args)*)]
        async fn $name() {
            $crate::common::run_on($crate::common::Backend::$backend, super::$name()).await
        }
        $crate::on_each_store!(@run $backend $($rest)*);
    };
    (@run $backend:ident $(#[doc = $doc:expr])* async fn $name:ident() $body:block $($rest:tt)*) => {
        #[tokio::test]
        async fn $name() {
            $crate::common::run_on($crate::common::Backend::$backend, super::$name()).await
        }
        $crate::on_each_store!(@run $backend $($rest)*);
    };
    ($($tests:tt)*) => {
        $crate::on_each_store!(@define $($tests)*);
        mod sled {
            $crate::on_each_store!(@run Sled $($tests)*);
        }
        mod postgres {
            $crate::on_each_store!(@run Postgres $($tests)*);
        }
    };
}

/// A running server; `stop` shuts it down gracefully and hands back its data dir.
pub struct TestServer {
    pub base: String,
    pub client: reqwest::Client,
    dir: TempDir,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<Result<(), schemagate_server::StartError>>,
}

/// In a workspace build reqwest is unified with the client crate's `rustls-no-provider`
/// feature, and then panics on `Client::new()` unless a crypto provider is installed.
pub fn install_tls_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// A test answer: status, body as JSON (or `Value::String` when not JSON), content type.
pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub text: String,
    pub content_type: String,
}

impl Answer {
    /// Status, content type, and the body, parsed when it is JSON.
    pub async fn read(resp: reqwest::Response) -> Answer {
        let status = resp.status().as_u16();
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let text = resp.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text.clone()));
        Answer {
            status,
            body,
            text,
            content_type,
        }
    }
}

impl TestServer {
    pub async fn start() -> TestServer {
        Self::start_in(tempfile::tempdir().expect("tempdir"), Config::default()).await
    }

    pub async fn start_with(config: Config) -> TestServer {
        Self::start_in(tempfile::tempdir().expect("tempdir"), config).await
    }

    pub async fn start_in(dir: TempDir, mut config: Config) -> TestServer {
        install_tls_provider();
        config.listen = "127.0.0.1:0".parse().unwrap();
        config.data_dir = dir.path().join("data");
        // A test that names a store itself keeps it.
        if config.store == StoreChoice::Sled {
            config.store = store_for(dir.path());
        }
        let server = Server::bind(config).await.expect("server binds");
        let base = format!("http://{}", server.local_addr());
        let (shutdown, rx) = oneshot::channel();
        let task = tokio::spawn(server.run_until(async move {
            let _ = rx.await;
        }));
        TestServer {
            base,
            client: reqwest::Client::new(),
            dir,
            shutdown,
            task,
        }
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    /// Graceful stop; the directory survives for a restart.
    pub async fn stop(self) -> TempDir {
        self.begin_stop().await
    }

    /// Signals shutdown now; the returned future resolves once the server has drained.
    pub fn begin_stop(self) -> impl std::future::Future<Output = TempDir> {
        let _ = self.shutdown.send(());
        async move {
            self.task
                .await
                .expect("server task")
                .expect("server stops cleanly");
            self.dir
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let mut req = self.client.request(method, self.url(path));
        if let Some(b) = body {
            req = req
                .header("content-type", "application/vnd.schemaregistry.v1+json")
                .body(b.to_string());
        }
        self.send(req).await
    }

    /// Sends a request built on this server's client and reads its answer.
    pub async fn send(&self, req: reqwest::RequestBuilder) -> Answer {
        Answer::read(req.send().await.expect("request sent")).await
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Answer {
        self.call(Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Answer {
        self.call(Method::DELETE, path, None).await
    }

    /// Registers `schema` (Avro unless `schemaType` is in `extra`) and returns the answer.
    pub async fn register(&self, subject: &str, schema: &str) -> Answer {
        self.post(
            &format!("/subjects/{subject}/versions"),
            serde_json::json!({ "schema": schema }),
        )
        .await
    }

    /// Registers and insists it worked; returns the id.
    pub async fn register_ok(&self, subject: &str, schema: &str) -> u64 {
        let a = self.register(subject, schema).await;
        assert_eq!(a.status, 200, "register {subject}: {}", a.text);
        a.body["id"].as_u64().expect("id")
    }
}

impl Answer {
    /// Asserts a Confluent error body with this HTTP status and code.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: u64) {
        assert_eq!(self.status, status, "status of {}", self.text);
        assert_eq!(self.body["error_code"], code, "error_code of {}", self.text);
        assert!(self.body["message"].is_string(), "message in {}", self.text);
    }

    #[track_caller]
    pub fn assert_ok(&self) -> &Value {
        assert_eq!(self.status, 200, "expected 200, got {}", self.text);
        &self.body
    }
}

/// A record schema `name` with `fields` (JSON array text).
pub fn record(name: &str, fields: &str) -> String {
    format!(r#"{{"type":"record","name":"{name}","namespace":"shop","fields":{fields}}}"#)
}

/// The order record, v1.
pub fn order_v1() -> String {
    record("Order", r#"[{"name":"id","type":"string"}]"#)
}

/// v1 plus an optional field with a default: BACKWARD and FORWARD compatible.
pub fn order_v2() -> String {
    record(
        "Order",
        r#"[{"name":"id","type":"string"},{"name":"note","type":["null","string"],"default":null}]"#,
    )
}

/// v1 plus a required field without default: not BACKWARD compatible.
pub fn order_breaking() -> String {
    record(
        "Order",
        r#"[{"name":"id","type":"string"},{"name":"amount","type":"long"}]"#,
    )
}
