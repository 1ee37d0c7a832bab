//! The one declaration of every route: method, pattern, handler and the access it
//! needs. The router is built from it ([`super::build_router`]), the auth policy
//! classifies requests by it ([`crate::auth::policy`]), the metrics label is its
//! pattern, and the hot path's three patterns are entries of it ([`super::hot`]), so
//! none of them can learn of a route the others do not know.
//!
//! A route is added here and nowhere else. Its access must be declared: there is no
//! default, so a new write endpoint cannot become a read by omission.

use axum::http::Method;
use axum::routing::{MethodFilter, MethodRouter, on};

use super::{AppState, backup, compatibility, config, dek, hot, mode, ops, schemas, subjects};
use crate::auth::Role;

/// What a route needs from the caller when authentication is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anybody, authenticated or not (`GET /`, `/health`).
    Open,
    /// `/metrics`: as the auth file's `metrics` setting says.
    Metrics,
    /// An authenticated principal with at least this role; subject limits do not
    /// apply (what it shows names no subject).
    Role(Role),
    /// At least this role on the subject in the path parameter `{s}`.
    Subject(Role),
    /// At least this role and no subject limits: it reaches every subject.
    Global(Role),
    /// A listing: principals limited to prefixes must ask for a `subjectPrefix` within
    /// one of theirs.
    Listing,
}

/// One route.
pub struct Route {
    /// The method (`GET` routes answer `HEAD` too).
    pub method: Method,
    /// The path pattern, in the router's syntax; also the metrics label.
    pub pattern: &'static str,
    /// What the caller needs.
    pub access: Access,
    /// The handler, for the method filter of `method`.
    handler: fn(MethodFilter) -> MethodRouter<AppState>,
}

impl Route {
    /// The router entry of this route.
    pub(super) fn method_router(&self) -> MethodRouter<AppState> {
        let filter = MethodFilter::try_from(self.method.clone())
            .expect("every declared method is one axum can route");
        (self.handler)(filter)
    }
}

macro_rules! route {
    ($method:ident $pattern:expr, $access:expr, $handler:path) => {
        Route {
            method: Method::$method,
            pattern: $pattern,
            access: $access,
            handler: |filter| on(filter, $handler),
        }
    };
}

use Access::{Global, Listing, Open, Subject};
use Role::{Admin, Read, Write};

/// Every route of the registry.
pub static ROUTES: &[Route] = &[
    route!(GET "/", Open, ops::root),
    route!(POST "/", Open, ops::root_post),
    route!(GET "/health", Open, ops::health),
    route!(GET "/metrics", Access::Metrics, ops::metrics),
    route!(GET "/contexts", Access::Role(Read), ops::contexts),
    route!(DELETE "/contexts/{ctx}", Global(Admin), ops::delete_context),
    route!(GET "/v1/metadata/id", Access::Role(Read), ops::metadata_id),
    route!(GET "/v1/metadata/version", Access::Role(Read), ops::metadata_version),
    route!(GET "/v1/metadata/deployment", Access::Role(Read), ops::metadata_deployment),
    route!(GET "/v1/backup", Global(Admin), backup::backup),
    route!(GET "/schemas", Listing, schemas::list),
    route!(GET "/schemas/types", Access::Role(Read), schemas::types),
    route!(GET hot::BY_ID, Access::Role(Read), schemas::by_id),
    route!(GET "/schemas/ids/{id}/schema", Access::Role(Read), schemas::by_id_raw),
    route!(GET "/schemas/ids/{id}/subjects", Global(Read), schemas::subjects),
    route!(GET "/schemas/ids/{id}/versions", Global(Read), schemas::versions),
    route!(GET "/schemas/guids/{guid}", Access::Role(Read), schemas::by_guid),
    route!(GET "/schemas/guids/{guid}/ids", Access::Role(Read), schemas::ids_by_guid),
    route!(GET "/subjects", Listing, subjects::list),
    route!(POST hot::LOOKUP, Subject(Read), subjects::lookup),
    route!(DELETE hot::LOOKUP, Subject(Write), subjects::delete_subject),
    route!(GET "/subjects/{s}/versions", Subject(Read), subjects::versions),
    route!(POST "/subjects/{s}/versions", Subject(Write), subjects::register),
    route!(GET hot::VERSION, Subject(Read), subjects::version),
    route!(DELETE hot::VERSION, Subject(Write), subjects::delete_version),
    route!(GET "/subjects/{s}/versions/{v}/schema", Subject(Read), subjects::version_raw),
    route!(GET "/subjects/{s}/versions/{v}/referencedby", Subject(Read), subjects::referenced_by),
    route!(GET "/subjects/{s}/metadata", Subject(Read), subjects::latest_with_metadata),
    route!(POST "/subjects/{s}/versions/{v}/tags", Subject(Write), subjects::modify_tags),
    route!(POST "/compatibility/subjects/{s}/versions", Subject(Read), compatibility::check),
    route!(POST "/compatibility/subjects/{s}/versions/{v}", Subject(Read), compatibility::check),
    route!(GET "/config", Access::Role(Read), config::get_global),
    route!(PUT "/config", Global(Admin), config::put_global),
    route!(DELETE "/config", Global(Admin), config::delete_global),
    route!(GET "/config/{s}", Subject(Read), config::get_subject),
    route!(PUT "/config/{s}", Subject(Admin), config::put_subject),
    route!(DELETE "/config/{s}", Subject(Admin), config::delete_subject),
    route!(GET "/mode", Access::Role(Read), mode::get_global),
    route!(PUT "/mode", Global(Admin), mode::put_global),
    route!(DELETE "/mode", Global(Admin), mode::delete_global),
    route!(GET "/mode/{s}", Subject(Read), mode::get_subject),
    route!(PUT "/mode/{s}", Subject(Admin), mode::put_subject),
    route!(DELETE "/mode/{s}", Subject(Admin), mode::delete_subject),
    // The DEK registry: KEKs name no subject; a DEK's routes name its subject as `{s}`.
    route!(GET KEKS, Listing, dek::list_keks),
    route!(POST KEKS, Global(Write), dek::create_kek),
    route!(GET KEK, Access::Role(Read), dek::get_kek),
    route!(PUT KEK, Global(Admin), dek::update_kek),
    route!(DELETE KEK, Global(Admin), dek::delete_kek),
    route!(POST "/dek-registry/v1/keks/{name}/test", Access::Role(Read), dek::test_kek),
    route!(POST "/dek-registry/v1/keks/{name}/undelete", Global(Admin), dek::undelete_kek),
    route!(GET DEKS, Global(Read), dek::list_dek_subjects),
    route!(POST DEKS, Access::Role(Write), dek::create_dek),
    route!(GET DEK, Subject(Read), dek::get_dek),
    route!(POST DEK, Subject(Write), dek::create_dek),
    route!(DELETE DEK, Subject(Write), dek::delete_dek),
    route!(POST "/dek-registry/v1/keks/{name}/deks/{s}/undelete", Subject(Write), dek::undelete_dek),
    route!(GET "/dek-registry/v1/keks/{name}/deks/{s}/versions", Subject(Read), dek::list_dek_versions),
    route!(GET DEK_VERSION, Subject(Read), dek::get_dek),
    route!(DELETE DEK_VERSION, Subject(Write), dek::delete_dek),
    route!(POST "/dek-registry/v1/keks/{name}/deks/{s}/versions/{v}/undelete", Subject(Write), dek::undelete_dek),
];

/// The KEK list.
const KEKS: &str = "/dek-registry/v1/keks";
/// One KEK.
const KEK: &str = "/dek-registry/v1/keks/{name}";
/// A KEK's DEK subjects (the older create route too, subject in the body).
const DEKS: &str = "/dek-registry/v1/keks/{name}/deks";
/// A subject's DEK (version 1 when read).
const DEK: &str = "/dek-registry/v1/keks/{name}/deks/{s}";
/// One version of a subject's DEK.
const DEK_VERSION: &str = "/dek-registry/v1/keks/{name}/deks/{s}/versions/{v}";

/// What an incoming request matched, found the way the router finds it.
pub struct Matched<'a> {
    /// The route, when its method matched too.
    pub route: Option<&'static Route>,
    /// The raw (still percent-encoded) `{s}` parameter, if the pattern has one.
    pub subject: Option<&'a str>,
}

/// The routes by pattern, for matching a path as the router does.
fn patterns() -> &'static matchit::Router<Vec<&'static Route>> {
    static PATTERNS: std::sync::OnceLock<matchit::Router<Vec<&'static Route>>> =
        std::sync::OnceLock::new();
    PATTERNS.get_or_init(|| {
        let mut grouped: Vec<(&str, Vec<&'static Route>)> = Vec::new();
        for route in ROUTES {
            match grouped.iter_mut().find(|(p, _)| *p == route.pattern) {
                Some((_, routes)) => routes.push(route),
                None => grouped.push((route.pattern, vec![route])),
            }
        }
        let mut router = matchit::Router::new();
        for (pattern, routes) in grouped {
            router
                .insert(pattern, routes)
                .expect("the route table's patterns are valid and distinct");
        }
        router
    })
}

/// The route `method` and the (trailing-slash-trimmed) raw `path` reach; `None` when
/// no pattern matches the path.
pub fn find<'a>(method: &Method, path: &'a str) -> Option<Matched<'a>> {
    let found = patterns().at(path).ok()?;
    // `HEAD` is answered by the `GET` route.
    let wanted = if *method == Method::HEAD {
        &Method::GET
    } else {
        method
    };
    Some(Matched {
        route: found
            .value
            .iter()
            .copied()
            .find(|route| route.method == *wanted),
        subject: found.params.get("s"),
    })
}

#[cfg(test)]
mod tests {
    use super::ROUTES;

    /// `docs/API.md` is what users read: a route added here and not there fails.
    #[test]
    fn every_route_is_documented_in_docs_api() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/API.md");
        let doc = std::fs::read_to_string(path).expect("docs/API.md exists");
        let missing: Vec<String> = ROUTES
            .iter()
            .map(|r| format!("`{} {}`", r.method, r.pattern))
            .filter(|listed| !doc.contains(listed.as_str()))
            .collect();
        assert!(missing.is_empty(), "not in docs/API.md: {missing:?}");
    }
}
