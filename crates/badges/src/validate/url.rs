//! URL rules for issuer-supplied links.

use url::Url;

/// Decode `%XX` escapes (RFC 3986 §2.1) with the `percent-encoding` crate, strictly: every
/// `%` must be followed by exactly two hex digits (`%+A`, `%4` and `%zz` are refused, not
/// passed through). Other bytes pass through unchanged.
pub fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    let well_formed = bytes.iter().enumerate().all(|(i, &b)| {
        b != b'%'
            || bytes
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
    });
    well_formed.then(|| percent_encoding::percent_decode(bytes).collect())
}

/// Longest URL accepted.
pub const MAX_URL_LEN: usize = 2048;

/// An absolute `http` or `https` URL with a host; returned trimmed, as sent.
pub fn http_url(s: &str) -> Result<String, String> {
    parse(s, &["http", "https"])
}

/// An absolute `https` URL with a host; returned trimmed, as sent.
pub fn https_url(s: &str) -> Result<String, String> {
    parse(s, &["https"])
}

fn parse(s: &str, schemes: &[&str]) -> Result<String, String> {
    let s = s.trim();
    let wanted = schemes.join(" or ");
    if s.len() > MAX_URL_LEN {
        return Err(format!("must be a URL of at most {MAX_URL_LEN} characters"));
    }
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("must be an {wanted} URL without spaces, got {s:?}"));
    }
    let url = Url::parse(s).map_err(|_| format!("must be an absolute {wanted} URL, got {s:?}"))?;
    if !schemes.contains(&url.scheme()) {
        return Err(format!("must be an {wanted} URL, got {s:?}"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("must be an {wanted} URL with a host, got {s:?}"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "must not contain a user name or password, got {s:?}"
        ));
    }
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_and_https_urls_are_accepted_as_sent() {
        assert_eq!(
            http_url(" https://example.org/about "),
            Ok("https://example.org/about".to_owned())
        );
        assert!(http_url("http://example.org").is_ok());
    }

    #[test]
    fn other_schemes_and_relative_urls_are_rejected() {
        for bad in [
            "javascript:alert(1)",
            "ftp://example.org",
            "/relative",
            "example.org",
            "https://",
            "https://exa mple.org",
            "https://user:pw@example.org",
            "data:text/html,hi",
        ] {
            assert!(http_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn https_only_rules_reject_plain_http() {
        let e = https_url("http://example.org/a.png").expect_err("http");
        assert!(e.contains("https"), "{e}");
    }

    #[test]
    fn overlong_urls_are_rejected() {
        let long = format!("https://example.org/{}", "a".repeat(MAX_URL_LEN));
        assert!(http_url(&long).is_err());
    }
}
