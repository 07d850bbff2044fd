//! A real browser follows a claim link: the offer page, Accept, the manage page, private and
//! public again (`claim.mjs`), against the real app on a fresh store.

use base64::Engine as _;
use emblem_tests::{ADMIN_TOKEN, AppConfig, root};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::Command;

fn target() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

/// The playwright-core install, or a panic saying how to get it.
fn playwright_dir() -> PathBuf {
    let dir = std::env::var_os("EMBLEM_BROWSER_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| target().join("browser"));
    assert!(
        std::path::Path::new("/usr/bin/chromium").exists(),
        "/usr/bin/chromium is missing: run `bash tests/browser/setup.sh` (cargo xtask test does)"
    );
    assert!(
        dir.join("node_modules/playwright-core/package.json")
            .exists(),
        "playwright-core is missing from {}: run `bash tests/browser/setup.sh` (cargo xtask test \
         does)",
        dir.display()
    );
    dir
}

#[test]
fn a_browser_opens_the_claim_link_accepts_and_sees_the_manage_page() {
    let playwright = playwright_dir();
    let app = AppConfig::emblem("browser-claim").start();
    let issuer = app
        .post(
            "/api/v1/issuers",
            ADMIN_TOKEN,
            &json!({"name": "Browser Academy", "url": "https://academy.example.org",
                    "email": "badges@academy.example.org"}),
        )
        .expect(201)
        .json();
    let issuer_id = issuer["id"].as_str().expect("issuer id");
    let key = app
        .post(
            &format!("/api/v1/issuers/{issuer_id}/keys"),
            ADMIN_TOKEN,
            &json!({}),
        )
        .expect(201)
        .json()["key"]
        .as_str()
        .expect("key")
        .to_string();
    let png = std::fs::read(root().join("tests/fixtures/badge.png")).expect("fixture");
    let image = format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    );
    let class = app
        .post(
            "/api/v1/badgeclasses",
            &key,
            &json!({"name": "Safe Lifting", "description": "Lifts heavy things safely.",
                    "image": image, "criteria": {"narrative": "Pass the practical test."}}),
        )
        .expect(201)
        .json();
    let award = app
        .post(
            "/api/v1/assertions",
            &key,
            &json!({"badgeclass": class["id"], "recipient": {"email": "earner@example.org"}}),
        )
        .expect(201)
        .json();
    let claim_url = award["claim_url"].as_str().expect("claim_url");
    let id = award["id"].as_str().expect("id");

    let artifacts = target().join("browser-artifacts");
    let out = Command::new("node")
        .arg(root().join("tests/browser/claim.mjs"))
        .arg(claim_url)
        .arg("Safe Lifting")
        .arg(&artifacts)
        .arg(&playwright)
        .output()
        .expect("run node (is Node.js installed?)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "claim.mjs failed:\n{stdout}\n{}\nhost log:\n{}",
        String::from_utf8_lossy(&out.stderr),
        app.log()
    );
    let seen: Value = serde_json::from_str(stdout.lines().last().unwrap_or(""))
        .unwrap_or_else(|e| panic!("claim.mjs printed no JSON ({e}): {stdout}"));

    assert_eq!(seen["offerStatus"], 200, "{seen}");
    assert_eq!(seen["offerHeading"], "Safe Lifting");
    assert_eq!(seen["acceptVisible"], true);
    assert_eq!(seen["rejectVisible"], true);
    assert!(
        seen["offerScrollWidth"].as_u64().is_some_and(|w| w <= 390),
        "the page is wider than a phone: {seen}"
    );
    assert_eq!(
        seen["stylesheetApplied"], "rgb(26, 127, 55)",
        "claim.css styles the Accept button"
    );
    assert_eq!(
        seen["manageUrl"], claim_url,
        "POST/redirect/GET back to the link"
    );
    assert!(
        seen["manageStatus"]
            .as_str()
            .is_some_and(|s| s.contains("Accepted")),
        "{seen}"
    );
    assert_eq!(seen["manageHeading"], "Safe Lifting");
    assert_eq!(
        seen["linkedinHref"],
        format!("{}/share/linkedin/{id}", app.base)
    );
    assert!(
        seen["signature"]
            .as_str()
            .is_some_and(|s| s.starts_with("<a href=") && s.contains(&format!("/assertions/{id}"))),
        "{seen}"
    );
    assert_eq!(seen["signatureReadonly"], true);
    assert!(
        seen["privateVisibility"]
            .as_str()
            .is_some_and(|s| s.starts_with("Private"))
    );
    assert!(
        seen["publicVisibility"]
            .as_str()
            .is_some_and(|s| s.starts_with("Public"))
    );
    assert_eq!(seen["keyboardReachesButton"], true);
    assert!(seen.get("pageError").is_none(), "no script errors: {seen}");
    let requests = seen["requests"].to_string();
    assert_eq!(
        requests.matches("POST /claim/").count(),
        3,
        "accept, private, public: {requests}"
    );

    // What the browser did landed in the store.
    let state = app
        .get_auth(&format!("/api/v1/assertions/{id}"), &key)
        .json();
    assert_eq!(state["state"], "accepted");
    assert_eq!(state["visibility"], "public");
    for shot in [
        "claim-1-offer.png",
        "claim-2-manage.png",
        "claim-3-private.png",
    ] {
        let path = artifacts.join(shot);
        let size = std::fs::metadata(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .len();
        assert!(
            size > 1000,
            "{} is too small to be a screenshot",
            path.display()
        );
    }
}
