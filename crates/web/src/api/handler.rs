//! The issuer API from route to reply, in two halves around the body read.
//!
//! 1. [`begin`]: match the route (404/405) and authenticate for it (401/403/429/503). The
//!    component calls this before touching the body, so unauthenticated clients cannot make it
//!    read (or fail on) a large body.
//! 2. The component checks the content type ([`check_content_type`], 415) and reads the body
//!    under [`super::MAX_BODY`] (413).
//! 3. [`perform`]: parse the body (400), validate it (422) and run the service; the typed
//!    result becomes the JSON reply with its status (200, 201 + `Location`, 204). Creating an
//!    award and resending its claim link also render the award email and, when the issuer has
//!    a webhook, POST it there ([`perform_with`] takes the sender); the delivery outcome is in
//!    the reply and never fails the call.
//! 4. [`finish`]: errors become problem documents, and every reply gets
//!    `Cache-Control: no-store`.

use serde_json::Value;

use super::input::{
    EmailInput, IssuerUpdate, NewAward, NewBadge, NewIssuer, NewKey, Recertify, Revoke,
};
use super::paging;
use super::views::{
    AwardDetailView, AwardSentView, AwardView, BadgeView, EmailDeliveryView, IssuerView, Page,
};
use super::{PREFIX, Route, require_json, route};
use crate::auth::{self, Attempt, Principal};
use crate::email::Occasion;
use crate::env::Env;
use crate::error::{Conflict, Error, Forbidden};
use crate::kv::Kv;
use crate::reply::Reply;
use crate::service::awards::Created;
use crate::service::idempotency;
use crate::service::mail::deliver;
use crate::service::mail::outbox;
use crate::service::mail::suppression::{self, Reason};
use crate::service::{apikeys, awards, badges, issuers};
use crate::validate::parse_json;
use crate::webhook;

/// A routed, authenticated call waiting for its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The route.
    pub route: Route,
    /// Who is calling.
    pub principal: Principal,
}

/// Steps 1: route and authenticate.
pub async fn begin<K: Kv + ?Sized>(
    env: &Env<'_, K>,
    admin_token: Option<&str>,
    method: &str,
    path: &str,
    attempt: Attempt<'_>,
) -> Result<Call, Error> {
    let route = route(method, path)?;
    let principal = auth::authenticate(env, admin_token, attempt, route.access()).await?;
    Ok(Call { route, principal })
}

/// Step 2 (before reading): 415 unless a body-carrying route gets `application/json`. A
/// missing type is accepted where an empty body is allowed; [`perform`] rejects it if a body
/// came after all.
pub fn check_content_type(route: &Route, content_type: Option<&str>) -> Result<(), Error> {
    if !route.has_body() || (route.empty_body_ok() && content_type.is_none()) {
        return Ok(());
    }
    if matches!(route, Route::AwardCohort(_)) {
        return super::cohort::check_content_type(content_type).map(|_| ());
    }
    require_json(content_type)
}

fn parse_body(route: &Route, content_type: Option<&str>, body: &[u8]) -> Result<Value, Error> {
    if route.empty_body_ok() && body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(serde_json::Map::new()));
    }
    require_json(content_type)?;
    parse_json(body)
}

fn issuer_of(principal: &Principal) -> Result<&str, Error> {
    principal
        .issuer_id()
        .ok_or(Error::Forbidden(Forbidden::AdminOnIssuerRoute))
}

fn created<T: serde::Serialize>(base: &crate::BaseUrl, path: String, view: &T) -> Reply {
    Reply::json(201, view).with_header("location", base.join(&format!("{PREFIX}{path}")))
}

/// Step 4: the final reply for a result. Errors become problem documents; nothing the API
/// returns may be cached (responses carry API keys and recipients' emails).
pub fn finish(result: Result<Reply, Error>) -> Reply {
    let mut reply = result.unwrap_or_else(|e| Reply::problem(&e));
    reply.set_header("cache-control", "no-store");
    reply
}

/// The award with its new claim link, its email (queued and attempted when Emblem sends
/// email itself), and the webhook delivery (if any).
pub(crate) async fn sent<K: Kv + ?Sized, O: Outbound>(
    env: &Env<'_, K>,
    made: &Created,
    occasion: Occasion,
    out: &O,
) -> Result<AwardSentView, Error> {
    let award = &made.award;
    let badge = badges::load(env.kv, &award.badge_id).await?;
    let issuer = issuers::load(env.kv, &award.issuer_id).await?;
    let view = AwardView::new(award, env.base, env.now, Some(&made.claim_token));
    let claim_url = view.claim_url.clone().unwrap_or_default();
    let link = deliver::Link {
        url: &claim_url,
        expires_at: view.claim_expires_at,
    };
    let event = deliver::Event {
        occasion,
        award,
        badge: &badge,
        issuer: &issuer,
        link,
        send_now: true,
    };
    let delivered = deliver::award_event(env, out, event).await?;
    let mail = delivered.email;
    let delivery = match queue_award_hook(env, &issuer, award, &view, &mail, occasion).await? {
        Some((url, id)) => Some(hook_delivery(env, out, &url, &id).await?),
        None => None,
    };
    Ok(AwardSentView {
        award: view,
        email: mail,
        webhook: delivery,
        email_delivery: delivered.outbox.as_ref().map(EmailDeliveryView::new),
    })
}

/// Queue the issuer's webhook event for the award email `mail` of `award` (`view` is its
/// API view with the new claim link), if the issuer has a webhook: its URL and the queued
/// delivery's id.
pub(crate) async fn queue_award_hook<K: Kv + ?Sized>(
    env: &Env<'_, K>,
    issuer: &crate::model::issuer::Issuer,
    award: &crate::model::award::Award,
    view: &AwardView,
    mail: &crate::email::AwardEmail,
    occasion: Occasion,
) -> Result<Option<(String, String)>, Error> {
    let Some(url) = &issuer.webhook_url else {
        return Ok(None);
    };
    let claim_url = view.claim_url.clone().unwrap_or_default();
    let (event, name) = match occasion {
        Occasion::Resent => (webhook::Event::Resent, "assertion.claim_resent"),
        Occasion::Awarded | Occasion::Reminder => (webhook::Event::Awarded, "assertion.awarded"),
    };
    let payload = webhook::Payload {
        event,
        assertion_id: &award.id,
        assertion_url: view.assertion_url.clone(),
        issuer_id: &award.issuer_id,
        to: &mail.to,
        claim_url: &claim_url,
        claim_expires_at: view.claim_expires_at,
        email: mail,
    };
    let payload = serde_json::to_value(&payload).unwrap_or_default();
    let queued = outbox::enqueue_hook(env.kv, issuer, &award.id, name, payload, env.now).await?;
    Ok(queued.map(|q| (url.clone(), q.id)))
}

/// What leaves Emblem during a call: email and webhook deliveries (both through the outbox).
pub use crate::service::mail::{Offline, Transports};
pub use crate::signed::Signer;

/// What the issuer API reaches beyond its store: mail, webhooks ([`Transports`]) and the
/// component holding the signing keys ([`Signer`]).
pub trait Outbound: Transports + Signer {}

impl<T: Transports + Signer> Outbound for T {}

/// [`Offline`] signs in this component (the vault of its `Env`): native tests.
impl Signer for Offline {
    async fn enable_signing<K2: Kv + ?Sized>(
        &self,
        env: &Env<'_, K2>,
        issuer_id: &str,
    ) -> Result<Reply, Error> {
        crate::signed::Here.enable_signing(env, issuer_id).await
    }
    async fn sign_award<K2: Kv + ?Sized>(
        &self,
        env: &Env<'_, K2>,
        issuer_id: &str,
        award_id: &str,
    ) -> Result<Reply, Error> {
        crate::signed::Here
            .sign_award(env, issuer_id, award_id)
            .await
    }
}

/// Attempt the queued webhook event `id` now and report it as the response's `webhook`.
pub(crate) async fn hook_delivery<K: Kv + ?Sized, O: Outbound>(
    env: &Env<'_, K>,
    out: &O,
    url: &str,
    id: &str,
) -> Result<webhook::Delivery, Error> {
    let record = match outbox::attempt(env, out, id).await? {
        outbox::Attempted::Done(m) => Some(m),
        outbox::Attempted::Left(m) => m,
    };
    Ok(match record {
        Some(m) if m.status == outbox::Status::Sent => webhook::Delivery {
            url: url.to_owned(),
            delivered: true,
            status: m.http_status,
            error: None,
        },
        Some(m) => webhook::Delivery {
            url: url.to_owned(),
            delivered: false,
            status: m.http_status,
            error: m.last_error,
        },
        None => webhook::Delivery::failed(url, "the delivery was not recorded"),
    })
}

/// Queue the lifecycle event `event` of `award` for the issuer's webhook, if it has one, and
/// attempt it. A failure is retried by the outbox; it never fails the call.
async fn emit<K: Kv + ?Sized, O: Outbound>(
    env: &Env<'_, K>,
    out: &O,
    award: &crate::model::award::Award,
    event: &str,
) -> Result<(), Error> {
    let issuer = issuers::load(env.kv, &award.issuer_id).await?;
    let payload = webhook::event_payload(event, award, env.base, env.now, None);
    if let Some(q) =
        outbox::enqueue_hook(env.kv, &issuer, &award.id, event, payload, env.now).await?
    {
        outbox::attempt(env, out, &q.id).await?;
    }
    Ok(())
}

/// Step 3: parse, validate and act, with no webhook sender (deliveries report as failed).
pub async fn perform<K: Kv + ?Sized>(
    env: &Env<'_, K>,
    call: Call,
    query: Option<&str>,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<Reply, Error> {
    perform_with(env, call, query, content_type, body, &Offline).await
}

/// Step 3: parse, validate and act; award emails go out through `out` (Emblem's own email
/// delivery and the issuer's webhook).
pub async fn perform_with<K: Kv + ?Sized, O: Outbound>(
    env: &Env<'_, K>,
    call: Call,
    query: Option<&str>,
    content_type: Option<&str>,
    body: &[u8],
    out: &O,
) -> Result<Reply, Error> {
    let Call { route, principal } = call;
    let input = if route.has_body() && !matches!(route, Route::AwardCohort(_)) {
        parse_body(&route, content_type, body)?
    } else {
        Value::Null
    };
    let base = env.base;
    Ok(match route {
        Route::CreateIssuer => {
            let issuer = issuers::create(env, NewIssuer::parse(&input)?).await?;
            created(
                base,
                format!("/issuers/{}", issuer.id),
                &IssuerView::new(&issuer, base),
            )
        }
        Route::GetIssuer(id) => {
            let issuer = issuers::get(env.kv, &principal, &id).await?;
            Reply::json(200, &IssuerView::new(&issuer, base))
        }
        Route::UpdateIssuer(id) => {
            let change = IssuerUpdate::parse(&input, env.policy.webhook_loopback_http)?;
            let fresh = issuers::new_webhook_secret(env.entropy);
            let issuer = issuers::update(env.kv, &principal, &id, change, &fresh).await?;
            let mut view = IssuerView::new(&issuer, base);
            view.webhook_secret =
                (issuer.webhook_secret.as_deref() == Some(fresh.as_str())).then_some(fresh);
            Reply::json(200, &view)
        }
        Route::RotateWebhookSecret(id) => {
            let fresh = issuers::new_webhook_secret(env.entropy);
            let issuer = issuers::rotate_webhook_secret(env.kv, &principal, &id, &fresh).await?;
            let mut view = IssuerView::new(&issuer, base);
            view.webhook_secret = Some(fresh);
            Reply::json(200, &view)
        }
        Route::CreateKey(issuer_id) => {
            let key = apikeys::create(env, &issuer_id, NewKey::parse(&input)?).await?;
            Reply::json(201, &key)
        }
        Route::ListKeys(issuer_id) => Reply::json(200, &apikeys::list(env.kv, &issuer_id).await?),
        Route::DeleteKey(issuer_id, key_id) => {
            apikeys::delete(env.kv, &issuer_id, &key_id).await?;
            Reply::empty(204)
        }
        Route::CreateBadge => {
            let issuer_id = issuer_of(&principal)?;
            let badge = badges::create(env, issuer_id, NewBadge::parse(&input)?).await?;
            created(
                base,
                format!("/badgeclasses/{}", badge.id),
                &BadgeView::new(&badge, base),
            )
        }
        Route::ListBadges => {
            let page = paging::parse_query(query)?;
            let listed = badges::list(env.kv, issuer_of(&principal)?, page).await?;
            Reply::json(
                200,
                &Page {
                    items: listed
                        .items
                        .iter()
                        .map(|b| BadgeView::new(b, base))
                        .collect(),
                    next_cursor: listed.next_cursor,
                    total: listed.total,
                },
            )
        }
        Route::GetBadge(id) => {
            let badge = badges::get(env.kv, issuer_of(&principal)?, &id).await?;
            Reply::json(200, &BadgeView::new(&badge, base))
        }
        Route::ListAwards(badge_id) => {
            let page = paging::parse_query(query)?;
            let listed =
                awards::list_for_badge(env.kv, issuer_of(&principal)?, &badge_id, page).await?;
            Reply::json(
                200,
                &Page {
                    items: listed
                        .items
                        .iter()
                        .map(|a| AwardView::new(a, base, env.now, None))
                        .collect(),
                    next_cursor: listed.next_cursor,
                    total: listed.total,
                },
            )
        }
        Route::CreateAward => {
            let issuer_id = issuer_of(&principal)?;
            let input = NewAward::parse(&input, env.now, env.policy.issued_on_skew)?;
            let made = awards::create(env, issuer_id, input).await?;
            let view = sent(env, &made, Occasion::Awarded, out).await?;
            created(base, format!("/assertions/{}", made.award.id), &view)
        }
        Route::UpdateBadge(id) => {
            match badges::edit(env, issuer_of(&principal)?, &id, &input).await? {
                badges::Edited::InPlace(badge) => Reply::json(200, &BadgeView::new(&badge, base)),
                badges::Edited::NewVersion(badge) => created(
                    base,
                    format!("/badgeclasses/{}", badge.id),
                    &BadgeView::new(&badge, base),
                ),
            }
        }
        Route::Replace(id) => {
            let email = EmailInput::parse(&input)?;
            let made = awards::replace(env, issuer_of(&principal)?, &id, email).await?;
            Reply::json(200, &sent(env, &made, Occasion::Awarded, out).await?)
        }
        Route::Resend(id) => {
            let made = awards::resend(env, issuer_of(&principal)?, &id).await?;
            Reply::json(200, &sent(env, &made, Occasion::Resent, out).await?)
        }
        Route::GetAward(id) => {
            let award = awards::get(env.kv, issuer_of(&principal)?, &id).await?;
            let latest = outbox::latest_for_award(env.kv, &award.id, env.now).await?;
            Reply::json(
                200,
                &AwardDetailView {
                    award: AwardView::new(&award, base, env.now, None),
                    email_delivery: latest.as_ref().map(EmailDeliveryView::new),
                },
            )
        }
        Route::AwardCohort(badge_id) => {
            let issuer_id = issuer_of(&principal)?;
            super::cohort::perform(env, issuer_id, &badge_id, content_type, body, out).await?
        }
        Route::FlushMail => {
            let budget = paging::limit_query(query, 50, 500)?;
            let retry_now = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
                .any(|(k, v)| k == "retry" && v == "now");
            let when = if retry_now {
                outbox::When::RetryNow
            } else {
                outbox::When::Due
            };
            // Awards that reached their expiry queue their `assertion.expired` events first,
            // so this flush delivers them.
            let expired =
                crate::service::mail::expired::sweep(env, budget.saturating_mul(10)).await?;
            let flushed = outbox::flush(env, out, budget, when).await?;
            // The same scheduler keeps failed-login records from outliving their window.
            let swept =
                crate::auth::lockout::sweep(env.kv, env.policy, env.now, budget.saturating_mul(10))
                    .await?;
            let mut body = serde_json::to_value(&flushed).unwrap_or_default();
            if let Some(obj) = body.as_object_mut() {
                obj.insert("failure_records_deleted".into(), swept.records.into());
                obj.insert("expired_events_queued".into(), expired.queued.into());
            }
            Reply::json(200, &body)
        }
        Route::Suppress => {
            let issuer_id = issuer_of(&principal)?;
            let email = EmailInput::parse(&input)?;
            let hash = suppression::email_hash(&email);
            let record =
                suppression::add(env.kv, issuer_id, &hash, Reason::Manual, env.now).await?;
            Reply::json(
                200,
                &serde_json::json!({"email": email, "reason": record.reason, "since": record.at.unix_timestamp()}),
            )
        }
        Route::Unsuppress => {
            let issuer_id = issuer_of(&principal)?;
            let email = EmailInput::parse(&input)?;
            let removed = suppression::remove(env.kv, issuer_id, &email).await?;
            Reply::json(
                200,
                &serde_json::json!({"email": email, "removed": removed}),
            )
        }
        Route::Revoke(id) => {
            let input = Revoke::parse(&input)?;
            let award = awards::revoke(env, issuer_of(&principal)?, &id, input).await?;
            emit(env, out, &award, "assertion.revoked").await?;
            Reply::json(200, &AwardView::new(&award, base, env.now, None))
        }
        Route::Recertify(id) => {
            let input = Recertify::parse(&input)?;
            let award = awards::recertify(env, issuer_of(&principal)?, &id, input).await?;
            emit(env, out, &award, "assertion.recertified").await?;
            Reply::json(200, &AwardView::new(&award, base, env.now, None))
        }
        Route::Shares(id) => {
            let award = awards::get(env.kv, issuer_of(&principal)?, &id).await?;
            Reply::json(
                200,
                &crate::service::counters::read(env.kv, &award.id).await?,
            )
        }
        Route::EnableSigning(id) => {
            if issuer_of(&principal)? != id {
                return Err(Error::not_found(crate::error::ObjectKind::Issuer, id));
            }
            out.enable_signing(env, &id).await?
        }
        Route::SignAward(id) => out.sign_award(env, issuer_of(&principal)?, &id).await?,
    })
}

#[cfg(test)]
mod tests;

/// Step 3 with `Idempotency-Key` (`key`, from a POST): a retry of a request that was answered
/// gets the stored answer (with `Idempotent-Replayed: true`); the same key with another
/// request is 422; while the first is in flight, 409. Without a key, [`perform_with`].
#[expect(
    clippy::too_many_arguments,
    reason = "the request's parts, as perform_with takes them"
)]
pub async fn perform_idempotent<K: Kv + ?Sized, O: Outbound>(
    env: &Env<'_, K>,
    call: Call,
    key: Option<&str>,
    path: &str,
    query: Option<&str>,
    content_type: Option<&str>,
    body: &[u8],
    out: &O,
) -> Result<Reply, Error> {
    let Some(key) = key else {
        return perform_with(env, call, query, content_type, body, out).await;
    };
    idempotency::check_key(key).map_err(|reason| {
        Error::Malformed(crate::error::Malformed::Header {
            name: "Idempotency-Key",
            reason,
        })
    })?;
    let scope = call.principal.issuer_id().unwrap_or("admin").to_owned();
    let target = match query {
        Some(q) => format!("{path}?{q}"),
        None => path.to_owned(),
    };
    let fingerprint = idempotency::fingerprint("POST", &target, content_type, body);
    let ticket = match idempotency::begin(env.kv, &scope, key, &fingerprint, env.now).await? {
        idempotency::Begin::Act(ticket) => ticket,
        idempotency::Begin::Replay(answer) => {
            let mut reply = Reply::bytes(
                answer.status,
                answer.content_type.as_deref().unwrap_or(crate::reply::JSON),
                answer.body.into_bytes(),
            );
            if let Some(location) = answer.location {
                reply.set_header("location", location);
            }
            reply.set_header("idempotent-replayed", "true");
            return Ok(reply);
        }
        idempotency::Begin::InFlight => return Err(Error::Conflict(Conflict::InFlight)),
        idempotency::Begin::Mismatch => {
            return Err(Error::invalid(
                "Idempotency-Key",
                "this key was already used for a different request; use a new key for a new \
                 request",
            ));
        }
    };
    let reply = perform_with(env, call, query, content_type, body, out)
        .await
        .unwrap_or_else(|e| Reply::problem(&e));
    let answer = idempotency::Answer {
        status: reply.status,
        location: reply.header("location").map(str::to_owned),
        content_type: reply.header("content-type").map(str::to_owned),
        body: String::from_utf8_lossy(&reply.body).into_owned(),
    };
    if let Err(e) = idempotency::finish(env.kv, ticket, answer).await {
        eprintln!("emblem: storing an idempotent answer: {e}");
    }
    Ok(reply)
}
