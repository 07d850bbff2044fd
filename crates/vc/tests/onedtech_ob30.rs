//! 1EdTech's own Open Badges 3.0 validator fixtures (`tests/vectors/1edtech-ob30/`, see its
//! README), judged by Emblem's verifier: `emblem_badges::verify::run_with` with
//! `emblem_vc::verifier::Verifier`, the code the `verify` component runs. Each fixture is a
//! test named after it, with the outcome 1EdTech's own test (`OB30Tests.java`) expects and
//! Emblem's verdict; where they differ, the case says why Emblem's is the right one.
//!
//! Nothing is fetched. The fixtures' issuers (`https://example.com/issuers/876543`, …) are not
//! reachable, and 1EdTech's validator reads the key out of the verification method's
//! `#z6Mk…` fragment. Emblem instead resolves the key from the issuer's controller document,
//! so the test serves, for each fixture, the document its issuer would have to publish: the
//! issuer `Profile` listing that Multikey under `assertionMethod` (for a `did:web` issuer, its
//! DID document). Status list credentials
//! named by a fixture are served from the fixture directory.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use emblem_badges::verify::input::Subject;
use emblem_badges::verify::{Fetch, FetchError, Fetched, Verdict, VerifyRequest, run_with};
use emblem_vc::verifier::Verifier;
use futures::executor::block_on;
use serde_json::{Value, json};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/1edtech-ob30")
}

/// The documents the fixture's issuer publishes, by URL.
struct Published(HashMap<String, Value>);

impl Fetch for Published {
    async fn get(&self, url: &str) -> Result<Fetched, FetchError> {
        let doc = self.0.get(url.split('#').next().unwrap_or(url));
        Ok(match doc {
            Some(doc) => Fetched::ok(url, "application/ld+json", doc.to_string()),
            None => Fetched {
                url: url.to_owned(),
                status: 404,
                content_type: None,
                body: Vec::new(),
                location: None,
            },
        })
    }
}

fn proofs(credential: &Value) -> Vec<&Value> {
    match &credential["proof"] {
        Value::Array(list) => list.iter().collect(),
        Value::Object(_) => vec![&credential["proof"]],
        _ => Vec::new(),
    }
}

/// What the issuer of `credential` publishes: for an https issuer whose proof names a
/// `<issuer>#<multikey>` method, its Profile as controller document of that key.
fn published(credential: &Value) -> Published {
    let mut docs = HashMap::new();
    let issuer = match &credential["issuer"] {
        Value::String(id) => json!({"id": id}),
        other => other.clone(),
    };
    let Some(issuer_id) = issuer["id"].as_str() else {
        return Published(docs);
    };
    for proof in proofs(credential) {
        let Some(method) = proof["verificationMethod"].as_str() else {
            continue;
        };
        let Some((doc, fragment)) = method.split_once('#') else {
            continue;
        };
        if doc != issuer_id || !fragment.starts_with("z6Mk") {
            continue;
        }
        if let Some(path) = doc.strip_prefix("did:web:") {
            // A did:web issuer publishes its DID document at the URL the DID names.
            let mut parts = path.split(':');
            let host = parts.next().unwrap_or_default();
            let rest: Vec<&str> = parts.collect();
            let url = format!("https://{host}/{}/did.json", rest.join("/"));
            let did_doc = json!({
                "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
                "id": doc,
                "verificationMethod": [{"id": method, "type": "Multikey", "controller": doc,
                                        "publicKeyMultibase": fragment}],
                "assertionMethod": [method],
            });
            docs.insert(url, did_doc);
            continue;
        }
        if !issuer_id.starts_with("http") {
            continue;
        }
        let mut profile = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2",
                         "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                         "https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
            "id": issuer_id, "type": ["Profile"],
            "verificationMethod": [{"id": method, "type": "Multikey", "controller": issuer_id,
                                    "publicKeyMultibase": fragment}],
            "assertionMethod": [method],
        });
        if let Some(name) = issuer["name"].as_str() {
            profile["name"] = json!(name);
        }
        docs.insert(issuer_id.to_owned(), profile);
    }
    if let Some(list) = credential["credentialStatus"]["statusListCredential"].as_str()
        && let Some(name) = list.strip_prefix(
            "https://raw.githubusercontent.com/1EdTech/digital-credentials-public-validator/refs/heads/main/inspector-vc/src/test/resources/ob30/",
        )
    {
        let text = std::fs::read_to_string(dir().join(name)).expect("status list fixture");
        docs.insert(list.to_owned(), serde_json::from_str(&text).expect("list JSON"));
    }
    // 1EdTech's tests reach the fixtures' revocation lists on the network; here a
    // `1EdTechRevocationList` is served listing nothing, except for the fixture 1EdTech expects
    // revoked, whose list names it.
    if credential["credentialStatus"]["type"] == "1EdTechRevocationList"
        && let Some(list) = credential["credentialStatus"]["id"].as_str()
    {
        let revoked: Vec<&Value> = if list.contains("wellspring-portal") {
            vec![&credential["id"]]
        } else {
            Vec::new()
        };
        docs.insert(
            list.to_owned(),
            json!({"id": list, "revokedCredential": revoked.iter().map(|id| json!({"id": id})).collect::<Vec<_>>()}),
        );
    }
    Published(docs)
}

/// Emblem's verdict on a fixture, and the name of the first failed check.
fn judge(file: &str) -> (Verdict, Option<&'static str>) {
    let path = dir().join(file);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let (subject, source) = match file.rsplit('.').next() {
        Some("png" | "svg") => {
            emblem_badges::verify::input::image_subject(&bytes).expect("a baked image")
        }
        Some("jwt") => (
            Subject::Jws(String::from_utf8(bytes).expect("text").trim().to_owned()),
            "jws",
        ),
        _ => (
            Subject::Json(serde_json::from_slice(&bytes).expect("JSON")),
            "json",
        ),
    };
    judge_subject(subject, source)
}

/// Emblem's verdict on a fixture's credential as JSON, and the first failed check.
fn judge_json(credential: Value) -> (Verdict, Option<&'static str>) {
    judge_subject(Subject::Json(credential), "json")
}

fn judge_subject(subject: Subject, source: &'static str) -> (Verdict, Option<&'static str>) {
    let credential = match &subject {
        Subject::Json(doc) => doc.clone(),
        _ => Value::Null,
    };
    let req = VerifyRequest {
        subject,
        source,
        recipient: None,
    };
    let fetch = published(&credential);
    let v = block_on(run_with(
        &fetch,
        &req,
        time::OffsetDateTime::now_utc(),
        &Verifier,
    ));
    let failed = v.checks.first_failure().map(|f| f.name.name());
    (v.checks.verdict(), failed)
}

/// What 1EdTech's own test expects of a fixture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OneEdTech {
    /// `assertValid`.
    Valid,
    /// `assertWarning`: valid, with a warning.
    Warning,
    /// `assertInvalid`, or an error or fatal finding asserted.
    Invalid,
}

use OneEdTech::{Invalid as No, Valid as Yes, Warning};
use Verdict::{Expired, Invalid, Revoked, Unverifiable, Valid};

/// Emblem gives the verdict 1EdTech's test expects: valid for valid (or warning), non-valid
/// for invalid.
fn agrees(theirs: OneEdTech, ours: Verdict) -> bool {
    (ours == Valid) == matches!(theirs, Yes | Warning)
}

macro_rules! fixtures {
    ($($name:ident: $file:literal, $theirs:expr, $ours:expr, $check:expr, $why:literal;)*) => {
        $(
            #[test]
            fn $name() {
                let (verdict, check) = judge($file);
                assert_eq!((verdict, check), ($ours, $check), "{}", $file);
                let why: &str = $why;
                assert_eq!(
                    agrees($theirs, verdict),
                    why.is_empty(),
                    "{}: a difference from 1EdTech must say why, and only a difference",
                    $file
                );
            }
        )*

        /// Every fixture kept has its test here.
        #[test]
        fn every_fixture_is_judged() {
            let mut listed: Vec<&str> = vec![$($file),*];
            listed.sort_unstable();
            let mut kept: Vec<String> = Vec::new();
            for sub in ["", "bit-string-list/"] {
                for entry in std::fs::read_dir(dir().join(sub)).expect("dir") {
                    let name = entry.expect("entry").file_name().to_string_lossy().into_owned();
                    let judged = [".json", ".png", ".svg", ".jwt", ".1ob"]
                        .iter()
                        .any(|ext| name.ends_with(ext));
                    if judged {
                        kept.push(format!("{sub}{name}"));
                    }
                }
            }
            kept.sort_unstable();
            assert_eq!(listed, kept);
        }
    };
}

fixtures! {
    simple_json: "simple.json", Yes, Valid, None, "";
    simple_1ob: "simple.1ob", Yes, Valid, None, "";
    simple_json_png: "simple-json.png", Yes, Valid, None, "";
    simple_json_svg: "simple-json.svg", Yes, Valid, None, "";
    simple_context_alias: "simple-context-alias.json", Yes, Valid, None, "";
    simple_context_version: "simple-context-version.json", Warning, Valid, None, "";
    simple_did_web_method: "simple-did-web-method.json", Yes, Valid, None, "";
    complete: "complete.json", No, Valid, None,
        "1EdTech fails its credentialSchema (1EdTechJsonSchemaValidator2019, fetched); Emblem \
         does not yet check credentialSchema. Its signature, with four signed endorsements \
         embedded, verifies: the case that showed oxrdf's RDFC-1.0 labelling them differently.";
    simple_did_key_method: "simple-did-key-method.json", Yes, Invalid, Some("key"),
        "the issuer is a urn:uuid and the proof a did:key nobody ties to it: anyone can make a \
         did:key, so the credential could be signed by anyone. 1EdTech's own verification \
         steps say the key's controller must be the issuer.";
    simple_jwt_png: "simple-jwt.png", Yes, Invalid, Some("key"),
        "the VC-JWT carries its own key (a jwk header) and no kid: a key that travels with the \
         credential proves nothing about who issued it.";
    simple_jwt_svg: "simple-jwt.svg", Yes, Invalid, Some("key"),
        "the same VC-JWT as simple-jwt.png (a self-asserted jwk header).";
    simple_jwt_v1_png: "simple-jwt_v1.png", Warning, Invalid, Some("key"),
        "a VCDM 1.1 VC-JWT with a self-asserted jwk header, as simple-jwt.png.";
    simple_jwt_v1_svg: "simple-jwt_v1.svg", Warning, Invalid, Some("key"),
        "a VCDM 1.1 VC-JWT with a self-asserted jwk header, as simple-jwt.png.";
    simple_jwt: "simple.jwt", Yes, Invalid, Some("version"),
        "no 1EdTech test judges this file; it names a draft context \
         (imsglobal.github.io/openbadges-specification/context.json), not a 3.0 release.";
    simple_v1: "simple_v1.json", Warning, Unverifiable, Some("signature"),
        "it names the unversioned https://purl.imsglobal.org/spec/ob/v3p0/context.json, whose \
         content changed between releases: which terms it signed cannot be known, so Emblem \
         (which pins each versioned context) says it cannot tell rather than guess.";
    simple_eddsa_2022: "simple-eddsa-2022.json", Warning, Valid, None, "";
    complete_v1: "complete_v1.json", No, Invalid, Some("key"), "";
    credential_status_revoked: "credential-status-revoked.json", No, Revoked, Some("revocation"),
        "";
    simple_multiple_proofs: "simple-multiple-proofs.json", No, Unverifiable, Some("key"), "";
    velocity_jwt: "velocity.jwt", No, Invalid, Some("assertion"), "";
    simple_err_type: "simple-err-type.json", No, Invalid, Some("assertion"), "";
    simple_err_issuer: "simple-err-issuer.json", No, Invalid, Some("assertion"), "";
    simple_err_issued: "simple-err-issued.json", No, Invalid, Some("assertion"), "";
    simple_err_expired: "simple-err-expired.json", No, Expired, Some("expiry"), "";
    simple_err_context: "simple-err-context.json", No, Invalid, Some("version"), "";
    simple_err_proof_value: "simple-err-proof-value.json", No, Invalid, Some("signature"), "";
    simple_err_proof_method: "simple-err-proof-method.json", No, Invalid, Some("key"), "";
    simple_err_proof_method_no_scheme: "simple-err-proof-method-no-scheme.json", No, Invalid,
        Some("key"), "";
    simple_err_proof_method_unknown_scheme: "simple-err-proof-method-unknown-scheme.json", No,
        Invalid, Some("key"), "";
    simple_err_proof_method_unknown_did_method: "simple-err-proof-method-unknown-did-method.json",
        No, Unverifiable, Some("key"), "";
    simple_err_credential_subject_type: "simple-err-credential-subject-type.json", No, Invalid,
        Some("signature"), "";
    simple_err_credential_subject_identifier_type:
        "simple-err-credential-subject-identifier-type.json", No, Invalid, Some("signature"), "";
    simple_err_credential_subject_result_type: "simple-err-credential-subject-result-type.json",
        No, Invalid, Some("signature"), "";
    simple_err_credential_subject_achievement_result_description_type:
        "simple-err-credential-subject-achievement-result-description-type.json", No, Invalid,
        Some("signature"), "";
    simple_err_credential_subject_profile_type: "simple-err-credential-subject-profile-type.json",
        No, Invalid, Some("signature"), "";
    simple_err_evidence_type: "simple-err-evidence-type.json", No, Invalid, Some("signature"), "";
    simple_err_issuer_type: "simple-err-issuer-type.json", No, Invalid, Some("signature"), "";
    simple_err_issuer_parentorg_type: "simple-err-issuer-parentorg-type.json", No, Invalid,
        Some("signature"), "";
    simple_err_issuer_otheridentifier_type: "simple-err-issuer-otheridentifier-type.json", No,
        Invalid, Some("signature"), "";
    bitstring_revoked: "bit-string-list/credential-status-revoked.json", No, Invalid,
        Some("revocation"), "";
    bitstring_revoked_blank_nodes: "bit-string-list/credential-status-revoked-blank-nodes.json",
        No, Invalid, Some("revocation"), "";
}

/// The earlier Ed25519 suites verify the signature itself: one changed value and the proof no
/// longer matches.
#[test]
fn a_changed_credential_under_an_earlier_suite_fails_its_signature() {
    for file in ["simple-eddsa-2022.json", "credential-status-revoked.json"] {
        let text = std::fs::read_to_string(dir().join(file)).expect("fixture");
        let mut credential: Value = serde_json::from_str(&text).expect("JSON");
        credential["credentialSubject"]["achievement"]["name"] = json!("Something else");
        assert_eq!(
            judge_json(credential),
            (Invalid, Some("signature")),
            "{file}"
        );
    }
}
