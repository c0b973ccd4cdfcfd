//! The move as a scheduling problem: groups of machines that move together (R2), the services
//! they carry, and the rules over them (built by [`rules`]).

use crate::model::{Inventory, ServerId, ServiceId};
use crate::num::u32_of;
use crate::plan::ids::{Dim, GroupId, Id, IdVec, SvcIx};
use crate::plan::rules::{self, Domain, Limit, Resource};
use crate::plan::spec::{Order, Plan};

/// Machines that must share a batch: a host with its vms, joined by keep_together.
#[derive(Clone, Debug)]
pub(crate) struct Group {
    /// Physical machines, in inventory order.
    pub(crate) machines: Vec<ServerId>,
    /// Vms riding along.
    pub(crate) vms: Vec<ServerId>,
    /// Rack units.
    pub(crate) units: u32,
}

/// One service with moving replicas.
#[derive(Clone, Debug)]
pub(crate) struct Svc {
    pub(crate) id: ServiceId,
    /// All replicas, moving or not.
    pub(crate) n: u32,
    /// Replicas that must be up.
    pub(crate) min_up: u32,
    /// R3: replicas that may be in transit at once, when n > min_up.
    pub(crate) cap: Option<u32>,
    /// Moving replicas per group (group, count), by group.
    pub(crate) moving: Vec<(GroupId, u32)>,
    /// R4: moving replicas that must be at the destination before dependents move:
    /// min(min_up, moving + already there) - already there.
    pub(crate) need: u32,
    /// Services it depends on that have replicas to wait for (`need > 0`).
    pub(crate) deps: Vec<SvcIx>,
    /// Services that depend on it (the reverse of `deps`), in index order.
    pub(crate) dependents: Vec<SvcIx>,
    /// Downtime weight.
    pub(crate) weight: u32,
}

impl Svc {
    /// Moving replicas in all.
    pub(crate) fn moving_replicas(&self) -> u32 {
        self.moving.iter().map(|x| x.1).sum()
    }
}

/// The whole problem.
#[derive(Clone, Debug)]
pub(crate) struct Problem {
    pub(crate) groups: IdVec<GroupId, Group>,
    /// Services with at least one moving replica.
    pub(crate) services: IdVec<SvcIx, Svc>,
    /// Per group: (service, replicas) it carries, by service.
    pub(crate) group_services: IdVec<GroupId, Vec<(SvcIx, u32)>>,
    /// The per-batch limits (R1, R3, ...): see [`rules::capacity`].
    pub(crate) limits: IdVec<Dim, Limit>,
    /// What each group takes of each limit (sparse).
    pub(crate) demand: IdVec<GroupId, rules::Demand>,
    /// The batches each group may go to.
    pub(crate) domain: IdVec<GroupId, Domain>,
    /// R1 as written (for messages).
    pub(crate) max_servers: u32,
    pub(crate) max_units: u32,
    /// R4 applies.
    pub(crate) dependencies_first: bool,
}

impl Problem {
    /// Builds the problem: every physical machine at `from` except `stay` moves.
    pub(crate) fn new(inv: &Inventory, plan: &Plan) -> Problem {
        let (groups, group_of) = groups(inv, plan);
        let services = services(inv, plan, &group_of);
        let mut group_services = IdVec::filled(Vec::new(), groups.len());
        for (si, s) in services.enumerate() {
            for &(g, c) in &s.moving {
                group_services[g].push((si, c));
            }
        }
        let (limits, demand) = rules::capacity(inv, plan, &groups, &services, &group_services);
        let domain = rules::domains(inv, plan, &groups);
        Problem {
            groups,
            services,
            group_services,
            limits,
            demand,
            domain,
            max_servers: plan.max_servers,
            max_units: plan.max_units,
            dependencies_first: plan.order == Order::DependenciesFirst,
        }
    }

    /// Physical machines that move.
    pub(crate) fn machines(&self) -> usize {
        self.groups.iter().map(|g| g.machines.len()).sum()
    }

    /// Rack units that move.
    pub(crate) fn units(&self) -> u32 {
        self.groups.iter().map(|g| g.units).sum()
    }

    /// The move restricted to `keep` (services) and the groups carrying their moving replicas,
    /// all of them: the rules of the other services dropped. A relaxation: every valid schedule
    /// of the whole move, cut down to these groups, is valid here, so a restriction with no
    /// schedule proves the whole move has none. The kept services are returned in the new
    /// numbering's order; `keep` must be sorted.
    pub(crate) fn restrict(&self, keep: &[SvcIx]) -> Problem {
        let mut svc_new: IdVec<SvcIx, Option<SvcIx>> = IdVec::filled(None, self.services.len());
        for (i, &s) in keep.iter().enumerate() {
            svc_new[s] = Some(SvcIx::from_ix(i));
        }
        let mut grp_new: IdVec<GroupId, Option<GroupId>> = IdVec::filled(None, self.groups.len());
        let mut old_groups: Vec<GroupId> =
            keep.iter().flat_map(|&s| self.services[s].moving.iter().map(|x| x.0)).collect();
        old_groups.sort_unstable();
        old_groups.dedup();
        for (i, &g) in old_groups.iter().enumerate() {
            grp_new[g] = Some(GroupId::from_ix(i));
        }
        let services: IdVec<SvcIx, Svc> = keep
            .iter()
            .map(|&s| {
                let svc = &self.services[s];
                Svc {
                    moving: svc.moving.iter().filter_map(|&(g, c)| Some((grp_new[g]?, c))).collect(),
                    deps: svc.deps.iter().filter_map(|&d| svc_new[d]).collect(),
                    dependents: svc.dependents.iter().filter_map(|&d| svc_new[d]).collect(),
                    ..svc.clone()
                }
            })
            .collect();
        let mut dim_new: IdVec<Dim, Option<Dim>> = IdVec::filled(None, self.limits.len());
        let mut limits: IdVec<Dim, Limit> = IdVec::default();
        for (d, l) in self.limits.enumerate() {
            let what = match l.what {
                Resource::Replicas(s) => match svc_new[s] {
                    Some(n) => Resource::Replicas(n),
                    None => continue,
                },
                other => other,
            };
            dim_new[d] = Some(limits.push(Limit { what, cap: l.cap }));
        }
        let pick = |g: &GroupId| grp_new[*g].is_some();
        Problem {
            groups: old_groups.iter().map(|&g| self.groups[g].clone()).collect(),
            group_services: old_groups
                .iter()
                .map(|&g| {
                    self.group_services[g].iter().filter_map(|&(s, c)| Some((svc_new[s]?, c))).collect()
                })
                .collect(),
            demand: old_groups
                .iter()
                .filter(|g| pick(g))
                .map(|&g| self.demand[g].iter().filter_map(|&(d, c)| Some((dim_new[d]?, c))).collect())
                .collect(),
            domain: old_groups.iter().map(|&g| self.domain[g]).collect(),
            services,
            limits,
            ..*self
        }
    }

    /// Replicas of service `t` that group `g` carries.
    pub(crate) fn carries(&self, g: GroupId, t: SvcIx) -> u32 {
        self.group_services[g].iter().find(|x| x.0 == t).map_or(0, |x| x.1)
    }
}

/// Union-find root with path halving.
fn find(p: &mut [usize], mut x: usize) -> usize {
    while p[x] != x {
        p[x] = p[p[x]];
        x = p[x];
    }
    x
}

/// The groups, and the group of every moving machine and vm (by server).
fn groups(inv: &Inventory, plan: &Plan) -> (IdVec<GroupId, Group>, Vec<Option<GroupId>>) {
    let moving: Vec<ServerId> = inv
        .server_ids()
        .filter(|&s| {
            let sv = inv.server(s);
            !sv.is_vm() && sv.site == Some(plan.from) && !plan.stay.contains(&s)
        })
        .collect();
    let mut slot = vec![None; inv.servers.len()];
    for (i, &s) in moving.iter().enumerate() {
        slot[s.ix()] = Some(i);
    }
    // Union-find over moving machines for keep_together.
    let mut parent: Vec<usize> = (0..moving.len()).collect();
    for g in &plan.keep_together {
        let members: Vec<usize> = g.iter().filter_map(|s| slot[s.ix()]).collect();
        for w in members.windows(2) {
            let (a, b) = (find(&mut parent, w[0]), find(&mut parent, w[1]));
            parent[a.max(b)] = a.min(b);
        }
    }
    let mut group_of_root: Vec<Option<GroupId>> = vec![None; moving.len()];
    let mut groups: IdVec<GroupId, Group> = IdVec::default();
    let mut group_of: Vec<Option<GroupId>> = vec![None; inv.servers.len()];
    for (i, &s) in moving.iter().enumerate() {
        let r = find(&mut parent, i);
        let g = *group_of_root[r]
            .get_or_insert_with(|| groups.push(Group { machines: Vec::new(), vms: Vec::new(), units: 0 }));
        groups[g].machines.push(s);
        groups[g].units += inv.server(s).height.ceil_units();
        group_of[s.ix()] = Some(g);
    }
    for s in inv.server_ids() {
        if let Some(h) = inv.server(s).host
            && let Some(g) = group_of[h.ix()]
        {
            group_of[s.ix()] = Some(g);
            groups[g].vms.push(s);
        }
    }
    (groups, group_of)
}

/// Services with moving replicas, with their R3 cap, R4 need and dependencies.
fn services(inv: &Inventory, plan: &Plan, group_of: &[Option<GroupId>]) -> IdVec<SvcIx, Svc> {
    let mut index: Vec<Option<SvcIx>> = vec![None; inv.services.len()];
    let mut services: IdVec<SvcIx, Svc> = IdVec::default();
    for sid in inv.service_ids() {
        let s = inv.service(sid);
        let mut per_group: Vec<(GroupId, u32)> = Vec::new();
        for g in s.runs_on.iter().filter_map(|r| group_of[r.ix()]) {
            match per_group.iter_mut().find(|(x, _)| *x == g) {
                Some(e) => e.1 += 1,
                None => per_group.push((g, 1)),
            }
        }
        if per_group.is_empty() {
            continue;
        }
        per_group.sort_unstable();
        let n = u32_of(s.runs_on.len());
        let total: u32 = per_group.iter().map(|x| x.1).sum();
        // Replicas already at the destination count towards R4's "at the destination".
        let at_dest = u32_of(s.runs_on.iter().filter(|r| inv.server(**r).site == Some(plan.to)).count());
        let need = s.min_up.min(total + at_dest).saturating_sub(at_dest).min(total);
        index[sid.ix()] = Some(services.push(Svc {
            id: sid,
            n,
            min_up: s.min_up,
            cap: (n > s.min_up).then(|| n - s.min_up),
            moving: per_group,
            need,
            deps: Vec::new(),
            dependents: Vec::new(),
            weight: s.criticality.weight(),
        }));
    }
    for i in services.ids() {
        let deps: Vec<SvcIx> = inv
            .service(services[i].id)
            .depends_on
            .iter()
            .filter_map(|d| index[d.ix()])
            .filter(|&d| services[d].need > 0)
            .collect();
        for &d in &deps {
            services[d].dependents.push(i);
        }
        services[i].deps = deps;
    }
    services
}
