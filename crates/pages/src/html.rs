//! HTML pages for people and link-preview crawlers (askama templates in `templates/`).
//!
//! 1. Every page extends `base.html`: `lang="en"`, a viewport for phones, the stylesheet
//!    `/static/emblem.css`, Open Graph tags (`og:title`, `og:description`, `og:image` as an
//!    absolute URL, `og:url`, `og:type`) and, for documents, a
//!    `<link rel="alternate" type="application/ld+json">` to the JSON-LD.
//! 2. Everything issuers and earners wrote is escaped by askama (HTML templates escape by
//!    default); Markdown is shown as plain text with its line breaks, never rendered to HTML.
//! 3. The assertion page shows the badge, its issuer, dates and status (valid, expired,
//!    revoked with reason). The recipient appears only as "a hashed email address": the
//!    plaintext email is never on a public page.
//! 4. Pages are served with a strict CSP (no scripts at all; styles and images from our
//!    origin, images also from https and data URIs), see [`crate::hosting`].

use crate::markdown;
use askama::Template;
use time::OffsetDateTime;

use crate::base_url::BaseUrl;
use crate::clock;
use crate::error::Error;
use crate::model::award::Award;
use crate::model::badge::BadgeClass;
use crate::model::image_url;
use crate::model::issuer::Issuer;
use emblem_badges::sharing::links::{self as share, Credential, YearMonth};

/// The `<head>` of a page.
#[derive(Debug, Clone)]
pub struct Head {
    /// `<title>` and `og:title`.
    pub title: String,
    /// `description` and `og:description` (at most ~200 characters).
    pub description: String,
    /// `og:url`: the canonical URL of the page.
    pub url: String,
    /// `og:image`: absolute URL.
    pub image: Option<String>,
    /// The JSON-LD alternate, for document pages.
    pub json_url: Option<String>,
    /// The stylesheet.
    pub css_url: String,
    /// The favicon.
    pub icon_url: String,
}

/// How an assertion page presents the award.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageStatus {
    /// Accepted, current, not revoked.
    Valid,
    /// Expired on the given (human) date.
    Expired(String),
    /// Revoked for the given reason.
    Revoked(String),
}

/// One evidence item on the page.
#[derive(Debug, Clone)]
pub struct EvidenceItem {
    /// Link, if any.
    pub url: Option<String>,
    /// Name, or "Evidence".
    pub title: String,
    /// Narrative or description.
    pub text: Option<String>,
}

/// The values of LinkedIn's certification form, shown on the badge page for copying by hand
/// (LinkedIn may not prefill them, docs/standards/sharing.md §1.3).
#[derive(Debug, Clone)]
pub struct CopyValues {
    /// Certification name.
    pub name: String,
    /// Issuing organisation.
    pub organization: String,
    /// Issue month, e.g. "March 2026".
    pub issued: String,
    /// Expiry month, if it expires.
    pub expires: Option<String>,
    /// Credential id.
    pub id: String,
    /// Credential URL (this page).
    pub url: String,
    /// The printable certificate.
    pub certificate_url: String,
}

impl CopyValues {
    fn new(credential: &Credential, base: &BaseUrl) -> Self {
        Self {
            name: credential.name.clone(),
            organization: credential.organization_name.clone(),
            issued: credential.issued.human(),
            expires: credential.expires.map(YearMonth::human),
            id: credential.id.clone(),
            url: credential.url.clone(),
            certificate_url: base.join(&format!("/certificate/{}", credential.id)),
        }
    }
}

/// The public page of an assertion.
#[derive(Debug, Template)]
#[template(path = "assertion.html")]
pub struct AssertionPage {
    head: Head,
    status: PageStatus,
    badge_name: String,
    badge_description: String,
    badge_image: String,
    badge_page: String,
    issuer_name: String,
    issuer_page: String,
    recipient_name: Option<String>,
    issued: String,
    issued_iso: String,
    expires: Option<(String, String)>,
    criteria_narrative: Option<String>,
    criteria_url: Option<String>,
    narrative: Option<String>,
    evidence: Vec<EvidenceItem>,
    copy: Option<CopyValues>,
}

impl AssertionPage {
    /// The page of `award` of `badge` by `issuer`, with its status at `now`.
    pub fn new(
        award: &Award,
        badge: &BadgeClass,
        issuer: &Issuer,
        base: &BaseUrl,
        now: OffsetDateTime,
    ) -> Self {
        let status = match (&award.revoked, award.expires) {
            (Some(r), _) => PageStatus::Revoked(r.reason.clone()),
            (None, Some(e)) if e <= now => PageStatus::Expired(clock::human_date(e)),
            _ => PageStatus::Valid,
        };
        let badge_image = image_url(&badge.image, || base.badge_image(&badge.id));
        // Nothing to copy into LinkedIn once the issuer has revoked it.
        let copy = award
            .revoked
            .is_none()
            .then(|| CopyValues::new(&Credential::new(award, badge, issuer, base), base));
        Self {
            head: Head {
                title: format!("{} — awarded by {}", badge.name, issuer.name),
                description: summary(&badge.description),
                url: base.assertion(&award.id),
                // The baked image, so previews carry the credential (docs/standards/sharing.md §2.2); a revoked
                // award has no baked image (410), so its page previews the class image.
                image: Some(if award.revoked.is_some() {
                    badge_image.clone()
                } else {
                    share::badge_image_url(award, badge, base)
                }),
                json_url: Some(base.assertion(&award.id)),
                css_url: base.asset("emblem.css"),
                icon_url: base.asset("favicon.svg"),
            },
            status,
            badge_name: badge.name.clone(),
            badge_description: markdown::to_html(&badge.description),
            badge_image,
            badge_page: base.badge(&badge.id),
            issuer_name: issuer.name.clone(),
            issuer_page: base.issuer(&issuer.id),
            recipient_name: award.recipient.name.clone(),
            issued: clock::human_date(award.issued_on),
            issued_iso: clock::format(award.issued_on),
            expires: award
                .expires
                .map(|e| (clock::format(e), clock::human_date(e))),
            criteria_narrative: badge.criteria.narrative.as_deref().map(markdown::to_html),
            criteria_url: badge.criteria.url.clone(),
            narrative: award.narrative.as_deref().map(markdown::to_html),
            evidence: award
                .evidence
                .iter()
                .map(|e| EvidenceItem {
                    url: e.url.clone(),
                    title: e.name.clone().unwrap_or_else(|| "Evidence".to_owned()),
                    text: e.narrative.clone().or_else(|| e.description.clone()),
                })
                .collect(),
            copy,
        }
    }
}

/// One alignment on the badge page.
#[derive(Debug, Clone)]
pub struct AlignmentItem {
    /// Target URL.
    pub url: String,
    /// Target name.
    pub name: String,
    /// Framework and code.
    pub detail: Option<String>,
}

/// The public page of a badge class.
#[derive(Debug, Template)]
#[template(path = "badge.html")]
pub struct BadgePage {
    head: Head,
    name: String,
    description: String,
    image: String,
    issuer_name: String,
    issuer_page: String,
    criteria_narrative: Option<String>,
    criteria_url: Option<String>,
    tags: Vec<String>,
    alignments: Vec<AlignmentItem>,
}

impl BadgePage {
    /// The page of `badge` by `issuer`.
    pub fn new(badge: &BadgeClass, issuer: &Issuer, base: &BaseUrl) -> Self {
        let image = image_url(&badge.image, || base.badge_image(&badge.id));
        Self {
            head: Head {
                title: format!("{} — a badge by {}", badge.name, issuer.name),
                description: summary(&badge.description),
                url: base.badge(&badge.id),
                image: Some(image.clone()),
                json_url: Some(base.badge(&badge.id)),
                css_url: base.asset("emblem.css"),
                icon_url: base.asset("favicon.svg"),
            },
            name: badge.name.clone(),
            description: markdown::to_html(&badge.description),
            image,
            issuer_name: issuer.name.clone(),
            issuer_page: base.issuer(&issuer.id),
            criteria_narrative: badge.criteria.narrative.as_deref().map(markdown::to_html),
            criteria_url: badge.criteria.url.clone(),
            tags: badge.tags.clone(),
            alignments: badge
                .alignment
                .iter()
                .map(|a| AlignmentItem {
                    url: a.target_url.clone(),
                    name: a.target_name.clone(),
                    detail: match (&a.target_framework, &a.target_code) {
                        (Some(f), Some(c)) => Some(format!("{f}, {c}")),
                        (Some(x), None) | (None, Some(x)) => Some(x.clone()),
                        (None, None) => None,
                    },
                })
                .collect(),
        }
    }
}

/// The public page of an issuer.
#[derive(Debug, Template)]
#[template(path = "issuer.html")]
pub struct IssuerPage {
    head: Head,
    name: String,
    description: Option<String>,
    image: Option<String>,
    url: String,
    email: String,
}

impl IssuerPage {
    /// The page of `issuer`.
    pub fn new(issuer: &Issuer, base: &BaseUrl) -> Self {
        let image = issuer
            .image
            .as_ref()
            .map(|i| image_url(i, || base.issuer_image(&issuer.id)));
        Self {
            head: Head {
                title: format!("{} — badge issuer", issuer.name),
                description: issuer
                    .description
                    .as_deref()
                    .map_or_else(|| format!("Badges issued by {}.", issuer.name), summary),
                url: base.issuer(&issuer.id),
                image: image.clone(),
                json_url: Some(base.issuer(&issuer.id)),
                css_url: base.asset("emblem.css"),
                icon_url: base.asset("favicon.svg"),
            },
            name: issuer.name.clone(),
            description: issuer.description.as_deref().map(markdown::to_html),
            image,
            url: issuer.url.clone(),
            email: issuer.email.clone(),
        }
    }
}

/// A short page with a heading and a message (not found, not yet accepted, …).
#[derive(Debug, Template)]
#[template(path = "notice.html")]
pub struct NoticePage {
    pub(crate) head: Head,
    heading: String,
    message: String,
}

impl NoticePage {
    /// A notice at `url`.
    pub fn new(base: &BaseUrl, url: String, heading: &str, message: &str) -> Self {
        Self {
            head: Head {
                title: format!("{heading} — Emblem"),
                description: message.to_owned(),
                url,
                image: None,
                json_url: None,
                css_url: base.asset("emblem.css"),
                icon_url: base.asset("favicon.svg"),
            },
            heading: heading.to_owned(),
            message: message.to_owned(),
        }
    }
}

/// `s` escaped for HTML text and quoted attributes: the template engine's own escaper, so a
/// value written by hand into HTML (a snippet, a redirect body, an SVG label) is escaped
/// exactly as a template would escape it (`&`, `<`, `>`, `"` and `'`).
pub fn escape(s: &str) -> String {
    match askama::filters::escape(s, askama::filters::Html) {
        Ok(safe) => safe.to_string(),
        Err(never) => match never {},
    }
}

/// Render a page to bytes.
pub fn render(page: &impl Template) -> Result<Vec<u8>, Error> {
    Ok(page
        .render()
        .map_err(crate::error::Error::render_failed)?
        .into_bytes())
}

/// The first ~200 characters of `text` on one line, cut at a word boundary.
pub fn summary(text: &str) -> String {
    const MAX: usize = 200;
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= MAX {
        return flat;
    }
    let cut: String = flat.chars().take(MAX).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ob2::fixtures;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-12-01 00:00 UTC);

    fn base() -> BaseUrl {
        BaseUrl::parse("https://badges.example.org").expect("base")
    }

    fn assertion_html(
        award: &Award,
        badge: &BadgeClass,
        issuer: &Issuer,
        now: OffsetDateTime,
    ) -> String {
        let page = AssertionPage::new(award, badge, issuer, &base(), now);
        String::from_utf8(render(&page).expect("render")).expect("utf8")
    }

    #[test]
    fn the_assertion_page_shows_the_badge_and_never_the_email() {
        let html = assertion_html(
            &fixtures::award(),
            &fixtures::badge(),
            &fixtures::issuer(),
            NOW,
        );
        assert!(html.contains("<html lang=\"en\">"));
        assert!(html.contains("name=\"viewport\""));
        assert!(html.contains("<h1 id=\"badge-name\">Rust Basics</h1>"));
        assert!(html.contains("Example Academy"));
        assert!(html.contains("A hashed email address"));
        assert!(html.contains("22 November 2026"));
        assert!(html.contains("Valid"));
        assert!(
            !html.contains("alice@example.org"),
            "plaintext email leaked"
        );
        assert!(!html.contains("<script"));
    }

    #[test]
    fn the_assertion_page_carries_open_graph_tags_and_the_json_ld_link() {
        let html = assertion_html(
            &fixtures::award(),
            &fixtures::badge(),
            &fixtures::issuer(),
            NOW,
        );
        let url = format!(
            "https://badges.example.org/assertions/{}",
            fixtures::AWARD_ID
        );
        for needle in [
            "<meta property=\"og:title\" content=\"Rust Basics — awarded by Example Academy\">"
                .to_owned(),
            format!("<meta property=\"og:url\" content=\"{url}\">"),
            format!(
                "<meta property=\"og:image\" content=\"https://badges.example.org/assertions/{}/image\">",
                fixtures::AWARD_ID
            ),
            "<meta name=\"twitter:card\" content=\"summary_large_image\">".to_owned(),
            "<meta property=\"og:image:alt\" content=\"Rust Basics badge\">".to_owned(),
            format!(
                "<meta name=\"twitter:image\" content=\"https://badges.example.org/assertions/{}/image\">",
                fixtures::AWARD_ID
            ),
            "<meta property=\"og:type\" content=\"website\">".to_owned(),
            "<meta property=\"og:description\"".to_owned(),
            format!("<link rel=\"alternate\" type=\"application/ld+json\" href=\"{url}\">"),
            "<link rel=\"stylesheet\" href=\"https://badges.example.org/static/emblem.css\">"
                .to_owned(),
        ] {
            assert!(html.contains(&needle), "missing {needle}");
        }
    }

    #[test]
    fn the_assertion_page_lists_the_linkedin_values_to_copy() {
        let mut issuer = fixtures::issuer();
        issuer.name = "R&D \"Lab\"".into();
        let html = assertion_html(&fixtures::award(), &fixtures::badge(), &issuer, NOW);
        let id = fixtures::AWARD_ID;
        for needle in [
            "<dt>Name</dt>\n<dd><code>Rust Basics</code></dd>".to_owned(),
            "<dt>Issuing organization</dt>\n<dd><code>R&#38;D &#34;Lab&#34;</code></dd>".to_owned(),
            "<dt>Issue date</dt>\n<dd><code>November 2026</code></dd>".to_owned(),
            "<dt>Expiration date</dt>\n<dd><code>November 2027</code></dd>".to_owned(),
            format!("<dt>Credential ID</dt>\n<dd><code>{id}</code></dd>"),
            format!(
                "<dt>Credential URL</dt>\n<dd><code>https://badges.example.org/assertions/{id}</code></dd>"
            ),
            format!(
                "<a href=\"https://badges.example.org/certificate/{id}\">Printable certificate</a>"
            ),
        ] {
            assert!(html.contains(&needle), "missing {needle}");
        }
        let mut award = fixtures::award();
        award.expires = None;
        let html = assertion_html(&award, &fixtures::badge(), &fixtures::issuer(), NOW);
        assert!(html.contains("<dt>Expiration date</dt>\n<dd>Does not expire</dd>"));
    }

    #[test]
    fn a_revoked_page_offers_nothing_to_copy() {
        let html = assertion_html(
            &fixtures::revoked_award(),
            &fixtures::badge(),
            &fixtures::issuer(),
            NOW,
        );
        assert!(!html.contains("Add it to LinkedIn"));
        assert!(!html.contains("/certificate/"));
        assert!(html.contains(&format!(
            "<meta property=\"og:image\" content=\"https://badges.example.org/badges/{}/image\">",
            fixtures::BADGE_ID
        )));
    }

    #[test]
    fn open_graph_and_twitter_tags_escape_issuer_text() {
        let mut badge = fixtures::badge();
        badge.name = "<script>\"&".into();
        badge.description = "<script>\"&".into();
        let html = assertion_html(&fixtures::award(), &badge, &fixtures::issuer(), NOW);
        let escaped = "&#60;script&#62;&#34;&#38;";
        for needle in [
            format!(
                "<meta property=\"og:title\" content=\"{escaped} — awarded by Example Academy\">"
            ),
            format!("<meta property=\"og:description\" content=\"{escaped}\">"),
            format!(
                "<meta name=\"twitter:title\" content=\"{escaped} — awarded by Example Academy\">"
            ),
            format!("<meta property=\"og:image:alt\" content=\"{escaped} badge\">"),
        ] {
            assert!(html.contains(&needle), "missing {needle}");
        }
        assert!(!html.contains("<script>"));
    }

    #[test]
    fn expired_and_revoked_awards_say_so() {
        let late = datetime!(2028-01-01 00:00 UTC);
        let html = assertion_html(
            &fixtures::award(),
            &fixtures::badge(),
            &fixtures::issuer(),
            late,
        );
        assert!(html.contains("Expired on 22 November 2027"));
        let html = assertion_html(
            &fixtures::revoked_award(),
            &fixtures::badge(),
            &fixtures::issuer(),
            late,
        );
        assert!(html.contains("Revoked by the issuer"));
        assert!(html.contains("Reason: Issued in error"));
        assert!(!html.contains("Expired on"), "revoked wins over expired");
    }

    #[test]
    fn issuer_written_text_is_escaped_everywhere() {
        let evil = "<script>alert(\"x\")</script>";
        let mut badge = fixtures::badge();
        badge.name = evil.into();
        badge.description = evil.into();
        badge.criteria.narrative = Some(evil.into());
        badge.tags = vec![evil.into()];
        let mut issuer = fixtures::issuer();
        issuer.name = evil.into();
        let mut award = fixtures::award();
        award.narrative = Some(evil.into());
        let pages = [
            assertion_html(&award, &badge, &issuer, NOW),
            String::from_utf8(render(&BadgePage::new(&badge, &issuer, &base())).expect("r"))
                .expect("utf8"),
            String::from_utf8(render(&IssuerPage::new(&issuer, &base())).expect("r"))
                .expect("utf8"),
        ];
        for html in pages {
            assert!(!html.contains("<script>"), "{html}");
            assert!(html.contains("&#60;script&#62;"));
        }
    }

    #[test]
    fn badge_and_issuer_pages_render_their_details() {
        let badge = fixtures::badge();
        let issuer = fixtures::issuer();
        let html = String::from_utf8(render(&BadgePage::new(&badge, &issuer, &base())).expect("r"))
            .expect("utf8");
        assert!(html.contains("Programming in Rust"));
        assert!(html.contains("Example Skills, RS-1"));
        assert!(html.contains("<li>rust</li>"));
        let html = String::from_utf8(render(&IssuerPage::new(&issuer, &base())).expect("r"))
            .expect("utf8");
        assert!(html.contains("alt=\"Example Academy logo\""));
        assert!(html.contains("mailto:badges@academy.example.org"));
    }

    #[test]
    fn summaries_are_one_line_and_cut_at_a_word() {
        assert_eq!(summary("a\n b"), "a b");
        let long = "word ".repeat(100);
        let s = summary(&long);
        assert!(s.chars().count() <= 201);
        assert!(s.ends_with("word…"));
    }
}
