//! The earner's journey through claim links, on the real components and store: the award
//! email from the API response (and the issuer's webhook), the claim page, accept / reject /
//! privacy, resend, expiry, lockout, escaping and concurrency.
//!
//! These tests run `tests/apps/claim/spin.toml`: the real components, with `issuing` allowed
//! to call a webhook receiver on loopback in this test process.

use crate::common::{
    Issuer, award, badge_class, issuer, kv_snapshot, path_of, read_record, rewrite_record,
};
use crate::hook_receiver::Receiver;
use emblem_tests::{ADMIN_TOKEN, App, AppConfig, Resp};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

fn start() -> App {
    AppConfig::fixture("claim", "claim")
        .variable("admin_token", ADMIN_TOKEN)
        .start()
}

/// The claim test app, shared by the tests that stay well under the lockout threshold.
fn app() -> &'static App {
    static APP: OnceLock<App> = OnceLock::new();
    APP.get_or_init(start)
}

fn form(app: &App, claim_path: &str, body: &str) -> Resp {
    app.request("POST", claim_path)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body.as_bytes().to_vec())
        .send()
}

fn page(app: &App, path: &str) -> Resp {
    app.request("GET", path)
        .header("Accept", "text/html")
        .send()
}

/// Whether `header` (`t=<unix>,v1=<hex>`) signs `body` with `secret`, as a receiver checks
/// it: HMAC-SHA256 over `"<t>.<body>"`, compared in constant time (`verify_slice`).
fn signature_is_valid(secret: &str, header: &str, body: &[u8]) -> bool {
    use hmac::{KeyInit, Mac};
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", v)) => t = Some(v),
            Some(("v1", v)) => v1 = hex::decode(v).ok(),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return false;
    };
    let mut mac = hmac::Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(t.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.verify_slice(&v1).is_ok()
}

fn token_of(claim_url: &str) -> &str {
    claim_url.rsplit('/').next().expect("token")
}

fn claim_key(claim_url: &str) -> String {
    format!(
        "claim/{}",
        hex::encode(Sha256::digest(token_of(claim_url).as_bytes()))
    )
}

struct Awarded {
    issuer: Issuer,
    id: String,
    body: Value,
    claim_url: String,
    claim_path: String,
    assertion_path: String,
}

fn awarded(app: &App, issuer_name: &str, badge_name: &str) -> Awarded {
    let issuer = issuer(app, issuer_name);
    let class = badge_class(app, &issuer, json!({"name": badge_name}));
    let body = award(app, &issuer, &class, "earner@example.org", json!({}));
    let claim_url = body["claim_url"].as_str().expect("claim_url").to_string();
    Awarded {
        id: body["id"].as_str().expect("id").to_string(),
        claim_path: path_of(&claim_url),
        assertion_path: path_of(body["assertion_url"].as_str().expect("url")),
        claim_url,
        body,
        issuer,
    }
}

/// The award's record and its claim token's record: what "nothing changed" is about in the
/// shared app (other tests write their own keys meanwhile).
fn award_state(app: &App, a: &Awarded) -> (Option<Value>, Option<Value>) {
    (
        read_record(app, &format!("award/{}", a.id)),
        read_record(app, &claim_key(&a.claim_url)),
    )
}

#[track_caller]
fn expect_private_page(r: &Resp) {
    assert_eq!(r.header("cache-control"), Some("no-store"), "{r:?}");
    assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(r.header("x-robots-tag"), Some("noindex, nofollow"));
    assert!(
        r.header("content-type")
            .is_some_and(|c| c.starts_with("text/html"))
    );
}

#[test]
fn the_earner_journey_from_the_award_email_to_a_public_then_private_badge() {
    let app = app();
    let hook = Receiver::start(204);
    let issuer = issuer(app, "Journey Academy");
    let patched = app
        .request("PATCH", &format!("/api/v1/issuers/{}", issuer.id))
        .bearer(&issuer.key)
        .json(&json!({"webhook_url": hook.url}))
        .send();
    patched.expect(200);
    assert_eq!(patched.json()["webhook_url"], hook.url.as_str());
    // The signing secret is shown once, in this answer, and never again.
    let secret = patched.json()["webhook_secret"]
        .as_str()
        .expect("webhook_secret")
        .to_owned();
    assert!(secret.starts_with("whsec_"), "{secret}");
    let shown = app.get_auth(&format!("/api/v1/issuers/{}", issuer.id), &issuer.key);
    assert!(
        shown.json().get("webhook_secret").is_none(),
        "{}",
        shown.text()
    );
    let class = badge_class(app, &issuer, json!({}));
    let body = award(app, &issuer, &class, "earner@example.org", json!({}));
    let claim_url = body["claim_url"].as_str().expect("claim_url");
    let id = body["id"].as_str().expect("id");
    let claim_path = path_of(claim_url);
    let assertion_path = path_of(body["assertion_url"].as_str().expect("url"));

    // The email, from the API response.
    let email = &body["email"];
    assert_eq!(email["to"], "earner@example.org");
    assert_eq!(
        email["subject"],
        "Journey Academy awarded you the badge “Safe Lifting”"
    );
    for part in ["text", "html"] {
        let text = email[part].as_str().expect(part);
        assert!(text.contains(claim_url), "{part}: {text}");
        assert!(text.contains("Add to LinkedIn"), "{part}");
        assert!(text.contains(&format!("/share/linkedin/{id}")), "{part}");
    }
    // ... and delivered to the issuer's webhook, as the same JSON.
    assert_eq!(body["webhook"]["delivered"], true, "{}", body["webhook"]);
    assert_eq!(body["webhook"]["status"], 204);
    let got = hook.next();
    assert!(
        got.request_line.starts_with("POST /hooks/emblem "),
        "{got:?}"
    );
    assert_eq!(got.header("content-type"), Some("application/json"));
    // Signed: the receiver recomputes the HMAC over "<t>.<body>" and tells it apart from a
    // forgery.
    let signature = got.header("emblem-signature").expect("Emblem-Signature");
    assert!(
        signature_is_valid(&secret, signature, &got.body),
        "{signature}"
    );
    assert!(
        !signature_is_valid("whsec_guess", signature, &got.body),
        "a wrong secret fails"
    );
    let mut forged = got.body.clone();
    forged.extend_from_slice(b" ");
    assert!(
        !signature_is_valid(&secret, signature, &forged),
        "a changed body fails"
    );
    let sent: Value = serde_json::from_slice(&got.body).expect("webhook JSON");
    assert_eq!(sent["event"], "assertion.awarded");
    assert_eq!(sent["assertion_id"], id);
    assert_eq!(sent["claim_url"], claim_url);
    assert_eq!(sent["email"], body["email"]);

    // The link from the email: the offer page.
    let offer = app.get(&claim_path);
    offer.expect(200);
    expect_private_page(&offer);
    let html = offer.text();
    assert!(html.contains("What accepting means"), "{html}");
    assert!(html.contains("value=\"accept\"") && html.contains("value=\"reject\""));
    // Pending: JSON hosted, no public page yet; the baked download is offered to verifiers.
    app.get(&assertion_path).expect(200);
    page(app, &assertion_path).expect(404);
    app.get(&format!("{assertion_path}/image")).expect(200);

    // Accept: 303 back to the link, which is now the manage page.
    let accepted = form(app, &claim_path, "action=accept");
    accepted.expect(303);
    assert_eq!(accepted.header("location"), Some(claim_url));
    let manage = app.get(&claim_path);
    manage.expect(200);
    let html = manage.text();
    for needle in [
        "Make private".to_string(),
        format!("href=\"{}\"", body["assertion_url"].as_str().expect("url")),
        format!("/assertions/{id}/image\" download"),
        format!("/share/linkedin/{id}\""),
        format!("/share/linkedin/{id}/post\""),
        format!("/certificate/{id}\""),
        format!("/embed/{id}"),
        "<textarea id=\"signature\" readonly".to_string(),
    ] {
        assert!(html.contains(&needle), "manage page lacks {needle}: {html}");
    }
    let record = read_record(app, &format!("award/{id}")).expect("award");
    assert_eq!(record["acceptance"]["state"], "accepted");
    page(app, &assertion_path).expect(200);

    // Private: the page goes, the JSON and the download stay.
    form(app, &claim_path, "action=private").expect(303);
    assert!(app.get(&claim_path).text().contains("Make public"));
    page(app, &assertion_path).expect(404);
    app.get(&assertion_path).expect(200);
    app.get(&format!("{assertion_path}/image")).expect(200);

    // Public again.
    form(app, &claim_path, "action=public").expect(303);
    page(app, &assertion_path).expect(200);
    assert_eq!(
        read_record(app, &format!("award/{id}")).expect("award")["visibility"],
        "public"
    );
}

#[test]
fn a_rejection_needs_confirmation_and_a_resend_brings_the_badge_back() {
    let app = app();
    let a = awarded(app, "Oops Institute", "Safe Lifting");
    let before = award_state(app, &a);
    let confirm = form(app, &a.claim_path, "action=reject");
    confirm.expect(200);
    expect_private_page(&confirm);
    let html = confirm.text();
    assert!(html.contains("name=\"confirm\" value=\"yes\""), "{html}");
    assert_eq!(award_state(app, &a), before, "unconfirmed: nothing changed");

    form(app, &a.claim_path, "action=reject&confirm=yes").expect(303);
    let declined = app.get(&a.claim_path);
    declined.expect(200);
    assert!(declined.text().contains("You declined this badge"));
    // Rejected: gone everywhere.
    app.get(&a.assertion_path).expect_problem(404);
    app.get(&format!("{}/image", a.assertion_path))
        .expect_problem(404);
    // The earner cannot accept from the same link.
    form(app, &a.claim_path, "action=accept").expect(409);

    // The issuer resends: a new link, the old one dead, the award pending again.
    let resent = app
        .request("POST", &format!("/api/v1/assertions/{}/resend", a.id))
        .bearer(&a.issuer.key)
        .send();
    resent.expect(200);
    let body = resent.json();
    assert_eq!(body["state"], "pending");
    let new_url = body["claim_url"].as_str().expect("new claim_url");
    assert_ne!(new_url, a.claim_url);
    assert!(
        body["email"]["text"]
            .as_str()
            .is_some_and(|t| t.contains(new_url) && t.contains("earlier link no longer works"))
    );
    assert_eq!(body["webhook"], Value::Null, "no webhook set");
    assert!(
        read_record(app, &claim_key(&a.claim_url)).is_none(),
        "old token deleted"
    );

    let old = app.get(&a.claim_path);
    old.expect(404);
    expect_private_page(&old);
    assert!(old.text().contains("replaced by a newer one"));
    app.get(&a.assertion_path).expect(200);

    let new_path = path_of(new_url);
    assert!(app.get(&new_path).text().contains("value=\"accept\""));
    form(app, &new_path, "action=accept").expect(303);
    page(app, &a.assertion_path).expect(200);

    // Another issuer cannot resend it; a revoked award gets no new link.
    let other = issuer(app, "Other Issuer");
    app.request("POST", &format!("/api/v1/assertions/{}/resend", a.id))
        .bearer(&other.key)
        .send()
        .expect_problem(404);
    app.post(
        &format!("/api/v1/assertions/{}/revoke", a.id),
        &a.issuer.key,
        &json!({"reason": "Issued in error"}),
    )
    .expect(200);
    app.request("POST", &format!("/api/v1/assertions/{}/resend", a.id))
        .bearer(&a.issuer.key)
        .send()
        .expect_problem(409);
    let revoked = app.get(&new_path);
    revoked.expect(410);
    assert!(revoked.text().contains("Issued in error"));
}

#[test]
fn an_expired_link_says_so_and_whom_to_ask() {
    let app = app();
    let a = awarded(app, "Slow Mail Ltd", "Safe Lifting");
    rewrite_record(app, &claim_key(&a.claim_url), |r| {
        r["expires_at"] = json!("2020-01-01T00:00:00Z");
    });
    let before = award_state(app, &a);
    let r = app.get(&a.claim_path);
    r.expect(410);
    expect_private_page(&r);
    let html = r.text();
    assert!(html.contains("This link has expired"), "{html}");
    assert!(html.contains("1 January 2020"));
    assert!(html.contains("Ask Slow Mail Ltd (badges@academy.example.org) to send you a new link"));
    form(app, &a.claim_path, "action=accept").expect(410);
    assert_eq!(award_state(app, &a), before, "nothing changed");
    // A resend gives a working link.
    let resent = app
        .request("POST", &format!("/api/v1/assertions/{}/resend", a.id))
        .bearer(&a.issuer.key)
        .send();
    resent.expect(200);
    let new_path = path_of(resent.json()["claim_url"].as_str().expect("url"));
    app.get(&new_path).expect(200);
}

#[test]
fn scanner_gets_change_nothing() {
    // Its own app, so the whole store can be compared.
    let app = &start();
    let a = awarded(app, "Scanned Corp", "Safe Lifting");
    let before = kv_snapshot(app);
    for ua in [
        "Mozilla/5.0 (compatible; Barracuda Sentinel)",
        "Microsoft Office/16.0 SafeLinks",
        "curl/8",
    ] {
        app.request("GET", &a.claim_path)
            .header("User-Agent", ua)
            .send()
            .expect(200);
        app.request("HEAD", &a.claim_path)
            .header("User-Agent", ua)
            .send()
            .expect(200);
        app.request("GET", &format!("{}?action=accept", a.claim_path))
            .send()
            .expect(200);
    }
    assert_eq!(kv_snapshot(app), before, "GET and HEAD wrote nothing");
    let record = read_record(app, &format!("award/{}", a.id)).expect("award");
    assert_eq!(record["acceptance"]["state"], "pending");
    assert!(a.body["claim_url"].is_string());
}

#[test]
fn ten_unknown_links_lock_the_address_with_retry_after() {
    let app = start();
    let issuer = issuer(&app, "Lockout Org");
    let class = badge_class(&app, &issuer, json!({}));
    let good = award(&app, &issuer, &class, "earner@example.org", json!({}));
    let good_path = path_of(good["claim_url"].as_str().expect("url"));
    for i in 0..10 {
        let guess = format!("/claim/{}{i:02}", "x".repeat(41));
        let r = app.get(&guess);
        r.expect(404);
        expect_private_page(&r);
    }
    let locked = app.get(&good_path);
    locked.expect(429);
    let retry: u64 = locked
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .expect("Retry-After seconds");
    assert!((1..=900).contains(&retry), "{retry}");
    assert!(locked.text().contains("Too many attempts"));
    form(&app, &good_path, "action=accept").expect(429);
    let record =
        read_record(&app, &format!("award/{}", good["id"].as_str().expect("id"))).expect("award");
    assert_eq!(record["acceptance"]["state"], "pending");
    // The issuer API is counted apart and still works from the same address.
    app.get_auth(
        &format!("/api/v1/assertions/{}", good["id"].as_str().expect("id")),
        &issuer.key,
    )
    .expect(200);
}

#[test]
fn an_issuer_naming_a_badge_with_a_script_sees_it_as_text() {
    let app = app();
    let evil = "<script>alert(\"pwned\")</script>";
    let issuer = issuer(app, "<b>Bold</b> & Sons");
    let class = badge_class(
        app,
        &issuer,
        json!({"name": evil, "description": evil, "criteria": {"narrative": evil}}),
    );
    let body = award(app, &issuer, &class, "earner@example.org", json!({}));
    let claim_path = path_of(body["claim_url"].as_str().expect("url"));
    let escaped = "&#60;script&#62;alert(&#34;pwned&#34;)&#60;/script&#62;";
    let email_html = body["email"]["html"].as_str().expect("html");
    let offer = app.get(&claim_path).text();
    let confirm = form(app, &claim_path, "action=reject").text();
    form(app, &claim_path, "action=accept").expect(303);
    let manage = app.get(&claim_path).text();
    for (name, html) in [
        ("email", email_html),
        ("offer", offer.as_str()),
        ("confirm", confirm.as_str()),
        ("manage", manage.as_str()),
    ] {
        assert!(!html.contains("<script>alert"), "{name}: {html}");
        assert!(html.contains(escaped), "{name}: {html}");
        assert!(!html.contains("<b>Bold</b>"), "{name}");
    }
    assert!(
        body["email"]["text"]
            .as_str()
            .is_some_and(|t| t.contains(evil)),
        "the text part is plain text"
    );
}

#[test]
fn concurrent_accepts_leave_one_accepted_award() {
    let app = app();
    let a = awarded(app, "Race Academy", "Safe Lifting");
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| s.spawn(|| form(app, &a.claim_path, "action=accept").status))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    assert!(statuses.iter().all(|s| *s == 303), "{statuses:?}");
    let record = read_record(app, &format!("award/{}", a.id)).expect("award");
    assert_eq!(record["acceptance"]["state"], "accepted");
    let first = record["acceptance"]["changed_at"].clone();
    form(app, &a.claim_path, "action=accept").expect(303);
    let again = read_record(app, &format!("award/{}", a.id)).expect("award");
    assert_eq!(again["acceptance"]["changed_at"], first, "accepted once");
}

#[test]
fn cross_site_posts_and_bad_forms_change_nothing() {
    let app = app();
    let a = awarded(app, "Guarded Inc", "Safe Lifting");
    let before = award_state(app, &a);
    let post = |headers: &[(&str, &str)], content_type: &str, body: &str| {
        let mut req = app
            .request("POST", &a.claim_path)
            .header("Content-Type", content_type);
        for (k, v) in headers {
            req = req.header(k, v);
        }
        req.body(body.as_bytes().to_vec()).send()
    };
    let form_type = "application/x-www-form-urlencoded";
    post(
        &[("Origin", "https://evil.example")],
        form_type,
        "action=accept",
    )
    .expect(403);
    post(
        &[("Sec-Fetch-Site", "cross-site")],
        form_type,
        "action=accept",
    )
    .expect(403);
    post(&[], "application/json", "{\"action\":\"accept\"}").expect(415);
    post(&[], form_type, "action=delete").expect(400);
    post(
        &[],
        form_type,
        &format!("action=accept&x={}", "y".repeat(5000)),
    )
    .expect(413);
    assert_eq!(award_state(app, &a), before);
    // Our own page's post passes.
    let own_origin = app.base.clone();
    post(
        &[("Origin", &own_origin), ("Sec-Fetch-Site", "same-origin")],
        form_type,
        "action=accept",
    )
    .expect(303);
}

#[test]
fn a_failing_webhook_never_fails_the_award() {
    let app = app();
    let issuer = issuer(app, "Flaky Hooks");
    let class = badge_class(app, &issuer, json!({}));
    let set_hook = |url: &str| {
        app.request("PATCH", &format!("/api/v1/issuers/{}", issuer.id))
            .bearer(&issuer.key)
            .json(&json!({"webhook_url": url}))
            .send()
    };
    // Only https (or, in this test app, http to loopback) public URLs.
    set_hook("http://hooks.example.org/x").expect_problem(422);
    set_hook("https://10.0.0.1/x").expect_problem(422);

    let failing = Receiver::start(500);
    set_hook(&failing.url).expect(200);
    let body = award(app, &issuer, &class, "earner@example.org", json!({}));
    assert_eq!(body["webhook"]["delivered"], false);
    assert_eq!(body["webhook"]["status"], 500);
    failing.next();
    assert!(read_record(app, &format!("award/{}", body["id"].as_str().expect("id"))).is_some());

    // Nothing listening: refused, reported, award stored.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let dead = format!("http://{}/hook", closed.local_addr().expect("addr"));
    drop(closed);
    set_hook(&dead).expect(200);
    let body = award(app, &issuer, &class, "earner@example.org", json!({}));
    assert_eq!(body["webhook"]["delivered"], false, "{}", body["webhook"]);
    assert!(body["webhook"]["error"].is_string());
    assert!(body["claim_url"].is_string());

    // Resend reports the delivery too, signed with the rotated secret.
    let ok = Receiver::start(200);
    set_hook(&ok.url).expect(200);
    let rotated = app
        .request(
            "POST",
            &format!("/api/v1/issuers/{}/webhook-secret", issuer.id),
        )
        .bearer(&issuer.key)
        .send();
    rotated.expect(200);
    let secret = rotated.json()["webhook_secret"]
        .as_str()
        .expect("new secret")
        .to_owned();
    let resent = app
        .request(
            "POST",
            &format!(
                "/api/v1/assertions/{}/resend",
                body["id"].as_str().expect("id")
            ),
        )
        .bearer(&issuer.key)
        .send();
    resent.expect(200);
    assert_eq!(resent.json()["webhook"]["delivered"], true);
    let delivery = ok.next();
    let signature = delivery.header("emblem-signature").expect("signed");
    assert!(
        signature_is_valid(&secret, signature, &delivery.body),
        "{signature}"
    );
    let got: Value = serde_json::from_slice(&delivery.body).expect("json");
    assert_eq!(got["event"], "assertion.claim_resent");
    assert!(ok.try_next().is_none());
    // Removing the webhook.
    let cleared = app
        .request("PATCH", &format!("/api/v1/issuers/{}", issuer.id))
        .bearer(&issuer.key)
        .json(&json!({"webhook_url": null}))
        .send();
    cleared.expect(200);
    assert_eq!(cleared.json()["webhook_url"], Value::Null);
}

#[test]
fn a_webhook_that_never_answers_is_cut_off() {
    let app = app();
    let issuer = issuer(app, "Silent Hooks");
    let class = badge_class(app, &issuer, json!({}));
    let silent = Receiver::silent();
    app.request("PATCH", &format!("/api/v1/issuers/{}", issuer.id))
        .bearer(&issuer.key)
        .json(&json!({"webhook_url": silent.url}))
        .send()
        .expect(200);
    // The award answers and reports the failure: the delivery is cut off by its 8 s cap (or
    // sooner, by its 5 s wait for a first byte), never left to hang the issuer's request.
    let started = std::time::Instant::now();
    let body = award(app, &issuer, &class, "earner@example.org", json!({}));
    let took = started.elapsed();
    silent.next();
    assert_eq!(body["webhook"]["delivered"], false, "{}", body["webhook"]);
    assert_eq!(body["webhook"]["status"], Value::Null);
    let error = body["webhook"]["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("within 8 s") || error.contains("within 5 s"),
        "{}",
        body["webhook"]
    );
    assert!(
        took < std::time::Duration::from_secs(12),
        "the award took {took:?}: the webhook's 8 s cap did not hold"
    );
    assert!(read_record(app, &format!("award/{}", body["id"].as_str().expect("id"))).is_some());
}

#[test]
fn webhook_events_are_retried_until_delivered_and_cover_the_whole_lifecycle() {
    let app = app();
    let issuer = issuer(app, "Event Academy");
    let set_hook = |url: &str| {
        app.request("PATCH", &format!("/api/v1/issuers/{}", issuer.id))
            .bearer(&issuer.key)
            .json(&json!({"webhook_url": url}))
            .send()
    };
    let failing = Receiver::start(500);
    let first = set_hook(&failing.url);
    first.expect(200);
    let secret = first.json()["webhook_secret"]
        .as_str()
        .expect("secret")
        .to_owned();
    let class = badge_class(app, &issuer, json!({}));
    let body = award(app, &issuer, &class, "events@example.org", json!({}));
    assert_eq!(body["webhook"]["delivered"], false, "{}", body["webhook"]);
    assert_eq!(body["webhook"]["status"], 500);
    let _ = failing.next();

    // The issuer fixes its endpoint; the retry goes there, once, signed.
    let fixed = Receiver::start(204);
    set_hook(&fixed.url).expect(200);
    let flush = || {
        app.request("POST", "/api/v1/mail/flush?retry=now")
            .bearer(ADMIN_TOKEN)
            .send()
            .expect(200)
            .json()
    };
    flush();
    let retried = fixed.next();
    let sent: Value = serde_json::from_slice(&retried.body).expect("json");
    assert_eq!(sent["event"], "assertion.awarded");
    let signature = retried.header("emblem-signature").expect("signed");
    assert!(signature_is_valid(&secret, signature, &retried.body));
    flush();
    assert!(fixed.try_next().is_none(), "delivered once");

    // The earner accepts (the claim component queues the event; a flush delivers it).
    let claim_path = path_of(body["claim_url"].as_str().expect("claim"));
    form(app, &claim_path, "action=accept").expect(303);
    flush();
    let accepted: Value = serde_json::from_slice(&fixed.next().body).expect("json");
    assert_eq!(accepted["event"], "assertion.accepted");
    assert_eq!(accepted["state"], "accepted");
    form(app, &claim_path, "action=private").expect(303);
    flush();
    let private: Value = serde_json::from_slice(&fixed.next().body).expect("json");
    assert_eq!(private["event"], "assertion.visibility_changed");
    assert_eq!(private["visibility"], "private");

    // The issuer revokes: delivered at once.
    let id = body["id"].as_str().expect("id");
    app.request("POST", &format!("/api/v1/assertions/{id}/revoke"))
        .bearer(&issuer.key)
        .json(&json!({"reason": "Issued in error"}))
        .send()
        .expect(200);
    let revoked: Value = serde_json::from_slice(&fixed.next().body).expect("json");
    assert_eq!(revoked["event"], "assertion.revoked");
    assert_eq!(revoked["revoked"]["reason"], "Issued in error");
    assert!(fixed.try_next().is_none());
}

#[test]
fn every_row_of_a_cohort_calls_the_webhook_once_the_first_at_once_the_rest_by_flush() {
    let app = app();
    let issuer = issuer(app, "Cohort Hook Academy");
    let hook = Receiver::start(204);
    let set = app
        .request("PATCH", &format!("/api/v1/issuers/{}", issuer.id))
        .bearer(&issuer.key)
        .json(&json!({"webhook_url": hook.url}))
        .send();
    set.expect(200);
    let secret = set.json()["webhook_secret"]
        .as_str()
        .expect("secret")
        .to_owned();
    let class = badge_class(app, &issuer, json!({}));
    let class_id = class["id"].as_str().expect("class id");
    // Twelve recipients (two more than are attempted within the request), one invalid row.
    let mut recipients: Vec<Value> = (0..12)
        .map(|i| json!({"email": format!("cohort{i}@example.org"), "name": format!("Earner {i}")}))
        .collect();
    recipients.insert(3, json!({"email": "not an address"}));
    let answer = app
        .request("POST", &format!("/api/v1/badgeclasses/{class_id}/awards"))
        .bearer(&issuer.key)
        .json(&json!({"recipients": recipients}))
        .send();
    answer.expect(200);
    let answer = answer.json();
    assert_eq!(answer["created"], 12);
    let rows = answer["rows"].as_array().expect("rows");
    let created: Vec<&Value> = rows.iter().filter(|r| r["outcome"] == "created").collect();
    for row in &created[..10] {
        assert_eq!(row["webhook"]["delivered"], true, "{row}");
        assert_eq!(row["webhook"]["status"], 204);
    }
    for row in &created[10..] {
        assert_eq!(row["webhook"]["queued"], true, "{row}");
    }
    assert!(
        rows[3].get("webhook").is_none(),
        "an invalid row calls nothing"
    );

    let mut seen = std::collections::BTreeMap::new();
    let mut take = |n: usize| {
        for _ in 0..n {
            let got = hook.next();
            let signature = got.header("emblem-signature").expect("signed");
            assert!(signature_is_valid(&secret, signature, &got.body));
            let body: Value = serde_json::from_slice(&got.body).expect("json");
            assert_eq!(body["event"], "assertion.awarded");
            let id = body["assertion_id"].as_str().expect("id").to_owned();
            assert!(body["claim_url"].as_str().is_some_and(|u| !u.is_empty()));
            assert!(
                seen.insert(id, body["to"].clone()).is_none(),
                "once per award"
            );
        }
    };
    take(10);
    // (Another test's flush may deliver the other two first; either way they come once.)
    app.request("POST", "/api/v1/mail/flush")
        .bearer(ADMIN_TOKEN)
        .send()
        .expect(200);
    take(2);
    app.request("POST", "/api/v1/mail/flush?retry=now")
        .bearer(ADMIN_TOKEN)
        .send()
        .expect(200);
    assert!(hook.try_next().is_none(), "each delivered once");
    for row in &created {
        let id = row["id"].as_str().expect("id");
        assert_eq!(
            seen[id], row["email"],
            "the event names the row's recipient"
        );
    }
}

#[test]
fn an_award_that_expires_tells_the_webhook_once_through_the_flush() {
    let app = app();
    let issuer = issuer(app, "Expiring Academy");
    let hook = Receiver::start(204);
    app.request("PATCH", &format!("/api/v1/issuers/{}", issuer.id))
        .bearer(&issuer.key)
        .json(&json!({"webhook_url": hook.url}))
        .send()
        .expect(200);
    let class = badge_class(app, &issuer, json!({}));
    let soon = time::OffsetDateTime::now_utc() + time::Duration::seconds(3);
    let soon = soon
        .replace_nanosecond(0)
        .expect("whole seconds")
        .format(&time::format_description::well_known::Rfc3339)
        .expect("date");
    let made = award(
        app,
        &issuer,
        &class,
        "expiring@example.org",
        json!({"expires": soon}),
    );
    let id = made["id"].as_str().expect("id");
    let revoked = award(
        app,
        &issuer,
        &class,
        "gone@example.org",
        json!({"expires": soon}),
    );
    let gone = revoked["id"].as_str().expect("id");
    app.request("POST", &format!("/api/v1/assertions/{gone}/revoke"))
        .bearer(&issuer.key)
        .json(&json!({"reason": "Issued in error"}))
        .send()
        .expect(200);
    // Everything this issuer's webhook gets, by event and assertion.
    let mut events = Vec::new();
    let drain = |events: &mut Vec<(String, String)>| {
        while let Some(got) = hook.try_next() {
            let body: Value = serde_json::from_slice(&got.body).expect("json");
            let event = body["event"].as_str().unwrap_or_default().to_owned();
            let assertion = body["assertion_id"].as_str().unwrap_or_default().to_owned();
            if event == "assertion.expired" {
                assert_eq!(body["status"], "expired", "{body}");
            }
            events.push((event, assertion));
        }
    };
    let expired = |events: &[(String, String)], who: &str| {
        events
            .iter()
            .filter(|(e, a)| e == "assertion.expired" && a == who)
            .count()
    };
    let flush = || {
        app.request("POST", "/api/v1/mail/flush")
            .bearer(ADMIN_TOKEN)
            .send()
            .expect(200);
    };
    // The scheduler's flushes: none tells before the expiry (seconds away yet); one after
    // it does.
    flush();
    std::thread::sleep(std::time::Duration::from_millis(200));
    drain(&mut events);
    assert_eq!(expired(&events, id), 0, "not before the expiry: {events:?}");
    for _ in 0..100 {
        flush();
        std::thread::sleep(std::time::Duration::from_millis(200));
        drain(&mut events);
        if expired(&events, id) > 0 {
            break;
        }
    }
    assert_eq!(expired(&events, id), 1, "{events:?}");
    flush();
    flush();
    std::thread::sleep(std::time::Duration::from_millis(200));
    drain(&mut events);
    assert_eq!(expired(&events, id), 1, "told once: {events:?}");
    assert_eq!(expired(&events, gone), 0, "a revoked award does not expire");
}
