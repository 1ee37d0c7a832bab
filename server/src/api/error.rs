//! The one place where a failure becomes an HTTP answer: status, Confluent
//! `error_code`, message, always as `{"error_code": N, "message": "..."}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::registry::Error;

/// Anything a handler can fail with: a domain refusal or a problem at the HTTP edge.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Refused by a use case.
    #[error(transparent)]
    Registry(#[from] Error),
    /// No route matches the path.
    #[error("HTTP 404 Not Found")]
    RouteNotFound,
    /// A route matches the path but not the method.
    #[error("HTTP 405 Method Not Allowed")]
    MethodNotAllowed,
    /// The `Accept` header allows none of the types Confluent's resources produce.
    #[error("HTTP 406 Not Acceptable")]
    NotAcceptable,
    /// The body is declared as a type no resource consumes.
    #[error("HTTP 415 Unsupported Media Type")]
    UnsupportedMediaType,
    /// The body is not JSON, or a field has the wrong type.
    #[error("{0}")]
    Malformed(String),
    /// The body is over the configured limit.
    #[error("Request body is larger than the limit of {0} bytes")]
    BodyTooLarge(usize),
    /// No credentials, or wrong ones (authentication on).
    #[error("Unauthorized")]
    Unauthorized,
    /// Authenticated, but the role or the subject prefixes do not allow it.
    #[error("{0}")]
    Forbidden(String),
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error_code: u32,
    message: &'a str,
}

impl ApiError {
    /// HTTP status and Confluent error code.
    pub fn codes(&self) -> (StatusCode, u32) {
        use Error as E;
        let code = match self {
            ApiError::RouteNotFound => 404,
            ApiError::MethodNotAllowed => 405,
            ApiError::NotAcceptable => 406,
            ApiError::UnsupportedMediaType => 415,
            ApiError::Malformed(_) => 400,
            ApiError::BodyTooLarge(_) => 413,
            // What Confluent's rest-utils sends for a failed login; 40301 as its RBAC.
            ApiError::Unauthorized => 401,
            ApiError::Forbidden(_) => 40301,
            ApiError::Registry(e) => match e {
                E::Forbidden(_) => 40301,
                E::SubjectNotFound(_) => 40401,
                E::VersionNotFound(_) => 40402,
                E::SchemaNotFound(_) | E::NoMatchingSchema => 40403,
                E::SubjectSoftDeleted(_) => 40404,
                E::SubjectNotSoftDeleted(_) => 40405,
                E::VersionSoftDeleted { .. } => 40406,
                E::VersionNotSoftDeleted { .. } => 40407,
                E::SubjectLevelNotConfigured(_) => 40408,
                E::SubjectModeNotConfigured(_) => 40409,
                // Confluent 8's code (Confluent 7 sent 409); the status is 409 in both.
                E::Incompatible { .. } => 40901,
                E::InvalidSchema(_) => 42201,
                E::InvalidVersion(_) => 42202,
                E::InvalidLevel(_) => 42203,
                E::InvalidMode(_) | E::ForwardModeNotGlobal => 42204,
                E::NotPermitted(_) => 42205,
                E::UnsupportedFormat(_) => 400,
                E::NotImplemented(_) => 501,
                E::ReferenceExists { .. } => 42206,
                E::IdMismatch(_) => 42207,
                E::InvalidSubject(_) => 42208,
                E::SchemaTooLarge(_) => 42209,
                E::InvalidRuleSet(_) => 42210,
                E::ContextNotEmpty(_) => 42211,
                E::Store(_) => 50001,
                E::Timeout => 50002,
                E::Dek(e) => e.code(),
            },
        };
        let http = if code >= 1000 { code / 100 } else { code };
        (
            StatusCode::from_u16(http as u16).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            code,
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error_code) = self.codes();
        let message = self.to_string();
        // A route this registry does not implement is the client's news, not a fault.
        if status.is_server_error() && status != StatusCode::NOT_IMPLEMENTED {
            tracing::error!(error_code, %message, "request failed");
        }
        // Refusals by the auth layer are logged there; these are by a request's content.
        if matches!(self, ApiError::Registry(Error::Forbidden(_))) {
            tracing::info!(%message, "forbidden");
        }
        let body = ErrorBody {
            error_code,
            message: &message,
        };
        let mut response = super::json(&body);
        *response.status_mut() = status;
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_status_is_the_prefix_of_the_error_code() {
        let cases = [
            (
                ApiError::from(Error::SubjectNotFound("s".into())),
                404,
                40401,
            ),
            (ApiError::from(Error::InvalidSchema("x".into())), 422, 42201),
            (
                ApiError::from(Error::Incompatible {
                    subject: "s".into(),
                    messages: vec![],
                }),
                409,
                40901,
            ),
            (ApiError::from(Error::Timeout), 500, 50002),
            (ApiError::RouteNotFound, 404, 404),
            (ApiError::BodyTooLarge(1), 413, 413),
            (ApiError::Unauthorized, 401, 401),
            (ApiError::Forbidden("no".into()), 403, 40301),
            (ApiError::from(Error::Forbidden("no".into())), 403, 40301),
        ];
        for (e, http, code) in cases {
            assert_eq!(e.codes(), (StatusCode::from_u16(http).unwrap(), code));
        }
    }
}
