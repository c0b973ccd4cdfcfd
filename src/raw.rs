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
    /// Id.
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
    /// Id.
    #[schemars(with = "String")]
    pub id: S,
    /// Site id.
    #[schemars(with = "String")]
    pub site: S,
    /// Rack units, numbered 1..units from the bottom.
    #[schemars(with = "i64")]
    pub units: Spanned<i64>,
    /// Power budget in watts.
    #[schemars(with = "Option<i64>")]
    pub power_w: Option<Spanned<i64>>,
}

/// `[[server]]`: any machine.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Server {
    /// Id.
    #[schemars(with = "String")]
    pub id: S,
    /// server | router | switch | storage | vm.
    #[schemars(with = "Option<String>")]
    pub kind: Option<S>,
    /// Site id (not for vms).
    #[schemars(with = "Option<String>")]
    pub site: Option<S>,
    /// Rack id.
    #[schemars(with = "Option<String>")]
    pub rack: Option<S>,
    /// Lowest unit occupied.
    #[schemars(with = "Option<i64>")]
    pub unit: Option<Spanned<i64>>,
    /// Height in units (default 1).
    #[schemars(with = "Option<i64>")]
    pub height: Option<Spanned<i64>>,
    /// Power draw in watts.
    #[schemars(with = "Option<i64>")]
    pub power_w: Option<Spanned<i64>>,
    /// Hypervisor (vms only).
    #[schemars(with = "Option<String>")]
    pub host: Option<S>,
    /// IP addresses.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub addresses: Vec<S>,
    /// Free-form tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Serial number.
    pub serial: Option<String>,
    /// Asset tag.
    pub asset_tag: Option<String>,
}

/// `[[service]]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// Id.
    #[schemars(with = "String")]
    pub id: S,
    /// Display name.
    pub name: Option<String>,
    /// Servers or vms that run it.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub runs_on: Vec<S>,
    /// Replicas that must be up (default 1).
    #[schemars(with = "Option<i64>")]
    pub min_up: Option<Spanned<i64>>,
    /// Other services it needs.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub depends_on: Vec<S>,
    /// low | normal | high.
    #[schemars(with = "Option<String>")]
    pub criticality: Option<S>,
    /// Command that verifies the service after a move.
    pub check: Option<String>,
}

/// `[[prefix]]`: our own IP space.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Prefix {
    /// The network.
    #[schemars(with = "String")]
    pub cidr: S,
    /// The site whose hosts use the subnet (none for aggregates).
    #[schemars(with = "Option<String>")]
    pub site: Option<S>,
    /// What it is for.
    pub description: Option<String>,
}

/// `[[upstream]]`: a transit provider.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Upstream {
    /// Id.
    #[schemars(with = "String")]
    pub id: S,
    /// Its AS number.
    #[schemars(with = "u32")]
    pub asn: Spanned<u32>,
    /// Display name.
    pub name: Option<String>,
}

/// `[[circuit]]`: a BGP session with an upstream.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Circuit {
    /// Id.
    #[schemars(with = "String")]
    pub id: S,
    /// Upstream id.
    #[schemars(with = "String")]
    pub upstream: S,
    /// Site id.
    #[schemars(with = "String")]
    pub site: S,
    /// Router (a server of kind router).
    #[schemars(with = "String")]
    pub router: S,
    /// Prefixes announced on this session.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub announce: Vec<S>,
    /// The router's bgpd.conf, relative to the inventory folder.
    #[schemars(with = "Option<String>")]
    pub config: Option<S>,
}

/// `[[link]]`: layer-3 reachability between sites.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// The sites joined (two or more).
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
    /// The authorised origin AS.
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
