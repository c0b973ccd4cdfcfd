//! What each move night's runbook says, as data: who to notify, the shutdown and power-on
//! orders, checks. `render::runbook` turns it into Markdown.

use petgraph::graph::{DiGraph, NodeIndex};

use crate::impact::{Cause, impact};
use crate::model::{Inventory, ServerId, ServiceId};
use crate::plan::{Batch, Outcome};

/// One night.
#[derive(Clone, Debug)]
pub struct Night {
    /// The batch.
    pub index: usize,
    /// Services down during the night and why (direct, or through a dependency).
    pub(crate) notify: Vec<(ServiceId, Cause)>,
    /// Machines and vms in the order to shut them down: dependents first, vms before hosts.
    pub shutdown: Vec<ServerId>,
    /// The reverse: network and storage first, then dependencies before dependents.
    pub power_on: Vec<ServerId>,
    /// Services to verify after power-on: those with a replica moved, and those that were down.
    pub checks: Vec<ServiceId>,
}

/// The nights of a plan.
pub fn nights(inv: &Inventory, o: &Outcome) -> Vec<Night> {
    o.batches.iter().map(|b| night(inv, b)).collect()
}

fn night(inv: &Inventory, b: &Batch) -> Night {
    let items: Vec<ServerId> = b.servers.iter().chain(&b.vms).copied().collect();
    let power_on = power_on_order(inv, &items);
    let mut shutdown = power_on.clone();
    shutdown.reverse();
    let down = impact(inv, &b.servers);
    let mut checks: Vec<ServiceId> = inv
        .service_ids()
        .filter(|&s| inv.service(s).runs_on.iter().any(|r| items.contains(r)))
        .chain(down.down.iter().map(|(s, _)| *s))
        .collect();
    checks.sort();
    checks.dedup();
    // Who to notify: by criticality, most critical first, then inventory order.
    let mut notify = down.down;
    notify.sort_by_key(|(s, _)| (std::cmp::Reverse(inv.service(*s).criticality), *s));
    Night { index: b.index, notify, shutdown, power_on, checks }
}

/// Power-on order of the machines and vms of a night: hosts before their vms, the machines of a
/// service's dependencies before the service's; among what is free to go, network and storage
/// gear first, then inventory order. A dependency cycle is broken at the lowest item.
pub(crate) fn power_on_order(inv: &Inventory, items: &[ServerId]) -> Vec<ServerId> {
    let mut g: DiGraph<ServerId, ()> = DiGraph::new();
    let nodes: Vec<NodeIndex> = items.iter().map(|&s| g.add_node(s)).collect();
    let at = |s: ServerId| items.iter().position(|&x| x == s);
    for (i, &s) in items.iter().enumerate() {
        if let Some(h) = inv.server(s).host.and_then(at) {
            g.add_edge(nodes[h], nodes[i], ());
        }
    }
    let carrying = |i: usize| -> Vec<ServiceId> {
        inv.service_ids().filter(|&sv| inv.service(sv).runs_on.contains(&items[i])).collect()
    };
    let services: Vec<Vec<ServiceId>> = (0..items.len()).map(carrying).collect();
    for i in 0..items.len() {
        for &s in &services[i] {
            for &t in &inv.service(s).depends_on {
                for j in 0..items.len() {
                    if j != i && services[j].contains(&t) && g.find_edge(nodes[j], nodes[i]).is_none() {
                        g.add_edge(nodes[j], nodes[i], ());
                    }
                }
            }
        }
    }
    // Kahn's algorithm with a priority: infrastructure first, then inventory order.
    let key = |i: usize| (!inv.server(items[i]).kind.is_infrastructure(), items[i]);
    let mut indegree: Vec<usize> =
        nodes.iter().map(|&n| g.neighbors_directed(n, petgraph::Direction::Incoming).count()).collect();
    let mut done = vec![false; items.len()];
    let mut out = Vec::with_capacity(items.len());
    while out.len() < items.len() {
        let next = (0..items.len())
            .filter(|&i| !done[i] && indegree[i] == 0)
            .min_by_key(|&i| key(i))
            // A cycle: take the lowest item still waiting.
            .or_else(|| (0..items.len()).filter(|&i| !done[i]).min_by_key(|&i| key(i)))
            .expect("items left");
        done[next] = true;
        out.push(items[next]);
        for n in g.neighbors(nodes[next]) {
            let j = n.index();
            indegree[j] = indegree[j].saturating_sub(1);
        }
    }
    out
}
