//! The layer around every route, routed or hot: times, bounds, logs and counts each
//! request under its route's label, and answers in the media type the request's
//! `Accept` prefers ([`super::media`]).

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderMap, Method, Uri, header};
use axum::response::{IntoResponse, Response};

use super::media::{self, Media};
use super::{ApiError, CONTENT_TYPE};
use crate::metrics::Metrics;
use crate::registry::Error;

/// Times, bounds, logs and counts every request, and answers in the negotiated type.
///
/// Hand-written rather than `middleware::from_fn`, which boxed the next service and
/// the future and cloned the state on every request.
#[derive(Clone)]
pub(super) struct ObserveLayer {
    pub(super) metrics: Arc<Metrics>,
    pub(super) timeout: Duration,
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
pub(super) struct Observe<S> {
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
pub(super) enum RouteLabel {
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
pub(super) struct RequestMeta {
    start: Instant,
    // A standard method is an enum: a cheap handle, not a copy.
    method: Method,
    route: RouteLabel,
    media: Media,
    uri: Option<Uri>,
}

impl RequestMeta {
    /// For a routed request: its answer's type negotiated from `headers` (the App
    /// refused the request already when nothing can be answered).
    fn of(method: &Method, headers: &HeaderMap, uri: &Uri, route: RouteLabel) -> RequestMeta {
        let media = media::negotiate(method, uri.path(), headers).unwrap_or(Media::V1);
        RequestMeta::new(method, uri, route, media)
    }

    /// For a request whose answer's type the App has negotiated already.
    pub(super) fn new(method: &Method, uri: &Uri, route: RouteLabel, media: Media) -> RequestMeta {
        RequestMeta {
            start: Instant::now(),
            method: method.clone(),
            route,
            media,
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
    pub(super) fn new(
        inner: F,
        meta: RequestMeta,
        timeout: Duration,
        metrics: Arc<Metrics>,
    ) -> Self {
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
        if meta.media != Media::V1
            && response
                .headers()
                .get(header::CONTENT_TYPE)
                .is_some_and(|v| v == CONTENT_TYPE)
        {
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, meta.media.header());
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
