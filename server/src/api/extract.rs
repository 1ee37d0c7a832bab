//! The extractors shared by handlers: query parameters, the caller, decoded path
//! parameters and bodies, each turning malformed input into a Confluent error body.

use std::convert::Infallible;

use axum::body::Bytes;
use axum::extract::rejection::RawPathParamsRejection;
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::Uri;
use axum::http::request::Parts;
use schemagate_core::Subject;
use serde::de::DeserializeOwned;

use super::{ApiError, AppState};
use crate::auth::Principal;
use crate::registry::{Caller, Error, Scope, VersionSpec};
use crate::store::SchemaId;

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

    /// A string parameter, `None` when absent (an empty value is not absent).
    pub fn optional(&self, name: &str) -> Option<&str> {
        self.get(name)
    }

    /// An integer parameter; unparsable values count as absent.
    pub fn int(&self, name: &str) -> Option<i64> {
        self.get(name).and_then(|v| v.trim().parse().ok())
    }

    /// Every value of a repeated parameter, in order.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
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

/// The principal the auth layer authenticated, or nobody with authentication off: what
/// use cases need to decide by a request's content (see [`Caller`]).
pub struct Who(Option<Principal>);

impl Who {
    /// Nobody in particular: for answers any caller may read.
    pub fn anyone() -> Who {
        Who(None)
    }

    /// Taken from a request's extensions, where the auth layer puts it.
    pub fn of(extensions: &mut axum::http::Extensions) -> Who {
        Who(extensions.remove::<Principal>())
    }

    /// As the use cases take it.
    pub fn caller(&self) -> Caller<'_> {
        Caller::new(self.0.as_ref())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Who {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(Who::of(&mut parts.extensions))
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

    /// Whether the route has the parameter: one handler can serve a route with and
    /// one without it.
    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }

    /// What `{s}` names on `/config/{s}` and `/mode/{s}`: a subject or a context
    /// (`:.ctx:`, `:.__GLOBAL:`); `None` for the default context `:.:`, which is the
    /// top level. 42208 for anything else.
    pub fn scope(&self) -> Result<Option<Scope>, Error> {
        Scope::parse(self.get("s")).map_err(Error::from)
    }

    /// The subject `{s}` names, refused (42208) when it is not a valid subject name.
    pub fn subject(&self) -> Result<Subject, Error> {
        Subject::parse(self.get("s")).map_err(Error::from)
    }

    /// The version `{v}` names, refused (42202) unless a number from 1 or `latest`.
    pub fn version(&self) -> Result<VersionSpec, Error> {
        VersionSpec::parse(self.get("v"))
    }

    /// The schema id `{id}` names. As in Confluent, whose path parameter is a Java
    /// `Integer`: text that is no 32-bit integer matches no route (404 with
    /// `error_code` 404), and an integer that is not a positive id names no schema
    /// (40403).
    pub fn id(&self) -> Result<SchemaId, ApiError> {
        let raw = self.get("id");
        match raw.parse::<i32>() {
            Err(_) => Err(ApiError::RouteNotFound),
            Ok(n) => {
                SchemaId::parse(raw).ok_or_else(|| Error::SchemaNotFound(n.to_string()).into())
            }
        }
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

/// The whole request body as UTF-8 ([`super::media::to_utf8`]), refused with 413 once
/// it passes `limit` bytes (at once when its declared length does).
pub(super) async fn read_body<B>(body: B, limit: usize) -> Result<Bytes, ApiError>
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
    let body = if more.is_empty() { first } else { more.into() };
    super::media::to_utf8(body)
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
