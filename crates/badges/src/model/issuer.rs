//! The issuer profile record (`issuer/<id>`).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{ImageRef, V1};
use crate::clock::ts;

/// An issuer: the organisation that awards badges (OB 2.0 Profile, docs/standards/ob2.md §2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issuer {
    /// Schema version.
    pub v: V1,
    /// Random id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The issuer's website.
    pub url: String,
    /// Contact email.
    pub email: String,
    /// Optional description.
    pub description: Option<String>,
    /// Optional logo.
    pub image: Option<ImageRef>,
    /// LinkedIn organisation id, for "Add to profile" (docs/standards/sharing.md §1–§3).
    pub linkedin_organization_id: Option<String>,
    /// Where Emblem POSTs the award email on award and on resend (https; `emblem_web::webhook`).
    /// Absent in records written before webhooks existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<String>,
    /// The secret that signs webhook deliveries (HMAC-SHA256; shown to the issuer once, when
    /// the webhook is first set or the secret rotated; never in any view).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_secret: Option<String>,
    /// How the issuer's Open Badges 3.0 credentials publish their revocation status. Absent
    /// in records written before the choice existed (the default).
    #[serde(default, skip_serializing_if = "StatusMethod::is_default")]
    pub status_method: StatusMethod,
    /// Creation time.
    #[serde(with = "ts")]
    pub created_at: OffsetDateTime,
}

/// The status method of an issuer's Open Badges 3.0 credentials (docs/open-badges-3.md).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum StatusMethod {
    /// `1EdTechRevocationList`: the list of revoked credential ids, what 1EdTech's
    /// verification steps read.
    #[default]
    #[serde(rename = "1EdTechRevocationList")]
    OneEdTechRevocationList,
    /// W3C `BitstringStatusListEntry`: one bit per credential in a signed, compressed list,
    /// what DCC's and other VC verifiers read.
    #[serde(rename = "BitstringStatusList")]
    BitstringStatusList,
}

impl StatusMethod {
    /// The name the API takes and shows.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OneEdTechRevocationList => "1EdTechRevocationList",
            Self::BitstringStatusList => "BitstringStatusList",
        }
    }

    /// From the API's name.
    pub fn parse(name: &str) -> Option<Self> {
        [Self::OneEdTechRevocationList, Self::BitstringStatusList]
            .into_iter()
            .find(|m| m.as_str() == name)
    }

    fn is_default(&self) -> bool {
        *self == Self::default()
    }
}
