//! Open Badges 3.0 credentials Emblem issues, judged by two independent Data Integrity
//! verifiers. First:
//! npm `@digitalbazaar/vc` 7 with `@digitalbazaar/eddsa-rdfc-2022-cryptosuite` (JSON-LD in safe
//! mode, its own copies of every context, its own RDFC-1.0), run through `vc_verify.mjs`.
//!
//! The verifier resolves the proof's verification method through the issuer's Profile (the
//! controller document), checks that the Profile lists it under `assertionMethod`, and reads
//! the `1EdTechRevocationList` through the status hook `vc_verify.mjs` gives it.
//!
//! Second, DCC's `@digitalcredentials/verifier-core` (`dcc_verify.mjs`), which fetches the key
//! and Profile from the app itself and checks the signature and dates; it ignores
//! `1EdTechRevocationList`, which its test below states.
//!
//! Third, panva `jose` (`jose_verify.mjs`) on the VC-JWTs, one per algorithm (`ES256`, `EdDSA`,
//! `RS256`), with the key taken from the issuer's published JWK Set by the header's `kid`.
//!
//! Fourth, PyPI `openbadgeslib` (`obl_verify.py`) on both proof kinds, with the issuer's key
//! pinned (it resolves DIDs only); it reads Bitstring status lists only, so revocation is
//! not asked of it.

use emblem_tests::{App, AppConfig};
use serde_json::{Value, json};

use crate::validator_core::common::{award, badge_class, issuer, path_of, revoke};

/// The verdict of `@digitalbazaar/vc` on `credential`, with the documents it may resolve.
fn digitalbazaar(credential: &Value, documents: &Value) -> Value {
    assert!(
        emblem_tests::vcjs_dir()
            .join("node_modules/@digitalbazaar/vc")
            .exists(),
        "@digitalbazaar/vc is not installed: run tests/interop/setup.sh (cargo xtask test does)"
    );
    let input = json!({"credential": credential, "documents": documents});
    emblem_tests::node_verifier("vc_verify.mjs", &input, None)
}

/// Everything the verifier may need besides contexts, fetched from the app as served.
fn documents(app: &App, credential: &Value) -> Value {
    let profile_url = credential["issuer"]["id"].as_str().expect("issuer id");
    let key_url = credential["proof"]["verificationMethod"]
        .as_str()
        .expect("verificationMethod");
    let list_url = credential["credentialStatus"]["id"]
        .as_str()
        .expect("status id");
    json!({
        profile_url: app.get(&path_of(profile_url)).json(),
        key_url: app.get(&path_of(key_url)).json(),
        list_url: app.get(&path_of(list_url)).json(),
    })
}

#[test]
fn digitalbazaar_vc_verifies_emblem_credentials_and_refuses_tampered_and_revoked_ones() {
    let app = AppConfig::emblem("interop-vc-peers").start();
    let issuer = issuer(&app, "Peer Reviewed Academy");
    let class = badge_class(
        &app,
        &issuer,
        json!({"alignment": [{"target_name": "ESCO lifting", "target_url": "https://esco.example.org/1"}]}),
    );
    let awarded = award(
        &app,
        &issuer,
        &class,
        "hana@example.org",
        json!({"recipient": {"email": "hana@example.org", "name": "Hana Ito"},
               "evidence": [{"url": "https://academy.example.org/work/7", "narrative": "Lifted"}],
               "narrative": "Top of the class."}),
    );
    let url = awarded["credential_url"].as_str().expect("credential_url");
    let credential = app.get(&path_of(url)).json();
    let docs = documents(&app, &credential);

    let verdict = digitalbazaar(&credential, &docs);
    assert_eq!(verdict["verified"], true, "{verdict}");

    let mut tampered = credential.clone();
    tampered["credentialSubject"]["achievement"]["name"] = json!("Brain Surgery");
    let verdict = digitalbazaar(&tampered, &docs);
    assert_eq!(verdict["verified"], false, "{verdict}");
    assert!(
        verdict.to_string().contains("Invalid signature"),
        "{verdict}"
    );

    // A key the issuer's Profile does not list under assertionMethod is not the issuer's.
    let mut foreign = docs.clone();
    let profile_url = credential["issuer"]["id"].as_str().expect("id");
    foreign[profile_url]["assertionMethod"] = json!([]);
    let verdict = digitalbazaar(&credential, &foreign);
    assert_eq!(verdict["verified"], false, "{verdict}");

    let id = awarded["id"].as_str().expect("id");
    revoke(&app, &issuer, id, "Withdrawn");
    let verdict = digitalbazaar(&credential, &documents(&app, &credential));
    assert_eq!(verdict["verified"], false, "{verdict}");
    assert!(verdict.to_string().contains("revoked"), "{verdict}");
}

/// DCC verifier-core's answer on `credential` (it fetches the key and Profile from the app).
fn dcc(credential: &Value) -> Value {
    assert!(
        emblem_tests::vcjs_dir()
            .join("node_modules/@digitalcredentials/verifier-core")
            .exists(),
        "DCC verifier-core is not installed: run tests/interop/setup.sh (cargo xtask test does)"
    );
    emblem_tests::node_verifier("dcc_verify.mjs", credential, None)
}

/// The `valid` flag of one step of verifier-core's log.
fn step(answer: &Value, id: &str) -> Option<bool> {
    answer["log"]
        .as_array()?
        .iter()
        .find(|s| s["id"] == id)
        .and_then(|s| s["valid"].as_bool())
}

#[test]
fn dcc_verifier_core_verifies_emblem_credentials_and_refuses_tampered_ones_but_ignores_revocation()
{
    let app = AppConfig::emblem("interop-dcc").start();
    let issuer = issuer(&app, "Consortium Checked College");
    let class = badge_class(&app, &issuer, json!({}));
    let awarded = award(&app, &issuer, &class, "kai@example.org", json!({}));
    let credential = app
        .get(&path_of(awarded["credential_url"].as_str().expect("url")))
        .json();

    let answer = dcc(&credential);
    assert_eq!(step(&answer, "valid_signature"), Some(true), "{answer}");
    assert_eq!(step(&answer, "expiration"), Some(true), "{answer}");

    let mut tampered = credential.clone();
    tampered["credentialSubject"]["achievement"]["name"] = json!("Brain Surgery");
    let answer = dcc(&tampered);
    assert_ne!(step(&answer, "valid_signature"), Some(true), "{answer}");
    assert!(answer.to_string().contains("invalid_signature"), "{answer}");

    // verifier-core checks only BitstringStatusListEntry status; a 1EdTechRevocationList is
    // skipped, so it still calls a revoked credential's signature valid. Emblem's /verify says
    // revoked (tests/e2e/verify/ob3.rs).
    revoke(
        &app,
        &issuer,
        awarded["id"].as_str().expect("id"),
        "Withdrawn",
    );
    let answer = dcc(&credential);
    assert_eq!(step(&answer, "valid_signature"), Some(true), "{answer}");
    assert!(!answer.to_string().contains("revoked"), "{answer}");
}

/// panva `jose`'s verdict on a VC-JWT, the key taken from `jwks` by the header's `kid`.
fn jose(jwt: &str, jwks: &Value) -> Value {
    assert!(
        emblem_tests::vcjs_dir().join("node_modules/jose").exists(),
        "jose is not installed: run tests/interop/setup.sh (cargo xtask test does)"
    );
    emblem_tests::node_verifier("jose_verify.mjs", &json!({"jwt": jwt, "jwks": jwks}), None)
}

#[test]
fn jose_verifies_emblem_vc_jwts_of_every_algorithm_and_refuses_tampered_and_foreign_keys() {
    let (app, url) = signing_issuer_award("interop-jose", "noa@example.org");
    let url = url.as_str();
    let profile = path_of(
        app.get(&path_of(url)).json()["issuer"]["id"]
            .as_str()
            .expect("issuer id"),
    );
    let jwks = app.get(&format!("{profile}/jwks")).json();

    let mut es256 = String::new();
    for alg in ["ES256", "EdDSA", "RS256"] {
        let jwt = app
            .request("GET", &format!("{}?alg={alg}", path_of(url)))
            .send()
            .expect(200)
            .text();
        let verdict = jose(&jwt, &jwks);
        assert_eq!(verdict["verified"], true, "{alg}: {verdict}");
        assert_eq!(verdict["alg"], alg);
        assert_eq!(verdict["payload"]["jti"], url);
        assert_eq!(
            verdict["payload"]["iss"],
            verdict["payload"]["issuer"]["id"]
        );
        if alg == "ES256" {
            es256 = jwt;
        }
    }

    // The payload changed under the signature.
    let parts: Vec<&str> = es256.split('.').collect();
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    let mut payload: Value =
        serde_json::from_slice(&b64.decode(parts[1]).expect("b64")).expect("json");
    payload["credentialSubject"]["achievement"]["name"] = json!("Brain Surgery");
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        b64.encode(payload.to_string()),
        parts[2]
    );
    let verdict = jose(&forged, &jwks);
    assert_eq!(verdict["verified"], false, "{verdict}");
    assert!(
        verdict
            .to_string()
            .contains("signature verification failed"),
        "{verdict}"
    );

    // Another issuer's key set has no key of this kid.
    let other = crate::validator_core::common::issuer(&app, "Other Institute");
    let other_class = badge_class(&app, &other, json!({}));
    let other_award = award(&app, &other, &other_class, "noa@example.org", json!({}));
    let other_url = path_of(other_award["credential_url"].as_str().expect("url"));
    app.request("GET", &format!("{other_url}?alg=ES256"))
        .send()
        .expect(200);
    let other_profile = path_of(
        app.get(&other_url).json()["issuer"]["id"]
            .as_str()
            .expect("issuer id"),
    );
    let verdict = jose(&es256, &app.get(&format!("{other_profile}/jwks")).json());
    assert_eq!(verdict["verified"], false, "{verdict}");
}

/// PyPI `openbadgeslib`'s verdict (`obl_verify.py`), with the issuer's key pinned as a JWK.
fn openbadgeslib(input: &Value) -> Value {
    let lib = emblem_tests::root().join("target/interop/obl");
    assert!(
        lib.join("openbadgeslib").exists(),
        "openbadgeslib is not installed: run tests/interop/setup.sh (cargo xtask test does)"
    );
    let mut cmd = std::process::Command::new("python3");
    cmd.arg(emblem_tests::root().join("tests/interop/obl_verify.py"))
        .env("PYTHONPATH", &lib);
    emblem_tests::json_verdict(cmd, "obl_verify.py", input)
}

/// An app, an issuer with RSA signing on (so all three VC-JWT algorithms can be asked for),
/// and one award's credential URL.
fn signing_issuer_award(name: &str, email: &str) -> (App, String) {
    let app = AppConfig::emblem(name).start();
    let issuer = issuer(&app, "Token Signed Institute");
    let class = badge_class(&app, &issuer, json!({}));
    let awarded = award(&app, &issuer, &class, email, json!({}));
    let url = awarded["credential_url"].as_str().expect("url").to_owned();
    app.request(
        "POST",
        &format!("/api/v1/issuers/{}/signing-key", issuer.id),
    )
    .bearer(&issuer.key)
    .send()
    .expect(200);
    (app, url)
}

#[test]
fn openbadgeslib_verifies_emblem_credentials_as_vc_jwt_and_data_integrity_and_refuses_forgeries() {
    let (app, url) = signing_issuer_award("interop-openbadgeslib", "ola@example.org");
    let url = url.as_str();
    let credential = app.get(&path_of(url)).json();
    let profile = path_of(credential["issuer"]["id"].as_str().expect("issuer id"));
    let jwks = app.get(&format!("{profile}/jwks")).json();
    let jwk = |alg: &str| {
        jwks["keys"]
            .as_array()
            .expect("keys")
            .iter()
            .find(|k| k["alg"] == alg)
            .cloned()
            .expect("a key of that algorithm")
    };

    for alg in ["ES256", "EdDSA", "RS256"] {
        let jwt = app
            .request("GET", &format!("{}?alg={alg}", path_of(url)))
            .send()
            .expect(200)
            .text();
        let verdict = openbadgeslib(&json!({"jwt": jwt, "jwk": jwk(alg)}));
        assert_eq!(verdict["verified"], true, "{alg}: {verdict}");
        assert_eq!(verdict["issuer"], credential["issuer"]["id"]);
        // Another of the issuer's keys did not sign it.
        let other = if alg == "ES256" { "RS256" } else { "ES256" };
        let verdict = openbadgeslib(&json!({"jwt": jwt, "jwk": jwk(other)}));
        assert_eq!(
            verdict["verified"], false,
            "{alg} with the {other} key: {verdict}"
        );
    }

    let verdict = openbadgeslib(&json!({"credential": credential, "jwk": jwk("EdDSA")}));
    assert_eq!(verdict["verified"], true, "{verdict}");
    assert_eq!(verdict["layout"], "data-integrity");
    let mut tampered = credential.clone();
    tampered["credentialSubject"]["achievement"]["name"] = json!("Brain Surgery");
    let verdict = openbadgeslib(&json!({"credential": tampered, "jwk": jwk("EdDSA")}));
    assert_eq!(verdict["verified"], false, "{verdict}");
}

#[test]
fn dcc_verifier_core_reads_the_bitstring_status_list_and_sees_a_revocation() {
    let app = AppConfig::emblem("interop-dcc-bitstring").start();
    let issuer = issuer(&app, "Bitstring Consortium College");
    app.request("PATCH", &format!("/api/v1/issuers/{}", issuer.id))
        .bearer(&issuer.key)
        .json(&json!({"credential_status": "BitstringStatusList"}))
        .send()
        .expect(200);
    let class = badge_class(&app, &issuer, json!({}));
    let awarded = award(&app, &issuer, &class, "bly@example.org", json!({}));
    let credential = app
        .get(&path_of(awarded["credential_url"].as_str().expect("url")))
        .json();
    assert_eq!(
        credential["credentialStatus"]["type"],
        "BitstringStatusListEntry"
    );

    let answer = dcc(&credential);
    assert_eq!(step(&answer, "valid_signature"), Some(true), "{answer}");
    assert_eq!(step(&answer, "revocation_status"), Some(true), "{answer}");

    revoke(
        &app,
        &issuer,
        awarded["id"].as_str().expect("id"),
        "Withdrawn",
    );
    let answer = dcc(&credential);
    assert_eq!(step(&answer, "valid_signature"), Some(true), "{answer}");
    assert_eq!(step(&answer, "revocation_status"), Some(false), "{answer}");
}
