//! The validated inventory: typed values, references resolved to indices, spans kept for
//! findings. Built once by [`crate::resolve`]; every later pass reads it.

use rustc_hash::FxHashMap as HashMap;
use std::net::IpAddr;

use ipnetwork::IpNetwork;

use crate::diag::Loc;
use crate::raw::Table;

mod units;
pub use units::HalfU;
pub(crate) use units::Numbering;
pub(crate) use units::{mount_text, span_text};

macro_rules! index_types {
    ($($(#[$doc:meta])* $name:ident $(=> $table:ident, $field:ident)?;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u32);
        impl $name {
            /// As a vector index.
            pub fn ix(self) -> usize { self.0 as usize }
            /// From a vector index.
            pub(crate) fn from_ix(i: usize) -> Self { Self(u32::try_from(i).expect("fewer than 2^32 objects")) }
        }
        $(impl Object for $name {
            const TABLE: Table = Table::$table;
            fn index(index: &Index) -> &HashMap<String, Self> { &index.$field }
            fn index_mut(index: &mut Index) -> &mut HashMap<String, Self> { &mut index.$field }
        })?
    )*};
}

/// The index type of a kind of object with an id: its table (and so its kind name) and its id
/// lookup go with the type, so a reference cannot name one kind and look up another.
pub(crate) trait Object: Copy {
    /// The table the objects are declared in.
    const TABLE: Table;
    /// The id lookup of this kind.
    fn index(index: &Index) -> &HashMap<String, Self>;
    /// The id lookup of this kind, to fill.
    fn index_mut(index: &mut Index) -> &mut HashMap<String, Self>;
}

index_types! {
    /// Index of a site.
    SiteId => Site, sites;
    /// Index of a rack.
    RackId => Rack, racks;
    /// Index of a server (any machine).
    ServerId => Server, servers;
    /// Index of a service.
    ServiceId => Service, services;
    /// Index of a prefix.
    PrefixId;
    /// Index of an upstream.
    UpstreamId => Upstream, upstreams;
    /// Index of a circuit.
    CircuitId => Circuit, circuits;
    /// Index of a power feed.
    FeedId => Feed, feeds;
}

/// The most rack units a rack (or a machine's unit or height) may have: far above any real
/// rack, low enough that unit arithmetic never overflows.
pub(crate) const MAX_UNITS: u32 = 1000;

/// A value with the location it was written at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct At<T> {
    pub(crate) value: T,
    /// Where.
    pub(crate) loc: Loc,
}

/// `[org]`.
#[derive(Clone, Debug)]
pub(crate) struct Org {
    /// Our AS number.
    pub(crate) asn: u32,
    /// Distinct upstream ASNs required per in-use address.
    pub(crate) min_upstreams: u32,
    /// Where declared (None when the inventory has no `[org]`).
    pub(crate) loc: Option<Loc>,
}

/// A datacenter.
#[derive(Clone, Debug)]
pub(crate) struct Site {
    pub(crate) id: String,
    pub(crate) name: String,
}

/// A rack.
#[derive(Clone, Debug)]
pub struct Rack {
    /// Id.
    pub id: String,
    /// Its site.
    pub site: SiteId,
    /// Number of units.
    pub units: u32,
    /// How its units are numbered (`starting_unit`, `desc_units`).
    pub(crate) numbering: Numbering,
    /// Power budget, watts (used only when the rack has no feeds).
    pub(crate) power_w: Option<u32>,
    /// What it may carry, kg.
    pub(crate) max_weight_kg: Option<f64>,
    /// Where declared.
    pub(crate) loc: Loc,
}

/// A redundancy side of a rack's power.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Side {
    /// The A side.
    A,
    /// The B side.
    B,
}

impl Side {
    /// Both sides.
    pub(crate) const BOTH: [Side; 2] = [Side::A, Side::B];

    /// Parses `a` or `b`.
    pub(crate) fn parse(s: &str) -> Option<Side> {
        match s {
            "a" => Some(Side::A),
            "b" => Some(Side::B),
            _ => None,
        }
    }

    /// `a` or `b`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Side::A => "a",
            Side::B => "b",
        }
    }

    /// The other side.
    pub(crate) fn other(self) -> Side {
        match self {
            Side::A => Side::B,
            Side::B => Side::A,
        }
    }

    /// As an index into per-side arrays.
    pub(crate) fn ix(self) -> usize {
        self as usize
    }
}

/// A power feed into a rack.
#[derive(Clone, Debug)]
pub(crate) struct Feed {
    pub(crate) id: String,
    /// The rack it feeds.
    pub(crate) rack: RackId,
    pub(crate) side: Side,
    pub(crate) volts: f64,
    /// Breaker rating, amperes.
    pub(crate) amps: f64,
    pub(crate) three_phase: bool,
    /// Percent of the breaker it may carry.
    pub(crate) max_utilization: f64,
    /// Where declared.
    pub(crate) loc: Loc,
}

impl Feed {
    /// What it may carry, watts: volts x amps x utilisation, x sqrt(3) for three-phase.
    pub(crate) fn capacity_w(&self) -> f64 {
        let phase = if self.three_phase { 3f64.sqrt() } else { 1.0 };
        self.volts * self.amps * self.max_utilization / 100.0 * phase
    }
}

/// What a machine is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Kind {
    /// A physical server.
    Server,
    /// A router (runs BGP sessions).
    Router,
    /// A switch.
    Switch,
    /// A storage appliance.
    Storage,
    /// A virtual machine on a hypervisor.
    Vm,
}

impl Kind {
    /// The names accepted in `kind = "..."`.
    pub(crate) const NAMES: &'static [&'static str] = &["server", "router", "switch", "storage", "vm"];

    /// Parses a kind name.
    pub(crate) fn parse(s: &str) -> Option<Kind> {
        Some(match s {
            "server" => Kind::Server,
            "router" => Kind::Router,
            "switch" => Kind::Switch,
            "storage" => Kind::Storage,
            "vm" => Kind::Vm,
            _ => return None,
        })
    }

    /// The name.
    pub(crate) fn as_str(self) -> &'static str {
        Kind::NAMES[self as usize]
    }

    /// Network and storage gear come up before what needs them.
    pub(crate) fn is_infrastructure(self) -> bool {
        matches!(self, Kind::Router | Kind::Switch | Kind::Storage)
    }
}

/// Where a physical machine is mounted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mount {
    /// The rack.
    pub rack: RackId,
    /// Lowest-numbered unit occupied, as the rack numbers them; None for a 0U machine (it
    /// takes no unit).
    pub unit: Option<HalfU>,
}

/// A machine: physical or vm.
#[derive(Clone, Debug)]
pub struct Server {
    /// Id.
    pub id: String,
    /// What it is.
    pub(crate) kind: Kind,
    /// Its site: its own for physical machines, its host's for vms (None if unresolvable).
    pub site: Option<SiteId>,
    /// Rack and unit, for mounted physical machines.
    pub mount: Option<Mount>,
    /// Height (0 for vms and 0U machines).
    pub height: HalfU,
    /// Power draw, watts.
    pub(crate) power_w: Option<u32>,
    /// Power supplies (1 unless written).
    pub(crate) psus: u32,
    /// The side a single-PSU machine is plugged into.
    pub(crate) feed_side: Side,
    pub(crate) weight_kg: Option<f64>,
    /// The hypervisor, for vms.
    pub host: Option<ServerId>,
    pub(crate) addresses: Vec<At<IpAddr>>,
    /// Serial number.
    pub(crate) serial: Option<String>,
    pub(crate) asset_tag: Option<String>,
    /// The device type (`manufacturer/model`), as written.
    pub(crate) model: Option<At<String>>,
    /// Person-minutes to move it, when it has its own figure.
    pub(crate) handling_minutes: Option<u32>,
    /// The `[[server]]` table.
    pub(crate) loc: Loc,
    /// Where each placement field was written (for rack findings).
    pub(crate) field_locs: FieldLocs,
}

/// Locations of a server's placement fields, where present.
#[derive(Clone, Debug, Default)]
pub(crate) struct FieldLocs {
    pub(crate) site: Option<Loc>,
    pub(crate) rack: Option<Loc>,
    pub(crate) unit: Option<Loc>,
    pub(crate) height: Option<Loc>,
    pub(crate) feed_side: Option<Loc>,
}

impl Server {
    /// True for vms.
    pub fn is_vm(&self) -> bool {
        self.kind == Kind::Vm
    }
}

/// How much a service's downtime matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Criticality {
    /// Weight 1.
    Low,
    /// Weight 2.
    Normal,
    /// Weight 3.
    High,
}

impl Criticality {
    /// The names accepted in `criticality = "..."`.
    pub(crate) const NAMES: &'static [&'static str] = &["low", "normal", "high"];

    /// Parses a name.
    pub(crate) fn parse(s: &str) -> Option<Criticality> {
        Some(match s {
            "low" => Criticality::Low,
            "normal" => Criticality::Normal,
            "high" => Criticality::High,
            _ => return None,
        })
    }

    /// The name.
    pub(crate) fn as_str(self) -> &'static str {
        Criticality::NAMES[self as usize]
    }

    /// Downtime weight in the plan objective.
    pub(crate) fn weight(self) -> u32 {
        self as u32 + 1
    }
}

/// A service.
#[derive(Clone, Debug)]
pub struct Service {
    /// Id.
    pub id: String,
    pub(crate) name: String,
    /// Replicas (resolved).
    pub runs_on: Vec<ServerId>,
    /// Replicas that must be up (as written; may be invalid, see service-min-up).
    pub min_up: u32,
    /// Services it depends on (resolved).
    pub depends_on: Vec<ServiceId>,
    pub(crate) criticality: Criticality,
    /// Verification command.
    pub(crate) check: Option<String>,
    /// Where declared.
    pub(crate) loc: Loc,
    /// Where `min_up` was written (or the table).
    pub(crate) min_up_loc: Loc,
    /// A replica names a machine that could not be loaded: the replica count is not known.
    pub(crate) partial: bool,
}

impl Service {
    /// The weight of one state of downtime in the plan objective (low 1, normal 2, high 3).
    pub fn downtime_weight(&self) -> u32 {
        self.criticality.weight()
    }
}

/// Our own IP space.
#[derive(Clone, Debug)]
pub(crate) struct Prefix {
    /// The network.
    pub(crate) cidr: IpNetwork,
    /// The site whose hosts use it (the first, for a stretched subnet); None for aggregates.
    pub(crate) site: Option<SiteId>,
    /// Every site whose hosts use it: one, or several for a subnet stretched during a move.
    pub(crate) sites: Vec<SiteId>,
    /// What it is for.
    pub(crate) description: String,
    /// Where declared.
    pub(crate) loc: Loc,
}

/// A transit provider.
#[derive(Clone, Debug)]
pub(crate) struct Upstream {
    pub(crate) id: String,
    /// AS number.
    pub(crate) asn: u32,
}

/// A BGP session with an upstream.
#[derive(Clone, Debug)]
pub(crate) struct Circuit {
    pub(crate) id: String,
    pub(crate) upstream: UpstreamId,
    /// Where the session lands.
    pub(crate) site: SiteId,
    /// Our router.
    pub(crate) router: ServerId,
    /// What the inventory says it announces.
    pub(crate) announce: Vec<At<IpNetwork>>,
    /// The router config, relative to the inventory folder.
    pub(crate) config: Option<At<String>>,
    /// The upstream's session addresses (one session each).
    pub(crate) neighbor: Vec<At<IpAddr>>,
    /// Our addresses on the sessions.
    pub(crate) local_address: Vec<At<IpAddr>>,
    /// Where declared.
    pub(crate) loc: Loc,
}

/// Reachability between sites.
#[derive(Clone, Debug)]
pub(crate) struct Link {
    /// The sites joined.
    pub(crate) sites: Vec<SiteId>,
}

/// A route origin authorisation.
#[derive(Clone, Debug)]
pub(crate) struct Roa {
    /// The ROA prefix.
    pub(crate) prefix: IpNetwork,
    /// Longest authorised length.
    pub(crate) max_length: u8,
    /// Authorised origin.
    pub(crate) asn: u32,
    /// Unix time the ROA expires, when the export says.
    pub(crate) expires: Option<i64>,
}

/// The whole validated inventory. Objects whose references could not be resolved are kept
/// with what could be (see each field), or dropped when nothing useful remains.
#[derive(Clone, Debug, Default)]
pub struct Inventory {
    pub(crate) org: Org,
    pub(crate) sites: Vec<Site>,
    /// Racks.
    pub racks: Vec<Rack>,
    /// Power feeds.
    pub(crate) feeds: Vec<Feed>,
    /// Machines.
    pub servers: Vec<Server>,
    /// Services.
    pub services: Vec<Service>,
    pub(crate) prefixes: Vec<Prefix>,
    pub(crate) upstreams: Vec<Upstream>,
    pub(crate) circuits: Vec<Circuit>,
    pub(crate) links: Vec<Link>,
    pub(crate) roas: Vec<Roa>,
    /// Id lookups.
    pub index: Index,
    /// The tables that lost objects (written, but dropped for a finding): rules that need
    /// every object of such a table are not run, so one mistake gives one finding.
    pub(crate) lost: std::collections::BTreeSet<Table>,
}

impl Default for Org {
    fn default() -> Org {
        Org { asn: 0, min_upstreams: 2, loc: None }
    }
}

/// Id to index maps, per kind.
#[derive(Clone, Debug, Default)]
pub struct Index {
    /// Sites.
    pub sites: HashMap<String, SiteId>,
    /// Racks.
    pub racks: HashMap<String, RackId>,
    /// Servers.
    pub servers: HashMap<String, ServerId>,
    /// Services.
    pub services: HashMap<String, ServiceId>,
    /// Upstreams.
    pub upstreams: HashMap<String, UpstreamId>,
    /// Circuits.
    pub circuits: HashMap<String, CircuitId>,
    /// Feeds.
    pub feeds: HashMap<String, FeedId>,
}

impl Inventory {
    /// Whether `[org]` was read with its AS number: without it, BGP and RPKI findings would be
    /// consequences of AS0.
    pub(crate) fn has_org(&self) -> bool {
        self.org.loc.is_some()
    }

    /// Whether every object the BGP state depends on was read: the findings over a partial
    /// state would be consequences of what is missing.
    pub(crate) fn bgp_complete(&self) -> bool {
        self.has_org()
            && ![
                Table::Org,
                Table::Site,
                Table::Server,
                Table::Prefix,
                Table::Upstream,
                Table::Circuit,
                Table::Link,
            ]
            .iter()
            .any(|t| self.lost.contains(t))
    }

    /// A site.
    pub(crate) fn site(&self, id: SiteId) -> &Site {
        &self.sites[id.ix()]
    }

    /// A rack.
    pub(crate) fn rack(&self, id: RackId) -> &Rack {
        &self.racks[id.ix()]
    }

    /// A server.
    pub fn server(&self, id: ServerId) -> &Server {
        &self.servers[id.ix()]
    }

    /// A service.
    pub fn service(&self, id: ServiceId) -> &Service {
        &self.services[id.ix()]
    }

    /// All server ids.
    pub fn server_ids(&self) -> impl Iterator<Item = ServerId> + use<'_> {
        (0..self.servers.len()).map(ServerId::from_ix)
    }

    /// All service ids.
    pub(crate) fn service_ids(&self) -> impl Iterator<Item = ServiceId> + use<'_> {
        (0..self.services.len()).map(ServiceId::from_ix)
    }

    /// The physical machine a server stands on: itself, or a vm's host.
    pub fn physical(&self, id: ServerId) -> ServerId {
        self.server(id).host.unwrap_or(id)
    }
}
