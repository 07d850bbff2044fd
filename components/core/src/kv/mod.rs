//! The key-value store behind a small async trait, its in-memory twin and the
//! compare-and-swap update loop.
//!
//! Spin's key-value store has no transactions and no range scans. Emblem therefore:
//!
//! 1. designs keys so every request needs O(1) reads (see [`crate::keys`] for the families);
//! 2. uses atomic [`Kv::increment`] for counters (sequence numbers of listings, failure counts);
//! 3. uses [`Kv::compare_and_swap`] through [`update_json`] for every other read-modify-write of
//!    shared state (award transitions, revocation lists, key indexes, locks), so concurrent
//!    requests on one or many instances never lose an update;
//! 4. stores values as JSON documents carrying a schema version `"v": 1`
//!    ([`crate::model::V1`]), and counters as Spin stores them: 8 little-endian bytes.
//!
//! The trait mirrors Spin's `spin:key-value` (get/set/delete) and `wasi:keyvalue@0.2.0-draft2`
//! (`atomics.increment`, `atomics.cas`/`swap`, `batch.get-many`), which act on the same store.

mod memory;
mod update;

pub use memory::MemoryKv;
pub use update::{MAX_CAS_ATTEMPTS, Update, Updated, update_json};

use serde::Serialize;
use serde::de::DeserializeOwned;

/// A failure of the store itself, or of a record read from it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KvError {
    /// The backend reported an error.
    #[error("store error: {0}")]
    Store(String),
    /// A stored value could not be decoded.
    #[error("corrupt value under {key}: {detail}")]
    Corrupt {
        /// The key.
        key: String,
        /// What was wrong.
        detail: String,
    },
    /// Compare-and-swap kept failing because other writers kept winning.
    #[error("gave up updating {key} after {attempts} conflicting writes")]
    Conflict {
        /// The key.
        key: String,
        /// Attempts made.
        attempts: u32,
    },
}

/// The storage operations Emblem needs. Implemented over Spin in `emblem-edge` and in memory
/// by [`MemoryKv`].
#[expect(
    async_fn_in_trait,
    reason = "components are single-threaded WebAssembly; no Send bound is wanted"
)]
pub trait Kv {
    /// The value under `key`, if any.
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, KvError>;
    /// Store `value` under `key`, replacing any value.
    async fn set(&self, key: &str, value: &[u8]) -> Result<(), KvError>;
    /// Remove `key`; removing an absent key is not an error.
    async fn delete(&self, key: &str) -> Result<(), KvError>;
    /// Atomically add `delta` to the counter under `key` (absent = 0) and return the new value.
    /// Counters are stored as 8 little-endian bytes.
    async fn increment(&self, key: &str, delta: i64) -> Result<i64, KvError>;
    /// Atomically set `key` to `new` iff its current value equals `expected` (None = absent).
    /// Ok(true) if swapped.
    async fn compare_and_swap(
        &self,
        key: &str,
        expected: Option<&[u8]>,
        new: &[u8],
    ) -> Result<bool, KvError>;
    /// The values under `keys`, in the same order (None where absent).
    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, KvError>;
}

/// Decode a counter value written by [`Kv::increment`] (8 little-endian bytes).
///
/// Spin's Redis backend implements `increment` with `INCRBY`, which stores the counter as
/// ASCII decimal (`b"15"`), while its SQLite backend stores 8 little-endian bytes; both are
/// read here. A value that is all ASCII digits (with an optional leading `-`) is decimal:
/// read as little-endian, eight such bytes would be at least 0x3030_3030_3030_3030 (about
/// 3.5 × 10^18), which no Emblem counter reaches, so the two encodings cannot be confused.
pub fn decode_counter(key: &str, bytes: &[u8]) -> Result<i64, KvError> {
    let digits = bytes.strip_prefix(b"-").unwrap_or(bytes);
    if !digits.is_empty()
        && digits.len() <= 19
        && digits.iter().all(u8::is_ascii_digit)
        && let Some(n) = std::str::from_utf8(bytes).ok().and_then(|t| t.parse().ok())
    {
        return Ok(n);
    }
    let array: [u8; 8] = bytes.try_into().map_err(|_| KvError::Corrupt {
        key: key.to_owned(),
        detail: format!(
            "a counter must be 8 little-endian bytes or ASCII decimal, found {} bytes",
            bytes.len()
        ),
    })?;
    Ok(i64::from_le_bytes(array))
}

/// Read the counter under `key` without changing it (absent = 0).
pub async fn read_counter<K: Kv + ?Sized>(kv: &K, key: &str) -> Result<i64, KvError> {
    match kv.get(key).await? {
        Some(bytes) => decode_counter(key, &bytes),
        None => Ok(0),
    }
}

/// Decode a JSON record.
pub fn decode<T: DeserializeOwned>(key: &str, bytes: &[u8]) -> Result<T, KvError> {
    serde_json::from_slice(bytes).map_err(|e| KvError::Corrupt {
        key: key.to_owned(),
        detail: e.to_string(),
    })
}

/// Encode a JSON record.
pub fn encode<T: Serialize>(key: &str, value: &T) -> Result<Vec<u8>, KvError> {
    serde_json::to_vec(value).map_err(|e| KvError::Corrupt {
        key: key.to_owned(),
        detail: e.to_string(),
    })
}

/// Read and decode the JSON record under `key`.
pub async fn get_json<K: Kv + ?Sized, T: DeserializeOwned>(
    kv: &K,
    key: &str,
) -> Result<Option<T>, KvError> {
    match kv.get(key).await? {
        Some(bytes) => decode(key, &bytes).map(Some),
        None => Ok(None),
    }
}

/// Encode and store `value` under `key` (for keys only this request can know, such as a
/// fresh random id; shared state goes through [`update_json`]).
pub async fn put_json<K: Kv + ?Sized, T: Serialize>(
    kv: &K,
    key: &str,
    value: &T,
) -> Result<(), KvError> {
    kv.set(key, &encode(key, value)?).await
}

/// Store `value` under `key` only if the key is absent. Ok(false) if it already existed.
pub async fn insert_json<K: Kv + ?Sized, T: Serialize>(
    kv: &K,
    key: &str,
    value: &T,
) -> Result<bool, KvError> {
    kv.compare_and_swap(key, None, &encode(key, value)?).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::executor::block_on;

    #[test]
    fn counters_read_back_as_eight_little_endian_bytes() {
        let kv = MemoryKv::new();
        block_on(async {
            assert_eq!(kv.increment("c", 5).await, Ok(5));
            assert_eq!(kv.get("c").await, Ok(Some(5i64.to_le_bytes().to_vec())));
            assert_eq!(read_counter(&kv, "c").await, Ok(5));
            assert_eq!(read_counter(&kv, "absent").await, Ok(0));
        });
    }

    #[test]
    fn counters_written_by_redis_incrby_are_ascii_decimal_and_read_too() {
        assert_eq!(decode_counter("k", b"15"), Ok(15));
        assert_eq!(decode_counter("k", b"-3"), Ok(-3));
        assert_eq!(decode_counter("k", b"12345678"), Ok(12_345_678));
        assert_eq!(
            decode_counter("k", &12_345_678i64.to_le_bytes()),
            Ok(12_345_678)
        );
        for n in [0i64, 1, 30, 0x30, 0x3939, i64::from(u32::MAX), -1] {
            assert_eq!(decode_counter("k", &n.to_le_bytes()), Ok(n), "{n}");
        }
    }

    #[test]
    fn a_counter_of_the_wrong_length_is_reported_as_corrupt() {
        assert!(matches!(
            decode_counter("k", b"abc"),
            Err(KvError::Corrupt { .. })
        ));
    }

    #[test]
    fn insert_json_never_overwrites() {
        let kv = MemoryKv::new();
        block_on(async {
            assert_eq!(insert_json(&kv, "k", &1).await, Ok(true));
            assert_eq!(insert_json(&kv, "k", &2).await, Ok(false));
            assert_eq!(get_json::<_, i32>(&kv, "k").await, Ok(Some(1)));
        });
    }

    #[test]
    fn get_json_reports_undecodable_records_as_corrupt() {
        let kv = MemoryKv::new();
        block_on(async {
            kv.set("k", b"not json").await.expect("set");
            let r = get_json::<_, i32>(&kv, "k").await;
            assert!(matches!(r, Err(KvError::Corrupt { key, .. }) if key == "k"));
        });
    }
}
