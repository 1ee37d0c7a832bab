//! The response helpers every handler uses: Confluent's media type, JSON answers and
//! pre-rendered bytes.

use axum::body::Bytes;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::ApiError;
use crate::registry::Error;

/// Confluent's media type, used for every JSON answer unless the client asks for
/// plain `application/json`.
pub const CONTENT_TYPE: &str = "application/vnd.schemaregistry.v1+json";

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
