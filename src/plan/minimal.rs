//! A real conflict for `plan-infeasible`: a set of services that cannot move by themselves
//! (with all their moving replicas, under the same rules), made small by deletion, and the ways
//! out that resolve it, each re-checked.

use crate::num::u32_of;
use crate::plan::bound;
use crate::plan::exact::{Found, Query, exact};
use crate::plan::heuristic::heuristic;
use crate::plan::ids::{GroupId, IdVec, SvcIx};
use crate::plan::problem::{Group, Problem};
use crate::plan::rules::{MACHINES, UNITS};
use crate::plan::solve::EXACT_MAX_GROUPS;

/// Node budget of one infeasibility proof: small, as minimising runs many.
const PROOF_BUDGET: u64 = 100_000;

/// Proofs spent on making a conflict smaller.
const MAX_PROOFS: usize = 200;

/// Proofs that may run out of their budget: past these, the conflict stays as small as it got
/// (real, maybe not the smallest). On a large move with no plan most attempts to drop services
/// can be neither proven nor refuted, and each costs the whole budget: 29 such cost 3.5 s on a
/// 2,000-machine move.
const MAX_UNKNOWN: u32 = 8;

/// A change that lets the conflicting services move (checked on them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WayOut {
    /// `order = "any"`: drop R4.
    OrderAny,
    /// All their machines in one keep_together group.
    KeepTogether,
    /// Batches of this many machines and units.
    LargerBatches { machines: u32, units: u32 },
}

/// A conflict proven with the rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Proven {
    /// The services (of the whole move's numbering).
    pub(crate) services: Vec<SvcIx>,
    /// Every group carrying one of their moving replicas.
    pub(crate) groups: Vec<GroupId>,
    /// Changes that resolve it.
    pub(crate) outs: Vec<WayOut>,
}

/// Infeasibility proofs under a shared allowance of proofs that may come back unknown.
struct Prover {
    unknown_left: u32,
}

impl Prover {
    /// Whether a (small) problem has no schedule: `Some(true)` proven, `Some(false)` a schedule
    /// exists, `None` not known within the budget (or the allowance is spent).
    fn infeasible(&mut self, p: &Problem) -> Option<bool> {
        if self.unknown_left == 0 {
            return None;
        }
        let found = infeasible(p);
        if found.is_none() {
            self.unknown_left -= 1;
        }
        found
    }
}

/// Whether a (small) problem has no schedule: `Some(true)` proven, `Some(false)` a schedule
/// exists, `None` not known within the budget.
fn infeasible(p: &Problem) -> Option<bool> {
    if p.groups.is_empty() {
        return Some(false);
    }
    let Ok((_, est)) = bound::lower_bound(p) else { return Some(true) };
    if p.groups.len() > EXACT_MAX_GROUPS {
        return heuristic(p, &est).is_ok().then_some(false);
    }
    // A schedule never needs more batches than groups, plus the nights decisions skip.
    let late = p.domain.iter().map(|d| d.first).max().unwrap_or(0);
    let batches = u32_of(p.groups.len()).saturating_add(late);
    match exact(p, &Query { est: &est, hint: &[], batches, budget: PROOF_BUDGET, first_only: true }) {
        Found::Yes(_) => Some(false),
        Found::No => Some(true),
        Found::Unknown => None,
    }
}

/// The groups carrying the moving replicas of `services`.
fn groups_of(p: &Problem, services: &[SvcIx]) -> Vec<GroupId> {
    let mut g: Vec<GroupId> =
        services.iter().flat_map(|&s| p.services[s].moving.iter().map(|x| x.0)).collect();
    g.sort_unstable();
    g.dedup();
    g
}

/// Services linked to `start` by dependencies both ways, transitively (its wait component).
fn linked(p: &Problem, start: &[SvcIx]) -> Vec<SvcIx> {
    let mut seen: IdVec<SvcIx, bool> = IdVec::filled(false, p.services.len());
    let mut stack: Vec<SvcIx> = start.to_vec();
    let mut out = Vec::new();
    while let Some(s) = stack.pop() {
        if std::mem::replace(&mut seen[s], true) {
            continue;
        }
        out.push(s);
        let svc = &p.services[s];
        stack.extend(svc.deps.iter().chain(&svc.dependents).copied().filter(|&x| !seen[x]));
    }
    out.sort_unstable();
    out
}

/// A real, small conflict among the services, starting from those a search named.
pub(crate) fn prove(p: &Problem, named: &[SvcIx]) -> Option<Proven> {
    let mut named = named.to_vec();
    named.sort_unstable();
    named.dedup();
    let all: Vec<SvcIx> = p.services.ids().collect();
    let mut prover = Prover { unknown_left: MAX_UNKNOWN };
    let candidates = [named.clone(), linked(p, &named), all];
    let mut set = candidates
        .into_iter()
        .filter(|c| !c.is_empty() && groups_of(p, c).len() <= 4 * EXACT_MAX_GROUPS)
        .find(|c| prover.infeasible(&p.restrict(c)) == Some(true))?;
    // Deletion, by halves first: drop a chunk of services while the rest stays infeasible,
    // then smaller chunks, down to single services. Bounded: a move with a large conflict
    // gets a conflict that is real but maybe not the smallest.
    let mut proofs = 0;
    let mut chunk = set.len().div_ceil(2);
    while chunk >= 1 && proofs < MAX_PROOFS && prover.unknown_left > 0 {
        let mut i = set.len();
        while i > 0 && proofs < MAX_PROOFS && prover.unknown_left > 0 && set.len() > 1 {
            let start = i.saturating_sub(chunk);
            let mut without = set.clone();
            without.drain(start..i);
            proofs += 1;
            if !without.is_empty() && prover.infeasible(&p.restrict(&without)) == Some(true) {
                set = without;
            }
            i = start;
        }
        if chunk == 1 {
            break;
        }
        chunk = chunk.div_ceil(2);
    }
    let sub = p.restrict(&set);
    let outs = ways_out(&sub);
    Some(Proven { groups: groups_of(p, &set), services: set, outs })
}

/// The changes among order = "any", one keep_together group and larger batches that let the
/// conflict's services move, each checked with the rules.
fn ways_out(sub: &Problem) -> Vec<WayOut> {
    let mut outs = Vec::new();
    if sub.dependencies_first
        && infeasible(&Problem { dependencies_first: false, ..sub.clone() }) == Some(false)
    {
        outs.push(WayOut::OrderAny);
    }
    if infeasible(&merged(sub)) == Some(false) {
        outs.push(WayOut::KeepTogether);
    }
    let (machines, units) = (u32_of(sub.machines()), sub.units());
    if (machines > sub.max_servers || units > sub.max_units)
        && infeasible(&with_r1(sub, machines.max(sub.max_servers), units.max(sub.max_units))) == Some(false)
    {
        outs.push(WayOut::LargerBatches {
            machines: machines.max(sub.max_servers),
            units: units.max(sub.max_units),
        });
    }
    outs
}

/// The problem with all its groups joined into one (one keep_together group).
fn merged(p: &Problem) -> Problem {
    let mut group = Group { machines: Vec::new(), vms: Vec::new(), units: 0 };
    let mut services = Vec::new();
    let mut demand = Vec::new();
    for (g, grp) in p.groups.enumerate() {
        group.machines.extend(&grp.machines);
        group.vms.extend(&grp.vms);
        group.units += grp.units;
        add_all(&mut services, &p.group_services[g]);
        add_all(&mut demand, &p.demand[g]);
    }
    let first = p.domain.iter().map(|d| d.first).max().unwrap_or(0);
    let last = p.domain.iter().filter_map(|d| d.last).min();
    let mut out = p.clone();
    out.groups = IdVec::from(vec![group]);
    out.group_services = IdVec::from(vec![services]);
    out.demand = IdVec::from(vec![demand]);
    out.domain = IdVec::from(vec![crate::plan::rules::Domain { first, last }]);
    for s in out.services.iter_mut() {
        let total = s.moving_replicas();
        s.moving = vec![(GroupId(0), total)];
    }
    out
}

/// Adds sparse (key, amount) pairs.
fn add_all<K: PartialEq + Copy>(into: &mut Vec<(K, u32)>, from: &[(K, u32)]) {
    for &(k, c) in from {
        match into.iter_mut().find(|x| x.0 == k) {
            Some(e) => e.1 += c,
            None => into.push((k, c)),
        }
    }
}

/// The problem with R1's limits raised.
fn with_r1(p: &Problem, machines: u32, units: u32) -> Problem {
    let mut out = p.clone();
    out.limits[MACHINES].cap = machines;
    out.limits[UNITS].cap = units;
    out.max_servers = machines;
    out.max_units = units;
    out
}
