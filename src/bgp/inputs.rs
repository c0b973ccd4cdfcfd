//! The BGP engine's inputs, read from files: the router configs that circuits name (with
//! bgp-config-drift against the circuits' `announce` lists) and the `--roas` export. All file
//! reading of the BGP checks is here; the engine itself is pure.

use std::collections::BTreeMap;
use std::path::Path;

use super::engine::Announcement;
use super::{conf, rpki};
use crate::diag::{Code, Finding};
use crate::load::Root;
use crate::model::{At, Circuit, CircuitId, Inventory};
use crate::source::Sources;

/// What the engine is built from, derived once from the inventory: the effective
/// announcements (bgpd.conf where a circuit names one) and the ROAs in force.
#[derive(Clone, Debug, Default)]
pub(crate) struct Inputs {
    /// Effective announcements.
    pub(crate) announcements: Vec<Announcement>,
    /// ROAs from the inventory and from `--roas`.
    pub(crate) roas: Vec<crate::model::Roa>,
}

/// Reads the router configs that circuits name and the `--roas` export, reporting
/// bgp-config-drift, bgp-config-unsupported and read errors.
pub(crate) fn inputs(
    inv: &Inventory,
    root: &Root,
    sources: &mut Sources,
    roas_file: Option<&Path>,
    findings: &mut Vec<Finding>,
) -> Inputs {
    let mut confs: BTreeMap<String, Option<conf::Conf>> = BTreeMap::new();
    let mut announcements = Vec::new();
    for (i, c) in inv.circuits.iter().enumerate() {
        let id = CircuitId::from_ix(i);
        let from_inventory =
            c.announce.iter().map(|a| Announcement { circuit: id, prefix: a.value, loc: a.loc });
        let Some(path) = &c.config else {
            announcements.extend(from_inventory);
            continue;
        };
        let conf = confs
            .entry(path.value.clone())
            .or_insert_with(|| read_conf(inv, c, path, root, sources, findings));
        // An unreadable config has its own error, and one bgpd refuses (bgp-config-invalid)
        // leaves the router on an older config: the inventory's list stands in for either, so
        // that the one mistake does not also read as unannounced space.
        match conf {
            Some(conf) if !conf.invalid => announcements.extend(drift(inv, id, conf, path, findings)),
            _ => announcements.extend(from_inventory),
        }
    }
    let mut roas = inv.roas.clone();
    if let Some(path) = roas_file {
        match std::fs::read(path) {
            Ok(bytes) => {
                let file =
                    sources.add(path.display().to_string(), String::from_utf8_lossy(&bytes).into_owned());
                let (imported, f) = rpki::parse_export(file, sources.text(file));
                findings.extend(f);
                roas.extend(imported);
            }
            Err(e) => findings.push(Finding::unplaced(
                Code::InvalidValue,
                format!("cannot read ROA export {}: {e}", path.display()),
            )),
        }
    }
    Inputs { announcements, roas }
}

/// Reads and parses one router config (each file once), reporting read errors, what the reader
/// skipped, and an `AS` other than org.asn.
fn read_conf(
    inv: &Inventory,
    c: &Circuit,
    path: &At<String>,
    root: &Root,
    sources: &mut Sources,
    findings: &mut Vec<Finding>,
) -> Option<conf::Conf> {
    let (name, bytes) = match root.read(&path.value) {
        Ok(x) => x,
        Err(e) => {
            findings.push(
                Finding::new(Code::InvalidValue, path.loc, format!("cannot read router config: {e}"))
                    .object("circuit", &c.id),
            );
            return None;
        }
    };
    let file = sources.add(name, String::from_utf8_lossy(&bytes).into_owned());
    let dir = Path::new(&path.value).parent().map(Path::to_path_buf).unwrap_or_default();
    let mut reader = |inc: &str| -> Result<(String, String), String> {
        let rel = dir.join(inc);
        root.read(&rel.to_string_lossy()).map(|(n, b)| (n, String::from_utf8_lossy(&b).into_owned()))
    };
    let parsed = conf::parse(file, sources, &mut reader);
    findings.extend(parsed.skipped.iter().cloned());
    if let Some((asn, loc)) = parsed.asn.filter(|(asn, _)| *asn != inv.org.asn) {
        findings.push(Finding::new(
            Code::BgpConfigDrift,
            loc,
            format!("{} originates from AS{asn}, but org.asn is {}", path.value, inv.org.asn),
        ));
    }
    Some(parsed)
}

/// The announcements of circuit `id` as its router's config makes them, with
/// bgp-config-drift for every difference from the circuit's `announce` list.
fn drift(
    inv: &Inventory,
    id: CircuitId,
    conf: &conf::Conf,
    path: &At<String>,
    findings: &mut Vec<Finding>,
) -> Vec<Announcement> {
    let c = &inv.circuits[id.ix()];
    let upstream = &inv.upstreams[c.upstream.ix()];
    if !conf.has_neighbor_as(upstream.asn) {
        findings.push(
            Finding::new(
                Code::BgpConfigDrift,
                path.loc,
                format!(
                    "{} has no neighbor with remote-as {} (`{}`), so circuit `{}` announces nothing",
                    path.value, upstream.asn, upstream.id, c.id
                ),
            )
            .object("circuit", &c.id),
        );
        return Vec::new();
    }
    for (d, loc) in conf.default_routes_to(upstream.asn) {
        findings.push(
            Finding::new(
                Code::BgpDefaultRoute,
                loc.unwrap_or(path.loc),
                format!(
                    "{} sends a default route ({d}) to AS{} (circuit `{}`): not our space, not drift",
                    path.value, upstream.asn, c.id
                ),
            )
            .object("circuit", &c.id),
        );
    }
    let from_conf = conf.announced_to(upstream.asn);
    let mut out = Vec::new();
    for &(p, loc) in &from_conf {
        if !c.announce.iter().any(|a| a.value == p) {
            findings.push(
                Finding::new(
                    Code::BgpConfigDrift,
                    loc,
                    format!(
                        "{} announces {p} to AS{} (circuit `{}`), but the circuit's `announce` does not list it",
                        path.value, upstream.asn, c.id
                    ),
                )
                .object("circuit", &c.id)
                .related(c.loc, format!("circuit `{}` declared here", c.id)),
            );
        }
        out.push(Announcement { circuit: id, prefix: p, loc });
    }
    for a in &c.announce {
        if !from_conf.iter().any(|(p, _)| *p == a.value) {
            findings.push(
                Finding::new(
                    Code::BgpConfigDrift,
                    a.loc,
                    format!(
                        "circuit `{}` lists {}, but {} does not announce it to AS{}",
                        c.id, a.value, path.value, upstream.asn
                    ),
                )
                .object("circuit", &c.id)
                .hint("the config is what the router does: the checks use the config"),
            );
        }
    }
    out
}
