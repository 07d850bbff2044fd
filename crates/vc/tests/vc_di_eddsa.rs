//! The W3C vc-di-eddsa test vectors for `eddsa-rdfc-2022` (tests/vectors/vc-di-eddsa/README.md):
//! every intermediate value, byte for byte, then the signature and its verification.

use emblem_vc::canon::{self, CanonError, Mode};
use emblem_vc::contexts::{self, Table};
use emblem_vc::{di, multikey};
use serde_json::{Map, Value, json};

/// The pinned contexts plus the examples context the vectors use.
static WITH_EXAMPLES: Table = &[
    (
        contexts::CREDENTIALS_V2,
        include_str!("../contexts/credentials-v2.jsonld"),
    ),
    (
        "https://www.w3.org/ns/credentials/examples/v2",
        r#"{"@context": {"@vocab": "https://www.w3.org/ns/credentials/examples#"}}"#,
    ),
];

fn vector(name: &str) -> String {
    let path = format!(
        "{}/tests/vectors/vc-di-eddsa/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn json_vector(name: &str) -> Value {
    serde_json::from_str(&vector(name)).expect("test data")
}

fn unsecured() -> Map<String, Value> {
    let mut doc = json_vector("signedDataInt.json")
        .as_object()
        .expect("test data")
        .clone();
    doc.remove("proof");
    doc
}

fn proof_config() -> Map<String, Value> {
    let mut config = json_vector("proofConfigDataInt.json")
        .as_object()
        .expect("test data")
        .clone();
    config.remove("@context");
    config
}

#[test]
fn canon_doc_data_int() {
    let canon = canon::nquads(&Value::Object(unsecured()), WITH_EXAMPLES, Mode::Lenient)
        .expect("test data");
    assert_eq!(canon, vector("canonDocDataInt.txt"));
}

#[test]
fn proof_canon_data_int() {
    let data = di::hash_data(&unsecured(), &proof_config(), WITH_EXAMPLES, Mode::Lenient)
        .expect("test data");
    assert_eq!(data.proof_canon, vector("proofCanonDataInt.txt"));
}

#[test]
fn proof_hash_doc_hash_combined_hash_data_int() {
    let data = di::hash_data(&unsecured(), &proof_config(), WITH_EXAMPLES, Mode::Lenient)
        .expect("test data");
    assert_eq!(
        hex::encode(&data.bytes[..32]),
        vector("proofHashDataInt.txt").trim()
    );
    assert_eq!(
        hex::encode(&data.bytes[32..]),
        vector("docHashDataInt.txt").trim()
    );
    assert_eq!(
        hex::encode(&data.bytes),
        vector("combinedHashDataInt.txt").trim()
    );
}

fn key_pair() -> ed25519_dalek::SigningKey {
    let pair = json_vector("keyPair.json");
    let secret = multikey::decode_secret(pair["privateKeyMultibase"].as_str().expect("test data"))
        .expect("test data");
    assert_eq!(
        multikey::encode_public(&secret.verifying_key()),
        pair["publicKeyMultibase"].as_str().expect("test data")
    );
    secret
}

#[test]
fn sig_hex_sig_btc58_signed_data_int() {
    let signed = json_vector("signedDataInt.json");
    let proof = &signed["proof"];
    let options = di::ProofOptions {
        created: proof["created"].as_str().expect("test data").into(),
        verification_method: proof["verificationMethod"]
            .as_str()
            .expect("test data")
            .into(),
        proof_purpose: "assertionMethod".into(),
    };
    let made = di::sign(
        &Value::Object(unsecured()),
        &options,
        &key_pair(),
        WITH_EXAMPLES,
    )
    .expect("test data");
    let proof_value = made["proof"]["proofValue"].as_str().expect("test data");
    assert_eq!(proof_value, vector("sigBTC58DataInt.txt").trim());
    let raw = multikey::from_base58btc(proof_value).expect("test data");
    assert_eq!(hex::encode(raw), vector("sigHexDataInt.txt").trim());
    assert_eq!(made, signed);
}

#[test]
fn signed_data_int_verifies_and_a_changed_copy_does_not() {
    let signed = json_vector("signedDataInt.json");
    let public = key_pair().verifying_key();
    di::verify(&signed, &public, WITH_EXAMPLES).expect("test data");

    let mut changed = signed.clone();
    changed["credentialSubject"]["alumniOf"] = json!("The School of Forgeries");
    assert_eq!(
        di::verify(&changed, &public, WITH_EXAMPLES),
        Err(di::ProofError::BadSignature)
    );
    let mut moved = signed.clone();
    moved["proof"]["created"] = json!("2023-02-24T23:36:39Z");
    assert_eq!(
        di::verify(&moved, &public, WITH_EXAMPLES),
        Err(di::ProofError::BadSignature)
    );
    let other = ed25519_dalek::SigningKey::from_bytes(&[7; 32]).verifying_key();
    assert_eq!(
        di::verify(&signed, &other, WITH_EXAMPLES),
        Err(di::ProofError::BadSignature)
    );
}

#[test]
fn a_context_that_is_not_pinned_is_refused() {
    let mut doc = unsecured();
    doc.insert(
        "@context".into(),
        json!([
            "https://www.w3.org/ns/credentials/v2",
            "https://attacker.example/ctx.json"
        ]),
    );
    let err =
        canon::nquads(&Value::Object(doc), WITH_EXAMPLES, Mode::Lenient).expect_err("must fail");
    assert!(matches!(err, CanonError::JsonLd(m) if m.contains("attacker.example")));
}

#[test]
fn signing_refuses_a_term_no_context_defines() {
    let doc = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": "https://issuer.example/",
        "credentialSubject": {"id": "did:example:1", "favouriteColour": "blue"},
    });
    let options = di::ProofOptions {
        created: "2026-01-01T00:00:00Z".into(),
        verification_method: "https://issuer.example/#key".into(),
        proof_purpose: "assertionMethod".into(),
    };
    let err = di::sign(&doc, &options, &key_pair(), contexts::PINNED).expect_err("must fail");
    assert_eq!(
        err,
        di::ProofError::Canon(CanonError::UndefinedTerm("favouriteColour".into()))
    );
    // Verification reads what was signed, defined or not.
    assert!(canon::nquads(&doc, contexts::PINNED, Mode::Lenient).is_ok());
}
