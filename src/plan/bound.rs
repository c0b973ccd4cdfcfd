//! The lower bound on batches, and the earliest batch each group can be in.

use crate::num::u32_of;
use crate::plan::conflict::{self, Conflict};
use crate::plan::ids::{BatchIx, Dim, GroupId, IdVec, SvcIx};
use crate::plan::problem::Problem;
use crate::plan::rules::{Load, Resource};
use crate::plan::tail;

/// Checks what no schedule can fix: a group larger than a batch, carrying too many replicas,
/// too much work for one night's crew, pinned apart, or pins that overfill a night.
pub(crate) fn impossible_groups(p: &Problem) -> Option<Conflict> {
    if let Some(g) = p.groups.ids().find(|&g| p.domain[g].last.is_some_and(|l| l < p.domain[g].first)) {
        return Some(Conflict::Decisions { group: g });
    }
    let empty = Load::new(p);
    let alone = |g: GroupId| empty.exceeded(p, g).map(|d| p.limits[d].what);
    // R1 first, over all groups; then the other limits.
    if let Some(g) = p
        .groups
        .ids()
        .find(|&g| matches!(alone(g), Some(Resource::Machines | Resource::Units | Resource::Weight)))
    {
        return Some(Conflict::GroupTooBig { group: g });
    }
    let alone = p.groups.ids().find_map(|g| match alone(g)? {
        Resource::Replicas(s) => Some(Conflict::GroupBreaksR3 { group: g, service: s }),
        Resource::Labour => Some(Conflict::GroupTooMuchWork { group: g }),
        Resource::Machines | Resource::Units | Resource::Weight => None,
    });
    alone.or_else(|| overfull_pins(p))
}

/// Groups pinned to one night that together exceed one of its limits.
fn overfull_pins(p: &Problem) -> Option<Conflict> {
    let mut pinned: Vec<(u32, GroupId)> =
        p.groups.ids().filter_map(|g| p.domain[g].last.map(|l| (l, g))).collect();
    pinned.sort_unstable();
    for night in pinned.chunk_by(|a, b| a.0 == b.0) {
        let mut load = Load::new(p);
        for &(_, g) in night {
            if let Some(dim) = load.exceeded(p, g) {
                let groups = night.iter().map(|x| x.1).collect();
                return Some(Conflict::PinsOverfull { night: BatchIx(night[0].0), dim, groups });
            }
            load.add(p, g);
        }
    }
    None
}

/// The lower bound on batches, with the earliest batch each group can be in.
pub(crate) fn lower_bound(p: &Problem) -> Result<(u32, IdVec<GroupId, BatchIx>), Conflict> {
    if let Some(c) = impossible_groups(p) {
        return Err(c);
    }
    let mut est: IdVec<GroupId, BatchIx> = p.domain.iter().map(|d| BatchIx(d.first)).collect();
    let mut tails = IdVec::filled(0, p.groups.len());
    if p.dependencies_first {
        // A cycle of waits found directly, not by the climb below (quadratic on a deadlock).
        if let Some(c) = crate::plan::deadlock::conflict(p) {
            return Err(c);
        }
        propagate(p, &mut est, horizon(p))?;
        if let Some(g) = p.groups.ids().find(|&g| p.domain[g].last.is_some_and(|l| est[g].0 > l)) {
            return Err(pinned_too_early(p, g, &est));
        }
        tails = tail::replica_tails(p, horizon(p));
    }
    // Every limit's total a batch at a time is the case of the groups from their earliest batch.
    let mut lb = u32::from(!p.groups.is_empty()).max(late_work(p, &est, &tails));
    lb = lb.max(est.iter().map(|e| e.0 + 1).max().unwrap_or(0));
    // A service's last replica cannot move before all of them fit under R3 from their earliest
    // batches.
    for (t, svc) in p.services.enumerate() {
        if svc.cap.is_some() {
            lb = lb.max(fluid_ready(p, t, &est, svc.moving_replicas()).0.saturating_add(1));
        }
    }
    Ok((lb, est))
}

/// A sharper bound than [`lower_bound`]'s `lb`, at more cost (the tails of [`tail::tails`]): for
/// when the plan found is longer than `lb`.
pub(crate) fn sharper_bound(p: &Problem, est: &IdVec<GroupId, BatchIx>, lb: u32) -> u32 {
    if !p.dependencies_first {
        return lb;
    }
    lb.max(late_work(p, est, &tail::tails(p, est, horizon(p))))
}

/// Past this many batches no schedule exists: a plan has no empty batch, so no more batches than
/// groups, plus the nights operator decisions leave before a group's first.
fn horizon(p: &Problem) -> u32 {
    let late = p.domain.iter().map(|d| d.first as usize).max().unwrap_or(0);
    u32_of(p.groups.len().saturating_add(late))
}

/// The bound from groups that cannot start early (not_before, pins, R4) and must be followed by
/// nights of their own (their tails, see [`tail`]).
fn late_work(p: &Problem, est: &IdVec<GroupId, BatchIx>, tails: &IdVec<GroupId, u32>) -> u32 {
    let mut uses = Vec::new();
    for g in p.groups.ids() {
        push_uses(p, g, est[g].0, tails[g], &mut uses);
    }
    u32::try_from(late_work_of(p, &mut uses)).unwrap_or(u32::MAX)
}

/// What a group takes of one limit, from which batch on, followed by how many nights.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Use {
    dim: Dim,
    first: u32,
    tail: u32,
    amount: u64,
}

/// Group `g`'s uses of every limit it takes some of, from batch `first` with `tail`.
pub(crate) fn push_uses(p: &Problem, g: GroupId, first: u32, tail: u32, uses: &mut Vec<Use>) {
    uses.extend(p.demand[g].iter().map(|&(dim, c)| Use { dim, first, tail, amount: u64::from(c) }));
}

/// For every limit, every batch f and tail length r: the groups of `uses` from f on with a tail
/// of r or more take at least their total over the cap of batches from f, and the last of
/// them is followed by r more. The most batches so counted.
pub(crate) fn late_work_of(p: &Problem, uses: &mut [Use]) -> u64 {
    uses.sort_unstable_by(|a, b| a.dim.cmp(&b.dim).then(b.first.cmp(&a.first)));
    let (mut lb, mut ranks, mut acc) = (0u64, Vec::new(), Vec::new());
    for per_dim in uses.chunk_by(|a, b| a.dim == b.dim) {
        let cap = u64::from(p.limits[per_dim[0].dim].cap.max(1));
        ranks.clear();
        ranks.extend(per_dim.iter().map(|u| u.tail));
        ranks.sort_unstable();
        ranks.dedup();
        acc.clear();
        acc.resize(ranks.len(), 0u64);
        // From the latest start down: acc holds, by tail, the amounts starting at f or later.
        for chunk in per_dim.chunk_by(|a, b| a.first == b.first) {
            for u in chunk {
                acc[ranks.partition_point(|&r| r < u.tail)] += u.amount;
            }
            let f = u64::from(chunk[0].first);
            let mut total = 0u64;
            for (&r, &c) in ranks.iter().zip(&acc).rev() {
                total += c;
                // An empty set (no group from f on has so long a tail) bounds nothing.
                if total > 0 {
                    lb = lb.max(f + total.div_ceil(cap) + u64::from(r));
                }
            }
        }
    }
    lb
}

/// The conflict of a group pinned before R4 lets it move: the first of its services whose
/// dependency cannot be across by the pinned night.
fn pinned_too_early(p: &Problem, g: GroupId, est: &IdVec<GroupId, BatchIx>) -> Conflict {
    let night = BatchIx(p.domain[g].last.unwrap_or(0));
    let mut services = p.group_services[g].iter().map(|x| x.0);
    let waits = services.find_map(|s| {
        let t = *p.services[s].deps.iter().find(|&&t| earliest_ready(p, t, est) > night)?;
        Some((s, t))
    });
    // A service waiting on this group's replicas may be pinned earlier instead.
    let waits = waits.or_else(|| {
        p.group_services[g].iter().find_map(|&(t, _)| {
            let s = *p.services[t].dependents.iter().find(|&&s| {
                p.services[s].moving.iter().any(|&(y, _)| p.domain[y].last.is_some_and(|l| l < est[g].0))
            })?;
            Some((s, t))
        })
    });
    Conflict::PinFightsR4 { group: g, night, waits }
}

/// Raises each group's earliest batch until R4 holds for it in the relaxation
/// [`earliest_ready`]: a worklist over the services whose groups moved, so each rise costs
/// the services it touches, not all of them. Every value stays a lower bound on the group's
/// batch in any valid schedule (induction: the relaxation is monotone and starts from the
/// domains). Past `horizon` no schedule exists (a plan has no empty batch, so no more batches
/// than groups, plus the nights operator decisions skip): the deadlock is then proven. The work
/// is bounded (near-linear in the size of the move).
fn propagate(p: &Problem, est: &mut IdVec<GroupId, BatchIx>, horizon: u32) -> Result<(), Conflict> {
    let mut queued: IdVec<SvcIx, bool> = p.services.iter().map(|s| !s.dependents.is_empty()).collect();
    let mut queue: std::collections::VecDeque<SvcIx> =
        queued.enumerate().filter(|x| *x.1).map(|x| x.0).collect();
    // Work budget: a cycle of waits can raise the estimates one batch per turn up to the
    // horizon, which costs the horizon times the cycle. Stopping early keeps every estimate a
    // lower bound (each step only raises values to what the rules force), so past the budget
    // the bound is weaker, not wrong; the searches and the conflict proof take it from there.
    let size: usize = p.services.iter().map(|s| s.moving.len() + s.dependents.len()).sum();
    let mut budget = 32 * size + 100_000;
    let mut must = Vec::new();
    while let Some(t) = queue.pop_front() {
        queued[t] = false;
        let cost = p.services[t].moving.len() + p.services[t].dependents.len();
        if budget < cost {
            break;
        }
        budget -= cost;
        let ready = earliest_ready(p, t, est);
        if ready.0 > horizon {
            return Err(conflict::deadlock(p, est));
        }
        must_groups(p, t, &mut must);
        for &s in &p.services[t].dependents {
            for &(g, _) in &p.services[s].moving {
                let at = after_apart(p, est, &must, g, horizon).max(ready);
                if est[g] >= at {
                    continue;
                }
                est[g] = at;
                for &(u, _) in &p.group_services[g] {
                    if !queued[u] && !p.services[u].dependents.is_empty() {
                        queued[u] = true;
                        queue.push_back(u);
                    }
                }
            }
        }
    }
    Ok(())
}

/// The groups without which service `t` cannot have its R4 need across (its other moving
/// replicas are fewer than the need), into `must`.
pub(crate) fn must_groups(p: &Problem, t: SvcIx, must: &mut Vec<GroupId>) {
    let s = &p.services[t];
    must.clear();
    if s.need == 0 {
        return;
    }
    let total = s.moving_replicas();
    must.extend(s.moving.iter().filter(|&&(_, c)| total - c < s.need).map(|x| x.0));
}

/// The earliest batch of a group `g` waiting on a service whose `must` groups are given: a
/// group `h` among them that cannot share a night with `g` (together they exceed a per-night
/// limit: R1, R3, ...) is in a batch before `g`'s in every valid schedule, since R4 wants `h`
/// across by `g`'s batch and the night itself is ruled out; so `g` is at `est[h] + 1` or later.
/// Values past `horizon` are left to the deadlock proof (never raised to); a pinned group is not
/// raised by it (a pin that R4 forbids is named, with the groups that fight, by the conflict
/// search instead).
pub(crate) fn after_apart(
    p: &Problem,
    est: &IdVec<GroupId, BatchIx>,
    must: &[GroupId],
    g: GroupId,
    horizon: u32,
) -> BatchIx {
    if p.domain[g].last.is_some() {
        return BatchIx(0);
    }
    let after = must.iter().filter(|&&h| h != g && apart(p, g, h)).map(|&h| est[h].0.saturating_add(1));
    BatchIx(after.filter(|&b| b <= horizon).max().unwrap_or(0))
}

/// Groups `g` and `h` together exceed a per-night limit (R1, R3, ...): never in one night.
pub(crate) fn apart(p: &Problem, g: GroupId, h: GroupId) -> bool {
    p.demand[h].iter().any(|&(d, c)| {
        p.demand[g].iter().any(|&(e, c2)| e == d && u64::from(c) + u64::from(c2) > u64::from(p.limits[d].cap))
    })
}

/// R3 for service `t`, relaxed: replicas flow one by one (a group's replicas need not travel
/// together), at most `cap` a batch, each from its group's earliest batch on. The batch by
/// which `need` of them can be across; none is earlier in any valid schedule whose groups are
/// at or after `est`, so the value is a sound bound (packing whole groups first-fit is not:
/// one group with several replicas can finish earlier than two small ones).
pub(crate) fn fluid_ready(p: &Problem, t: SvcIx, est: &IdVec<GroupId, BatchIx>, need: u32) -> BatchIx {
    let s = &p.services[t];
    let mut avail: Vec<(u32, u32)> = s.moving.iter().map(|&(g, c)| (est[g].0, c)).collect();
    avail.sort_unstable();
    BatchIx(fluid(&avail, s.cap.unwrap_or(u32::MAX), need))
}

/// Replicas released at the given nights (`(night, count)`, sorted by night) moving at most `cap`
/// a night: the first night by which `k` of them can have moved (0 for none); `u32::MAX` if never.
pub(crate) fn fluid(items: &[(u32, u32)], cap: u32, k: u32) -> u32 {
    if k == 0 {
        return 0;
    }
    let cap = u64::from(cap.max(1));
    let k = u64::from(k);
    let (mut pool, mut done, mut i) = (0u64, 0u64, 0usize);
    let mut b = items.first().map_or(0, |x| u64::from(x.0));
    loop {
        while i < items.len() && u64::from(items[i].0) <= b {
            pool += u64::from(items[i].1);
            i += 1;
        }
        // Nights b.. until the next release, `cap` replicas each.
        let span = items.get(i).map_or(u64::MAX, |x| u64::from(x.0) - b);
        let steps = span.min(pool.div_ceil(cap)).max(1);
        let can = pool.min(steps.saturating_mul(cap));
        if k - done <= can {
            return u32::try_from(b + (k - done).div_ceil(cap) - 1).unwrap_or(u32::MAX);
        }
        done += can;
        pool -= can;
        b += steps;
        if pool == 0 {
            match items.get(i) {
                Some(x) => b = b.max(u64::from(x.0)),
                None => return u32::MAX,
            }
        }
    }
}

/// The batch by which service `t`'s R4 need can be across: [`fluid_ready`] for `need`.
fn earliest_ready(p: &Problem, t: SvcIx, est: &IdVec<GroupId, BatchIx>) -> BatchIx {
    fluid_ready(p, t, est, p.services[t].need)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::testkit::{problem, services_toml, small_moves};

    #[test]
    fn fluid_counts_replicas_at_most_cap_a_night() {
        // Two replicas from night 0, one from night 3, one a night: the third by night 3.
        assert_eq!(fluid(&[(0, 2), (3, 1)], 1, 2), 1);
        assert_eq!(fluid(&[(0, 2), (3, 1)], 1, 3), 3);
        assert_eq!(fluid(&[(0, 2), (3, 1)], 5, 3), 3);
        assert_eq!(fluid(&[(2, 4)], 2, 4), 3);
        assert_eq!(fluid(&[(0, 1)], 1, 2), u32::MAX);
    }

    #[test]
    fn a_group_that_cannot_share_a_night_with_the_one_it_waits_for_comes_after_it() {
        // a's only replica is on m0; b (m1) waits on a, c (m2) on b. x and y (one of two up:
        // one in transit a night) keep m0 and m1, then m1 and m2, in different nights: 3
        // nights, though every count and the earliest nights from R4 alone allow 2.
        let services = "[[service]]\nid = \"a\"\nruns_on = [\"m0\"]\n\
                        [[service]]\nid = \"b\"\nruns_on = [\"m1\"]\ndepends_on = [\"a\"]\n\
                        [[service]]\nid = \"c\"\nruns_on = [\"m2\"]\ndepends_on = [\"b\"]\n\
                        [[service]]\nid = \"x\"\nruns_on = [\"m0\", \"m1\"]\nmin_up = 1\n\
                        [[service]]\nid = \"y\"\nruns_on = [\"m1\", \"m2\"]\nmin_up = 1\n";
        let p = problem(3, services, 3);
        let (lb, est) = lower_bound(&p).expect("feasible");
        assert_eq!(est.iter().map(|b| b.0).collect::<Vec<_>>(), vec![0, 1, 2]);
        assert_eq!(lb, 3);
        // Without y, m2 may share m1's night (it waits on b, which m1 carries, in that night).
        let p = problem(3, &services[..services.find("[[service]]\nid = \"y\"").unwrap_or(0)], 3);
        assert_eq!(lower_bound(&p).expect("feasible").0, 2);
    }

    #[test]
    fn two_groups_kept_apart_each_followed_by_three_nights_need_four() {
        // m0 and m1 cannot share a night; each is followed by three nights of replicas that wait
        // on it, so the later of them leaves three nights after night 1 at best. Counts,
        // earliest nights and tails alone allow 3.
        let p = problem(9, crate::plan::testkit::TWO_TAILS, 9);
        assert_eq!(lower_bound(&p).expect("feasible").0, 4);
    }

    #[test]
    fn a_group_kept_apart_from_one_that_must_follow_it_moves_a_night_apart() {
        // A (m0) and B (m1) cannot share a night, nor B and C (m2). D waits on A, E on D, F on E
        // (never in E's night) and on B, C on F, G1/G2 on C, and the H's (one a night) on
        // either G. Whichever of A and B goes first, the chain after the other is one night
        // longer: 5 nights, though every earliest night and tail counted alone allows 4.
        let s = |id: &str, on: &str, up: u32, deps: &str| {
            format!("[[service]]\nid = \"{id}\"\nruns_on = [{on}]\nmin_up = {up}\ndepends_on = [{deps}]\n")
        };
        let services = [
            s("a", "\"m0\"", 1, ""),
            s("b", "\"m1\"", 1, ""),
            s("x1", "\"m0\", \"m1\"", 1, ""),
            s("x2", "\"m1\", \"m2\"", 1, ""),
            s("d", "\"m3\"", 1, "\"a\""),
            s("e", "\"m4\"", 1, "\"d\""),
            s("f", "\"m5\"", 1, "\"e\", \"b\""),
            s("x3", "\"m4\", \"m5\"", 1, ""),
            s("c", "\"m2\"", 1, "\"f\""),
            s("g", "\"m6\", \"m7\"", 1, "\"c\""),
            s("h", "\"m8\", \"m9\", \"m10\"", 2, "\"g\""),
        ]
        .concat();
        let p = problem(11, &services, 11);
        let (lb, est) = lower_bound(&p).expect("feasible");
        assert!(lb <= 4, "{lb}");
        assert_eq!(sharper_bound(&p, &est, lb), 5);
        use crate::plan::exact::{Found, Query, exact};
        let q = |batches| Query { est: &est, hint: &[], batches, budget: 10_000_000, first_only: true };
        assert!(matches!(exact(&p, &q(4)), Found::No));
        assert!(matches!(exact(&p, &q(5)), Found::Yes(_)));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 300, ..Default::default() })]

        /// The bound never passes the fewest batches the exact search finds counting up from
        /// one (the search uses the earliest batches, proven sound elsewhere, not the bound):
        /// random small moves with chains of waits, replicas kept apart by R3, and a night's
        /// limit on machines.
        #[test]
        fn the_bound_never_passes_the_fewest_batches((n, services, per_night) in small_moves(9)) {
            use crate::plan::exact::{Found, Query, exact};
            let p = problem(n, &services_toml(n, &services), per_night);
            let Ok((lb, est)) = lower_bound(&p) else { return Ok(()) };
            let sharper = sharper_bound(&p, &est, lb);
            proptest::prop_assert!(sharper >= lb);
            let lb = sharper;
            for b in 1..=u32_of(n) {
                let q = Query { est: &est, hint: &[], batches: b, budget: 2_000_000, first_only: true };
                match exact(&p, &q) {
                    Found::Yes(_) => {
                        proptest::prop_assert!(lb <= b, "bound {} > {} batches\n{}", lb, b, services_toml(n, &services));
                        return Ok(());
                    }
                    Found::No => {}
                    Found::Unknown => return Ok(()),
                }
            }
        }
    }
}
