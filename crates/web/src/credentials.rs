//! Public hosting of Open Badges 3.0 documents (the `credentials` component).
//!
//! | route | document |
//! |---|---|
//! | `/credentials/:award-id` | the award's `OpenBadgeCredential`, signed (`eddsa-rdfc-2022`) |
//! | `/achievements/:badge-id` | the badge class as an `Achievement` |
//! | `/profiles/:issuer-id` | the issuer's `Profile`, also its controller document (the key) |
//! | `/profiles/:issuer-id/revocations` | the issuer's `1EdTechRevocationList` |
//! | `/profiles/:issuer-id/keys/:kid` | the issuer's key as a `Multikey` verification method |
//!
//! GET and HEAD only. `Accept: application/vc+jwt` gets the credential as a VC-JWT (`EdDSA`,
//! the same key). JSON by default: the credential as `application/vc+ld+json`, the others
//! as `application/ld+json` (`application/json` when asked for); a browser asking for HTML is
//! sent (303) to the matching 2.0 page, which shows the same award, badge or issuer. Caching,
//! CORS, ETag and 304 follow the 2.0 hosting rules ([`crate::hosting`]).

use serde_json::Value;

use crate::env::Env;
use crate::error::{Error, NotFound};
use crate::hosting::{ALLOW, CACHE, VARY};
use crate::kv::Kv;
use crate::negotiate::Representation;
use crate::present::{self, Surface};
use crate::reply::Reply;
use crate::service::credentials;

/// The media type of a credential with an embedded proof.
pub const VC_LD_JSON: &str = "application/vc+ld+json";
/// The media type of a VC-JWT.
pub const VC_JWT: &str = "application/vc+jwt";

/// Whether the client asks for the VC-JWT (`Accept: application/vc+jwt` or `application/jwt`).
pub fn wants_jwt(accept: Option<&str>) -> bool {
    accept.is_some_and(|a| {
        a.split(',').any(|part| {
            let media = part.split(';').next().unwrap_or_default().trim();
            media.eq_ignore_ascii_case(VC_JWT) || media.eq_ignore_ascii_case("application/jwt")
        })
    })
}

/// A route of the component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `/credentials/:id`
    Credential(String),
    /// `/achievements/:id`
    Achievement(String),
    /// `/profiles/:id`
    Profile(String),
    /// `/profiles/:id/revocations`
    Revocations(String),
    /// `/profiles/:id/keys/:kid`
    Key(String, String),
}

/// Match a method and path.
pub fn route(method: &str, path: &str) -> Result<Route, Error> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let route = match segments.as_slice() {
        ["credentials", id] => Route::Credential((*id).to_owned()),
        ["achievements", id] => Route::Achievement((*id).to_owned()),
        ["profiles", id] => Route::Profile((*id).to_owned()),
        ["profiles", id, "revocations"] => Route::Revocations((*id).to_owned()),
        ["profiles", id, "keys", kid] => Route::Key((*id).to_owned(), (*kid).to_owned()),
        _ => {
            return Err(Error::NotFound(NotFound::Route {
                path: path.to_owned(),
            }));
        }
    };
    if !ALLOW.contains(&method) {
        return Err(Error::MethodNotAllowed { allow: ALLOW });
    }
    Ok(route)
}

/// Serve a route.
pub async fn serve<K: Kv + ?Sized>(
    env: &Env<'_, K>,
    route: &Route,
    rep: Representation,
    jwt: bool,
) -> Result<Reply, Error> {
    if let (Route::Credential(id), true) = (route, jwt) {
        let token = credentials::credential_jwt(env, id).await?;
        return Ok(present::secure(
            Reply::bytes(200, VC_JWT, token.into_bytes()),
            Surface::Document,
        )
        .with_header("access-control-allow-origin", "*")
        .with_header("cache-control", CACHE)
        .with_header("vary", VARY));
    }
    if rep == Representation::Html {
        let page = match route {
            Route::Credential(id) => env.base.assertion(id),
            Route::Achievement(id) => env.base.badge(id),
            Route::Profile(id) | Route::Revocations(id) | Route::Key(id, _) => env.base.issuer(id),
        };
        return Ok(Reply::empty(303)
            .with_header("location", page)
            .with_header("cache-control", CACHE)
            .with_header("vary", VARY));
    }
    let (doc, media_type) = match route {
        Route::Credential(id) => (credentials::credential(env, id).await?, VC_LD_JSON),
        Route::Achievement(id) => (
            credentials::achievement(env.kv, env.base, id).await?,
            Representation::LdJson.content_type(),
        ),
        Route::Profile(id) => (
            credentials::profile(env, id).await?,
            Representation::LdJson.content_type(),
        ),
        Route::Revocations(id) => (
            credentials::revocation_list(env.kv, env.base, id).await?,
            Representation::LdJson.content_type(),
        ),
        Route::Key(id, kid) => (
            credentials::published_key(env.kv, env.base, id, kid).await?,
            Representation::LdJson.content_type(),
        ),
    };
    let media_type = if rep == Representation::Json {
        Representation::Json.content_type()
    } else {
        media_type
    };
    Ok(document(media_type, &doc))
}

fn document(media_type: &str, doc: &Value) -> Reply {
    let body = serde_json::to_vec(doc).unwrap_or_default();
    present::secure(Reply::bytes(200, media_type, body), Surface::Document)
        .with_header("access-control-allow-origin", "*")
        .with_header("cache-control", CACHE)
        .with_header("vary", VARY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_match_and_other_paths_and_methods_do_not() {
        assert_eq!(
            route("GET", "/credentials/abc"),
            Ok(Route::Credential("abc".into()))
        );
        assert_eq!(
            route("HEAD", "/profiles/x/revocations"),
            Ok(Route::Revocations("x".into()))
        );
        assert!(matches!(
            route("GET", "/credentials/abc/extra"),
            Err(Error::NotFound(_))
        ));
        assert!(matches!(
            route("POST", "/achievements/a"),
            Err(Error::MethodNotAllowed { .. })
        ));
    }
}
