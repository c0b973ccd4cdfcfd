//! Batching: the lower bound, the heuristic, then the exact search on small moves; and the
//! objective after the batch count (weighted downtime).

use crate::num::u32_of;
use crate::plan::bound;
use crate::plan::conflict::Conflict;
use crate::plan::exact::{Found, Query, exact};
use crate::plan::gather::fewer_down_nights;
use crate::plan::heuristic::{Assignment, heuristic};
use crate::plan::ids::{BatchIx, GroupId, IdVec};
use crate::plan::problem::Problem;

/// A schedule and what is known about it.
#[derive(Clone, Debug)]
pub(crate) struct Schedule {
    pub(crate) batch: Assignment,
    pub(crate) batches: u32,
    /// The lower bound that was proven.
    pub(crate) lower_bound: u32,
    /// The batch count is proven minimal.
    pub(crate) optimal: bool,
}

/// Number of batches of a schedule.
pub(crate) fn batches_of(batch: &Assignment) -> u32 {
    batch.iter().map(|b| b.0 + 1).max().unwrap_or(0)
}

/// Weighted downtime of a schedule: per service, the batches in which fewer than min_up of
/// its replicas are up, times its weight.
pub(crate) fn downtime(p: &Problem, batch: &IdVec<GroupId, BatchIx>) -> u64 {
    let mut total = 0u64;
    let mut per: Vec<(BatchIx, u32)> = Vec::new();
    for s in &p.services {
        per.clear();
        for &(g, c) in &s.moving {
            match per.iter_mut().find(|x| x.0 == batch[g]) {
                Some(e) => e.1 += c,
                None => per.push((batch[g], c)),
            }
        }
        let down = per.iter().filter(|&&(_, c)| s.n.saturating_sub(c) < s.min_up).count() as u64;
        total += down * u64::from(s.weight);
    }
    total
}

/// Node budget of the exact search: deterministic (unlike a time limit), and about 2 s on
/// this project's reference machine for 60 machines.
pub(crate) const EXACT_BUDGET: u64 = 3_000_000;

/// Moves up to this many groups are solved exactly.
pub(crate) const EXACT_MAX_GROUPS: usize = 60;

/// Schedules the move: lower bound, heuristic, then exact search on small moves.
pub(crate) fn solve(p: &Problem) -> Result<Schedule, Conflict> {
    let (lb, est) = bound::lower_bound(p)?;
    if p.groups.is_empty() {
        return Ok(Schedule { batch: IdVec::default(), batches: 0, lower_bound: 0, optimal: true });
    }
    let heur = heuristic(p, &est);
    let heur_batches = heur.as_ref().map(batches_of).ok();
    // The sharper bound costs more: only when the heuristic leaves a gap to close or prove.
    let lb = match heur_batches {
        Some(b) if b > lb => bound::sharper_bound(p, &est, lb),
        _ => lb,
    };
    if p.groups.len() > EXACT_MAX_GROUPS {
        let batch = fewer_down_nights(p, crate::plan::lns::fewer_nights(p, &est, lb, heur?));
        let batches = batches_of(&batch);
        return Ok(Schedule { batches, batch, lower_bound: lb, optimal: batches == lb });
    }
    let query = |hint: &'_ [BatchIx], batches: u32, budget: u64, first_only: bool| {
        exact(p, &Query { est: &est, hint, batches, budget, first_only })
    };
    // Exact: the smallest batch count that has a schedule, from the lower bound up.
    let top = heur_batches.unwrap_or(u32_of(p.groups.len()));
    let hint: Vec<BatchIx> = heur.as_ref().map(|h| h.as_slice().to_vec()).unwrap_or_default();
    let mut budget = EXACT_BUDGET;
    let mut proven = true;
    for b in lb..top {
        match query(&hint, b, budget, true) {
            Found::Yes(first) => {
                // Now the least downtime at this size, within a smaller budget.
                let batch = match query(first.as_slice(), b, EXACT_BUDGET / 4, false) {
                    Found::Yes(best) if downtime(p, &best) <= downtime(p, &first) => best,
                    _ => first,
                };
                return Ok(Schedule { batches: b, batch, lower_bound: lb, optimal: proven });
            }
            Found::No => {}
            Found::Unknown => proven = false,
        }
        budget /= 2;
    }
    match heur {
        Ok(h) => {
            // The heuristic's count is optimal if every smaller count was ruled out; improve
            // its downtime with the exact search at that size.
            let improved = match query(&hint, top, EXACT_BUDGET / 4, false) {
                Found::Yes(best) if downtime(p, &best) < downtime(p, &h) => best,
                _ => h,
            };
            Ok(Schedule { batches: top, batch: improved, lower_bound: lb, optimal: proven })
        }
        Err(conflict) => {
            // The heuristic gives up on joint readiness it cannot see; the exact search can.
            // Every smaller count was tried above: if each was ruled out, this one is optimal.
            match query(&hint, u32_of(p.groups.len()), EXACT_BUDGET, true) {
                Found::Yes(batch) => {
                    let batches = batches_of(&batch);
                    Ok(Schedule { batches, batch, lower_bound: lb, optimal: proven })
                }
                _ => Err(conflict),
            }
        }
    }
}
