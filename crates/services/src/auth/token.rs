//! Bearer tokens and API keys.
//!
//! An API key is `emb_<key_id>_<secret>`: the key id is 12 random characters from `[a-z0-9]`
//! (public; names the key in listings and lockouts), the secret is 32 random bytes (256 bits)
//! in base64url without padding. Only `sha256hex(whole key)` is stored; the key is shown once.

use emblem_badges::digest::sha256_hex;
use emblem_badges::entropy::{self, Entropy};

/// Every API key starts with this.
pub const PREFIX: &str = "emb_";

/// Length of generated key ids.
pub const KEY_ID_LEN: usize = 12;

/// Longest bearer token accepted before it is even looked at.
pub const MAX_TOKEN_LEN: usize = 512;

/// A freshly generated API key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiKey {
    /// The public key id.
    pub key_id: String,
    /// The whole key, shown once.
    pub key: String,
    /// SHA-256 hex of the key, stored.
    pub hash: String,
}

/// Generate an API key.
pub fn generate(entropy: &(impl Entropy + ?Sized)) -> NewApiKey {
    let key_id = entropy::alphanumeric(entropy, KEY_ID_LEN);
    let key = format!("{PREFIX}{key_id}_{}", entropy::token(entropy));
    let hash = hash(&key);
    NewApiKey { key_id, key, hash }
}

/// SHA-256 hex of a presented key.
pub fn hash(key: &str) -> String {
    sha256_hex(key.as_bytes())
}

/// Whether `s` has the shape of a key id (8 to 32 of `[a-z0-9]`).
pub fn is_key_id(s: &str) -> bool {
    (8..=32).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// The key id named by a presented API key, if it has the `emb_<key_id>_<secret>` shape.
pub fn key_id_of(token: &str) -> Option<&str> {
    let (key_id, secret) = token.strip_prefix(PREFIX)?.split_once('_')?;
    (is_key_id(key_id) && !secret.is_empty()).then_some(key_id)
}

/// The result of reading an `Authorization` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bearer<'a> {
    /// No header.
    Missing,
    /// A header that is not a usable bearer token.
    Malformed,
    /// `Bearer <token>`.
    Token(&'a str),
}

/// Read `Authorization: Bearer <token>` (scheme case-insensitive, RFC 6750 §2.1).
pub fn parse_bearer(header: Option<&str>) -> Bearer<'_> {
    let Some(header) = header else {
        return Bearer::Missing;
    };
    let header = header.trim();
    let Some((scheme, token)) = header.split_once(' ') else {
        return Bearer::Malformed;
    };
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer")
        || token.is_empty()
        || token.len() > MAX_TOKEN_LEN
        || token.contains(char::is_whitespace)
    {
        return Bearer::Malformed;
    }
    Bearer::Token(token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use emblem_badges::entropy::Seeded;

    #[test]
    fn generated_keys_name_their_id_and_hash_the_whole_key() {
        let k = generate(&Seeded::new(1));
        assert_eq!(k.key_id.len(), KEY_ID_LEN);
        assert!(k.key.starts_with(&format!("emb_{}_", k.key_id)));
        assert_eq!(key_id_of(&k.key), Some(k.key_id.as_str()));
        assert_eq!(k.hash, sha256_hex(k.key.as_bytes()));
        // 4 + 12 + 1 + 43 characters; the secret alone carries 256 bits.
        assert_eq!(k.key.len(), 60);
    }

    #[test]
    fn secrets_may_contain_underscores() {
        assert_eq!(key_id_of("emb_abcdefgh_se_cr_et"), Some("abcdefgh"));
    }

    #[test]
    fn malformed_keys_name_no_key_id() {
        for bad in [
            "emb_",
            "emb_abc_secret",
            "emb_ABCDEFGH_secret",
            "emb_abcdefgh_",
            "emb_abcdefgh",
            "xyz_abcdefgh_secret",
            "emb_abcd-efgh_secret",
        ] {
            assert_eq!(key_id_of(bad), None, "{bad}");
        }
    }

    #[test]
    fn bearer_tokens_are_read_case_insensitively() {
        assert_eq!(parse_bearer(Some("Bearer abc")), Bearer::Token("abc"));
        assert_eq!(parse_bearer(Some("bearer   abc ")), Bearer::Token("abc"));
        assert_eq!(parse_bearer(None), Bearer::Missing);
    }

    #[test]
    fn other_schemes_and_odd_tokens_are_malformed() {
        for bad in [
            "Basic dXNlcjpwdw==",
            "Bearer",
            "Bearer ",
            "Bearer a b",
            "abc",
            "",
        ] {
            assert_eq!(parse_bearer(Some(bad)), Bearer::Malformed, "{bad:?}");
        }
        let long = format!("Bearer {}", "a".repeat(MAX_TOKEN_LEN + 1));
        assert_eq!(parse_bearer(Some(&long)), Bearer::Malformed);
    }
}
