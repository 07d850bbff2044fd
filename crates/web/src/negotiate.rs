//! Content negotiation for hosted Open Badges documents (docs/standards/ob2.md §1.2, §3.4).
//!
//! 1. Parse the `Accept` header into media ranges with q-values (RFC 9110 §12.5.1).
//! 2. For each representation we offer, in preference order `application/ld+json`,
//!    `application/json`, `text/html`, take the q-value of the most specific matching range
//!    (`type/subtype` over `type/*` over `*/*`).
//! 3. Pick the highest q; ties go to the earlier representation, so `*/*`, a missing header
//!    and `application/json, application/ld+json` all get JSON-LD, and a browser's
//!    `text/html,…;q=0.9,*/*;q=0.8` gets HTML.
//! 4. If nothing we offer is acceptable, serve JSON-LD anyway (RFC 9110 lets a server ignore
//!    `Accept` rather than answer 406; validators should get the document).
//! 5. Link-preview crawlers (LinkedInBot, facebookexternalhit, Twitterbot, Slackbot,
//!    Discordbot, WhatsApp) get HTML with Open Graph tags unless they explicitly rank JSON
//!    above HTML. Responses therefore vary on `Accept` and `User-Agent`.

/// A representation of a hosted document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Representation {
    /// `application/ld+json` (the default).
    LdJson,
    /// `application/json`.
    Json,
    /// `text/html`.
    Html,
}

impl Representation {
    /// The `Content-Type` to send.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::LdJson => "application/ld+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
            Self::Html => "text/html; charset=utf-8",
        }
    }

    /// Whether this is one of the JSON representations.
    pub fn is_json(self) -> bool {
        !matches!(self, Self::Html)
    }

    fn media_type(self) -> (&'static str, &'static str) {
        match self {
            Self::LdJson => ("application", "ld+json"),
            Self::Json => ("application", "json"),
            Self::Html => ("text", "html"),
        }
    }
}

/// Preference order for ties.
const OFFERED: [Representation; 3] = [
    Representation::LdJson,
    Representation::Json,
    Representation::Html,
];

const PREVIEW_BOTS: [&str; 6] = [
    "linkedinbot",
    "facebookexternalhit",
    "twitterbot",
    "slackbot",
    "discordbot",
    "whatsapp",
];

/// Choose the representation for a request (see the module docs).
pub fn negotiate(accept: Option<&str>, user_agent: Option<&str>) -> Representation {
    let ranges = accept.map(parse_accept).unwrap_or_default();
    let q = |rep: Representation| -> u16 {
        if accept.is_none_or(|a| a.trim().is_empty()) {
            return 1000;
        }
        quality(&ranges, rep)
    };
    if user_agent.is_some_and(is_preview_bot) {
        let html = q(Representation::Html);
        let json = q(Representation::LdJson).max(q(Representation::Json));
        if (html > 0 && html >= json) || (html == 0 && json == 0) {
            return Representation::Html;
        }
    }
    let mut best = Representation::LdJson;
    let mut best_q = 0;
    for rep in OFFERED {
        let rep_q = q(rep);
        if rep_q > best_q {
            best = rep;
            best_q = rep_q;
        }
    }
    best
}

/// Choose between the two JSON representations only (for documents without an HTML page).
pub fn negotiate_json(accept: Option<&str>) -> Representation {
    match negotiate(accept, None) {
        Representation::Html => {
            let ranges = accept.map(parse_accept).unwrap_or_default();
            if quality(&ranges, Representation::Json) > quality(&ranges, Representation::LdJson) {
                Representation::Json
            } else {
                Representation::LdJson
            }
        }
        json => json,
    }
}

/// Whether the user agent is a link-preview crawler.
pub fn is_preview_bot(user_agent: &str) -> bool {
    let ua = user_agent.to_ascii_lowercase();
    PREVIEW_BOTS.iter().any(|bot| ua.contains(bot))
}

/// One media range: type, subtype, q in thousandths.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Range {
    kind: String,
    subtype: String,
    q: u16,
}

fn parse_accept(header: &str) -> Vec<Range> {
    header
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let (kind, subtype) = parts.next()?.trim().split_once('/')?;
            let mut q = 1000;
            for param in parts {
                if let Some((name, value)) = param.split_once('=')
                    && name.trim().eq_ignore_ascii_case("q")
                {
                    q = parse_q(value.trim())?;
                }
            }
            Some(Range {
                kind: kind.trim().to_ascii_lowercase(),
                subtype: subtype.trim().to_ascii_lowercase(),
                q,
            })
        })
        .collect()
}

/// A qvalue (RFC 9110 §12.4.2): `0`, `1`, `0.x` up to three decimals, in thousandths.
fn parse_q(s: &str) -> Option<u16> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let frac_value = format!("{frac:0<3}").parse::<u16>().ok()?;
    match int {
        "0" => Some(frac_value),
        "1" if frac_value == 0 => Some(1000),
        _ => None,
    }
}

fn quality(ranges: &[Range], rep: Representation) -> u16 {
    let (kind, subtype) = rep.media_type();
    let mut best: Option<(u8, u16)> = None;
    for r in ranges {
        let specificity = if r.kind == kind && r.subtype == subtype {
            2
        } else if r.kind == kind && r.subtype == "*" {
            1
        } else if r.kind == "*" && r.subtype == "*" {
            0
        } else {
            continue;
        };
        if best.is_none_or(|(s, _)| specificity > s) {
            best = Some((specificity, r.q));
        }
    }
    best.map_or(0, |(_, q)| q)
}

#[cfg(test)]
mod tests {
    use super::Representation::{Html, Json, LdJson};
    use super::*;

    const FIREFOX: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    const CHROME: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7";

    #[test]
    fn json_ld_is_the_default() {
        assert_eq!(negotiate(None, None), LdJson);
        assert_eq!(negotiate(Some(""), None), LdJson);
        assert_eq!(negotiate(Some("*/*"), None), LdJson);
        assert_eq!(negotiate(Some("application/ld+json"), None), LdJson);
        assert_eq!(negotiate(Some("application/*"), None), LdJson);
    }

    #[test]
    fn plain_json_only_when_json_ld_is_not_accepted() {
        assert_eq!(negotiate(Some("application/json"), None), Json);
        assert_eq!(
            negotiate(Some("application/json, application/ld+json"), None),
            LdJson
        );
        assert_eq!(
            negotiate(Some("application/json, application/ld+json;q=0.5"), None),
            Json
        );
    }

    #[test]
    fn browsers_get_html() {
        assert_eq!(negotiate(Some(FIREFOX), None), Html);
        assert_eq!(negotiate(Some(CHROME), None), Html);
        assert_eq!(negotiate(Some("text/html"), None), Html);
    }

    #[test]
    fn q_values_are_respected() {
        assert_eq!(
            negotiate(Some("text/html;q=0.5, application/json"), None),
            Json
        );
        assert_eq!(
            negotiate(Some("text/html;q=0.9, application/ld+json;q=0.8"), None),
            Html
        );
        assert_eq!(negotiate(Some("text/html, */*;q=0"), None), Html);
    }

    #[test]
    fn the_most_specific_range_decides() {
        assert_eq!(
            negotiate(Some("application/ld+json;q=0, application/*"), None),
            Json
        );
    }

    #[test]
    fn validators_get_json_ld() {
        let validator = "application/ld+json, application/json, image/png, image/svg+xml";
        assert_eq!(negotiate(Some(validator), None), LdJson);
    }

    #[test]
    fn unacceptable_everything_falls_back_to_json_ld() {
        assert_eq!(negotiate(Some("image/png"), None), LdJson);
        assert_eq!(negotiate(Some("garbage"), None), LdJson);
    }

    #[test]
    fn malformed_q_values_drop_their_range() {
        assert_eq!(
            negotiate(Some("text/html;q=2, application/json"), None),
            Json
        );
        assert_eq!(negotiate(Some("text/html;q=0.1234"), None), LdJson);
        assert_eq!(negotiate(Some("text/html;Q=1.0"), None), Html);
    }

    #[test]
    fn link_preview_bots_get_html() {
        let ua =
            "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)";
        assert_eq!(negotiate(Some("*/*"), Some(ua)), Html);
        assert_eq!(negotiate(None, Some("facebookexternalhit/1.1")), Html);
        assert_eq!(
            negotiate(Some("application/ld+json"), Some("Twitterbot/1.0")),
            LdJson
        );
        assert_eq!(negotiate(Some("*/*"), Some("curl/8.0")), LdJson);
    }

    #[test]
    fn json_only_documents_never_negotiate_html() {
        assert_eq!(negotiate_json(Some(FIREFOX)), LdJson);
        assert_eq!(
            negotiate_json(Some("text/html, application/json;q=0.5")),
            Json
        );
        assert_eq!(negotiate_json(Some("application/json")), Json);
    }
}
