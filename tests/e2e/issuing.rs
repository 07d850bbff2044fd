//! The issuer API: who may do what, what bad input gets, listings, keys,
//! and that nothing acknowledged is lost across a restart.

use crate::common::{award, badge_class, data_uri, fixture, issuer, path_of, png_data_uri, shared};
use emblem_tests::{ADMIN_TOKEN, AppConfig};
use serde_json::{Value, json};

fn total(app: &emblem_tests::App, key: &str, path: &str) -> u64 {
    app.get_auth(path, key).expect(200).json()["total"]
        .as_u64()
        .expect("total")
}

#[test]
fn the_authorisation_matrix_refuses_and_changes_nothing() {
    let app = shared();
    let a = issuer(app, "Matrix A");
    let b = issuer(app, "Matrix B");
    let class_a = badge_class(app, &a, json!({}));
    let award_a = award(app, &a, &class_a, "frank@example.org", json!({}));
    let class_path = format!(
        "/api/v1/badgeclasses/{}",
        class_a["id"].as_str().expect("id")
    );
    let award_path = format!("/api/v1/assertions/{}", award_a["id"].as_str().expect("id"));
    let new_class = json!({"name": "X", "description": "Y", "image": png_data_uri(), "criteria": {"narrative": "Z"}});

    // No key, a made-up key, a malformed header: 401 with a Bearer challenge.
    for auth in [
        None,
        Some("Bearer emb_nosuchkey_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        Some("Basic Zm9vOmJhcg=="),
    ] {
        let mut req = app.request("POST", "/api/v1/badgeclasses").json(&new_class);
        if let Some(auth) = auth {
            req = req.header("Authorization", auth);
        }
        let resp = req.send();
        resp.expect_problem(401);
        assert!(
            resp.header("www-authenticate")
                .is_some_and(|h| h.starts_with("Bearer"))
        );
    }
    // Another issuer's key: the objects do not exist for it.
    app.get_auth(&class_path, &b.key).expect_problem(404);
    app.get_auth(&award_path, &b.key).expect_problem(404);
    app.get_auth(&format!("{class_path}/assertions"), &b.key)
        .expect_problem(404);
    app.post(
        &format!("{award_path}/revoke"),
        &b.key,
        &json!({"reason": "mine now"}),
    )
    .expect_problem(404);
    // Naming another issuer's class in a body: an invalid field, as if absent.
    let other = app
        .post(
            "/api/v1/assertions",
            &b.key,
            &json!({"badgeclass": class_a["id"], "recipient": {"email": "x@example.org"}}),
        )
        .expect_problem(422);
    assert!(other.to_string().contains("badgeclass"), "{other}");
    // An issuer key on admin routes; the admin token on issuer routes.
    app.post(
        "/api/v1/issuers",
        &a.key,
        &json!({"name": "Evil", "url": "https://e.org", "email": "e@e.org"}),
    )
    .expect_problem(403);
    app.post(
        &format!("/api/v1/issuers/{}/keys", b.id),
        &a.key,
        &json!({}),
    )
    .expect_problem(403);
    app.post("/api/v1/badgeclasses", ADMIN_TOKEN, &new_class)
        .expect_problem(403);

    // Nothing changed.
    assert_eq!(total(app, &a.key, "/api/v1/badgeclasses"), 1);
    assert_eq!(total(app, &b.key, "/api/v1/badgeclasses"), 0);
    assert_eq!(total(app, &a.key, &format!("{class_path}/assertions")), 1);
    let still = app.get_auth(&award_path, &a.key).expect(200).json();
    assert_eq!(still["revoked"], Value::Null);
}

#[test]
fn bad_input_gets_a_clear_problem_and_stores_nothing() {
    let app = shared();
    let a = issuer(app, "Bad Input Ltd");
    let class = badge_class(app, &a, json!({}));
    let class_id = class["id"].as_str().expect("id");
    let post_raw = |path: &str, ct: &str, body: Vec<u8>| {
        app.request("POST", path)
            .bearer(&a.key)
            .header("Content-Type", ct)
            .body(body)
            .send()
    };

    post_raw(
        "/api/v1/badgeclasses",
        "application/json",
        b"{\"name\": ".to_vec(),
    )
    .expect_problem(400);
    post_raw("/api/v1/badgeclasses", "text/plain", b"{}".to_vec()).expect_problem(415);
    let missing = app
        .post(
            "/api/v1/badgeclasses",
            &a.key,
            &json!({"name": "No description"}),
        )
        .expect_problem(422);
    assert!(missing.to_string().contains("description"), "{missing}");
    app.post("/api/v1/badgeclasses", &a.key, &json!({"name": 42, "description": "d", "image": png_data_uri(), "criteria": {"narrative": "n"}}))
        .expect_problem(422);
    let fake = app
        .post(
            "/api/v1/badgeclasses",
            &a.key,
            &json!({"name": "Fake", "description": "d", "image": data_uri("image/png", &fixture("fake.png")), "criteria": {"narrative": "n"}}),
        )
        .expect_problem(422);
    assert!(fake.to_string().to_lowercase().contains("png"), "{fake}");
    app.post(
        "/api/v1/badgeclasses",
        &a.key,
        &json!({"name": "NoCriteria", "description": "d", "image": png_data_uri(), "criteria": {}}),
    )
    .expect_problem(422);
    // Awards: bad email, expiry before issue, unknown class.
    for body in [
        json!({"badgeclass": class_id, "recipient": {"email": "not-an-email"}}),
        json!({"badgeclass": class_id, "recipient": {"email": "ok@example.org"}, "issued_on": "2026-01-02T00:00:00Z", "expires": "2026-01-01T00:00:00Z"}),
        json!({"badgeclass": class_id, "recipient": {"email": "ok@example.org"}, "issued_on": "yesterday"}),
        json!({"badgeclass": class_id}),
    ] {
        app.post("/api/v1/assertions", &a.key, &body)
            .expect_problem(422);
    }
    app.post(
        "/api/v1/assertions",
        &a.key,
        &json!({"badgeclass": "nope", "recipient": {"email": "ok@example.org"}}),
    )
    .expect_problem(422);
    // A body over the cap, announced by Content-Length or streamed chunked:
    // refused before it is read, with a problem body.
    let huge = vec![b' '; 3 * 1024 * 1024];
    let (status, text) = app.raw(
        &format!(
            "POST /api/v1/badgeclasses HTTP/1.1\r\nAuthorization: Bearer {}\r\n\
             Content-Type: application/json\r\nContent-Length: {}",
            a.key,
            huge.len()
        ),
        &huge,
    );
    assert_eq!(status, 413, "{text}");
    assert!(text.contains("application/problem+json"), "{text}");
    let mut chunked = Vec::new();
    for chunk in huge.chunks(64 * 1024) {
        chunked.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        chunked.extend_from_slice(chunk);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let (status, text) = app.raw(
        &format!(
            "POST /api/v1/badgeclasses HTTP/1.1\r\nAuthorization: Bearer {}\r\n\
             Content-Type: application/json\r\nTransfer-Encoding: chunked",
            a.key
        ),
        &chunked,
    );
    assert_eq!(status, 413, "{text}");
    // Wrong method on a known path.
    let resp = app
        .request("PUT", "/api/v1/badgeclasses")
        .bearer(&a.key)
        .send();
    resp.expect_problem(405);
    assert!(resp.header("allow").is_some());

    // Nothing stored.
    assert_eq!(total(app, &a.key, "/api/v1/badgeclasses"), 1);
    assert_eq!(
        total(
            app,
            &a.key,
            &format!("/api/v1/badgeclasses/{class_id}/assertions")
        ),
        0
    );
}

#[test]
fn an_svg_image_is_accepted_and_a_scripted_one_is_refused() {
    let app = shared();
    let a = issuer(app, "Vector Arts");
    let class = badge_class(
        app,
        &a,
        json!({"image": data_uri("image/svg+xml", &fixture("badge.svg"))}),
    );
    let image = app.get(&format!(
        "{}/image",
        path_of(class["badgeclass_url"].as_str().expect("url"))
    ));
    image.expect(200);
    assert_eq!(image.header("content-type"), Some("image/svg+xml"));
    assert!(image.header("content-security-policy").is_some());

    let scripted = app.post(
        "/api/v1/badgeclasses",
        &a.key,
        &json!({"name": "S", "description": "d", "image": data_uri("image/svg+xml", &fixture("script.svg")), "criteria": {"narrative": "n"}}),
    );
    // Refused outright, naming the image field and its active content (the `onload` handler
    // comes first in the document): never stored, never served.
    let problem = scripted.expect_problem(422);
    let errors = problem["errors"].as_array().expect("field errors");
    assert!(
        errors.iter().any(|e| e["field"] == "image"
            && e["message"]
                .as_str()
                .is_some_and(|m| m.contains("event handler") || m.contains("<script>"))),
        "{problem}"
    );
}

#[test]
fn listings_page_through_every_award_in_order() {
    let app = shared();
    let a = issuer(app, "Paging Org");
    let class = badge_class(app, &a, json!({}));
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(award(app, &a, &class, &format!("p{i}@example.org"), json!({}))["id"].clone());
    }
    let base = format!(
        "/api/v1/badgeclasses/{}/assertions",
        class["id"].as_str().expect("id")
    );
    let mut seen = Vec::new();
    let mut path = format!("{base}?limit=2");
    loop {
        let page = app.get_auth(&path, &a.key).expect(200).json();
        assert_eq!(page["total"], 5);
        for item in page["items"].as_array().expect("items") {
            seen.push(item["id"].clone());
            assert_eq!(
                item["claim_url"],
                Value::Null,
                "claim links are shown only once"
            );
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("{base}?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, ids);
    let bad = app
        .get_auth(&format!("{base}?limit=0"), &a.key)
        .expect_problem(400);
    assert!(
        bad["detail"].as_str().is_some_and(|d| d.contains("limit")),
        "{bad}"
    );
}

#[test]
fn a_deleted_key_stops_working_and_keys_are_listed_without_secrets() {
    let app = shared();
    let a = issuer(app, "Key Rotation Inc");
    app.get_auth("/api/v1/badgeclasses", &a.key).expect(200);
    let listed = app.get_auth(&format!("/api/v1/issuers/{}/keys", a.id), ADMIN_TOKEN);
    listed.expect(200);
    assert!(listed.text().contains(&a.key_id));
    assert!(!listed.text().contains(&a.key), "secrets are never listed");
    app.request(
        "DELETE",
        &format!("/api/v1/issuers/{}/keys/{}", a.id, a.key_id),
    )
    .bearer(ADMIN_TOKEN)
    .send()
    .expect(204);
    app.get_auth("/api/v1/badgeclasses", &a.key)
        .expect_problem(401);
    app.request(
        "DELETE",
        &format!("/api/v1/issuers/{}/keys/{}", a.id, a.key_id),
    )
    .bearer(ADMIN_TOKEN)
    .send()
    .expect_problem(404);
}

#[test]
fn the_admin_api_is_unavailable_until_a_token_is_configured() {
    let app = AppConfig::emblem("no-admin")
        .without_variable("admin_token")
        .start();
    let body = app
        .post(
            "/api/v1/issuers",
            "anything",
            &json!({"name": "n", "url": "https://a.org", "email": "a@a.org"}),
        )
        .expect_problem(503);
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("admin_token")),
        "{body}"
    );
}

#[test]
fn ten_failed_attempts_lock_the_client_out() {
    let app = AppConfig::emblem("lockout").start();
    let a = issuer(&app, "Lockout Org");
    for _ in 0..10 {
        app.get_auth(
            "/api/v1/badgeclasses",
            "emb_guessing_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        )
        .expect_problem(401);
    }
    let locked = app.get_auth(
        "/api/v1/badgeclasses",
        "emb_guessing_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    );
    locked.expect_problem(429);
    let retry: u64 = locked
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .expect("Retry-After seconds");
    assert!(retry > 0 && retry <= 15 * 60, "{retry}");
    // The address is locked even for a valid key.
    app.get_auth("/api/v1/badgeclasses", &a.key)
        .expect_problem(429);
    // Another client (another test thread, so another address) is not.
    std::thread::scope(|s| {
        s.spawn(|| {
            app.get_auth("/api/v1/badgeclasses", &a.key).expect(200);
        });
    });
}

#[test]
fn behind_a_trusted_proxy_ten_bad_requests_lock_only_the_forwarded_client() {
    // The tests reach the app from 127.77.x.y: here that is "the proxy".
    let app = AppConfig::emblem("proxied")
        .variable("trusted_proxies", "127.0.0.0/8")
        .start();
    let a = issuer(&app, "Proxied Org");
    let from = |client: &str, token: &str| {
        app.request("GET", "/api/v1/badgeclasses")
            .bearer(token)
            .header("x-forwarded-for", &format!("198.51.100.99, {client}"))
            .send()
    };
    let guess = "emb_guessing_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    for _ in 0..10 {
        from("203.0.113.5", guess).expect_problem(401);
    }
    from("203.0.113.5", &a.key).expect_problem(429);
    // Another client behind the same proxy, and the proxy itself, are not locked.
    from("203.0.113.6", &a.key).expect(200);
    app.get_auth("/api/v1/badgeclasses", &a.key).expect(200);
}

#[test]
fn without_trusted_proxies_a_forwarded_header_is_ignored() {
    let app = AppConfig::emblem("unproxied").start();
    let a = issuer(&app, "Direct Org");
    let guess = "emb_guessing_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    // A client rotating made-up forwarded addresses is still one client: its own address.
    for i in 0..10 {
        app.request("GET", "/api/v1/badgeclasses")
            .bearer(guess)
            .header("x-forwarded-for", &format!("203.0.113.{i}"))
            .send()
            .expect_problem(401);
    }
    app.request("GET", "/api/v1/badgeclasses")
        .bearer(&a.key)
        .header("x-forwarded-for", "203.0.113.200")
        .send()
        .expect_problem(429);
}

#[test]
fn fifty_concurrent_awards_are_each_listed_exactly_once() {
    let app = shared();
    let a = issuer(app, "Concurrency University");
    let class = badge_class(app, &a, json!({}));
    let ids: Vec<Value> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..50)
            .map(|i| {
                let (a, class) = (&a, &class);
                s.spawn(move || {
                    award(app, a, class, &format!("c{i}@example.org"), json!({}))["id"].clone()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    let base = format!(
        "/api/v1/badgeclasses/{}/assertions",
        class["id"].as_str().expect("id")
    );
    let mut listed = Vec::new();
    let mut path = format!("{base}?limit=100");
    loop {
        let page = app.get_auth(&path, &a.key).expect(200).json();
        listed.extend(
            page["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|i| i["id"].clone()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("{base}?limit=100&cursor={c}"),
            None => break,
        }
    }
    let mut want: Vec<String> = ids.iter().map(|v| v.to_string()).collect();
    let mut got: Vec<String> = listed.iter().map(|v| v.to_string()).collect();
    want.sort();
    got.sort();
    assert_eq!(got, want, "every award listed exactly once");

    // Concurrent revocations: of 20 different awards, and 10 of the same one.
    std::thread::scope(|s| {
        for id in ids.iter().take(20) {
            let a = &a;
            s.spawn(move || {
                app.post(
                    &format!("/api/v1/assertions/{}/revoke", id.as_str().expect("id")),
                    &a.key,
                    &json!({"reason": "batch"}),
                )
                .expect(200);
            });
        }
        for _ in 0..10 {
            let (a, id) = (&a, &ids[20]);
            s.spawn(move || {
                app.post(
                    &format!("/api/v1/assertions/{}/revoke", id.as_str().expect("id")),
                    &a.key,
                    &json!({"reason": "same"}),
                )
                .expect(200);
            });
        }
    });
    let list = app
        .get(&format!("{}/revocations", path_of(&a.url)))
        .expect(200)
        .json();
    let revoked = list["revokedAssertions"].as_array().expect("list");
    assert_eq!(revoked.len(), 21, "{list}");
}

#[test]
fn acknowledged_data_survives_a_host_crash() {
    // A fixed public origin keeps hosted ids stable across the restart (the
    // host comes back on another port).
    let mut app = AppConfig::emblem("restart")
        .variable("public_base_url", "https://badges.example.org")
        .start();
    let a = issuer(&app, "Durable Society");
    let class = badge_class(&app, &a, json!({}));
    let awarded = award(&app, &a, &class, "gina@example.org", json!({}));
    let path = path_of(awarded["assertion_url"].as_str().expect("url"));
    let before = app.get(&path).expect(200).json();
    assert_eq!(
        before["id"],
        format!("https://badges.example.org{path}"),
        "ids use public_base_url"
    );
    app.restart();
    assert_eq!(app.get(&path).expect(200).json(), before);
    app.get_auth("/api/v1/badgeclasses", &a.key).expect(200);
}

#[test]
fn without_public_base_url_the_issuer_api_refuses_to_mint_ids_from_the_host_header() {
    let app = AppConfig::emblem("no-base-url")
        .without_variable("public_base_url_from_request")
        .start();
    let problem = app
        .request("POST", "/api/v1/issuers")
        .bearer(ADMIN_TOKEN)
        .header("Host", "evil.example")
        .json(&json!({"name": "x", "url": "https://x.example", "email": "a@x.example"}))
        .send()
        .expect_problem(503);
    assert_eq!(
        problem["type"], "urn:emblem:problem:base-url-unset",
        "{problem}"
    );
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("public_base_url="))
    );
    // Nothing else depends on it: the public routes still answer.
    app.get("/static/emblem.css").expect(200);
}

#[test]
fn the_openapi_document_is_served_without_credentials() {
    let app = shared();
    let resp = app.get("/api/v1/openapi.json");
    resp.expect(200);
    assert!(
        resp.header("content-type")
            .is_some_and(|c| c.starts_with("application/json"))
    );
    let doc = resp.json();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(
        doc["paths"]["/badgeclasses/{id}/awards"]["post"].is_object(),
        "{doc}"
    );
}
