//! `claim/<sha256(token)>`: a claim link's token, stored by hash only.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::V1;
use crate::clock::ts;

/// `claim/<sha256(token)>`: a claim link's token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimToken {
    /// Schema version.
    pub v: V1,
    /// The award it claims.
    pub award_id: String,
    /// When the link stops working.
    #[serde(with = "ts")]
    pub expires_at: OffsetDateTime,
}
