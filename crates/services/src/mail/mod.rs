//! Email delivery: the award, resend and claim-reminder emails, sent by Emblem itself over
//! SMTP submission, through an outbox in the store so that no email is lost silently and none
//! is sent twice for one award event.
//!
//! 1. [`outbox::enqueue`] records the rendered email under `mail/<message-id>` (status
//!    `queued`) *before* anything is sent, and appends it to the due queue. A reminder is
//!    queued at award time with a not-before date and is skipped when it falls due if the
//!    award was answered, revoked or given a new claim link meanwhile.
//! 2. [`outbox::attempt`] sends one message. An attempt is owned through an atomic
//!    increment of `mail/<message-id>#turn` (sound on every Spin backend): of several
//!    instances retrying the same message at once, one sends. The outcome is written back:
//!    `sent`; `failed` with the reason and the time of the next try (backoff 1 min, 5 min,
//!    30 min, 2 h, 6 h, 12 h, 24 h, then given up); or, for a permanent refusal of the
//!    recipient (SMTP 5xx), `failed` for good and the address suppressed for that issuer as
//!    `bounced`.
//! 3. Retries need no human: the issuing component sends a new message at once and then
//!    retries a few due ones on every award and resend ([`outbox::flush`] with a small
//!    budget), and `POST /api/v1/mail/flush` (admin token) runs the same flush for a
//!    scheduler (cron, a Spin cron trigger, a Kubernetes CronJob).
//! 4. A suppressed address ([`suppression`]: unsubscribed through the `List-Unsubscribe`
//!    link, bounced, or added by the issuer) gets no mail from that issuer: the message is
//!    recorded as `suppressed`.
//! 5. The message ([`message`]) is multipart text + HTML, with `Reply-To` the issuer's
//!    address, `List-Unsubscribe` (a link and RFC 8058 one-click) and a `Message-ID` fixed per
//!    event, so a receiving server can drop a duplicate.
//!
//! The rendered body contains the claim link, whose token the store otherwise keeps only as
//! a hash; the outbox drops the body once the message is sent or given up.

pub mod deliver;
pub mod expired;
pub mod message;
pub mod outbox;
pub mod suppression;

use emblem_badges::error::Error;

/// What a mail transport needs to send one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// `MAIL FROM` (the `mail_from` address).
    pub from: String,
    /// `RCPT TO`.
    pub to: String,
    /// The RFC 5322 message, CRLF line endings.
    pub data: Vec<u8>,
}

/// Why a send failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError {
    /// The server refused the recipient or the message for good (an SMTP 5xx reply to
    /// `RCPT TO` or `DATA`): retrying will not help.
    pub permanent: bool,
    /// What happened, for the delivery status (no secrets: never the SMTP password).
    pub reason: String,
}

impl SendError {
    /// A failure worth retrying.
    pub fn transient(reason: impl Into<String>) -> Self {
        Self {
            permanent: false,
            reason: reason.into(),
        }
    }

    /// A refusal retrying will not change.
    pub fn permanent(reason: impl Into<String>) -> Self {
        Self {
            permanent: true,
            reason: reason.into(),
        }
    }
}

/// A mail transport (SMTP in `emblem-edge`).
#[expect(
    async_fn_in_trait,
    reason = "components are single-threaded WebAssembly; no Send bound is wanted"
)]
pub trait Mailer {
    /// The sender address (`mail_from`), or None when email delivery is not configured: then
    /// nothing is queued and award responses say so. An error when delivery is configured
    /// wrongly (an `smtp_url` that does not parse): the request fails rather than lose email.
    async fn sender(&self) -> Result<Option<String>, Error>;
    /// Send one message.
    async fn send(&self, envelope: &Envelope) -> Result<(), SendError>;
}

/// What leaves Emblem: email and webhook deliveries (the outbox sends both).
pub trait Transports {
    /// The mail transport.
    type M: Mailer;
    /// The webhook sender.
    type W: crate::webhook::Webhooks;
    /// The mail transport.
    fn mailer(&self) -> &Self::M;
    /// The webhook sender.
    fn webhooks(&self) -> &Self::W;
}

/// Nothing leaves: email delivery is off and webhook deliveries report as failed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Offline;

impl Transports for Offline {
    type M = NoMail;
    type W = crate::webhook::NoWebhooks;
    fn mailer(&self) -> &NoMail {
        &NoMail
    }
    fn webhooks(&self) -> &crate::webhook::NoWebhooks {
        &crate::webhook::NoWebhooks
    }
}

/// No mail transport: email delivery is off (the issuer carries the email from the API
/// response or its webhook, as before).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoMail;

impl Mailer for NoMail {
    async fn sender(&self) -> Result<Option<String>, Error> {
        Ok(None)
    }

    async fn send(&self, _envelope: &Envelope) -> Result<(), SendError> {
        Err(SendError::transient("email delivery is not configured"))
    }
}
