//! The issuer's public keys as JSON Web Keys (RFC 7517), the form a VC-JWT's `kid` resolves
//! to: one per algorithm Emblem signs VC-JWTs with (`EdDSA`, `ES256`, `RS256`).
//!
//! The P-256 key is not stored: it is derived from the issuer's Ed25519 seed
//! ([`p256_from_seed`]), so it exists exactly when the Ed25519 key does, and issuers keyed
//! before ES256 existed have one without a migration.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rsa::traits::PublicKeyParts as _;
use serde_json::{Value, json};
use sha2::Digest as _;

/// Appended to the Ed25519 key id to name the P-256 key derived from it.
pub const P256_SUFFIX: &str = "-p256";

/// Domain separation of the P-256 derivation: a different key from the same seed for any
/// other purpose must use another label.
const P256_LABEL: &[u8] = b"emblem/vc-jwt/es256/v1";

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The P-256 signing key of an issuer, derived from its 32-byte Ed25519 seed:
/// `SHA-256(label ‖ seed ‖ counter)` taken as the scalar, the counter raised in the
/// (probability 2⁻¹²⁸) case that the hash is zero or not below the group order.
pub fn p256_from_seed(seed: &[u8; 32]) -> p256::ecdsa::SigningKey {
    let mut counter = 0u8;
    loop {
        let digest = sha2::Sha256::new()
            .chain_update(P256_LABEL)
            .chain_update(seed)
            .chain_update([counter])
            .finalize();
        if let Ok(key) = p256::ecdsa::SigningKey::from_slice(&digest) {
            return key;
        }
        counter = counter.wrapping_add(1);
    }
}

/// An Ed25519 public key as an `OKP` JWK for `EdDSA`.
pub fn ed25519(key: &ed25519_dalek::VerifyingKey, kid: &str) -> Value {
    json!({"kty": "OKP", "crv": "Ed25519", "x": b64(key.as_bytes()),
           "kid": kid, "alg": "EdDSA", "use": "sig"})
}

/// A P-256 public key as an `EC` JWK for `ES256`.
pub fn p256(key: &p256::ecdsa::VerifyingKey, kid: &str) -> Value {
    let point = key.to_sec1_point(false);
    let bytes = point.as_bytes();
    json!({"kty": "EC", "crv": "P-256", "x": b64(&bytes[1..33]), "y": b64(&bytes[33..65]),
           "kid": kid, "alg": "ES256", "use": "sig"})
}

/// A P-256 public key as Emblem stores it: SEC1, compressed (33 bytes).
pub fn p256_sec1(key: &p256::ecdsa::VerifyingKey) -> Vec<u8> {
    key.to_sec1_point(true).as_bytes().to_vec()
}

/// A P-256 public key from its SEC1 bytes ([`p256_sec1`]); None if they are not a point.
pub fn p256_from_sec1(bytes: &[u8]) -> Option<p256::ecdsa::VerifyingKey> {
    p256::ecdsa::VerifyingKey::from_sec1_bytes(bytes).ok()
}

/// An RSA public key as an `RSA` JWK for `RS256`.
pub fn rsa(key: &rsa::RsaPublicKey, kid: &str) -> Value {
    json!({"kty": "RSA", "n": b64(&key.n().to_bytes_be()), "e": b64(&key.e().to_bytes_be()),
           "kid": kid, "alg": "RS256", "use": "sig"})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_p256_key_is_a_function_of_the_seed_alone() {
        let a = p256_from_seed(&[1; 32]);
        assert_eq!(a.to_bytes(), p256_from_seed(&[1; 32]).to_bytes());
        assert_ne!(a.to_bytes(), p256_from_seed(&[2; 32]).to_bytes());
        // Not the seed itself: knowing one key's scalar says nothing of the other.
        assert_ne!(a.to_bytes().as_slice(), [1u8; 32].as_slice());
    }

    #[test]
    fn jwks_carry_no_private_part() {
        let ec = p256_from_seed(&[9; 32]);
        let jwk = p256(ec.verifying_key(), "k");
        assert_eq!(jwk["crv"], "P-256");
        assert!(jwk.get("d").is_none());
        let ed = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
        assert!(ed25519(&ed.verifying_key(), "k").get("d").is_none());
    }
}
