//! What the public sees follows the award's state: pending and private
//! awards keep their JSON (holders of the link can verify) but have no
//! public page; a rejected award is gone.
//!
//! These tests set the state by rewriting the award record in the store
//! (Spin's SQLite table) between requests; `claim.rs` drives the same states
//! through the earner's real claim pages.

use crate::common::{award, badge_class, issuer, path_of, set_award_state, shared};
use serde_json::json;

fn page(app: &emblem_tests::App, path: &str) -> emblem_tests::Resp {
    app.request("GET", path)
        .header("Accept", "text/html")
        .send()
}

#[test]
fn the_public_page_and_json_follow_acceptance_and_visibility() {
    let app = shared();
    let issuer = issuer(app, "Visibility Trust");
    let class = badge_class(app, &issuer, json!({}));
    let awarded = award(app, &issuer, &class, "hana@example.org", json!({}));
    let id = awarded["id"].as_str().expect("id");
    let path = path_of(awarded["assertion_url"].as_str().expect("url"));

    // Pending: JSON for verifiers, no public page yet.
    app.get(&path).expect(200);
    page(app, &path).expect(404);

    // Accepted and public: both.
    set_award_state(app, id, |r| r["acceptance"]["state"] = json!("accepted"));
    app.get(&path).expect(200);
    let html = page(app, &path);
    html.expect(200);
    let text = html.text();
    assert!(
        text.contains("Safe Lifting") && text.contains("Visibility Trust"),
        "{text}"
    );
    assert!(text.contains("og:title"), "Open Graph tags: {text}");
    assert!(
        !text.contains("hana@example.org"),
        "never the plaintext email"
    );

    // Private: JSON still served, no page.
    set_award_state(app, id, |r| r["visibility"] = json!("private"));
    app.get(&path).expect(200);
    page(app, &path).expect(404);

    // Rejected: gone for everyone.
    set_award_state(app, id, |r| r["acceptance"]["state"] = json!("rejected"));
    app.get(&path).expect_problem(404);
    page(app, &path).expect(404);
}
