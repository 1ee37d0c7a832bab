//! The HTTP surface: the application service (hot routes before the router, one
//! tolerated trailing slash) over the one route table ([`routes`]), the extractors
//! ([`extract`]), the response helpers ([`respond`]) and the layer that times, counts
//! and bounds requests ([`observe`]). Handlers live one resource to a file and only
//! translate between HTTP and [`crate::registry`].

mod backup;
mod compatibility;
mod config;
mod dek;
pub mod error;
mod extract;
pub(crate) mod hot;
mod media;
mod mode;
mod observe;
mod ops;
mod respond;
pub mod routes;
mod schemas;
mod subjects;

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::Uri;
use axum::response::Response;

pub use error::ApiError;
pub(crate) use extract::decode_json;
use extract::read_body;
pub use extract::{Body, Params, PathParams, RawBody, Who};
use observe::{ObserveLayer, Observed, RequestMeta, RouteLabel};
pub use respond::{ApiResult, CONTENT_TYPE, bytes_response, json};

use crate::auth::Principal;
use crate::metrics::Metrics;
use crate::registry::{Caller, Registry};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The use cases.
    pub registry: Arc<Registry>,
    /// Request metrics.
    pub metrics: Arc<Metrics>,
    /// Largest request body accepted, in bytes.
    pub max_body: usize,
    /// Longest a request may take, body upload included (slow clients).
    pub request_timeout: Duration,
}

/// The registry's HTTP service over `state`: every Confluent route, Confluent-shaped
/// 404 and 405, one tolerated trailing slash.
pub fn build_router(state: AppState) -> App {
    let routes = routes::ROUTES
        .iter()
        .fold(Router::new(), |router, route| {
            // Several methods of one pattern merge into one entry.
            router.route(route.pattern, route.method_router())
        })
        .fallback(ops::not_found)
        .method_not_allowed_fallback(ops::method_not_allowed)
        .layer(ObserveLayer {
            metrics: Arc::clone(&state.metrics),
            timeout: state.request_timeout,
        })
        .with_state(state.clone());
    App { routes, state }
}

/// The routes behind the trailing-slash trim, which must precede routing, and the hot
/// routes answered before it ([`hot`]). A plain service rather than an outer `Router`,
/// which cost a second routing pass on every request.
#[derive(Clone)]
pub struct App {
    routes: Router,
    state: AppState,
}

impl<B> tower::Service<axum::http::Request<B>> for App
where
    B: axum::body::HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = AppFuture;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // A `Router` is always ready.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut req: axum::http::Request<B>) -> Self::Future {
        trim_trailing_slash(req.uri_mut());
        // Refused before any handler runs, as Jersey refuses before a resource method.
        let media = match media::negotiate(req.method(), req.uri().path(), req.headers()) {
            Ok(media) => media,
            Err(refusal) => return self.refuse(req, refusal),
        };
        let Some(route) = hot::recognise(req.method(), req.uri().path()) else {
            return AppFuture::routed(self.routes.call(req));
        };
        let label = RouteLabel::Hot(route.label());
        let answer = match route {
            hot::HotRoute::Lookup(subject) => {
                let subject = subject.to_owned();
                let (mut parts, body) = req.into_parts();
                let who = Who::of(&mut parts.extensions);
                let answer = hot::lookup(self.state.clone(), who, subject, &parts.uri, body);
                let meta = RequestMeta::new(&parts.method, &parts.uri, label, media);
                return self.hot_future(meta, answer);
            }
            _ => {
                let caller = Caller::new(req.extensions().get::<Principal>());
                hot::cached_get(&self.state, caller, &route, req.uri())
            }
        };
        match answer {
            Some(response) => {
                let meta = RequestMeta::new(req.method(), req.uri(), label, media);
                self.hot_future(meta, hot::HotAnswer::Ready(Some(response)))
            }
            None => AppFuture::routed(self.routes.call(req)),
        }
    }
}

impl App {
    /// A request refused by content negotiation (406, 415), counted under its route.
    fn refuse<B>(&self, req: axum::http::Request<B>, refusal: ApiError) -> AppFuture {
        let label = match routes::find(req.method(), req.uri().path()) {
            Some(found) => RouteLabel::Hot(found.route.map_or("unmatched", |r| r.pattern)),
            None => RouteLabel::Unmatched,
        };
        // The refusal itself is answered in the default type.
        let meta = RequestMeta::new(req.method(), req.uri(), label, media::Media::V1);
        let response = axum::response::IntoResponse::into_response(refusal);
        self.hot_future(meta, hot::HotAnswer::Ready(Some(response)))
    }

    fn hot_future(&self, meta: RequestMeta, answer: hot::HotAnswer) -> AppFuture {
        let inner = Observed::new(
            answer,
            meta,
            self.state.request_timeout,
            Arc::clone(&self.state.metrics),
        );
        AppFuture {
            answer: Answer::Hot { inner },
        }
    }
}

pin_project_lite::pin_project! {
    /// The future of [`App`]: a hot route's answer, or the router's.
    pub struct AppFuture {
        #[pin]
        answer: Answer,
    }
}

pin_project_lite::pin_project! {
    #[project = AnswerProj]
    enum Answer {
        // Answered by `hot`, observed as the router's routes are.
        Hot { #[pin] inner: Observed<hot::HotAnswer> },
        Routed { #[pin] inner: axum::routing::future::RouteFuture<Infallible> },
    }
}

impl AppFuture {
    fn routed(inner: axum::routing::future::RouteFuture<Infallible>) -> Self {
        AppFuture {
            answer: Answer::Routed { inner },
        }
    }
}

impl Future for AppFuture {
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().answer.project() {
            AnswerProj::Hot { inner } => inner.poll(cx),
            AnswerProj::Routed { inner } => inner.poll(cx),
        }
    }
}

pub(crate) fn trim_trailing_slash(uri: &mut Uri) {
    let path = uri.path();
    if path.len() <= 1 || !path.ends_with('/') {
        return;
    }
    let trimmed = path.trim_end_matches('/');
    let trimmed = if trimmed.is_empty() { "/" } else { trimmed };
    let rebuilt = match uri.query() {
        Some(q) => format!("{trimmed}?{q}"),
        None => trimmed.to_owned(),
    };
    let mut parts = uri.clone().into_parts();
    if let Ok(pq) = rebuilt.parse() {
        parts.path_and_query = Some(pq);
        if let Ok(new) = Uri::from_parts(parts) {
            *uri = new;
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body as HttpBody;
    use axum::http::{Request, StatusCode, header};
    use tower::ServiceExt as _;

    use super::*;
    use crate::Config;

    fn state(dir: &std::path::Path) -> AppState {
        AppState::open(&Config {
            data_dir: dir.to_path_buf(),
            ..Config::default()
        })
        .unwrap()
    }

    #[tokio::test]
    async fn router_answers_without_a_socket() {
        let dir = tempfile::tempdir().unwrap();
        let router = build_router(state(dir.path()));
        let response = router
            .clone()
            .oneshot(
                Request::post("/subjects/a/versions/")
                    .body(HttpBody::from(r#"{"schema":"\"string\""}"#))
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let response = router
            .oneshot(Request::get("/nowhere").body(HttpBody::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert_eq!(response.headers()[header::CONTENT_TYPE], CONTENT_TYPE);
    }

    use crate::store::SchemaId;

    /// A backend that is down: every call fails.
    struct Down;

    fn down<T>() -> crate::store::StoreResult<T> {
        Err(crate::store::StoreError("connection refused".into()))
    }

    impl crate::store::Store for Down {
        fn schema(
            &self,
            _: &str,
            _: SchemaId,
        ) -> crate::store::StoreResult<Option<crate::store::StoredSchema>> {
            down()
        }
        fn id_for_key(
            &self,
            _: &crate::store::ContentKey,
        ) -> crate::store::StoreResult<Option<SchemaId>> {
            down()
        }
        fn versions(&self, _: &str) -> crate::store::StoreResult<Vec<crate::store::VersionEntry>> {
            down()
        }
        fn all_versions(
            &self,
        ) -> crate::store::StoreResult<Vec<(String, Vec<crate::store::VersionEntry>)>> {
            down()
        }
        fn usages(
            &self,
            _: SchemaId,
        ) -> crate::store::StoreResult<Vec<(String, crate::store::VersionEntry)>> {
            down()
        }
        fn referrers(&self, _: &str, _: i32) -> crate::store::StoreResult<Vec<(String, SchemaId)>> {
            down()
        }
        fn config(
            &self,
            _: Option<&str>,
        ) -> crate::store::StoreResult<Option<crate::store::ConfigRecord>> {
            down()
        }
        fn ids_for_guid(&self, _: &str) -> crate::store::StoreResult<Vec<(String, SchemaId)>> {
            down()
        }
        fn schema_ids(&self) -> crate::store::StoreResult<Vec<SchemaId>> {
            down()
        }
        fn format(&self) -> crate::store::StoreResult<u32> {
            down()
        }
        fn mode(&self, _: Option<&str>) -> crate::store::StoreResult<Option<crate::store::Mode>> {
            down()
        }
        fn mode_subjects(&self) -> crate::store::StoreResult<Vec<String>> {
            down()
        }
        fn next_id(&self, _: &str) -> crate::store::StoreResult<SchemaId> {
            down()
        }
        fn contexts(&self) -> crate::store::StoreResult<Vec<String>> {
            down()
        }
        fn configs(&self) -> crate::store::StoreResult<Vec<(String, crate::store::ConfigRecord)>> {
            down()
        }
        fn counts(&self) -> crate::store::StoreResult<crate::store::Counts> {
            down()
        }
        fn kek(&self, _: &str) -> crate::store::StoreResult<Option<crate::store::keys::KekRecord>> {
            down()
        }
        fn keks(&self) -> crate::store::StoreResult<Vec<crate::store::keys::KekRecord>> {
            down()
        }
        fn deks(&self, _: &str) -> crate::store::StoreResult<Vec<crate::store::keys::DekRecord>> {
            down()
        }
        fn subject_deks(
            &self,
            _: &str,
            _: &str,
        ) -> crate::store::StoreResult<Vec<crate::store::keys::DekRecord>> {
            down()
        }
        fn key_counts(&self) -> crate::store::StoreResult<crate::store::keys::KeyCounts> {
            down()
        }
        fn apply(&self, _: u64, _: &[crate::store::Op]) -> crate::store::StoreResult<()> {
            down()
        }
        fn flush(&self, _: u64) -> crate::store::StoreResult<()> {
            down()
        }
    }

    #[tokio::test]
    async fn a_failing_store_is_50001_and_not_ready() {
        let state = AppState {
            registry: Arc::new(Registry::new(
                Arc::new(Down),
                schemagate_core::Level::Backward,
                schemagate_core::Limits::default(),
            )),
            metrics: Arc::new(Metrics::default()),
            max_body: 1024,
            request_timeout: Duration::from_secs(5),
        };
        let router = build_router(state);
        for (method, path, body, status) in [
            ("GET", "/subjects", "", StatusCode::INTERNAL_SERVER_ERROR),
            ("GET", "/health", "", StatusCode::SERVICE_UNAVAILABLE),
            (
                "POST",
                "/subjects/a/versions",
                r#"{"schema":"\"string\""}"#,
                StatusCode::INTERNAL_SERVER_ERROR,
            ),
        ] {
            let response = router
                .clone()
                .oneshot(
                    Request::builder()
                        .method(method)
                        .uri(path)
                        .body(HttpBody::from(body))
                        .unwrap(),
                )
                .await
                .unwrap();
            assert_eq!(response.status(), status, "{path}");
            let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
                .await
                .unwrap();
            let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(body["error_code"], 50001, "{path}");
        }
    }

    #[test]
    fn trailing_slashes_are_trimmed_but_root_stays() {
        for (input, expected) in [
            ("/config/", "/config"),
            ("/config//?x=1", "/config?x=1"),
            ("/", "/"),
            ("/subjects/a%2F/versions", "/subjects/a%2F/versions"),
        ] {
            let mut uri: Uri = input.parse().unwrap();
            trim_trailing_slash(&mut uri);
            assert_eq!(uri.to_string(), expected);
        }
    }
}
