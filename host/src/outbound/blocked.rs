//! Spin's `[outbound_networking] block_networks` from the runtime config: a
//! list of CIDR blocks and the word `"private"`. As in Spin 4.1
//! (`crates/outbound-networking-config`, `BlockedNetworks`):
//! - `"private"` blocks every address that is not globally routable;
//! - a CIDR blocks the addresses inside it;
//! - an IPv4-mapped or IPv4-compatible IPv6 address is also checked as IPv4;
//! - the check runs on the resolved addresses of every outbound request,
//!   whatever `allowed_outbound_hosts` says; blocked addresses are dropped
//!   and a request left with none is refused (`destination-IP-prohibited`).

use anyhow::{Context, Result, bail};
use ipnet::IpNet;
use std::net::IpAddr;
use std::path::Path;

/// The networks no outbound request may reach.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlockedNetworks {
    private: bool,
    networks: Vec<IpNet>,
}

impl BlockedNetworks {
    /// `block_networks` from the runtime config at `path` (none without one).
    pub fn from_runtime_config(path: Option<&Path>) -> Result<BlockedNetworks> {
        let Some(path) = path else {
            return Ok(BlockedNetworks::default());
        };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read runtime config {}", path.display()))?;
        let table: toml::Table = toml::from_str(&text)
            .with_context(|| format!("{} is not valid TOML", path.display()))?;
        let Some(list) = table
            .get("outbound_networking")
            .and_then(|t| t.get("block_networks"))
        else {
            return Ok(BlockedNetworks::default());
        };
        let entries = list
            .as_array()
            .context("outbound_networking.block_networks must be a list")?;
        let mut blocked = BlockedNetworks::default();
        for entry in entries {
            match entry.as_str() {
                Some("private") => blocked.private = true,
                Some(cidr) => blocked.networks.push(
                    cidr.parse()
                        .with_context(|| format!("block_networks: {cidr:?} is not a CIDR"))?,
                ),
                None => bail!("block_networks entries are strings: {entry}"),
            }
        }
        Ok(blocked)
    }

    /// Whether `ip` may not be reached.
    pub fn is_blocked(&self, ip: IpAddr) -> bool {
        if self.private && !emblem_net::is_public_ip(ip) {
            return true;
        }
        if self.networks.iter().any(|n| n.contains(&ip)) {
            return true;
        }
        match ip {
            IpAddr::V6(v6) => v6
                .to_ipv4()
                .is_some_and(|v4| self.is_blocked(IpAddr::V4(v4))),
            IpAddr::V4(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(toml: &str) -> Result<BlockedNetworks> {
        let dir = std::env::temp_dir().join(format!("emblem-blocked-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("rc-{}.toml", toml.len()));
        std::fs::write(&path, toml)?;
        BlockedNetworks::from_runtime_config(Some(&path))
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn private_blocks_every_address_that_is_not_global() -> Result<()> {
        let b = parse("[outbound_networking]\nblock_networks = [\"private\"]\n")?;
        for addr in [
            "127.0.0.1",
            "10.1.2.3",
            "169.254.169.254",
            "::1",
            "::ffff:10.0.0.1",
        ] {
            assert!(b.is_blocked(ip(addr)), "{addr}");
        }
        assert!(!b.is_blocked(ip("93.184.216.34")));
        Ok(())
    }

    #[test]
    fn cidrs_block_their_addresses_also_when_written_as_ipv6() -> Result<()> {
        let b = parse("[outbound_networking]\nblock_networks = [\"1.1.1.0/24\"]\n")?;
        assert!(b.is_blocked(ip("1.1.1.9")));
        assert!(b.is_blocked(ip("::ffff:1.1.1.9")));
        assert!(!b.is_blocked(ip("127.0.0.1")), "only what is listed");
        Ok(())
    }

    #[test]
    fn no_table_blocks_nothing_and_a_bad_entry_is_refused() -> Result<()> {
        assert_eq!(parse("")?, BlockedNetworks::default());
        assert!(parse("[outbound_networking]\nblock_networks = [\"nonsense\"]\n").is_err());
        Ok(())
    }
}
