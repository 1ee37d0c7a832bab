//! The three requests every serializer makes (a schema by id, a subject's version, a
//! lookup), recognised before axum's router. Routing, its per-route boxed service and
//! its extension map cost about a third of a cached read; here a cached answer is a
//! string match and a map hit.
//!
//! Only what is answered exactly as the routed handler would answer it is taken here:
//! a percent-encoded segment, a `HEAD`, or a GET whose answer is not cached goes to the
//! router. Each route keeps its metrics label, its request timeout and its body limit.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::Bytes;
use axum::http::{Method, Uri};
use axum::response::{IntoResponse, Response};

use super::{AppState, Params, Who};
use crate::registry::{Caller, VersionSpec};
use crate::store::SchemaId;

/// The route of `GET /schemas/ids/{id}`: registered with the router and used as the
/// hot path's metrics label, so the two cannot drift apart.
pub(super) const BY_ID: &str = "/schemas/ids/{id}";
/// The route of `GET /subjects/{s}/versions/{v}` (see [`BY_ID`]).
pub(super) const VERSION: &str = "/subjects/{s}/versions/{v}";
/// The route of `POST /subjects/{s}` (see [`BY_ID`]).
pub(super) const LOOKUP: &str = "/subjects/{s}";

/// A request recognised as one of the hot routes, with its raw path segments.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum HotRoute<'a> {
    /// `GET /schemas/ids/{id}`.
    ById(&'a str),
    /// `GET /subjects/{s}/versions/{v}`.
    Version(&'a str, &'a str),
    /// `POST /subjects/{s}`.
    Lookup(&'a str),
}

impl HotRoute<'_> {
    /// The label the router gives the same route.
    pub(crate) fn label(&self) -> &'static str {
        match self {
            HotRoute::ById(_) => BY_ID,
            HotRoute::Version(..) => VERSION,
            HotRoute::Lookup(_) => LOOKUP,
        }
    }
}

/// Which hot route `method` and the (already trimmed) `path` name, if any.
pub(crate) fn recognise<'a>(method: &Method, path: &'a str) -> Option<HotRoute<'a>> {
    if *method == Method::GET {
        if let Some(id) = path.strip_prefix("/schemas/ids/") {
            return plain_segment(id).map(HotRoute::ById);
        }
        let rest = path.strip_prefix("/subjects/")?;
        let (subject, rest) = rest.split_once('/')?;
        let version = rest.strip_prefix("versions/")?;
        return Some(HotRoute::Version(
            plain_segment(subject)?,
            plain_segment(version)?,
        ));
    }
    if *method == Method::POST {
        let subject = path.strip_prefix("/subjects/")?;
        return plain_segment(subject).map(HotRoute::Lookup);
    }
    None
}

/// `segment` when it is one non-empty path segment the router would pass on unchanged
/// (percent-decoding is the router's business).
fn plain_segment(segment: &str) -> Option<&str> {
    let plain = !segment.is_empty() && !segment.contains(['/', '%']);
    plain.then_some(segment)
}

/// The cached answer of a hot GET for `caller`, or `None` when the router must answer
/// it (a refusal included).
pub(super) fn cached_get(
    state: &AppState,
    caller: Caller<'_>,
    route: &HotRoute<'_>,
    uri: &Uri,
) -> Option<Response> {
    // A `format`, `fetchMaxId`, `subject` (a context) or `referenceFormat` answer is
    // rendered for its request by the router.
    if uri.query().is_some_and(asks_for_rendering) {
        return None;
    }
    match *route {
        HotRoute::ById(raw) => {
            // Ids the router would refuse (zero, not a number) get its 404 from there.
            let id = SchemaId::parse(raw)?;
            let doc = state.registry.cached_schema_by_id(caller, id)?;
            Some(super::bytes_response(doc.json.clone()))
        }
        HotRoute::Version(subject, version) => {
            let deleted = Params::from_uri(uri).flag("deleted");
            let version = VersionSpec::parse(version).ok()?;
            let body = state
                .registry
                .cached_version_json(caller, subject, version, deleted)?;
            Some(super::bytes_response(body))
        }
        HotRoute::Lookup(_) => None,
    }
}

/// Whether a query asks for an answer rendered for it (a non-empty `format`,
/// `fetchMaxId=true`): read without allocating, since Confluent's Java client sends
/// `fetchMaxId=false` on every read by id.
fn asks_for_rendering(query: &str) -> bool {
    query.split('&').any(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (key == "format" && !value.trim().is_empty())
            || (key == "fetchMaxId" && value.trim().eq_ignore_ascii_case("true"))
            || key == "subject"
            || key == "referenceFormat"
    })
}

/// `POST /subjects/{s}` answered whole: the body read within the limit, then the
/// routed handler's lookup.
pub(super) fn lookup<B>(state: AppState, who: Who, subject: String, uri: &Uri, body: B) -> HotAnswer
where
    B: axum::body::HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    let params = Params::from_uri(uri);
    HotAnswer::Pending(Box::pin(async move {
        let answer = async {
            let body = super::read_body(body, state.max_body).await?;
            super::subjects::lookup_answer(&state, &who, &subject, &params, body).await
        };
        answer.await.unwrap_or_else(IntoResponse::into_response)
    }))
}

/// A hot route's answer: ready at once, or the rest of a lookup.
pub(super) enum HotAnswer {
    /// A cached answer (taken on the first poll).
    Ready(Option<Response>),
    /// A lookup still reading its body or waiting for the store.
    Pending(Pin<Box<dyn Future<Output = Response> + Send>>),
}

impl Future for HotAnswer {
    type Output = Result<Response, std::convert::Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.get_mut() {
            HotAnswer::Ready(response) => Poll::Ready(Ok(response
                .take()
                .expect("a hot answer is polled once after it is ready"))),
            HotAnswer::Pending(future) => future.as_mut().poll(cx).map(Ok),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_hot_paths_are_recognised() {
        let get = Method::GET;
        let post = Method::POST;
        assert_eq!(
            recognise(&get, "/schemas/ids/12"),
            Some(HotRoute::ById("12"))
        );
        assert_eq!(
            recognise(&get, "/subjects/orders-value/versions/latest"),
            Some(HotRoute::Version("orders-value", "latest"))
        );
        assert_eq!(
            recognise(&post, "/subjects/orders-value"),
            Some(HotRoute::Lookup("orders-value"))
        );
        assert!(asks_for_rendering("fetchMaxId=TRUE"));
        assert!(asks_for_rendering("deleted=true&format=resolved"));
        assert!(!asks_for_rendering("fetchMaxId=false&format="));
        for (method, path) in [
            (&get, "/schemas/ids/"),
            (&get, "/schemas/ids/1/schema"),
            (&get, "/schemas/ids/%31"),
            (&get, "/subjects/a/versions"),
            (&get, "/subjects/a/versions/1/schema"),
            (&get, "/subjects/a%2Fb/versions/1"),
            (&get, "/subjects//versions/1"),
            (&get, "/subjects/a/other/1"),
            (&post, "/subjects/a/versions"),
            (&post, "/subjects/"),
            (&post, "/subjects/a%2Fb"),
            (&Method::HEAD, "/schemas/ids/1"),
            (&Method::DELETE, "/subjects/a"),
        ] {
            assert_eq!(recognise(method, path), None, "{method} {path}");
        }
    }
}
