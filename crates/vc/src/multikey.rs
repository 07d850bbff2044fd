//! Ed25519 keys as Multikey strings (W3C Controlled Identifiers 1.0 §2.2.2): multibase
//! base58btc (`z`) of a multicodec header and the raw key.

use ed25519_dalek::{SigningKey, VerifyingKey};

/// Multicodec `ed25519-pub` (0xed), varint-encoded.
const ED25519_PUB: [u8; 2] = [0xed, 0x01];
/// Multicodec `ed25519-priv` (0x1300), varint-encoded.
const ED25519_PRIV: [u8; 2] = [0x80, 0x26];

/// Why a multibase key was not read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    /// Not `z` + base58btc.
    #[error("not a base58btc multibase string")]
    Multibase,
    /// Another key type, or the wrong length.
    #[error("not an Ed25519 key")]
    NotEd25519,
}

/// `z…` of a public key (`publicKeyMultibase`).
pub fn encode_public(key: &VerifyingKey) -> String {
    encode(ED25519_PUB, key.as_bytes())
}

/// `z…` of a secret key (`secretKeyMultibase`); used by tests and key export only.
pub fn encode_secret(key: &SigningKey) -> String {
    encode(ED25519_PRIV, key.as_bytes())
}

/// The public key of a `publicKeyMultibase`.
pub fn decode_public(multibase: &str) -> Result<VerifyingKey, KeyError> {
    let raw = decode(multibase, ED25519_PUB)?;
    VerifyingKey::from_bytes(&raw).map_err(|_| KeyError::NotEd25519)
}

/// The secret key of a `secretKeyMultibase`.
pub fn decode_secret(multibase: &str) -> Result<SigningKey, KeyError> {
    Ok(SigningKey::from_bytes(&decode(multibase, ED25519_PRIV)?))
}

/// `z` + base58btc of `bytes`.
pub fn base58btc(bytes: &[u8]) -> String {
    format!("z{}", bs58::encode(bytes).into_string())
}

/// The bytes of a `z` + base58btc string.
pub fn from_base58btc(multibase: &str) -> Result<Vec<u8>, KeyError> {
    let body = multibase.strip_prefix('z').ok_or(KeyError::Multibase)?;
    bs58::decode(body)
        .into_vec()
        .map_err(|_| KeyError::Multibase)
}

fn encode(header: [u8; 2], key: &[u8; 32]) -> String {
    let mut bytes = Vec::with_capacity(34);
    bytes.extend_from_slice(&header);
    bytes.extend_from_slice(key);
    base58btc(&bytes)
}

fn decode(multibase: &str, header: [u8; 2]) -> Result<[u8; 32], KeyError> {
    let bytes = from_base58btc(multibase)?;
    let raw = bytes.strip_prefix(&header).ok_or(KeyError::NotEd25519)?;
    raw.try_into().map_err(|_| KeyError::NotEd25519)
}
