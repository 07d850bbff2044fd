//! API key records. Only the SHA-256 of a key is stored; the key is shown once.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::V1;
use crate::clock::ts;

/// `apikey/<sha256(key)>`: what authentication needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKey {
    /// Schema version.
    pub v: V1,
    /// The public key id (part of the key).
    pub key_id: String,
    /// The issuer the key acts for.
    pub issuer_id: String,
    /// A label chosen by the administrator.
    pub label: Option<String>,
    /// Creation time.
    #[serde(with = "ts")]
    pub created_at: OffsetDateTime,
}

/// `apikeyid/<key-id>`: finds a key's hash from its id, for deletion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyId {
    /// Schema version.
    pub v: V1,
    /// SHA-256 hex of the key.
    pub hash: String,
    /// The issuer the key acts for.
    pub issuer_id: String,
    /// Label.
    pub label: Option<String>,
    /// Creation time.
    #[serde(with = "ts")]
    pub created_at: OffsetDateTime,
}

/// `apikeys/<issuer-id>`: the issuer's live keys, for listing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyIndex {
    /// Schema version.
    pub v: V1,
    /// Keys in creation order.
    pub items: Vec<ApiKeySummary>,
}

/// One entry of [`ApiKeyIndex`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeySummary {
    /// Key id.
    pub key_id: String,
    /// Label.
    pub label: Option<String>,
    /// Creation time.
    #[serde(with = "ts")]
    pub created_at: OffsetDateTime,
}
