//! Machines: kinds, placement fields, addresses, and vm hosts (resolved once every machine is
//! known).

use rustc_hash::FxHashMap as HashMap;
use toml::Spanned;

use super::{Owner, Resolver, loc_of};
use crate::diag::{Code, Finding, Loc, text};
use crate::model::*;
use crate::raw::{self, Table};

/// A vm's `host = ...` as written, resolved in the second pass.
type PendingHost = Option<(Loc, Spanned<String>)>;

impl Resolver<'_> {
    pub(super) fn servers(&mut self, servers: Vec<(Loc, raw::Server)>, inv: &mut Inventory) {
        let mut locs = HashMap::default();
        // Pass 1: ids, kinds and own fields; hosts are resolved once every id is known.
        let mut hosts: Vec<PendingHost> = Vec::new();
        for (loc, s) in servers {
            let next = ServerId::from_ix(inv.servers.len());
            if !self.declare(&s.id, loc, inv, &mut locs, next) {
                continue;
            }
            let (server, host) = self.server(loc, s, inv);
            hosts.push(host);
            inv.servers.push(server);
        }
        self.hosts(hosts, inv);
    }

    /// One machine's own fields; a vm's host comes back unresolved.
    fn server(&mut self, loc: Loc, s: raw::Server, inv: &Inventory) -> (Server, PendingHost) {
        let id = s.id.get_ref().clone();
        let owner = Owner(Table::Server, &id);
        let kind = self.kind(loc, owner, s.kind.as_ref());
        let field_locs = FieldLocs {
            site: s.site.as_ref().map(|v| loc_of(loc, v)),
            rack: s.rack.as_ref().map(|v| loc_of(loc, v)),
            unit: s.unit.as_ref().map(|v| loc_of(loc, v)),
            height: s.height.as_ref().map(|v| loc_of(loc, v)),
            feed_side: s.feed_side.as_ref().map(|v| loc_of(loc, v)),
        };
        let (psus, feed_side) = self.psus(loc, owner, &s);
        let weight_kg = s.weight_kg.as_ref().and_then(|w| self.weight(loc, owner, "weight_kg", w));
        let addresses = self.addresses(loc, owner, &s.addresses);
        let power_w = self.watts(loc, owner, s.power_w.as_ref());
        let handling_minutes = s.handling_minutes.as_ref().and_then(|m| match u32::try_from(*m.get_ref()) {
            Ok(v) if v <= 100_000 => Some(v),
            _ => {
                self.invalid(loc_of(loc, m), owner, "handling_minutes must be between 0 and 100000");
                None
            }
        });
        let mut server = Server {
            id: id.clone(),
            kind,
            site: None,
            mount: None,
            height: HalfU::ZERO,
            power_w,
            psus,
            feed_side,
            weight_kg,
            host: None,
            addresses,
            serial: s.serial.clone(),
            asset_tag: s.asset_tag.clone(),
            model: self.model(loc, owner, s.model.as_ref()),
            handling_minutes,
            loc,
            field_locs,
        };
        if kind == Kind::Vm {
            self.vm_fields(loc, &server, &s);
            return (server, s.host.map(|h| (loc, h)));
        }
        self.physical_fields(loc, &mut server, &s, inv);
        (server, None)
    }

    fn kind(&mut self, loc: Loc, owner: Owner<'_>, kind: Option<&Spanned<String>>) -> Kind {
        let Some(k) = kind else { return Kind::Server };
        Kind::parse(k.get_ref()).unwrap_or_else(|| {
            let hint = text::did_you_mean_or(k.get_ref(), Kind::NAMES.iter().copied(), "kind is one of");
            self.push(
                Finding::new(Code::InvalidValue, loc_of(loc, k), format!("unknown kind `{}`", k.get_ref()))
                    .object(owner.0.key(), owner.1)
                    .hint(hint),
            );
            Kind::Server
        })
    }

    /// `model = "manufacturer/model"`, checked for its shape (the library is only read with
    /// `--device-types`).
    fn model(&mut self, loc: Loc, owner: Owner<'_>, model: Option<&Spanned<String>>) -> Option<At<String>> {
        let m = model?;
        if crate::devtype::key(m.get_ref()).is_none() {
            self.push(
                Finding::new(
                    Code::InvalidValue,
                    loc_of(loc, m),
                    format!("model `{}` is not `manufacturer/model`", m.get_ref()),
                )
                .object(owner.0.key(), owner.1)
                .hint("name the device type as the device-type library does, e.g. `dell/poweredge-r640`"),
            );
            return None;
        }
        Some(At { value: m.get_ref().clone(), loc: loc_of(loc, m) })
    }

    /// A vm has a host and no placement of its own.
    fn vm_fields(&mut self, loc: Loc, server: &Server, s: &raw::Server) {
        let id = &server.id;
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
            let fl = &server.field_locs;
            let at = fl.site.or(fl.rack).or(fl.unit).or(fl.height);
            self.push(
                Finding::new(
                    Code::VmHost,
                    at.unwrap_or(loc),
                    format!("vm `{id}` has {}: a vm is where its host is", placed.join(", ")),
                )
                .object("server", id)
                .hint("remove the field; set `host` to the hypervisor"),
            );
        }
        if let Some(m) = &s.model {
            self.push(
                Finding::new(
                    Code::InvalidValue,
                    loc_of(loc, m),
                    format!("vm `{id}` has a model: a vm has no hardware of its own"),
                )
                .object("server", id)
                .hint("remove `model` (its host's `model` describes the hardware)"),
            );
        }
        if s.host.is_none() {
            self.push(
                Finding::new(Code::VmHost, loc, format!("vm `{id}` has no host"))
                    .object("server", id)
                    .hint("add `host = \"<hypervisor id>\"`"),
            );
        }
    }

    /// A physical machine: site, height, rack and unit; no host.
    fn physical_fields(&mut self, loc: Loc, server: &mut Server, s: &raw::Server, inv: &Inventory) {
        let id = server.id.clone();
        let owner = Owner(Table::Server, &id);
        let kind = server.kind;
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
        match &s.site {
            Some(site) => server.site = self.reference(loc, owner, "site", site, &inv.index),
            None => self.invalid(
                loc,
                owner,
                format!("{} `{id}` has no `site` (required for physical machines)", kind.as_str()),
            ),
        }
        server.height = match &s.height {
            Some(h) => self.half_units(loc, owner, "height", h, (HalfU::ZERO, HalfU::units(MAX_UNITS))),
            None => Some(HalfU::ONE),
        }
        .unwrap_or(HalfU::ONE);
        let rack = s.rack.as_ref().and_then(|r| self.reference::<RackId>(loc, owner, "rack", r, &inv.index));
        // A unit may be numbered up to starting_unit + units: twice the largest rack.
        let range = (HalfU(1), HalfU::units(2 * MAX_UNITS));
        let unit = s.unit.as_ref().and_then(|u| self.half_units(loc, owner, "unit", u, range));
        let zero_u = server.height == HalfU::ZERO;
        match (&s.rack, &s.unit) {
            (Some(_), None) if !zero_u => {
                self.invalid(loc, owner, format!("`{id}` has a rack but no `unit`"));
            }
            (None, Some(u)) => {
                self.invalid(loc_of(loc, u), owner, format!("`{id}` has a unit but no `rack`"));
            }
            (Some(_), Some(u)) if zero_u => self.invalid(
                loc_of(loc, u),
                owner,
                format!("`{id}` is 0U (`height = 0`): it takes no unit, remove `unit`"),
            ),
            _ => {}
        }
        match (rack, unit) {
            (Some(rack), Some(unit)) if !zero_u => server.mount = Some(Mount { rack, unit: Some(unit) }),
            (Some(rack), None) if zero_u => server.mount = Some(Mount { rack, unit: None }),
            _ => {}
        }
    }

    /// Pass 2: vm hosts, now that every server is known.
    fn hosts(&mut self, hosts: Vec<PendingHost>, inv: &mut Inventory) {
        for (i, h) in hosts.into_iter().enumerate() {
            let Some((loc, h)) = h else { continue };
            let id = inv.servers[i].id.clone();
            let owner = Owner(Table::Server, &id);
            let Some(host) = self.reference::<ServerId>(loc, owner, "host", &h, &inv.index) else {
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
}
