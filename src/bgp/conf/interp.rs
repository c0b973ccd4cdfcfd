//! The statements of a config, interpreted: `AS`, `network`, `prefix-set`, groups and
//! neighbours; filter rules in [`super::rule`].

use std::collections::BTreeMap;

use ipnetwork::IpNetwork;

use super::lex::{Ctx, Item, Op, Stmt};
use super::{Community, Conf, Export, Len, Neighbor, Network, addr};
use crate::diag::{Code, Finding, Loc};

/// Global statements that do not change what is announced: read, and ignored.
const IGNORED_GLOBAL: &[&str] = &[
    "router-id",
    "listen",
    "holdtime",
    "fib-update",
    "fib-priority",
    "log",
    "socket",
    "rde",
    "nexthop",
    "dump",
    "route-collector",
    "transparent-as",
    "connect-retry",
    "as-set",
    "origin-set",
    "roa-set",
    "aspa-set",
    "rtr",
    "rib",
    "mrtdump",
    "reject",
    "tcp",
    "flowspec",
    "max-communities",
    "max-large-communities",
    "max-ext-communities",
    "staletime",
];

/// Neighbour settings that do not change what is announced.
const IGNORED_NEIGHBOR: &[&str] = &[
    "local-address",
    "multihop",
    "passive",
    "holdtime",
    "tcp",
    "ipsec",
    "enforce",
    "set",
    "rib",
    "route-reflector",
    "depend",
    "demote",
    "dump",
    "max-prefix",
    "ttl-security",
    "role",
    "transparent-as",
    "log",
    "rde",
    "port",
    "as-override",
    "local-as",
    "auth",
    "reject",
    "staletime",
    "rtlabel",
];

pub(super) struct Interp<'r, 'a> {
    pub(super) ctx: Ctx<'r, 'a>,
    pub(super) conf: Conf,
    pub(super) prefix_sets: BTreeMap<String, Vec<(IpNetwork, Len, Loc)>>,
}

impl<'r, 'a> Interp<'r, 'a> {
    pub(super) fn new(ctx: Ctx<'r, 'a>) -> Self {
        Interp { ctx, conf: Conf::default(), prefix_sets: BTreeMap::new() }
    }

    pub(super) fn finish(mut self) -> Conf {
        if let Some(loc) = self.conf.legacy {
            self.ctx.findings.push(super::legacy_note(loc));
        }
        self.conf.skipped = self.ctx.findings;
        self.conf.invalid = self.ctx.invalid;
        self.conf
    }

    pub(super) fn run(&mut self, stmts: &[Stmt]) {
        for s in stmts {
            let Some(head) = s.items.first() else { continue };
            if matches!(s.items.get(1), Some(Item::Op(Op::Eq, _))) {
                continue; // a macro, defined while lexing
            }
            let Some(word) = head.text().filter(|_| !matches!(head, Item::Word { quoted: true, .. })) else {
                self.ctx.error(head.loc(), "syntax error");
                continue;
            };
            match word {
                "AS" => match s.items.get(1).and_then(Item::text).and_then(|w| w.parse::<u32>().ok()) {
                    Some(asn) => self.conf.asn = Some((asn, s.loc)),
                    None => self.ctx.error(s.loc, "syntax error: `AS` needs an AS number"),
                },
                "network" => self.network(s),
                "prefix-set" => self.prefix_set(s),
                "group" | "neighbor" if self.conf.asn.is_none() => {
                    self.ctx.error(s.loc, "AS needs to be given before neighbor definitions");
                }
                "group" => self.group(s),
                "neighbor" => self.neighbor(s, Neighbor::default()),
                "allow" | "deny" | "match" => self.rule(s),
                h if IGNORED_GLOBAL.contains(&h) => {}
                h => self.ctx.skip(s.loc, format!("statement `{h}`")),
            }
        }
    }

    /// A group: its settings in order, each neighbour inside taking those before it.
    fn group(&mut self, s: &Stmt) {
        let Some(name) = s.items.get(1).and_then(Item::text) else {
            self.ctx.error(s.loc, "syntax error: a group needs a name");
            return;
        };
        let mut base = Neighbor { group: Some(name.to_owned()), ..Neighbor::default() };
        for st in s.block.as_deref().unwrap_or(&[]) {
            if st.items.first().is_some_and(|i| i.is("neighbor")) {
                self.neighbor(st, base.clone());
            } else {
                self.setting(st, &mut base);
            }
        }
    }

    fn neighbor(&mut self, s: &Stmt, mut n: Neighbor) {
        let Some(spec) = s.items.get(1).and_then(Item::text) else {
            self.ctx.error(s.loc, "syntax error: a neighbor needs an address");
            return;
        };
        let parsed = match (s.items.get(2), s.items.get(3).and_then(Item::text)) {
            (Some(Item::Op(Op::Slash, _)), Some(len)) => {
                addr::prefix(spec, len).map(|r| (None, r.net.is_ipv6()))
            }
            _ => addr::address(spec)
                .map(|a| (Some(a), a.is_ipv6()))
                .ok_or_else(|| format!("could not parse address spec \"{spec}\"")),
        };
        match parsed {
            Ok((a, v6)) => {
                n.addr = a;
                n.v6 = v6;
            }
            Err(e) => {
                self.ctx.error(s.loc, e);
                return;
            }
        }
        n.loc = Some(s.loc);
        for st in s.block.as_deref().unwrap_or(&[]) {
            if st.items.first().is_some_and(|i| i.is("neighbor")) {
                self.ctx.error(st.loc, "syntax error: a neighbor inside a neighbor");
                continue;
            }
            self.setting(st, &mut n);
        }
        if n.remote_as.is_none_or(|a| a == 0) {
            self.ctx.error(s.loc, "peer AS may not be zero");
        }
        self.conf.neighbors.push(n);
    }

    fn setting(&mut self, s: &Stmt, n: &mut Neighbor) {
        let w = |i: usize| s.items.get(i).and_then(Item::text).unwrap_or("");
        match w(0) {
            "remote-as" => match w(1).parse() {
                Ok(asn) => n.remote_as = Some(asn),
                Err(_) => self.ctx.error(s.loc, format!("syntax error: remote-as `{}`", w(1))),
            },
            "descr" => n.descr = Some(w(1).to_owned()),
            "down" => n.down = true,
            "export" => match w(1) {
                "none" => n.export = Export::None,
                "default-route" => n.export = Export::DefaultRoute,
                other => self.ctx.error(s.loc, format!("syntax error: `export {other}`")),
            },
            "announce" => self.announce(s, n),
            "" => {}
            h if IGNORED_NEIGHBOR.contains(&h) => {}
            h => self.ctx.skip(s.loc, format!("neighbor setting `{h}`")),
        }
    }

    fn announce(&mut self, s: &Stmt, n: &mut Neighbor) {
        let w = |i: usize| s.items.get(i).and_then(Item::text).unwrap_or("");
        let mut legacy = |export| {
            n.export = export;
            self.conf.legacy.get_or_insert(s.loc);
        };
        match (w(1), w(2)) {
            ("IPv4", "unicast") => n.ipv4 = Some(true),
            ("IPv4", "none") => n.ipv4 = Some(false),
            ("IPv6", "unicast") => n.ipv6 = Some(true),
            ("IPv6", "none") => n.ipv6 = Some(false),
            ("IPv4" | "IPv6", "vpn" | "flowspec") => {}
            ("self" | "all", _) => legacy(Export::Filtered),
            ("none", _) => legacy(Export::None),
            ("default-route", _) => legacy(Export::DefaultRoute),
            // Capabilities: they change how routes are sent, not which.
            (
                "as-4byte" | "add-path" | "policy" | "refresh" | "restart" | "enhanced" | "graceful"
                | "extended" | "capabilities",
                _,
            ) => {}
            (other, _) => self.ctx.error(s.loc, format!("syntax error: `announce {other}`")),
        }
    }

    /// Reads `ADDR / LEN` at `items[*i]`, leaving `*i` after it; warns about oddities.
    pub(super) fn take_prefix(&mut self, items: &[Item], i: &mut usize) -> Result<(IpNetwork, Loc), Loc> {
        let (
            Some(Item::Word { text: a, loc, .. }),
            Some(Item::Op(Op::Slash, _)),
            Some(Item::Word { text: l, .. }),
        ) = (items.get(*i), items.get(*i + 1), items.get(*i + 2))
        else {
            let at = items.get(*i).map_or(Loc { file: crate::diag::FileId(0), start: 0, end: 0 }, Item::loc);
            return Err(at);
        };
        let loc = *loc;
        match addr::prefix(a, l) {
            Ok(r) => {
                *i += 3;
                if r.abbreviated {
                    self.odd(loc, format!("`{a}/{l}` is read the inet_aton way, as {}", r.net));
                } else if r.host_bits {
                    self.odd(loc, format!("`{a}/{l}` has host bits set: bgpd uses {}", r.net));
                }
                Ok((r.net, loc))
            }
            Err(e) => {
                self.ctx.error(loc, e);
                Err(loc)
            }
        }
    }

    fn odd(&mut self, loc: Loc, what: String) {
        self.ctx.findings.push(
            Finding::new(Code::BgpConfigOddPrefix, loc, format!("bgpd.conf: {what}"))
                .hint("write the prefix in full, with its network address"),
        );
    }

    fn network(&mut self, s: &Stmt) {
        let items = &s.items;
        let mut i = 1;
        let mut prefixes: Vec<(IpNetwork, Loc)> = Vec::new();
        if items.get(1).is_some_and(|x| x.is("prefix-set")) {
            let name = items.get(2).and_then(Item::text).unwrap_or_default().to_owned();
            match self.prefix_sets.get(&name) {
                Some(set) if set.iter().any(|e| e.1 != Len::Exact) => {
                    let e = format!(
                        "prefix-set {name} has prefixlen operators and cannot be used in network statements."
                    );
                    self.ctx.error(s.loc, e);
                    return;
                }
                Some(set) => prefixes.extend(set.iter().map(|&(p, _, l)| (p, l))),
                None => self.ctx.error(s.loc, format!("prefix-set \"{name}\" not defined")),
            }
            i = 3;
        } else if items.get(1).is_some_and(|x| x.is("inet") || x.is("inet6")) {
            self.ctx.skip(s.loc, "`network inet|inet6 ...` (routes taken from the kernel)");
            return;
        } else {
            match self.take_prefix(items, &mut i) {
                Ok(p) => prefixes.push(p),
                Err(at) => {
                    self.ctx.error(at, "syntax error");
                    return;
                }
            }
        }
        let communities = match items.get(i) {
            None => Vec::new(),
            Some(x) if x.is("set") => self.set(&items[i + 1..], s.loc),
            Some(x) => {
                self.ctx.error(x.loc(), "syntax error");
                return;
            }
        };
        if prefixes.iter().any(|(p, _)| self.conf.networks.iter().any(|n| n.prefix == *p)) {
            self.ctx.error(s.loc, "duplicate prefix in network statement");
            return;
        }
        self.conf.networks.extend(prefixes.into_iter().map(|(prefix, loc)| Network {
            prefix,
            loc,
            communities: communities.clone(),
        }));
    }

    fn prefix_set(&mut self, s: &Stmt) {
        let name = s.items.get(1).and_then(Item::text).unwrap_or_default().to_owned();
        let Some(Item::List(list, _)) = s.items.get(2) else {
            self.ctx.error(s.loc, "syntax error: a prefix-set needs `{ ... }`");
            return;
        };
        if let Some(extra) = s.items.get(3) {
            self.ctx.error(extra.loc(), "syntax error");
            return;
        }
        let entries = self.prefix_list(list);
        self.prefix_sets.insert(name, entries);
    }

    /// The communities of `set X` / `set { X, Y }` (other attributes are read and ignored).
    pub(super) fn set(&mut self, items: &[Item], at: Loc) -> Vec<Community> {
        let flat: Vec<Item> = match items {
            [Item::List(l, _)] => l.clone(),
            _ => items.to_vec(),
        };
        let mut out = Vec::new();
        let mut i = 0;
        while i < flat.len() {
            let kind = flat[i].text().unwrap_or("");
            if matches!(kind, "community" | "large-community" | "ext-community") {
                match flat.get(i + 1).and_then(Item::text).filter(|w| *w != "delete") {
                    Some(v) => match super::rule::community(kind, v, &flat[i + 2..]) {
                        Ok((c, used)) => {
                            out.push(c);
                            i += used;
                        }
                        Err(e) => self.ctx.error(flat[i].loc(), e),
                    },
                    None => self.ctx.skip(at, format!("`set {kind} delete`")),
                }
            }
            i += 1;
        }
        out
    }
}
