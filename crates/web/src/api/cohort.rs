//! `POST /api/v1/badgeclasses/:id/awards`: a cohort in one call (see
//! `emblem_services::cohorts`), answered row by row.
//!
//! The answer is `200 {badgeclass, created, duplicate, invalid, failed, rows: [{row, email,
//! outcome, id?, assertion_url?, claim_url?, email_delivery?, webhook?, reason?, errors?}]}`,
//! rows in the order sent. Each created row's email is queued when Emblem sends email itself,
//! and its `assertion.awarded` event (the same body as for a single award) when the issuer has
//! a webhook. The first [`SEND_NOW`] of each are attempted at once (the row's
//! `email_delivery` and `webhook` say how it went) and the rest go out through the outbox
//! flush, so a large cohort is answered without waiting on the mail server or the webhook.

use serde::Serialize;

use super::handler::{self, Outbound};
use super::views::{AwardView, EmailDeliveryView};
use crate::email::Occasion;
use crate::env::Env;
use crate::error::{Error, FieldError};
use crate::kv::Kv;
use crate::reply::Reply;
use crate::service::cohorts::{self, Outcome};
use crate::service::input::cohort::{self as input, CohortRow};
use crate::service::mail::deliver;
use crate::service::{badges, issuers};
use crate::validate::parse_json;

/// Largest cohort body: 4 MiB.
pub const MAX_COHORT_BODY: usize = 4 * 1024 * 1024;
/// Created rows whose email is attempted within the request.
pub const SEND_NOW: usize = 10;

/// The body's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `application/json`.
    Json,
    /// `text/csv`.
    Csv,
}

/// 415 unless the body is JSON or CSV.
pub fn check_content_type(content_type: Option<&str>) -> Result<Format, Error> {
    let essence = content_type
        .and_then(|ct| ct.split(';').next())
        .map(|ct| ct.trim().to_ascii_lowercase());
    match essence.as_deref() {
        Some("application/json") => Ok(Format::Json),
        Some("text/csv") => Ok(Format::Csv),
        _ => Err(Error::UnsupportedMediaType {
            found: content_type.map(str::to_owned),
            expected: "application/json or text/csv",
        }),
    }
}

/// One row of the answer.
#[derive(Debug, Clone, Serialize)]
struct RowView {
    row: usize,
    email: Option<String>,
    outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    assertion_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    claim_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email_delivery: Option<EmailDeliveryView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    webhook: Option<Webhook>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<Vec<FieldError>>,
}

/// A created row's webhook event: attempted within the request, or queued for the flush.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
enum Webhook {
    Attempted(crate::webhook::Delivery),
    Queued { url: String, queued: bool },
}

/// The answer.
#[derive(Debug, Clone, Serialize)]
struct CohortView {
    badgeclass: String,
    created: usize,
    duplicate: usize,
    invalid: usize,
    failed: usize,
    rows: Vec<RowView>,
}

fn row_view(row: &CohortRow, outcome: &'static str) -> RowView {
    RowView {
        row: row.row,
        email: row.email.clone(),
        outcome,
        id: None,
        assertion_url: None,
        claim_url: None,
        email_delivery: None,
        webhook: None,
        reason: None,
        errors: None,
    }
}

/// Queue a created row's webhook event (if the issuer has a webhook) and, when `send_now`,
/// attempt it.
async fn row_hook<K: Kv + ?Sized, O: Outbound>(
    env: &Env<'_, K>,
    out: &O,
    issuer: &crate::model::issuer::Issuer,
    made: &crate::service::awards::Created,
    view: &AwardView,
    mail: &crate::email::AwardEmail,
    send_now: bool,
) -> Result<Option<Webhook>, Error> {
    let queued =
        handler::queue_award_hook(env, issuer, &made.award, view, mail, Occasion::Awarded).await?;
    Ok(match queued {
        Some((url, id)) if send_now => Some(Webhook::Attempted(
            handler::hook_delivery(env, out, &url, &id).await?,
        )),
        Some((url, _)) => Some(Webhook::Queued { url, queued: true }),
        None => None,
    })
}

/// Award the cohort in `body` to the caller's class `badge_id`.
pub async fn perform<K: Kv + ?Sized, O: Outbound>(
    env: &Env<'_, K>,
    issuer_id: &str,
    badge_id: &str,
    content_type: Option<&str>,
    body: &[u8],
    out: &O,
) -> Result<Reply, Error> {
    let rows = match check_content_type(content_type)? {
        Format::Json => input::from_json(badge_id, &parse_json(body)?)?,
        Format::Csv => input::from_csv(badge_id, body)?,
    };
    let badge = badges::get(env.kv, issuer_id, badge_id).await?;
    let issuer = issuers::load(env.kv, issuer_id).await?;
    let results = cohorts::award_all(env, issuer_id, badge_id, rows).await?;
    let mut view = CohortView {
        badgeclass: badge_id.to_owned(),
        created: 0,
        duplicate: 0,
        invalid: 0,
        failed: 0,
        rows: Vec::with_capacity(results.len()),
    };
    for (row, outcome) in results {
        let v = match outcome {
            Outcome::Created(made) => {
                let award = AwardView::new(&made.award, env.base, env.now, Some(&made.claim_token));
                let claim_url = award.claim_url.clone().unwrap_or_default();
                let link = deliver::Link {
                    url: &claim_url,
                    expires_at: award.claim_expires_at,
                };
                let send_now = view.created < SEND_NOW;
                let event = deliver::Event {
                    occasion: Occasion::Awarded,
                    award: &made.award,
                    badge: &badge,
                    issuer: &issuer,
                    link,
                    send_now,
                };
                let delivered = deliver::award_event(env, out, event).await;
                view.created += 1;
                let mut v = row_view(&row, "created");
                v.id = Some(made.award.id.clone());
                v.assertion_url = Some(award.assertion_url.clone());
                v.claim_url = award.claim_url.clone();
                match delivered {
                    Ok(d) => {
                        v.email_delivery = d.outbox.as_ref().map(EmailDeliveryView::new);
                        v.webhook = row_hook(env, out, &issuer, &made, &award, &d.email, send_now)
                            .await
                            .unwrap_or_else(|e| {
                                eprintln!("emblem: queueing the webhook of {}: {e}", made.award.id);
                                None
                            });
                    }
                    Err(e) => eprintln!("emblem: queueing the email of {}: {e}", made.award.id),
                }
                v
            }
            Outcome::Duplicate(reason) => {
                view.duplicate += 1;
                let mut v = row_view(&row, "duplicate");
                v.reason = Some(reason);
                v
            }
            Outcome::Invalid(errors) => {
                view.invalid += 1;
                let mut v = row_view(&row, "invalid");
                v.reason = Some(
                    errors
                        .iter()
                        .map(|e| format!("{}: {}", e.field, e.message))
                        .collect::<Vec<_>>()
                        .join("; "),
                );
                v.errors = Some(errors);
                v
            }
            Outcome::Failed(reason) => {
                view.failed += 1;
                let mut v = row_view(&row, "failed");
                v.reason = Some(reason);
                v
            }
        };
        view.rows.push(v);
    }
    Ok(Reply::json(200, &view))
}
