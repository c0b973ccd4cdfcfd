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
use std::net::IpAddr;

use ipnetwork::IpNetwork;

use crate::diag::{Code, FileId, Finding, Loc};
use crate::source::Sources;

/// What the parser learnt from one config (and its includes).
#[derive(Clone, Debug, Default)]
pub struct Conf {
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
pub struct Neighbor {
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
    /// Where declared.
    pub loc: Option<Loc>,
}

impl Neighbor {
    fn addr_is_v6(&self) -> bool {
        self.addr.contains(':')
    }

    /// Whether routes of this family go to the neighbour.
    pub fn carries(&self, p: IpNetwork) -> bool {
        if p.is_ipv4() {
            self.ipv4.unwrap_or(!self.addr_is_v6())
        } else {
            self.ipv6.unwrap_or(self.addr_is_v6())
        }
    }
}

/// Allow, deny, or match (sets attributes only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// `allow`.
    Allow,
    /// `deny`.
    Deny,
    /// `match`.
    Match,
}

/// Which neighbours a rule is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Peer {
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
pub enum Len {
    /// Exactly the prefix.
    Exact,
    /// The prefix or anything more specific inside it.
    OrLonger,
    /// Inside the prefix, with a length in the inclusive range.
    Range(u8, u8),
}

/// An outbound filter rule.
#[derive(Clone, Debug)]
pub struct Rule {
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
    /// Where written.
    pub loc: Loc,
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
    pub fn announced_to(&self, asn: u32) -> Vec<(IpNetwork, Loc)> {
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
    pub fn has_neighbor_as(&self, asn: u32) -> bool {
        self.neighbors.iter().any(|n| n.remote_as == Some(asn))
    }
}

// ---------------------------------------------------------------------------------------------
// Tokens and statements

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Word(String),
    Str(String),
    Open,
    Close,
    Eq,
    Newline,
}

/// Splits a config into tokens with byte spans: `#` comments, `\` continuations, quoted
/// strings, braces, `=`, newlines; commas separate like blanks.
fn tokenize(text: &str) -> Vec<(Tok, usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'\\' => {
                // A backslash, optional blanks, then a newline: the line continues.
                let mut j = i + 1;
                while j < b.len() && (b[j] == b' ' || b[j] == b'\t' || b[j] == b'\r') {
                    j += 1;
                }
                if j < b.len() && b[j] == b'\n' {
                    i = j + 1;
                } else {
                    out.push((Tok::Word("\\".into()), i, i + 1));
                    i += 1;
                }
            }
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'\n' => {
                out.push((Tok::Newline, i, i + 1));
                i += 1;
            }
            b' ' | b'\t' | b'\r' | b',' => i += 1,
            b'{' => {
                out.push((Tok::Open, i, i + 1));
                i += 1;
            }
            b'}' => {
                out.push((Tok::Close, i, i + 1));
                i += 1;
            }
            b'=' => {
                out.push((Tok::Eq, i, i + 1));
                i += 1;
            }
            b'"' => {
                let start = i;
                i += 1;
                while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                    i += 1;
                }
                let s = text[start + 1..i].to_owned();
                if i < b.len() && b[i] == b'"' {
                    i += 1;
                }
                out.push((Tok::Str(s), start, i));
            }
            _ => {
                let start = i;
                while i < b.len() {
                    let c = b[i];
                    let ends = matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b',' | b'{' | b'}' | b'"' | b'#');
                    // `=` ends a word except in the operators `<=`, `>=`, `!=`.
                    let eq_ends = c == b'=' && !(i > start && matches!(b[i - 1], b'<' | b'>' | b'!'));
                    if ends || eq_ends {
                        break;
                    }
                    i += 1;
                }
                if i == start {
                    // A lone byte that starts nothing (cannot happen with the arms above).
                    i += 1;
                    continue;
                }
                out.push((Tok::Word(text[start..i].to_owned()), start, i));
            }
        }
    }
    out
}

/// A word of a statement, or a `{ ... }` list.
#[derive(Clone, Debug)]
enum Item {
    Word(String, Loc),
    List(Vec<(String, Loc)>),
}

/// One statement: its items, and the statements of its block (`group`, `neighbor`).
#[derive(Clone, Debug)]
struct Stmt {
    items: Vec<Item>,
    block: Option<Vec<Stmt>>,
    loc: Loc,
}

const MAX_DEPTH: usize = 16;

struct Parser<'t> {
    toks: &'t [(Tok, usize, usize)],
    pos: usize,
    file: FileId,
    skipped: Vec<Finding>,
}

impl Parser<'_> {
    fn loc(&self, a: usize, b: usize) -> Loc {
        Loc::new(self.file, a..b)
    }

    fn statements(&mut self, depth: usize, in_block: bool) -> Vec<Stmt> {
        let mut out = Vec::new();
        loop {
            while matches!(self.toks.get(self.pos), Some((Tok::Newline, _, _))) {
                self.pos += 1;
            }
            let Some((tok, start, _)) = self.toks.get(self.pos).cloned() else { break };
            if tok == Tok::Close {
                self.pos += 1;
                if in_block {
                    break;
                }
                self.skipped.push(unsupported(self.loc(start, start + 1), "a `}` that closes nothing"));
                continue;
            }
            let mut items = Vec::new();
            let mut block = None;
            let mut end = start;
            while let Some((tok, s, e)) = self.toks.get(self.pos).cloned() {
                match tok {
                    Tok::Newline => {
                        self.pos += 1;
                        break;
                    }
                    Tok::Close => break,
                    Tok::Open => {
                        self.pos += 1;
                        let head = match items.first() {
                            Some(Item::Word(w, _)) => w.as_str(),
                            _ => "",
                        };
                        if matches!(head, "group" | "neighbor") && depth < MAX_DEPTH {
                            block = Some(self.statements(depth + 1, true));
                            break;
                        }
                        items.push(Item::List(self.list()));
                    }
                    Tok::Eq => {
                        items.push(Item::Word("=".into(), self.loc(s, e)));
                        self.pos += 1;
                    }
                    Tok::Word(w) | Tok::Str(w) => {
                        items.push(Item::Word(w, self.loc(s, e)));
                        self.pos += 1;
                    }
                }
                end = e;
            }
            out.push(Stmt { items, block, loc: self.loc(start, end.max(start + 1)) });
        }
        out
    }

    /// The words of a `{ ... }` list up to its closing brace; newlines and nesting flattened.
    fn list(&mut self) -> Vec<(String, Loc)> {
        let mut out = Vec::new();
        let mut depth = 1;
        while let Some((tok, s, e)) = self.toks.get(self.pos).cloned() {
            self.pos += 1;
            match tok {
                Tok::Open => depth += 1,
                Tok::Close => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                Tok::Word(w) | Tok::Str(w) => out.push((w, self.loc(s, e))),
                Tok::Eq => out.push(("=".into(), self.loc(s, e))),
                Tok::Newline => {}
            }
        }
        out
    }
}

fn unsupported(loc: Loc, what: &str) -> Finding {
    Finding::new(Code::BgpConfigUnsupported, loc, format!("bgpd.conf: {what}: skipped"))
}

// ---------------------------------------------------------------------------------------------
// Interpretation

/// Reads an included file: (display name, text) relative to the including config.
pub type Reader<'a> = dyn FnMut(&str) -> Result<(String, String), String> + 'a;

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

struct Interp<'r, 'a> {
    conf: Conf,
    macros: BTreeMap<String, String>,
    prefix_sets: BTreeMap<String, Vec<(IpNetwork, Len, Loc)>>,
    reader: &'r mut Reader<'a>,
    sources: &'r mut Sources,
    depth: usize,
}

impl Interp<'_, '_> {
    fn expand(&self, w: &str) -> String {
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

    fn skip(&mut self, loc: Loc, what: String) {
        self.conf.skipped.push(unsupported(loc, &what));
    }

    fn run(&mut self, stmts: &[Stmt]) {
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
                        loc: Some(s.loc),
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
            let n = Neighbor {
                addr: w.get(1).map(|x| x.0.clone()).unwrap_or_default(),
                loc: Some(st.loc),
                ..base.clone()
            };
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
    fn prefix_list(&mut self, words: &[(String, Loc)], at: Loc) -> Vec<(IpNetwork, Len, Loc)> {
        let mut out: Vec<(IpNetwork, Len, Loc)> = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let (w, l) = (&words[i].0, words[i].1);
            if w == "or-longer" {
                if let Some(last) = out.last_mut() {
                    last.1 = Len::OrLonger;
                }
            } else if w == "prefixlen" {
                let (range, used) = prefixlen(&words[i + 1..]);
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

    fn rule(&mut self, s: &Stmt) {
        // Flatten: words and lists in order.
        let mut toks: Vec<(String, Loc, bool)> = Vec::new();
        let mut lists: Vec<Vec<(String, Loc)>> = Vec::new();
        for item in &s.items {
            match item {
                Item::Word(w, l) => toks.push((self.expand(w), *l, false)),
                Item::List(l) => {
                    toks.push((format!("{{{}}}", lists.len()), s.loc, true));
                    lists.push(l.iter().map(|(w, l)| (self.expand(w), *l)).collect());
                }
            }
        }
        let action = match toks[0].0.as_str() {
            "allow" => Action::Allow,
            "deny" => Action::Deny,
            _ => Action::Match,
        };
        let mut i = 1;
        let quick = toks.get(i).is_some_and(|t| t.0 == "quick");
        if quick {
            i += 1;
        }
        match toks.get(i).map(|t| t.0.as_str()) {
            Some("to") => {}
            Some("from") => return, // inbound: does not change what we announce
            _ => {
                self.skip(s.loc, "a filter rule without `from` or `to`".into());
                return;
            }
        }
        i += 1;
        let peer = match toks.get(i) {
            Some((w, _, false)) if w == "any" => Peer::Any,
            Some((w, _, false)) if w == "ebgp" => Peer::Ebgp,
            Some((w, _, false)) if w == "ibgp" => Peer::Ibgp,
            Some((w, _, false)) if w == "group" => {
                i += 1;
                Peer::Group(toks.get(i).map(|t| t.0.clone()).unwrap_or_default())
            }
            Some((w, _, true)) => {
                let n: usize = w.trim_matches(|c| c == '{' || c == '}').parse().unwrap_or(0);
                Peer::Addrs(lists.get(n).map(|l| l.iter().map(|x| x.0.clone()).collect()).unwrap_or_default())
            }
            Some((w, _, false)) if w.parse::<IpAddr>().is_ok() => Peer::Addrs(vec![w.clone()]),
            other => {
                let what = other.map_or("nothing".to_owned(), |t| format!("`{}`", t.0));
                self.skip(s.loc, format!("a filter rule for peer {what}"));
                return;
            }
        };
        i += 1;
        let mut rule =
            Rule { action, quick, peer, prefixes: None, prefixlen: None, family_v6: None, loc: s.loc };
        while i < toks.len() {
            let (w, _, is_list) = toks[i].clone();
            match w.as_str() {
                "inet" => rule.family_v6 = Some(false),
                "inet6" => rule.family_v6 = Some(true),
                "prefix-set" => {
                    i += 1;
                    let name = toks.get(i).map(|t| t.0.clone()).unwrap_or_default();
                    let mut set: Vec<(IpNetwork, Len)> = match self.prefix_sets.get(&name) {
                        Some(set) => set.iter().map(|&(p, l, _)| (p, l)).collect(),
                        None => {
                            self.skip(s.loc, format!("filter on unknown prefix-set `{name}`"));
                            Vec::new()
                        }
                    };
                    if toks.get(i + 1).is_some_and(|t| t.0 == "exact") {
                        i += 1; // the default
                    } else if toks.get(i + 1).is_some_and(|t| t.0 == "or-longer") {
                        i += 1;
                        for e in &mut set {
                            e.1 = Len::OrLonger;
                        }
                    }
                    rule.prefixes.get_or_insert_with(Vec::new).extend(set);
                }
                "prefix" => {
                    i += 1;
                    let mut words: Vec<(String, Loc)> = Vec::new();
                    if let Some((w, l, list)) = toks.get(i).cloned() {
                        if list {
                            let n: usize = w.trim_matches(|c| c == '{' || c == '}').parse().unwrap_or(0);
                            words.extend(lists.get(n).cloned().unwrap_or_default());
                        } else {
                            words.push((w, l));
                        }
                    }
                    // Modifiers of this prefix.
                    while let Some((m, l, false)) = toks.get(i + 1).cloned() {
                        if m == "or-longer" || m == "exact" {
                            words.push((m, l));
                            i += 1;
                        } else if m == "prefixlen" {
                            let rest: Vec<(String, Loc)> =
                                toks[i + 2..].iter().map(|t| (t.0.clone(), t.1)).collect();
                            let (_, used) = prefixlen(&rest);
                            words.extend(toks[i + 1..i + 2 + used].iter().map(|t| (t.0.clone(), t.1)));
                            i += 1 + used;
                        } else {
                            break;
                        }
                    }
                    let list: Vec<(IpNetwork, Len)> =
                        self.prefix_list(&words, s.loc).into_iter().map(|(p, l, _)| (p, l)).collect();
                    rule.prefixes.get_or_insert_with(Vec::new).extend(list);
                }
                "prefixlen" => {
                    let rest: Vec<(String, Loc)> = toks[i + 1..].iter().map(|t| (t.0.clone(), t.1)).collect();
                    let (range, used) = prefixlen(&rest);
                    rule.prefixlen = range;
                    i += used;
                }
                "set" => break,
                other => {
                    // community, AS, max-as-len...: not evaluated; the rule is assumed to match.
                    if !is_list {
                        self.skip(toks[i].1, format!("filter criterion `{other}` (assumed to match)"));
                    }
                    // Skip the criterion's argument(s).
                    i += 1;
                    while i < toks.len() && !is_keyword(&toks[i].0) {
                        i += 1;
                    }
                    continue;
                }
            }
            i += 1;
        }
        self.conf.rules.push(rule);
    }
}

fn is_keyword(w: &str) -> bool {
    matches!(w, "inet" | "inet6" | "prefix-set" | "prefix" | "prefixlen" | "set")
}

/// Parses `prefixlen` arguments: `OP N`, `N - M`, `N >< M`, `N <> M` (the last is not a
/// range: it is read as its complement's hull, which is never narrower). Returns the inclusive
/// range and the number of words used.
fn prefixlen(words: &[(String, Loc)]) -> (Option<(u8, u8)>, usize) {
    let w = |i: usize| words.get(i).map(|x| x.0.as_str()).unwrap_or("");
    let num = |s: &str| s.parse::<u8>().ok();
    match (w(0), num(w(0))) {
        (_, Some(a)) => match (w(1), num(w(2))) {
            ("-", Some(b)) => (Some((a, b)), 3),
            ("><", Some(b)) => (Some((a.saturating_add(1), b.saturating_sub(1))), 3),
            ("<>", Some(_)) => (Some((0, 128)), 3),
            _ => (Some((a, a)), 1),
        },
        (op, None) => match (op, num(w(1))) {
            ("=", Some(n)) => (Some((n, n)), 2),
            ("!=", Some(_)) => (Some((0, 128)), 2),
            ("<", Some(n)) => (Some((0, n.saturating_sub(1))), 2),
            ("<=", Some(n)) => (Some((0, n)), 2),
            (">", Some(n)) => (Some((n.saturating_add(1), 128)), 2),
            (">=", Some(n)) => (Some((n, 128)), 2),
            _ => (None, 0),
        },
    }
}

fn parse_statements(file: FileId, text: &str, skipped: &mut Vec<Finding>) -> Vec<Stmt> {
    let toks = tokenize(text);
    let mut p = Parser { toks: &toks, pos: 0, file, skipped: Vec::new() };
    let stmts = p.statements(0, false);
    skipped.append(&mut p.skipped);
    stmts
}

/// Parses a config already added to `sources` as `file`; `reader` reads includes.
pub fn parse(file: FileId, sources: &mut Sources, reader: &mut Reader<'_>) -> Conf {
    let text = sources.text(file).to_owned();
    let mut conf = Conf::default();
    let stmts = parse_statements(file, &text, &mut conf.skipped);
    let mut interp =
        Interp { conf, macros: BTreeMap::new(), prefix_sets: BTreeMap::new(), reader, sources, depth: 0 };
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
