//! The share component: share links, the embeddable badge card and the printable
//! certificate.
//!
//! 1. Match the route (`emblem_pages::share::route`, GET and HEAD only): `/share/linkedin/:id`
//!    (Add to profile), `/share/linkedin/:id/post`, `/share/x/:id`, `/share/facebook/:id`,
//!    `/share/email/:id`, `/embed/:id`, `/certificate/:id`.
//! 2. Serve it (`emblem_pages::share::serve`): a 302 to the share site (counting the click for
//!    GET), the card or the certificate, or a friendly HTML page with 404/410 when the badge
//!    is not accepted, public and unrevoked. Server faults are logged.
//! 3. Drop the body for HEAD.
//!
//! Variables: `public_base_url`.

use emblem_edge::{Response, Site, respond};
use emblem_pages::share;
use emblem_web::present;
use spin_sdk::http::{Method, Request};

#[spin_sdk::http_service]
async fn handle(req: Request) -> Response {
    let head = req.method() == Method::HEAD;
    let site = match Site::load(req.headers()).await {
        Ok(site) => site,
        Err(e) => return respond::error(&e),
    };
    let reply = match share::route(req.method().as_str(), req.uri().path()) {
        Ok(route) => {
            let (reply, fault) = share::serve(&site.kv, &site.base, site.now, &route, head).await;
            if let Some(e) = fault {
                respond::log(&e);
            }
            reply
        }
        Err(e) => share::route_failure(&site.base, &e),
    };
    respond::settle().await;
    respond::send(present::head(reply, head))
}
