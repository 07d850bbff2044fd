//! The outbox: every email Emblem sends is a record here before it is sent.
//!
//! Keys (see [`crate::store_keys`]):
//! - `mail/<message-id>`: the [`Outgoing`] record; `<message-id>` is `<award-id>.<n>`, n
//!   counting the award's emails (`seq/mail/<award-id>`);
//! - `mail/<message-id>#turn`: counter of attempts *started*; an attempt is owned by the
//!   request whose increment returns one more than the turn it read (see [`attempt`]);
//! - `seq/mailq/<queue>`, `idx/mailq/<queue>/<n>`: the queues the flush walks (`now` for
//!   award and resend emails, `later` for reminders, which fall due in the order they were
//!   queued); `mailq/<queue>/low`: where the walk starts (a hint; every record is checked).

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::message::{self, Parts};
use super::suppression::{self, Reason};
use super::{Mailer, SendError, Transports};
use crate::env::Env;
use crate::kv::{self, Kv, read_counter};
use crate::listing;
use crate::store_keys;
use crate::webhook::{self, Webhooks};
use emblem_badges::clock::{ts, ts_opt};
use emblem_badges::error::Error;
use emblem_badges::model::V1;
use emblem_badges::model::award::{AcceptanceState, Award};
use emblem_badges::model::issuer::Issuer;

/// Retry delays after the 1st, 2nd, … failed attempt; after the last, the message is given up.
pub const BACKOFF: [Duration; 7] = [
    Duration::minutes(1),
    Duration::minutes(5),
    Duration::minutes(30),
    Duration::hours(2),
    Duration::hours(6),
    Duration::hours(12),
    Duration::hours(24),
];

/// How long a started attempt is left alone before another request may take it over (an
/// attempt takes at most the transport's time caps, well under this).
pub const LEASE: Duration = Duration::minutes(2);

/// Records a flush examines at most, per queue, unless told otherwise.
pub const FLUSH_SCAN: i64 = 200;

/// Why an email is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The award email.
    Awarded,
    /// A new claim link.
    Resent,
    /// A reminder to answer.
    Reminder,
    /// An event POSTed to the issuer's webhook (not an email).
    Webhook,
}

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Recorded, not sent yet (or waiting for its retry or its date).
    Queued,
    /// An attempt is under way.
    Sending,
    /// The server accepted it.
    Sent,
    /// The last attempt failed; `next_attempt_at` says when the next one is due, or, if it is
    /// null, the message was given up.
    Failed,
    /// Not sent: the issuer's suppression list has the address.
    Suppressed,
    /// Not sent: the award was answered or revoked, or its claim link replaced, before it
    /// was due.
    Skipped,
}

impl Status {
    /// Whether nothing more will happen to the message.
    pub fn is_final(self, next_attempt_at: Option<OffsetDateTime>) -> bool {
        match self {
            Self::Sent | Self::Suppressed | Self::Skipped => true,
            Self::Failed => next_attempt_at.is_none(),
            Self::Queued | Self::Sending => false,
        }
    }
}

/// The message itself, kept until it is sent or given up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Body {
    /// The sender's display name (the issuer's name).
    pub from_name: String,
    /// `Reply-To` (the issuer's address).
    pub reply_to: Option<String>,
    /// Subject line.
    pub subject: String,
    /// Plain-text part.
    pub text: String,
    /// HTML part.
    pub html: String,
    /// The `List-Unsubscribe` link.
    pub unsubscribe_url: String,
}

/// One email in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outgoing {
    /// Schema version.
    pub v: V1,
    /// `<award-id>.<n>`.
    pub id: String,
    /// The issuer.
    pub issuer_id: String,
    /// The award.
    pub award_id: String,
    /// Why it is sent.
    pub kind: Kind,
    /// The recipient.
    pub to: String,
    /// The claim token hash the email links to: it is sent only while that is still the
    /// award's live link.
    pub claim_hash: Option<String>,
    /// Where it stands.
    pub status: Status,
    /// Attempts finished.
    pub attempts: u32,
    /// The reason of the last failure or skip.
    pub last_error: Option<String>,
    /// Not sent before this (reminders).
    #[serde(with = "ts")]
    pub not_before: OffsetDateTime,
    /// When the next attempt is due (None once final).
    #[serde(with = "ts_opt")]
    pub next_attempt_at: Option<OffsetDateTime>,
    /// When it was sent.
    #[serde(with = "ts_opt")]
    pub sent_at: Option<OffsetDateTime>,
    /// Created.
    #[serde(with = "ts")]
    pub created_at: OffsetDateTime,
    /// Last written.
    #[serde(with = "ts")]
    pub updated_at: OffsetDateTime,
    /// The message; dropped once final.
    pub body: Option<Body>,
    /// For [`Kind::Webhook`]: where and what to POST; dropped once final.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hook: Option<Hook>,
    /// For [`Kind::Webhook`]: the receiver's last HTTP status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
}

/// A webhook delivery: the issuer's URL, the event's name and its JSON body. It is signed
/// when it is sent, with the issuer's secret of that moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hook {
    /// The issuer's `webhook_url` when the event happened.
    pub url: String,
    /// The event (`assertion.awarded`, `assertion.accepted`, `email.sent`, …).
    pub event: String,
    /// The JSON body.
    pub payload: serde_json::Value,
}

/// The queues the flush walks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    /// Award and resend emails: due at once.
    Now,
    /// Reminders: due at their date.
    Later,
}

impl Queue {
    fn name(self) -> &'static str {
        match self {
            Self::Now => "now",
            Self::Later => "later",
        }
    }
}

/// A message to queue.
#[derive(Debug, Clone)]
pub struct Draft {
    /// Why.
    pub kind: Kind,
    /// The award.
    pub award_id: String,
    /// The issuer.
    pub issuer_id: String,
    /// The recipient.
    pub to: String,
    /// The claim link's token hash.
    pub claim_hash: Option<String>,
    /// Not before.
    pub not_before: OffsetDateTime,
    /// The email (None for a webhook event).
    pub body: Option<Body>,
    /// The webhook event (None for an email).
    pub hook: Option<Hook>,
}

/// Record `draft` in the outbox and its queue. Nothing is sent.
pub async fn enqueue<K: Kv + ?Sized>(
    kv: &K,
    draft: Draft,
    now: OffsetDateTime,
) -> Result<Outgoing, Error> {
    let n = kv
        .increment(&store_keys::mail_seq(&draft.award_id), 1)
        .await?;
    let id = format!("{}.{n}", draft.award_id);
    let record = Outgoing {
        v: V1,
        id: id.clone(),
        issuer_id: draft.issuer_id,
        award_id: draft.award_id,
        kind: draft.kind,
        to: draft.to,
        claim_hash: draft.claim_hash,
        status: Status::Queued,
        attempts: 0,
        last_error: None,
        not_before: draft.not_before,
        next_attempt_at: Some(draft.not_before.max(now)),
        sent_at: None,
        created_at: now,
        updated_at: now,
        body: draft.body,
        hook: draft.hook,
        http_status: None,
    };
    kv::put_json(kv, &store_keys::mail(&id), &record).await?;
    let queue = if draft.kind == Kind::Reminder {
        Queue::Later
    } else {
        Queue::Now
    };
    listing::append(
        kv,
        &store_keys::mail_queue_seq(queue.name()),
        |i| store_keys::mail_queue_idx(queue.name(), i),
        &id,
    )
    .await?;
    Ok(record)
}

/// Queue the webhook event `event` of `award_id` with body `payload`, if the issuer has a
/// webhook (Ok(None) otherwise). Nothing is sent here.
pub async fn enqueue_hook<K: Kv + ?Sized>(
    kv: &K,
    issuer: &Issuer,
    award_id: &str,
    event: &str,
    payload: serde_json::Value,
    now: OffsetDateTime,
) -> Result<Option<Outgoing>, Error> {
    let Some(url) = &issuer.webhook_url else {
        return Ok(None);
    };
    let draft = Draft {
        kind: Kind::Webhook,
        award_id: award_id.to_owned(),
        issuer_id: issuer.id.clone(),
        to: url.clone(),
        claim_hash: None,
        not_before: now,
        body: None,
        hook: Some(Hook {
            url: url.clone(),
            event: event.to_owned(),
            payload,
        }),
    };
    Ok(Some(enqueue(kv, draft, now).await?))
}

/// The record of message `id`.
pub async fn load<K: Kv + ?Sized>(kv: &K, id: &str) -> Result<Option<Outgoing>, Error> {
    Ok(kv::get_json(kv, &store_keys::mail(id)).await?)
}

/// The award's latest email that is not a reminder still waiting for its date (the one an
/// issuer asks about), if any.
pub async fn latest_for_award<K: Kv + ?Sized>(
    kv: &K,
    award_id: &str,
    now: OffsetDateTime,
) -> Result<Option<Outgoing>, Error> {
    let mut n = read_counter(kv, &store_keys::mail_seq(award_id)).await?;
    while n > 0 {
        if let Some(m) = load(kv, &format!("{award_id}.{n}")).await?
            && m.kind != Kind::Webhook
            && !(m.kind == Kind::Reminder && m.not_before > now)
        {
            return Ok(Some(m));
        }
        n -= 1;
    }
    Ok(None)
}

/// What [`attempt`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempted {
    /// This request sent it, or tried and recorded the outcome.
    Done(Outgoing),
    /// Not due, already final, or another request holds the attempt.
    Left(Option<Outgoing>),
}

/// The outcome of one attempt.
enum Outcome {
    Sent,
    Failed(String),
    Bounced(String),
    NotSent(Status, String),
}

/// Why a due message should not go out any more, if so.
fn stale(m: &Outgoing, award: Option<&Award>) -> Option<&'static str> {
    let Some(award) = award else {
        return Some("the award no longer exists");
    };
    if award.revoked.is_some() {
        return Some("the award was revoked");
    }
    let live = award.claim.as_ref().map(|c| c.token_hash.as_str());
    if m.claim_hash.is_some() && m.claim_hash.as_deref() != live {
        return Some("the claim link was replaced by a newer one");
    }
    if m.kind == Kind::Reminder && award.acceptance.state != AcceptanceState::Pending {
        return Some("the earner already answered");
    }
    None
}

/// Try to send message `id` now, if it is due and no other request is sending it.
///
/// Ownership: read the record and the turn counter `t`; if an attempt is recorded as under
/// way (`t` ahead of the finished attempts) and younger than [`LEASE`], leave it. Otherwise
/// increment the counter; only the request that gets `t + 1` sends. Every backend's
/// increment is atomic, so of any number of concurrent flushes one sends.
pub async fn attempt<K: Kv + ?Sized, T: Transports>(
    env: &Env<'_, K>,
    out: &T,
    id: &str,
) -> Result<Attempted, Error> {
    attempt_when(env, out, id, When::Due).await
}

/// Which messages a flush attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// Those whose date or backoff has passed.
    Due,
    /// Also failed ones still waiting out their backoff (after the operator fixed the mail
    /// server); reminders still wait for their date.
    RetryNow,
}

fn is_due(m: &Outgoing, now: OffsetDateTime, when: When) -> bool {
    match m.next_attempt_at {
        None => false,
        Some(at) => at <= now || (when == When::RetryNow && m.status == Status::Failed),
    }
}

async fn attempt_when<K: Kv + ?Sized, T: Transports>(
    env: &Env<'_, K>,
    out: &T,
    id: &str,
    when: When,
) -> Result<Attempted, Error> {
    let mailer = out.mailer();
    let key = store_keys::mail(id);
    let Some(mut m) = load(env.kv, id).await? else {
        return Ok(Attempted::Left(None));
    };
    let now = env.now;
    if m.status.is_final(m.next_attempt_at) || !is_due(&m, now, when) {
        return Ok(Attempted::Left(Some(m)));
    }
    let turn_key = format!("{key}#turn");
    let turn = read_counter(env.kv, &turn_key).await?;
    if turn > i64::from(m.attempts) && m.updated_at + LEASE > now {
        return Ok(Attempted::Left(Some(m)));
    }
    if env.kv.increment(&turn_key, 1).await? != turn + 1 {
        return Ok(Attempted::Left(Some(m)));
    }
    // This request owns the attempt: it alone writes the record until the outcome.
    m.status = Status::Sending;
    m.updated_at = now;
    kv::put_json(env.kv, &key, &m).await?;

    let award = crate::awards::load(env.kv, &m.award_id).await.ok();
    let outcome = if let Some(hook) = &m.hook {
        // Sent to the issuer's webhook as it is now (a fixed URL gets the retries), signed
        // with its secret of now; a webhook removed meanwhile ends the delivery.
        let issuer = crate::issuers::load(env.kv, &m.issuer_id).await.ok();
        match issuer.as_ref().and_then(|i| i.webhook_url.as_deref()) {
            None => Outcome::NotSent(Status::Skipped, "the issuer removed its webhook".to_owned()),
            Some(url) => {
                let body = serde_json::to_vec(&hook.payload).unwrap_or_default();
                let secret = issuer.as_ref().and_then(|i| i.webhook_secret.as_deref());
                let signature = secret.map(|s| webhook::signature(s, now.unix_timestamp(), &body));
                let delivery = out.webhooks().post_json(url, body, signature).await;
                m.http_status = delivery.status;
                m.to = url.to_owned();
                if delivery.delivered {
                    Outcome::Sent
                } else {
                    Outcome::Failed(delivery.error.unwrap_or_else(|| "not delivered".to_owned()))
                }
            }
        }
    } else if let Some(reason) = stale(&m, award.as_ref()) {
        Outcome::NotSent(Status::Skipped, reason.to_owned())
    } else if let Some(s) = suppression::check(env.kv, &m.issuer_id, &m.to).await? {
        let reason = serde_json::to_value(s.reason).ok();
        let reason = reason
            .as_ref()
            .and_then(|r| r.as_str())
            .unwrap_or("suppressed");
        Outcome::NotSent(Status::Suppressed, reason.to_owned())
    } else {
        match (mailer.sender().await?, &m.body) {
            (Some(from), Some(body)) => {
                let envelope = message::build(&Parts {
                    from_address: &from,
                    from_name: &body.from_name,
                    reply_to: body.reply_to.as_deref(),
                    to: &m.to,
                    subject: &body.subject,
                    text: &body.text,
                    html: &body.html,
                    message_id: &m.id,
                    host: &message_host(env.base.authority()),
                    unsubscribe_url: &body.unsubscribe_url,
                    date: now,
                });
                match mailer.send(&envelope).await {
                    Ok(()) => Outcome::Sent,
                    Err(e) if e.permanent => Outcome::Bounced(describe(&e)),
                    Err(e) => Outcome::Failed(describe(&e)),
                }
            }
            (None, _) => Outcome::Failed("email delivery is not configured".to_owned()),
            (Some(_), None) => Outcome::NotSent(Status::Failed, "the message is gone".to_owned()),
        }
    };
    m.attempts += 1;
    m.updated_at = now;
    m.next_attempt_at = None;
    match outcome {
        Outcome::Sent => {
            m.status = Status::Sent;
            m.sent_at = Some(now);
            m.last_error = None;
        }
        Outcome::Bounced(reason) => {
            let hash = suppression::email_hash(&m.to);
            suppression::add(env.kv, &m.issuer_id, &hash, Reason::Bounced, now).await?;
            m.status = Status::Failed;
            m.last_error = Some(format!("refused for good, address suppressed: {reason}"));
        }
        Outcome::Failed(reason) => {
            m.status = Status::Failed;
            m.last_error = Some(reason);
            m.next_attempt_at = BACKOFF.get(m.attempts as usize - 1).map(|d| now + *d);
        }
        Outcome::NotSent(status, reason) => {
            m.status = status;
            m.last_error = Some(reason);
        }
    }
    if m.status.is_final(m.next_attempt_at) {
        m.body = None;
        m.hook = None;
    }
    kv::put_json(env.kv, &key, &m).await?;
    if m.kind != Kind::Webhook
        && matches!(m.status, Status::Sent | Status::Failed)
        && let (Ok(issuer), Some(award)) =
            (crate::issuers::load(env.kv, &m.issuer_id).await, &award)
    {
        let event = if m.status == Status::Sent {
            "email.sent"
        } else {
            "email.failed"
        };
        let extra = serde_json::json!({"email": {"message_id": m.id, "kind": m.kind,
            "status": m.status, "attempts": m.attempts, "last_error": m.last_error,
            "next_attempt_at": m.next_attempt_at.map(emblem_badges::clock::format)}});
        let payload = webhook::event_payload(event, award, env.base, now, Some(extra));
        enqueue_hook(env.kv, &issuer, &m.award_id, event, payload, now).await?;
    }
    Ok(Attempted::Done(m))
}

/// The host part of a `Message-ID` (a dot-atom: no port, no brackets, no colons).
fn message_host(authority: &str) -> String {
    let host = match authority.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => authority,
    };
    host.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

fn describe(e: &SendError) -> String {
    let mut reason: String = e.reason.chars().filter(|c| !c.is_control()).collect();
    reason.truncate(300);
    reason
}

/// What a flush did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Flushed {
    /// Records looked at.
    pub examined: u32,
    /// Sent now.
    pub sent: u32,
    /// Tried and failed now (to be retried, or given up).
    pub failed: u32,
    /// Suppressed or skipped now.
    pub not_sent: u32,
    /// Records still waiting (retry or date not reached, or another request on them).
    pub waiting: u32,
}

/// Attempt every due message, at most `budget` attempts and [`FLUSH_SCAN`] records per
/// queue; advances each queue's starting point past the messages that are final.
pub async fn flush<K: Kv + ?Sized, T: Transports>(
    env: &Env<'_, K>,
    out: &T,
    budget: u32,
    when: When,
) -> Result<Flushed, Error> {
    let mut report = Flushed::default();
    let mut attempts = 0;
    for queue in [Queue::Now, Queue::Later] {
        let name = queue.name();
        let low_key = store_keys::mail_queue_low(name);
        let low: i64 = kv::get_json(env.kv, &low_key).await?.unwrap_or(1);
        let high = read_counter(env.kv, &store_keys::mail_queue_seq(name)).await?;
        let mut new_low = None;
        let mut n = low.max(1);
        while n <= high && n < low + FLUSH_SCAN {
            let id: Option<String> =
                kv::get_json(env.kv, &store_keys::mail_queue_idx(name, n)).await?;
            let record = match &id {
                Some(id) => load(env.kv, id).await?,
                None => None,
            };
            report.examined += 1;
            let Some(record) = record else {
                // An index entry whose record was never written: nothing to send.
                n += 1;
                continue;
            };
            let due = is_due(&record, env.now, when);
            let fin = record.status.is_final(record.next_attempt_at);
            if queue == Queue::Later && !fin && !due {
                // Reminders fall due in queue order: nothing after this one is due either.
                new_low.get_or_insert(n);
                report.waiting += 1;
                break;
            }
            let record = if !fin && due && attempts < budget {
                attempts += 1;
                match attempt_when(env, out, &record.id, when).await? {
                    Attempted::Done(m) => {
                        match m.status {
                            Status::Sent => report.sent += 1,
                            Status::Failed => report.failed += 1,
                            _ => report.not_sent += 1,
                        }
                        m
                    }
                    Attempted::Left(m) => m.unwrap_or(record),
                }
            } else {
                record
            };
            if !record.status.is_final(record.next_attempt_at) {
                report.waiting += 1;
                new_low.get_or_insert(n);
            }
            n += 1;
        }
        let new_low = new_low.unwrap_or(n);
        if new_low > low {
            kv::put_json(env.kv, &low_key, &new_low).await?;
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests;
