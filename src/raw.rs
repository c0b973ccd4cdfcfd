//! The inventory tables as written in TOML, before any validation: strings and numbers with
//! their source spans. `resolve` turns them into the typed [`crate::model`].
//!
//! Fields that need semantic checks (ids, addresses, enums) stay strings here so one bad value
//! does not hide the rest of its object.

use serde::Deserialize;
use toml::Spanned;

/// A string with its span.
pub type S = Spanned<String>;

/// `[org]`: who we are.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Org {
    /// Display name.
    pub name: Option<S>,
    /// Our own AS number.
    pub asn: Spanned<u32>,
    /// How many distinct upstream ASNs must carry every in-use address (default 2).
    pub min_upstreams: Option<Spanned<u32>>,
}

/// `[[site]]`: a datacenter.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    /// Id.
    pub id: S,
    /// Display name.
    pub name: Option<S>,
}

/// `[[rack]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rack {
    /// Id.
    pub id: S,
    /// Site id.
    pub site: S,
    /// Rack units, numbered 1..units from the bottom.
    pub units: Spanned<i64>,
    /// Power budget in watts.
    pub power_w: Option<Spanned<i64>>,
}

/// `[[server]]`: any machine.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Server {
    /// Id.
    pub id: S,
    /// server | router | switch | storage | vm.
    pub kind: Option<S>,
    /// Site id (not for vms).
    pub site: Option<S>,
    /// Rack id.
    pub rack: Option<S>,
    /// Lowest unit occupied.
    pub unit: Option<Spanned<i64>>,
    /// Height in units (default 1).
    pub height: Option<Spanned<i64>>,
    /// Power draw in watts.
    pub power_w: Option<Spanned<i64>>,
    /// Hypervisor (vms only).
    pub host: Option<S>,
    /// IP addresses.
    #[serde(default)]
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
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// Id.
    pub id: S,
    /// Display name.
    pub name: Option<String>,
    /// Servers or vms that run it.
    #[serde(default)]
    pub runs_on: Vec<S>,
    /// Replicas that must be up (default 1).
    pub min_up: Option<Spanned<i64>>,
    /// Other services it needs.
    #[serde(default)]
    pub depends_on: Vec<S>,
    /// low | normal | high.
    pub criticality: Option<S>,
    /// Command that verifies the service after a move.
    pub check: Option<String>,
}

/// `[[prefix]]`: our own IP space.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prefix {
    /// The network.
    pub cidr: S,
    /// The site whose hosts use the subnet (none for aggregates).
    pub site: Option<S>,
    /// What it is for.
    pub description: Option<String>,
}

/// `[[upstream]]`: a transit provider.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Upstream {
    /// Id.
    pub id: S,
    /// Its AS number.
    pub asn: Spanned<u32>,
    /// Display name.
    pub name: Option<String>,
}

/// `[[circuit]]`: a BGP session with an upstream.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Circuit {
    /// Id.
    pub id: S,
    /// Upstream id.
    pub upstream: S,
    /// Site id.
    pub site: S,
    /// Router (a server of kind router).
    pub router: S,
    /// Prefixes announced on this session.
    #[serde(default)]
    pub announce: Vec<S>,
    /// The router's bgpd.conf, relative to the inventory folder.
    pub config: Option<S>,
}

/// `[[link]]`: layer-3 reachability between sites.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// The sites joined (two or more).
    pub sites: Spanned<Vec<S>>,
    /// What it is (fibre, VPN...).
    pub description: Option<String>,
}

/// `[[roa]]`: a published route origin authorisation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Roa {
    /// The ROA prefix.
    pub prefix: S,
    /// Longest prefix length it authorises (default: the prefix's own length).
    pub max_length: Option<Spanned<u8>>,
    /// The authorised origin AS.
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

/// The top-level keys an inventory file may have.
pub const TABLES: &[&str] =
    &["org", "site", "rack", "server", "service", "prefix", "upstream", "circuit", "link", "roa"];
