//! `/schemas`: schemas by global id, the listing, and the supported types.

use axum::extract::State;
use axum::response::Response;
use serde::Serialize;

use super::{ApiError, ApiResult, AppState, Params, PathParams, Who};
use crate::registry::{AssociationFilter, Caller, IdRequest, SchemaFormat, SchemaListing};
use crate::store::SchemaId;

/// `GET /schemas/types`: the types Schemagate implements, in the order Confluent
/// answers them (its providers' map: JSON, PROTOBUF, AVRO).
pub async fn types() -> Response {
    super::json(&["JSON", "PROTOBUF", "AVRO"])
}

/// What a `GET /schemas/ids/{id}[/schema]` asks besides the id.
fn id_request(q: &Params) -> Result<IdRequest, crate::registry::Error> {
    Ok(IdRequest {
        subject: q.optional("subject").map(str::to_owned),
        format: SchemaFormat::parse(q.text("format"))?,
        fetch_max_id: q.flag("fetchMaxId"),
        qualified_refs: q.optional("referenceFormat") == Some("qualified"),
    })
}

/// `GET /schemas/ids/{id}`: the hot path of every deserializer, answered from the
/// cache of the default context's ids; `subject` (which picks the context), `format`,
/// `fetchMaxId` and `referenceFormat` render a body for the request. `findTags` is
/// accepted and answers no `schemaTags` (see docs/API.md).
pub async fn by_id(State(state): State<AppState>, who: Who, p: PathParams, q: Params) -> ApiResult {
    let id = p.id()?;
    let ask = id_request(&q)?;
    if ask != IdRequest::default() {
        let body = state
            .registry
            .read(move |r| r.schema_by_id_with(who.caller(), id, &ask))
            .await?;
        return Ok(super::bytes_response(body));
    }
    let doc = match state.registry.cached_schema_by_id(who.caller(), id) {
        Some(doc) => doc,
        None => {
            state
                .registry
                .read(move |r| r.schema_by_id(who.caller(), id))
                .await?
        }
    };
    Ok(super::bytes_response(doc.json.clone()))
}

/// `GET /schemas/ids/{id}/schema`: the raw text, which names no subject, so any
/// caller may read it (`subject` and `format` as on `GET /schemas/ids/{id}`).
pub async fn by_id_raw(State(state): State<AppState>, p: PathParams, q: Params) -> ApiResult {
    let id = p.id()?;
    let ask = id_request(&q)?;
    if ask.subject.is_some() || ask.format != SchemaFormat::AsRegistered {
        let text = state
            .registry
            .read(move |r| r.schema_text(id, ask.subject.as_deref(), ask.format))
            .await?;
        return Ok(super::bytes_response(text.into()));
    }
    let doc = match state.registry.cached_schema_by_id(Caller::ANYONE, id) {
        Some(doc) => doc,
        None => {
            state
                .registry
                .read(move |r| r.schema_by_id(Caller::ANYONE, id))
                .await?
        }
    };
    Ok(super::bytes_response(doc.raw.clone()))
}

/// `GET /schemas/guids/{guid}`: what the schema's id answers, found by its GUID (a
/// deserializer reading records whose schema id travels as a GUID), its text in
/// `format` as on `GET /schemas/ids/{id}`.
pub async fn by_guid(
    State(state): State<AppState>,
    who: Who,
    p: PathParams,
    q: Params,
) -> ApiResult {
    let guid = p.get("guid").to_owned();
    let format = SchemaFormat::parse(q.text("format"))?;
    let body = state
        .registry
        .read(move |r| r.schema_by_guid_formatted(who.caller(), &guid, format))
        .await?;
    Ok(super::bytes_response(body))
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
    let (offset, limit) = q.page();
    let subjects = state
        .registry
        .blocking(move |r| r.id_subjects(id, subject.as_deref(), deleted, offset, limit))
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
    let (offset, limit) = q.page();
    let pairs = state
        .registry
        .blocking(move |r| r.id_versions(id, subject.as_deref(), deleted, offset, limit))
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
