//! The statements of a config, interpreted: macros, `AS`, `network`, `prefix-set`, groups and
//! neighbours, includes; filter rules in [`super::rule`].

use std::collections::BTreeMap;

use ipnetwork::IpNetwork;

use super::lex::{Item, Stmt, parse_statements, unsupported};
use super::rule::prefixlen_of;
use super::{Conf, Len, Neighbor};
use crate::diag::Loc;
use crate::source::Sources;

/// Reads an included file: (display name, text) relative to the including config.
pub(crate) type Reader<'a> = dyn FnMut(&str) -> Result<(String, String), String> + 'a;

/// Global keywords that do not change what is announced: understood, and ignored.
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
    "staticroute",
    "reject",
    "ipsec",
    "tcp",
    "flowspec",
    "rde-evaluate",
];

/// Neighbour keywords that do not change what is announced.
const IGNORED_NEIGHBOR: &[&str] = &[
    "local-address",
    "multihop",
    "passive",
    "holdtime",
    "tcp",
    "ipsec",
    "enforce",
    "set",
    "down",
    "rib",
    "route-reflector",
    "depend",
    "demote",
    "dump",
    "export",
    "max-prefix",
    "ttl-security",
    "role",
    "capabilities",
    "transparent-as",
    "log",
    "rde",
    "softreconfig",
    "port",
    "as-override",
    "local-as",
    "authentication",
    "rtlabel",
];

pub(super) struct Interp<'r, 'a> {
    pub(super) conf: Conf,
    macros: BTreeMap<String, String>,
    pub(super) prefix_sets: BTreeMap<String, Vec<(IpNetwork, Len, Loc)>>,
    reader: &'r mut Reader<'a>,
    sources: &'r mut Sources,
    depth: usize,
}

impl<'r, 'a> Interp<'r, 'a> {
    pub(super) fn new(conf: Conf, reader: &'r mut Reader<'a>, sources: &'r mut Sources) -> Self {
        Interp { conf, macros: BTreeMap::new(), prefix_sets: BTreeMap::new(), reader, sources, depth: 0 }
    }

    pub(super) fn expand(&self, w: &str) -> String {
        if !w.contains('$') {
            return w.to_owned();
        }
        let mut out = String::new();
        let mut rest = w;
        while let Some(i) = rest.find('$') {
            out.push_str(&rest[..i]);
            let name_len = rest[i + 1..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len() - i - 1);
            let name = &rest[i + 1..i + 1 + name_len];
            match self.macros.get(name) {
                Some(v) => out.push_str(v),
                None => out.push_str(&rest[i..i + 1 + name_len]),
            }
            rest = &rest[i + 1 + name_len..];
        }
        out.push_str(rest);
        out
    }

    fn words(&self, s: &Stmt) -> Vec<(String, Loc)> {
        s.items
            .iter()
            .filter_map(|i| match i {
                Item::Word(w, l) => Some((self.expand(w), *l)),
                Item::List(_) => None,
            })
            .collect()
    }

    pub(super) fn skip(&mut self, loc: Loc, what: String) {
        self.conf.skipped.push(unsupported(loc, &what));
    }

    pub(super) fn run(&mut self, stmts: &[Stmt]) {
        for s in stmts {
            let w = self.words(s);
            let Some((head, _)) = w.first() else { continue };
            let head = head.as_str();
            if w.get(1).is_some_and(|x| x.0 == "=") {
                let value = w.get(2).map(|x| x.0.clone()).unwrap_or_default();
                self.macros.insert(head.to_owned(), value);
                continue;
            }
            match head {
                "AS" => match w.get(1).and_then(|x| x.0.parse::<u32>().ok()) {
                    Some(asn) => self.conf.asn = Some((asn, s.loc)),
                    None => self.skip(s.loc, "an `AS` that is not a plain AS number".into()),
                },
                "network" => self.network(s, &w),
                "prefix-set" => self.prefix_set(s, &w),
                "include" => self.include(s, &w),
                "group" => {
                    let name = w.get(1).map(|x| x.0.clone()).unwrap_or_default();
                    let base = Neighbor { group: Some(name), ..Neighbor::default() };
                    self.block(s, base);
                }
                "neighbor" => {
                    let n = Neighbor {
                        addr: w.get(1).map(|x| x.0.clone()).unwrap_or_default(),
                        ..Neighbor::default()
                    };
                    let n = self.neighbor_settings(s.block.as_deref().unwrap_or(&[]), n);
                    self.conf.neighbors.push(n);
                }
                "allow" | "deny" | "match" => self.rule(s),
                h if IGNORED_GLOBAL.contains(&h) => {}
                h => self.skip(s.loc, format!("statement `{h}`")),
            }
        }
    }

    /// A group: its own settings first, then each neighbour inside with them as defaults.
    fn block(&mut self, s: &Stmt, base: Neighbor) {
        let stmts = s.block.as_deref().unwrap_or(&[]);
        let settings: Vec<Stmt> = stmts.iter().filter(|st| !Self::is_neighbor(st)).cloned().collect();
        let base = self.neighbor_settings(&settings, base);
        for st in stmts.iter().filter(|st| Self::is_neighbor(st)) {
            let w = self.words(st);
            let n = Neighbor { addr: w.get(1).map(|x| x.0.clone()).unwrap_or_default(), ..base.clone() };
            let n = self.neighbor_settings(st.block.as_deref().unwrap_or(&[]), n);
            self.conf.neighbors.push(n);
        }
    }

    fn is_neighbor(s: &Stmt) -> bool {
        matches!(s.items.first(), Some(Item::Word(w, _)) if w == "neighbor")
    }

    fn neighbor_settings(&mut self, stmts: &[Stmt], mut n: Neighbor) -> Neighbor {
        for s in stmts {
            let w = self.words(s);
            let Some((head, _)) = w.first() else { continue };
            let arg = |i: usize| w.get(i).map(|x| x.0.as_str()).unwrap_or("");
            match head.as_str() {
                "remote-as" => match arg(1).parse() {
                    Ok(asn) => n.remote_as = Some(asn),
                    Err(_) => self.skip(s.loc, format!("remote-as `{}`", arg(1))),
                },
                "descr" => n.descr = Some(arg(1).to_owned()),
                "announce" => match (arg(1), arg(2)) {
                    ("IPv4" | "inet", v) => n.ipv4 = Some(v != "none"),
                    ("IPv6" | "inet6", v) => n.ipv6 = Some(v != "none"),
                    ("self" | "all", _) => n.legacy = Some(true),
                    ("none", _) => n.legacy = Some(false),
                    (other, _) => self.skip(s.loc, format!("`announce {other}`")),
                },
                "neighbor" => self.skip(s.loc, "a neighbor nested in a neighbor".into()),
                h if IGNORED_NEIGHBOR.contains(&h) => {}
                h => self.skip(s.loc, format!("neighbor setting `{h}`")),
            }
        }
        n
    }

    fn network(&mut self, s: &Stmt, w: &[(String, Loc)]) {
        let arg = w.get(1).map(|x| x.0.as_str()).unwrap_or("");
        if arg == "prefix-set" {
            let name = w.get(2).map(|x| x.0.clone()).unwrap_or_default();
            match self.prefix_sets.get(&name) {
                Some(set) => {
                    let entries: Vec<(IpNetwork, Loc)> = set.iter().map(|&(p, _, l)| (p, l)).collect();
                    self.conf.networks.extend(entries);
                }
                None => self.skip(s.loc, format!("`network prefix-set {name}`: no such prefix-set")),
            }
            return;
        }
        match arg.parse::<IpNetwork>() {
            Ok(p) => self.conf.networks.push((p, s.loc)),
            Err(_) => {
                self.skip(s.loc, format!("`network {arg}` (only prefixes and prefix-sets are evaluated)"))
            }
        }
    }

    /// A prefix list: prefixes, each optionally followed by `or-longer` or `prefixlen ...`.
    pub(super) fn prefix_list(&mut self, words: &[(String, Loc)], at: Loc) -> Vec<(IpNetwork, Len, Loc)> {
        let mut out: Vec<(IpNetwork, Len, Loc)> = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let (w, l) = (&words[i].0, words[i].1);
            if w == "or-longer" {
                if let Some(last) = out.last_mut() {
                    last.1 = Len::OrLonger;
                }
            } else if w == "prefixlen" {
                let (range, used) = prefixlen_of(&words[i + 1..]);
                if let (Some(last), Some((lo, hi))) = (out.last_mut(), range) {
                    last.1 = Len::Range(lo, hi);
                }
                i += used;
            } else if let Ok(p) = w.parse::<IpNetwork>() {
                out.push((p, Len::Exact, l));
            } else if w != "exact" {
                self.skip(at, format!("prefix list entry `{w}`"));
            }
            i += 1;
        }
        out
    }

    fn prefix_set(&mut self, s: &Stmt, w: &[(String, Loc)]) {
        let name = w.get(1).map(|x| x.0.clone()).unwrap_or_default();
        let words: Vec<(String, Loc)> = s
            .items
            .iter()
            .filter_map(|i| match i {
                Item::List(l) => Some(l.iter().map(|(w, l)| (self.expand(w), *l)).collect::<Vec<_>>()),
                Item::Word(..) => None,
            })
            .flatten()
            .collect();
        let list = self.prefix_list(&words, s.loc);
        self.prefix_sets.insert(name, list);
    }

    fn include(&mut self, s: &Stmt, w: &[(String, Loc)]) {
        let path = w.get(1).map(|x| x.0.clone()).unwrap_or_default();
        if self.depth >= 8 {
            self.skip(s.loc, format!("`include \"{path}\"` nested too deep"));
            return;
        }
        match (self.reader)(&path) {
            Ok((name, text)) => {
                let file = self.sources.add(name, text);
                let text = self.sources.text(file).to_owned();
                let stmts = parse_statements(file, &text, &mut self.conf.skipped);
                self.depth += 1;
                self.run(&stmts);
                self.depth -= 1;
            }
            Err(e) => self.skip(s.loc, format!("`include \"{path}\"`: {e}")),
        }
    }
}
