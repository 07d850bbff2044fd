//! [`MemoryKv`]: an in-memory store that reproduces the observable semantics of one of Spin's
//! backends ([`Backend`]), so the storage rules are tested against each backend's quirks.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};

use super::{Kv, KvError, decode_counter};

/// Whose semantics a [`MemoryKv`] reproduces (each as read in Spin 4.1's source).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Backend {
    /// An ideal store: compare-and-swap exact and truthfully reported (absent included),
    /// counters as 8 little-endian bytes, batch reads.
    #[default]
    Exact,
    /// Spin's SQLite store (`crates/key-value-spin`): compare-and-swap against an absent key
    /// is an upsert that always reports success; a counter over a value that is not 8 bytes
    /// fails (Spin panics).
    SpinSqlite,
    /// Spin's Redis store (`crates/key-value-redis`): `increment` is `INCRBY` (ASCII decimal);
    /// compare-and-swap really is one (`WATCH`/`MULTI`/`EXEC`) but always reports failure
    /// (its closing `UNWATCH <key>` is refused). Its `get_many` fails (it sends `KEYS`); the
    /// Spin adapter then reads key by key, so here batch reads simply work.
    SpinRedis,
}

/// An in-memory store for tests and benchmarks.
///
/// With [`MemoryKv::contended`] every operation first yields to the executor once, so futures
/// driven together (e.g. by `join_all`) interleave between their reads and their writes, the
/// way concurrent requests do on a real store.
#[derive(Debug, Default)]
pub struct MemoryKv {
    map: Mutex<BTreeMap<String, Vec<u8>>>,
    yield_each_op: bool,
    backend: Backend,
    stamps: AtomicU64,
}

impl MemoryKv {
    /// An empty store whose operations complete immediately.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty store whose operations yield once before running, to expose races.
    pub fn contended() -> Self {
        Self::like(Backend::Exact, true)
    }

    /// An empty store with `backend`'s semantics; `contended` as in [`MemoryKv::contended`].
    pub fn like(backend: Backend, contended: bool) -> Self {
        Self {
            map: Mutex::default(),
            yield_each_op: contended,
            backend,
            stamps: AtomicU64::new(0),
        }
    }

    /// A copy of every key and value, to compare before and after an operation.
    pub fn snapshot(&self) -> BTreeMap<String, Vec<u8>> {
        self.lock().clone()
    }

    /// Every key, in order.
    pub fn keys(&self) -> Vec<String> {
        self.lock().keys().cloned().collect()
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, Vec<u8>>> {
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }

    async fn pause(&self) {
        if self.yield_each_op {
            YieldOnce(false).await;
        }
    }
}

/// A future that is pending once (waking itself) and then ready.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

impl Kv for MemoryKv {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, KvError> {
        self.pause().await;
        Ok(self.lock().get(key).cloned())
    }

    async fn set(&self, key: &str, value: &[u8]) -> Result<(), KvError> {
        self.pause().await;
        self.lock().insert(key.to_owned(), value.to_vec());
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), KvError> {
        self.pause().await;
        self.lock().remove(key);
        Ok(())
    }

    async fn increment(&self, key: &str, delta: i64) -> Result<i64, KvError> {
        self.pause().await;
        let mut map = self.lock();
        let current = match (map.get(key), self.backend) {
            (None, _) => 0,
            (Some(bytes), Backend::SpinRedis) => std::str::from_utf8(bytes)
                .ok()
                .and_then(|t| t.parse::<i64>().ok())
                .ok_or_else(|| KvError::Store("ERR value is not an integer".into()))?,
            (Some(bytes), Backend::SpinSqlite) => {
                i64::from_le_bytes(bytes.as_slice().try_into().map_err(|_| {
                    KvError::Store("incorrect length (Spin's SQLite store panics here)".into())
                })?)
            }
            (Some(bytes), Backend::Exact) => decode_counter(key, bytes)?,
        };
        let next = current.wrapping_add(delta);
        let stored = match self.backend {
            Backend::SpinRedis => next.to_string().into_bytes(),
            _ => next.to_le_bytes().to_vec(),
        };
        map.insert(key.to_owned(), stored);
        Ok(next)
    }

    async fn compare_and_swap(
        &self,
        key: &str,
        expected: Option<&[u8]>,
        new: &[u8],
    ) -> Result<bool, KvError> {
        self.pause().await;
        let mut map = self.lock();
        let upsert = expected.is_none() && self.backend == Backend::SpinSqlite;
        if !upsert && map.get(key).map(Vec::as_slice) != expected {
            return Ok(false);
        }
        map.insert(key.to_owned(), new.to_vec());
        Ok(self.backend != Backend::SpinRedis)
    }

    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, KvError> {
        self.pause().await;
        let map = self.lock();
        Ok(keys.iter().map(|k| map.get(k).cloned()).collect())
    }

    fn stamp(&self) -> u64 {
        self.stamps.fetch_add(1, Ordering::Relaxed) + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::executor::block_on;

    #[test]
    fn compare_and_swap_on_an_absent_key_inserts_only_if_still_absent() {
        let kv = MemoryKv::new();
        block_on(async {
            assert_eq!(kv.compare_and_swap("k", None, b"a").await, Ok(true));
            assert_eq!(kv.compare_and_swap("k", None, b"b").await, Ok(false));
            assert_eq!(kv.get("k").await, Ok(Some(b"a".to_vec())));
        });
    }

    #[test]
    fn compare_and_swap_fails_when_the_value_changed() {
        let kv = MemoryKv::new();
        block_on(async {
            kv.set("k", b"a").await.expect("set");
            assert_eq!(kv.compare_and_swap("k", Some(b"x"), b"b").await, Ok(false));
            assert_eq!(kv.compare_and_swap("k", Some(b"a"), b"b").await, Ok(true));
            assert_eq!(kv.get("k").await, Ok(Some(b"b".to_vec())));
        });
    }

    #[test]
    fn get_many_keeps_the_order_and_marks_absent_keys() {
        let kv = MemoryKv::new();
        block_on(async {
            kv.set("b", b"2").await.expect("set");
            let got = kv
                .get_many(&["a".to_owned(), "b".to_owned()])
                .await
                .expect("get_many");
            assert_eq!(got, vec![None, Some(b"2".to_vec())]);
        });
    }

    #[test]
    fn concurrent_increments_never_lose_a_count() {
        let kv = MemoryKv::contended();
        let all = (0..50).map(|_| kv.increment("n", 1));
        let mut results: Vec<i64> = block_on(futures::future::join_all(all))
            .into_iter()
            .map(|r| r.expect("increment"))
            .collect();
        results.sort_unstable();
        assert_eq!(results, (1..=50).collect::<Vec<_>>());
    }

    #[test]
    fn deleting_an_absent_key_is_fine() {
        let kv = MemoryKv::new();
        assert_eq!(block_on(kv.delete("nothing")), Ok(()));
    }
}
