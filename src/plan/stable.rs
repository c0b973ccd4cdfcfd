//! Stability against an earlier plan (`dcplan plan --previous OLD.json`): keep every machine
//! in its earlier night where the rules still allow. Fewest nights still comes first (the batch
//! count is not changed here); then fewest machines whose night changes; then the Part I
//! objective, which the schedule handed in already serves.

use serde::Deserialize;

use crate::model::{Inventory, ServerId};
use crate::plan::ids::{BatchIx, GroupId, IdVec};
use crate::plan::problem::Problem;
use crate::plan::rules::{self, Reason};
use crate::plan::spec::Plan;

/// The nights of an earlier plan: by server, the night (from 1) of each physical machine it
/// moved. Machines it names that no longer exist are ignored.
#[derive(Clone, Debug)]
pub(crate) struct Previous {
    night_of: Vec<Option<usize>>,
}

/// An earlier plan JSON: the parts stability reads.
#[derive(Debug, Deserialize)]
struct OldPlan {
    plan: String,
    from: String,
    to: String,
    batches: Vec<OldBatch>,
}

#[derive(Debug, Deserialize)]
struct OldBatch {
    index: usize,
    servers: Vec<String>,
}

impl Previous {
    /// Reads an earlier `dcplan plan --format json` of the same plan; `what` names the file in
    /// the error.
    pub(crate) fn parse(json: &str, what: &str, inv: &Inventory, plan: &Plan) -> Result<Previous, String> {
        let old: OldPlan = serde_json::from_str(json)
            .map_err(|e| format!("{what} is not a plan (`dcplan plan --format json`): {e}"))?;
        let (from, to) = (&inv.site(plan.from).id, &inv.site(plan.to).id);
        if old.plan != plan.name || &old.from != from || &old.to != to {
            return Err(format!(
                "{what} belongs to another plan: `{}` ({} -> {}), not `{}` ({from} -> {to})",
                old.plan, old.from, old.to, plan.name
            ));
        }
        let mut night_of = vec![None; inv.servers.len()];
        for b in &old.batches {
            for id in &b.servers {
                if let Some(&s) = inv.index.servers.get(id) {
                    night_of[s.ix()] = Some(b.index);
                }
            }
        }
        Ok(Previous { night_of })
    }

    /// The earlier night of a machine (from 1).
    pub(crate) fn night(&self, s: ServerId) -> Option<usize> {
        self.night_of.get(s.ix()).copied().flatten()
    }
}

/// A machine whose night changed since the earlier plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Change {
    /// The physical machine.
    pub(crate) machine: ServerId,
    /// Its earlier night.
    pub(crate) from: usize,
    /// Its night now.
    pub(crate) to: usize,
    /// Why it cannot stay: the rule that keeps it out of its earlier night (None: that night
    /// no longer exists, the move needs fewer nights).
    pub(crate) reason: Option<Reason>,
}

/// Machines of group `g` whose earlier night differs from batch `b`.
fn changed(p: &Problem, prev: &Previous, g: GroupId, b: BatchIx) -> usize {
    p.groups[g].machines.iter().filter(|&&m| prev.night(m).is_some_and(|n| n != b.number())).count()
}

/// The batch group `g` had before (that of its first machine with one), if it still exists.
fn target(p: &Problem, prev: &Previous, g: GroupId, nb: u32) -> Option<BatchIx> {
    let n = p.groups[g].machines.iter().find_map(|&m| prev.night(m))?;
    let b = u32::try_from(n).ok()?.checked_sub(1)?;
    (b < nb).then_some(BatchIx(b))
}

/// The schedule closest to the earlier plan with as many batches as `batch`: the earlier
/// nights themselves when they are still valid, else `batch` with groups moved back to their
/// earlier nights (alone, or swapped with a group that was not there) while every rule holds.
pub(crate) fn closer(
    p: &Problem,
    prev: &Previous,
    batch: IdVec<GroupId, BatchIx>,
) -> IdVec<GroupId, BatchIx> {
    let nb = crate::plan::solve::batches_of(&batch);
    let targets: IdVec<GroupId, Option<BatchIx>> = p.groups.ids().map(|g| target(p, prev, g, nb)).collect();
    let earlier: IdVec<GroupId, BatchIx> = p.groups.ids().map(|g| targets[g].unwrap_or(batch[g])).collect();
    let mut best = if rules::violation(p, &earlier).is_none() { earlier } else { batch };
    let cost = |b: &IdVec<GroupId, BatchIx>| p.groups.ids().map(|g| changed(p, prev, g, b[g])).sum::<usize>();
    let mut current = cost(&best);
    // Bounded: every accepted step lowers the count; the checks are capped for large moves.
    let mut checks = 0usize;
    let budget = 20_000usize;
    while current > 0 && checks < budget {
        let mut improved = false;
        for g in p.groups.ids() {
            let Some(t) = targets[g] else { continue };
            if best[g] == t || checks >= budget {
                continue;
            }
            let from = best[g];
            best[g] = t;
            checks += 1;
            if rules::violation(p, &best).is_none() && cost(&best) < current {
                current = cost(&best);
                improved = true;
                continue;
            }
            // Swap with a group in t that did not belong there.
            let swap = p.groups.ids().find(|&h| {
                h != g && best[h] == t && targets[h] != Some(t) && {
                    best[h] = from;
                    checks += 1;
                    let ok = rules::violation(p, &best).is_none() && cost(&best) < current;
                    if !ok {
                        best[h] = t;
                    }
                    ok
                }
            });
            match swap {
                Some(_) => {
                    current = cost(&best);
                    improved = true;
                }
                None => best[g] = from,
            }
        }
        if !improved {
            break;
        }
    }
    best
}

/// The machines whose night changed, each with the rule that keeps it out of its earlier one.
pub(crate) fn changes(
    inv: &Inventory,
    p: &Problem,
    prev: &Previous,
    batch: &IdVec<GroupId, BatchIx>,
) -> Vec<Change> {
    let nb = crate::plan::solve::batches_of(batch);
    let loads = rules::loads(p, batch);
    let mut out = Vec::new();
    for (g, grp) in p.groups.enumerate() {
        for &m in &grp.machines {
            let Some(from) = prev.night(m) else { continue };
            let to = batch[g].number();
            if from == to {
                continue;
            }
            let reason = u32::try_from(from - 1)
                .ok()
                .filter(|&b| b < nb)
                .map(|b| rules::why_not(p, batch, &loads[b as usize], g, BatchIx(b)));
            out.push(Change { machine: m, from, to, reason });
        }
    }
    out.sort_by_key(|c| inv.server(c.machine).id.clone());
    out
}
