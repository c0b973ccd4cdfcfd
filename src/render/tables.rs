//! `dcplan list ...`: one row type per listing, printed as a table or as JSON.

use serde::Serialize;
use tabled::settings::Style;
use tabled::{Table, Tabled};

use crate::model::Inventory;

/// A row of `dcplan list servers`.
#[derive(Serialize, Tabled)]
pub struct ServerRow {
    /// Id.
    pub id: String,
    /// Kind.
    pub kind: &'static str,
    /// Site (a vm's host's).
    pub site: String,
    /// Rack.
    pub rack: String,
    /// Lowest unit.
    #[tabled(display = "opt")]
    pub unit: Option<u32>,
    /// Height.
    pub height: u32,
    /// Watts.
    #[tabled(display = "opt")]
    pub power_w: Option<u32>,
    /// Hypervisor.
    pub host: String,
    /// Addresses.
    #[tabled(display = "list")]
    pub addresses: Vec<String>,
}

/// A row of `dcplan list services`.
#[derive(Serialize, Tabled)]
pub struct ServiceRow {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Criticality.
    pub criticality: &'static str,
    /// Replicas needed.
    pub min_up: u32,
    /// Replicas.
    #[tabled(display = "list")]
    pub runs_on: Vec<String>,
    /// Dependencies.
    #[tabled(display = "list")]
    pub depends_on: Vec<String>,
}

/// A row of `dcplan list prefixes`.
#[derive(Serialize, Tabled)]
pub struct PrefixRow {
    /// CIDR.
    pub cidr: String,
    /// Site, or empty for aggregates.
    pub site: String,
    /// Addresses of machines inside it.
    pub addresses: usize,
    /// Description.
    pub description: String,
}

/// A row of `dcplan list racks`.
#[derive(Serialize, Tabled)]
pub struct RackRow {
    /// Id.
    pub id: String,
    /// Site.
    pub site: String,
    /// Units.
    pub units: u32,
    /// Units occupied.
    pub used: u32,
    /// Machines mounted.
    pub machines: usize,
    /// Watts drawn.
    pub power_w: u64,
    /// Budget.
    #[tabled(display = "opt")]
    pub budget_w: Option<u32>,
}

/// A row of `dcplan list circuits`.
#[derive(Serialize, Tabled)]
pub struct CircuitRow {
    /// Id.
    pub id: String,
    /// Upstream id.
    pub upstream: String,
    /// Upstream ASN.
    pub asn: u32,
    /// Site.
    pub site: String,
    /// Router.
    pub router: String,
    /// Announcements in the inventory.
    #[tabled(display = "list")]
    pub announce: Vec<String>,
}

fn opt<T: std::fmt::Display>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

/// A list cell: comma-separated.
pub(crate) fn list(v: &[String]) -> String {
    v.join(", ")
}

/// Servers, in inventory order.
pub fn servers(inv: &Inventory) -> Vec<ServerRow> {
    inv.servers
        .iter()
        .map(|s| ServerRow {
            id: s.id.clone(),
            kind: s.kind.as_str(),
            site: s.site.map(|x| inv.site(x).id.clone()).unwrap_or_default(),
            rack: s.mount.map(|m| inv.rack(m.rack).id.clone()).unwrap_or_default(),
            unit: s.mount.map(|m| m.unit),
            height: s.height,
            power_w: s.power_w,
            host: s.host.map(|h| inv.server(h).id.clone()).unwrap_or_default(),
            addresses: s.addresses.iter().map(|a| a.value.to_string()).collect(),
        })
        .collect()
}

/// Services, in inventory order.
pub fn services(inv: &Inventory) -> Vec<ServiceRow> {
    inv.services
        .iter()
        .map(|s| ServiceRow {
            id: s.id.clone(),
            name: s.name.clone(),
            criticality: s.criticality.as_str(),
            min_up: s.min_up,
            runs_on: s.runs_on.iter().map(|&r| inv.server(r).id.clone()).collect(),
            depends_on: s.depends_on.iter().map(|&d| inv.service(d).id.clone()).collect(),
        })
        .collect()
}

/// Prefixes, in inventory order, with the number of machine addresses inside each.
pub fn prefixes(inv: &Inventory) -> Vec<PrefixRow> {
    inv.prefixes
        .iter()
        .map(|p| PrefixRow {
            cidr: p.cidr.to_string(),
            site: p.site.map(|x| inv.site(x).id.clone()).unwrap_or_default(),
            addresses: inv
                .servers
                .iter()
                .flat_map(|s| &s.addresses)
                .filter(|a| p.cidr.contains(a.value))
                .count(),
            description: p.description.clone(),
        })
        .collect()
}

/// Racks, with occupancy and power.
pub fn racks(inv: &Inventory) -> Vec<RackRow> {
    let mut rows: Vec<RackRow> = inv
        .racks
        .iter()
        .map(|r| RackRow {
            id: r.id.clone(),
            site: inv.site(r.site).id.clone(),
            units: r.units,
            used: 0,
            machines: 0,
            power_w: 0,
            budget_w: r.power_w,
        })
        .collect();
    for s in &inv.servers {
        if let Some(m) = s.mount {
            let row = &mut rows[m.rack.ix()];
            row.used += s.height;
            row.machines += 1;
            row.power_w += u64::from(s.power_w.unwrap_or(0));
        }
    }
    rows
}

/// Circuits.
pub fn circuits(inv: &Inventory) -> Vec<CircuitRow> {
    inv.circuits
        .iter()
        .map(|c| {
            let up = &inv.upstreams[c.upstream.ix()];
            CircuitRow {
                id: c.id.clone(),
                upstream: up.id.clone(),
                asn: up.asn,
                site: inv.site(c.site).id.clone(),
                router: inv.server(c.router).id.clone(),
                announce: c.announce.iter().map(|a| a.value.to_string()).collect(),
            }
        })
        .collect()
}

/// Renders rows as a table with a trailing newline.
pub fn table<T: Tabled>(rows: &[T]) -> String {
    let mut t = Table::new(rows);
    t.with(Style::sharp());
    format!("{t}\n")
}
