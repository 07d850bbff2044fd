//! Paged listings: `?limit=50&cursor=<opaque>`.
//!
//! Listings are backed by a per-parent sequence counter and index keys (see [`crate::store_keys`]):
//! the n-th object created gets index n. A cursor is the next index to read, wrapped so
//! clients treat it as opaque (`base64url("n:<index>")`). A page reads `limit` index keys and
//! then `limit` records with two `get_many` calls: O(limit), whatever the total.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use emblem_badges::error::{Error, Malformed};

/// Default page size.
pub const DEFAULT_LIMIT: usize = 50;
/// Largest page size.
pub const MAX_LIMIT: usize = 100;

/// Which page to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// Items per page, 1..=100.
    pub limit: usize,
    /// First sequence index to read (1-based).
    pub start: i64,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            limit: DEFAULT_LIMIT,
            start: 1,
        }
    }
}

/// Read `limit` and `cursor` from a query string (other parameters are ignored). Bad values
/// make the request malformed (400), with a detail naming the parameter.
pub fn parse_query(query: Option<&str>) -> Result<PageRequest, Error> {
    let mut page = PageRequest::default();
    for (name, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match name.as_ref() {
            "limit" => {
                page.limit = value
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=MAX_LIMIT).contains(n))
                    .ok_or_else(|| {
                        Error::Malformed(Malformed::Query {
                            parameter: "limit",
                            value: value.to_string(),
                            reason: "it must be a whole number from 1 to 100",
                        })
                    })?;
            }
            "cursor" => {
                page.start = decode_cursor(&value).ok_or_else(|| {
                    Error::Malformed(Malformed::Query {
                        parameter: "cursor",
                        value: value.to_string(),
                        reason: "it must be a next_cursor value from a previous page",
                    })
                })?;
            }
            _ => {}
        }
    }
    Ok(page)
}

/// The `limit` query parameter of a non-listing route (`default` when absent; 1..=`max`).
pub fn limit_query(query: Option<&str>, default: u32, max: u32) -> Result<u32, Error> {
    for (name, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        if name == "limit" {
            return value
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(|| {
                    Error::Malformed(Malformed::Query {
                        parameter: "limit",
                        value: value.to_string(),
                        reason: "it must be a whole number from 1 to 500",
                    })
                });
        }
    }
    Ok(default)
}

/// The opaque cursor for sequence index `next`.
pub fn encode_cursor(next: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("n:{next}"))
}

fn decode_cursor(cursor: &str) -> Option<i64> {
    let raw = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = std::str::from_utf8(&raw).ok()?;
    text.strip_prefix("n:")?
        .parse::<i64>()
        .ok()
        .filter(|n| *n >= 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_fifty_from_the_start() {
        assert_eq!(parse_query(None), Ok(PageRequest::default()));
        assert_eq!(parse_query(Some("other=1")), Ok(PageRequest::default()));
    }

    #[test]
    fn cursors_round_trip() {
        let q = format!("limit=10&cursor={}", encode_cursor(51));
        assert_eq!(
            parse_query(Some(&q)),
            Ok(PageRequest {
                limit: 10,
                start: 51
            })
        );
    }

    #[test]
    fn limits_outside_one_to_a_hundred_are_malformed() {
        for bad in ["limit=0", "limit=101", "limit=-1", "limit=ten", "limit="] {
            let e = parse_query(Some(bad)).expect_err(bad);
            assert_eq!(e.status(), 400, "{bad}");
            assert!(
                e.problem().detail.contains("`limit="),
                "{}",
                e.problem().detail
            );
        }
    }

    #[test]
    fn forged_cursors_are_malformed() {
        for bad in ["cursor=abc", "cursor=bjow", "cursor=%FF", "cursor="] {
            let e = parse_query(Some(bad)).expect_err(bad);
            assert_eq!(e.status(), 400, "{bad}");
            assert!(e.problem().detail.contains("`cursor="));
        }
    }
}
