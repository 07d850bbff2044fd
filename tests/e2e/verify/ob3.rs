//! Open Badges 3.0 through `/verify`: Emblem's own credentials (as JSON, by URL, revoked),
//! tampered copies, a property the proof cannot cover, and a forgery that names a real
//! issuer but is signed with the forger's key.

use super::{outcome, verify_json};
use crate::common::{award, badge_class, issuer, path_of, revoke, shared};
use emblem_tests::App;
use emblem_vc::contexts::PINNED;
use emblem_vc::{di, multikey};
use serde_json::{Value, json};

fn verify(app: &App, body: &Value) -> (String, Option<String>) {
    outcome(&verify_json(app, body))
}

#[test]
fn an_emblem_credential_verifies_by_json_and_url_and_then_is_revoked() {
    let app = shared();
    let issuer = issuer(app, "Credential Verify Guild");
    let class = badge_class(app, &issuer, json!({}));
    let awarded = award(app, &issuer, &class, "Ivy@Example.org", json!({}));
    let url = awarded["credential_url"].as_str().expect("url").to_owned();
    let credential = app.get(&path_of(&url)).json();

    let resp = app
        .request("POST", "/verify")
        .header("accept", "application/json")
        .json(&json!({"credential": credential, "email": "ivy@example.org"}))
        .send();
    let body = resp.expect(200).json();
    assert_eq!(body["verdict"], "valid", "{body}");
    assert_eq!(body["kind"], "credential");
    assert_eq!(body["subject"], json!(url));
    let passed: Vec<&str> = body["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["outcome"] == "pass")
        .map(|c| c["name"].as_str().unwrap_or(""))
        .collect();
    for check in [
        "version",
        "assertion",
        "badgeclass",
        "issuer",
        "key",
        "signature",
        "revocation",
        "recipient",
    ] {
        assert!(passed.contains(&check), "{check} in {body}");
    }
    assert_eq!(
        verify(app, &json!({"url": url})),
        ("valid".into(), None),
        "by URL"
    );
    assert_eq!(
        verify(
            app,
            &json!({"credential": credential, "email": "someone@example.org"})
        ),
        ("invalid".into(), Some("recipient".into()))
    );

    let mut tampered = credential.clone();
    tampered["credentialSubject"]["achievement"]["name"] = json!("Brain Surgery");
    assert_eq!(
        verify(app, &json!({"credential": tampered})),
        ("invalid".into(), Some("signature".into()))
    );
    let mut extra = credential.clone();
    extra["credentialSubject"]["honours"] = json!("summa cum laude");
    assert_eq!(
        verify(app, &json!({"credential": extra})),
        ("invalid".into(), Some("signature".into())),
        "a property the proof cannot cover"
    );

    revoke(
        app,
        &issuer,
        awarded["id"].as_str().expect("id"),
        "Withdrawn",
    );
    assert_eq!(
        verify(app, &json!({"credential": credential})),
        ("revoked".into(), Some("revocation".into()))
    );
}

#[test]
fn a_forgery_naming_a_real_issuer_but_signed_with_another_key_is_invalid() {
    let app = shared();
    let issuer = issuer(app, "Forgery Target College");
    let class = badge_class(app, &issuer, json!({}));
    let awarded = award(app, &issuer, &class, "mallory@example.org", json!({}));
    let genuine = app
        .get(&path_of(awarded["credential_url"].as_str().expect("url")))
        .json();
    let attacker = ed25519_dalek::SigningKey::from_bytes(&[66; 32]);
    let attacker_did = format!(
        "did:key:{}",
        multikey::encode_public(&attacker.verifying_key())
    );
    let mut unsigned = genuine.clone();
    unsigned.as_object_mut().expect("object").remove("proof");
    unsigned["credentialSubject"]["achievement"]["name"] = json!("Honorary Doctorate");

    // The attacker's did:key as the method, the victim as issuer: controller ≠ issuer.
    let options = di::ProofOptions {
        created: "2026-01-01T00:00:00Z".into(),
        verification_method: format!("{attacker_did}#{}", &attacker_did[8..]),
        proof_purpose: "assertionMethod".into(),
    };
    let forged = di::sign(&unsigned, &options, &attacker, PINNED).expect("sign");
    assert_eq!(
        verify(app, &json!({"credential": forged})),
        ("invalid".into(), Some("key".into()))
    );
    // The victim's own key id with the attacker's signature: the published key does not match.
    let options = di::ProofOptions {
        verification_method: genuine["proof"]["verificationMethod"]
            .as_str()
            .expect("vm")
            .to_owned(),
        ..options
    };
    let forged = di::sign(&unsigned, &options, &attacker, PINNED).expect("sign");
    assert_eq!(
        verify(app, &json!({"credential": forged})),
        ("invalid".into(), Some("signature".into()))
    );
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .expect("base64url")
}

/// A compact JWS over `header` and `payload`, EdDSA with `key`.
fn eddsa_jws(header: &Value, payload: &Value, key: &ed25519_dalek::SigningKey) -> String {
    use ed25519_dalek::Signer as _;
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(payload.to_string().as_bytes())
    );
    format!("{input}.{}", b64(&key.sign(input.as_bytes()).to_bytes()))
}

#[test]
fn the_vc_jwt_of_an_award_verifies_and_forged_ones_do_not() {
    let app = shared();
    let issuer = issuer(app, "JWT Guild");
    let class = badge_class(app, &issuer, json!({}));
    let awarded = award(app, &issuer, &class, "jay@example.org", json!({}));
    let url = awarded["credential_url"].as_str().expect("url");
    let resp = app
        .request("GET", &format!("{}?alg=EdDSA", path_of(url)))
        .header("accept", "application/vc+jwt")
        .send();
    resp.expect(200);
    assert_eq!(resp.header("content-type"), Some("application/vc+jwt"));
    let jwt = resp.text();
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3);
    let header: Value = serde_json::from_slice(&unb64(parts[0])).expect("header");
    let payload: Value = serde_json::from_slice(&unb64(parts[1])).expect("payload");
    assert_eq!(header["alg"], "EdDSA");
    assert_eq!(header["typ"], "JWT");
    assert_eq!(payload["jti"], url);
    assert_eq!(payload["iss"], payload["issuer"]["id"]);
    assert!(payload.get("proof").is_none());

    let resp = app
        .request("POST", "/verify")
        .header("accept", "application/json")
        .json(&json!({"jws": jwt, "email": "jay@example.org"}))
        .send();
    let body = resp.expect(200).json();
    assert_eq!(body["verdict"], "valid", "{body}");
    assert_eq!(body["kind"], "credential (VC-JWT)");

    // The payload changed, the signature kept.
    let mut changed = payload.clone();
    changed["credentialSubject"]["achievement"]["name"] = json!("Brain Surgery");
    assert_eq!(
        verify(app, &json!({"jws": with_payload(&jwt, &changed)})),
        ("invalid".into(), Some("signature".into()))
    );
    // Signed by someone else, naming the issuer's own key.
    let attacker = ed25519_dalek::SigningKey::from_bytes(&[77; 32]);
    assert_eq!(
        verify(
            app,
            &json!({"jws": eddsa_jws(&header, &changed, &attacker)})
        ),
        ("invalid".into(), Some("signature".into()))
    );
    // The attacker's key carried inline.
    let inline = json!({"alg": "EdDSA", "jwk": {"kty": "OKP", "crv": "Ed25519",
        "x": b64(attacker.verifying_key().as_bytes())}});
    assert_eq!(
        verify(
            app,
            &json!({"jws": eddsa_jws(&inline, &changed, &attacker)})
        ),
        ("invalid".into(), Some("key".into()))
    );
    // The attacker's key on the attacker's host: it is fetched (a verification method there
    // could name the issuer as controller, to be refused by the issuer's own document), and
    // this host cannot reach it, so the badge is never valid.
    let elsewhere = json!({"alg": "EdDSA", "kid": "https://attacker.example/jwk"});
    assert_eq!(
        verify(
            app,
            &json!({"jws": eddsa_jws(&elsewhere, &changed, &attacker)})
        ),
        ("unverifiable".into(), Some("key".into()))
    );
    // iss that is not the credential's issuer.
    let mut lying = payload.clone();
    lying["iss"] = json!("https://attacker.example/issuer");
    assert_eq!(
        verify(app, &json!({"jws": eddsa_jws(&header, &lying, &attacker)})),
        ("invalid".into(), Some("assertion".into()))
    );
}

/// `jwt` with its payload replaced and its header and signature kept: a forgery.
fn with_payload(jwt: &str, payload: &Value) -> String {
    let parts: Vec<&str> = jwt.split('.').collect();
    format!(
        "{}.{}.{}",
        parts[0],
        b64(payload.to_string().as_bytes()),
        parts[2]
    )
}

fn jwt_parts(jwt: &str) -> (Value, Value) {
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3, "{jwt}");
    (
        serde_json::from_slice(&unb64(parts[0])).expect("header"),
        serde_json::from_slice(&unb64(parts[1])).expect("payload"),
    )
}

#[test]
fn every_vc_jwt_algorithm_names_a_jwk_the_issuer_serves_and_verifies() {
    let app = shared();
    let issuer = issuer(app, "Three Keys Guild");
    let class = badge_class(app, &issuer, json!({}));
    let awarded = award(app, &issuer, &class, "kit@example.org", json!({}));
    let path = path_of(awarded["credential_url"].as_str().expect("url"));
    let jwt_of = |query: &str| {
        let resp = app
            .request("GET", &format!("{path}{query}"))
            .header("accept", "application/vc+jwt")
            .send();
        resp.expect(200);
        assert_eq!(resp.header("content-type"), Some("application/vc+jwt"));
        resp.text()
    };

    // ES256 by default: the algorithm every OB 3.0 verifier accepts.
    let es256 = jwt_of("");
    let (header, _) = jwt_parts(&es256);
    assert_eq!(header["alg"], "ES256");
    let kid = header["kid"].as_str().expect("kid").to_owned();
    assert!(kid.contains("/jwks/") && kid.ends_with("-p256"), "{kid}");
    assert_eq!(es256, jwt_of(""), "deterministic (RFC 6979): a stable ETag");
    let resp = app.get(&path_of(&kid));
    assert_eq!(resp.header("content-type"), Some("application/jwk+json"));
    let jwk = resp.json();
    assert_eq!(
        (
            jwk["kty"].as_str(),
            jwk["crv"].as_str(),
            jwk["alg"].as_str()
        ),
        (Some("EC"), Some("P-256"), Some("ES256"))
    );
    assert!(jwk.get("d").is_none(), "no private part: {jwk}");
    for jwt in [&es256, &jwt_of("?alg=EdDSA")] {
        let body = verify_json(app, &json!({"jws": jwt, "email": "kit@example.org"})).json();
        assert_eq!(body["verdict"], "valid", "{body}");
    }

    // RS256 uses the issuer's Open Badges 2.0 signing key: none yet, a 409 naming the route.
    let off = app
        .request("GET", &format!("{path}?alg=RS256"))
        .send()
        .expect_problem(409);
    assert!(
        off["detail"]
            .as_str()
            .is_some_and(|d| d.contains("signing-key")),
        "{off}"
    );
    let profile = path_of(issuer_profile(&kid));
    let jwks = app.get(&format!("{profile}/jwks")).json();
    assert_eq!(jwks["keys"].as_array().map(Vec::len), Some(2), "{jwks}");
    crate::common::request_signing_key(app, &issuer.id, &issuer.key).expect(200);
    let rs256 = jwt_of("?alg=RS256");
    let (header, payload) = jwt_parts(&rs256);
    assert_eq!(header["alg"], "RS256");
    let body = verify_json(app, &json!({"jws": rs256, "email": "kit@example.org"})).json();
    assert_eq!(body["verdict"], "valid", "{body}");
    let jwks = app.get(&format!("{profile}/jwks")).json();
    let algs: Vec<&str> = jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .filter_map(|k| k["alg"].as_str())
        .collect();
    assert_eq!(algs, ["ES256", "EdDSA", "RS256"]);

    // The RS256 header over the ES256 key's kid: the key does not fit the algorithm.
    let mut lying = header.clone();
    lying["kid"] = json!(kid);
    let parts: Vec<&str> = rs256.split('.').collect();
    let swapped = format!(
        "{}.{}.{}",
        b64(lying.to_string().as_bytes()),
        parts[1],
        parts[2]
    );
    assert_eq!(verify(app, &json!({"jws": swapped})).0, "invalid");
    // The payload changed under the ES256 signature.
    let mut changed = payload.clone();
    changed["credentialSubject"]["achievement"]["name"] = json!("Brain Surgery");
    assert_eq!(
        verify(app, &json!({"jws": with_payload(&es256, &changed)})),
        ("invalid".into(), Some("signature".into()))
    );

    // Unknown algorithms and kids are refused, not guessed.
    let bad = app.request("GET", &format!("{path}?alg=none")).send();
    assert!((400..500).contains(&bad.status), "{}", bad.status);
    app.get(&format!("{profile}/jwks/nokey"))
        .expect_problem(404);
}

/// The issuer's profile URL a `…/jwks/<kid>` URL belongs to.
fn issuer_profile(jwk_url: &str) -> &str {
    jwk_url.split("/jwks/").next().unwrap_or_default()
}

/// `u` + base64url of a GZIP stream of `bits` (RFC 1952: header, deflate, CRC-32, size).
fn encoded_list(bits: &[u8]) -> String {
    let mut gz = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    gz.extend(miniz_oxide::deflate::compress_to_vec(bits, 6));
    let mut crc = 0xffff_ffffu32;
    for byte in bits {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    gz.extend((!crc).to_le_bytes());
    gz.extend(u32::try_from(bits.len()).expect("size").to_le_bytes());
    format!("u{}", b64(&gz))
}

#[test]
fn a_did_key_issuer_s_credential_with_a_bitstring_status_list_is_valid_then_revoked() {
    use super::server::FixtureServer;
    let app = super::verify_app();
    let srv = FixtureServer::start();
    let key = ed25519_dalek::SigningKey::from_bytes(&[11; 32]);
    let mb = multikey::encode_public(&key.verifying_key());
    let did = format!("did:key:{mb}");
    let options = di::ProofOptions {
        created: "2026-01-01T00:00:00Z".into(),
        verification_method: format!("{did}#{mb}"),
        proof_purpose: "assertionMethod".into(),
    };
    let list_url = srv.url("/status/1");
    let credential = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:0b7d4f3e-2f7a-4c1e-9c55-5f1d2a3b4c5d",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": did, "type": ["Profile"], "name": "Key-only Academy"},
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"type": ["AchievementSubject"],
            "identifier": [{"type": "IdentityObject", "identityType": "emailAddress",
                            "hashed": false, "identityHash": "lee@example.org"}],
            "achievement": {"id": "urn:uuid:7f2b0a51-1c1d-4e0e-8f6e-3b9f0c2d1e4a",
                "type": ["Achievement"], "name": "Bits", "description": "Flips bits.",
                "criteria": {"narrative": "Flip one."}}},
        "credentialStatus": {"id": format!("{list_url}#5"), "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation", "statusListIndex": "5",
            "statusListCredential": list_url},
    });
    let signed = di::sign(&credential, &options, &key, PINNED).expect("sign");
    let publish = |bits: &[u8], signer: &ed25519_dalek::SigningKey| {
        let list = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": list_url, "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": did, "validFrom": "2026-01-01T00:00:00Z",
            "credentialSubject": {"id": format!("{list_url}#list"), "type": "BitstringStatusList",
                "statusPurpose": "revocation", "encodedList": encoded_list(bits)},
        });
        srv.json(
            "/status/1",
            200,
            &di::sign(&list, &options, signer, PINNED).expect("sign"),
        );
    };
    let mut bits = vec![0u8; 131_072 / 8];
    publish(&bits, &key);
    let body = json!({"credential": signed, "email": "lee@example.org"});
    let answer = verify_json(app, &body).json();
    assert_eq!(answer["verdict"], "valid", "{answer}");

    bits[0] = 0b0000_0100; // bit 5, most significant bit first
    publish(&bits, &key);
    assert_eq!(
        outcome(&verify_json(app, &body)),
        ("revoked".into(), Some("revocation".into()))
    );
    // A list someone else signed says nothing.
    publish(&bits, &ed25519_dalek::SigningKey::from_bytes(&[12; 32]));
    assert_eq!(
        outcome(&verify_json(app, &body)),
        ("unverifiable".into(), Some("revocation".into()))
    );
    // Too short a list.
    publish(&[0u8; 16], &key);
    assert_eq!(
        outcome(&verify_json(app, &body)),
        ("unverifiable".into(), Some("revocation".into()))
    );
    // Entries of two bits (a status message list) are not read as one.
    publish(&vec![0u8; 131_072 / 8], &key);
    let mut wide = credential.clone();
    wide["credentialStatus"]["statusSize"] = json!(2);
    let wide = di::sign(&wide, &options, &key, PINNED).expect("sign");
    let answer = verify_json(app, &json!({"credential": wide})).json();
    assert_eq!(answer["verdict"], "unverifiable", "{answer}");
    assert!(answer.to_string().contains("statusSize 2"), "{answer}");
}

#[test]
fn a_vcdm_1_1_era_credential_with_issuance_and_expiration_dates_verifies() {
    let app = shared();
    let key = ed25519_dalek::SigningKey::from_bytes(&[13; 32]);
    let mb = multikey::encode_public(&key.verifying_key());
    let did = format!("did:key:{mb}");
    let credential = json!({
        "@context": ["https://www.w3.org/2018/credentials/v1",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                     "https://w3id.org/security/data-integrity/v2"],
        "id": "urn:uuid:4d6f0a4e-1b8e-4a57-9d0c-7e1f2a3b4c5d",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": did, "type": ["Profile"], "name": "Early Adopter College"},
        "issuanceDate": "2023-05-01T00:00:00Z",
        "expirationDate": "2024-05-01T00:00:00Z",
        "credentialSubject": {"type": ["AchievementSubject"],
            "identifier": [{"type": "IdentityObject", "identityType": "emailAddress",
                            "hashed": false, "identityHash": "old@example.org"}],
            "achievement": {"id": "urn:uuid:1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d",
                "type": ["Achievement"], "name": "Pioneer", "description": "Was early.",
                "criteria": {"narrative": "Be early."}}},
    });
    let options = di::ProofOptions {
        created: "2023-05-01T00:00:00Z".into(),
        verification_method: format!("{did}#{mb}"),
        proof_purpose: "assertionMethod".into(),
    };
    let signed = di::sign(&credential, &options, &key, PINNED).expect("sign");
    let answer = verify_json(app, &json!({"credential": signed})).json();
    assert_eq!(answer["verdict"], "expired", "{answer}");
    let version = answer["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["name"] == "version")
        .expect("version")
        .clone();
    assert!(
        version["message"]
            .as_str()
            .unwrap_or_default()
            .contains("1.1"),
        "{version}"
    );
}
