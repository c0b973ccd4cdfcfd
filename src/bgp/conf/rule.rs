//! Outbound filter rules: `allow|deny|match [quick] to PEER criteria... [set ...]`, read the
//! way bgpd 7.x reads them (what it refuses is an error here too).

use ipnetwork::IpNetwork;

use super::interp::Interp;
use super::lex::{Item, Op, Stmt};
use super::{Action, Community, Criterion, Len, Part, Peer, Rule, addr};
use crate::diag::Loc;

/// Well-known communities by name.
const WELL_KNOWN: &[(&str, u32, u32)] = &[
    ("GRACEFUL_SHUTDOWN", 65535, 0),
    ("BLACKHOLE", 65535, 666),
    ("NO_EXPORT", 65535, 65281),
    ("NO_ADVERTISE", 65535, 65282),
    ("NO_EXPORT_SUBCONFED", 65535, 65283),
    ("NO_PEER", 65535, 65284),
];

fn part(s: &str) -> Option<Part> {
    match s {
        "*" => Some(Part::Any),
        "local-as" => Some(Part::LocalAs),
        "neighbor-as" => Some(Part::NeighborAs),
        _ => s.parse().ok().map(Part::Num),
    }
}

/// A community of kind `community`, `large-community` or `ext-community` from its words;
/// returns it and how many words after the first it used.
pub(super) fn community(kind: &str, v: &str, rest: &[Item]) -> Result<(Community, usize), String> {
    let bad = || format!("\"{v}\" is not a valid {kind}");
    match kind {
        "community" => {
            if let Some(&(_, a, b)) = WELL_KNOWN.iter().find(|w| w.0 == v) {
                return Ok((Community::Standard(Part::Num(a), Part::Num(b)), 1));
            }
            let (a, b) = v.split_once(':').ok_or_else(bad)?;
            Ok((Community::Standard(part(a).ok_or_else(bad)?, part(b).ok_or_else(bad)?), 1))
        }
        "large-community" => {
            let p: Vec<Part> = v.split(':').map(part).collect::<Option<_>>().ok_or_else(bad)?;
            match p.as_slice() {
                [a, b, c] => Ok((Community::Large(*a, *b, *c), 1)),
                _ => Err(bad()),
            }
        }
        _ => {
            // `ext-community TYPE VALUE` (or one word such as `ovs valid`).
            let second = rest.first().and_then(Item::text);
            match second {
                Some(s) if !is_criterion(s) => Ok((Community::Ext(format!("{v} {s}")), 2)),
                _ => Ok((Community::Ext(v.to_owned()), 1)),
            }
        }
    }
}

fn is_criterion(w: &str) -> bool {
    matches!(
        w,
        "prefix"
            | "prefix-set"
            | "prefixlen"
            | "inet"
            | "inet6"
            | "community"
            | "large-community"
            | "ext-community"
            | "AS"
            | "source-as"
            | "transit-as"
            | "peer-as"
            | "max-as-len"
            | "max-as-seq"
            | "set"
    )
}

fn num(items: &[Item], i: usize) -> Option<u32> {
    items.get(i).and_then(Item::text).and_then(|w| w.parse().ok())
}

type Parsed<T> = Result<T, (Loc, String)>;

impl Interp<'_, '_> {
    pub(super) fn rule(&mut self, s: &Stmt) {
        if let Err((loc, e)) = self.try_rule(s) {
            self.ctx.error(loc, e);
        }
    }

    fn try_rule(&mut self, s: &Stmt) -> Parsed<()> {
        let items = &s.items;
        let syntax = |i: usize| (items.get(i).map_or(s.loc, Item::loc), "syntax error".to_owned());
        let action = match items[0].text() {
            Some("allow") => Action::Allow,
            Some("deny") => Action::Deny,
            _ => Action::Match,
        };
        let mut i = 1;
        let quick = items.get(i).is_some_and(|x| x.is("quick"));
        i += usize::from(quick);
        let outbound = match items.get(i) {
            Some(x) if x.is("to") => true,
            Some(x) if x.is("from") => false,
            _ => return Err(syntax(i)),
        };
        i += 1;
        let peer = self.peer_h(items, &mut i, s.loc)?;
        let mut rule = Rule { action, quick, peer, criteria: Vec::new(), set: Vec::new() };
        let mut family: Option<bool> = None;
        while i < items.len() {
            let item = &items[i];
            if item.is("set") {
                rule.set = self.set(&items[i + 1..], s.loc);
                break;
            }
            let Some(w) = item.text().filter(|_| matches!(item, Item::Word { quoted: false, .. })) else {
                return Err(syntax(i));
            };
            i += 1;
            let c = match w {
                "inet" | "inet6" => {
                    family = Some(w == "inet6");
                    Criterion::Family(w == "inet6")
                }
                "prefix" => Criterion::Prefixes(self.prefix_criterion(items, &mut i, s.loc)?),
                "prefix-set" => Criterion::Prefixes(self.prefix_set_criterion(items, &mut i, s.loc)?),
                "prefixlen" if family.is_some() => {
                    let at = items.get(i).map_or(s.loc, Item::loc);
                    let (lo, hi, outside) = prefixlen(items, &mut i, 0).ok_or_else(|| syntax(i))?;
                    let limit = if family == Some(true) { 128 } else { 32 };
                    if lo > limit || (hi > limit && hi != 128) {
                        return Err((at, format!("prefixlen {} too big, limit {limit}", lo.max(hi))));
                    }
                    let hi = hi.min(limit);
                    Criterion::Prefixlen(if outside { Len::Outside(lo, hi) } else { Len::Range(lo, hi) })
                }
                "community" | "large-community" | "ext-community" => {
                    let v = items.get(i).and_then(Item::text).ok_or_else(|| syntax(i))?;
                    let (c, used) = community(w, v, &items[i + 1..]).map_err(|e| (items[i].loc(), e))?;
                    i += used;
                    Criterion::Community(c)
                }
                // An own route has an empty AS path: its source and neighbour AS are our own.
                "max-as-len" | "max-as-seq" => {
                    num(items, i).ok_or_else(|| syntax(i))?;
                    i += 1;
                    Criterion::Fixed(false)
                }
                // bgpd 7.7 matches neither on an own route (checked in the lab).
                "AS" | "transit-as" | "source-as" => {
                    as_arg(items, &mut i).ok_or_else(|| syntax(i))?;
                    Criterion::Fixed(false)
                }
                "peer-as" => {
                    let own = self.conf.asn.map_or(0, |a| a.0);
                    let (lo, hi) = as_arg(items, &mut i).ok_or_else(|| syntax(i))?;
                    Criterion::Fixed((lo.unwrap_or(own)..=hi.unwrap_or(own)).contains(&own))
                }
                "nexthop" | "ovs" | "avs" | "as-set" | "origin-set" | "max-communities" => {
                    self.ctx.skip(item.loc(), format!("filter criterion `{w}` (taken as not matching)"));
                    while items.get(i).is_some_and(|x| !x.text().is_some_and(is_criterion)) {
                        i += 1;
                    }
                    Criterion::Fixed(false)
                }
                _ => return Err(syntax(i - 1)),
            };
            rule.criteria.push(c);
        }
        if outbound {
            self.conf.rules.push(rule);
        }
        Ok(())
    }

    /// `any`, an address, `AS N`, `group NAME`, `ebgp`, `ibgp`, or a `{ list }` of them.
    fn peer_h(&mut self, items: &[Item], i: &mut usize, at: Loc) -> Parsed<Peer> {
        if let Some(Item::List(list, _)) = items.get(*i) {
            *i += 1;
            let mut out = Vec::new();
            let mut j = 0;
            while j < list.len() {
                if matches!(list[j], Item::Op(Op::Comma, _)) {
                    j += 1;
                    continue;
                }
                out.push(self.peer(list, &mut j, at)?);
            }
            return Ok(Peer::List(out));
        }
        self.peer(items, i, at)
    }

    fn peer(&mut self, items: &[Item], i: &mut usize, at: Loc) -> Parsed<Peer> {
        let item = items.get(*i).ok_or((at, "syntax error".to_owned()))?;
        let loc = item.loc();
        let w = item.text().ok_or((loc, "syntax error".to_owned()))?;
        *i += 1;
        let arg = items.get(*i).and_then(Item::text);
        let peer = match w {
            "any" => Peer::Any,
            "ebgp" => Peer::Ebgp,
            "ibgp" => Peer::Ibgp,
            "AS" => {
                let n = arg.and_then(|a| a.parse().ok()).ok_or((loc, "syntax error".to_owned()))?;
                *i += 1;
                Peer::As(n)
            }
            "group" => {
                let g = arg.ok_or((loc, "syntax error".to_owned()))?.to_owned();
                *i += 1;
                if !self.conf.neighbors.iter().any(|n| n.group.as_deref() == Some(g.as_str())) {
                    return Err((loc, format!("no such group: \"{g}\"")));
                }
                Peer::Group(g)
            }
            _ => {
                let a = addr::address(w).ok_or((loc, "syntax error".to_owned()))?;
                if !self.conf.neighbors.iter().any(|n| n.addr == Some(a)) {
                    return Err((loc, format!("no such peer: {a}")));
                }
                Peer::Addr(a)
            }
        };
        Ok(peer)
    }

    /// `prefix-set NAME [or-longer]` (and the pre-6.4 `exact`).
    fn prefix_set_criterion(
        &mut self,
        items: &[Item],
        i: &mut usize,
        at: Loc,
    ) -> Parsed<Vec<(IpNetwork, Len)>> {
        let name = items.get(*i).and_then(Item::text).ok_or((at, "syntax error".to_owned()))?.to_owned();
        let loc = items[*i].loc();
        *i += 1;
        let set = self.prefix_sets.get(&name).ok_or((loc, format!("prefix-set '{name}' not defined")))?;
        let mut set: Vec<(IpNetwork, Len)> = set.iter().map(|&(p, l, _)| (p, l)).collect();
        match items.get(*i) {
            Some(x) if x.is("or-longer") => {
                *i += 1;
                if set.iter().any(|e| e.1 != Len::Exact) {
                    return Err((
                        loc,
                        format!(
                            "prefix-set {name} contains prefixlen operators and cannot be used with an or-longer filter"
                        ),
                    ));
                }
                for e in &mut set {
                    e.1 = Len::Range(e.0.prefix(), max_len(e.0));
                }
            }
            Some(x) if x.is("exact") => {
                *i += 1;
                self.conf.legacy.get_or_insert(x.loc());
            }
            _ => {}
        }
        Ok(set)
    }

    /// `prefix P [modifier]` or `prefix { P [modifier], ... }`.
    fn prefix_criterion(&mut self, items: &[Item], i: &mut usize, at: Loc) -> Parsed<Vec<(IpNetwork, Len)>> {
        if let Some(Item::List(list, _)) = items.get(*i) {
            *i += 1;
            return Ok(self.prefix_list(list).into_iter().map(|(p, l, _)| (p, l)).collect());
        }
        let (p, _) = self.take_prefix(items, i).map_err(|loc| (loc.max(at), "syntax error".to_owned()))?;
        let len = modifier(items, i, p)?;
        Ok(vec![(p, len)])
    }

    /// The entries of a `{ ... }` prefix list (a prefix-set or `prefix { ... }`).
    pub(super) fn prefix_list(&mut self, list: &[Item]) -> Vec<(IpNetwork, Len, Loc)> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < list.len() {
            if matches!(list[i], Item::Op(Op::Comma, _)) {
                i += 1;
                continue;
            }
            let entry = self
                .take_prefix(list, &mut i)
                .map_err(|loc| (loc, "syntax error".to_owned()))
                .and_then(|(p, loc)| modifier(list, &mut i, p).map(|l| (p, l, loc)));
            match entry {
                Ok(e) => out.push(e),
                Err((loc, e)) => {
                    self.ctx.error(loc, e);
                    break;
                }
            }
        }
        out
    }
}

/// An AS criterion's argument: `N`, `local-as`, `neighbor-as`, or a range `N - M` / `N >< M`;
/// bounds as numbers, `None` for `local-as` (the neighbour's AS is taken as never ours).
fn as_arg(items: &[Item], i: &mut usize) -> Option<(Option<u32>, Option<u32>)> {
    let one = |k: usize| match items.get(k).and_then(Item::text)? {
        "local-as" => Some(None),
        "neighbor-as" => Some(Some(0)),
        w => w.parse().ok().map(Some),
    };
    let a = one(*i)?;
    match items.get(*i + 1) {
        Some(Item::Op(Op::Minus, _)) => {
            let b = one(*i + 2)?;
            *i += 3;
            Some((a, b))
        }
        Some(Item::Op(Op::XRange, _)) => {
            let b = one(*i + 2)?;
            *i += 3;
            Some((a.map(|a| a.saturating_add(1)), b.map(|b| b.saturating_sub(1))))
        }
        _ => {
            *i += 1;
            Some((a, a))
        }
    }
}

fn max_len(p: IpNetwork) -> u8 {
    if p.is_ipv4() { 32 } else { 128 }
}

/// What follows a prefix: `or-longer`, `maxlen N`, `prefixlen RANGE`, or nothing.
fn modifier(items: &[Item], i: &mut usize, p: IpNetwork) -> Parsed<Len> {
    let Some(item) = items.get(*i) else { return Ok(Len::Exact) };
    let loc = item.loc();
    let syntax = || (loc, "syntax error".to_owned());
    let (lo, hi, outside) = if item.is("or-longer") {
        *i += 1;
        (p.prefix(), max_len(p), false)
    } else if item.is("maxlen") {
        let n = num(items, *i + 1).and_then(|n| u8::try_from(n).ok()).ok_or_else(syntax)?;
        *i += 2;
        (p.prefix(), n, false)
    } else if item.is("prefixlen") {
        *i += 1;
        prefixlen(items, i, p.prefix()).ok_or_else(syntax)?
    } else {
        return Ok(Len::Exact);
    };
    let hi = hi.min(max_len(p));
    if lo < p.prefix() {
        return Err((loc, format!("prefixlen {lo} smaller than prefix, limit {}", p.prefix())));
    }
    if hi > max_len(p) || lo > hi {
        return Err((loc, "prefixlen out of range".to_owned()));
    }
    Ok(if outside { Len::Outside(lo, hi) } else { Len::Range(lo, hi) })
}

/// `OP N`, `N - M` or `N >< M` at `items[*i]` as an inclusive range of lengths, and whether
/// the lengths outside it are meant (`><` and `!=`, as bgpd 7.7 reads them); `floor` is the
/// least length a route can have (a prefix's own). `None` when bgpd would not read it.
fn prefixlen(items: &[Item], i: &mut usize, floor: u8) -> Option<(u8, u8, bool)> {
    let n = |k: usize| num(items, *i + k).and_then(|n| u8::try_from(n).ok()).filter(|&n| n <= 128);
    let op = match items.get(*i)? {
        Item::Op(op, _) => Some(*op),
        Item::Word { .. } => None,
        Item::List(..) => return None,
    };
    let Some(op) = op else {
        let a = n(0)?;
        let r = match items.get(*i + 1) {
            Some(Item::Op(Op::Minus, _)) => (a, n(2)?, false),
            Some(Item::Op(Op::XRange, _)) => (a, n(2)?, true),
            _ => {
                *i += 1;
                return Some((a, a, false));
            }
        };
        *i += 3;
        return Some(r);
    };
    let b = n(1)?;
    *i += 2;
    match op {
        Op::Eq => Some((b, b, false)),
        Op::Ne => Some((b, b, true)),
        Op::Lt => Some((floor, b.checked_sub(1)?, false)),
        Op::Le => Some((floor, b, false)),
        Op::Gt => Some((b.checked_add(1)?, 128, false)),
        Op::Ge => Some((b, 128, false)),
        _ => None,
    }
}
