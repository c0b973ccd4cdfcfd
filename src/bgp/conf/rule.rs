//! Outbound filter rules: `allow|deny|match [quick] to PEER criteria... [set ...]`.

use ipnetwork::IpNetwork;

use super::interp::Interp;
use super::lex::{Item, Stmt};
use super::{Action, Len, Peer, Rule};
use crate::diag::Loc;

/// One argument of a rule after macro expansion: a word, or a `{ ... }` list.
#[derive(Clone, Debug)]
enum Arg {
    Word(String, Loc),
    List(Vec<(String, Loc)>),
}

impl Arg {
    /// The word, or `None` for a list.
    fn word(&self) -> Option<&str> {
        match self {
            Arg::Word(w, _) => Some(w),
            Arg::List(_) => None,
        }
    }
}

/// Criteria that start a new part of the rule.
fn is_keyword(a: &Arg) -> bool {
    matches!(a.word(), Some("inet" | "inet6" | "prefix-set" | "prefix" | "prefixlen" | "set"))
}

impl Interp<'_, '_> {
    pub(super) fn rule(&mut self, s: &Stmt) {
        let args: Vec<Arg> = s
            .items
            .iter()
            .map(|item| match item {
                Item::Word(w, l) => Arg::Word(self.expand(w), *l),
                Item::List(l) => Arg::List(l.iter().map(|(w, l)| (self.expand(w), *l)).collect()),
            })
            .collect();
        let action = match args[0].word() {
            Some("allow") => Action::Allow,
            Some("deny") => Action::Deny,
            _ => Action::Match,
        };
        let mut i = 1;
        let quick = args.get(i).and_then(Arg::word) == Some("quick");
        if quick {
            i += 1;
        }
        match args.get(i).and_then(Arg::word) {
            Some("to") => {}
            Some("from") => return, // inbound: does not change what we announce
            _ => {
                self.skip(s.loc, "a filter rule without `from` or `to`".into());
                return;
            }
        }
        i += 1;
        let Some(peer) = self.peer(s, &args, &mut i) else { return };
        i += 1;
        let mut rule = Rule { action, quick, peer, prefixes: None, prefixlen: None, family_v6: None };
        while i < args.len() {
            match &args[i] {
                Arg::Word(w, _) if w == "inet" => rule.family_v6 = Some(false),
                Arg::Word(w, _) if w == "inet6" => rule.family_v6 = Some(true),
                Arg::Word(w, _) if w == "prefix-set" => {
                    let set = self.prefix_set_criterion(s, &args, &mut i);
                    rule.prefixes.get_or_insert_with(Vec::new).extend(set);
                }
                Arg::Word(w, _) if w == "prefix" => {
                    let list = self.prefix_criterion(s, &args, &mut i);
                    rule.prefixes.get_or_insert_with(Vec::new).extend(list);
                }
                Arg::Word(w, _) if w == "prefixlen" => {
                    let (range, used) = prefixlen(&args[i + 1..]);
                    rule.prefixlen = range;
                    i += used;
                }
                Arg::Word(w, _) if w == "set" => break,
                other => {
                    // community, AS, max-as-len...: not evaluated; the rule is assumed to match.
                    if let Arg::Word(w, l) = other {
                        self.skip(*l, format!("filter criterion `{w}` (assumed to match)"));
                    }
                    // Skip the criterion's argument(s).
                    i += 1;
                    while i < args.len() && !is_keyword(&args[i]) {
                        i += 1;
                    }
                    continue;
                }
            }
            i += 1;
        }
        self.conf.rules.push(rule);
    }

    /// The peer of a rule at `args[*i]` (`*i` left on its last word), or `None` when skipped.
    fn peer(&mut self, s: &Stmt, args: &[Arg], i: &mut usize) -> Option<Peer> {
        let peer = match args.get(*i) {
            Some(Arg::Word(w, _)) if w == "any" => Peer::Any,
            Some(Arg::Word(w, _)) if w == "ebgp" => Peer::Ebgp,
            Some(Arg::Word(w, _)) if w == "ibgp" => Peer::Ibgp,
            Some(Arg::Word(w, _)) if w == "group" => {
                *i += 1;
                Peer::Group(args.get(*i).and_then(Arg::word).unwrap_or_default().to_owned())
            }
            Some(Arg::List(l)) => Peer::Addrs(l.iter().map(|x| x.0.clone()).collect()),
            Some(Arg::Word(w, _)) if w.parse::<std::net::IpAddr>().is_ok() => Peer::Addrs(vec![w.clone()]),
            other => {
                let what = match other {
                    Some(Arg::Word(w, _)) => format!("`{w}`"),
                    _ => "nothing".to_owned(),
                };
                self.skip(s.loc, format!("a filter rule for peer {what}"));
                return None;
            }
        };
        Some(peer)
    }

    /// `prefix-set NAME [exact|or-longer]` at `args[*i]`.
    fn prefix_set_criterion(&mut self, s: &Stmt, args: &[Arg], i: &mut usize) -> Vec<(IpNetwork, Len)> {
        *i += 1;
        let name = args.get(*i).and_then(Arg::word).unwrap_or_default().to_owned();
        let mut set: Vec<(IpNetwork, Len)> = match self.prefix_sets.get(&name) {
            Some(set) => set.iter().map(|&(p, l, _)| (p, l)).collect(),
            None => {
                self.skip(s.loc, format!("filter on unknown prefix-set `{name}`"));
                Vec::new()
            }
        };
        match args.get(*i + 1).and_then(Arg::word) {
            Some("exact") => *i += 1, // the default
            Some("or-longer") => {
                *i += 1;
                for e in &mut set {
                    e.1 = Len::OrLonger;
                }
            }
            _ => {}
        }
        set
    }

    /// `prefix P|{ list } [or-longer|exact|prefixlen ...]` at `args[*i]`.
    fn prefix_criterion(&mut self, s: &Stmt, args: &[Arg], i: &mut usize) -> Vec<(IpNetwork, Len)> {
        *i += 1;
        let mut words: Vec<(String, Loc)> = Vec::new();
        match args.get(*i) {
            Some(Arg::List(l)) => words.extend(l.iter().cloned()),
            Some(Arg::Word(w, l)) => words.push((w.clone(), *l)),
            None => {}
        }
        // Modifiers of this prefix.
        while let Some(Arg::Word(m, l)) = args.get(*i + 1) {
            if m == "or-longer" || m == "exact" {
                words.push((m.clone(), *l));
                *i += 1;
            } else if m == "prefixlen" {
                let (_, used) = prefixlen(&args[*i + 2..]);
                words.extend(args[*i + 1..*i + 2 + used].iter().map(|a| match a {
                    Arg::Word(w, l) => (w.clone(), *l),
                    Arg::List(_) => (String::new(), s.loc),
                }));
                *i += 1 + used;
            } else {
                break;
            }
        }
        self.prefix_list(&words, s.loc).into_iter().map(|(p, l, _)| (p, l)).collect()
    }
}

/// Parses `prefixlen` arguments: `OP N`, `N - M`, `N >< M`, `N <> M` (the last is not a
/// range: it is read as its complement's hull, which is never narrower). Returns the inclusive
/// range and the number of arguments used.
fn prefixlen(args: &[Arg]) -> (Option<(u8, u8)>, usize) {
    let w = |i: usize| args.get(i).and_then(Arg::word).unwrap_or("");
    prefixlen_words(w(0), w(1), w(2))
}

/// [`prefixlen`] over plain words (a prefix list's modifiers).
pub(super) fn prefixlen_of(words: &[(String, Loc)]) -> (Option<(u8, u8)>, usize) {
    let w = |i: usize| words.get(i).map(|x| x.0.as_str()).unwrap_or("");
    prefixlen_words(w(0), w(1), w(2))
}

fn prefixlen_words(w0: &str, w1: &str, w2: &str) -> (Option<(u8, u8)>, usize) {
    let num = |s: &str| s.parse::<u8>().ok();
    match (w0, num(w0)) {
        (_, Some(a)) => match (w1, num(w2)) {
            ("-", Some(b)) => (Some((a, b)), 3),
            ("><", Some(b)) => (Some((a.saturating_add(1), b.saturating_sub(1))), 3),
            ("<>", Some(_)) => (Some((0, 128)), 3),
            _ => (Some((a, a)), 1),
        },
        (op, None) => match (op, num(w1)) {
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
