//! The BGP announcement engine (DESIGN.md section 3, "BGP announcement semantics").
//!
//! [`Engine::new`] does everything that does not depend on where machines are: which
//! announcements are usable (own space, RPKI, length), and, for every address, the announcements
//! that cover it, longest first. Addresses with the same cover are one *class*, so
//! [`Engine::evaluate`] on a [`State`] only counts addresses per (class, site) and judges each
//! pair once: a plan's 40 states of 20,000 machines cost a few milliseconds.
//!
//! Codes raised here: bgp-unannounced, bgp-single-upstream, bgp-misdirected, bgp-unused
//! (per state); rpki-invalid, rpki-not-found, bgp-too-specific, bgp-not-own (per announcement,
//! once). bgp-config-drift and the bgpd.conf codes live in [`conf`]; ROA import in [`rpki`].

pub mod conf;
pub mod render;
pub mod rpki;

use std::collections::BTreeMap;
use std::fmt::Write;
use std::net::IpAddr;

use ipnetwork::IpNetwork;
use rustc_hash::FxHashMap as HashMap;

use crate::diag::{Code, Finding, Loc};
use crate::model::{CircuitId, Inventory, PrefixId, ServerId, SiteId};
use crate::net::Lpm;
use rpki::RpkiState;

/// Where every machine is in one state of the world: at a site, or in transit (down).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    /// Per server (vms included): its site, or `None` when in transit or unplaced.
    pub site_of: Vec<Option<SiteId>>,
}

impl State {
    /// The inventory as it is.
    pub fn current(inv: &Inventory) -> State {
        State { site_of: inv.servers.iter().map(|s| s.site).collect() }
    }

    /// A state from the place of each physical machine; vms follow their host.
    pub fn from_physical(inv: &Inventory, mut place: impl FnMut(ServerId) -> Option<SiteId>) -> State {
        let mut site_of: Vec<Option<SiteId>> = inv.server_ids().map(&mut place).collect();
        for (i, s) in inv.servers.iter().enumerate() {
            if let Some(h) = s.host {
                site_of[i] = site_of[h.ix()];
            }
        }
        State { site_of }
    }
}

/// Where an announcement was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The circuit's `announce` list.
    Inventory,
    /// The router's bgpd.conf.
    Config,
}

/// One prefix announced on one circuit.
#[derive(Clone, Debug)]
pub struct Announcement {
    /// The BGP session.
    pub circuit: CircuitId,
    /// What is announced.
    pub prefix: IpNetwork,
    /// Where it is written (inventory or bgpd.conf).
    pub loc: Loc,
    /// Which of the two.
    pub origin: Origin,
}

/// Per-announcement facts that do not depend on the state.
#[derive(Clone, Copy, Debug)]
struct Facts {
    own: bool,
    too_specific: bool,
    rpki: RpkiState,
}

impl Facts {
    fn usable(self) -> bool {
        self.own && !self.too_specific && self.rpki != RpkiState::Invalid
    }
}

/// Addresses that the same announcements cover, in the same own prefix.
struct Class {
    /// Covering announcements, grouped by prefix length, longest first.
    by_len: Vec<Vec<u32>>,
    /// The most specific own prefix holding the addresses (where findings point).
    prefix: PrefixId,
}

/// The precomputed engine; see the module documentation.
pub struct Engine<'a> {
    inv: &'a Inventory,
    anns: Vec<Announcement>,
    facts: Vec<Facts>,
    /// Connected component of each site (sites joined by links).
    component: Vec<u32>,
    classes: Vec<Class>,
    /// (server, address, class) for every address inside our own space.
    addresses: Vec<(ServerId, IpAddr, u32)>,
}

fn too_specific(p: IpNetwork) -> bool {
    match p {
        IpNetwork::V4(n) => n.prefix() > 24,
        IpNetwork::V6(n) => n.prefix() > 48,
    }
}

/// The announcements of every circuit from the inventory's `announce` lists.
pub fn inventory_announcements(inv: &Inventory) -> Vec<Announcement> {
    let mut out = Vec::new();
    for (i, c) in inv.circuits.iter().enumerate() {
        for a in &c.announce {
            out.push(Announcement {
                circuit: CircuitId::from_ix(i),
                prefix: a.value,
                loc: a.loc,
                origin: Origin::Inventory,
            });
        }
    }
    out
}

/// Site components: sites joined by a chain of links share one.
fn components(inv: &Inventory, extra_links: &[Vec<SiteId>]) -> Vec<u32> {
    let mut parent: Vec<usize> = (0..inv.sites.len()).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    let links = inv.links.iter().map(|l| l.sites.as_slice()).chain(extra_links.iter().map(Vec::as_slice));
    for sites in links {
        for w in sites.windows(2) {
            let (a, b) = (find(&mut parent, w[0].ix()), find(&mut parent, w[1].ix()));
            parent[a] = b;
        }
    }
    (0..inv.sites.len()).map(|s| find(&mut parent, s) as u32).collect()
}

impl<'a> Engine<'a> {
    /// Builds the engine over the effective announcements (see [`conf`]), the ROAs in force
    /// (inventory and imported), and any temporary links.
    pub fn new(
        inv: &'a Inventory,
        anns: Vec<Announcement>,
        roas: &[crate::model::Roa],
        extra_links: &[Vec<SiteId>],
    ) -> Engine<'a> {
        let mut own: Lpm<PrefixId> = Lpm::new();
        for (i, p) in inv.prefixes.iter().enumerate() {
            own.insert(p.cidr, PrefixId::from_ix(i));
        }
        let validator = rpki::Validator::new(roas, inv.org.asn);
        let facts = anns
            .iter()
            .map(|a| Facts {
                own: own.matches(a.prefix.network()).any(|(len, _)| len <= a.prefix.prefix()),
                too_specific: too_specific(a.prefix),
                rpki: validator.state(a.prefix),
            })
            .collect();
        let mut by_prefix: Lpm<u32> = Lpm::new();
        for (i, a) in anns.iter().enumerate() {
            by_prefix.insert(a.prefix, i as u32);
        }
        let mut class_of: HashMap<(Vec<Vec<u32>>, PrefixId), u32> = HashMap::default();
        let mut classes = Vec::new();
        let mut addresses = Vec::new();
        for id in inv.server_ids() {
            for a in &inv.server(id).addresses {
                let Some(&[prefix, ..]) = own.longest(a.value) else { continue };
                let by_len: Vec<Vec<u32>> = by_prefix.matches(a.value).map(|(_, v)| v.to_vec()).collect();
                let key = (by_len, prefix);
                let class = match class_of.get(&key) {
                    Some(&c) => c,
                    None => {
                        let c = classes.len() as u32;
                        classes.push(Class { by_len: key.0.clone(), prefix });
                        class_of.insert(key, c);
                        c
                    }
                };
                addresses.push((id, a.value, class));
            }
        }
        Engine { inv, anns, facts, component: components(inv, extra_links), classes, addresses }
    }

    /// The announcements the engine judges.
    pub fn announcements(&self) -> &[Announcement] {
        &self.anns
    }

    /// The RPKI state of announcement `i`.
    pub fn rpki_state(&self, i: usize) -> RpkiState {
        self.facts[i].rpki
    }

    /// Whether announcement `i` is usable when its circuit is up.
    pub fn usable(&self, i: usize) -> bool {
        self.facts[i].usable()
    }

    /// Whether a circuit is up in a state: its router is up and at the circuit's site.
    pub fn circuit_up(&self, c: CircuitId, state: &State) -> bool {
        let circuit = &self.inv.circuits[c.ix()];
        state.site_of.get(circuit.router.ix()).copied().flatten() == Some(circuit.site)
    }

    /// Whether site `a` reaches site `b`.
    pub fn reaches(&self, a: SiteId, b: SiteId) -> bool {
        self.component[a.ix()] == self.component[b.ix()]
    }

    /// Findings about announcements themselves, whatever the state: rpki-invalid,
    /// rpki-not-found, bgp-too-specific, bgp-not-own. One finding per code and prefix, at the
    /// first place it is announced, with the others as related locations.
    pub fn static_findings(&self) -> Vec<Finding> {
        let mut groups: BTreeMap<(Code, IpNetwork), Vec<usize>> = BTreeMap::new();
        for (i, f) in self.facts.iter().enumerate() {
            let p = self.anns[i].prefix;
            if !f.own {
                groups.entry((Code::BgpNotOwn, p)).or_default().push(i);
            }
            if f.too_specific {
                groups.entry((Code::BgpTooSpecific, p)).or_default().push(i);
            }
            match f.rpki {
                RpkiState::Invalid => groups.entry((Code::RpkiInvalid, p)).or_default().push(i),
                RpkiState::NotFound if f.own => groups.entry((Code::RpkiNotFound, p)).or_default().push(i),
                _ => {}
            }
        }
        groups
            .into_iter()
            .map(|((code, prefix), anns)| {
                let circuits: Vec<&str> =
                    anns.iter().map(|&i| self.inv.circuits[self.anns[i].circuit.ix()].id.as_str()).collect();
                let on = format!("{prefix} announced on {}", circuits.join(", "));
                let (message, hint) = match code {
                    Code::BgpNotOwn => (
                        format!("{on} is not inside our own space"),
                        "add the [[prefix]] if the space is ours, or stop announcing it".to_owned(),
                    ),
                    Code::BgpTooSpecific => (
                        format!(
                            "{on} is longer than /{} and widely filtered",
                            if prefix.is_ipv4() { 24 } else { 48 }
                        ),
                        "announce the covering /24 (IPv4) or /48 (IPv6)".to_owned(),
                    ),
                    Code::RpkiInvalid => (
                        format!(
                            "{on} is RPKI-invalid: no ROA for AS{} with a max_length of at least {}",
                            self.inv.org.asn,
                            prefix.prefix()
                        ),
                        "publish a matching ROA, or fix max_length / the origin AS of the existing one"
                            .to_owned(),
                    ),
                    _ => (
                        format!("{on} is covered by no ROA (RPKI not-found)"),
                        format!("publish a ROA for {prefix} with origin AS{}", self.inv.org.asn),
                    ),
                };
                let first = &self.anns[anns[0]];
                let circuit = &self.inv.circuits[first.circuit.ix()];
                let mut f = Finding::new(code, first.loc, message).object("circuit", &circuit.id).hint(hint);
                for &i in &anns[1..] {
                    let c = &self.inv.circuits[self.anns[i].circuit.ix()];
                    f = f.related(self.anns[i].loc, format!("also announced on `{}`", c.id));
                }
                f
            })
            .collect()
    }

    /// Every state-dependent finding for `state`: bgp-unannounced, bgp-single-upstream,
    /// bgp-misdirected and bgp-unused, grouped per site prefix (or announcement) and site.
    pub fn evaluate(&self, state: &State) -> Vec<Finding> {
        let inv = self.inv;
        let nsites = inv.sites.len().max(1);
        let up: Vec<bool> =
            (0..inv.circuits.len()).map(|c| self.circuit_up(CircuitId::from_ix(c), state)).collect();
        // (count, first example) per (class, site).
        let mut buckets: Vec<(u32, usize)> = vec![(0, 0); self.classes.len() * nsites];
        for (i, &(server, _, class)) in self.addresses.iter().enumerate() {
            if let Some(site) = state.site_of[server.ix()] {
                let b = &mut buckets[class as usize * nsites + site.ix()];
                if b.0 == 0 {
                    b.1 = i;
                }
                b.0 += 1;
            }
        }
        let mut used = vec![false; self.anns.len()];
        // Grouped results: key -> (count, first example address index).
        let mut gaps: BTreeMap<(Code, PrefixId, SiteId), Gap> = BTreeMap::new();
        let mut misdirected: BTreeMap<(u32, SiteId), (u32, usize)> = BTreeMap::new();
        for (b, &(count, example)) in buckets.iter().enumerate() {
            if count == 0 {
                continue;
            }
            let class = &self.classes[b / nsites];
            let site = SiteId::from_ix(b % nsites);
            let mut carrying: Vec<u32> = Vec::new();
            let mut longest: Option<&Vec<u32>> = None;
            for group in &class.by_len {
                for &a in group {
                    used[a as usize] = true;
                }
                let live: Vec<u32> = group
                    .iter()
                    .copied()
                    .filter(|&a| self.facts[a as usize].usable() && up[self.anns[a as usize].circuit.ix()])
                    .collect();
                if live.is_empty() {
                    continue;
                }
                if longest.is_none() {
                    longest = Some(group);
                }
                for a in live {
                    let c = &inv.circuits[self.anns[a as usize].circuit.ix()];
                    if self.reaches(c.site, site) {
                        let asn = inv.upstreams[c.upstream.ix()].asn;
                        if !carrying.contains(&asn) {
                            carrying.push(asn);
                        }
                    }
                }
            }
            let code = if carrying.is_empty() {
                Some(Code::BgpUnannounced)
            } else if (carrying.len() as u32) < inv.org.min_upstreams {
                Some(Code::BgpSingleUpstream)
            } else {
                None
            };
            if let Some(code) = code {
                let e = gaps.entry((code, class.prefix, site)).or_insert((0, example, carrying.clone()));
                e.0 += count;
            }
            if carrying.is_empty() {
                continue;
            }
            if let Some(group) = longest {
                let wrong = group.iter().copied().find(|&a| {
                    let ann = &self.anns[a as usize];
                    self.facts[a as usize].usable()
                        && up[ann.circuit.ix()]
                        && !self.reaches(inv.circuits[ann.circuit.ix()].site, site)
                });
                if let Some(a) = wrong {
                    let e = misdirected.entry((a, site)).or_insert((0, example));
                    e.0 += count;
                }
            }
        }
        let mut out = Vec::new();
        for ((code, prefix, site), (count, example, carrying)) in gaps {
            out.push(self.gap_finding(code, prefix, site, count, example, &carrying));
        }
        for ((a, site), (count, example)) in misdirected {
            out.push(self.misdirected_finding(a as usize, site, count, example));
        }
        for (i, ann) in self.anns.iter().enumerate() {
            if !used[i] && up[ann.circuit.ix()] {
                let c = &inv.circuits[ann.circuit.ix()];
                out.push(
                    Finding::new(
                        Code::BgpUnused,
                        ann.loc,
                        format!("{} announced on `{}` covers no in-use address", ann.prefix, c.id),
                    )
                    .object("circuit", &c.id),
                );
            }
        }
        out
    }

    fn example(&self, i: usize) -> String {
        let (server, ip, _) = self.addresses[i];
        format!("{ip} on `{}`", self.inv.server(server).id)
    }

    fn upstream_names(&self, asns: &[u32]) -> String {
        let mut names: Vec<String> = asns
            .iter()
            .map(|&asn| {
                let ids: Vec<&str> =
                    self.inv.upstreams.iter().filter(|u| u.asn == asn).map(|u| u.id.as_str()).collect();
                format!("{} (AS{asn})", ids.join("/"))
            })
            .collect();
        names.sort();
        names.join(", ")
    }

    fn gap_finding(
        &self,
        code: Code,
        prefix: PrefixId,
        site: SiteId,
        count: u32,
        example: usize,
        carrying: &[u32],
    ) -> Finding {
        let inv = self.inv;
        let p = &inv.prefixes[prefix.ix()];
        let site_id = &inv.site(site).id;
        let mut what = format!(
            "{count} in-use address{} of {} at site `{site_id}` (e.g. {})",
            plural(count),
            p.cidr,
            self.example(example)
        );
        let hint = match code {
            Code::BgpUnannounced => {
                write!(what, " {} covered by no usable announcement that reaches `{site_id}`", are(count))
                    .ok();
                format!(
                    "announce {} (or a covering prefix) on an up circuit at a site linked to `{site_id}`",
                    p.cidr
                )
            }
            _ => {
                write!(
                    what,
                    " {} carried by {} upstream{} only ({}); org.min_upstreams is {}",
                    are(count),
                    carrying.len(),
                    if carrying.len() == 1 { "" } else { "s" },
                    self.upstream_names(carrying),
                    inv.org.min_upstreams
                )
                .ok();
                format!("announce {} (or a covering prefix) through another upstream as well", p.cidr)
            }
        };
        Finding::new(code, p.loc, what).object("prefix", &p.cidr.to_string()).hint(hint)
    }

    fn misdirected_finding(&self, a: usize, site: SiteId, count: u32, example: usize) -> Finding {
        let inv = self.inv;
        let ann = &self.anns[a];
        let c = &inv.circuits[ann.circuit.ix()];
        let site_id = &inv.site(site).id;
        Finding::new(
            Code::BgpMisdirected,
            ann.loc,
            format!(
                "{} on `{}` at site `{}` is the most specific route for {count} in-use address{} at site `{site_id}` (e.g. {}), but `{}` cannot reach `{site_id}`: their traffic is blackholed there",
                ann.prefix,
                c.id,
                inv.site(c.site).id,
                plural(count),
                self.example(example),
                inv.site(c.site).id,
            ),
        )
        .object("circuit", &c.id)
        .hint(format!("withdraw {} at `{}`, or link `{}` and `{site_id}`", ann.prefix, inv.site(c.site).id, inv.site(c.site).id))
    }
}

/// Addresses of one site prefix at one site with one problem: count, first example, carriers.
type Gap = (u32, usize, Vec<u32>);

fn plural(n: u32) -> &'static str {
    if n == 1 { "" } else { "es" }
}

fn are(n: u32) -> &'static str {
    if n == 1 { "is" } else { "are" }
}

/// What the engine is built from, derived once from the inventory: the effective
/// announcements (bgpd.conf where a circuit names one) and the ROAs in force.
#[derive(Clone, Debug, Default)]
pub struct Inputs {
    /// Effective announcements.
    pub announcements: Vec<Announcement>,
    /// ROAs from the inventory and from `--roas`.
    pub roas: Vec<crate::model::Roa>,
}

/// Reads the router configs that circuits name and the `--roas` export, reporting
/// bgp-config-drift, bgp-config-unsupported and read errors.
pub fn inputs(
    inv: &Inventory,
    root: &crate::load::Root,
    sources: &mut crate::source::Sources,
    roas_file: Option<&std::path::Path>,
    findings: &mut Vec<Finding>,
) -> Inputs {
    let mut confs: BTreeMap<String, Option<conf::Conf>> = BTreeMap::new();
    let mut announcements = Vec::new();
    for (i, c) in inv.circuits.iter().enumerate() {
        let id = CircuitId::from_ix(i);
        let Some(path) = &c.config else {
            announcements.extend(c.announce.iter().map(|a| Announcement {
                circuit: id,
                prefix: a.value,
                loc: a.loc,
                origin: Origin::Inventory,
            }));
            continue;
        };
        let conf = confs.entry(path.value.clone()).or_insert_with(|| {
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
            let dir = std::path::Path::new(&path.value)
                .parent()
                .map(std::path::Path::to_path_buf)
                .unwrap_or_default();
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
        });
        let Some(conf) = conf else { continue };
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
            continue;
        }
        let from_conf = conf.announced_to(upstream.asn);
        for &(p, loc) in &from_conf {
            if !c.announce.iter().any(|a| a.value == p) {
                findings.push(
                    Finding::new(
                        Code::BgpConfigDrift,
                        loc,
                        format!("{} announces {p} to AS{} (circuit `{}`), but the circuit's `announce` does not list it", path.value, upstream.asn, c.id),
                    )
                    .object("circuit", &c.id)
                    .related(c.loc, format!("circuit `{}` declared here", c.id)),
                );
            }
            announcements.push(Announcement { circuit: id, prefix: p, loc, origin: Origin::Config });
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

/// rpki-expiring: imported ROAs that expire before `horizon` (unix seconds), which the
/// message calls `horizon_label` ("now", "the last move window").
pub fn expiring_roas(roas: &[crate::model::Roa], horizon: i64, horizon_label: &str) -> Vec<Finding> {
    let mut by_prefix: BTreeMap<(IpNetwork, u32), i64> = BTreeMap::new();
    for r in roas {
        if let Some(exp) = r.expires.filter(|&e| e < horizon) {
            by_prefix.entry((r.prefix, r.asn)).and_modify(|e| *e = (*e).min(exp)).or_insert(exp);
        }
    }
    by_prefix
        .into_iter()
        .map(|((prefix, asn), exp)| {
            let when = jiff::Timestamp::from_second(exp)
                .map_or_else(|_| format!("at unix time {exp}"), |t| t.to_string());
            Finding::unplaced(
                Code::RpkiExpiring,
                format!("the ROA for {prefix} (AS{asn}) expires {when}, before {horizon_label}"),
            )
            .hint("renew the ROA before the move")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use proptest::prelude::*;

    use crate::diag::Code;
    use crate::testutil::all_findings_of;

    /// A small random inventory: sites all linked, routers, circuits of random upstreams
    /// announcing random prefixes (own, too specific, foreign), hosts in the site prefixes.
    fn inventory(
        circuits: &[(usize, usize, usize, Vec<usize>)],
        hosts: &[(usize, u8)],
        min_up: u8,
    ) -> String {
        let sites = ["a", "b", "c"];
        let candidates = [
            "198.18.0.0/22",
            "198.18.0.0/24",
            "198.18.1.0/24",
            "198.18.2.0/24",
            "198.18.0.0/25",
            "203.0.113.0/24",
        ];
        let mut s = format!(
            "[org]\nasn = 64500\nmin_upstreams = {min_up}\n[[link]]\nsites = [\"a\", \"b\", \"c\"]\n"
        );
        for (i, site) in sites.iter().enumerate() {
            s += &format!(
                "[[site]]\nid = \"{site}\"\n[[prefix]]\ncidr = \"198.18.{i}.0/24\"\nsite = \"{site}\"\n"
            );
            s += &format!("[[server]]\nid = \"r{i}\"\nkind = \"router\"\nsite = \"{site}\"\n");
        }
        s += "[[prefix]]\ncidr = \"198.18.0.0/22\"\n[[roa]]\nprefix = \"198.18.0.0/22\"\nmax_length = 24\nasn = 64500\n";
        for u in 0..3 {
            s += &format!("[[upstream]]\nid = \"u{u}\"\nasn = {}\n", 64501 + u);
        }
        for (n, (up, site, router, anns)) in circuits.iter().enumerate() {
            let anns: Vec<String> =
                anns.iter().map(|&a| format!("\"{}\"", candidates[a % candidates.len()])).collect();
            s += &format!(
                "[[circuit]]\nid = \"c{n}\"\nupstream = \"u{}\"\nsite = \"{}\"\nrouter = \"r{}\"\nannounce = [{}]\n",
                up % 3,
                sites[site % 3],
                router % 3,
                anns.join(", ")
            );
        }
        for (n, (site, host)) in hosts.iter().enumerate() {
            let site = site % 3;
            s += &format!(
                "[[server]]\nid = \"h{n}\"\nsite = \"{}\"\naddresses = [\"198.18.{site}.{}\"]\n",
                sites[site],
                host % 200 + 1
            );
        }
        s
    }

    fn keys(toml: &str) -> BTreeSet<(Code, Option<String>)> {
        all_findings_of(toml).into_iter().map(|f| (f.code, f.object)).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        /// Adding an independent upstream that announces the (RPKI-valid) aggregate from a
        /// site that reaches every host never adds a finding.
        #[test]
        fn another_upstream_never_hurts(
            circuits in proptest::collection::vec((0usize..3, 0usize..3, 0usize..3, proptest::collection::vec(0usize..6, 0..4)), 0..4),
            hosts in proptest::collection::vec((0usize..3, any::<u8>()), 1..6),
            min_up in 1u8..4,
        ) {
            let base = inventory(&circuits, &hosts, min_up);
            let more = format!(
                "{base}[[upstream]]\nid = \"extra\"\nasn = 64510\n[[server]]\nid = \"rx\"\nkind = \"router\"\nsite = \"a\"\n[[circuit]]\nid = \"extra-a\"\nupstream = \"extra\"\nsite = \"a\"\nrouter = \"rx\"\nannounce = [\"198.18.0.0/22\"]\n"
            );
            let before = keys(&base);
            let after = keys(&more);
            // An unannounced prefix may become single-upstream: better, not a new problem.
            let added: Vec<_> = after
                .difference(&before)
                .filter(|(code, obj)| !(*code == Code::BgpSingleUpstream && before.contains(&(Code::BgpUnannounced, obj.clone()))))
                .collect();
            prop_assert!(added.is_empty(), "added: {added:?}");
        }
    }
}
