//! `dcplan list ...`: one row type per listing, printed as a table or as JSON.

use serde::Serialize;
use std::sync::OnceLock;

use tabled::settings::peaker::Priority;
use tabled::settings::{Style, Width};
use tabled::{Table, Tabled};

use crate::check::power;
use crate::model::{HalfU, Inventory, Side};

/// A row of `dcplan list servers`.
#[derive(Serialize, Tabled)]
pub(crate) struct ServerRow {
    /// Id.
    pub(crate) id: String,
    /// Kind.
    pub(crate) kind: &'static str,
    /// Site (a vm's host's).
    pub(crate) site: String,
    /// Rack.
    pub(crate) rack: String,
    /// Lowest unit.
    #[tabled(display = "opt")]
    pub(crate) unit: Option<HalfU>,
    /// Height.
    pub(crate) height: HalfU,
    /// Watts.
    #[tabled(display = "opt")]
    pub(crate) power_w: Option<u32>,
    /// Hypervisor.
    pub(crate) host: String,
    /// Addresses.
    #[tabled(display = "list")]
    pub(crate) addresses: Vec<String>,
}

/// A row of `dcplan list services`.
#[derive(Serialize, Tabled)]
pub(crate) struct ServiceRow {
    /// Id.
    pub(crate) id: String,
    /// Name.
    pub(crate) name: String,
    /// Criticality.
    pub(crate) criticality: &'static str,
    /// Replicas needed.
    pub(crate) min_up: u32,
    /// Replicas.
    #[tabled(display = "list")]
    pub(crate) runs_on: Vec<String>,
    /// Dependencies.
    #[tabled(display = "list")]
    pub(crate) depends_on: Vec<String>,
}

/// A row of `dcplan list prefixes`.
#[derive(Serialize, Tabled)]
pub(crate) struct PrefixRow {
    /// CIDR.
    pub(crate) cidr: String,
    /// Site, or empty for aggregates.
    pub(crate) site: String,
    /// Addresses of machines inside it.
    pub(crate) addresses: usize,
    /// Description.
    pub(crate) description: String,
}

/// A row of `dcplan list racks`.
#[derive(Serialize, Tabled)]
pub(crate) struct RackRow {
    /// Id.
    pub(crate) id: String,
    /// Site.
    pub(crate) site: String,
    /// Units.
    pub(crate) units: u32,
    /// Units occupied.
    pub(crate) used: HalfU,
    /// Machines mounted.
    pub(crate) machines: usize,
    /// Watts drawn.
    pub(crate) power_w: u64,
    /// Budget (racks without feeds).
    #[tabled(display = "opt")]
    pub(crate) budget_w: Option<u32>,
    /// Load of the A side (racks with feeds).
    #[tabled(display = "opt")]
    pub(crate) side_a: Option<SideLoad>,
    /// Load of the B side.
    #[tabled(display = "opt")]
    pub(crate) side_b: Option<SideLoad>,
}

/// The load of one side of a rack with feeds, watts (rounded).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct SideLoad {
    /// In normal operation.
    pub(crate) load_w: u64,
    /// When the other side has failed (its dual-PSU halves fall on this side).
    pub(crate) on_loss_w: u64,
    /// What its feeds may carry together.
    pub(crate) capacity_w: u64,
}

impl std::fmt::Display for SideLoad {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{} W", self.load_w, self.capacity_w)
    }
}

/// What a feed's load says, in normal operation and on the loss of the other side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum FeedStatus {
    /// Within its capacity in both.
    Ok,
    /// Over its capacity in normal operation (power-feed-overload).
    Overload,
    /// Over its capacity once the other side has failed (power-feed-loss).
    OverOnLoss,
}

impl std::fmt::Display for FeedStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FeedStatus::Ok => "ok",
            FeedStatus::Overload => "overload",
            FeedStatus::OverOnLoss => "over-on-loss",
        })
    }
}

/// A row of `dcplan list feeds`.
#[derive(Serialize, Tabled)]
pub(crate) struct FeedRow {
    /// Id.
    pub(crate) id: String,
    /// Rack.
    pub(crate) rack: String,
    /// Side.
    pub(crate) side: &'static str,
    /// Its share of its side's load in normal operation, watts.
    pub(crate) load_w: u64,
    /// Its share when the other side has failed (null: the rack has no other side).
    #[tabled(display = "opt")]
    pub(crate) on_loss_w: Option<u64>,
    /// What it may carry, watts.
    pub(crate) capacity_w: u64,
    /// Within capacity, or which state is over.
    pub(crate) status: FeedStatus,
}

/// A row of `dcplan list circuits`.
#[derive(Serialize, Tabled)]
pub(crate) struct CircuitRow {
    /// Id.
    pub(crate) id: String,
    /// Upstream id.
    pub(crate) upstream: String,
    /// Upstream ASN.
    pub(crate) asn: u32,
    /// Site.
    pub(crate) site: String,
    /// Router.
    pub(crate) router: String,
    /// Announcements in the inventory.
    #[tabled(display = "list")]
    pub(crate) announce: Vec<String>,
}

fn opt<T: std::fmt::Display>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

/// A list cell: comma-separated.
pub(crate) fn list(v: &[String]) -> String {
    v.join(", ")
}

/// Servers, in inventory order.
pub(crate) fn servers(inv: &Inventory) -> Vec<ServerRow> {
    inv.servers
        .iter()
        .map(|s| ServerRow {
            id: s.id.clone(),
            kind: s.kind.as_str(),
            site: s.site.map(|x| inv.site(x).id.clone()).unwrap_or_default(),
            rack: s.mount.map(|m| inv.rack(m.rack).id.clone()).unwrap_or_default(),
            unit: s.mount.and_then(|m| m.unit),
            height: s.height,
            power_w: s.power_w,
            host: s.host.map(|h| inv.server(h).id.clone()).unwrap_or_default(),
            addresses: s.addresses.iter().map(|a| a.value.to_string()).collect(),
        })
        .collect()
}

/// Services, in inventory order.
pub(crate) fn services(inv: &Inventory) -> Vec<ServiceRow> {
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
pub(crate) fn prefixes(inv: &Inventory) -> Vec<PrefixRow> {
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
pub(crate) fn racks(inv: &Inventory) -> Vec<RackRow> {
    let mut rows: Vec<RackRow> = inv
        .racks
        .iter()
        .map(|r| RackRow {
            id: r.id.clone(),
            site: inv.site(r.site).id.clone(),
            units: r.units,
            used: HalfU::ZERO,
            machines: 0,
            power_w: 0,
            budget_w: r.power_w,
            side_a: None,
            side_b: None,
        })
        .collect();
    for s in &inv.servers {
        if let Some(m) = s.mount {
            let row = &mut rows[m.rack.ix()];
            row.used = row.used.plus(s.height);
            row.machines += 1;
            row.power_w += u64::from(s.power_w.unwrap_or(0));
        }
    }
    for (r, p) in power::racks(inv).iter().enumerate() {
        if p.fed() {
            let side = |s: Side| {
                p.has(s).then(|| SideLoad {
                    load_w: watts(p.normal(s)),
                    on_loss_w: watts(p.on_loss(s)),
                    capacity_w: watts(p.capacity[s.ix()]),
                })
            };
            rows[r].side_a = side(Side::A);
            rows[r].side_b = side(Side::B);
            // The feeds are the budget: power_w of a fed rack is not used.
            rows[r].budget_w = None;
        }
    }
    rows
}

/// Watts as printed: whole, rounded.
#[expect(
    clippy::cast_possible_truncation,
    reason = "a float-to-integer `as` saturates; loads and capacities are finite and at least 0 (resolve checks the inputs)"
)]
pub(crate) fn watts(x: f64) -> u64 {
    x.round().max(0.0) as u64
}

/// Feeds, in inventory order: each one's share of its side's load, normally and once the other
/// side has failed, and its capacity.
pub(crate) fn feeds(inv: &Inventory) -> Vec<FeedRow> {
    let power = power::racks(inv);
    inv.feeds
        .iter()
        .map(|f| {
            let p = &power[f.rack.ix()];
            let i = f.side.ix();
            // The feeds of a side share its load in proportion to their capacities.
            let share = f.capacity_w() / p.capacity[i];
            let (normal, on_loss) = (p.normal(f.side) * share, p.on_loss(f.side) * share);
            let other = p.has(f.side.other());
            let status = if p.normal(f.side) > p.capacity[i] {
                FeedStatus::Overload
            } else if other && p.on_loss(f.side) > p.capacity[i] {
                FeedStatus::OverOnLoss
            } else {
                FeedStatus::Ok
            };
            FeedRow {
                id: f.id.clone(),
                rack: inv.rack(f.rack).id.clone(),
                side: f.side.as_str(),
                load_w: watts(normal),
                on_loss_w: other.then(|| watts(on_loss)),
                capacity_w: watts(f.capacity_w()),
                status,
            }
        })
        .collect()
}

/// Circuits.
pub(crate) fn circuits(inv: &Inventory) -> Vec<CircuitRow> {
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

/// The width tables must fit, set once by the program from the terminal; unset: no limit.
/// (A setting of the output device, like colour, so not threaded through every printer.)
static WIDTH: OnceLock<usize> = OnceLock::new();

/// Makes every table fit `columns` (wrapping the widest cells first).
pub(crate) fn fit_width(columns: usize) {
    let _ = WIDTH.set(columns);
}

/// Renders rows as a table with a trailing newline, fitting the width set by [`fit_width`].
pub(crate) fn table<T: Tabled>(rows: &[T]) -> String {
    let mut t = Table::new(rows);
    t.with(Style::sharp());
    if let Some(&columns) = WIDTH.get() {
        t.with(Width::wrap(columns).priority(Priority::max(true)).keep_words(true));
    }
    format!("{t}\n")
}
