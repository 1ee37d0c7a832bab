//! The Schemagate registry server: the Confluent Schema Registry REST API over an
//! embedded store, refusing breaking changes at registration time.
//!
//! [`Server::bind`] opens the store and the listener (tests ask for port 0);
//! [`Server::run_until`] serves until a shutdown future resolves, drains in-flight
//! requests and flushes. [`build_router`] gives the HTTP service for in-process tests.

pub mod api;
pub mod auth;
pub mod cache;
pub mod config;
/// Internals for the fuzz targets in `server/fuzz`; not an API.
#[doc(hidden)]
pub mod fuzzing;
mod hash;
pub mod metrics;
pub mod registry;
pub mod store;
mod timer;
pub mod tls;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;

pub use api::{App, AppState, build_router};
pub use config::Config;

use crate::config::StoreChoice;
use crate::metrics::Metrics;
use crate::registry::Registry;
use crate::store::postgres::PgStore;
use crate::store::sled::SledStore;
use crate::store::{Store, StoreError};

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The store could not be opened (missing rights, a directory held by another
    /// process, an unreachable database).
    #[error("cannot open the store {dir}: {source}")]
    Store {
        /// The data directory or the masked database URL.
        dir: String,
        /// The cause.
        source: StoreError,
    },
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// A configured number is outside its range (see [`Config::check`]).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The auth file or the TLS files are missing, unreadable or wrong.
    #[error("{0}")]
    Security(String),
    /// Serving failed, or the final flush did.
    #[error("server failed: {0}")]
    Serve(String),
}

impl AppState {
    /// Opens the store named by `config` and builds the shared state (blocking: sled
    /// recovers its log on open).
    pub fn open(config: &Config) -> Result<AppState, StartError> {
        let store: Arc<dyn Store> = match &config.store {
            StoreChoice::Sled => {
                Arc::new(
                    SledStore::open(&config.data_dir).map_err(|source| StartError::Store {
                        dir: config.data_dir.display().to_string(),
                        source,
                    })?,
                )
            }
            StoreChoice::Postgres(url) => Arc::new(
                PgStore::open(url, config.store_pool_size).map_err(|source| StartError::Store {
                    dir: config.store.to_string(),
                    source,
                })?,
            ),
        };
        let registry = Registry::new(
            store,
            config.default_compatibility,
            schemagate_core::Limits::default(),
        );
        // Records of an earlier store format are brought up to date before anything is
        // served (a no-op once done).
        registry.upgrade_store().map_err(|e| StartError::Store {
            dir: config.store.to_string(),
            source: StoreError(format!("upgrading the stored data failed: {e}")),
        })?;
        Ok(AppState {
            registry: Arc::new(registry),
            metrics: Arc::new(Metrics::default()),
            max_body: config.max_body,
            request_timeout: config.request_timeout,
        })
    }
}

/// What the accept loop serves: the app, behind the auth layer or not.
pub trait HttpService:
    tower::Service<
        hyper::Request<hyper::body::Incoming>,
        Response = axum::response::Response,
        Error = std::convert::Infallible,
        Future: Send + 'static,
    > + Clone
    + Send
    + 'static
{
}

impl<S> HttpService for S where
    S: tower::Service<
            hyper::Request<hyper::body::Incoming>,
            Response = axum::response::Response,
            Error = std::convert::Infallible,
            Future: Send + 'static,
        > + Clone
        + Send
        + 'static
{
}

/// A bound, not yet serving, registry server.
pub struct Server {
    listener: TcpListener,
    local_addr: SocketAddr,
    state: AppState,
    auth: Option<Arc<auth::Authenticator>>,
    tls: Option<tokio_rustls::TlsAcceptor>,
}

impl Server {
    /// Opens the store and binds the listener; port 0 picks a free port.
    pub async fn bind(config: Config) -> Result<Server, StartError> {
        // The flag parsers check the same; a `Config` built in code is checked here.
        config.check().map_err(StartError::Config)?;
        let state = {
            let config = config.clone();
            tokio::task::spawn_blocking(move || AppState::open(&config))
                .await
                .map_err(|e| StartError::Serve(e.to_string()))??
        };
        let (auth, tls) = load_security(&config).await?;
        let addr = config.listen;
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| StartError::Bind { addr, source })?;
        let local_addr = listener
            .local_addr()
            .map_err(|source| StartError::Bind { addr, source })?;
        Ok(Server {
            listener,
            local_addr,
            state,
            auth,
            tls,
        })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Serves until `shutdown` resolves, lets in-flight requests finish, then flushes
    /// the store so that nothing acknowledged is lost.
    ///
    /// A hand-rolled accept loop rather than `axum::serve`, which sets no timer and so
    /// lets a client that trickles its headers hold a connection forever.
    pub async fn run_until(
        mut self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), StartError> {
        let app = build_router(self.state.clone());
        // One concrete service type per branch, so that the hot path is not boxed.
        match self.auth.take() {
            Some(auth) => {
                self.serve(auth::middleware::protect(app, auth), shutdown)
                    .await
            }
            None => self.serve(app, shutdown).await,
        }
    }

    async fn serve(
        self,
        service: impl HttpService,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), StartError> {
        let registry = Arc::clone(&self.state.registry);
        let header_timeout = self.state.request_timeout;
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(timer::CoarseTimer::spawn(header_timeout))
            .header_read_timeout(header_timeout);
        let graceful = hyper_util::server::graceful::GracefulShutdown::new();
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            tokio::select! {
                accepted = self.listener.accept() => {
                    let stream = match accepted {
                        Ok((stream, _)) => stream,
                        Err(e) => {
                            // Out of file descriptors and the like: back off, keep serving.
                            tracing::warn!(error = %e, "accept failed");
                            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                            continue;
                        }
                    };
                    // Answers are one write each; Nagle would only hold back the rare
                    // answer written in two.
                    let _ = stream.set_nodelay(true);
                    let service = hyper_util::service::TowerToHyperService::new(service.clone());
                    if let Some(acceptor) = &self.tls {
                        // The handshake runs in the connection's own task, not here.
                        tls::spawn_connection(acceptor.clone(), stream, http.clone(), service, graceful.watcher());
                        continue;
                    }
                    let connection = http.serve_connection(hyper_util::rt::TokioIo::new(stream), service);
                    let connection = graceful.watch(connection);
                    tokio::spawn(async move {
                        if let Err(e) = connection.await {
                            tracing::debug!(error = %e, "connection ended with an error");
                        }
                    });
                }
                () = &mut shutdown => break,
            }
        }
        drop(self.listener);
        graceful.shutdown().await;
        tokio::task::spawn_blocking(move || registry.flush())
            .await
            .map_err(|e| StartError::Serve(e.to_string()))?
            .map_err(|e| StartError::Serve(e.to_string()))?;
        tracing::info!("stopped; store flushed");
        Ok(())
    }
}

/// The authenticator and the TLS acceptor the configuration asks for (blocking work:
/// files, and one argon2 hash for the unknown-user dummy).
async fn load_security(
    config: &Config,
) -> Result<
    (
        Option<Arc<auth::Authenticator>>,
        Option<tokio_rustls::TlsAcceptor>,
    ),
    StartError,
> {
    let (auth_file, cert, key) = (
        config.auth_config.clone(),
        config.tls_cert.clone(),
        config.tls_key.clone(),
    );
    tokio::task::spawn_blocking(move || {
        let auth = auth_file
            .map(|path| auth::Authenticator::load(&path).map(Arc::new))
            .transpose()
            .map_err(StartError::Security)?;
        let tls = match (cert, key) {
            (None, None) => None,
            (Some(cert), Some(key)) => {
                Some(tls::acceptor(&cert, &key).map_err(StartError::Security)?)
            }
            _ => {
                return Err(StartError::Security(
                    "TLS needs both --tls-cert and --tls-key".into(),
                ));
            }
        };
        Ok((auth, tls))
    })
    .await
    .map_err(|e| StartError::Serve(e.to_string()))?
}
