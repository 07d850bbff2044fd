//! The award email: what an earner receives, rendered for the issuer's mailer.
//!
//! 1. Every award response (create and resend) carries an [`AwardEmail`] `{subject, text,
//!    html}` with the claim link, what the badge is, who issued it, until when the link works,
//!    and an "Add to LinkedIn" button (`/share/linkedin/:id`, which works once the badge is
//!    accepted).
//! 2. The HTML part uses inline styles and plain links only (mail clients drop stylesheets and
//!    scripts); everything the issuer wrote is escaped by askama. The text part carries the
//!    same content with bare URLs.
//! 3. The subject is one line: control characters in names become spaces, so a name cannot
//!    inject headers into the issuer's mailer.

use askama::Template;
use serde::Serialize;
use time::OffsetDateTime;

use emblem_badges::base_url::BaseUrl;
use emblem_badges::clock;
use emblem_badges::error::Error;
use emblem_badges::model::award::Award;
use emblem_badges::model::badge::BadgeClass;
use emblem_badges::model::image_url;
use emblem_badges::model::issuer::Issuer;

/// A rendered email, ready for a mailer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AwardEmail {
    /// The recipient's address.
    pub to: String,
    /// One line.
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part.
    pub html: String,
}

/// Why the email is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occasion {
    /// A new award.
    Awarded,
    /// A new claim link for an award (the old link no longer works).
    Resent,
    /// The award is still waiting for the earner's answer (queued at award time, sent when
    /// due if the award is still pending with the same link).
    Reminder,
}

/// What both parts show.
#[derive(Debug)]
struct Content {
    resent: bool,
    reminder: bool,
    issuer_name: String,
    issuer_url: String,
    badge_name: String,
    badge_description: String,
    badge_image: String,
    claim_url: String,
    claim_expires: Option<String>,
    linkedin_url: String,
    assertion_url: String,
    unsubscribe_url: Option<String>,
}

#[derive(Debug, Template)]
#[template(path = "email/award.html")]
struct HtmlPart<'a> {
    c: &'a Content,
}

#[derive(Debug, Template)]
#[template(path = "email/award.txt")]
struct TextPart<'a> {
    c: &'a Content,
}

/// `s` on one line: control characters (newlines included) become spaces.
fn one_line(s: &str) -> String {
    let flat: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    flat.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Render the email for `award` with its claim link `claim_url` and, when Emblem sends it
/// itself, the unsubscribe link.
#[expect(clippy::too_many_arguments, reason = "each is one fact of the email")]
pub fn render(
    occasion: Occasion,
    award: &Award,
    badge: &BadgeClass,
    issuer: &Issuer,
    base: &BaseUrl,
    claim_url: &str,
    claim_expires_at: Option<OffsetDateTime>,
    unsubscribe_url: Option<&str>,
) -> Result<AwardEmail, Error> {
    let content = Content {
        resent: occasion == Occasion::Resent,
        reminder: occasion == Occasion::Reminder,
        issuer_name: issuer.name.clone(),
        issuer_url: issuer.url.clone(),
        badge_name: badge.name.clone(),
        badge_description: badge.description.clone(),
        badge_image: image_url(&badge.image, || base.badge_image(&badge.id)),
        claim_url: claim_url.to_owned(),
        claim_expires: claim_expires_at.map(clock::human_date),
        linkedin_url: base.join(&format!("/share/linkedin/{}", award.id)),
        assertion_url: base.assertion(&award.id),
        unsubscribe_url: unsubscribe_url.map(str::to_owned),
    };
    let subject = match occasion {
        Occasion::Awarded => format!(
            "{} awarded you the badge “{}”",
            one_line(&issuer.name),
            one_line(&badge.name)
        ),
        Occasion::Resent => format!(
            "Your new link to claim the badge “{}” from {}",
            one_line(&badge.name),
            one_line(&issuer.name)
        ),
        Occasion::Reminder => format!(
            "Reminder: your badge “{}” from {} is waiting for you",
            one_line(&badge.name),
            one_line(&issuer.name)
        ),
    };
    Ok(AwardEmail {
        to: award.recipient.email.clone(),
        subject,
        text: TextPart { c: &content }
            .render()
            .map_err(emblem_badges::error::Error::render_failed)?,
        html: HtmlPart { c: &content }
            .render()
            .map_err(emblem_badges::error::Error::render_failed)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use emblem_badges::ob2::fixtures;

    fn email(occasion: Occasion, badge: &BadgeClass, issuer: &Issuer) -> AwardEmail {
        let base = BaseUrl::parse("https://badges.example.org").expect("base");
        render(
            occasion,
            &fixtures::award(),
            badge,
            issuer,
            &base,
            "https://badges.example.org/claim/TOKEN",
            Some(time::macros::datetime!(2026-12-22 10:00 UTC)),
            Some("https://badges.example.org/unsubscribe/U"),
        )
        .expect("render")
    }

    #[test]
    fn the_email_carries_the_claim_link_and_the_linkedin_button() {
        let e = email(Occasion::Awarded, &fixtures::badge(), &fixtures::issuer());
        assert_eq!(e.to, "alice@example.org");
        assert_eq!(
            e.subject,
            "Example Academy awarded you the badge “Rust Basics”"
        );
        for part in [&e.text, &e.html] {
            assert!(
                part.contains("https://badges.example.org/claim/TOKEN"),
                "{part}"
            );
            assert!(part.contains("Add to LinkedIn"), "{part}");
            assert!(
                part.contains(&format!(
                    "https://badges.example.org/share/linkedin/{}",
                    fixtures::AWARD_ID
                )),
                "{part}"
            );
            assert!(part.contains("22 December 2026"), "{part}");
        }
        assert!(
            e.html
                .contains("<a href=\"https://badges.example.org/claim/TOKEN\"")
        );
        assert!(!e.html.contains("<script"));
    }

    #[test]
    fn a_reminder_says_the_badge_is_waiting_and_every_email_can_unsubscribe() {
        let e = email(Occasion::Reminder, &fixtures::badge(), &fixtures::issuer());
        assert!(e.subject.starts_with("Reminder:"), "{}", e.subject);
        assert!(e.text.contains("still waiting"), "{}", e.text);
        for part in [&e.text, &e.html] {
            assert!(
                part.contains("https://badges.example.org/unsubscribe/U"),
                "{part}"
            );
        }
    }

    #[test]
    fn a_resent_email_says_the_old_link_no_longer_works() {
        let e = email(Occasion::Resent, &fixtures::badge(), &fixtures::issuer());
        assert!(e.subject.starts_with("Your new link"), "{}", e.subject);
        assert!(
            e.text.contains("earlier link no longer works"),
            "{}",
            e.text
        );
    }

    #[test]
    fn names_are_escaped_in_html_and_kept_on_one_line_in_the_subject() {
        let mut badge = fixtures::badge();
        badge.name = "<script>alert(1)</script>\r\nBcc: evil@example.org".into();
        let mut issuer = fixtures::issuer();
        issuer.name = "A & B <i>".into();
        let e = email(Occasion::Awarded, &badge, &issuer);
        assert!(!e.subject.contains('\n') && !e.subject.contains('\r'));
        assert!(e.subject.contains("<script>alert(1)</script> Bcc:"));
        assert!(!e.html.contains("<script>alert(1)"), "{}", e.html);
        assert!(e.html.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
        assert!(e.html.contains("A &#38; B &#60;i&#62;"), "{}", e.html);
        assert!(
            e.text.contains("<script>alert(1)</script>"),
            "text is plain"
        );
    }
}
