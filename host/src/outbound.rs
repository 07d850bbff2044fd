//! Outbound HTTP, restricted to a component's `allowed_outbound_hosts`.
//!
//! Each entry is `scheme://host[:port]` as in Spin:
//! - scheme: `http`, `https` or `*`;
//! - host: a name, an IP address, `*` (any), `*.example.org` (any subdomain),
//!   or `self` (this app's own listener);
//! - port: a number, a range `8000..8080` (end exclusive), `*`, or omitted
//!   for the scheme's default port.
//!
//! A request to anything else fails inside the guest with `HTTP-request-denied`
//! and never leaves the host.
//!
//! After the allow-list, the target name is resolved and every address must be
//! public: a private, loopback, link-local, unspecified or otherwise reserved
//! address fails with `destination-IP-prohibited`, so `https://*` cannot reach
//! this machine or the local network through a DNS name (SSRF). The exception
//! is a target whose host the manifest allows *by name* as such an address
//! (`http://127.0.0.1:*`, `http://localhost:3000`, `self`): an operator who
//! writes that means it. Like Spin's `block_networks`, the check runs on the
//! resolved addresses; the connection then resolves the name again, so a DNS
//! answer that changes between the two (rebinding) is not covered.

use anyhow::{Result, bail};
use http::uri::Scheme;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use wasmtime_wasi_http::{RequestOptions, WasiBody, WasiHttpHooks};

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
            "http" | "https" => Some(scheme.to_string()),
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
        let default_port = if scheme == "https" { 443 } else { 80 };
        let port_ok = match self.port {
            PortPattern::Any => true,
            PortPattern::Default => port == default_port,
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

/// Whether `ip` is a public, globally routable unicast address.
pub fn is_public_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let s = v6.segments();
            if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                let [a, b] = s[6].to_be_bytes();
                let [c, d] = s[7].to_be_bytes();
                return is_public_v4(Ipv4Addr::new(a, b, c, d));
            }
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || (s[0] & 0xffc0) == 0xfec0
                || (s[0] == 0x2001 && s[1] == 0x0db8))
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240)
}

/// The outbound policy of one component.
#[derive(Debug, Clone, Default)]
pub struct OutboundPolicy {
    allowed: Arc<Vec<AllowedHost>>,
    self_addr: Option<SocketAddr>,
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
        })
    }

    /// Whether a request to `uri`, whose host resolved to `resolved`, may
    /// connect: every address public, unless an entry that names a
    /// non-public host explicitly allows this target (see the module docs).
    pub fn allows_resolved(&self, uri: &http::Uri, resolved: &[SocketAddr]) -> bool {
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
        let policy = self.clone();
        Box::new(async move {
            use http_body_util::BodyExt;
            if let Some((_, host, port)) = target(request.uri()) {
                let host = host
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .to_string();
                // A name that does not resolve fails below, in the connection.
                if let Ok(addrs) = tokio::net::lookup_host((host.as_str(), port)).await {
                    let addrs: Vec<SocketAddr> = addrs.collect();
                    if !policy.allows_resolved(request.uri(), &addrs) {
                        eprintln!(
                            "emblem-host: outbound request to {} denied: {host} resolves to a \
                             private, loopback or link-local address",
                            request.uri()
                        );
                        return Err(wasmtime_wasi_http::Error::DestinationIpProhibited);
                    }
                }
            }
            let (response, io) = wasmtime_wasi_http::default_send_request(request, options).await?;
            Ok((
                response.map(BodyExt::boxed_unsync),
                Box::new(io) as Box<dyn Future<Output = _> + Send>,
            ))
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

    #[test]
    fn malformed_entries_are_refused() {
        assert!(AllowedHost::parse("example.org").is_err());
        assert!(AllowedHost::parse("ftp://example.org").is_err());
        assert!(AllowedHost::parse("https://example.org/path").is_err());
        assert!(AllowedHost::parse("https://example.org:http").is_err());
    }
}
