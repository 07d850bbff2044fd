//! VC-JWT, the Open Badges 3.0 "JSON Web Token Proof": a compact JWS whose payload is the
//! credential (the OB 3.0 layout: the credential's own properties plus `iss`, `jti`, `nbf`,
//! `exp`; the older layout with the credential in a `vc` claim is read too).
//!
//! Emblem issues it with any of the issuer's keys (`alg` `ES256`, `EdDSA` or `RS256`; `kid`
//! the URL of the key's JWK, [`crate::jwk`]; `typ` `JWT`), and verifies the same three with a
//! key its controller publishes (a JWK, `publicKeyJwk` or `publicKeyMultibase`).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signer, SigningKey};
use serde_json::{Map, Value, json};

use crate::multikey;

/// The smallest RSA key accepted.
const MIN_RSA_BITS: usize = 2048;

/// Why a VC-JWT was not made or its signature did not verify.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum JwtError {
    /// The credential lacks what the claims are made from.
    #[error("{0}")]
    Credential(String),
    /// The key cannot be used for this algorithm.
    #[error("{0}")]
    Key(String),
    /// The algorithm is not one Emblem verifies.
    #[error("the algorithm {0:?} is not EdDSA, ES256 or RS256")]
    Algorithm(String),
    /// The signature does not match.
    #[error("the signature does not match")]
    Mismatch,
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn unix(value: Option<&Value>) -> Option<i64> {
    let text = value?.as_str()?;
    let t =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    Some(t.unix_timestamp())
}

/// The JWT claims of `credential`: its own properties (without `proof`) plus `iss`, `jti`,
/// `nbf`, `exp` and `sub` taken from it (OB 3.0 §8.2.4).
fn claims(credential: &Value) -> Result<Map<String, Value>, JwtError> {
    let Value::Object(map) = credential else {
        return Err(JwtError::Credential(
            "the credential is not an object".into(),
        ));
    };
    let mut payload: Map<String, Value> = map.clone();
    payload.remove("proof");
    let issuer = match map.get("issuer") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(o)) => o
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        _ => String::new(),
    };
    if issuer.is_empty() {
        return Err(JwtError::Credential(
            "the credential has no issuer id".into(),
        ));
    }
    payload.insert("iss".into(), issuer.into());
    if let Some(id) = map.get("id") {
        payload.insert("jti".into(), id.clone());
    }
    let nbf = unix(map.get("validFrom"))
        .ok_or_else(|| JwtError::Credential("validFrom is not a date-time".into()))?;
    payload.insert("nbf".into(), nbf.into());
    if let Some(exp) = unix(map.get("validUntil")) {
        payload.insert("exp".into(), exp.into());
    }
    if let Some(sub) = map
        .get("credentialSubject")
        .and_then(|s| s.get("id"))
        .and_then(Value::as_str)
    {
        payload.insert("sub".into(), sub.into());
    }
    Ok(payload)
}

/// `header.payload` of the VC-JWT of `credential`, to be signed with `alg`.
fn signing_input(credential: &Value, alg: &str, kid: &str) -> Result<String, JwtError> {
    let payload = claims(credential)?;
    let header = json!({"alg": alg, "kid": kid, "typ": "JWT"});
    Ok(format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(Value::Object(payload).to_string().as_bytes())
    ))
}

/// The compact JWS of `credential` (without a `proof`), signed with `key` (`EdDSA`).
pub fn sign_eddsa(credential: &Value, kid: &str, key: &SigningKey) -> Result<String, JwtError> {
    let input = signing_input(credential, "EdDSA", kid)?;
    let signature = key.sign(input.as_bytes());
    Ok(format!("{input}.{}", b64(&signature.to_bytes())))
}

/// The compact JWS of `credential`, signed with a P-256 key (`ES256`). The nonce is derived
/// from the key and the message (RFC 6979), so the same credential always signs the same.
pub fn sign_es256(
    credential: &Value,
    kid: &str,
    key: &p256::ecdsa::SigningKey,
) -> Result<String, JwtError> {
    use p256::ecdsa::signature::Signer as _;
    let input = signing_input(credential, "ES256", kid)?;
    let signature: p256::ecdsa::Signature = key.sign(input.as_bytes());
    Ok(format!("{input}.{}", b64(&signature.to_bytes())))
}

/// The compact JWS of `credential`, signed with an RSA key (`RS256`, PKCS#1 v1.5). `rng`
/// blinds the private-key operation (the signature itself is deterministic).
pub fn sign_rs256<R: rsa::rand_core::CryptoRngCore>(
    credential: &Value,
    kid: &str,
    key: &rsa::RsaPrivateKey,
    rng: &mut R,
) -> Result<String, JwtError> {
    use rsa::signature::{RandomizedSigner as _, SignatureEncoding as _};
    if rsa::traits::PublicKeyParts::size(key) * 8 < MIN_RSA_BITS {
        return Err(JwtError::Key(
            "RSA keys shorter than 2048 bits are refused".into(),
        ));
    }
    let input = signing_input(credential, "RS256", kid)?;
    let signer = rsa::pkcs1v15::SigningKey::<rsa::sha2::Sha256>::new(key.clone());
    let signature = signer
        .try_sign_with_rng(rng, input.as_bytes())
        .map_err(|e| JwtError::Key(format!("RSA signing: {e}")))?;
    Ok(format!("{input}.{}", b64(&signature.to_vec())))
}

/// Check `signature` over `input` for `alg` with `key`: a JWK (`kty`), or a verification method
/// holding `publicKeyJwk` or `publicKeyMultibase` (Ed25519). A JWK with a private part (`d`)
/// is refused.
pub fn verify(alg: &str, input: &[u8], signature: &[u8], key: &Value) -> Result<(), JwtError> {
    let jwk = key.get("publicKeyJwk").unwrap_or(key);
    if jwk.get("d").is_some() {
        return Err(JwtError::Key(
            "the published JWK holds a private key".into(),
        ));
    }
    let field = |name: &str| -> Result<Vec<u8>, JwtError> {
        let text = jwk
            .get(name)
            .and_then(Value::as_str)
            .ok_or_else(|| JwtError::Key(format!("the JWK has no {name}")))?;
        URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| JwtError::Key(format!("the JWK's {name} is not base64url")))
    };
    let kty = jwk.get("kty").and_then(Value::as_str);
    match alg {
        "EdDSA" => {
            let raw: [u8; 32] =
                if let Some(mb) = key.get("publicKeyMultibase").and_then(Value::as_str) {
                    multikey::decode_public(mb)
                        .map_err(|e| JwtError::Key(e.to_string()))?
                        .to_bytes()
                } else if kty == Some("OKP")
                    && jwk.get("crv").and_then(Value::as_str) == Some("Ed25519")
                {
                    field("x")?
                        .try_into()
                        .map_err(|_| JwtError::Key("the Ed25519 key is not 32 bytes".into()))?
                } else {
                    return Err(JwtError::Key("EdDSA needs an Ed25519 key".into()));
                };
            let key = ed25519_dalek::VerifyingKey::from_bytes(&raw)
                .map_err(|_| JwtError::Key("not an Ed25519 point".into()))?;
            let sig =
                ed25519_dalek::Signature::from_slice(signature).map_err(|_| JwtError::Mismatch)?;
            key.verify_strict(input, &sig)
                .map_err(|_| JwtError::Mismatch)
        }
        "ES256" => {
            use p256::ecdsa::signature::Verifier as _;
            if kty != Some("EC") || jwk.get("crv").and_then(Value::as_str) != Some("P-256") {
                return Err(JwtError::Key("ES256 needs an EC P-256 JWK".into()));
            }
            let (x, y) = (field("x")?, field("y")?);
            if x.len() != 32 || y.len() != 32 {
                return Err(JwtError::Key(
                    "the P-256 coordinates are not 32 bytes".into(),
                ));
            }
            let mut sec1 = vec![4u8];
            sec1.extend_from_slice(&x);
            sec1.extend_from_slice(&y);
            let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1)
                .map_err(|_| JwtError::Key("not a P-256 point".into()))?;
            let sig =
                p256::ecdsa::Signature::from_slice(signature).map_err(|_| JwtError::Mismatch)?;
            key.verify(input, &sig).map_err(|_| JwtError::Mismatch)
        }
        "RS256" => {
            use rsa::pkcs1v15::{Signature, VerifyingKey};
            use rsa::signature::Verifier as _;
            if kty != Some("RSA") {
                return Err(JwtError::Key("RS256 needs an RSA JWK".into()));
            }
            let n = rsa::BigUint::from_bytes_be(&field("n")?);
            let e = rsa::BigUint::from_bytes_be(&field("e")?);
            let key = rsa::RsaPublicKey::new(n, e)
                .map_err(|e| JwtError::Key(format!("not an RSA public key: {e}")))?;
            if rsa::traits::PublicKeyParts::size(&key) * 8 < MIN_RSA_BITS {
                return Err(JwtError::Key(
                    "RSA keys shorter than 2048 bits are refused".into(),
                ));
            }
            let sig = Signature::try_from(signature).map_err(|_| JwtError::Mismatch)?;
            VerifyingKey::<rsa::sha2::Sha256>::new(key)
                .verify(input, &sig)
                .map_err(|_| JwtError::Mismatch)
        }
        other => Err(JwtError::Algorithm(other.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credential() -> Value {
        json!({"@context": ["https://www.w3.org/ns/credentials/v2"], "id": "https://x.example/c/1",
               "type": ["VerifiableCredential"], "issuer": {"id": "https://x.example/p/1"},
               "validFrom": "2026-01-01T00:00:00Z", "validUntil": "2027-01-01T00:00:00Z",
               "credentialSubject": {}})
    }

    #[test]
    fn an_eddsa_vc_jwt_carries_the_claims_and_verifies_and_a_changed_one_does_not() {
        let key = SigningKey::from_bytes(&[5; 32]);
        let jwt = sign_eddsa(&credential(), "https://x.example/p/1#k", &key).expect("sign");
        let parts: Vec<&str> = jwt.split('.').collect();
        let payload: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("b64")).expect("json");
        assert_eq!(payload["iss"], "https://x.example/p/1");
        assert_eq!(payload["jti"], "https://x.example/c/1");
        assert_eq!(payload["nbf"], 1_767_225_600);
        assert_eq!(payload["exp"], 1_798_761_600);
        let public = json!({"publicKeyMultibase": multikey::encode_public(&key.verifying_key())});
        let input = format!("{}.{}", parts[0], parts[1]);
        let sig = URL_SAFE_NO_PAD.decode(parts[2]).expect("b64");
        verify("EdDSA", input.as_bytes(), &sig, &public).expect("verifies");
        assert_eq!(
            verify("EdDSA", format!("{input}x").as_bytes(), &sig, &public),
            Err(JwtError::Mismatch)
        );
        let jwk = json!({"kty": "OKP", "crv": "Ed25519", "x": b64(key.verifying_key().as_bytes())});
        verify("EdDSA", input.as_bytes(), &sig, &jwk).expect("as a JWK too");
        assert!(matches!(
            verify("ES256", input.as_bytes(), &sig, &jwk),
            Err(JwtError::Key(_))
        ));
        assert_eq!(
            verify("none", input.as_bytes(), &sig, &jwk),
            Err(JwtError::Algorithm("none".into()))
        );
    }

    #[test]
    fn es256_and_rs256_signatures_verify_with_their_jwks() {
        use p256::ecdsa::signature::Signer as _;
        let input = b"header.payload";
        let ec = p256::ecdsa::SigningKey::from_slice(&[3; 32]).expect("P-256 scalar");
        let sig: p256::ecdsa::Signature = ec.sign(input);
        let point = ec.verifying_key().to_sec1_point(false);
        let bytes = point.as_bytes();
        let jwk =
            json!({"kty": "EC", "crv": "P-256", "x": b64(&bytes[1..33]), "y": b64(&bytes[33..65])});
        verify("ES256", input, &sig.to_bytes(), &jwk).expect("ES256");
        assert_eq!(
            verify("ES256", b"header.changed", &sig.to_bytes(), &jwk),
            Err(JwtError::Mismatch)
        );
        let mut private = jwk.clone();
        private["d"] = json!("AAAA");
        assert!(matches!(
            verify("ES256", input, &sig.to_bytes(), &private),
            Err(JwtError::Key(_))
        ));

        use rsa::signature::{SignatureEncoding as _, Signer as _};
        use rsa::traits::PublicKeyParts as _;
        let rsa_key = emblem_badges::verify::jws::test_keys::test_key();
        let signer = rsa::pkcs1v15::SigningKey::<rsa::sha2::Sha256>::new(rsa_key.clone());
        let sig = signer.sign(input).to_vec();
        let public = rsa_key.to_public_key();
        let jwk = json!({"kty": "RSA", "n": b64(&public.n().to_bytes_be()), "e": b64(&public.e().to_bytes_be())});
        verify("RS256", input, &sig, &jwk).expect("RS256");
        assert_eq!(verify("RS256", b"x", &sig, &jwk), Err(JwtError::Mismatch));
    }

    /// Blinding only: any bytes give the same signature, so a test may count.
    struct CountingRng(u64);
    impl rsa::rand_core::RngCore for CountingRng {
        fn next_u32(&mut self) -> u32 {
            self.next_u64() as u32
        }
        fn next_u64(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            self.0
        }
        fn fill_bytes(&mut self, dest: &mut [u8]) {
            for b in dest {
                *b = self.next_u64().to_le_bytes()[7];
            }
        }
        fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rsa::rand_core::Error> {
            self.fill_bytes(dest);
            Ok(())
        }
    }
    impl rsa::rand_core::CryptoRng for CountingRng {}

    fn parts(jwt: &str) -> (Value, String, Vec<u8>) {
        let parts: Vec<&str> = jwt.split('.').collect();
        let header =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).expect("b64")).expect("json");
        let sig = URL_SAFE_NO_PAD.decode(parts[2]).expect("b64");
        (header, format!("{}.{}", parts[0], parts[1]), sig)
    }

    #[test]
    fn es256_and_rs256_vc_jwts_verify_with_the_published_jwks_and_sign_deterministically() {
        let ec = crate::jwk::p256_from_seed(&[4; 32]);
        let jwt = sign_es256(&credential(), "https://x.example/k-p256", &ec).expect("ES256");
        assert_eq!(
            jwt,
            sign_es256(&credential(), "https://x.example/k-p256", &ec).expect("again"),
            "RFC 6979: the same credential signs the same"
        );
        let (header, input, sig) = parts(&jwt);
        assert_eq!(header["alg"], "ES256");
        assert_eq!(header["kid"], "https://x.example/k-p256");
        let jwk = crate::jwk::p256(ec.verifying_key(), "k-p256");
        verify("ES256", input.as_bytes(), &sig, &jwk).expect("ES256 verifies");
        assert_eq!(
            verify("ES256", format!("{input}x").as_bytes(), &sig, &jwk),
            Err(JwtError::Mismatch)
        );

        let rsa_key = emblem_badges::verify::jws::test_keys::test_key();
        let mut rng = CountingRng(0);
        let jwt =
            sign_rs256(&credential(), "https://x.example/r", &rsa_key, &mut rng).expect("RS256");
        let (header, input, sig) = parts(&jwt);
        assert_eq!(header["alg"], "RS256");
        let jwk = crate::jwk::rsa(&rsa_key.to_public_key(), "r");
        verify("RS256", input.as_bytes(), &sig, &jwk).expect("RS256 verifies");
        assert_eq!(
            verify("RS256", b"other", &sig, &jwk),
            Err(JwtError::Mismatch)
        );
    }
}
