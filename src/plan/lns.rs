//! Large-neighbourhood search for fewer nights than the heuristic's, on moves too large for the
//! exact search. First the depth-first search with propagation ([`dive`]) shortens the schedule a
//! night at a time while it can; then the steps below take over. The state is a partial schedule in one night fewer than the best known: every
//! placed group obeys every rule among the placed groups, and the groups left over would need the
//! extra night. A step frees the groups that keep one left-over group out of a night (what it
//! would exceed there, or the replicas it waits for), and puts all the free groups back where the
//! rules let them; it is kept when no more groups are left over than before. When none is left,
//! the verifier checks the whole schedule and the search aims one night lower, down to the lower
//! bound. Every question about a rule goes to [`rules`]: the search only chooses.

use crate::plan::dive::dive;
use crate::plan::heuristic::Assignment;
use crate::plan::ids::{BatchIx, GroupId, IdVec, SvcIx};
use crate::plan::problem::Problem;
use crate::plan::rng::Rng;
use crate::plan::rules::{self, Load, Resource};
use crate::plan::solve::batches_of;

/// Moves up to this many groups are searched (a step scans the groups of a night).
pub(crate) const LNS_MAX_GROUPS: usize = 5_000;

/// Steps in all, and steps without fewer groups left over before giving up on a night count: a
/// count of steps, not a clock, so that the result does not depend on the machine.
const STEPS: u32 = 20_000;
const STALL: u32 = 4_000;
/// Work in all (see [`Partial::work`]): many nights make a step dearer; about a second at most on
/// the measuring machine (a 2,000-machine move in 20 nights that it cannot shorten spends a quarter).
const WORK: u64 = 200_000_000;
/// Levels of a chain of waits a step makes room along.
const DEPTH: usize = 3;

/// The schedule in the fewest nights the search reaches, at least `lb` (the lower bound), from
/// a valid schedule `batch`; `batch` itself when it finds none shorter.
pub(crate) fn fewer_nights(
    p: &Problem,
    est: &IdVec<GroupId, BatchIx>,
    lb: u32,
    batch: Assignment,
) -> Assignment {
    if p.groups.len() > LNS_MAX_GROUPS || p.groups.is_empty() {
        return batch;
    }
    let mut best = dive_down(p, est, lb, batch);
    let mut rng = Rng(0x1a5e);
    let mut steps = 0;
    let mut spent = 0u64;
    while batches_of(&best) > lb.max(1) && steps < STEPS && spent < WORK {
        let mut st = Partial::new(p, est, &best, batches_of(&best) - 1);
        let (mut stall, mut least) = (0, st.over.len());
        while !st.over.is_empty() && stall < STALL && steps < STEPS && spent + st.work.get() < WORK {
            steps += 1;
            stall += 1;
            st.step(&mut rng);
            if st.over.len() < least {
                least = st.over.len();
                stall = 0;
            }
        }
        spent += st.work.get();
        let Some(found) = st.complete() else { break };
        // The verifier has the last word; a night the search emptied is closed up (the order
        // of the rest stays, so R3 and R4 hold as before; a not_before may object).
        let closed = close_up(&found);
        match [closed, found].into_iter().find(|x| rules::violation(p, x).is_none()) {
            Some(valid) => best = valid,
            None => break,
        }
    }
    best
}

/// Work of one [`dive`] per group of the move: a dive that fails spends it all, about 0.35 s for
/// 1,400 groups on the measuring machine (most moves up to 1,000 machines fail in propagation,
/// at once); those that succeed mostly take a tenth of it. The 2,000-machine chains move that
/// moves 1 machine in 25 a night needs 60% of it to reach its optimum.
const DIVE_WORK_PER_GROUP: u64 = 40_000;
/// At most this much work a dive, whatever the size of the move (as much as 3,000 groups get).
const DIVE_WORK_MAX: u64 = 120_000_000;

/// `batch` shortened by the depth-first search with propagation ([`dive`]), one night at a time
/// down to `lb`, while it finds a schedule the verifier accepts: it sees the deadlines that quorum
/// services in chains of dependencies impose, which the steps below only stumble on. A failed
/// dive is the dear case, so it ends the descent.
fn dive_down(p: &Problem, est: &IdVec<GroupId, BatchIx>, lb: u32, batch: Assignment) -> Assignment {
    let mut best = batch;
    let work = DIVE_WORK_PER_GROUP.saturating_mul(p.groups.len() as u64).min(DIVE_WORK_MAX);
    while batches_of(&best) > lb.max(1) {
        let Some(found) = dive(p, est, batches_of(&best) - 1, work) else { break };
        // A night the dive left empty is closed up, as below.
        let closed = close_up(&found);
        match [closed, found].into_iter().find(|x| rules::violation(p, x).is_none()) {
            Some(valid) => best = valid,
            None => break,
        }
    }
    best
}

/// The schedule with its empty nights removed, the others renumbered in order.
fn close_up(batch: &Assignment) -> Assignment {
    let mut used = vec![false; batches_of(batch) as usize];
    for b in batch {
        used[b.0 as usize] = true;
    }
    let mut new = vec![0u32; used.len()];
    let mut n = 0;
    for (b, &u) in used.iter().enumerate() {
        new[b] = n;
        n += u32::from(u);
    }
    batch.iter().map(|b| BatchIx(new[b.0 as usize])).collect()
}

/// A partial schedule in `nights` nights, valid among its placed groups.
struct Partial<'a> {
    p: &'a Problem,
    est: &'a IdVec<GroupId, BatchIx>,
    nights: u32,
    at: IdVec<GroupId, Option<BatchIx>>,
    loads: Vec<Load>,
    /// Placed replicas per service per night.
    count: IdVec<SvcIx, Vec<u32>>,
    /// Groups not placed: they would need another night.
    over: Vec<GroupId>,
    /// Changes since the state was last kept: (group, where it was).
    log: Vec<(GroupId, Option<BatchIx>)>,
    /// Work done: nights looked at by [`Partial::open_nights`], each costing up to a sum over
    /// the nights (R4's replicas across).
    work: std::cell::Cell<u64>,
}

impl<'a> Partial<'a> {
    /// The groups of `batch` in nights before `nights`; the others left over. Valid: a group's
    /// dependencies are met by groups in its night or earlier, all of which stay.
    fn new(p: &'a Problem, est: &'a IdVec<GroupId, BatchIx>, batch: &Assignment, nights: u32) -> Self {
        let mut st = Partial {
            p,
            est,
            nights,
            at: IdVec::filled(None, p.groups.len()),
            loads: vec![Load::new(p); nights as usize],
            count: IdVec::filled(vec![0; nights as usize], p.services.len()),
            over: Vec::new(),
            log: Vec::new(),
            work: std::cell::Cell::new(0),
        };
        for (g, &b) in batch.enumerate() {
            if b.0 < nights {
                st.put(g, b);
            } else {
                st.over.push(g);
            }
        }
        st.log.clear();
        st
    }

    /// The whole schedule, when nothing is left over.
    fn complete(&self) -> Option<Assignment> {
        self.at.iter().copied().collect()
    }

    /// Replicas of `t` placed by the end of night `b`.
    fn across(&self, t: SvcIx, b: BatchIx) -> u32 {
        self.count[t][..=b.0 as usize].iter().sum()
    }

    fn put(&mut self, g: GroupId, b: BatchIx) {
        let p = self.p;
        self.loads[b.0 as usize].add(p, g);
        for &(s, c) in &p.group_services[g] {
            self.count[s][b.0 as usize] += c;
        }
        self.log.push((g, self.at[g]));
        self.at[g] = Some(b);
    }

    fn take(&mut self, g: GroupId) -> Option<BatchIx> {
        let p = self.p;
        let b = self.at[g]?;
        self.loads[b.0 as usize].remove(p, g);
        for &(s, c) in &p.group_services[g] {
            self.count[s][b.0 as usize] -= c;
        }
        self.log.push((g, Some(b)));
        self.at[g] = None;
        Some(b)
    }

    /// Puts the state back as it was when last kept.
    fn undo(&mut self) {
        while let Some((g, was)) = self.log.pop() {
            let now = self.at[g];
            if now == was {
                continue;
            }
            // Apply the inverse without logging it.
            let len = self.log.len();
            if now.is_some() {
                self.take(g);
            }
            if let Some(b) = was {
                self.put(g, b);
            }
            self.log.truncate(len);
        }
    }

    /// Group `g` may join night `b`: its domain and earliest night allow, it fits, and its
    /// dependencies are met there (its own replicas counting, as in the heuristic).
    fn may_put(&self, g: GroupId, b: BatchIx) -> bool {
        let p = self.p;
        p.domain[g].allows(b)
            && b >= self.est[g]
            && self.loads[b.0 as usize].fits(p, g)
            && rules::waits_on(p, g, |t| self.across(t, b) + p.carries(g, t)).is_none()
    }

    /// Takes `g` out, and every placed group whose dependencies that leaves unmet, in turn;
    /// pushes them on `free`.
    fn take_all(&mut self, g: GroupId, free: &mut Vec<GroupId>) {
        let p = self.p;
        let mut queue = vec![g];
        while let Some(x) = queue.pop() {
            let Some(b) = self.take(x) else { continue };
            free.push(x);
            for &(s, _) in &p.group_services[x] {
                for &d in &p.services[s].dependents {
                    for &(y, _) in &p.services[d].moving {
                        let Some(a) = self.at[y] else { continue };
                        if a >= b && rules::waits_on(p, y, |t| self.across(t, a)).is_some() {
                            queue.push(y);
                        }
                    }
                }
            }
        }
    }

    /// One destroy-and-repair step; kept when no more groups are left over.
    fn step(&mut self, rng: &mut Rng) {
        let before = self.over.len();
        let u = self.over[rng.below(before)];
        let first = self.est[u].0.max(self.p.domain[u].first);
        if first >= self.nights {
            return;
        }
        let b = BatchIx(first + u32::try_from(rng.below((self.nights - first) as usize)).unwrap_or(0));
        let mut free = std::mem::take(&mut self.over);
        let (room, mut early) = self.blockers(u, b, rng);
        for &x in room.iter().chain(&early) {
            self.take_all(x, &mut free);
        }
        // The groups `u` waits for may wait themselves: make room for them by night `b` too,
        // a few levels down a chain of waits.
        let mut wave = early.clone();
        for _ in 0..DEPTH {
            let mut next = Vec::new();
            for y in wave {
                let first = self.est[y].0.max(self.p.domain[y].first);
                if first > b.0 {
                    continue;
                }
                let by = BatchIx(first + u32::try_from(rng.below((b.0 - first + 1) as usize)).unwrap_or(0));
                let (room, wait) = self.blockers(y, by, rng);
                for &x in room.iter().chain(&wait) {
                    self.take_all(x, &mut free);
                }
                next.extend(wait);
            }
            early.extend(&next);
            wave = next;
        }
        // A little noise: a random placed group, now and then.
        if rng.below(4) == 0 {
            let x = GroupId(u32::try_from(rng.below(self.p.groups.len())).unwrap_or(0));
            self.take_all(x, &mut free);
        }
        if self.may_put(u, b) {
            self.put(u, b);
        }
        free.retain(|&x| self.at[x].is_none());
        self.repair(free, &early, rng);
        if self.over.len() <= before {
            self.log.clear();
        } else {
            self.undo();
            self.over.clear();
            self.over.extend(self.p.groups.ids().filter(|&x| self.at[x].is_none()));
        }
    }

    /// Placed groups that keep `u` out of night `b`: enough of those taking what it would
    /// exceed there (machines, units, a service's replicas...), in random order; and those
    /// carrying the replicas it waits for from later nights, to be put back early.
    fn blockers(&self, u: GroupId, b: BatchIx, rng: &mut Rng) -> (Vec<GroupId>, Vec<GroupId>) {
        let p = self.p;
        let load = &self.loads[b.0 as usize];
        let in_night = |x: GroupId| self.at[x] == Some(b);
        let mut out = Vec::new();
        for &(d, c) in &p.demand[u] {
            let excess = (load.used(d) + c).saturating_sub(p.limits[d].cap);
            if excess == 0 {
                continue;
            }
            let takes = |x: GroupId| p.demand[x].iter().find(|e| e.0 == d).map_or(0, |e| e.1);
            let mut cands: Vec<(u64, GroupId)> = match p.limits[d].what {
                Resource::Replicas(s) => p.services[s]
                    .moving
                    .iter()
                    .map(|x| x.0)
                    .filter(|&x| in_night(x))
                    .map(|x| (rng.next(), x))
                    .collect(),
                _ => {
                    p.groups.ids().filter(|&x| in_night(x) && takes(x) > 0).map(|x| (rng.next(), x)).collect()
                }
            };
            cands.sort_unstable();
            let mut freed = 0;
            for (_, x) in cands {
                if freed >= excess {
                    break;
                }
                freed += takes(x);
                out.push(x);
            }
        }
        let mut early = Vec::new();
        if let Some((_, t)) = rules::waits_on(p, u, |t| self.across(t, b) + p.carries(u, t)) {
            early.extend(
                p.services[t].moving.iter().map(|x| x.0).filter(|&y| self.at[y].is_some_and(|a| a > b)),
            );
        }
        (out, early)
    }

    /// Nights group `x` may join now.
    fn open_nights(&self, x: GroupId) -> Vec<BatchIx> {
        self.work.set(self.work.get() + u64::from(self.nights) * u64::from(self.nights));
        BatchIx::all(self.nights).filter(|&b| self.may_put(x, b)).collect()
    }

    /// Puts the free groups back: those carrying replicas a left-over group waits for first, in
    /// their earliest open night; then the others, the fewest open nights first (ties at random),
    /// each in its earliest open night or a random one. What finds no night is left over.
    fn repair(&mut self, free: Vec<GroupId>, early: &[GroupId], rng: &mut Rng) {
        let mut keyed: Vec<(bool, usize, u64, GroupId)> =
            free.iter().map(|&x| (!early.contains(&x), self.open_nights(x).len(), rng.next(), x)).collect();
        keyed.sort_unstable();
        let mut left: Vec<GroupId> = keyed.into_iter().map(|k| k.3).collect();
        // Twice: a group may wait for replicas that one after it brings.
        for _ in 0..2 {
            let mut still = Vec::new();
            for x in left {
                let open = self.open_nights(x);
                if open.is_empty() {
                    still.push(x);
                    continue;
                }
                let b = if early.contains(&x) || rng.below(2) == 0 {
                    open[0]
                } else {
                    open[rng.below(open.len())]
                };
                self.put(x, b);
            }
            left = still;
        }
        self.over = left;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::bound;
    use crate::plan::testkit::{generated, problem};

    /// The group of machine `m{i}` (machines are alone in their groups here, in order).
    fn g(i: u32) -> GroupId {
        GroupId(i)
    }

    #[test]
    fn one_machine_a_night_shrinks_to_the_bound() {
        // a: 3 replicas, 2 up (one in transit a night: 3 nights); b waits for 2 of a's.
        let services = "[[service]]\nid = \"a\"\nruns_on = [\"m0\", \"m1\", \"m2\"]\nmin_up = 2\n\
                        [[service]]\nid = \"b\"\nruns_on = [\"m3\", \"m4\"]\nmin_up = 1\ndepends_on = [\"a\"]\n";
        let p = problem(9, services, 4);
        let (lb, est) = bound::lower_bound(&p).expect("feasible");
        assert_eq!(lb, 3);
        let slow: Assignment = (0..9).map(BatchIx).collect();
        assert_eq!(rules::violation(&p, &slow), None);
        let fast = fewer_nights(&p, &est, lb, slow);
        assert_eq!(rules::violation(&p, &fast), None);
        assert_eq!(batches_of(&fast), 3);
        // a's replicas in three different nights, b's after two of them.
        let nights: Vec<u32> = [0, 1, 2].iter().map(|&i| fast[g(i)].0).collect();
        assert!(nights.iter().all(|n| nights.iter().filter(|m| *m == n).count() == 1), "{nights:?}");
    }

    #[test]
    fn quorum_chains_reach_the_bound() {
        // A generated move of quorum services in chains (500 machines, 62 a night): the heuristic
        // and the steps alone ended at 10 nights; CP-SAT proves 9, the lower bound.
        let p = generated(crate::synth::Shape::Chains, 500, 7, 62);
        let (lb, est) = bound::lower_bound(&p).expect("feasible");
        let heur = crate::plan::heuristic::heuristic(&p, &est).expect("a schedule");
        assert_eq!((lb, batches_of(&heur)), (9, 10));
        let out = fewer_nights(&p, &est, lb, heur);
        assert_eq!((batches_of(&out), rules::violation(&p, &out)), (9, None));
    }

    #[test]
    fn never_below_the_bound_nor_invalid() {
        // Capacity binds: 10 machines, 4 a night, so 3 nights; a schedule already there stays.
        let p = problem(10, "", 4);
        let (lb, est) = bound::lower_bound(&p).expect("feasible");
        assert_eq!(lb, 3);
        let three: Assignment = (0..10).map(|i| BatchIx(i % 3)).collect();
        assert_eq!(fewer_nights(&p, &est, lb, three.clone()), three);
        // From ten nights, it reaches three and no fewer.
        let ten: Assignment = (0..10).map(BatchIx).collect();
        let out = fewer_nights(&p, &est, lb, ten);
        assert_eq!((batches_of(&out), rules::violation(&p, &out)), (3, None));
    }

    #[test]
    fn a_wrong_bound_does_not_make_it_claim_the_impossible() {
        // Told it may try for 1 night, it stops at what is valid: 2 (R3 spreads a over two).
        let services = "[[service]]\nid = \"a\"\nruns_on = [\"m0\", \"m1\"]\nmin_up = 1\n";
        let p = problem(4, services, 4);
        let (_, est) = bound::lower_bound(&p).expect("feasible");
        let four: Assignment = (0..4).map(BatchIx).collect();
        let out = fewer_nights(&p, &est, 1, four);
        assert_eq!((batches_of(&out), rules::violation(&p, &out)), (2, None));
        assert_ne!(out[g(0)], out[g(1)]);
    }
}
