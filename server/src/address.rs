//! Who a request comes from: the connection's peer, or, behind a trusted proxy, the client its
//! `X-Forwarded-For` names; and the networks an operator trusts, written as addresses or in
//! CIDR form.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderMap;

/// The client's address: the peer's, unless the peer is in `trusted` (a proxy); then the
/// nearest address of `X-Forwarded-For` (read from the right) that is not a trusted proxy, or
/// its first when every one is. `None` without a peer (a router served without connection
/// info).
pub fn client(peer: Option<SocketAddr>, headers: &HeaderMap, trusted: &[Network]) -> Option<IpAddr> {
    let peer = canonical(peer?.ip());
    if !trusts(trusted, peer) {
        if headers.contains_key("x-forwarded-for") {
            untrusted_proxy(peer);
        }
        return Some(peer);
    }
    let mut client = peer;
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok());
    let hops: Vec<&str> = forwarded.flat_map(|value| value.split(',')).collect();
    for hop in hops.iter().rev() {
        let Some(address) = hop_address(hop) else {
            // Not an address (a proxy's `unknown`, a forged word): nothing left of it is
            // to be trusted either.
            break;
        };
        client = canonical(address);
        if !trusts(trusted, client) {
            break;
        }
    }
    Some(client)
}

/// The address of one hop of `X-Forwarded-For`: `1.2.3.4`, `2001:db8::1`, or either with a
/// port (`1.2.3.4:5678`, `[2001:db8::1]:80`) or in brackets, as proxies write them.
fn hop_address(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|socket| socket.ip()))
        .or_else(|| hop.strip_prefix('[')?.strip_suffix(']')?.parse().ok())
}

/// Says once, in the log, that a peer not trusted as a proxy sent `X-Forwarded-For`: behind a
/// proxy not named by `--trusted-proxy`, every client would share that proxy's budget.
fn untrusted_proxy(peer: IpAddr) {
    static SAID: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if !SAID.swap(true, std::sync::atomic::Ordering::Relaxed) {
        tracing::warn!(
            %peer,
            "X-Forwarded-For came from {peer}, which is not a trusted proxy: its clients are counted as {peer}; if it is your proxy, name it with --trusted-proxy"
        );
    }
}

/// Whether `address` is in one of the `trusted` networks.
fn trusts(trusted: &[Network], address: IpAddr) -> bool {
    trusted.iter().any(|network| network.contains(address))
}

/// The connection's peer, when the router is served with connection info
/// (`into_make_service_with_connect_info::<SocketAddr>()`, as the binary is); `None` else, and
/// then no login is limited by its address.
#[derive(Clone, Copy, Debug)]
pub struct Peer(pub Option<SocketAddr>);

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Peer(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(peer)| *peer),
        ))
    }
}

/// An IPv4 address written as IPv6 (`::ffff:1.2.3.4`) is the IPv4 address.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

/// The key of a client address's login budget: the address, or an IPv6 address's /64 (one
/// subscriber holds a whole /64).
pub fn address_key(address: IpAddr) -> String {
    match address {
        IpAddr::V4(v4) => format!("ip:{v4}"),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("ip:{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

/// An address, or a network in CIDR form (`10.0.0.0/8`, `fd00::/8`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Network {
    address: IpAddr,
    prefix: u8,
}

impl Network {
    /// Reads `1.2.3.4`, `10.0.0.0/8`, `::1` or `fd00::/8`.
    pub fn parse(text: &str) -> Result<Network, String> {
        let wrong = || format!("{text:?} is not an IP address or a network such as 10.0.0.0/8 or fd00::/8");
        let (address, prefix) = match text.trim().split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text.trim(), None),
        };
        let address = canonical(address.parse::<IpAddr>().map_err(|_| wrong())?);
        let most = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(prefix) => prefix
                .parse::<u8>()
                .ok()
                .filter(|&p| p <= most)
                .ok_or_else(wrong)?,
            None => most,
        };
        Ok(Network { address, prefix })
    }

    /// Whether `address` is in this network.
    pub fn contains(&self, address: IpAddr) -> bool {
        fn same(a: u128, b: u128, prefix: u8, width: u8) -> bool {
            let shift = u32::from(width - prefix);
            shift >= 128 || (a >> shift) == (b >> shift)
        }
        match (self.address, canonical(address)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => same(
                u128::from(u32::from(net)),
                u128::from(u32::from(ip)),
                self.prefix,
                32,
            ),
            (IpAddr::V6(net), IpAddr::V6(ip)) => same(u128::from(net), u128::from(ip), self.prefix, 128),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn networks(trusted: &[&str]) -> Vec<Network> {
        trusted.iter().map(|t| Network::parse(t).unwrap()).collect()
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append("x-forwarded-for", value.parse().unwrap());
        }
        headers
    }

    fn peer(ip: &str) -> Option<SocketAddr> {
        Some(SocketAddr::new(ip.parse().unwrap(), 40000))
    }

    #[test]
    fn the_client_is_the_peer_unless_a_trusted_proxy_forwards_it() {
        let none = networks(&[]);
        let headers = forwarded(&["203.0.113.9"]);
        assert_eq!(
            client(peer("198.51.100.1"), &headers, &none),
            Some("198.51.100.1".parse().unwrap())
        );
        let behind = networks(&["10.0.0.0/8", "127.0.0.1"]);
        // Through two proxies of ours: the address the outer one saw.
        let headers = forwarded(&["198.51.100.7, 203.0.113.9", "10.1.2.3"]);
        assert_eq!(
            client(peer("127.0.0.1"), &headers, &behind),
            Some("203.0.113.9".parse().unwrap())
        );
        // A client that writes its own X-Forwarded-For does not choose its address.
        assert_eq!(
            client(peer("192.0.2.4"), &headers, &behind),
            Some("192.0.2.4".parse().unwrap())
        );
        // Nothing forwarded, or only our own proxies: the nearest one named.
        assert_eq!(
            client(peer("127.0.0.1"), &HeaderMap::new(), &behind),
            Some("127.0.0.1".parse().unwrap())
        );
        assert_eq!(
            client(peer("127.0.0.1"), &forwarded(&["garbage, 10.0.0.5"]), &behind),
            Some("10.0.0.5".parse().unwrap())
        );
        assert_eq!(
            client(peer("::ffff:127.0.0.1"), &forwarded(&["2001:db8::1"]), &behind),
            Some("2001:db8::1".parse().unwrap())
        );
        assert_eq!(client(None, &headers, &behind), None);
        // Hops written with a port, or in brackets.
        for (hop, address) in [
            ("198.51.100.9:5678", "198.51.100.9"),
            ("[2001:db8::7]:443", "2001:db8::7"),
            ("[2001:db8::8]", "2001:db8::8"),
        ] {
            assert_eq!(
                client(peer("127.0.0.1"), &forwarded(&[hop]), &behind),
                Some(address.parse().unwrap()),
                "{hop}"
            );
        }
    }

    #[test]
    fn networks_and_address_keys() {
        let net = Network::parse("10.0.0.0/8").unwrap();
        assert!(net.contains("10.255.0.1".parse().unwrap()));
        assert!(!net.contains("11.0.0.1".parse().unwrap()));
        assert!(!net.contains("::1".parse().unwrap()));
        assert!(Network::parse("0.0.0.0/0")
            .unwrap()
            .contains("8.8.8.8".parse().unwrap()));
        assert!(Network::parse("fd00::/8")
            .unwrap()
            .contains("fd12::3".parse().unwrap()));
        assert!(Network::parse("::/0")
            .unwrap()
            .contains("2001:db8::1".parse().unwrap()));
        for wrong in ["10.0.0.0/33", "example.com", "10.0.0.0/", "::/129", ""] {
            assert!(Network::parse(wrong).is_err(), "{wrong}");
        }
        assert_eq!(address_key("192.0.2.1".parse().unwrap()), "ip:192.0.2.1");
        assert_eq!(
            address_key("2001:db8:1:2:aaaa::1".parse().unwrap()),
            address_key("2001:db8:1:2:bbbb::9".parse().unwrap())
        );
        assert_eq!(
            address_key("2001:db8:1:2::1".parse().unwrap()),
            "ip:2001:db8:1:2::/64"
        );
    }
}
