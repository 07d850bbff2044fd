//! The hosting routes end to end over the in-memory store: documents and pages.

use super::*;
use crate::documents::{ALLOW, etag, finish, route};
use crate::kv::{MemoryKv, put_json};
use crate::model::award::Award;
use crate::model::stored_image::StoredImage;
use crate::negotiate::Representation::{Html, Json, LdJson};
use crate::ob2::fixtures::{self, AWARD_ID, BADGE_ID, ISSUER_ID};
use crate::present::Surface;
use crate::reply::Reply;
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
    let cache = RefCell::new(RenderCache::new());
    let result = block_on(serve(kv, &b, NOW, &route, rep, &cache));
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
        block_on(crate::documents::assertion(
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
    assert!(String::from_utf8_lossy(&page.body).contains("not yet been accepted by its recipient"));
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

mod conditional {
    use super::*;
    use super::{assertion_route, get, store};
    use crate::negotiate::Representation::{Html, LdJson};
    use crate::ob2::fixtures;

    #[test]
    fn a_matching_if_none_match_gets_304_and_head_gets_no_body() {
        let kv = store(&fixtures::award());
        let r = finish(get(&kv, assertion_route(), LdJson), None, false);
        let tag = r.header("etag").expect("etag").to_owned();
        assert!(tag.starts_with('"') && tag.len() == 34);
        let again = finish(get(&kv, assertion_route(), LdJson), Some(&tag), false);
        assert_eq!(again.status, 304);
        assert!(again.body.is_empty());
        assert_eq!(again.header("etag"), Some(tag.as_str()));
        let weak = finish(
            get(&kv, assertion_route(), LdJson),
            Some(&format!("\"x\", W/{tag}")),
            false,
        );
        assert_eq!(weak.status, 304);
        let other = finish(get(&kv, assertion_route(), LdJson), Some("\"nope\""), false);
        assert_eq!(other.status, 200);
        let head = finish(get(&kv, assertion_route(), LdJson), None, true);
        assert_eq!(head.status, 200);
        assert!(head.body.is_empty());
        assert_eq!(head.header("etag"), Some(tag.as_str()));
    }

    #[test]
    fn json_and_html_representations_have_different_etags() {
        let kv = store(&fixtures::award());
        let a = finish(get(&kv, assertion_route(), LdJson), None, false);
        let b = finish(get(&kv, assertion_route(), Html), None, false);
        assert_ne!(a.header("etag"), b.header("etag"));
    }
}
