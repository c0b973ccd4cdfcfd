//! Graphs over the model (petgraph).

use petgraph::graph::{DiGraph, NodeIndex};

use crate::model::{Inventory, ServiceId};

/// Services as nodes (node index = service index), an edge S -> T for "S depends on T".
pub(crate) fn service_graph(inv: &Inventory) -> DiGraph<ServiceId, ()> {
    let mut g = DiGraph::with_capacity(inv.services.len(), inv.services.len() * 2);
    for id in inv.service_ids() {
        g.add_node(id);
    }
    for id in inv.service_ids() {
        for dep in &inv.service(id).depends_on {
            g.add_edge(NodeIndex::new(id.ix()), NodeIndex::new(dep.ix()), ());
        }
    }
    g
}
