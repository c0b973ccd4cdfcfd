//! A depth-first search with propagation for a schedule in a given number of nights, on moves too
//! large for the exact search ("the hard core" of R3 and R4 together: quorum services in chains of
//! dependencies). Each group has a window of nights, `lo..=hi`; a decision puts the group with the
//! earliest window (ties: the earliest deadline) at its first night where it fits, and on failure
//! the refutation moves its window past that night. Propagation keeps two sound relaxations of R3
//! and R4 in step with the windows, per service:
//! - forward: the night by which its R4 need can be across (replicas flow at most `cap` a night
//!   from their groups' `lo`) is the earliest night of every group waiting on it;
//! - backward: the latest night its first replica can move (`first_by`: its replicas flow back
//!   from their groups' `hi`, and its need must be across by the `first_by` of every service
//!   waiting on it); a group whose replicas the need cannot do without gets that deadline.
//!
//! Full nights (R1, R3, R5: [`Load::fits`]) close a window's ends lazily. Restarts with other
//! tie-breaks share a work budget, so the result does not depend on the machine. Leaves obey
//! every rule; the caller still hands them to the verifier.

use crate::plan::bound::fluid;
use crate::plan::heuristic::Assignment;
use crate::plan::ids::{BatchIx, GroupId, IdVec, SvcIx};
use crate::plan::problem::Problem;
use crate::plan::rng::Rng;
use crate::plan::rules::{self, Load, Violation};

/// A change to undo when backtracking.
#[derive(Clone, Copy)]
enum Undo {
    Lo(GroupId, u32),
    Hi(GroupId, u32),
    FirstBy(SvcIx, u32),
    At(GroupId),
}

/// The search state.
struct Dive<'a> {
    p: &'a Problem,
    nights: u32,
    lo: IdVec<GroupId, u32>,
    hi: IdVec<GroupId, u32>,
    at: IdVec<GroupId, Option<u32>>,
    /// Per service: the latest night its first moving replica can move.
    first_by: IdVec<SvcIx, u32>,
    loads: Vec<Load>,
    trail: Vec<Undo>,
    queue: Vec<SvcIx>,
    queued: IdVec<SvcIx, bool>,
    /// Tie-break among groups with the same window.
    key: IdVec<GroupId, u64>,
    work: u64,
}

impl<'a> Dive<'a> {
    /// The windows of `est` and the domains within `nights`; `None` when one is empty.
    fn new(p: &'a Problem, est: &IdVec<GroupId, BatchIx>, nights: u32) -> Option<Dive<'a>> {
        let lo: IdVec<GroupId, u32> = p.groups.ids().map(|g| est[g].0.max(p.domain[g].first)).collect();
        let hi: IdVec<GroupId, u32> =
            p.domain.iter().map(|d| d.last.map_or(nights - 1, |l| l.min(nights - 1))).collect();
        if p.groups.ids().any(|g| lo[g] > hi[g]) {
            return None;
        }
        Some(Dive {
            p,
            nights,
            lo,
            hi,
            at: IdVec::filled(None, p.groups.len()),
            first_by: IdVec::filled(nights - 1, p.services.len()),
            loads: vec![Load::new(p); nights as usize],
            trail: Vec::new(),
            queue: p.services.ids().collect(),
            queued: IdVec::filled(true, p.services.len()),
            key: IdVec::filled(0, p.groups.len()),
            work: 0,
        })
    }

    fn enqueue(&mut self, t: SvcIx) {
        if !std::mem::replace(&mut self.queued[t], true) {
            self.queue.push(t);
        }
    }

    fn enqueue_of(&mut self, g: GroupId) {
        for &(t, _) in &self.p.group_services[g] {
            self.enqueue(t);
        }
    }

    /// Group `g` no earlier than night `v` (the first night from there it fits); false when its
    /// window empties or it is already placed before.
    fn raise_lo(&mut self, g: GroupId, v: u32) -> bool {
        if let Some(a) = self.at[g] {
            return a >= v;
        }
        if v <= self.lo[g] {
            return true;
        }
        let mut v = v;
        while v <= self.hi[g] && !self.loads[v as usize].fits(self.p, g) {
            v += 1;
        }
        if v > self.hi[g] {
            return false;
        }
        self.trail.push(Undo::Lo(g, self.lo[g]));
        self.lo[g] = v;
        self.enqueue_of(g);
        true
    }

    /// Group `g` no later than night `v` (the last night up to there it fits).
    fn lower_hi(&mut self, g: GroupId, v: u32) -> bool {
        if let Some(a) = self.at[g] {
            return a <= v;
        }
        if v >= self.hi[g] {
            return true;
        }
        let mut v = Some(v);
        while let Some(x) = v.filter(|&x| x >= self.lo[g] && !self.loads[x as usize].fits(self.p, g)) {
            v = x.checked_sub(1);
        }
        let Some(v) = v.filter(|&x| x >= self.lo[g]) else { return false };
        self.trail.push(Undo::Hi(g, self.hi[g]));
        self.hi[g] = v;
        self.enqueue_of(g);
        true
    }

    /// Puts `g` in night `v` (it fits there); the groups sharing a capped service with it whose
    /// window ends at `v` and no longer fit there have that end moved.
    fn assign(&mut self, g: GroupId, v: u32) -> bool {
        let p = self.p;
        self.trail.push(Undo::At(g));
        self.trail.push(Undo::Lo(g, self.lo[g]));
        self.trail.push(Undo::Hi(g, self.hi[g]));
        self.at[g] = Some(v);
        self.lo[g] = v;
        self.hi[g] = v;
        self.loads[v as usize].add(p, g);
        self.enqueue_of(g);
        for &(t, _) in &p.group_services[g] {
            if p.services[t].cap.is_none() {
                continue;
            }
            for &(h, _) in &p.services[t].moving {
                if self.at[h].is_some() || self.loads[v as usize].fits(p, h) {
                    continue;
                }
                let ok = if self.lo[h] == v {
                    self.raise_lo(h, v + 1)
                } else if self.hi[h] == v {
                    v > 0 && self.lower_hi(h, v - 1)
                } else {
                    true
                };
                if !ok {
                    return false;
                }
            }
        }
        true
    }

    /// Takes back every change after trail position `mark`.
    fn undo_to(&mut self, mark: usize) {
        while self.trail.len() > mark {
            match self.trail.pop() {
                Some(Undo::Lo(g, v)) => self.lo[g] = v,
                Some(Undo::Hi(g, v)) => self.hi[g] = v,
                Some(Undo::FirstBy(t, v)) => self.first_by[t] = v,
                Some(Undo::At(g)) => {
                    if let Some(v) = self.at[g].take() {
                        self.loads[v as usize].remove(self.p, g);
                    }
                }
                None => {}
            }
        }
    }

    /// The replicas of `t` by night (`lo` of each group), sorted, without `skip`.
    fn released(&self, t: SvcIx, skip: Option<GroupId>, mirrored: bool) -> Vec<(u32, u32)> {
        let mut items: Vec<(u32, u32)> = self.p.services[t]
            .moving
            .iter()
            .filter(|x| Some(x.0) != skip)
            .map(|&(g, c)| (if mirrored { self.nights - 1 - self.hi[g] } else { self.lo[g] }, c))
            .collect();
        items.sort_unstable();
        items
    }

    /// Forward for service `t`: every group waiting on it no earlier than its need can be across.
    fn forward(&mut self, t: SvcIx) -> bool {
        let p = self.p;
        let s = &p.services[t];
        if s.dependents.is_empty() || s.need == 0 {
            return true;
        }
        let items = self.released(t, None, false);
        self.work += items.len() as u64;
        let ready = fluid(&items, s.cap.unwrap_or(u32::MAX), s.need);
        if ready >= self.nights {
            return false;
        }
        for &d in &s.dependents {
            for &(h, _) in &p.services[d].moving {
                self.work += 1;
                if !self.raise_lo(h, ready) {
                    return false;
                }
            }
        }
        true
    }

    /// Backward for service `t`: its `first_by`, and the deadline of groups its need cannot do
    /// without.
    fn backward(&mut self, t: SvcIx) -> bool {
        let p = self.p;
        let s = &p.services[t];
        let cap = s.cap.unwrap_or(u32::MAX);
        let mirrored = self.released(t, None, true);
        self.work += mirrored.len() as u64;
        let all = fluid(&mirrored, cap, s.moving_replicas());
        if all >= self.nights {
            return false;
        }
        let mut first = self.nights - 1 - all;
        let deadline = s.dependents.iter().map(|&d| self.first_by[d]).min();
        if let Some(d) = deadline.filter(|_| s.need > 0) {
            // The need by night d, `cap` a night: its first replica that many nights before.
            let span = s.need.div_ceil(cap.max(1)) - 1;
            let Some(f) = d.checked_sub(span) else { return false };
            first = first.min(f);
            let items = self.released(t, None, false);
            if fluid(&items, cap, s.need) > d {
                return false;
            }
            for &(g, _) in &s.moving {
                if self.at[g].is_some() || self.hi[g] <= d {
                    continue;
                }
                // Few groups: the need without this one, exactly; many: counted (weaker, sound).
                let short = if s.moving.len() <= 16 {
                    fluid(&self.released(t, Some(g), false), cap, s.need) > d
                } else {
                    let by: u32 =
                        s.moving.iter().filter(|x| x.0 != g && self.lo[x.0] <= d).map(|x| x.1).sum();
                    by < s.need
                };
                self.work += s.moving.len() as u64;
                if short && !self.lower_hi(g, d) {
                    return false;
                }
            }
        }
        if s.moving.iter().map(|x| self.lo[x.0]).min().is_some_and(|l| l > first) {
            return false;
        }
        if first < self.first_by[t] {
            self.trail.push(Undo::FirstBy(t, self.first_by[t]));
            self.first_by[t] = first;
            for &u in &s.deps {
                self.enqueue(u);
            }
        }
        true
    }

    /// Runs the queue to a fixpoint; false on a contradiction.
    fn propagate(&mut self) -> bool {
        while let Some(t) = self.queue.pop() {
            self.queued[t] = false;
            let ok = !self.p.dependencies_first || (self.forward(t) && self.backward(t));
            if !ok {
                for &u in &self.queue {
                    self.queued[u] = false;
                }
                self.queue.clear();
                return false;
            }
        }
        true
    }

    /// The night by which each service's R4 need is still due, for those whose need is not
    /// across yet: the first `first_by` of the services waiting on it, less the nights the rest of
    /// the need takes at `cap` a night (none: `u32::MAX`). No group of a quorum service carries a
    /// deadline of its own (any two of three replicas will do), so without this a night full of
    /// groups nothing waits for takes their room.
    fn need_due(&self) -> IdVec<SvcIx, u32> {
        let p = self.p;
        p.services
            .iter()
            .map(|s| {
                let Some(d) = s.dependents.iter().map(|&x| self.first_by[x]).min() else { return u32::MAX };
                let across: u32 =
                    s.moving.iter().filter(|x| self.at[x.0].is_some_and(|a| a <= d)).map(|x| x.1).sum();
                if across >= s.need {
                    return u32::MAX;
                }
                d.saturating_sub((s.need - across).div_ceil(s.cap.unwrap_or(u32::MAX).max(1)) - 1)
            })
            .collect()
    }

    /// The next group to place: the earliest window, then the earliest deadline, its own or that
    /// of a need it carries replicas of.
    fn select(&mut self) -> Option<GroupId> {
        let p = self.p;
        let due = self.need_due();
        let total: usize = p.services.iter().map(|s| s.moving.len()).sum();
        self.work += (p.groups.len() + total) as u64;
        let due = |g: GroupId| p.group_services[g].iter().map(|x| due[x.0]).fold(self.hi[g], u32::min);
        p.groups
            .ids()
            .filter(|&g| self.at[g].is_none())
            .min_by_key(|&g| (self.lo[g], due(g), self.hi[g], self.key[g]))
    }

    /// One depth-first search from the propagated root state (trail position `root`), up to
    /// `fails` failures or the work `limit`: `Ok(Some)` a schedule, `Ok(None)` none exists,
    /// `Err(())` the budget ran out.
    fn run(&mut self, root: usize, fails: u64, limit: u64) -> Result<Option<Assignment>, ()> {
        let mut stack: Vec<(usize, GroupId, u32)> = Vec::new();
        let mut failed = 0u64;
        let mut ok = true;
        loop {
            if self.work > limit {
                self.undo_to(root);
                return Err(());
            }
            if !ok {
                failed += 1;
                let Some((mark, g, v)) = stack.pop() else { return Ok(None) };
                self.undo_to(mark);
                if failed > fails {
                    self.undo_to(root);
                    return Err(());
                }
                ok = self.raise_lo(g, v + 1) && self.propagate();
                continue;
            }
            let Some(g) = self.select() else {
                let done: Option<Assignment> = self.at.iter().map(|a| a.map(BatchIx)).collect();
                // The rules have the last word (an empty night is the caller's to close up).
                let valid = done.as_ref().is_some_and(|d| {
                    matches!(rules::violation(self.p, d), None | Some(Violation::Empty { .. }))
                });
                if valid {
                    self.undo_to(root);
                    return Ok(done);
                }
                ok = false;
                continue;
            };
            let lo = self.lo[g];
            if !self.loads[lo as usize].fits(self.p, g) {
                // Its first night filled up since: move the window, no decision.
                ok = self.raise_lo(g, lo + 1) && self.propagate();
                continue;
            }
            stack.push((self.trail.len(), g, lo));
            ok = self.assign(g, lo) && self.propagate();
        }
    }
}

/// A schedule in `nights` nights from the earliest nights `est`, searched within `work`
/// (restarts with other tie-breaks, each allowed twice the failures of the one before).
pub(crate) fn dive(p: &Problem, est: &IdVec<GroupId, BatchIx>, nights: u32, work: u64) -> Option<Assignment> {
    if nights == 0 || p.groups.is_empty() {
        return None;
    }
    let mut st = Dive::new(p, est, nights)?;
    if !st.propagate() {
        return None;
    }
    let root = st.trail.len();
    let mut rng = Rng(0xd1fe);
    let mut fails = 32u64;
    while st.work < work {
        if let Ok(found) = st.run(root, fails, work) {
            return found;
        }
        for k in st.key.iter_mut() {
            *k = rng.next();
        }
        fails = fails.saturating_mul(2);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::bound;
    use crate::plan::testkit::{generated, problem, services_toml, small_moves};

    #[test]
    fn it_finds_the_schedule_the_bound_allows_and_no_shorter() {
        // a: 3 replicas, 2 up (one a night); b waits for 2 of a's; c (one replica) waits on b.
        let services = "[[service]]\nid = \"a\"\nruns_on = [\"m0\", \"m1\", \"m2\"]\nmin_up = 2\n\
                        [[service]]\nid = \"b\"\nruns_on = [\"m3\", \"m4\", \"m2\"]\nmin_up = 2\ndepends_on = [\"a\"]\n\
                        [[service]]\nid = \"c\"\nruns_on = [\"m5\"]\ndepends_on = [\"b\"]\n";
        let p = problem(6, services, 3);
        let (lb, est) = bound::lower_bound(&p).expect("feasible");
        let found = dive(&p, &est, lb, 1_000_000).expect("a schedule in the bound's nights");
        assert_eq!(rules::violation(&p, &found), None);
        // b's need (2 of its replicas) is across no earlier than a's second night.
        assert!(found[GroupId(5)].0 >= 2, "{found:?}");
        // One night fewer than R3 and R4 allow: nothing, and no invalid schedule.
        assert!(dive(&p, &est, lb - 1, 1_000_000).is_none());
    }

    #[test]
    fn needs_due_keep_their_room_in_full_nights() {
        // A generated move of quorum services in chains, 2,000 machines, 80 a night (R1 binds as
        // well): CP-SAT proves 19 nights. Without the deadlines of the needs in the choice of the
        // next group, no dive found even 20 with seven times this work.
        let p = generated(crate::synth::Shape::Chains, 2000, 7, 80);
        let (_, est) = bound::lower_bound(&p).expect("feasible");
        let found = dive(&p, &est, 19, 40_000 * p.groups.len() as u64).expect("19 nights");
        assert_eq!(rules::violation(&p, &found), None);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 300, ..Default::default() })]

        /// Against the exact search: the dive finds a schedule in the fewest nights the exact
        /// search finds (its propagation removes no schedule), none in fewer, and only valid
        /// ones. Random small moves with chains of waits, R3 caps and a night's machines.
        #[test]
        fn it_finds_the_fewest_nights_and_only_valid_schedules((n, services, per_night) in small_moves(8)) {
            use crate::plan::exact::{Found, Query, exact};
            let text = services_toml(n, &services);
            let p = problem(n, &text, per_night);
            let Ok((_, est)) = bound::lower_bound(&p) else { return Ok(()) };
            for b in 1..=crate::num::u32_of(n) {
                let q = Query { est: &est, hint: &[], batches: b, budget: 2_000_000, first_only: true };
                let found = dive(&p, &est, b, 200_000);
                if let Some(d) = &found {
                    let v = rules::violation(&p, d);
                    proptest::prop_assert!(matches!(v, None | Some(Violation::Empty { .. })), "{:?}\n{}", v, text);
                    proptest::prop_assert!(d.iter().all(|x| x.0 < b));
                }
                match exact(&p, &q) {
                    Found::Yes(_) => {
                        proptest::prop_assert!(found.is_some(), "no dive in {} nights\n{}", b, text);
                        return Ok(());
                    }
                    Found::No => proptest::prop_assert!(found.is_none(), "{} nights\n{}", b, text),
                    Found::Unknown => return Ok(()),
                }
            }
        }
    }

    #[test]
    fn a_full_night_is_skipped() {
        // Four machines, two a night, no services: two nights, never three in one.
        let p = problem(4, "", 2);
        let (_, est) = bound::lower_bound(&p).expect("feasible");
        let found = dive(&p, &est, 2, 10_000).expect("two nights");
        assert_eq!(rules::violation(&p, &found), None);
        assert!(dive(&p, &est, 1, 10_000).is_none());
    }
}
