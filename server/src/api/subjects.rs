//! `/subjects`: registration, lookup, versions, deletes.

use axum::body::Bytes;
use axum::extract::State;
use serde::Deserialize;

use super::{ApiResult, AppState, Body, Params, PathParams, RawBody, Who};

use crate::registry::{Error, SchemaFormat, SchemaInput, VersionListing};

/// `POST /subjects/{s}/versions` body: a schema plus the ids IMPORT mode keeps.
#[derive(Deserialize)]
pub struct RegisterBody {
    #[serde(flatten)]
    input: SchemaInput,
    id: Option<i64>,
    version: Option<i64>,
}

/// `GET /subjects`: by default every context's subjects (`:*:`), as Confluent lists.
pub async fn list(State(state): State<AppState>, q: Params) -> ApiResult {
    let prefix = q
        .optional("subjectPrefix")
        .unwrap_or(schemagate_core::subject::CONTEXT_WILDCARD)
        .to_owned();
    let (deleted, deleted_only) = (q.flag("deleted"), q.flag("deletedOnly"));
    let (offset, limit) = q.page();
    let subjects = state
        .registry
        .blocking(move |r| r.list_subjects(&prefix, deleted, deleted_only, offset, limit))
        .await?;
    Ok(super::json(&subjects))
}

/// `GET /subjects/{s}/versions`.
pub async fn versions(State(state): State<AppState>, p: PathParams, q: Params) -> ApiResult {
    let subject = p.subject()?;
    let listing = VersionListing {
        deleted: q.flag("deleted"),
        deleted_only: q.flag("deletedOnly"),
        deleted_as_negative: q.flag("deletedAsNegative"),
    };
    let (offset, limit) = q.page();
    let versions = state
        .registry
        .blocking(move |r| r.list_versions(&subject, listing, offset, limit))
        .await?;
    Ok(super::json(&versions))
}

/// `GET /subjects/{s}/versions/{v}`.
pub async fn version(
    State(state): State<AppState>,
    who: Who,
    p: PathParams,
    q: Params,
) -> ApiResult {
    let deleted = q.flag("deleted");
    let format = SchemaFormat::parse(q.text("format"))?;
    let qualified = q.optional("referenceFormat") == Some("qualified");
    if format != SchemaFormat::AsRegistered || qualified {
        let (subject, version) = (p.subject()?, p.version()?);
        let view = state
            .registry
            .read(move |r| {
                r.version_formatted(who.caller(), &subject, version, deleted, format, qualified)
            })
            .await?;
        return Ok(super::json(&view));
    }
    // A cached answer needs no store, so no trip to the blocking pool.
    if let Ok(version) = p.version()
        && let Some(body) =
            state
                .registry
                .cached_version_json(who.caller(), p.get("s"), version, deleted)
    {
        return Ok(super::bytes_response(body));
    }
    let (subject, version) = (p.subject()?, p.version()?);
    let body = state
        .registry
        .read(move |r| r.version_json(who.caller(), &subject, version, deleted))
        .await?;
    Ok(super::bytes_response(body))
}

/// `GET /subjects/{s}/versions/{v}/schema`: the raw text.
pub async fn version_raw(State(state): State<AppState>, p: PathParams, q: Params) -> ApiResult {
    let (subject, version) = (p.subject()?, p.version()?);
    let deleted = q.flag("deleted");
    let format = SchemaFormat::parse(q.text("format"))?;
    let view = state
        .registry
        .read(move |r| r.format_view(&subject, r.get_version(&subject, version, deleted)?, format))
        .await?;
    Ok(super::bytes_response(view.schema.into()))
}

/// `POST /subjects/{s}/versions/{v}/tags` (Confluent's `modifySchemaTags`): not
/// implemented, and answered so (501) rather than as an unknown path. Tagging fields
/// rewrites the schema text, which this registry does not do yet.
pub async fn modify_tags(p: PathParams) -> ApiResult {
    let (subject, version) = (p.subject()?, p.version()?);
    Err(Error::NotImplemented(format!(
        "POST /subjects/{subject}/versions/{version}/tags is not implemented by Schemagate: it does not rewrite schema texts to add or remove tags. Register a new version of {subject} whose schema carries the tags (\"confluent:tags\") and whose metadata and ruleSet are the ones wanted"
    ))
    .into())
}

/// `GET /subjects/{s}/versions/{v}/referencedby` (`?deleted=&offset=&limit=`).
pub async fn referenced_by(State(state): State<AppState>, p: PathParams, q: Params) -> ApiResult {
    let (subject, version) = (p.subject()?, p.version()?);
    let deleted = q.flag("deleted");
    let (offset, limit) = q.page();
    let ids = state
        .registry
        .blocking(move |r| r.referenced_by(&subject, version, deleted, offset, limit))
        .await?;
    Ok(super::json(&ids))
}

/// `POST /subjects/{s}/versions`: register, idempotently.
pub async fn register(
    State(state): State<AppState>,
    who: Who,
    p: PathParams,
    q: Params,
    Body(body): Body<RegisterBody>,
) -> ApiResult {
    let subject = p.subject()?;
    let (normalize, force) = (q.flag("normalize"), q.flag("force"));
    // Checked before anything is written: a refused format must not follow a write.
    let format = SchemaFormat::parse(q.text("format"))?;
    let result = state
        .registry
        .write({
            let subject = subject.clone();
            move |r| {
                r.register_with(
                    who.caller(),
                    &subject,
                    &body.input,
                    body.id,
                    body.version,
                    normalize,
                    force,
                )
            }
        })
        .await;
    let result = match result {
        Ok(view) => {
            state
                .registry
                .read(move |r| r.format_view(&subject, view, format))
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        // Confluent 8's `RegisterSchemaResponse`: the version as stored, without the
        // subject (the view leaves an empty subject out).
        Ok(view) => Ok(super::json(&view)),
        Err(e) => {
            if matches!(
                e,
                Error::Incompatible { .. } | Error::InvalidSchema(_) | Error::SchemaTooLarge(_)
            ) {
                state.metrics.reject_registration();
            }
            Err(e.into())
        }
    }
}

/// `GET /subjects/{s}/metadata?key=K&value=V…`: the newest version whose metadata
/// properties hold every pair (`use.latest.with.metadata` in serializers).
pub async fn latest_with_metadata(
    State(state): State<AppState>,
    who: Who,
    p: PathParams,
    q: Params,
) -> ApiResult {
    let subject = p.subject()?;
    // Paired up to the shorter list, a repeated key's last value winning, as Confluent
    // reads them into a map.
    let wanted: std::collections::BTreeMap<String, String> =
        q.all("key").into_iter().zip(q.all("value")).collect();
    let wanted: Vec<(String, String)> = wanted.into_iter().collect();
    let deleted = q.flag("deleted");
    let view = state
        .registry
        .blocking(move |r| r.latest_with_metadata(who.caller(), &subject, &wanted, deleted))
        .await?;
    Ok(super::json(&view))
}

/// `POST /subjects/{s}`: which version of the subject holds this schema.
pub async fn lookup(
    State(state): State<AppState>,
    who: Who,
    p: PathParams,
    q: Params,
    RawBody(body): RawBody,
) -> ApiResult {
    lookup_answer(&state, &who, p.get("s"), &q, body).await
}

/// The lookup the router and the hot path both answer with.
pub(super) async fn lookup_answer(
    state: &AppState,
    who: &Who,
    subject: &str,
    q: &Params,
    body: Bytes,
) -> ApiResult {
    let (normalize, deleted) = (q.flag("normalize"), q.flag("deleted"));
    let format = SchemaFormat::parse(q.text("format"))?;
    let body = state
        .registry
        .lookup_by_body(
            who.caller(),
            subject,
            body,
            normalize,
            deleted,
            super::decode_json,
        )
        .await?;
    if format == SchemaFormat::AsRegistered {
        return Ok(super::bytes_response(body));
    }
    let subject = schemagate_core::Subject::parse(subject).map_err(Error::from)?;
    let view = state
        .registry
        .read(move |r| r.format_rendered_view(&subject, &body, format))
        .await?;
    Ok(super::bytes_response(view))
}

/// `DELETE /subjects/{s}`: soft, then `permanent=true`.
pub async fn delete_subject(State(state): State<AppState>, p: PathParams, q: Params) -> ApiResult {
    let subject = p.subject()?;
    let permanent = q.flag("permanent");
    let versions = state
        .registry
        .write(move |r| r.delete_subject(&subject, permanent))
        .await?;
    Ok(super::json(&versions))
}

/// `DELETE /subjects/{s}/versions/{v}`.
pub async fn delete_version(State(state): State<AppState>, p: PathParams, q: Params) -> ApiResult {
    let (subject, version) = (p.subject()?, p.version()?);
    let permanent = q.flag("permanent");
    let deleted = state
        .registry
        .write(move |r| r.delete_version(&subject, version, permanent))
        .await?;
    Ok(super::json(&deleted))
}
