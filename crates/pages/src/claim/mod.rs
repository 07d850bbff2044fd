//! Claim links: the earner's pages at `/claim/:token` (component `claim`).
//!
//! The token (256 random bits, URL-safe base64, stored only as `claim/<sha256(token)>`) is the
//! earner's capability: whoever holds the link from the award email may answer for the badge.
//!
//! `GET /claim/:token` (never changes the award: mail scanners pre-fetch links):
//! 1. [`route`]: `/claim/<token>`; GET, HEAD and POST only (405 with `Allow`).
//! 2. If the client address is locked out (scope `claimaddr`, [`crate::auth::lockout`]): 429
//!    with `Retry-After`, before any lookup.
//! 3. [`lookup`]: a token of the wrong shape, with no `claim/<hash>` record, or that is not the
//!    award's live token (replaced by a resend) is a failed lookup: counted against the address
//!    (10 in 15 minutes lock it for 15 minutes) and answered with a 404 page saying what to do.
//!    An expired token is a 410 page saying to ask the issuer for a new link.
//! 4. The page follows the award: revoked → 410 notice; rejected → a notice saying how to get a
//!    new link; pending → the offer (badge, issuer, what accepting means, Accept and Reject);
//!    accepted → the manage page (public/private, public page, baked download, LinkedIn, email
//!    signature and embed snippets, certificate).
//!
//! `POST /claim/:token` with a form field `action`:
//! 1. Steps 1–2 above, then a cross-site check ([`guard`]): a POST whose `Sec-Fetch-Site` or
//!    `Origin` shows another site is refused (403) before the token is looked up.
//! 2. The body must be `application/x-www-form-urlencoded` (415), at most [`MAX_FORM`] bytes
//!    (413), with one `action` of `accept`, `reject`, `public` or `private` (400).
//! 3. Steps 3 of GET (404 / 410), then a revoked award is a 410 notice.
//! 4. `reject` without `confirm=yes` on a pending award answers the confirmation page and
//!    changes nothing (on an answered award it is checked like a confirmed one).
//! 5. The transition runs by compare-and-swap ([`crate::service::awards::transition`]) and
//!    only while the token is still the award's live one. Repeating an action changes nothing;
//!    a repeated or concurrent accept leaves one accepted award with one acceptance time.
//! 6. Success is `303 See Other` back to the link (POST/redirect/GET); a transition the state
//!    forbids is a 409 page explaining it.
//!
//! Every answer is an HTML page (no scripts, escaped) with `Cache-Control: no-store`,
//! `Referrer-Policy: no-referrer` (the token is in the URL), `X-Robots-Tag: noindex` and a CSP
//! that allows forms to post only to this origin and no framing ([`finish`]).

mod guard;
use emblem_services::claims as lookup;
mod pages;
mod snippets;

pub use guard::{CrossSite, check_same_origin};
pub use lookup::{Found, Lookup, lookup};

use time::OffsetDateTime;

use crate::auth::client::client_subject;
use crate::auth::lockout::{self, Scope};
use crate::base_url::BaseUrl;
use crate::env::Env;
use crate::error::Error;
use crate::kv::Kv;
use crate::model::award::{AcceptanceState, Changed, TransitionError, Visibility};
use crate::present::{self, Surface};
use crate::reply::Reply;
use crate::service::awards;
use pages::Page;

/// Largest form body accepted: 4 KiB (the forms send two short fields).
pub const MAX_FORM: usize = 4 * 1024;
/// Methods the claim route accepts.
pub const ALLOW: &[&str] = &["GET", "HEAD", "POST"];

/// What the earner asks for in a POST.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Accept the badge.
    Accept,
    /// Reject it; `confirmed` when the form carried `confirm=yes`.
    Reject {
        /// Whether the earner confirmed.
        confirmed: bool,
    },
    /// Make it public.
    Public,
    /// Make it private.
    Private,
}

/// Why a form was refused (400).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadForm(pub String);

impl Action {
    /// Parse an `application/x-www-form-urlencoded` body.
    pub fn parse_form(body: &[u8]) -> Result<Self, BadForm> {
        let mut action = None;
        let mut confirm = None;
        for (name, value) in url::form_urlencoded::parse(body) {
            let slot = match name.as_ref() {
                "action" => &mut action,
                "confirm" => &mut confirm,
                _ => continue,
            };
            if slot.is_some() {
                return Err(BadForm(format!("the field `{name}` was sent twice")));
            }
            *slot = Some(value.into_owned());
        }
        let confirmed = confirm.as_deref() == Some("yes");
        match action.as_deref() {
            Some("accept") => Ok(Self::Accept),
            Some("reject") => Ok(Self::Reject { confirmed }),
            Some("public") => Ok(Self::Public),
            Some("private") => Ok(Self::Private),
            Some(other) => Err(BadForm(format!(
                "the action {other:?} is unknown; use accept, reject, public or private"
            ))),
            None => Err(BadForm(
                "the form has no `action`; use accept, reject, public or private".into(),
            )),
        }
    }
}

/// A claim request as the component sees it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Request<'a> {
    /// The HTTP method.
    pub method: &'a str,
    /// The path (`/claim/<token>`).
    pub path: &'a str,
    /// `spin-client-addr`.
    pub client_addr: Option<&'a str>,
    /// The request's own URL (`spin-full-url`), for the same-origin check.
    pub full_url: Option<&'a str>,
    /// `Origin`.
    pub origin: Option<&'a str>,
    /// `Sec-Fetch-Site`.
    pub sec_fetch_site: Option<&'a str>,
    /// `Content-Type`.
    pub content_type: Option<&'a str>,
}

/// The token in a claim path, or None when the path is not `/claim/<token>`.
pub fn route(path: &str) -> Option<&str> {
    let token = path.strip_prefix("/claim/")?;
    (!token.is_empty() && !token.contains('/')).then_some(token)
}

/// Step 1 of both methods: the path and method, the lockout and (POST) the cross-site check
/// and the content type. `Ok(token)` means: go on (read the body for POST); `Err` is the
/// finished answer.
pub async fn begin<'r, K: Kv + ?Sized>(
    env: &Env<'_, K>,
    req: &Request<'r>,
) -> Result<&'r str, Reply> {
    checks(env, req)
        .await
        .map_err(|reply| finish(reply, req.method == "HEAD"))
}

async fn checks<'r, K: Kv + ?Sized>(env: &Env<'_, K>, req: &Request<'r>) -> Result<&'r str, Reply> {
    let base = env.base;
    let Some(token) = route(req.path) else {
        return Err(Page::not_found(base).reply(404));
    };
    if !ALLOW.contains(&req.method) {
        return Err(Page::method_not_allowed(base)
            .reply(405)
            .with_header("allow", ALLOW.join(", ")));
    }
    if let Some(subject) = req.client_addr.and_then(client_subject) {
        match lockout::check(env.kv, env.now, Scope::ClaimAddress, &subject).await {
            Ok(()) => {}
            Err(Error::LockedOut { retry_after, .. }) => {
                return Err(Page::locked_out(base, retry_after)
                    .reply(429)
                    .with_header("retry-after", retry_after.to_string()));
            }
            Err(e) => return Err(failure(base, &e)),
        }
    }
    if req.method == "POST" {
        if let Err(cross) = check_same_origin(req, base) {
            return Err(Page::cross_site(base, &cross).reply(403));
        }
        let form = req
            .content_type
            .and_then(|ct| ct.split(';').next())
            .map(|ct| ct.trim().to_ascii_lowercase());
        if form.as_deref() != Some("application/x-www-form-urlencoded") {
            return Err(Page::bad_form(
                base,
                &BadForm(
                    "send the form as application/x-www-form-urlencoded (a plain HTML form)".into(),
                ),
            )
            .reply(415));
        }
    }
    Ok(token)
}

/// The page for a body that was too large to read (413).
pub fn too_large(base: &BaseUrl) -> Reply {
    finish(
        Page::bad_form(
            base,
            &BadForm(format!("the form is larger than {MAX_FORM} bytes")),
        )
        .reply(413),
        false,
    )
}

/// An internal failure, as a page; the detail goes to the log only.
pub fn failure(base: &BaseUrl, error: &Error) -> Reply {
    if let Some(detail) = error.log_detail() {
        eprintln!("emblem: claim: {detail}");
    }
    // The status and headers are the error's (503 with Retry-After for a busy store); the
    // body is the "something went wrong" page.
    present::failure(Surface::Form, error, |_| Page::internal(base).html())
}

/// Count a failed lookup against the client address (it may lock the address).
async fn count_failure<K: Kv + ?Sized>(env: &Env<'_, K>, req: &Request<'_>) -> Result<(), Error> {
    if let Some(subject) = req.client_addr.and_then(client_subject) {
        lockout::record_failure(env.kv, env.policy, env.now, Scope::ClaimAddress, &subject).await?;
    }
    Ok(())
}

/// Look the token up, turning misses and expiry into their pages.
async fn find<K: Kv + ?Sized>(
    env: &Env<'_, K>,
    req: &Request<'_>,
    token: &str,
) -> Result<Found, Reply> {
    let base = env.base;
    match lookup(env.kv, env.now, token).await {
        Ok(Lookup::Found(found)) => Ok(*found),
        Ok(Lookup::Expired(found)) => Err(Page::expired(base, &found).reply(410)),
        Ok(Lookup::Unknown) => match count_failure(env, req).await {
            Ok(()) => Err(Page::not_found(base).reply(404)),
            Err(e) => Err(failure(base, &e)),
        },
        Err(e) => Err(failure(base, &e)),
    }
}

/// `GET|HEAD /claim/:token` after [`begin`]: the page for the award's state. Never writes
/// anything but a failed-lookup count.
pub async fn show<K: Kv + ?Sized>(env: &Env<'_, K>, req: &Request<'_>, token: &str) -> Reply {
    let reply = match find(env, req, token).await {
        Ok(found) => page_for(env.base, env.now, token, &found),
        Err(reply) => reply,
    };
    finish(reply, req.method == "HEAD")
}

fn page_for(base: &BaseUrl, now: OffsetDateTime, token: &str, found: &Found) -> Reply {
    let award = &found.award;
    if award.revoked.is_some() {
        return Page::revoked(base, found).reply(410);
    }
    match award.acceptance.state {
        AcceptanceState::Rejected => Page::rejected(base, found).reply(200),
        AcceptanceState::Pending => Page::offer(base, token, found).reply(200),
        AcceptanceState::Accepted => Page::manage(base, now, token, found).reply(200),
    }
}

/// `POST /claim/:token` after [`begin`] and the body read: apply the action.
pub async fn act<K: Kv + ?Sized>(
    env: &Env<'_, K>,
    req: &Request<'_>,
    token: &str,
    body: &[u8],
) -> Reply {
    let base = env.base;
    let action = match Action::parse_form(body) {
        Ok(action) => action,
        Err(bad) => return finish(Page::bad_form(base, &bad).reply(400), false),
    };
    let found = match find(env, req, token).await {
        Ok(found) => found,
        Err(reply) => return finish(reply, false),
    };
    if found.award.revoked.is_some() {
        return finish(Page::revoked(base, &found).reply(410), false);
    }
    if action == (Action::Reject { confirmed: false })
        && found.award.acceptance.state == AcceptanceState::Pending
    {
        return finish(Page::confirm_reject(base, token, &found).reply(200), false);
    }
    let now = env.now;
    let live_hash = found.token_hash.clone();
    let mut stale = false;
    let mut changed = false;
    let result = awards::transition(env.kv, None, &found.award.id, |award| {
        stale = award.claim.as_ref().map(|c| &c.token_hash) != Some(&live_hash);
        if stale {
            return Ok(Changed::No);
        }
        let outcome = match action {
            Action::Accept => award.accept(now),
            Action::Reject { .. } => award.reject(now),
            Action::Public => award.set_visibility(Visibility::Public),
            Action::Private => award.set_visibility(Visibility::Private),
        }?;
        changed = outcome == Changed::Yes;
        Ok(outcome)
    })
    .await;
    let reply = match result {
        Ok(_) if stale => Page::not_found(base).reply(404),
        Ok(award) => {
            if changed {
                announce(env, &award, action).await;
            }
            see_other(base, token)
        }
        Err(Error::Conflict(crate::error::Conflict::Transition(t))) => {
            Page::conflict(base, token, &found, &t).reply(409)
        }
        Err(e) => failure(base, &e),
    };
    finish(reply, false)
}

/// Queue the issuer's webhook event for an earner's answer (the issuing component's outbox
/// flush delivers it: this component has no outbound network). A failure is logged, never
/// shown to the earner: their answer is recorded either way.
async fn announce<K: Kv + ?Sized>(
    env: &Env<'_, K>,
    award: &crate::model::award::Award,
    action: Action,
) {
    let event = match action {
        Action::Accept => "assertion.accepted",
        Action::Reject { .. } => "assertion.rejected",
        Action::Public | Action::Private => "assertion.visibility_changed",
    };
    let queued = async {
        let issuer = crate::service::issuers::load(env.kv, &award.issuer_id).await?;
        let payload = crate::service::webhook::event_payload(event, award, env.base, env.now, None);
        crate::service::mail::outbox::enqueue_hook(
            env.kv, &issuer, &award.id, event, payload, env.now,
        )
        .await
    };
    if let Err(e) = queued.await {
        eprintln!(
            "emblem: queueing the webhook event {event} of {}: {e}",
            award.id
        );
    }
}

fn see_other(base: &BaseUrl, token: &str) -> Reply {
    Reply::empty(303).with_header("location", base.claim(token))
}

/// The headers every claim answer carries; HEAD loses its body.
pub fn finish(mut reply: Reply, head: bool) -> Reply {
    for (name, value) in [
        ("cache-control", "no-store"),
        ("referrer-policy", "no-referrer"),
        ("x-robots-tag", "noindex, nofollow"),
    ] {
        reply.set_header(name, value);
    }
    present::head(present::secure(reply, Surface::Form), head)
}

/// Earner-facing words for a transition the award's state forbids.
fn conflict_message(t: &TransitionError, issuer_name: &str) -> String {
    match t {
        TransitionError::Revoked { .. } => {
            "The issuer revoked this badge, so it can no longer change.".to_owned()
        }
        TransitionError::Rejected { .. } => format!(
            "You declined this badge, so it cannot be accepted or shown from this link. If \
             that was a mistake, ask {issuer_name} to send you a new link."
        ),
        TransitionError::AlreadyAccepted { .. } => "You have already accepted this badge. To \
             hide it, make it private instead."
            .to_owned(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests;
