//! Operational and discovery endpoints: `GET /`, `/health`, `/metrics`, `/contexts`,
//! `/v1/metadata/id`, and the Confluent-shaped answers for unknown routes and methods.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::{ApiError, AppState};

/// `GET /`: liveness, as Confluent answers it.
pub async fn root() -> Response {
    super::json(&json!({}))
}

/// `GET /health`: 200 when the store answers a read and its last flush succeeded; 503
/// while it is failing, with the reason, so that an orchestrator stops sending traffic.
pub async fn health(State(state): State<AppState>) -> Response {
    match state.registry.health().await {
        Ok(()) => super::json(&json!({"status": "UP"})),
        Err(e) => {
            let mut response = super::json(&json!({
                "status": "DOWN",
                "error_code": 50001,
                "message": e.to_string(),
            }));
            *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
            response
        }
    }
}

/// `GET /metrics`: Prometheus text.
pub async fn metrics(State(state): State<AppState>) -> Response {
    let counts = state.registry.blocking(|r| r.counts()).await.ok();
    let mut response = state.metrics.render(counts).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

/// `GET /contexts`: one default context.
pub async fn contexts() -> Response {
    super::json(&["."])
}

/// `GET /v1/metadata/id`: a stable cluster id stand-in for tools that ask.
pub async fn metadata_id() -> Response {
    super::json(&json!({
        "scope": {
            "path": [],
            "clusters": {
                "kafka-cluster": "schemagate",
                "schema-registry-cluster": "schemagate"
            }
        }
    }))
}

/// Any unknown route, `/associations/...` included: newer clients fall back on a 404.
pub async fn not_found() -> ApiError {
    ApiError::RouteNotFound
}

/// A known route with the wrong method.
pub async fn method_not_allowed() -> Response {
    let mut response = ApiError::MethodNotAllowed.into_response();
    *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
    response
}
