//! The issuer JSON API (`/api/v1/...`): routes, request inputs, response views and paging.
//!
//! A request to the issuing component goes through these steps:
//!
//! 1. [`route`] matches method and path: unknown path → 404, known path with another method →
//!    405 with `Allow`.
//! 2. [`crate::auth::authenticate`] checks the bearer token against the route's [`Access`].
//! 3. The body is read under the 1 MiB cap ([`MAX_BODY`]; 413), must be `application/json`
//!    ([`require_json`]; 415), must parse (400) and must pass its input check in [`input`]
//!    (422). Nothing has been written yet.
//! 4. A service in [`crate::service`] does the work; the result becomes a view in [`views`].
//!
//! [`handler`] strings these steps together around the component's body read.

pub mod cohort;
pub mod handler;
pub mod views;

/// The OpenAPI 3.1 description of this API (`GET /api/v1/openapi.json`, no credentials).
/// Tests keep it true: every route is in it and everything in it is a route
/// (`api::tests`), it validates (`tests/interop`), and the README's examples call only
/// what it describes.
pub const OPENAPI: &str = include_str!("openapi.json");

/// The answer to `GET /api/v1/openapi.json`, if that is the request.
pub fn openapi(method: &str, path: &str) -> Option<crate::reply::Reply> {
    (path == "/api/v1/openapi.json" && matches!(method, "GET" | "HEAD")).then(|| {
        crate::reply::Reply::bytes(200, crate::reply::JSON, OPENAPI.as_bytes().to_vec())
            .with_header("access-control-allow-origin", "*")
    })
}

/// Every route as `(method, path template)`, in the OpenAPI document's spelling.
pub const ROUTES: &[(&str, &str)] = &[
    ("POST", "/issuers"),
    ("GET", "/issuers/{id}"),
    ("PATCH", "/issuers/{id}"),
    ("POST", "/issuers/{id}/keys"),
    ("GET", "/issuers/{id}/keys"),
    ("DELETE", "/issuers/{id}/keys/{key_id}"),
    ("POST", "/issuers/{id}/signing-key"),
    ("POST", "/issuers/{id}/webhook-secret"),
    ("POST", "/badgeclasses"),
    ("GET", "/badgeclasses"),
    ("GET", "/badgeclasses/{id}"),
    ("PATCH", "/badgeclasses/{id}"),
    ("GET", "/badgeclasses/{id}/assertions"),
    ("POST", "/badgeclasses/{id}/awards"),
    ("POST", "/assertions"),
    ("GET", "/assertions/{id}"),
    ("POST", "/assertions/{id}/revoke"),
    ("POST", "/assertions/{id}/recertify"),
    ("POST", "/assertions/{id}/resend"),
    ("POST", "/assertions/{id}/replace"),
    ("GET", "/assertions/{id}/shares"),
    ("GET", "/assertions/{id}/signed"),
    ("POST", "/suppressions"),
    ("POST", "/suppressions/remove"),
    ("POST", "/mail/flush"),
];

// The validated inputs and paging live with the services that take them.
pub use crate::service::{input, paging};

use crate::auth::Access;
use crate::error::{Error, NotFound};

/// Largest request body accepted by the JSON API (images travel inside it): 1 MiB.
pub const MAX_BODY: usize = 1024 * 1024;

/// Path prefix of the API.
pub const PREFIX: &str = "/api/v1";

/// An API route with its path parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `POST /issuers` (admin).
    CreateIssuer,
    /// `GET /issuers/:id` (admin or that issuer).
    GetIssuer(String),
    /// `PATCH /issuers/:id` (admin or that issuer): settings such as `webhook_url`.
    UpdateIssuer(String),
    /// `POST /issuers/:id/keys` (admin).
    CreateKey(String),
    /// `GET /issuers/:id/keys` (admin).
    ListKeys(String),
    /// `DELETE /issuers/:id/keys/:key_id` (admin).
    DeleteKey(String, String),
    /// `POST /badgeclasses` (issuer).
    CreateBadge,
    /// `GET /badgeclasses` (issuer).
    ListBadges,
    /// `GET /badgeclasses/:id` (issuer).
    GetBadge(String),
    /// `GET /badgeclasses/:id/assertions` (issuer).
    ListAwards(String),
    /// `POST /assertions` (issuer).
    CreateAward,
    /// `GET /assertions/:id` (issuer).
    GetAward(String),
    /// `POST /assertions/:id/revoke` (issuer).
    Revoke(String),
    /// `POST /assertions/:id/recertify` (issuer).
    Recertify(String),
    /// `GET /assertions/:id/shares` (issuer): share clicks per target.
    Shares(String),
    /// `POST /assertions/:id/resend` (issuer): a new claim link and award email.
    Resend(String),
    /// `POST /issuers/:id/signing-key` (that issuer): turn signed badges on.
    EnableSigning(String),
    /// `GET /assertions/:id/signed` (issuer): the award as a signed compact JWS.
    SignAward(String),
    /// `POST /badgeclasses/:id/awards` (issuer): award a cohort (JSON or CSV).
    AwardCohort(String),
    /// `PATCH /badgeclasses/:id` (issuer): edit a class (a new version if what was earned
    /// changes).
    UpdateBadge(String),
    /// `POST /assertions/:id/replace` (issuer): fix a mistyped address.
    Replace(String),
    /// `POST /issuers/:id/webhook-secret` (admin or that issuer): a new webhook signing secret.
    RotateWebhookSecret(String),
    /// `POST /mail/flush` (admin): attempt the due emails of the outbox (for a scheduler).
    FlushMail,
    /// `POST /suppressions` (issuer): stop email to an address.
    Suppress,
    /// `POST /suppressions/remove` (issuer): email an address again.
    Unsuppress,
}

impl Route {
    /// Who may call this route.
    pub fn access(&self) -> Access {
        match self {
            Self::CreateIssuer
            | Self::CreateKey(_)
            | Self::ListKeys(_)
            | Self::DeleteKey(..)
            | Self::FlushMail => Access::Admin,
            Self::GetIssuer(_) | Self::UpdateIssuer(_) | Self::RotateWebhookSecret(_) => {
                Access::AdminOrIssuer
            }
            _ => Access::Issuer,
        }
    }

    /// Whether the route reads a request body.
    pub fn has_body(&self) -> bool {
        matches!(
            self,
            Self::CreateIssuer
                | Self::UpdateIssuer(_)
                | Self::CreateKey(_)
                | Self::CreateBadge
                | Self::CreateAward
                | Self::Revoke(_)
                | Self::Recertify(_)
                | Self::Suppress
                | Self::Unsuppress
                | Self::AwardCohort(_)
                | Self::Replace(_)
                | Self::UpdateBadge(_)
        )
    }

    /// The largest body the route reads: 4 MiB for a cohort (5,000 rows), else [`MAX_BODY`].
    pub fn max_body(&self) -> usize {
        match self {
            Self::AwardCohort(_) => cohort::MAX_COHORT_BODY,
            _ => MAX_BODY,
        }
    }

    /// Whether an empty body stands for `{}` (all fields optional).
    pub fn empty_body_ok(&self) -> bool {
        matches!(self, Self::CreateKey(_))
    }
}

/// Match a method and a full path (`/api/v1/...`) to a route.
pub fn route(method: &str, path: &str) -> Result<Route, Error> {
    let not_found = || {
        Error::NotFound(NotFound::Route {
            path: path.to_owned(),
        })
    };
    let rest = path.strip_prefix(PREFIX).ok_or_else(not_found)?;
    let segments: Vec<&str> = match rest.strip_prefix('/') {
        Some(rest) => rest.split('/').collect(),
        None => return Err(not_found()),
    };
    if segments.iter().any(|s| s.is_empty()) {
        return Err(not_found());
    }
    let owned = |s: &str| s.to_owned();
    let (allow, matched): (&'static [&'static str], Option<Route>) =
        match (segments.as_slice(), method) {
            (["issuers"], m) => (&["POST"], (m == "POST").then_some(Route::CreateIssuer)),
            (["mail", "flush"], m) => (&["POST"], (m == "POST").then_some(Route::FlushMail)),
            (["suppressions"], m) => (&["POST"], (m == "POST").then_some(Route::Suppress)),
            (["suppressions", "remove"], m) => {
                (&["POST"], (m == "POST").then_some(Route::Unsuppress))
            }
            (["issuers", id], m) => (
                &["GET", "PATCH"],
                match m {
                    "GET" => Some(Route::GetIssuer(owned(id))),
                    "PATCH" => Some(Route::UpdateIssuer(owned(id))),
                    _ => None,
                },
            ),
            (["issuers", id, "keys"], m) => (
                &["GET", "POST"],
                match m {
                    "POST" => Some(Route::CreateKey(owned(id))),
                    "GET" => Some(Route::ListKeys(owned(id))),
                    _ => None,
                },
            ),
            (["issuers", id, "keys", key_id], m) => (
                &["DELETE"],
                (m == "DELETE").then(|| Route::DeleteKey(owned(id), owned(key_id))),
            ),
            (["badgeclasses"], m) => (
                &["GET", "POST"],
                match m {
                    "POST" => Some(Route::CreateBadge),
                    "GET" => Some(Route::ListBadges),
                    _ => None,
                },
            ),
            (["badgeclasses", id], m) => (
                &["GET", "PATCH"],
                match m {
                    "GET" => Some(Route::GetBadge(owned(id))),
                    "PATCH" => Some(Route::UpdateBadge(owned(id))),
                    _ => None,
                },
            ),
            (["badgeclasses", id, "awards"], m) => (
                &["POST"],
                (m == "POST").then(|| Route::AwardCohort(owned(id))),
            ),
            (["badgeclasses", id, "assertions"], m) => {
                (&["GET"], (m == "GET").then(|| Route::ListAwards(owned(id))))
            }
            (["assertions"], m) => (&["POST"], (m == "POST").then_some(Route::CreateAward)),
            (["assertions", id], m) => (&["GET"], (m == "GET").then(|| Route::GetAward(owned(id)))),
            (["assertions", id, "revoke"], m) => {
                (&["POST"], (m == "POST").then(|| Route::Revoke(owned(id))))
            }
            (["assertions", id, "shares"], m) => {
                (&["GET"], (m == "GET").then(|| Route::Shares(owned(id))))
            }
            (["issuers", id, "webhook-secret"], m) => (
                &["POST"],
                (m == "POST").then(|| Route::RotateWebhookSecret(owned(id))),
            ),
            (["issuers", id, "signing-key"], m) => (
                &["POST"],
                (m == "POST").then(|| Route::EnableSigning(owned(id))),
            ),
            (["assertions", id, "signed"], m) => {
                (&["GET"], (m == "GET").then(|| Route::SignAward(owned(id))))
            }
            (["assertions", id, "recertify"], m) => (
                &["POST"],
                (m == "POST").then(|| Route::Recertify(owned(id))),
            ),
            (["assertions", id, "replace"], m) => {
                (&["POST"], (m == "POST").then(|| Route::Replace(owned(id))))
            }
            (["assertions", id, "resend"], m) => {
                (&["POST"], (m == "POST").then(|| Route::Resend(owned(id))))
            }
            _ => return Err(not_found()),
        };
    matched.ok_or(Error::MethodNotAllowed { allow })
}

/// 415 unless `content_type` is `application/json` (parameters such as `charset=utf-8` are
/// allowed).
pub fn require_json(content_type: Option<&str>) -> Result<(), Error> {
    let essence = content_type
        .and_then(|ct| ct.split(';').next())
        .map(|ct| ct.trim().to_ascii_lowercase());
    match essence.as_deref() {
        Some("application/json") => Ok(()),
        _ => Err(Error::UnsupportedMediaType {
            found: content_type.map(str::to_owned),
            expected: "application/json",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `template` with its `{params}` filled in.
    fn concrete(template: &str) -> String {
        let mut out = String::from(PREFIX);
        for part in template.split('/').skip(1) {
            out.push('/');
            out.push_str(if part.starts_with('{') { "x1" } else { part });
        }
        out
    }

    #[test]
    fn every_route_is_in_the_openapi_document_and_every_documented_operation_is_a_route() {
        let doc: serde_json::Value = serde_json::from_str(OPENAPI).expect("OpenAPI JSON");
        assert_eq!(doc["openapi"], "3.1.0");
        let mut documented: Vec<(String, String)> = Vec::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for method in item.as_object().expect("path item").keys() {
                documented.push((method.to_ascii_uppercase(), path.clone()));
            }
        }
        documented.retain(|(_, p)| p != "/openapi.json");
        documented.sort();
        let mut routes: Vec<(String, String)> = ROUTES
            .iter()
            .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
            .collect();
        routes.sort();
        assert_eq!(documented, routes, "the document and ROUTES differ");
        for (method, template) in ROUTES {
            let path = concrete(template);
            assert!(
                route(method, &path).is_ok(),
                "{method} {path} is not routed"
            );
        }
        // And nothing else is routed: every other method on those paths is 405.
        for (_, template) in ROUTES {
            let path = concrete(template);
            for method in ["GET", "POST", "PATCH", "DELETE", "PUT"] {
                let listed = ROUTES
                    .iter()
                    .any(|(m, t)| *m == method && concrete(t) == path);
                assert_eq!(route(method, &path).is_ok(), listed, "{method} {path}");
            }
        }
    }

    #[test]
    fn the_readme_calls_only_documented_routes() {
        let readme = include_str!("../../../../README.md");
        let doc: serde_json::Value = serde_json::from_str(OPENAPI).expect("OpenAPI JSON");
        let mut seen = 0;
        for line in readme.lines().filter(|l| l.contains("/api/v1/")) {
            for (at, _) in line.match_indices("/api/v1/") {
                let rest = &line[at + PREFIX.len()..];
                let end = rest
                    .find(|c: char| c.is_whitespace() || matches!(c, '`' | '"' | '\'' | '?' | ')'))
                    .unwrap_or(rest.len());
                let path = &rest[..end];
                if path.is_empty() || path.contains('…') || path == "/..." {
                    continue;
                }
                // `$VAR` and `:id` segments stand for any value.
                let normal: Vec<&str> = path
                    .split('/')
                    .skip(1)
                    .map(|s| {
                        if s.starts_with('$') || s.starts_with(':') {
                            "{}"
                        } else {
                            s
                        }
                    })
                    .collect();
                let known = doc["paths"].as_object().expect("paths").keys().any(|p| {
                    let parts: Vec<&str> = p.split('/').skip(1).collect();
                    parts.len() == normal.len()
                        && parts.iter().zip(&normal).all(|(a, b)| {
                            a == b || (a.starts_with('{') && (*b == "{}" || !b.is_empty()))
                        })
                });
                assert!(
                    known,
                    "README calls {PREFIX}{path}, which the OpenAPI document does not describe: {line}"
                );
                seen += 1;
            }
        }
        assert!(
            seen >= 20,
            "only {seen} README references to the API were found"
        );
    }

    #[test]
    fn every_documented_route_matches() {
        let id = "0b9e5a5c-1f5e-4b7b-9f4c-2e1a6a9b7c3d";
        let cases = [
            ("POST", "/api/v1/issuers".to_owned(), Route::CreateIssuer),
            (
                "GET",
                format!("/api/v1/issuers/{id}"),
                Route::GetIssuer(id.into()),
            ),
            (
                "POST",
                format!("/api/v1/issuers/{id}/keys"),
                Route::CreateKey(id.into()),
            ),
            (
                "GET",
                format!("/api/v1/issuers/{id}/keys"),
                Route::ListKeys(id.into()),
            ),
            (
                "DELETE",
                format!("/api/v1/issuers/{id}/keys/abcdefgh"),
                Route::DeleteKey(id.into(), "abcdefgh".into()),
            ),
            (
                "POST",
                "/api/v1/badgeclasses".to_owned(),
                Route::CreateBadge,
            ),
            ("GET", "/api/v1/badgeclasses".to_owned(), Route::ListBadges),
            (
                "GET",
                format!("/api/v1/badgeclasses/{id}"),
                Route::GetBadge(id.into()),
            ),
            (
                "GET",
                format!("/api/v1/badgeclasses/{id}/assertions"),
                Route::ListAwards(id.into()),
            ),
            ("POST", "/api/v1/assertions".to_owned(), Route::CreateAward),
            (
                "GET",
                format!("/api/v1/assertions/{id}"),
                Route::GetAward(id.into()),
            ),
            (
                "POST",
                format!("/api/v1/assertions/{id}/revoke"),
                Route::Revoke(id.into()),
            ),
            (
                "POST",
                format!("/api/v1/assertions/{id}/recertify"),
                Route::Recertify(id.into()),
            ),
            (
                "GET",
                format!("/api/v1/assertions/{id}/shares"),
                Route::Shares(id.into()),
            ),
            (
                "POST",
                format!("/api/v1/assertions/{id}/resend"),
                Route::Resend(id.into()),
            ),
            (
                "PATCH",
                format!("/api/v1/issuers/{id}"),
                Route::UpdateIssuer(id.into()),
            ),
        ];
        for (method, path, expected) in cases {
            assert_eq!(route(method, &path), Ok(expected), "{method} {path}");
        }
    }

    #[test]
    fn a_known_path_with_another_method_is_405_with_allow() {
        assert_eq!(
            route("DELETE", "/api/v1/badgeclasses"),
            Err(Error::MethodNotAllowed {
                allow: &["GET", "POST"]
            })
        );
        assert_eq!(
            route("GET", "/api/v1/issuers"),
            Err(Error::MethodNotAllowed { allow: &["POST"] })
        );
    }

    #[test]
    fn unknown_paths_are_404() {
        for path in [
            "/api/v1",
            "/api/v1/",
            "/api/v1/nothing",
            "/api/v1/issuers/",
            "/api/v1/issuers//keys",
            "/api/v1/assertions/x/y/z",
            "/api/v2/issuers",
        ] {
            let e = route("GET", path).expect_err(path);
            assert_eq!(e.status(), 404, "{path}");
        }
    }

    #[test]
    fn admin_routes_and_issuer_routes_are_told_apart() {
        assert_eq!(Route::CreateIssuer.access(), Access::Admin);
        assert_eq!(
            Route::DeleteKey("i".into(), "k".into()).access(),
            Access::Admin
        );
        assert_eq!(Route::GetIssuer("i".into()).access(), Access::AdminOrIssuer);
        assert_eq!(Route::CreateAward.access(), Access::Issuer);
    }

    #[test]
    fn only_application_json_bodies_are_accepted() {
        assert_eq!(require_json(Some("application/json")), Ok(()));
        assert_eq!(
            require_json(Some("Application/JSON; charset=utf-8")),
            Ok(())
        );
        for bad in [
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
            None,
        ] {
            let e = require_json(bad).expect_err("415");
            assert_eq!(e.status(), 415);
        }
    }
}
