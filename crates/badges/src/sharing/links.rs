//! The share URLs: LinkedIn "Add to profile" and feed share, X, Facebook and e-mail
//! (docs/standards/sharing.md §1–§3).
//!
//! 1. [`Credential`] gathers what LinkedIn's certification form holds: name, organisation
//!    (its LinkedIn Page id when the issuer configured one, else its name), issue and expiry
//!    month and year, the public badge page and the assertion id. The badge page shows the
//!    same values to copy by hand, since LinkedIn may not prefill them all (docs/standards/sharing.md §1.3).
//! 2. Every query value goes through [`encode`]: each byte outside RFC 3986's unreserved set
//!    (`A–Z a–z 0–9 - . _ ~`) becomes `%XX` of its UTF-8 bytes, so `&`, `#`, `+`, `=`, quotes
//!    and spaces (`%20`) can never end a parameter or be misread, and non-Latin text arrives
//!    intact. Values are never truncated: LinkedIn lets the member edit the form.
//! 3. The feed-share targets carry only the badge page URL (LinkedIn and Facebook build the
//!    preview from its Open Graph tags; X also takes a short text).

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use time::OffsetDateTime;

use crate::base_url::BaseUrl;
use crate::model::ImageRef;
use crate::model::award::Award;
use crate::model::badge::BadgeClass;
use crate::model::issuer::Issuer;

/// LinkedIn's "Add to profile" endpoint (docs/standards/sharing.md §1.1).
pub const LINKEDIN_ADD: &str = "https://www.linkedin.com/profile/add";
/// LinkedIn's feed share endpoint (docs/standards/sharing.md §2.1).
pub const LINKEDIN_SHARE: &str = "https://www.linkedin.com/sharing/share-offsite/";
/// X's (Twitter's) web intent.
pub const X_INTENT: &str = "https://twitter.com/intent/tweet";
/// Facebook's sharer.
pub const FACEBOOK_SHARER: &str = "https://www.facebook.com/sharer/sharer.php";

/// Bytes kept as they are: RFC 3986 §2.3 unreserved characters. Everything else is encoded.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encode `value` as one URI query component (see the module docs).
pub fn encode(value: &str) -> String {
    utf8_percent_encode(value, QUERY_VALUE).to_string()
}

/// `base?k1=v1&k2=v2…` with every value encoded.
fn with_query(base: &str, params: &[(&str, String)]) -> String {
    let mut url = String::from(base);
    for (i, (name, value)) in params.iter().enumerate() {
        url.push(if i == 0 { '?' } else { '&' });
        url.push_str(name);
        url.push('=');
        url.push_str(&encode(value));
    }
    url
}

/// Who issued the credential, as LinkedIn knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Organization {
    /// The issuer's LinkedIn Page id (digits): LinkedIn shows its logo and links to the page.
    Id(String),
    /// Free text: the issuer's name, shown with a generic logo.
    Name(String),
}

/// A month of a year, as LinkedIn's form takes dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YearMonth {
    /// Four-digit year.
    pub year: i32,
    /// 1–12.
    pub month: u8,
}

impl YearMonth {
    /// The month of `t` (UTC).
    pub fn of(t: OffsetDateTime) -> Self {
        Self {
            year: t.year(),
            month: u8::from(t.month()),
        }
    }

    /// "March 2026", as LinkedIn's form shows it.
    pub fn human(self) -> String {
        match time::Month::try_from(self.month) {
            Ok(m) => format!("{m} {}", self.year),
            Err(_) => format!("{}-{:02}", self.year, self.month),
        }
    }
}

/// What LinkedIn's certification form holds, for one award.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    /// The badge class name.
    pub name: String,
    /// The issuer.
    pub organization: Organization,
    /// The issuer's display name (shown on our pages even when LinkedIn gets the id).
    pub organization_name: String,
    /// Month of issue.
    pub issued: YearMonth,
    /// Month of expiry, if it expires.
    pub expires: Option<YearMonth>,
    /// The public badge page (`certUrl`).
    pub url: String,
    /// The assertion id (`certId`).
    pub id: String,
}

impl Credential {
    /// The credential of `award` of `badge` by `issuer`.
    pub fn new(award: &Award, badge: &BadgeClass, issuer: &Issuer, base: &BaseUrl) -> Self {
        let organization = match issuer.linkedin_organization_id.as_deref().map(str::trim) {
            Some(id) if !id.is_empty() => Organization::Id(id.to_owned()),
            _ => Organization::Name(issuer.name.clone()),
        };
        Self {
            name: badge.name.clone(),
            organization,
            organization_name: issuer.name.clone(),
            issued: YearMonth::of(award.issued_on),
            expires: award.expires.map(YearMonth::of),
            url: base.assertion(&award.id),
            id: award.id.clone(),
        }
    }

    /// LinkedIn's "Add to profile" URL (docs/standards/sharing.md §1.1), parameters in the documented order.
    pub fn linkedin_add_to_profile(&self) -> String {
        let mut params = vec![
            ("startTask", "CERTIFICATION_NAME".to_owned()),
            ("name", self.name.clone()),
        ];
        match &self.organization {
            Organization::Id(id) => params.push(("organizationId", id.clone())),
            Organization::Name(name) => params.push(("organizationName", name.clone())),
        }
        params.push(("issueYear", self.issued.year.to_string()));
        params.push(("issueMonth", self.issued.month.to_string()));
        if let Some(e) = self.expires {
            params.push(("expirationYear", e.year.to_string()));
            params.push(("expirationMonth", e.month.to_string()));
        }
        params.push(("certUrl", self.url.clone()));
        params.push(("certId", self.id.clone()));
        with_query(LINKEDIN_ADD, &params)
    }

    /// LinkedIn's feed share URL: only `url`; the preview comes from the page's Open Graph
    /// tags (docs/standards/sharing.md §2.1).
    pub fn linkedin_post(&self) -> String {
        with_query(LINKEDIN_SHARE, &[("url", self.url.clone())])
    }

    /// X's tweet intent with a short text and the page URL.
    pub fn x(&self) -> String {
        with_query(
            X_INTENT,
            &[("text", self.share_text()), ("url", self.url.clone())],
        )
    }

    /// Facebook's sharer with the page URL (the preview comes from Open Graph tags).
    pub fn facebook(&self) -> String {
        with_query(FACEBOOK_SHARER, &[("u", self.url.clone())])
    }

    /// A `mailto:` link with no recipient, a subject and a body (RFC 6068: values
    /// percent-encoded, line breaks as CRLF).
    pub fn email(&self) -> String {
        let body = format!(
            "{}\r\n\r\nSee and verify it here: {}\r\n",
            self.share_text(),
            self.url
        );
        with_query(
            "mailto:",
            &[
                ("subject", format!("My badge: {}", self.name)),
                ("body", body),
            ],
        )
    }

    /// "I earned <badge> from <issuer>."
    pub fn share_text(&self) -> String {
        format!(
            "I earned the {} badge from {}.",
            self.name, self.organization_name
        )
    }
}

/// The absolute URL of the badge image to show and preview: the baked image
/// (`<base>/assertions/:id/image`, the credential inside) when the class image is hosted here,
/// else the class's external https image.
pub fn badge_image_url(award: &Award, badge: &BadgeClass, base: &BaseUrl) -> String {
    match &badge.image {
        ImageRef::Hosted { .. } => base.join(&format!("/assertions/{}/image", award.id)),
        ImageRef::Remote { url } => url.clone(),
    }
}

/// `<base>/verify?url=<assertion URL, percent-encoded>`: the verify page for this award.
pub fn verify_url(award: &Award, base: &BaseUrl) -> String {
    format!(
        "{}?url={}",
        base.join("/verify"),
        encode(&base.assertion(&award.id))
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ob2::fixtures;
    use time::macros::datetime;

    fn base() -> BaseUrl {
        BaseUrl::parse("https://badges.example.org").expect("base")
    }

    const ID: &str = fixtures::AWARD_ID;

    fn credential(name: &str, org_id: Option<&str>, issuer_name: &str) -> Credential {
        let mut badge = fixtures::badge();
        badge.name = name.to_owned();
        let mut issuer = fixtures::issuer();
        issuer.name = issuer_name.to_owned();
        issuer.linkedin_organization_id = org_id.map(str::to_owned);
        let mut award = fixtures::award();
        award.issued_on = datetime!(2026-03-09 10:00 UTC);
        award.expires = None;
        Credential::new(&award, &badge, &issuer, &base())
    }

    fn cert_url() -> String {
        format!("https%3A%2F%2Fbadges.example.org%2Fassertions%2F{ID}")
    }

    #[test]
    fn add_to_profile_with_an_organization_id_and_no_expiry() {
        let c = credential("Rust Basics", Some("1337"), "Example Academy");
        assert_eq!(
            c.linkedin_add_to_profile(),
            format!(
                "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME\
                 &name=Rust%20Basics&organizationId=1337&issueYear=2026&issueMonth=3\
                 &certUrl={}&certId={ID}",
                cert_url()
            )
        );
    }

    #[test]
    fn add_to_profile_falls_back_to_the_organization_name_and_adds_the_expiry() {
        let mut c = credential("Rust Basics", None, "Example & Sons #1");
        c.expires = Some(YearMonth {
            year: 2028,
            month: 12,
        });
        assert_eq!(
            c.linkedin_add_to_profile(),
            format!(
                "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME\
                 &name=Rust%20Basics&organizationName=Example%20%26%20Sons%20%231\
                 &issueYear=2026&issueMonth=3&expirationYear=2028&expirationMonth=12\
                 &certUrl={}&certId={ID}",
                cert_url()
            )
        );
    }

    #[test]
    fn a_blank_organization_id_counts_as_none() {
        let c = credential("X", Some("  "), "Org");
        assert_eq!(c.organization, Organization::Name("Org".into()));
    }

    #[test]
    fn awkward_names_are_encoded_so_no_parameter_breaks() {
        let cases = [
            ("R&D: Q+A #1", "R%26D%3A%20Q%2BA%20%231"),
            (
                "\"Quoted\" 'name' = <b>",
                "%22Quoted%22%20%27name%27%20%3D%20%3Cb%3E",
            ),
            ("C++ 50% off?", "C%2B%2B%2050%25%20off%3F"),
            ("Ünïcödé", "%C3%9Cn%C3%AFc%C3%B6d%C3%A9"),
            ("日本語", "%E6%97%A5%E6%9C%AC%E8%AA%9E"),
            (
                "Ελληνικά",
                "%CE%95%CE%BB%CE%BB%CE%B7%CE%BD%CE%B9%CE%BA%CE%AC",
            ),
            ("عربي", "%D8%B9%D8%B1%D8%A8%D9%8A"),
            ("a/b\\c", "a%2Fb%5Cc"),
            ("tab\tnew\nline", "tab%09new%0Aline"),
            ("keep-._~", "keep-._~"),
        ];
        for (name, encoded) in cases {
            let c = credential(name, Some("42"), "Org");
            assert_eq!(
                c.linkedin_add_to_profile(),
                format!(
                    "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME\
                     &name={encoded}&organizationId=42&issueYear=2026&issueMonth=3\
                     &certUrl={}&certId={ID}",
                    cert_url()
                ),
                "{name}"
            );
        }
    }

    #[test]
    fn a_very_long_name_is_encoded_whole_and_decodes_back() {
        let name = "Überlange Zertifizierung für 日本語 & more ".repeat(5);
        let c = credential(&name, None, "Org");
        let url = c.linkedin_add_to_profile();
        let value = url
            .split('&')
            .find_map(|p| p.strip_prefix("name="))
            .expect("name parameter");
        assert!(
            value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"%-._~".contains(&b))
        );
        let decoded = percent_encoding::percent_decode_str(value)
            .decode_utf8()
            .expect("utf8");
        assert_eq!(decoded, name);
        assert_eq!(url.matches("&name=").count(), 1);
    }

    #[test]
    fn only_the_query_separators_are_raw() {
        let c = credential("a&b=c#d+e", None, "x&y=z#w");
        let url = c.linkedin_add_to_profile();
        let query = url.split_once('?').expect("query").1;
        assert!(!query.contains('#') && !query.contains('+'));
        let names: Vec<&str> = query
            .split('&')
            .map(|p| p.split_once('=').expect("k=v").0)
            .collect();
        assert_eq!(
            names,
            [
                "startTask",
                "name",
                "organizationName",
                "issueYear",
                "issueMonth",
                "certUrl",
                "certId"
            ]
        );
    }

    #[test]
    fn feed_share_targets_carry_the_badge_page() {
        let c = credential("Rust & Co", Some("1"), "Example Academy");
        assert_eq!(
            c.linkedin_post(),
            format!(
                "https://www.linkedin.com/sharing/share-offsite/?url={}",
                cert_url()
            )
        );
        assert_eq!(
            c.facebook(),
            format!(
                "https://www.facebook.com/sharer/sharer.php?u={}",
                cert_url()
            )
        );
        assert_eq!(
            c.x(),
            format!(
                "https://twitter.com/intent/tweet?text=I%20earned%20the%20Rust%20%26%20Co%20badge\
                 %20from%20Example%20Academy.&url={}",
                cert_url()
            )
        );
        assert_eq!(
            c.email(),
            format!(
                "mailto:?subject=My%20badge%3A%20Rust%20%26%20Co&body=I%20earned%20the%20Rust\
                 %20%26%20Co%20badge%20from%20Example%20Academy.%0D%0A%0D%0ASee%20and%20verify\
                 %20it%20here%3A%20{}%0D%0A",
                cert_url()
            )
        );
    }
}
