//! Conditional requests and HEAD (RFC 9110 §13, §9.3.2).
//!
//! 1. 200 and 410 replies get a strong `ETag`: the first 128 bits of the SHA-256 of the body,
//!    so each representation (JSON-LD, JSON, HTML) has its own.
//! 2. A 200 whose ETag matches `If-None-Match` (weak comparison, `*` matches anything) becomes
//!    304 with the validators and caching headers but no body.
//! 3. HEAD replies keep their headers and lose their body.

use crate::reply::Reply;

pub use crate::digest::etag;

/// Whether an `If-None-Match` header matches `etag` (weak comparison, RFC 9110 §13.1.2).
pub fn if_none_match(header: &str, etag: &str) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    header.trim() == "*" || header.split(',').any(|t| bare(t) == bare(etag))
}

/// Add the ETag to a 200 or 410 reply that has none yet.
pub fn with_etag(mut reply: Reply) -> Reply {
    if matches!(reply.status, 200 | 410) && reply.header("etag").is_none() {
        let tag = etag(&reply.body);
        reply.set_header("etag", tag);
    }
    reply
}

/// Add the ETag (unless the reply already has one), answer conditional
/// requests with 304 and strip HEAD bodies.
pub fn finish(reply: Reply, if_none_match_header: Option<&str>, head: bool) -> Reply {
    let reply = with_etag(reply);
    let matched = reply.status == 200
        && reply
            .header("etag")
            .zip(if_none_match_header)
            .is_some_and(|(tag, h)| if_none_match(h, tag));
    if matched {
        let mut not_modified = Reply::empty(304);
        for name in [
            "etag",
            "cache-control",
            "vary",
            "access-control-allow-origin",
        ] {
            if let Some(value) = reply.header(name) {
                not_modified.headers.push((name, value.to_owned()));
            }
        }
        return not_modified;
    }
    crate::present::head(reply, head)
}
