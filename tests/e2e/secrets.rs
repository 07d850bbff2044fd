//! The issuers' private keys: sealed (AES-256-GCM under `key_encryption_key`) in the second
//! store, `secrets`, which only the credentials component is granted; every other component
//! has it sign over service chaining, through routes no outside request reaches.

use crate::common::{award, badge_class, issuer, kv_snapshot, path_of};
use emblem_tests::{App, AppConfig};
use serde_json::{Value, json};

/// Every key and value of the app's `secrets` store.
fn secrets_snapshot(app: &App) -> Vec<(String, Vec<u8>)> {
    let db = rusqlite::Connection::open(app.secrets_path()).expect("open secrets");
    db.busy_timeout(std::time::Duration::from_secs(10))
        .expect("timeout");
    let Ok(mut stmt) = db.prepare("SELECT key, value FROM spin_key_value ORDER BY key") else {
        return Vec::new(); // no table yet: nothing was ever written
    };
    stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .expect("query")
        .map(|r| r.expect("row"))
        .collect()
}

/// Whether the app's log says `what`, within a few seconds: the guest's stderr reaches the
/// log file through the runtime's writer, a moment after the answer.
fn log_says(app: &App, what: &str) -> bool {
    (0..50).any(|_| {
        let found = app.log().contains(what);
        if !found {
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        found
    })
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Sign everything there is to sign for one award: the 2.0 JWS, the 3.0 credential (Data
/// Integrity and each VC-JWT), and a baked 3.0 image. Returns the award id.
fn sign_everything(app: &App, issuer: &crate::common::Issuer) -> String {
    let class = badge_class(app, issuer, json!({}));
    let awarded = award(app, issuer, &class, "kim@example.org", json!({}));
    let id = awarded["id"].as_str().expect("id").to_owned();
    crate::common::request_signing_key(app, &issuer.id, &issuer.key).expect(200);
    let signed = app
        .get_auth(&format!("/api/v1/assertions/{id}/signed"), &issuer.key)
        .expect(200)
        .json();
    assert!(
        signed["jws"]
            .as_str()
            .is_some_and(|j| j.split('.').count() == 3)
    );
    let credential = app.get(&format!("/credentials/{id}")).expect(200).json();
    assert!(
        credential["proof"]["proofValue"].is_string(),
        "{credential}"
    );
    for alg in ["ES256", "EdDSA", "RS256"] {
        let jwt = app.get(&format!("/credentials/{id}?alg={alg}"));
        jwt.expect(200);
        assert_eq!(jwt.header("content-type"), Some("application/vc+jwt"));
    }
    app.get(&format!("/assertions/{id}/image?version=3"))
        .expect(200);
    id
}

#[test]
fn private_keys_are_sealed_in_the_secrets_store_and_never_in_the_shared_one() {
    let app = AppConfig::emblem("secrets-sealed").start();
    let issuer = issuer(&app, "Sealed Keys College");
    sign_everything(&app, &issuer);

    // The store every component reads holds public halves only.
    for (key, value) in kv_snapshot(&app) {
        let value = text(&value);
        for secret in ["PRIVATE KEY", "private_pem", "secret_hex"] {
            assert!(!value.contains(secret), "{key} holds {secret}: {value}");
        }
    }
    // The secrets store holds the two private keys of the issuer, sealed.
    let sealed = secrets_snapshot(&app);
    let keys: Vec<&str> = sealed.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(
        keys.iter()
            .any(|k| k.starts_with(&format!("sealed/keys/{}/", issuer.id)))
    );
    assert!(
        keys.iter()
            .any(|k| k.starts_with(&format!("sealed/vckey/{}/", issuer.id)))
    );
    for (key, value) in &sealed {
        let record: Value = serde_json::from_slice(value).expect("sealed record");
        assert_eq!(record["alg"], "A256GCM", "{key}");
        assert!(!text(value).contains("PRIVATE"), "{key}");
    }
}

#[test]
fn only_the_credentials_component_is_granted_the_secrets_and_their_key() {
    let manifest: toml::Table = toml::from_str(
        &std::fs::read_to_string(emblem_tests::root().join("spin.toml")).expect("spin.toml"),
    )
    .expect("toml");
    let components = manifest["component"].as_table().expect("components");
    let holders: Vec<&str> = components
        .iter()
        .filter(|(_, c)| {
            c.get("key_value_stores")
                .and_then(toml::Value::as_array)
                .is_some_and(|s| s.iter().any(|l| l.as_str() == Some("secrets")))
        })
        .map(|(id, _)| id.as_str())
        .collect();
    assert_eq!(holders, ["credentials"]);
    for variable in ["key_encryption_key", "key_encryption_key_previous"] {
        let readers: Vec<&str> = components
            .iter()
            .filter(|(_, c)| {
                c.get("variables")
                    .and_then(toml::Value::as_table)
                    .is_some_and(|v| v.contains_key(variable))
            })
            .map(|(id, _)| id.as_str())
            .collect();
        assert_eq!(readers, ["credentials"], "{variable}");
    }
}

#[test]
fn the_chaining_only_signing_routes_cannot_be_reached_from_outside() {
    let app = crate::common::shared();
    let issuer = issuer(app, "Outside Caller Ltd");
    let class = badge_class(app, &issuer, json!({}));
    let awarded = award(app, &issuer, &class, "lee@example.org", json!({}));
    let id = awarded["id"].as_str().expect("id");
    for path in [
        format!("/_internal/issuers/{}/signing-key", issuer.id),
        format!("/_internal/issuers/{}/assertions/{id}/signed", issuer.id),
    ] {
        for host in [None, Some("credentials.spin.internal")] {
            let mut req = app.request("POST", &path);
            if let Some(host) = host {
                req = req.header("host", host);
            }
            match req.try_send() {
                Ok(resp) => assert_eq!(resp.status, 404, "{path} via {host:?}: {}", resp.text()),
                // Spin drops an outside request that names a chaining host (it strips that
                // `Host` and then has no authority for the request).
                Err(e) => assert!(host.is_some(), "{path}: {e}"),
            }
        }
    }
    // Nothing was turned on or signed.
    app.get_auth(&format!("/api/v1/assertions/{id}/signed"), &issuer.key)
        .expect_problem(409);
}

#[test]
fn without_a_key_encryption_key_nothing_is_signed_and_no_key_is_made() {
    let app = AppConfig::emblem("secrets-no-kek")
        .without_variable("key_encryption_key")
        .start();
    let issuer = issuer(&app, "Unkeyed Academy");
    let class = badge_class(&app, &issuer, json!({}));
    let awarded = award(&app, &issuer, &class, "ray@example.org", json!({}));
    let id = awarded["id"].as_str().expect("id");
    // 2.0 hosting needs no key and still works.
    app.get(&path_of(
        awarded["assertion_url"].as_str().expect("assertion_url"),
    ))
    .expect(200);
    let problem = app.get(&format!("/credentials/{id}")).expect_problem(503);
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("key_encryption_key")),
        "{problem}"
    );
    crate::common::request_signing_key(&app, &issuer.id, &issuer.key).expect_problem(503);
    app.get(&format!("/assertions/{id}/image?version=3"))
        .expect_problem(503);
    assert!(secrets_snapshot(&app).is_empty());
    assert!(
        kv_snapshot(&app)
            .iter()
            .all(|(k, _)| !k.starts_with("vckey/") && !k.starts_with("keys/")),
        "no public half without its private half"
    );
}

#[test]
fn a_wrong_key_encryption_key_signs_nothing_and_the_right_one_signs_as_before() {
    // Ids fixed, so the restarted app (on another port) serves the same documents.
    let app = AppConfig::emblem("secrets-wrong-kek")
        .variable("public_base_url", "https://badges.example.org")
        .start();
    let issuer = issuer(&app, "Rotating Keys Institute");
    let id = sign_everything(&app, &issuer);
    let before = app.get(&format!("/credentials/{id}")).expect(200).json();
    let config = app.config().clone();
    drop(app);

    let wrong = config
        .clone()
        .variable("key_encryption_key", &"ab".repeat(32))
        .start();
    let refused = wrong.get(&format!("/credentials/{id}"));
    assert_eq!(refused.status, 500, "{}", refused.text());
    assert!(
        log_says(&wrong, "sealed under the key-encryption key"),
        "the log names the cause"
    );
    drop(wrong);

    let right = config.start();
    let after = right.get(&format!("/credentials/{id}")).expect(200).json();
    assert_eq!(after, before, "the same key signs the same credential");
}

#[test]
fn a_rotated_key_encryption_key_keeps_every_key_and_reseals_it_on_use() {
    let old = emblem_tests::KEY_ENCRYPTION_KEY;
    let new = "cd".repeat(32);
    // Ids fixed, so the restarted app (on another port) serves the same documents.
    let app = AppConfig::emblem("secrets-rotation")
        .variable("public_base_url", "https://badges.example.org")
        .start();
    let issuer = issuer(&app, "Rotation College");
    let id = sign_everything(&app, &issuer);
    let before = app.get(&format!("/credentials/{id}")).expect(200).json();
    let sealed_before = secrets_snapshot(&app);
    let config = app.config().clone();
    drop(app);

    // The new key, the old one as previous: every key opens, and is sealed again on use.
    let rotating = config
        .clone()
        .variable("key_encryption_key", &new)
        .variable("key_encryption_key_previous", old)
        .start();
    let during = rotating
        .get(&format!("/credentials/{id}"))
        .expect(200)
        .json();
    assert_eq!(during, before, "the same key signs");
    rotating
        .get_auth(&format!("/api/v1/assertions/{id}/signed"), &issuer.key)
        .expect(200);
    let sealed_after = secrets_snapshot(&rotating);
    assert_eq!(sealed_after.len(), sealed_before.len());
    for ((key, a), (_, b)) in sealed_before.iter().zip(&sealed_after) {
        let kek = |v: &[u8]| serde_json::from_slice::<Value>(v).expect("json")["kek"].clone();
        assert_ne!(kek(a), kek(b), "{key} sealed again under the new key");
    }
    drop(rotating);

    // The old key dropped: both keys still sign.
    let after = config.variable("key_encryption_key", &new).start();
    assert_eq!(
        after.get(&format!("/credentials/{id}")).expect(200).json(),
        before
    );
    after
        .get_auth(&format!("/api/v1/assertions/{id}/signed"), &issuer.key)
        .expect(200);
}

#[test]
fn a_malformed_key_encryption_key_is_a_logged_configuration_error_and_signs_nothing() {
    let app = AppConfig::emblem("secrets-bad-kek")
        .variable("key_encryption_key", "not-64-hex-digits")
        .start();
    let issuer = issuer(&app, "Misconfigured Academy");
    let class = badge_class(&app, &issuer, json!({}));
    let awarded = award(&app, &issuer, &class, "sam@example.org", json!({}));
    let id = awarded["id"].as_str().expect("id");
    // Only the component that holds the keys reads the variable: 2.0 hosting still works.
    app.get(&path_of(
        awarded["assertion_url"].as_str().expect("assertion_url"),
    ))
    .expect(200);
    app.get(&format!("/credentials/{id}")).expect_problem(500);
    assert!(
        log_says(&app, "key_encryption_key must be 64 hex digits"),
        "the log names the cause"
    );
    assert!(secrets_snapshot(&app).is_empty());
}
