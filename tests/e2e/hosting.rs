//! Issue → host: the exact Open Badges 2.0 JSON-LD an issuer's awards are
//! served as, content negotiation, caching headers, revocation, expiry.

use crate::common::{award, badge_class, fixture, issuer, path_of, shared};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const OB2: &str = "https://w3id.org/openbadges/v2";

fn get_ld(path: &str) -> (emblem_tests::Resp, Value) {
    let resp = shared().get(path);
    let body = resp.json();
    (resp, body)
}

#[test]
fn an_award_is_hosted_as_exact_open_badges_2_json_ld() {
    let app = shared();
    let issuer = issuer(app, "Hosting Academy");
    let class = badge_class(app, &issuer, json!({}));
    let awarded = award(
        app,
        &issuer,
        &class,
        "  Alice.Smith@Example.ORG ",
        json!({
            "issued_on": "2026-01-15T10:00:00Z",
            "evidence": [{"url": "https://academy.example.org/work/1", "narrative": "Lifted 20 kg."}],
            "narrative": "Did well.",
        }),
    );

    // The issuer as the API answered its creation.
    let issuer_path = path_of(&issuer.url);
    assert_eq!(issuer.body["linkedin_organization_id"], "1337");
    assert_eq!(issuer.body["email"], "badges@academy.example.org");
    assert_eq!(
        issuer.body["image"],
        format!("{}{issuer_path}/image", app.base)
    );

    // The issuer profile.
    let (resp, profile) = get_ld(&issuer_path);
    resp.expect(200);
    assert_eq!(
        resp.header("content-type"),
        Some("application/ld+json; charset=utf-8")
    );
    assert_eq!(resp.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        profile,
        json!({
            "@context": OB2,
            "type": "Issuer",
            "id": format!("{}{issuer_path}", app.base),
            "name": "Hosting Academy",
            "url": "https://academy.example.org",
            "email": "badges@academy.example.org",
            "description": "Trains people.",
            "image": format!("{}{issuer_path}/image", app.base),
            "verification": {"type": "VerificationObject",
                             "startsWith": format!("{}/assertions/", app.base)},
            "revocationList": format!("{}{issuer_path}/revocations", app.base),
        })
    );

    // The badge class.
    let class_url = class["badgeclass_url"].as_str().expect("badgeclass_url");
    let (resp, badge) = get_ld(&path_of(class_url));
    resp.expect(200);
    assert_eq!(
        badge,
        json!({
            "@context": OB2,
            "type": "BadgeClass",
            "id": class_url,
            "name": "Safe Lifting",
            "description": "Lifts heavy things safely.",
            "image": format!("{class_url}/image"),
            "criteria": {"id": "https://academy.example.org/criteria", "narrative": "Pass the **practical** test."},
            "issuer": profile["id"],
            "tags": ["safety", "lifting"],
        })
    );
    let image = app.get(&format!("{}/image", path_of(class_url)));
    image.expect(200);
    assert_eq!(image.header("content-type"), Some("image/png"));
    assert_eq!(image.body, fixture("badge.png"));

    // The assertion: recipient hashed with the award's salt over the
    // trimmed, lower-cased email.
    let assertion_url = awarded["assertion_url"].as_str().expect("assertion_url");
    let (resp, assertion) = get_ld(&path_of(assertion_url));
    resp.expect(200);
    let salt = assertion["recipient"]["salt"].as_str().expect("salt");
    let expected_hash = format!(
        "sha256${}",
        hex::encode(Sha256::digest(format!("alice.smith@example.org{salt}")))
    );
    assert_eq!(
        assertion,
        json!({
            "@context": OB2,
            "type": "Assertion",
            "id": assertion_url,
            "recipient": {"type": "email", "hashed": true, "salt": salt, "identity": expected_hash},
            "badge": class_url,
            "verification": {"type": "HostedBadge"},
            "issuedOn": "2026-01-15T10:00:00Z",
            "evidence": [{"type": "Evidence", "id": "https://academy.example.org/work/1", "narrative": "Lifted 20 kg."}],
            "narrative": "Did well.",
        })
    );
    assert!(
        !resp.text().contains("alice"),
        "the plaintext email must never be hosted"
    );
    assert_eq!(awarded["recipient"]["identity"], expected_hash);
    assert_eq!(awarded["state"], "pending");

    // The revocation list starts empty.
    let (resp, list) = get_ld(&format!("{issuer_path}/revocations"));
    resp.expect(200);
    assert_eq!(
        list,
        json!({
            "@context": OB2,
            "type": "RevocationList",
            "id": format!("{}{issuer_path}/revocations", app.base),
            "issuer": profile["id"],
            "revokedAssertions": [],
        })
    );
}

#[test]
fn content_negotiation_serves_ld_json_json_or_html() {
    let app = shared();
    let issuer = issuer(app, "Negotiation Institute");
    let class = badge_class(app, &issuer, json!({}));
    let awarded = award(app, &issuer, &class, "bob@example.org", json!({}));
    let path = path_of(awarded["assertion_url"].as_str().expect("url"));

    let ld = app.request("GET", &path).header("Accept", "*/*").send();
    assert_eq!(
        ld.header("content-type"),
        Some("application/ld+json; charset=utf-8")
    );
    let json = app
        .request("GET", &path)
        .header("Accept", "application/json")
        .send();
    assert_eq!(
        json.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(ld.json(), json.json());
    let html = app
        .request(
            "GET",
            &path_of(class["badgeclass_url"].as_str().expect("url")),
        )
        .header(
            "Accept",
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        )
        .send();
    html.expect(200);
    assert_eq!(
        html.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(html.text().contains("Safe Lifting"));
    assert!(ld.header("vary").is_some_and(|v| v.contains("Accept")));
}

#[test]
fn etags_let_clients_revalidate_and_caching_is_short() {
    let app = shared();
    let issuer = issuer(app, "Etag Guild");
    let path = path_of(&issuer.url);
    let first = app.get(&path);
    first.expect(200);
    let etag = first.header("etag").expect("etag").to_string();
    let cache = first.header("cache-control").expect("cache-control");
    let max_age: u64 = cache
        .split(',')
        .find_map(|p| p.trim().strip_prefix("max-age="))
        .and_then(|v| v.parse().ok())
        .expect("max-age");
    assert!(
        max_age <= 60,
        "a revocation must show within a minute: {cache}"
    );
    app.request("GET", &path)
        .header("If-None-Match", &etag)
        .send()
        .expect(304);
}

#[test]
fn escaped_html_never_runs_what_an_issuer_wrote() {
    let app = shared();
    let issuer = issuer(app, "<script>alert('issuer')</script>");
    let class = badge_class(
        app,
        &issuer,
        json!({"name": "<img src=x onerror=alert(1)>", "description": "\"quoted\" & <b>bold</b>"}),
    );
    let page = app
        .request(
            "GET",
            &path_of(class["badgeclass_url"].as_str().expect("url")),
        )
        .header("Accept", "text/html")
        .send();
    page.expect(200);
    let text = page.text();
    assert!(!text.contains("<script>alert"), "{text}");
    assert!(!text.contains("<img src=x"), "{text}");
    assert!(
        text.contains("&lt;img src=x onerror=alert(1)&gt;")
            || text.contains("&#60;img src=x onerror=alert(1)&#62;"),
        "{text}"
    );
}

#[test]
fn a_revoked_award_is_gone_with_its_reason_and_listed() {
    let app = shared();
    let issuer = issuer(app, "Revocation College");
    let class = badge_class(app, &issuer, json!({}));
    let awarded = award(app, &issuer, &class, "carol@example.org", json!({}));
    let id = awarded["id"].as_str().expect("id");
    let url = awarded["assertion_url"].as_str().expect("url");

    let revoked = app
        .post(
            &format!("/api/v1/assertions/{id}/revoke"),
            &issuer.key,
            &json!({"reason": "Issued in error"}),
        )
        .expect(200)
        .json();
    assert_eq!(revoked["status"], "revoked");

    let resp = app.get(&path_of(url));
    resp.expect(410);
    assert_eq!(
        resp.json(),
        json!({
            "@context": OB2,
            "type": "Assertion",
            "id": url,
            "revoked": true,
            "revocationReason": "Issued in error",
        })
    );
    let html = app
        .request("GET", &path_of(url))
        .header("Accept", "text/html")
        .send();
    html.expect(410);
    assert!(html.text().to_lowercase().contains("revoked"));

    let list = app
        .get(&format!("{}/revocations", path_of(&issuer.url)))
        .expect(200)
        .json();
    assert_eq!(
        list["revokedAssertions"],
        json!([{"id": url, "revocationReason": "Issued in error"}])
    );

    // Revoking again changes nothing.
    app.post(
        &format!("/api/v1/assertions/{id}/revoke"),
        &issuer.key,
        &json!({"reason": "Another reason"}),
    )
    .expect(200);
    let list = app
        .get(&format!("{}/revocations", path_of(&issuer.url)))
        .json();
    assert_eq!(list["revokedAssertions"].as_array().map(Vec::len), Some(1));
    // A revoked award cannot be re-certified.
    app.post(
        &format!("/api/v1/assertions/{id}/recertify"),
        &issuer.key,
        &json!({"expires": "2099-01-01T00:00:00Z"}),
    )
    .expect_problem(409);
}

#[test]
fn an_expired_award_says_so_and_recertification_renews_it() {
    let app = shared();
    let issuer = issuer(app, "Expiry Board");
    let class = badge_class(app, &issuer, json!({}));
    let awarded = award(
        app,
        &issuer,
        &class,
        "dan@example.org",
        json!({"issued_on": "2020-01-01T00:00:00Z", "expires": "2021-01-01T00:00:00Z"}),
    );
    assert_eq!(awarded["status"], "expired");
    let id = awarded["id"].as_str().expect("id");
    let path = path_of(awarded["assertion_url"].as_str().expect("url"));
    let hosted = app.get(&path).expect(200).json();
    assert_eq!(hosted["expires"], "2021-01-01T00:00:00Z");

    let renewed = app
        .post(
            &format!("/api/v1/assertions/{id}/recertify"),
            &issuer.key,
            &json!({"expires": "2099-06-30T00:00:00Z"}),
        )
        .expect(200)
        .json();
    assert_eq!(renewed["expires"], "2099-06-30T00:00:00Z");
    assert_ne!(renewed["status"], "expired");
    assert_eq!(
        renewed["recertifications"][0]["previous_expires"],
        "2021-01-01T00:00:00Z"
    );
    let hosted = app.get(&path).expect(200).json();
    assert_eq!(hosted["expires"], "2099-06-30T00:00:00Z");
}

#[test]
fn a_class_default_validity_sets_the_expiry() {
    let app = shared();
    let issuer = issuer(app, "Validity Centre");
    let class = badge_class(app, &issuer, json!({"expires_after_days": 365}));
    let awarded = award(
        app,
        &issuer,
        &class,
        "erin@example.org",
        json!({"issued_on": "2026-03-01T00:00:00Z"}),
    );
    assert_eq!(awarded["expires"], "2027-03-01T00:00:00Z");
}

#[test]
fn unknown_objects_are_404_problems() {
    let app = shared();
    for path in [
        "/issuers/nope",
        "/badges/nope",
        "/assertions/nope",
        "/issuers/nope/revocations",
    ] {
        app.get(path).expect_problem(404);
    }
}

#[test]
fn an_issuer_changes_its_logo_and_a_bad_one_changes_nothing() {
    let app = shared();
    let iss = issuer(app, "Rebranded Academy");
    let patch = |body: Value| {
        app.request("PATCH", &format!("/api/v1/issuers/{}", iss.id))
            .bearer(&iss.key)
            .json(&body)
            .send()
    };
    let svg = crate::common::data_uri("image/svg+xml", &fixture("badge.svg"));
    let changed = patch(json!({"image": svg}));
    changed.expect(200);
    let image_url = changed.json()["image"].as_str().expect("image").to_owned();
    let served = app.get(&path_of(&image_url));
    served.expect(200);
    assert_eq!(served.header("content-type"), Some("image/svg+xml"));
    assert_eq!(served.body, fixture("badge.svg"));
    let profile = app
        .request("GET", &path_of(&iss.url))
        .header("accept", "application/ld+json")
        .send()
        .json();
    assert_eq!(profile["image"], image_url.as_str());

    // A scripted SVG and a fake PNG are refused, and the logo stays.
    for bad in [
        crate::common::data_uri("image/svg+xml", &fixture("script.svg")),
        crate::common::data_uri("image/png", &fixture("fake.png")),
    ] {
        let problem = patch(json!({"image": bad})).expect_problem(422);
        assert!(problem.to_string().contains("image"), "{problem}");
    }
    assert_eq!(app.get(&path_of(&image_url)).body, fixture("badge.svg"));

    // Another issuer cannot change it.
    let other = issuer(app, "Not Rebranded");
    app.request("PATCH", &format!("/api/v1/issuers/{}", iss.id))
        .bearer(&other.key)
        .json(&json!({"image": crate::common::png_data_uri()}))
        .send()
        .expect_problem(404);
    assert_eq!(app.get(&path_of(&image_url)).body, fixture("badge.svg"));

    // null removes it.
    let removed = patch(json!({"image": null}));
    removed.expect(200);
    assert_eq!(removed.json()["image"], Value::Null);
    app.get(&path_of(&image_url)).expect_problem(404);
}
