//! The nights that must follow a group's night (its tail), from R3 and R4: the mirror of the
//! earliest batch, which counts the nights before.
//!
//! If `h` carries replicas that service `t` cannot meet its R4 need without, every group of
//! every service waiting on `t` moves in `h`'s night or later; those groups then need nights of
//! their own (at most R3's cap of a service's replicas a night) and have tails of their own. So
//! in any valid schedule `h` is followed by at least that many nights. The bound uses tails with
//! earliest batches: a set of groups that cannot all share few nights, none early and each with a
//! long tail, needs more nights than either counts alone.

use crate::plan::ids::{GroupId, IdVec, SvcIx};
use crate::plan::problem::Problem;

/// Per group, a number of nights that follow its night in every valid schedule (0 without R4).
/// A fixpoint over the services from all zeros: each step raises a tail to what the rules force
/// given the others, so every value is a lower bound at every step, and stopping at the work
/// budget or at `horizon` (past it no schedule exists) keeps it one.
pub(crate) fn tails(p: &Problem, horizon: u32) -> IdVec<GroupId, u32> {
    let mut q: IdVec<GroupId, u32> = IdVec::filled(0, p.groups.len());
    if !p.dependencies_first {
        return q;
    }
    let mut queued: IdVec<SvcIx, bool> = p.services.iter().map(|s| !s.deps.is_empty()).collect();
    let mut queue: std::collections::VecDeque<SvcIx> =
        queued.enumerate().filter(|x| *x.1).map(|x| x.0).collect();
    let size: usize = p.services.iter().map(|s| s.moving.len() + s.deps.len()).sum();
    let mut budget = 32 * size + 100_000;
    let mut scratch = Vec::new();
    while let Some(s) = queue.pop_front() {
        queued[s] = false;
        let cost = p.services[s].moving.len() + p.services[s].deps.len();
        if budget < cost {
            break;
        }
        budget -= cost;
        let after = fluid_tail(p, s, &q, &mut scratch).min(horizon);
        for &t in &p.services[s].deps {
            for h in must_groups(p, t) {
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

/// The groups without which service `t` cannot have its R4 need across: its other moving
/// replicas are fewer than the need.
fn must_groups(p: &Problem, t: SvcIx) -> impl Iterator<Item = GroupId> + '_ {
    let s = &p.services[t];
    let total = s.moving_replicas();
    s.moving.iter().filter(move |&&(_, c)| s.need > 0 && total - c < s.need).map(|x| x.0)
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::plan::lns::tests::problem;

    /// Services: `a` on m0, `b` on m1; x (m0, m1, m2: one in transit a night) keeps m0 and m1
    /// apart; a2 (m3, m4, m5) waits on a and b2 (m6, m7, m8) on b, three nights each.
    pub(crate) const TWO_TAILS: &str = "[[service]]\nid = \"a\"\nruns_on = [\"m0\"]\n\
        [[service]]\nid = \"b\"\nruns_on = [\"m1\"]\n\
        [[service]]\nid = \"x\"\nruns_on = [\"m0\", \"m1\", \"m2\"]\nmin_up = 2\n\
        [[service]]\nid = \"a2\"\nruns_on = [\"m3\", \"m4\", \"m5\"]\nmin_up = 2\ndepends_on = [\"a\"]\n\
        [[service]]\nid = \"b2\"\nruns_on = [\"m6\", \"m7\", \"m8\"]\nmin_up = 2\ndepends_on = [\"b\"]\n";

    #[test]
    fn a_group_waited_on_by_replicas_that_take_three_nights_has_a_tail_of_two() {
        let p = problem(9, TWO_TAILS, 9);
        let q = tails(&p, 100);
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
        let q = tails(&problem(7, services, 9), 100);
        // m1 is followed by d's three nights: 2 after its own.
        assert_eq!(q[GroupId(1)], 2);
        // m0 by c's replicas, one a night, m1 (tail 2) first: max(0 + 2, 1 + 0, 2 + 0) = 2
        // (m1 last would give 4).
        assert_eq!(q[GroupId(0)], 2);
        assert_eq!(q[GroupId(2)], 0);
    }
}
