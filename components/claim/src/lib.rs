//! The claim component: the earner's pages at `/claim/:token`.
//!
//! 1. Route, method and lockout; for POST also the cross-site check and the form content type
//!    (`emblem_pages::claim::begin`).
//! 2. GET/HEAD: the page for the award's state (`emblem_pages::claim::show`); it never changes
//!    the award (mail scanners pre-fetch links).
//! 3. POST: read the form under 4 KiB, then accept / reject (with confirmation) / public /
//!    private by compare-and-swap, answered with 303 back to the link
//!    (`emblem_pages::claim::act`).
//!
//! Every answer is an HTML page with `Cache-Control: no-store` and `Referrer-Policy:
//! no-referrer`. Variables: `public_base_url`, `trusted_proxies` (see the issuing component).

use emblem_edge::{Response, Site, body, request, respond, vars};
use emblem_pages::claim::{self, MAX_FORM, Request as ClaimRequest};
use emblem_pages::unsubscribe;
use emblem_web::{Error, Reply};
use spin_sdk::http::Request;

#[spin_sdk::http_service]
async fn handle(req: Request) -> Response {
    let reply = serve(req).await;
    respond::settle().await;
    respond::send(reply)
}

async fn serve(req: Request) -> Reply {
    let site = match Site::load(req.headers()).await {
        Ok(site) => site,
        Err(e) => {
            respond::log(&e);
            return claim::finish(Reply::problem(&e), false);
        }
    };
    let env = site.env();
    let method = req.method().as_str().to_owned();
    let path = req.uri().path().to_owned();
    if path.starts_with("/unsubscribe/") {
        let form = if method == "POST" {
            match body::read(req, unsubscribe::MAX_FORM).await {
                Ok(form) => form,
                Err(e) => return claim::finish(claim::failure(&site.base, &e), false),
            }
        } else {
            Vec::new()
        };
        return unsubscribe::serve(&env, &method, &path, &form).await;
    }
    let headers = req.headers();
    let owned = |name: &str| request::header(headers, name).map(str::to_owned);
    let trusted = match vars::trusted_proxies().await {
        Ok(trusted) => trusted,
        Err(e) => return claim::finish(claim::failure(&site.base, &e), false),
    };
    let client_addr = request::client(headers, &trusted);
    let full_url = owned("spin-full-url");
    let (origin, fetch_site) = (owned("origin"), owned("sec-fetch-site"));
    let content_type = owned("content-type");
    let creq = ClaimRequest {
        method: &method,
        path: &path,
        client_addr: client_addr.as_deref(),
        full_url: full_url.as_deref(),
        origin: origin.as_deref(),
        sec_fetch_site: fetch_site.as_deref(),
        content_type: content_type.as_deref(),
    };
    let token = match claim::begin(&env, &creq).await {
        Ok(token) => token,
        Err(reply) => return reply,
    };
    if method != "POST" {
        return claim::show(&env, &creq, token).await;
    }
    match body::read(req, MAX_FORM).await {
        Ok(form) => claim::act(&env, &creq, token, &form).await,
        Err(Error::PayloadTooLarge { .. }) => claim::too_large(&site.base),
        Err(e) => claim::finish(claim::failure(&site.base, &e), false),
    }
}
