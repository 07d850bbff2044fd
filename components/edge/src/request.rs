//! Reading Spin's request headers.

use emblem_web::auth::client::{TrustedProxies, client_address};
use spin_sdk::http::HeaderMap;

/// The value of header `name` as text (None if absent or not visible ASCII).
pub fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The client address Spin saw (`spin-client-addr`, `ip:port`).
pub fn client_addr(headers: &HeaderMap) -> Option<&str> {
    header(headers, "spin-client-addr")
}

/// The client a request is attributed to: the peer, or, when the peer is one of the
/// `trusted` proxies, the client its `X-Forwarded-For` names (`emblem_web::auth::client`).
pub fn client(headers: &HeaderMap, trusted: &TrustedProxies) -> Option<String> {
    client_address(
        client_addr(headers),
        header(headers, "x-forwarded-for"),
        trusted,
    )
}

/// `Accept`.
pub fn accept(headers: &HeaderMap) -> Option<&str> {
    header(headers, "accept")
}

/// `User-Agent`.
pub fn user_agent(headers: &HeaderMap) -> Option<&str> {
    header(headers, "user-agent")
}

/// `Content-Type`.
pub fn content_type(headers: &HeaderMap) -> Option<&str> {
    header(headers, "content-type")
}

/// `Authorization`.
pub fn authorization(headers: &HeaderMap) -> Option<&str> {
    header(headers, "authorization")
}

/// `If-None-Match`.
pub fn if_none_match(headers: &HeaderMap) -> Option<&str> {
    header(headers, "if-none-match")
}

/// `Content-Length`, if present and a number.
pub fn content_length(headers: &HeaderMap) -> Option<u64> {
    header(headers, "content-length").and_then(|v| v.trim().parse().ok())
}

/// Whether the request came from another component of this app over service chaining: Spin
/// shows such a request the client address `0.0.0.0:0` (its `CHAINED_CLIENT_ADDR`), which no
/// request from outside can have, and overwrites any `spin-client-addr` a client sends.
pub fn is_chained(headers: &HeaderMap) -> bool {
    header(headers, "spin-client-addr") == Some("0.0.0.0:0")
}

#[cfg(test)]
mod tests {
    use super::*;
    use spin_sdk::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).expect("value"));
        }
        h
    }

    #[test]
    fn spin_headers_are_read_by_name() {
        let h = headers(&[
            ("spin-client-addr", "127.0.0.1:5000"),
            ("content-length", " 42 "),
            ("accept", "text/html"),
        ]);
        assert_eq!(client_addr(&h), Some("127.0.0.1:5000"));
        assert_eq!(content_length(&h), Some(42));
        assert_eq!(accept(&h), Some("text/html"));
        assert_eq!(authorization(&h), None);
    }

    #[test]
    fn only_spin_s_chained_client_address_marks_a_chained_request() {
        assert!(is_chained(&headers(&[("spin-client-addr", "0.0.0.0:0")])));
        for other in ["127.0.0.1:5000", "0.0.0.0:1", "[::]:0", ""] {
            assert!(
                !is_chained(&headers(&[("spin-client-addr", other)])),
                "{other}"
            );
        }
        assert!(!is_chained(&HeaderMap::new()));
    }

    #[test]
    fn a_non_numeric_content_length_is_ignored() {
        assert_eq!(
            content_length(&headers(&[("content-length", "lots")])),
            None
        );
    }
}
