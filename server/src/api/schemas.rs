//! `/schemas`: schemas by global id, the listing, and the supported types.

use axum::extract::State;
use axum::response::Response;
use serde::Serialize;

use std::sync::Arc;

use super::{ApiError, ApiResult, AppState, Params, PathParams, Who};
use crate::registry::{AssociationFilter, IdDoc, SchemaListing};
use crate::store::SchemaId;

/// `GET /schemas/types`: the types Schemagate implements.
pub async fn types() -> Response {
    super::json(&["JSON", "AVRO"])
}

/// `GET /schemas/ids/{id}`: the hot path of every deserializer. `subject` picks the
/// context the id is read in.
pub async fn by_id(State(state): State<AppState>, who: Who, p: PathParams, q: Params) -> ApiResult {
    let id = p.id()?;
    let doc = by_id_doc(&state, who, id, &q).await?;
    Ok(super::bytes_response(doc.json.clone()))
}

/// The schema `GET /schemas/ids/{id}[/schema]` answers, in the context `subject` picks.
async fn by_id_doc(
    state: &AppState,
    who: Who,
    id: SchemaId,
    q: &Params,
) -> Result<Arc<IdDoc>, ApiError> {
    if let Some(subject) = q.optional("subject") {
        let subject = subject.to_owned();
        let qualified = q.optional("referenceFormat") == Some("qualified");
        return Ok(state
            .registry
            .read(move |r| r.schema_by_id_for(who.caller(), id, &subject, qualified))
            .await?);
    }
    Ok(match state.registry.cached_schema_by_id(who.caller(), id) {
        Some(doc) => doc,
        None => {
            state
                .registry
                .read(move |r| r.schema_by_id(who.caller(), id))
                .await?
        }
    })
}

/// `GET /schemas/ids/{id}/schema`: the raw text, which names no subject, so any
/// caller may read it.
pub async fn by_id_raw(State(state): State<AppState>, p: PathParams, q: Params) -> ApiResult {
    let id = p.id()?;
    let doc = by_id_doc(&state, Who::anyone(), id, &q).await?;
    Ok(super::bytes_response(doc.raw.clone()))
}

/// `GET /schemas/guids/{guid}`: what the schema's id answers, found by its GUID (a
/// deserializer reading records whose schema id travels as a GUID).
pub async fn by_guid(State(state): State<AppState>, who: Who, p: PathParams) -> ApiResult {
    let guid = p.get("guid").to_owned();
    let doc = state
        .registry
        .read(move |r| r.schema_by_guid(who.caller(), &guid))
        .await?;
    Ok(super::bytes_response(doc.json.clone()))
}

#[derive(Serialize)]
struct ContextId {
    context: String,
    id: SchemaId,
}

/// `GET /schemas/guids/{guid}/ids`: the schema's id in each context that has it.
pub async fn ids_by_guid(State(state): State<AppState>, p: PathParams) -> ApiResult {
    let guid = p.get("guid").to_owned();
    let ids = state.registry.read(move |r| r.ids_by_guid(&guid)).await?;
    let body: Vec<ContextId> = ids
        .into_iter()
        .map(|(context, id)| ContextId { context, id })
        .collect();
    Ok(super::json(&body))
}

/// The `subject` parameter of the id routes, which picks a context.
fn subject_param(q: &Params) -> Option<String> {
    q.optional("subject").map(str::to_owned)
}

/// `GET /schemas/ids/{id}/subjects`.
pub async fn subjects(State(state): State<AppState>, p: PathParams, q: Params) -> ApiResult {
    let id = p.id()?;
    let deleted = q.flag("deleted");
    let subject = subject_param(&q);
    let subjects = state
        .registry
        .blocking(move |r| r.id_subjects(id, subject.as_deref(), deleted))
        .await?;
    Ok(super::json(&subjects))
}

#[derive(Serialize)]
struct SubjectVersion {
    subject: String,
    version: i32,
}

/// `GET /schemas/ids/{id}/versions`.
pub async fn versions(State(state): State<AppState>, p: PathParams, q: Params) -> ApiResult {
    let id = p.id()?;
    let deleted = q.flag("deleted");
    let subject = subject_param(&q);
    let pairs = state
        .registry
        .blocking(move |r| r.id_versions(id, subject.as_deref(), deleted))
        .await?;
    let body: Vec<SubjectVersion> = pairs
        .into_iter()
        .map(|(subject, version)| SubjectVersion { subject, version })
        .collect();
    Ok(super::json(&body))
}

/// `GET /schemas`.
pub async fn list(State(state): State<AppState>, who: Who, q: Params) -> ApiResult {
    let prefix = q.text("subjectPrefix").to_owned();
    let (offset, limit) = q.page();
    let lifecycles = q.all("lifecycle");
    if let Some(bad) = lifecycles
        .iter()
        .find(|l| !["NONE", "STRONG", "WEAK"].contains(&l.as_str()))
    {
        return Err(ApiError::Malformed(format!(
            "lifecycle {bad:?} is not one of NONE, STRONG, WEAK"
        )));
    }
    let filtered = !lifecycles.is_empty()
        || q.optional("resourceType").is_some()
        || !q.all("associationType").is_empty();
    let associations = match (filtered, lifecycles.iter().any(|l| l == "NONE")) {
        (false, _) => AssociationFilter::Any,
        (true, true) => AssociationFilter::Unassociated,
        (true, false) => AssociationFilter::Associated,
    };
    let listing = SchemaListing {
        prefix,
        deleted: q.flag("deleted"),
        latest_only: q.flag("latestOnly"),
        rule_type: Some(q.text("ruleType").to_owned()).filter(|t| !t.is_empty()),
        associations,
        aliases: q.flag("aliases"),
        offset,
        limit,
    };
    let views = state
        .registry
        .blocking(move |r| r.list_schemas(who.caller(), &listing))
        .await?;
    Ok(super::json(&views))
}
