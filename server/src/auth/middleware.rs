//! The layer in front of the router: classify the request, authenticate if it needs
//! it, authorise, and answer 401 (with a `WWW-Authenticate` challenge) or 403 in
//! Confluent's error shape otherwise.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};

use super::policy::{self, Need};
use super::{Authenticator, Credentials};
use crate::api::{ApiError, App};

/// Sent with every 401: Basic first (what Confluent clients answer), then Bearer.
pub const CHALLENGE: &str = r#"Basic realm="schemagate", charset="UTF-8""#;

/// `app` behind authentication and authorisation: every request, routed or not, is
/// checked before the trailing slash is trimmed and before any handler runs.
pub fn protect(app: App, auth: Arc<Authenticator>) -> impl crate::HttpService {
    let layer =
        middleware::from_fn_with_state::<_, _, (State<Arc<Authenticator>>, Request)>(auth, check);
    let checked = tower::Layer::layer(&layer, app);
    // `from_fn` takes axum's body type; hyper hands over its own.
    tower::ServiceExt::map_request(checked, |req: hyper::Request<hyper::body::Incoming>| {
        req.map(axum::body::Body::new)
    })
}

async fn check(State(auth): State<Arc<Authenticator>>, mut req: Request, next: Next) -> Response {
    let need = policy::classify(req.method(), req.uri(), auth.metrics);
    if need == Need::Open {
        return next.run(req).await;
    }
    let credentials = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| Credentials::parse(v.as_bytes()));
    let principal = match credentials {
        Some(c) => auth.authenticate(c).await,
        None => None,
    };
    let Some(principal) = principal else {
        return unauthorized();
    };
    if let Err(message) = policy::authorize(&principal, &need) {
        tracing::info!(principal = %principal.name, method = %req.method(), path = %req.uri().path(), "forbidden");
        return ApiError::Forbidden(message).into_response();
    }
    req.extensions_mut().insert(principal);
    next.run(req).await
}

fn unauthorized() -> Response {
    let mut response = ApiError::Unauthorized.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(CHALLENGE),
    );
    headers.append(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(r#"Bearer realm="schemagate""#),
    );
    response
}
