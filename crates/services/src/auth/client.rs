//! The client address used for lockouts.

use std::net::{IpAddr, SocketAddr};

/// The lockout subject for a client address (Spin's `spin-client-addr`, `ip:port`).
///
/// IPv4 addresses are used as they are. IPv6 addresses are reduced to their /64 prefix
/// (`2001:db8:1:2::/64`), because one host typically controls a whole /64 and could
/// otherwise rotate addresses to dodge the lock. Unparseable input gives None (no address
/// lockout; key-id lockout still applies).
pub fn client_subject(addr: &str) -> Option<String> {
    let addr = addr.trim();
    let ip = addr
        .parse::<SocketAddr>()
        .map(|s| s.ip())
        .or_else(|_| addr.parse::<IpAddr>())
        .ok()?;
    Some(match ip {
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
