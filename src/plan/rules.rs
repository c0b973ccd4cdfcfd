//! The rules of a valid plan, each written once. The heuristic, the exact search, the lower
//! bound, the verifier ([`violation`]) and `--explain` ([`explain`]) all ask the questions
//! below; none of them spells a rule out on its own.
//!
//! - R1 capacity and R3 stay up are **per-batch limits**: a [`Limit`] (a [`Resource`] with a
//!   cap) and, per group, the amount it takes of it ([`capacity`]). A batch's [`Load`] says
//!   whether a group still fits; the lower bound divides each limit's total by its cap.
//! - R2 together is structural: groups are built so that what moves together is one group.
//! - R4 dependencies first is a **precedence**: [`dependency_met`] (the rule itself) and
//!   [`waits_on`] (the first dependency of a group that is not met yet).
//! - Operator decisions on single groups (none in Part I) are a [`Domain`]: the batches a group
//!   may go to ([`domains`]).
//!
//! # Adding a rule
//! - A new per-batch limit (R5 labour, weight, destination power): add a [`Resource`] variant,
//!   push its [`Limit`] and each group's demand in [`capacity`], and say in [`Resource::reason`]
//!   how `--explain` names it (a [`Reason`] variant, formatted in `render/plan.rs`). The
//!   heuristic, the exact search, the lower bound and the verifier then respect it unchanged.
//! - A restriction of one group's batches (pins, not_before): set [`Domain::first`] /
//!   [`Domain::last`] in [`domains`], and its [`Reason`] in [`explain`]. Every search starts at
//!   `first` and never goes past `last`; the verifier reports [`Violation::Domain`].
//! - Anything else (a new kind of precedence): one function here, called from [`violation`],
//!   [`explain`], and the searches' "may this group go here" checks (`heuristic::Fill::ready`,
//!   `exact::Exact::r4_possible`, `lns::Partial::may_put`). The lower bound (`bound.rs`) and the
//!   deadlock check (`deadlock.rs`) reason on R3/R4 relaxed; a rule they do not know only
//!   weakens them (a relaxation with fewer rules still holds), so they need no change to stay
//!   sound.

use crate::model::{Inventory, ServerId, ServiceId};
use crate::num::u32_of;
use crate::plan::ids::{BatchIx, Dim, GroupId, IdVec, SvcIx};
use crate::plan::problem::{Group, Problem, Svc};
use crate::plan::spec::Plan;

/// What a per-batch limit counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Resource {
    /// R1: physical machines.
    Machines,
    /// R1: rack units.
    Units,
    /// R1: weight, in tenths of a kilogram ([`tenths_kg`]), when `[plan] max_weight_kg` is set
    /// (what the van carries).
    Weight,
    /// R3: replicas of a service in transit.
    Replicas(SvcIx),
    /// R5: handling person-minutes of the crew.
    Labour,
}

/// R1's machines limit.
pub(crate) const MACHINES: Dim = Dim(0);
/// R1's units limit.
pub(crate) const UNITS: Dim = Dim(1);

/// A per-batch limit.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limit {
    pub(crate) what: Resource,
    pub(crate) cap: u32,
}

/// What one group takes of each limit, sparse: (limit, amount).
pub(crate) type Demand = Vec<(Dim, u32)>;

/// A weight as R1 counts it: tenths of a kilogram, rounded (limits are whole numbers; spec
/// sheets give weights to 0.1 kg). Saturates for absurd weights, which no van carries.
#[expect(clippy::cast_possible_truncation, reason = "saturating on purpose: no van carries more")]
pub(crate) fn tenths_kg(kg: f64) -> u32 {
    // `as` saturates, and maps NaN to 0 (resolve already refuses both).
    (kg * 10.0).round() as u32
}

/// A group's weight for R1, capped just over the van's capacity: a group over it fits in no
/// batch whatever its exact weight, and the cap keeps every sum of demands far from overflow
/// (the plan file caps max_weight_kg at 1,000,000 kg, 10^7 tenths).
fn weight_demand(inv: &Inventory, grp: &Group, cap: u32) -> u32 {
    let total = grp
        .machines
        .iter()
        .map(|&m| tenths_kg(inv.server(m).weight_kg.unwrap_or(0.0)))
        .fold(0, u32::saturating_add);
    total.min(cap.saturating_add(1))
}

/// The per-batch limits and what each group takes of them: R1 (machines, units, and weight when
/// the van's is set) for every group, R3 for every service with a cap (n > min_up), R5
/// (person-minutes) when a crew is set.
pub(crate) fn capacity(
    inv: &Inventory,
    plan: &Plan,
    groups: &IdVec<GroupId, Group>,
    services: &IdVec<SvcIx, Svc>,
    group_services: &IdVec<GroupId, Vec<(SvcIx, u32)>>,
) -> (IdVec<Dim, Limit>, IdVec<GroupId, Demand>) {
    let mut limits: IdVec<Dim, Limit> = IdVec::default();
    // R1 first, at the dimensions MACHINES and UNITS.
    let machines = limits.push(Limit { what: Resource::Machines, cap: plan.max_servers });
    let units = limits.push(Limit { what: Resource::Units, cap: plan.max_units });
    debug_assert!(machines == MACHINES && units == UNITS);
    let weight =
        plan.max_weight_kg.map(|kg| limits.push(Limit { what: Resource::Weight, cap: tenths_kg(kg) }));
    let mut dim_of: IdVec<SvcIx, Option<Dim>> = IdVec::filled(None, services.len());
    for (s, svc) in services.enumerate() {
        if let Some(cap) = svc.cap {
            dim_of[s] = Some(limits.push(Limit { what: Resource::Replicas(s), cap }));
        }
    }
    let labour =
        plan.labour.capacity(plan.window_hours).map(|cap| limits.push(Limit { what: Resource::Labour, cap }));
    let demand = groups
        .enumerate()
        .map(|(g, grp)| {
            let mut d = vec![(machines, u32_of(grp.machines.len())), (units, grp.units)];
            d.extend(weight.map(|w| (w, weight_demand(inv, grp, limits[w].cap))));
            d.extend(group_services[g].iter().filter_map(|&(s, c)| Some((dim_of[s]?, c))));
            d.extend(labour.map(|l| (l, minutes(inv, plan, grp))));
            d
        })
        .collect();
    (limits, demand)
}

/// R5: the handling person-minutes of a group (vms are free).
pub(crate) fn minutes(inv: &Inventory, plan: &Plan, grp: &Group) -> u32 {
    grp.machines.iter().map(|&m| plan.labour.minutes(inv.server(m))).fold(0, u32::saturating_add)
}

/// The batches a group may go to: from `first`, up to `last` when set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Domain {
    pub(crate) first: u32,
    pub(crate) last: Option<u32>,
}

impl Domain {
    pub(crate) fn allows(self, b: BatchIx) -> bool {
        b.0 >= self.first && self.last.is_none_or(|l| b.0 <= l)
    }
}

/// Each group's domain: operator pins (`[plan.pin]`, first = last) and earliest nights
/// (`[plan.not_before]`), over all of the group's machines. A group whose machines are pinned
/// apart, or pinned before their earliest night, gets `first > last` (no batch at all).
pub(crate) fn domains(
    inv: &Inventory,
    plan: &Plan,
    groups: &IdVec<GroupId, Group>,
) -> IdVec<GroupId, Domain> {
    let mut group_of = vec![None; inv.servers.len()];
    for (g, grp) in groups.enumerate() {
        for &m in &grp.machines {
            group_of[m.ix()] = Some(g);
        }
    }
    let mut out = IdVec::filled(Domain::default(), groups.len());
    for pin in &plan.pins {
        if let Some(g) = group_of[pin.server.ix()] {
            let d: &mut Domain = &mut out[g];
            let b = pin.night.saturating_sub(1);
            d.first = d.first.max(b);
            // Two different pins in one group: the domain becomes empty.
            d.last = Some(d.last.map_or(b, |l| l.min(b)));
        }
    }
    for nb in &plan.not_before {
        if let Some(g) = group_of[nb.server.ix()] {
            out[g].first = out[g].first.max(nb.night.saturating_sub(1));
        }
    }
    out
}

/// Whether operator decisions may leave a night empty (a machine that may not move before
/// night k, with too little else to fill the nights before).
pub(crate) fn gaps_allowed(p: &Problem) -> bool {
    p.domain.iter().any(|d| d.first > 0)
}

/// What one batch holds of each limit.
#[derive(Clone, Debug)]
pub(crate) struct Load {
    used: IdVec<Dim, u32>,
    /// Groups in the batch.
    pub(crate) groups: u32,
}

impl Load {
    pub(crate) fn new(p: &Problem) -> Load {
        Load { used: IdVec::filled(0, p.limits.len()), groups: 0 }
    }

    pub(crate) fn used(&self, d: Dim) -> u32 {
        self.used[d]
    }

    /// The first limit group `g` would exceed here, if any.
    pub(crate) fn exceeded(&self, p: &Problem, g: GroupId) -> Option<Dim> {
        p.demand[g].iter().find(|&&(d, c)| self.used[d] + c > p.limits[d].cap).map(|x| x.0)
    }

    pub(crate) fn fits(&self, p: &Problem, g: GroupId) -> bool {
        self.exceeded(p, g).is_none()
    }

    pub(crate) fn add(&mut self, p: &Problem, g: GroupId) {
        for &(d, c) in &p.demand[g] {
            self.used[d] += c;
        }
        self.groups += 1;
    }

    pub(crate) fn remove(&mut self, p: &Problem, g: GroupId) {
        for &(d, c) in &p.demand[g] {
            self.used[d] -= c;
        }
        self.groups -= 1;
    }
}

/// R4 for one dependency: with `across` replicas of `t` at the destination (or moving in the
/// same batch), services that depend on `t` may move. Always true with `order = "any"`.
pub(crate) fn dependency_met(p: &Problem, t: SvcIx, across: u32) -> bool {
    !p.dependencies_first || across >= p.services[t].need
}

/// R4 for a group: the first (service, dependency) of its services whose dependency is not met,
/// `across(t)` giving the replicas of `t` at the destination by the batch in question.
pub(crate) fn waits_on(
    p: &Problem,
    g: GroupId,
    mut across: impl FnMut(SvcIx) -> u32,
) -> Option<(SvcIx, SvcIx)> {
    if !p.dependencies_first {
        return None;
    }
    for &(s, _) in &p.group_services[g] {
        for &t in &p.services[s].deps {
            if !dependency_met(p, t, across(t)) {
                return Some((s, t));
            }
        }
    }
    None
}

/// Replicas of `t` at the destination by the end of batch `b`, under a complete schedule.
pub(crate) fn across_by(p: &Problem, t: SvcIx, batch: &IdVec<GroupId, BatchIx>, b: BatchIx) -> u32 {
    p.services[t].moving.iter().filter(|&&(g, _)| batch[g] <= b).map(|x| x.1).sum()
}

/// Why a schedule is not valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Violation {
    /// A batch exceeds a limit (R1, R3).
    Limit { batch: BatchIx, dim: Dim, used: u32 },
    /// A group outside its domain.
    Domain { group: GroupId, batch: BatchIx },
    /// A group moves before a dependency of its services is ready (R4).
    Dependency { group: GroupId, service: SvcIx, on: SvcIx },
    /// Batches are numbered without gaps: this one is empty.
    Empty { batch: BatchIx },
}

/// The per-batch loads of a complete schedule.
pub(crate) fn loads(p: &Problem, batch: &IdVec<GroupId, BatchIx>) -> Vec<Load> {
    let nb = batch.iter().map(|b| b.0 + 1).max().unwrap_or(0) as usize;
    let mut loads = vec![Load::new(p); nb];
    for (g, &b) in batch.enumerate() {
        loads[b.0 as usize].add(p, g);
    }
    loads
}

/// Checks every rule on a complete schedule; `None` when valid.
pub(crate) fn violation(p: &Problem, batch: &IdVec<GroupId, BatchIx>) -> Option<Violation> {
    let loads = loads(p, batch);
    for (b, load) in BatchIx::all(u32_of(loads.len())).zip(&loads) {
        if load.groups == 0 && !gaps_allowed(p) {
            return Some(Violation::Empty { batch: b });
        }
        if let Some(d) = p.limits.ids().find(|&d| load.used(d) > p.limits[d].cap) {
            return Some(Violation::Limit { batch: b, dim: d, used: load.used(d) });
        }
    }
    for (g, &b) in batch.enumerate() {
        if !p.domain[g].allows(b) {
            return Some(Violation::Domain { group: g, batch: b });
        }
        if let Some((service, on)) = waits_on(p, g, |t| across_by(p, t, batch, b)) {
            return Some(Violation::Dependency { group: g, service, on });
        }
    }
    None
}

/// Why a machine is in its batch and not the one before: the rule that keeps it out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Reason {
    /// It is in the first batch.
    FirstBatch,
    /// R1: the batch before is full with it (batch numbered from 1).
    Full {
        /// The batch before.
        batch: usize,
        /// Machines in it, with this one.
        machines: u32,
        /// Units in it, with this one.
        units: u32,
    },
    /// R3: a service of it would have too many replicas in transit in the batch before.
    StayUp {
        /// The service.
        service: ServiceId,
        /// Replicas that may be in transit at once.
        cap: u32,
        /// Replicas that must stay up.
        min_up: u32,
        /// Replicas in all.
        replicas: u32,
    },
    /// R4: a service of it (or waiting on it) depends on one not ready in the batch before.
    Dependency {
        /// The waiting service.
        service: ServiceId,
        /// The service it depends on.
        on: ServiceId,
        /// Replicas of `on` that must be at the destination first.
        need: u32,
        /// The batch before (from 1).
        batch: usize,
    },
    /// R1: the batch before would weigh more than the van carries with it.
    Weight {
        /// The batch before (from 1).
        batch: usize,
        /// Its weight with this machine, tenths of a kilogram.
        tenths_kg: u32,
        /// What the van carries, tenths of a kilogram.
        max_tenths_kg: u32,
    },
    /// R5: the crew of the batch before would have too much to handle with it.
    Labour {
        /// The batch before (from 1).
        batch: usize,
        /// Person-minutes in it, with this machine.
        minutes: u32,
        /// What the crew can handle in a night.
        capacity: u32,
    },
    /// `[plan.pin]`: the operator pinned it to this night (from 1).
    Pinned {
        /// The night.
        night: usize,
    },
    /// `[plan.not_before]`: it may not move before this night (from 1).
    NotBefore {
        /// The earliest night.
        night: usize,
    },
    /// No rule: the objective (less downtime, fewer BGP findings) chose it.
    Objective,
}

/// A machine's reason, and the machines it is kept together with (R2), if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Explanation {
    /// The rule that keeps it out of the batch before.
    pub(crate) reason: Reason,
    /// The other machines of its keep_together group, itself included (empty when alone).
    pub(crate) together: Vec<ServerId>,
}

impl Resource {
    /// How `--explain` names this limit when group `g` would exceed it in batch `to`.
    fn reason(self, p: &Problem, load: &Load, g: GroupId, to: BatchIx, dim: Dim) -> Reason {
        match self {
            Resource::Machines | Resource::Units => Reason::Full {
                batch: to.number(),
                machines: load.used(MACHINES) + u32_of(p.groups[g].machines.len()),
                units: load.used(UNITS) + p.groups[g].units,
            },
            Resource::Weight => Reason::Weight {
                batch: to.number(),
                tenths_kg: load.used(dim) + p.demand[g].iter().find(|x| x.0 == dim).map_or(0, |x| x.1),
                max_tenths_kg: p.limits[dim].cap,
            },
            Resource::Labour => Reason::Labour {
                batch: to.number(),
                minutes: load.used(dim) + p.demand[g].iter().find(|x| x.0 == dim).map_or(0, |x| x.1),
                capacity: p.limits[dim].cap,
            },
            Resource::Replicas(s) => {
                let svc = &p.services[s];
                Reason::StayUp {
                    service: svc.id,
                    cap: svc.cap.unwrap_or(0),
                    min_up: svc.min_up,
                    replicas: svc.n,
                }
            }
        }
    }
}

/// For each group, why it is not in the batch before its own.
pub(crate) fn explain(p: &Problem, batch: &IdVec<GroupId, BatchIx>) -> IdVec<GroupId, Explanation> {
    let loads = loads(p, batch);
    p.groups
        .enumerate()
        .map(|(g, grp)| {
            let reason = match batch[g].prev() {
                None => Reason::FirstBatch,
                Some(to) => why_not(p, batch, &loads[to.0 as usize], g, to),
            };
            let together = if grp.machines.len() > 1 { grp.machines.clone() } else { Vec::new() };
            Explanation { reason, together }
        })
        .collect()
}

/// The first rule that fails when group `g` moves to batch `to` instead, the others staying.
pub(crate) fn why_not(
    p: &Problem,
    batch: &IdVec<GroupId, BatchIx>,
    load: &Load,
    g: GroupId,
    to: BatchIx,
) -> Reason {
    // Operator decisions first: they hold whatever the load.
    let domain = p.domain[g];
    if !domain.allows(to) {
        return match domain.last {
            Some(l) if l == batch[g].0 => Reason::Pinned { night: batch[g].number() },
            _ => Reason::NotBefore { night: domain.first as usize + 1 },
        };
    }
    // Limits, in their order: R1, then R3 by service, then R5.
    if let Some(d) = load.exceeded(p, g) {
        return p.limits[d].what.reason(p, load, g, to, d);
    }
    let at = |x: GroupId| if x == g { to } else { batch[x] };
    let across = |t: SvcIx, by: BatchIx| -> u32 {
        p.services[t].moving.iter().filter(|&&(x, _)| at(x) <= by).map(|x| x.1).sum()
    };
    let dependency = |s: SvcIx, t: SvcIx| Reason::Dependency {
        service: p.services[s].id,
        on: p.services[t].id,
        need: p.services[t].need,
        batch: to.number(),
    };
    if !p.dependencies_first {
        return Reason::Objective;
    }
    for &(s, _) in &p.group_services[g] {
        // Its own dependencies would not be ready in time...
        if let Some(&t) = p.services[s].deps.iter().find(|&&t| !dependency_met(p, t, across(t, to))) {
            return dependency(s, t);
        }
        // ...or services waiting on it would move before it is ready.
        for &d in &p.services[s].dependents {
            let early = p.services[d].moving.iter().any(|&(x, _)| !dependency_met(p, s, across(s, at(x))));
            if early {
                return dependency(d, s);
            }
        }
    }
    Reason::Objective
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A move of machines weighing `kg` each (1 U, one rack), with the van's `max_weight_kg`.
    fn problem(kg: &[f64], van: &str) -> Problem {
        let mut inv = String::from(
            "[org]\nasn = 64500\n[[site]]\nid = \"o\"\n[[site]]\nid = \"n\"\n\
             [[rack]]\nid = \"o1\"\nsite = \"o\"\nunits = 42\n[[rack]]\nid = \"n1\"\nsite = \"n\"\nunits = 42\n",
        );
        for (i, w) in kg.iter().enumerate() {
            inv += &format!(
                "[[server]]\nid = \"m{i}\"\nsite = \"o\"\nrack = \"o1\"\nunit = {}\nweight_kg = {w:?}\n",
                i + 1
            );
        }
        let mut checked = crate::testutil::checked_of(&inv);
        let text = format!("[plan]\nfrom = \"o\"\nto = \"n\"\nmax_servers = 10\nmax_units = 10\n{van}");
        let file = checked.sources.add("p.toml".into(), text);
        let (plan, findings) = crate::plan::spec::load(file, &checked.sources, &checked.inventory);
        assert_eq!(findings, vec![]);
        Problem::new(&checked.inventory, &plan.expect("plan"))
    }

    #[test]
    fn the_van_is_an_r1_limit_in_tenths_of_a_kilogram() {
        let p = problem(&[18.25, 40.0, 0.0], "max_weight_kg = 60.5\n");
        let dim = p.limits.ids().find(|&d| p.limits[d].what == Resource::Weight).expect("a weight limit");
        assert_eq!(p.limits[dim].cap, 605);
        let of = |g: u32| p.demand[GroupId(g)].iter().find(|x| x.0 == dim).map(|x| x.1);
        assert_eq!((of(0), of(1), of(2)), (Some(183), Some(400), Some(0)));
        // m0 + m1 = 58.25 kg fit one batch; all three with a 10 kg machine would not.
        let mut load = Load::new(&p);
        load.add(&p, GroupId(0));
        assert!(load.fits(&p, GroupId(1)));
        // Without max_weight_kg there is no weight limit at all.
        let p = problem(&[18.25], "");
        assert!(p.limits.iter().all(|l| l.what != Resource::Weight));
    }

    #[test]
    fn an_absurd_weight_is_capped_just_over_the_van() {
        let p = problem(&[1e12, 1e12], "max_weight_kg = 1000000\n");
        let dim = p.limits.ids().find(|&d| p.limits[d].what == Resource::Weight).expect("a weight limit");
        assert_eq!(p.demand[GroupId(0)].iter().find(|x| x.0 == dim).map(|x| x.1), Some(10_000_001));
        assert!(!Load::new(&p).fits(&p, GroupId(0)));
        assert_eq!(tenths_kg(f64::NAN), 0);
        assert_eq!(tenths_kg(1e300), u32::MAX);
    }

    #[test]
    fn explain_names_the_van() {
        let p = problem(&[40.0, 40.0, 30.0], "max_weight_kg = 100\n");
        let batch: IdVec<GroupId, BatchIx> = [BatchIx(0), BatchIx(0), BatchIx(1)].into_iter().collect();
        assert_eq!(violation(&p, &batch), None);
        let e = explain(&p, &batch);
        assert_eq!(e[GroupId(2)].reason, Reason::Weight { batch: 1, tenths_kg: 1100, max_tenths_kg: 1000 });
        let over: IdVec<GroupId, BatchIx> = [BatchIx(0); 3].into_iter().collect();
        assert!(matches!(violation(&p, &over), Some(Violation::Limit { used: 1100, .. })));
    }
}
