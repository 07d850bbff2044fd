//! `revocations/<issuer-id>`: an issuer's revoked assertions, maintained by CAS.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::V1;
use crate::clock::ts;

/// `revocations/<issuer-id>`: the issuer's revoked assertions, maintained by CAS.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevocationList {
    /// Schema version.
    pub v: V1,
    /// Entries in revocation order; one per assertion.
    pub entries: Vec<RevokedEntry>,
}

/// One revoked assertion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokedEntry {
    /// The assertion id.
    pub assertion_id: String,
    /// The reason given.
    pub reason: String,
    /// When it was revoked.
    #[serde(with = "ts")]
    pub revoked_at: OffsetDateTime,
    /// The award's Bitstring status index, when it had one at revocation (otherwise read
    /// from the award).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_index: Option<u64>,
}
