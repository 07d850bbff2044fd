//! Recipient identity: email normalisation and salted SHA-256 identity hashes.
//!
//! 1. The email is trimmed and lower-cased ([`normalize_email`]), so `Alice@X.org` and
//!    `alice@x.org` name the same earner (docs/standards/ob2.md §6.3, docs/standards/peers.md §5 theme 1).
//! 2. A fresh random salt is drawn for each award.
//! 3. `identity = "sha256$" + lowercase hex(sha256(utf8(email + salt)))` (docs/standards/ob2.md §6.1).
//! 4. The plaintext email stays server-side in the award record; hosted assertions carry only
//!    `{"type": "email", "hashed": true, "salt", "identity"}`.

use serde::{Deserialize, Serialize};

use crate::digest::sha256_hex;
use crate::entropy::{self, Entropy};

/// Longest email address accepted (RFC 5321 path limit).
pub const MAX_EMAIL_LEN: usize = 254;

/// A hashed email recipient, as stored in an award.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    /// The normalised plaintext email (server-side only).
    pub email: String,
    /// The salt (32 hex characters).
    pub salt: String,
    /// `sha256$<hex>`.
    pub identity: String,
    /// The earner's name as the issuer wrote it (the earner cannot change it); shown on the
    /// badge page, certificate and embed card, and published through the OB 2.0
    /// `recipientProfile` extension. Records from before it existed have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl Recipient {
    /// A recipient for the already-normalised `email` with a fresh salt.
    pub fn new(email: String, entropy: &(impl Entropy + ?Sized)) -> Self {
        let salt = entropy::salt(entropy);
        let identity = identity_hash(&email, &salt);
        Self {
            email,
            salt,
            identity,
            name: None,
        }
    }
}

/// `sha256$` + lowercase hex of SHA-256 over `identity` followed directly by `salt`.
pub fn identity_hash(identity: &str, salt: &str) -> String {
    let mut input = String::with_capacity(identity.len() + salt.len());
    input.push_str(identity);
    input.push_str(salt);
    format!("sha256${}", sha256_hex(input.as_bytes()))
}

/// Trim and lower-case an email address, then check it is a plausible address:
/// one `@`, a local part of 1–64 characters without spaces, quotes or `..`, and a domain of at
/// least two dot-separated labels (letters, digits, hyphens; no label starts or ends with `-`).
pub fn normalize_email(raw: &str) -> Result<String, String> {
    let email = raw.trim().to_lowercase();
    validate_email(&email)?;
    Ok(email)
}

/// Check the shape of an email address (see [`normalize_email`]); case is not changed.
pub fn validate_email(email: &str) -> Result<(), String> {
    let bad = |why: &str| Err(format!("{email:?} is not an email address: {why}"));
    if email.is_empty() {
        return bad("it is empty");
    }
    if email.len() > MAX_EMAIL_LEN {
        return bad("it is longer than 254 characters");
    }
    let Some((local, domain)) = email.split_once('@') else {
        return bad("it has no @");
    };
    if domain.contains('@') {
        return bad("it has more than one @");
    }
    if local.is_empty() || local.chars().count() > 64 {
        return bad("the part before @ must be 1 to 64 characters");
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return bad("the part before @ has a misplaced dot");
    }
    if local
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || "\"(),:;<>[\\]".contains(c))
    {
        return bad("the part before @ has a space or a character that needs quoting");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return bad("the domain needs a dot, e.g. example.org");
    }
    for label in &labels {
        let ok = !label.is_empty()
            && label.chars().count() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-');
        if !ok {
            return bad("the domain is not a valid host name");
        }
    }
    if labels
        .last()
        .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit()))
    {
        return bad("the domain's last label cannot be numeric");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entropy::Seeded;

    #[test]
    fn hashing_matches_the_spec_vector_for_mayze() {
        assert_eq!(
            identity_hash("mayze", ""),
            "sha256$7a1a1b3f7d40552e4299180e346e3add12bf9a751a43d9c4ca4518febc2c60c6"
        );
    }

    #[test]
    fn the_salt_is_appended_to_the_identity_before_hashing() {
        assert_eq!(
            identity_hash("alice@example.org", "abc"),
            format!("sha256${}", sha256_hex(b"alice@example.orgabc"))
        );
    }

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(
            normalize_email("  Alice.Smith@Example.ORG \n"),
            Ok("alice.smith@example.org".to_owned())
        );
    }

    #[test]
    fn a_new_recipient_hashes_its_email_with_a_fresh_salt() {
        let e = Seeded::new(1);
        let a = Recipient::new("a@example.org".into(), &e);
        let b = Recipient::new("a@example.org".into(), &e);
        assert_ne!(a.salt, b.salt);
        assert_ne!(a.identity, b.identity);
        assert_eq!(a.identity, identity_hash("a@example.org", &a.salt));
        assert!(a.identity.starts_with("sha256$"));
        assert_eq!(a.identity.len(), "sha256$".len() + 64);
    }

    #[test]
    fn plausible_addresses_are_accepted() {
        for ok in [
            "a@b.co",
            "first.last+tag@sub.example.org",
            "o'brien@example.ie",
            "jörg@bücher.de",
        ] {
            assert_eq!(validate_email(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn implausible_addresses_are_rejected_with_the_value_quoted() {
        for bad in [
            "",
            "alice",
            "alice@",
            "@example.org",
            "a@b@example.org",
            "alice@localhost",
            "al ice@example.org",
            ".alice@example.org",
            "al..ice@example.org",
            "alice@-example.org",
            "alice@example..org",
            "alice@10.0.0.1",
            "\"alice\"@example.org",
            "alice@exa_mple.org",
        ] {
            let e = validate_email(bad).expect_err(bad);
            assert!(e.contains(&format!("{bad:?}")), "{e}");
        }
        let long = format!("{}@example.org", "a".repeat(250));
        assert!(validate_email(&long).is_err());
    }
}
