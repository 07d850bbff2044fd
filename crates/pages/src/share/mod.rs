//! Sharing a badge: LinkedIn "Add to profile" and feed share, X, Facebook and e-mail share
//! links, the embeddable badge card, the e-mail signature snippet and the printable
//! certificate (docs/standards/sharing.md §1–§3). The `share` component serves these routes.
//!
//! A request goes through these steps ([`serve`]):
//!
//! 1. [`route`] matches the path (GET and HEAD only, else 405):
//!    `/share/linkedin/:id` (Add to profile), `/share/linkedin/:id/post`, `/share/x/:id`,
//!    `/share/facebook/:id`, `/share/email/:id`, `/embed/:id`, `/certificate/:id`.
//! 2. The award is read and [`access::decide`] says whether it may be shared: only accepted,
//!    public, unrevoked awards; otherwise a friendly HTML page with 404 or 410.
//! 3. The badge class and issuer are read in one batch.
//! 4. Share routes answer 302 to the URL built in [`links`] (`Cache-Control: no-store`;
//!    `Referrer-Policy: no-referrer`, so the share site never learns the page that linked
//!    here, which may be a claim page with its token in the URL) and, for GET, count the
//!    click ([`counters`]). The embed card may be framed by any site
//!    (`frame-ancestors *`, this route only); the certificate page has print CSS and a QR code
//!    ([`qr`]) of `<base>/verify?url=<assertion URL>`. No page runs scripts.
//!
//! Everything here is pure apart from the store reads and the counter increment, and is
//! unit-tested with the in-memory store and a fixed clock.

pub use emblem_services::counters;
mod pages;
pub mod qr;

pub use emblem_badges::sharing::{access, links};

pub use access::{Refusal, decide};
pub use counters::{ShareCounts, Target};
pub use links::{Credential, badge_image_url, verify_url};
pub use pages::{CertificatePage, EmbedCard, signature_snippet};

use time::OffsetDateTime;

use crate::base_url::BaseUrl;
use crate::documents::CACHE;
use crate::error::{Error, Internal, NotFound};
use crate::html::{self, NoticePage};
use crate::ids;
use crate::kv::{self, Kv};
use crate::model::award::Award;
use crate::model::badge::BadgeClass;
use crate::model::issuer::Issuer;
use crate::present::{self, Surface};
use crate::reply::Reply;
use crate::store_keys;

/// Methods the sharing routes accept.
pub const ALLOW: &[&str] = &["GET", "HEAD"];

/// A sharing route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `/share/<target>/:id` (and `/share/linkedin/:id/post`): a redirect.
    Share(Target, String),
    /// `/embed/:id`: the embeddable badge card.
    Embed(String),
    /// `/certificate/:id`: the printable certificate.
    Certificate(String),
}

impl Route {
    /// The assertion id in the path.
    pub fn assertion_id(&self) -> &str {
        match self {
            Self::Share(_, id) | Self::Embed(id) | Self::Certificate(id) => id,
        }
    }
}

/// Match a method and path.
pub fn route(method: &str, path: &str) -> Result<Route, Error> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let id = |s: &str| s.to_owned();
    let route = match segments.as_slice() {
        ["share", "linkedin", i] => Route::Share(Target::LinkedinProfile, id(i)),
        ["share", "linkedin", i, "post"] => Route::Share(Target::LinkedinPost, id(i)),
        ["share", "x", i] => Route::Share(Target::X, id(i)),
        ["share", "facebook", i] => Route::Share(Target::Facebook, id(i)),
        ["share", "email", i] => Route::Share(Target::Email, id(i)),
        ["embed", i] => Route::Embed(id(i)),
        ["certificate", i] => Route::Certificate(id(i)),
        _ => {
            return Err(Error::NotFound(NotFound::Route {
                path: path.to_owned(),
            }));
        }
    };
    if !ALLOW.contains(&method) {
        return Err(Error::MethodNotAllowed { allow: ALLOW });
    }
    Ok(route)
}

/// What a shareable award is made of.
#[derive(Debug, Clone)]
struct Shared {
    award: Award,
    badge: BadgeClass,
    issuer: Issuer,
}

/// Why no share, card or certificate is offered.
enum Stop {
    Refused(Refusal),
    Failed(Error),
}

impl From<Error> for Stop {
    fn from(e: Error) -> Self {
        match e {
            Error::NotFound(_) => Self::Refused(Refusal::NotFound),
            other => Self::Failed(other),
        }
    }
}

impl From<kv::KvError> for Stop {
    fn from(e: kv::KvError) -> Self {
        Self::Failed(e.into())
    }
}

/// Steps 2 and 3: the award, if it may be shared, with its class and issuer (two round trips).
async fn load<K: Kv + ?Sized>(kv: &K, id: &str, now: OffsetDateTime) -> Result<Shared, Stop> {
    if !ids::is_valid(id) {
        return Err(Stop::Refused(Refusal::NotFound));
    }
    let award = crate::service::awards::load(kv, id).await?;
    decide(&award, now).map_err(Stop::Refused)?;
    let keys = [
        store_keys::badge(&award.badge_id),
        store_keys::issuer(&award.issuer_id),
    ];
    let mut values = kv.get_many(&keys).await?.into_iter();
    let (Some(badge), Some(issuer)) = (values.next().flatten(), values.next().flatten()) else {
        return Err(Stop::Failed(Error::Internal(Internal::Corrupt {
            key: store_keys::award(id),
            detail: "the award's badge class or issuer record is missing".into(),
        })));
    };
    Ok(Shared {
        badge: kv::decode(&keys[0], &badge)?,
        issuer: kv::decode(&keys[1], &issuer)?,
        award,
    })
}

/// Serve a sharing route (see the module docs). Failures are HTML pages; server faults are
/// returned beside the reply so the component can log them.
pub async fn serve<K: Kv + ?Sized>(
    kv: &K,
    base: &BaseUrl,
    now: OffsetDateTime,
    route: &Route,
    head: bool,
) -> (Reply, Option<Error>) {
    let id = route.assertion_id();
    let shared = match load(kv, id, now).await {
        Ok(shared) => shared,
        Err(stop) => return stopped(base, route, stop),
    };
    let result = match route {
        Route::Share(target, _) => redirect(kv, base, &shared, *target, head).await,
        Route::Embed(_) => EmbedCard::new(&shared.award, &shared.badge, &shared.issuer, base, now)
            .render()
            .map(|body| page(Surface::Embed, 200, body, CACHE)),
        Route::Certificate(_) => {
            CertificatePage::new(&shared.award, &shared.badge, &shared.issuer, base, now)
                .and_then(|p| p.render())
                .map(|body| page(Surface::Page, 200, body, CACHE))
        }
    };
    match result {
        Ok(reply) => (reply, None),
        Err(e) => stopped(base, route, Stop::Failed(e)),
    }
}

async fn redirect<K: Kv + ?Sized>(
    kv: &K,
    base: &BaseUrl,
    shared: &Shared,
    target: Target,
    head: bool,
) -> Result<Reply, Error> {
    let credential = Credential::new(&shared.award, &shared.badge, &shared.issuer, base);
    let location = match target {
        Target::LinkedinProfile => credential.linkedin_add_to_profile(),
        Target::LinkedinPost => credential.linkedin_post(),
        Target::X => credential.x(),
        Target::Facebook => credential.facebook(),
        Target::Email => credential.email(),
    };
    if !head {
        counters::record(kv, &shared.award.id, target).await?;
    }
    // A body for clients that do not follow redirects; no user text in it.
    let body = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><meta charset=\"utf-8\"><title>Redirecting</title>\
         <p><a href=\"{}\">Continue</a></p></html>\n",
        html::escape(&location)
    );
    Ok(page(Surface::Page, 302, body.into_bytes(), "no-store")
        .with_header("location", location)
        .with_header("referrer-policy", "no-referrer"))
}

fn page(surface: Surface, status: u16, body: Vec<u8>, cache: &str) -> Reply {
    present::page(surface, status, body).with_header("cache-control", cache)
}

/// The friendly page for a refusal or a failure.
fn stopped(base: &BaseUrl, route: &Route, stop: Stop) -> (Reply, Option<Error>) {
    let (status, heading, message, fault) = match stop {
        Stop::Refused(r) => {
            let (heading, message) = r.words();
            (r.status(), heading, message, None)
        }
        Stop::Failed(e) => (
            e.status(),
            "Something went wrong",
            "We could not show this page right now. Please try again in a moment.".to_owned(),
            Some(e),
        ),
    };
    let url = match route {
        Route::Share(..) => base.join("/share"),
        Route::Embed(id) => base.join(&format!("/embed/{id}")),
        Route::Certificate(id) => base.join(&format!("/certificate/{id}")),
    };
    let notice = NoticePage::new(base, url, heading, &message);
    let reply = match html::render(&notice) {
        Ok(body) => {
            let surface = if matches!(route, Route::Embed(_)) {
                Surface::Embed
            } else {
                Surface::Page
            };
            page(surface, status, body, "no-store")
        }
        Err(e) => Reply::problem(&e),
    };
    (reply, fault)
}

/// The reply for a path that is no sharing route (404, a page) or a method other than GET/HEAD
/// (405, a problem document with `Allow`).
pub fn route_failure(base: &BaseUrl, error: &Error) -> Reply {
    let notice = |error: &Error| {
        if error.status() != 404 {
            return None;
        }
        let (heading, message) = Refusal::NotFound.words();
        html::render(&NoticePage::new(
            base,
            base.join("/share"),
            heading,
            &message,
        ))
        .ok()
    };
    present::secure(
        present::failure(Surface::Page, error, notice),
        Surface::Page,
    )
    .with_header("cache-control", "no-store")
}

#[cfg(test)]
mod tests;
