//! OpenBGPD `bgpd.conf`, read the way bgpd 7.x reads it, far enough to know which prefixes a
//! router announces to each neighbour AS: macros (lists included), `include`, `AS`, `network`
//! (prefixes and prefix-sets, with the communities they `set`), `prefix-set`, `group` and
//! `neighbor` blocks (`remote-as`, `announce` families, `export`, `down`), and the outbound
//! filter rules (`allow`/`deny`/`match [quick] to PEER criteria [set ...]`).
//!
//! What bgpd would refuse (`bgpd -n` fails) is a `bgp-config-invalid` error at that line;
//! statements that cannot change what is announced are read and ignored; anything else is
//! skipped with a `bgp-config-unsupported` info finding. A config never fails to load.
//!
//! Filter semantics (OpenBGPD 6.4 and later, checked against bgpd 7.7): rules are evaluated in
//! order on each own route, the last matching `allow`/`deny` decides, `quick` stops, `match`
//! only applies its `set`; no matching rule means nothing is sent (RFC 8212). Criteria are
//! decided on what an own route carries: no AS path, origin IGP, the communities that `network
//! ... set` and earlier rules gave it. A config that only bgpd before 6.4 accepts (`announce
//! self|all|none|default-route`) is read with that era's defaults: allowed unless denied.

use ipnetwork::IpNetwork;

use crate::diag::{Code, FileId, Finding, Loc};
use crate::source::Sources;

mod addr;
mod eval;
mod interp;
mod lex;
mod rule;

pub(crate) use lex::Reader;

/// What the parser learnt from one config (and its includes).
#[derive(Clone, Debug, Default)]
pub(crate) struct Conf {
    /// The global `AS`, where it is written.
    pub(crate) asn: Option<(u32, Loc)>,
    /// `network` statements (expanded prefix-sets).
    pub(crate) networks: Vec<Network>,
    /// Every neighbour.
    pub(crate) neighbors: Vec<Neighbor>,
    /// Outbound filter rules, in order.
    pub(crate) rules: Vec<Rule>,
    /// Findings about the config: errors bgpd would report, skipped statements, oddities.
    pub(crate) skipped: Vec<Finding>,
    /// Where the config uses syntax of bgpd before 6.4 (read with that era's defaults).
    pub(crate) legacy: Option<Loc>,
    /// bgpd refuses the config (`bgpd -n` fails): see the bgp-config-invalid findings.
    pub(crate) invalid: bool,
}

/// An own route: a `network` prefix and what it carries.
#[derive(Clone, Debug)]
pub(crate) struct Network {
    pub(crate) prefix: IpNetwork,
    pub(crate) loc: Loc,
    /// Communities set on the route by the `network` statement.
    pub(crate) communities: Vec<Community>,
}

/// A community value, each part a number (`*`, `local-as` and `neighbor-as` are resolved when
/// matching).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Community {
    /// `community A:B` (well-known names as their numbers).
    Standard(Part, Part),
    /// `large-community A:B:C`.
    Large(Part, Part, Part),
    /// `ext-community ...`, kept as written.
    Ext(String),
}

/// One part of a community pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Part {
    Num(u32),
    Any,
    LocalAs,
    NeighborAs,
}

/// What `export` (or the legacy `announce`) says goes to a neighbour.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Export {
    /// The routes the filters allow.
    #[default]
    Filtered,
    /// `export none` / `announce none`: nothing.
    None,
    /// `export default-route`: a default route only (through the filters).
    DefaultRoute,
}

/// A BGP neighbour with its group's settings applied.
#[derive(Clone, Debug, Default)]
pub(crate) struct Neighbor {
    /// The address (`None` for a template given as a prefix, or unreadable).
    pub(crate) addr: Option<std::net::IpAddr>,
    /// Whether the address is IPv6 (also for templates).
    pub(crate) v6: bool,
    /// Its AS.
    pub(crate) remote_as: Option<u32>,
    /// Description.
    pub(crate) descr: Option<String>,
    /// The group it is in.
    pub(crate) group: Option<String>,
    /// IPv4 unicast announced (default: when the neighbour address is IPv4).
    pub(crate) ipv4: Option<bool>,
    /// IPv6 unicast announced (default: when the neighbour address is IPv6).
    pub(crate) ipv6: Option<bool>,
    pub(crate) export: Export,
    /// `down`: the session is never opened.
    pub(crate) down: bool,
    pub(crate) loc: Option<Loc>,
}

impl Neighbor {
    /// Whether routes of this family go to the neighbour.
    pub(crate) fn carries(&self, p: IpNetwork) -> bool {
        if p.is_ipv4() { self.ipv4.unwrap_or(!self.v6) } else { self.ipv6.unwrap_or(self.v6) }
    }
}

/// Allow, deny, or match (sets attributes only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    Allow,
    Deny,
    Match,
}

/// Which neighbours a rule is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Peer {
    Any,
    Ebgp,
    Ibgp,
    /// `AS N`: neighbours with that remote AS.
    As(u32),
    Group(String),
    Addr(std::net::IpAddr),
    /// `{ ... }`: any of them.
    List(Vec<Peer>),
}

/// How a prefix criterion matches a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Len {
    /// Exactly the prefix.
    Exact,
    /// Inside the prefix, with a length in the inclusive range.
    Range(u8, u8),
    /// Inside the prefix, with a length outside the inclusive range (`><`, `!=`).
    Outside(u8, u8),
}

impl Len {
    /// Whether a route of length `len` passes (`own` is the criterion prefix's length).
    pub(crate) fn admits(self, own: u8, len: u8) -> bool {
        match self {
            Len::Exact => own == len,
            Len::Range(lo, hi) => (lo..=hi).contains(&len),
            Len::Outside(lo, hi) => !(lo..=hi).contains(&len),
        }
    }
}

/// A criterion of a filter rule, decided on an own route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Criterion {
    /// `prefix ...` / `prefix-set ...`: any of these.
    Prefixes(Vec<(IpNetwork, Len)>),
    /// `prefixlen ...` (never [`Len::Exact`]).
    Prefixlen(Len),
    /// `inet` (false) / `inet6` (true).
    Family(bool),
    /// `community ...` and friends: the route carries a matching one.
    Community(Community),
    /// A criterion on the AS path or origin, decided once: own routes have an empty AS path
    /// and origin IGP.
    Fixed(bool),
}

/// An outbound filter rule.
#[derive(Clone, Debug)]
pub(crate) struct Rule {
    pub(crate) action: Action,
    pub(crate) quick: bool,
    pub(crate) peer: Peer,
    pub(crate) criteria: Vec<Criterion>,
    /// Communities added by `set` when the rule matches.
    pub(crate) set: Vec<Community>,
}

/// Parses a config already added to `sources` as `file`; `reader` reads includes.
pub(crate) fn parse(file: FileId, sources: &mut Sources, reader: &mut Reader<'_>) -> Conf {
    let text = sources.text(file).to_owned();
    let mut ctx = lex::Ctx::new(reader, sources);
    let stmts = lex::parse_statements(&mut ctx, file, &text);
    let mut interp = interp::Interp::new(ctx);
    interp.run(&stmts);
    interp.finish()
}

/// The severity-ordered note for a config bgpd before 6.4 wrote.
pub(super) fn legacy_note(loc: Loc) -> Finding {
    Finding::new(
        Code::BgpConfigLegacy,
        loc,
        "bgpd.conf: syntax of OpenBGPD before 6.4: read with that release's defaults (routes are \
         sent unless a rule denies them); bgpd 6.4 and later refuse this line",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn conf(text: &str) -> Conf {
        let mut sources = Sources::new();
        let file = sources.add("bgpd.conf".into(), text.into());
        let mut reader = |p: &str| -> Result<(String, String), String> {
            if p == "inc.conf" {
                Ok(("inc.conf".into(), "network 203.0.113.0/24\n".into()))
            } else {
                Err("no".into())
            }
        };
        parse(file, &mut sources, &mut reader)
    }

    fn to(c: &Conf, asn: u32) -> Vec<String> {
        c.announced_to(asn).into_iter().map(|(p, _)| p.to_string()).collect()
    }

    fn codes(c: &Conf) -> Vec<Code> {
        c.skipped.iter().map(|f| f.code).collect()
    }

    /// OpenBGPD's own example configs, unmodified: the repository keeps copies in the CLI
    /// fixtures that build inventories around them.
    fn real(version: &str) -> String {
        let dir = env!("CARGO_MANIFEST_DIR");
        std::fs::read_to_string(format!(
            "{dir}/tests/cmd/bgp/openbsd-{version}.in/inventory/routers/bgpd.conf"
        ))
        .unwrap()
    }

    const HEAD: &str = "AS 64500\nneighbor 192.0.2.2 { remote-as 64501 }\ngroup transit {\n remote-as 64502\n neighbor 192.0.2.6 { descr b }\n}\n";

    #[test]
    fn openbsd_example_1_14() {
        let c = conf(&real("1.14"));
        assert_eq!(c.asn.map(|a| a.0), Some(65001));
        assert!(!c.invalid, "{:?}", c.skipped);
        assert_eq!(c.neighbors.len(), 7);
        assert_eq!(to(&c, 65002), vec!["192.0.2.0/24"]);
        assert_eq!(to(&c, 65123), vec!["192.0.2.0/24", "2001:db8:abcd::/48"]);
        assert_eq!(to(&c, 65001), vec!["192.0.2.0/24", "2001:db8:abcd::/48"]);
    }

    #[test]
    fn openbsd_example_1_6_is_legacy() {
        let c = conf(&real("1.6"));
        assert_eq!(c.asn.map(|a| a.0), Some(65001));
        assert!(c.networks.is_empty(), "every network line is commented out");
        assert!(c.legacy.is_some());
        assert!(codes(&c).contains(&Code::BgpConfigLegacy));
    }

    #[test]
    fn filters_families_and_quick() {
        let c = conf(
            "AS 64500\nnetwork 198.18.0.0/22\nnetwork 198.18.1.0/24\nnetwork 2001:db8:100::/44\n\
             neighbor 192.0.2.1 {\n remote-as 64501\n announce IPv6 unicast\n}\n\
             neighbor 192.0.2.2 { remote-as 64502 }\n\
             deny to any\nallow to ebgp prefix 198.18.0.0/22 prefixlen <= 24\nallow to ebgp inet6\n\
             deny quick to 192.0.2.2 prefix 198.18.1.0/24\nallow to any prefix 198.18.1.0/24\ninclude \"inc.conf\"\n",
        );
        assert!(!c.invalid, "{:?}", c.skipped);
        assert_eq!(to(&c, 64501), vec!["198.18.0.0/22", "198.18.1.0/24", "2001:db8:100::/44"]);
        assert_eq!(to(&c, 64502), vec!["198.18.0.0/22"]);
        assert!(c.networks.iter().any(|n| n.prefix.to_string() == "203.0.113.0/24"));
    }

    #[test]
    fn host_bits_and_abbreviations_are_read_as_bgpd_does() {
        let c = conf(&format!(
            "{HEAD}network 198.51.100.1/24\nnetwork 198.18.1/24\nnetwork 198.18/22\nallow to any\n"
        ));
        assert_eq!(to(&c, 64501), vec!["198.0.0.0/22", "198.18.0.0/24", "198.51.100.0/24"]);
        assert_eq!(codes(&c), vec![Code::BgpConfigOddPrefix; 3]);
    }

    #[test]
    fn export_down_and_default_route() {
        let c = conf(
            "AS 64500\nnetwork 198.51.100.0/24\nneighbor 192.0.2.2 {\n remote-as 64501\n export none\n}\n\
             neighbor 192.0.2.6 {\n remote-as 64502\n export default-route\n}\n\
             neighbor 192.0.2.10 {\n remote-as 64503\n down\n}\nallow to any\n",
        );
        assert!(to(&c, 64501).is_empty());
        assert!(to(&c, 64502).is_empty());
        assert_eq!(c.default_routes_to(64502).len(), 1);
        assert!(to(&c, 64503).is_empty());
    }

    #[test]
    fn peers_as_groups_lists_and_addresses() {
        let c = conf(&format!(
            "{HEAD}neighbor 2001:DB8:FFFF::1 {{ remote-as 64503 }}\nnetwork 198.51.100.0/24\n\
             allow to any\ndeny to AS 64502\ndeny to {{ group transit, 192.0.2.2 }}\nallow to 2001:db8:ffff::1\n"
        ));
        assert!(!c.invalid, "{:?}", c.skipped);
        assert!(to(&c, 64501).is_empty());
        assert!(to(&c, 64502).is_empty());
        assert!(to(&c, 64503).is_empty(), "an IPv6 session does not carry IPv4 by default");
    }

    #[test]
    fn maxlen_macros_and_communities() {
        let c = conf(&format!(
            "mine = \"{{ 198.51.100.0/24 2001:db8:100::/48 }}\"\n{HEAD}network 198.51.100.0/25\nnetwork 198.51.100.0/24\n\
             network 203.0.113.0/24 set community 64500:666\n\
             allow to ebgp prefix 198.51.100.0/24 maxlen 25\nallow to ebgp prefix $mine\n\
             allow to ebgp prefix 203.0.113.0/24\ndeny quick to ebgp community BLACKHOLE\ndeny to ebgp community 64500:*\n"
        ));
        assert!(!c.invalid, "{:?}", c.skipped);
        assert_eq!(to(&c, 64501), vec!["198.51.100.0/24", "198.51.100.0/25"]);
    }

    #[test]
    fn what_bgpd_refuses_is_an_error() {
        for bad in [
            "allow to any inet prefixlen 8-24",
            "allow to any prefixlen <= 24",
            "allow to any origin igp",
            "allow to group nosuch",
            "allow to 192.0.2.99",
            "allow to any prefix $nothing",
            "allow to any prefix 198.51.100.0/24 prefixlen 16 - 25",
            "neighbor 192.0.2.9 { remote-as 64509\n descr x\n}",
        ] {
            let c = conf(&format!("{HEAD}{bad}\n"));
            assert!(c.invalid, "{bad}");
            assert!(codes(&c).contains(&Code::BgpConfigInvalid), "{bad}");
        }
        for good in [
            "allow to any inet prefixlen <=24",
            "allow to any inet prefixlen 8 - 24",
            "allow to { AS 64502, ebgp }",
        ] {
            let c = conf(&format!("{HEAD}{good}\n"));
            assert!(!c.invalid, "{good}: {:?}", c.skipped);
        }
    }

    #[test]
    fn legacy_announce_reads_with_old_defaults() {
        let c = conf(
            "AS 64500\nnetwork 198.18.0.0/22\nneighbor 192.0.2.1 {\n remote-as 64501\n announce self\n}\n\
             neighbor 192.0.2.2 {\n remote-as 64502\n announce none\n}\ndeny to any prefix 198.18.0.0/22 prefixlen > 22\n",
        );
        assert_eq!(to(&c, 64501), vec!["198.18.0.0/22"]);
        assert!(to(&c, 64502).is_empty());
        assert!(codes(&c).contains(&Code::BgpConfigLegacy));
        let caps = conf(&format!(
            "{HEAD}neighbor 192.0.2.9 {{\n remote-as 64509\n announce as-4byte no\n announce add-path send best\n}}\n"
        ));
        assert!(caps.skipped.is_empty(), "{:?}", caps.skipped);
    }

    #[test]
    fn garbage_never_panics() {
        for text in [
            "}}} {{{ \"unterminated\nfoo bar\nneighbor { remote-as x }\nallow\nallow to\nnetwork\nprefixlen\nAS\n\\",
            "a = \"$a\"\nb = $a\n$b",
            "x = \"{\"\nallow to $x",
            "AS 1\nneighbor 1.2.3.4 {\n",
            "AS 1\nallow to any prefix { 1.2.3.4/",
        ] {
            let c = conf(text);
            assert!(!c.skipped.is_empty());
        }
    }
}
