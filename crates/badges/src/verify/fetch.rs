//! Fetching the documents a badge depends on, safely, behind traits so the rules stay pure.
//!
//! 1. [`Fetch`] is what the verification flow sees: "give me the document at this URL".
//! 2. The service layer implements it (`emblem_web::verify::Fetcher`: this instance's own
//!    URLs from the store, any other URL through a [`Hop`], the component's outbound HTTP).
//! 3. Before every hop the target is checked against [`Rules`] ([`check_target`]): `https`
//!    only (plain `http` only to a loopback address, and only when configured, for tests); no
//!    credentials in the URL; no IP literal that is private, loopback, link-local, unspecified
//!    or otherwise not globally routable; no `localhost`. Redirects are followed by hand, at
//!    most [`MAX_REDIRECTS`], and every hop is checked again. The host enforces the same rule
//!    after DNS resolution (`host/src/outbound.rs`), which a guest cannot see.
//! 4. Bodies are capped ([`MAX_DOCUMENT`]) by the hop; a larger body is a [`FetchError`].
//!
//! Every [`FetchError`] makes the badge `unverifiable`, never `invalid`: it says nothing about
//! the badge itself.

use std::net::IpAddr;

use emblem_net::is_public_ip;

use url::{Host, Url};

/// Most redirects followed for one document.
pub const MAX_REDIRECTS: usize = 5;
/// Largest document accepted, in bytes (assertions, classes, profiles, keys, lists; images
/// fetched by URL as a hosted assertion's representation).
pub const MAX_DOCUMENT: usize = 2 * 1024 * 1024;
/// `Accept` sent with every fetch (docs/standards/ob2.md §5 step 2).
pub const ACCEPT: &str = "application/ld+json, application/json, image/png, image/svg+xml";

/// A fetched document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// The URL the body came from (after redirects).
    pub url: String,
    /// The final status.
    pub status: u16,
    /// The `Content-Type`, if any.
    pub content_type: Option<String>,
    /// The body.
    pub body: Vec<u8>,
    /// `Location` of a redirect response (hops only).
    pub location: Option<String>,
}

impl Fetched {
    /// A 200 response of `content_type` (for tests and local answers).
    pub fn ok(url: &str, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            url: url.to_owned(),
            status: 200,
            content_type: Some(content_type.to_owned()),
            body: body.into(),
            location: None,
        }
    }

    /// Whether the media type is an image Open Badges can be baked into.
    pub fn is_image(&self) -> bool {
        self.media_type()
            .is_some_and(|m| m == "image/png" || m == "image/svg+xml")
    }

    /// The media type without parameters, lower-cased.
    pub fn media_type(&self) -> Option<String> {
        self.content_type.as_deref().map(|c| {
            c.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
    }
}

/// Why a document could not be fetched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The URL is not allowed by the outbound policy.
    #[error("refused to fetch {url}: {reason}")]
    Refused {
        /// The URL.
        url: String,
        /// Which rule it breaks.
        reason: String,
    },
    /// The network failed (DNS, connect, TLS, timeout, reset) or the host denied it.
    #[error("could not fetch {url}: {reason}")]
    Network {
        /// The URL.
        url: String,
        /// What happened.
        reason: String,
    },
    /// The body is larger than [`MAX_DOCUMENT`].
    #[error("{url} answered with more than {limit} bytes")]
    TooLarge {
        /// The URL.
        url: String,
        /// The cap.
        limit: usize,
    },
    /// One verification's budget of fetches or time is spent ([`super::load`]).
    #[error("did not fetch {url}: {reason}")]
    OverBudget {
        /// The URL.
        url: String,
        /// Which limit.
        reason: String,
    },
    /// More than [`MAX_REDIRECTS`] redirects, or a redirect without a usable `Location`.
    #[error("{url}: {reason}")]
    Redirects {
        /// The URL.
        url: String,
        /// What went wrong.
        reason: String,
    },
}

/// What the verification flow needs: the document at a URL, redirects followed.
#[expect(
    async_fn_in_trait,
    reason = "components are single-threaded WebAssembly; no Send bound is wanted"
)]
pub trait Fetch {
    /// GET `url`; any status is returned, only transport failures are errors.
    async fn get(&self, url: &str) -> Result<Fetched, FetchError>;
}

/// One outbound HTTP request, no redirects followed (the component's outbound HTTP).
#[expect(
    async_fn_in_trait,
    reason = "components are single-threaded WebAssembly; no Send bound is wanted"
)]
pub trait Hop {
    /// GET `url` with `Accept: accept`; a 3xx is returned as is, with its `location`. The body
    /// must be capped at [`MAX_DOCUMENT`] ([`FetchError::TooLarge`] beyond).
    async fn hop(&self, url: &Url, accept: &str) -> Result<Fetched, FetchError>;
}

/// The outbound policy knobs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rules {
    /// Allow plain `http` (and loopback addresses) to loopback hosts: tests only.
    pub allow_http_loopback: bool,
}

/// Whether `url`'s host is a loopback address or `localhost`.
fn is_loopback_host(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Check a target URL against the outbound policy (see the module docs).
pub fn check_target(url: &str, rules: Rules) -> Result<Url, FetchError> {
    let refuse = |reason: &str| FetchError::Refused {
        url: url.to_owned(),
        reason: reason.to_owned(),
    };
    let parsed = Url::parse(url).map_err(|_| refuse("it is not an absolute URL"))?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(refuse("URLs with credentials are not fetched"));
    }
    let loopback_allowed = rules.allow_http_loopback && is_loopback_host(&parsed);
    match parsed.scheme() {
        "https" => {}
        "http" if loopback_allowed => {}
        "http" => return Err(refuse("only https URLs are fetched")),
        _ => return Err(refuse("only https URLs are fetched")),
    }
    if loopback_allowed {
        return Ok(parsed);
    }
    match parsed.host() {
        None => Err(refuse("it has no host")),
        Some(Host::Ipv4(ip)) if !is_public_ip(IpAddr::V4(ip)) => {
            Err(refuse("it names a private, loopback or link-local address"))
        }
        Some(Host::Ipv6(ip)) if !is_public_ip(IpAddr::V6(ip)) => {
            Err(refuse("it names a private, loopback or link-local address"))
        }
        Some(Host::Domain(d))
            if d.eq_ignore_ascii_case("localhost")
                || d.to_ascii_lowercase().ends_with(".localhost") =>
        {
            Err(refuse("it names this machine (localhost)"))
        }
        Some(_) => Ok(parsed),
    }
}

/// GET `url` through `hop`, following at most [`MAX_REDIRECTS`] redirects, each hop checked
/// against `rules`.
pub async fn follow<H: Hop + ?Sized>(
    hop: &H,
    url: &str,
    rules: Rules,
) -> Result<Fetched, FetchError> {
    let mut current = check_target(url, rules)?;
    for _ in 0..=MAX_REDIRECTS {
        let mut got = hop.hop(&current, ACCEPT).await?;
        if !matches!(got.status, 301 | 302 | 303 | 307 | 308) {
            got.url = current.to_string();
            return Ok(got);
        }
        let location = got.location.ok_or_else(|| FetchError::Redirects {
            url: current.to_string(),
            reason: format!("answered {} without a Location header", got.status),
        })?;
        let next = current.join(&location).map_err(|_| FetchError::Redirects {
            url: current.to_string(),
            reason: format!("redirected to an unusable Location {location:?}"),
        })?;
        current = check_target(next.as_str(), rules)?;
    }
    Err(FetchError::Redirects {
        url: url.to_owned(),
        reason: format!("more than {MAX_REDIRECTS} redirects"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::executor::block_on;
    use std::collections::HashMap;

    fn refused(url: &str, rules: Rules) -> bool {
        matches!(check_target(url, rules), Err(FetchError::Refused { .. }))
    }

    #[test]
    fn only_https_to_public_hosts_is_fetched_by_default() {
        let r = Rules::default();
        assert!(check_target("https://badges.example.org/a/1", r).is_ok());
        assert!(check_target("https://93.184.216.34/a", r).is_ok());
        for url in [
            "http://badges.example.org/a",
            "ftp://example.org/a",
            "https://127.0.0.1/a",
            "https://10.1.2.3/a",
            "https://172.16.0.1/a",
            "https://192.168.1.1/a",
            "https://169.254.169.254/latest/meta-data",
            "https://0.0.0.0/",
            "https://100.64.0.1/",
            "https://[::1]/",
            "https://[fe80::1]/",
            "https://[fd00::1]/",
            "https://[::ffff:127.0.0.1]/",
            "https://[64:ff9b::a9fe:a9fe]/",
            "https://localhost/",
            "https://api.localhost/",
            "https://user:pw@example.org/",
            "not a url",
        ] {
            assert!(refused(url, r), "{url} must be refused");
        }
    }

    #[test]
    fn http_to_loopback_only_when_configured() {
        let tests = Rules {
            allow_http_loopback: true,
        };
        assert!(check_target("http://127.0.0.1:8080/a", tests).is_ok());
        assert!(check_target("http://localhost:8080/a", tests).is_ok());
        assert!(refused("http://10.0.0.1/a", tests));
        assert!(refused("http://example.org/a", tests));
        assert!(refused("https://169.254.169.254/", tests));
        assert!(refused("http://127.0.0.1:8080/a", Rules::default()));
    }

    /// A fake network: url → (status, location, body).
    struct Net(HashMap<String, (u16, Option<String>, &'static str)>);

    impl Hop for Net {
        async fn hop(&self, url: &Url, _accept: &str) -> Result<Fetched, FetchError> {
            let (status, location, body) =
                self.0
                    .get(url.as_str())
                    .cloned()
                    .ok_or(FetchError::Network {
                        url: url.to_string(),
                        reason: "connection refused".into(),
                    })?;
            Ok(Fetched {
                url: url.to_string(),
                status,
                content_type: Some("application/json".into()),
                body: body.as_bytes().to_vec(),
                location,
            })
        }
    }

    fn net(entries: &[(&str, u16, Option<&str>, &'static str)]) -> Net {
        Net(entries
            .iter()
            .map(|(u, s, l, b)| ((*u).to_owned(), (*s, l.map(str::to_owned), *b)))
            .collect())
    }

    #[test]
    fn redirects_are_followed_and_each_hop_is_checked() {
        let n = net(&[
            ("https://a.org/1", 301, Some("/2"), ""),
            ("https://a.org/2", 302, Some("https://b.org/3"), ""),
            ("https://b.org/3", 200, None, "{}"),
        ]);
        let got = block_on(follow(&n, "https://a.org/1", Rules::default())).expect("fetched");
        assert_eq!(got.url, "https://b.org/3");
        assert_eq!(got.body, b"{}");

        let to_metadata = net(&[(
            "https://a.org/1",
            302,
            Some("http://169.254.169.254/latest"),
            "",
        )]);
        let r = block_on(follow(&to_metadata, "https://a.org/1", Rules::default()));
        assert!(matches!(r, Err(FetchError::Refused { .. })), "{r:?}");
    }

    #[test]
    fn redirect_loops_stop_after_five_hops() {
        let n = net(&[
            ("https://a.org/1", 302, Some("/2"), ""),
            ("https://a.org/2", 302, Some("/1"), ""),
        ]);
        let r = block_on(follow(&n, "https://a.org/1", Rules::default()));
        assert!(matches!(r, Err(FetchError::Redirects { .. })), "{r:?}");
        let chain: Vec<(String, u16, Option<String>, &'static str)> = (0..5)
            .map(|i| {
                (
                    format!("https://a.org/{i}"),
                    302,
                    Some(format!("/{}", i + 1)),
                    "",
                )
            })
            .chain([("https://a.org/5".to_owned(), 200, None, "{}")])
            .collect();
        let n = Net(chain
            .into_iter()
            .map(|(u, s, l, b)| (u, (s, l, b)))
            .collect());
        assert!(block_on(follow(&n, "https://a.org/0", Rules::default())).is_ok());
    }

    #[test]
    fn a_redirect_without_location_is_an_error() {
        let n = net(&[("https://a.org/1", 302, None, "")]);
        let r = block_on(follow(&n, "https://a.org/1", Rules::default()));
        assert!(matches!(r, Err(FetchError::Redirects { .. })));
    }
}
