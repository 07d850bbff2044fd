//! Refusing cross-site form posts (CSRF).
//!
//! The token in the URL is the capability, so a forged post would need the token anyway; this
//! check is the second fence, for a link that leaked (a forwarded email, a shared screen):
//!
//! 1. `Sec-Fetch-Site` (sent by current browsers): only `same-origin` (our own form) and
//!    `none` (the user's own action) pass.
//! 2. Otherwise `Origin`, when present, must be the request's own origin or the public base
//!    URL's origin; `null` (sandboxed or privacy-redirected documents) is refused.
//! 3. Neither header (curl, old browsers): allowed; the token decides.

use super::Request;
use crate::base_url::BaseUrl;

/// Why a post was refused (403).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CrossSite {
    /// `Sec-Fetch-Site` named another site.
    FetchSite(String),
    /// `Origin` named another origin.
    Origin(String),
}

fn origin_of(url: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()
        .map(|u| u.origin().ascii_serialization())
        .filter(|o| o != "null")
}

/// Check that a POST comes from our own pages (see the module docs).
pub fn check_same_origin(req: &Request<'_>, base: &BaseUrl) -> Result<(), CrossSite> {
    if let Some(site) = req.sec_fetch_site.map(str::trim) {
        return match site.to_ascii_lowercase().as_str() {
            "same-origin" | "none" => Ok(()),
            _ => Err(CrossSite::FetchSite(site.to_owned())),
        };
    }
    let Some(origin) = req.origin.map(str::trim) else {
        return Ok(());
    };
    let ours = [req.full_url.and_then(origin_of), origin_of(base.as_str())];
    if ours
        .iter()
        .flatten()
        .any(|o| o.eq_ignore_ascii_case(origin))
    {
        Ok(())
    } else {
        Err(CrossSite::Origin(origin.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req<'a>(site: Option<&'a str>, origin: Option<&'a str>) -> Request<'a> {
        Request {
            method: "POST",
            path: "/claim/x",
            full_url: Some("http://127.0.0.1:3000/claim/x"),
            sec_fetch_site: site,
            origin,
            ..Request::default()
        }
    }

    fn base() -> BaseUrl {
        BaseUrl::parse("https://badges.example.org/prefix").expect("base")
    }

    #[test]
    fn our_own_forms_pass() {
        for (site, origin) in [
            (Some("same-origin"), Some("https://evil.example")),
            (Some("none"), None),
            (None, Some("http://127.0.0.1:3000")),
            (None, Some("https://badges.example.org")),
            (None, None),
        ] {
            assert_eq!(
                check_same_origin(&req(site, origin), &base()),
                Ok(()),
                "{site:?} {origin:?}"
            );
        }
    }

    #[test]
    fn other_sites_are_refused() {
        for (site, origin) in [
            (Some("cross-site"), None),
            (Some("same-site"), Some("http://127.0.0.1:3000")),
            (None, Some("https://evil.example")),
            (None, Some("null")),
            (None, Some("http://127.0.0.1:3001")),
        ] {
            assert!(
                check_same_origin(&req(site, origin), &base()).is_err(),
                "{site:?} {origin:?}"
            );
        }
    }
}
