//! The claim pages (askama templates in `templates/claim/`, escaping on).
//!
//! Every page extends `claim/layout.html`: no Open Graph tags (the URL holds the token),
//! `robots: noindex`, `referrer: no-referrer`, a viewport for phones, the site stylesheet
//! plus `claim.css`. Forms are plain HTML posts to the claim URL; nothing needs JavaScript.

use askama::Template;
use time::OffsetDateTime;

use super::guard::CrossSite;
use super::lookup::Found;
use super::snippets;
use super::{BadForm, conflict_message};
use crate::base_url::BaseUrl;
use crate::clock;
use crate::image::ImageType;
use crate::model::ImageRef;
use crate::model::award::{TransitionError, Visibility};
use crate::model::image_url;
use crate::reply::Reply;

/// The `<head>` of a claim page.
#[derive(Debug, Clone)]
pub struct Head {
    title: String,
    css_url: String,
    claim_css_url: String,
    icon_url: String,
}

impl Head {
    fn new(base: &BaseUrl, title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            css_url: base.asset("emblem.css"),
            claim_css_url: base.asset("claim.css"),
            icon_url: base.asset("favicon.svg"),
        }
    }
}

/// The badge as the claim pages show it.
#[derive(Debug, Clone)]
pub struct Badge {
    name: String,
    description: String,
    image: String,
    criteria_narrative: Option<String>,
    criteria_url: Option<String>,
    issuer_name: String,
    issuer_url: String,
    issuer_page: String,
    issuer_email: String,
    recipient: String,
    issued: String,
    expires: Option<String>,
}

impl Badge {
    fn new(base: &BaseUrl, found: &Found) -> Self {
        let (award, badge, issuer) = (&found.award, &found.badge, &found.issuer);
        Self {
            name: badge.name.clone(),
            description: crate::markdown::to_html(&badge.description),
            image: image_url(&badge.image, || base.badge_image(&badge.id)),
            criteria_narrative: badge
                .criteria
                .narrative
                .as_deref()
                .map(crate::markdown::to_html),
            criteria_url: badge.criteria.url.clone(),
            issuer_name: issuer.name.clone(),
            issuer_url: issuer.url.clone(),
            issuer_page: base.issuer(&issuer.id),
            issuer_email: issuer.email.clone(),
            recipient: match &award.recipient.name {
                Some(name) => format!("{name} ({})", mask_email(&award.recipient.email)),
                None => mask_email(&award.recipient.email),
            },
            issued: clock::human_date(award.issued_on),
            expires: award.expires.map(clock::human_date),
        }
    }
}

/// `alice@example.org` → `a…@example.org`: enough for the earner to recognise the address,
/// not enough to read it off a shoulder or a screenshot.
fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}…@{domain}")
        }
        None => "…".to_owned(),
    }
}

#[derive(Debug, Template)]
#[template(path = "claim/offer.html")]
struct OfferPage {
    head: Head,
    badge: Badge,
    action_url: String,
    claim_expires: String,
}

#[derive(Debug, Template)]
#[template(path = "claim/confirm.html")]
struct ConfirmPage {
    head: Head,
    badge: Badge,
    action_url: String,
}

#[derive(Debug, Template)]
#[template(path = "claim/manage.html")]
struct ManagePage {
    head: Head,
    badge: Badge,
    action_url: String,
    public: bool,
    accepted_on: Option<String>,
    expired: bool,
    assertion_url: String,
    assertion_json_url: String,
    download: Option<(String, &'static str)>,
    linkedin_add: String,
    linkedin_post: String,
    certificate_url: String,
    signature: String,
    embed: String,
    claim_expires: String,
}

#[derive(Debug, Template)]
#[template(path = "claim/notice.html")]
struct NoticePage {
    head: Head,
    heading: String,
    lines: Vec<String>,
    back: Option<String>,
}

/// A rendered page waiting for its status.
#[derive(Debug)]
pub struct Page {
    body: Result<String, askama::Error>,
}

impl Page {
    fn of(t: &impl Template) -> Self {
        Self { body: t.render() }
    }

    fn notice(base: &BaseUrl, heading: &str, lines: Vec<String>, back: Option<String>) -> Self {
        Self::of(&NoticePage {
            head: Head::new(base, format!("{heading} — Emblem")),
            heading: heading.to_owned(),
            lines,
            back,
        })
    }

    /// The page's HTML, or none when it failed to render (logged).
    pub fn html(self) -> Option<Vec<u8>> {
        self.body
            .map_err(|e| eprintln!("emblem: claim page: {e}"))
            .ok()
            .map(String::into_bytes)
    }

    /// The reply with `status` (a page that failed to render is a bare 500).
    pub fn reply(self, status: u16) -> Reply {
        match self.body {
            Ok(html) => Reply::bytes(status, "text/html; charset=utf-8", html.into_bytes()),
            Err(e) => {
                eprintln!("emblem: claim page: {e}");
                Reply::bytes(500, "text/plain; charset=utf-8", b"Internal error".to_vec())
            }
        }
    }

    /// A pending award: the badge, the issuer, what accepting means, Accept and Reject.
    pub fn offer(base: &BaseUrl, token: &str, found: &Found) -> Self {
        Self::of(&OfferPage {
            head: Head::new(base, format!("Claim your badge: {}", found.badge.name)),
            badge: Badge::new(base, found),
            action_url: base.claim(token),
            claim_expires: clock::human_date(found.expires_at),
        })
    }

    /// "Reject this badge?" with the confirming form.
    pub fn confirm_reject(base: &BaseUrl, token: &str, found: &Found) -> Self {
        Self::of(&ConfirmPage {
            head: Head::new(base, format!("Reject {}?", found.badge.name)),
            badge: Badge::new(base, found),
            action_url: base.claim(token),
        })
    }

    /// An accepted award: the earner's manage page.
    pub fn manage(base: &BaseUrl, now: OffsetDateTime, token: &str, found: &Found) -> Self {
        let award = &found.award;
        let badge = Badge::new(base, found);
        let assertion_url = base.assertion(&award.id);
        let download = match &found.badge.image {
            ImageRef::Hosted { content_type } => Some((
                base.join(&format!("/assertions/{}/image", award.id)),
                match content_type {
                    ImageType::Png => "PNG",
                    ImageType::Svg => "SVG",
                },
            )),
            ImageRef::Remote { .. } => None,
        };
        Self::of(&ManagePage {
            head: Head::new(base, format!("Your badge: {}", found.badge.name)),
            action_url: base.claim(token),
            public: award.visibility == Visibility::Public,
            accepted_on: award.acceptance.changed_at.map(clock::human_date),
            expired: award.is_expired(now),
            assertion_json_url: assertion_url.clone(),
            download,
            linkedin_add: base.join(&format!("/share/linkedin/{}", award.id)),
            linkedin_post: base.join(&format!("/share/linkedin/{}/post", award.id)),
            certificate_url: base.join(&format!("/certificate/{}", award.id)),
            signature: snippets::signature(
                &assertion_url,
                &badge.image,
                &found.badge.name,
                &found.issuer.name,
            ),
            embed: snippets::embed(base, &award.id, &found.badge.name),
            claim_expires: clock::human_date(found.expires_at),
            assertion_url,
            badge,
        })
    }

    /// The earner declined the badge.
    pub fn rejected(base: &BaseUrl, found: &Found) -> Self {
        let when = found
            .award
            .acceptance
            .changed_at
            .map(|t| format!(" on {}", clock::human_date(t)))
            .unwrap_or_default();
        Self::notice(
            base,
            "You declined this badge",
            vec![
                format!(
                    "You declined “{}” from {}{when}. It is not shown anywhere, and its public \
                     address answers “not found”.",
                    found.badge.name, found.issuer.name
                ),
                format!(
                    "If that was a mistake, ask {} ({}) to send the badge link again: the new \
                     link lets you accept it.",
                    found.issuer.name, found.issuer.email
                ),
            ],
            None,
        )
    }

    /// The issuer revoked the badge.
    pub fn revoked(base: &BaseUrl, found: &Found) -> Self {
        let reason = found
            .award
            .revoked
            .as_ref()
            .map_or("", |r| r.reason.as_str());
        Self::notice(
            base,
            "This badge was revoked",
            vec![
                format!(
                    "{} revoked “{}”. Reason: {reason}",
                    found.issuer.name, found.badge.name
                ),
                format!(
                    "Questions about it go to {} ({}).",
                    found.issuer.name, found.issuer.email
                ),
            ],
            None,
        )
    }

    /// The link expired.
    pub fn expired(base: &BaseUrl, found: &Found) -> Self {
        Self::notice(
            base,
            "This link has expired",
            vec![
                format!(
                    "This link to “{}” stopped working on {}.",
                    found.badge.name,
                    clock::human_date(found.expires_at)
                ),
                format!(
                    "Ask {} ({}) to send you a new link. Your badge is not lost: the new link \
                     works the same way.",
                    found.issuer.name, found.issuer.email
                ),
            ],
            None,
        )
    }

    /// No live claim link has this token.
    pub fn not_found(base: &BaseUrl) -> Self {
        Self::notice(
            base,
            "This link is not valid",
            vec![
                "This claim link does not work. It may have been replaced by a newer one: look \
                 for a more recent email about your badge and use its link."
                    .to_owned(),
                "If you cannot find one, ask the organisation that awarded the badge to send \
                 the link again. Check also that the whole address was copied."
                    .to_owned(),
            ],
            None,
        )
    }

    /// Too many unknown links from this address.
    pub fn locked_out(base: &BaseUrl, retry_after: u64) -> Self {
        let minutes = retry_after.div_ceil(60);
        Self::notice(
            base,
            "Too many attempts",
            vec![format!(
                "Too many claim links that do not work were tried from your network. Try again \
                 in {minutes} minute(s), with the link from your most recent email."
            )],
            None,
        )
    }

    /// A cross-site post.
    pub fn cross_site(base: &BaseUrl, why: &CrossSite) -> Self {
        let from = match why {
            CrossSite::FetchSite(s) => format!("(Sec-Fetch-Site: {s})"),
            CrossSite::Origin(o) => format!("(from {o})"),
        };
        Self::notice(
            base,
            "Request refused",
            vec![format!(
                "This form was sent from another site {from}, so nothing was changed. Open your \
                 claim link and use the buttons on its page."
            )],
            None,
        )
    }

    /// A form we cannot use.
    pub fn bad_form(base: &BaseUrl, bad: &BadForm) -> Self {
        Self::notice(
            base,
            "Nothing was changed",
            vec![format!(
                "The form could not be used: {}. Open your claim link again and use the buttons \
                 on its page.",
                bad.0
            )],
            None,
        )
    }

    /// A method other than GET, HEAD or POST.
    pub fn method_not_allowed(base: &BaseUrl) -> Self {
        Self::notice(
            base,
            "Not allowed",
            vec![
                "Claim links are opened (GET) and answered with their page's buttons (POST)."
                    .into(),
            ],
            None,
        )
    }

    /// A transition the award's state forbids.
    pub fn conflict(base: &BaseUrl, token: &str, found: &Found, t: &TransitionError) -> Self {
        Self::notice(
            base,
            "Nothing was changed",
            vec![conflict_message(t, &found.issuer.name)],
            Some(base.claim(token)),
        )
    }

    /// Our fault.
    pub fn internal(base: &BaseUrl) -> Self {
        Self::notice(
            base,
            "Something went wrong",
            vec![
                "Something went wrong on our side; nothing was changed. Try again in a moment."
                    .into(),
            ],
            None,
        )
    }
}
