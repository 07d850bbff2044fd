//! The HTML side of the hosting routes: the issuer, badge class and assertion pages people
//! open, and the notices for failures. Every other route and representation is a document,
//! served by [`crate::documents`] (`emblem_web::hosting`), whose rules this follows (see its
//! module docs). For assertions:
//!
//! - revoked: the full page (410) only for a public, accepted award; otherwise a short notice
//!   with the reason (410);
//! - rejected: 404; pending: 404 "not yet accepted"; private: 404;
//! - otherwise the page (200), which says "Expired" when it has expired.

use std::cell::RefCell;

use time::OffsetDateTime;

use crate::base_url::BaseUrl;
use crate::documents::{self, CACHE, RenderCache, Route, assertion_context, html_reply};
use crate::error::{Error, NotFound, ObjectKind};
use crate::html::{self, AssertionPage, BadgePage, IssuerPage, NoticePage};
use crate::kv::{self, Kv};
use crate::model::award::{AcceptanceState, Award, Status, Visibility};
use crate::negotiate::Representation;
use crate::reply::Reply;
use crate::service::{badges, issuers};
use crate::store_keys;

fn page(status: u16, page: &impl askama::Template) -> Result<Reply, Error> {
    Ok(html_reply(status, html::render(page)?, CACHE))
}

/// Serve `route` in `rep`: the page for HTML, the document otherwise.
pub async fn serve<K: Kv + ?Sized>(
    kv: &K,
    base: &BaseUrl,
    now: OffsetDateTime,
    route: &Route,
    rep: Representation,
    cache: &RefCell<RenderCache>,
) -> Result<Reply, Error> {
    if rep != Representation::Html {
        return documents::serve(kv, base, now, route, rep, cache).await;
    }
    match route {
        Route::Issuer(id) => {
            let issuer = issuers::load(kv, id).await?;
            page(200, &IssuerPage::new(&issuer, base))
        }
        Route::Badge(id) => {
            let badge = badges::load(kv, id).await?;
            let issuer = issuers::load(kv, &badge.issuer_id).await?;
            page(200, &BadgePage::new(&badge, &issuer, base))
        }
        Route::Assertion(id) => assertion(kv, base, now, id).await,
        // Keys, revocation lists and images have no page.
        _ => documents::serve(kv, base, now, route, rep, cache).await,
    }
}

/// `/assertions/:id` for a browser (2 round trips).
async fn assertion<K: Kv + ?Sized>(
    kv: &K,
    base: &BaseUrl,
    now: OffsetDateTime,
    id: &str,
) -> Result<Reply, Error> {
    let record = documents::award_record(kv, id).await?;
    let award: Award = kv::decode(&store_keys::award(id), &record)?;
    let public_page = award.visibility == Visibility::Public
        && award.acceptance.state == AcceptanceState::Accepted;
    let status = award.status(now);
    if status == Status::Revoked && !public_page {
        let reason = award.revoked.as_ref().map_or("", |r| r.reason.as_str());
        let message = format!("This badge was revoked by its issuer. Reason: {reason}");
        return page(
            410,
            &NoticePage::new(base, base.assertion(id), "Revoked", &message),
        );
    }
    if status == Status::Rejected {
        return Err(Error::not_found(ObjectKind::Assertion, id));
    }
    // Revoked awards reach this point only when public and accepted.
    if award.acceptance.state == AcceptanceState::Pending {
        return Err(Error::NotFound(NotFound::NotYetAccepted {
            id: id.to_owned(),
        }));
    }
    if !public_page {
        return Err(Error::not_found(ObjectKind::Assertion, id));
    }
    let (badge, issuer) = assertion_context(kv, &award).await?;
    let code = if status == Status::Revoked { 410 } else { 200 };
    page(
        code,
        &AssertionPage::new(&award, &badge, &issuer, base, now),
    )
}

/// The reply for a failure: an HTML notice for browsers on 404/5xx, else problem+json.
pub fn failure(error: &Error, rep: Representation, base: &BaseUrl, url: String) -> Reply {
    documents::failure(error, rep, |error: &Error| {
        let status = error.status();
        let (heading, message) = match error {
            Error::NotFound(NotFound::NotYetAccepted { .. }) => (
                "Not yet accepted",
                "This badge has not yet been accepted by its recipient, so it has no public page yet.",
            ),
            _ if status == 404 => (
                "Not found",
                "There is no badge, issuer or assertion at this address. Check the link you followed.",
            ),
            _ if status >= 500 => (
                "Something went wrong",
                "We could not show this page right now. Please try again in a moment.",
            ),
            _ => return None,
        };
        html::render(&NoticePage::new(base, url, heading, message)).ok()
    })
}

#[cfg(test)]
mod tests;
