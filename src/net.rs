//! IP arithmetic: prefixes as integer ranges, and longest-prefix matching.
//!
//! Longest-prefix match is done with one hash map per prefix length present: an address is
//! masked to each length (longest first) and looked up. With the handful of lengths real
//! inventories use this is a few hash lookups per address, whatever the number of prefixes.

use rustc_hash::FxHashMap as HashMap;
use std::net::IpAddr;

use ipnetwork::IpNetwork;

/// An address family and the address as a 128-bit integer (IPv4 in the low 32 bits).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Key {
    /// True for IPv6.
    pub(crate) v6: bool,
    /// The address bits.
    pub(crate) bits: u128,
}

/// The key of an address.
pub(crate) fn key(ip: IpAddr) -> Key {
    match ip {
        IpAddr::V4(a) => Key { v6: false, bits: u128::from(u32::from(a)) },
        IpAddr::V6(a) => Key { v6: true, bits: u128::from(a) },
    }
}

fn width(v6: bool) -> u8 {
    if v6 { 128 } else { 32 }
}

/// The mask that keeps the first `len` bits of a `v6`/v4 address.
fn mask(v6: bool, len: u8) -> u128 {
    let w = width(v6);
    if len == 0 {
        0
    } else {
        let ones = u128::MAX >> (128 - u32::from(w));
        // A full-length prefix (/32, /128) shifts by the whole width: nothing is left.
        ones & !ones.checked_shr(u32::from(len)).unwrap_or(0)
    }
}

/// First and last address of a prefix, as keys.
pub(crate) fn range(net: IpNetwork) -> (Key, Key) {
    let k = key(net.network());
    let m = mask(k.v6, net.prefix());
    let ones = u128::MAX >> (128 - u32::from(width(k.v6)));
    (Key { v6: k.v6, bits: k.bits & m }, Key { v6: k.v6, bits: (k.bits & m) | (ones & !m) })
}

/// Whether `outer` contains `inner` (same family, not longer, same leading bits).
pub(crate) fn contains(outer: IpNetwork, inner: IpNetwork) -> bool {
    let (a, b) = (range(outer), range(inner));
    a.0.v6 == b.0.v6 && a.0.bits <= b.0.bits && b.1.bits <= a.1.bits
}

/// A longest-prefix-match table from prefixes to values; several values may share a prefix
/// (see the `longest_match` test for an example).
#[derive(Clone, Debug)]
pub(crate) struct Lpm<T> {
    /// Per family (v4 = 0, v6 = 1): lengths present, longest first.
    lengths: [Vec<u8>; 2],
    /// (family, length, masked bits) -> values.
    map: HashMap<(bool, u8, u128), Vec<T>>,
}

impl<T> Default for Lpm<T> {
    fn default() -> Self {
        Lpm { lengths: [Vec::new(), Vec::new()], map: HashMap::default() }
    }
}

impl<T: Clone> Lpm<T> {
    /// An empty table.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Adds a value under a prefix.
    pub(crate) fn insert(&mut self, net: IpNetwork, value: T) {
        let (lo, _) = range(net);
        let len = net.prefix();
        let lens = &mut self.lengths[usize::from(lo.v6)];
        if let Err(pos) = lens.binary_search_by(|l| len.cmp(l)) {
            lens.insert(pos, len);
        }
        self.map.entry((lo.v6, len, lo.bits)).or_default().push(value);
    }

    /// Every matching (prefix length, values), longest first.
    pub(crate) fn matches(&self, ip: IpAddr) -> impl Iterator<Item = (u8, &[T])> + '_ {
        let k = key(ip);
        self.lengths[usize::from(k.v6)].iter().filter_map(move |&len| {
            self.map.get(&(k.v6, len, k.bits & mask(k.v6, len))).map(|v| (len, v.as_slice()))
        })
    }

    /// The values of the longest matching prefix.
    pub(crate) fn longest(&self, ip: IpAddr) -> Option<&[T]> {
        self.matches(ip).next().map(|(_, v)| v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_prefixes_are_one_address() {
        // /128 used to overflow the shift (found by the inventory fuzz target).
        for cidr in ["::/128", "2001:db8::1/128", "192.0.2.1/32", "0.0.0.0/0", "::/0"] {
            let net: IpNetwork = cidr.parse().unwrap();
            let (lo, hi) = range(net);
            let full = net.prefix() == width(net.is_ipv6());
            assert_eq!(lo == hi, full, "{cidr}");
            assert!(contains(net, net), "{cidr}");
        }
    }

    #[test]
    fn longest_match() {
        let mut t = Lpm::new();
        t.insert("198.18.0.0/15".parse().unwrap(), "aggregate");
        t.insert("198.18.1.0/24".parse().unwrap(), "site");
        assert_eq!(t.longest("198.18.1.7".parse().unwrap()), Some(&["site"][..]));
        assert_eq!(t.longest("198.19.0.1".parse().unwrap()), Some(&["aggregate"][..]));
    }

    fn n(s: &str) -> IpNetwork {
        s.parse().unwrap()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ranges() {
        let (lo, hi) = range(n("198.51.100.0/24"));
        assert_eq!(lo, key(ip("198.51.100.0")));
        assert_eq!(hi, key(ip("198.51.100.255")));
        let (lo, hi) = range(n("0.0.0.0/0"));
        assert_eq!((lo.bits, hi.bits), (0, u128::from(u32::MAX)));
        let (lo, hi) = range(n("2001:db8::/32"));
        assert_eq!(lo, key(ip("2001:db8::")));
        assert_eq!(hi, key(ip("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")));
        let (lo, hi) = range(n("192.0.2.7/32"));
        assert_eq!(lo, hi);
    }

    #[test]
    fn containment_and_overlap() {
        assert!(contains(n("198.18.0.0/15"), n("198.19.4.0/24")));
        assert!(!contains(n("198.19.4.0/24"), n("198.18.0.0/15")));
        assert!(!contains(n("2001:db8::/32"), n("198.51.100.0/24")));
        assert!(contains(n("192.0.2.0/24"), n("192.0.2.0/25")));
        assert!(!contains(n("192.0.2.0/25"), n("192.0.2.128/25")));
    }

    #[test]
    fn longest_prefix_wins() {
        let mut t = Lpm::new();
        t.insert(n("198.18.0.0/15"), "agg");
        t.insert(n("198.19.4.0/24"), "site");
        t.insert(n("2001:db8::/32"), "v6");
        assert_eq!(t.longest(ip("198.19.4.9")), Some(&["site"][..]));
        assert_eq!(t.longest(ip("198.18.4.9")), Some(&["agg"][..]));
        assert_eq!(t.longest(ip("203.0.113.1")), None);
        assert_eq!(t.longest(ip("2001:db8:1::1")), Some(&["v6"][..]));
        let all: Vec<u8> = t.matches(ip("198.19.4.9")).map(|(l, _)| l).collect();
        assert_eq!(all, vec![24, 15]);
    }
}
