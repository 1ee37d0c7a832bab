//! Shared test harness: a real server on 127.0.0.1:0 over a temporary data directory,
//! and a small JSON client for driving it over HTTP.

#![allow(dead_code)]

use std::path::Path;

use reqwest::Method;
use schemagate_server::{Config, Server};
use serde_json::Value;
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

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
        let resp = req.send().await.expect("request sent");
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
