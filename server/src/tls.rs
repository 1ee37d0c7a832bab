//! Optional TLS (`--tls-cert`, `--tls-key`, PEM) with rustls and the ring provider.
//!
//! The server's accept loop hands each TCP connection to [`spawn_connection`], which
//! runs the handshake in the connection's own task with a deadline, so a client that
//! connects and says nothing delays nobody.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::Watcher;
use hyper_util::service::TowerToHyperService;
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;

/// Longest a TLS handshake may take before the connection is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Reads the certificate chain and private key and builds the acceptor (HTTP/1.1 only,
/// TLS 1.2 and 1.3, rustls' safe defaults).
pub fn acceptor(cert: &Path, key: &Path) -> Result<TlsAcceptor, String> {
    let certs = CertificateDer::pem_file_iter(cert)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("cannot read the TLS certificate {}: {e}", cert.display()))?;
    if certs.is_empty() {
        return Err(format!(
            "no PEM certificate in {}: --tls-cert takes the certificate chain, leaf first",
            cert.display()
        ));
    }
    let key_der = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| format!("cannot read the TLS private key {}: {e}", key.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup: {e}"))?
        .with_no_client_auth()
        .with_single_cert(certs, key_der)
        .map_err(|e| format!("the TLS key does not fit the certificate: {e}"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Serves one accepted TCP connection over TLS in its own task: the handshake (with a
/// deadline, so a client that connects and says nothing holds only its own task), then
/// HTTP/1.1 watched by the graceful shutdown like any plain connection. The watcher is
/// taken before the handshake, so shutdown also waits for handshakes in flight, at most
/// [`HANDSHAKE_TIMEOUT`].
pub fn spawn_connection(
    acceptor: TlsAcceptor,
    tcp: TcpStream,
    http: http1::Builder,
    service: TowerToHyperService<impl crate::HttpService>,
    watcher: Watcher,
) {
    tokio::spawn(async move {
        let peer = tcp.peer_addr().ok();
        let tls = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
            Ok(Ok(tls)) => tls,
            Ok(Err(e)) => {
                tracing::debug!(?peer, error = %e, "TLS handshake failed");
                return;
            }
            Err(_) => {
                tracing::debug!(?peer, "TLS handshake timed out");
                return;
            }
        };
        let connection = http.serve_connection(TokioIo::new(tls), service);
        if let Err(e) = watcher.watch(connection).await {
            tracing::debug!(error = %e, "connection ended with an error");
        }
    });
}
