//! The nights that must follow a group's night (its tail), from R3 and R4: the mirror of the
//! earliest batch, which counts the nights before.
//!
//! If `h` carries replicas that service `t` cannot meet its R4 need without, every group of
//! every service waiting on `t` moves in `h`'s night or later; those groups then need nights of
//! their own (at most R3's cap of a service's replicas a night) and have tails of their own. So
//! in any valid schedule `h` is followed by at least that many nights. The bound uses tails with
//! earliest batches: a set of groups that cannot all share few nights, none early and each with a
//! long tail, needs more nights than either counts alone.

use crate::plan::bound;
use crate::plan::ids::{BatchIx, GroupId, IdVec, SvcIx};
use crate::plan::problem::Problem;

/// Per group, a number of nights that follow its night in every valid schedule (0 without R4).
///
/// [`replica_tails`] is a fixpoint over the services from all zeros: each step raises a tail to what the rules force
/// given the others, so every value is a lower bound at every step, and stopping at the work
/// budget or at `horizon` (past it no schedule exists) keeps it one.
pub(crate) fn tails(p: &Problem, est: &IdVec<GroupId, BatchIx>, horizon: u32) -> IdVec<GroupId, u32> {
    let mut q = replica_tails(p, horizon);
    if p.dependencies_first {
        sharpen(p, est, &mut q, horizon);
    }
    q
}

/// The tails from R3 alone: each group waited on is followed by the nights that the replicas
/// waiting on it need (at most the cap a night), and by their tails.
pub(crate) fn replica_tails(p: &Problem, horizon: u32) -> IdVec<GroupId, u32> {
    let mut q: IdVec<GroupId, u32> = IdVec::filled(0, p.groups.len());
    if !p.dependencies_first {
        return q;
    }
    let mut queued: IdVec<SvcIx, bool> = p.services.iter().map(|s| !s.deps.is_empty()).collect();
    let mut queue: std::collections::VecDeque<SvcIx> =
        queued.enumerate().filter(|x| *x.1).map(|x| x.0).collect();
    let size: usize = p.services.iter().map(|s| s.moving.len() + s.deps.len()).sum();
    let mut budget = 32 * size + 100_000;
    let (mut scratch, mut must) = (Vec::new(), Vec::new());
    while let Some(s) = queue.pop_front() {
        queued[s] = false;
        let cost = p.services[s].moving.len() + p.services[s].deps.len();
        if budget < cost {
            break;
        }
        budget -= cost;
        let after = fluid_tail(p, s, &q, &mut scratch).min(horizon);
        for &t in &p.services[s].deps {
            bound::must_groups(p, t, &mut must);
            for &h in &must {
                if q[h] >= after {
                    continue;
                }
                q[h] = after;
                // Services on h that wait on others pass its longer tail on.
                for &(u, _) in &p.group_services[h] {
                    if !queued[u] && !p.services[u].deps.is_empty() {
                        queued[u] = true;
                        queue.push_back(u);
                    }
                }
            }
        }
    }
    q
}

/// The nights that follow the first night service `s`'s replicas may move in (all wait on the
/// same group), in the fluid relaxation of R3: replicas one by one, at most `cap` a night, each
/// followed by its group's tail. Longest tails first is optimal there (Jackson's rule for unit
/// jobs), so the value is the least any valid schedule allows.
fn fluid_tail(p: &Problem, s: SvcIx, q: &IdVec<GroupId, u32>, scratch: &mut Vec<(u32, u32)>) -> u32 {
    let svc = &p.services[s];
    scratch.clear();
    scratch.extend(svc.moving.iter().map(|&(g, c)| (q[g], c)));
    scratch.sort_unstable_by(|a, b| b.cmp(a));
    let Some(cap) = svc.cap.filter(|&c| c > 0) else {
        return scratch.first().map_or(0, |x| x.0);
    };
    let (mut before, mut worst) = (0u32, 0u32);
    for &(tail, c) in scratch.iter() {
        // The last of this group's replicas in that order is the latest of them.
        let last = before.saturating_add(c).saturating_sub(1);
        worst = worst.max((last / cap).saturating_add(tail));
        before = before.saturating_add(c);
    }
    worst
}

/// Sharper tails for the groups others wait on, from what must follow each one: the earliest
/// batches relative to its own night (see [`Relative`]), and the work of the groups so found
/// with their tails. Groups late in the move first, so that the earlier ones see their sharper
/// tails. Under a work budget: a tail not sharpened keeps its sound value.
fn sharpen(p: &Problem, est: &IdVec<GroupId, BatchIx>, q: &mut IdVec<GroupId, u32>, horizon: u32) {
    let waited_on =
        |g: GroupId| p.group_services[g].iter().any(|&(t, _)| !p.services[t].dependents.is_empty());
    let mut order: Vec<GroupId> = p.groups.ids().filter(|&g| waited_on(g)).collect();
    order.sort_unstable_by_key(|&g| (std::cmp::Reverse(est[g]), g));
    let size: usize = p.services.iter().map(|s| s.moving.len() + s.dependents.len()).sum();
    let mut r = Relative::new(p, horizon, 16 * size + 100_000);
    let mut uses = Vec::new();
    for h in order {
        if !r.run(p, h) {
            break;
        }
        uses.clear();
        for &k in &r.touched {
            bound::push_uses(p, k, r.at[k].0, q[k], &mut uses);
        }
        let lw = bound::late_work_of(p, &mut uses);
        let tail = lw.saturating_sub(u64::from(r.base) + 1);
        q[h] = q[h].max(u32::try_from(tail).unwrap_or(u32::MAX).min(horizon));
        r.clear();
    }
}

/// Earliest batches relative to one group `h`'s night: `h` at `base` (past any real batch), the
/// groups that R4 forces into its night or later at `base` or more, the others at 0 (nothing
/// known). For any valid schedule `b`, `b - b[h] + base` is a valid schedule of the same rules
/// (they only compare nights) that starts from these values, and the propagation of the
/// earliest batches only raises a value to what the rules force, so `at[k] - base` stays at
/// most `b[k] - b[h]`. One rule is added for `h` alone: its night is taken, so a group that
/// cannot share it and is forced to `base` goes to `base + 1`.
struct Relative {
    /// Batches of the shifted schedule (see above).
    at: IdVec<GroupId, BatchIx>,
    touched: Vec<GroupId>,
    queued: IdVec<SvcIx, bool>,
    queue: std::collections::VecDeque<SvcIx>,
    must: Vec<GroupId>,
    base: u32,
    budget: usize,
}

impl Relative {
    fn new(p: &Problem, horizon: u32, budget: usize) -> Relative {
        Relative {
            at: IdVec::filled(BatchIx(0), p.groups.len()),
            touched: Vec::new(),
            queued: IdVec::filled(false, p.services.len()),
            queue: std::collections::VecDeque::new(),
            must: Vec::new(),
            base: horizon.saturating_add(1),
            budget,
        }
    }

    /// Propagates from `h`; false when the work budget ran out (the values are then partial).
    fn run(&mut self, p: &Problem, h: GroupId) -> bool {
        self.raise(p, h, self.base);
        let limit = self.base.saturating_mul(2);
        while let Some(t) = self.queue.pop_front() {
            self.queued[t] = false;
            let cost = p.services[t].moving.len() + p.services[t].dependents.len();
            if self.budget < cost {
                return false;
            }
            self.budget -= cost;
            let ready = bound::fluid_ready(p, t, &self.at, p.services[t].need);
            bound::must_groups(p, t, &mut self.must);
            for &s in &p.services[t].dependents {
                for &(k, _) in &p.services[s].moving {
                    let mut at = bound::after_apart(p, &self.at, &self.must, k, limit).max(ready).0;
                    if at < self.base || k == h {
                        continue;
                    }
                    if at == self.base && bound::apart(p, h, k) {
                        at += 1;
                    }
                    self.raise(p, k, at.min(limit));
                }
            }
        }
        true
    }

    /// Raises group `k` to `at` and queues the services on it that others wait on.
    fn raise(&mut self, p: &Problem, k: GroupId, at: u32) {
        if self.at[k].0 >= at {
            return;
        }
        if self.at[k].0 == 0 {
            self.touched.push(k);
        }
        self.at[k] = BatchIx(at);
        for &(u, _) in &p.group_services[k] {
            if !self.queued[u] && !p.services[u].dependents.is_empty() {
                self.queued[u] = true;
                self.queue.push_back(u);
            }
        }
    }

    /// Back to nothing known, at the cost of what was touched.
    fn clear(&mut self) {
        for &k in &self.touched {
            self.at[k] = BatchIx(0);
        }
        self.touched.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::testkit::{TWO_TAILS, problem};

    #[test]
    fn a_group_waited_on_by_replicas_that_take_three_nights_has_a_tail_of_two() {
        let p = problem(9, TWO_TAILS, 9);
        let q = replica_tails(&p, 100);
        assert_eq!(q.iter().copied().collect::<Vec<_>>(), vec![2, 2, 0, 0, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn tails_pass_down_a_chain_and_longest_tails_go_first() {
        // c (m1, m2, m3: one a night) waits on a (m0); d (m4, m5, m6: one a night) waits on
        // c1, which only m1 carries.
        let services = "[[service]]\nid = \"a\"\nruns_on = [\"m0\"]\n\
                        [[service]]\nid = \"c\"\nruns_on = [\"m1\", \"m2\", \"m3\"]\nmin_up = 2\ndepends_on = [\"a\"]\n\
                        [[service]]\nid = \"c1\"\nruns_on = [\"m1\"]\n\
                        [[service]]\nid = \"d\"\nruns_on = [\"m4\", \"m5\", \"m6\"]\nmin_up = 2\ndepends_on = [\"c1\"]\n";
        let q = replica_tails(&problem(7, services, 9), 100);
        // m1 is followed by d's three nights: 2 after its own.
        assert_eq!(q[GroupId(1)], 2);
        // m0 by c's replicas, one a night, m1 (tail 2) first: max(0 + 2, 1 + 0, 2 + 0) = 2
        // (m1 last would give 4).
        assert_eq!(q[GroupId(0)], 2);
        assert_eq!(q[GroupId(2)], 0);
    }
}
