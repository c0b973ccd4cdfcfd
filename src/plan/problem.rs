//! The move as a scheduling problem: groups of machines that move together, and the
//! per-service limits (R3) and dependencies (R4) between them.

use crate::model::{Inventory, ServerId, ServiceId};
use crate::plan::spec::{Order, Plan};

/// Machines that must share a batch: a host with its vms, joined by keep_together.
#[derive(Clone, Debug)]
pub struct Group {
    /// Physical machines, in inventory order.
    pub machines: Vec<ServerId>,
    /// Vms riding along.
    pub vms: Vec<ServerId>,
    /// Rack units.
    pub units: u32,
}

/// One service's constraints over the groups.
#[derive(Clone, Debug)]
pub struct Svc {
    /// The service.
    pub id: ServiceId,
    /// All replicas, moving or not.
    pub n: u32,
    /// Replicas that must be up.
    pub min_up: u32,
    /// R3: replicas that may be in transit at once, when n > min_up.
    pub cap: Option<u32>,
    /// Moving replicas per group (group, count), by group.
    pub moving: Vec<(usize, u32)>,
    /// R4: moving replicas that must be at the destination before dependents move:
    /// min(min_up, moving + already there) - already there.
    pub need: u32,
    /// Services (indices into `Problem::services`) it depends on that have moving replicas.
    pub deps: Vec<usize>,
    /// Downtime weight.
    pub weight: u32,
}

/// The whole problem.
#[derive(Clone, Debug)]
pub struct Problem {
    /// Groups.
    pub groups: Vec<Group>,
    /// Services with at least one moving replica.
    pub services: Vec<Svc>,
    /// Per group: (service index, replicas) it carries.
    pub group_services: Vec<Vec<(usize, u32)>>,
    /// R1.
    pub max_servers: u32,
    /// R1.
    pub max_units: u32,
    /// R4 applies.
    pub dependencies_first: bool,
}

impl Problem {
    /// Builds the problem: every physical machine at `from` except `stay` moves.
    pub fn new(inv: &Inventory, plan: &Plan) -> Problem {
        let moving: Vec<ServerId> = inv
            .server_ids()
            .filter(|&s| {
                let sv = inv.server(s);
                !sv.is_vm() && sv.site == Some(plan.from) && !plan.stay.contains(&s)
            })
            .collect();
        let mut slot = vec![usize::MAX; inv.servers.len()];
        for (i, &s) in moving.iter().enumerate() {
            slot[s.ix()] = i;
        }
        // Union-find over moving machines for keep_together.
        let mut parent: Vec<usize> = (0..moving.len()).collect();
        fn find(p: &mut [usize], mut x: usize) -> usize {
            while p[x] != x {
                p[x] = p[p[x]];
                x = p[x];
            }
            x
        }
        for g in &plan.keep_together {
            let members: Vec<usize> = g.iter().map(|s| slot[s.ix()]).filter(|&i| i != usize::MAX).collect();
            for w in members.windows(2) {
                let (a, b) = (find(&mut parent, w[0]), find(&mut parent, w[1]));
                parent[a.max(b)] = a.min(b);
            }
        }
        let mut group_of_root = vec![usize::MAX; moving.len()];
        let mut groups: Vec<Group> = Vec::new();
        let mut group_of = vec![usize::MAX; inv.servers.len()];
        for (i, &s) in moving.iter().enumerate() {
            let r = find(&mut parent, i);
            if group_of_root[r] == usize::MAX {
                group_of_root[r] = groups.len();
                groups.push(Group { machines: Vec::new(), vms: Vec::new(), units: 0 });
            }
            let g = group_of_root[r];
            groups[g].machines.push(s);
            groups[g].units += inv.server(s).height;
            group_of[s.ix()] = g;
        }
        for s in inv.server_ids() {
            if let Some(h) = inv.server(s).host
                && group_of[h.ix()] != usize::MAX
            {
                group_of[s.ix()] = group_of[h.ix()];
                groups[group_of[h.ix()]].vms.push(s);
            }
        }
        // Services with moving replicas.
        let mut index = vec![usize::MAX; inv.services.len()];
        let mut services: Vec<Svc> = Vec::new();
        for sid in inv.service_ids() {
            let s = inv.service(sid);
            let mut per_group: Vec<(usize, u32)> = Vec::new();
            for r in &s.runs_on {
                let g = group_of[r.ix()];
                if g == usize::MAX {
                    continue;
                }
                match per_group.iter_mut().find(|(x, _)| *x == g) {
                    Some(e) => e.1 += 1,
                    None => per_group.push((g, 1)),
                }
            }
            if per_group.is_empty() {
                continue;
            }
            per_group.sort_unstable();
            let n = s.runs_on.len() as u32;
            let total: u32 = per_group.iter().map(|x| x.1).sum();
            // Replicas already at the destination count towards R4's "at the destination".
            let at_dest = s.runs_on.iter().filter(|r| inv.server(**r).site == Some(plan.to)).count() as u32;
            let need = s.min_up.min(total + at_dest).saturating_sub(at_dest).min(total);
            index[sid.ix()] = services.len();
            services.push(Svc {
                id: sid,
                n,
                min_up: s.min_up,
                cap: (n > s.min_up).then(|| n - s.min_up),
                moving: per_group,
                need,
                deps: Vec::new(),
                weight: s.criticality.weight(),
            });
        }
        for i in 0..services.len() {
            let deps: Vec<usize> = inv
                .service(services[i].id)
                .depends_on
                .iter()
                .map(|d| index[d.ix()])
                .filter(|&d| d != usize::MAX && services[d].need > 0)
                .collect();
            services[i].deps = deps;
        }
        let mut group_services = vec![Vec::new(); groups.len()];
        for (si, s) in services.iter().enumerate() {
            for &(g, c) in &s.moving {
                group_services[g].push((si, c));
            }
        }
        Problem {
            groups,
            services,
            group_services,
            max_servers: plan.max_servers,
            max_units: plan.max_units,
            dependencies_first: plan.order == Order::DependenciesFirst,
        }
    }

    /// Physical machines that move.
    pub fn machines(&self) -> usize {
        self.groups.iter().map(|g| g.machines.len()).sum()
    }

    /// Rack units that move.
    pub fn units(&self) -> u32 {
        self.groups.iter().map(|g| g.units).sum()
    }
}
