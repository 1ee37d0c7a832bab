//! `/config`: compatibility levels and the rest of Confluent's configuration (normalize,
//! compatibility group, default and override data contracts), global and per subject.

use axum::extract::State;
use serde_json::{Map, Value};

use super::{ApiResult, AppState, Body, Params, PathParams};
use crate::registry::ConfigUpdate;
use crate::store::ConfigRecord;

/// `PUT /config[/{s}]` body: any of Confluent's `ConfigUpdateRequest` fields; the level
/// as `compatibility` (documented) or `compatibilityLevel` (what some tools send).
pub type ConfigBody = Map<String, Value>;

/// A configuration as `GET` and `DELETE` answer it (Confluent's `Config`).
fn config_answer(config: &ConfigRecord) -> axum::response::Response {
    super::json(config)
}

/// A configuration as `PUT` answers it (Confluent's `ConfigUpdateRequest`, whose level
/// is `compatibility`).
fn update_answer(config: &ConfigRecord) -> axum::response::Response {
    let mut body = serde_json::to_value(config).unwrap_or_default();
    if let Some(obj) = body.as_object_mut()
        && let Some(level) = obj.remove("compatibilityLevel")
    {
        obj.insert("compatibility".into(), level);
    }
    super::json(&body)
}

/// `GET /config`.
pub async fn get_global(State(state): State<AppState>) -> ApiResult {
    let config = state.registry.read(|r| r.get_config(None, true)).await?;
    Ok(config_answer(&config))
}

/// `PUT /config`.
pub async fn put_global(State(state): State<AppState>, Body(body): Body<ConfigBody>) -> ApiResult {
    let update = ConfigUpdate::from_json(&body)?;
    let config = state
        .registry
        .write(move |r| r.set_config(None, update))
        .await?;
    Ok(update_answer(&config))
}

/// `DELETE /config`: back to the default; answers the configuration that was set.
pub async fn delete_global(State(state): State<AppState>) -> ApiResult {
    let config = state.registry.write(|r| r.delete_config(None)).await?;
    Ok(config_answer(&config))
}

/// `GET /config/{s}`: 40408 when unset unless `defaultToGlobal=true`.
pub async fn get_subject(State(state): State<AppState>, p: PathParams, q: Params) -> ApiResult {
    let (scope, to_global) = (p.scope()?, q.flag("defaultToGlobal"));
    let config = state
        .registry
        .read(move |r| r.get_config(scope.as_ref(), to_global))
        .await?;
    Ok(config_answer(&config))
}

/// `PUT /config/{s}`.
pub async fn put_subject(
    State(state): State<AppState>,
    p: PathParams,
    Body(body): Body<ConfigBody>,
) -> ApiResult {
    let scope = p.scope()?;
    let update = ConfigUpdate::from_json(&body)?;
    let config = state
        .registry
        .write(move |r| r.set_config(scope.as_ref(), update))
        .await?;
    Ok(update_answer(&config))
}

/// `DELETE /config/{s}`: answers the configuration that was set, 40401 when none was.
pub async fn delete_subject(State(state): State<AppState>, p: PathParams) -> ApiResult {
    let scope = p.scope()?;
    let config = state
        .registry
        .write(move |r| r.delete_config(scope.as_ref()))
        .await?;
    Ok(config_answer(&config))
}
