//! Queue and send the emails of one award event (award or resend): the email itself, due at
//! once, and a reminder due [`crate::Policy::claim_reminder`] later; then retry a few other
//! due messages, so retries happen without a scheduler while awards keep coming.

use time::OffsetDateTime;

use super::outbox::{self, Attempted, Body, Draft, Kind, Outgoing};
use super::suppression;
use super::{Mailer, Transports};
use crate::email::{self, AwardEmail, Occasion};
use crate::env::Env;
use crate::kv::Kv;
use emblem_badges::error::Error;
use emblem_badges::model::award::Award;
use emblem_badges::model::badge::BadgeClass;
use emblem_badges::model::issuer::Issuer;

/// Due messages retried after an award event, besides its own.
pub const PIGGYBACK_BUDGET: u32 = 2;

/// The claim link of the event.
#[derive(Debug, Clone, Copy)]
pub struct Link<'a> {
    /// `<base>/claim/<token>`.
    pub url: &'a str,
    /// When it stops working.
    pub expires_at: Option<OffsetDateTime>,
}

/// One award event: what happened, to which award, and whether to send at once.
#[derive(Debug, Clone, Copy)]
pub struct Event<'a> {
    /// Award or resend.
    pub occasion: Occasion,
    /// The award.
    pub award: &'a Award,
    /// Its class.
    pub badge: &'a BadgeClass,
    /// Its issuer.
    pub issuer: &'a Issuer,
    /// The claim link.
    pub link: Link<'a>,
    /// Attempt the email within this request.
    pub send_now: bool,
}

/// The event's email as rendered, and its outbox record when Emblem sends it.
#[derive(Debug, Clone)]
pub struct Delivered {
    /// The email (also returned to the issuer).
    pub email: AwardEmail,
    /// The outbox record after the first attempt; None when delivery is not configured.
    pub outbox: Option<Outgoing>,
}

fn body(issuer: &Issuer, email: &AwardEmail, unsubscribe_url: &str) -> Body {
    Body {
        from_name: issuer.name.clone(),
        reply_to: Some(issuer.email.clone()).filter(|e| !e.is_empty()),
        subject: email.subject.clone(),
        text: email.text.clone(),
        html: email.html.clone(),
        unsubscribe_url: unsubscribe_url.to_owned(),
    }
}

/// Render the event's email and, when `mailer` is configured, queue it (and its reminder)
/// and, if `send_now`, attempt it and two other due emails (a cohort attempts its first rows
/// only and leaves the rest to the flush). A store or transport failure here never fails the award: it shows in the
/// outbox record (or, if the record could not be written, in the log and a `None` outbox).
pub async fn award_event<K: Kv + ?Sized, T: Transports>(
    env: &Env<'_, K>,
    out: &T,
    event: Event<'_>,
) -> Result<Delivered, Error> {
    let mailer = out.mailer();
    let Event {
        occasion,
        award,
        badge,
        issuer,
        link,
        send_now,
    } = event;
    let render = |occasion, unsubscribe: Option<&str>| {
        email::render(
            occasion,
            award,
            badge,
            issuer,
            env.base,
            link.url,
            link.expires_at,
            unsubscribe,
        )
    };
    if mailer.sender().await?.is_none() {
        return Ok(Delivered {
            email: render(occasion, None)?,
            outbox: None,
        });
    }
    let token =
        suppression::mint_token(env.kv, env.entropy, &issuer.id, &award.recipient.email).await?;
    let unsubscribe_url = env.base.join(&format!("/unsubscribe/{token}"));
    let email = render(occasion, Some(&unsubscribe_url))?;
    let claim_hash = award.claim.as_ref().map(|c| c.token_hash.clone());
    let draft = |kind, email: &AwardEmail, not_before| Draft {
        kind,
        award_id: award.id.clone(),
        issuer_id: issuer.id.clone(),
        to: award.recipient.email.clone(),
        claim_hash: claim_hash.clone(),
        not_before,
        body: Some(body(issuer, email, &unsubscribe_url)),
        hook: None,
    };
    let kind = match occasion {
        Occasion::Resent => Kind::Resent,
        Occasion::Awarded | Occasion::Reminder => Kind::Awarded,
    };
    let queued = outbox::enqueue(env.kv, draft(kind, &email, env.now), env.now).await?;
    if let Some(after) = env.policy.claim_reminder {
        let due = env.now + after;
        if link.expires_at.is_none_or(|expires| due < expires) {
            let reminder = render(Occasion::Reminder, Some(&unsubscribe_url))?;
            outbox::enqueue(env.kv, draft(Kind::Reminder, &reminder, due), env.now).await?;
        }
    }
    if !send_now {
        return Ok(Delivered {
            email,
            outbox: Some(queued),
        });
    }
    let record = match outbox::attempt(env, out, &queued.id).await? {
        Attempted::Done(m) => m,
        Attempted::Left(m) => m.unwrap_or(queued),
    };
    if let Err(e) = outbox::flush(env, out, PIGGYBACK_BUDGET, outbox::When::Due).await {
        eprintln!("emblem: retrying queued email: {e}");
    }
    Ok(Delivered {
        email,
        outbox: Some(record),
    })
}
