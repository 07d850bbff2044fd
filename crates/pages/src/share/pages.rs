//! The embeddable badge card, the printable certificate and the e-mail signature snippet.
//!
//! All three show the same facts as the public badge page (name, issuer, dates, status) and
//! link back to it. Everything issuers wrote is escaped by askama; none of them runs scripts.
//! Images are the baked badge image (`/assertions/:id/image`) when the class image is hosted
//! here, else the issuer's own https URL (`emblem_badges::sharing::links::badge_image_url`).

use askama::Template;
use time::OffsetDateTime;

use super::qr;
use crate::base_url::BaseUrl;
use crate::clock;
use crate::error::Error;
use crate::model::award::Award;
use crate::model::badge::BadgeClass;
use crate::model::issuer::Issuer;
use emblem_badges::sharing::links::{badge_image_url, verify_url};

fn status_line(award: &Award, now: OffsetDateTime) -> Option<String> {
    award
        .expires
        .filter(|e| *e <= now)
        .map(|e| format!("Expired on {}", clock::human_date(e)))
}

/// The embeddable badge card (`/embed/:id`), a small page meant for an `<iframe>`.
#[derive(Debug, Template)]
#[template(path = "embed.html")]
pub struct EmbedCard {
    name: String,
    issuer: String,
    recipient_name: Option<String>,
    image: String,
    page_url: String,
    issued: String,
    issued_iso: String,
    expired: Option<String>,
    css_url: String,
}

impl EmbedCard {
    /// The card of `award`.
    pub fn new(
        award: &Award,
        badge: &BadgeClass,
        issuer: &Issuer,
        base: &BaseUrl,
        now: OffsetDateTime,
    ) -> Self {
        Self {
            name: badge.name.clone(),
            issuer: issuer.name.clone(),
            recipient_name: award.recipient.name.clone(),
            image: badge_image_url(award, badge, base),
            page_url: base.assertion(&award.id),
            issued: clock::human_date(award.issued_on),
            issued_iso: clock::format(award.issued_on),
            expired: status_line(award, now),
            css_url: base.asset("share.css"),
        }
    }

    /// The page's bytes.
    pub fn render(&self) -> Result<Vec<u8>, Error> {
        crate::html::render(self)
    }
}

/// The printable certificate (`/certificate/:id`).
#[derive(Debug, Template)]
#[template(path = "certificate.html")]
pub struct CertificatePage {
    name: String,
    issuer: String,
    recipient_name: Option<String>,
    image: String,
    page_url: String,
    verify_url: String,
    qr_svg: String,
    issued: String,
    issued_iso: String,
    expires: Option<(String, String)>,
    expired: Option<String>,
    credential_id: String,
    css_url: String,
    icon_url: String,
}

impl CertificatePage {
    /// The certificate of `award`, with the QR code of its verify link.
    pub fn new(
        award: &Award,
        badge: &BadgeClass,
        issuer: &Issuer,
        base: &BaseUrl,
        now: OffsetDateTime,
    ) -> Result<Self, Error> {
        let verify_url = verify_url(award, base);
        let qr_svg = qr::svg(&verify_url, "QR code of the verification link")?;
        Ok(Self {
            name: badge.name.clone(),
            issuer: issuer.name.clone(),
            recipient_name: award.recipient.name.clone(),
            image: badge_image_url(award, badge, base),
            page_url: base.assertion(&award.id),
            verify_url,
            qr_svg,
            issued: clock::human_date(award.issued_on),
            issued_iso: clock::format(award.issued_on),
            expires: award
                .expires
                .map(|e| (clock::format(e), clock::human_date(e))),
            expired: status_line(award, now),
            credential_id: award.id.clone(),
            css_url: base.asset("share.css"),
            icon_url: base.asset("favicon.svg"),
        })
    }

    /// The page's bytes.
    pub fn render(&self) -> Result<Vec<u8>, Error> {
        crate::html::render(self)
    }
}

/// The e-mail signature snippet.
#[derive(Debug, Template)]
#[template(path = "signature.html")]
struct Signature<'a> {
    name: &'a str,
    issuer: &'a str,
    image: String,
    page_url: String,
}

/// An HTML snippet for an e-mail signature: the badge image and name linking to the public
/// badge page, with inline styles (mail clients drop style sheets) and absolute URLs. Every
/// text is escaped.
pub fn signature_snippet(
    award: &Award,
    badge: &BadgeClass,
    issuer: &Issuer,
    base: &BaseUrl,
) -> Result<String, Error> {
    let snippet = Signature {
        name: &badge.name,
        issuer: &issuer.name,
        image: badge_image_url(award, badge, base),
        page_url: base.assertion(&award.id),
    };
    Ok(snippet
        .render()
        .map_err(crate::error::Error::render_failed)?
        .trim()
        .to_owned())
}
