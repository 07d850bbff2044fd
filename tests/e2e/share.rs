//! Sharing through the real `share` component: exact redirect URLs, the
//! states that do not redirect, click counting under concurrency and its API,
//! Open Graph tags for link-preview crawlers, the embed card and the
//! certificate.
//!
//! Acceptance and visibility are set by rewriting the award record, as the
//! claim component will (see `common::set_award_state`).

use crate::common::{award, badge_class, issuer, path_of, set_award_state, shared};
use emblem_tests::{ADMIN_TOKEN, App, Resp};
use serde_json::{Value, json};

/// `&`, `#`, `+`, quotes, `=`, `%` and three scripts in one badge name.
const AWKWARD: &str = "R&D \"Q+A\" #1 = 100% 'ok' — 日本語 Ελληνικά";
const AWKWARD_ENCODED: &str = "R%26D%20%22Q%2BA%22%20%231%20%3D%20100%25%20%27ok%27%20%E2%80%94%20\
                               %E6%97%A5%E6%9C%AC%E8%AA%9E%20%CE%95%CE%BB%CE%BB%CE%B7%CE%BD%CE%B9%CE%BA%CE%AC";

struct Shared {
    id: String,
    assertion_url: String,
    key: String,
}

fn accepted(app: &App, issuer_name: &str, badge_name: &str, extra: Value) -> Shared {
    let who = issuer(app, issuer_name);
    let class = badge_class(app, &who, json!({"name": badge_name}));
    let made = award(app, &who, &class, "earner@example.org", extra);
    let id = made["id"].as_str().expect("id").to_owned();
    set_award_state(app, &id, |r| {
        r["acceptance"]["state"] = json!("accepted");
    });
    Shared {
        assertion_url: made["assertion_url"].as_str().expect("url").to_owned(),
        id,
        key: who.key,
    }
}

fn location(r: &Resp) -> &str {
    r.header("location")
        .unwrap_or_else(|| panic!("no Location: {} {}", r.status, r.text()))
}

fn encode_url(url: &str) -> String {
    url.replace(':', "%3A").replace('/', "%2F")
}

fn counts(app: &App, s: &Shared) -> Value {
    app.get_auth(&format!("/api/v1/assertions/{}/shares", s.id), &s.key)
        .expect(200)
        .json()
}

#[test]
fn add_to_profile_redirects_with_every_value_encoded() {
    let app = shared();
    let s = accepted(
        app,
        "Share Academy",
        AWKWARD,
        json!({"issued_on": "2026-03-09T10:00:00Z", "expires": "2030-06-15T00:00:00Z"}),
    );
    let r = app.get(&format!("/share/linkedin/{}", s.id));
    r.expect(302);
    assert_eq!(
        location(&r),
        format!(
            "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&name={AWKWARD_ENCODED}\
             &organizationId=1337&issueYear=2026&issueMonth=3&expirationYear=2030&expirationMonth=6\
             &certUrl={}&certId={}",
            encode_url(&s.assertion_url),
            s.id
        )
    );
    assert_eq!(r.header("cache-control"), Some("no-store"));
}

#[test]
fn without_an_organization_id_or_expiry_the_name_is_sent_and_no_expiry() {
    let app = shared();
    let who = app
        .post(
            "/api/v1/issuers",
            ADMIN_TOKEN,
            &json!({"name": "Smith & Sons #2 + \"Co\"", "url": "https://smith.example.org",
                    "email": "b@smith.example.org"}),
        )
        .expect(201)
        .json();
    let key = app
        .post(
            &format!("/api/v1/issuers/{}/keys", who["id"].as_str().expect("id")),
            ADMIN_TOKEN,
            &json!({}),
        )
        .expect(201)
        .json()["key"]
        .as_str()
        .expect("key")
        .to_owned();
    let long_name = "Сертификат по безопасности труда ".repeat(6);
    let class = app
        .post(
            "/api/v1/badgeclasses",
            &key,
            &json!({"name": long_name.trim(), "description": "d",
                    "image": crate::common::png_data_uri(), "criteria": {"narrative": "n"}}),
        )
        .expect(201)
        .json();
    let made = app
        .post(
            "/api/v1/assertions",
            &key,
            &json!({"badgeclass": class["id"], "recipient": {"email": "e@example.org"},
                    "issued_on": "2025-12-31T23:59:59Z"}),
        )
        .expect(201)
        .json();
    let id = made["id"].as_str().expect("id");
    set_award_state(app, id, |r| r["acceptance"]["state"] = json!("accepted"));
    let r = app.get(&format!("/share/linkedin/{id}"));
    r.expect(302);
    let name: String = long_name
        .trim()
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    assert_eq!(
        location(&r),
        format!(
            "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&name={name}\
             &organizationName=Smith%20%26%20Sons%20%232%20%2B%20%22Co%22&issueYear=2025&issueMonth=12\
             &certUrl={}&certId={id}",
            encode_url(made["assertion_url"].as_str().expect("url"))
        )
    );
}

#[test]
fn feed_x_facebook_and_email_targets_redirect_to_their_sites() {
    let app = shared();
    let s = accepted(app, "Feed Academy", "Rust & Co", json!({}));
    let url = encode_url(&s.assertion_url);
    let cases = [
        (
            format!("/share/linkedin/{}/post", s.id),
            format!("https://www.linkedin.com/sharing/share-offsite/?url={url}"),
        ),
        (
            format!("/share/facebook/{}", s.id),
            format!("https://www.facebook.com/sharer/sharer.php?u={url}"),
        ),
        (
            format!("/share/x/{}", s.id),
            format!(
                "https://twitter.com/intent/tweet?text=I%20earned%20the%20Rust%20%26%20Co%20badge\
                 %20from%20Feed%20Academy.&url={url}"
            ),
        ),
        (
            format!("/share/email/{}", s.id),
            format!(
                "mailto:?subject=My%20badge%3A%20Rust%20%26%20Co&body=I%20earned%20the%20Rust\
                 %20%26%20Co%20badge%20from%20Feed%20Academy.%0D%0A%0D%0ASee%20and%20verify\
                 %20it%20here%3A%20{url}%0D%0A"
            ),
        ),
    ];
    for (path, expected) in cases {
        let r = app.get(&path);
        r.expect(302);
        assert_eq!(location(&r), expected, "{path}");
    }
    assert_eq!(
        counts(app, &s),
        json!({"linkedin_profile": 0, "linkedin_post": 1, "x": 1, "facebook": 1, "email": 1})
    );
}

#[test]
fn only_accepted_public_unrevoked_badges_redirect() {
    let app = shared();
    let who = issuer(app, "States Academy");
    let class = badge_class(app, &who, json!({"name": "State Badge"}));
    let made = award(app, &who, &class, "s@example.org", json!({}));
    let id = made["id"].as_str().expect("id").to_owned();
    let paths = |id: &str| {
        [
            format!("/share/linkedin/{id}"),
            format!("/share/linkedin/{id}/post"),
            format!("/share/x/{id}"),
            format!("/share/facebook/{id}"),
            format!("/share/email/{id}"),
            format!("/embed/{id}"),
            format!("/certificate/{id}"),
        ]
    };
    let check = |id: &str, status: u16, words: &str| {
        for path in paths(id) {
            let r = app.get(&path);
            assert_eq!(r.status, status, "{path}: {}", r.text());
            assert_eq!(r.header("location"), None, "{path}");
            assert_eq!(
                r.header("content-type"),
                Some("text/html; charset=utf-8"),
                "{path}"
            );
            assert!(r.text().contains(words), "{path}: {}", r.text());
            assert!(!r.text().contains("State Badge"), "{path} shows no details");
        }
    };
    // Pending.
    check(&id, 404, "Not yet accepted");
    // Accepted but private.
    set_award_state(app, &id, |r| {
        r["acceptance"]["state"] = json!("accepted");
        r["visibility"] = json!("private");
    });
    check(&id, 404, "Badge not available");
    // Rejected.
    set_award_state(app, &id, |r| {
        r["acceptance"]["state"] = json!("rejected");
        r["visibility"] = json!("public");
    });
    check(&id, 404, "Badge not available");
    // Unknown ids, valid or not.
    check(
        "6a1f1b2c-0000-4000-8000-000000000000",
        404,
        "Badge not available",
    );
    check("nope", 404, "Badge not available");
    // Accepted and public: redirects.
    set_award_state(app, &id, |r| r["acceptance"]["state"] = json!("accepted"));
    app.get(&format!("/share/linkedin/{id}")).expect(302);
    app.get(&format!("/embed/{id}")).expect(200);
    app.get(&format!("/certificate/{id}")).expect(200);
    // Revoked: gone, with the reason.
    app.post(
        &format!("/api/v1/assertions/{id}/revoke"),
        &who.key,
        &json!({"reason": "Issued in <error>"}),
    )
    .expect(200);
    check(&id, 410, "Reason: Issued in &#60;error&#62;");
    // Only the one redirect above was counted.
    let n = app
        .get_auth(&format!("/api/v1/assertions/{id}/shares"), &who.key)
        .expect(200)
        .json();
    assert_eq!(n["linkedin_profile"], 1, "{n}");
    assert_eq!(n["email"], 0, "{n}");
    // Other methods are refused.
    app.request("POST", &format!("/share/linkedin/{id}"))
        .send()
        .expect_problem(405);
}

#[test]
fn fifty_concurrent_clicks_are_counted_exactly_and_head_is_not_counted() {
    let app = shared();
    let s = accepted(app, "Busy Academy", "Popular Badge", json!({}));
    let path = format!("/share/linkedin/{}", s.id);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..50)
            .map(|_| scope.spawn(|| app.get(&path).status))
            .collect();
        for h in handles {
            assert_eq!(h.join().expect("thread"), 302);
        }
    });
    app.request("HEAD", &path).send().expect(302);
    assert_eq!(
        counts(app, &s),
        json!({"linkedin_profile": 50, "linkedin_post": 0, "x": 0, "facebook": 0, "email": 0})
    );
}

#[test]
fn share_counts_are_for_the_awarding_issuer_only() {
    let app = shared();
    let s = accepted(app, "Owner Academy", "Owned Badge", json!({}));
    app.get(&format!("/share/x/{}", s.id)).expect(302);
    assert_eq!(counts(app, &s)["x"], 1);
    let other = issuer(app, "Other Academy");
    let path = format!("/api/v1/assertions/{}/shares", s.id);
    app.get_auth(&path, &other.key).expect_problem(404);
    app.get(&path).expect_problem(401);
    app.get_auth(&path, ADMIN_TOKEN).expect_problem(403);
}

#[test]
fn link_preview_crawlers_get_escaped_open_graph_tags_with_the_baked_image() {
    let app = shared();
    let s = accepted(app, "Preview Academy", "<script>\"&", json!({}));
    let path = path_of(&s.assertion_url);
    let escaped = "&#60;script&#62;&#34;&#38;";
    let image = format!("{}/image", s.assertion_url);
    for agent in [
        "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Twitterbot/1.0",
    ] {
        let r = app.request("GET", &path).header("User-Agent", agent).send();
        r.expect(200);
        assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
        let html = r.text();
        for needle in [
            format!(
                "<meta property=\"og:title\" content=\"{escaped} — awarded by Preview Academy\">"
            ),
            format!("<meta property=\"og:url\" content=\"{}\">", s.assertion_url),
            format!("<meta property=\"og:image\" content=\"{image}\">"),
            format!("<meta property=\"og:image:alt\" content=\"{escaped} badge\">"),
            "<meta name=\"twitter:card\" content=\"summary_large_image\">".to_owned(),
            format!(
                "<meta name=\"twitter:title\" content=\"{escaped} — awarded by Preview Academy\">"
            ),
            format!("<meta name=\"twitter:image\" content=\"{image}\">"),
        ] {
            assert!(html.contains(&needle), "{agent}: missing {needle}");
        }
        assert!(!html.contains("<script>"), "{agent}");
    }
    // The preview image is the baked PNG, fetchable at the absolute URL.
    let img = app.get(&image);
    img.expect(200);
    assert_eq!(img.header("content-type"), Some("image/png"));
}

#[test]
fn the_badge_page_lists_the_values_to_copy_into_linkedin() {
    let app = shared();
    let s = accepted(
        app,
        "Copy Academy",
        "Copy & Paste",
        json!({"issued_on": "2026-03-09T10:00:00Z", "expires": "2030-06-15T00:00:00Z"}),
    );
    let html = app
        .request("GET", &path_of(&s.assertion_url))
        .header("Accept", "text/html")
        .send();
    html.expect(200);
    let text = html.text();
    for needle in [
        "<dd><code>Copy &#38; Paste</code></dd>".to_owned(),
        "<dd><code>Copy Academy</code></dd>".to_owned(),
        "<dd><code>March 2026</code></dd>".to_owned(),
        "<dd><code>June 2030</code></dd>".to_owned(),
        format!("<dd><code>{}</code></dd>", s.id),
        format!("<dd><code>{}</code></dd>", s.assertion_url),
    ] {
        assert!(text.contains(&needle), "missing {needle}");
    }
    assert!(
        html.header("content-security-policy")
            .is_some_and(|c| c.contains("frame-ancestors 'none'"))
    );
}

#[test]
fn the_embed_card_may_be_framed_and_the_certificate_carries_the_qr_code() {
    let app = shared();
    let s = accepted(app, "Embed Academy", "Embeddable", json!({}));
    let embed = app.get(&format!("/embed/{}", s.id));
    embed.expect(200);
    let csp = embed.header("content-security-policy").expect("csp");
    assert!(csp.ends_with("frame-ancestors *"), "{csp}");
    assert_eq!(embed.header("x-frame-options"), None);
    assert!(
        embed
            .text()
            .contains("<strong class=\"embed-name\">Embeddable</strong>")
    );
    assert!(
        embed
            .text()
            .contains(&format!("src=\"{}/image\"", s.assertion_url))
    );

    let cert = app.get(&format!("/certificate/{}", s.id));
    cert.expect(200);
    assert!(
        cert.header("content-security-policy")
            .is_some_and(|c| c.contains("frame-ancestors 'none'"))
    );
    assert_eq!(cert.header("x-frame-options"), Some("DENY"));
    let text = cert.text();
    assert!(text.contains("Certificate of Achievement"));
    assert!(text.contains("<svg class=\"qr\" role=\"img\""));
    let verify = format!("{}/verify?url={}", app.base, encode_url(&s.assertion_url));
    assert!(text.contains(&format!("href=\"{verify}\"")), "{text}");
    // Its stylesheet is served.
    let css = app.get("/static/share.css");
    css.expect(200);
    assert!(css.text().contains("size: A4 landscape"));
}
