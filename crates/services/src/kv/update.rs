//! [`update_json`]: read-modify-write of one JSON record, correct on every Spin backend.
//!
//! 1. Read the current bytes under the key and decode them (absent → `None`).
//! 2. Call the closure with the decoded value. It returns [`Update::Put`] with the new value,
//!    [`Update::Keep`] to leave the record alone (idempotent no-ops write nothing), or an error
//!    that aborts the update (e.g. a forbidden state transition).
//! 3. Creating (the key was absent): win the creation claim ([`super::claim`]) first; a loser
//!    re-reads until the winner's record appears. Spin's SQLite compare-and-swap against an
//!    absent key is an upsert, so without the claim two creators would both "succeed".
//! 4. Compare-and-swap the new bytes, stamped with a fresh [`Kv::stamp`] (the record's `_w`
//!    field keeps the last [`STAMPS_KEPT`] stamps), against the bytes read in step 1.
//! 5. A swap reported as done is done. A swap reported as failed may have written (Spin's
//!    Redis backend reports every swap as failed), so read the key back: if our stamp is in
//!    it, the write landed. Otherwise another writer got there first: go back to step 1 with
//!    the fresh value; give up with [`KvError::Conflict`] after [`MAX_CAS_ATTEMPTS`].
//!
//! The closure may run several times, so it must be a pure function of its input.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Kv, KvError, claim, decode};

/// How many compare-and-swap rounds [`update_json`] tries before giving up.
pub const MAX_CAS_ATTEMPTS: u32 = 64;

/// How many recent write stamps a record keeps (in its `_w` field). A write is recognised on
/// read-back as long as fewer than this many other writes followed it in between.
pub const STAMPS_KEPT: usize = 4;

/// The record field holding the stamps of its last writes.
const STAMP_FIELD: &str = "_w";

/// What the update closure wants done with the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Update<T> {
    /// Store this value.
    Put(T),
    /// Leave the record as it is; carry this value back to the caller.
    Keep(Option<T>),
}

/// The outcome of [`update_json`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Updated<T> {
    /// The record after the update (or as it was, when kept).
    pub value: Option<T>,
    /// Whether this call wrote it.
    pub written: bool,
}

/// Atomically update the JSON record under `key` with `f` (see the module docs).
pub async fn update_json<K, T, E, F>(kv: &K, key: &str, mut f: F) -> Result<Updated<T>, E>
where
    K: Kv + ?Sized,
    T: Serialize + DeserializeOwned,
    E: From<KvError>,
    F: FnMut(Option<T>) -> Result<Update<T>, E>,
{
    let mut creation_lost = false;
    for _ in 0..MAX_CAS_ATTEMPTS {
        let current = kv.get(key).await?;
        let decoded = match &current {
            Some(bytes) => Some(decode::<T>(key, bytes)?),
            None => None,
        };
        let value = match f(decoded)? {
            Update::Keep(value) => {
                return Ok(Updated {
                    value,
                    written: false,
                });
            }
            Update::Put(value) => value,
        };
        if current.is_none() && (creation_lost || !claim(kv, key).await?) {
            // Another request is creating the record: wait for it and apply on top.
            creation_lost = true;
            continue;
        }
        let stamp = kv.stamp();
        let bytes = stamped(key, &value, current.as_deref(), stamp)?;
        if kv.compare_and_swap(key, current.as_deref(), &bytes).await?
            || landed(kv, key, stamp, &bytes).await?
        {
            return Ok(Updated {
                value: Some(value),
                written: true,
            });
        }
    }
    Err(KvError::Conflict {
        key: key.to_owned(),
        attempts: MAX_CAS_ATTEMPTS,
    }
    .into())
}

/// `value` encoded with `stamp` appended to the stamps of the `previous` bytes.
fn stamped<T: Serialize>(
    key: &str,
    value: &T,
    previous: Option<&[u8]>,
    stamp: u64,
) -> Result<Vec<u8>, KvError> {
    let corrupt = |e: serde_json::Error| KvError::Corrupt {
        key: key.to_owned(),
        detail: e.to_string(),
    };
    let mut json = serde_json::to_value(value).map_err(corrupt)?;
    if let serde_json::Value::Object(map) = &mut json {
        let mut stamps = previous.map(stamps_of).unwrap_or_default();
        stamps.push(stamp);
        let extra = stamps.len().saturating_sub(STAMPS_KEPT);
        stamps.drain(..extra);
        map.insert(STAMP_FIELD.to_owned(), stamps.into());
    }
    serde_json::to_vec(&json).map_err(corrupt)
}

/// The write stamps recorded in a stored value (none if it has no `_w` field).
fn stamps_of(bytes: &[u8]) -> Vec<u64> {
    #[derive(serde::Deserialize)]
    struct Stamps {
        #[serde(default, rename = "_w")]
        w: Vec<u64>,
    }
    serde_json::from_slice::<Stamps>(bytes)
        .map(|s| s.w)
        .unwrap_or_default()
}

/// Whether the value now under `key` is `written` or carries its `stamp` (a later write built
/// on it). A value that is not a JSON object has no stamps: only equal bytes count.
async fn landed<K: Kv + ?Sized>(
    kv: &K,
    key: &str,
    stamp: u64,
    written: &[u8],
) -> Result<bool, KvError> {
    Ok(kv
        .get(key)
        .await?
        .is_some_and(|now| now == written || stamps_of(&now).contains(&stamp)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kv::{Backend, MemoryKv, get_json};
    use futures::executor::block_on;
    use futures::future::join_all;

    #[derive(Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct List {
        items: Vec<u32>,
    }

    async fn push(kv: &MemoryKv, item: u32) -> Result<Updated<List>, KvError> {
        update_json(kv, "list", |list: Option<List>| {
            let mut list = list.unwrap_or_default();
            if list.items.contains(&item) {
                return Ok(Update::Keep(Some(list)));
            }
            list.items.push(item);
            Ok(Update::Put(list))
        })
        .await
    }

    fn items(kv: &MemoryKv) -> Vec<u32> {
        let list: List = block_on(get_json(kv, "list"))
            .expect("read")
            .expect("present");
        list.items
    }

    const BACKENDS: [Backend; 3] = [Backend::Exact, Backend::SpinSqlite, Backend::SpinRedis];

    #[test]
    fn fifty_concurrent_updates_all_land_on_every_backend() {
        for backend in BACKENDS {
            let kv = MemoryKv::like(backend, true);
            let results = block_on(join_all((0..50).map(|i| push(&kv, i))));
            for r in &results {
                assert!(r.as_ref().is_ok_and(|u| u.written), "{backend:?}: {r:?}");
            }
            let mut list = items(&kv);
            list.sort_unstable();
            assert_eq!(list, (0..50).collect::<Vec<_>>(), "{backend:?}");
        }
    }

    #[test]
    fn concurrent_creators_of_an_absent_record_all_land_even_where_cas_upserts() {
        // Spin's SQLite swap against an absent key is an upsert: without the creation claim
        // every creator would "succeed" and all but the last push would be lost.
        for backend in BACKENDS {
            let kv = MemoryKv::like(backend, true);
            let results = block_on(join_all((0..8).map(|i| push(&kv, i))));
            assert!(
                results.iter().all(Result::is_ok),
                "{backend:?}: {results:?}"
            );
            let list = items(&kv);
            assert_eq!(list.len(), 8, "{backend:?}: {list:?}");
        }
    }

    #[test]
    fn a_swap_reported_as_failed_that_wrote_counts_once_as_written() {
        // Spin's Redis store reports every swap as failed; the stamp read back says it landed.
        let kv = MemoryKv::like(Backend::SpinRedis, false);
        block_on(async {
            for i in 0..3 {
                let u = push(&kv, i).await.expect("push");
                assert!(u.written);
            }
            let again = push(&kv, 1).await.expect("again");
            assert!(!again.written);
        });
        assert_eq!(items(&kv), vec![0, 1, 2]);
    }

    #[test]
    fn records_keep_only_their_last_stamps() {
        let kv = MemoryKv::new();
        for i in 0..10 {
            block_on(push(&kv, i)).expect("push");
        }
        let raw = kv.snapshot().remove("list").expect("stored");
        assert_eq!(stamps_of(&raw).len(), STAMPS_KEPT);
    }

    #[test]
    fn keeping_writes_nothing() {
        let kv = MemoryKv::new();
        block_on(async {
            assert!(push(&kv, 1).await.expect("first").written);
            let before = kv.snapshot();
            let again = push(&kv, 1).await.expect("second");
            assert!(!again.written);
            assert_eq!(again.value, Some(List { items: vec![1] }));
            assert_eq!(kv.snapshot(), before);
        });
    }

    #[test]
    fn a_closure_error_aborts_without_writing() {
        let kv = MemoryKv::new();
        let r: Result<Updated<u32>, KvError> = block_on(update_json(&kv, "k", |_| {
            Err(KvError::Store("refused".into()))
        }));
        assert!(r.is_err());
        assert!(kv.keys().is_empty());
    }

    /// A store where every compare-and-swap loses, as if another writer always won.
    struct AlwaysLoses(MemoryKv);

    impl Kv for AlwaysLoses {
        async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, KvError> {
            self.0.get(key).await
        }
        async fn set(&self, key: &str, value: &[u8]) -> Result<(), KvError> {
            self.0.set(key, value).await
        }
        async fn delete(&self, key: &str) -> Result<(), KvError> {
            self.0.delete(key).await
        }
        async fn increment(&self, key: &str, delta: i64) -> Result<i64, KvError> {
            self.0.increment(key, delta).await
        }
        async fn compare_and_swap(
            &self,
            _: &str,
            _: Option<&[u8]>,
            _: &[u8],
        ) -> Result<bool, KvError> {
            Ok(false)
        }
        async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, KvError> {
            self.0.get_many(keys).await
        }
        fn stamp(&self) -> u64 {
            self.0.stamp()
        }
    }

    #[test]
    fn endless_contention_gives_up_with_a_clear_conflict() {
        let kv = AlwaysLoses(MemoryKv::new());
        let mut calls = 0;
        let r: Result<Updated<u32>, KvError> = block_on(update_json(&kv, "hot", |_| {
            calls += 1;
            Ok(Update::Put(1))
        }));
        assert_eq!(
            r,
            Err(KvError::Conflict {
                key: "hot".into(),
                attempts: MAX_CAS_ATTEMPTS
            })
        );
        assert_eq!(calls, MAX_CAS_ATTEMPTS);
    }
}
