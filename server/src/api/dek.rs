//! `/dek-registry/v1`: KEKs and DEKs for client-side field-level encryption, as
//! Confluent's `dek-registry` answers them. Thin handlers over `registry::dek`: they
//! read the path, the query and the body, and render the answer (204 for deletes and
//! undeletes, as Confluent).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::{Map, Value};

use super::{ApiResult, AppState, Body, Params, PathParams, Who};
use crate::registry::{
    CreateDekInput, CreateKekInput, Error, KekUpdate, VersionSpec, algorithm_param,
};
use crate::store::keys::DekAlgorithm;

/// A delete's or undelete's answer: no body.
fn no_content() -> ApiResult {
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The `algorithm` query parameter (absent: the use case's default).
fn algorithm(q: &Params) -> Result<Option<DekAlgorithm>, Error> {
    Ok(algorithm_param(Some(q.text("algorithm")))?)
}

/// `{name}`, `{s}` (the DEK's subject) as the router decoded them.
fn names(p: &PathParams) -> (String, String) {
    (p.get("name").to_owned(), p.get("s").to_owned())
}

/// `GET /dek-registry/v1/keks`.
pub async fn list_keks(State(state): State<AppState>, who: Who, q: Params) -> ApiResult {
    let prefixes = q.all("subjectPrefix");
    let deleted = q.flag("deleted");
    let (offset, limit) = q.page();
    let names = state
        .registry
        .read(move |r| r.list_keks(who.caller(), &prefixes, deleted, offset, limit))
        .await?;
    Ok(super::json(&names))
}

/// `POST /dek-registry/v1/keks`.
pub async fn create_kek(
    State(state): State<AppState>,
    q: Params,
    Body(body): Body<CreateKekInput>,
) -> ApiResult {
    let test_sharing = q.flag("testSharing");
    let kek = state
        .registry
        .write(move |r| r.create_kek(body, test_sharing))
        .await?;
    Ok(super::json(&kek))
}

/// `GET /dek-registry/v1/keks/{name}`.
pub async fn get_kek(State(state): State<AppState>, p: PathParams, q: Params) -> ApiResult {
    let (name, deleted) = (p.get("name").to_owned(), q.flag("deleted"));
    let kek = state
        .registry
        .read(move |r| r.get_kek(&name, deleted))
        .await?;
    Ok(super::json(&kek))
}

/// `PUT /dek-registry/v1/keks/{name}`.
pub async fn update_kek(
    State(state): State<AppState>,
    p: PathParams,
    q: Params,
    Body(body): Body<Map<String, Value>>,
) -> ApiResult {
    let name = p.get("name").to_owned();
    let update = KekUpdate::from_json(&body).map_err(Error::from)?;
    let test_sharing = q.flag("testSharing");
    let kek = state
        .registry
        .write(move |r| r.update_kek(&name, update, test_sharing))
        .await?;
    Ok(super::json(&kek))
}

/// `DELETE /dek-registry/v1/keks/{name}`.
pub async fn delete_kek(State(state): State<AppState>, p: PathParams, q: Params) -> ApiResult {
    let (name, permanent) = (p.get("name").to_owned(), q.flag("permanent"));
    state
        .registry
        .write(move |r| r.delete_kek(&name, permanent))
        .await?;
    no_content()
}

/// `POST /dek-registry/v1/keks/{name}/undelete`.
pub async fn undelete_kek(State(state): State<AppState>, p: PathParams) -> ApiResult {
    let name = p.get("name").to_owned();
    state.registry.write(move |r| r.undelete_kek(&name)).await?;
    no_content()
}

/// `POST /dek-registry/v1/keks/{name}/test`.
pub async fn test_kek(State(state): State<AppState>, p: PathParams) -> ApiResult {
    let name = p.get("name").to_owned();
    let kek = state.registry.read(move |r| r.test_kek(&name)).await?;
    Ok(super::json(&kek))
}

/// `GET /dek-registry/v1/keks/{name}/deks`.
pub async fn list_dek_subjects(
    State(state): State<AppState>,
    p: PathParams,
    q: Params,
) -> ApiResult {
    let (name, deleted) = (p.get("name").to_owned(), q.flag("deleted"));
    let (offset, limit) = q.page();
    let subjects = state
        .registry
        .read(move |r| r.list_dek_subjects(&name, deleted, offset, limit))
        .await?;
    Ok(super::json(&subjects))
}

/// `POST /dek-registry/v1/keks/{name}/deks` (subject in the body, Confluent's older
/// route) and `POST /dek-registry/v1/keks/{name}/deks/{s}`.
pub async fn create_dek(
    State(state): State<AppState>,
    who: Who,
    p: PathParams,
    q: Params,
    Body(body): Body<CreateDekInput>,
) -> ApiResult {
    let (name, subject) = names(&p);
    let path_subject = p.has("s").then_some(subject);
    let rewrap = q.flag("rewrap");
    let dek = state
        .registry
        .write(move |r| r.create_dek(who.caller(), &name, path_subject.as_deref(), body, rewrap))
        .await?;
    Ok(super::json(&dek))
}

/// `GET /dek-registry/v1/keks/{name}/deks/{s}` (version 1, as Confluent) and
/// `GET /dek-registry/v1/keks/{name}/deks/{s}/versions/{v}`.
pub async fn get_dek(State(state): State<AppState>, p: PathParams, q: Params) -> ApiResult {
    let (name, subject) = names(&p);
    let version = if p.has("v") {
        p.version()?
    } else {
        VersionSpec::Number(1)
    };
    let (algorithm, deleted) = (algorithm(&q)?, q.flag("deleted"));
    let dek = state
        .registry
        .read(move |r| r.get_dek(&name, &subject, version, algorithm, deleted))
        .await?;
    Ok(super::json(&dek))
}

/// `GET /dek-registry/v1/keks/{name}/deks/{s}/versions`.
pub async fn list_dek_versions(
    State(state): State<AppState>,
    p: PathParams,
    q: Params,
) -> ApiResult {
    let (name, subject) = names(&p);
    let (algorithm, deleted) = (algorithm(&q)?, q.flag("deleted"));
    let (offset, limit) = q.page();
    let versions = state
        .registry
        .read(move |r| r.list_dek_versions(&name, &subject, algorithm, deleted, offset, limit))
        .await?;
    Ok(super::json(&versions))
}

/// `DELETE /dek-registry/v1/keks/{name}/deks/{s}` (every version) and
/// `DELETE /dek-registry/v1/keks/{name}/deks/{s}/versions/{v}`.
pub async fn delete_dek(State(state): State<AppState>, p: PathParams, q: Params) -> ApiResult {
    let (name, subject) = names(&p);
    let version = p.has("v").then(|| p.version()).transpose()?;
    let (algorithm, permanent) = (algorithm(&q)?, q.flag("permanent"));
    state
        .registry
        .write(move |r| match version {
            None => r.delete_dek(&name, &subject, algorithm, permanent),
            Some(v) => r.delete_dek_version(&name, &subject, v, algorithm, permanent),
        })
        .await?;
    no_content()
}

/// `POST /dek-registry/v1/keks/{name}/deks/{s}/undelete` (every version) and
/// `POST /dek-registry/v1/keks/{name}/deks/{s}/versions/{v}/undelete`.
pub async fn undelete_dek(State(state): State<AppState>, p: PathParams, q: Params) -> ApiResult {
    let (name, subject) = names(&p);
    let version = p.has("v").then(|| p.version()).transpose()?;
    let algorithm = algorithm(&q)?;
    state
        .registry
        .write(move |r| match version {
            None => r.undelete_dek(&name, &subject, algorithm),
            Some(v) => r.undelete_dek_version(&name, &subject, v, algorithm),
        })
        .await?;
    no_content()
}
