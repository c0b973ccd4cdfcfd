//! OpenBGPD `bgpd.conf`, read far enough to know which prefixes a router announces to each
//! neighbour AS: macros, `AS`, `network`, `prefix-set`, `group` and `neighbor` blocks
//! (`remote-as`, `descr`, `announce`), `include`, and the outbound filter rules
//! (`allow`/`deny`/`match ... to ...`). Anything else is skipped with a
//! `bgp-config-unsupported` info finding; a config never fails to load.
//!
//! Filter semantics follow OpenBGPD 6.4 and later: rules are evaluated in order, the last
//! matching `allow`/`deny` decides, `quick` stops, and with no matching rule nothing is sent to
//! an eBGP neighbour (RFC 8212). The legacy `announce self|all|none` of older configs is
//! honoured when the config has no outbound rule at all.

use std::collections::BTreeMap;

use ipnetwork::IpNetwork;

use crate::diag::{FileId, Finding, Loc};
use crate::source::Sources;

mod interp;
mod lex;
mod rule;

pub(crate) use interp::Reader;

/// What the parser learnt from one config (and its includes).
#[derive(Clone, Debug, Default)]
pub(crate) struct Conf {
    /// The global `AS`, where it is written.
    pub asn: Option<(u32, Loc)>,
    /// `network` statements (expanded prefix-sets), where each is written.
    pub networks: Vec<(IpNetwork, Loc)>,
    /// Every neighbour.
    pub neighbors: Vec<Neighbor>,
    /// Outbound filter rules, in order.
    pub rules: Vec<Rule>,
    /// Statements skipped, as info findings.
    pub skipped: Vec<Finding>,
}

/// A BGP neighbour with its group's settings applied.
#[derive(Clone, Debug, Default)]
pub(crate) struct Neighbor {
    /// The address (or template prefix) as written.
    pub addr: String,
    /// Its AS.
    pub remote_as: Option<u32>,
    /// Description.
    pub descr: Option<String>,
    /// The group it is in.
    pub group: Option<String>,
    /// IPv4 unicast announced (default: when the neighbour address is IPv4).
    pub ipv4: Option<bool>,
    /// IPv6 unicast announced (default: when the neighbour address is IPv6).
    pub ipv6: Option<bool>,
    /// Legacy `announce self|all` (true) or `announce none` (false).
    pub legacy: Option<bool>,
}

impl Neighbor {
    fn addr_is_v6(&self) -> bool {
        self.addr.contains(':')
    }

    /// Whether routes of this family go to the neighbour.
    pub(crate) fn carries(&self, p: IpNetwork) -> bool {
        if p.is_ipv4() {
            self.ipv4.unwrap_or(!self.addr_is_v6())
        } else {
            self.ipv6.unwrap_or(self.addr_is_v6())
        }
    }
}

/// Allow, deny, or match (sets attributes only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    /// `allow`.
    Allow,
    /// `deny`.
    Deny,
    /// `match`.
    Match,
}

/// Which neighbours a rule is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Peer {
    /// `any`.
    Any,
    /// `ebgp`.
    Ebgp,
    /// `ibgp`.
    Ibgp,
    /// `group NAME`.
    Group(String),
    /// A neighbour address (or a list of them).
    Addrs(Vec<String>),
}

/// How a prefix criterion matches a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Len {
    /// Exactly the prefix.
    Exact,
    /// The prefix or anything more specific inside it.
    OrLonger,
    /// Inside the prefix, with a length in the inclusive range.
    Range(u8, u8),
}

/// An outbound filter rule.
#[derive(Clone, Debug)]
pub(crate) struct Rule {
    /// What it does.
    pub action: Action,
    /// `quick`: stop at this rule.
    pub quick: bool,
    /// For which neighbours.
    pub peer: Peer,
    /// Prefix criteria (any matches); `None` means every prefix.
    pub prefixes: Option<Vec<(IpNetwork, Len)>>,
    /// A standalone `prefixlen` criterion.
    pub prefixlen: Option<(u8, u8)>,
    /// `inet` (false) / `inet6` (true).
    pub family_v6: Option<bool>,
}

fn len_matches(base: IpNetwork, len: Len, route: IpNetwork) -> bool {
    if !crate::net::contains(base, route) {
        return false;
    }
    match len {
        Len::Exact => base.prefix() == route.prefix(),
        Len::OrLonger => true,
        Len::Range(lo, hi) => (lo..=hi).contains(&route.prefix()),
    }
}

impl Rule {
    fn matches(&self, conf: &Conf, n: &Neighbor, route: IpNetwork) -> bool {
        let own = conf.asn.map(|a| a.0);
        let peer = match &self.peer {
            Peer::Any => true,
            Peer::Ebgp => n.remote_as.is_some() && n.remote_as != own,
            Peer::Ibgp => n.remote_as.is_some() && n.remote_as == own,
            Peer::Group(g) => n.group.as_deref() == Some(g.as_str()),
            Peer::Addrs(a) => a.iter().any(|a| a == &n.addr),
        };
        peer && self.family_v6.is_none_or(|v6| v6 == route.is_ipv6())
            && self.prefixlen.is_none_or(|(lo, hi)| (lo..=hi).contains(&route.prefix()))
            && self.prefixes.as_ref().is_none_or(|ps| ps.iter().any(|&(p, l)| len_matches(p, l, route)))
    }
}

impl Conf {
    /// The prefixes announced to neighbours of AS `asn`, each with the `network` line that
    /// originates it, sorted and without duplicates.
    pub(crate) fn announced_to(&self, asn: u32) -> Vec<(IpNetwork, Loc)> {
        let has_rules = !self.rules.is_empty();
        let mut out: BTreeMap<IpNetwork, Loc> = BTreeMap::new();
        for n in self.neighbors.iter().filter(|n| n.remote_as == Some(asn)) {
            for &(p, loc) in &self.networks {
                if !n.carries(p) || n.legacy == Some(false) {
                    continue;
                }
                let mut allowed = !has_rules && n.legacy == Some(true);
                for r in &self.rules {
                    if r.action != Action::Match && r.matches(self, n, p) {
                        allowed = r.action == Action::Allow;
                        if r.quick {
                            break;
                        }
                    }
                }
                if allowed {
                    out.entry(p).or_insert(loc);
                }
            }
        }
        out.into_iter().collect()
    }

    /// Whether the config has a session with AS `asn`.
    pub(crate) fn has_neighbor_as(&self, asn: u32) -> bool {
        self.neighbors.iter().any(|n| n.remote_as == Some(asn))
    }
}

/// Parses a config already added to `sources` as `file`; `reader` reads includes.
pub(crate) fn parse(file: FileId, sources: &mut Sources, reader: &mut Reader<'_>) -> Conf {
    let text = sources.text(file).to_owned();
    let mut conf = Conf::default();
    let stmts = lex::parse_statements(file, &text, &mut conf.skipped);
    let mut interp = interp::Interp::new(conf, reader, sources);
    interp.run(&stmts);
    interp.conf
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conf(text: &str) -> (Conf, Sources) {
        let mut sources = Sources::new();
        let file = sources.add("bgpd.conf".into(), text.into());
        let mut reader = |p: &str| -> Result<(String, String), String> {
            if p == "inc.conf" {
                Ok(("inc.conf".into(), "network 203.0.113.0/24\n".into()))
            } else {
                Err("no".into())
            }
        };
        let c = parse(file, &mut sources, &mut reader);
        (c, sources)
    }

    fn to(c: &Conf, asn: u32) -> Vec<String> {
        c.announced_to(asn).into_iter().map(|(p, _)| p.to_string()).collect()
    }

    /// OpenBGPD's own example configs, unmodified: the repository keeps copies (of
    /// `../shared/real/openbgpd/`) in the CLI fixtures that build inventories around them.
    fn real(version: &str) -> String {
        let dir = env!("CARGO_MANIFEST_DIR");
        std::fs::read_to_string(format!(
            "{dir}/tests/cmd/bgp/openbsd-{version}.in/inventory/routers/bgpd.conf"
        ))
        .unwrap()
    }

    #[test]
    fn openbsd_example_1_14() {
        let (c, _) = conf(&real("1.14"));
        assert_eq!(c.asn.map(|a| a.0), Some(65001));
        assert_eq!(c.neighbors.len(), 7);
        assert_eq!(to(&c, 65002), vec!["192.0.2.0/24"]);
        // IPv6 goes to provider B only: the real single-upstream gap.
        assert_eq!(to(&c, 65123), vec!["192.0.2.0/24", "2001:db8:abcd::/48"]);
        // `allow to ibgp` sends everything to the iBGP mesh (not upstreams: same AS).
        assert_eq!(to(&c, 65001), vec!["192.0.2.0/24", "2001:db8:abcd::/48"]);
    }

    #[test]
    fn openbsd_example_1_6() {
        let (c, _) = conf(&real("1.6"));
        assert_eq!(c.asn.map(|a| a.0), Some(65001));
        assert!(c.networks.is_empty(), "every network line is commented out");
        let n = c.neighbors.iter().find(|n| n.addr == "10.1.0.2").unwrap();
        assert_eq!(
            (n.remote_as, n.legacy, n.group.as_deref()),
            (Some(65002), Some(true), Some("peering AS65002"))
        );
        assert_eq!(c.neighbors.iter().find(|n| n.addr == "10.0.1.0").unwrap().legacy, Some(false));
        assert!(to(&c, 65002).is_empty());
    }

    #[test]
    fn filters_families_and_quick() {
        let (c, _) = conf(
            "AS 64500\nnetwork 198.18.0.0/22\nnetwork 198.18.1.0/24\nnetwork 2001:db8:100::/44\n\
             neighbor 192.0.2.1 { remote-as 64501\n announce IPv6 unicast }\n\
             neighbor 192.0.2.2 { remote-as 64502 }\n\
             deny to any\nallow to ebgp prefix 198.18.0.0/22 prefixlen <= 24\nallow to ebgp inet6\n\
             deny quick to 192.0.2.2 prefix 198.18.1.0/24\nallow to any prefix 198.18.1.0/24\ninclude \"inc.conf\"\n",
        );
        assert_eq!(to(&c, 64501), vec!["198.18.0.0/22", "198.18.1.0/24", "2001:db8:100::/44"]);
        assert_eq!(to(&c, 64502), vec!["198.18.0.0/22"]);
        // The included network is not allowed by any rule.
        assert!(c.networks.iter().any(|(p, _)| p.to_string() == "203.0.113.0/24"));
    }

    #[test]
    fn legacy_announce_without_rules() {
        let (c, _) = conf(
            "AS 64500\nnetwork 198.18.0.0/22\nneighbor 192.0.2.1 {\n remote-as 64501\n announce self\n}\nneighbor 192.0.2.2 {\n remote-as 64502\n}\n",
        );
        assert_eq!(to(&c, 64501), vec!["198.18.0.0/22"]);
        assert!(to(&c, 64502).is_empty(), "RFC 8212: nothing without a rule");
    }

    #[test]
    fn garbage_is_skipped_not_fatal() {
        let (c, _) = conf(
            "}}} {{{ \"unterminated\nfoo bar\nneighbor { remote-as x }\nallow\nallow to\nnetwork\nprefixlen\nAS\n\\",
        );
        assert!(!c.skipped.is_empty());
    }
}
