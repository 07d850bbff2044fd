//! The thin Spin adapter shared by Emblem's components.
//!
//! A component's handler uses it in this order:
//!
//! 1. [`Site::load`] opens the key-value store ([`SpinKv`]), reads the clock and the
//!    `public_base_url` variable ([`vars`]), and resolves the base URL from it or from
//!    `spin-full-url`.
//! 2. [`request`] reads Spin's request headers (client address, `Accept`, …) and [`body`]
//!    reads the body under a cap (`Content-Length` first, then while streaming).
//! 3. The component calls `emblem-core`, which answers with a [`emblem_core::Reply`] or an
//!    [`emblem_core::Error`].
//! 4. [`respond`] turns either into a Spin response; errors become problem+json, and server
//!    faults are logged to stderr (never sent to the client).
//!
//! Randomness ([`HostEntropy`]) and time ([`now`]) come from WASI 0.3 (`wasi:random`,
//! `wasi:clocks`).

pub mod body;
pub mod kv;
pub mod request;
pub mod respond;
pub mod vars;

use emblem_core::entropy::Entropy;
use emblem_core::{BaseUrl, Env, Error, Policy};
use spin_sdk::http::HeaderMap;
use time::OffsetDateTime;

pub use kv::SpinKv;
pub use respond::{Response, send};

/// The host's cryptographically secure random bytes (`wasi:random/random`).
#[derive(Debug, Clone, Copy, Default)]
pub struct HostEntropy;

impl Entropy for HostEntropy {
    fn fill(&self, buf: &mut [u8]) {
        let mut filled = 0;
        while filled < buf.len() {
            let want = u64::try_from(buf.len() - filled).unwrap_or(u64::MAX);
            let bytes = spin_sdk::wasip3::random::random::get_random_bytes(want);
            let n = bytes.len().min(buf.len() - filled);
            buf[filled..filled + n].copy_from_slice(&bytes[..n]);
            filled += n;
        }
    }
}

/// The current time (`wasi:clocks/system-clock`).
pub fn now() -> OffsetDateTime {
    let t = spin_sdk::wasip3::clocks::system_clock::now();
    emblem_core::clock::from_unix(t.seconds, t.nanoseconds)
}

/// What every request needs: the store, the base URL, the clock, randomness and policy.
#[derive(Debug)]
pub struct Site {
    /// The key-value store.
    pub kv: SpinKv,
    /// The public base URL.
    pub base: BaseUrl,
    /// The time of the request.
    pub now: OffsetDateTime,
    /// Randomness.
    pub entropy: HostEntropy,
    /// Policy knobs.
    pub policy: Policy,
}

impl Site {
    /// Open the store and resolve the base URL for a request with these headers.
    pub async fn load(headers: &HeaderMap) -> Result<Self, Error> {
        let configured = vars::get("public_base_url").await;
        let base = BaseUrl::resolve(
            configured.as_deref(),
            request::header(headers, "spin-full-url"),
        )?;
        let kv = SpinKv::open().await?;
        Ok(Self {
            kv,
            base,
            now: now(),
            entropy: HostEntropy,
            policy: Policy::default(),
        })
    }

    /// The domain environment of this request.
    pub fn env(&self) -> Env<'_, SpinKv> {
        Env {
            kv: &self.kv,
            now: self.now,
            entropy: &self.entropy,
            base: &self.base,
            policy: &self.policy,
        }
    }
}
