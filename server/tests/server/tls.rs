//! TLS: the server speaks HTTPS with the certificate it is given, clients that trust
//! its CA get the registry (behind auth too), clients that do not, or that speak plain
//! HTTP, get nothing; half a TLS configuration stops the start.
//!
//! `certs/` holds a test CA (`ca.pem`, its key destroyed) and a leaf for `localhost`
//! and `127.0.0.1` (`server.pem`, `server.key`), valid for a century.

use crate::common;

use std::path::PathBuf;
use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use schemagate_server::{Config, Server, StartError};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

fn certs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/certs")
}

struct HttpsServer {
    port: u16,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<Result<(), StartError>>,
    _dir: tempfile::TempDir,
}

async fn start(auth: Option<String>) -> HttpsServer {
    common::install_tls_provider();
    let dir = tempfile::tempdir().unwrap();
    let auth_config = auth.map(|text| {
        let path = dir.path().join("auth.toml");
        std::fs::write(&path, text).unwrap();
        path
    });
    let server = Server::bind(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.path().join("data"),
        store: common::store_for(dir.path()),
        tls_cert: Some(certs().join("server.pem")),
        tls_key: Some(certs().join("server.key")),
        auth_config,
        ..Config::default()
    })
    .await
    .expect("binds with TLS");
    let port = server.local_addr().port();
    let (shutdown, rx) = oneshot::channel();
    let task = tokio::spawn(server.run_until(async move {
        let _ = rx.await;
    }));
    HttpsServer {
        port,
        shutdown,
        task,
        _dir: dir,
    }
}

impl HttpsServer {
    async fn stop(self) {
        let _ = self.shutdown.send(());
        self.task.await.unwrap().expect("stops cleanly");
    }
}

/// A reqwest client whose only trust anchor is the test CA.
fn trusting_client() -> reqwest::Client {
    let mut roots = rustls::RootCertStore::empty();
    let ca = CertificateDer::from_pem_file(certs().join("ca.pem")).unwrap();
    roots.add(ca).unwrap();
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .build()
        .unwrap()
}

/// A client that trusts nothing but an empty store: the server's CA is unknown to it.
fn distrusting_client() -> reqwest::Client {
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(rustls::RootCertStore::empty())
    .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .build()
        .unwrap()
}

on_each_store! {
    async fn https_serves_the_registry_to_clients_that_trust_the_ca() {
        let server = start(None).await;
        let client = trusting_client();
        for host in ["127.0.0.1", "localhost"] {
            let base = format!("https://{host}:{}", server.port);
            let resp = client
                .post(format!("{base}/subjects/orders.created/versions"))
                .header("content-type", "application/vnd.schemaregistry.v1+json")
                .body(json!({"schema": common::order_v1()}).to_string())
                .send()
                .await
                .expect("https request");
            assert_eq!(resp.status(), 200);
            let body: Value = resp.json().await.unwrap();
            assert_eq!(body["id"], 1);
        }
        let base = format!("https://127.0.0.1:{}", server.port);
        assert!(
            distrusting_client()
                .get(format!("{base}/"))
                .send()
                .await
                .is_err(),
            "an unknown CA must fail the handshake"
        );
        let plain = reqwest::Client::new()
            .get(format!("http://127.0.0.1:{}/", server.port))
            .send()
            .await;
        assert!(
            plain.is_err() || plain.unwrap().status() != 200,
            "plain HTTP must not be served"
        );
        // A connection that never finishes its handshake does not hold up others.
        let idle = tokio::net::TcpStream::connect(("127.0.0.1", server.port))
            .await
            .unwrap();
        let resp = client.get(format!("{base}/health")).send().await.unwrap();
        assert_eq!(resp.status(), 200);
        // (Shutdown waits for handshakes in flight, up to their deadline: hang up first.)
        drop(idle);
        server.stop().await;
    }

    async fn https_and_auth_together() {
        let (token, digest) = schemagate_server::auth::generate_token();
        let server = start(Some(format!(
            "[[tokens]]\nname='ci'\nsha256='{digest}'\nrole='read'"
        )))
        .await;
        let client = trusting_client();
        let base = format!("https://localhost:{}", server.port);
        let resp = client.get(format!("{base}/subjects")).send().await.unwrap();
        assert_eq!(resp.status(), 401);
        let resp = client
            .get(format!("{base}/subjects"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        server.stop().await;
    }

    async fn half_a_tls_configuration_or_bad_files_stop_the_start() {
        let dir = tempfile::tempdir().unwrap();
        // A directory per attempt: sled may release a refused start's lock a moment late.
        let attempt = std::sync::atomic::AtomicUsize::new(0);
        let config = |cert: Option<PathBuf>, key: Option<PathBuf>| Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            data_dir: dir.path().join(format!(
                "data{}",
                attempt.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            )),
            tls_cert: cert,
            tls_key: key,
            ..Config::default()
        };
        for (cert, key, needle) in [
            (Some(certs().join("server.pem")), None, "both"),
            (None, Some(certs().join("server.key")), "both"),
            (
                Some(certs().join("missing.pem")),
                Some(certs().join("server.key")),
                "missing.pem",
            ),
            (
                Some(certs().join("server.key")),
                Some(certs().join("server.key")),
                "no PEM certificate",
            ),
            (
                Some(certs().join("server.pem")),
                Some(certs().join("server.pem")),
                "private key",
            ),
        ] {
            let err = Server::bind(config(cert, key))
                .await
                .err()
                .expect("refused");
            assert!(err.to_string().contains(needle), "{needle}: {err}");
        }
    }
}
