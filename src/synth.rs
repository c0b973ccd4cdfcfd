//! Synthetic inventories of any size, shaped like the example (two sites, racks, hypervisors
//! with vms, replicated services with dependencies, two routers and upstreams): for benchmarks
//! and property tests. Deterministic for a given size and seed, and clean under `dcplan check`.

use std::fmt::Write;

use crate::plan::rng::Rng;

/// What to generate.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    /// Machines in all, vms included.
    pub machines: usize,
    /// Of which vms (a quarter by default).
    pub vms: usize,
    /// Services (half the machines by default).
    pub services: usize,
    /// Seed for the pseudo-random choices.
    pub seed: u64,
}

impl Spec {
    /// The default proportions for `machines` machines: a quarter vms, half as many services.
    pub fn with_machines(machines: usize) -> Spec {
        Spec { machines, vms: machines / 4, services: machines / 2, seed: 1 }
    }
}

const RACK_UNITS: usize = 42;
/// Machines per rack, leaving room for moves.
const PER_RACK: usize = 16;

/// Generates the inventory as (relative path, TOML text) files.
pub fn generate(spec: Spec) -> Vec<(String, String)> {
    let mut rng = Rng(spec.seed);
    let physical = spec.machines.saturating_sub(spec.vms).max(2);
    // A tenth of the machines already stand at the new site.
    let at_cv = physical / 10;
    let net = network();
    let sites = sites(physical, at_cv);
    let (servers, mut names, hypervisors) = machines(&mut rng, physical, at_cv);
    let vms = vms(spec.vms, &hypervisors, &mut names);
    let services = services(&mut rng, spec.services, &names);
    let mut files = vec![("network.toml".to_owned(), net), ("sites.toml".to_owned(), sites)];
    files.extend(split("servers", &servers, "[[server]]"));
    files.extend(split("vms", &vms, "[[server]]"));
    files.extend(split("services", &services, "[[service]]"));
    files
}

/// The organisation, upstreams, prefixes, circuits and ROAs.
fn network() -> String {
    let mut net = String::new();
    writeln!(
        net,
        "[org]\nname = \"Synthetic\"\nasn = 64500\n\n[[upstream]]\nid = \"transit-a\"\nasn = 64501\n\n[[upstream]]\nid = \"transit-b\"\nasn = 64502\n"
    )
    .ok();
    // Addresses: ids hosts in 198.18.0.0/17, cv hosts in 198.18.128.0/17, vms in 198.19.0.0/16;
    // each as /24 site prefixes, using .1-.254 of each.
    for (site, base) in [("ids", 0u32), ("cv", 128)] {
        for i in 0..128u32 {
            writeln!(net, "[[prefix]]\ncidr = \"198.18.{}.0/24\"\nsite = \"{site}\"\n", base + i).ok();
        }
    }
    for i in 0..256u32 {
        writeln!(net, "[[prefix]]\ncidr = \"198.19.{i}.0/24\"\nsite = \"ids\"\n").ok();
    }
    writeln!(net, "[[prefix]]\ncidr = \"198.18.0.0/15\"\n\n[[prefix]]\ncidr = \"2001:db8:100::/44\"\n").ok();
    writeln!(net, "[[prefix]]\ncidr = \"2001:db8:100::/48\"\nsite = \"ids\"\n\n[[prefix]]\ncidr = \"2001:db8:101::/48\"\nsite = \"cv\"\n").ok();
    let announce = "[\"198.18.0.0/15\", \"2001:db8:100::/44\"]";
    for (up, rtr) in [("transit-a", "rtr1"), ("transit-b", "rtr2")] {
        for site in ["ids", "cv"] {
            writeln!(
                net,
                "[[circuit]]\nid = \"{up}-{site}\"\nupstream = \"{up}\"\nsite = \"{site}\"\nrouter = \"{rtr}\"\nannounce = {announce}\n"
            )
            .ok();
        }
    }
    writeln!(net, "[[roa]]\nprefix = \"198.18.0.0/15\"\nmax_length = 24\nasn = 64500\n").ok();
    writeln!(net, "[[roa]]\nprefix = \"2001:db8:100::/44\"\nmax_length = 48\nasn = 64500\n").ok();
    net
}

/// The two sites, their link, and racks: enough for every machine at PER_RACK per rack, plus
/// empty room at cv.
fn sites(physical: usize, at_cv: usize) -> String {
    let mut sites = String::new();
    writeln!(
        sites,
        "[[site]]\nid = \"ids\"\n\n[[site]]\nid = \"cv\"\n\n[[link]]\nsites = [\"ids\", \"cv\"]\n"
    )
    .ok();
    let ids_racks = (physical - at_cv).div_ceil(PER_RACK);
    let cv_racks = physical.div_ceil(PER_RACK) + 2;
    for (site, n) in [("ids", ids_racks), ("cv", cv_racks)] {
        for r in 0..n {
            writeln!(
                sites,
                "[[rack]]\nid = \"{site}-r{r:04}\"\nsite = \"{site}\"\nunits = {RACK_UNITS}\npower_w = 8000\n"
            )
            .ok();
        }
    }
    sites
}

/// Physical machines: two routers, then hypervisors (every 8th), then servers. Returns the
/// TOML, the machine names, and the hypervisors at ids.
fn machines(rng: &mut Rng, physical: usize, at_cv: usize) -> (String, Vec<String>, Vec<String>) {
    let mut servers = String::new();
    let mut names = Vec::with_capacity(physical);
    let mut hypervisors = Vec::new();
    for i in 0..physical {
        let (site, slot) = if i < physical - at_cv { ("ids", i) } else { ("cv", i - (physical - at_cv)) };
        let rack = format!("{site}-r{:04}", slot / PER_RACK);
        let unit = (slot % PER_RACK) * 2 + 1;
        let (id, kind) = match i {
            0 => ("rtr1".to_owned(), "router"),
            // The second router stands in another rack.
            1 => ("rtr2".to_owned(), "router"),
            _ if i % 8 == 2 => (format!("hv{i:05}"), "server"),
            _ => (format!("srv{i:05}"), "server"),
        };
        let (rack, unit) =
            if i == 1 && physical > PER_RACK { (format!("{site}-r0001"), 41) } else { (rack, unit) };
        let third = if site == "ids" { (slot / 254) % 128 } else { 128 + (slot / 254) % 128 };
        let v4 = format!("198.18.{third}.{}", slot % 254 + 1);
        let v6 = format!("2001:db8:{}::{:x}", if site == "ids" { 100 } else { 101 }, slot + 1);
        writeln!(
            servers,
            "[[server]]\nid = \"{id}\"\nkind = \"{kind}\"\nsite = \"{site}\"\nrack = \"{rack}\"\nunit = {unit}\nheight = {}\npower_w = {}\naddresses = [\"{v4}\", \"{v6}\"]\nserial = \"SN{i:06}\"\n",
            if i % 8 == 2 { 2 } else { 1 },
            200 + rng.below(200)
        )
        .ok();
        if id.starts_with("hv") && site == "ids" {
            hypervisors.push(id.clone());
        }
        names.push(id);
    }
    (servers, names, hypervisors)
}

/// Vms spread over the hypervisors; their names are added to `names`.
fn vms(count: usize, hypervisors: &[String], names: &mut Vec<String>) -> String {
    let mut vms = String::new();
    for v in 0..count {
        if hypervisors.is_empty() {
            break;
        }
        let host = &hypervisors[v % hypervisors.len()];
        let id = format!("vm{v:05}");
        writeln!(
            vms,
            "[[server]]\nid = \"{id}\"\nkind = \"vm\"\nhost = \"{host}\"\naddresses = [\"198.19.{}.{}\"]\n",
            (v / 254) % 256,
            v % 254 + 1
        )
        .ok();
        names.push(id);
    }
    vms
}

/// Services: mostly single-replica, some pairs and triples; dependencies only on earlier
/// services (a DAG), drawn from the first tenth so a few services are central.
fn services(rng: &mut Rng, count: usize, names: &[String]) -> String {
    let mut services = String::new();
    let crit = ["low", "normal", "high"];
    let mut next_machine = 2;
    for s in 0..count {
        let replicas = match rng.below(10) {
            0..=5 => 1,
            6..=8 => 2,
            _ => 3,
        };
        let mut runs = Vec::new();
        for _ in 0..replicas {
            // Walk the machines in order so replicas land in different racks/hosts.
            let m = &names[next_machine % names.len()];
            next_machine += 1 + PER_RACK;
            if !runs.contains(m) && m != "rtr1" && m != "rtr2" {
                runs.push(m.clone());
            }
        }
        if runs.is_empty() {
            runs.push(names[2 % names.len()].clone());
        }
        let min_up = if runs.len() == 3 { 2 } else { 1 };
        let mut deps = Vec::new();
        if s > 0 {
            for _ in 0..rng.below(3) {
                let d = rng.below(s.min(count / 10 + 1));
                if !deps.contains(&d) {
                    deps.push(d);
                }
            }
        }
        let runs: Vec<String> = runs.iter().map(|r| format!("\"{r}\"")).collect();
        let deps: Vec<String> = deps.iter().map(|d| format!("\"svc{d:05}\"")).collect();
        writeln!(
            services,
            "[[service]]\nid = \"svc{s:05}\"\nruns_on = [{}]\nmin_up = {min_up}\ndepends_on = [{}]\ncriticality = \"{}\"\ncheck = \"true\"\n",
            runs.join(", "),
            deps.join(", "),
            crit[rng.below(3)]
        )
        .ok();
    }
    services
}

/// [`generate`] as the (name, bytes) pairs that [`crate::load::load_files`] takes.
pub fn files(spec: Spec) -> Vec<(String, Vec<u8>)> {
    generate(spec).into_iter().map(|(name, text)| (name, text.into_bytes())).collect()
}

/// Objects per file: a team splits a large inventory by group, and files load in parallel.
const PER_FILE: usize = 1000;

/// Splits generated text into files of at most [`PER_FILE`] objects: `servers/0001.toml`...
fn split(folder: &str, text: &str, header: &str) -> Vec<(String, String)> {
    let blocks: Vec<&str> = text.split(header).filter(|b| !b.trim().is_empty()).collect();
    blocks
        .chunks(PER_FILE)
        .enumerate()
        .map(|(i, chunk)| {
            let body: String = chunk.iter().map(|b| format!("{header}{b}")).collect();
            (format!("{folder}/{:04}.toml", i + 1), body)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_inventories_are_clean() {
        for n in [40, 500] {
            let checked = crate::check_loaded(
                crate::load::load_files(files(Spec::with_machines(n))),
                &crate::Options::default(),
            );
            let errors: Vec<_> = checked.findings.iter().take(5).map(|f| (&f.code, &f.message)).collect();
            assert!(
                checked.findings.iter().all(|f| f.severity != crate::diag::Severity::Error),
                "{n}: {errors:?}"
            );
            assert_eq!(checked.inventory.servers.len(), n);
        }
    }
}
