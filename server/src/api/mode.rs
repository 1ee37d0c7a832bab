//! `/mode`: READWRITE, READONLY, READONLY_OVERRIDE, IMPORT, global and per subject, and
//! FORWARD, global only.

use axum::extract::State;
use serde::Deserialize;
use serde_json::json;

use super::{ApiResult, AppState, Body, Params, PathParams};
use crate::registry::Error;
use crate::store::Mode;

/// `PUT /mode[/{s}]` body.
#[derive(Deserialize)]
pub struct ModeBody {
    mode: Option<String>,
}

impl ModeBody {
    /// The mode asked for; absent or unknown is 42204.
    fn mode(&self) -> Result<Mode, Error> {
        let raw = self.mode.as_deref().unwrap_or_default();
        Mode::parse(raw).ok_or_else(|| Error::InvalidMode(raw.to_owned()))
    }
}

/// `GET /mode`.
pub async fn get_global(State(state): State<AppState>) -> ApiResult {
    let mode = state.registry.read(|r| r.get_mode(None, true)).await?;
    Ok(super::json(&json!({ "mode": mode.as_str() })))
}

/// `PUT /mode`: IMPORT over live subjects needs `force=true`.
pub async fn put_global(
    State(state): State<AppState>,
    q: Params,
    Body(body): Body<ModeBody>,
) -> ApiResult {
    let (mode, force) = (body.mode()?, q.flag("force"));
    let mode = state
        .registry
        .write(move |r| r.set_mode(None, mode, force))
        .await?;
    Ok(super::json(&json!({ "mode": mode.as_str() })))
}

/// `GET /mode/{s}`: 40409 when unset unless `defaultToGlobal=true`.
pub async fn get_subject(State(state): State<AppState>, p: PathParams, q: Params) -> ApiResult {
    let (scope, to_global) = (p.scope()?, q.flag("defaultToGlobal"));
    let mode = state
        .registry
        .read(move |r| r.get_mode(scope.as_ref(), to_global))
        .await?;
    Ok(super::json(&json!({ "mode": mode.as_str() })))
}

/// `PUT /mode/{s}`.
pub async fn put_subject(
    State(state): State<AppState>,
    p: PathParams,
    q: Params,
    Body(body): Body<ModeBody>,
) -> ApiResult {
    let scope = p.scope()?;
    let (mode, force) = (body.mode()?, q.flag("force"));
    let mode = state
        .registry
        .write(move |r| r.set_mode(scope.as_ref(), mode, force))
        .await?;
    Ok(super::json(&json!({ "mode": mode.as_str() })))
}

/// `DELETE /mode`: answers the global mode that was set; `recursive=true` clears every
/// subject's mode too.
pub async fn delete_global(State(state): State<AppState>, q: Params) -> ApiResult {
    let recursive = q.flag("recursive");
    let mode = state
        .registry
        .write(move |r| r.delete_mode(None, recursive))
        .await?;
    Ok(mode_answer(mode))
}

/// `DELETE /mode/{s}` (a subject or a context): answers the mode that was set; 40401
/// when none was, unless `recursive=true` (then `{}`, Confluent's `mode: null`, and a
/// context's subjects lose their modes too).
pub async fn delete_subject(State(state): State<AppState>, p: PathParams, q: Params) -> ApiResult {
    let scope = p.scope()?;
    let recursive = q.flag("recursive");
    let mode = state
        .registry
        .write(move |r| r.delete_mode(scope.as_ref(), recursive))
        .await?;
    Ok(mode_answer(mode))
}

/// Confluent's `Mode` entity: a null mode is left out (`@JsonInclude(NON_EMPTY)`).
fn mode_answer(mode: Option<Mode>) -> axum::response::Response {
    match mode {
        Some(mode) => super::json(&json!({ "mode": mode.as_str() })),
        None => super::json(&json!({})),
    }
}
