//! NetBox objects -> dcplan objects: sites, racks and devices (physical machines). Addresses,
//! vms, prefixes and services are in [`super::map_ip`].
//!
//! Objects are visited in NetBox id order, so ids given out on a collision are stable.

use std::collections::HashMap;

use super::api;
use super::emit::{Generated, Origin, Rack, Server, Site};
use super::export::{Endpoint, Export};
use super::ids::{Ids, Why, slugify};
use super::map_type::{self, Types};
use super::report::{Change, Note, Reason, Report, Skipped};
use crate::model::{HalfU, Kind, Numbering};

/// NetBox ids -> dcplan ids, for the references between endpoints.
#[derive(Default)]
pub(crate) struct Index {
    pub(crate) sites: HashMap<u64, String>,
    pub(crate) racks: HashMap<u64, RackInfo>,
    /// Device NetBox id -> machine id.
    pub(crate) devices: HashMap<u64, String>,
    /// Cluster NetBox id -> the machine ids of its imported devices.
    pub(crate) clusters: HashMap<u64, Vec<String>>,
    /// Vm NetBox id -> machine id.
    pub(crate) vms: HashMap<u64, String>,
    /// Machine ids (devices and vms share one namespace).
    pub(crate) machine_ids: Ids,
}

/// An imported rack: its id (dcplan numbers its units as NetBox does, so nothing else is
/// needed to place a device in it).
pub(crate) struct RackInfo {
    pub(crate) id: String,
}

/// What every mapping step shares.
pub(crate) struct Ctx<'a> {
    pub(crate) export: &'a Export,
    pub(crate) report: Report,
    pub(crate) out: Generated,
    pub(crate) index: Index,
    /// The device-type library, with `--device-types`.
    pub(crate) types: Option<Types<'a>>,
}

impl Ctx<'_> {
    pub(crate) fn skip(&mut self, endpoint: Endpoint, id: u64, display: &str, reason: Reason) {
        self.report.skipped.push(Skipped { endpoint, id: Some(id), display: display.to_owned(), reason });
    }

    pub(crate) fn note(&mut self, endpoint: Endpoint, id: u64, display: &str, change: Change) {
        self.report.notes.push(Note { endpoint, id, display: display.to_owned(), change });
    }

    pub(crate) fn count(&mut self, kind: &'static str) {
        *self.report.imported.entry(kind).or_default() += 1;
    }

    /// The objects of an endpoint, parsed, in NetBox id order.
    pub(crate) fn read<T: serde::de::DeserializeOwned>(
        &mut self,
        endpoint: Endpoint,
        id: fn(&T) -> u64,
    ) -> Vec<T> {
        let mut v: Vec<T> = self.export.typed(endpoint, &mut self.report.skipped);
        v.sort_by_key(id);
        v
    }

    /// Notes an id that is not the plain slug of the name.
    pub(crate) fn renamed(&mut self, endpoint: Endpoint, nb_id: u64, display: &str, id: &str, why: Why) {
        let why = match why {
            Why::Plain => return,
            Why::NoName => "no usable name",
            Why::Taken => "its name's id is taken",
        };
        self.note(endpoint, nb_id, display, Change::Renamed { id: id.to_owned(), why });
    }
}

fn origin(endpoint: Endpoint, id: u64, display: &str) -> Origin {
    Origin { endpoint, id, display: display.to_owned() }
}

/// dcim/sites -> `[[site]]` (id = the slug).
pub(crate) fn sites(c: &mut Ctx<'_>) {
    let mut ids = Ids::default();
    for s in c.read(Endpoint::Sites, |s: &api::Site| s.id) {
        c.report.custom_fields += api::set_fields(&s.custom_fields);
        let (id, why) = ids.assign(&slugify(&s.slug), &s.name, s.id);
        c.renamed(Endpoint::Sites, s.id, &s.name, &id, why);
        c.index.sites.insert(s.id, id.clone());
        c.out.sites.push(Site { origin: origin(Endpoint::Sites, s.id, &s.name), id, name: s.name });
        c.count("site");
    }
}

/// dcim/racks -> `[[rack]]` (id = site slug and rack name: rack names repeat across sites).
pub(crate) fn racks(c: &mut Ctx<'_>) {
    let mut ids = Ids::default();
    for r in c.read(Endpoint::Racks, |r: &api::Rack| r.id) {
        c.report.custom_fields += api::set_fields(&r.custom_fields);
        let Some(site) = c.index.sites.get(&r.site.id).cloned() else {
            c.skip(Endpoint::Racks, r.id, &r.name, Reason::SiteNotImported(r.site.id));
            continue;
        };
        let base = slugify(&r.name);
        let base = if base.is_empty() { String::new() } else { format!("{site}-{base}") };
        let (id, why) = ids.assign(&base, &format!("{site}-rack"), r.id);
        c.renamed(Endpoint::Racks, r.id, &r.name, &id, why);
        let numbering = Numbering { units: r.u_height, first: r.starting_unit, top_down: r.desc_units };
        c.index.racks.insert(r.id, RackInfo { id: id.clone() });
        c.out.racks.push(Rack { origin: origin(Endpoint::Racks, r.id, &r.name), id, site, numbering });
        c.count("rack");
    }
}

/// The dcplan kind of a device role: router, switch or storage when its slug or name says so,
/// else server.
fn kind(role: Option<&api::Ref>) -> Kind {
    let Some(role) = role else { return Kind::Server };
    let text = format!("{} {}", role.slug.as_deref().unwrap_or(""), role.name.as_deref().unwrap_or(""))
        .to_lowercase();
    if text.contains("router") {
        Kind::Router
    } else if text.contains("switch") {
        Kind::Switch
    } else if text.contains("storage") || text.contains("san") && text.split(['-', ' ']).any(|w| w == "san") {
        Kind::Storage
    } else {
        Kind::Server
    }
}

/// A device's power, from its power ports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Power {
    /// The largest allocated draw of its ports, else their largest maximum draw: redundant
    /// supplies do not add up.
    watts: Option<u32>,
    /// Its power ports: one per supply.
    ports: u32,
}

/// Power per device NetBox id.
fn power(c: &mut Ctx<'_>) -> HashMap<u64, Power> {
    let mut draw: HashMap<u64, (Option<u32>, Option<u32>, u32)> = HashMap::new();
    for p in c.read(Endpoint::PowerPorts, |p: &api::PowerPort| p.id) {
        let e = draw.entry(p.device.id).or_default();
        e.0 = e.0.max(p.allocated_draw.filter(|&w| w > 0));
        e.1 = e.1.max(p.maximum_draw.filter(|&w| w > 0));
        e.2 = e.2.saturating_add(1);
    }
    draw.into_iter().map(|(d, (alloc, max, ports))| (d, Power { watts: alloc.or(max), ports })).collect()
}

/// Statuses of devices (and vms) that are not installed: not imported.
const NOT_INSTALLED: [&str; 2] = ["planned", "inventory"];

/// Where a device is mounted (dcplan numbers a rack's units as NetBox does), or why it is not.
enum Mount {
    /// In the rack; at a unit unless it is 0U.
    At { rack: String, unit: Option<HalfU>, height: HalfU },
    /// Not mounted (site only), and why.
    Unplaced(Change),
}

/// The mount of a device at `position` of `height`. A position outside the rack is kept as
/// NetBox has it: `dcplan check` reports it as the data problem it is.
fn mount(rack: &RackInfo, position: Option<api::Decimal>, height: HalfU) -> Result<Mount, Reason> {
    let at = |unit| Mount::At { rack: rack.id.clone(), unit, height };
    // A 0U device (a PDU on the side) takes no unit, whatever its position says.
    if height == HalfU::ZERO {
        return Ok(at(None));
    }
    let Some(position) = position else { return Ok(Mount::Unplaced(Change::Unplaced)) };
    let p = position.halves().ok_or_else(|| Reason::BadUnits(format!("position {}", position.0)))?;
    if p == HalfU::ZERO {
        return Err(Reason::BadUnits(format!("position {}", position.0)));
    }
    Ok(at(Some(p)))
}

/// dcim/devices (with dcim/device-types and dcim/power-ports) -> physical `[[server]]`s.
pub(crate) fn devices(c: &mut Ctx<'_>) {
    let types: HashMap<u64, api::DeviceType> =
        c.read(Endpoint::DeviceTypes, |t: &api::DeviceType| t.id).into_iter().map(|t| (t.id, t)).collect();
    let power = power(c);
    for d in c.read(Endpoint::Devices, |d: &api::Device| d.id) {
        device(c, &types, &power, d);
    }
}

fn device(
    c: &mut Ctx<'_>,
    types: &HashMap<u64, api::DeviceType>,
    power: &HashMap<u64, Power>,
    d: api::Device,
) {
    const EP: Endpoint = Endpoint::Devices;
    let type_name = d.device_type.model.clone().or(d.device_type.slug.clone()).unwrap_or_default();
    let display = d.name.clone().unwrap_or_else(|| format!("{type_name} ({})", d.id));
    c.report.custom_fields += api::set_fields(&d.custom_fields);
    if let Some(status) = d.status.as_ref().filter(|s| NOT_INSTALLED.contains(&s.0.as_str())) {
        return c.skip(EP, d.id, &display, Reason::NotInstalled(status.0.clone()));
    }
    if let Some(parent) = &d.parent_device {
        let p = parent.name.clone().or(parent.display.clone()).unwrap_or_else(|| parent.id.to_string());
        return c.skip(EP, d.id, &display, Reason::InDeviceBay(p));
    }
    let Some(site) = c.index.sites.get(&d.site.id).cloned() else {
        return c.skip(EP, d.id, &display, Reason::SiteNotImported(d.site.id));
    };
    let device_type = types.get(&d.device_type.id);
    let model = map_type::model_of(&d.device_type, device_type);
    let height = match device_type.map(|t| (t, t.u_height.halves())) {
        Some((_, Some(h))) => Some(h),
        Some((t, None)) => {
            return c.skip(EP, d.id, &display, Reason::BadUnits(format!("height {}", t.u_height.0)));
        }
        None => None,
    };
    let mounted = match &d.rack {
        None => Mount::Unplaced(Change::NoRackInNetBox),
        Some(r) => {
            let Some(rack) = c.index.racks.get(&r.id) else {
                return c.skip(EP, d.id, &display, Reason::RackNotImported(r.id));
            };
            let Some(height) = height else {
                return c.skip(EP, d.id, &display, Reason::UnknownDeviceType(d.device_type.id));
            };
            match mount(rack, d.position, height) {
                Ok(m) => m,
                Err(reason) => return c.skip(EP, d.id, &display, reason),
            }
        }
    };
    let (rack, unit, height) = match mounted {
        Mount::At { rack, unit, height } => (Some(rack), unit, Some(height)),
        Mount::Unplaced(why) => {
            c.note(EP, d.id, &display, why);
            // Still its height, for placement at the destination.
            (None, None, height)
        }
    };
    let fallback = device_type.map_or(type_name.clone(), |t| t.slug.clone());
    let (id, why) = c.index.machine_ids.assign(&slugify(d.name.as_deref().unwrap_or("")), &fallback, d.id);
    c.renamed(EP, d.id, &display, &id, why);
    c.index.devices.insert(d.id, id.clone());
    if let Some(cluster) = &d.cluster {
        c.index.clusters.entry(cluster.id).or_default().push(id.clone());
    }
    // A PDU's draw is the machines behind it: counting it too would count them twice.
    let is_pdu = d.power_outlet_count.unwrap_or(0) > 0;
    let addresses =
        [&d.primary_ip4, &d.primary_ip6].into_iter().flatten().map(|a| a.address.clone()).collect();
    let mut server = Server {
        origin: origin(EP, d.id, &display),
        id,
        kind: kind(d.role.as_ref()),
        site: Some(site),
        rack,
        unit,
        height,
        power_w: power.get(&d.id).and_then(|p| p.watts).filter(|_| !is_pdu),
        psus: power.get(&d.id).map(|p| p.ports).filter(|&n| n > 0 && !is_pdu),
        host: None,
        addresses,
        serial: d.serial.filter(|s| !s.trim().is_empty()),
        asset_tag: d.asset_tag.filter(|s| !s.trim().is_empty()),
        model,
        weight_kg: device_type.and_then(map_type::weight_kg),
        from_type: Vec::new(),
    };
    if let Some(types) = &mut c.types {
        for change in map_type::complete(types, &mut server, is_pdu) {
            c.note(EP, d.id, &display, change);
        }
    }
    c.out.servers.push(server);
    c.count("server");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rack() -> RackInfo {
        RackInfo { id: "r".into() }
    }

    fn at(m: Result<Mount, Reason>) -> Option<(Option<u32>, u32)> {
        match m {
            Ok(Mount::At { unit, height, .. }) => Some((unit.map(|u| u.0), height.0)),
            _ => None,
        }
    }

    #[test]
    fn positions_are_kept_in_half_units() {
        let d = |x| Some(api::Decimal(x));
        // Kept as NetBox numbers them (the rack carries starting_unit and desc_units).
        assert_eq!(at(mount(&rack(), d(10.0), HalfU(4))), Some((Some(20), 4)));
        assert_eq!(at(mount(&rack(), d(3.5), HalfU(1))), Some((Some(7), 1)));
        // 0U: in the rack, no unit.
        assert_eq!(at(mount(&rack(), None, HalfU(0))), Some((None, 0)));
        assert_eq!(at(mount(&rack(), d(3.0), HalfU(0))), Some((None, 0)));
        assert!(matches!(mount(&rack(), d(1.25), HalfU(2)), Err(Reason::BadUnits(_))));
        assert!(matches!(mount(&rack(), d(0.0), HalfU(2)), Err(Reason::BadUnits(_))));
        assert!(matches!(mount(&rack(), None, HalfU(2)), Ok(Mount::Unplaced(Change::Unplaced))));
    }

    #[test]
    fn kinds_come_from_the_role() {
        let role = |slug: &str| api::Ref { slug: Some(slug.into()), ..api::Ref::default() };
        assert_eq!(kind(Some(&role("core-router"))), Kind::Router);
        assert_eq!(kind(Some(&role("tor-switch"))), Kind::Switch);
        assert_eq!(kind(Some(&role("san"))), Kind::Storage);
        assert_eq!(kind(Some(&role("sandbox"))), Kind::Server);
        assert_eq!(kind(Some(&role("pdu"))), Kind::Server);
        assert_eq!(kind(None), Kind::Server);
    }
}
