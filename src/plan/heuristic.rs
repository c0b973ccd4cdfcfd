//! List scheduling: fill one batch at a time with groups whose dependencies are met (counting
//! the batch itself), in priority order; groups of a service that must go down are pulled in
//! together; groups that wait on each other move together when they fit.

use std::cmp::Reverse;

use crate::num::u32_of;
use crate::plan::bound;
use crate::plan::conflict::Conflict;
use crate::plan::ids::{BatchIx, GroupId, IdVec, SvcIx};
use crate::plan::problem::Problem;
use crate::plan::rng::Rng;
use crate::plan::rules::{self, Load, MACHINES};
use crate::plan::solve::{EXACT_MAX_GROUPS, batches_of, downtime};

/// A complete schedule: the batch of every group.
pub(crate) type Assignment = IdVec<GroupId, BatchIx>;

/// The best of several list-scheduling passes; errors with the conflict when nothing can be
/// scheduled.
pub(crate) fn heuristic(p: &Problem, est: &IdVec<GroupId, BatchIx>) -> Result<Assignment, Conflict> {
    // Priority: the longest tail, the earliest batch, how many replicas wait on it, its size.
    let mut waiting: IdVec<SvcIx, u32> = IdVec::filled(0, p.services.len());
    for s in &p.services {
        for &t in &s.deps {
            waiting[t] += u32_of(s.moving.len());
        }
    }
    let weight = |x: GroupId| -> u32 { p.group_services[x].iter().map(|&(s, _)| waiting[s]).sum() };
    let tails = tails(p);
    let tail = |x: GroupId| -> u32 { p.group_services[x].iter().map(|&(s, _)| tails[s]).max().unwrap_or(0) };
    let mut order: Vec<GroupId> = p.groups.ids().collect();
    // Longest tail first (what must start early for the move to end early), then earliest.
    order.sort_by_key(|&x| (Reverse(tail(x)), est[x], Reverse(weight(x)), Reverse(p.groups[x].units), x));
    let mut best = list_schedule(p, &order);
    // Restarts with the priorities shuffled among equals in tail and earliest batch: list
    // scheduling is sensitive to ties, and small moves can afford many tries. Seeded:
    // deterministic.
    // Up to 2,000 groups (about 3,000 machines) a pass costs milliseconds: 100 tries find the
    // optimum where a few miss it (a generated 1,000-machine move: 4 nights with 4 tries, 3 with
    // more); larger moves keep a few.
    let restarts = match p.groups.len() {
        n if n <= EXACT_MAX_GROUPS => 200,
        n if n <= 2_000 => 100,
        _ => 4,
    };
    // No schedule has fewer batches than the lower bound: on the larger moves, stop there.
    let lb = if restarts == 100 { bound::lower_bound(p).map_or(0, |x| x.0) } else { 0 };
    let mut rng = Rng(0x5eed);
    for _ in 0..restarts {
        if best.as_ref().is_ok_and(|b| batches_of(b) <= lb) {
            break;
        }
        let keys: IdVec<GroupId, u64> = p.groups.ids().map(|_| rng.next()).collect();
        let mut o = order.clone();
        o.sort_by_key(|&x| (Reverse(tail(x)), est[x], keys[x]));
        let candidate = list_schedule(p, &o);
        let better = match (&best, &candidate) {
            (Err(_), Ok(_)) => true,
            (Ok(a), Ok(b)) => (batches_of(b), downtime(p, b)) < (batches_of(a), downtime(p, a)),
            _ => false,
        };
        if better {
            best = candidate;
        }
    }
    best
}

/// For each service, how many batches at least follow the first move of its replicas: the
/// batches its own replicas need under R3, plus the longest such tail among the services that
/// wait on it. Long tails should start early.
fn tails(p: &Problem) -> IdVec<SvcIx, u32> {
    let own: IdVec<SvcIx, u32> = p
        .services
        .iter()
        .map(|s| match s.cap {
            Some(cap) => s.moving_replicas().div_ceil(cap),
            None => 1,
        })
        .collect();
    let mut tail = own.clone();
    // Relaxation; a cycle stops growing after as many rounds as there are services.
    for _ in 0..p.services.len().min(64) {
        let mut changed = false;
        for (t, svc) in p.services.enumerate() {
            let after = svc.dependents.iter().map(|&d| tail[d]).max().unwrap_or(0);
            let v = own[t] + after;
            if v > tail[t] {
                tail[t] = v;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    tail
}

/// One list-scheduling pass in the given priority order.
fn list_schedule(p: &Problem, order: &[GroupId]) -> Result<Assignment, Conflict> {
    let mut st = Fill {
        batch: IdVec::filled(None, p.groups.len()),
        across: IdVec::filled(0, p.services.len()),
        left: p.groups.len(),
    };
    let mut b = BatchIx(0);
    while st.left > 0 {
        let mut bin = Load::new(p);
        st.due(p, order, &mut bin, b);
        loop {
            // A pass that adds nothing has also tried every waiting group with the groups
            // it waits on (bundles): nothing more fits this batch.
            if !st.single_pass(p, order, &mut bin, b) {
                break;
            }
        }
        let late: Vec<GroupId> = p
            .groups
            .ids()
            .filter(|&x| st.batch[x].is_none() && p.domain[x].last.is_some_and(|l| l <= b.0))
            .collect();
        if !late.is_empty() {
            return Err(Conflict::PinsUnmet { groups: late, fights: Vec::new() });
        }
        let waiting_for_later = p.groups.ids().any(|x| st.batch[x].is_none() && p.domain[x].first > b.0);
        if bin.groups == 0 && !waiting_for_later {
            return Err(st.stuck(p, order));
        }
        b = b.next();
    }
    Ok(st.batch.iter().map(|b| b.expect("every group placed")).collect())
}

/// No group fits any more: every group has a machine, and the batch has its machines.
fn full(p: &Problem, bin: &Load) -> bool {
    bin.used(MACHINES) >= p.limits[MACHINES].cap
}

/// The heuristic's progress.
struct Fill {
    batch: IdVec<GroupId, Option<BatchIx>>,
    /// Replicas of each service at the destination or in the batch being filled.
    across: IdVec<SvcIx, u32>,
    left: usize,
}

impl Fill {
    fn place(&mut self, p: &Problem, x: GroupId, b: BatchIx, bin: &mut Load) {
        self.batch[x] = Some(b);
        self.left -= 1;
        bin.add(p, x);
        for &(s, c) in &p.group_services[x] {
            self.across[s] += c;
        }
    }

    fn unplace(&mut self, p: &Problem, x: GroupId, bin: &mut Load) {
        self.batch[x] = None;
        self.left += 1;
        bin.remove(p, x);
        for &(s, c) in &p.group_services[x] {
            self.across[s] -= c;
        }
    }

    /// Group `x` is waiting and may join batch `b`: it fits and its domain allows.
    fn open(&self, p: &Problem, x: GroupId, bin: &Load, b: BatchIx) -> bool {
        self.batch[x].is_none() && p.domain[x].allows(b) && bin.fits(p, x)
    }

    /// R4: group `x` may move now, its own replicas counting (a service may depend on another
    /// one the same machines carry).
    fn ready(&self, p: &Problem, x: GroupId) -> bool {
        rules::waits_on(p, x, |t| self.across[t] + p.carries(x, t)).is_none()
    }

    /// Groups pinned to batch `b` go first: nothing else may take their room.
    fn due(&mut self, p: &Problem, order: &[GroupId], bin: &mut Load, b: BatchIx) {
        for &x in order {
            if p.domain[x].last != Some(b.0) || !self.open(p, x, bin, b) {
                continue;
            }
            if self.ready(p, x) {
                self.place(p, x, b, bin);
            } else if let Some(set) = self.bundle(p, x, bin, b) {
                for y in set {
                    self.place(p, y, b, bin);
                }
            }
        }
    }

    /// One pass over the waiting groups, adding each that fits and is ready; true if any was.
    fn single_pass(&mut self, p: &Problem, order: &[GroupId], bin: &mut Load, b: BatchIx) -> bool {
        let mut added = false;
        for &x in order {
            if full(p, bin) {
                break;
            }
            if !self.open(p, x, bin, b) {
                continue;
            }
            if !self.ready(p, x) {
                // Groups that wait on each other go together as soon as they can.
                if let Some(set) = self.bundle(p, x, bin, b) {
                    for y in set {
                        self.place(p, y, b, bin);
                    }
                    added = true;
                }
                continue;
            }
            self.place(p, x, b, bin);
            added = true;
            // Services that go down anyway: bring their other groups into this batch.
            for &(s, _) in &p.group_services[x] {
                if p.services[s].cap.is_some() {
                    continue;
                }
                for &(y, _) in &p.services[s].moving {
                    if self.open(p, y, bin, b) && self.ready(p, y) {
                        self.place(p, y, b, bin);
                    }
                }
            }
        }
        added
    }

    /// Group `start` with the fewest waiting groups that make it ready, added one at a time (the
    /// first that holds replicas of an unmet dependency and fits), or `None` if they do not
    /// fit. Leaves the state as it found it.
    fn bundle(&mut self, p: &Problem, start: GroupId, bin: &mut Load, b: BatchIx) -> Option<Vec<GroupId>> {
        if !self.open(p, start, bin, b) {
            return None;
        }
        let mut set = vec![start];
        self.place(p, start, b, bin);
        let mut found = None;
        for _ in 0..p.groups.len() {
            let unmet = set.iter().find_map(|&y| rules::waits_on(p, y, |t| self.across[t]));
            let Some((_, t)) = unmet else {
                found = Some(set.clone());
                break;
            };
            let next = p.services[t].moving.iter().map(|x| x.0).find(|&z| self.open(p, z, bin, b));
            let Some(next) = next else { break };
            self.place(p, next, b, bin);
            set.push(next);
        }
        for &y in &set {
            self.unplace(p, y, bin);
        }
        found
    }

    /// The conflict when an empty batch can take nothing: the first waiting group and,
    /// transitively, the waiting groups holding replicas of dependencies it waits for.
    fn stuck(&self, p: &Problem, order: &[GroupId]) -> Conflict {
        let first = *order.iter().find(|&&x| self.batch[x].is_none()).expect("groups are left");
        let unmet = |t: SvcIx| !rules::dependency_met(p, t, self.across[t]);
        let mut groups = vec![first];
        let mut i = 0;
        while i < groups.len() {
            let y = groups[i];
            i += 1;
            for &(s, _) in &p.group_services[y] {
                for &t in p.services[s].deps.iter().filter(|&&t| unmet(t)) {
                    for &(z, _) in &p.services[t].moving {
                        if self.batch[z].is_none() && !groups.contains(&z) {
                            groups.push(z);
                        }
                    }
                }
            }
        }
        groups.sort_unstable();
        let mut services: Vec<SvcIx> = groups
            .iter()
            .flat_map(|&y| p.group_services[y].iter().map(|x| x.0))
            .filter(|&s| p.services[s].deps.iter().any(|&t| unmet(t)))
            .collect();
        services.sort_unstable();
        services.dedup();
        Conflict::DependencyDeadlock { services, groups }
    }
}
