//! The Spin interfaces guests import beyond WASI: `spin:key-value@3.0.0`,
//! `spin:variables@3.0.0` and `wasi:keyvalue@0.2.0-draft2` (store, atomics,
//! batch), over the backends the runtime config names (see `kv/`).
//!
//! A component may open only the store labels its manifest grants
//! (`key_value_stores`); any other label is `access-denied`, as in Spin.
//! Spin's async key-value functions run their SQLite work on a blocking
//! thread, so a slow commit never stalls the async executor.

use crate::kv::{CasState, Db, KvError};
use std::collections::BTreeMap;
use std::sync::Arc;
use wasmtime::component::{Accessor, FutureReader, HasData, Resource, ResourceTable, StreamReader};

wasmtime::component::bindgen!({
    path: "wit",
    world: "spin-imports",
    imports: { default: trappable },
    with: {
        "spin:key-value/key-value.store": OpenStore,
        "wasi:keyvalue/store.bucket": OpenStore,
        "wasi:keyvalue/atomics.cas": CasHandle,
    },
});

use spin::key_value::key_value as spin_kv;
use spin::variables::variables as spin_vars;
use wasi::keyvalue::{atomics, batch, store as wasi_kv};

/// What one component may reach: its granted stores and its variables.
#[derive(Debug, Clone, Default)]
pub struct SpinCtx {
    /// Granted store label → (database, label).
    pub stores: BTreeMap<String, Db>,
    /// Labels the app defines at all (to tell no-such-store from access-denied).
    pub known_labels: Arc<Vec<String>>,
    /// The component's resolved variables.
    pub variables: Arc<BTreeMap<String, String>>,
}

/// An open store: the database and the label inside it.
#[derive(Debug, Clone)]
pub struct OpenStore {
    db: Db,
    label: String,
}

/// A compare-and-swap handle, as Spin's backend of the store keeps it.
#[derive(Debug)]
pub struct CasHandle {
    store: OpenStore,
    key: String,
    state: CasState,
}

/// The view host functions work through.
pub struct SpinView<'a> {
    pub ctx: &'a SpinCtx,
    pub table: &'a mut ResourceTable,
}

/// Marker for `add_to_linker`.
pub struct Spin;

impl HasData for Spin {
    type Data<'a> = SpinView<'a>;
}

/// Adds every Spin interface to the linker.
pub fn add_to_linker<T: Send + 'static>(
    linker: &mut wasmtime::component::Linker<T>,
    view: fn(&mut T) -> SpinView<'_>,
) -> wasmtime::Result<()> {
    spin_kv::add_to_linker::<T, Spin>(linker, view)?;
    spin_vars::add_to_linker::<T, Spin>(linker, view)?;
    wasi_kv::add_to_linker::<T, Spin>(linker, view)?;
    atomics::add_to_linker::<T, Spin>(linker, view)?;
    batch::add_to_linker::<T, Spin>(linker, view)?;
    Ok(())
}

enum OpenError {
    NoSuchStore,
    AccessDenied,
}

impl SpinCtx {
    fn open(&self, label: &str) -> Result<OpenStore, OpenError> {
        match self.stores.get(label) {
            Some(db) => Ok(OpenStore {
                db: db.clone(),
                label: label.to_string(),
            }),
            None if self.known_labels.iter().any(|l| l == label) => Err(OpenError::AccessDenied),
            None => Err(OpenError::NoSuchStore),
        }
    }
}

fn log(e: &KvError) -> String {
    eprintln!("emblem-host: key-value: {e:?}");
    e.to_string()
}

impl From<KvError> for spin_kv::Error {
    fn from(e: KvError) -> Self {
        spin_kv::Error::Other(log(&e))
    }
}

impl From<KvError> for wasi_kv::Error {
    fn from(e: KvError) -> Self {
        wasi_kv::Error::Other(log(&e))
    }
}

/// Runs blocking SQLite work off the async executor.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, KvError> + Send + 'static,
) -> wasmtime::Result<Result<T, KvError>> {
    Ok(tokio::task::spawn_blocking(f).await?)
}

fn store_of<U>(
    accessor: &Accessor<U, Spin>,
    handle: &Resource<OpenStore>,
) -> wasmtime::Result<OpenStore> {
    accessor.with(|mut access| Ok(access.get().table.get(handle)?.clone()))
}

// ---------------------------------------------------------------- spin:key-value

impl spin_kv::Host for SpinView<'_> {}

impl spin_kv::HostStore for SpinView<'_> {
    fn drop(&mut self, rep: Resource<OpenStore>) -> wasmtime::Result<()> {
        self.table.delete(rep)?;
        Ok(())
    }
}

impl<U> spin_kv::HostStoreWithStore<U> for Spin {
    async fn open(
        accessor: &Accessor<U, Self>,
        label: String,
    ) -> wasmtime::Result<Result<Resource<OpenStore>, spin_kv::Error>> {
        accessor.with(|mut access| {
            let view = access.get();
            match view.ctx.open(&label) {
                Ok(store) => Ok(Ok(view.table.push(store)?)),
                Err(OpenError::AccessDenied) => Ok(Err(spin_kv::Error::AccessDenied)),
                Err(OpenError::NoSuchStore) => Ok(Err(spin_kv::Error::NoSuchStore)),
            }
        })
    }

    async fn get(
        accessor: &Accessor<U, Self>,
        this: Resource<OpenStore>,
        key: String,
    ) -> wasmtime::Result<Result<Option<Vec<u8>>, spin_kv::Error>> {
        let s = store_of(accessor, &this)?;
        Ok(s.db.get(&s.label, &key).map_err(Into::into))
    }

    async fn set(
        accessor: &Accessor<U, Self>,
        this: Resource<OpenStore>,
        key: String,
        value: Vec<u8>,
    ) -> wasmtime::Result<Result<(), spin_kv::Error>> {
        let s = store_of(accessor, &this)?;
        Ok(blocking(move || s.db.set(&s.label, &key, &value))
            .await?
            .map_err(Into::into))
    }

    async fn delete(
        accessor: &Accessor<U, Self>,
        this: Resource<OpenStore>,
        key: String,
    ) -> wasmtime::Result<Result<(), spin_kv::Error>> {
        let s = store_of(accessor, &this)?;
        Ok(blocking(move || s.db.delete(&s.label, &key))
            .await?
            .map_err(Into::into))
    }

    async fn exists(
        accessor: &Accessor<U, Self>,
        this: Resource<OpenStore>,
        key: String,
    ) -> wasmtime::Result<Result<bool, spin_kv::Error>> {
        let s = store_of(accessor, &this)?;
        Ok(s.db.exists(&s.label, &key).map_err(Into::into))
    }

    async fn get_keys(
        accessor: &Accessor<U, Self>,
        this: Resource<OpenStore>,
    ) -> wasmtime::Result<(
        StreamReader<String>,
        FutureReader<Result<(), spin_kv::Error>>,
    )> {
        let s = store_of(accessor, &this)?;
        let (keys, outcome) = match s.db.keys(&s.label) {
            Ok(keys) => (keys, Ok(())),
            Err(e) => (Vec::new(), Err(spin_kv::Error::from(e))),
        };
        accessor.with(|mut access| {
            let stream = StreamReader::new(&mut access, keys)?;
            let done = FutureReader::new(
                &mut access,
                async move { Ok::<_, wasmtime::Error>(outcome) },
            )?;
            Ok((stream, done))
        })
    }
}

// ---------------------------------------------------------------- spin:variables

impl spin_vars::Host for SpinView<'_> {}

impl<U> spin_vars::HostWithStore<U> for Spin {
    async fn get(
        accessor: &Accessor<U, Self>,
        name: String,
    ) -> wasmtime::Result<Result<String, spin_vars::Error>> {
        if crate::variables::check_name(&name).is_err() {
            return Ok(Err(spin_vars::Error::InvalidName(name)));
        }
        accessor.with(|mut access| {
            Ok(match access.get().ctx.variables.get(&name) {
                Some(value) => Ok(value.clone()),
                None => Err(spin_vars::Error::Undefined(format!(
                    "no variable `{name}` is granted to this component"
                ))),
            })
        })
    }
}

// ---------------------------------------------------------------- wasi:keyvalue

impl wasi_kv::Host for SpinView<'_> {
    fn open(
        &mut self,
        identifier: String,
    ) -> wasmtime::Result<Result<Resource<OpenStore>, wasi_kv::Error>> {
        match self.ctx.open(&identifier) {
            Ok(store) => Ok(Ok(self.table.push(store)?)),
            Err(OpenError::AccessDenied) => Ok(Err(wasi_kv::Error::AccessDenied)),
            Err(OpenError::NoSuchStore) => Ok(Err(wasi_kv::Error::NoSuchStore)),
        }
    }
}

impl wasi_kv::HostBucket for SpinView<'_> {
    fn get(
        &mut self,
        this: Resource<OpenStore>,
        key: String,
    ) -> wasmtime::Result<Result<Option<Vec<u8>>, wasi_kv::Error>> {
        let s = self.table.get(&this)?;
        Ok(s.db.get(&s.label, &key).map_err(Into::into))
    }

    fn set(
        &mut self,
        this: Resource<OpenStore>,
        key: String,
        value: Vec<u8>,
    ) -> wasmtime::Result<Result<(), wasi_kv::Error>> {
        let s = self.table.get(&this)?;
        Ok(s.db.set(&s.label, &key, &value).map_err(Into::into))
    }

    fn delete(
        &mut self,
        this: Resource<OpenStore>,
        key: String,
    ) -> wasmtime::Result<Result<(), wasi_kv::Error>> {
        let s = self.table.get(&this)?;
        Ok(s.db.delete(&s.label, &key).map_err(Into::into))
    }

    fn exists(
        &mut self,
        this: Resource<OpenStore>,
        key: String,
    ) -> wasmtime::Result<Result<bool, wasi_kv::Error>> {
        let s = self.table.get(&this)?;
        Ok(s.db.exists(&s.label, &key).map_err(Into::into))
    }

    fn list_keys(
        &mut self,
        this: Resource<OpenStore>,
        cursor: Option<String>,
    ) -> wasmtime::Result<Result<wasi_kv::KeyResponse, wasi_kv::Error>> {
        let s = self.table.get(&this)?;
        // The whole listing in one page: the cursor is accepted and ignored,
        // as Spin's own SQLite store does.
        let _ = cursor;
        Ok(s.db
            .keys(&s.label)
            .map(|keys| wasi_kv::KeyResponse { keys, cursor: None })
            .map_err(Into::into))
    }

    fn drop(&mut self, rep: Resource<OpenStore>) -> wasmtime::Result<()> {
        self.table.delete(rep)?;
        Ok(())
    }
}

impl atomics::Host for SpinView<'_> {
    fn increment(
        &mut self,
        bucket: Resource<OpenStore>,
        key: String,
        delta: i64,
    ) -> wasmtime::Result<Result<i64, wasi_kv::Error>> {
        let s = self.table.get(&bucket)?;
        Ok(s.db.increment(&s.label, &key, delta).map_err(Into::into))
    }

    fn swap(
        &mut self,
        cas: Resource<CasHandle>,
        value: Vec<u8>,
    ) -> wasmtime::Result<Result<(), atomics::CasError>> {
        let handle = self.table.get(&cas)?;
        let swapped =
            handle
                .store
                .db
                .cas_swap(&handle.store.label, &handle.key, &handle.state, &value);
        match swapped {
            Ok(true) => {
                self.table.delete(cas)?;
                Ok(Ok(()))
            }
            // As Spin: a fresh handle whose `current` has run, for the guest to retry.
            Ok(false) => {
                let store = handle.store.clone();
                let key = handle.key.clone();
                self.table.delete(cas)?;
                let fresh = store.db.cas_new().and_then(|mut state| {
                    store.db.cas_current(&store.label, &key, &mut state)?;
                    Ok(state)
                });
                match fresh {
                    Ok(state) => {
                        let again = self.table.push(CasHandle { store, key, state })?;
                        Ok(Err(atomics::CasError::CasFailed(again)))
                    }
                    Err(e) => Ok(Err(atomics::CasError::StoreError(e.into()))),
                }
            }
            Err(e) => {
                self.table.delete(cas)?;
                Ok(Err(atomics::CasError::StoreError(e.into())))
            }
        }
    }
}

impl atomics::HostCas for SpinView<'_> {
    fn new(
        &mut self,
        bucket: Resource<OpenStore>,
        key: String,
    ) -> wasmtime::Result<Result<Resource<CasHandle>, wasi_kv::Error>> {
        let store = self.table.get(&bucket)?.clone();
        match store.db.cas_new() {
            Ok(state) => Ok(Ok(self.table.push(CasHandle { store, key, state })?)),
            Err(e) => Ok(Err(e.into())),
        }
    }

    fn current(
        &mut self,
        this: Resource<CasHandle>,
    ) -> wasmtime::Result<Result<Option<Vec<u8>>, wasi_kv::Error>> {
        let handle = self.table.get_mut(&this)?;
        let CasHandle { store, key, state } = handle;
        Ok(store
            .db
            .cas_current(&store.label, key, state)
            .map_err(Into::into))
    }

    fn drop(&mut self, rep: Resource<CasHandle>) -> wasmtime::Result<()> {
        self.table.delete(rep)?;
        Ok(())
    }
}

impl batch::Host for SpinView<'_> {
    fn get_many(
        &mut self,
        bucket: Resource<OpenStore>,
        keys: Vec<String>,
    ) -> wasmtime::Result<Result<Vec<(String, Option<Vec<u8>>)>, wasi_kv::Error>> {
        let s = self.table.get(&bucket)?;
        Ok(s.db.get_many(&s.label, &keys).map_err(Into::into))
    }

    fn set_many(
        &mut self,
        bucket: Resource<OpenStore>,
        key_values: Vec<(String, Vec<u8>)>,
    ) -> wasmtime::Result<Result<(), wasi_kv::Error>> {
        let s = self.table.get(&bucket)?;
        Ok(s.db.set_many(&s.label, &key_values).map_err(Into::into))
    }

    fn delete_many(
        &mut self,
        bucket: Resource<OpenStore>,
        keys: Vec<String>,
    ) -> wasmtime::Result<Result<(), wasi_kv::Error>> {
        let s = self.table.get(&bucket)?;
        Ok(s.db.delete_many(&s.label, &keys).map_err(Into::into))
    }
}
