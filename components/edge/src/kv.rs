//! [`SpinKv`]: the core [`Kv`] trait over Spin's key-value store.
//!
//! Writes and deletes use `spin:key-value` (async); reads, counters, compare-and-swap and
//! batch reads use `wasi:keyvalue@0.2.0-draft2` (`store`, `atomics`, `batch`). Both act on the
//! same store, labelled `default`, whichever backend the runtime config puts behind it. What
//! each backend really guarantees, and how `emblem_web::kv` copes, is in `docs/storage.md`.
//! Here: a batch read that fails (Spin's Redis backend sends `KEYS`) is done as concurrent
//! single reads, and the instance remembers not to try the batch again.

use std::cell::RefCell;
use std::rc::Rc;

use emblem_web::kv::{Kv, KvError};
use spin_sdk::experimental::wasi::keyvalue::{atomics, batch, store};
use spin_sdk::key_value::Store;

/// The label of the store every component uses.
pub const STORE: &str = "default";

/// One of Spin's key-value stores (`default`, or `secrets` in the components that sign).
pub struct SpinKv {
    store: Rc<Store>,
    bucket: Rc<store::Bucket>,
}

/// The two handles of one open store label.
type Opened = (&'static str, Rc<Store>, Rc<store::Bucket>);

thread_local! {
    /// The store handles by label, opened once per component instance. The host reuses
    /// an instance for many requests and a handle stays valid for the
    /// instance's whole life, so later requests skip the `open` host calls.
    static OPEN: RefCell<Vec<Opened>> = const { RefCell::new(Vec::new()) };
    /// Set once a batch read failed: this backend has no working `get_many`.
    static NO_BATCH: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
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
    /// Open the `default` store (once per instance; later calls reuse the handles).
    pub async fn open() -> Result<Self, KvError> {
        Self::open_label(STORE).await
    }

    /// Open the store `label` (once per instance). A label the manifest does not grant this
    /// component is an error (`access-denied`, as Spin answers).
    pub async fn open_label(label: &'static str) -> Result<Self, KvError> {
        let found = OPEN.with(|o| {
            o.borrow()
                .iter()
                .find(|(l, _, _)| *l == label)
                .map(|(_, s, b)| (s.clone(), b.clone()))
        });
        if let Some((store, bucket)) = found {
            return Ok(Self { store, bucket });
        }
        let store = Rc::new(Store::open(label).await.map_err(store_error)?);
        let bucket = Rc::new(store::open(label).map_err(store_error)?);
        OPEN.with(|o| o.borrow_mut().push((label, store.clone(), bucket.clone())));
        Ok(Self { store, bucket })
    }

    fn bucket(&self) -> Result<&store::Bucket, KvError> {
        Ok(&self.bucket)
    }

    /// Read `keys` for a backend without a working batch read: all at once through the async
    /// `spin:key-value` get, so that a networked store (Redis) answers them in about one round
    /// trip instead of one round trip each.
    async fn get_each(&self, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, KvError> {
        futures::future::try_join_all(keys.iter().map(|k| self.store.get(k)))
            .await
            .map_err(store_error)
    }
}

impl Kv for SpinKv {
    // Reads use the synchronous `wasi:keyvalue` get: a read is a few
    // microseconds of host work, and a synchronous import skips the cost of an
    // async host task (measured: ~25% more hosted-assertion requests/s).
    // Writes stay on the async `spin:key-value` API, whose host side runs the
    // durable (fsync'd) commit off the request thread.
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, KvError> {
        self.bucket()?.get(key).map_err(store_error)
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
        // One key: a plain read. (Spin's Redis batch sends `KEYS <key>`, a pattern match that
        // answers without error and without the value.)
        if keys.len() == 1 {
            return Ok(vec![self.get(&keys[0]).await?]);
        }
        if NO_BATCH.get() {
            return self.get_each(keys).await;
        }
        let Ok(found) = batch::get_many(self.bucket()?, keys) else {
            NO_BATCH.set(true);
            return self.get_each(keys).await;
        };
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

    fn stamp(&self) -> u64 {
        use emblem_web::entropy::Entropy as _;
        let mut bytes = [0u8; 8];
        crate::HostEntropy.fill(&mut bytes);
        u64::from_le_bytes(bytes)
    }
}
