//! Open Badges 3.0 verification steps 3 and 6 through `/verify`: a credential's refresh
//! service (followed once, and only a newer copy of the same credential from the same issuer
//! counts) and its endorsements (verified one by one; a bad one is set aside, never changing
//! the verdict).

use super::server::FixtureServer;
use super::{verify_app, verify_json};
use emblem_vc::contexts::PINNED;
use emblem_vc::{di, multikey};
use serde_json::{Value, json};

/// A did:key signer.
struct Signer {
    seed: u8,
    key: ed25519_dalek::SigningKey,
    did: String,
    options: di::ProofOptions,
}

impl Signer {
    fn new(seed: u8) -> Signer {
        let key = ed25519_dalek::SigningKey::from_bytes(&[seed; 32]);
        let mb = multikey::encode_public(&key.verifying_key());
        let did = format!("did:key:{mb}");
        let options = di::ProofOptions {
            created: "2026-01-01T00:00:00Z".into(),
            verification_method: format!("{did}#{mb}"),
            proof_purpose: "assertionMethod".into(),
        };
        Signer {
            seed,
            key,
            did,
            options,
        }
    }

    fn sign(&self, doc: &Value) -> Value {
        di::sign(doc, &self.options, &self.key, PINNED).expect("sign")
    }
}

const ACHIEVEMENT: &str = "urn:uuid:2c0b5b0e-7a8f-4d35-9f61-0e0d8b6f3a11";
const CREDENTIAL: &str = "urn:uuid:9d1e4e2a-3b7c-4c1d-8e2f-5a6b7c8d9e0f";

fn credential(issuer: &Signer, valid_until: &str) -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                     "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"],
        "id": CREDENTIAL,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer.did, "type": ["Profile"], "name": "Renewal Institute"},
        "validFrom": "2026-01-01T00:00:00Z",
        "validUntil": valid_until,
        "credentialSubject": {"type": ["AchievementSubject"],
            "identifier": [{"type": "IdentityObject", "identityType": "emailAddress",
                            "hashed": false, "identityHash": "kim@example.org"}],
            "achievement": {"id": ACHIEVEMENT, "type": ["Achievement"], "name": "First Aid",
                "description": "Keeps a first-aid certificate current.",
                "criteria": {"narrative": "Pass the yearly course."}}},
    })
}

fn checks(answer: &Value, name: &str) -> Vec<Value> {
    answer["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["name"] == name)
        .cloned()
        .collect()
}

fn outcome_of(answer: &Value, name: &str) -> Vec<String> {
    checks(answer, name)
        .iter()
        .map(|c| c["outcome"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn a_refresh_service_is_followed_once_and_only_a_newer_copy_of_the_same_credential_counts() {
    let app = verify_app();
    let srv = FixtureServer::start();
    let issuer = Signer::new(31);
    let mut lapsed = credential(&issuer, "2026-02-01T00:00:00Z");
    lapsed["refreshService"] =
        json!({"id": srv.url("/refresh"), "type": "1EdTechCredentialRefresh"});
    let lapsed = issuer.sign(&lapsed);
    let verify = || verify_json(app, &json!({"credential": lapsed})).json();

    // The service has the renewed copy (which names a service of its own, never followed).
    let mut renewed = credential(&issuer, "2099-01-01T00:00:00Z");
    renewed["refreshService"] =
        json!({"id": srv.url("/refresh-again"), "type": "1EdTechCredentialRefresh"});
    srv.json("/refresh", 200, &issuer.sign(&renewed));
    srv.json("/refresh-again", 200, &json!({"not": "a credential"}));
    let answer = verify();
    assert_eq!(answer["verdict"], "valid", "{answer}");
    assert_eq!(outcome_of(&answer, "refresh"), ["pass"], "{answer}");
    assert_eq!(answer["assertion"]["validUntil"], "2099-01-01T00:00:00Z");

    // Without the service, the credential as handed in has expired.
    srv.put("/refresh", 404, &[], b"gone".to_vec());
    let answer = verify();
    assert_eq!(answer["verdict"], "expired", "{answer}");
    assert_eq!(outcome_of(&answer, "refresh"), ["warn"]);

    // A "newer copy" signed by someone else, or of another credential, is not taken.
    let forger = Signer::new(32);
    let mut forged = credential(&forger, "2099-01-01T00:00:00Z");
    forged["issuer"]["id"] = json!(issuer.did);
    srv.json("/refresh", 200, &forger.sign(&forged));
    let answer = verify();
    assert_eq!(answer["verdict"], "expired", "{answer}");
    assert_eq!(outcome_of(&answer, "refresh"), ["warn"]);
    let mut other = credential(&issuer, "2099-01-01T00:00:00Z");
    other["id"] = json!("urn:uuid:00000000-0000-4000-8000-000000000001");
    srv.json("/refresh", 200, &issuer.sign(&other));
    let answer = verify();
    assert_eq!(answer["verdict"], "expired", "{answer}");
    let refresh = checks(&answer, "refresh");
    assert!(
        refresh[0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("another credential"),
        "{refresh:?}"
    );

    // A credential without a service says so.
    let plain = issuer.sign(&credential(&issuer, "2099-01-01T00:00:00Z"));
    let answer = verify_json(app, &json!({"credential": plain})).json();
    assert_eq!(answer["verdict"], "valid", "{answer}");
    assert_eq!(outcome_of(&answer, "refresh"), ["skip"]);
}

fn endorsement(endorser: &Signer, about: &str, comment: &str) -> Value {
    endorser.sign(&json!({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": format!("urn:uuid:5e0c00{:02x}-1d2e-4f3a-8b4c-5d6e7f8a9b0c", endorser.seed),
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": "Endorsement",
        "issuer": {"id": endorser.did, "type": ["Profile"], "name": "Red Cross Chapter"},
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": about, "type": ["EndorsementSubject"],
                              "endorsementComment": comment},
    }))
}

#[test]
fn endorsements_are_verified_one_by_one_and_a_bad_one_never_changes_the_verdict() {
    let app = verify_app();
    let issuer = Signer::new(41);
    let endorser = Signer::new(42);
    let good = endorsement(&endorser, ACHIEVEMENT, "Meets our standard.");
    let mut tampered = endorsement(&Signer::new(43), ACHIEVEMENT, "Meets our standard.");
    tampered["credentialSubject"]["endorsementComment"] = json!("The best course in the land.");
    let elsewhere = endorsement(&Signer::new(44), "urn:uuid:someone-else", "Fine.");
    let mut doc = credential(&issuer, "2099-01-01T00:00:00Z");
    doc["credentialSubject"]["achievement"]["endorsement"] = json!([good, tampered, elsewhere]);
    let signed = issuer.sign(&doc);
    let answer = verify_json(app, &json!({"credential": signed})).json();
    assert_eq!(answer["verdict"], "valid", "{answer}");
    let found = checks(&answer, "endorsement");
    let outcomes: Vec<&str> = found
        .iter()
        .map(|c| c["outcome"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(outcomes, ["warn", "warn", "pass"], "{found:?}");
    let text = |i: usize| found[i]["message"].as_str().unwrap_or_default().to_owned();
    assert!(text(0).contains("proof does not match"), "{}", text(0));
    assert!(text(1).contains("not about"), "{}", text(1));
    assert!(text(2).contains(&endorser.did), "{}", text(2));

    // The credential's own proof covers its endorsements: changing one is a tampered credential.
    let mut changed = signed.clone();
    changed["credentialSubject"]["achievement"]["endorsement"][0]["credentialSubject"]["endorsementComment"] =
        json!("Changed.");
    let answer = verify_json(app, &json!({"credential": changed})).json();
    assert_eq!(answer["verdict"], "invalid", "{answer}");
}
