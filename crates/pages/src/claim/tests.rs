//! The claim flow over the in-memory store: begin → show / act, with a fixed clock.

use futures::executor::block_on;
use futures::future::join_all;
use time::Duration;

use super::*;
use crate::digest::sha256_hex;
use crate::model::award::{AcceptanceState, Award};
use crate::service::input::NewIssuer;
use crate::service::testing::{Bench, NOW};
use crate::service::{awards, badges, issuers};

const ADDR: &str = "192.0.2.7:5000";

struct Claim {
    bench: Bench,
    token: String,
    award_id: String,
}

fn setup_with(badge_name: &str) -> Claim {
    let bench = Bench::new();
    let env = bench.env();
    let issuer = block_on(issuers::create(
        &env,
        NewIssuer {
            name: "Example Academy".into(),
            url: "https://academy.example.org".into(),
            email: "badges@academy.example.org".into(),
            description: None,
            image: None,
            linkedin_organization_id: None,
            status_method: Default::default(),
        },
    ))
    .expect("issuer");
    let mut input = emblem_services::testing::badge_input();
    input.name = badge_name.into();
    input.image = crate::image::ImageInput::Upload {
        kind: crate::image::ImageType::Png,
        bytes: crate::image::fixtures::png_1x1(),
    };
    let badge = block_on(badges::create(&env, &issuer.id, input)).expect("badge");
    let made = block_on(awards::create(
        &env,
        &issuer.id,
        emblem_services::testing::award_input(&badge.id),
    ))
    .expect("award");
    Claim {
        bench,
        token: made.claim_token,
        award_id: made.award.id,
    }
}

fn setup() -> Claim {
    setup_with("Rust Basics")
}

impl Claim {
    fn request<'a>(&self, method: &'a str, path: &'a str) -> Request<'a> {
        Request {
            method,
            path,
            client_addr: Some(ADDR),
            full_url: None,
            origin: None,
            sec_fetch_site: None,
            content_type: Some("application/x-www-form-urlencoded"),
        }
    }

    fn path(&self) -> String {
        format!("/claim/{}", self.token)
    }

    fn get_path(&self, path: &str) -> Reply {
        let env = self.bench.env();
        let req = self.request("GET", path);
        block_on(async {
            match begin(&env, &req).await {
                Ok(token) => show(&env, &req, token).await,
                Err(reply) => reply,
            }
        })
    }

    fn get(&self) -> Reply {
        self.get_path(&self.path())
    }

    fn post_with(&self, req: Request<'_>, body: &str) -> Reply {
        let env = self.bench.env();
        block_on(async {
            match begin(&env, &req).await {
                Ok(token) => act(&env, &req, token, body.as_bytes()).await,
                Err(reply) => reply,
            }
        })
    }

    fn post(&self, body: &str) -> Reply {
        let path = self.path();
        self.post_with(self.request("POST", &path), body)
    }

    fn award(&self) -> Award {
        block_on(awards::load(&self.bench.kv, &self.award_id)).expect("award")
    }
}

fn text(r: &Reply) -> String {
    String::from_utf8(r.body.clone()).expect("utf8")
}

#[test]
fn a_pending_award_offers_accept_and_reject_and_a_get_changes_nothing() {
    let c = setup();
    let before = c.bench.kv.snapshot();
    let r = c.get();
    assert_eq!(r.status, 200);
    let html = text(&r);
    assert!(
        html.contains("<h1 id=\"badge-name\">Rust Basics</h1>"),
        "{html}"
    );
    assert!(html.contains("name=\"action\" value=\"accept\""));
    assert!(html.contains("name=\"action\" value=\"reject\""));
    assert!(html.contains("What accepting means"));
    assert!(html.contains("Example Academy"));
    assert!(html.contains("a…@example.org"), "masked recipient");
    assert!(!html.contains("alice@example.org"));
    assert_eq!(c.bench.kv.snapshot(), before, "a GET writes nothing");
}

#[test]
fn every_answer_carries_the_private_page_headers() {
    let c = setup();
    for r in [c.get(), c.get_path("/claim/nope"), c.post("action=accept")] {
        assert_eq!(r.header("cache-control"), Some("no-store"));
        assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
        assert_eq!(r.header("x-robots-tag"), Some("noindex, nofollow"));
        assert!(
            r.header("content-security-policy")
                .is_some_and(|c| c.contains("form-action 'self'"))
        );
    }
}

#[test]
fn accepting_redirects_back_and_shows_the_manage_page() {
    let c = setup();
    let r = c.post("action=accept");
    assert_eq!(r.status, 303);
    assert_eq!(
        r.header("location"),
        Some(format!("https://badges.example.org/claim/{}", c.token).as_str())
    );
    let a = c.award();
    assert_eq!(a.acceptance.state, AcceptanceState::Accepted);
    let html = text(&c.get());
    for needle in [
        "Make private",
        &format!("/assertions/{}/image", c.award_id),
        &format!("/share/linkedin/{}\"", c.award_id),
        &format!("/share/linkedin/{}/post", c.award_id),
        &format!("/certificate/{}", c.award_id),
        &format!(
            "&#60;iframe src=&#34;https://badges.example.org/embed/{}&#34;",
            c.award_id
        ),
        "<textarea id=\"signature\" readonly",
    ] {
        assert!(html.contains(needle), "missing {needle}: {html}");
    }
    // Accepting again is a no-op with the same acceptance time.
    let before = c.bench.kv.snapshot();
    assert_eq!(c.post("action=accept").status, 303);
    assert_eq!(c.bench.kv.snapshot(), before);
}

#[test]
fn concurrent_accepts_leave_one_accepted_award() {
    let c = setup();
    let path = c.path();
    let env = c.bench.env();
    let req = c.request("POST", &path);
    let accepts = (0..10).map(|_| act(&env, &req, &c.token, b"action=accept"));
    let replies = block_on(join_all(accepts));
    assert!(replies.iter().all(|r| r.status == 303));
    let a = c.award();
    assert_eq!(a.acceptance.state, AcceptanceState::Accepted);
    assert_eq!(a.acceptance.changed_at, Some(NOW));
}

#[test]
fn rejecting_needs_confirmation() {
    let c = setup();
    let before = c.bench.kv.snapshot();
    let r = c.post("action=reject");
    assert_eq!(r.status, 200);
    let html = text(&r);
    assert!(html.contains("name=\"confirm\" value=\"yes\""), "{html}");
    assert_eq!(
        c.bench.kv.snapshot(),
        before,
        "not confirmed: nothing changes"
    );
    assert_eq!(c.post("action=reject&confirm=yes").status, 303);
    assert_eq!(c.award().acceptance.state, AcceptanceState::Rejected);
    let html = text(&c.get());
    assert!(html.contains("You declined this badge"), "{html}");
    assert!(html.contains("badges@academy.example.org"));
    let r = c.post("action=accept");
    assert_eq!(r.status, 409);
    assert!(text(&r).contains("ask Example Academy to send you a new link"));
}

#[test]
fn an_accepted_badge_cannot_be_rejected_from_its_link() {
    let c = setup();
    let _ = c.post("action=accept");
    for body in ["action=reject", "action=reject&confirm=yes"] {
        let r = c.post(body);
        assert_eq!(r.status, 409, "{body}");
        assert!(text(&r).contains("make it private instead"));
    }
    assert_eq!(c.award().acceptance.state, AcceptanceState::Accepted);
}

#[test]
fn privacy_switches_both_ways() {
    let c = setup();
    let _ = c.post("action=accept");
    assert_eq!(c.post("action=private").status, 303);
    assert_eq!(c.award().visibility, Visibility::Private);
    let html = text(&c.get());
    assert!(
        html.contains("Make public") && !html.contains("/share/linkedin/"),
        "{html}"
    );
    assert_eq!(c.post("action=public").status, 303);
    assert_eq!(c.award().visibility, Visibility::Public);
}

#[test]
fn bad_forms_change_nothing() {
    let c = setup();
    let before = c.bench.kv.snapshot();
    for (body, status) in [
        ("", 400),
        ("action=delete", 400),
        ("action=accept&action=reject", 400),
    ] {
        assert_eq!(c.post(body).status, status, "{body}");
    }
    let path = c.path();
    let mut req = c.request("POST", &path);
    req.content_type = Some("application/json");
    assert_eq!(c.post_with(req, "action=accept").status, 415);
    assert_eq!(c.bench.kv.snapshot(), before);
}

#[test]
fn cross_site_posts_are_refused_before_the_lookup() {
    let c = setup();
    let before = c.bench.kv.snapshot();
    let path = c.path();
    let mut req = c.request("POST", &path);
    req.sec_fetch_site = Some("cross-site");
    assert_eq!(c.post_with(req, "action=accept").status, 403);
    let mut req = c.request("POST", &path);
    req.origin = Some("https://evil.example");
    assert_eq!(c.post_with(req, "action=accept").status, 403);
    let mut req = c.request("POST", &path);
    req.origin = Some("https://badges.example.org");
    req.sec_fetch_site = Some("same-origin");
    assert_eq!(c.post_with(req, "action=accept").status, 303);
    assert_ne!(c.bench.kv.snapshot(), before);
}

#[test]
fn an_expired_link_says_whom_to_ask() {
    let mut c = setup();
    c.bench.now = NOW + Duration::days(31);
    let before = c.bench.kv.snapshot();
    let r = c.get();
    assert_eq!(r.status, 410);
    let html = text(&r);
    assert!(html.contains("This link has expired"), "{html}");
    assert!(html.contains("Ask Example Academy (badges@academy.example.org)"));
    assert_eq!(c.post("action=accept").status, 410);
    assert_eq!(
        c.bench.kv.snapshot(),
        before,
        "expired links are not failures"
    );
}

#[test]
fn a_resend_kills_the_old_link_and_the_new_one_works() {
    let c = setup();
    let issuer = c.award().issuer_id;
    let _ = c.post("action=reject&confirm=yes");
    let again = block_on(awards::resend(&c.bench.env(), &issuer, &c.award_id)).expect("resend");
    let r = c.get();
    assert_eq!(r.status, 404);
    assert!(text(&r).contains("replaced by a newer one"));
    let fresh = Claim {
        bench: Bench::new(),
        token: again.claim_token,
        award_id: c.award_id.clone(),
    };
    let r = {
        let env = c.bench.env();
        let path = fresh.path();
        let req = c.request("POST", &path);
        block_on(act(&env, &req, &fresh.token, b"action=accept"))
    };
    assert_eq!(r.status, 303);
    assert_eq!(c.award().acceptance.state, AcceptanceState::Accepted);
}

#[test]
fn ten_unknown_links_lock_the_address_for_fifteen_minutes() {
    let c = setup();
    let well_formed = "A".repeat(43);
    for i in 0..10 {
        let path = if i % 2 == 0 {
            format!("/claim/{well_formed}")
        } else {
            "/claim/short".to_owned()
        };
        assert_eq!(c.get_path(&path).status, 404, "attempt {i}");
    }
    let r = c.get();
    assert_eq!(r.status, 429, "even a good link waits");
    assert_eq!(r.header("retry-after"), Some("900"));
    assert!(text(&r).contains("Try again in 15 minute(s)"));
    assert_eq!(c.post("action=accept").status, 429);
    assert_eq!(c.award().acceptance.state, AcceptanceState::Pending);
}

#[test]
fn a_token_is_looked_up_by_its_hash_only() {
    let c = setup();
    let hash = sha256_hex(c.token.as_bytes());
    assert!(c.bench.kv.keys().contains(&crate::store_keys::claim(&hash)));
    assert!(!c.bench.kv.keys().iter().any(|k| k.contains(&c.token)));
}

#[test]
fn issuer_text_is_escaped_on_every_page() {
    let c = setup_with("<script>alert(\"x\")</script>");
    let pending = text(&c.get());
    let confirm = text(&c.post("action=reject"));
    let _ = c.post("action=accept");
    let manage = text(&c.get());
    for html in [pending, confirm, manage] {
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(
            html.contains("&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;"),
            "{html}"
        );
    }
}

#[test]
fn other_methods_and_paths_are_refused() {
    let c = setup();
    let path = c.path();
    let r = c.post_with(c.request("DELETE", &path), "");
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("GET, HEAD, POST"));
    assert_eq!(c.get_path("/claim/").status, 404);
    assert_eq!(c.get_path("/claim/a/b").status, 404);
}

#[test]
fn head_has_no_body() {
    let c = setup();
    let path = c.path();
    let env = c.bench.env();
    let req = c.request("HEAD", &path);
    let r = block_on(async {
        let token = begin(&env, &req).await.expect("begin");
        show(&env, &req, token).await
    });
    assert_eq!(r.status, 200);
    assert!(r.body.is_empty());
}
