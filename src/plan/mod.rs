//! The move planner: batches under the rules R1-R4 (`rules`), destination placement, the
//! proven lower bound, and the BGP check of every state.
//!
//! Codes raised here: plan-infeasible, dest-capacity; the BGP codes per state come from
//! [`crate::bgp`], downgraded to warnings in the `during k` states.
//!
//! Layout: `problem` (groups, services, limits), `rules` (each rule once), `bound` (lower
//! bound), `heuristic` and `exact` (the two searches), `solve` (which runs when), `conflict`
//! (why no plan exists), `tune` (the BGP objective), `outcome` (the answer).

pub(crate) mod advance;
mod bound;
pub(crate) mod calendar;
mod conflict;
mod deadlock;
mod dive;
mod exact;
mod gather;
mod heuristic;
mod ids;
mod lns;
mod minimal;
mod outcome;
pub(crate) mod place;
pub(crate) mod problem;
pub(crate) mod rng;
pub(crate) mod rules;
mod solve;
pub mod spec;
pub(crate) mod stable;
mod tail;
#[cfg(test)]
mod testkit;
mod tune;

use crate::bgp::{Engine, State};
use crate::model::{Inventory, ServerId, ServiceId};
use crate::num::u32_of;
use ids::{BatchIx, GroupId, IdVec};
pub(crate) use outcome::NightStates;
pub use outcome::{Batch, NamedConflict, Outcome, StateName, StateReport};
pub use place::Placement;
use problem::Problem;
pub(crate) use rules::{Explanation, Reason};
use spec::Plan;

/// Plans the move of `plan` over the checked inventory.
pub fn plan(checked: &crate::Checked, plan: Plan) -> Outcome {
    plan_with(checked, plan, None)
}

/// Plans the move, keeping machines in their nights of an earlier plan where the rules allow
/// (after fewest nights, before the Part I objective).
pub(crate) fn plan_with(
    checked: &crate::Checked,
    plan: Plan,
    previous: Option<&stable::Previous>,
) -> Outcome {
    let inv = &checked.inventory;
    let problem = Problem::new(inv, &plan);
    let engine = checked.engine(&plan.links);
    let mut findings = engine.static_findings();
    let mut outcome = empty(plan);
    let schedule = match solve::solve(&problem) {
        Ok(mut s) => {
            if problem.groups.len() <= solve::EXACT_MAX_GROUPS {
                s.batch = tune::fewer_bgp_findings(inv, &engine, &outcome.plan, &problem, s.batch);
            }
            if let Some(prev) = previous {
                s.batch = stable::closer(&problem, prev, s.batch);
            }
            s
        }
        Err(conflict) => {
            let (conflict, named) = real_conflict(&problem, conflict);
            outcome.conflict = named;
            findings.push(conflict::finding(inv, &problem, &outcome.plan, &conflict));
            outcome.findings = findings;
            return outcome;
        }
    };
    outcome.changes = previous.map(|prev| stable::changes(inv, &problem, prev, &schedule.batch));
    outcome.lower_bound = schedule.lower_bound;
    outcome.optimal = schedule.optimal;
    let nb = schedule.batches as usize;
    // Groups in batch order, for placement and output.
    let mut by_batch: Vec<Vec<GroupId>> = vec![Vec::new(); nb];
    for (g, b) in schedule.batch.enumerate() {
        by_batch[b.0 as usize].push(g);
    }
    let machines: Vec<(ServerId, usize)> = by_batch
        .iter()
        .enumerate()
        .flat_map(|(b, gs)| gs.iter().flat_map(|&g| &problem.groups[g].machines).map(move |&m| (m, b)))
        .collect();
    let (placements, place_findings) = place::place(inv, &outcome.plan, &machines);
    findings.extend(place_findings);
    let mut placed: Vec<Vec<place::Placement>> = vec![Vec::new(); nb];
    let mut batch_of_server = vec![None; inv.servers.len()];
    for &(m, b) in &machines {
        batch_of_server[m.ix()] = Some(b);
    }
    for p in placements {
        if let Some(b) = batch_of_server[p.server.ix()] {
            placed[b].push(p);
        }
    }
    let (before, nights) =
        states(inv, &engine, &outcome.plan, &machine_batches(inv, &problem, &schedule.batch), nb);
    let explanations = rules::explain(&problem, &schedule.batch);
    for ((b, groups), placements) in by_batch.iter().enumerate().zip(placed) {
        let mut batch = Batch {
            index: b + 1,
            window_start: outcome
                .plan
                .window(b + 1)
                .map(|w| w.start.to_zoned_datetime(jiff::tz::TimeZone::fixed(w.offset))),
            servers: Vec::new(),
            vms: Vec::new(),
            units: 0,
            placements,
            services_down: Vec::new(),
            reasons: Vec::new(),
            handling_minutes: 0,
            cost: None,
        };
        for &g in groups {
            let grp = &problem.groups[g];
            batch.servers.extend(&grp.machines);
            batch.vms.extend(&grp.vms);
            batch.units += grp.units;
            batch.reasons.extend(grp.machines.iter().map(|&m| (m, explanations[g].clone())));
            batch.handling_minutes += rules::minutes(inv, &outcome.plan, grp);
        }
        batch.cost = outcome.plan.labour.cost(u64::from(batch.handling_minutes));
        let during = &nights[b].during.state;
        batch.services_down = inv.service_ids().filter(|&s| !service_up(inv, s, during)).collect();
        outcome.batches.push(batch);
    }
    outcome.before = Some(before);
    outcome.nights = nights;
    outcome.downtime = inv
        .service_ids()
        .filter_map(|s| {
            let down = u32_of(outcome.states().filter(|(_, st)| !service_up(inv, s, &st.state)).count());
            (down > 0).then_some((s, down))
        })
        .collect();
    findings.extend(outcome.plan.calendar_findings(nb));
    outcome.findings = findings;
    outcome
}

/// An outcome with no batches yet.
fn empty(plan: Plan) -> Outcome {
    Outcome {
        lower_bound: 0,
        optimal: false,
        batches: Vec::new(),
        before: None,
        nights: Vec::new(),
        downtime: Vec::new(),
        findings: Vec::new(),
        windows_available: plan.windows_available(),
        conflict: None,
        changes: None,
        plan,
    }
}

/// A dependency deadlock made into a conflict proven with the rules, when one can be; the
/// services and machines it names.
fn real_conflict(problem: &Problem, c: conflict::Conflict) -> (conflict::Conflict, Option<NamedConflict>) {
    if let conflict::Conflict::PinsUnmet { groups, .. } = c {
        // Which rule the pins fight: the ones whose lifting alone lets the searches keep them.
        let fights =
            conflict::Rule::ALL.into_iter().filter(|r| solve::solve(&r.lifted(problem)).is_ok()).collect();
        return (conflict::Conflict::PinsUnmet { groups, fights }, None);
    }
    let conflict::Conflict::DependencyDeadlock { services, groups } = c else { return (c, None) };
    // A deadlock found directly may name a large component: its core first, cheaply.
    let services = deadlock::shrink(problem, &services);
    match minimal::prove(problem, &services) {
        Some(proven) => {
            let named = NamedConflict {
                services: proven.services.iter().map(|&s| problem.services[s].id).collect(),
                machines: proven.groups.iter().flat_map(|&g| problem.groups[g].machines.clone()).collect(),
            };
            (conflict::Conflict::Proven(proven), Some(named))
        }
        None => (conflict::Conflict::DependencyDeadlock { services, groups }, None),
    }
}

/// Whether a service has at least min_up replicas up in a state.
pub(crate) fn service_up(inv: &Inventory, s: ServiceId, state: &State) -> bool {
    let svc = inv.service(s);
    let up = u32_of(svc.runs_on.iter().filter(|r| state.site_of[r.ix()].is_some()).count());
    up >= svc.min_up
}

/// The batch of every server that moves (vms through their host), by server.
fn machine_batches(inv: &Inventory, p: &Problem, batch: &IdVec<GroupId, BatchIx>) -> Vec<Option<usize>> {
    let mut out = vec![None; inv.servers.len()];
    for (g, grp) in p.groups.enumerate() {
        for &m in grp.machines.iter().chain(&grp.vms) {
            out[m.ix()] = Some(batch[g].0 as usize);
        }
    }
    out
}

/// `before`, then `during k` and `after k` for every batch, each checked by the BGP engine.
fn states(
    inv: &Inventory,
    engine: &Engine<'_>,
    plan: &Plan,
    batch_of: &[Option<usize>],
    nb: usize,
) -> (StateReport, Vec<NightStates>) {
    let make = |k: usize, during: bool| {
        State::from_physical(inv, |s| match batch_of[s.ix()] {
            Some(b) if b < k || (b == k && !during) => Some(plan.to),
            Some(b) if b == k => None,
            _ => inv.server(s).site,
        })
    };
    let report = |state: State, planned_degradation: bool| {
        let (mut findings, reach) = engine.evaluate_reach(&state);
        if planned_degradation {
            crate::diag::policy::planned_degradation(&mut findings);
        }
        StateReport { findings, reach, state }
    };
    let before = report(State::current(inv), false);
    let nights = (0..nb)
        .map(|k| NightStates { during: report(make(k, true), true), after: report(make(k, false), false) })
        .collect();
    (before, nights)
}
