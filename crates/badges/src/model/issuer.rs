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
    /// Creation time.
    #[serde(with = "ts")]
    pub created_at: OffsetDateTime,
}
