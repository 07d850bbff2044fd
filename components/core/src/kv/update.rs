//! [`update_json`]: read-modify-write of one JSON record through compare-and-swap.
//!
//! 1. Read the current bytes under the key and decode them (absent → `None`).
//! 2. Call the closure with the decoded value. It returns [`Update::Put`] with the new value,
//!    [`Update::Keep`] to leave the record alone (idempotent no-ops write nothing), or an error
//!    that aborts the update (e.g. a forbidden state transition).
//! 3. Compare-and-swap the new bytes against the bytes read in step 1. If another writer got
//!    there first, go back to step 1 with the fresh value; give up with
//!    [`KvError::Conflict`] after [`MAX_CAS_ATTEMPTS`].
//!
//! The closure may run several times, so it must be a pure function of its input.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Kv, KvError, decode, encode};

/// How many compare-and-swap rounds [`update_json`] tries before giving up.
pub const MAX_CAS_ATTEMPTS: u32 = 64;

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
    for _ in 0..MAX_CAS_ATTEMPTS {
        let current = kv.get(key).await?;
        let decoded = match &current {
            Some(bytes) => Some(decode::<T>(key, bytes)?),
            None => None,
        };
        match f(decoded)? {
            Update::Keep(value) => {
                return Ok(Updated {
                    value,
                    written: false,
                });
            }
            Update::Put(value) => {
                let bytes = encode(key, &value)?;
                if kv.compare_and_swap(key, current.as_deref(), &bytes).await? {
                    return Ok(Updated {
                        value: Some(value),
                        written: true,
                    });
                }
            }
        }
    }
    Err(KvError::Conflict {
        key: key.to_owned(),
        attempts: MAX_CAS_ATTEMPTS,
    }
    .into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kv::{MemoryKv, get_json};
    use futures::executor::block_on;
    use futures::future::join_all;

    async fn push(kv: &MemoryKv, item: u32) -> Result<Updated<Vec<u32>>, KvError> {
        update_json(kv, "list", |list: Option<Vec<u32>>| {
            let mut list = list.unwrap_or_default();
            if list.contains(&item) {
                return Ok(Update::Keep(Some(list)));
            }
            list.push(item);
            Ok(Update::Put(list))
        })
        .await
    }

    #[test]
    fn fifty_concurrent_updates_all_land() {
        let kv = MemoryKv::contended();
        let results = block_on(join_all((0..50).map(|i| push(&kv, i))));
        assert!(results.iter().all(Result::is_ok));
        let mut list: Vec<u32> = block_on(get_json(&kv, "list"))
            .expect("read")
            .expect("present");
        list.sort_unstable();
        assert_eq!(list, (0..50).collect::<Vec<_>>());
    }

    #[test]
    fn keeping_writes_nothing() {
        let kv = MemoryKv::new();
        block_on(async {
            assert!(push(&kv, 1).await.expect("first").written);
            let before = kv.snapshot();
            let again = push(&kv, 1).await.expect("second");
            assert!(!again.written);
            assert_eq!(again.value, Some(vec![1]));
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
