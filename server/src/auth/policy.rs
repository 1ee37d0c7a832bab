//! Which role each request needs, and on which subject, decided from the method and
//! the raw path before routing (so a trailing slash cannot slip past), by the access
//! each route declares in the route table ([`crate::api::routes`]). Modelled on
//! Confluent's RBAC: reading and checking compatibility is `read`, registering and
//! deleting is `write`, changing levels and modes is `admin`.

use axum::http::{Method, Uri};
use percent_encoding::percent_decode_str;

use super::{MetricsAccess, Principal, Role};
use crate::api::routes::{self, Access, Matched};

/// What a request needs.
#[derive(Debug, PartialEq, Eq)]
pub enum Need {
    /// Nobody needs to authenticate (`GET /`, `/health`, open `/metrics`).
    Open,
    /// An authenticated principal with at least this role; subject limits do not apply
    /// (schema types, schemas by id, unknown routes that will answer 404).
    Role(Role),
    /// At least this role on this subject (already percent-decoded).
    Subject(Role, String),
    /// At least this role, and no subject limits: the request reaches every subject
    /// (global config and mode, listings that name subjects).
    Global(Role),
    /// A listing: principals limited to prefixes must ask for `subjectPrefix` inside one
    /// of theirs.
    Listing(Option<String>),
}

/// Classifies a request by its method and raw URI, finding its route as the router
/// does.
pub fn classify(method: &Method, uri: &Uri, metrics: MetricsAccess) -> Need {
    // As the router sees it: trailing slashes trimmed.
    let path = match uri.path().trim_end_matches('/') {
        "" => "/",
        trimmed => trimmed,
    };
    let Some(Matched {
        route: Some(route),
        subject,
    }) = routes::find(method, path)
    else {
        // Unknown routes and methods answer 404 or 405 to whoever is authenticated.
        return Need::Role(Role::Read);
    };
    match route.access {
        Access::Open => Need::Open,
        Access::Metrics => match metrics {
            MetricsAccess::Open => Need::Open,
            MetricsAccess::Read => Need::Role(Role::Read),
            MetricsAccess::Admin => Need::Global(Role::Admin),
        },
        Access::Role(role) => Need::Role(role),
        Access::Subject(role) => {
            let raw = subject.unwrap_or_default();
            let name = percent_decode_str(raw).decode_utf8_lossy().into_owned();
            // The settings of `:.__GLOBAL:` and of the default context (`:.:`, the top
            // level) reach every subject, whatever a path's prefix looks like.
            match schemagate_core::Context::parse(&name) {
                Ok(c) if (c.is_global() || c.is_default()) && name.starts_with(":.") => {
                    Need::Global(role)
                }
                _ => Need::Subject(role, name),
            }
        }
        Access::Global(role) => Need::Global(role),
        Access::Listing => Need::Listing(subject_prefix(uri)),
    }
}

/// `subjectPrefix` exactly as the handlers will read it (the same parser, the first
/// occurrence), so that what is authorised is what gets listed.
fn subject_prefix(uri: &Uri) -> Option<String> {
    let pairs = axum::extract::Query::<Vec<(String, String)>>::try_from_uri(uri)
        .ok()?
        .0;
    pairs
        .into_iter()
        .find(|(k, _)| k == "subjectPrefix")
        .map(|(_, v)| v)
}

/// `Ok` when `principal` may do what `need` asks; otherwise the 403 message.
pub fn authorize(principal: &Principal, need: &Need) -> Result<(), String> {
    let (role, within) = match need {
        Need::Open => return Ok(()),
        Need::Role(role) => (*role, true),
        Need::Subject(role, s) => (*role, principal.may_touch(s)),
        Need::Global(role) => (*role, principal.subject_prefixes.is_none()),
        Need::Listing(prefix) => (
            Role::Read,
            principal.subject_prefixes.is_none()
                || prefix.as_deref().is_some_and(|p| principal.may_touch(p)),
        ),
    };
    let on = match need {
        Need::Subject(_, s) => format!("Subject: {s}"),
        Need::Listing(_) if principal.subject_prefixes.is_some() => {
            "every subject (add subjectPrefix= within your prefixes)".to_owned()
        }
        _ => "this server".to_owned(),
    };
    if principal.role >= role && within {
        Ok(())
    } else {
        Err(denial(principal, role, &on))
    }
}

/// The 403 message, worded as Confluent's RBAC words it; the registry uses it too, for
/// what it refuses by a request's content, so that every refusal reads alike.
pub fn denial(principal: &Principal, role: Role, on: &str) -> String {
    format!(
        "User {} is denied operation {} on {on}",
        principal.name,
        role.name()
    )
}

impl Principal {
    /// Whether the subject is within this principal's prefixes (always, without prefixes).
    pub fn may_touch(&self, subject: &str) -> bool {
        self.subject_prefixes
            .as_ref()
            .is_none_or(|prefixes| prefixes.iter().any(|p| subject.starts_with(p.as_str())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn need(method: Method, path: &str) -> Need {
        classify(&method, &path.parse().unwrap(), MetricsAccess::Admin)
    }

    #[test]
    fn routes_map_to_roles() {
        use Role::*;
        let s = |r, s: &str| Need::Subject(r, s.to_owned());
        for (method, path, expected) in [
            (Method::GET, "/", Need::Open),
            (Method::GET, "/health/", Need::Open),
            (Method::GET, "/metrics", Need::Global(Admin)),
            (
                Method::GET,
                "/subjects?subjectPrefix=a%2Eb",
                Need::Listing(Some("a.b".into())),
            ),
            (Method::GET, "/schemas", Need::Listing(None)),
            (
                Method::GET,
                "/schemas?subject%50refix=o+x&subjectPrefix=p",
                Need::Listing(Some("o x".into())),
            ),
            (Method::GET, "/schemas/ids/3", Need::Role(Read)),
            (Method::GET, "/schemas/ids/3/subjects", Need::Global(Read)),
            (Method::GET, "/subjects/a%2Fb/versions/1", s(Read, "a/b")),
            (Method::POST, "/subjects/x", s(Read, "x")),
            (Method::POST, "/subjects/x/versions", s(Write, "x")),
            (Method::DELETE, "/subjects/x", s(Write, "x")),
            (Method::DELETE, "/subjects/x/versions/1/", s(Write, "x")),
            (
                Method::POST,
                "/compatibility/subjects/x/versions/latest",
                s(Read, "x"),
            ),
            (Method::GET, "/config", Need::Role(Read)),
            (Method::PUT, "/config", Need::Global(Admin)),
            (Method::DELETE, "/config/", Need::Global(Admin)),
            (Method::PUT, "/mode", Need::Global(Admin)),
            (Method::GET, "/config/x", s(Read, "x")),
            (Method::PUT, "/config/x", s(Admin, "x")),
            (Method::PUT, "/config/:.team-a:", s(Admin, ":.team-a:")),
            (Method::PUT, "/config/:.__GLOBAL:", Need::Global(Admin)),
            (Method::PUT, "/mode/%3A.%3A", Need::Global(Admin)),
            (Method::DELETE, "/contexts/.a", Need::Global(Admin)),
            (Method::DELETE, "/mode/x", s(Admin, "x")),
            (Method::GET, "/associations/resources/-/t", Need::Role(Read)),
            (Method::PUT, "/", Need::Role(Read)),
            (Method::POST, "/", Need::Open),
            (Method::GET, "/subjects//versions", s(Read, "")),
            (Method::GET, "//subjects", Need::Role(Read)),
        ] {
            assert_eq!(need(method.clone(), path), expected, "{method} {path}");
        }
    }

    #[test]
    fn prefixes_limit_subjects_and_listings() {
        let p = Principal {
            name: "p".into(),
            role: Role::Write,
            subject_prefixes: Some(vec!["orders.".into()]),
        };
        assert!(authorize(&p, &Need::Subject(Role::Write, "orders.created".into())).is_ok());
        let denied = authorize(&p, &Need::Subject(Role::Write, "payments.x".into())).unwrap_err();
        assert_eq!(
            denied,
            "User p is denied operation Write on Subject: payments.x"
        );
        assert!(authorize(&p, &Need::Subject(Role::Admin, "orders.x".into())).is_err());
        assert!(authorize(&p, &Need::Listing(Some("orders.c".into()))).is_ok());
        assert!(authorize(&p, &Need::Listing(Some("o".into()))).is_err());
        assert!(authorize(&p, &Need::Listing(None)).is_err());
        assert!(authorize(&p, &Need::Global(Role::Read)).is_err());
        assert!(authorize(&p, &Need::Role(Role::Read)).is_ok());
    }
}
