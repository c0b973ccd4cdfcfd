//! The inventory tables as written in TOML, before any validation: strings and numbers with
//! their source spans. `resolve` turns them into the typed [`crate::model`].
//!
//! Fields that need semantic checks (ids, addresses, enums) stay strings here so one bad value
//! does not hide the rest of its object.

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

/// A string with its span.
pub(crate) type S = Spanned<String>;

/// A number of rack units as written: an integer, or a decimal for half units (`1.5`). It is
/// checked to be a multiple of 0.5 when resolved, and kept as half units from then on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Units {
    /// An integer.
    Whole(i64),
    /// A decimal.
    Decimal(f64),
}

impl<'de> Deserialize<'de> for Units {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Units, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Units;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a number of rack units (a multiple of 0.5)")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Units, E> {
                Ok(Units::Whole(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Units, E> {
                Ok(Units::Whole(i64::try_from(v).unwrap_or(i64::MAX)))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Units, E> {
                Ok(Units::Decimal(v))
            }
        }
        d.deserialize_any(V)
    }
}

impl std::fmt::Display for Units {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Units::Whole(n) => write!(f, "{n}"),
            Units::Decimal(x) => write!(f, "{x}"),
        }
    }
}

/// `[org]`: who we are.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Org {
    /// Display name.
    #[schemars(with = "Option<String>")]
    #[expect(dead_code, reason = "written for people reading the inventory; no rule reads it")]
    pub(crate) name: Option<S>,
    /// Our own AS number.
    #[schemars(with = "u32")]
    pub(crate) asn: Spanned<u32>,
    /// How many distinct upstream ASNs must carry every in-use address (default 2).
    #[schemars(with = "Option<u32>")]
    pub(crate) min_upstreams: Option<Spanned<u32>>,
}

/// `[[site]]`: a datacenter.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Site {
    /// Id, `[a-z0-9][a-z0-9._-]*`, unique among sites.
    #[schemars(with = "String")]
    pub(crate) id: S,
    /// Display name.
    #[schemars(with = "Option<String>")]
    pub(crate) name: Option<S>,
}

/// `[[rack]]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Rack {
    /// Id, unique among racks.
    #[schemars(with = "String")]
    pub(crate) id: S,
    /// The site it stands in.
    #[schemars(with = "String")]
    pub(crate) site: S,
    /// Rack units, numbered from `starting_unit` at the bottom (at most 1000).
    #[schemars(with = "i64")]
    pub(crate) units: Spanned<i64>,
    /// The number of the first unit (default 1), as NetBox's `starting_unit`.
    #[schemars(with = "Option<i64>")]
    pub(crate) starting_unit: Option<Spanned<i64>>,
    /// Units numbered from the top down (default false), as NetBox's `desc_units`: a machine's
    /// `unit` is then its top.
    #[schemars(with = "Option<bool>")]
    pub(crate) desc_units: Option<Spanned<bool>>,
    /// Power budget in watts: the machines mounted in it may draw at most this (racks with
    /// `[[feed]]` entries are budgeted by their feeds instead).
    #[schemars(with = "Option<i64>")]
    pub(crate) power_w: Option<Spanned<i64>>,
    /// What the rack (and the floor under it) may carry, in kg.
    #[schemars(with = "Option<f64>")]
    pub(crate) max_weight_kg: Option<Spanned<f64>>,
}

/// `[[server]]`: any machine.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Server {
    /// Id, unique among machines.
    #[schemars(with = "String")]
    pub(crate) id: S,
    /// `server` (default), `router`, `switch`, `storage` or `vm`.
    #[schemars(with = "Option<String>")]
    pub(crate) kind: Option<S>,
    /// The site (required for physical machines; a vm is where its host is).
    #[schemars(with = "Option<String>")]
    pub(crate) site: Option<S>,
    /// The rack it is mounted in (optional: unracked machines are placed at the destination too).
    #[schemars(with = "Option<String>")]
    pub(crate) rack: Option<S>,
    /// Lowest-numbered unit occupied, as the rack numbers them (required with `rack`, except
    /// for 0U machines); a multiple of 0.5.
    #[schemars(with = "Option<f64>")]
    pub(crate) unit: Option<Spanned<Units>>,
    /// Height in rack units (default 1), a multiple of 0.5; 0 for a machine that takes no unit
    /// (a PDU on the side of the rack).
    #[schemars(with = "Option<f64>")]
    pub(crate) height: Option<Spanned<Units>>,
    /// Power draw in watts, counted against the rack's budget.
    #[schemars(with = "Option<i64>")]
    pub(crate) power_w: Option<Spanned<i64>>,
    /// The hypervisor, for vms only.
    #[schemars(with = "Option<String>")]
    pub(crate) host: Option<S>,
    /// IP addresses (IPv4 or IPv6, without prefix length), each inside our own `[[prefix]]` space.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub(crate) addresses: Vec<S>,
    /// Free-form tags.
    #[serde(default)]
    #[expect(dead_code, reason = "written for people reading the inventory; no rule reads it")]
    pub(crate) tags: Vec<String>,
    /// Serial number, printed on move labels.
    pub(crate) serial: Option<String>,
    /// Asset tag, printed on move labels.
    pub(crate) asset_tag: Option<String>,
    /// The device type, `manufacturer/model` as named by the NetBox device-type library's
    /// folder and file (`dell/poweredge-r640`): with `--device-types`, what is not written of
    /// height, power_w, psus and weight_kg comes from the type.
    #[schemars(with = "Option<String>")]
    pub(crate) model: Option<S>,
    /// Power supplies (default 1): with two or more, the draw is shared by the rack's A and B
    /// feeds, and the machine survives the loss of either.
    #[schemars(with = "Option<i64>")]
    pub(crate) psus: Option<Spanned<i64>>,
    /// Single-PSU machines: the feed side it is plugged into, `a` (default) or `b`.
    #[schemars(with = "Option<String>")]
    pub(crate) feed_side: Option<S>,
    /// Weight in kg, counted against the rack's max_weight_kg (and the plan's max_weight_kg).
    #[schemars(with = "Option<f64>")]
    pub(crate) weight_kg: Option<Spanned<f64>>,
    /// Person-minutes to move this machine (its whole figure: the plan's per-unit amount is
    /// not added), instead of the plan's handling_minutes.
    #[schemars(with = "Option<u32>")]
    pub(crate) handling_minutes: Option<Spanned<i64>>,
}

/// `[[service]]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Service {
    /// Id, unique among services.
    #[schemars(with = "String")]
    pub(crate) id: S,
    /// Display name.
    pub(crate) name: Option<String>,
    /// Machines or vms that run it: its replicas.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub(crate) runs_on: Vec<S>,
    /// Replicas that must be up for the service to be up (default 1).
    #[schemars(with = "Option<i64>")]
    pub(crate) min_up: Option<Spanned<i64>>,
    /// Services it needs (powered on first, moved first under R4).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub(crate) depends_on: Vec<S>,
    /// `low`, `normal` (default) or `high`: weighs its downtime 1, 2 or 3.
    #[schemars(with = "Option<String>")]
    pub(crate) criticality: Option<S>,
    /// Command that verifies the service after a move (printed in the runbooks).
    pub(crate) check: Option<String>,
}

/// `[[prefix]]`: our own IP space.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Prefix {
    /// The network, e.g. `198.51.100.0/24` (no host bits).
    #[schemars(with = "String")]
    pub(crate) cidr: S,
    /// The site whose hosts use the subnet; none for aggregates.
    #[schemars(with = "Option<String>")]
    pub(crate) site: Option<S>,
    /// Instead of `site`: the sites of a subnet stretched over several (during a move, while
    /// machines keep their addresses at the new site).
    #[schemars(with = "Option<Vec<String>>")]
    pub(crate) sites: Option<Spanned<Vec<S>>>,
    /// What it is for.
    pub(crate) description: Option<String>,
}

/// `[[feed]]`: a power feed into a rack, on its A or B side.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Feed {
    /// Id, unique among feeds.
    #[schemars(with = "String")]
    pub(crate) id: S,
    /// The rack it feeds.
    #[schemars(with = "String")]
    pub(crate) rack: S,
    /// `a` or `b`: the redundancy side.
    #[schemars(with = "String")]
    pub(crate) side: S,
    /// Voltage (line to line for three-phase).
    #[schemars(with = "f64")]
    pub(crate) volts: Spanned<f64>,
    /// The breaker's rating, in amperes.
    #[schemars(with = "f64")]
    pub(crate) amps: Spanned<f64>,
    /// `single` (default) or `three`: three-phase feeds carry sqrt(3) times more.
    #[schemars(with = "Option<String>")]
    pub(crate) phase: Option<S>,
    /// Percent of the breaker the feed may carry (default 80).
    #[schemars(with = "Option<f64>")]
    pub(crate) max_utilization: Option<Spanned<f64>>,
}

/// `[[upstream]]`: a transit provider.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Upstream {
    /// Id, unique among upstreams.
    #[schemars(with = "String")]
    pub(crate) id: S,
    /// Its AS number: distinct upstreams are counted by AS.
    #[schemars(with = "u32")]
    pub(crate) asn: Spanned<u32>,
    /// Display name.
    #[expect(dead_code, reason = "written for people reading the inventory; no rule reads it")]
    pub(crate) name: Option<String>,
}

/// `[[circuit]]`: a BGP session with an upstream.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Circuit {
    /// Id, unique among circuits.
    #[schemars(with = "String")]
    pub(crate) id: S,
    /// The upstream.
    #[schemars(with = "String")]
    pub(crate) upstream: S,
    /// The site where the session lands.
    #[schemars(with = "String")]
    pub(crate) site: S,
    /// Our router on this session (a server of kind `router`): the circuit is up when the router is up at `site`.
    #[schemars(with = "String")]
    pub(crate) router: S,
    /// Prefixes announced on this session, each inside our own space.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub(crate) announce: Vec<S>,
    /// The router's OpenBGPD bgpd.conf, relative to the inventory folder: when set, what it announces to this upstream's AS is what the checks use.
    #[schemars(with = "Option<String>")]
    pub(crate) config: Option<S>,
    /// The upstream's address on the session, or a list: one BGP session per address, each carrying its address's family (used by `dcplan bgp render` and `dcplan bgp verify`).
    #[schemars(with = "Option<OneOrMany>")]
    pub(crate) neighbor: Option<Spanned<OneOrMany>>,
    /// Our own address on the session(s), one per family at most (`local-address` in the rendered config).
    #[schemars(with = "Option<OneOrMany>")]
    pub(crate) local_address: Option<Spanned<OneOrMany>>,
}

/// One string or a list of strings.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub(crate) enum OneOrMany {
    /// One.
    One(String),
    /// A list.
    Many(Vec<String>),
}

impl OneOrMany {
    /// The strings.
    pub(crate) fn items(&self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

/// `[[link]]`: layer-3 reachability between sites.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Link {
    /// The sites joined (two or more): traffic landing at one reaches hosts at the others.
    #[schemars(with = "Vec<String>")]
    pub(crate) sites: Spanned<Vec<S>>,
    /// What it is (fibre, VPN...).
    #[expect(dead_code, reason = "written for people reading the inventory; no rule reads it")]
    pub(crate) description: Option<String>,
}

/// `[[roa]]`: a published route origin authorisation.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Roa {
    /// The ROA prefix.
    #[schemars(with = "String")]
    pub(crate) prefix: S,
    /// Longest prefix length it authorises (default: the prefix's own length).
    #[schemars(with = "Option<u8>")]
    pub(crate) max_length: Option<Spanned<u8>>,
    /// The authorised origin AS (announcements are valid when it is org.asn).
    #[schemars(with = "u32")]
    pub(crate) asn: Spanned<u32>,
}

/// Declares the inventory tables once: the [`Table`] enum (key names), the merged
/// [`Inventory`] and the per-file [`InventoryFile`] of the JSON Schema. `one` is a single
/// `[key]` table, `many` an array `[[key]]`.
macro_rules! tables {
    ($( $(#[$doc:meta])* $variant:ident = $key:literal, $field:ident: $ty:ident, $arity:ident; )*) => {
        /// An inventory table, by its top-level key.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub(crate) enum Table { $( $variant, )* }

        impl Table {
            /// Every table, in the order the documentation lists them.
            pub(crate) const ALL: &'static [Table] = &[ $( Table::$variant, )* ];

            /// The top-level key (`server`), also the kind name in findings.
            pub(crate) fn key(self) -> &'static str {
                match self { $( Table::$variant => $key, )* }
            }

            /// The table of a top-level key.
            pub(crate) fn from_key(key: &str) -> Option<Table> {
                match key { $( $key => Some(Table::$variant), )* _ => None }
            }

            /// True for an array of tables (`[[site]]`), false for one table (`[org]`).
            pub(crate) fn is_array(self) -> bool {
                match self { $( Table::$variant => tables!(@array $arity), )* }
            }
        }

        /// Everything read from every file, in file order, with each object's location.
        #[derive(Debug, Default)]
        pub struct Inventory {
            $( pub(crate) $field: Vec<(crate::diag::Loc, $ty)>, )*
            /// Objects that were written but could not be read.
            pub(crate) failed: Vec<Failed>,
            /// Whether a file did not parse (what it declared is only partly known).
            pub(crate) unparsed: bool,
        }

        impl Inventory {
            /// Appends another file's tables after this one's.
            pub(crate) fn append(&mut self, mut other: Inventory) {
                $( self.$field.append(&mut other.$field); )*
                self.failed.append(&mut other.failed);
                self.unparsed |= other.unparsed;
            }

            /// Deserializes one top-level value of a file into its table.
            pub(crate) fn read(
                &mut self,
                table: Table,
                ctx: &mut crate::load::FileCtx<'_>,
                value: toml::Spanned<toml::de::DeValue<'_>>,
            ) {
                match table { $( Table::$variant => ctx.table(table, value, &mut self.$field), )* }
            }
        }

        /// One inventory file, for the JSON Schema: any of the tables, each optional. (Loading reads
        /// the tables one by one instead, so that one bad object does not hide the others.)
        #[derive(JsonSchema)]
        #[schemars(deny_unknown_fields, title = "dcplan inventory file")]
        #[expect(dead_code, reason = "only its JSON Schema is used")]
        pub(crate) struct InventoryFile {
            $( $(#[$doc])* #[schemars(rename = $key)] $field: tables!(@file $arity $ty), )*
        }
    };
    (@array one) => { false };
    (@array many) => { true };
    (@file one $ty:ident) => { Option<$ty> };
    (@file many $ty:ident) => { Option<Vec<$ty>> };
}

tables! {
    /// Who we are.
    Org = "org", org: Org, one;
    /// Datacenters.
    Site = "site", sites: Site, many;
    /// Racks.
    Rack = "rack", racks: Rack, many;
    /// Power feeds into racks (A and B sides).
    Feed = "feed", feeds: Feed, many;
    /// Machines: physical servers, routers, switches, storage, vms.
    Server = "server", servers: Server, many;
    /// Services and the machines that run them.
    Service = "service", services: Service, many;
    /// Our own IP space.
    Prefix = "prefix", prefixes: Prefix, many;
    /// Transit providers.
    Upstream = "upstream", upstreams: Upstream, many;
    /// BGP sessions with upstreams.
    Circuit = "circuit", circuits: Circuit, many;
    /// Layer-3 reachability between sites.
    Link = "link", links: Link, many;
    /// Published ROAs.
    Roa = "roa", roas: Roa, many;
}

/// An object that was written but could not be read (a value of the wrong type, or a file that
/// did not parse): it exists for the user, so references to it are not "unknown", and findings
/// that need it are not computed without it.
#[derive(Debug)]
pub(crate) struct Failed {
    /// Its table.
    pub(crate) table: Table,
    /// Its id, when one could be read.
    pub(crate) id: Option<String>,
}

/// The JSON Schema of inventory files.
/// Only the test that keeps the shipped `schema/` current needs it.
#[cfg(test)]
pub(crate) fn schema() -> schemars::Schema {
    schemars::schema_for!(InventoryFile)
}
