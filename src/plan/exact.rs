//! The exact search that proves the fewest batches on small moves: depth-first over batch
//! labels, groups in order of how tightly R3 binds them. Limits are checked exactly; R4
//! optimistically (replicas not yet placed may still come in time), which becomes exact as
//! services are completed, so every leaf is a valid schedule.

use std::cmp::Reverse;

use crate::num::u32_of;
use crate::plan::heuristic::Assignment;
use crate::plan::ids::{BatchIx, GroupId, IdVec, SvcIx};
use crate::plan::problem::Problem;
use crate::plan::rules::{self, Load, MACHINES, UNITS};

/// The result of an exact search for one batch count.
pub(crate) enum Found {
    /// A schedule.
    Yes(Assignment),
    /// Proven impossible.
    No,
    /// The node budget ran out.
    Unknown,
}

/// What the search is asked.
pub(crate) struct Query<'a> {
    /// Earliest batch of each group.
    pub(crate) est: &'a IdVec<GroupId, BatchIx>,
    /// A batch to try first for each group (from the heuristic), possibly empty.
    pub(crate) hint: &'a [BatchIx],
    pub(crate) batches: u32,
    pub(crate) budget: u64,
    /// Stop at the first schedule (else: the least downtime).
    pub(crate) first_only: bool,
}

struct Exact<'a> {
    p: &'a Problem,
    q: &'a Query<'a>,
    bins: Vec<Load>,
    batch: IdVec<GroupId, Option<BatchIx>>,
    order: Vec<GroupId>,
    /// Replicas per service per batch.
    count: IdVec<SvcIx, Vec<u32>>,
    /// Replicas per service not yet placed.
    unplaced: IdVec<SvcIx, u32>,
    /// Units and machines of the groups not yet placed.
    left_units: u32,
    left_servers: u32,
    nodes: u64,
    best: Option<(u64, Assignment)>,
}

impl Exact<'_> {
    fn placed_by(&self, t: SvcIx, b: BatchIx) -> u32 {
        self.count[t][..=b.0 as usize].iter().sum()
    }

    /// Replicas of `t` that may be across by batch `b`: placed by then, or not placed yet.
    fn may_be_across(&self, t: SvcIx, b: BatchIx) -> u32 {
        self.placed_by(t, b) + self.unplaced[t]
    }

    /// R4 can still hold with group `g` at batch `b` (already counted in `count`).
    fn r4_possible(&self, g: GroupId, b: BatchIx) -> bool {
        let p = self.p;
        // Its dependencies can still be ready by b.
        if rules::waits_on(p, g, |t| self.may_be_across(t, b)).is_some() {
            return false;
        }
        // Services waiting on it can still find it ready by their earliest batch.
        for &(s, _) in &p.group_services[g] {
            for &d in &p.services[s].dependents {
                let earliest = p.services[d].moving.iter().filter_map(|&(y, _)| self.batch[y]).min();
                if let Some(a) = earliest
                    && !rules::dependency_met(p, s, self.may_be_across(s, a))
                {
                    return false;
                }
            }
        }
        true
    }

    /// Whether the batches cannot hold the groups left: each batch can only be filled by
    /// groups left whose earliest batch is not after it, and the room that cannot be filled
    /// that way is lost. More lost room than the slack means no schedule below.
    fn wasted(&self, i: usize) -> bool {
        let p = self.p;
        let nb = self.bins.len();
        // Machines and units of the groups left, by earliest batch.
        // In u64: limits may be as large as u32 allows, and are summed over batches.
        let mut servers_by = vec![0u64; nb];
        let mut units_by = vec![0u64; nb];
        for &g in &self.order[i..] {
            let e = (self.q.est[g].0 as usize).min(nb - 1);
            servers_by[e] += p.groups[g].machines.len() as u64;
            units_by[e] += u64::from(p.groups[g].units);
        }
        // Room in batches 0..=b beyond what the groups eligible there can take is lost.
        let (mut eligible_s, mut eligible_u) = (0u64, 0u64);
        let (mut lost_s, mut lost_u) = (0u64, 0u64);
        let (mut free_s, mut free_u) = (0u64, 0u64);
        for b in 0..nb {
            eligible_s += servers_by[b];
            eligible_u += units_by[b];
            free_s += u64::from(p.limits[MACHINES].cap - self.bins[b].used(MACHINES));
            free_u += u64::from(p.limits[UNITS].cap - self.bins[b].used(UNITS));
            lost_s = lost_s.max(free_s.saturating_sub(eligible_s));
            lost_u = lost_u.max(free_u.saturating_sub(eligible_u));
        }
        free_s < u64::from(self.left_servers) + lost_s || free_u < u64::from(self.left_units) + lost_u
    }

    /// Weighted downtime so far: batches in which a service has too few replicas up.
    fn partial_downtime(&self) -> u64 {
        let p = self.p;
        let mut total = 0;
        for (s, svc) in p.services.enumerate() {
            let down =
                self.count[s].iter().filter(|&&c| c > 0 && svc.n.saturating_sub(c) < svc.min_up).count()
                    as u64;
            total += down * u64::from(svc.weight);
        }
        total
    }

    fn set(&mut self, g: GroupId, b: BatchIx) {
        let p = self.p;
        self.bins[b.0 as usize].add(p, g);
        self.batch[g] = Some(b);
        self.left_units -= p.groups[g].units;
        self.left_servers -= u32_of(p.groups[g].machines.len());
        for &(s, c) in &p.group_services[g] {
            self.count[s][b.0 as usize] += c;
            self.unplaced[s] -= c;
        }
    }

    fn unset(&mut self, g: GroupId, b: BatchIx) {
        let p = self.p;
        self.bins[b.0 as usize].remove(p, g);
        self.batch[g] = None;
        self.left_units += p.groups[g].units;
        self.left_servers += u32_of(p.groups[g].machines.len());
        for &(s, c) in &p.group_services[g] {
            self.count[s][b.0 as usize] -= c;
            self.unplaced[s] += c;
        }
    }

    /// Returns false when the budget is spent.
    fn dfs(&mut self, i: usize) -> bool {
        self.nodes += 1;
        if self.nodes > self.q.budget {
            return false;
        }
        if let Some((best, _)) = &self.best
            && self.partial_downtime() >= *best
        {
            return true;
        }
        if i == self.order.len() {
            let done: Assignment = self.batch.iter().map(|b| b.expect("complete")).collect();
            debug_assert!(rules::violation(self.p, &done).is_none());
            self.best = Some((self.partial_downtime(), done));
            return true;
        }
        if self.wasted(i) {
            return true;
        }
        let g = self.order[i];
        let nb = self.q.batches;
        let domain = self.p.domain[g];
        let first = self.q.est[g].0;
        // The hinted batch first (from the heuristic), then the others from the earliest.
        let hint = self.q.hint.get(g.0 as usize).map(|h| h.0).filter(|&h| h >= first && h < nb);
        let values = hint.into_iter().chain((first..nb).filter(move |&b| Some(b) != hint)).map(BatchIx);
        for b in values {
            if !domain.allows(b) || !self.bins[b.0 as usize].fits(self.p, g) {
                continue;
            }
            self.set(g, b);
            let ok = !self.r4_possible(g, b) || self.dfs(i + 1);
            self.unset(g, b);
            if !ok {
                return false;
            }
            if self.q.first_only && self.best.is_some() {
                return true;
            }
        }
        true
    }
}

/// Searches for a schedule in `q.batches` batches.
pub(crate) fn exact(p: &Problem, q: &Query<'_>) -> Found {
    let batches = q.batches;
    // Most constrained first: groups of services whose replicas barely fit in the batches
    // open to them under R3 (their slack), then the earliest, then the largest.
    let slack: IdVec<SvcIx, u32> = p
        .services
        .iter()
        .map(|s| match s.cap {
            Some(cap) => {
                let first = s.moving.iter().map(|&(g, _)| q.est[g].0).min().unwrap_or(0);
                (batches.saturating_sub(first) * cap).saturating_sub(s.moving_replicas())
            }
            None => u32::MAX,
        })
        .collect();
    let tight = |g: GroupId| p.group_services[g].iter().map(|&(s, _)| slack[s]).min().unwrap_or(u32::MAX);
    let mut order: Vec<GroupId> = p.groups.ids().collect();
    order.sort_by_key(|&g| (tight(g), q.est[g], Reverse(p.groups[g].units), g));
    let mut x = Exact {
        p,
        q,
        bins: vec![Load::new(p); batches as usize],
        batch: IdVec::filled(None, p.groups.len()),
        order,
        count: IdVec::filled(vec![0; batches as usize], p.services.len()),
        unplaced: p.services.iter().map(|s| s.moving_replicas()).collect(),
        left_units: p.units(),
        left_servers: u32_of(p.machines()),
        nodes: 0,
        best: None,
    };
    if q.est.iter().any(|e| e.0 >= batches) {
        return Found::No;
    }
    let complete = x.dfs(0);
    match (x.best, complete) {
        (Some((_, b)), _) => Found::Yes(b),
        (None, true) => Found::No,
        (None, false) => Found::Unknown,
    }
}
