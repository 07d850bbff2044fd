//! Response bodies of the issuer API (snake_case; absent optional fields are `null`;
//! timestamps `YYYY-MM-DDTHH:MM:SSZ`).

use serde::Serialize;
use time::OffsetDateTime;

use crate::base_url::BaseUrl;
use crate::clock::{ts, ts_opt};
use crate::email::AwardEmail;
use crate::model::award::{
    AcceptanceState, Award, Evidence, Recertification, Revocation, Status, Visibility,
};
use crate::model::badge::{Alignment, BadgeClass, Criteria};
use crate::model::issuer::Issuer;
use crate::webhook::Delivery;

pub use crate::model::image_url;

/// An issuer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssuerView {
    /// Id.
    pub id: String,
    /// Hosted Profile URL.
    pub issuer_url: String,
    /// Name.
    pub name: String,
    /// Website.
    pub url: String,
    /// Contact email.
    pub email: String,
    /// Description or null.
    pub description: Option<String>,
    /// Image URL or null.
    pub image: Option<String>,
    /// LinkedIn organisation id or null.
    pub linkedin_organization_id: Option<String>,
    /// Where award emails are POSTed, or null.
    pub webhook_url: Option<String>,
    /// The webhook signing secret: only in the answer that made it (the first `webhook_url`,
    /// or a rotation); absent from every other view.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_secret: Option<String>,
    /// How 3.0 credentials publish revocation: `1EdTechRevocationList` or
    /// `BitstringStatusList`.
    pub credential_status: &'static str,
    /// Creation time.
    #[serde(with = "ts")]
    pub created_at: OffsetDateTime,
}

impl IssuerView {
    /// The view of `issuer`.
    pub fn new(issuer: &Issuer, base: &BaseUrl) -> Self {
        Self {
            id: issuer.id.clone(),
            issuer_url: base.issuer(&issuer.id),
            name: issuer.name.clone(),
            url: issuer.url.clone(),
            email: issuer.email.clone(),
            description: issuer.description.clone(),
            image: issuer
                .image
                .as_ref()
                .map(|i| image_url(i, || base.issuer_image(&issuer.id))),
            linkedin_organization_id: issuer.linkedin_organization_id.clone(),
            webhook_url: issuer.webhook_url.clone(),
            webhook_secret: None,
            credential_status: issuer.status_method.as_str(),
            created_at: issuer.created_at,
        }
    }
}

pub use crate::service::apikeys::{Items, KeyCreatedView, KeyView};

/// `{items, next_cursor, total}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Page<T> {
    /// This page's items, in creation order.
    pub items: Vec<T>,
    /// Cursor of the next page, or null on the last page.
    pub next_cursor: Option<String>,
    /// How many objects the listing holds.
    pub total: i64,
}

/// A badge class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BadgeView {
    /// Id.
    pub id: String,
    /// Hosted BadgeClass URL.
    pub badgeclass_url: String,
    /// Issuer id.
    pub issuer_id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Image URL.
    pub image: String,
    /// `{narrative, url}` (either may be null).
    pub criteria: Criteria,
    /// Tags.
    pub tags: Vec<String>,
    /// Alignments (`target_*` fields; optional ones null).
    pub alignment: Vec<Alignment>,
    /// Default validity in days, or null.
    pub expires_after_days: Option<u32>,
    /// `allow`, `deny` or `replace`: what a second award to the same email does.
    pub duplicate_policy: crate::model::badge::DuplicatePolicy,
    /// The earlier version this one replaced, or null.
    pub supersedes: Option<String>,
    /// The version that replaced this one, or null (new awards must use the latest).
    pub superseded_by: Option<String>,
    /// Creation time.
    #[serde(with = "ts")]
    pub created_at: OffsetDateTime,
}

impl BadgeView {
    /// The view of `badge`.
    pub fn new(badge: &BadgeClass, base: &BaseUrl) -> Self {
        Self {
            id: badge.id.clone(),
            badgeclass_url: base.badge(&badge.id),
            issuer_id: badge.issuer_id.clone(),
            name: badge.name.clone(),
            description: badge.description.clone(),
            image: image_url(&badge.image, || base.badge_image(&badge.id)),
            criteria: badge.criteria.clone(),
            tags: badge.tags.clone(),
            alignment: badge.alignment.clone(),
            expires_after_days: badge.expires_after_days,
            duplicate_policy: badge.duplicate_policy,
            supersedes: badge.supersedes.clone(),
            superseded_by: badge.superseded_by.clone(),
            created_at: badge.created_at,
        }
    }
}

/// An award.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AwardView {
    /// Id.
    pub id: String,
    /// Hosted Assertion URL (Open Badges 2.0).
    pub assertion_url: String,
    /// Hosted OpenBadgeCredential URL (Open Badges 3.0), the same award.
    pub credential_url: String,
    /// Badge class id.
    pub badgeclass: String,
    /// Hosted BadgeClass URL.
    pub badgeclass_url: String,
    /// Issuer id.
    pub issuer_id: String,
    /// `{email, identity, hashed: true, salt}`.
    pub recipient: RecipientView,
    /// Issue time.
    #[serde(with = "ts")]
    pub issued_on: OffsetDateTime,
    /// Expiry or null.
    #[serde(with = "ts_opt")]
    pub expires: Option<OffsetDateTime>,
    /// Evidence items `{url, narrative, name, description}`.
    pub evidence: Vec<Evidence>,
    /// Narrative or null.
    pub narrative: Option<String>,
    /// Acceptance: pending, accepted or rejected.
    pub state: AcceptanceState,
    /// Derived status: active, pending, rejected, expired or revoked.
    pub status: Status,
    /// public or private.
    pub visibility: Visibility,
    /// `{reason, revoked_at}` or null.
    pub revoked: Option<Revocation>,
    /// Expiry changes `{previous_expires, expires, at}`.
    pub recertifications: Vec<Recertification>,
    /// The claim link; only in the creation response, null afterwards.
    pub claim_url: Option<String>,
    /// When the claim link stops working, or null.
    #[serde(with = "ts_opt")]
    pub claim_expires_at: Option<OffsetDateTime>,
    /// Creation time.
    #[serde(with = "ts")]
    pub created_at: OffsetDateTime,
}

/// The recipient as the issuer sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecipientView {
    /// The plaintext email (only ever shown to the issuer).
    pub email: String,
    /// `sha256$<hex>`.
    pub identity: String,
    /// The earner's name, or null.
    pub name: Option<String>,
    /// Always true.
    pub hashed: bool,
    /// The salt.
    pub salt: String,
}

impl AwardView {
    /// The view of `award` at `now`; `claim_token` only right after creation.
    pub fn new(
        award: &Award,
        base: &BaseUrl,
        now: OffsetDateTime,
        claim_token: Option<&str>,
    ) -> Self {
        Self {
            id: award.id.clone(),
            assertion_url: base.assertion(&award.id),
            credential_url: base.credential(&award.id),
            badgeclass: award.badge_id.clone(),
            badgeclass_url: base.badge(&award.badge_id),
            issuer_id: award.issuer_id.clone(),
            recipient: RecipientView {
                email: award.recipient.email.clone(),
                identity: award.recipient.identity.clone(),
                name: award.recipient.name.clone(),
                hashed: true,
                salt: award.recipient.salt.clone(),
            },
            issued_on: award.issued_on,
            expires: award.expires,
            evidence: award.evidence.clone(),
            narrative: award.narrative.clone(),
            state: award.acceptance.state,
            status: award.status(now),
            visibility: award.visibility,
            revoked: award.revoked.clone(),
            recertifications: award.recertifications.clone(),
            claim_url: claim_token.map(|t| base.claim(t)),
            claim_expires_at: award.claim.as_ref().map(|c| c.expires_at),
            created_at: award.created_at,
        }
    }
}

/// An award with its claim link just minted (create and resend): the award, the email to send
/// and, when the issuer has a webhook, what happened when Emblem POSTed it there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AwardSentView {
    /// The award (with `claim_url`).
    #[serde(flatten)]
    pub award: AwardView,
    /// `{to, subject, text, html}`, ready for the issuer's mailer.
    pub email: AwardEmail,
    /// `{url, delivered, status, error}`, or null when the issuer has no webhook.
    pub webhook: Option<Delivery>,
    /// Emblem's own delivery of the email (`{message_id, status, attempts, last_error,
    /// next_attempt_at, sent_at}`), or null when email delivery is not configured.
    pub email_delivery: Option<EmailDeliveryView>,
}

/// Where Emblem's delivery of an award's email stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EmailDeliveryView {
    /// The outbox message id (`<award-id>.<n>`).
    pub message_id: String,
    /// `award`, `resend` or `reminder`.
    pub kind: crate::service::mail::outbox::Kind,
    /// `queued`, `sending`, `sent`, `failed`, `suppressed` or `skipped`.
    pub status: crate::service::mail::outbox::Status,
    /// Attempts made.
    pub attempts: u32,
    /// Why the last attempt failed, or why the email was not sent.
    pub last_error: Option<String>,
    /// When the next attempt is due (null once nothing more will happen).
    #[serde(with = "ts_opt")]
    pub next_attempt_at: Option<OffsetDateTime>,
    /// When the server accepted it.
    #[serde(with = "ts_opt")]
    pub sent_at: Option<OffsetDateTime>,
}

impl EmailDeliveryView {
    /// The view of an outbox record.
    pub fn new(m: &crate::service::mail::outbox::Outgoing) -> Self {
        Self {
            message_id: m.id.clone(),
            kind: m.kind,
            status: m.status,
            attempts: m.attempts,
            last_error: m.last_error.clone(),
            next_attempt_at: m.next_attempt_at,
            sent_at: m.sent_at,
        }
    }
}

/// One award with its latest email's delivery (`GET /assertions/:id`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AwardDetailView {
    /// The award.
    #[serde(flatten)]
    pub award: AwardView,
    /// The latest award or resend email's delivery, or null.
    pub email_delivery: Option<EmailDeliveryView>,
}
