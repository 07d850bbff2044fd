//! Public hosting of Open Badges 3.0 documents (the `credentials` component).
//!
//! | route | document |
//! |---|---|
//! | `/credentials/:award-id` | the award's `OpenBadgeCredential`, signed (`eddsa-rdfc-2022`) |
//! | `/achievements/:badge-id` | the badge class as an `Achievement` |
//! | `/profiles/:issuer-id` | the issuer's `Profile`, also its controller document (the key) |
//! | `/profiles/:issuer-id/revocations` | the issuer's `1EdTechRevocationList` |
//! | `/profiles/:issuer-id/keys/:kid` | the issuer's key as a `Multikey` verification method |
//! | `/profiles/:issuer-id/status/:n` | the issuer's `n`th Bitstring status list, signed |
//! | `/profiles/:issuer-id/jwks` | the issuer's JWK Set (the keys VC-JWTs are signed with) |
//! | `/profiles/:issuer-id/jwks/:kid` | one of them as a bare JWK (what a VC-JWT's `kid` names) |
//! | `/profiles/:issuer-id/did.json` | the issuer's DID document: `did:web:<host>:profiles:<issuer-id>` resolves here |
//!
//! GET and HEAD only. `Accept: application/vc+jwt` (or `?alg=`) gets the credential as a
//! VC-JWT: `ES256` by default, `?alg=EdDSA` or `?alg=RS256` for the others. JSON by default: the credential as `application/vc+ld+json`, the others
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
pub use crate::service::credentials::JwtAlg;

/// The media type of a credential with an embedded proof.
pub const VC_LD_JSON: &str = "application/vc+ld+json";
/// The media type of a VC-JWT.
pub const VC_JWT: &str = "application/vc+jwt";
/// The media type of a JWK (RFC 7517 §8.5).
pub const JWK_JSON: &str = "application/jwk+json";
/// The media type of a JWK Set (RFC 7517 §8.5).
pub const JWK_SET_JSON: &str = "application/jwk-set+json";
/// The media type of a DID document in JSON (DID Core §6.2).
pub const DID_JSON: &str = "application/did+json";

/// The VC-JWT algorithm the client asks for, if it asks for the VC-JWT: `Accept:
/// application/vc+jwt` (or `application/jwt`) gets the default algorithm, `?alg=` names one
/// (and asks for the JWT by itself). An unknown `alg` is a 400.
pub fn wants_jwt(accept: Option<&str>, query: Option<&str>) -> Result<Option<JwtAlg>, Error> {
    let named = query
        .unwrap_or_default()
        .split('&')
        .find_map(|pair| pair.strip_prefix("alg="));
    match named {
        Some(name) => JwtAlg::parse(name)
            .map(Some)
            .ok_or_else(|| Error::invalid("alg", "must be ES256, EdDSA or RS256")),
        None => Ok(accepts_jwt(accept).then(JwtAlg::default)),
    }
}

fn accepts_jwt(accept: Option<&str>) -> bool {
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
    /// `/profiles/:id/status/:n`
    StatusList(String, u64),
    /// `/profiles/:id/jwks`
    Jwks(String),
    /// `/profiles/:id/jwks/:kid`
    Jwk(String, String),
    /// `/profiles/:id/did.json`
    DidDocument(String),
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
        ["profiles", id, "status", n]
            if !n.is_empty() && n.len() <= 4 && n.bytes().all(|b| b.is_ascii_digit()) =>
        {
            Route::StatusList((*id).to_owned(), n.parse().unwrap_or(u64::MAX))
        }
        ["profiles", id, "jwks"] => Route::Jwks((*id).to_owned()),
        ["profiles", id, "did.json"] => Route::DidDocument((*id).to_owned()),
        ["profiles", id, "jwks", kid] => Route::Jwk((*id).to_owned(), (*kid).to_owned()),
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
    jwt: Option<JwtAlg>,
) -> Result<Reply, Error> {
    if let (Route::Credential(id), Some(alg)) = (route, jwt) {
        let token = credentials::credential_jwt(env, id, alg).await?;
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
            Route::Profile(id)
            | Route::Revocations(id)
            | Route::Key(id, _)
            | Route::StatusList(id, _)
            | Route::Jwks(id)
            | Route::Jwk(id, _)
            | Route::DidDocument(id) => env.base.issuer(id),
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
        Route::StatusList(id, n) => (credentials::status_list(env, id, *n).await?, VC_LD_JSON),
        Route::Jwks(id) => (credentials::jwks(env, id).await?, JWK_SET_JSON),
        Route::Jwk(id, kid) => (
            credentials::published_jwk(env.kv, env.base, id, kid).await?,
            JWK_JSON,
        ),
        Route::DidDocument(id) => (credentials::did_document(env, id).await?, DID_JSON),
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
        assert_eq!(
            route("GET", "/profiles/x/jwks/k"),
            Ok(Route::Jwk("x".into(), "k".into()))
        );
        assert_eq!(
            route("GET", "/profiles/x/status/0"),
            Ok(Route::StatusList("x".into(), 0))
        );
        assert!(matches!(
            route("GET", "/profiles/x/status/-1"),
            Err(Error::NotFound(_))
        ));
        assert_eq!(
            route("GET", "/profiles/x/did.json"),
            Ok(Route::DidDocument("x".into()))
        );
    }

    #[test]
    fn the_jwt_is_asked_for_by_accept_or_by_alg_and_an_unknown_alg_is_refused() {
        assert_eq!(wants_jwt(Some("application/json"), None), Ok(None));
        assert_eq!(
            wants_jwt(Some("application/vc+jwt"), None),
            Ok(Some(JwtAlg::Es256))
        );
        assert_eq!(
            wants_jwt(None, Some("x=1&alg=rs256")),
            Ok(Some(JwtAlg::Rs256))
        );
        assert!(wants_jwt(Some("application/vc+jwt"), Some("alg=none")).is_err());
    }
}
