//! The client address used for lockouts.
//!
//! Behind a reverse proxy every request comes from the proxy, so one client's failures would
//! lock every client out. When the operator names the proxies (`trusted_proxies`: addresses
//! or CIDR blocks), a request from one of them is attributed to the client its
//! `X-Forwarded-For` names: the rightmost address there that is not itself a trusted proxy
//! (each proxy appends the address it saw, so entries to the left of the last trusted hop
//! are whatever the client wrote). A request from any other peer is attributed to the peer,
//! whatever headers it sends.

use std::net::{IpAddr, SocketAddr};

use ipnet::IpNet;

/// The proxies whose `X-Forwarded-For` is believed (none by default).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// `trusted_proxies`: comma-separated addresses or CIDR blocks; empty trusts none.
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<IpNet>()
                    .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("trusted_proxies: {s:?} is not an address or CIDR block"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        self.0.iter().any(|net| net.contains(&ip))
    }
}

/// `ip:port` or a bare address, as an IP address.
fn ip_of(addr: &str) -> Option<IpAddr> {
    let addr = addr.trim();
    addr.parse::<SocketAddr>()
        .map(|s| s.ip())
        .or_else(|_| addr.parse::<IpAddr>())
        .ok()
}

/// The address a request is attributed to (see the module docs): `peer` is Spin's
/// `spin-client-addr`, `forwarded_for` the request's `X-Forwarded-For`.
pub fn client_address(
    peer: Option<&str>,
    forwarded_for: Option<&str>,
    trusted: &TrustedProxies,
) -> Option<String> {
    let peer = peer?;
    let Some(peer_ip) = ip_of(peer).filter(|ip| trusted.trusts(*ip)) else {
        return Some(peer.to_owned());
    };
    let hops: Vec<&str> = forwarded_for
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .collect();
    for hop in hops.iter().rev() {
        match ip_of(hop) {
            Some(ip) if trusted.trusts(ip) => continue,
            Some(ip) => return Some(ip.to_string()),
            // A hop that is not an address: nothing to its left can be believed.
            None => break,
        }
    }
    // Only proxies (or nothing usable) in the header: the request is the proxy's own.
    Some(peer_ip.to_string())
}

/// The lockout subject for a client address (Spin's `spin-client-addr`, `ip:port`).
///
/// IPv4 addresses are used as they are. IPv6 addresses are reduced to their /64 prefix
/// (`2001:db8:1:2::/64`), because one host typically controls a whole /64 and could
/// otherwise rotate addresses to dodge the lock. Unparseable input gives None (no address
/// lockout; key-id lockout still applies).
pub fn client_subject(addr: &str) -> Option<String> {
    Some(match ip_of(addr)? {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxies(list: &str) -> TrustedProxies {
        TrustedProxies::parse(list).expect("proxies")
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client_whatever_it_claims() {
        let none = TrustedProxies::default();
        assert_eq!(
            client_address(Some("10.0.0.5:4000"), Some("203.0.113.9"), &none),
            Some("10.0.0.5:4000".into())
        );
        let other = proxies("10.0.0.1");
        assert_eq!(
            client_address(Some("10.0.0.5:4000"), Some("203.0.113.9"), &other),
            Some("10.0.0.5:4000".into())
        );
    }

    #[test]
    fn behind_a_trusted_proxy_the_last_untrusted_hop_is_the_client() {
        let p = proxies("10.0.0.0/24, 192.0.2.7");
        // The client may write anything to the left; the proxies append what they saw.
        assert_eq!(
            client_address(
                Some("10.0.0.1:443"),
                Some("1.2.3.4, 203.0.113.9, 192.0.2.7"),
                &p
            ),
            Some("203.0.113.9".into())
        );
        assert_eq!(
            client_address(Some("10.0.0.1:443"), Some(" [2001:db8::1]:1 "), &p),
            Some("2001:db8::1".into())
        );
        // No header, only proxies, or garbage: the proxy itself.
        for header in [None, Some("192.0.2.7"), Some("not-an-ip")] {
            assert_eq!(
                client_address(Some("10.0.0.1:443"), header, &p),
                Some("10.0.0.1".into()),
                "{header:?}"
            );
        }
    }

    #[test]
    fn bad_proxy_lists_are_refused_with_the_entry() {
        let e = TrustedProxies::parse("10.0.0.0/24, proxy.local").expect_err("bad");
        assert!(e.contains("proxy.local"), "{e}");
        assert_eq!(
            TrustedProxies::parse(" ").expect("empty"),
            TrustedProxies::default()
        );
    }

    #[test]
    fn ipv4_addresses_lose_their_port() {
        assert_eq!(client_subject("127.0.0.1:51234"), Some("127.0.0.1".into()));
        assert_eq!(client_subject("10.1.2.3"), Some("10.1.2.3".into()));
    }

    #[test]
    fn ipv6_addresses_are_grouped_by_their_64_bit_prefix() {
        assert_eq!(
            client_subject("[2001:db8:1:2:aaaa::1]:443"),
            Some("2001:db8:1:2::/64".into())
        );
        assert_eq!(
            client_subject("[2001:db8:1:2:bbbb::9]:80"),
            client_subject("[2001:db8:1:2:aaaa::1]:443")
        );
        assert_eq!(
            client_subject("[::ffff:192.0.2.1]:1"),
            Some("192.0.2.1".into())
        );
    }

    #[test]
    fn garbage_gives_no_subject() {
        assert_eq!(client_subject("not an address"), None);
        assert_eq!(client_subject(""), None);
    }
}
