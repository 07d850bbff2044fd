//! `/unsubscribe/:token` (component `claim`): the link in every email Emblem sends, and its
//! `List-Unsubscribe` header.
//!
//! - `GET`: a page naming the issuer with one button; nothing changes (mail scanners fetch
//!   links).
//! - `POST` with `confirm=yes` (the button) or `List-Unsubscribe=One-Click` (RFC 8058, sent
//!   by mail providers without a browser): the address is suppressed for that issuer
//!   ([`crate::service::mail::suppression`]) and the page says so. Repeating it changes
//!   nothing.
//! - A token Emblem did not mint: 404 page. Other methods: 405.
//!
//! Pages carry the claim pages' headers: no caching, no referrer (the token is in the URL),
//! no indexing, forms posting only to this origin.

use askama::Template;

use crate::claim::finish;
use crate::env::Env;
use crate::html::{self, Head};
use crate::kv::Kv;
use crate::reply::Reply;
use crate::service::issuers;
use crate::service::mail::suppression;

/// Largest form accepted (one short field).
pub const MAX_FORM: usize = 1024;

#[derive(Debug, Template)]
#[template(path = "unsubscribe.html")]
struct Page {
    head: Head,
    heading: String,
    message: String,
    issuer_name: String,
    confirm: bool,
}

/// The token in an unsubscribe path.
pub fn route(path: &str) -> Option<&str> {
    let token = path.strip_prefix("/unsubscribe/")?;
    (!token.is_empty() && !token.contains('/')).then_some(token)
}

fn page<K: Kv + ?Sized>(
    env: &Env<'_, K>,
    status: u16,
    token: &str,
    heading: &str,
    message: &str,
    issuer_name: &str,
    confirm: bool,
) -> Reply {
    let notice = html::NoticePage::new(
        env.base,
        env.base.join(&format!("/unsubscribe/{token}")),
        heading,
        message,
    );
    let page = Page {
        head: notice.head,
        heading: heading.to_owned(),
        message: message.to_owned(),
        issuer_name: issuer_name.to_owned(),
        confirm,
    };
    match html::render(&page) {
        Ok(body) => Reply::bytes(status, "text/html; charset=utf-8", body),
        Err(e) => Reply::problem(&e),
    }
}

/// Whether a POST body asks to unsubscribe.
fn confirmed(form: &[u8]) -> bool {
    url::form_urlencoded::parse(form).any(|(k, v)| {
        (k == "confirm" && v == "yes") || (k == "List-Unsubscribe" && v == "One-Click")
    })
}

/// Answer `method` on `path` (`/unsubscribe/<token>`) with the POST body `form`.
pub async fn serve<K: Kv + ?Sized>(
    env: &Env<'_, K>,
    method: &str,
    path: &str,
    form: &[u8],
) -> Reply {
    let head = method == "HEAD";
    let reply = match (route(path), method) {
        (None, _) => page(
            env,
            404,
            "",
            "Link not found",
            "This link is not one of ours.",
            "",
            false,
        ),
        (Some(_), m) if !matches!(m, "GET" | "HEAD" | "POST") => {
            Reply::empty(405).with_header("allow", "GET, HEAD, POST")
        }
        (Some(token), m) => answer(env, m, token, form).await,
    };
    finish(reply, head)
}

async fn answer<K: Kv + ?Sized>(env: &Env<'_, K>, method: &str, token: &str, form: &[u8]) -> Reply {
    let found = match suppression::lookup_token(env.kv, token).await {
        Ok(found) => found,
        Err(e) => return Reply::problem(&e),
    };
    let Some(found) = found else {
        return page(
            env,
            404,
            token,
            "Link not found",
            "This unsubscribe link is not known. Use the link from the most recent email.",
            "",
            false,
        );
    };
    let issuer_name = match issuers::load(env.kv, &found.issuer_id).await {
        Ok(issuer) => issuer.name,
        Err(_) => "this issuer".to_owned(),
    };
    if method == "POST" && confirmed(form) {
        if let Err(e) = suppression::unsubscribe(env.kv, token, env.now).await {
            return Reply::problem(&e);
        }
        let message = format!(
            "You will receive no more email from {issuer_name} through Emblem. Badges you \
             were awarded are not affected."
        );
        return page(
            env,
            200,
            token,
            "Unsubscribed",
            &message,
            &issuer_name,
            false,
        );
    }
    if method == "POST" {
        return Reply::bytes(
            400,
            "text/plain; charset=utf-8",
            b"Send confirm=yes to unsubscribe.".to_vec(),
        );
    }
    let message = format!(
        "Stop the emails that {issuer_name} sends you through Emblem (award notices and \
         reminders)? Badges you were awarded are not affected."
    );
    page(env, 200, token, "Unsubscribe", &message, &issuer_name, true)
}
