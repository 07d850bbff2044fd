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

use super::input::{IssuerUpdate, NewAward, NewBadge, NewIssuer, NewKey, Recertify, Revoke};
use super::paging;
use super::views::{AwardSentView, AwardView, BadgeView, IssuerView, Page};
use super::{PREFIX, Route, require_json, route};
use crate::auth::{self, Attempt, Principal};
use crate::email::{self, Occasion};
use crate::env::Env;
use crate::error::{Error, Forbidden};
use crate::kv::Kv;
use crate::reply::Reply;
use crate::service::awards::Created;
use crate::service::{apikeys, awards, badges, issuers, signing};
use crate::validate::parse_json;
use crate::webhook::{self, NoWebhooks, Webhooks};

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

/// The award with its new claim link, its email, and the webhook delivery (if any).
async fn sent<K: Kv + ?Sized, W: Webhooks>(
    env: &Env<'_, K>,
    made: &Created,
    occasion: Occasion,
    webhooks: &W,
) -> Result<AwardSentView, Error> {
    let award = &made.award;
    let badge = badges::load(env.kv, &award.badge_id).await?;
    let issuer = issuers::load(env.kv, &award.issuer_id).await?;
    let view = AwardView::new(award, env.base, env.now, Some(&made.claim_token));
    let claim_url = view.claim_url.clone().unwrap_or_default();
    let mail = email::render(
        occasion,
        award,
        &badge,
        &issuer,
        env.base,
        &claim_url,
        view.claim_expires_at,
    )?;
    let delivery = match &issuer.webhook_url {
        Some(url) => {
            let payload = webhook::Payload {
                event: match occasion {
                    Occasion::Awarded => webhook::Event::Awarded,
                    Occasion::Resent => webhook::Event::Resent,
                },
                assertion_id: &award.id,
                assertion_url: view.assertion_url.clone(),
                issuer_id: &award.issuer_id,
                to: &mail.to,
                claim_url: &claim_url,
                claim_expires_at: view.claim_expires_at,
                email: &mail,
            };
            let body = serde_json::to_vec(&payload).unwrap_or_default();
            Some(webhooks.post_json(url, body).await)
        }
        None => None,
    };
    Ok(AwardSentView {
        award: view,
        email: mail,
        webhook: delivery,
    })
}

/// Step 3: parse, validate and act, with no webhook sender (deliveries report as failed).
pub async fn perform<K: Kv + ?Sized>(
    env: &Env<'_, K>,
    call: Call,
    query: Option<&str>,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<Reply, Error> {
    perform_with(env, call, query, content_type, body, &NoWebhooks).await
}

/// Step 3: parse, validate and act; award emails go to the issuer's webhook via `webhooks`.
pub async fn perform_with<K: Kv + ?Sized, W: Webhooks>(
    env: &Env<'_, K>,
    call: Call,
    query: Option<&str>,
    content_type: Option<&str>,
    body: &[u8],
    webhooks: &W,
) -> Result<Reply, Error> {
    let Call { route, principal } = call;
    let input = if route.has_body() {
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
            let issuer = issuers::update(env.kv, &principal, &id, change).await?;
            Reply::json(200, &IssuerView::new(&issuer, base))
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
            let view = sent(env, &made, Occasion::Awarded, webhooks).await?;
            created(base, format!("/assertions/{}", made.award.id), &view)
        }
        Route::Resend(id) => {
            let made = awards::resend(env, issuer_of(&principal)?, &id).await?;
            Reply::json(200, &sent(env, &made, Occasion::Resent, webhooks).await?)
        }
        Route::GetAward(id) => {
            let award = awards::get(env.kv, issuer_of(&principal)?, &id).await?;
            Reply::json(200, &AwardView::new(&award, base, env.now, None))
        }
        Route::Revoke(id) => {
            let input = Revoke::parse(&input)?;
            let award = awards::revoke(env, issuer_of(&principal)?, &id, input).await?;
            Reply::json(200, &AwardView::new(&award, base, env.now, None))
        }
        Route::Recertify(id) => {
            let input = Recertify::parse(&input)?;
            let award = awards::recertify(env, issuer_of(&principal)?, &id, input).await?;
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
            Reply::json(200, &signing::enable(env, &id).await?)
        }
        Route::SignAward(id) => Reply::json(
            200,
            &signing::sign_award(env, issuer_of(&principal)?, &id).await?,
        ),
    })
}

#[cfg(test)]
mod tests;
