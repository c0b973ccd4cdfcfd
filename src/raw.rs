//! The inventory tables as written in TOML, before any validation: strings and numbers with
//! their source spans. `resolve` turns them into the typed [`crate::model`].
//!
//! Fields that need semantic checks (ids, addresses, enums) stay strings here so one bad value
//! does not hide the rest of its object.

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

/// A string with its span.
pub type S = Spanned<String>;

/// `[org]`: who we are.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Org {
    /// Display name.
    #[schemars(with = "Option<String>")]
    pub name: Option<S>,
    /// Our own AS number.
    #[schemars(with = "u32")]
    pub asn: Spanned<u32>,
    /// How many distinct upstream ASNs must carry every in-use address (default 2).
    #[schemars(with = "Option<u32>")]
    pub min_upstreams: Option<Spanned<u32>>,
}

/// `[[site]]`: a datacenter.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Site {
    /// Id, `[a-z0-9][a-z0-9._-]*`, unique among sites.
    #[schemars(with = "String")]
    pub id: S,
    /// Display name.
    #[schemars(with = "Option<String>")]
    pub name: Option<S>,
}

/// `[[rack]]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rack {
    /// Id, unique among racks.
    #[schemars(with = "String")]
    pub id: S,
    /// The site it stands in.
    #[schemars(with = "String")]
    pub site: S,
    /// Rack units, numbered 1..units from the bottom (at most 1000).
    #[schemars(with = "i64")]
    pub units: Spanned<i64>,
    /// Power budget in watts: the machines mounted in it may draw at most this.
    #[schemars(with = "Option<i64>")]
    pub power_w: Option<Spanned<i64>>,
}

/// `[[server]]`: any machine.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Server {
    /// Id, unique among machines.
    #[schemars(with = "String")]
    pub id: S,
    /// `server` (default), `router`, `switch`, `storage` or `vm`.
    #[schemars(with = "Option<String>")]
    pub kind: Option<S>,
    /// The site (required for physical machines; a vm is where its host is).
    #[schemars(with = "Option<String>")]
    pub site: Option<S>,
    /// The rack it is mounted in (optional: unracked machines are placed at the destination too).
    #[schemars(with = "Option<String>")]
    pub rack: Option<S>,
    /// Lowest unit occupied (required with `rack`).
    #[schemars(with = "Option<i64>")]
    pub unit: Option<Spanned<i64>>,
    /// Height in rack units (default 1).
    #[schemars(with = "Option<i64>")]
    pub height: Option<Spanned<i64>>,
    /// Power draw in watts, counted against the rack's budget.
    #[schemars(with = "Option<i64>")]
    pub power_w: Option<Spanned<i64>>,
    /// The hypervisor, for vms only.
    #[schemars(with = "Option<String>")]
    pub host: Option<S>,
    /// IP addresses (IPv4 or IPv6, without prefix length), each inside our own [[prefix]] space.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub addresses: Vec<S>,
    /// Free-form tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Serial number, printed on move labels.
    pub serial: Option<String>,
    /// Asset tag, printed on move labels.
    pub asset_tag: Option<String>,
    /// Person-minutes to move this machine (its whole figure: the plan's per-unit amount is
    /// not added), instead of the plan's handling_minutes.
    #[schemars(with = "Option<u32>")]
    pub handling_minutes: Option<Spanned<i64>>,
}

/// `[[service]]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// Id, unique among services.
    #[schemars(with = "String")]
    pub id: S,
    /// Display name.
    pub name: Option<String>,
    /// Machines or vms that run it: its replicas.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub runs_on: Vec<S>,
    /// Replicas that must be up for the service to be up (default 1).
    #[schemars(with = "Option<i64>")]
    pub min_up: Option<Spanned<i64>>,
    /// Services it needs (powered on first, moved first under R4).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub depends_on: Vec<S>,
    /// `low`, `normal` (default) or `high`: weighs its downtime 1, 2 or 3.
    #[schemars(with = "Option<String>")]
    pub criticality: Option<S>,
    /// Command that verifies the service after a move (printed in the runbooks).
    pub check: Option<String>,
}

/// `[[prefix]]`: our own IP space.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Prefix {
    /// The network, e.g. `198.51.100.0/24` (no host bits).
    #[schemars(with = "String")]
    pub cidr: S,
    /// The site whose hosts use the subnet; none for aggregates.
    #[schemars(with = "Option<String>")]
    pub site: Option<S>,
    /// What it is for.
    pub description: Option<String>,
}

/// `[[upstream]]`: a transit provider.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Upstream {
    /// Id, unique among upstreams.
    #[schemars(with = "String")]
    pub id: S,
    /// Its AS number: distinct upstreams are counted by AS.
    #[schemars(with = "u32")]
    pub asn: Spanned<u32>,
    /// Display name.
    pub name: Option<String>,
}

/// `[[circuit]]`: a BGP session with an upstream.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Circuit {
    /// Id, unique among circuits.
    #[schemars(with = "String")]
    pub id: S,
    /// The upstream.
    #[schemars(with = "String")]
    pub upstream: S,
    /// The site where the session lands.
    #[schemars(with = "String")]
    pub site: S,
    /// Our router on this session (a server of kind `router`): the circuit is up when the router is up at `site`.
    #[schemars(with = "String")]
    pub router: S,
    /// Prefixes announced on this session, each inside our own space.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub announce: Vec<S>,
    /// The router's OpenBGPD bgpd.conf, relative to the inventory folder: when set, what it announces to this upstream's AS is what the checks use.
    #[schemars(with = "Option<String>")]
    pub config: Option<S>,
}

/// `[[link]]`: layer-3 reachability between sites.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// The sites joined (two or more): traffic landing at one reaches hosts at the others.
    #[schemars(with = "Vec<String>")]
    pub sites: Spanned<Vec<S>>,
    /// What it is (fibre, VPN...).
    pub description: Option<String>,
}

/// `[[roa]]`: a published route origin authorisation.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Roa {
    /// The ROA prefix.
    #[schemars(with = "String")]
    pub prefix: S,
    /// Longest prefix length it authorises (default: the prefix's own length).
    #[schemars(with = "Option<u8>")]
    pub max_length: Option<Spanned<u8>>,
    /// The authorised origin AS (announcements are valid when it is org.asn).
    #[schemars(with = "u32")]
    pub asn: Spanned<u32>,
}

/// Everything read from every file, in file order.
#[derive(Debug, Default)]
pub struct Inventory {
    /// `[org]` tables (more than one is a duplicate).
    pub org: Vec<(crate::diag::Loc, Org)>,
    /// Sites.
    pub sites: Vec<(crate::diag::Loc, Site)>,
    /// Racks.
    pub racks: Vec<(crate::diag::Loc, Rack)>,
    /// Machines.
    pub servers: Vec<(crate::diag::Loc, Server)>,
    /// Services.
    pub services: Vec<(crate::diag::Loc, Service)>,
    /// Prefixes.
    pub prefixes: Vec<(crate::diag::Loc, Prefix)>,
    /// Upstreams.
    pub upstreams: Vec<(crate::diag::Loc, Upstream)>,
    /// Circuits.
    pub circuits: Vec<(crate::diag::Loc, Circuit)>,
    /// Links.
    pub links: Vec<(crate::diag::Loc, Link)>,
    /// ROAs.
    pub roas: Vec<(crate::diag::Loc, Roa)>,
}

impl Inventory {
    /// Appends another file's tables after this one's.
    pub fn append(&mut self, mut other: Inventory) {
        self.org.append(&mut other.org);
        self.sites.append(&mut other.sites);
        self.racks.append(&mut other.racks);
        self.servers.append(&mut other.servers);
        self.services.append(&mut other.services);
        self.prefixes.append(&mut other.prefixes);
        self.upstreams.append(&mut other.upstreams);
        self.circuits.append(&mut other.circuits);
        self.links.append(&mut other.links);
        self.roas.append(&mut other.roas);
    }
}

/// One inventory file, for the JSON Schema: any of the tables, each optional. (Loading reads
/// the tables one by one instead, so that one bad object does not hide the others.)
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, title = "dcplan inventory file")]
pub struct InventoryFile {
    /// Who we are.
    pub org: Option<Org>,
    /// Datacenters.
    pub site: Option<Vec<Site>>,
    /// Racks.
    pub rack: Option<Vec<Rack>>,
    /// Machines: physical servers, routers, switches, storage, vms.
    pub server: Option<Vec<Server>>,
    /// Services and the machines that run them.
    pub service: Option<Vec<Service>>,
    /// Our own IP space.
    pub prefix: Option<Vec<Prefix>>,
    /// Transit providers.
    pub upstream: Option<Vec<Upstream>>,
    /// BGP sessions with upstreams.
    pub circuit: Option<Vec<Circuit>>,
    /// Layer-3 reachability between sites.
    pub link: Option<Vec<Link>>,
    /// Published ROAs.
    pub roa: Option<Vec<Roa>>,
}

/// The JSON Schema of inventory files.
pub fn schema() -> schemars::Schema {
    schemars::schema_for!(InventoryFile)
}

/// The top-level keys an inventory file may have.
pub const TABLES: &[&str] =
    &["org", "site", "rack", "server", "service", "prefix", "upstream", "circuit", "link", "roa"];
