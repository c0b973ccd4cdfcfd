//! The move planner (DESIGN.md section 4): batches under R1-R4, destination placement, the
//! proven lower bound, and the BGP check of every state.
//!
//! Codes raised here: plan-infeasible, dest-capacity; the BGP codes per state come from
//! [`crate::bgp`], downgraded to warnings in the `during k` states.

pub mod place;
pub mod problem;
pub mod solve;
pub mod spec;

use crate::bgp::{Engine, State};
use crate::diag::{Code, Finding, Severity};
use crate::model::{Inventory, ServerId, ServiceId};
use place::Placement;
use problem::Problem;
use solve::Conflict;
use spec::Plan;

/// One batch of the result.
#[derive(Clone, Debug)]
pub struct Batch {
    /// From 1.
    pub index: usize,
    /// Window start, when the plan dates windows.
    pub window_start: Option<String>,
    /// Physical machines.
    pub servers: Vec<ServerId>,
    /// Vms riding along.
    pub vms: Vec<ServerId>,
    /// Rack units.
    pub units: u32,
    /// Where each machine goes.
    pub placements: Vec<Placement>,
    /// Services with fewer than min_up replicas up during the batch.
    pub services_down: Vec<ServiceId>,
    /// The rule that put each machine in this batch rather than the one before.
    pub reasons: Vec<(ServerId, String)>,
}

/// One state and its BGP findings.
#[derive(Clone, Debug)]
pub struct StateReport {
    /// `before`, `during k`, `after k`.
    pub name: String,
    /// The state.
    pub state: State,
    /// Its findings (warnings in `during` states).
    pub findings: Vec<Finding>,
}

/// The planner's answer.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The plan as loaded.
    pub plan: Plan,
    /// Proven lower bound on batches.
    pub lower_bound: u32,
    /// The batch count is proven minimal.
    pub optimal: bool,
    /// Batches, in order.
    pub batches: Vec<Batch>,
    /// Every state with its findings.
    pub states: Vec<StateReport>,
    /// (service, states in which it is down), for services down at least once.
    pub downtime: Vec<(ServiceId, u32)>,
    /// Plan-level findings: plan-infeasible, dest-capacity, announcement findings.
    pub findings: Vec<Finding>,
}

impl Outcome {
    /// Whether `dcplan plan` exits 1: an error in the plan findings or in a healthy state.
    pub fn has_errors(&self) -> bool {
        self.findings
            .iter()
            .chain(self.states.iter().flat_map(|s| &s.findings))
            .any(|f| f.severity == Severity::Error)
    }
}

/// Plans the move of `plan` over the checked inventory.
pub fn plan(checked: &crate::Checked, plan: Plan) -> Outcome {
    let inv = &checked.inventory;
    let problem = Problem::new(inv, &plan);
    let engine = checked.engine(&plan.links);
    let mut findings = engine.static_findings();
    let mut outcome = Outcome {
        lower_bound: 0,
        optimal: false,
        batches: Vec::new(),
        states: Vec::new(),
        downtime: Vec::new(),
        findings: Vec::new(),
        plan,
    };
    let schedule = match solve::solve(&problem) {
        Ok(mut s) => {
            if problem.groups.len() <= solve::EXACT_MAX_GROUPS {
                s.batch = fewer_bgp_findings(inv, &engine, &outcome.plan, &problem, s.batch);
            }
            s
        }
        Err(conflict) => {
            findings.push(infeasible(inv, &problem, &outcome.plan, &conflict));
            outcome.findings = findings;
            return outcome;
        }
    };
    outcome.lower_bound = schedule.lower_bound;
    outcome.optimal = schedule.optimal;
    let nb = schedule.batches as usize;
    // Machines in batch order, for placement and output.
    let mut machines: Vec<(ServerId, usize)> = Vec::new();
    for b in 0..nb {
        for (g, grp) in problem.groups.iter().enumerate() {
            if schedule.batch[g] as usize == b {
                machines.extend(grp.machines.iter().map(|&m| (m, b)));
            }
        }
    }
    let (placements, place_findings) = place::place(inv, &outcome.plan, &machines);
    findings.extend(place_findings);
    let batch_of = group_batches(inv, &problem, &schedule.batch);
    outcome.states = states(inv, &engine, &outcome.plan, &batch_of, nb);
    let reasons = solve_reasons(inv, &problem, &schedule.batch);
    for b in 0..nb {
        let mut servers = Vec::new();
        let mut vms = Vec::new();
        let mut units = 0;
        for (g, grp) in problem.groups.iter().enumerate() {
            if schedule.batch[g] as usize == b {
                servers.extend(&grp.machines);
                vms.extend(&grp.vms);
                units += grp.units;
            }
        }
        let during = &outcome.states[2 * b + 1].state;
        let services_down = inv.service_ids().filter(|&s| !service_up(inv, s, during)).collect();
        outcome.batches.push(Batch {
            index: b + 1,
            window_start: outcome.plan.window(b + 1).map(spec::Window::format),
            placements: placements.iter().filter(|p| servers.contains(&p.server)).copied().collect(),
            reasons: servers.iter().map(|&s| (s, reasons[s.ix()].clone())).collect(),
            servers,
            vms,
            units,
            services_down,
        });
    }
    outcome.downtime = inv
        .service_ids()
        .filter_map(|s| {
            let down = outcome.states.iter().filter(|st| !service_up(inv, s, &st.state)).count() as u32;
            (down > 0).then_some((s, down))
        })
        .collect();
    outcome.findings = findings;
    outcome
}

/// The third objective: among schedules with as many batches and no more downtime, fewer BGP
/// findings in the intermediate states, weighted by severity (one router per night, say). Moves single groups to
/// other batches while that lowers the count; every candidate is checked against R1-R4.
fn fewer_bgp_findings(
    inv: &Inventory,
    engine: &Engine<'_>,
    plan: &Plan,
    p: &Problem,
    mut batch: Vec<u32>,
) -> Vec<u32> {
    let nb = batch.iter().copied().max().map_or(0, |m| m as usize + 1);
    // Findings weighted by what they cost on the night: an address unreachable (or
    // blackholed) is an outage, one upstream left is a risk, the rest is noise.
    let weight = |c: Code| match c {
        Code::BgpUnannounced | Code::BgpMisdirected => 1000,
        Code::BgpSingleUpstream => 10,
        _ => 1,
    };
    let count = |batch: &[u32]| -> usize {
        let of = group_batches(inv, p, batch);
        states(inv, engine, plan, &of, nb).iter().flat_map(|s| &s.findings).map(|f| weight(f.code)).sum()
    };
    let mut best = count(&batch);
    let mut downtime = solve::downtime(p, &batch);
    // Bounded: each round either lowers the count or stops.
    for _ in 0..8 {
        if best == 0 {
            break;
        }
        let mut improved = false;
        let mut try_change = |batch: &mut Vec<u32>, changed: &[(usize, u32)]| {
            let old: Vec<(usize, u32)> = changed.iter().map(|&(g, _)| (g, batch[g])).collect();
            for &(g, b) in changed {
                batch[g] = b;
            }
            let nonempty = (0..nb as u32).all(|k| batch.contains(&k));
            let valid =
                nonempty && solve::violation(p, batch).is_none() && solve::downtime(p, batch) <= downtime;
            let c = if valid { count(batch) } else { usize::MAX };
            if c < best {
                best = c;
                downtime = solve::downtime(p, batch);
                improved = true;
            } else {
                for (g, b) in old {
                    batch[g] = b;
                }
            }
        };
        // Single moves, then swaps of two groups between batches.
        for g in 0..p.groups.len() {
            for b in 0..nb as u32 {
                if b != batch[g] {
                    try_change(&mut batch, &[(g, b)]);
                }
            }
        }
        for g in 0..p.groups.len() {
            for h in g + 1..p.groups.len() {
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

/// Whether a service has at least min_up replicas up in a state.
pub fn service_up(inv: &Inventory, s: ServiceId, state: &State) -> bool {
    let svc = inv.service(s);
    let up = svc.runs_on.iter().filter(|r| state.site_of[r.ix()].is_some()).count() as u32;
    up >= svc.min_up
}

/// The batch of every server that moves (vms through their host), by server.
fn group_batches(inv: &Inventory, p: &Problem, batch: &[u32]) -> Vec<Option<usize>> {
    let mut out = vec![None; inv.servers.len()];
    for (g, grp) in p.groups.iter().enumerate() {
        for &m in grp.machines.iter().chain(&grp.vms) {
            out[m.ix()] = Some(batch[g] as usize);
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
) -> Vec<StateReport> {
    let make = |k: usize, during: bool| {
        State::from_physical(inv, |s| match batch_of[s.ix()] {
            Some(b) if b < k || (b == k && !during) => Some(plan.to),
            Some(b) if b == k => None,
            _ => inv.server(s).site,
        })
    };
    let mut out = Vec::with_capacity(2 * nb + 1);
    let before = State::current(inv);
    out.push(StateReport { name: "before".into(), findings: engine.evaluate(&before), state: before });
    for k in 0..nb {
        let during = make(k, true);
        let mut f = engine.evaluate(&during);
        for x in &mut f {
            // A planned degradation: the runbook announces it.
            if x.severity == Severity::Error {
                x.severity = Severity::Warning;
            }
        }
        out.push(StateReport { name: format!("during {}", k + 1), findings: f, state: during });
        let after = make(k, false);
        out.push(StateReport {
            name: format!("after {}", k + 1),
            findings: engine.evaluate(&after),
            state: after,
        });
    }
    out
}

/// For each machine, the rule that keeps it out of the batch before its own.
fn solve_reasons(inv: &Inventory, p: &Problem, batch: &[u32]) -> Vec<String> {
    let mut out = vec![String::new(); inv.servers.len()];
    let nb = batch.iter().copied().max().map_or(0, |m| m as usize + 1);
    let (mut servers, mut units) = (vec![0u32; nb], vec![0u32; nb]);
    for (g, grp) in p.groups.iter().enumerate() {
        servers[batch[g] as usize] += grp.machines.len() as u32;
        units[batch[g] as usize] += grp.units;
    }
    let dependents = solve::dependents_of(p);
    for (g, grp) in p.groups.iter().enumerate() {
        let b = batch[g];
        let reason = if b == 0 {
            "first batch".to_owned()
        } else {
            let (s, u) =
                (servers[b as usize - 1] + grp.machines.len() as u32, units[b as usize - 1] + grp.units);
            if s > p.max_servers || u > p.max_units {
                format!("R1: batch {b} is full ({s} machines / {u} U with it)")
            } else {
                why_not(inv, p, batch, &dependents, g, b - 1)
            }
        };
        let reason = if grp.machines.len() > 1 {
            let names: Vec<&str> = grp.machines.iter().map(|&m| inv.server(m).id.as_str()).collect();
            format!("{reason} (R2: keeps together {})", names.join(", "))
        } else {
            reason
        };
        for &m in &grp.machines {
            out[m.ix()] = reason.clone();
        }
    }
    out
}

/// Names the rule (R3 or R4) that fails when group `g` moves to batch `to` (0-based).
fn why_not(
    inv: &Inventory,
    p: &Problem,
    batch: &[u32],
    dependents: &[Vec<usize>],
    g: usize,
    to: u32,
) -> String {
    let at = |x: usize| if x == g { to } else { batch[x] };
    for &(s, c) in &p.group_services[g] {
        let svc = &p.services[s];
        if let Some(cap) = svc.cap {
            let n: u32 =
                svc.moving.iter().filter(|&&(x, _)| x != g && batch[x] == to).map(|x| x.1).sum::<u32>() + c;
            if n > cap {
                return format!(
                    "R3: `{}` may have {cap} replica{} in transit at once ({} of {} must stay up)",
                    inv.service(svc.id).id,
                    if cap == 1 { "" } else { "s" },
                    svc.min_up,
                    svc.n
                );
            }
        }
    }
    if p.dependencies_first {
        for &(s, _) in &p.group_services[g] {
            // Its own dependencies would not be ready in time...
            for &t in &p.services[s].deps {
                if solve::ready_batch(p, t, at) > to {
                    return r4_reason(inv, p, s, t, to);
                }
            }
            // ...or services waiting on it would move before it is ready.
            for &d in &dependents[s] {
                let ready = solve::ready_batch(p, s, at);
                if p.services[d].moving.iter().any(|&(x, _)| at(x) < ready) {
                    return r4_reason(inv, p, d, s, to);
                }
            }
        }
    }
    "objective: less downtime or fewer BGP findings this way".to_owned()
}

fn r4_reason(inv: &Inventory, p: &Problem, s: usize, t: usize, to: u32) -> String {
    let dep = &p.services[t];
    format!(
        "R4: `{}` depends on `{}`, which needs {} replica{} at the destination, not there by batch {}",
        inv.service(p.services[s].id).id,
        inv.service(dep.id).id,
        dep.need,
        if dep.need == 1 { "" } else { "s" },
        to + 1
    )
}

/// `db` (2 of 3 must stay up) or `app`, for conflict messages.
fn describe(inv: &Inventory, p: &Problem, s: usize) -> String {
    let svc = &p.services[s];
    match svc.cap {
        Some(_) => format!("`{}` ({} of {} must stay up)", inv.service(svc.id).id, svc.min_up, svc.n),
        None => format!("`{}`", inv.service(svc.id).id),
    }
}

fn names(inv: &Inventory, ids: &[ServerId]) -> String {
    ids.iter().map(|&s| format!("`{}`", inv.server(s).id)).collect::<Vec<_>>().join(", ")
}

/// The plan-infeasible finding for a conflict: what conflicts, and the way out.
fn infeasible(inv: &Inventory, p: &Problem, plan: &Plan, c: &Conflict) -> Finding {
    let (message, hint) = match c {
        Conflict::GroupTooBig { group } => {
            let grp = &p.groups[*group];
            let what = if grp.machines.len() > 1 {
                format!("the machines kept together ({})", names(inv, &grp.machines))
            } else {
                format!("`{}`", inv.server(grp.machines[0]).id)
            };
            (
                format!(
                    "{what} need {} machine slot{} and {} U in one batch, but a batch holds {} machines and {} U (R1, R2)",
                    grp.machines.len(),
                    if grp.machines.len() == 1 { "" } else { "s" },
                    grp.units,
                    p.max_servers,
                    p.max_units
                ),
                "raise max_servers / max_units, or split the keep_together group".to_owned(),
            )
        }
        Conflict::GroupBreaksR3 { group, service } => {
            let grp = &p.groups[*group];
            let svc = &p.services[*service];
            let here: u32 = svc.moving.iter().filter(|x| x.0 == *group).map(|x| x.1).sum();
            (
                format!(
                    "{} carr{} {here} replicas of `{}` ({} of {} must stay up, so at most {} may be in transit), and they can only move together (R2, R3)",
                    names(inv, &grp.machines),
                    if grp.machines.len() == 1 { "ies" } else { "y" },
                    inv.service(svc.id).id,
                    svc.min_up,
                    svc.n,
                    svc.cap.unwrap_or(0)
                ),
                "move a replica to another host before the move, lower min_up for the move, or split the keep_together group".to_owned(),
            )
        }
        Conflict::DependencyDeadlock { services, groups } => {
            let svc_names: Vec<String> = services.iter().map(|&s| describe(inv, p, s)).collect();
            let machines: Vec<ServerId> = groups.iter().flat_map(|&g| p.groups[g].machines.clone()).collect();
            (
                format!(
                    "no order moves {} with dependencies first: {} wait on each other and cannot all move in one batch (R4 with R1/R3)",
                    names(inv, &machines),
                    svc_names.join(", ")
                ),
                "set order = \"any\" if the link carries the cross-site traffic, add them to one keep_together group, or raise max_servers / max_units".to_owned(),
            )
        }
    };
    Finding::new(Code::PlanInfeasible, plan.loc, message).hint(hint)
}

impl Outcome {
    /// Each machine's batch (from 1), indexed by machine; `None` for machines that stay.
    pub(crate) fn batch_of(&self, inv: &Inventory) -> Vec<Option<usize>> {
        let mut batch_of = vec![None; inv.servers.len()];
        for b in &self.batches {
            for &s in b.servers.iter().chain(&b.vms) {
                batch_of[s.ix()] = Some(b.index);
            }
        }
        batch_of
    }

    /// The Unix time ROAs must outlive: the end of the last window, when windows are dated.
    pub(crate) fn roa_deadline(&self) -> Option<i64> {
        let last = self.plan.window(self.batches.len().max(1))?;
        Some(last.plus_hours(i64::from(self.plan.window_hours)).start.as_second())
    }
}
