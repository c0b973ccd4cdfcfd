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
    /// What the services look like.
    pub shape: Shape,
    /// A and B feeds on every rack (instead of a power_w budget), rack max_weight_kg, and
    /// machines with PSUs, a feed side and a weight; everything else as without.
    pub feeds: bool,
}

/// The kind of move to generate: each stresses another rule of the planner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Mostly single replicas, some pairs and triples, dependencies on a few central services.
    Normal,
    /// Quorum services (3 replicas, 2 up) in dependency chains of five: R3 and R4 together.
    Chains,
    /// Some services with four replicas, two up, two of them vms on one hypervisor.
    Stacked,
    /// As `Normal`, with keep_together pairs of machines in the plan ([`plan_toml`]).
    Together,
}

impl Shape {
    /// Every shape, in order.
    pub const ALL: [Shape; 4] = [Shape::Normal, Shape::Chains, Shape::Stacked, Shape::Together];

    /// Its name, as in the benchmark's data.
    fn name(self) -> &'static str {
        match self {
            Shape::Normal => "normal",
            Shape::Chains => "chains",
            Shape::Stacked => "stacked",
            Shape::Together => "together",
        }
    }
}

impl std::fmt::Display for Shape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Shape {
    type Err = String;

    /// The shape of a name.
    fn from_str(name: &str) -> Result<Shape, String> {
        Shape::ALL.into_iter().find(|s| s.name() == name).ok_or_else(|| format!("no shape `{name}`"))
    }
}

impl Spec {
    /// The default proportions for `machines` machines: a quarter vms, half as many services.
    pub fn with_machines(machines: usize) -> Spec {
        Spec {
            machines,
            vms: machines / 4,
            services: machines / 2,
            seed: 1,
            shape: Shape::Normal,
            feeds: false,
        }
    }

    /// The estates the planner's batches are compared with proven optima on (benches/plan.rs):
    /// one service for every four machines.
    pub fn measured(shape: Shape, machines: usize, seed: u64) -> Spec {
        Spec { seed, shape, services: machines / 4, ..Spec::with_machines(machines) }
    }
}

const RACK_UNITS: usize = 42;
/// Machines per rack, leaving room for moves.
const PER_RACK: usize = 16;

/// Generates the inventory as (relative path, TOML text) files.
pub(crate) fn generate(spec: Spec) -> Vec<(String, String)> {
    let mut rng = Rng(spec.seed);
    let physical = spec.machines.saturating_sub(spec.vms).max(2);
    // A tenth of the machines already stand at the new site.
    let at_cv = physical / 10;
    let net = network();
    let (sites, feeds) = sites(physical, at_cv, spec.feeds);
    let (servers, mut names, hypervisors) = machines(&mut rng, physical, at_cv, spec.feeds);
    let first_vm = names.len();
    let vms = vms(spec.vms, &hypervisors, &mut names);
    let services = services(&mut rng, spec, &names, first_vm, &hypervisors);
    let mut files = vec![("network.toml".to_owned(), net), ("sites.toml".to_owned(), sites)];
    files.extend(split("feeds", &feeds, "[[feed]]"));
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
/// empty room at cv. With `feeds`, the racks' feeds (the second string): side a single-phase
/// 230 V 40 A (7360 W), side b three-phase 400 V 16 A (8868 W); either carries a full rack
/// (PER_RACK machines of at most 400 W) alone.
fn sites(physical: usize, at_cv: usize, feeds: bool) -> (String, String) {
    let mut feed_text = String::new();
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
            let budget = if feeds { "max_weight_kg = 900" } else { "power_w = 8000" };
            writeln!(
                sites,
                "[[rack]]\nid = \"{site}-r{r:04}\"\nsite = \"{site}\"\nunits = {RACK_UNITS}\n{budget}\n"
            )
            .ok();
            if feeds {
                writeln!(
                    feed_text,
                    "[[feed]]\nid = \"{site}-r{r:04}-a\"\nrack = \"{site}-r{r:04}\"\nside = \"a\"\nvolts = 230\namps = 40\n\n\
                     [[feed]]\nid = \"{site}-r{r:04}-b\"\nrack = \"{site}-r{r:04}\"\nside = \"b\"\nvolts = 400\namps = 16\nphase = \"three\"\n"
                )
                .ok();
            }
        }
    }
    (sites, feed_text)
}

/// Physical machines: two routers, then hypervisors (every 8th), then servers. Returns the
/// TOML, the machine names, and the hypervisors at ids.
fn machines(rng: &mut Rng, physical: usize, at_cv: usize, feeds: bool) -> (String, Vec<String>, Vec<String>) {
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
        if feeds {
            // No draws from rng here: the rest of the inventory stays as without feeds. Every
            // 8th machine has one PSU, on alternating sides.
            let (psus, side) =
                if i % 8 == 5 { (1, if (i / 8) % 2 == 0 { "a" } else { "b" }) } else { (2, "a") };
            writeln!(servers, "psus = {psus}\nfeed_side = \"{side}\"\nweight_kg = {}\n", 10 + (i * 7) % 21)
                .ok();
        }
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
/// services (a DAG), drawn from the first tenth so a few services are central. The shape
/// changes the mix (see [`Shape`]). The vms are `names[first_vm..]`.
fn services(rng: &mut Rng, spec: Spec, names: &[String], first_vm: usize, hypervisors: &[String]) -> String {
    // The physical machine carrying name i: vm v runs on hypervisor v mod their number.
    let host_of = |i: usize| -> &str {
        if i >= first_vm { &hypervisors[(i - first_vm) % hypervisors.len()] } else { &names[i] }
    };
    let mut chain_hosts: Vec<&str> = Vec::new();
    let mut services = String::new();
    let crit = ["low", "normal", "high"];
    let mut next_machine = 2;
    let count = spec.services;
    for s in 0..count {
        let replicas = match (spec.shape, rng.below(10)) {
            (Shape::Chains, 0..=3) | (_, 0..=5) => 1,
            (Shape::Chains, _) | (_, 9) => 3,
            _ => 2,
        };
        if s % 5 == 0 {
            chain_hosts.clear();
        }
        let mut runs: Vec<String> = Vec::new();
        let mut hosts: Vec<&str> = Vec::new();
        for _ in 0..replicas {
            // Walk the machines in order so replicas land in different racks, on different
            // hosts (two replicas on one host could not move apart), and in a chain of quorum
            // services on hosts of their own (else the chain waits on itself).
            for _ in 0..names.len() {
                let i = next_machine % names.len();
                next_machine += 1 + PER_RACK;
                let host = host_of(i);
                let taken =
                    hosts.contains(&host) || (spec.shape == Shape::Chains && chain_hosts.contains(&host));
                if !taken && host != "rtr1" && host != "rtr2" {
                    runs.push(names[i].clone());
                    hosts.push(host);
                    break;
                }
            }
        }
        if runs.is_empty() {
            runs.push(names[2 % names.len()].clone());
        }
        chain_hosts.extend(hosts.iter().copied());
        // Stacked: one service in four has four replicas, two of them vms of one hypervisor
        // (two must stay up, so the hypervisor may carry both across at once).
        let vm_count = names.len() - first_vm;
        let mut stacked = false;
        if spec.shape == Shape::Stacked
            && !hypervisors.is_empty()
            && vm_count > hypervisors.len()
            && rng.below(4) == 0
        {
            let v = rng.below(vm_count - hypervisors.len());
            if !hosts.contains(&host_of(first_vm + v)) {
                runs.truncate(2);
                runs.push(names[first_vm + v].clone());
                runs.push(names[first_vm + v + hypervisors.len()].clone());
                stacked = true;
            }
        }
        let min_up = match runs.len() {
            n if stacked => n - 2,
            3 => 2,
            _ => 1,
        };
        let mut deps = Vec::new();
        if spec.shape == Shape::Chains && s % 5 != 0 {
            // Chains of five: each service waits on the one before it.
            deps.push(s - 1);
        } else if s > 0 {
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

/// A plan moving every machine at `ids` but the second router, `per_night` machines (and three
/// times as many units) a night; with [`Shape::Together`], every twelfth server is kept
/// together with the next one.
pub fn plan_toml(spec: Spec, per_night: usize) -> String {
    let mut plan = format!(
        "[plan]\nfrom = \"ids\"\nto = \"cv\"\nmax_servers = {per_night}\nmax_units = {}\nstay = [\"rtr2\"]\n",
        per_night * 3
    );
    if spec.shape == Shape::Together {
        let physical = spec.machines.saturating_sub(spec.vms).max(2);
        let at_ids = physical - physical / 10;
        // i = 3 mod 12 and i + 1 are never routers (0, 1) or hypervisors (2 mod 8).
        let pairs: Vec<String> = (3..at_ids.saturating_sub(1))
            .step_by(12)
            .map(|i| format!("[\"srv{i:05}\", \"srv{:05}\"]", i + 1))
            .collect();
        writeln!(plan, "keep_together = [{}]", pairs.join(", ")).ok();
    }
    plan
}

/// [`generate`] as the (name, bytes) pairs that [`crate::load::load_files`] takes.
pub fn files(spec: Spec) -> Vec<(String, Vec<u8>)> {
    generate(spec).into_iter().map(|(name, text)| (name, text.into_bytes())).collect()
}

/// The move of `plan` as the planner sees it (groups, per-night limits and what each group
/// takes of them, domains, services with their R4 need and dependencies), as JSON: what an
/// outside solver needs to model the same rules (`scripts/cpsat-optima.py`).
pub fn problem_json(inv: &crate::model::Inventory, plan: &crate::plan::spec::Plan) -> serde_json::Value {
    use crate::plan::problem::Problem;
    let p = Problem::new(inv, plan);
    let services: Vec<serde_json::Value> = p
        .services
        .iter()
        .map(|s| {
            serde_json::json!({
                "id": inv.service(s.id).id,
                "replicas": s.n,
                "min_up": s.min_up,
                "cap": s.cap,
                "moving": s.moving.iter().map(|&(g, c)| [g.0, c]).collect::<Vec<_>>(),
                "need": s.need,
                "deps": s.deps.iter().map(|d| d.0).collect::<Vec<_>>(),
                "weight": s.weight,
            })
        })
        .collect();
    serde_json::json!({
        "groups": p.groups.len(),
        "machines": p.machines(),
        "limits": p.limits.iter().map(|l| l.cap).collect::<Vec<_>>(),
        "demand": p.demand.iter().map(|d| d.iter().map(|&(dim, c)| [dim.0, c]).collect::<Vec<_>>()).collect::<Vec<_>>(),
        "domain": p.domain.iter().map(|d| serde_json::json!([d.first, d.last])).collect::<Vec<_>>(),
        "dependencies_first": p.dependencies_first,
        "services": services,
    })
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
        for (n, feeds) in [(40, false), (500, false), (40, true), (500, true)] {
            let checked = crate::check_loaded(
                crate::load::load_files(files(Spec { feeds, ..Spec::with_machines(n) })),
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
