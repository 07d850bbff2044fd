//! Signing keys for signed Open Badges 2.0 (`keys/<issuer-id>/<kid>`) and the issuer's active
//! key (`signing/<issuer-id>`): the public half. The private key is sealed in the `secrets`
//! store (`emblem_services::vault`); only the public half is published, as a CryptographicKey at `/issuers/<id>/keys/<kid>`.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::V1;
use crate::clock::ts;

/// An RS256 signing key.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SigningKey {
    /// Schema version.
    pub v: V1,
    /// Key id (12 characters `[a-z0-9]`).
    pub kid: String,
    /// The issuer that owns it.
    pub issuer_id: String,
    /// Only in records written before secrets were sealed: PKCS#8 PEM of the RSA private key.
    /// The first component holding the vault to read such a record seals it in the `secrets`
    /// store and rewrites the record without it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub private_pem: String,
    /// SPKI PEM of the public key (published).
    pub public_pem: String,
    /// Creation time.
    #[serde(with = "ts")]
    pub created_at: OffsetDateTime,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the private key.
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("issuer_id", &self.issuer_id)
            .finish_non_exhaustive()
    }
}

/// Which key an issuer signs with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActiveKey {
    /// Schema version.
    pub v: V1,
    /// The key id.
    pub kid: String,
}
