//! The issuer's Ed25519 key for Open Badges 3.0 credentials (`vckey/<issuer-id>`): its public
//! half. The seed is sealed in the `secrets` store (`emblem_services::vault`); the public half is published as a `Multikey` in the issuer's
//! Profile (`/profiles/<id>`), under `assertionMethod`.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::V1;
use crate::clock::ts;

/// An Ed25519 key of an issuer.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialKey {
    /// Schema version.
    pub v: V1,
    /// Key id: the fragment of the verification method (`<profile>#<kid>`).
    pub kid: String,
    /// The issuer that owns it.
    pub issuer_id: String,
    /// Only in records written before secrets were sealed: the 32-byte secret seed, hex. The
    /// first component holding the vault to read such a record seals the seed in the
    /// `secrets` store and rewrites the record without it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub secret_hex: String,
    /// The public key, `publicKeyMultibase` (`z6Mk…`).
    pub public_multibase: String,
    /// The P-256 public key of its `ES256` VC-JWTs (derived from the seed), SEC1 compressed,
    /// hex. Empty only in records written before secrets were sealed.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub public_p256: String,
    /// Creation time.
    #[serde(with = "ts")]
    pub created_at: OffsetDateTime,
}

impl std::fmt::Debug for CredentialKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret.
        f.debug_struct("CredentialKey")
            .field("kid", &self.kid)
            .field("issuer_id", &self.issuer_id)
            .field("public_multibase", &self.public_multibase)
            .finish_non_exhaustive()
    }
}
