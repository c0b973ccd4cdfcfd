//! Raw tables to the validated [`Inventory`]: ids checked and interned, references resolved,
//! values parsed. Reports invalid-value, duplicate-id, unknown-reference and vm-host (the parts
//! that need references); the other rules run over the model in [`crate::check`].
//!
//! One file per family of tables: [`servers`] (machines, vms and their hosts), [`services`],
//! [`network`] (prefixes, upstreams, circuits, links, ROAs); sites, racks and `[org]` here.

mod network;
mod power;
mod servers;
mod services;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::net::IpAddr;

use ipnetwork::IpNetwork;
use toml::Spanned;

use crate::diag::{Code, Finding, Loc, text};
use crate::model::*;
use crate::raw::{self, Table};
use crate::source::Sources;

/// Builds the model from what was loaded, appending findings.
pub fn resolve(raw: raw::Inventory, sources: &Sources, findings: &mut Vec<Finding>) -> Inventory {
    let mut r = Resolver { findings, sources, declared: HashMap::default() };
    let mut inv = Inventory::default();
    for f in &raw.failed {
        inv.lost.insert(f.table);
        if let Some(id) = &f.id {
            r.declared.entry(f.table).or_default().insert(id.clone());
        }
    }
    // An `[org]` that did not load, or may be in a file that did not parse, is not missing.
    let org_failed = inv.lost.contains(&Table::Org) || raw.unparsed;
    r.org(raw.org, org_failed, &mut inv);
    r.sites(raw.sites, &mut inv);
    r.racks(raw.racks, &mut inv);
    r.feeds(raw.feeds, &mut inv);
    r.servers(raw.servers, &mut inv);
    r.services(raw.services, &mut inv);
    r.prefixes(raw.prefixes, &mut inv);
    r.upstreams(raw.upstreams, &mut inv);
    r.circuits(raw.circuits, &mut inv);
    r.links(raw.links, &mut inv);
    r.roas(raw.roas, &mut inv);
    inv
}

/// Whether `id` is a valid id: `[a-z0-9][a-z0-9._-]*`.
pub(crate) fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
}

/// Parses a CIDR, refusing host bits (`10.0.0.1/24`).
pub(crate) fn parse_cidr(s: &str) -> Result<IpNetwork, String> {
    let net: IpNetwork = s.parse().map_err(|e| format!("`{s}` is not a CIDR prefix: {e}"))?;
    if !s.contains('/') {
        return Err(format!("`{s}` has no prefix length (write `{s}/{}`)", net.prefix()));
    }
    if net.network() != net.ip() {
        return Err(format!("`{s}` has host bits set (the network is `{}/{}`)", net.network(), net.prefix()));
    }
    Ok(net)
}

fn loc_of<T>(file_loc: Loc, s: &Spanned<T>) -> Loc {
    Loc::new(file_loc.file, s.span())
}

/// What a reference names.
enum Ref<I> {
    /// A loaded object.
    Found(I),
    /// An object that is written but was not loaded (it has its own finding).
    Invalid,
    /// Nothing of that kind and id (reported).
    Unknown,
}

impl<I> Ref<I> {
    fn found(self) -> Option<I> {
        match self {
            Ref::Found(i) => Some(i),
            Ref::Invalid | Ref::Unknown => None,
        }
    }
}

/// The object a reference is written in: its table and id, for messages and `object`.
#[derive(Clone, Copy)]
struct Owner<'a>(Table, &'a str);

struct Resolver<'a> {
    findings: &'a mut Vec<Finding>,
    sources: &'a Sources,
    /// Every syntactically valid id declared, per kind, even if its object was then dropped:
    /// a reference to it is not reported again.
    declared: HashMap<Table, HashSet<String>>,
}

impl Resolver<'_> {
    fn push(&mut self, f: Finding) {
        self.findings.push(f);
    }

    fn invalid(&mut self, loc: Loc, owner: Owner<'_>, message: impl Into<String>) {
        self.push(Finding::new(Code::InvalidValue, loc, message).object(owner.0.key(), owner.1));
    }

    /// Checks an id's syntax and uniqueness; registers it. Returns false if the object must be
    /// dropped.
    fn declare<I: Object>(
        &mut self,
        id: &Spanned<String>,
        table: Loc,
        inv: &mut Inventory,
        locs: &mut HashMap<String, Loc>,
        next: I,
    ) -> bool {
        let kind = I::TABLE.key();
        let loc = loc_of(table, id);
        let name = id.get_ref();
        if !valid_id(name) {
            self.invalid(
                loc,
                Owner(I::TABLE, name),
                format!("invalid {kind} id `{name}`: ids are [a-z0-9][a-z0-9._-]*"),
            );
            return false;
        }
        self.declared.entry(I::TABLE).or_default().insert(name.clone());
        if let Some(first) = locs.get(name) {
            let first = *first;
            let line = self.sources.line_col(first).line;
            self.push(
                Finding::new(Code::DuplicateId, loc, format!("duplicate {kind} id `{name}`"))
                    .object(kind, name)
                    .related(first, format!("first defined here (line {line})"))
                    .hint(format!("{kind} ids are unique across all inventory files")),
            );
            return false;
        }
        locs.insert(name.clone(), loc);
        I::index_mut(&mut inv.index).insert(name.clone(), next);
        true
    }

    /// Resolves a reference to an object of kind `I` (the kind named in the message is `I`'s);
    /// reports unknown-reference (with a suggestion) unless the target was declared but dropped
    /// for another finding.
    fn reference<I: Object>(
        &mut self,
        table: Loc,
        owner: Owner<'_>,
        field: &str,
        r: &Spanned<String>,
        index: &Index,
    ) -> Option<I> {
        self.lookup(table, owner, field, r, index).found()
    }

    /// [`Resolver::reference`], telling an invalid target from an unknown one.
    fn lookup<I: Object>(
        &mut self,
        table: Loc,
        owner: Owner<'_>,
        field: &str,
        r: &Spanned<String>,
        index: &Index,
    ) -> Ref<I> {
        let name = r.get_ref();
        let known = I::index(index);
        if let Some(i) = known.get(name) {
            return Ref::Found(*i);
        }
        if self.declared.get(&I::TABLE).is_some_and(|d| d.contains(name)) {
            return Ref::Invalid;
        }
        let mut candidates: Vec<&str> = known.keys().map(String::as_str).collect();
        candidates.sort_unstable();
        let hint = text::did_you_mean(name, candidates);
        let (kind, id) = (owner.0.key(), owner.1);
        self.push(
            Finding::new(
                Code::UnknownReference,
                loc_of(table, r),
                format!("{kind} `{id}`: {field} `{name}` is not a known {}", I::TABLE.key()),
            )
            .object(kind, id)
            .maybe_hint(hint),
        );
        Ref::Unknown
    }

    /// `[org]`: exactly one. `failed`: one was written but not read (it has its finding).
    fn org(&mut self, orgs: Vec<(Loc, raw::Org)>, failed: bool, inv: &mut Inventory) {
        if orgs.is_empty() && !failed {
            self.push(
                Finding::unplaced(
                    Code::InvalidValue,
                    "the inventory has no [org]: its `asn` (our AS number) is what every BGP and RPKI check needs",
                )
                .object("org", "org")
                .hint("add a file with `[org]`, `name = \"...\"` and `asn = <our AS number>`"),
            );
        }
        let mut first: Option<Loc> = None;
        for (loc, o) in orgs {
            if let Some(f) = first {
                self.push(
                    Finding::new(Code::DuplicateId, loc, "[org] is defined more than once")
                        .related(f, "first defined here"),
                );
                continue;
            }
            first = Some(loc);
            let min_up = o.min_upstreams.as_ref().map_or(2, |m| *m.get_ref());
            if min_up == 0 {
                let at = o.min_upstreams.as_ref().map_or(loc, |m| loc_of(loc, m));
                self.push(Finding::new(Code::InvalidValue, at, "org.min_upstreams must be at least 1"));
            }
            inv.org = Org { asn: *o.asn.get_ref(), min_upstreams: min_up.max(1), loc: Some(loc) };
        }
    }

    fn sites(&mut self, sites: Vec<(Loc, raw::Site)>, inv: &mut Inventory) {
        let mut locs = HashMap::default();
        for (loc, s) in sites {
            let next = SiteId::from_ix(inv.sites.len());
            if self.declare(&s.id, loc, inv, &mut locs, next) {
                let id = s.id.into_inner();
                let name = s.name.map_or_else(|| id.clone(), Spanned::into_inner);
                inv.sites.push(Site { id, name });
            }
        }
    }

    fn racks(&mut self, racks: Vec<(Loc, raw::Rack)>, inv: &mut Inventory) {
        let mut locs = HashMap::default();
        for (loc, r) in racks {
            let next = RackId::from_ix(inv.racks.len());
            let id = r.id.get_ref().clone();
            let owner = Owner(Table::Rack, &id);
            // Register first so servers in a rack with a bad site are not reported twice.
            if !self.declare(&r.id, loc, inv, &mut locs, next) {
                continue;
            }
            let site = self.reference::<SiteId>(loc, owner, "site", &r.site, &inv.index);
            let units = *r.units.get_ref();
            let units = match u32::try_from(units) {
                Ok(u) if (1..=MAX_UNITS).contains(&u) => u,
                _ => {
                    self.invalid(
                        loc_of(loc, &r.units),
                        owner,
                        format!("rack units must be between 1 and {MAX_UNITS}, found {units}"),
                    );
                    0
                }
            };
            let first = match r.starting_unit.as_ref().map(|f| (f, u32::try_from(*f.get_ref()))) {
                None => 1,
                Some((_, Ok(f))) if (1..=MAX_UNITS).contains(&f) => f,
                Some((f, _)) => {
                    let message =
                        format!("starting_unit must be between 1 and {MAX_UNITS}, found {}", f.get_ref());
                    self.invalid(loc_of(loc, f), owner, message);
                    1
                }
            };
            let top_down = r.desc_units.as_ref().is_some_and(|d| *d.get_ref());
            let numbering = Numbering { units, first, top_down };
            let power_w = self.watts(loc, owner, r.power_w.as_ref());
            let max_weight_kg =
                r.max_weight_kg.as_ref().and_then(|w| self.weight(loc, owner, "max_weight_kg", w));
            match site {
                Some(site) if units >= 1 => {
                    inv.racks.push(Rack { id, site, units, numbering, power_w, max_weight_kg, loc });
                }
                _ => {
                    inv.index.racks.remove(&id);
                    inv.lost.insert(Table::Rack);
                }
            }
        }
    }

    fn watts(&mut self, table: Loc, owner: Owner<'_>, w: Option<&Spanned<i64>>) -> Option<u32> {
        let w = w?;
        match u32::try_from(*w.get_ref()) {
            Ok(v) => Some(v),
            Err(_) => {
                self.invalid(loc_of(table, w), owner, format!("power_w must be between 0 and {}", u32::MAX));
                None
            }
        }
    }

    /// A unit or height in half units: a multiple of 0.5 from `min` to `max` (half units).
    fn half_units(
        &mut self,
        table: Loc,
        owner: Owner<'_>,
        field: &str,
        v: &Spanned<raw::Units>,
        (min, max): (HalfU, HalfU),
    ) -> Option<HalfU> {
        let halves = match *v.get_ref() {
            raw::Units::Whole(n) => n.checked_mul(2).and_then(|h| u32::try_from(h).ok()).map(HalfU),
            raw::Units::Decimal(x) => HalfU::from_decimal(x, max),
        };
        match halves {
            Some(h) if (min..=max).contains(&h) => Some(h),
            _ => {
                self.invalid(
                    loc_of(table, v),
                    owner,
                    format!("{field} must be a multiple of 0.5 from {min} to {max}, found {}", v.get_ref()),
                );
                None
            }
        }
    }

    fn addresses(&mut self, table: Loc, owner: Owner<'_>, list: &[Spanned<String>]) -> Vec<At<IpAddr>> {
        let mut out = Vec::with_capacity(list.len());
        for a in list {
            let loc = loc_of(table, a);
            match a.get_ref().parse::<IpAddr>() {
                Ok(ip) => out.push(At { value: ip, loc }),
                Err(_) => {
                    let hint = a
                        .get_ref()
                        .contains('/')
                        .then(|| "addresses are written without a prefix length".to_owned());
                    self.push(
                        Finding::new(
                            Code::InvalidValue,
                            loc,
                            format!("`{}` is not an IP address", a.get_ref()),
                        )
                        .object(owner.0.key(), owner.1)
                        .maybe_hint(hint),
                    );
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert!(valid_id("ids-a01"));
        assert!(valid_id("0x.y_z"));
        assert!(!valid_id(""));
        assert!(!valid_id("-a"));
        assert!(!valid_id("A"));
        assert!(!valid_id("a b"));
    }

    #[test]
    fn cidrs() {
        assert!(parse_cidr("198.51.100.0/24").is_ok());
        assert!(parse_cidr("2001:db8::/32").is_ok());
        assert!(parse_cidr("198.51.100.1/24").unwrap_err().contains("host bits"));
        assert!(parse_cidr("198.51.100.1").unwrap_err().contains("no prefix length"));
        assert!(parse_cidr("198.51.100.0/33").is_err());
        assert!(parse_cidr("nope").is_err());
    }
}
