//! Raw tables to the validated [`Inventory`]: ids checked and interned, references resolved,
//! values parsed. Reports invalid-value, duplicate-id, unknown-reference and vm-host (the parts
//! that need references); the other rules run over the model in [`crate::check`].
//!
//! One file per family of tables: [`servers`] (machines, vms and their hosts), [`services`],
//! [`network`] (prefixes, upstreams, circuits, links, ROAs); sites, racks and `[org]` here.

mod network;
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
    r.org(raw.org, &mut inv);
    r.sites(raw.sites, &mut inv);
    r.racks(raw.racks, &mut inv);
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
        let name = r.get_ref();
        let known = I::index(index);
        if let Some(i) = known.get(name) {
            return Some(*i);
        }
        if self.declared.get(&I::TABLE).is_some_and(|d| d.contains(name)) {
            return None;
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
        None
    }

    fn org(&mut self, orgs: Vec<(Loc, raw::Org)>, inv: &mut Inventory) {
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
            inv.org = Org {
                name: o.name.map(Spanned::into_inner).unwrap_or_default(),
                asn: *o.asn.get_ref(),
                min_upstreams: min_up.max(1),
                loc: Some(loc),
            };
        }
    }

    fn sites(&mut self, sites: Vec<(Loc, raw::Site)>, inv: &mut Inventory) {
        let mut locs = HashMap::default();
        for (loc, s) in sites {
            let next = SiteId::from_ix(inv.sites.len());
            if self.declare(&s.id, loc, inv, &mut locs, next) {
                let id = s.id.into_inner();
                let name = s.name.map_or_else(|| id.clone(), Spanned::into_inner);
                inv.sites.push(Site { id, name, loc });
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
            let power_w = self.watts(loc, owner, r.power_w.as_ref());
            match site {
                Some(site) if units >= 1 => inv.racks.push(Rack { id, site, units, power_w, loc }),
                _ => {
                    inv.index.racks.remove(&id);
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

    /// A unit or height: from 1 to [`MAX_UNITS`].
    fn positive(&mut self, table: Loc, owner: Owner<'_>, field: &str, v: &Spanned<i64>) -> Option<u32> {
        match u32::try_from(*v.get_ref()) {
            Ok(u) if (1..=MAX_UNITS).contains(&u) => Some(u),
            _ => {
                self.invalid(
                    loc_of(table, v),
                    owner,
                    format!("{field} must be between 1 and {MAX_UNITS}, found {}", v.get_ref()),
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
<<<<<<< HEAD

    fn servers(&mut self, servers: Vec<(Loc, raw::Server)>, inv: &mut Inventory) {
        let mut locs = HashMap::default();
        // Pass 1: ids, kinds and own fields; hosts are resolved once every id is known.
        let mut hosts: Vec<Option<(Loc, Spanned<String>)>> = Vec::new();
        for (loc, s) in servers {
            let next = ServerId::from_ix(inv.servers.len());
            if !self.declare("server", &s.id, loc, &mut inv.index.servers, &mut locs, next) {
                continue;
            }
            let id = s.id.get_ref().clone();
            let kind = match &s.kind {
                None => Kind::Server,
                Some(k) => Kind::parse(k.get_ref()).unwrap_or_else(|| {
                    let hint = did_you_mean(k.get_ref(), Kind::NAMES.iter().copied()).map_or_else(
                        || format!("kind is one of: {}", Kind::NAMES.join(", ")),
                        |m| format!("did you mean `{m}`?"),
                    );
                    self.push(
                        Finding::new(
                            Code::InvalidValue,
                            loc_of(loc, k),
                            format!("unknown kind `{}`", k.get_ref()),
                        )
                        .object("server", &id)
                        .hint(hint),
                    );
                    Kind::Server
                }),
            };
            let field_locs = FieldLocs {
                site: s.site.as_ref().map(|v| loc_of(loc, v)),
                rack: s.rack.as_ref().map(|v| loc_of(loc, v)),
                unit: s.unit.as_ref().map(|v| loc_of(loc, v)),
                height: s.height.as_ref().map(|v| loc_of(loc, v)),
                host: s.host.as_ref().map(|v| loc_of(loc, v)),
            };
            let addresses = self.addresses(loc, "server", &id, &s.addresses);
            let power_w = self.watts(loc, "server", &id, s.power_w.as_ref());
            let handling_minutes =
                s.handling_minutes.as_ref().and_then(|m| match u32::try_from(*m.get_ref()) {
                    Ok(v) if v <= 100_000 => Some(v),
                    _ => {
                        self.invalid(
                            loc_of(loc, m),
                            "server",
                            &id,
                            "handling_minutes must be between 0 and 100000",
                        );
                        None
                    }
                });
            let mut server = Server {
                id: id.clone(),
                kind,
                site: None,
                mount: None,
                height: 0,
                power_w,
                host: None,
                addresses,
                tags: s.tags,
                serial: s.serial,
                asset_tag: s.asset_tag,
                handling_minutes,
                loc,
                field_locs,
            };
            if kind == Kind::Vm {
                let placed: Vec<&str> = [
                    s.site.as_ref().map(|_| "site"),
                    s.rack.as_ref().map(|_| "rack"),
                    s.unit.as_ref().map(|_| "unit"),
                    s.height.as_ref().map(|_| "height"),
                ]
                .into_iter()
                .flatten()
                .collect();
                if !placed.is_empty() {
                    let at = server
                        .field_locs
                        .site
                        .or(server.field_locs.rack)
                        .or(server.field_locs.unit)
                        .or(server.field_locs.height);
                    self.push(
                        Finding::new(
                            Code::VmHost,
                            at.unwrap_or(loc),
                            format!("vm `{id}` has {}: a vm is where its host is", placed.join(", ")),
                        )
                        .object("server", &id)
                        .hint("remove the field; set `host` to the hypervisor"),
                    );
                }
                if s.host.is_none() {
                    self.push(
                        Finding::new(Code::VmHost, loc, format!("vm `{id}` has no host"))
                            .object("server", &id)
                            .hint("add `host = \"<hypervisor id>\"`"),
                    );
                }
                hosts.push(s.host.map(|h| (loc, h)));
            } else {
                if let Some(h) = &s.host {
                    self.push(
                        Finding::new(
                            Code::VmHost,
                            loc_of(loc, h),
                            format!("`{id}` is a {} but has a host: only vms have one", kind.as_str()),
                        )
                        .object("server", &id)
                        .hint("set `kind = \"vm\"`, or remove `host`"),
                    );
                }
                hosts.push(None);
                match &s.site {
                    Some(site) => {
                        server.site =
                            self.reference(loc, ("server", &id), "site", "site", site, &inv.index.sites)
                    }
                    None => self.invalid(
                        loc,
                        "server",
                        &id,
                        format!("{} `{id}` has no `site` (required for physical machines)", kind.as_str()),
                    ),
                }
                server.height = match &s.height {
                    Some(h) => self.positive(loc, &id, "height", h).unwrap_or(1),
                    None => 1,
                };
                let rack = s
                    .rack
                    .as_ref()
                    .and_then(|r| self.reference(loc, ("server", &id), "rack", "rack", r, &inv.index.racks));
                let unit = s.unit.as_ref().and_then(|u| self.positive(loc, &id, "unit", u));
                match (&s.rack, &s.unit) {
                    (Some(_), None) => {
                        self.invalid(loc, "server", &id, format!("`{id}` has a rack but no `unit`"))
                    }
                    (None, Some(u)) => self.invalid(
                        loc_of(loc, u),
                        "server",
                        &id,
                        format!("`{id}` has a unit but no `rack`"),
                    ),
                    _ => {}
                }
                if let (Some(rack), Some(unit)) = (rack, unit) {
                    server.mount = Some(Mount { rack, unit });
                }
            }
            inv.servers.push(server);
        }
        // Pass 2: vm hosts, now that every server is known.
        for (i, h) in hosts.into_iter().enumerate() {
            let Some((loc, h)) = h else { continue };
            let id = inv.servers[i].id.clone();
            let Some(host) = self.reference(loc, ("server", &id), "server", "host", &h, &inv.index.servers)
            else {
                continue;
            };
            if inv.servers[host.ix()].is_vm() {
                self.push(
                    Finding::new(
                        Code::VmHost,
                        loc_of(loc, &h),
                        format!("vm `{id}` runs on `{}`, which is itself a vm", h.get_ref()),
                    )
                    .object("server", &id)
                    .related(inv.servers[host.ix()].loc, "declared as a vm here"),
                );
                continue;
            }
            inv.servers[i].host = Some(host);
            inv.servers[i].site = inv.servers[host.ix()].site;
        }
    }

    fn services(&mut self, services: Vec<(Loc, raw::Service)>, inv: &mut Inventory) {
        let mut locs = HashMap::default();
        let mut pending = Vec::new();
        for (loc, s) in services {
            let next = ServiceId::from_ix(pending.len());
            if self.declare("service", &s.id, loc, &mut inv.index.services, &mut locs, next) {
                pending.push((loc, s));
            }
        }
        for (loc, s) in pending {
            let id = s.id.get_ref().clone();
            let mut runs_on = Vec::new();
            for r in &s.runs_on {
                if let Some(sv) =
                    self.reference(loc, ("service", &id), "server", "runs_on", r, &inv.index.servers)
                {
                    if runs_on.contains(&sv) {
                        self.invalid(
                            loc_of(loc, r),
                            "service",
                            &id,
                            format!("`{}` is listed twice in runs_on", r.get_ref()),
                        );
                    } else {
                        runs_on.push(sv);
                    }
                }
            }
            let mut depends_on = Vec::new();
            for d in &s.depends_on {
                if d.get_ref() == &id {
                    self.invalid(loc_of(loc, d), "service", &id, format!("service `{id}` depends on itself"));
                } else if let Some(dep) =
                    self.reference(loc, ("service", &id), "service", "depends_on", d, &inv.index.services)
                    && !depends_on.contains(&dep)
                {
                    depends_on.push(dep);
                }
            }
            let criticality = match &s.criticality {
                None => Criticality::Normal,
                Some(c) => Criticality::parse(c.get_ref()).unwrap_or_else(|| {
                    self.invalid(
                        loc_of(loc, c),
                        "service",
                        &id,
                        format!("unknown criticality `{}` (low, normal or high)", c.get_ref()),
                    );
                    Criticality::Normal
                }),
            };
            let (min_up, min_up_loc) = match &s.min_up {
                None => (1, loc),
                Some(m) => {
                    let at = loc_of(loc, m);
                    match u32::try_from(*m.get_ref()) {
                        Ok(v) => (v, at),
                        Err(_) => {
                            self.invalid(
                                at,
                                "service",
                                &id,
                                format!("min_up must be a count, found {}", m.get_ref()),
                            );
                            (1, at)
                        }
                    }
                }
            };
            let name = s.name.unwrap_or_else(|| id.clone());
            inv.services.push(Service {
                id,
                name,
                runs_on,
                min_up,
                depends_on,
                criticality,
                check: s.check,
                loc,
                min_up_loc,
            });
        }
    }

    fn prefixes(&mut self, prefixes: Vec<(Loc, raw::Prefix)>, inv: &mut Inventory) {
        for (loc, p) in prefixes {
            let text = p.cidr.get_ref().clone();
            let site = p
                .site
                .as_ref()
                .and_then(|s| self.reference(loc, ("prefix", &text), "site", "site", s, &inv.index.sites));
            match parse_cidr(&text) {
                Ok(cidr) => inv.prefixes.push(Prefix {
                    cidr,
                    site,
                    description: p.description.unwrap_or_default(),
                    loc,
                }),
                Err(e) => self.invalid(loc_of(loc, &p.cidr), "prefix", &text, e),
            }
        }
    }

    fn upstreams(&mut self, ups: Vec<(Loc, raw::Upstream)>, inv: &mut Inventory) {
        let mut locs = HashMap::default();
        for (loc, u) in ups {
            let next = UpstreamId::from_ix(inv.upstreams.len());
            if self.declare("upstream", &u.id, loc, &mut inv.index.upstreams, &mut locs, next) {
                let id = u.id.into_inner();
                let name = u.name.unwrap_or_else(|| id.clone());
                inv.upstreams.push(Upstream { id, asn: u.asn.into_inner(), name, loc });
            }
        }
    }

    fn circuits(&mut self, circuits: Vec<(Loc, raw::Circuit)>, inv: &mut Inventory) {
        let mut locs = HashMap::default();
        for (loc, c) in circuits {
            let next = CircuitId::from_ix(inv.circuits.len());
            if !self.declare("circuit", &c.id, loc, &mut inv.index.circuits, &mut locs, next) {
                continue;
            }
            let id = c.id.get_ref().clone();
            let owner = ("circuit", id.as_str());
            let upstream =
                self.reference(loc, owner, "upstream", "upstream", &c.upstream, &inv.index.upstreams);
            let site = self.reference(loc, owner, "site", "site", &c.site, &inv.index.sites);
            let mut router = self.reference(loc, owner, "server", "router", &c.router, &inv.index.servers);
            if let Some(r) = router {
                let kind = inv.server(r).kind;
                if kind != Kind::Router {
                    self.push(
                        Finding::new(
                            Code::UnknownReference,
                            loc_of(loc, &c.router),
                            format!(
                                "circuit `{id}`: router `{}` is a {}, not a router",
                                c.router.get_ref(),
                                kind.as_str()
                            ),
                        )
                        .object("circuit", &id)
                        .related(inv.server(r).loc, "declared here")
                        .hint("set `kind = \"router\"` on the machine, or name the right router"),
                    );
                    router = None;
                }
            }
            let mut announce = Vec::new();
            for a in &c.announce {
                match parse_cidr(a.get_ref()) {
                    Ok(net) => announce.push(At { value: net, loc: loc_of(loc, a) }),
                    Err(e) => self.invalid(loc_of(loc, a), "circuit", &id, e),
                }
            }
            let config = c.config.as_ref().map(|p| At { value: p.get_ref().clone(), loc: loc_of(loc, p) });
            match (upstream, site, router) {
                (Some(upstream), Some(site), Some(router)) => {
                    inv.circuits.push(Circuit { id, upstream, site, router, announce, config, loc });
                }
                _ => {
                    inv.index.circuits.remove(&id);
                }
            }
        }
    }

    fn links(&mut self, links: Vec<(Loc, raw::Link)>, inv: &mut Inventory) {
        for (loc, l) in links {
            let label = l.sites.get_ref().iter().map(|s| s.get_ref().as_str()).collect::<Vec<_>>().join("-");
            let mut sites = Vec::new();
            for s in l.sites.get_ref() {
                if let Some(site) =
                    self.reference(loc, ("link", &label), "site", "sites", s, &inv.index.sites)
                {
                    sites.push(site);
                }
            }
            if l.sites.get_ref().len() < 2 {
                self.invalid(loc_of(loc, &l.sites), "link", &label, "a link joins at least two sites");
            }
            inv.links.push(Link { sites, description: l.description.unwrap_or_default(), loc });
        }
    }

    fn roas(&mut self, roas: Vec<(Loc, raw::Roa)>, inv: &mut Inventory) {
        for (loc, r) in roas {
            let text = r.prefix.get_ref().clone();
            let prefix = match parse_cidr(&text) {
                Ok(p) => p,
                Err(e) => {
                    self.invalid(loc_of(loc, &r.prefix), "roa", &text, e);
                    continue;
                }
            };
            let max_bits = if prefix.is_ipv4() { 32 } else { 128 };
            let max_length = r.max_length.as_ref().map_or(prefix.prefix(), |m| *m.get_ref());
            if max_length < prefix.prefix() || max_length > max_bits {
                let at = r.max_length.as_ref().map_or(loc, |m| loc_of(loc, m));
                self.invalid(
                    at,
                    "roa",
                    &text,
                    format!(
                        "max_length {max_length} must be between the prefix length {} and {max_bits}",
                        prefix.prefix()
                    ),
                );
                continue;
            }
            inv.roas.push(Roa { prefix, max_length, asn: r.asn.into_inner(), loc: Some(loc), expires: None });
        }
    }
=======
>>>>>>> 7ef85be (Issue 8 (inventory): tables declared once (raw::tables!), typed references (model::Object), resolve split by family, severity policy (diag::policy), text helpers (diag::text), unknown fields from serde's field lists)
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
