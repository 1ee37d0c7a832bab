//! `schemagate-server healthcheck`: one `GET /health` to the configured server, over
//! plain TCP or TLS, with blocking sockets (one request needs no runtime).
//!
//! Over TLS the probe trusts exactly the leaf certificate of `--tls-cert`: it
//! connects to an IP address (often loopback) that the certificate need not name,
//! and the server it wants is the one holding that certificate, so pinning is both
//! stricter and simpler than a name check against a CA.

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use schemagate_server::Config;

/// Longest answer head read: a status line and a few headers fit many times over.
const MAX_HEAD: usize = 16 * 1024;

/// Probes `/health` of the server `config` describes; `Ok` carries a line saying
/// what answered, `Err` what did not and why.
pub fn probe(config: &Config, timeout: Duration) -> anyhow::Result<String> {
    let addr = target(config.listen)?;
    let scheme = if config.tls_cert.is_some() {
        "https"
    } else {
        "http"
    };
    let url = format!("{scheme}://{addr}/health");
    let tcp = TcpStream::connect_timeout(&addr, timeout)
        .with_context(|| format!("{url}: cannot connect (is the server running?)"))?;
    tcp.set_read_timeout(Some(timeout))?;
    tcp.set_write_timeout(Some(timeout))?;
    let request = format!(
        "GET /health HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: schemagate-healthcheck\r\nConnection: close\r\n\r\n"
    );
    let head = match &config.tls_cert {
        None => exchange(tcp, request.as_bytes()),
        Some(cert) => {
            let pinned = leaf(cert)?;
            let tls = client_config(pinned)?;
            let name = ServerName::IpAddress(addr.ip().into());
            let connection = rustls::ClientConnection::new(tls, name)
                .context("cannot set up the TLS connection")?;
            exchange(
                rustls::StreamOwned::new(connection, tcp),
                request.as_bytes(),
            )
        }
    }
    .with_context(|| format!("{url}: no answer"))?;
    let status = head.lines().next().unwrap_or_default();
    let mut words = status.splitn(3, ' ');
    let (version, code) = (words.next(), words.next());
    if !version.is_some_and(|v| v.starts_with("HTTP/")) {
        bail!(
            "{url}: not an HTTP answer ({status:?}); is it the registry, and is --tls-cert set as the server's?"
        );
    }
    if code != Some("200") {
        bail!("{url}: unhealthy, answered {status:?}");
    }
    Ok(format!("{url}: {status}"))
}

/// Where to connect for a server listening on `listen`: a wildcard address is
/// reached on loopback of the same family; port 0 cannot be reached at all.
pub(super) fn target(listen: SocketAddr) -> anyhow::Result<SocketAddr> {
    if listen.port() == 0 {
        bail!(
            "--listen {listen} has port 0 (a free port chosen at start), so there is no port to probe: give the server and the healthcheck a fixed --listen HOST:PORT"
        );
    }
    let ip = match listen.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    Ok(SocketAddr::new(ip, listen.port()))
}

/// Sends the request and reads the answer's head (up to the blank line, or as much
/// as came before the server closed).
fn exchange(mut stream: impl Read + Write, request: &[u8]) -> std::io::Result<String> {
    stream.write_all(request)?;
    stream.flush()?;
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while head.len() < MAX_HEAD && !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
            // A TLS peer that closes without close_notify after answering.
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && !head.is_empty() => {
                break;
            }
            Err(e) => return Err(e),
        }
    }
    if head.is_empty() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "the connection closed without an answer (a TLS server probed over plain HTTP?)",
        ));
    }
    Ok(String::from_utf8_lossy(&head).into_owned())
}

/// The first certificate of the PEM chain in `path`: the server's own.
pub(super) fn leaf(path: &Path) -> anyhow::Result<CertificateDer<'static>> {
    CertificateDer::pem_file_iter(path)
        .and_then(|mut it| it.next().transpose())
        .with_context(|| format!("cannot read the TLS certificate {}", path.display()))?
        .with_context(|| {
            format!(
                "no PEM certificate in {}: --tls-cert takes the certificate chain, leaf first",
                path.display()
            )
        })
}

/// A rustls client (ring, TLS 1.2 and 1.3) that trusts only `pinned`.
pub(super) fn client_config(
    pinned: CertificateDer<'static>,
) -> anyhow::Result<Arc<rustls::ClientConfig>> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Pinned {
        cert: pinned,
        algorithms: provider.signature_verification_algorithms,
    };
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS setup")?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Accepts the server's certificate when it is byte for byte the pinned one; the
/// handshake signatures are still checked, so only the key's holder passes.
#[derive(Debug)]
struct Pinned {
    cert: CertificateDer<'static>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.cert.as_ref() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(
                "the server presents another certificate than --tls-cert".into(),
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}
