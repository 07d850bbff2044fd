//! Badges issued by Emblem verify as valid; after revocation as revoked; after expiry as
//! expired. These run on the real `spin.toml` (no loopback allowance): this instance's own
//! badges are read from the store, never fetched over the network.

use super::outcome;
use crate::common::{award, badge_class, issuer, path_of, set_award_state, shared};
use emblem_tests::App;
use serde_json::{Value, json};

fn verify(app: &App, body: &Value) -> (String, Option<String>) {
    outcome(
        &app.request("POST", "/verify")
            .header("accept", "application/json")
            .json(body)
            .send(),
    )
}

#[test]
fn an_emblem_award_is_valid_then_revoked() {
    let app = shared();
    let issuer = issuer(app, "Verify Guild");
    let class = badge_class(app, &issuer, json!({}));
    let awarded = award(app, &issuer, &class, "Vic@Example.org", json!({}));
    let url = awarded["assertion_url"].as_str().expect("url").to_owned();

    let resp = app
        .request("POST", "/verify")
        .json(&json!({"url": url, "email": "vic@example.org"}))
        .send();
    let body = resp.expect(200).json();
    assert_eq!(body["verdict"], "valid", "{body}");
    assert_eq!(body["kind"], "hosted");
    assert_eq!(body["subject"], json!(url));
    assert_eq!(body["badge"]["name"], "Safe Lifting");
    assert_eq!(body["issuer"]["name"], "Verify Guild");
    assert_eq!(body["report"]["valid"], true);
    assert_eq!(body["report"]["errorCount"], 0);
    let checks: Vec<&str> = body["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| c["name"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(checks.first(), Some(&"input"));
    assert!(checks.contains(&"scope") && checks.contains(&"recipient"));
    assert_eq!(
        verify(app, &json!({"url": url, "email": "someone@example.org"})),
        ("invalid".into(), Some("recipient".into()))
    );
    // GET with the query, as the page's form does.
    let got = app
        .request("GET", &format!("/verify?url={}", url.replace(':', "%3A")))
        .header("accept", "application/json")
        .send();
    assert_eq!(outcome(&got), ("valid".into(), None));

    app.post(
        &format!(
            "/api/v1/assertions/{}/revoke",
            awarded["id"].as_str().expect("id")
        ),
        &issuer.key,
        &json!({"reason": "Issued to the wrong person"}),
    )
    .expect(200);
    let resp = app
        .request("POST", "/verify")
        .json(&json!({"url": url}))
        .send();
    let body = resp.expect(200).json();
    assert_eq!(body["verdict"], "revoked", "{body}");
    assert_eq!(body["failed"], "revocation");
    assert!(
        body["summary"]
            .as_str()
            .is_some_and(|s| s.contains("wrong person")),
        "{body}"
    );
}

#[test]
fn an_emblem_award_past_its_expiry_is_expired() {
    let app = shared();
    let issuer = issuer(app, "Expiry Guild");
    let class = badge_class(app, &issuer, json!({}));
    let awarded = award(app, &issuer, &class, "eve@example.org", json!({}));
    let url = awarded["assertion_url"].as_str().expect("url").to_owned();
    assert_eq!(verify(app, &json!({"url": url})), ("valid".into(), None));
    set_award_state(app, awarded["id"].as_str().expect("id"), |record| {
        record["issued_on"] = json!("2020-01-01T00:00:00Z");
        record["expires"] = json!("2021-01-01T00:00:00Z");
    });
    assert_eq!(
        verify(app, &json!({"url": url})),
        ("expired".into(), Some("expiry".into()))
    );
}

#[test]
fn an_emblem_baked_image_verifies_through_the_upload_form() {
    let app = shared();
    let issuer = issuer(app, "Image Guild");
    let class = badge_class(app, &issuer, json!({}));
    let awarded = award(app, &issuer, &class, "ida@example.org", json!({}));
    let path = path_of(awarded["assertion_url"].as_str().expect("url"));
    let image = app.get(&format!("{path}/image")).expect(200).body.clone();
    let boundary = "verify-boundary";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"url\"\r\n\r\n\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"badge.png\"\r\n\
             Content-Type: image/png\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(&image);
    body.extend_from_slice(
        format!(
            "\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\nida@example.org\r\n--{boundary}--\r\n"
        )
        .as_bytes(),
    );
    // A browser posting the form gets the page with the verdict and every check.
    let page = app
        .request("POST", "/verify")
        .header(
            "content-type",
            &format!("multipart/form-data; boundary={boundary}"),
        )
        .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        .body(body.clone())
        .send();
    page.expect(200);
    assert!(
        page.header("content-type")
            .is_some_and(|c| c.starts_with("text/html"))
    );
    let html = page.text();
    assert!(
        html.contains("<h2 id=\"verify-verdict\">Valid</h2>"),
        "{html}"
    );
    assert!(html.contains("signature"), "every check is listed");
    assert!(!html.contains("<script"), "no scripts on the page");
    // The same form as JSON.
    let json = app
        .request("POST", "/verify")
        .header(
            "content-type",
            &format!("multipart/form-data; boundary={boundary}"),
        )
        .header("accept", "application/json")
        .body(body)
        .send();
    let v = json.expect(200).json();
    assert_eq!(v["verdict"], "valid", "{v}");
    assert_eq!(v["input"], "png");
}

#[test]
fn the_verify_page_is_a_form_that_works_without_javascript() {
    let app = shared();
    let page = app
        .request("GET", "/verify")
        .header("accept", "text/html")
        .send();
    page.expect(200);
    let html = page.text();
    assert!(html.contains("<form method=\"get\""), "{html}");
    assert!(html.contains("enctype=\"multipart/form-data\""));
    assert!(html.contains("<label for=\"verify-url\">"));
    assert!(
        page.header("content-security-policy")
            .is_some_and(|c| c.contains("default-src 'none'") && !c.contains("script"))
    );
    // No other site may frame the page and overlay its verdict (clickjacking).
    assert!(
        page.header("content-security-policy")
            .is_some_and(|c| c.contains("frame-ancestors 'none'")),
        "{:?}",
        page.header("content-security-policy")
    );
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    // A JSON client without a url gets a problem, not the page.
    app.request("GET", "/verify")
        .header("accept", "application/json")
        .send()
        .expect_problem(422);
}
