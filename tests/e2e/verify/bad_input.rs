//! Bad input to `/verify`: a clear 4xx problem or an `unverifiable` verdict, never a crash.

use super::server::FixtureServer;
use super::{outcome, verify_app, verify_json};
use crate::common::shared;
use emblem_tests::AppConfig;
use serde_json::json;

#[test]
fn garbage_bodies_are_clear_client_errors() {
    let app = shared();
    let post = |ct: &str, body: &[u8]| {
        app.request("POST", "/verify")
            .header("content-type", ct)
            .body(body.to_vec())
            .send()
    };
    post("application/json", b"{not json").expect_problem(400);
    post("application/json", b"[1,2]").expect_problem(422);
    post("application/json", br#"{"url": "ftp://x.org/a"}"#).expect_problem(422);
    post("application/json", br#"{"jws": "a.b"}"#).expect_problem(422);
    let not_a_credential = post("application/json", br#"{"credential": 5}"#).expect_problem(422);
    assert!(
        not_a_credential.to_string().contains("credential"),
        "{not_a_credential}"
    );
    post("text/plain", b"hello").expect_problem(415);
    post("image/png", b"\x89PNG\r\n\x1a\nnot really").expect_problem(422);
    let no_badge =
        std::fs::read(emblem_tests::root().join("tests/fixtures/badge.png")).expect("png");
    // A readable image without a badge is a verdict, not an error: a person asked
    // "is this a badge?" and the answer is no.
    let resp = post("image/png", &no_badge);
    let v = resp.expect(200).json();
    assert_eq!(
        (v["verdict"].as_str(), v["failed"].as_str()),
        (Some("invalid"), Some("input")),
        "{v}"
    );
    assert!(
        v["summary"]
            .as_str()
            .is_some_and(|m| m.contains("without an Open Badges credential")),
        "{v}"
    );
    app.request("DELETE", "/verify").send().expect_problem(405);
}

#[test]
fn an_upload_over_ten_mib_is_413() {
    let app = shared();
    let big = vec![b'x'; 11 * 1024 * 1024];
    let (status, text) = app.raw(
        &format!(
            "POST /verify HTTP/1.1\r\nContent-Type: image/png\r\nContent-Length: {}",
            big.len()
        ),
        &big,
    );
    assert_eq!(status, 413, "{text}");
    assert!(text.contains("payload-too-large"), "{text}");
    // Chunked, without a declared length: stopped at the cap too.
    let (status, _) = app.raw(
        "POST /verify HTTP/1.1\r\nContent-Type: image/png\r\nTransfer-Encoding: chunked",
        &{
            let mut b = Vec::new();
            for _ in 0..11 {
                b.extend_from_slice(format!("{:x}\r\n", 1024 * 1024).as_bytes());
                b.extend_from_slice(&vec![b'y'; 1024 * 1024]);
                b.extend_from_slice(b"\r\n");
            }
            b.extend_from_slice(b"0\r\n\r\n");
            b
        },
    );
    assert_eq!(status, 413);
}

#[test]
fn private_addresses_are_unverifiable_when_not_allowed() {
    // The real manifest: https only, no loopback allowance.
    let app = shared();
    for url in [
        format!(
            "{}/assertions/x",
            app.base.replace("127.0.0.1", "127.0.0.2")
        ),
        "http://127.0.0.1:1/assertion".to_owned(),
        "https://127.0.0.1/assertion".to_owned(),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        "https://169.254.169.254/latest/meta-data/".to_owned(),
        "https://[::1]/a".to_owned(),
        "https://localhost/a".to_owned(),
    ] {
        let resp = verify_json(app, &json!({"url": url}));
        assert_eq!(
            outcome(&resp),
            ("unverifiable".into(), Some("fetch".into())),
            "{url}"
        );
        let message = resp.json()["checks"][2]["message"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        assert!(
            message.contains("refused") || message.contains("denied"),
            "{url}: {message}"
        );
    }
    // The test manifest allows loopback over http, but still not link-local addresses.
    let tests = verify_app();
    let resp = verify_json(
        tests,
        &json!({"url": "http://169.254.169.254/latest/meta-data/"}),
    );
    assert_eq!(
        outcome(&resp),
        ("unverifiable".into(), Some("fetch".into()))
    );
}

#[test]
fn block_networks_private_refuses_even_an_allowed_loopback_host() {
    // Spin's own guard, which the production runtime configs set: every non-global address is
    // refused after resolution, whatever allowed_outbound_hosts says. Without it the same
    // manifest reaches the loopback server (the control, on the shared app).
    let server = FixtureServer::start();
    server.json("/assertion", 200, &json!({"hello": "world"}));
    let url = server.url("/assertion");
    let open = verify_json(verify_app(), &json!({"url": url}));
    assert_ne!(
        outcome(&open).1.as_deref(),
        Some("fetch"),
        "{}",
        open.text()
    );

    let guarded = AppConfig::fixture("verify", "blocked")
        .variable("admin_token", emblem_tests::ADMIN_TOKEN)
        .block_private_networks()
        .start();
    let resp = verify_json(&guarded, &json!({"url": url}));
    assert_eq!(
        outcome(&resp),
        ("unverifiable".into(), Some("fetch".into())),
        "{}",
        resp.text()
    );
}

#[test]
fn an_unreachable_host_is_unverifiable_not_invalid() {
    let app = verify_app();
    let resp = verify_json(app, &json!({"url": "http://127.0.0.1:1/assertions/1"}));
    assert_eq!(
        outcome(&resp),
        ("unverifiable".into(), Some("fetch".into()))
    );
    assert_eq!(resp.json()["report"]["valid"], false);
}
