//! The thin Spin adapter shared by Emblem's components.
//!
//! A component's handler uses it in this order:
//!
//! 1. [`Site::load`] opens the key-value store ([`SpinKv`]), reads the clock and the
//!    `public_base_url` variable ([`vars`]), and resolves the base URL from it or from
//!    `spin-full-url`. In a component granted `key_encryption_key`, it opens the `secrets`
//!    store too (the sealed signing keys, `emblem_web::vault`).
//! 2. [`request`] reads Spin's request headers (client address, `Accept`, …) and [`body`]
//!    reads the body under a cap (`Content-Length` first, then while streaming).
//! 3. The component calls `emblem-web`, which answers with a [`emblem_web::Reply`] or an
//!    [`emblem_web::Error`].
//! 4. [`respond`] turns either into a Spin response; errors become problem+json, and server
//!    faults are logged to stderr (never sent to the client).
//!
//! Randomness ([`HostEntropy`]) and time ([`now`]) come from WASI 0.3 (`wasi:random`,
//! `wasi:clocks`).

pub mod body;
pub mod chain;
pub mod kv;
pub mod outbound;
pub mod request;
pub mod respond;
pub mod smtp;
pub mod vars;
pub mod webhook;

use emblem_web::entropy::Entropy;
use emblem_web::{BaseUrl, Env, Error, Policy};
use spin_sdk::http::HeaderMap;
use time::OffsetDateTime;

pub use kv::SpinKv;
pub use respond::{Response, send};
pub use smtp::SmtpMailer;
pub use webhook::{HttpWebhooks, Network};

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
    emblem_web::clock::from_unix(t.seconds, t.nanoseconds)
}

thread_local! {
    /// `public_base_url`, read once per component instance (Spin resolves
    /// variables when the app starts; an instance lives for at most a few
    /// minutes or a thousand requests).
    static CONFIGURED_BASE: std::cell::OnceCell<Option<String>> = const { std::cell::OnceCell::new() };
    /// The last resolved base URL and the text it came from.
    static LAST_BASE: std::cell::RefCell<Option<(String, BaseUrl)>> = const { std::cell::RefCell::new(None) };
}

/// The base URL: `public_base_url` if set, else the origin of `spin-full-url` (of the
/// caller's base URL for a request chained from another component, `chain::BASE_HEADER`),
/// parsed once per distinct value and instance.
async fn base_url(headers: &HeaderMap) -> Result<BaseUrl, Error> {
    let configured = match CONFIGURED_BASE.with(|c| c.get().cloned()) {
        Some(value) => value,
        None => {
            let value = vars::get("public_base_url").await;
            CONFIGURED_BASE.with(|c| c.get_or_init(|| value).clone())
        }
    };
    let full = request::header(headers, "spin-full-url");
    // A chained request (from another component of this app) names the caller's base URL.
    let full = match full {
        Some(f) if configured.is_none() && request::is_chained(headers) => {
            request::header(headers, chain::BASE_HEADER).or(Some(f))
        }
        other => other,
    };
    // The text the base depends on: the variable, or the request's origin.
    let source = match (&configured, full) {
        (Some(c), _) => c.as_str(),
        (None, Some(full)) => origin_of(full),
        (None, None) => "",
    };
    if let Some(base) = LAST_BASE.with(|b| {
        b.borrow()
            .as_ref()
            .filter(|(text, _)| text == source)
            .map(|(_, base)| base.clone())
    }) {
        return Ok(base);
    }
    let base = BaseUrl::resolve(configured.as_deref(), full)?;
    LAST_BASE.with(|b| *b.borrow_mut() = Some((source.to_owned(), base.clone())));
    Ok(base)
}

/// `scheme://authority` of an absolute URL (the text before the path).
fn origin_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find(['/', '?', '#']) {
        Some(i) => &url[..after_scheme + i],
        None => url,
    }
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
    /// The `secrets` store and the key-encryption key: only in the components that sign
    /// (granted both in spin.toml), None elsewhere.
    pub secrets: Option<(SpinKv, vars::Keks)>,
}

impl Site {
    /// Open the store and resolve the base URL for a request with these headers.
    pub async fn load(headers: &HeaderMap) -> Result<Self, Error> {
        let base = base_url(headers).await?;
        let kv = SpinKv::open().await?;
        let secrets = match vars::kek().await? {
            Some(kek) => Some((SpinKv::open_label(emblem_web::vault::LABEL).await?, kek)),
            None => None,
        };
        Ok(Self {
            kv,
            base,
            now: now(),
            entropy: HostEntropy,
            policy: Policy::default(),
            secrets,
        })
    }

    /// The sealed signing keys, in a component that signs.
    pub fn vault(&self) -> Option<emblem_web::vault::Vault<'_, SpinKv>> {
        self.secrets
            .as_ref()
            .map(|(kv, keks)| emblem_web::vault::Vault {
                kv,
                kek: &keks.current,
                previous: keks.previous.as_ref(),
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
            vault: self.vault(),
        }
    }
}

#[cfg(test)]
mod origin_tests {
    use super::origin_of;

    #[test]
    fn the_origin_is_the_text_before_the_path() {
        assert_eq!(
            origin_of("http://127.0.0.1:3000/a/b?c"),
            "http://127.0.0.1:3000"
        );
        assert_eq!(origin_of("https://x.org?q"), "https://x.org");
        assert_eq!(origin_of("https://x.org"), "https://x.org");
    }
}
