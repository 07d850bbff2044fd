//! Public hosting of Open Badges 2.0 objects: routes, representations and caching rules.
//!
//! A request to the hosting component goes through these steps:
//!
//! 1. [`route`] matches the path (`/issuers/:id`, `/issuers/:id/image`,
//!    `/issuers/:id/revocations`, `/badges/:id`, `/badges/:id/image`, `/assertions/:id`);
//!    only GET and HEAD are allowed (405 with `Allow: GET, HEAD`).
//! 2. [`crate::negotiate::negotiate`] picks JSON-LD (default), JSON or HTML from `Accept`
//!    (and `User-Agent` for link-preview crawlers).
//! 3. The object is read with O(1) store reads and rendered ([`crate::ob2`]; the HTML pages
//!    are `emblem_pages::hosting`'s, which calls [`serve`] for everything else). For
//!    assertions ([`assertion`]):
//!    - revoked: 410 with `{revoked: true, revocationReason}` (JSON) or a revoked page (HTML;
//!      the full page only for public, accepted awards, else a short notice), docs/standards/ob2.md §3.3
//!      . Revocation wins over rejection, as in the derived status;
//!    - rejected by the recipient: 404 (JSON and HTML);
//!    - private or not yet accepted: the JSON is served (verifiers holding an emailed or baked
//!      badge must still be able to verify it, docs/standards/ob2.md §3.4), the HTML page is 404;
//!    - expired: 200, the JSON unchanged (it carries `expires`), the page says "Expired".
//! 4. Headers: JSON gets `Access-Control-Allow-Origin: *`; everything gets
//!    `Cache-Control: public, max-age=30` (so a revocation shows within a minute),
//!    `Vary: Accept, User-Agent` and `X-Content-Type-Options: nosniff`; HTML gets a strict CSP
//!    without scripts; uploaded SVG gets the image policy (security headers by
//!    [`crate::present`]).
//! 5. [`finish`] adds a strong `ETag` (SHA-256 of the body) to 200 and 410 responses, answers
//!    a matching `If-None-Match` with 304, and drops the body for HEAD.
//!
//! Failures are problem+json for JSON clients and a short HTML page for browsers
//! ([`failure`], with the notice `emblem_pages::hosting` renders).

mod cache;
mod conditional;

pub use cache::RenderCache;
pub use conditional::{etag, finish, if_none_match, with_etag};

use std::cell::RefCell;

use serde::Serialize;
use serde::de::DeserializeOwned;
use time::OffsetDateTime;

use crate::base_url::BaseUrl;
use crate::error::{Error, Internal, NotFound, ObjectKind};
use crate::ids;
use crate::kv::{self, Kv};
use crate::model::award::{Award, Status};
use crate::model::badge::BadgeClass;
use crate::model::issuer::Issuer;
use crate::model::revocations::RevocationList;
use crate::model::signing_key::ActiveKey;
use crate::model::stored_image::StoredImage;
use crate::negotiate::Representation;
use crate::ob2::{
    self, AssertionDoc, BadgeClassDoc, IssuerDoc, RevocationListDoc, RevokedAssertionDoc,
};
use crate::present::{self, Surface};
use crate::reply::Reply;
use crate::service::{badges, signing};
use crate::store_keys;

/// Methods the hosting routes accept.
pub const ALLOW: &[&str] = &["GET", "HEAD"];
/// Caching of documents and pages.
pub const CACHE: &str = "public, max-age=30";
/// Caching of uploaded images (they never change once uploaded).
pub const IMAGE_CACHE: &str = "public, max-age=3600";
/// Content-Security-Policy of HTML pages.
/// Responses depend on these request headers.
pub const VARY: &str = "Accept, User-Agent";

/// A hosting route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `/issuers/:id`
    Issuer(String),
    /// `/issuers/:id/image`
    IssuerImage(String),
    /// `/issuers/:id/revocations`
    Revocations(String),
    /// `/badges/:id`
    Badge(String),
    /// `/badges/:id/image`
    BadgeImage(String),
    /// `/assertions/:id`
    Assertion(String),
    /// `/issuers/:id/keys/:kid`: a CryptographicKey (signed badges).
    Key(String, String),
}

/// Match a method and path.
pub fn route(method: &str, path: &str) -> Result<Route, Error> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let id = |s: &str| s.to_owned();
    let route = match segments.as_slice() {
        ["issuers", i] => Route::Issuer(id(i)),
        ["issuers", i, "image"] => Route::IssuerImage(id(i)),
        ["issuers", i, "revocations"] => Route::Revocations(id(i)),
        ["issuers", i, "keys", k] => Route::Key(id(i), id(k)),
        ["badges", i] => Route::Badge(id(i)),
        ["badges", i, "image"] => Route::BadgeImage(id(i)),
        ["assertions", i] => Route::Assertion(id(i)),
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

fn json_doc<T: Serialize>(status: u16, rep: Representation, doc: &T) -> Reply {
    let rep = if rep.is_json() {
        rep
    } else {
        Representation::LdJson
    };
    present::secure(
        Reply::bytes(status, rep.content_type(), ob2::to_vec(doc)),
        Surface::Document,
    )
    .with_header("access-control-allow-origin", "*")
    .with_header("cache-control", CACHE)
    .with_header("vary", VARY)
}

/// An HTML page of a hosted object, with the hosting cache rules (the pages themselves are
/// rendered by `emblem-pages`).
pub fn html_reply(status: u16, body: Vec<u8>, cache: &str) -> Reply {
    present::page(Surface::Page, status, body)
        .with_header("cache-control", cache)
        .with_header("vary", VARY)
}

/// Two records in one `get_many`.
pub async fn load_two<K: Kv + ?Sized, A: DeserializeOwned, B: DeserializeOwned>(
    kv: &K,
    a: String,
    b: String,
) -> Result<(Option<A>, Option<B>), Error> {
    let keys = [a, b];
    let mut values = kv.get_many(&keys).await?.into_iter();
    let first = match values.next().flatten() {
        Some(bytes) => Some(kv::decode(&keys[0], &bytes)?),
        None => None,
    };
    let second = match values.next().flatten() {
        Some(bytes) => Some(kv::decode(&keys[1], &bytes)?),
        None => None,
    };
    Ok((first, second))
}

/// `/issuers/:id`: the issuer Profile (1 read).
pub async fn issuer<K: Kv + ?Sized>(
    kv: &K,
    base: &BaseUrl,
    id: &str,
    rep: Representation,
) -> Result<Reply, Error> {
    if !ids::is_valid(id) {
        return Err(Error::not_found(ObjectKind::Issuer, id));
    }
    // The profile and its active signing key (if any) in one round trip.
    let (issuer, active) =
        load_two::<_, Issuer, ActiveKey>(kv, store_keys::issuer(id), store_keys::signing(id))
            .await?;
    let issuer = issuer.ok_or_else(|| Error::not_found(ObjectKind::Issuer, id))?;
    let mut doc = IssuerDoc::new(&issuer, base);
    if let Some(active) = active {
        doc = doc.with_public_key(signing::key_url(base, id, &active.kid));
    }
    Ok(json_doc(200, rep, &doc))
}

/// `/issuers/:id/keys/:kid`: the public half of a signing key as a CryptographicKey (JSON
/// only; the private key is never served).
pub async fn key<K: Kv + ?Sized>(
    kv: &K,
    base: &BaseUrl,
    issuer_id: &str,
    kid: &str,
    rep: Representation,
) -> Result<Reply, Error> {
    let not_found = || {
        Error::NotFound(NotFound::Route {
            path: format!("/issuers/{issuer_id}/keys/{kid}"),
        })
    };
    if !ids::is_valid(issuer_id)
        || kid.is_empty()
        || !kid.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Err(not_found());
    }
    let key = signing::load(kv, issuer_id, kid)
        .await?
        .ok_or_else(not_found)?;
    Ok(json_doc(200, rep, &signing::key_doc(&key, base)))
}

/// `/badges/:id`: the BadgeClass (1 read; 2 for HTML).
pub async fn badge<K: Kv + ?Sized>(
    kv: &K,
    base: &BaseUrl,
    id: &str,
    rep: Representation,
) -> Result<Reply, Error> {
    let badge = badges::load(kv, id).await?;
    Ok(json_doc(200, rep, &BadgeClassDoc::new(&badge, base)))
}

/// The stored bytes of the award `id` (1 read), or 404 for an id Emblem never issues or does
/// not hold.
pub async fn award_record<K: Kv + ?Sized>(kv: &K, id: &str) -> Result<Vec<u8>, Error> {
    if !ids::is_valid(id) {
        return Err(Error::not_found(ObjectKind::Assertion, id));
    }
    kv.get(&store_keys::award(id))
        .await?
        .ok_or_else(|| Error::not_found(ObjectKind::Assertion, id))
}

/// `/assertions/:id`: the Assertion, by state (1 read for JSON; 2 round trips for HTML).
pub async fn assertion<K: Kv + ?Sized>(
    kv: &K,
    base: &BaseUrl,
    now: OffsetDateTime,
    id: &str,
    rep: Representation,
    cache: &RefCell<RenderCache>,
) -> Result<Reply, Error> {
    let key = store_keys::award(id);
    let record = award_record(kv, id).await?;
    if rep.is_json()
        && let Some(hit) = cache.borrow().lookup(id, rep, base.as_str(), &record)
    {
        return Ok(hit);
    }
    let award: Award = kv::decode(&key, &record)?;
    let reply = render_assertion(base, now, id, rep, &award)?;
    if rep.is_json() {
        let reply = with_etag(reply);
        cache
            .borrow_mut()
            .store(id, rep, base.as_str(), &record, &reply);
        return Ok(reply);
    }
    Ok(reply)
}

fn render_assertion(
    base: &BaseUrl,
    now: OffsetDateTime,
    id: &str,
    rep: Representation,
    award: &Award,
) -> Result<Reply, Error> {
    match award.status(now) {
        // Revocation is public anyway (the issuer's revocation list names the assertion), and
        // wins over rejection.
        Status::Revoked => Ok(json_doc(410, rep, &RevokedAssertionDoc::new(award, base))),
        Status::Rejected => Err(Error::not_found(ObjectKind::Assertion, id)),
        _ => Ok(json_doc(200, rep, &AssertionDoc::new(award, base))),
    }
}

/// The badge class and issuer of an award, in one round trip.
pub async fn assertion_context<K: Kv + ?Sized>(
    kv: &K,
    award: &Award,
) -> Result<(BadgeClass, Issuer), Error> {
    let (badge, issuer) = load_two::<_, BadgeClass, Issuer>(
        kv,
        store_keys::badge(&award.badge_id),
        store_keys::issuer(&award.issuer_id),
    )
    .await?;
    let badge = badge.ok_or_else(|| Error::not_found(ObjectKind::BadgeClass, &award.badge_id))?;
    let issuer = issuer.ok_or_else(|| Error::not_found(ObjectKind::Issuer, &award.issuer_id))?;
    Ok((badge, issuer))
}

/// `/issuers/:id/revocations`: the RevocationList, JSON only (1 `get_many`).
pub async fn revocations<K: Kv + ?Sized>(
    kv: &K,
    base: &BaseUrl,
    id: &str,
    rep: Representation,
) -> Result<Reply, Error> {
    if !ids::is_valid(id) {
        return Err(Error::not_found(ObjectKind::Issuer, id));
    }
    let (issuer, list) = load_two::<_, Issuer, RevocationList>(
        kv,
        store_keys::issuer(id),
        store_keys::revocations(id),
    )
    .await?;
    if issuer.is_none() {
        return Err(Error::not_found(ObjectKind::Issuer, id));
    }
    let list = list.unwrap_or_default();
    Ok(json_doc(200, rep, &RevocationListDoc::new(id, &list, base)))
}

/// Whose image an image route serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageOwner {
    /// An issuer's logo.
    Issuer,
    /// A badge class image.
    Badge,
}

/// `/issuers/:id/image`, `/badges/:id/image`: uploaded bytes (1 read). Images given as https
/// URLs are referenced directly by the documents and have no hosted copy (404 here).
pub async fn image<K: Kv + ?Sized>(kv: &K, owner: ImageOwner, id: &str) -> Result<Reply, Error> {
    let not_found = || Error::not_found(ObjectKind::Image, id);
    if !ids::is_valid(id) {
        return Err(not_found());
    }
    let owner_key = match owner {
        ImageOwner::Issuer => store_keys::issuer(id),
        ImageOwner::Badge => store_keys::badge(id),
    };
    // The owner must exist and be of the routed kind; one round trip reads both.
    let (owner, stored) =
        load_two::<_, serde_json::Value, StoredImage>(kv, owner_key, store_keys::image(id)).await?;
    let stored = stored.filter(|_| owner.is_some()).ok_or_else(not_found)?;
    let bytes = stored.bytes().ok_or_else(|| {
        Error::Internal(Internal::Corrupt {
            key: store_keys::image(id),
            detail: "image data is not valid base64".into(),
        })
    })?;
    let content_type = stored.content_type.content_type();
    let mut reply = present::secure(Reply::bytes(200, content_type, bytes), Surface::Image)
        .with_header("access-control-allow-origin", "*")
        .with_header("cache-control", IMAGE_CACHE);
    // The tag stored with the bytes spares hashing them on every request.
    if let Some(tag) = stored.etag {
        reply = reply.with_header("etag", tag);
    }
    Ok(reply)
}

/// The reply for a failure: problem+json, or for browsers the HTML notice `notice` renders
/// (`emblem-pages` renders the hosting notices; see [`present::failure`]).
pub fn failure(
    error: &Error,
    rep: Representation,
    notice: impl FnOnce(&Error) -> Option<Vec<u8>>,
) -> Reply {
    let surface = if rep == Representation::Html {
        Surface::Page
    } else {
        Surface::Document
    };
    let mut reply = present::secure(present::failure(surface, error, notice), surface)
        .with_header("cache-control", "no-store")
        .with_header("vary", VARY);
    if rep.is_json() {
        reply = reply.with_header("access-control-allow-origin", "*");
    }
    reply
}

/// Serve `route` as a document (JSON-LD or JSON; images as stored). HTML pages are the
/// pages layer's (`emblem_pages::hosting::serve`), which calls this for everything else.
pub async fn serve<K: Kv + ?Sized>(
    kv: &K,
    base: &BaseUrl,
    now: OffsetDateTime,
    route: &Route,
    rep: Representation,
    cache: &RefCell<RenderCache>,
) -> Result<Reply, Error> {
    match route {
        Route::Issuer(id) => issuer(kv, base, id, rep).await,
        Route::Badge(id) => badge(kv, base, id, rep).await,
        Route::Assertion(id) => assertion(kv, base, now, id, rep, cache).await,
        Route::Revocations(id) => revocations(kv, base, id, rep).await,
        Route::Key(id, kid) => key(kv, base, id, kid, rep).await,
        Route::IssuerImage(id) => image(kv, ImageOwner::Issuer, id).await,
        Route::BadgeImage(id) => image(kv, ImageOwner::Badge, id).await,
    }
}
