//! A real browser follows a claim link: the offer page, Accept, the manage page, private and
//! public again (`claim.mjs`), against the real app on a fresh store.

use crate::common::{award, badge_class, issuer};
use crate::driver;
use emblem_tests::AppConfig;
use serde_json::{Value, json};

#[test]
fn a_browser_opens_the_claim_link_accepts_and_sees_the_manage_page() {
    let app = AppConfig::emblem("browser-claim").start();
    let who = issuer(&app, "Browser Academy");
    let class = badge_class(&app, &who, json!({"name": "Safe Lifting"}));
    let award = award(&app, &who, &class, "earner@example.org", json!({}));
    let key = &who.key;
    let claim_url = award["claim_url"].as_str().expect("claim_url");
    let id = award["id"].as_str().expect("id");

    let stdout = driver::run(
        "claim.mjs",
        &[
            ("EMBLEM_CLAIM_URL", claim_url.to_owned()),
            ("EMBLEM_BADGE_NAME", "Safe Lifting".to_owned()),
        ],
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
        .get_auth(&format!("/api/v1/assertions/{id}"), key)
        .json();
    assert_eq!(state["state"], "accepted");
    assert_eq!(state["visibility"], "public");
    for shot in [
        "claim-1-offer.png",
        "claim-2-manage.png",
        "claim-3-private.png",
    ] {
        let path = driver::artifacts().join(shot);
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
