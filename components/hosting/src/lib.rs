//! The hosting component: public Open Badges 2.0 objects as JSON-LD, JSON or HTML.
//!
//! 1. Match the route (GET and HEAD only) and negotiate the representation from `Accept`
//!    (and `User-Agent` for link-preview crawlers).
//! 2. Load and render the object (`emblem_pages::hosting::serve`: pages for browsers, the
//!    documents of `emblem_web::hosting` otherwise); failures become problem+json or a short
//!    HTML page.
//! 3. Add the ETag, answer `If-None-Match` with 304, drop the body for HEAD.
//!
//! Routes (GET and HEAD) and the function behind each (`emblem_web::hosting::…` for documents;
//! the issuer, badge and assertion pages are `emblem_pages::hosting`'s):
//!
//! | route | function |
//! |---|---|
//! | `/issuers/:id` | `issuer` (Profile) |
//! | `/issuers/:id/image`, `/badges/:id/image` | `image` |
//! | `/issuers/:id/revocations` | `revocations` (RevocationList) |
//! | `/issuers/:id/keys/:kid` | `key` (CryptographicKey) |
//! | `/badges/:id` | `badge` (BadgeClass) |
//! | `/assertions/:id` | `assertion` (Assertion; 410 when revoked) |
//!
//! (`/assertions/:id/image` is the `bake` component's.)
//!
//! Variables: `public_base_url`.

use emblem_edge::{Response, Site, request, respond};
use emblem_pages::hosting as pages;
use emblem_web::Reply;
use emblem_web::hosting;
use emblem_web::negotiate::{Representation, negotiate};
use spin_sdk::http::{Method, Request};
use std::cell::RefCell;
use std::rc::Rc;

thread_local! {
    /// Rendered assertion JSON, reused while the stored record is unchanged
    /// (see `emblem_web::hosting::RenderCache`); one per component instance.
    static RENDERED: Rc<RefCell<hosting::RenderCache>> =
        Rc::new(RefCell::new(hosting::RenderCache::new()));
}

#[spin_sdk::http_service]
async fn handle(req: Request) -> Response {
    let headers = req.headers();
    let rep = negotiate(request::accept(headers), request::user_agent(headers));
    let reply = match Site::load(headers).await {
        Ok(site) => serve(&site, &req, rep).await,
        Err(e) => {
            respond::log(&e);
            Reply::problem(&e)
        }
    };
    let head = req.method() == Method::HEAD;
    respond::settle().await;
    respond::send(hosting::finish(
        reply,
        request::if_none_match(headers),
        head,
    ))
}

async fn serve(site: &Site, req: &Request, rep: Representation) -> Reply {
    let (kv, base) = (&site.kv, &site.base);
    let result = match hosting::route(req.method().as_str(), req.uri().path()) {
        Ok(route) => {
            let cache = RENDERED.with(Rc::clone);
            pages::serve(kv, base, site.now, &route, rep, &cache).await
        }
        Err(e) => Err(e),
    };
    result.unwrap_or_else(|e| {
        respond::log(&e);
        pages::failure(&e, rep, base, base.join(req.uri().path()))
    })
}
