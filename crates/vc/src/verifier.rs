//! The Data Integrity processor of Emblem's verifier: [`emblem_badges::verify::ob3`] runs the
//! Open Badges 3.0 procedure and hands the proof to [`Verifier`], which canonicalises over the
//! pinned contexts only and checks the Ed25519 signature.

use ed25519_dalek::VerifyingKey;
use emblem_badges::verify::{Checking, DataIntegrity, ProofFailure};
use serde_json::Value;

use crate::canon::CanonError;
use crate::contexts::PINNED;
use crate::{di, jwt, multikey};

/// `eddsa-rdfc-2022` over [`PINNED`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Verifier;

impl Verifier {
    /// Check the Ed25519 Data Integrity proof of `doc` with `key`, here and now: what
    /// [`DataIntegrity::verify`] does, for the component that canonicalises (`canon`).
    pub fn check(doc: &Value, key: &[u8; 32]) -> Result<(), ProofFailure> {
        let key = VerifyingKey::from_bytes(key)
            .map_err(|_| ProofFailure::Unprocessable("the key is not an Ed25519 point".into()))?;
        di::verify(doc, &key, PINNED).map_err(|e| match e {
            di::ProofError::BadSignature => ProofFailure::BadSignature,
            di::ProofError::Canon(CanonError::UndefinedTerm(t)) => ProofFailure::UndefinedTerm(t),
            other => ProofFailure::Unprocessable(other.to_string()),
        })
    }
}

impl DataIntegrity for Verifier {
    fn verify<'a>(&'a self, doc: &'a Value, key: &'a [u8; 32]) -> Checking<'a> {
        Box::pin(std::future::ready(Self::check(doc, key)))
    }

    fn jws(
        &self,
        alg: &str,
        input: &[u8],
        signature: &[u8],
        key: &Value,
    ) -> Result<(), ProofFailure> {
        jwt::verify(alg, input, signature, key).map_err(|e| match e {
            jwt::JwtError::Mismatch => ProofFailure::BadSignature,
            jwt::JwtError::Key(why) => ProofFailure::UnfitKey(why),
            jwt::JwtError::Algorithm(a) => {
                ProofFailure::Unprocessable(format!("the algorithm {a:?} is not supported"))
            }
            other => ProofFailure::Unprocessable(other.to_string()),
        })
    }

    fn multikey(&self, multibase: &str) -> Option<[u8; 32]> {
        multikey::decode_public(multibase)
            .ok()
            .map(|k| k.to_bytes())
    }
}
