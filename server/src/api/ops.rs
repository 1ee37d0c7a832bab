//! Operational and discovery endpoints: `GET /`, `/health`, `/metrics`, `/contexts`,
//! `DELETE /contexts/{ctx}`,
//! `/v1/metadata/id`, and the Confluent-shaped answers for unknown routes and methods.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use schemagate_core::Context;

use super::{ApiError, ApiResult, AppState, Params, PathParams};
use crate::registry::Error;

/// `GET /`: liveness, as Confluent answers it.
pub async fn root() -> Response {
    super::json(&json!({}))
}

/// `POST /`: `{}` whatever the body, as Confluent's `RootResource` answers it.
pub async fn root_post() -> Response {
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

/// `GET /contexts`: `.` and every context with a registration, `contextPrefix`,
/// `offset` and `limit` as Confluent reads them.
pub async fn contexts(State(state): State<AppState>, q: Params) -> ApiResult {
    let prefix = q.optional("contextPrefix").map(str::to_owned);
    let (offset, limit) = q.page();
    let names = state
        .registry
        .read(move |r| r.list_contexts(prefix.as_deref(), offset, limit))
        .await?;
    Ok(super::json(&names))
}

/// `DELETE /contexts/{ctx}`: 204 once the (empty) context is forgotten.
pub async fn delete_context(State(state): State<AppState>, p: PathParams) -> ApiResult {
    let context = Context::parse(p.get("ctx")).map_err(Error::from)?;
    state
        .registry
        .write(move |r| r.delete_context(&context))
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
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

/// `GET /v1/metadata/version`: this server's version, as Confluent's
/// `SchemaRegistryServerVersion`. The commit is the one the build was told of
/// (`SCHEMAGATE_COMMIT_ID` at build time), else empty: nothing is made up.
pub async fn metadata_version() -> Response {
    super::json(&json!({
        "version": env!("CARGO_PKG_VERSION"),
        "commitId": option_env!("SCHEMAGATE_COMMIT_ID").unwrap_or(""),
    }))
}

/// `GET /v1/metadata/deployment`: Confluent's deployment attributes, which a server
/// without `schema.registry.metadata.deployment.attributes` answers empty.
pub async fn metadata_deployment() -> Response {
    super::json(&json!({ "attributes": [] }))
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
