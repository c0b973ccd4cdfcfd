//! Why no plan exists: the conflict found, and the plan-infeasible finding that names it.

use petgraph::visit::EdgeRef;

use crate::diag::text::{backticked, count};
use crate::diag::{Code, Finding};
use crate::model::{Inventory, ServerId};
use crate::plan::ids::{BatchIx, Dim, GroupId, Id, IdVec, SvcIx};
use crate::plan::minimal::{Proven, WayOut};
use crate::plan::problem::Problem;
use crate::plan::rules::Resource;
use crate::plan::spec::Plan;

/// Why no schedule exists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Conflict {
    /// A group alone exceeds a batch (R1/R2).
    GroupTooBig { group: GroupId },
    /// A group carries more replicas of a service than may be in transit at once (R3/R2).
    GroupBreaksR3 { group: GroupId, service: SvcIx },
    /// Dependencies that cannot be ordered (R4, with R3 spreading replicas).
    DependencyDeadlock { services: Vec<SvcIx>, groups: Vec<GroupId> },
    /// A group alone is more work than one night's crew can handle (R5/R2).
    GroupTooMuchWork { group: GroupId },
    /// A group's pins and not_before leave it no night (pinned apart, or pinned too early).
    Decisions { group: GroupId },
    /// Groups pinned to one night exceed one of its limits.
    PinsOverfull { night: BatchIx, dim: Dim, groups: Vec<GroupId> },
    /// A group pinned to a night before R4 lets it move: (waiting service, dependency).
    PinFightsR4 { group: GroupId, night: BatchIx, waits: Option<(SvcIx, SvcIx)> },
    /// The searches found no schedule that keeps these pins (with the other rules); `fights`:
    /// the rules whose lifting alone lets the pins be kept (found by re-solving without each).
    PinsUnmet { groups: Vec<GroupId>, fights: Vec<Rule> },
    /// Services that cannot move even by themselves, proven with the rules (and small), with
    /// the changes that let them move.
    Proven(Proven),
}

/// A batching rule, as named in messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Rule {
    R1,
    R3,
    R4,
    R5,
}

impl Rule {
    /// Every rule a pin can fight, in message order.
    pub(crate) const ALL: [Rule; 4] = [Rule::R1, Rule::R3, Rule::R4, Rule::R5];

    fn name(self) -> &'static str {
        match self {
            Rule::R1 => "R1 (machines and units per night)",
            Rule::R3 => "R3 (replicas in transit)",
            Rule::R4 => "R4 (dependencies first)",
            Rule::R5 => "R5 (labour)",
        }
    }

    /// What resolves a pin's fight with this rule.
    fn way_out(self) -> &'static str {
        match self {
            Rule::R1 => "raise max_servers / max_units",
            Rule::R3 => "pin replicas of one service to different nights",
            Rule::R4 => "pin the machines later or their dependencies earlier, or set order = \"any\"",
            Rule::R5 => "raise crew or window_hours",
        }
    }

    /// The move with this rule lifted.
    pub(crate) fn lifted(self, p: &Problem) -> Problem {
        let mut q = p.clone();
        if self == Rule::R4 {
            q.dependencies_first = false;
            for s in q.services.iter_mut() {
                s.deps.clear();
                s.dependents.clear();
            }
        }
        for limit in q.limits.iter_mut() {
            let ours = match limit.what {
                Resource::Machines | Resource::Units | Resource::Weight => self == Rule::R1,
                Resource::Replicas(_) => self == Rule::R3,
                Resource::Labour => self == Rule::R5,
            };
            if ours {
                limit.cap = u32::MAX;
            }
        }
        q
    }
}

/// The smallest conflict behind a lower bound that keeps rising: a service moved a few replicas
/// at a time (R3) whose replicas share machines with services that need it first (R4); or else
/// the services and groups whose earliest batch rose highest.
pub(crate) fn deadlock(p: &Problem, est: &IdVec<GroupId, BatchIx>) -> Conflict {
    for (t, svc) in p.services.enumerate() {
        let Some(cap) = svc.cap else { continue };
        if svc.need <= cap {
            continue;
        }
        // Groups of t that also carry a service waiting on t.
        let waiting: Vec<GroupId> = svc
            .moving
            .iter()
            .map(|x| x.0)
            .filter(|&g| p.group_services[g].iter().any(|&(s, _)| svc.dependents.contains(&s)))
            .collect();
        if waiting.len() == svc.moving.len() {
            let mut services = vec![t];
            for &g in &waiting {
                services
                    .extend(p.group_services[g].iter().map(|x| x.0).filter(|s| svc.dependents.contains(s)));
            }
            services.sort_unstable();
            services.dedup();
            return Conflict::DependencyDeadlock { services, groups: waiting };
        }
    }
    cycle(p, est)
}

/// One edge of the wait graph walked back: the group before, and (service waited on, waiting
/// service).
type Step = (GroupId, (SvcIx, SvcIx));

/// A shortest cycle of waits through a service moved a few replicas at a time.
fn cycle(p: &Problem, est: &IdVec<GroupId, BatchIx>) -> Conflict {
    // Edge h -> g: g carries a service waiting on a service that h carries.
    let mut graph: petgraph::graph::DiGraph<GroupId, (SvcIx, SvcIx)> = petgraph::graph::DiGraph::new();
    let nodes: Vec<_> = p.groups.ids().map(|g| graph.add_node(g)).collect();
    for (t, svc) in p.services.enumerate() {
        for &s in &svc.dependents {
            for &(h, _) in &svc.moving {
                for &(g, _) in &p.services[s].moving {
                    if g != h {
                        graph.add_edge(nodes[h.ix()], nodes[g.ix()], (t, s));
                    }
                }
            }
        }
    }
    // A component of mutually waiting groups with an edge through a service that needs more
    // replicas across than may travel at once: the smallest such, then its shortest cycle
    // through that edge.
    // Kosaraju, not Tarjan: petgraph's Tarjan recurses, too deep for a long chain of waits.
    let sccs = petgraph::algo::kosaraju_scc(&graph);
    let mut component_of: IdVec<GroupId, usize> = IdVec::filled(0, p.groups.len());
    for (i, scc) in sccs.iter().enumerate() {
        for n in scc {
            component_of[graph[*n]] = i;
        }
    }
    let rising = graph
        .edge_references()
        .filter(|e| {
            let (h, g) = (graph[e.source()], graph[e.target()]);
            let t = &p.services[e.weight().0];
            component_of[h] == component_of[g] && t.cap.is_some_and(|c| t.need > c)
        })
        .min_by_key(|e| (sccs[component_of[graph[e.source()]]].len(), e.id()));
    let mut groups = Vec::new();
    let mut services = Vec::new();
    if let Some(e) = rising {
        let (from, to) = (graph[e.source()], graph[e.target()]);
        services.extend([e.weight().0, e.weight().1]);
        // Shortest path to -> ... -> from inside the component closes the cycle.
        let comp = component_of[from];
        let mut prev: IdVec<GroupId, Option<Step>> = IdVec::filled(None, p.groups.len());
        let mut seen = IdVec::filled(false, p.groups.len());
        let mut queue = std::collections::VecDeque::from([to]);
        seen[to] = true;
        while let Some(h) = queue.pop_front() {
            if h == from {
                break;
            }
            for e in graph.edges(nodes[h.ix()]) {
                let g = graph[e.target()];
                if !seen[g] && component_of[g] == comp {
                    seen[g] = true;
                    prev[g] = Some((h, *e.weight()));
                    queue.push_back(g);
                }
            }
        }
        let mut h = from;
        groups.push(h);
        while h != to {
            let Some((before, w)) = prev[h] else { break };
            services.extend([w.0, w.1]);
            h = before;
            groups.push(h);
        }
    } else {
        let top = est.iter().copied().max().unwrap_or(BatchIx(0));
        groups.extend(p.groups.ids().filter(|&g| est[g] == top).take(3));
        services.extend(groups.iter().flat_map(|&g| p.group_services[g].iter().map(|x| x.0)).take(4));
    }
    groups.sort_unstable();
    services.sort_unstable();
    services.dedup();
    Conflict::DependencyDeadlock { services, groups }
}

/// `db` (2 of 3 must stay up) or `app`, for conflict messages.
fn describe(inv: &Inventory, p: &Problem, s: SvcIx) -> String {
    let svc = &p.services[s];
    match svc.cap {
        Some(_) => format!("`{}` ({} of {} must stay up)", inv.service(svc.id).id, svc.min_up, svc.n),
        None => format!("`{}`", inv.service(svc.id).id),
    }
}

fn names(inv: &Inventory, ids: &[ServerId]) -> String {
    backticked(ids.iter().map(|&s| &inv.server(s).id))
}

/// The plan-infeasible finding for a conflict: what conflicts, and the way out.
pub(crate) fn finding(inv: &Inventory, p: &Problem, plan: &Plan, c: &Conflict) -> Finding {
    let (message, hint) = match c {
        Conflict::GroupTooBig { group } => {
            let grp = &p.groups[*group];
            let what = if grp.machines.len() > 1 {
                format!("the machines kept together ({})", names(inv, &grp.machines))
            } else {
                format!("`{}`", inv.server(grp.machines[0]).id)
            };
            // The van's weight, when that is the limit the group breaks.
            let heavy = p.limits.ids().find(|&d| {
                p.limits[d].what == Resource::Weight
                    && p.demand[*group].iter().any(|&(x, c)| x == d && c > p.limits[d].cap)
            });
            match heavy {
                Some(d) => {
                    let kg: f64 = grp.machines.iter().map(|&m| inv.server(m).weight_kg.unwrap_or(0.0)).sum();
                    let one = grp.machines.len() == 1;
                    (
                        format!(
                            "{what} weigh{} {kg} kg, more than the van carries in one batch ({} kg) (R1{})",
                            if one { "s" } else { "" },
                            f64::from(p.limits[d].cap) / 10.0,
                            if one { "" } else { ", R2" }
                        ),
                        if one {
                            "raise max_weight_kg, or move it otherwise (`stay`)"
                        } else {
                            "raise max_weight_kg, or split the keep_together group"
                        }
                        .to_owned(),
                    )
                }
                None => (
                    format!(
                        "{what} need {} and {} U in one batch, but a batch holds {} machines and {} U (R1, R2)",
                        count(grp.machines.len(), "machine slot"),
                        grp.units,
                        p.max_servers,
                        p.max_units
                    ),
                    "raise max_servers / max_units, or split the keep_together group".to_owned(),
                ),
            }
        }
        Conflict::GroupBreaksR3 { group, service } => {
            let grp = &p.groups[*group];
            let svc = &p.services[*service];
            let here = p.carries(*group, *service);
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
                    "no plan found: {} wait on each other around {} (R4 with R1/R3); the search could not prove a smaller conflict",
                    svc_names.join(", "),
                    names(inv, &machines)
                ),
                "set order = \"any\" if the link carries the cross-site traffic, add them to one keep_together group, or raise max_servers / max_units".to_owned(),
            )
        }
        Conflict::Proven(c) => proven(inv, p, c),
        other => decisions(inv, p, plan, other),
    };
    // A conflict with operator decisions points at them: the first one, the others related.
    let mut at = decision_locs(p, plan, c).into_iter();
    let mut f = Finding::new(Code::PlanInfeasible, at.next().unwrap_or(plan.loc), message).hint(hint);
    for loc in at {
        f = f.related(loc, "also decided here");
    }
    f
}

/// Where the pins and not_before entries of a conflict's groups are written, in file order.
fn decision_locs(p: &Problem, plan: &Plan, c: &Conflict) -> Vec<crate::diag::Loc> {
    let groups: &[GroupId] = match c {
        Conflict::Decisions { group } | Conflict::PinFightsR4 { group, .. } => std::slice::from_ref(group),
        Conflict::PinsOverfull { groups, .. } | Conflict::PinsUnmet { groups, .. } => groups,
        _ => &[],
    };
    let ours = |s: ServerId| groups.iter().any(|&g| p.groups[g].machines.contains(&s));
    let mut locs: Vec<crate::diag::Loc> = plan
        .pins
        .iter()
        .filter(|x| ours(x.server))
        .map(|x| x.loc)
        .chain(plan.not_before.iter().filter(|x| ours(x.server)).map(|x| x.loc))
        .collect();
    locs.sort();
    locs
}

/// Messages of the conflicts with labour and operator decisions.
fn decisions(inv: &Inventory, p: &Problem, plan: &Plan, c: &Conflict) -> (String, String) {
    let group_names = |gs: &[GroupId]| {
        let m: Vec<ServerId> = gs.iter().flat_map(|&g| p.groups[g].machines.clone()).collect();
        names(inv, &m)
    };
    let pins_of = |g: GroupId| -> String {
        let grp = &p.groups[g];
        let pins: Vec<String> = plan
            .pins
            .iter()
            .filter(|x| grp.machines.contains(&x.server))
            .map(|x| format!("`{}` pinned to night {}", inv.server(x.server).id, x.night))
            .chain(
                plan.not_before
                    .iter()
                    .filter(|x| grp.machines.contains(&x.server))
                    .map(|x| format!("`{}` not before night {}", inv.server(x.server).id, x.night)),
            )
            .collect();
        pins.join(", ")
    };
    match c {
        Conflict::GroupTooMuchWork { group } => {
            let minutes = crate::plan::rules::minutes(inv, plan, &p.groups[*group]);
            let cap = plan.labour.capacity(plan.window_hours).unwrap_or(0);
            (
                format!(
                    "{} take{} {minutes} person-minutes to move, but a night's crew handles {cap} (R5{})",
                    group_names(&[*group]),
                    if p.groups[*group].machines.len() == 1 { "s" } else { "" },
                    if p.groups[*group].machines.len() > 1 { ", R2" } else { "" }
                ),
                "raise crew or window_hours, or set a smaller handling_minutes where it is too high".to_owned(),
            )
        }
        Conflict::Decisions { group } => (
            format!("{} cannot move in any night: {} (pin, not_before, R2)", group_names(&[*group]), pins_of(*group)),
            "pin the machines of a host or keep_together group to one night, no earlier than their not_before".to_owned(),
        ),
        Conflict::PinsOverfull { night, dim, groups } => {
            let rule = match p.limits[*dim].what {
                Resource::Machines | Resource::Units | Resource::Weight => "R1".to_owned(),
                Resource::Replicas(s) => format!("R3 for {}", describe(inv, p, s)),
                Resource::Labour => "R5 labour".to_owned(),
            };
            (
                format!(
                    "{} are pinned to night {}, more than one night holds (pin vs {rule})",
                    group_names(groups),
                    night.number()
                ),
                "pin some of them to another night".to_owned(),
            )
        }
        Conflict::PinFightsR4 { group, night, waits } => {
            let why = match waits {
                Some((s, t)) => format!(
                    ": `{}` depends on `{}`, whose replicas cannot be at the destination by then",
                    inv.service(p.services[*s].id).id,
                    inv.service(p.services[*t].id).id
                ),
                None => String::new(),
            };
            (
                format!(
                    "{} pinned to night {} cannot move then{why} (pin vs R4)",
                    group_names(&[*group]),
                    night.number()
                ),
                "pin it later, pin its dependencies earlier, or set order = \"any\"".to_owned(),
            )
        }
        Conflict::PinsUnmet { groups, fights } => {
            let names: Vec<&str> = fights.iter().map(|r| r.name()).collect();
            let vs = match names.as_slice() {
                [] => "they fight the rules together: lifting any single one of R1, R3, R4, R5 is not enough".to_owned(),
                [one] => format!("they fight {one}: without that rule they fit"),
                many => format!("they fight {}: lifting any one of them lets them fit", many.join(" and ")),
            };
            let mut ways: Vec<&str> = fights.iter().map(|r| r.way_out()).collect();
            ways.push("drop or move a pin");
            (
                format!(
                    "no plan keeps the operator decisions on {} ({}); {vs}",
                    group_names(groups),
                    groups.iter().map(|&g| pins_of(g)).collect::<Vec<_>>().join("; ")
                ),
                ways.join("; or "),
            )
        }
        // Worded in `finding`.
        Conflict::GroupTooBig { .. }
        | Conflict::GroupBreaksR3 { .. }
        | Conflict::DependencyDeadlock { .. }
        | Conflict::Proven(_) => {
            ("no plan satisfies the rules".to_owned(), String::new())
        }
    }
}

/// The message and ways out of a proven conflict.
fn proven(inv: &Inventory, p: &Problem, c: &Proven) -> (String, String) {
    let svc_names: Vec<String> = c.services.iter().map(|&s| describe(inv, p, s)).collect();
    let machines: Vec<ServerId> = c.groups.iter().flat_map(|&g| p.groups[g].machines.clone()).collect();
    let rules = if p.dependencies_first { "R4 with R1/R3" } else { "R1/R3" };
    let message = format!(
        "{} cannot all move, even with nothing else moving: their replicas on {} leave no order that keeps the rules ({rules})",
        svc_names.join(", "),
        names(inv, &machines)
    );
    let outs: Vec<String> = c
        .outs
        .iter()
        .map(|o| match o {
            WayOut::OrderAny => "set order = \"any\" if the link carries the cross-site traffic".to_owned(),
            WayOut::KeepTogether => format!("add {} to one keep_together group", names(inv, &machines)),
            WayOut::LargerBatches { machines, units } => {
                format!("raise max_servers to {machines} and max_units to {units}")
            }
        })
        .collect();
    let hint = if outs.is_empty() {
        "lower min_up of a service above for the move, or move a replica to another host first".to_owned()
    } else {
        format!("{} (each checked to resolve this conflict)", outs.join(", or "))
    };
    (message, hint)
}
