//! The third objective: among schedules with as many batches and no more downtime, fewer BGP
//! findings in the intermediate states.

use crate::bgp::Engine;
use crate::diag::Code;
use crate::model::Inventory;
use crate::plan::heuristic::Assignment;
use crate::plan::ids::{BatchIx, GroupId};
use crate::plan::problem::Problem;
use crate::plan::rules;
use crate::plan::solve::{batches_of, downtime};
use crate::plan::spec::Plan;

/// Findings weighted by what they cost on the night: an address unreachable (or blackholed) is
/// an outage, one upstream left is a risk, the rest is noise.
fn weight(c: Code) -> usize {
    match c {
        Code::BgpUnannounced | Code::BgpMisdirected => 1000,
        Code::BgpSingleUpstream => 10,
        _ => 1,
    }
}

/// Fewer BGP findings in the intermediate states, weighted by severity (one router per night,
/// say). Moves single groups to other batches, then swaps pairs, while that lowers the count;
/// every candidate is checked against the rules.
pub(crate) fn fewer_bgp_findings(
    inv: &Inventory,
    engine: &Engine<'_>,
    plan: &Plan,
    p: &Problem,
    mut batch: Assignment,
) -> Assignment {
    let nb = batches_of(&batch);
    let count = |batch: &Assignment| -> usize {
        let of = super::machine_batches(inv, p, batch);
        let (before, nights) = super::states(inv, engine, plan, &of, nb as usize);
        std::iter::once(&before)
            .chain(nights.iter().flat_map(|n| [&n.during, &n.after]))
            .flat_map(|s| &s.findings)
            .map(|f| weight(f.code))
            .sum()
    };
    let mut best = count(&batch);
    let mut downtime_now = downtime(p, &batch);
    // Bounded: each round either lowers the count or stops.
    for _ in 0..8 {
        if best == 0 {
            break;
        }
        let mut improved = false;
        let mut try_change = |batch: &mut Assignment, changed: &[(GroupId, BatchIx)]| {
            let old: Vec<(GroupId, BatchIx)> = changed.iter().map(|&(g, _)| (g, batch[g])).collect();
            for &(g, b) in changed {
                batch[g] = b;
            }
            // The verifier also rejects an emptied batch.
            let valid = batches_of(batch) == nb
                && rules::violation(p, batch).is_none()
                && downtime(p, batch) <= downtime_now;
            let c = if valid { count(batch) } else { usize::MAX };
            if c < best {
                best = c;
                downtime_now = downtime(p, batch);
                improved = true;
            } else {
                for (g, b) in old {
                    batch[g] = b;
                }
            }
        };
        // Single moves, then swaps of two groups between batches.
        for g in p.groups.ids() {
            for b in BatchIx::all(nb) {
                if b != batch[g] {
                    try_change(&mut batch, &[(g, b)]);
                }
            }
        }
        for g in p.groups.ids() {
            for h in p.groups.ids().skip(g.0 as usize + 1) {
                if batch[g] != batch[h] {
                    let (bg, bh) = (batch[g], batch[h]);
                    try_change(&mut batch, &[(g, bh), (h, bg)]);
                }
            }
        }
        if !improved {
            break;
        }
    }
    batch
}
