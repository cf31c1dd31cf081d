//! The address a request comes from. Behind a load balancer the TCP peer is the proxy,
//! and the client is in `X-Forwarded-For`; but anyone can send that header, so it is
//! believed only as far as it was written by proxies oneid is told to trust
//! (`trusted_proxies`): read from the right, the first address that is not a trusted
//! proxy is the client.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::{Extensions, HeaderMap};

/// The client's address of a request, from its extensions and headers (`None` without
/// a TCP peer, as in some tests).
pub fn of(extensions: &Extensions, headers: &HeaderMap, trusted: &[Network]) -> Option<IpAddr> {
    let peer = extensions.get::<ConnectInfo<SocketAddr>>()?;
    Some(resolve(peer.0.ip(), headers, trusted))
}

/// An address range: `10.0.0.0/8`, `fd00::/8`, or one address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Network {
    base: IpAddr,
    bits: u32,
}

impl Network {
    pub fn parse(text: &str) -> Result<Network, String> {
        let (address, bits) = text.trim().split_once('/').map_or((text.trim(), None), |(a, b)| (a, Some(b)));
        let base: IpAddr = address.parse().map_err(|_| format!("{text:?} is not an address or range like 10.0.0.0/8"))?;
        let width = if base.is_ipv4() { 32 } else { 128 };
        let bits = match bits {
            None => width,
            Some(b) => b.parse::<u32>().ok().filter(|b| *b <= width).ok_or_else(|| format!("{text:?}: the prefix length must be 0 to {width}"))?,
        };
        Ok(Network { base, bits })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let prefix = |value: u128, width: u32| if self.bits == 0 { 0 } else { value >> (width - self.bits) };
        match (self.base, ip.to_canonical()) {
            (IpAddr::V4(base), IpAddr::V4(ip)) => prefix(u32::from(base).into(), 32) == prefix(u32::from(ip).into(), 32),
            (IpAddr::V6(base), IpAddr::V6(ip)) => prefix(u128::from(base), 128) == prefix(u128::from(ip), 128),
            _ => false,
        }
    }
}

/// Whether `ip` is one of the `trusted` proxies.
pub fn is_trusted(ip: IpAddr, trusted: &[Network]) -> bool {
    trusted.iter().any(|n| n.contains(ip))
}

/// The client behind `peer`, as far as `trusted` proxies vouch for `X-Forwarded-For`.
pub fn resolve(peer: IpAddr, headers: &HeaderMap, trusted: &[Network]) -> IpAddr {
    let mut client = peer.to_canonical();
    if !is_trusted(client, trusted) {
        return client;
    }
    let hops: Vec<&str> = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).map(str::trim).collect();
    for hop in hops.into_iter().rev() {
        // Something unreadable was not written by a proxy of ours: stop at the last one.
        let Ok(ip) = hop.parse::<IpAddr>() else { return client };
        client = ip.to_canonical();
        if !is_trusted(client, trusted) {
            return client;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append("x-forwarded-for", v.parse().unwrap());
        }
        headers
    }

    #[test]
    fn ranges_hold_what_they_say() {
        let lan = Network::parse("10.0.0.0/8").unwrap();
        assert!(lan.contains("10.200.3.4".parse().unwrap()));
        assert!(lan.contains("::ffff:10.1.2.3".parse().unwrap()), "IPv4-mapped IPv6");
        assert!(!lan.contains("11.0.0.1".parse().unwrap()));
        assert!(Network::parse("fd00::/8").unwrap().contains("fd12::1".parse().unwrap()));
        assert!(Network::parse("0.0.0.0/0").unwrap().contains("8.8.8.8".parse().unwrap()));
        assert!(Network::parse("192.0.2.7").unwrap().contains("192.0.2.7".parse().unwrap()));
        assert!(Network::parse("10.0.0.0/33").is_err());
        assert!(Network::parse("example.com").is_err());
    }

    #[test]
    fn only_trusted_proxies_may_name_the_client() {
        let trusted = [Network::parse("10.0.0.0/8").unwrap()];
        let peer = "10.0.0.2".parse().unwrap();
        let outside: IpAddr = "203.0.113.9".parse().unwrap();
        assert_eq!(resolve(peer, &forwarded(&["203.0.113.9"]), &trusted), outside);
        // A client's own claim is the leftmost; the proxies' appended hops are believed.
        assert_eq!(resolve(peer, &forwarded(&["1.2.3.4, 203.0.113.9, 10.0.0.7"]), &trusted), outside);
        assert_eq!(resolve(peer, &forwarded(&["1.2.3.4", "203.0.113.9"]), &trusted), outside, "several headers in order");
        // Not from a trusted proxy: the header means nothing.
        assert_eq!(resolve(outside, &forwarded(&["1.2.3.4"]), &trusted), outside);
        assert_eq!(resolve(peer, &forwarded(&["1.2.3.4"]), &[]), peer);
        // Garbage stops the walk at the last proxy.
        assert_eq!(resolve(peer, &forwarded(&["1.2.3.4, nonsense"]), &trusted), peer);
        assert_eq!(resolve(peer, &HeaderMap::new(), &trusted), peer);
    }
}
