//! End-to-end tests: the real `emblem-host` running the real `.wasm`
//! components over HTTP, each app on its own fresh SQLite store.
//! Run them with `cargo xtask test`.

mod bake;
mod chaining;
mod claim;
mod cohorts;
mod common;
mod credentials;
mod hook_receiver;
mod host;
mod hosting;
mod issuing;
mod mail;
mod manifests;
mod many_instances;
mod oci;
mod secrets;
mod share;
mod static_files;
mod verify;
mod visibility;
