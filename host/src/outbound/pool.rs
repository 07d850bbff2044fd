//! Idle outbound HTTP/1 connections kept for the next request, as Spin's outbound HTTP does
//! by default (`connection_pooling`, on unless the runtime config turns it off; Spin keeps
//! one pool for the whole app, and so does this host).
//!
//! A connection is keyed by what it was made for: TLS or not, the URL's host (the name TLS
//! verified and the `Host` the server saw) and the socket address it went to. A request only
//! takes a connection whose address is in *its own* checked DNS answer, so reuse never sends a
//! request to an address that was not checked for it. Connections idle longer than
//! [`IDLE_FOR`] are dropped (which closes them), and at most [`IDLE_PER_KEY`] are kept per key
//! and [`KEYS`] keys in all.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use hyper::client::conn::http1::SendRequest;
use tokio::time::Instant;
use wasmtime_wasi_http::WasiBody;

/// How long an idle connection is kept.
pub(super) const IDLE_FOR: Duration = Duration::from_secs(30);
/// Idle connections kept per key.
const IDLE_PER_KEY: usize = 8;
/// Keys (host and address pairs) with idle connections, at most.
const KEYS: usize = 256;

/// What a connection was made for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct Key {
    /// Over TLS.
    pub tls: bool,
    /// The URL's host.
    pub host: String,
    /// The address connected to.
    pub addr: SocketAddr,
}

type Idle = (SendRequest<WasiBody>, Instant);

/// The app's idle connections.
#[derive(Default)]
pub(super) struct Pool {
    idle: Mutex<HashMap<Key, Vec<Idle>>>,
}

fn usable((sender, since): &Idle) -> bool {
    since.elapsed() < IDLE_FOR && !sender.is_closed()
}

impl Pool {
    /// The one pool of this process.
    pub fn shared() -> &'static Pool {
        static POOL: OnceLock<Pool> = OnceLock::new();
        POOL.get_or_init(Pool::default)
    }

    /// An idle connection for `host` to one of `addrs` (tried in order), if there is one.
    pub fn take(
        &self,
        tls: bool,
        host: &str,
        addrs: &[SocketAddr],
    ) -> Option<(Key, SendRequest<WasiBody>)> {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        for &addr in addrs {
            let key = Key {
                tls,
                host: host.to_owned(),
                addr,
            };
            let Some(list) = idle.get_mut(&key) else {
                continue;
            };
            while let Some(entry) = list.pop() {
                if usable(&entry) {
                    return Some((key, entry.0));
                }
            }
            idle.remove(&key);
        }
        None
    }

    /// Keeps `sender` for the next request to `key` (its last answer was read to the end; the
    /// taker waits until the connection is ready for another).
    pub fn put(&self, key: Key, sender: SendRequest<WasiBody>) {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        idle.retain(|_, list| {
            list.retain(usable);
            !list.is_empty()
        });
        if idle.len() >= KEYS && !idle.contains_key(&key) {
            return;
        }
        let list = idle.entry(key).or_default();
        if list.len() < IDLE_PER_KEY {
            list.push((sender, Instant::now()));
        }
    }

    /// Idle connections kept for `key` (for tests).
    #[cfg(test)]
    pub fn idle(&self, key: &Key) -> usize {
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        idle.get(key)
            .map_or(0, |list| list.iter().filter(|e| usable(e)).count())
    }
}
