//! Addresses and prefixes as bgpd reads them: IPv4 the old `inet_aton` way (`198.18.1` is
//! 198.18.0.1, parts may be octal or hex), IPv6 in any case, host bits masked off.

use std::net::{IpAddr, Ipv4Addr};

use ipnetwork::IpNetwork;

/// A prefix as written, and how it was read.
#[derive(Clone, Copy, Debug)]
pub(super) struct Read {
    /// The prefix bgpd uses (host bits cleared).
    pub(super) net: IpNetwork,
    /// Written with fewer than four IPv4 parts.
    pub(super) abbreviated: bool,
    /// Written with host bits set.
    pub(super) host_bits: bool,
}

/// One `inet_aton` number: decimal, octal (leading 0) or hex (0x).
fn aton_part(s: &str) -> Option<u32> {
    if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        return if h.is_empty() { Some(0) } else { u32::from_str_radix(h, 16).ok() };
    }
    if s.len() > 1 && s.starts_with('0') {
        return u32::from_str_radix(&s[1..], 8).ok();
    }
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// An IPv4 address the `inet_aton` way, and whether it had fewer than four parts.
fn aton(s: &str) -> Option<(Ipv4Addr, bool)> {
    let parts: Vec<u32> = s.split('.').map(aton_part).collect::<Option<_>>()?;
    let v = match parts.as_slice() {
        [a] => *a,
        [a, b] if *a < 256 && *b < (1 << 24) => a << 24 | b,
        [a, b, c] if *a < 256 && *b < 256 && *c < (1 << 16) => a << 24 | b << 16 | c,
        [a, b, c, d] if [a, b, c, d].iter().all(|x| **x < 256) => a << 24 | b << 16 | c << 8 | d,
        _ => return None,
    };
    Some((Ipv4Addr::from(v), parts.len() < 4))
}

/// An address (a neighbour, a filter peer).
pub(super) fn address(s: &str) -> Option<IpAddr> {
    if s.contains(':') { s.parse().ok() } else { aton(s).map(|(a, _)| IpAddr::V4(a)) }
}

/// `ADDR/LEN`, masked.
pub(super) fn prefix(addr: &str, len: &str) -> Result<Read, String> {
    let bad = || format!("could not parse address \"{addr}/{len}\"");
    let len: u8 = len.parse().map_err(|_| bad())?;
    let (ip, abbreviated) = if addr.contains(':') {
        (addr.parse::<IpAddr>().map_err(|_| bad())?, false)
    } else {
        let (a, abbr) = aton(addr).ok_or_else(bad)?;
        (IpAddr::V4(a), abbr)
    };
    let raw = IpNetwork::new(ip, len).map_err(|_| bad())?;
    let net = IpNetwork::new(raw.network(), len).map_err(|_| bad())?;
    Ok(Read { net, abbreviated, host_bits: net.ip() != ip })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inet_aton_reading() {
        assert_eq!(prefix("198.18.1", "24").unwrap().net.to_string(), "198.18.0.0/24");
        assert_eq!(prefix("198.18", "22").unwrap().net.to_string(), "198.0.0.0/22");
        assert!(prefix("198.18", "22").unwrap().abbreviated);
        let r = prefix("198.51.100.1", "24").unwrap();
        assert_eq!((r.net.to_string().as_str(), r.host_bits), ("198.51.100.0/24", true));
        assert_eq!(prefix("2001:DB8:1::1", "48").unwrap().net.to_string(), "2001:db8:1::/48");
        assert!(prefix("198.51.100.0", "33").is_err());
        assert!(prefix("300.1.1.1", "24").is_err());
        assert_eq!(address("010.0.0.1"), Some(IpAddr::V4(Ipv4Addr::new(8, 0, 0, 1))));
        assert_eq!(address("2001:DB8:FFFF::1"), address("2001:db8:ffff::1"));
    }
}
