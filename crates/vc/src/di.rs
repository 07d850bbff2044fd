//! The `eddsa-rdfc-2022` Data Integrity cryptosuite (W3C vc-di-eddsa §3.3).
//!
//! Signing a document:
//! 1. The proof configuration is the proof without `proofValue`, with the document's
//!    `@context`; the document is the credential without `proof`.
//! 2. Both are canonicalised ([`crate::canon`]) and hashed with SHA-256.
//! 3. The signed bytes are `SHA-256(proof config) ‖ SHA-256(document)`; the Ed25519 signature
//!    is written as `proofValue`, multibase base58btc.
//!
//! Verifying recomputes the same bytes from the secured document and checks the signature with
//! the key the caller resolved from `verificationMethod`. Resolving that key, and deciding
//! whether its controller may speak for the issuer, is the caller's job.
//!
//! Two earlier suites that make the same bytes the same way are verified too, never made
//! ([`Suite`]): the draft `eddsa-2022` (a `DataIntegrityProof` under the Data Integrity 1.0
//! context) and `Ed25519Signature2020` (its own proof type and context), both still found in
//! Open Badges 3.0 credentials issued in 2022 and 2023.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::canon::{self, CanonError, Mode};
use crate::contexts::Table;
use crate::multikey;

/// The proof type.
pub const PROOF_TYPE: &str = "DataIntegrityProof";
/// The cryptosuite.
pub const CRYPTOSUITE: &str = "eddsa-rdfc-2022";

/// Why a proof was not made or did not verify.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProofError {
    /// The document or proof could not be canonicalised.
    #[error(transparent)]
    Canon(#[from] CanonError),
    /// Not a JSON object, or the proof is missing or of another kind.
    #[error("{0}")]
    Malformed(String),
    /// The signature does not match.
    #[error("the signature does not match the document")]
    BadSignature,
}

/// The proof options a signer chooses.
#[derive(Debug, Clone)]
pub struct ProofOptions {
    /// `created`, an XML Schema dateTime in UTC.
    pub created: String,
    /// The verification method URL.
    pub verification_method: String,
    /// `assertionMethod` for credentials.
    pub proof_purpose: String,
}

/// The hashes a proof signs, kept for tests against the specification's vectors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashData {
    /// The canonical N-Quads of the proof configuration.
    pub proof_canon: String,
    /// The canonical N-Quads of the document.
    pub doc_canon: String,
    /// `SHA-256(proof config) ‖ SHA-256(document)`.
    pub bytes: Vec<u8>,
}

/// The signed bytes of a document and a proof configuration (both without `proof` /
/// `proofValue`).
pub fn hash_data(
    doc: &Map<String, Value>,
    proof_config: &Map<String, Value>,
    table: Table,
    mode: Mode,
) -> Result<HashData, ProofError> {
    if !doc.contains_key("@context") {
        return Err(ProofError::Malformed("the document has no @context".into()));
    }
    let (proof_canon, doc_canon) = canon::nquads_with_config(doc, proof_config, table, mode)?;
    let mut bytes = Sha256::digest(proof_canon.as_bytes()).to_vec();
    bytes.extend_from_slice(&Sha256::digest(doc_canon.as_bytes()));
    Ok(HashData {
        proof_canon,
        doc_canon,
        bytes,
    })
}

/// `doc` with an `eddsa-rdfc-2022` proof added. Refuses a document with undefined terms.
pub fn sign(
    doc: &Value,
    options: &ProofOptions,
    key: &SigningKey,
    table: Table,
) -> Result<Value, ProofError> {
    let Value::Object(unsecured) = doc else {
        return Err(ProofError::Malformed(
            "the document is not a JSON object".into(),
        ));
    };
    if unsecured.contains_key("proof") {
        return Err(ProofError::Malformed(
            "the document already has a proof".into(),
        ));
    }
    let mut proof = Map::new();
    proof.insert("type".into(), PROOF_TYPE.into());
    proof.insert("cryptosuite".into(), CRYPTOSUITE.into());
    proof.insert("created".into(), options.created.clone().into());
    proof.insert(
        "verificationMethod".into(),
        options.verification_method.clone().into(),
    );
    proof.insert("proofPurpose".into(), options.proof_purpose.clone().into());
    let data = hash_data(unsecured, &proof, table, Mode::Strict)?;
    let signature = key.sign(&data.bytes);
    proof.insert(
        "proofValue".into(),
        multikey::base58btc(&signature.to_bytes()).into(),
    );
    let mut secured = unsecured.clone();
    secured.insert("proof".into(), Value::Object(proof));
    Ok(Value::Object(secured))
}

/// The Ed25519 proof suites verified: RDFC-1.0 (URDNA2015) of the proof configuration and of
/// the document, SHA-256 of each, the proof's hash first, signed with Ed25519.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suite {
    /// `DataIntegrityProof` with `eddsa-rdfc-2022` (the one Emblem signs with).
    EddsaRdfc2022,
    /// `DataIntegrityProof` with the draft cryptosuite name `eddsa-2022`.
    Eddsa2022,
    /// `Ed25519Signature2020`.
    Ed25519Signature2020,
}

impl Suite {
    /// The suite of a proof, if it is one of these.
    pub fn of(proof: &Map<String, Value>) -> Option<Suite> {
        let kind = proof.get("type").and_then(Value::as_str)?;
        let cryptosuite = proof.get("cryptosuite").and_then(Value::as_str);
        match (kind, cryptosuite) {
            (PROOF_TYPE, Some(CRYPTOSUITE)) => Some(Suite::EddsaRdfc2022),
            (PROOF_TYPE, Some("eddsa-2022")) => Some(Suite::Eddsa2022),
            ("Ed25519Signature2020", None) => Some(Suite::Ed25519Signature2020),
            _ => None,
        }
    }

    /// Its name in messages.
    pub fn name(self) -> &'static str {
        match self {
            Suite::EddsaRdfc2022 => "eddsa-rdfc-2022",
            Suite::Eddsa2022 => "eddsa-2022",
            Suite::Ed25519Signature2020 => "Ed25519Signature2020",
        }
    }
}

/// The single Ed25519 proof ([`Suite`]) of a secured document.
pub fn proof_of(doc: &Value) -> Result<&Map<String, Value>, ProofError> {
    let proof = match doc.get("proof") {
        Some(Value::Object(p)) => p,
        Some(Value::Array(list)) if list.len() == 1 => list[0]
            .as_object()
            .ok_or_else(|| ProofError::Malformed("the proof is not an object".into()))?,
        Some(Value::Array(_)) => {
            return Err(ProofError::Malformed(
                "proof sets and chains are not supported".into(),
            ));
        }
        _ => return Err(ProofError::Malformed("the document has no proof".into())),
    };
    if Suite::of(proof).is_none() {
        return Err(ProofError::Malformed(format!(
            "the proof is not a {PROOF_TYPE} with cryptosuite {CRYPTOSUITE} (or eddsa-2022), \
             nor an Ed25519Signature2020"
        )));
    }
    Ok(proof)
}

/// Checks the Ed25519 proof ([`Suite`]) of `doc` with `key`.
pub fn verify(doc: &Value, key: &VerifyingKey, table: Table) -> Result<(), ProofError> {
    let proof = proof_of(doc)?;
    let Value::Object(secured) = doc else {
        return Err(ProofError::Malformed(
            "the document is not a JSON object".into(),
        ));
    };
    let proof_value = proof
        .get("proofValue")
        .and_then(Value::as_str)
        .ok_or_else(|| ProofError::Malformed("the proof has no proofValue".into()))?;
    let signature = multikey::from_base58btc(proof_value)
        .ok()
        .and_then(|b| Signature::from_slice(&b).ok())
        .ok_or_else(|| ProofError::Malformed("proofValue is not an Ed25519 signature".into()))?;
    let mut unsecured = secured.clone();
    unsecured.remove("proof");
    let mut config = proof.clone();
    config.remove("proofValue");
    // The proof's own @context, if any, must equal the document's (vc-data-integrity §4.4).
    if let Some(ctx) = config.remove("@context")
        && Some(&ctx) != unsecured.get("@context")
    {
        return Err(ProofError::Malformed(
            "the proof's @context differs from the document's".into(),
        ));
    }
    let data = hash_data(&unsecured, &config, table, Mode::Strict)?;
    key.verify(&data.bytes, &signature)
        .map_err(|_| ProofError::BadSignature)
}
