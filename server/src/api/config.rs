//! `/config`: compatibility levels, global and per subject.

use axum::extract::State;
use serde::Deserialize;
use serde_json::json;

use schemagate_core::Level;

use super::{ApiResult, AppState, Body, Params, PathParams};
use crate::registry::Error;

/// `PUT /config[/{s}]` body; Confluent documents `compatibility`, some tools send
/// `compatibilityLevel`, both are accepted.
#[derive(Deserialize)]
pub struct ConfigBody {
    compatibility: Option<String>,
    #[serde(rename = "compatibilityLevel")]
    compatibility_level: Option<String>,
}

impl ConfigBody {
    /// The level asked for; absent or unknown is 42203.
    fn level(self) -> Result<Level, Error> {
        let raw = self.compatibility.or(self.compatibility_level);
        let raw = raw.as_deref().unwrap_or_default();
        raw.parse().map_err(|_| Error::InvalidLevel(raw.to_owned()))
    }
}

/// `GET /config`.
pub async fn get_global(State(state): State<AppState>) -> ApiResult {
    let level = state.registry.read(|r| r.get_config(None, true)).await?;
    Ok(super::json(
        &json!({ "compatibilityLevel": level.as_str() }),
    ))
}

/// `PUT /config`.
pub async fn put_global(State(state): State<AppState>, Body(body): Body<ConfigBody>) -> ApiResult {
    let level = body.level()?;
    let level = state
        .registry
        .write(move |r| r.set_config(None, level))
        .await?;
    Ok(super::json(&json!({ "compatibility": level.as_str() })))
}

/// `DELETE /config`: back to the default; answers the level that was set.
pub async fn delete_global(State(state): State<AppState>) -> ApiResult {
    let level = state.registry.write(|r| r.delete_config(None)).await?;
    Ok(super::json(
        &json!({ "compatibilityLevel": level.as_str() }),
    ))
}

/// `GET /config/{s}`: 40408 when unset unless `defaultToGlobal=true`.
pub async fn get_subject(State(state): State<AppState>, p: PathParams, q: Params) -> ApiResult {
    let (subject, to_global) = (p.subject()?, q.flag("defaultToGlobal"));
    let level = state
        .registry
        .read(move |r| r.get_config(Some(&subject), to_global))
        .await?;
    Ok(super::json(
        &json!({ "compatibilityLevel": level.as_str() }),
    ))
}

/// `PUT /config/{s}`.
pub async fn put_subject(
    State(state): State<AppState>,
    p: PathParams,
    Body(body): Body<ConfigBody>,
) -> ApiResult {
    let subject = p.subject()?;
    let level = body.level()?;
    let level = state
        .registry
        .write(move |r| r.set_config(Some(&subject), level))
        .await?;
    Ok(super::json(&json!({ "compatibility": level.as_str() })))
}

/// `DELETE /config/{s}`: answers the level that was set, 40401 when none was.
pub async fn delete_subject(State(state): State<AppState>, p: PathParams) -> ApiResult {
    let subject = p.subject()?;
    let level = state
        .registry
        .write(move |r| r.delete_config(Some(&subject)))
        .await?;
    Ok(super::json(
        &json!({ "compatibilityLevel": level.as_str() }),
    ))
}
