//! The verify component: `POST /verify`, `GET /verify[?url=…]` (JSON or the HTML page).
//!
//! 1. Match the route (`emblem_pages::verify_page::route`); read the body under a 10 MiB cap
//!    (413 beyond) or the query, into a verification request (4xx problem when unreadable).
//! 2. For a URL of this instance's own badge, reuse the JSON answer while the four records it
//!    depends on are byte-equal and the clock has not crossed `issuedOn`/`expires`
//!    (`emblem_web::verify::memo`; the records are read on every request).
//! 3. Run the checks (`emblem_web::verify::run_with`) with a fetcher that reads this instance's
//!    own URLs from the store (hosting renderers) and everything else through outbound HTTP
//!    (`emblem_edge::outbound::SpinHop`) under the SSRF policy. Data Integrity proofs (3.0)
//!    are checked by the `canon` component over service chaining (`emblem_edge::chain::Canon`),
//!    which holds the JSON-LD and RDFC-1.0 code so that this component stays small.
//! 4. Answer JSON or HTML by `Accept` (browsers posting the upload form get the page).
//!
//! Variables: `public_base_url`; `verify_allow_http_loopback` (`true` only in tests: plain
//! http to loopback addresses).

use std::cell::RefCell;
use std::rc::Rc;

use emblem_edge::{Response, Site, body, request, respond, vars};
use emblem_pages::verify_page::{self as routes, Route};
use emblem_web::hosting::RenderCache;
use emblem_web::negotiate::{Representation, negotiate};
use emblem_web::present;
use emblem_web::verify::input::{self, Subject};
use emblem_web::verify::memo::{self, Memo};
use emblem_web::verify::{Fetcher, Rules};
use emblem_web::{Error, Reply};
use spin_sdk::http::{Method, Request};

thread_local! {
    /// Rendered assertion JSON of this instance's own badges (see `hosting::RenderCache`).
    static RENDERED: Rc<RefCell<RenderCache>> = Rc::new(RefCell::new(RenderCache::new()));
    /// JSON answers for this instance's own badges (see `verify::memo`).
    static MEMO: RefCell<Memo> = RefCell::new(Memo::new());
    /// The outbound rules, read once per instance.
    static RULES: std::cell::OnceCell<Rules> = const { std::cell::OnceCell::new() };
}

async fn rules() -> Rules {
    if let Some(r) = RULES.with(|r| r.get().copied()) {
        return r;
    }
    let allow = vars::get("verify_allow_http_loopback")
        .await
        .is_some_and(|v| v.trim() == "true");
    let r = Rules {
        allow_http_loopback: allow,
    };
    RULES.with(|c| *c.get_or_init(|| r))
}

#[spin_sdk::http_service]
async fn handle(req: Request) -> Response {
    let headers = req.headers();
    let html = negotiate(request::accept(headers), None) == Representation::Html;
    let head = req.method() == Method::HEAD;
    let site = match Site::load(headers).await {
        Ok(site) => site,
        Err(e) => return respond::error(&e),
    };
    let reply = match serve(&site, req, html).await {
        Ok(reply) => reply,
        Err(e) if html => {
            respond::log(&e);
            routes::page(&site.base, Some(&e)).unwrap_or_else(|e| Reply::problem(&e))
        }
        Err(e) => {
            respond::log(&e);
            Reply::problem(&e)
        }
    };
    respond::settle().await;
    respond::send(present::head(reply, head))
}

async fn serve(site: &Site, req: Request, html: bool) -> Result<Reply, Error> {
    let route = routes::route(req.method().as_str(), req.uri().path())?;
    let query = req.uri().query().unwrap_or_default().to_owned();
    let verify_request = match route {
        Route::Get => match input::from_query(&query)? {
            Some(r) => r,
            None if html => return routes::page(&site.base, None),
            None => {
                return Err(Error::invalid(
                    "url",
                    "GET /verify needs ?url=<assertion URL>; or POST a badge to /verify",
                ));
            }
        },
        Route::Post => {
            let content_type = request::content_type(req.headers()).map(str::to_owned);
            let bytes = body::read(req, routes::MAX_BODY).await?;
            input::from_body(content_type.as_deref(), &query, &bytes)?
        }
    };
    // Our own badges: reuse the answer while its four records and the clock allow it.
    let snapshot = if html {
        None
    } else {
        memo::snapshot(&site.kv, &site.base, &verify_request).await
    };
    if let Some(snap) = &snapshot
        && let Some(reply) = MEMO.with(|m| {
            m.borrow()
                .lookup(snap, &verify_request, &site.base, site.now)
        })
    {
        return Ok(reply);
    }
    let cache = RENDERED.with(Rc::clone);
    let hop = emblem_edge::outbound::SpinHop;
    let keys = emblem_edge::chain::KeyHolder {
        base: site.base.clone(),
    };
    let fetcher = Fetcher {
        kv: &site.kv,
        signed: &keys,
        base: &site.base,
        now: site.now,
        cache: &cache,
        remote: &hop,
        rules: rules().await,
    };
    let verification = emblem_web::verify::run_with(
        &fetcher,
        &verify_request,
        site.now,
        &emblem_edge::chain::Canon,
    )
    .await;
    let url = match &verify_request.subject {
        Subject::Url(u) => Some(u.as_str()),
        _ => None,
    };
    let email = verify_request
        .recipient
        .as_ref()
        .filter(|c| c.kind == input::IdentityKind::Email)
        .map(|c| c.value.as_str());
    let reply = routes::answer(&verification, html, &site.base, url, email)?;
    if let Some(snap) = snapshot {
        MEMO.with(|m| {
            m.borrow_mut().store(
                snap,
                &verify_request,
                &site.base,
                site.now,
                &verification,
                &reply,
            );
        });
    }
    Ok(reply)
}
