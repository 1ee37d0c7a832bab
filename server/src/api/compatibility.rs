//! `/compatibility`: would this schema be accepted, and if not, why.

use axum::extract::State;

use super::{ApiResult, AppState, Body, Params, PathParams, Who};
use crate::registry::SchemaInput;

async fn check(
    state: AppState,
    who: Who,
    p: PathParams,
    q: Params,
    input: SchemaInput,
    with_version: bool,
) -> ApiResult {
    let subject = p.subject()?;
    let version = with_version.then(|| p.version()).transpose()?;
    let (normalize, verbose) = (q.flag("normalize"), q.flag("verbose"));
    let view = state
        .registry
        .blocking(move |r| {
            r.check_compatibility(who.caller(), &subject, version, &input, normalize, verbose)
        })
        .await?;
    Ok(super::json(&view))
}

/// `POST /compatibility/subjects/{s}/versions`: against the versions the level names.
pub async fn against_level(
    State(state): State<AppState>,
    who: Who,
    p: PathParams,
    q: Params,
    Body(input): Body<SchemaInput>,
) -> ApiResult {
    check(state, who, p, q, input, false).await
}

/// `POST /compatibility/subjects/{s}/versions/{v}`: against that version only.
pub async fn against_version(
    State(state): State<AppState>,
    who: Who,
    p: PathParams,
    q: Params,
    Body(input): Body<SchemaInput>,
) -> ApiResult {
    check(state, who, p, q, input, true).await
}
