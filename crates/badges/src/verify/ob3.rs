//! Verifying an Open Badges 3.0 credential with an embedded Data Integrity proof (1EdTech
//! `verification.md`, docs/open-badges-3.md), recorded as the same typed checks as 2.0:
//!
//! | check | 3.0 step |
//! |---|---|
//! | `version` | VCDM 2.0 (or 1.1) context first, an OB 3.0 context, the credential types |
//! | `assertion` | the credential's required properties (id, issuer, validFrom, subject with `id` or `identifier`) |
//! | `badgeclass` | the Achievement (id, type, name, description, criteria) |
//! | `issuer` | the issuer id and name |
//! | `key` | the verification method resolved from where its controller publishes it (`did:key`, `did:web`, an https controller document listing it under `assertionMethod`); its controller must be the issuer |
//! | `signature` | the proof, by the [`DataIntegrity`] the caller provides (JSON-LD and RDF canonicalisation live outside this crate) |
//! | `refresh` | `refreshService`, followed once after the proof (`super::refresh`) |
//! | `issuedOn`, `expiry` | `validFrom` / `validUntil` (`issuanceDate` / `expirationDate` under VCDM 1.1) |
//! | `revocation` | `1EdTechRevocationList`: the list, fetched from its id, must not name the credential; `BitstringStatusListEntry`: the issuer's signed list, its bit clear |
//! | `recipient` | an `identifier` of the claimant's type whose (salted) hash matches |
//! | `endorsement` | the endorsements it carries, each verified on its own; never the verdict (`super::endorse`) |
//!
//! Nothing embedded is trusted for identity: the key is used only as published by its
//! controller, and the controller must be the credential's issuer.

use std::pin::Pin;

use serde_json::Value;
use time::OffsetDateTime;

use super::check::{Check, Effect};
use super::docs;
use super::fetch::Fetch;
use super::flow::Verification;
use super::input::{Claimant, IdentityKind};
use super::jws::Jws;
use super::load::{Failure, Loader};
use super::rules::{hash_with, record_recipient};
use crate::clock;
use crate::context::{OB3_CONTEXT_PREFIX, VC1_CONTEXT, VC2_CONTEXT};

/// The (proof type, cryptosuite) pairs of the Ed25519 proofs verified: `eddsa-rdfc-2022`, and
/// the earlier suites that sign the same bytes the same way (`emblem_vc::di::Suite`).
const ED25519_SUITES: [(&str, &str); 3] = [
    ("DataIntegrityProof", "eddsa-rdfc-2022"),
    ("DataIntegrityProof", "eddsa-2022"),
    ("Ed25519Signature2020", ""),
];

/// Why a Data Integrity proof did not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProofFailure {
    /// The signature does not match the document: tampered, or another key.
    BadSignature,
    /// The document has a property its contexts do not define: the proof cannot cover it.
    UndefinedTerm(String),
    /// The key named cannot make a proof of this kind (an EC key for `RS256`, an RSA key
    /// under 2048 bits, a published private key): why.
    UnfitKey(String),
    /// The proof or document cannot be processed (malformed JSON-LD, a context the verifier
    /// does not pin, an unsupported cryptosuite): why.
    Unprocessable(String),
}

/// A proof check under way: boxed, as [`DataIntegrity`] is used as `dyn`.
pub type Checking<'a> = Pin<Box<dyn Future<Output = Result<(), ProofFailure>> + 'a>>;

/// The proof processors the caller provides: `emblem-vc` in the app (JSON-LD to RDF,
/// RDFC-1.0, Ed25519, P-256), so this crate carries no JSON-LD processor.
pub trait DataIntegrity {
    /// Check the Ed25519 Data Integrity proof of `doc` (`eddsa-rdfc-2022`, or the earlier
    /// `eddsa-2022` and `Ed25519Signature2020`) with the Ed25519 public key `key`. A future,
    /// as the processor may run in another component (the app's `canon`, over service
    /// chaining).
    fn verify<'a>(&'a self, doc: &'a Value, key: &'a [u8; 32]) -> Checking<'a>;
    /// Check a JWS signature (`EdDSA`, `ES256` or `RS256`) over `input` with `key`: a JWK, or
    /// a verification method with `publicKeyJwk` or `publicKeyMultibase`.
    fn jws(
        &self,
        alg: &str,
        input: &[u8],
        signature: &[u8],
        key: &Value,
    ) -> Result<(), ProofFailure>;
    /// The Ed25519 key of a `publicKeyMultibase` (or a `did:key` identifier), if it is one.
    fn multikey(&self, multibase: &str) -> Option<[u8; 32]>;
}

/// For builds without a Data Integrity processor: every proof is unverifiable.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoDataIntegrity;

impl DataIntegrity for NoDataIntegrity {
    fn verify<'a>(&'a self, _: &'a Value, _: &'a [u8; 32]) -> Checking<'a> {
        Box::pin(std::future::ready(Err(ProofFailure::Unprocessable(
            "this verifier was built without a Data Integrity processor".into(),
        ))))
    }
    fn multikey(&self, _: &str) -> Option<[u8; 32]> {
        None
    }
    fn jws(&self, _: &str, _: &[u8], _: &[u8], _: &Value) -> Result<(), ProofFailure> {
        Err(ProofFailure::Unprocessable(
            "this verifier was built without a JOSE processor".into(),
        ))
    }
}

pub(super) fn id_of(v: Option<&Value>) -> Option<&str> {
    match v? {
        Value::String(s) => Some(s),
        Value::Object(_) => v?.get("id")?.as_str(),
        _ => None,
    }
}

pub(super) fn context_list(doc: &Value) -> Vec<&str> {
    match doc.get("@context") {
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        Some(Value::String(s)) => vec![s.as_str()],
        _ => Vec::new(),
    }
}

/// Verify `doc`, a 3.0 credential (fetched from `fetched_from` when given by URL).
pub(super) async fn verify<F: Fetch + ?Sized>(
    load: &Loader<'_, F>,
    doc: &Value,
    fetched_from: Option<&str>,
    recipient: Option<&Claimant>,
    now: OffsetDateTime,
    di: &dyn DataIntegrity,
    v: &mut Verification,
) {
    let Some(issuer_id) = proven(load, doc, fetched_from, di, v).await else {
        return;
    };
    judged(load, doc, &issuer_id, (recipient, now), di, v).await;
}

/// The conformance, key and signature checks of `doc`, a credential with an embedded proof;
/// its issuer id when they pass.
pub(super) async fn proven<F: Fetch + ?Sized>(
    load: &Loader<'_, F>,
    doc: &Value,
    fetched_from: Option<&str>,
    di: &dyn DataIntegrity,
    v: &mut Verification,
) -> Option<String> {
    let issuer_id = front(doc, fetched_from, v)?;
    let key = match resolve_key(load, doc, &issuer_id, di).await {
        Ok((key, message)) => {
            v.checks.pass(Check::Key, message);
            key
        }
        Err(f) => {
            v.checks.fail(Check::Key, f.effect, f.message);
            return None;
        }
    };
    match di.verify(doc, &key).await {
        Ok(()) => v.checks.pass(
            Check::Signature,
            format!(
                "The {} proof matches the credential: it was signed with the issuer's key and \
                 not changed since.",
                suite_name(doc)
            ),
        ),
        Err(failure) => {
            proof_failed(failure, v);
            return None;
        }
    }
    Some(issuer_id)
}

/// The name of `doc`'s proof suite (its cryptosuite, or its proof type), for messages.
fn suite_name(doc: &Value) -> &str {
    let proof = match &doc["proof"] {
        Value::Array(list) => list.first().unwrap_or(&Value::Null),
        proof => proof,
    };
    docs::str_of(proof, "cryptosuite")
        .or_else(|| docs::str_of(proof, "type"))
        .unwrap_or("Data Integrity")
}

/// Everything after a valid proof: the refresh (at most once; a refreshed credential is
/// judged from then on), then dates, status, recipient and endorsements.
async fn judged<F: Fetch + ?Sized>(
    load: &Loader<'_, F>,
    doc: &Value,
    issuer_id: &str,
    (recipient, now): (Option<&Claimant>, OffsetDateTime),
    di: &dyn DataIntegrity,
    v: &mut Verification,
) {
    let refreshed = super::refresh::refresh(load, doc, issuer_id, di, v).await;
    let doc = match &refreshed {
        Some(newer) => {
            v.assertion = Some(newer.clone());
            newer
        }
        None => doc,
    };
    after_proof(load, doc, issuer_id, (recipient, now), di, v).await;
    super::endorse::endorsements(load, doc, now, di, v).await;
}

/// The checks that need a valid proof: dates, status, recipient.
async fn after_proof<F: Fetch + ?Sized>(
    load: &Loader<'_, F>,
    doc: &Value,
    issuer_id: &str,
    (recipient, now): (Option<&Claimant>, OffsetDateTime),
    di: &dyn DataIntegrity,
    v: &mut Verification,
) {
    let vcdm1 = context_list(doc).first() == Some(&VC1_CONTEXT);
    let (from_key, until_key) = if vcdm1 {
        ("issuanceDate", "expirationDate")
    } else {
        ("validFrom", "validUntil")
    };
    dates(doc, from_key, until_key, now, v);
    status(load, doc, issuer_id, di, v).await;
    subject_recipient(doc, recipient, v);
    v.checks.skip(
        Check::Image,
        "The credential's images are not part of its verification.",
    );
}

fn proof_failed(failure: ProofFailure, v: &mut Verification) {
    match failure {
        ProofFailure::BadSignature => v.checks.fail(
            Check::Signature,
            Effect::Invalid,
            "The proof does not match the credential: it was changed after signing, or \
             signed with another key.",
        ),
        ProofFailure::UndefinedTerm(term) => v.checks.fail(
            Check::Signature,
            Effect::Invalid,
            format!(
                "The credential has a property, {term:?}, that its @context does not \
                 define. A proof cannot cover it, so anyone could have added or changed it."
            ),
        ),
        ProofFailure::UnfitKey(why) => v.checks.fail(
            Check::Signature,
            Effect::Invalid,
            format!("The key the proof names cannot have made it: {why}."),
        ),
        ProofFailure::Unprocessable(why) => v.checks.fail(
            Check::Signature,
            Effect::Unverifiable,
            format!("The proof could not be checked: {why}."),
        ),
    }
}

/// The shape checks shared by both proof kinds; the issuer id when they pass.
fn front(doc: &Value, fetched_from: Option<&str>, v: &mut Verification) -> Option<String> {
    v.kind = Some("credential");
    v.subject = docs::str_of(doc, "id")
        .map(str::to_owned)
        .or_else(|| fetched_from.map(str::to_owned));
    let contexts = context_list(doc);
    let vcdm1 = contexts.first() == Some(&VC1_CONTEXT);
    if contexts.first() != Some(&VC2_CONTEXT) && !vcdm1 {
        v.checks.fail(
            Check::Version,
            Effect::Invalid,
            format!(
                "An Open Badges 3.0 credential's first @context must be {VC2_CONTEXT} (or \
                 {VC1_CONTEXT}); found {:?}.",
                contexts.first().copied().unwrap_or("none")
            ),
        );
        return None;
    }
    if !contexts.iter().any(|c| c.starts_with(OB3_CONTEXT_PREFIX)) {
        v.checks.fail(
            Check::Version,
            Effect::Invalid,
            format!(
                "An Open Badges 3.0 credential must name the Open Badges 3.0 context \
                 ({OB3_CONTEXT_PREFIX}-3.0.3.json or another 3.0 release); found {contexts:?}."
            ),
        );
        return None;
    }
    v.checks.pass(
        Check::Version,
        if vcdm1 {
            "Open Badges 3.0 (Verifiable Credentials Data Model 1.1)."
        } else {
            "Open Badges 3.0 (Verifiable Credentials Data Model 2.0)."
        },
    );
    let from_key = if vcdm1 { "issuanceDate" } else { "validFrom" };
    let problems = credential_problems(doc, from_key);
    if !problems.is_empty() {
        v.checks.fail(
            Check::Assertion,
            Effect::Invalid,
            format!("The credential is not valid: {}.", problems.join("; ")),
        );
        return None;
    }
    v.checks.pass(
        Check::Assertion,
        "The credential has every required property, with the right types.",
    );
    v.assertion = Some(doc.clone());
    let achievement = &doc["credentialSubject"]["achievement"];
    v.checks.pass(
        Check::BadgeClass,
        format!(
            "Achievement {:?} ({}).",
            docs::str_of(achievement, "name").unwrap_or_default(),
            docs::str_of(achievement, "id").unwrap_or_default()
        ),
    );
    v.badge = Some(achievement.clone());
    let issuer_id = id_of(doc.get("issuer")).unwrap_or_default().to_owned();
    let issuer_name = doc["issuer"]["name"]
        .as_str()
        .unwrap_or("an unnamed issuer");
    v.checks.pass(
        Check::Issuer,
        format!("Issued by {issuer_name:?} ({issuer_id})."),
    );
    v.issuer = doc.get("issuer").cloned();
    v.checks.skip(
        Check::Scope,
        "An Open Badges 3.0 credential is verified by its proof, not by where it is hosted.",
    );
    Some(issuer_id)
}

/// Verify a VC-JWT: a compact JWS whose payload is a 3.0 credential (the OB 3.0 layout, or
/// the credential in a `vc` claim).
pub(super) async fn verify_jwt<F: Fetch + ?Sized>(
    load: &Loader<'_, F>,
    jws: &Jws,
    recipient: Option<&Claimant>,
    now: OffsetDateTime,
    di: &dyn DataIntegrity,
    v: &mut Verification,
) {
    let Some((doc, issuer_id)) = proven_jwt(load, jws, di, v).await else {
        return;
    };
    judged(load, &doc, &issuer_id, (recipient, now), di, v).await;
}

/// The conformance, key and signature checks of a VC-JWT; the credential and its issuer id
/// when they pass.
pub(super) async fn proven_jwt<F: Fetch + ?Sized>(
    load: &Loader<'_, F>,
    jws: &Jws,
    di: &dyn DataIntegrity,
    v: &mut Verification,
) -> Option<(Value, String)> {
    let claims = &jws.payload;
    let doc = match jwt_credential(jws) {
        Ok(doc) => doc,
        Err(problem) => {
            v.kind = Some("credential (VC-JWT)");
            v.checks.fail(Check::Signature, Effect::Invalid, problem);
            return None;
        }
    };
    let issuer_id = front(doc, None, v)?;
    v.kind = Some("credential (VC-JWT)");
    if let Some(problem) = claim_mismatch(claims, doc, &issuer_id) {
        v.checks.fail(Check::Assertion, Effect::Invalid, problem);
        return None;
    }
    let alg = match jwt_alg(jws) {
        Ok(alg) => alg,
        Err(problem) => {
            v.checks.fail(
                Check::Key,
                Effect::Invalid,
                format!("The VC-JWT's {problem}."),
            );
            return None;
        }
    };
    if jws.header.get("jwk").is_some() && jws.header.get("kid").is_none() {
        v.checks.fail(
            Check::Key,
            Effect::Invalid,
            "The VC-JWT carries its own key (jwk) and no kid: a key that comes with the \
             credential proves nothing about who issued it.",
        );
        return None;
    }
    let Some(kid) = jws.header.get("kid").and_then(Value::as_str) else {
        v.checks.fail(
            Check::Key,
            Effect::Invalid,
            "The VC-JWT names no key (kid).",
        );
        return None;
    };
    let (key, message) = match jwt_key(load, kid, &issuer_id, di).await {
        Ok(found) => found,
        Err(f) => {
            v.checks.fail(Check::Key, f.effect, f.message);
            return None;
        }
    };
    v.checks.pass(Check::Key, message);
    match di.jws(alg, jws.signing_input().as_bytes(), jws.signature(), &key) {
        Ok(()) => v.checks.pass(
            Check::Signature,
            format!(
                "The {alg} signature matches: signed with the issuer's key, not changed since."
            ),
        ),
        Err(failure) => {
            proof_failed(failure, v);
            return None;
        }
    }
    Some((doc.clone(), issuer_id))
}

/// The media types a VC-JWT's `typ` may name, lower-case, without the `application/` that
/// RFC 7515 §4.1.9 lets a sender leave out: `JWT` (Open Badges 3.0's VC-JWT), `vc+jwt`
/// (VC-JOSE-COSE) and the earlier drafts' `vc+ld+json+jwt` and `vc+ld+jwt`.
const JWT_TYPES: [&str; 4] = ["jwt", "vc+jwt", "vc+ld+json+jwt", "vc+ld+jwt"];

/// The media types its `cty` may name: the credential it secures.
const JWT_CONTENT_TYPES: [&str; 2] = ["vc", "vc+ld+json"];

/// The credential a VC-JWT secures, once its envelope is one: the header's `typ` and `cty`,
/// when present, name a credential (VC-JOSE-COSE §3.1.1); it marks nothing critical (`crit`:
/// Emblem understands no JOSE extension, and RFC 7515 §4.1.11 says to refuse what it does
/// not understand); the claims are the credential itself (VC-JOSE-COSE, Open Badges 3.0
/// §8.2) or hold it under `vc` (the VCDM 1.1 layout), and never a `vp`. Else what is wrong.
pub fn jwt_credential(jws: &Jws) -> Result<&Value, String> {
    for (name, allowed) in [("typ", &JWT_TYPES[..]), ("cty", &JWT_CONTENT_TYPES[..])] {
        let Some(value) = jws.header.get(name) else {
            continue;
        };
        let media = value.as_str().map(str::to_ascii_lowercase);
        let media = media
            .as_deref()
            .map(|m| m.strip_prefix("application/").unwrap_or(m));
        if !media.is_some_and(|m| allowed.contains(&m)) {
            return Err(format!(
                "The VC-JWT's header says {name} {value}, which is not a credential's media \
                 type ({}).",
                allowed.join(", ")
            ));
        }
    }
    if let Some(crit) = jws.header.get("crit") {
        return Err(format!(
            "The VC-JWT marks header parameters as critical ({crit}); Emblem understands no \
             JOSE extension, so it must refuse it (RFC 7515 §4.1.11)."
        ));
    }
    let claims = &jws.payload;
    if claims.get("vp").is_some() {
        return Err("The VC-JWT carries a vp claim: a credential is not a presentation.".into());
    }
    match claims.get("vc") {
        None => Ok(claims),
        Some(vc) if vc.is_object() => Ok(vc),
        Some(_) => Err("The VC-JWT's vc claim is not a credential (a JSON object).".into()),
    }
}

/// The algorithm of a VC-JWT, if it is one Emblem verifies (else what is wrong with it).
pub fn jwt_alg(jws: &Jws) -> Result<&str, String> {
    let alg = jws
        .header
        .get("alg")
        .and_then(Value::as_str)
        .unwrap_or("(none)");
    if ["EdDSA", "ES256", "RS256"].contains(&alg) {
        Ok(alg)
    } else {
        Err(format!("algorithm {alg:?} is not EdDSA, ES256 or RS256"))
    }
}

/// `iss`, `jti`, `nbf`, `exp`, when present, must say what the credential says.
pub fn claim_mismatch(claims: &Value, doc: &Value, issuer_id: &str) -> Option<String> {
    let unix = |key: &str| {
        docs::str_of(doc, key)
            .and_then(|s| clock::parse_iso8601(s).ok())
            .map(OffsetDateTime::unix_timestamp)
    };
    if let Some(iss) = claims.get("iss").and_then(Value::as_str)
        && iss != issuer_id
    {
        return Some(format!(
            "The JWT's iss {iss} is not the credential's issuer {issuer_id}."
        ));
    }
    if let Some(jti) = claims.get("jti").and_then(Value::as_str)
        && Some(jti) != docs::str_of(doc, "id")
    {
        return Some(format!("The JWT's jti {jti} is not the credential's id."));
    }
    for (claim, key) in [("nbf", "validFrom"), ("exp", "validUntil")] {
        if let Some(t) = claims.get(claim).and_then(Value::as_i64)
            && unix(key).is_some_and(|k| k != t)
        {
            return Some(format!(
                "The JWT's {claim} differs from the credential's {key}."
            ));
        }
    }
    None
}

/// The key a VC-JWT's `kid` names, as its controller publishes it.
pub(super) async fn jwt_key<F: Fetch + ?Sized>(
    load: &Loader<'_, F>,
    kid: &str,
    issuer_id: &str,
    di: &dyn DataIntegrity,
) -> Result<(Value, String), Failure> {
    if let Some(did) = kid.strip_prefix("did:key:") {
        let (id, _) = did.split_once('#').unwrap_or((did, ""));
        let controller = format!("did:key:{id}");
        if controller != issuer_id {
            return Err(Failure::invalid(format!(
                "Key controller does not match issuer: {kid} is {controller}'s, but the \
                 credential's issuer is {issuer_id}."
            )));
        }
        di.multikey(id)
            .ok_or_else(|| Failure::invalid(format!("{controller} is not an Ed25519 did:key.")))?;
        return Ok((
            serde_json::json!({"publicKeyMultibase": id}),
            format!("Key {kid}: the issuer's own did:key."),
        ));
    }
    if kid.contains('#') || kid.starts_with("did:web:") {
        return controlled_method(load, kid, issuer_id).await;
    }
    if !docs::is_http_url(kid) {
        return Err(Failure::unverifiable(format!(
            "The key {kid} uses a method Emblem does not resolve."
        )));
    }
    let node = load.node(kid, "key").await?;
    if node.doc.get("controller").is_some() {
        // A verification method of its own: its controller says whose it is.
        return controlled_method(load, kid, issuer_id).await;
    }
    // A bare JWK at a URL says nothing about its controller: it counts only on the issuer's
    // own origin.
    let origin = |u: &str| {
        url::Url::parse(u)
            .ok()
            .map(|u| u.origin().ascii_serialization())
    };
    if origin(kid).is_none() || origin(kid) != origin(issuer_id) {
        return Err(Failure::invalid(format!(
            "Key controller does not match issuer: the key {kid} is not published by the \
             issuer {issuer_id} (another origin, and no controller document lists it)."
        )));
    }
    Ok((
        node.doc,
        format!("Key {kid}, a JWK on the issuer's own origin."),
    ))
}

fn credential_problems(doc: &Value, from_key: &str) -> Vec<String> {
    let mut p = Vec::new();
    let contexts = context_list(doc);
    if !contexts
        .iter()
        .any(|c| c.starts_with("https://purl.imsglobal.org/spec/ob/v3p0/context"))
    {
        p.push("@context names no Open Badges 3.0 context".to_owned());
    }
    if !docs::has_type(doc, "VerifiableCredential")
        || !(docs::has_type(doc, "OpenBadgeCredential")
            || docs::has_type(doc, "AchievementCredential"))
    {
        p.push(
            "type must include VerifiableCredential and OpenBadgeCredential (or \
             AchievementCredential)"
                .to_owned(),
        );
    }
    if docs::str_of(doc, "id").is_none_or(str::is_empty) {
        p.push("id is missing".to_owned());
    }
    if id_of(doc.get("issuer")).is_none_or(str::is_empty) {
        p.push("issuer (with an id) is missing".to_owned());
    }
    match docs::str_of(doc, from_key).map(clock::parse_iso8601) {
        Some(Ok(_)) => {}
        Some(Err(_)) => p.push(format!("{from_key} is not a date-time")),
        None => p.push(format!("{from_key} is missing")),
    }
    let subject = doc.get("credentialSubject");
    match subject {
        Some(s) if s.is_object() => {
            let has_identifier = s
                .get("identifier")
                .and_then(Value::as_array)
                .is_some_and(|l| !l.is_empty());
            if s.get("id").is_none() && !has_identifier {
                p.push("credentialSubject needs an id or an identifier".to_owned());
            }
            let a = &s["achievement"];
            if !a.is_object() {
                p.push("credentialSubject.achievement is missing".to_owned());
            } else {
                for field in ["id", "name", "description"] {
                    if docs::str_of(a, field).is_none() {
                        p.push(format!("the achievement's {field} is missing"));
                    }
                }
                if !docs::has_type(a, "Achievement") {
                    p.push("the achievement's type must include Achievement".to_owned());
                }
                if !a.get("criteria").is_some_and(Value::is_object) {
                    p.push("the achievement's criteria is missing".to_owned());
                }
            }
        }
        _ => p.push("credentialSubject is missing".to_owned()),
    }
    p
}

/// The proof's key as its controller publishes it, and that the controller is the issuer.
pub(super) async fn resolve_key<F: Fetch + ?Sized>(
    load: &Loader<'_, F>,
    doc: &Value,
    issuer_id: &str,
    di: &dyn DataIntegrity,
) -> Result<([u8; 32], String), Failure> {
    let proof = match doc.get("proof") {
        Some(Value::Array(list)) if list.len() == 1 => &list[0],
        Some(p @ Value::Object(_)) => p,
        Some(Value::Array(_)) => {
            return Err(Failure::unverifiable(
                "The credential carries several proofs; Emblem checks one.",
            ));
        }
        _ => {
            return Err(Failure::invalid(
                "The credential has no embedded proof (a VC-JWT must be sent as the compact \
                 JWS itself).",
            ));
        }
    };
    let suite = (
        docs::str_of(proof, "type").unwrap_or_default(),
        docs::str_of(proof, "cryptosuite").unwrap_or_default(),
    );
    if !ED25519_SUITES.contains(&suite) {
        return Err(Failure::unverifiable(format!(
            "The proof is {} {}; Emblem verifies DataIntegrityProof with eddsa-rdfc-2022 (or \
             the earlier eddsa-2022 and Ed25519Signature2020).",
            suite.0, suite.1
        )));
    }
    if docs::str_of(proof, "proofPurpose") != Some("assertionMethod") {
        return Err(Failure::invalid(
            "The proof's purpose is not assertionMethod, so it does not assert the credential.",
        ));
    }
    let method = docs::str_of(proof, "verificationMethod")
        .ok_or_else(|| Failure::invalid("The proof names no verificationMethod."))?;
    let controller_mismatch = |controller: &str| {
        Failure::invalid(format!(
            "Key controller does not match issuer: the key {method} is controlled by \
             {controller}, but the credential's issuer is {issuer_id}."
        ))
    };
    if let Some(did) = method.strip_prefix("did:key:") {
        let (id, _) = did.split_once('#').unwrap_or((did, ""));
        let controller = format!("did:key:{id}");
        if controller != issuer_id {
            return Err(controller_mismatch(&controller));
        }
        let key = di
            .multikey(id)
            .ok_or_else(|| Failure::invalid(format!("{controller} is not an Ed25519 did:key.")))?;
        return Ok((key, format!("Key {method}: the issuer's own did:key.")));
    }
    let (vm, message) = controlled_method(load, method, issuer_id).await?;
    let key = docs::str_of(&vm, "publicKeyMultibase")
        .and_then(|m| di.multikey(m))
        .ok_or_else(|| {
            // The issuer's own document publishes something no Ed25519 proof can be checked
            // with: the proof cannot be the issuer's.
            Failure::invalid(format!(
                "The verification method {method} is not an Ed25519 key (publicKeyMultibase), \
                 so it cannot have made an Ed25519 proof."
            ))
        })?;
    Ok((key, message))
}

/// Where the document a did:web or http(s) URL names is fetched from, and the id that
/// document must declare.
fn document_of(url: &str) -> Result<(String, String), Failure> {
    let base = url.split('#').next().unwrap_or(url);
    if let Some(rest) = base.strip_prefix("did:web:") {
        let fetch = did_web_url(rest)
            .ok_or_else(|| Failure::invalid(format!("{base} is not a valid did:web.")))?;
        Ok((fetch, base.to_owned()))
    } else if docs::is_http_url(base) {
        Ok((base.to_owned(), base.to_owned()))
    } else if base.starts_with("did:") {
        Err(Failure::unverifiable(format!(
            "{url} uses a DID method Emblem does not resolve (did:key, did:web and https are \
             supported)."
        )))
    } else {
        // Neither a DID nor a URL anyone can fetch: no one can say whose key it is.
        Err(Failure::invalid(format!(
            "The verification method {url} is neither a DID nor an https URL, so it names no \
             key an issuer controls."
        )))
    }
}

/// The document `id` as published at `url`: an http(s) document by its id (the id is the
/// authority, [`Loader::node`]); a did:web document from the URL its DID names, where it must
/// declare that DID as its id.
async fn published_document<F: Fetch + ?Sized>(
    load: &Loader<'_, F>,
    url: &str,
    id: &str,
    what: &str,
) -> Result<Value, Failure> {
    if url == id {
        return Ok(load.node(url, what).await?.doc);
    }
    let (doc, _) = load.json(url, what).await?;
    if docs::str_of(&doc, "id") != Some(id) {
        return Err(Failure::invalid(format!(
            "The DID document at {url} is not {id}'s (it declares the id {:?}).",
            docs::str_of(&doc, "id").unwrap_or("none")
        )));
    }
    Ok(doc)
}

/// The verification method `method` (a did:web or http(s) URL: a node of its controller's
/// document, `…#fragment`, or a document of its own) as its controller publishes it: the
/// method's controller must be the issuer, the controller's own document (its id the
/// controller) must list the method under `assertionMethod`.
async fn controlled_method<F: Fetch + ?Sized>(
    load: &Loader<'_, F>,
    method: &str,
    issuer_id: &str,
) -> Result<(Value, String), Failure> {
    let (doc_url, doc_id) = document_of(method)?;
    let published = published_document(load, &doc_url, &doc_id, "verification method").await?;
    let vm = published
        .get("verificationMethod")
        .and_then(Value::as_array)
        .and_then(|l| l.iter().find(|m| docs::str_of(m, "id") == Some(method)))
        .or_else(|| (docs::str_of(&published, "id") == Some(method)).then_some(&published))
        .ok_or_else(|| {
            Failure::invalid(format!(
                "{doc_url} does not publish the verification method {method}."
            ))
        })?
        .clone();
    let controller = docs::str_of(&vm, "controller")
        .unwrap_or_default()
        .to_owned();
    if controller != issuer_id {
        return Err(Failure::invalid(format!(
            "Key controller does not match issuer: the key {method} is controlled by \
             {controller}, but the credential's issuer is {issuer_id}."
        )));
    }
    let (controller_url, controller_id) = document_of(&controller)?;
    let controller_doc = if docs::str_of(&published, "id") == Some(controller_id.as_str()) {
        published
    } else {
        published_document(load, &controller_url, &controller_id, "controller document").await?
    };
    if docs::str_of(&controller_doc, "id") != Some(controller_id.as_str()) {
        return Err(Failure::invalid(format!(
            "The controller document at {controller_url} is not {controller}'s (its id differs)."
        )));
    }
    let listed = controller_doc
        .get("assertionMethod")
        .and_then(Value::as_array)
        .is_some_and(|l| l.iter().any(|m| id_of(Some(m)) == Some(method)));
    if !listed {
        return Err(Failure::invalid(format!(
            "{controller} does not list {method} under assertionMethod, so it has not \
             authorised that key to issue credentials."
        )));
    }
    Ok((
        vm,
        format!("Key {method}, published by the issuer {controller} under assertionMethod."),
    ))
}

/// `did:web:<host>[%3A<port>][:<path>…]` → `https://<host>[:port]/<path>/did.json` (or
/// `/.well-known/did.json` without a path).
fn did_web_url(rest: &str) -> Option<String> {
    let mut parts = rest.split(':');
    let host = parts.next()?.replace("%3A", ":").replace("%3a", ":");
    if host.is_empty() || host.contains('/') {
        return None;
    }
    let path: Vec<&str> = parts.collect();
    Some(if path.is_empty() {
        format!("https://{host}/.well-known/did.json")
    } else {
        format!("https://{host}/{}/did.json", path.join("/"))
    })
}

fn dates(doc: &Value, from_key: &str, until_key: &str, now: OffsetDateTime, v: &mut Verification) {
    let from = docs::str_of(doc, from_key).and_then(|s| clock::parse_iso8601(s).ok());
    match from {
        Some(t) if t > now + time::Duration::minutes(5) => v.checks.fail(
            Check::IssuedOn,
            Effect::Invalid,
            format!(
                "The credential is not valid before {} ({from_key}).",
                clock::format(t)
            ),
        ),
        Some(t) => v
            .checks
            .pass(Check::IssuedOn, format!("Valid from {}.", clock::format(t))),
        None => {}
    }
    match docs::str_of(doc, until_key).map(clock::parse_iso8601) {
        None => v
            .checks
            .pass(Check::Expiry, "The credential does not expire."),
        Some(Err(_)) => v.checks.fail(
            Check::Expiry,
            Effect::Invalid,
            format!("{until_key} is not a date-time."),
        ),
        Some(Ok(t)) if t < now => v.checks.fail(
            Check::Expiry,
            Effect::Expired,
            format!("Expired on {} ({until_key}).", clock::format(t)),
        ),
        Some(Ok(t)) => v
            .checks
            .pass(Check::Expiry, format!("Valid until {}.", clock::format(t))),
    }
}

async fn status<F: Fetch + ?Sized>(
    load: &Loader<'_, F>,
    doc: &Value,
    issuer_id: &str,
    di: &dyn DataIntegrity,
    v: &mut Verification,
) {
    let Some(status) = doc.get("credentialStatus") else {
        v.checks.pass(
            Check::Revocation,
            "The credential names no status list, so it cannot be revoked.",
        );
        return;
    };
    let status = match status {
        Value::Array(one) if one.len() == 1 => &one[0],
        other => other,
    };
    let kind = docs::str_of(status, "type").unwrap_or_default();
    if kind == "BitstringStatusListEntry" {
        bitstring(load, status, issuer_id, di, v).await;
        return;
    }
    if kind != "1EdTechRevocationList" {
        v.checks.fail(
            Check::Revocation,
            Effect::Unverifiable,
            format!("Emblem does not check {kind:?} status entries yet, so revocation is unknown."),
        );
        return;
    }
    let Some(url) = docs::str_of(status, "id").filter(|u| docs::is_http_url(u)) else {
        v.checks.fail(
            Check::Revocation,
            Effect::Invalid,
            "The 1EdTechRevocationList entry has no http(s) id.",
        );
        return;
    };
    let Some(list) = status_document(load, url, "revocation list", v).await else {
        return;
    };
    let id = docs::str_of(doc, "id").unwrap_or_default();
    let entries = ["revokedCredential", "revokedCredentials"]
        .iter()
        .filter_map(|k| list.get(*k).and_then(Value::as_array))
        .flatten();
    let hit = entries
        .into_iter()
        .find(|e| id_of(Some(e)) == Some(id) && e.get("revoked") != Some(&Value::Bool(false)));
    match hit {
        Some(e) => v.checks.fail(
            Check::Revocation,
            Effect::Revoked,
            super::flow::revoked_message(
                docs::str_of(e, "revocationReason"),
                "listed in its 1EdTechRevocationList",
            ),
        ),
        None => v
            .checks
            .pass(Check::Revocation, format!("Not revoked (checked {url}).")),
    }
}

/// The status document at `url`, or the `revocation` finding that says why there is none.
async fn status_document<F: Fetch + ?Sized>(
    load: &Loader<'_, F>,
    url: &str,
    what: &str,
    v: &mut Verification,
) -> Option<Value> {
    match load.node(url, what).await {
        Ok(node) => Some(node.doc),
        Err(f) => {
            v.checks.fail(Check::Revocation, f.effect, f.message);
            None
        }
    }
}

/// `BitstringStatusListEntry` (W3C Bitstring Status List 1.0 §3): the list credential,
/// fetched from `statusListCredential`, must be the issuer's, carry a valid proof, state the
/// entry's `statusPurpose`, and hold at least 131,072 entries; the bit at `statusListIndex`
/// (most significant bit of each byte first) set means the purpose applies.
async fn bitstring<F: Fetch + ?Sized>(
    load: &Loader<'_, F>,
    entry: &Value,
    issuer_id: &str,
    di: &dyn DataIntegrity,
    v: &mut Verification,
) {
    let unknown = |v: &mut Verification, why: String| {
        v.checks.fail(
            Check::Revocation,
            Effect::Unverifiable,
            format!("The credential's status could not be read: {why}."),
        );
    };
    let purpose = docs::str_of(entry, "statusPurpose").unwrap_or_default();
    let index = docs::str_of(entry, "statusListIndex").and_then(|i| i.parse::<usize>().ok());
    let url = docs::str_of(entry, "statusListCredential").filter(|u| docs::is_http_url(u));
    let size = entry.get("statusSize").and_then(Value::as_u64).unwrap_or(1);
    let (Some(index), Some(url)) = (index, url) else {
        v.checks.fail(
            Check::Revocation,
            Effect::Invalid,
            "The BitstringStatusListEntry needs statusListIndex (an integer, as a string) and an \
             http(s) statusListCredential.",
        );
        return;
    };
    if size != 1 {
        unknown(v, format!("statusSize {size} is not supported (1 is)"));
        return;
    }
    let Some(list) = status_document(load, url, "status list credential", v).await else {
        return;
    };
    if id_of(list.get("issuer")) != Some(issuer_id) {
        unknown(
            v,
            format!("the status list at {url} is not issued by the credential's issuer"),
        );
        return;
    }
    if !docs::has_type(&list, "BitstringStatusListCredential") {
        unknown(v, format!("{url} is not a BitstringStatusListCredential"));
        return;
    }
    match resolve_key(load, &list, issuer_id, di).await {
        Ok((key, _)) => {
            if let Err(e) = di.verify(&list, &key).await {
                unknown(v, format!("the status list's proof does not hold ({e:?})"));
                return;
            }
        }
        Err(f) => {
            unknown(v, format!("the status list's key: {}", f.message));
            return;
        }
    }
    let subject = &list["credentialSubject"];
    if docs::str_of(subject, "statusPurpose") != Some(purpose) {
        unknown(
            v,
            format!("the status list is not for the purpose {purpose:?}"),
        );
        return;
    }
    let bits = match docs::str_of(subject, "encodedList").map(decode_bitstring) {
        Some(Ok(bits)) => bits,
        Some(Err(why)) => {
            unknown(v, format!("the status list's encodedList {why}"));
            return;
        }
        None => {
            unknown(v, "the status list has no encodedList".into());
            return;
        }
    };
    if bits.len() * 8 < MIN_STATUS_ENTRIES {
        unknown(
            v,
            format!("the status list has fewer than {MIN_STATUS_ENTRIES} entries"),
        );
        return;
    }
    let Some(byte) = bits.get(index / 8) else {
        v.checks.fail(
            Check::Revocation,
            Effect::Invalid,
            format!("statusListIndex {index} is past the end of the status list."),
        );
        return;
    };
    let set = byte & (0x80 >> (index % 8)) != 0;
    match (set, purpose) {
        (false, _) => v.checks.pass(
            Check::Revocation,
            format!("Not {purpose} (bit {index} of {url} is clear)."),
        ),
        (true, "revocation") => v.checks.fail(
            Check::Revocation,
            Effect::Revoked,
            format!("Revoked by the issuer (bit {index} of its status list {url} is set)."),
        ),
        (true, "suspension") => v.checks.fail(
            Check::Revocation,
            Effect::Revoked,
            format!("Suspended by the issuer (bit {index} of its status list {url} is set)."),
        ),
        (true, other) => v.checks.warn(
            Check::Revocation,
            format!("The issuer set status {other:?} (bit {index} of {url})."),
        ),
    }
}

/// W3C Bitstring Status List's minimum length, for privacy (§4.1).
const MIN_STATUS_ENTRIES: usize = 131_072;
/// The largest decompressed status list read: 2 MiB, 16.7 million entries.
const MAX_STATUS_BYTES: usize = 2 * 1024 * 1024;

/// `u` + base64url (multibase) of a GZIP stream → the bitstring's bytes.
fn decode_bitstring(encoded: &str) -> Result<Vec<u8>, &'static str> {
    use base64::Engine as _;
    let b64 = encoded
        .strip_prefix('u')
        .ok_or("is not multibase base64url (u…)")?;
    let gz = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(b64.trim_end_matches('='))
        .map_err(|_| "is not base64url")?;
    // GZIP (RFC 1952): a 10-byte header, optional fields by flag, deflate, an 8-byte trailer.
    if gz.len() < 18 || gz[0] != 0x1f || gz[1] != 0x8b || gz[2] != 8 {
        return Err("is not GZIP");
    }
    let flags = gz[3];
    let mut at = 10usize;
    if flags & 0x04 != 0 {
        let len = usize::from(u16::from_le_bytes([
            *gz.get(at).ok_or("is truncated")?,
            *gz.get(at + 1).ok_or("is truncated")?,
        ]));
        at += 2 + len;
    }
    for flag in [0x08u8, 0x10] {
        if flags & flag != 0 {
            let end = gz
                .get(at..)
                .ok_or("is truncated")?
                .iter()
                .position(|b| *b == 0);
            at += end.ok_or("is truncated")? + 1;
        }
    }
    if flags & 0x02 != 0 {
        at += 2;
    }
    let body = gz
        .get(at..gz.len().saturating_sub(8))
        .ok_or("is truncated")?;
    miniz_oxide::inflate::decompress_to_vec_with_limit(body, MAX_STATUS_BYTES)
        .map_err(|_| "does not inflate (or is over 2 MiB)")
}

fn subject_recipient(doc: &Value, claimant: Option<&Claimant>, v: &mut Verification) {
    let Some(c) = claimant else {
        v.checks.skip(
            Check::Recipient,
            "No recipient was given, so the credential was not checked against a person. Add \
             an email to check whom it was issued to.",
        );
        return;
    };
    let wanted: &[&str] = match c.kind {
        IdentityKind::Email => &["emailAddress", "email"],
        IdentityKind::Url => &["url"],
        IdentityKind::Telephone => &["phone", "telephone"],
    };
    let normalised = match c.kind {
        IdentityKind::Email => c.value.trim().to_lowercase(),
        _ => c.value.trim().to_owned(),
    };
    let identifiers = doc["credentialSubject"]["identifier"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let matched = identifiers.iter().any(|i| {
        if !wanted.contains(&docs::str_of(i, "identityType").unwrap_or_default()) {
            return false;
        }
        let stored = docs::str_of(i, "identityHash").unwrap_or_default();
        if i.get("hashed") == Some(&Value::Bool(true)) {
            let salt = docs::str_of(i, "salt").unwrap_or_default();
            let (alg, _) = stored.split_once('$').unwrap_or_default();
            [c.value.as_str(), normalised.as_str()].iter().any(|cand| {
                hash_with(alg, cand, salt).is_some_and(|h| h.eq_ignore_ascii_case(stored))
            })
        } else {
            stored.trim().eq_ignore_ascii_case(&normalised)
        }
    });
    let why = format!(
        "This credential was not issued to {} {} (no identifier matches).",
        c.kind.as_str(),
        c.value
    );
    record_recipient(v, c, matched, why);
}

#[cfg(test)]
mod tests {
    use super::{Jws, did_web_url, jwt_credential};
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use serde_json::{Value, json};

    /// A compact JWS with `header` and `claims` (the signature is not looked at here).
    fn token(header: &Value, claims: &Value) -> Jws {
        let part = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
        Jws::parse(&format!("{}.{}.c2ln", part(header), part(claims))).expect("a JWS")
    }

    #[test]
    fn the_vc_jwt_envelope_takes_both_layouts_and_the_credential_media_types() {
        let credential = json!({"type": ["VerifiableCredential"], "issuer": "https://a.example"});
        for header in [
            json!({"alg": "EdDSA"}),
            json!({"alg": "EdDSA", "typ": "JWT"}),
            json!({"alg": "EdDSA", "typ": "vc+jwt", "cty": "vc"}),
            json!({"alg": "EdDSA", "typ": "application/VC+JWT", "cty": "application/vc+ld+json"}),
            json!({"alg": "EdDSA", "typ": "vc+ld+json+jwt"}),
        ] {
            let jws = token(&header, &credential);
            assert_eq!(jwt_credential(&jws), Ok(&credential), "{header}");
            let wrapped = token(
                &header,
                &json!({"iss": "https://a.example", "vc": credential}),
            );
            assert_eq!(jwt_credential(&wrapped), Ok(&credential), "{header}");
        }
    }

    #[test]
    fn the_vc_jwt_envelope_refuses_other_media_types_critical_extensions_and_presentations() {
        let credential = json!({"type": ["VerifiableCredential"]});
        for (header, claims, why) in [
            (
                json!({"alg": "EdDSA", "typ": "bad+typ"}),
                credential.clone(),
                "typ",
            ),
            (json!({"alg": "EdDSA", "typ": 7}), credential.clone(), "typ"),
            (
                json!({"alg": "EdDSA", "cty": "json"}),
                credential.clone(),
                "cty",
            ),
            (
                json!({"alg": "EdDSA", "crit": ["b64"], "b64": false}),
                credential.clone(),
                "crit",
            ),
            (
                json!({"alg": "EdDSA"}),
                json!({"vp": {}, "type": ["VerifiableCredential"]}),
                "vp",
            ),
            (json!({"alg": "EdDSA"}), json!({"vc": "oops"}), "vc claim"),
        ] {
            let problem = jwt_credential(&token(&header, &claims)).expect_err("refused");
            assert!(problem.contains(why), "{header} {claims}: {problem}");
        }
    }

    #[test]
    fn did_web_maps_to_https_did_json() {
        assert_eq!(
            did_web_url("example.org").as_deref(),
            Some("https://example.org/.well-known/did.json")
        );
        assert_eq!(
            did_web_url("example.org%3A8443:issuers:42").as_deref(),
            Some("https://example.org:8443/issuers/42/did.json")
        );
        assert_eq!(did_web_url(""), None);
    }
}
