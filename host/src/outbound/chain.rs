//! Spin's local service chaining: a request to `http://<component>.spin.internal/<path>` goes
//! straight to that component of the same app, never to the network, when the caller's
//! `allowed_outbound_hosts` names that host exactly. As in Spin (`crates/trigger-http`,
//! `outbound_http.rs` and `headers.rs`):
//! - the callee sees the request under a synthetic route: `spin-path-info` is the whole path,
//!   `spin-client-addr` `0.0.0.0:0` (no outside request can show that address), and
//!   `spin-full-url` `http://localhost/<path>`: Spin takes the host of that URL from the
//!   `Host` header, which a chained request lacks, and falls back to `localhost`
//!   (`crates/trigger-http/src/headers.rs`); any `spin-*` headers the caller set are dropped;
//! - the callee's own routes do not matter (a component with only a private route, or with
//!   public routes that do not cover the path, is reached all the same);
//! - `http://*.spin.internal` is refused when the app loads, as is a chaining target that is
//!   not a component of the app.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};

use anyhow::{Result, bail};
use wasmtime_wasi_http::WasiBody;

/// The host suffix of service-chaining requests.
pub const SUFFIX: &str = ".spin.internal";

/// The component a request to `uri` chains to, if its host is `<component>.spin.internal`.
pub fn target(uri: &http::Uri) -> Option<&str> {
    let host = uri.host()?;
    host.strip_suffix(SUFFIX).filter(|c| !c.is_empty())
}

/// Checks a component's chaining entries when the app loads: no wildcard, and every target a
/// component of the app.
pub fn check_entries(
    component: &str,
    entries: &[String],
    mut exists: impl FnMut(&str) -> bool,
) -> Result<()> {
    for entry in entries {
        let host = entry
            .split_once("://")
            .map_or(entry.as_str(), |(_, rest)| rest)
            .split(['/', ':'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let Some(target) = host.strip_suffix(SUFFIX) else {
            continue;
        };
        if target.contains('*') {
            bail!(
                "component `{component}` cannot use wildcard service chaining: \
                 allowed_outbound_hosts = [\"{entry}\"]"
            );
        }
        if !exists(target) {
            bail!(
                "component `{component}` cannot use service chaining to `{target}`, which is \
                 not a component of this app"
            );
        }
    }
    Ok(())
}

/// The answer of a chained request.
pub type Answer = Result<http::Response<WasiBody>, wasmtime_wasi_http::Error>;

/// Hands a request to a component of the app (the listener's, `server.rs`, which adds
/// Spin's headers for a chained request).
pub type Dispatch = Arc<
    dyn Fn(String, http::Request<WasiBody>) -> Pin<Box<dyn Future<Output = Answer> + Send>>
        + Send
        + Sync,
>;

/// The app's components, reachable by chaining once the app is loaded.
#[derive(Default)]
pub struct Chain {
    dispatch: OnceLock<Dispatch>,
}

impl std::fmt::Debug for Chain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chain").finish_non_exhaustive()
    }
}

impl Chain {
    /// Makes the app's components reachable (once).
    pub fn set(&self, dispatch: Dispatch) {
        let _ = self.dispatch.set(dispatch);
    }

    /// Hands `request` to `component` and returns its response.
    pub async fn send(&self, component: &str, mut request: http::Request<WasiBody>) -> Answer {
        let Some(dispatch) = self.dispatch.get() else {
            return Err(wasmtime_wasi_http::Error::HttpRequestDenied);
        };
        request.headers_mut().remove(http::header::HOST);
        dispatch(component.to_owned(), request).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_spin_internal_hosts_chain() {
        let uri = |s: &str| s.parse::<http::Uri>().expect("uri");
        assert_eq!(
            target(&uri("http://credentials.spin.internal/credentials/x")),
            Some("credentials")
        );
        assert_eq!(target(&uri("http://spin.internal/")), None);
        assert_eq!(
            target(&uri("http://credentials.spin.internal.evil.org/")),
            None
        );
        assert_eq!(target(&uri("https://example.org/")), None);
    }

    #[test]
    fn wildcards_and_unknown_targets_are_refused_at_load() {
        let known = |c: &str| c == "credentials";
        let entries = |e: &[&str]| e.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(check_entries("a", &entries(&["http://credentials.spin.internal"]), known).is_ok());
        assert!(check_entries("a", &entries(&["https://*:443"]), known).is_ok());
        assert!(check_entries("a", &entries(&["http://*.spin.internal"]), known).is_err());
        assert!(check_entries("a", &entries(&["http://other.spin.internal"]), known).is_err());
    }
}
