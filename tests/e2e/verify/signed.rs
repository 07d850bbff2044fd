//! Signed Open Badges 2.0 issued by Emblem: the issuer turns signing on, the award API
//! returns the compact JWS, the key and the issuer's key list are published, and `/verify`
//! accepts the JWS, then reports it revoked through the revocation list.

use super::{outcome, verify_json};
use crate::common::{award, badge_class, issuer, path_of, shared};
use serde_json::json;

#[test]
fn an_issuer_with_signing_on_gets_jws_awards_that_verify_then_revoke() {
    let app = shared();
    let issuer = issuer(app, "Signing Guild");
    let class = badge_class(app, &issuer, json!({}));
    let awarded = award(app, &issuer, &class, "sam@example.org", json!({}));
    let id = awarded["id"].as_str().expect("id").to_owned();

    // Off by default: a clear 409 naming the route that turns it on.
    let off = app
        .get_auth(&format!("/api/v1/assertions/{id}/signed"), &issuer.key)
        .expect_problem(409);
    assert!(
        off["detail"]
            .as_str()
            .is_some_and(|d| d.contains("signing-key")),
        "{off}"
    );

    // Another issuer cannot turn it on for this one.
    let other = crate::common::issuer(app, "Other Guild");
    crate::common::request_signing_key(app, &issuer.id, &other.key).expect_problem(404);

    let key = crate::common::request_signing_key(app, &issuer.id, &issuer.key)
        .expect(200)
        .json();
    let key_url = key["key_url"].as_str().expect("key_url").to_owned();
    assert!(
        key["public_key_pem"]
            .as_str()
            .is_some_and(|p| p.contains("BEGIN PUBLIC KEY"))
    );
    assert!(!key.to_string().contains("PRIVATE"), "{key}");

    let profile = app.get(&path_of(&issuer.url)).expect(200).json();
    assert_eq!(profile["publicKey"], json!(key_url));
    let published = app.get(&path_of(&key_url));
    published.expect(200);
    let doc = published.json();
    assert_eq!(doc["type"], "CryptographicKey");
    assert_eq!(doc["owner"], json!(issuer.url));
    assert!(!published.text().contains("PRIVATE"));

    let signed = app
        .get_auth(&format!("/api/v1/assertions/{id}/signed"), &issuer.key)
        .expect(200)
        .json();
    let jws = signed["jws"].as_str().expect("jws").to_owned();
    assert_eq!(
        signed["assertion"]["verification"]["creator"],
        json!(key_url)
    );
    let resp = verify_json(app, &json!({"jws": jws, "email": "SAM@example.org"}));
    assert_eq!(outcome(&resp), ("valid".into(), None), "{}", resp.text());
    assert_eq!(resp.json()["kind"], "signed");

    app.post(
        &format!("/api/v1/assertions/{id}/revoke"),
        &issuer.key,
        &json!({"reason": "Exam retaken"}),
    )
    .expect(200);
    let resp = verify_json(app, &json!({"jws": jws}));
    assert_eq!(
        outcome(&resp),
        ("revoked".into(), Some("revocation".into()))
    );
    app.get_auth(&format!("/api/v1/assertions/{id}/signed"), &issuer.key)
        .expect_problem(410);
}
