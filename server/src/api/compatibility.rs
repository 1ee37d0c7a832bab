//! `/compatibility`: would this schema be accepted, and if not, why.

use axum::extract::State;

use super::{ApiResult, AppState, Body, Params, PathParams, Who};
use crate::registry::SchemaInput;

/// `POST /compatibility/subjects/{s}/versions` (against the versions the level names)
/// and `.../versions/{v}` (against that version only).
pub async fn check(
    State(state): State<AppState>,
    who: Who,
    p: PathParams,
    q: Params,
    Body(input): Body<SchemaInput>,
) -> ApiResult {
    let subject = p.subject()?;
    let version = p.has("v").then(|| p.version()).transpose()?;
    let (normalize, verbose) = (q.flag("normalize"), q.flag("verbose"));
    let view = state
        .registry
        .blocking(move |r| {
            r.check_compatibility(who.caller(), &subject, version, &input, normalize, verbose)
        })
        .await?;
    Ok(super::json(&view))
}
