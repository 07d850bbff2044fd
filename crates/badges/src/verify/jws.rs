//! Compact JWS for signed Open Badges 2.0 (docs/standards/ob2.md §4): parsing, and RS256 verification
//! with an RSA public key in PEM.
//!
//! 1. [`Jws::parse`] splits `header.payload.signature`, base64url-decodes each part (padding
//!    tolerated, validator-core issue #210) and parses the header and payload as JSON objects.
//! 2. [`Jws::algorithm`] accepts only `RS256`, the algorithm the spec recommends and every
//!    verifier supports; `none`, the HMAC family and anything else are refused by name, so a
//!    forger cannot choose a weaker check.
//! 3. [`Jws::verify_rs256`] checks the RSASSA-PKCS1-v1_5 SHA-256 signature over the ASCII bytes
//!    `header.payload` with a `publicKeyPem` (SPKI `PUBLIC KEY` or PKCS#1 `RSA PUBLIC KEY`) of
//!    2048 to 4096 bits.
//! 4. [`sign_rs256`] makes a compact JWS (for tests and for signed issuing).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::sha2::Sha256;
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde_json::{Map, Value};

/// Largest compact JWS accepted (the same budget as a baked credential).
pub const MAX_JWS: usize = 1024 * 1024;
/// Smallest RSA modulus accepted, in bits.
pub const MIN_RSA_BITS: usize = 2048;

/// A parsed compact JWS.
#[derive(Debug, Clone, PartialEq)]
pub struct Jws {
    /// The decoded header.
    pub header: Map<String, Value>,
    /// The decoded payload (the Assertion).
    pub payload: Value,
    signing_input: String,
    signature: Vec<u8>,
}

/// Why a JWS is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JwsError {
    /// Not three base64url parts, or a part does not decode.
    #[error("is not a compact JWS (header.payload.signature in base64url): {0}")]
    Shape(&'static str),
    /// The header or payload is not a JSON object.
    #[error("its {0} is not a JSON object")]
    Json(&'static str),
    /// An algorithm other than RS256.
    #[error("uses the algorithm {0:?}; only RS256 is accepted for Open Badges 2.0")]
    Algorithm(String),
    /// The key is not a usable RSA public key.
    #[error("the key is not a usable RSA public key: {0}")]
    Key(String),
    /// The signature does not match.
    #[error("the signature does not match the content and key")]
    Mismatch,
}

fn decode(part: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).ok()
}

impl Jws {
    /// Parse a compact JWS (see the module docs).
    pub fn parse(text: &str) -> Result<Self, JwsError> {
        let text = text.trim();
        if text.len() > MAX_JWS {
            return Err(JwsError::Shape("it is larger than 1 MiB"));
        }
        let mut parts = text.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(JwsError::Shape("it does not have exactly three parts"));
        };
        let header = decode(h).ok_or(JwsError::Shape("the header is not base64url"))?;
        let payload = decode(p).ok_or(JwsError::Shape("the payload is not base64url"))?;
        let signature = decode(s).ok_or(JwsError::Shape("the signature is not base64url"))?;
        let header: Map<String, Value> =
            serde_json::from_slice(&header).map_err(|_| JwsError::Json("header"))?;
        let payload: Value =
            serde_json::from_slice(&payload).map_err(|_| JwsError::Json("payload"))?;
        if !payload.is_object() {
            return Err(JwsError::Json("payload"));
        }
        Ok(Self {
            header,
            payload,
            signing_input: format!("{h}.{p}"),
            signature,
        })
    }

    /// The signed bytes: `<header>.<payload>` as sent.
    pub fn signing_input(&self) -> &str {
        &self.signing_input
    }

    /// The decoded signature.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The header's `alg`, if it is RS256 (see the module docs).
    pub fn algorithm(&self) -> Result<&'static str, JwsError> {
        match self.header.get("alg").and_then(Value::as_str) {
            Some("RS256") => Ok("RS256"),
            Some(other) => Err(JwsError::Algorithm(other.to_owned())),
            None => Err(JwsError::Algorithm("(missing)".to_owned())),
        }
    }

    /// Verify the RS256 signature with `pem` (see the module docs).
    pub fn verify_rs256(&self, pem: &str) -> Result<(), JwsError> {
        self.algorithm()?;
        let key = public_key(pem)?;
        let signature =
            Signature::try_from(self.signature.as_slice()).map_err(|_| JwsError::Mismatch)?;
        VerifyingKey::<Sha256>::new(key)
            .verify(self.signing_input.as_bytes(), &signature)
            .map_err(|_| JwsError::Mismatch)
    }
}

/// Parse an RSA public key from PEM (SPKI or PKCS#1) and check its size.
pub fn public_key(pem: &str) -> Result<RsaPublicKey, JwsError> {
    let pem = pem.trim();
    let key = RsaPublicKey::from_public_key_pem(pem)
        .or_else(|_| RsaPublicKey::from_pkcs1_pem(pem))
        .map_err(|_| JwsError::Key("not a PEM RSA public key".into()))?;
    let bits = key.size() * 8;
    if bits < MIN_RSA_BITS {
        return Err(JwsError::Key(format!(
            "{bits}-bit keys are too short (2048 at least)"
        )));
    }
    Ok(key)
}

/// Parse an RSA private key from PKCS#8 (`PRIVATE KEY`) or PKCS#1 (`RSA PRIVATE KEY`) PEM.
pub fn private_key(pem: &str) -> Result<RsaPrivateKey, JwsError> {
    use rsa::pkcs1::DecodeRsaPrivateKey;
    use rsa::pkcs8::DecodePrivateKey;
    let pem = pem.trim();
    RsaPrivateKey::from_pkcs8_pem(pem)
        .or_else(|_| RsaPrivateKey::from_pkcs1_pem(pem))
        .map_err(|_| JwsError::Key("not a PEM RSA private key".into()))
}

/// The SPKI PEM (`PUBLIC KEY`) of a private key's public half, for `publicKeyPem`.
pub fn public_key_pem(key: &RsaPrivateKey) -> String {
    use rsa::pkcs8::{EncodePublicKey, LineEnding};
    key.to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .unwrap_or_default()
}

/// A compact RS256 JWS of `payload` with header `{"alg":"RS256"}` plus `extra_header` (tests;
/// issuing uses [`sign_rs256_blinded`]).
pub fn sign_rs256(
    key: &RsaPrivateKey,
    payload: &Value,
    extra_header: &Map<String, Value>,
) -> String {
    let input = signing_input(payload, extra_header);
    let signature = SigningKey::<Sha256>::new(key.clone()).sign(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
}

/// [`sign_rs256`] with the private-key operation blinded by `rng` (no timing leak of the key;
/// the signature is the same).
pub fn sign_rs256_blinded<R: rsa::rand_core::CryptoRngCore>(
    key: &RsaPrivateKey,
    payload: &Value,
    extra_header: &Map<String, Value>,
    rng: &mut R,
) -> Result<String, JwsError> {
    use rsa::signature::RandomizedSigner as _;
    let input = signing_input(payload, extra_header);
    let signature = SigningKey::<Sha256>::new(key.clone())
        .try_sign_with_rng(rng, input.as_bytes())
        .map_err(|e| JwsError::Key(format!("RSA signing: {e}")))?;
    Ok(format!(
        "{input}.{}",
        URL_SAFE_NO_PAD.encode(signature.to_bytes())
    ))
}

fn signing_input(payload: &Value, extra_header: &Map<String, Value>) -> String {
    let mut header = Map::new();
    header.insert("alg".into(), Value::from("RS256"));
    for (k, v) in extra_header {
        header.insert(k.clone(), v.clone());
    }
    // Maps and values serialise infallibly.
    let h = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).unwrap_or_default());
    let p = URL_SAFE_NO_PAD.encode(serde_json::to_vec(payload).unwrap_or_default());
    format!("{h}.{p}")
}

/// Test-only RSA keys (also under `tests/fixtures/verify/`), for the tests of this crate and
/// of the crates above it (feature `fixtures`).
#[cfg(any(test, feature = "fixtures"))]
pub mod test_keys {
    use rsa::RsaPrivateKey;
    use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey, LineEnding};

    /// A test-only 2048-bit key.
    pub fn test_key() -> RsaPrivateKey {
        RsaPrivateKey::from_pkcs8_pem(include_str!("../../../../tests/fixtures/verify/key-a.pem"))
            .expect("test key")
    }

    /// A second test-only key, for signatures that must not verify.
    pub fn other_key() -> RsaPrivateKey {
        RsaPrivateKey::from_pkcs8_pem(include_str!("../../../../tests/fixtures/verify/key-b.pem"))
            .expect("test key")
    }

    /// The PEM public key of `key`.
    pub fn public_pem(key: &RsaPrivateKey) -> String {
        key.to_public_key()
            .to_public_key_pem(LineEnding::LF)
            .expect("pem")
    }
}

#[cfg(test)]
mod tests {
    use super::test_keys::{other_key, public_pem, test_key};
    use super::*;
    use rsa::pkcs8::LineEnding;
    use serde_json::json;

    #[test]
    fn a_signed_payload_verifies_with_its_key_only() {
        let jws = sign_rs256(&test_key(), &json!({"id": "urn:uuid:1"}), &Map::new());
        let parsed = Jws::parse(&jws).expect("parse");
        assert_eq!(parsed.payload["id"], "urn:uuid:1");
        assert_eq!(parsed.verify_rs256(&public_pem(&test_key())), Ok(()));
        assert_eq!(
            parsed.verify_rs256(&public_pem(&other_key())),
            Err(JwsError::Mismatch)
        );
    }

    #[test]
    fn a_changed_payload_does_not_verify() {
        let jws = sign_rs256(&test_key(), &json!({"id": "urn:uuid:1"}), &Map::new());
        let mut parts: Vec<&str> = jws.split('.').collect();
        let forged = URL_SAFE_NO_PAD.encode(br#"{"id":"urn:uuid:2"}"#);
        parts[1] = &forged;
        let parsed = Jws::parse(&parts.join(".")).expect("parse");
        assert_eq!(
            parsed.verify_rs256(&public_pem(&test_key())),
            Err(JwsError::Mismatch)
        );
    }

    #[test]
    fn alg_none_and_hmac_are_refused_by_name() {
        for alg in ["none", "HS256", "ES256"] {
            let h = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"{alg}"}}"#));
            let p = URL_SAFE_NO_PAD.encode(br#"{"id":"x"}"#);
            let parsed = Jws::parse(&format!("{h}.{p}.AAAA")).expect("parse");
            assert_eq!(parsed.algorithm(), Err(JwsError::Algorithm(alg.into())));
            assert_eq!(
                parsed.verify_rs256(&public_pem(&test_key())),
                Err(JwsError::Algorithm(alg.into()))
            );
        }
    }

    #[test]
    fn padded_parts_are_tolerated_and_garbage_is_refused() {
        let jws = sign_rs256(&test_key(), &json!({"id": "x"}), &Map::new());
        let padded: Vec<String> = jws.split('.').map(|p| format!("{p}==")).collect();
        assert!(Jws::parse(&padded.join(".")).is_ok());
        assert!(matches!(Jws::parse("a.b"), Err(JwsError::Shape(_))));
        assert!(matches!(Jws::parse("a.b.c.d"), Err(JwsError::Shape(_))));
        assert!(matches!(
            Jws::parse("e30.WzFd.AA"),
            Err(JwsError::Json("payload"))
        ));
    }

    #[test]
    fn pkcs1_keys_are_read_and_garbage_keys_refused() {
        use rsa::pkcs1::EncodeRsaPublicKey;
        let pkcs1 = test_key()
            .to_public_key()
            .to_pkcs1_pem(LineEnding::LF)
            .expect("pem");
        assert!(public_key(&pkcs1).is_ok());
        assert!(matches!(
            public_key("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"),
            Err(JwsError::Key(_))
        ));
    }
}
