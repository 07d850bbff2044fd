//! [`Reply`]: a framework-neutral HTTP response (status, headers, body) that the domain
//! builds and `emblem-edge` turns into a Spin response. Keeping it here lets the header rules
//! (content types, caching, CSP, problem documents) be unit-tested natively.

use serde::Serialize;

use crate::error::{Error, PROBLEM_CONTENT_TYPE};

/// `application/json` for API responses.
pub const JSON: &str = "application/json";

/// An HTTP response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Headers, lowercase names, in order.
    pub headers: Vec<(&'static str, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl Reply {
    /// A reply with a body of `content_type`.
    pub fn bytes(status: u16, content_type: &str, body: Vec<u8>) -> Self {
        Self {
            status,
            headers: vec![("content-type", content_type.to_owned())],
            body,
        }
    }

    /// A JSON reply (`application/json`).
    pub fn json<T: Serialize>(status: u16, value: &T) -> Self {
        // Our views hold only strings, numbers, booleans and containers: serialising cannot fail.
        Self::bytes(status, JSON, serde_json::to_vec(value).unwrap_or_default())
    }

    /// An empty reply (e.g. 204, 304).
    pub fn empty(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// The RFC 9457 problem reply for `error`, with the headers its status needs.
    pub fn problem(error: &Error) -> Self {
        let problem = error.problem();
        let mut reply = Self::bytes(problem.status, PROBLEM_CONTENT_TYPE, problem.to_json());
        reply.headers.extend(problem.headers.iter().cloned());
        reply
    }

    /// Add a header.
    #[must_use]
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Set a header, replacing any with the same name.
    pub fn set_header(&mut self, name: &'static str, value: impl Into<String>) {
        self.headers.retain(|(n, _)| *n != name);
        self.headers.push((name, value.into()));
    }

    /// The first value of header `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Unauthenticated;

    #[test]
    fn problem_replies_carry_the_problem_media_type_and_extra_headers() {
        let r = Reply::problem(&Error::Unauthenticated(Unauthenticated::Missing));
        assert_eq!(r.status, 401);
        assert_eq!(r.header("Content-Type"), Some("application/problem+json"));
        assert_eq!(
            r.header("www-authenticate"),
            Some("Bearer realm=\"emblem\"")
        );
    }

    #[test]
    fn set_header_replaces_the_previous_value() {
        let mut r = Reply::empty(200).with_header("vary", "Accept");
        r.set_header("vary", "Accept, User-Agent");
        assert_eq!(r.headers, vec![("vary", "Accept, User-Agent".to_owned())]);
    }
}
