//! Listings over a sequence counter and index keys (see [`crate::paging`]).
//!
//! Appending: 1. the record is already stored; 2. `increment(seq)` hands out the next index n
//! atomically, so concurrent appends never collide; 3. `idx/.../<n>` is set to the id.
//! Reading a page: 1. read the counter (the total); 2. `get_many` the index keys of the page;
//! 3. `get_many` the records. Gaps (an append interrupted between steps 2 and 3) are skipped.

use serde::de::DeserializeOwned;

use crate::kv::{self, Kv};
use crate::paging::{PageRequest, encode_cursor};
use emblem_badges::error::Error;

/// Append `id` to the listing; returns its index.
pub async fn append<K: Kv + ?Sized>(
    kv: &K,
    seq_key: &str,
    idx_key: impl Fn(i64) -> String,
    id: &str,
) -> Result<i64, Error> {
    let n = kv.increment(seq_key, 1).await?;
    kv::put_json(kv, &idx_key(n), &id).await?;
    Ok(n)
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed<T> {
    /// The records, in index order.
    pub items: Vec<T>,
    /// The cursor of the next page.
    pub next_cursor: Option<String>,
    /// The counter's value.
    pub total: i64,
}

/// Read one page of a listing.
pub async fn page<K: Kv + ?Sized, T: DeserializeOwned>(
    kv: &K,
    seq_key: &str,
    idx_key: impl Fn(i64) -> String,
    record_key: impl Fn(&str) -> String,
    page: PageRequest,
) -> Result<Listed<T>, Error> {
    let total = kv::read_counter(kv, seq_key).await?;
    if page.start > total {
        return Ok(Listed {
            items: Vec::new(),
            next_cursor: None,
            total,
        });
    }
    let limit = i64::try_from(page.limit).unwrap_or(i64::MAX);
    let end = page.start.saturating_add(limit - 1).min(total);
    let idx_keys: Vec<String> = (page.start..=end).map(&idx_key).collect();
    let mut record_keys = Vec::with_capacity(idx_keys.len());
    for (key, value) in idx_keys.iter().zip(kv.get_many(&idx_keys).await?) {
        if let Some(bytes) = value {
            let id: String = kv::decode(key, &bytes)?;
            record_keys.push(record_key(&id));
        }
    }
    let mut items = Vec::with_capacity(record_keys.len());
    for (key, value) in record_keys.iter().zip(kv.get_many(&record_keys).await?) {
        if let Some(bytes) = value {
            items.push(kv::decode(key, &bytes)?);
        }
    }
    Ok(Listed {
        items,
        next_cursor: (end < total).then(|| encode_cursor(end + 1)),
        total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kv::MemoryKv;
    use futures::executor::block_on;
    use futures::future::join_all;

    fn idx(n: i64) -> String {
        format!("idx/t/{n}")
    }

    fn rec(id: &str) -> String {
        format!("rec/{id}")
    }

    fn fill(kv: &MemoryKv, n: usize) {
        for i in 0..n {
            let id = format!("id{i:03}");
            block_on(kv::put_json(kv, &rec(&id), &i)).expect("put");
            block_on(append(kv, "seq/t", idx, &id)).expect("append");
        }
    }

    fn read(kv: &MemoryKv, limit: usize, start: i64) -> Listed<usize> {
        block_on(page(kv, "seq/t", idx, rec, PageRequest { limit, start })).expect("page")
    }

    #[test]
    fn pages_walk_the_listing_in_creation_order() {
        let kv = MemoryKv::new();
        fill(&kv, 5);
        let first = read(&kv, 2, 1);
        assert_eq!(first.items, [0, 1]);
        assert_eq!(first.total, 5);
        assert_eq!(first.next_cursor, Some(encode_cursor(3)));
        assert_eq!(read(&kv, 2, 3).items, [2, 3]);
        let last = read(&kv, 2, 5);
        assert_eq!(last.items, [4]);
        assert_eq!(last.next_cursor, None);
    }

    #[test]
    fn an_empty_listing_has_no_items_and_no_cursor() {
        let kv = MemoryKv::new();
        let p = read(&kv, 50, 1);
        assert!(p.items.is_empty());
        assert_eq!((p.next_cursor, p.total), (None, 0));
        fill(&kv, 1);
        assert!(read(&kv, 50, 9).items.is_empty());
    }

    #[test]
    fn gaps_left_by_interrupted_appends_are_skipped() {
        let kv = MemoryKv::new();
        fill(&kv, 3);
        block_on(kv.delete(&idx(2))).expect("delete");
        assert_eq!(read(&kv, 10, 1).items, [0, 2]);
    }

    #[test]
    fn a_page_reads_only_its_own_keys() {
        let kv = MemoryKv::new();
        fill(&kv, 200);
        // Two get_many calls of `limit` keys each, whatever the total: check the result size.
        assert_eq!(read(&kv, 10, 101).items, (100..110).collect::<Vec<_>>());
    }

    #[test]
    fn fifty_concurrent_appends_are_each_listed_exactly_once() {
        let kv = MemoryKv::contended();
        let ids: Vec<String> = (0..50).map(|i| format!("id{i:02}")).collect();
        for (i, id) in ids.iter().enumerate() {
            block_on(kv::put_json(&kv, &rec(id), &i)).expect("put");
        }
        let appends = ids.iter().map(|id| append(&kv, "seq/t", idx, id));
        assert!(block_on(join_all(appends)).iter().all(Result::is_ok));
        let mut listed = read(&kv, 100, 1).items;
        listed.sort_unstable();
        assert_eq!(listed, (0..50).collect::<Vec<_>>());
    }
}
