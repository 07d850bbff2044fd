use futures::executor::block_on;
use time::macros::datetime;

use super::*;
use crate::kv::{MemoryKv, put_json};
use crate::model::award::{AcceptanceState, Visibility};
use crate::ob2::fixtures::{self, AWARD_ID, BADGE_ID, ISSUER_ID};

const NOW: OffsetDateTime = datetime!(2026-12-01 00:00 UTC);

fn base() -> BaseUrl {
    BaseUrl::parse("https://badges.example.org").expect("base")
}

fn store(award: &Award) -> MemoryKv {
    let kv = MemoryKv::new();
    block_on(async {
        put_json(&kv, &store_keys::issuer(ISSUER_ID), &fixtures::issuer()).await?;
        put_json(&kv, &store_keys::badge(BADGE_ID), &fixtures::badge()).await?;
        put_json(&kv, &store_keys::award(AWARD_ID), award).await
    })
    .expect("store");
    kv
}

fn get(kv: &MemoryKv, path: &str) -> Reply {
    let b = base();
    match route("GET", path) {
        Ok(r) => block_on(serve(kv, &b, NOW, &r, false)).0,
        Err(e) => route_failure(&b, &e),
    }
}

fn text(reply: &Reply) -> String {
    String::from_utf8_lossy(&reply.body).into_owned()
}

#[test]
fn every_route_matches_and_only_get_and_head_are_allowed() {
    let cases = [
        (
            "/share/linkedin/a",
            Route::Share(Target::LinkedinProfile, "a".into()),
        ),
        (
            "/share/linkedin/a/post",
            Route::Share(Target::LinkedinPost, "a".into()),
        ),
        ("/share/x/a", Route::Share(Target::X, "a".into())),
        (
            "/share/facebook/a",
            Route::Share(Target::Facebook, "a".into()),
        ),
        ("/share/email/a", Route::Share(Target::Email, "a".into())),
        ("/embed/a", Route::Embed("a".into())),
        ("/certificate/a", Route::Certificate("a".into())),
    ];
    for (path, expected) in cases {
        assert_eq!(route("GET", path), Ok(expected.clone()), "{path}");
        assert_eq!(route("HEAD", path), Ok(expected), "{path}");
        assert_eq!(
            route("POST", path),
            Err(Error::MethodNotAllowed { allow: ALLOW })
        );
    }
    for path in [
        "/share/myspace/a",
        "/share/linkedin/a/b",
        "/embed",
        "/share",
    ] {
        assert_eq!(
            route("GET", path).map_err(|e| e.status()),
            Err(404),
            "{path}"
        );
    }
}

#[test]
fn add_to_profile_redirects_to_linkedin_and_counts_the_click() {
    let kv = store(&fixtures::award());
    let r = get(&kv, &format!("/share/linkedin/{AWARD_ID}"));
    assert_eq!(r.status, 302);
    let expires = fixtures::award().expires.expect("fixture expires");
    assert_eq!(
        r.header("location"),
        Some(
            format!(
                "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME\
                 &name=Rust%20Basics&organizationId=1337&issueYear=2026&issueMonth=11\
                 &expirationYear={}&expirationMonth={}\
                 &certUrl=https%3A%2F%2Fbadges.example.org%2Fassertions%2F{AWARD_ID}\
                 &certId={AWARD_ID}",
                expires.year(),
                u8::from(expires.month())
            )
            .as_str()
        )
    );
    assert_eq!(r.header("cache-control"), Some("no-store"));
    // The page that linked here may be a claim page with its token in the URL.
    assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
    let counts = block_on(counters::read(&kv, AWARD_ID)).expect("read");
    assert_eq!(counts.linkedin_profile, 1);
    assert_eq!(counts.linkedin_post, 0);
}

#[test]
fn each_target_redirects_to_its_site_and_counts_separately() {
    let kv = store(&fixtures::award());
    let cases = [
        (
            "/post",
            "linkedin",
            "https://www.linkedin.com/sharing/share-offsite/?url=",
        ),
        ("", "x", "https://twitter.com/intent/tweet?text="),
        (
            "",
            "facebook",
            "https://www.facebook.com/sharer/sharer.php?u=",
        ),
        ("", "email", "mailto:?subject="),
    ];
    for (suffix, target, prefix) in cases {
        let r = get(&kv, &format!("/share/{target}/{AWARD_ID}{suffix}"));
        assert_eq!(r.status, 302, "{target}");
        let location = r.header("location").expect("location");
        assert!(location.starts_with(prefix), "{location}");
    }
    let counts = block_on(counters::read(&kv, AWARD_ID)).expect("read");
    assert_eq!(
        counts,
        ShareCounts {
            linkedin_profile: 0,
            linkedin_post: 1,
            x: 1,
            facebook: 1,
            email: 1
        }
    );
}

#[test]
fn head_requests_redirect_without_counting() {
    let kv = store(&fixtures::award());
    let r = route("HEAD", &format!("/share/x/{AWARD_ID}")).expect("route");
    let (reply, fault) = block_on(serve(&kv, &base(), NOW, &r, true));
    assert_eq!((reply.status, fault), (302, None));
    assert_eq!(
        block_on(counters::read(&kv, AWARD_ID)).expect("read"),
        ShareCounts::default()
    );
}

#[test]
fn unshareable_awards_get_a_friendly_page_with_the_right_status_and_no_count() {
    let mut pending = fixtures::award();
    pending.acceptance.state = AcceptanceState::Pending;
    let mut rejected = fixtures::award();
    rejected.acceptance.state = AcceptanceState::Rejected;
    let mut private = fixtures::award();
    private.visibility = Visibility::Private;
    let cases = [
        (pending, 404, "Not yet accepted"),
        (rejected, 404, "Badge not available"),
        (private, 404, "Badge not available"),
        (fixtures::revoked_award(), 410, "Reason: Issued in error"),
    ];
    for (award, status, words) in cases {
        let kv = store(&award);
        for path in [
            format!("/share/linkedin/{AWARD_ID}"),
            format!("/share/email/{AWARD_ID}"),
            format!("/embed/{AWARD_ID}"),
            format!("/certificate/{AWARD_ID}"),
        ] {
            let r = get(&kv, &path);
            assert_eq!(r.status, status, "{path} {words}");
            assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
            assert_eq!(r.header("location"), None);
            assert!(text(&r).contains(words), "{}", text(&r));
            assert!(!text(&r).contains("Rust Basics"), "no badge details");
        }
        assert_eq!(
            block_on(counters::read(&kv, AWARD_ID)).expect("read"),
            ShareCounts::default()
        );
    }
}

#[test]
fn unknown_and_malformed_ids_are_not_found() {
    let kv = store(&fixtures::award());
    for path in [
        "/share/linkedin/6a1f1b2c-0000-4000-8000-000000000000".to_owned(),
        "/embed/not-an-id".to_owned(),
        "/certificate/..%2Fissuer".to_owned(),
        "/share/myspace/x".to_owned(),
    ] {
        let r = get(&kv, &path);
        assert_eq!(r.status, 404, "{path}");
        assert!(text(&r).contains("Badge not available"));
    }
    assert!(kv.keys().iter().all(|k| !k.starts_with("shares/")));
}

#[test]
fn the_embed_card_may_be_framed_and_escapes_issuer_text() {
    let mut badge = fixtures::badge();
    badge.name = "<script>\"&".into();
    let kv = store(&fixtures::award());
    block_on(put_json(&kv, &store_keys::badge(BADGE_ID), &badge)).expect("put");
    let r = get(&kv, &format!("/embed/{AWARD_ID}"));
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-security-policy"), Surface::Embed.csp());
    assert!(
        Surface::Embed
            .csp()
            .is_some_and(|c| c.ends_with("frame-ancestors *"))
    );
    assert_eq!(r.header("x-frame-options"), None);
    let html = text(&r);
    assert!(!html.contains("<script>"));
    assert!(html.contains("&#60;script&#62;&#34;&#38;"), "{html}");
    assert!(html.contains(&format!(
        "src=\"https://badges.example.org/assertions/{AWARD_ID}/image\""
    )));
    assert!(html.contains(&format!(
        "href=\"https://badges.example.org/assertions/{AWARD_ID}\""
    )));
    assert!(html.contains("Verified Open Badge"));
}

#[test]
fn the_certificate_has_the_qr_code_of_the_verify_link_and_may_not_be_framed() {
    let kv = store(&fixtures::award());
    let r = get(&kv, &format!("/certificate/{AWARD_ID}"));
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-security-policy"), Surface::Page.csp());
    assert_eq!(r.header("x-frame-options"), Some("DENY"));
    let html = text(&r);
    assert!(html.contains("Certificate of Achievement"));
    assert!(html.contains("<svg class=\"qr\" role=\"img\""));
    assert!(html.contains("<h1 class=\"certificate-name\">Rust Basics</h1>"));
    let verify = format!(
        "https://badges.example.org/verify?url=https%3A%2F%2Fbadges.example.org%2Fassertions%2F{AWARD_ID}"
    );
    assert!(
        html.contains(&format!("<a href=\"{verify}\">{verify}</a>")),
        "{html}"
    );
    assert!(html.contains("/static/share.css"));
    assert!(!html.contains("<script"));
}

#[test]
fn an_expired_award_can_be_shared_and_its_pages_say_expired() {
    let mut award = fixtures::award();
    award.expires = Some(datetime!(2026-11-30 00:00 UTC));
    let kv = store(&award);
    assert_eq!(get(&kv, &format!("/share/linkedin/{AWARD_ID}")).status, 302);
    for path in [
        format!("/embed/{AWARD_ID}"),
        format!("/certificate/{AWARD_ID}"),
    ] {
        let r = get(&kv, &path);
        assert_eq!(r.status, 200);
        assert!(text(&r).contains("Expired on 30 November 2026"), "{path}");
    }
}

#[test]
fn an_external_class_image_is_used_as_it_is() {
    let mut badge = fixtures::badge();
    badge.image = crate::model::ImageRef::Remote {
        url: "https://cdn.example.org/b.png".into(),
    };
    assert_eq!(
        badge_image_url(&fixtures::award(), &badge, &base()),
        "https://cdn.example.org/b.png"
    );
}

#[test]
fn the_signature_snippet_links_the_badge_page_with_escaped_text() {
    let mut badge = fixtures::badge();
    badge.name = "R&D <b>\"1\"".into();
    let s = signature_snippet(&fixtures::award(), &badge, &fixtures::issuer(), &base())
        .expect("snippet");
    assert!(s.starts_with(&format!(
        "<a href=\"https://badges.example.org/assertions/{AWARD_ID}\""
    )));
    assert!(
        s.contains("<strong>R&#38;D &#60;b&#62;&#34;1&#34;</strong>"),
        "{s}"
    );
    assert!(s.contains("Issued by Example Academy"));
    assert!(s.contains(&format!(
        "<img src=\"https://badges.example.org/assertions/{AWARD_ID}/image\""
    )));
    assert!(!s.contains('\n'), "one line, easy to paste");
}

#[test]
fn a_missing_class_record_is_a_logged_server_fault_shown_as_a_page() {
    let kv = store(&fixtures::award());
    block_on(kv.delete(&store_keys::badge(BADGE_ID))).expect("delete");
    let r = route("GET", &format!("/embed/{AWARD_ID}")).expect("route");
    let (reply, fault) = block_on(serve(&kv, &base(), NOW, &r, false));
    assert_eq!(reply.status, 500);
    assert!(text(&reply).contains("Something went wrong"));
    assert!(fault.and_then(|e| e.log_detail()).is_some());
}
