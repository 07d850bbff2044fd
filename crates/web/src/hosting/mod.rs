//! Public hosting of Open Badges 2.0 objects: routes, representations and caching rules.
//!
//! A request to the hosting component goes through these steps:
//!
//! 1. [`route`] matches the path (`/issuers/:id`, `/issuers/:id/image`,
//!    `/issuers/:id/revocations`, `/badges/:id`, `/badges/:id/image`, `/assertions/:id`);
//!    only GET and HEAD are allowed (405 with `Allow: GET, HEAD`).
//! 2. [`crate::negotiate::negotiate`] picks JSON-LD (default), JSON or HTML from `Accept`
//!    (and `User-Agent` for link-preview crawlers).
//! 3. The object is read with O(1) store reads and rendered ([`crate::ob2`] or
//!    [`crate::html`]). For assertions ([`assertion`]):
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
//! ([`failure`]).

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
use crate::html::{self, AssertionPage, BadgePage, IssuerPage, NoticePage};
use crate::ids;
use crate::kv::{self, Kv};
use crate::model::award::{AcceptanceState, Award, Status, Visibility};
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
use crate::service::{badges, issuers, signing};
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

fn html_page(status: u16, page: &impl askama::Template) -> Result<Reply, Error> {
    Ok(html_reply(status, html::render(page)?, CACHE))
}

fn html_reply(status: u16, body: Vec<u8>, cache: &str) -> Reply {
    present::page(Surface::Page, status, body)
        .with_header("cache-control", cache)
        .with_header("vary", VARY)
}

/// Two records in one `get_many`.
async fn load_two<K: Kv + ?Sized, A: DeserializeOwned, B: DeserializeOwned>(
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
    match rep {
        Representation::Html => html_page(200, &IssuerPage::new(&issuer, base)),
        json => {
            let mut doc = IssuerDoc::new(&issuer, base);
            if let Some(active) = active {
                doc = doc.with_public_key(signing::key_url(base, id, &active.kid));
            }
            Ok(json_doc(200, json, &doc))
        }
    }
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
    match rep {
        Representation::Html => {
            let issuer = issuers::load(kv, &badge.issuer_id).await?;
            html_page(200, &BadgePage::new(&badge, &issuer, base))
        }
        json => Ok(json_doc(200, json, &BadgeClassDoc::new(&badge, base))),
    }
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
    if !ids::is_valid(id) {
        return Err(Error::not_found(ObjectKind::Assertion, id));
    }
    let key = store_keys::award(id);
    let record = kv
        .get(&key)
        .await?
        .ok_or_else(|| Error::not_found(ObjectKind::Assertion, id))?;
    if rep.is_json()
        && let Some(hit) = cache.borrow().lookup(id, rep, base.as_str(), &record)
    {
        return Ok(hit);
    }
    let award: Award = kv::decode(&key, &record)?;
    let reply = render_assertion(kv, base, now, id, rep, &award).await?;
    if rep.is_json() {
        let reply = with_etag(reply);
        cache
            .borrow_mut()
            .store(id, rep, base.as_str(), &record, &reply);
        return Ok(reply);
    }
    Ok(reply)
}

async fn render_assertion<K: Kv + ?Sized>(
    kv: &K,
    base: &BaseUrl,
    now: OffsetDateTime,
    id: &str,
    rep: Representation,
    award: &Award,
) -> Result<Reply, Error> {
    let public_page = award.visibility == Visibility::Public
        && award.acceptance.state == AcceptanceState::Accepted;
    match (award.status(now), rep.is_json()) {
        // Revocation is public anyway (the issuer's revocation list names the assertion).
        (Status::Revoked, true) => Ok(json_doc(410, rep, &RevokedAssertionDoc::new(award, base))),
        (Status::Revoked, false) if !public_page => {
            let reason = award.revoked.as_ref().map_or("", |r| r.reason.as_str());
            let message = format!("This badge was revoked by its issuer. Reason: {reason}");
            let page = NoticePage::new(base, base.assertion(id), "Revoked", &message);
            html_page(410, &page)
        }
        (Status::Rejected, _) => Err(Error::not_found(ObjectKind::Assertion, id)),
        (_, true) => Ok(json_doc(200, rep, &AssertionDoc::new(award, base))),
        (status, false) => {
            // Revoked awards reach this arm only when public and accepted.
            if award.acceptance.state == AcceptanceState::Pending {
                return Err(Error::NotFound(NotFound::NotYetAccepted {
                    id: id.to_owned(),
                }));
            }
            if !public_page {
                return Err(Error::not_found(ObjectKind::Assertion, id));
            }
            let (badge, issuer) = assertion_context(kv, award).await?;
            let code = if status == Status::Revoked { 410 } else { 200 };
            html_page(code, &AssertionPage::new(award, &badge, &issuer, base, now))
        }
    }
}

async fn assertion_context<K: Kv + ?Sized>(
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

/// The reply for a failure: an HTML notice for browsers on 404/5xx, else problem+json
/// ([`present::failure`]).
pub fn failure(error: &Error, rep: Representation, base: &BaseUrl, url: String) -> Reply {
    let surface = if rep == Representation::Html {
        Surface::Page
    } else {
        Surface::Document
    };
    let notice = |error: &Error| {
        let status = error.status();
        let (heading, message) = match error {
            Error::NotFound(NotFound::NotYetAccepted { .. }) => (
                "Not yet accepted",
                "This badge has not yet been accepted by its recipient, so it has no public page yet.",
            ),
            _ if status == 404 => (
                "Not found",
                "There is no badge, issuer or assertion at this address. Check the link you followed.",
            ),
            _ if status >= 500 => (
                "Something went wrong",
                "We could not show this page right now. Please try again in a moment.",
            ),
            _ => return None,
        };
        html::render(&NoticePage::new(base, url, heading, message)).ok()
    };
    let mut reply = present::secure(present::failure(surface, error, notice), surface)
        .with_header("cache-control", "no-store")
        .with_header("vary", VARY);
    if rep.is_json() {
        reply = reply.with_header("access-control-allow-origin", "*");
    }
    reply
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::kv::{MemoryKv, put_json};
    use crate::model::stored_image::StoredImage;
    use crate::negotiate::Representation::{Html, Json, LdJson};
    use crate::ob2::fixtures::{self, AWARD_ID, BADGE_ID, ISSUER_ID};
    use futures::executor::block_on;
    use serde_json::Value;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-12-01 00:00 UTC);

    fn base() -> BaseUrl {
        BaseUrl::parse("https://badges.example.org").expect("base")
    }

    pub(super) fn store(award: &Award) -> MemoryKv {
        let kv = MemoryKv::new();
        block_on(async {
            put_json(&kv, &store_keys::issuer(ISSUER_ID), &fixtures::issuer()).await?;
            put_json(&kv, &store_keys::badge(BADGE_ID), &fixtures::badge()).await?;
            put_json(&kv, &store_keys::award(AWARD_ID), award).await
        })
        .expect("store");
        kv
    }

    pub(super) fn get(kv: &MemoryKv, route: Route, rep: Representation) -> Reply {
        let b = base();
        let result = block_on(async {
            match &route {
                Route::Issuer(id) => issuer(kv, &b, id, rep).await,
                Route::Badge(id) => badge(kv, &b, id, rep).await,
                Route::Assertion(id) => {
                    assertion(kv, &b, NOW, id, rep, &RefCell::new(RenderCache::new())).await
                }
                Route::Revocations(id) => revocations(kv, &b, id, rep).await,
                Route::Key(id, kid) => key(kv, &b, id, kid, rep).await,
                Route::IssuerImage(id) => image(kv, ImageOwner::Issuer, id).await,
                Route::BadgeImage(id) => image(kv, ImageOwner::Badge, id).await,
            }
        });
        result.unwrap_or_else(|e| failure(&e, rep, &b, "https://badges.example.org/x".into()))
    }

    fn json(reply: &Reply) -> Value {
        serde_json::from_slice(&reply.body).expect("json body")
    }

    pub(super) fn assertion_route() -> Route {
        Route::Assertion(AWARD_ID.into())
    }

    #[test]
    fn routes_accept_only_get_and_head() {
        assert_eq!(
            route("GET", "/assertions/x"),
            Ok(Route::Assertion("x".into()))
        );
        assert_eq!(
            route("HEAD", "/issuers/x/revocations"),
            Ok(Route::Revocations("x".into()))
        );
        assert_eq!(
            route("POST", "/badges/x"),
            Err(Error::MethodNotAllowed { allow: ALLOW })
        );
        assert_eq!(route("GET", "/badges/x/y").expect_err("404").status(), 404);
        assert_eq!(
            route("GET", "/assertions/").map(|_| ()),
            Ok(()),
            "empty ids 404 later"
        );
    }

    #[test]
    fn an_accepted_assertion_is_served_as_json_ld_by_default() {
        let kv = store(&fixtures::award());
        let r = get(&kv, assertion_route(), LdJson);
        assert_eq!(r.status, 200);
        assert_eq!(
            r.header("content-type"),
            Some("application/ld+json; charset=utf-8")
        );
        assert_eq!(r.header("access-control-allow-origin"), Some("*"));
        assert_eq!(r.header("cache-control"), Some("public, max-age=30"));
        assert_eq!(r.header("vary"), Some("Accept, User-Agent"));
        assert_eq!(
            json(&r),
            serde_json::from_str::<Value>(include_str!(
                "../../../../crates/badges/tests/fixtures/assertion.json"
            ))
            .expect("fixture")
        );
    }

    #[test]
    fn plain_json_clients_get_application_json() {
        let kv = store(&fixtures::award());
        let r = get(&kv, assertion_route(), Json);
        assert_eq!(
            r.header("content-type"),
            Some("application/json; charset=utf-8")
        );
    }

    #[test]
    fn a_cached_rendering_is_reused_only_while_the_record_is_unchanged() {
        let kv = store(&fixtures::award());
        let cache = RefCell::new(RenderCache::new());
        let b = base();
        let serve = |kv: &MemoryKv| {
            block_on(assertion(
                kv,
                &b,
                NOW,
                AWARD_ID,
                Representation::LdJson,
                &cache,
            ))
            .expect("reply")
        };
        let first = serve(&kv);
        assert_eq!(first.status, 200);
        assert_eq!(cache.borrow().len(), 1);
        assert_eq!(serve(&kv), first, "a hit is the same reply, ETag included");
        // The issuer revokes: the very next request sees it, not the cached 200.
        block_on(put_json(
            &kv,
            &store_keys::award(AWARD_ID),
            &fixtures::revoked_award(),
        ))
        .expect("put");
        let after = serve(&kv);
        assert_eq!(after.status, 410);
        assert_ne!(after.header("etag"), first.header("etag"));
    }

    #[test]
    fn a_revoked_assertion_is_gone_with_its_reason() {
        let kv = store(&fixtures::revoked_award());
        let r = get(&kv, assertion_route(), LdJson);
        assert_eq!(r.status, 410);
        assert_eq!(
            json(&r),
            serde_json::from_str::<Value>(include_str!(
                "../../../../crates/badges/tests/fixtures/assertion-revoked-410.json"
            ))
            .expect("fixture")
        );
        let page = get(&kv, assertion_route(), Html);
        assert_eq!(page.status, 410);
        assert!(String::from_utf8_lossy(&page.body).contains("Revoked by the issuer"));
    }

    #[test]
    fn a_revoked_private_award_gets_a_short_revoked_notice_not_its_details() {
        let mut award = fixtures::revoked_award();
        award.visibility = Visibility::Private;
        let kv = store(&award);
        let page = get(&kv, assertion_route(), Html);
        assert_eq!(page.status, 410);
        let html = String::from_utf8_lossy(&page.body);
        assert!(html.contains("revoked by its issuer. Reason: Issued in error"));
        assert!(
            !html.contains("Rust Basics"),
            "no badge details on a private award"
        );
    }

    #[test]
    fn revocation_wins_over_rejection() {
        let mut award = fixtures::revoked_award();
        award.acceptance.state = AcceptanceState::Rejected;
        let kv = store(&award);
        assert_eq!(get(&kv, assertion_route(), LdJson).status, 410);
    }

    #[test]
    fn a_rejected_assertion_is_not_found_in_every_representation() {
        let mut award = fixtures::award();
        award.acceptance.state = AcceptanceState::Rejected;
        let kv = store(&award);
        for rep in [LdJson, Json, Html] {
            assert_eq!(get(&kv, assertion_route(), rep).status, 404, "{rep:?}");
        }
        assert_eq!(
            get(&kv, assertion_route(), LdJson).header("content-type"),
            Some("application/problem+json")
        );
    }

    #[test]
    fn private_and_pending_assertions_serve_json_but_no_page() {
        let mut private = fixtures::award();
        private.visibility = Visibility::Private;
        let mut pending = fixtures::award();
        pending.acceptance.state = AcceptanceState::Pending;
        for award in [private, pending.clone()] {
            let kv = store(&award);
            assert_eq!(get(&kv, assertion_route(), LdJson).status, 200);
            let page = get(&kv, assertion_route(), Html);
            assert_eq!(page.status, 404);
            assert_eq!(
                page.header("content-type"),
                Some("text/html; charset=utf-8")
            );
        }
        let kv = store(&pending);
        let page = get(&kv, assertion_route(), Html);
        assert!(
            String::from_utf8_lossy(&page.body).contains("not yet been accepted by its recipient")
        );
    }

    #[test]
    fn an_expired_assertion_is_served_unchanged_and_its_page_says_expired() {
        let mut award = fixtures::award();
        award.expires = Some(datetime!(2026-11-30 00:00 UTC));
        let kv = store(&award);
        let r = get(&kv, assertion_route(), LdJson);
        assert_eq!(r.status, 200);
        assert_eq!(json(&r)["expires"], "2026-11-30T00:00:00Z");
        let page = get(&kv, assertion_route(), Html);
        assert_eq!(page.status, 200);
        assert!(String::from_utf8_lossy(&page.body).contains("Expired on 30 November 2026"));
    }

    #[test]
    fn html_pages_have_a_strict_csp() {
        let kv = store(&fixtures::award());
        for route in [
            assertion_route(),
            Route::Badge(BADGE_ID.into()),
            Route::Issuer(ISSUER_ID.into()),
        ] {
            let r = get(&kv, route, Html);
            assert_eq!(r.status, 200);
            assert_eq!(r.header("content-security-policy"), Surface::Page.csp());
            assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
        }
    }

    #[test]
    fn issuer_and_badge_documents_match_their_fixtures() {
        let kv = store(&fixtures::award());
        let issuer_doc = json(&get(&kv, Route::Issuer(ISSUER_ID.into()), LdJson));
        assert_eq!(
            issuer_doc,
            serde_json::from_str::<Value>(include_str!(
                "../../../../crates/badges/tests/fixtures/issuer-profile.json"
            ))
            .expect("fixture")
        );
        let badge_doc = json(&get(&kv, Route::Badge(BADGE_ID.into()), LdJson));
        assert_eq!(badge_doc["type"], "BadgeClass");
    }

    #[test]
    fn the_revocation_list_is_json_even_for_browsers_and_empty_when_nothing_is_revoked() {
        let kv = store(&fixtures::award());
        let r = get(&kv, Route::Revocations(ISSUER_ID.into()), Html);
        assert_eq!(r.status, 200);
        assert_eq!(
            r.header("content-type"),
            Some("application/ld+json; charset=utf-8")
        );
        assert_eq!(json(&r)["revokedAssertions"], serde_json::json!([]));
        let unknown = get(&kv, Route::Revocations(BADGE_ID.into()), LdJson);
        assert_eq!(unknown.status, 404);
    }

    #[test]
    fn unknown_ids_are_problem_json_or_an_html_page() {
        let kv = MemoryKv::new();
        let r = get(&kv, Route::Assertion("nope".into()), LdJson);
        assert_eq!(r.status, 404);
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
        let page = get(&kv, Route::Badge(BADGE_ID.into()), Html);
        assert_eq!(page.status, 404);
        assert!(String::from_utf8_lossy(&page.body).contains("Not found"));
    }

    #[test]
    fn an_image_carries_the_etag_stored_with_it_and_older_records_get_one_computed() {
        let kv = store(&fixtures::award());
        let svg = crate::image::fixtures::SVG.as_bytes();
        let mut stored = StoredImage::new(crate::image::ImageType::Svg, svg);
        assert_eq!(stored.etag.as_deref(), Some(etag(svg).as_str()));
        // The stored tag is served as it is (no hashing per request).
        stored.etag = Some("\"stored\"".into());
        block_on(put_json(&kv, &store_keys::image(BADGE_ID), &stored)).expect("put");
        let served = finish(
            get(&kv, Route::BadgeImage(BADGE_ID.into()), LdJson),
            None,
            false,
        );
        assert_eq!(served.header("etag"), Some("\"stored\""));
        // A record written before the field existed: the bytes are hashed when served.
        stored.etag = None;
        let json = serde_json::to_value(&stored).expect("json");
        assert!(json.get("etag").is_none(), "{json}");
        block_on(put_json(&kv, &store_keys::image(BADGE_ID), &json)).expect("put");
        let served = finish(
            get(&kv, Route::BadgeImage(BADGE_ID.into()), LdJson),
            None,
            false,
        );
        assert_eq!(served.header("etag"), Some(etag(svg).as_str()));
    }

    #[test]
    fn uploaded_svg_images_are_served_with_their_own_csp() {
        let kv = store(&fixtures::award());
        let svg = crate::image::fixtures::SVG.as_bytes();
        block_on(put_json(
            &kv,
            &store_keys::image(BADGE_ID),
            &StoredImage::new(crate::image::ImageType::Svg, svg),
        ))
        .expect("put");
        let r = get(&kv, Route::BadgeImage(BADGE_ID.into()), LdJson);
        assert_eq!(r.status, 200);
        assert_eq!(r.body, svg);
        assert_eq!(r.header("content-type"), Some("image/svg+xml"));
        assert_eq!(r.header("content-security-policy"), Surface::Image.csp());
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(
            get(&kv, Route::IssuerImage(ISSUER_ID.into()), LdJson).status,
            404
        );
        assert_eq!(
            get(&kv, Route::IssuerImage(BADGE_ID.into()), LdJson).status,
            404,
            "a badge's image is not an issuer's image"
        );
    }
}
