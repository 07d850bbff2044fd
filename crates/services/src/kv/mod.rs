//! The key-value store behind a small async trait, its in-memory twin and the
//! read-modify-write loop.
//!
//! Spin's key-value store has no transactions and no range scans, and its backends keep
//! different promises (read in Spin 4.1's `crates/key-value-spin` and `crates/key-value-redis`;
//! the table is in `docs/storage.md`). Emblem therefore relies only on what every backend does
//! right:
//!
//! 1. keys are designed so every request needs O(1) reads (see [`crate::store_keys`]);
//! 2. `get`, `set`, `delete` and atomic [`Kv::increment`] are sound everywhere; counters are
//!    read in both encodings the backends write ([`decode_counter`]);
//! 3. creating a key that several requests may create goes through a *creation claim*: an
//!    atomic increment of a companion key that only the first creator sees at 1 ([`claim`]).
//!    Spin's SQLite compare-and-swap against an absent key is an upsert, so it cannot decide
//!    who creates;
//! 4. every other read-modify-write of shared state goes through [`update_json`]: a
//!    compare-and-swap of an existing value, whose *report* is not trusted (Spin's Redis swap
//!    reports failure even when it wrote). Each write carries a fresh stamp, and a reported
//!    failure is checked by reading the stamp back;
//! 5. `get_many` may be missing (Spin's Redis backend sends `KEYS` and fails); the Spin
//!    adapter then reads key by key.
//!
//! Values are JSON documents carrying a schema version `"v": 1` ([`emblem_badges::model::V1`]).

mod memory;
mod update;

pub use memory::{Backend, MemoryKv};
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
    /// The stored encoding is the backend's (8 little-endian bytes on SQLite, ASCII decimal on
    /// Redis); read counters with [`decode_counter`].
    async fn increment(&self, key: &str, delta: i64) -> Result<i64, KvError>;
    /// Set `key` to `new` iff its current value equals `expected` (None = absent), as the
    /// backend implements it. Ok(true) means the backend *reports* a swap. The report is not
    /// trusted: an absent `expected` may be an upsert (Spin's SQLite), and a swap that wrote
    /// may be reported as failed (Spin's Redis). Only [`update_json`] and [`insert_json`] call
    /// this, and they guard against both.
    async fn compare_and_swap(
        &self,
        key: &str,
        expected: Option<&[u8]>,
        new: &[u8],
    ) -> Result<bool, KvError>;
    /// The values under `keys`, in the same order (None where absent).
    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, KvError>;
    /// A number no other write will carry (random, 64 bits): [`update_json`] marks each write
    /// with one to recognise it when it reads the value back.
    fn stamp(&self) -> u64;
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

/// The companion counter that decides who creates `key` (see [`claim`]).
pub fn claim_key(key: &str) -> String {
    format!("{key}#created")
}

/// Claim the creation of `key`: Ok(true) for exactly one caller, whatever the backend and
/// however many instances race (an atomic increment of [`claim_key`] that only the first
/// sees at 1). The claim outlives the record; keys created this way are never deleted.
pub async fn claim<K: Kv + ?Sized>(kv: &K, key: &str) -> Result<bool, KvError> {
    Ok(kv.increment(&claim_key(key), 1).await? == 1)
}

/// Store `value` under `key` only if no one created it before. Ok(false) if it already
/// existed or another request is creating it. Used for keys several requests may create at
/// once (an issuer's active signing key); a key named by a fresh random id needs only
/// [`put_json`].
pub async fn insert_json<K: Kv + ?Sized, T: Serialize>(
    kv: &K,
    key: &str,
    value: &T,
) -> Result<bool, KvError> {
    if kv.get(key).await?.is_some() || !claim(kv, key).await? {
        return Ok(false);
    }
    kv.set(key, &encode(key, value)?).await?;
    Ok(true)
}

/// How many reads a request that lost a creation claim makes while the winner writes the
/// record. Each read is a store call, so the winner runs meanwhile; under load (many
/// instances on few cores) it can take a while to be scheduled.
pub const CREATION_WAIT_READS: u32 = 1024;

/// The record another request claimed the creation of ([`insert_json`] answered false):
/// read until it appears. A winner that never writes (it died after claiming) gives
/// [`KvError::Conflict`], a 503 the client retries, not a 500.
pub async fn created_by_another<K: Kv + ?Sized, T: DeserializeOwned>(
    kv: &K,
    key: &str,
) -> Result<T, KvError> {
    for _ in 0..CREATION_WAIT_READS {
        if let Some(winner) = get_json(kv, key).await? {
            return Ok(winner);
        }
    }
    Err(KvError::Conflict {
        key: key.to_owned(),
        attempts: CREATION_WAIT_READS,
    })
}

impl From<KvError> for emblem_badges::error::Error {
    fn from(e: KvError) -> Self {
        match e {
            KvError::Store(detail) => {
                Self::Internal(emblem_badges::error::Internal::Storage(detail))
            }
            KvError::Corrupt { key, detail } => {
                Self::Internal(emblem_badges::error::Internal::Corrupt { key, detail })
            }
            KvError::Conflict { key, attempts } => {
                Self::Unavailable(emblem_badges::error::Unavailable::Contention { key, attempts })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::executor::block_on;

    #[test]
    fn a_creation_claimed_but_never_written_is_a_retryable_conflict_and_a_written_one_is_read() {
        let kv = MemoryKv::new();
        assert!(block_on(claim(&kv, "vckey/x")).expect("claim"));
        // The winner died between its claim and its write: the loser gives up with a 503.
        let lost = block_on(created_by_another::<_, serde_json::Value>(&kv, "vckey/x"));
        assert!(matches!(lost, Err(KvError::Conflict { .. })), "{lost:?}");
        block_on(put_json(&kv, "vckey/x", &serde_json::json!({"v": 1}))).expect("write");
        let read: serde_json::Value =
            block_on(created_by_another(&kv, "vckey/x")).expect("the winner's record");
        assert_eq!(read["v"], 1);
    }

    #[test]
    fn storage_conflicts_become_a_retryable_503() {
        let e: emblem_badges::error::Error = KvError::Conflict {
            key: "revocations/x".into(),
            attempts: 64,
        }
        .into();
        let p = e.problem();
        assert_eq!(p.status, 503);
        assert_eq!(p.headers, vec![("retry-after", "1".to_owned())]);
    }

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
