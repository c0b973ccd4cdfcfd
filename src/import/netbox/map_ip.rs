//! NetBox objects -> dcplan objects, second half: vms (after devices: their hosts), addresses
//! (after both: their owners), prefixes and aggregates, services, and power feeds.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;

use ipnetwork::IpNetwork;

use super::api;
use super::emit::{Feed, Origin, Prefix, Server, Service};
use super::export::Endpoint;
use super::ids::{Ids, slugify};
use super::map::Ctx;
use super::report::{Change, Reason};
use crate::model::{Kind, Side};

/// Vm statuses that are not running anywhere yet: not imported.
const NOT_DEPLOYED: [&str; 1] = ["planned"];

/// virtualization/virtual-machines -> `[[server]]` kind vm. The host is the vm's device, else
/// its cluster's only device.
pub(crate) fn vms(c: &mut Ctx<'_>) {
    const EP: Endpoint = Endpoint::VirtualMachines;
    for vm in c.read(EP, |v: &api::VirtualMachine| v.id) {
        c.report.custom_fields += api::set_fields(&vm.custom_fields);
        if let Some(status) = vm.status.as_ref().filter(|s| NOT_DEPLOYED.contains(&s.0.as_str())) {
            c.skip(EP, vm.id, &vm.name, Reason::NotInstalled(status.0.clone()));
            continue;
        }
        let host = match (&vm.device, &vm.cluster) {
            (Some(d), _) => match c.index.devices.get(&d.id) {
                Some(h) => h.clone(),
                None => {
                    let name = d.name.clone().or(d.display.clone()).unwrap_or_else(|| d.id.to_string());
                    c.skip(EP, vm.id, &vm.name, Reason::DeviceNotImported(name));
                    continue;
                }
            },
            (None, Some(cl)) => match c.index.clusters.get(&cl.id).map(Vec::as_slice) {
                Some([one]) => one.clone(),
                other => {
                    let cluster = cl.name.clone().or(cl.display.clone()).unwrap_or_else(|| cl.id.to_string());
                    let devices = other.map_or(0, <[String]>::len);
                    c.skip(EP, vm.id, &vm.name, Reason::ClusterHosts { cluster, devices });
                    continue;
                }
            },
            (None, None) => {
                c.skip(EP, vm.id, &vm.name, Reason::NoHost);
                continue;
            }
        };
        let (id, why) = c.index.machine_ids.assign(&slugify(&vm.name), "vm", vm.id);
        c.renamed(EP, vm.id, &vm.name, &id, why);
        c.index.vms.insert(vm.id, id.clone());
        let addresses =
            [&vm.primary_ip4, &vm.primary_ip6].into_iter().flatten().map(|a| a.address.clone()).collect();
        c.out.vms.push(Server {
            origin: Origin { endpoint: EP, id: vm.id, display: vm.name.clone() },
            id,
            kind: Kind::Vm,
            site: None,
            rack: None,
            unit: None,
            height: None,
            power_w: None,
            psus: None,
            host: Some(host),
            addresses,
            serial: None,
            asset_tag: None,
            model: None,
            weight_kg: None,
            from_type: Vec::new(),
        });
        c.count("vm");
    }
}

/// An address without its prefix length (`192.0.2.1/24` -> `192.0.2.1`), when it is one.
fn host_address(a: &str) -> Option<String> {
    let host = a.split('/').next().unwrap_or(a);
    host.parse::<IpAddr>().ok().map(|ip| ip.to_string())
}

/// ipam/ip-addresses -> the `addresses` of the device or vm whose interface holds them; the
/// primary addresses the devices and vms name are kept too. Addresses are sorted per machine.
pub(crate) fn addresses(c: &mut Ctx<'_>) {
    const EP: Endpoint = Endpoint::IpAddresses;
    let mut extra: HashMap<String, Vec<String>> = HashMap::new();
    for a in c.read(EP, |a: &api::IpAddress| a.id) {
        c.report.custom_fields += api::set_fields(&a.custom_fields);
        let Some(ip) = host_address(&a.address) else {
            c.skip(EP, a.id, &a.address, Reason::BadAddress(a.address.clone()));
            continue;
        };
        let owner = a.assigned_object.as_ref().and_then(|o| match (&o.device, &o.virtual_machine) {
            (Some(d), _) => Some((c.index.devices.get(&d.id), d)),
            (None, Some(v)) => Some((c.index.vms.get(&v.id), v)),
            (None, None) => None,
        });
        match owner {
            None => c.skip(EP, a.id, &a.address, Reason::Unassigned),
            Some((None, r)) => {
                let name = r.name.clone().or(r.display.clone()).unwrap_or_else(|| r.id.to_string());
                c.skip(EP, a.id, &a.address, Reason::DeviceNotImported(name));
            }
            Some((Some(machine), _)) => {
                extra.entry(machine.clone()).or_default().push(ip);
                c.count("address");
            }
        }
    }
    for s in c.out.servers.iter_mut().chain(c.out.vms.iter_mut()) {
        let mut all: Vec<String> = s.addresses.iter().filter_map(|a| host_address(a)).collect();
        all.extend(extra.remove(&s.id).unwrap_or_default());
        all.sort_by_key(|a| a.parse::<IpAddr>().ok());
        all.dedup();
        s.addresses = all;
    }
}

/// A candidate `[[prefix]]`: aggregates and prefixes meet here, one per network.
struct Candidate {
    origin: Origin,
    site: Option<String>,
    description: Option<String>,
}

/// ipam/aggregates and ipam/prefixes -> `[[prefix]]`: a site when the prefix is scoped to an
/// imported site (containers never: they aggregate the space), none otherwise. The same
/// network twice (VRFs, an aggregate that is also a prefix) is imported once: scoped to a site
/// if one of them is, else the first read.
pub(crate) fn prefixes(c: &mut Ctx<'_>) {
    let mut by_net: BTreeMap<IpNetwork, Vec<Candidate>> = BTreeMap::new();
    for a in c.read(Endpoint::Aggregates, |a: &api::Aggregate| a.id) {
        c.report.custom_fields += api::set_fields(&a.custom_fields);
        let origin = Origin { endpoint: Endpoint::Aggregates, id: a.id, display: a.prefix.clone() };
        match a.prefix.parse::<IpNetwork>() {
            Ok(net) => by_net.entry(net).or_default().push(Candidate {
                origin,
                site: None,
                description: a.description,
            }),
            Err(_) => c.skip(Endpoint::Aggregates, a.id, &a.prefix, Reason::BadAddress(a.prefix.clone())),
        }
    }
    for p in c.read(Endpoint::Prefixes, |p: &api::Prefix| p.id) {
        c.report.custom_fields += api::set_fields(&p.custom_fields);
        let origin = Origin { endpoint: Endpoint::Prefixes, id: p.id, display: p.prefix.clone() };
        let container = p.status.as_ref().is_some_and(|s| s.0 == "container");
        let scope = match (&p.scope_type, &p.scope, &p.site) {
            (Some(t), Some(s), _) if t == "dcim.site" => Some(s.id),
            (None, _, Some(s)) => Some(s.id),
            _ => None,
        };
        let site = scope.filter(|_| !container).and_then(|id| c.index.sites.get(&id).cloned());
        match p.prefix.parse::<IpNetwork>() {
            Ok(net) => {
                by_net.entry(net).or_default().push(Candidate { origin, site, description: p.description })
            }
            Err(_) => c.skip(Endpoint::Prefixes, p.id, &p.prefix, Reason::BadAddress(p.prefix.clone())),
        }
    }
    for (net, mut candidates) in by_net {
        let keep = candidates.iter().position(|k| k.site.is_some()).unwrap_or(0);
        let chosen = candidates.remove(keep);
        for other in candidates {
            c.skip(
                other.origin.endpoint,
                other.origin.id,
                &other.origin.display,
                Reason::DuplicatePrefix(net.to_string()),
            );
        }
        c.out.prefixes.push(Prefix {
            origin: chosen.origin,
            cidr: net.to_string(),
            site: chosen.site,
            description: chosen.description.filter(|d| !d.trim().is_empty()),
        });
        c.count("prefix");
    }
}

/// ipam/services -> `[[service]]`, runs_on = the device or vm it is on. NetBox lists a service
/// per host; services of the same name become one dcplan service with each host a replica.
pub(crate) fn services(c: &mut Ctx<'_>) {
    const EP: Endpoint = Endpoint::Services;
    let mut by_slug: BTreeMap<String, (Origin, String, Vec<String>, usize)> = BTreeMap::new();
    for s in c.read(EP, |s: &api::Service| s.id) {
        c.report.custom_fields += api::set_fields(&s.custom_fields);
        let (device, vm) = match (&s.parent_object_type, &s.parent) {
            (Some(t), Some(p)) if t == "dcim.device" => (Some(p), None),
            (Some(t), Some(p)) if t == "virtualization.virtualmachine" => (None, Some(p)),
            _ => (s.device.as_ref(), s.virtual_machine.as_ref()),
        };
        let parent = match (device, vm) {
            (Some(d), _) => c.index.devices.get(&d.id).ok_or(d),
            (None, Some(v)) => c.index.vms.get(&v.id).ok_or(v),
            (None, None) => {
                c.skip(EP, s.id, &s.name, Reason::NoParent);
                continue;
            }
        };
        let parent = match parent {
            Ok(p) => p.clone(),
            Err(r) => {
                let name = r.name.clone().or(r.display.clone()).unwrap_or_else(|| r.id.to_string());
                c.skip(EP, s.id, &s.name, Reason::DeviceNotImported(name));
                continue;
            }
        };
        let slug = slugify(&s.name);
        let e = by_slug.entry(slug).or_insert_with(|| {
            (Origin { endpoint: EP, id: s.id, display: s.name.clone() }, s.name.clone(), Vec::new(), 0)
        });
        e.2.push(parent);
        e.3 += 1;
    }
    let mut ids = Ids::default();
    for (slug, (origin, name, mut runs_on, n)) in by_slug {
        runs_on.sort();
        runs_on.dedup();
        let (id, why) = ids.assign(&slug, "service", origin.id);
        c.renamed(EP, origin.id, &origin.display, &id, why);
        if n > 1 {
            c.note(EP, origin.id, &origin.display, Change::Merged(n));
        }
        c.out.services.push(Service { origin, id, name, runs_on });
        c.count("service");
    }
}

/// dcim/power-feeds -> `[[feed]]`: side a for a primary feed, b for a redundant one; id =
/// rack id and feed name. A feed without a rack, or without voltage and amperage, is skipped.
pub(crate) fn feeds(c: &mut Ctx<'_>) {
    const EP: Endpoint = Endpoint::PowerFeeds;
    let mut ids = Ids::default();
    for f in c.read(EP, |f: &api::PowerFeed| f.id) {
        let Some(rack) = f.rack.as_ref() else {
            c.skip(EP, f.id, &f.name, Reason::NoRack);
            continue;
        };
        let Some(rack_id) = c.index.racks.get(&rack.id).map(|r| r.id.clone()) else {
            c.skip(EP, f.id, &f.name, Reason::RackNotImported(rack.id));
            continue;
        };
        let (Some(volts), Some(amps)) = (f.voltage.filter(|v| *v > 0.0), f.amperage.filter(|a| *a > 0.0))
        else {
            c.skip(EP, f.id, &f.name, Reason::FeedsUnsupported);
            continue;
        };
        let side = if f.kind.as_ref().is_some_and(|k| k.0 == "redundant") { Side::B } else { Side::A };
        let (id, why) = ids.assign(&format!("{rack_id}-{}", slugify(&f.name)), &rack_id, f.id);
        c.renamed(EP, f.id, &f.name, &id, why);
        c.out.feeds.push(Feed {
            origin: Origin { endpoint: EP, id: f.id, display: f.name.clone() },
            id,
            rack: rack_id,
            side,
            volts,
            amps,
            three_phase: f.phase.as_ref().is_some_and(|p| p.0.starts_with("three")),
            max_utilization: f.max_utilization.filter(|u| *u > 0.0),
        });
        c.count("feed");
    }
}
