//! The public base URL under which every hosted id lives.
//!
//! 1. If the `public_base_url` variable is set (non-empty), it is used, trailing slash trimmed.
//! 2. Otherwise the origin (`scheme://host[:port]`) of the request's own URL (Spin's
//!    `spin-full-url` header) is used.
//!
//! Ids must be the exact URLs objects are served from (docs/standards/ob2.md §1.3), so the base must be
//! an absolute `http`/`https` URL without query or fragment. A path prefix is allowed for
//! deployments behind a proxy that strips it.

use url::Url;

use crate::error::{Error, Internal};

/// The origin (plus optional path prefix) of every hosted URL, without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    base: String,
    authority: String,
}

impl BaseUrl {
    /// Parse a configured base URL.
    pub fn parse(s: &str) -> Result<Self, String> {
        let url = Url::parse(s.trim()).map_err(|e| format!("{s:?} is not a URL: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("{s:?} must use http or https"));
        }
        let host = url.host_str().ok_or_else(|| format!("{s:?} has no host"))?;
        if url.query().is_some() || url.fragment().is_some() {
            return Err(format!("{s:?} must not have a query or fragment"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(format!("{s:?} must not contain credentials"));
        }
        let authority = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        let path = url.path().trim_end_matches('/');
        let base = format!("{}://{authority}{path}", url.scheme());
        Ok(Self { base, authority })
    }

    /// The configured base if non-empty, else the origin of the request URL.
    pub fn resolve(configured: Option<&str>, request_url: Option<&str>) -> Result<Self, Error> {
        let config_error = |detail: String| Error::Internal(Internal::Config(detail));
        match configured.map(str::trim).filter(|s| !s.is_empty()) {
            Some(configured) => {
                Self::parse(configured).map_err(|e| config_error(format!("public_base_url: {e}")))
            }
            None => {
                let full = request_url
                    .ok_or_else(|| config_error("no spin-full-url header on the request".into()))?;
                let url = Url::parse(full)
                    .map_err(|e| config_error(format!("spin-full-url {full:?}: {e}")))?;
                Self::parse(&url.origin().ascii_serialization())
                    .map_err(|e| config_error(format!("spin-full-url: {e}")))
            }
        }
    }

    /// The base, e.g. `https://badges.example.org`.
    pub fn as_str(&self) -> &str {
        &self.base
    }

    /// `host[:port]` of the base (RFC 3986 authority).
    pub fn authority(&self) -> &str {
        &self.authority
    }

    /// `<base><path>`; `path` starts with `/`.
    pub fn join(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `<base>/issuers/<id>`
    pub fn issuer(&self, id: &str) -> String {
        self.join(&format!("/issuers/{id}"))
    }

    /// `<base>/issuers/<id>/image`
    pub fn issuer_image(&self, id: &str) -> String {
        self.join(&format!("/issuers/{id}/image"))
    }

    /// `<base>/issuers/<id>/revocations`
    pub fn revocations(&self, issuer_id: &str) -> String {
        self.join(&format!("/issuers/{issuer_id}/revocations"))
    }

    /// `<base>/badges/<id>`
    pub fn badge(&self, id: &str) -> String {
        self.join(&format!("/badges/{id}"))
    }

    /// `<base>/badges/<id>/image`
    pub fn badge_image(&self, id: &str) -> String {
        self.join(&format!("/badges/{id}/image"))
    }

    /// `<base>/assertions/<id>`
    pub fn assertion(&self, id: &str) -> String {
        self.join(&format!("/assertions/{id}"))
    }

    /// `<base>/credentials/<id>`: an award as an Open Badges 3.0 OpenBadgeCredential.
    pub fn credential(&self, award_id: &str) -> String {
        self.join(&format!("/credentials/{award_id}"))
    }

    /// `<base>/achievements/<id>`: a badge class as an Open Badges 3.0 Achievement.
    pub fn achievement(&self, badge_id: &str) -> String {
        self.join(&format!("/achievements/{badge_id}"))
    }

    /// `<base>/profiles/<id>`: an issuer as an Open Badges 3.0 Profile and controller document.
    pub fn profile(&self, issuer_id: &str) -> String {
        self.join(&format!("/profiles/{issuer_id}"))
    }

    /// `<base>/claim/<token>`
    pub fn claim(&self, token: &str) -> String {
        self.join(&format!("/claim/{token}"))
    }

    /// `<base>/static/<file>`
    pub fn asset(&self, file: &str) -> String {
        self.join(&format!("/static/{file}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configured_base_wins_and_loses_its_trailing_slash() {
        let b = BaseUrl::resolve(
            Some("https://badges.example.org/"),
            Some("http://127.0.0.1:3000/assertions/x"),
        )
        .expect("base");
        assert_eq!(b.as_str(), "https://badges.example.org");
        assert_eq!(b.authority(), "badges.example.org");
        assert_eq!(b.assertion("a"), "https://badges.example.org/assertions/a");
    }

    #[test]
    fn an_empty_configured_base_falls_back_to_the_request_origin() {
        let b = BaseUrl::resolve(Some(""), Some("http://127.0.0.1:3000/assertions/x?y=1"))
            .expect("base");
        assert_eq!(b.as_str(), "http://127.0.0.1:3000");
        assert_eq!(b.authority(), "127.0.0.1:3000");
    }

    #[test]
    fn default_ports_are_not_part_of_the_authority() {
        let b = BaseUrl::parse("https://example.org:443").expect("base");
        assert_eq!(b.as_str(), "https://example.org");
        assert_eq!(b.authority(), "example.org");
    }

    #[test]
    fn a_path_prefix_is_kept() {
        let b = BaseUrl::parse("https://example.org/badges/").expect("base");
        assert_eq!(b.issuer("i"), "https://example.org/badges/issuers/i");
    }

    #[test]
    fn bad_bases_are_configuration_errors() {
        for bad in [
            "example.org",
            "ftp://example.org",
            "https://example.org/?x=1",
            "https://user:pw@example.org",
        ] {
            assert!(BaseUrl::parse(bad).is_err(), "{bad}");
        }
        let e = BaseUrl::resolve(Some("nope"), None).expect_err("bad");
        assert_eq!(e.status(), 500);
        assert!(BaseUrl::resolve(None, None).is_err());
    }
}
