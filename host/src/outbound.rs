//! Outbound HTTP, restricted to a component's `allowed_outbound_hosts`.
//!
//! Each entry is `scheme://host[:port]` as in Spin:
//! - scheme: `http`, `https`, `tcp` (raw sockets, `wasi:sockets`) or `*`;
//! - host: a name, an IP address, `*` (any), `*.example.org` (any subdomain),
//!   or `self` (this app's own listener);
//! - port: a number, a range `8000..8080` (end exclusive), `*`, or omitted
//!   for the scheme's default port.
//!
//! A request to anything else fails inside the guest with `HTTP-request-denied`
//! and never leaves the host.
//!
//! After the allow-list, the target name is resolved once, here, and the
//! answer decides:
//! - a name that does not resolve, or resolves to no address, fails with
//!   `DNS-error` (the request is denied, never passed on to be resolved
//!   again);
//! - every address must be public: a private, loopback, link-local,
//!   unspecified or otherwise reserved address fails with
//!   `destination-IP-prohibited`, so `https://*` cannot reach this machine or
//!   the local network through a DNS name (SSRF). The exception is a target
//!   whose host the manifest allows *by name* as such an address
//!   (`http://127.0.0.1:*`, `http://localhost:3000`, `self`): an operator who
//!   writes that means it.
//!
//! The connection then goes to those checked addresses, in the order of the
//! answer, and to nothing else: there is no second lookup, so a DNS answer
//! that changes after the check (rebinding) cannot redirect it. The request
//! keeps its `Host` header and, for `https`, TLS verifies the certificate
//! against the name in the URL (webpki roots, as wasmtime-wasi-http's default
//! sender). Like Spin's `block_networks`, the check runs on resolved
//! addresses; unlike it, one non-public address in the answer refuses the
//! whole request rather than being skipped. Spin's own `block_networks`
//! (runtime config `[outbound_networking]`, `blocked.rs`) is applied first,
//! exactly as Spin applies it: blocked addresses are dropped, even for hosts
//! the manifest allows by name. Timeouts follow the request
//! options: `connect` covers resolution, TCP connect and the TLS handshake;
//! `first-byte` and `between-bytes` the response.
//!
//! An allowed request to `http://<component>.spin.internal` never reaches the network: it is
//! handed to that component of the app (Spin's service chaining, `chain.rs`).

use anyhow::{Result, bail};
use http::uri::Scheme;
use std::net::{IpAddr, SocketAddr};

use emblem_net::is_public_ip;
use std::sync::Arc;
use wasmtime_wasi_http::{RequestOptions, WasiBody, WasiHttpHooks};

mod blocked;
pub mod chain;
mod pool;
mod send;

pub use blocked::BlockedNetworks;
pub use chain::Chain;

/// One parsed `allowed_outbound_hosts` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedHost {
    scheme: Option<String>,
    host: HostPattern,
    port: PortPattern,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum HostPattern {
    Any,
    Exact(String),
    Subdomains(String),
    SelfApp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PortPattern {
    Any,
    Default,
    Range(u16, u16),
}

impl AllowedHost {
    /// Parses one entry such as `https://*.example.org` or `http://127.0.0.1:*`.
    pub fn parse(entry: &str) -> Result<AllowedHost> {
        let Some((scheme, rest)) = entry.split_once("://") else {
            bail!("allowed_outbound_hosts entry {entry:?} needs a scheme, e.g. https://{entry}");
        };
        let scheme = match scheme {
            "*" => None,
            "http" | "https" | "tcp" => Some(scheme.to_string()),
            other => {
                bail!("allowed_outbound_hosts entry {entry:?}: scheme {other:?} is not supported")
            }
        };
        let rest = rest.trim_end_matches('/');
        if rest.contains('/') {
            bail!("allowed_outbound_hosts entry {entry:?} must not contain a path");
        }
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || rest.starts_with('[') => (h, Some(p)),
            _ => (rest, None),
        };
        let host = match host.to_ascii_lowercase().as_str() {
            "*" => HostPattern::Any,
            "self" | "self.alt" => HostPattern::SelfApp,
            h if h.starts_with("*.") => HostPattern::Subdomains(h[1..].to_string()),
            "" => bail!("allowed_outbound_hosts entry {entry:?} has no host"),
            h => HostPattern::Exact(h.trim_start_matches('[').trim_end_matches(']').to_string()),
        };
        let port = match port {
            None => PortPattern::Default,
            Some("*") => PortPattern::Any,
            Some(p) => match p.split_once("..") {
                Some((a, b)) => PortPattern::Range(a.parse()?, b.parse()?),
                None => {
                    let n: u16 = p.parse().map_err(|_| {
                        anyhow::anyhow!("allowed_outbound_hosts entry {entry:?}: bad port {p:?}")
                    })?;
                    PortPattern::Range(n, n.saturating_add(1))
                }
            },
        };
        Ok(AllowedHost { scheme, host, port })
    }

    fn allows(&self, scheme: &str, host: &str, port: u16, self_addr: SocketAddr) -> bool {
        if self.scheme.as_deref().is_some_and(|s| s != scheme) {
            return false;
        }
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        let host_ok = match &self.host {
            HostPattern::Any => true,
            HostPattern::Exact(h) => *h == host,
            HostPattern::Subdomains(suffix) => host.ends_with(suffix.as_str()),
            HostPattern::SelfApp => {
                return (host == "localhost" || host == self_addr.ip().to_string())
                    && port == self_addr.port();
            }
        };
        let default_port = match scheme {
            "https" => 443,
            "http" => 80,
            // Spin requires a port for tcp entries: there is no default.
            _ => 0,
        };
        let port_ok = match self.port {
            PortPattern::Any => true,
            PortPattern::Default => port == default_port && port != 0,
            PortPattern::Range(a, b) => (a..b).contains(&port),
        };
        host_ok && port_ok
    }
}

impl AllowedHost {
    /// Whether this entry names a non-public host explicitly (an IP literal
    /// that is not public, `localhost`, or `self`).
    fn names_private_host(&self) -> bool {
        match &self.host {
            HostPattern::SelfApp => true,
            HostPattern::Exact(h) if h == "localhost" => true,
            HostPattern::Exact(h) => h.parse::<IpAddr>().is_ok_and(|ip| !is_public_ip(ip)),
            HostPattern::Any | HostPattern::Subdomains(_) => false,
        }
    }
}

/// The outbound policy of one component.
#[derive(Debug, Clone, Default)]
pub struct OutboundPolicy {
    allowed: Arc<Vec<AllowedHost>>,
    self_addr: Option<SocketAddr>,
    blocked: Arc<BlockedNetworks>,
    chain: Option<Arc<Chain>>,
}

impl OutboundPolicy {
    pub fn new(entries: &[String], self_addr: SocketAddr) -> Result<OutboundPolicy> {
        let allowed = entries
            .iter()
            .map(|e| AllowedHost::parse(e))
            .collect::<Result<Vec<_>>>()?;
        Ok(OutboundPolicy {
            allowed: Arc::new(allowed),
            self_addr: Some(self_addr),
            blocked: Arc::default(),
            chain: None,
        })
    }

    /// The same policy with the app's components reachable by service chaining.
    pub fn with_chain(mut self, chain: Arc<Chain>) -> OutboundPolicy {
        self.chain = Some(chain);
        self
    }

    /// The same policy under the runtime config's `block_networks`.
    pub fn with_blocked(mut self, blocked: Arc<BlockedNetworks>) -> OutboundPolicy {
        self.blocked = blocked;
        self
    }

    /// Whether a request to `uri`, whose host resolved to `resolved`, may
    /// connect: every address public, unless an entry that names a
    /// non-public host explicitly allows this target (see the module docs).
    /// An empty answer connects nowhere and is refused.
    pub fn allows_resolved(&self, uri: &http::Uri, resolved: &[SocketAddr]) -> bool {
        if resolved.is_empty() {
            return false;
        }
        if resolved.iter().all(|a| is_public_ip(a.ip())) {
            return true;
        }
        let Some((scheme, host, port)) = target(uri) else {
            return false;
        };
        let self_addr = self.self_addr();
        self.allowed
            .iter()
            .filter(|a| a.names_private_host())
            .any(|a| a.allows(scheme, host, port, self_addr))
    }

    fn self_addr(&self) -> SocketAddr {
        self.self_addr
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 3000)))
    }

    /// Whether the guest may open a TCP connection to `addr` through
    /// `wasi:sockets`, as Spin decides it: a `tcp://` entry (or `*://`) must
    /// match the address itself (the guest has resolved any name already;
    /// Spin, like this host, denies `ip-name-lookup`), and `block_networks`
    /// applies.
    pub fn allows_socket(&self, addr: SocketAddr) -> bool {
        if self.blocked.is_blocked(addr.ip()) {
            return false;
        }
        let self_addr = self.self_addr();
        let host = addr.ip().to_string();
        self.allowed
            .iter()
            .any(|a| a.allows("tcp", &host, addr.port(), self_addr))
    }

    /// Whether a request to `uri` may leave the host.
    pub fn allows(&self, uri: &http::Uri) -> bool {
        let Some((scheme, host, port)) = target(uri) else {
            return false;
        };
        let self_addr = self.self_addr();
        self.allowed
            .iter()
            .any(|a| a.allows(scheme, host, port, self_addr))
    }
}

/// `(scheme, host, port)` of a request URI, the port defaulted by scheme.
fn target(uri: &http::Uri) -> Option<(&str, &str, u16)> {
    let (scheme, host) = (uri.scheme()?, uri.host()?);
    let scheme = if *scheme == Scheme::HTTPS {
        "https"
    } else {
        scheme.as_str()
    };
    let port = uri
        .port_u16()
        .unwrap_or(if scheme == "https" { 443 } else { 80 });
    Some((scheme, host, port))
}

impl OutboundPolicy {
    /// The addresses a request to `uri` may connect to, from `answer`, the DNS
    /// answer for its host: a failed lookup or an empty answer is a DNS error,
    /// a non-public address that no entry names is prohibited. Each refusal
    /// is logged.
    fn checked_addresses(
        &self,
        uri: &http::Uri,
        answer: std::io::Result<Vec<SocketAddr>>,
    ) -> Result<Vec<SocketAddr>, wasmtime_wasi_http::Error> {
        let host = target(uri).map_or("", |(_, host, _)| host);
        let addrs = match answer {
            Ok(addrs) if !addrs.is_empty() => addrs,
            Ok(_) => {
                eprintln!("emblem-host: outbound request to {uri} denied: {host} has no address");
                return Err(dns_error());
            }
            Err(e) => {
                eprintln!(
                    "emblem-host: outbound request to {uri} denied: {host} does not resolve ({e})"
                );
                return Err(dns_error());
            }
        };
        let addrs: Vec<SocketAddr> = addrs
            .into_iter()
            .filter(|a| !self.blocked.is_blocked(a.ip()))
            .collect();
        if addrs.is_empty() {
            eprintln!(
                "emblem-host: outbound request to {uri} denied: {host} resolves only to \
                 addresses in the runtime config's block_networks"
            );
            return Err(wasmtime_wasi_http::Error::DestinationIpProhibited);
        }
        if !self.allows_resolved(uri, &addrs) {
            eprintln!(
                "emblem-host: outbound request to {uri} denied: {host} resolves to a private, \
                 loopback or link-local address"
            );
            return Err(wasmtime_wasi_http::Error::DestinationIpProhibited);
        }
        Ok(addrs)
    }

    /// Resolves the host of `uri` (an IP literal is its own answer) and checks
    /// the answer ([`Self::checked_addresses`]).
    async fn resolve_checked(
        &self,
        uri: &http::Uri,
    ) -> Result<Vec<SocketAddr>, wasmtime_wasi_http::Error> {
        let (_, host, port) =
            target(uri).ok_or(wasmtime_wasi_http::Error::HttpRequestUriInvalid)?;
        let host = unbracket(host);
        let answer = tokio::net::lookup_host((host, port))
            .await
            .map(Iterator::collect);
        self.checked_addresses(uri, answer)
    }
}

/// What a name that does not resolve (or resolves to nothing) fails with, as
/// wasmtime-wasi-http reports an address it cannot connect to.
fn dns_error() -> wasmtime_wasi_http::Error {
    wasmtime_wasi_http::Error::DnsError {
        rcode: Some("address not available".to_string()),
        info_code: None,
    }
}

/// A URI host without the brackets of an IPv6 literal.
fn unbracket(host: &str) -> &str {
    host.trim_start_matches('[').trim_end_matches(']')
}

impl WasiHttpHooks for OutboundPolicy {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        fut: Box<dyn Future<Output = Result<(), wasmtime_wasi_http::Error>> + Send>,
    ) -> Box<
        dyn Future<
                Output = Result<
                    (
                        http::Response<WasiBody>,
                        Box<dyn Future<Output = Result<(), wasmtime_wasi_http::Error>> + Send>,
                    ),
                    wasmtime_wasi_http::Error,
                >,
            > + Send,
    > {
        drop(fut);
        if !self.allows(request.uri()) {
            eprintln!(
                "emblem-host: outbound request to {} denied: not in allowed_outbound_hosts",
                request.uri()
            );
            return Box::new(async { Err(wasmtime_wasi_http::Error::HttpRequestDenied) });
        }
        if let (Some(component), Some(chain)) = (chain::target(request.uri()), &self.chain) {
            let (component, chain) = (component.to_string(), chain.clone());
            return Box::new(async move {
                let response = chain.send(&component, request).await?;
                let done = Box::new(async { Ok(()) }) as Box<dyn Future<Output = _> + Send>;
                Ok((response, done))
            });
        }
        let policy = self.clone();
        Box::new(async move {
            let timeouts = send::Timeouts::from(options);
            let deadline = timeouts.connect_deadline();
            let addrs = tokio::time::timeout_at(deadline, policy.resolve_checked(request.uri()))
                .await
                .map_err(|_| wasmtime_wasi_http::Error::DnsTimeout)??;
            let (response, io) = send::send_to(request, &addrs, timeouts, deadline).await?;
            Ok((response, Box::new(io) as Box<dyn Future<Output = _> + Send>))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(entries: &[&str]) -> OutboundPolicy {
        let entries: Vec<String> = entries.iter().map(|s| s.to_string()).collect();
        OutboundPolicy::new(&entries, SocketAddr::from(([127, 0, 0, 1], 3000))).expect("valid")
    }

    fn allows(p: &OutboundPolicy, url: &str) -> bool {
        p.allows(&url.parse().expect("uri"))
    }

    #[test]
    fn nothing_is_allowed_by_default() {
        assert!(!allows(&policy(&[]), "https://example.org/"));
    }

    #[test]
    fn an_exact_host_allows_only_its_scheme_and_default_port() {
        let p = policy(&["https://example.org"]);
        assert!(allows(&p, "https://example.org/a"));
        assert!(!allows(&p, "http://example.org/a"));
        assert!(!allows(&p, "https://example.org:8443/a"));
        assert!(!allows(&p, "https://evil.org/a"));
    }

    #[test]
    fn wildcards_cover_subdomains_schemes_and_ports() {
        let p = policy(&["*://*.example.org:*"]);
        assert!(allows(&p, "http://a.example.org:81/"));
        assert!(!allows(&p, "https://example.org/"));
        let any = policy(&["https://*"]);
        assert!(allows(&any, "https://anything.net/"));
        assert!(!allows(&any, "http://anything.net/"));
    }

    #[test]
    fn port_ranges_end_exclusive() {
        let p = policy(&["http://127.0.0.1:8000..8002"]);
        assert!(allows(&p, "http://127.0.0.1:8001/"));
        assert!(!allows(&p, "http://127.0.0.1:8002/"));
    }

    #[test]
    fn self_means_this_apps_listener() {
        let p = policy(&["http://self"]);
        assert!(allows(&p, "http://127.0.0.1:3000/x"));
        assert!(!allows(&p, "http://127.0.0.1:3001/x"));
    }

    fn addrs(list: &[&str]) -> Vec<SocketAddr> {
        list.iter().map(|a| a.parse().expect("addr")).collect()
    }

    #[test]
    fn names_resolving_to_private_addresses_are_refused() {
        let p = policy(&["https://*:443"]);
        let uri: http::Uri = "https://internal.example.org/".parse().expect("uri");
        assert!(p.allows(&uri));
        assert!(p.allows_resolved(&uri, &addrs(&["93.184.216.34:443"])));
        for private in [
            "127.0.0.1:443",
            "10.0.0.5:443",
            "192.168.1.1:443",
            "172.20.0.1:443",
            "169.254.169.254:443",
            "0.0.0.0:443",
            "100.64.1.1:443",
            "[::1]:443",
            "[fe80::1]:443",
            "[fd12::1]:443",
            "[::ffff:10.0.0.1]:443",
        ] {
            assert!(
                !p.allows_resolved(&uri, &addrs(&["93.184.216.34:443", private])),
                "{private} must be refused"
            );
        }
    }

    #[test]
    fn hosts_allowed_by_name_as_private_may_connect_to_them() {
        let p = policy(&[
            "https://*:443",
            "http://127.0.0.1:*",
            "http://localhost:8080",
        ]);
        let loop_ip: http::Uri = "http://127.0.0.1:9000/x".parse().expect("uri");
        assert!(p.allows_resolved(&loop_ip, &addrs(&["127.0.0.1:9000"])));
        let named: http::Uri = "http://localhost:8080/x".parse().expect("uri");
        assert!(p.allows_resolved(&named, &addrs(&["127.0.0.1:8080"])));
        // The wildcard entry does not count as naming a private host.
        let wild: http::Uri = "https://rebind.example.org/".parse().expect("uri");
        assert!(!p.allows_resolved(&wild, &addrs(&["127.0.0.1:443"])));
        let selfp = policy(&["http://self"]);
        let me: http::Uri = "http://127.0.0.1:3000/".parse().expect("uri");
        assert!(selfp.allows_resolved(&me, &addrs(&["127.0.0.1:3000"])));
    }

    fn is_dns_error(e: &wasmtime_wasi_http::Error) -> bool {
        matches!(e, wasmtime_wasi_http::Error::DnsError { .. })
    }

    #[test]
    fn an_empty_or_failed_answer_is_refused() {
        let p = policy(&["https://*:443"]);
        let uri: http::Uri = "https://example.org/".parse().expect("uri");
        assert!(!p.allows_resolved(&uri, &[]));
        let empty = p.checked_addresses(&uri, Ok(Vec::new()));
        assert!(empty.as_ref().is_err_and(is_dns_error), "{empty:?}");
        let failed = p.checked_addresses(&uri, Err(std::io::Error::other("no such name")));
        assert!(failed.as_ref().is_err_and(is_dns_error), "{failed:?}");
        let public = p.checked_addresses(&uri, Ok(addrs(&["93.184.216.34:443"])));
        assert_eq!(public.ok(), Some(addrs(&["93.184.216.34:443"])));
    }

    fn empty_body() -> WasiBody {
        use http_body_util::BodyExt;
        http_body_util::Empty::<bytes::Bytes>::new()
            .map_err(|e| match e {})
            .boxed_unsync()
    }

    fn request(url: &str) -> http::Request<WasiBody> {
        let uri: http::Uri = url.parse().expect("uri");
        let authority = uri.authority().expect("authority").to_string();
        http::Request::builder()
            .uri(uri)
            .header(http::header::HOST, authority)
            .body(empty_body())
            .expect("request")
    }

    /// Sends `url` through the policy's hook; the response body as text.
    async fn send(
        p: &OutboundPolicy,
        url: &str,
    ) -> Result<(http::StatusCode, String), wasmtime_wasi_http::Error> {
        use http_body_util::BodyExt;
        let fut = p
            .clone()
            .send_request(request(url), None, Box::new(async { Ok(()) }));
        let (response, io) = Box::into_pin(fut).await?;
        tokio::spawn(Box::into_pin(io));
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        Ok((status, String::from_utf8_lossy(&body).into_owned()))
    }

    /// A loopback HTTP server answering every request with its Host header
    /// and target; its address.
    async fn echo_server() -> SocketAddr {
        counting_echo_server().await.0
    }

    /// [`echo_server`], with the count of connections it accepted.
    async fn counting_echo_server() -> (SocketAddr, Arc<std::sync::atomic::AtomicUsize>) {
        use hyper::service::service_fn;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let accepted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = accepted.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                tokio::spawn(async move {
                    let service =
                        service_fn(|req: http::Request<hyper::body::Incoming>| async move {
                            let host = req
                                .headers()
                                .get(http::header::HOST)
                                .and_then(|h| h.to_str().ok())
                                .unwrap_or("-")
                                .to_string();
                            let body = format!("{host} {}", req.uri());
                            Ok::<_, std::convert::Infallible>(http::Response::new(
                                http_body_util::Full::new(bytes::Bytes::from(body)),
                            ))
                        });
                    let io = hyper_util::rt::TokioIo::new(stream);
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(io, service)
                        .await;
                });
            }
        });
        (addr, accepted)
    }

    /// Sends `url` to `addrs` directly (no policy); status and body.
    async fn send_direct(url: &str, addrs: &[SocketAddr]) -> (http::StatusCode, Vec<u8>) {
        use http_body_util::BodyExt;
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
        let (response, io) = send::send_to(request(url), addrs, None.into(), deadline)
            .await
            .expect("sent");
        tokio::spawn(io);
        let status = response.status();
        let body = response.into_body().collect().await.expect("body");
        (status, body.to_bytes().to_vec())
    }

    /// Waits (a bounded number of yields) until the pool keeps a connection for `key`.
    async fn pooled(key: &pool::Key) -> bool {
        for _ in 0..10_000 {
            if pool::Pool::shared().idle(key) > 0 {
                return true;
            }
            tokio::task::yield_now().await;
        }
        false
    }

    #[tokio::test]
    async fn a_connection_is_reused_only_for_its_host_and_a_checked_address() {
        let (server, accepted) = counting_echo_server().await;
        let port = server.port();
        let url = format!("http://pooled.invalid:{port}/a");
        let key = pool::Key {
            tls: false,
            host: "pooled.invalid".to_owned(),
            addr: server,
        };
        let (status, body) = send_direct(&url, &[server]).await;
        assert_eq!(status, http::StatusCode::OK);
        assert_eq!(body, format!("pooled.invalid:{port} /a").as_bytes());
        assert!(
            pooled(&key).await,
            "the connection is kept once its answer is read"
        );
        let (_, body) = send_direct(&url, &[server]).await;
        assert_eq!(body, format!("pooled.invalid:{port} /a").as_bytes());
        assert_eq!(
            accepted.load(std::sync::atomic::Ordering::SeqCst),
            1,
            "reused"
        );

        // Another host name on the same address gets its own connection.
        assert!(pooled(&key).await);
        let other = format!("http://other.invalid:{port}/b");
        let (_, body) = send_direct(&other, &[server]).await;
        assert_eq!(body, format!("other.invalid:{port} /b").as_bytes());
        assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 2);

        // A checked answer that does not hold the pooled address never gets that connection.
        let (second, second_accepted) = counting_echo_server().await;
        let moved = format!("http://pooled.invalid:{}/c", second.port());
        let (_, body) = send_direct(&moved, &[second]).await;
        assert_eq!(
            body,
            format!("pooled.invalid:{} /c", second.port()).as_bytes()
        );
        assert_eq!(second_accepted.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 2);
        assert!(
            pooled(&key).await,
            "the first address's connection is still idle"
        );
    }

    #[tokio::test]
    async fn a_pooled_connection_the_server_closed_is_not_an_error() {
        // A server that answers one request per connection and closes without saying so.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            while let Ok((mut stream, _)) = listener.accept().await {
                let mut buf = vec![0u8; 4096];
                let _ = stream.read(&mut buf).await;
                let _ = stream
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
                    .await;
                let _ = stream.shutdown().await;
            }
        });
        let url = format!("http://127.0.0.1:{}/", addr.port());
        for _ in 0..3 {
            let (status, body) = send_direct(&url, &[addr]).await;
            assert_eq!(status, http::StatusCode::OK);
            assert_eq!(body, b"ok");
        }
    }

    #[tokio::test]
    async fn a_name_that_does_not_resolve_is_denied_before_connecting() {
        let p = policy(&["*://*:*"]);
        let denied = send(&p, "http://nonexistent.invalid/").await;
        assert!(denied.as_ref().is_err_and(is_dns_error), "{denied:?}");
        let https = send(&p, "https://nonexistent.invalid/").await;
        assert!(https.as_ref().is_err_and(is_dns_error), "{https:?}");
    }

    #[tokio::test]
    async fn a_name_resolving_to_loopback_is_prohibited_unless_named() {
        let server = echo_server().await;
        let p = policy(&["http://*:*"]);
        let denied = send(&p, &format!("http://localhost:{}/x", server.port())).await;
        assert!(
            matches!(
                denied,
                Err(wasmtime_wasi_http::Error::DestinationIpProhibited)
            ),
            "{denied:?}"
        );
        let not_listed = policy(&["https://*:443"]);
        let denied = send(&not_listed, &format!("http://127.0.0.1:{}/", server.port())).await;
        assert!(
            matches!(denied, Err(wasmtime_wasi_http::Error::HttpRequestDenied)),
            "{denied:?}"
        );
    }

    #[tokio::test]
    async fn allowed_loopback_targets_connect_to_the_checked_address() {
        let server = echo_server().await;
        let port = server.port();
        let by_ip = policy(&["http://127.0.0.1:*"]);
        let (status, body) = send(&by_ip, &format!("http://127.0.0.1:{port}/a?b=c"))
            .await
            .expect("sent");
        assert_eq!(status, http::StatusCode::OK);
        assert_eq!(body, format!("127.0.0.1:{port} /a?b=c"));

        let by_name = policy(&[&format!("http://localhost:{port}")]);
        let (status, body) = send(&by_name, &format!("http://localhost:{port}/n"))
            .await
            .expect("sent");
        assert_eq!(status, http::StatusCode::OK);
        assert_eq!(body, format!("localhost:{port} /n"), "Host header kept");
    }

    #[tokio::test]
    async fn the_connection_does_not_resolve_the_name_again() {
        // The URL names a host that does not resolve; the connection goes to
        // the address given, so it succeeds and the Host header is the URL's.
        let server = echo_server().await;
        let port = server.port();
        let url = format!("http://nonexistent.invalid:{port}/r");
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
        let (response, io) = send::send_to(request(&url), &[server], None.into(), deadline)
            .await
            .expect("sent to the checked address");
        tokio::spawn(io);
        use http_body_util::BodyExt;
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        assert_eq!(body, format!("nonexistent.invalid:{port} /r").as_bytes());
        // An address that refuses is tried, then the next one.
        let closed = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let refusing = closed.local_addr().expect("addr");
        drop(closed);
        let (response, io) =
            send::send_to(request(&url), &[refusing, server], None.into(), deadline)
                .await
                .expect("second address");
        tokio::spawn(io);
        assert_eq!(response.status(), http::StatusCode::OK);
        let refused = send::send_to(request(&url), &[refusing], None.into(), deadline).await;
        assert!(
            matches!(refused, Err(wasmtime_wasi_http::Error::Connect(_))),
            "{:?}",
            refused.err()
        );
    }

    #[tokio::test]
    async fn timeouts_come_from_the_request_options() {
        // A server that accepts and never answers: the first-byte timeout fires.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let held = tokio::spawn(async move {
            let mut kept = Vec::new();
            while let Ok((stream, _)) = listener.accept().await {
                kept.push(stream);
            }
        });
        let options = RequestOptions {
            first_byte_timeout: Some(std::time::Duration::from_millis(200)),
            ..RequestOptions::default()
        };
        let timeouts = send::Timeouts::from(Some(options));
        let url = format!("http://127.0.0.1:{}/", addr.port());
        let started = std::time::Instant::now();
        let result = send::send_to(
            request(&url),
            &[addr],
            timeouts,
            timeouts.connect_deadline(),
        )
        .await;
        assert!(
            matches!(
                result,
                Err(wasmtime_wasi_http::Error::ConnectionReadTimeout)
            ),
            "{:?}",
            result.err()
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        held.abort();
    }

    #[test]
    fn malformed_entries_are_refused() {
        assert!(AllowedHost::parse("example.org").is_err());
        assert!(AllowedHost::parse("ftp://example.org").is_err());
        assert!(AllowedHost::parse("https://example.org/path").is_err());
        assert!(AllowedHost::parse("https://example.org:http").is_err());
    }
}
