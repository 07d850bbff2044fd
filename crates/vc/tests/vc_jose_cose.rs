//! The W3C VC-JOSE-COSE test suite's inputs for verifying a credential secured with JOSE
//! (`tests/vectors/vc-jose-cose/`, see its README), judged by the steps `/verify` runs on a
//! VC-JWT once it holds the issuer's key: the envelope
//! (`emblem_badges::verify::ob3::jwt_credential`: `typ`, `cty`, `crit`, `vc`/`vp` claims),
//! the algorithm (`jwt_alg`), the claims against the credential (`claim_mismatch`) and the
//! signature (`emblem_vc::verifier::Verifier`'s JOSE check, which the `verify` component runs
//! itself). Each test is named after the suite's test and expects the suite's result.
//!
//! Not run, and why: the suite's issuing tests (1, 2, 5) secure arbitrary credentials, and
//! Emblem issues only its own Open Badges credentials (which `vc_peers` has `jose` verify);
//! its presentation, SD-JWT and COSE tests cover what Emblem does not verify. The rest of
//! the Open Badges 3.0 procedure (the key resolved from the issuer's own documents, the
//! credential's types and properties) is not run here: these are not Open Badges.

use std::path::{Path, PathBuf};

use emblem_badges::verify::DataIntegrity;
use emblem_badges::verify::jws::Jws;
use emblem_badges::verify::ob3::{claim_mismatch, jwt_alg, jwt_credential};
use emblem_vc::verifier::Verifier;
use serde_json::Value;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/vc-jose-cose")
}

fn read(name: &str) -> String {
    std::fs::read_to_string(dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The verification method `name`, as its controller would publish it: without the private
/// half the suite ships beside it.
fn method(name: &str) -> Value {
    let mut vm: Value = serde_json::from_str(&read(name)).expect("test data");
    vm.as_object_mut()
        .expect("an object")
        .remove("secretKeyJwk");
    vm
}

/// Emblem's judgement of the secured credential in `input` with the key in `vm`: Ok, or why
/// not.
fn judge(input: &str, vm: &str) -> Result<(), String> {
    let jws = Jws::parse(read(input).trim()).map_err(|e| format!("not a JWS: {e}"))?;
    let credential = jwt_credential(&jws)?;
    let alg = jwt_alg(&jws)?;
    let issuer = credential["issuer"]
        .as_str()
        .or_else(|| credential["issuer"]["id"].as_str())
        .ok_or("no issuer")?;
    if let Some(problem) = claim_mismatch(&jws.payload, credential, issuer) {
        return Err(problem);
    }
    Verifier
        .jws(
            alg,
            jws.signing_input().as_bytes(),
            jws.signature(),
            &method(vm),
        )
        .map_err(|f| format!("{f:?}"))
}

#[test]
fn t06_jwt_basic_credential_verification() {
    assert_eq!(judge("credential-jose-minimal.txt", "vm-p256.json"), Ok(()));
}

#[test]
fn t08_jwt_issuer_match_verification() {
    assert_eq!(
        judge("credential-issuer-match-signed.txt", "vm-ed25519.json"),
        Ok(())
    );
}

/// Emblem refuses it for its algorithm: `ES512` (P-521) is not one Open Badges 3.0 names.
/// The suite's signed file carries none of the unknown properties its unsigned input has.
#[test]
fn t09_jwt_verification_with_unknown_extensions() {
    let why = judge("credential-jose-unknown-extensions.txt", "vm-p521.json").expect_err("refused");
    assert!(why.contains("ES512"), "{why}");
}

#[test]
fn t10_jwt_unsecured_credential_verification() {
    let why = judge("credential-minimal.json", "vm-ed25519.json").expect_err("refused");
    assert!(why.starts_with("not a JWS"), "{why}");
}

#[test]
fn t12_jwt_credential_with_an_invalid_signature() {
    let why = judge("credential-jose-bad-signature.txt", "vm-ed25519.json").expect_err("refused");
    assert_eq!(why, "BadSignature");
}

#[test]
fn t13_jwt_credential_with_an_invalid_media_type() {
    let why = judge("credential-jose-bad-media-type.txt", "vm-ed25519.json").expect_err("refused");
    assert!(why.contains("typ \"bad+typ\""), "{why}");
}

#[test]
fn t15_jwt_credential_with_vc_and_or_vp_claims() {
    let why = judge("credential-jose-vc-vp-claims.txt", "vm-ed25519.json").expect_err("refused");
    assert!(why.contains("vp claim"), "{why}");
}

/// The refusals above are for the fault each case is about, not a blanket refusal: t13's and
/// t15's signatures hold (only the envelope rule refuses them), and t12 is t08 with another
/// signature.
#[test]
fn each_refused_case_is_refused_for_its_own_fault() {
    for input in [
        "credential-jose-bad-media-type.txt",
        "credential-jose-vc-vp-claims.txt",
    ] {
        let jws = Jws::parse(read(input).trim()).expect("a JWS");
        let alg = jwt_alg(&jws).expect("EdDSA");
        let held = Verifier.jws(
            alg,
            jws.signing_input().as_bytes(),
            jws.signature(),
            &method("vm-ed25519.json"),
        );
        assert_eq!(held, Ok(()), "{input}");
    }
    let good = read("credential-issuer-match-signed.txt");
    let bad_signature = read("credential-jose-bad-signature.txt");
    let (g, b): (Vec<&str>, Vec<&str>) = (
        good.trim().split('.').collect(),
        bad_signature.trim().split('.').collect(),
    );
    assert_eq!(g[..2], b[..2], "t12 differs from t08 in its signature only");
    assert_ne!(g[2], b[2]);
}
