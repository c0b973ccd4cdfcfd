//! Deadlocks found directly: the groups that can never move, because each waits (R4) on
//! replicas that cannot be across in time, since the groups carrying them wait in turn.
//!
//! The rules relaxed as the lower bound relaxes them (R1 and operator decisions dropped; R3 as
//! a flow: at most a service's cap of its replicas a night): a set of groups may move together
//! once every service each of them waits on has its need across, counting in full the replicas
//! of groups that moved before, and those of the set itself up to the service's cap. The
//! nights of any plan, in order, are such steps (a night carries at most the cap of each
//! service), so a group that no sequence of steps reaches has no batch in any plan: the move is
//! infeasible. A cycle of waits is no deadlock by itself: its groups may move together, unless a
//! service on it must have more replicas across than may travel with the set.
//!
//! The lower bound would find the same groups by letting their earliest batches climb past the
//! number of groups, one batch a turn (quadratic). Here, in near-linear time: groups that can
//! move alone are marked as what they wait for comes across (counters, as in a topological
//! sort); when none can, the strongly connected components of the wait graph, in dependency
//! order, are searched for the largest set of their groups that can move together (groups
//! that wait on each other), by removing the groups that cannot, cascading. A component where
//! no such set remains is stuck. Each search is linear in its component; a work budget bounds
//! the searches of a component needing many (then nothing is claimed).

use petgraph::graph::{DiGraph, NodeIndex};

use crate::plan::conflict::Conflict;
use crate::plan::ids::{GroupId, Id, IdVec, SvcIx};
use crate::plan::problem::Problem;

/// The waits of a move (R4): per group, the services it waits on; per service, the groups that
/// wait on it. Without repeats.
struct Waits {
    on: IdVec<GroupId, Vec<SvcIx>>,
    /// Waiting groups that carry none of the service's replicas.
    by: IdVec<SvcIx, Vec<GroupId>>,
    /// Waiting groups that carry some: (replicas they may bring themselves, at most the cap;
    /// the group), most first.
    by_carrier: IdVec<SvcIx, Vec<(u32, GroupId)>>,
}

impl Waits {
    fn new(p: &Problem) -> Waits {
        let mut on: IdVec<GroupId, Vec<SvcIx>> = IdVec::filled(Vec::new(), p.groups.len());
        let mut by: IdVec<SvcIx, Vec<GroupId>> = IdVec::filled(Vec::new(), p.services.len());
        let mut by_carrier: IdVec<SvcIx, Vec<(u32, GroupId)>> = IdVec::filled(Vec::new(), p.services.len());
        if p.dependencies_first {
            for (g, carried) in p.group_services.enumerate() {
                let waits = &mut on[g];
                for &(s, _) in carried {
                    waits.extend(&p.services[s].deps);
                }
                waits.sort_unstable();
                waits.dedup();
                for &t in waits.iter() {
                    match p.carries(g, t) {
                        0 => by[t].push(g),
                        c => by_carrier[t].push((c.min(p.services[t].cap.unwrap_or(u32::MAX)), g)),
                    }
                }
            }
            for list in by_carrier.iter_mut() {
                list.sort_unstable_by(|a, b| b.cmp(a));
            }
        }
        Waits { on, by, by_carrier }
    }

    /// Every group waiting on `t`.
    fn waiters(&self, t: SvcIx) -> impl Iterator<Item = GroupId> + '_ {
        self.by[t].iter().copied().chain(self.by_carrier[t].iter().map(|x| x.1))
    }

    /// Edges and nodes in all: the size the work budget scales with.
    fn size(&self, p: &Problem) -> usize {
        let carried: usize = p.group_services.iter().map(Vec::len).sum();
        let waits: usize = self.on.iter().map(Vec::len).sum();
        p.groups.len() + p.services.len() + carried + waits
    }
}

/// What the detection found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Every group can move (in the relaxation: a plan may still fail on R1).
    Free,
    /// Some groups can never move.
    Stuck {
        /// All of them (those of the core, and those waiting on them).
        groups: Vec<GroupId>,
        /// The services of the first component stuck by itself: the move restricted to them
        /// (with all their moving replicas) is already stuck.
        core: Vec<SvcIx>,
        /// The groups of that component that can never move.
        core_groups: Vec<GroupId>,
    },
    /// The work budget ran out first: nothing is claimed.
    Unknown,
}

/// Strongly connected components of the wait graph (a group points at the services it carries,
/// a service at the groups waiting on it), dependencies first. Nodes: groups, then services.
fn components(p: &Problem, w: &Waits) -> Vec<Vec<NodeIndex>> {
    let ng = p.groups.len();
    let svc = |t: SvcIx| NodeIndex::new(ng + t.ix());
    let mut graph: DiGraph<(), ()> = DiGraph::with_capacity(ng + p.services.len(), 0);
    for _ in 0..ng + p.services.len() {
        graph.add_node(());
    }
    let waited = |t: SvcIx| !w.by[t].is_empty() || !w.by_carrier[t].is_empty();
    for (g, carried) in p.group_services.enumerate() {
        for &(t, _) in carried.iter().filter(|&&(t, _)| waited(t)) {
            graph.add_edge(NodeIndex::new(g.ix()), svc(t), ());
        }
    }
    for t in p.services.ids() {
        for g in w.waiters(t) {
            graph.add_edge(svc(t), NodeIndex::new(g.ix()), ());
        }
    }
    // Kosaraju, not Tarjan: petgraph's Tarjan recurses, and a chain of waits through 100,000
    // groups would overflow the stack. Its components come sinks first.
    let mut sccs = petgraph::algo::kosaraju_scc(&graph);
    sccs.reverse();
    sccs
}

/// The sweep's state: which groups can move, and what they bring across.
struct Sweep<'a> {
    p: &'a Problem,
    w: &'a Waits,
    /// Replicas of each service on the groups found able to move.
    across: IdVec<SvcIx, u32>,
    /// Groups found able to move.
    moves: IdVec<GroupId, bool>,
    /// Per group, the services it waits on whose need it cannot yet complete alone.
    unmet: IdVec<GroupId, usize>,
    /// Per service, how many of `Waits::by_carrier` can complete its need alone.
    met_carriers: IdVec<SvcIx, usize>,
    /// Groups able to move alone, not yet marked.
    queue: Vec<GroupId>,
    /// Groups of the set being peeled, and the replicas of each service they carry.
    in_set: IdVec<GroupId, bool>,
    in_set_replicas: IdVec<SvcIx, u32>,
    /// Work done, against the budget.
    work: usize,
}

impl<'a> Sweep<'a> {
    fn new(p: &'a Problem, w: &'a Waits) -> Sweep<'a> {
        let (ng, ns) = (p.groups.len(), p.services.len());
        let mut sweep = Sweep {
            p,
            w,
            across: IdVec::filled(0, ns),
            moves: IdVec::filled(false, ng),
            unmet: w.on.iter().map(Vec::len).collect(),
            met_carriers: IdVec::filled(0, ns),
            queue: p.groups.ids().filter(|&g| w.on[g].is_empty()).collect(),
            in_set: IdVec::filled(false, ng),
            in_set_replicas: IdVec::filled(0, ns),
            work: 0,
        };
        for t in p.services.ids() {
            sweep.newly_met(t, p.services[t].need);
        }
        sweep
    }

    /// Replicas of `t` still to bring across for its need.
    fn missing(&self, t: SvcIx) -> u32 {
        self.p.services[t].need.saturating_sub(self.across[t])
    }

    /// The groups waiting on `t` that can now complete its need alone (`before`: what was
    /// missing before the last move), one wait fewer each.
    fn newly_met(&mut self, t: SvcIx, before: u32) {
        let missing = self.missing(t);
        while let Some(&(own, g)) = self.w.by_carrier[t].get(self.met_carriers[t]) {
            if own < missing {
                break;
            }
            self.met_carriers[t] += 1;
            self.one_met(g);
        }
        if missing == 0 && before > 0 {
            self.work += self.w.by[t].len();
            for i in 0..self.w.by[t].len() {
                self.one_met(self.w.by[t][i]);
            }
        }
    }

    fn one_met(&mut self, g: GroupId) {
        self.unmet[g] -= 1;
        if self.unmet[g] == 0 && !self.moves[g] {
            self.queue.push(g);
        }
    }

    /// Marks group `g` able to move, and what it brings across.
    fn moved(&mut self, g: GroupId) {
        self.moves[g] = true;
        self.work += self.p.group_services[g].len() + 1;
        for &(t, c) in &self.p.group_services[g] {
            let before = self.missing(t);
            self.across[t] += c;
            if before > 0 {
                self.newly_met(t, before);
            }
        }
    }

    /// Moves every group that can move alone, and what that frees, until none can.
    fn drain(&mut self) {
        while let Some(g) = self.queue.pop() {
            if !self.moves[g] {
                self.moved(g);
            }
        }
    }

    /// Whether service `t` keeps the groups waiting on it out of the set: its need is not
    /// across, and the set cannot bring the rest (more than may travel at once, or more than
    /// the set carries).
    fn blocks(&self, t: SvcIx) -> bool {
        let missing = self.missing(t);
        missing > 0
            && (self.p.services[t].cap.is_some_and(|cap| missing > cap) || self.in_set_replicas[t] < missing)
    }

    /// The largest subset of `r` that can move together (empty when none can): start from all
    /// of `r`, and remove every group waiting on a service that blocks, which may make more
    /// services block.
    fn peel(&mut self, r: &[GroupId]) -> Vec<GroupId> {
        let p = self.p;
        for &g in r {
            self.in_set[g] = true;
            for &(t, c) in &p.group_services[g] {
                self.in_set_replicas[t] += c;
            }
            self.work += p.group_services[g].len() + self.w.on[g].len() + 1;
        }
        let mut out: Vec<GroupId> =
            r.iter().copied().filter(|&g| self.w.on[g].iter().any(|&t| self.blocks(t))).collect();
        for &g in &out {
            self.in_set[g] = false;
        }
        let mut i = 0;
        while let Some(&g) = out.get(i) {
            i += 1;
            for &(t, c) in &p.group_services[g] {
                let blocked = self.blocks(t);
                self.in_set_replicas[t] -= c;
                if blocked || !self.blocks(t) {
                    continue;
                }
                self.work += self.w.by[t].len() + self.w.by_carrier[t].len();
                for y in self.w.waiters(t) {
                    if std::mem::replace(&mut self.in_set[y], false) {
                        out.push(y);
                    }
                }
            }
        }
        let moved: Vec<GroupId> = r.iter().copied().filter(|&g| self.in_set[g]).collect();
        for &g in &moved {
            self.in_set[g] = false;
            for &(t, c) in &p.group_services[g] {
                self.in_set_replicas[t] -= c;
            }
        }
        moved
    }
}

/// The groups that can never move under the relaxed rules (see the module), within a work
/// budget linear in the size of the move. Groups that can move alone are marked as soon as
/// they can, across components; a component whose remaining groups cannot is searched for the
/// largest set of them that can move together (groups waiting on each other), and when there
/// is none, what remains of it is stuck: the components before it are settled, and the ones
/// after it bring nothing it waits on.
pub(crate) fn detect(p: &Problem) -> Verdict {
    let w = Waits::new(p);
    if w.on.iter().all(Vec::is_empty) {
        return Verdict::Free;
    }
    let budget = 64 * w.size(p) + 1_000_000;
    let ng = p.groups.len();
    let mut sweep = Sweep::new(p, &w);
    sweep.drain();
    // Most moves need no group to wait for another that waits for it: no components then.
    if sweep.moves.iter().all(|&m| m) {
        return Verdict::Free;
    }
    let mut stuck = Vec::new();
    let mut core = None;
    for comp in components(p, &w) {
        let groups: Vec<GroupId> =
            comp.iter().filter(|n| n.index() < ng).map(|n| GroupId::from_ix(n.index())).collect();
        loop {
            let mut r: Vec<GroupId> = groups.iter().copied().filter(|&g| !sweep.moves[g]).collect();
            if r.is_empty() {
                break;
            }
            let together = sweep.peel(&r);
            if sweep.work > budget {
                return Verdict::Unknown;
            }
            if together.is_empty() {
                r.sort_unstable();
                if core.is_none() {
                    core = Some((core_services(p, &comp, &r), r.clone()));
                }
                stuck.extend(r);
                break;
            }
            for g in together {
                sweep.moved(g);
            }
            sweep.drain();
        }
    }
    match core {
        None => Verdict::Free,
        Some((core, core_groups)) => {
            stuck.sort_unstable();
            Verdict::Stuck { groups: stuck, core, core_groups }
        }
    }
}

/// The services that keep the stuck groups `r` of component `comp` stuck: the component's
/// services, and those the groups carry that wait on one of them (the R4 edges inside the
/// component).
fn core_services(p: &Problem, comp: &[NodeIndex], r: &[GroupId]) -> Vec<SvcIx> {
    let ng = p.groups.len();
    let mut inside: Vec<SvcIx> =
        comp.iter().filter(|n| n.index() >= ng).map(|n| SvcIx::from_ix(n.index() - ng)).collect();
    inside.sort_unstable();
    let mut out = inside.clone();
    for &g in r {
        for &(s, _) in &p.group_services[g] {
            if p.services[s].deps.iter().any(|t| inside.binary_search(t).is_ok()) {
                out.push(s);
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The deadlock as a conflict, when the detection finds one: the core's services and its
/// stuck groups.
pub(crate) fn conflict(p: &Problem) -> Option<Conflict> {
    match detect(p) {
        Verdict::Stuck { core, core_groups, .. } => {
            Some(Conflict::DependencyDeadlock { services: core, groups: core_groups })
        }
        Verdict::Free | Verdict::Unknown => None,
    }
}

/// Detections spent on making a core smaller, at most.
const MAX_CHECKS: usize = 64;

/// The services of `p.restrict(keep)` that are its own core, in `p`'s numbering, when that
/// restriction is stuck; and the size of the restriction (groups and services).
fn stuck_core(p: &Problem, keep: &[SvcIx]) -> (Option<Vec<SvcIx>>, usize) {
    let sub = p.restrict(keep);
    let size = sub.groups.len() + sub.services.len();
    match detect(&sub) {
        // The restriction numbers the kept services in `keep`'s order.
        Verdict::Stuck { core, .. } => (Some(core.iter().map(|s| keep[s.ix()]).collect()), size),
        Verdict::Free | Verdict::Unknown => (None, size),
    }
}

/// A smaller set of `services` (sorted) that still cannot move by itself, when the detection
/// proves that `services` cannot: services dropped by halves, then one by one, while the rest
/// stays stuck, each time keeping only the restriction's own core. Bounded in checks and in
/// the size they cover together (a core of thousands of services may stay large);
/// `services` unchanged when the detection does not prove them stuck.
pub(crate) fn shrink(p: &Problem, services: &[SvcIx]) -> Vec<SvcIx> {
    let (Some(mut set), first) = stuck_core(p, services) else { return services.to_vec() };
    let budget = 8 * first + 20_000;
    let (mut checks, mut spent) = (1, 0);
    let mut chunk = set.len().div_ceil(2);
    let more = |checks: usize, spent: usize| checks < MAX_CHECKS && spent < budget;
    while chunk >= 1 && more(checks, spent) {
        let mut i = set.len();
        while i > 0 && set.len() > 1 && more(checks, spent) {
            let start = i.saturating_sub(chunk);
            let mut without = set.clone();
            without.drain(start..i);
            checks += 1;
            let (core, size) = stuck_core(p, &without);
            spent += size;
            match core {
                Some(core) if !without.is_empty() => {
                    // Positions below `start` only move down in the smaller set.
                    i = start.min(core.len());
                    set = core;
                }
                _ => i = start,
            }
        }
        if chunk == 1 {
            break;
        }
        chunk = chunk.div_ceil(2);
    }
    set
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::model::{ServerId, ServiceId};
    use crate::plan::bound::fluid_ready;
    use crate::plan::ids::{BatchIx, Dim};
    use crate::plan::problem::{Group, Svc};
    use crate::plan::rules::{self, Domain, Limit, Resource};

    /// A service of a test move: (group, replicas) moving, replicas that stay, min_up, and the
    /// services it depends on.
    type SvcSpec = (Vec<(usize, u32)>, u32, u32, Vec<usize>);

    /// A move of `groups` one-machine groups, `max_servers` a night, and `services`.
    fn problem(groups: usize, services: &[SvcSpec], max_servers: u32) -> Problem {
        let mut svcs: IdVec<SvcIx, Svc> = IdVec::default();
        for (i, (moving, stay, min_up, _)) in services.iter().enumerate() {
            let mut per: Vec<(GroupId, u32)> = Vec::new();
            for &(g, c) in moving {
                match per.iter_mut().find(|x| x.0 == GroupId::from_ix(g)) {
                    Some(e) => e.1 += c,
                    None => per.push((GroupId::from_ix(g), c)),
                }
            }
            per.sort_unstable();
            let total: u32 = per.iter().map(|x| x.1).sum();
            let n = total + stay;
            let min_up = (*min_up).min(n);
            svcs.push(Svc {
                id: ServiceId::from_ix(i),
                n,
                min_up,
                cap: (n > min_up).then(|| n - min_up),
                moving: per,
                need: min_up.min(total),
                deps: Vec::new(),
                dependents: Vec::new(),
                weight: 1,
            });
        }
        for (i, (.., deps)) in services.iter().enumerate() {
            let mut deps: Vec<SvcIx> = deps.iter().map(|&d| SvcIx::from_ix(d)).collect();
            deps.sort_unstable();
            deps.dedup();
            deps.retain(|&d| svcs[d].need > 0);
            for &d in &deps {
                svcs[d].dependents.push(SvcIx::from_ix(i));
            }
            svcs[SvcIx::from_ix(i)].deps = deps;
        }
        let mut group_services: IdVec<GroupId, Vec<(SvcIx, u32)>> = IdVec::filled(Vec::new(), groups);
        for (s, svc) in svcs.enumerate() {
            for &(g, c) in &svc.moving {
                group_services[g].push((s, c));
            }
        }
        let mut limits: IdVec<Dim, Limit> = IdVec::default();
        limits.push(Limit { what: Resource::Machines, cap: max_servers });
        limits.push(Limit { what: Resource::Units, cap: 1000 });
        let mut dim_of = IdVec::filled(None, svcs.len());
        for (s, svc) in svcs.enumerate() {
            dim_of[s] = svc.cap.map(|cap| limits.push(Limit { what: Resource::Replicas(s), cap }));
        }
        let demand = group_services
            .iter()
            .map(|gs| {
                let mut d = vec![(rules::MACHINES, 1), (rules::UNITS, 1)];
                d.extend(gs.iter().filter_map(|&(s, c)| Some((dim_of[s]?, c))));
                d
            })
            .collect();
        Problem {
            groups: (0..groups)
                .map(|i| Group { machines: vec![ServerId::from_ix(i)], vms: Vec::new(), units: 1 })
                .collect(),
            services: svcs,
            group_services,
            limits,
            demand,
            domain: IdVec::filled(Domain::default(), groups),
            max_servers,
            max_units: 1000,
            dependencies_first: true,
        }
    }

    /// Whether any plan exists, by trying every assignment against the verifier.
    fn brute_force_feasible(p: &Problem) -> bool {
        let n = p.groups.len();
        (1..=n).any(|nb| {
            let mut digits = vec![0u32; n];
            loop {
                let batch: IdVec<GroupId, BatchIx> = digits.iter().map(|&d| BatchIx(d)).collect();
                if rules::violation(p, &batch).is_none() {
                    return true;
                }
                let Some(i) = digits.iter().position(|&d| d + 1 < u32::try_from(nb).unwrap_or(0)) else {
                    return false;
                };
                digits[i] += 1;
                for d in &mut digits[..i] {
                    *d = 0;
                }
            }
        })
    }

    /// The lower bound's relaxation climbed naively: every group's earliest batch raised to
    /// when the services it waits on can have their need across, until nothing changes (false)
    /// or a batch passes `horizon` (true: it climbs for ever).
    fn climb_diverges(p: &Problem, horizon: u32) -> bool {
        let w = Waits::new(p);
        let mut est: IdVec<GroupId, BatchIx> = IdVec::filled(BatchIx(0), p.groups.len());
        loop {
            let mut changed = false;
            for g in p.groups.ids() {
                for &t in &w.on[g] {
                    let ready = fluid_ready(p, t, &est, p.services[t].need);
                    if ready > est[g] {
                        est[g] = ready;
                        changed = true;
                    }
                }
                if est[g].0 > horizon {
                    return true;
                }
            }
            if !changed {
                return false;
            }
        }
    }

    fn stuck(p: &Problem) -> bool {
        matches!(detect(p), Verdict::Stuck { .. })
    }

    #[test]
    fn groups_waiting_on_each_other_move_together() {
        // a on group 0 depends on b on group 1, and b on a: one night for both.
        let p = problem(2, &[(vec![(0, 1)], 0, 1, vec![1]), (vec![(1, 1)], 0, 1, vec![0])], 2);
        assert_eq!(detect(&p), Verdict::Free);
    }

    #[test]
    fn a_quorum_whose_every_host_waits_on_it_is_stuck() {
        // t: 3 replicas, 2 up (one in transit at a time), need 2; each host also carries a
        // replica of s, which depends on t: the first host to move needs 2 of t across.
        let t = (vec![(0, 1), (1, 1), (2, 1)], 0, 2, vec![]);
        let s = (vec![(0, 1), (1, 1), (2, 1)], 0, 1, vec![0]);
        let p = problem(3, &[t.clone(), s.clone()], 3);
        let Verdict::Stuck { groups, core, core_groups } = detect(&p) else { panic!("stuck") };
        assert_eq!(groups, vec![GroupId(0), GroupId(1), GroupId(2)]);
        assert_eq!(core, vec![SvcIx(0), SvcIx(1)]);
        assert_eq!(core_groups, groups);
        // One host without s: it moves first, then the others can.
        let free = (vec![(0, 1), (1, 1)], 0, 1, vec![0]);
        assert_eq!(detect(&problem(3, &[t, free], 3)), Verdict::Free);
    }

    #[test]
    fn a_long_chain_of_waits_is_found_without_climbing() {
        // 20,000 groups in a ring of services: each waits on the next, a quorum of 3 (2 up)
        // across three groups, so none can go first.
        let n = 20_000;
        let services: Vec<SvcSpec> = (0..n)
            .map(|i| (vec![(i, 1), ((i + 1) % n, 1), ((i + 2) % n, 1)], 0, 2, vec![(i + 1) % n]))
            .collect();
        let p = problem(n, &services, 8);
        let t = std::time::Instant::now();
        let Verdict::Stuck { core, groups, .. } = detect(&p) else { panic!("stuck") };
        eprintln!("detect {:?}", t.elapsed());
        assert_eq!(groups.len(), n);
        // No smaller set of services is stuck (dropping any one breaks the ring): making it
        // smaller gives up within its budget.
        let t = std::time::Instant::now();
        assert_eq!(shrink(&p, &core).len(), n);
        eprintln!("shrink {:?}", t.elapsed());
    }

    fn svc_spec(groups: usize, services: usize) -> impl Strategy<Value = SvcSpec> {
        (
            proptest::collection::vec((0..groups, 1u32..=2), 1..=3),
            0u32..=2,
            1u32..=4,
            proptest::collection::vec(0..services, 0..=2),
        )
    }

    fn tiny() -> impl Strategy<Value = Problem> {
        (1usize..=5, 1usize..=4).prop_flat_map(|(g, s)| {
            (proptest::collection::vec(svc_spec(g, s), s), 1u32..=6)
                .prop_map(move |(services, max)| problem(g, &services, max))
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        /// Stuck exactly when the lower bound's relaxation climbs for ever; never on a move that
        /// has a plan; and the core it names is stuck by itself.
        #[test]
        fn stuck_only_without_a_plan(p in tiny()) {
            let verdict = detect(&p);
            prop_assert_ne!(&verdict, &Verdict::Unknown);
            let is_stuck = matches!(verdict, Verdict::Stuck { .. });
            prop_assert_eq!(is_stuck, climb_diverges(&p, 64), "{:?}", p);
            if let Verdict::Stuck { core, .. } = verdict {
                prop_assert!(!brute_force_feasible(&p), "stuck, but a plan exists: {:?}", p);
                let sub = p.restrict(&core);
                prop_assert!(stuck(&sub), "the core moves by itself: {:?} {:?}", core, p);
                prop_assert!(!brute_force_feasible(&sub));
                let small = shrink(&p, &core);
                prop_assert!(stuck(&p.restrict(&small)));
            }
        }
    }
}
