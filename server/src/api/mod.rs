//! The HTTP surface: routes, extractors that turn every malformed input into a
//! Confluent error body, and the middleware that times, counts and bounds requests.
//! Handlers live one resource to a file and only translate between HTTP and
//! [`crate::registry`].

mod compatibility;
mod config;
pub mod error;
pub(crate) mod hot;
mod mode;
mod ops;
mod schemas;
mod subjects;

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::RawPathParamsRejection;
use axum::extract::{FromRequest, FromRequestParts, MatchedPath, RawPathParams, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use error::ApiError;

use crate::metrics::Metrics;
use crate::registry::{Error, Registry};

/// Confluent's media type, used for every JSON answer unless the client asks for
/// plain `application/json`.
pub const CONTENT_TYPE: &str = "application/vnd.schemaregistry.v1+json";

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

/// What handlers return.
pub type ApiResult = Result<Response, ApiError>;

/// A JSON answer with Confluent's media type.
pub fn json<T: Serialize + ?Sized>(value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => bytes_response(Bytes::from(bytes)),
        Err(e) => {
            ApiError::from(Error::Store(crate::store::StoreError(e.to_string()))).into_response()
        }
    }
}

/// Pre-rendered bytes with Confluent's media type.
pub fn bytes_response(bytes: Bytes) -> Response {
    // Built directly: `Bytes::into_response` first sets an octet-stream type that would
    // only be replaced.
    let mut response = Response::new(axum::body::Body::from(bytes));
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    response
}

/// Query parameters: unknown ones ignored, booleans in any case.
pub struct Params(Vec<(String, String)>);

impl Params {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// `true` in any case is true; anything else (or absence) is false, as in Java.
    pub fn flag(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    }

    /// A string parameter, empty when absent.
    pub fn text(&self, name: &str) -> &str {
        self.get(name).unwrap_or("")
    }

    /// An integer parameter; unparsable values count as absent.
    pub fn int(&self, name: &str) -> Option<i64> {
        self.get(name).and_then(|v| v.trim().parse().ok())
    }

    /// `offset` (default 0) and `limit` (default -1: everything).
    pub fn page(&self) -> (usize, i64) {
        let offset = self.int("offset").unwrap_or(0).max(0) as usize;
        (offset, self.int("limit").unwrap_or(-1))
    }

    /// The query of `uri`; most reads carry none, so nothing is parsed or allocated.
    pub fn from_uri(uri: &Uri) -> Params {
        if uri.query().is_none() {
            return Params(Vec::new());
        }
        let pairs = axum::extract::Query::<Vec<(String, String)>>::try_from_uri(uri)
            .map(|q| q.0)
            .unwrap_or_default();
        Params(pairs)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Ok(Params::from_uri(&parts.uri))
    }
}

/// Percent-decoded path parameters by name: the router's own decoded values, shared
/// rather than copied into new strings.
pub struct PathParams(RawPathParams);

impl PathParams {
    /// The parameter, empty when absent.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| *k == name)
            .map_or("", |(_, v)| v)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PathParams {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        RawPathParams::from_request_parts(parts, state)
            .await
            .map(PathParams)
            .map_err(|e| {
                // Worded as `Path` words it, which this extractor used to be.
                let text = match e {
                    RawPathParamsRejection::InvalidUtf8InPathParam(_) => {
                        format!("Invalid URL: {}", e.body_text())
                    }
                    _ => e.body_text(),
                };
                Error::InvalidSubject(text).into()
            })
    }
}

/// A JSON body of any content type (clients send several, or none); an empty body
/// reads as `{}` so that missing fields get their domain error, not a parse error.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let RawBody(bytes) = RawBody::from_request(req, state).await?;
        decode_json(&bytes).map(Body)
    }
}

/// The request body as sent, within the configured limit.
pub struct RawBody(pub Bytes);

impl FromRequest<AppState> for RawBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        read_body(req.into_body(), state.max_body)
            .await
            .map(RawBody)
    }
}

/// The whole request body, refused with 413 once it passes `limit` bytes (at once when
/// its declared length does).
async fn read_body<B>(body: B, limit: usize) -> Result<Bytes, ApiError>
where
    B: axum::body::HttpBody<Data = Bytes>,
    B::Error: Into<axum::BoxError>,
{
    use http_body_util::BodyExt as _;
    let too_large = || ApiError::BodyTooLarge(limit);
    if body.size_hint().lower() > limit as u64 {
        return Err(too_large());
    }
    let mut body = std::pin::pin!(body);
    // A small body is one frame: kept as it came, without a copy.
    let mut first = Bytes::new();
    let mut more: Vec<u8> = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| {
            ApiError::Malformed(format!("Failed to read the request body: {}", e.into()))
        })?;
        let Ok(data) = frame.into_data() else {
            continue; // trailers
        };
        if first.len() + more.len() + data.len() > limit {
            return Err(too_large());
        }
        if first.is_empty() && more.is_empty() {
            first = data;
        } else {
            if more.is_empty() {
                more.extend_from_slice(&first);
            }
            more.extend_from_slice(&data);
        }
    }
    Ok(if more.is_empty() { first } else { more.into() })
}

/// `bytes` as JSON (see [`Body`]).
pub(crate) fn decode_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let slice: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        bytes
    };
    serde_json::from_slice(slice).map_err(|e| ApiError::Malformed(e.to_string()))
}

/// The registry's HTTP service over `state`: every Confluent route, Confluent-shaped
/// 404 and 405, one tolerated trailing slash.
pub fn build_router(state: AppState) -> App {
    let routes = Router::new()
        .route("/", get(ops::root))
        .route("/health", get(ops::health))
        .route("/metrics", get(ops::metrics))
        .route("/contexts", get(ops::contexts))
        .route("/v1/metadata/id", get(ops::metadata_id))
        .route("/schemas", get(schemas::list))
        .route("/schemas/types", get(schemas::types))
        .route(hot::BY_ID, get(schemas::by_id))
        .route("/schemas/ids/{id}/schema", get(schemas::by_id_raw))
        .route("/schemas/ids/{id}/subjects", get(schemas::subjects))
        .route("/schemas/ids/{id}/versions", get(schemas::versions))
        .route("/subjects", get(subjects::list))
        .route(
            hot::LOOKUP,
            post(subjects::lookup).delete(subjects::delete_subject),
        )
        .route(
            "/subjects/{s}/versions",
            get(subjects::versions).post(subjects::register),
        )
        .route(
            hot::VERSION,
            get(subjects::version).delete(subjects::delete_version),
        )
        .route(
            "/subjects/{s}/versions/{v}/schema",
            get(subjects::version_raw),
        )
        .route(
            "/subjects/{s}/versions/{v}/referencedby",
            get(subjects::referenced_by),
        )
        .route(
            "/compatibility/subjects/{s}/versions",
            post(compatibility::against_level),
        )
        .route(
            "/compatibility/subjects/{s}/versions/{v}",
            post(compatibility::against_version),
        )
        .route(
            "/config",
            get(config::get_global)
                .put(config::put_global)
                .delete(config::delete_global),
        )
        .route(
            "/config/{s}",
            get(config::get_subject)
                .put(config::put_subject)
                .delete(config::delete_subject),
        )
        .route("/mode", get(mode::get_global).put(mode::put_global))
        .route(
            "/mode/{s}",
            get(mode::get_subject)
                .put(mode::put_subject)
                .delete(mode::delete_subject),
        )
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
        let Some(route) = hot::recognise(req.method(), req.uri().path()) else {
            return AppFuture::routed(self.routes.call(req));
        };
        let label = RouteLabel::Hot(route.label());
        let answer = match route {
            hot::HotRoute::Lookup(subject) => {
                let subject = subject.to_owned();
                let (parts, body) = req.into_parts();
                let answer = hot::lookup(self.state.clone(), subject, &parts.uri, body);
                let meta = RequestMeta::of(&parts.method, &parts.headers, &parts.uri, label);
                return self.hot_future(meta, answer);
            }
            _ => hot::cached_get(&self.state, &route, req.uri()),
        };
        match answer {
            Some(response) => {
                let meta = RequestMeta::of(req.method(), req.headers(), req.uri(), label);
                self.hot_future(meta, hot::HotAnswer::Ready(Some(response)))
            }
            None => AppFuture::routed(self.routes.call(req)),
        }
    }
}

impl App {
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

/// Times, bounds, logs and counts every request, and honours `Accept: application/json`.
///
/// Hand-written rather than `middleware::from_fn`, which boxed the next service and
/// the future and cloned the state on every request.
#[derive(Clone)]
struct ObserveLayer {
    metrics: Arc<Metrics>,
    timeout: Duration,
}

impl<S> tower::Layer<S> for ObserveLayer {
    type Service = Observe<S>;

    fn layer(&self, inner: S) -> Observe<S> {
        Observe {
            inner,
            metrics: Arc::clone(&self.metrics),
            timeout: self.timeout,
        }
    }
}

/// One route's service behind [`ObserveLayer`].
#[derive(Clone)]
struct Observe<S> {
    inner: S,
    metrics: Arc<Metrics>,
    timeout: Duration,
}

impl<S> tower::Service<Request> for Observe<S>
where
    S: tower::Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Observed<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let label = match req.extensions().get::<MatchedPath>() {
            Some(route) => RouteLabel::Matched(route.clone()),
            None => RouteLabel::Unmatched,
        };
        let meta = RequestMeta::of(req.method(), req.headers(), req.uri(), label);
        Observed::new(
            self.inner.call(req),
            meta,
            self.timeout,
            Arc::clone(&self.metrics),
        )
    }
}

/// The route a request is counted under in the metrics.
enum RouteLabel {
    /// The router's pattern: an `Arc<str>`, so labels allocate nothing.
    Matched(MatchedPath),
    /// A hot route's pattern, spelled as the router spells it.
    Hot(&'static str),
    /// No route matched.
    Unmatched,
}

impl RouteLabel {
    fn as_str(&self) -> &str {
        match self {
            RouteLabel::Matched(route) => route.as_str(),
            RouteLabel::Hot(route) => route,
            RouteLabel::Unmatched => "unmatched",
        }
    }
}

/// What [`Observed`] needs of the request once the answer is ready.
struct RequestMeta {
    start: Instant,
    // A standard method is an enum: a cheap handle, not a copy.
    method: Method,
    route: RouteLabel,
    plain_json: bool,
    uri: Option<Uri>,
}

impl RequestMeta {
    fn of(method: &Method, headers: &HeaderMap, uri: &Uri, route: RouteLabel) -> RequestMeta {
        let plain_json = headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("application/json") && !a.contains("vnd.schemaregistry"));
        RequestMeta {
            start: Instant::now(),
            method: method.clone(),
            route,
            plain_json,
            uri: tracing::enabled!(tracing::Level::DEBUG).then(|| uri.clone()),
        }
    }
}

pin_project_lite::pin_project! {
    /// The answer of a route, or 50002 once the request timeout has passed since it
    /// arrived; counted and logged when it is ready.
    pub struct Observed<F> {
        #[pin]
        inner: F,
        // Armed only once the route has answered `Pending`: a cached read completes on
        // its first poll and so never touches the timer wheel.
        timer: Option<Pin<Box<tokio::time::Sleep>>>,
        timeout: Duration,
        metrics: Arc<Metrics>,
        meta: RequestMeta,
    }
}

impl<F> Observed<F> {
    fn new(inner: F, meta: RequestMeta, timeout: Duration, metrics: Arc<Metrics>) -> Self {
        Observed {
            inner,
            timer: None,
            timeout,
            metrics,
            meta,
        }
    }
}

impl<F> Future for Observed<F>
where
    F: Future<Output = Result<Response, Infallible>>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let meta = this.meta;
        let mut response = match this.inner.poll(cx) {
            Poll::Ready(Ok(response)) => response,
            Poll::Ready(Err(never)) => match never {},
            Poll::Pending => {
                // The deadline counts from arrival, as `tokio::time::timeout` started
                // at arrival did; a timeout too large for the clock never fires.
                let Some(deadline) = meta.start.checked_add(*this.timeout) else {
                    return Poll::Pending;
                };
                let timer = this
                    .timer
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline.into())));
                if timer.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                ApiError::from(Error::Timeout).into_response()
            }
        };
        if meta.plain_json
            && response
                .headers()
                .get(header::CONTENT_TYPE)
                .is_some_and(|v| v == CONTENT_TYPE)
        {
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
        }
        let elapsed = meta.start.elapsed();
        let status = response.status().as_u16();
        this.metrics
            .observe(meta.method.as_str(), meta.route.as_str(), status, elapsed);
        if let Some(uri) = meta.uri.take() {
            tracing::debug!(
                method = %meta.method,
                path = %uri.path(),
                status,
                micros = elapsed.as_micros() as u64,
                "request"
            );
        }
        Poll::Ready(Ok(response))
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body as HttpBody;
    use axum::http::{Request, StatusCode};
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

    /// A backend that is down: every call fails.
    struct Down;

    fn down<T>() -> crate::store::StoreResult<T> {
        Err(crate::store::StoreError("connection refused".into()))
    }

    impl crate::store::Store for Down {
        fn schema(&self, _: u32) -> crate::store::StoreResult<Option<crate::store::StoredSchema>> {
            down()
        }
        fn id_for_key(
            &self,
            _: &crate::store::ContentKey,
        ) -> crate::store::StoreResult<Option<u32>> {
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
            _: u32,
        ) -> crate::store::StoreResult<Vec<(String, crate::store::VersionEntry)>> {
            down()
        }
        fn referrers(&self, _: &str, _: i32) -> crate::store::StoreResult<Vec<u32>> {
            down()
        }
        fn config(
            &self,
            _: Option<&str>,
        ) -> crate::store::StoreResult<Option<schemagate_core::Level>> {
            down()
        }
        fn mode(&self, _: Option<&str>) -> crate::store::StoreResult<Option<crate::store::Mode>> {
            down()
        }
        fn next_id(&self) -> crate::store::StoreResult<u32> {
            down()
        }
        fn counts(&self) -> crate::store::StoreResult<crate::store::Counts> {
            down()
        }
        fn apply(&self, _: &[crate::store::Op]) -> crate::store::StoreResult<()> {
            down()
        }
        fn flush(&self) -> crate::store::StoreResult<()> {
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
        for (method, path, body) in [
            ("GET", "/subjects", ""),
            ("GET", "/health", ""),
            ("POST", "/subjects/a/versions", r#"{"schema":"\"string\""}"#),
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
            assert_eq!(
                response.status(),
                StatusCode::INTERNAL_SERVER_ERROR,
                "{path}"
            );
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
