//! The badge page, the embed card and the printable certificate in Chromium
//! (`share.mjs`): what each shows, the embed framed by another origin and the
//! certificate refused there, the certificate printed to one A4 landscape page.

use crate::common::{award, badge_class, issuer, set_award_state};
use crate::driver;
use emblem_tests::AppConfig;
use serde_json::json;

const BADGE: &str = "Safe Lifting & Rigging";

#[test]
fn the_badge_page_embed_card_and_certificate_render_in_a_real_browser() {
    let app = AppConfig::emblem("browser-share").start();
    let who = issuer(&app, "Browser Academy");
    let class = badge_class(&app, &who, json!({"name": BADGE}));
    let made = award(
        &app,
        &who,
        &class,
        "earner@example.org",
        json!({"expires": "2030-06-15T00:00:00Z"}),
    );
    let id = made["id"].as_str().expect("id").to_owned();
    set_award_state(&app, &id, |r| r["acceptance"]["state"] = json!("accepted"));

    let out = driver::run(
        "share.mjs",
        &[
            ("EMBLEM_BASE", app.base.clone()),
            ("EMBLEM_ASSERTION_ID", id),
            ("EMBLEM_BADGE_NAME", BADGE.to_owned()),
        ],
    );
    assert!(out.contains("ok - certificate prints on one page"), "{out}");

    for name in [
        "badge-page.png",
        "embed-card.png",
        "embed-framed.png",
        "certificate.png",
    ] {
        let path = driver::artifacts().join(name);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 2_000,
            "{name} is not a real screenshot ({} bytes)",
            bytes.len()
        );
    }
    let pdf = std::fs::read(driver::artifacts().join("certificate.pdf")).expect("pdf");
    assert!(pdf.starts_with(b"%PDF-"), "certificate.pdf is a PDF");
}
