//! [`SpinKv`]: the core [`Kv`] trait over Spin's key-value store.
//!
//! Plain reads and writes use `spin:key-value` (async); counters, compare-and-swap and batch
//! reads use `wasi:keyvalue@0.2.0-draft2` (`atomics`, `batch`). Both act on the same store,
//! labelled `default`. Semantics (same as Spin): `increment` stores 8 little-endian bytes;
//! a CAS handle remembers the value it saw, and `swap` fails if the value changed since.

use std::cell::OnceCell;

use emblem_core::kv::{Kv, KvError};
use spin_sdk::experimental::wasi::keyvalue::{atomics, batch, store};
use spin_sdk::key_value::Store;

/// The label of the store every component uses.
pub const STORE: &str = "default";

/// Spin's default key-value store.
pub struct SpinKv {
    store: Store,
    bucket: OnceCell<store::Bucket>,
}

impl std::fmt::Debug for SpinKv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpinKv").finish_non_exhaustive()
    }
}

fn store_error(e: impl std::fmt::Debug) -> KvError {
    KvError::Store(format!("{e:?}"))
}

impl SpinKv {
    /// Open the `default` store.
    pub async fn open() -> Result<Self, KvError> {
        let store = Store::open(STORE).await.map_err(store_error)?;
        Ok(Self {
            store,
            bucket: OnceCell::new(),
        })
    }

    /// The `wasi:keyvalue` bucket, opened on first use.
    fn bucket(&self) -> Result<&store::Bucket, KvError> {
        if let Some(bucket) = self.bucket.get() {
            return Ok(bucket);
        }
        let bucket = store::open(STORE).map_err(store_error)?;
        Ok(self.bucket.get_or_init(|| bucket))
    }
}

impl Kv for SpinKv {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, KvError> {
        self.store.get(key).await.map_err(store_error)
    }

    async fn set(&self, key: &str, value: &[u8]) -> Result<(), KvError> {
        self.store.set(key, value).await.map_err(store_error)
    }

    async fn delete(&self, key: &str) -> Result<(), KvError> {
        self.store.delete(key).await.map_err(store_error)
    }

    async fn increment(&self, key: &str, delta: i64) -> Result<i64, KvError> {
        atomics::increment(self.bucket()?, key, delta).map_err(store_error)
    }

    async fn compare_and_swap(
        &self,
        key: &str,
        expected: Option<&[u8]>,
        new: &[u8],
    ) -> Result<bool, KvError> {
        let cas = atomics::Cas::new(self.bucket()?, key).map_err(store_error)?;
        let current = cas.current().map_err(store_error)?;
        if current.as_deref() != expected {
            return Ok(false);
        }
        match atomics::swap(cas, new) {
            Ok(()) => Ok(true),
            Err(atomics::CasError::CasFailed(_)) => Ok(false),
            Err(atomics::CasError::StoreError(e)) => Err(store_error(e)),
        }
    }

    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, KvError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let found = batch::get_many(self.bucket()?, keys).map_err(store_error)?;
        // Match by key: hosts may omit absent keys or return them in another order.
        Ok(keys
            .iter()
            .map(|k| {
                found
                    .iter()
                    .find(|(fk, _)| fk == k)
                    .and_then(|(_, v)| v.clone())
            })
            .collect())
    }
}
