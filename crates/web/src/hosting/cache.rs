//! A per-instance cache of rendered assertion JSON.
//!
//! The JSON-LD (or JSON) of a hosted assertion depends only on the award's
//! stored record, the base URL and the representation: not on the clock
//! (an expired assertion's JSON is unchanged; it carries `expires`). So a
//! component instance that serves the same assertion again can reuse the
//! rendered reply, ETag included, after one store read shows the record's
//! bytes are exactly those it was rendered from.
//!
//! 1. The store is always read: a revocation or any other change shows on
//!    the very next request, as without the cache.
//! 2. A hit needs byte-equal record, equal base URL and equal representation.
//! 3. The cache is bounded; when full it starts over (a hot set refills it at
//!    once; no eviction bookkeeping on the hot path).
//! 4. HTML is never cached: pages also depend on the clock, the badge class
//!    and the issuer.

use std::collections::HashMap;

use crate::negotiate::Representation;
use crate::reply::Reply;

/// Entries kept before the cache starts over.
pub const MAX_ENTRIES: usize = 512;

/// Rendered replies keyed by assertion id and representation.
#[derive(Debug, Default)]
pub struct RenderCache {
    entries: HashMap<(String, Representation), Entry>,
}

#[derive(Debug)]
struct Entry {
    base: String,
    record: Vec<u8>,
    reply: Reply,
}

impl RenderCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// The reply rendered from exactly `record` under `base`, if kept.
    pub fn lookup(
        &self,
        id: &str,
        rep: Representation,
        base: &str,
        record: &[u8],
    ) -> Option<Reply> {
        let entry = self.entries.get(&(id.to_owned(), rep))?;
        (entry.base == base && entry.record == record).then(|| entry.reply.clone())
    }

    /// Keep `reply` as the rendering of `record` under `base`.
    pub fn store(
        &mut self,
        id: &str,
        rep: Representation,
        base: &str,
        record: &[u8],
        reply: &Reply,
    ) {
        if self.entries.len() >= MAX_ENTRIES {
            self.entries.clear();
        }
        self.entries.insert(
            (id.to_owned(), rep),
            Entry {
                base: base.to_owned(),
                record: record.to_vec(),
                reply: reply.clone(),
            },
        );
    }

    /// How many replies are kept.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::negotiate::Representation::{Json, LdJson};

    fn reply(body: &str) -> Reply {
        Reply::bytes(200, "application/ld+json", body.as_bytes().to_vec())
    }

    #[test]
    fn a_hit_needs_the_same_record_base_and_representation() {
        let mut cache = RenderCache::new();
        cache.store("a", LdJson, "https://x.org", b"v1", &reply("one"));
        assert_eq!(
            cache.lookup("a", LdJson, "https://x.org", b"v1"),
            Some(reply("one"))
        );
        assert_eq!(
            cache.lookup("a", LdJson, "https://x.org", b"v2"),
            None,
            "record changed"
        );
        assert_eq!(
            cache.lookup("a", LdJson, "https://y.org", b"v1"),
            None,
            "other base"
        );
        assert_eq!(
            cache.lookup("a", Json, "https://x.org", b"v1"),
            None,
            "other representation"
        );
        assert_eq!(
            cache.lookup("b", LdJson, "https://x.org", b"v1"),
            None,
            "other id"
        );
    }

    #[test]
    fn a_full_cache_starts_over_instead_of_growing() {
        let mut cache = RenderCache::new();
        for i in 0..MAX_ENTRIES + 10 {
            cache.store(&i.to_string(), LdJson, "b", b"r", &reply("x"));
        }
        assert!(cache.len() <= MAX_ENTRIES);
        assert!(!cache.is_empty());
    }
}
