//! The award email as an RFC 5322 message (built with `mail-builder`).
//!
//! - `From`: the issuer's name with Emblem's `mail_from` address (the address the SMTP
//!   account may send as); `Reply-To`: the issuer's own address, so replies reach the issuer.
//! - `multipart/alternative`: the text part, then the HTML part.
//! - `List-Unsubscribe`: the unsubscribe link, and `List-Unsubscribe-Post:
//!   List-Unsubscribe=One-Click` (RFC 8058), so mail clients offer a one-click unsubscribe.
//! - `Message-ID`: `<message-id@host of public_base_url>`, fixed per award event.
//! - Header values are encoded by `mail-builder` (RFC 2047 for non-ASCII); the subject is
//!   already one line ([`crate::email`]).

use time::OffsetDateTime;

use mail_builder::MessageBuilder;
use mail_builder::headers::raw::Raw;
use mail_builder::headers::url::URL;

use super::Envelope;

/// What the message is built from.
#[derive(Debug, Clone, Copy)]
pub struct Parts<'a> {
    /// `mail_from`.
    pub from_address: &'a str,
    /// Shown as the sender's name (the issuer's name).
    pub from_name: &'a str,
    /// The issuer's contact address, for `Reply-To`.
    pub reply_to: Option<&'a str>,
    /// The recipient.
    pub to: &'a str,
    /// One line.
    pub subject: &'a str,
    /// The plain-text part.
    pub text: &'a str,
    /// The HTML part.
    pub html: &'a str,
    /// The outbox message id (`<award-id>.<n>`).
    pub message_id: &'a str,
    /// The host of `public_base_url`, for the `Message-ID`.
    pub host: &'a str,
    /// The unsubscribe link.
    pub unsubscribe_url: &'a str,
    /// The `Date`.
    pub date: OffsetDateTime,
}

/// `s` with every control character (CR and LF included) turned into a space:
/// `mail-builder` writes header values as given, so a line break in a name or subject would
/// start a header of its own.
fn flat(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Build the message and its envelope.
pub fn build(p: &Parts<'_>) -> Envelope {
    let message = MessageBuilder::new()
        .from((flat(p.from_name), flat(p.from_address)))
        .to(flat(p.to))
        .subject(flat(p.subject))
        .message_id(flat(&format!("{}@{}", p.message_id, p.host)))
        .date(p.date.unix_timestamp())
        .header("List-Unsubscribe", URL::new(flat(p.unsubscribe_url)))
        .header(
            "List-Unsubscribe-Post",
            Raw::new("List-Unsubscribe=One-Click"),
        )
        .header("Auto-Submitted", Raw::new("auto-generated"));
    let message = match p.reply_to {
        Some(reply_to) => message.reply_to(flat(reply_to)),
        None => message,
    };
    let data = message
        .text_body(p.text)
        .html_body(p.html)
        .write_to_vec()
        .unwrap_or_default();
    Envelope {
        from: p.from_address.to_owned(),
        to: p.to.to_owned(),
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts<'a>(subject: &'a str) -> Parts<'a> {
        Parts {
            from_address: "badges@emblem.example",
            from_name: "Example Academy",
            reply_to: Some("registrar@academy.example"),
            to: "alice@example.org",
            subject,
            text: "Claim it: https://badges.example.org/claim/T",
            html: "<p><a href=\"https://badges.example.org/claim/T\">Claim</a></p>",
            message_id: "award-1.1",
            host: "badges.example.org",
            unsubscribe_url: "https://badges.example.org/unsubscribe/U",
            date: time::macros::datetime!(2026-11-28 10:00 UTC),
        }
    }

    #[test]
    fn the_message_has_both_parts_and_the_list_headers() {
        let env = build(&parts("Example Academy awarded you the badge “Rust”"));
        let text = String::from_utf8(env.data).expect("ascii");
        for want in [
            "From: \"Example Academy\" <badges@emblem.example>\r\n",
            "Reply-To: <registrar@academy.example>\r\n",
            "To: <alice@example.org>\r\n",
            "Message-ID: <award-1.1@badges.example.org>\r\n",
            "List-Unsubscribe: <https://badges.example.org/unsubscribe/U>\r\n",
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
            "Content-Type: multipart/alternative",
            "Content-Type: text/plain",
            "Content-Type: text/html",
        ] {
            assert!(text.contains(want), "{want:?} missing in\n{text}");
        }
        // The non-ASCII subject is encoded, never raw 8-bit in a header.
        let subject = text
            .lines()
            .find(|l| l.starts_with("Subject:"))
            .expect("subject");
        assert!(
            subject.is_ascii() && subject.contains("=?utf-8?"),
            "{subject}"
        );
        assert_eq!(env.from, "badges@emblem.example");
        assert_eq!(env.to, "alice@example.org");
    }

    #[test]
    fn no_line_break_in_a_value_can_start_a_header() {
        let mut p = parts("Hello\r\nBcc: evil@example.org");
        p.from_name = "Academy\r\nX-Injected: 1";
        let env = build(&p);
        let text = String::from_utf8(env.data).expect("ascii");
        assert!(!text.contains("\r\nBcc:"), "{text}");
        assert!(!text.contains("\nX-Injected"), "{text}");
    }
}
