//! The BGP announcement engine: which announcements are usable, and, per state, which in-use
//! addresses are carried by how many upstreams.
//!
//! [`Engine::new`] does everything that does not depend on where machines are: which
//! announcements are usable (own space, RPKI, length), and, for every address, the announcements
//! that cover it, longest first. Addresses with the same cover are one *class*, so
//! [`Engine::evaluate`] on a [`State`] only counts addresses per (class, site) and judges each
//! pair once: a plan's 40 states of 20,000 machines cost a few milliseconds.

use std::collections::BTreeMap;
use std::net::IpAddr;

use ipnetwork::IpNetwork;
use rustc_hash::FxHashMap as HashMap;

use super::rpki::{self, RpkiState};
use crate::diag::{Code, Finding, Loc};
use crate::model::{CircuitId, Inventory, PrefixId, ServerId, SiteId};
use crate::net::Lpm;
use crate::num::u32_of;

/// Where every machine is in one state of the world: at a site, or in transit (down).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    /// Per server (vms included): its site, or `None` when in transit or unplaced.
    pub site_of: Vec<Option<SiteId>>,
}

impl State {
    /// The inventory as it is.
    pub(crate) fn current(inv: &Inventory) -> State {
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

/// One prefix announced on one circuit.
#[derive(Clone, Debug)]
pub(crate) struct Announcement {
    /// The BGP session.
    pub(crate) circuit: CircuitId,
    /// What is announced.
    pub(crate) prefix: IpNetwork,
    /// Where it is written (inventory or bgpd.conf).
    pub(crate) loc: Loc,
}

/// Per-announcement facts that do not depend on the state.
#[derive(Clone, Copy, Debug)]
pub(super) struct Facts {
    pub(super) own: bool,
    pub(super) too_specific: bool,
    pub(super) rpki: RpkiState,
}

impl Facts {
    pub(super) fn usable(self) -> bool {
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
    pub(super) inv: &'a Inventory,
    pub(super) anns: Vec<Announcement>,
    pub(super) facts: Vec<Facts>,
    /// Connected component of each site (sites joined by links).
    component: Vec<u32>,
    classes: Vec<Class>,
    /// (server, address, class) for every address inside our own space.
    pub(super) addresses: Vec<(ServerId, IpAddr, u32)>,
}

fn too_specific(p: IpNetwork) -> bool {
    match p {
        IpNetwork::V4(n) => n.prefix() > 24,
        IpNetwork::V6(n) => n.prefix() > 48,
    }
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
    (0..inv.sites.len()).map(|s| u32_of(find(&mut parent, s))).collect()
}

impl<'a> Engine<'a> {
    /// Builds the engine over the effective announcements (see [`super::conf`]), the ROAs in force
    /// (inventory and imported), and any temporary links.
    pub(crate) fn new(
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
            by_prefix.insert(a.prefix, u32_of(i));
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
                        let c = u32_of(classes.len());
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

    /// The RPKI state of announcement `i`.
    pub(crate) fn rpki_state(&self, i: usize) -> RpkiState {
        self.facts[i].rpki
    }

    /// Whether announcement `i` is usable when its circuit is up.
    pub(crate) fn usable(&self, i: usize) -> bool {
        self.facts[i].usable()
    }

    /// Whether a circuit is up in a state: its router is up and at the circuit's site.
    pub(crate) fn circuit_up(&self, c: CircuitId, state: &State) -> bool {
        let circuit = &self.inv.circuits[c.ix()];
        state.site_of.get(circuit.router.ix()).copied().flatten() == Some(circuit.site)
    }

    /// Whether site `a` reaches site `b`.
    pub(crate) fn reaches(&self, a: SiteId, b: SiteId) -> bool {
        self.component[a.ix()] == self.component[b.ix()]
    }

    /// (count, first example) of in-use addresses per (class, site), indexed
    /// `class * nsites + site`.
    fn buckets(&self, state: &State, nsites: usize) -> Vec<(u32, usize)> {
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
        buckets
    }

    /// Every state-dependent finding for `state`: bgp-unannounced, bgp-single-upstream,
    /// bgp-misdirected and bgp-unused, grouped per site prefix (or announcement) and site.
    pub fn evaluate(&self, state: &State) -> Vec<Finding> {
        self.evaluate_reach(state).0
    }

    /// [`Engine::evaluate`], and what the state does to the reach of our space as a whole.
    pub(crate) fn evaluate_reach(&self, state: &State) -> (Vec<Finding>, Reach) {
        let inv = self.inv;
        let nsites = inv.sites.len().max(1);
        let up: Vec<bool> =
            (0..inv.circuits.len()).map(|c| self.circuit_up(CircuitId::from_ix(c), state)).collect();
        let buckets = self.buckets(state, nsites);
        let mut used = vec![false; self.anns.len()];
        // Grouped results: key -> (count, first example address index).
        let mut gaps: BTreeMap<(Code, PrefixId, SiteId), Gap> = BTreeMap::new();
        let mut misdirected: BTreeMap<(u32, SiteId), (u32, usize)> = BTreeMap::new();
        let (mut in_use, mut carried) = (false, false);
        for (b, &(count, example)) in buckets.iter().enumerate() {
            if count == 0 {
                continue;
            }
            in_use = true;
            let site = SiteId::from_ix(b % nsites);
            let j = self.judge(&self.classes[b / nsites], site, &up, state, &mut used);
            let code = if j.carrying.is_empty() {
                Some(Code::BgpUnannounced)
            } else if u32_of(j.carrying.len()) < inv.org.min_upstreams {
                Some(Code::BgpSingleUpstream)
            } else {
                None
            };
            if let Some(code) = code {
                let prefix = self.classes[b / nsites].prefix;
                let e = gaps.entry((code, prefix, site)).or_insert_with(|| Gap {
                    count: 0,
                    example,
                    carrying: j.carrying.clone(),
                    in_transit: Vec::new(),
                });
                e.count += count;
                for c in j.in_transit {
                    let asn = inv.upstreams[inv.circuits[c.ix()].upstream.ix()].asn;
                    if !e.in_transit.contains(&c) && !e.carrying.contains(&asn) {
                        e.in_transit.push(c);
                    }
                }
            }
            if j.carrying.is_empty() {
                continue;
            }
            carried = true;
            if let Some(a) = j.misdirected {
                let e = misdirected.entry((a, site)).or_insert((0, example));
                e.0 += count;
            }
        }
        let mut out = Vec::new();
        for ((code, prefix, site), gap) in gaps {
            out.push(self.gap_finding(code, prefix, site, &gap));
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
        let reach = Reach {
            none_announced: in_use && !carried,
            routers_in_transit: self.routers_in_transit(state),
            circuits_up: (0..up.len()).filter(|&c| up[c]).map(CircuitId::from_ix).collect(),
        };
        (out, reach)
    }

    /// The routers with circuits that are in transit in `state`, in inventory order.
    fn routers_in_transit(&self, state: &State) -> Vec<ServerId> {
        let mut routers: Vec<ServerId> = self
            .inv
            .circuits
            .iter()
            .map(|c| c.router)
            .filter(|r| state.site_of.get(r.ix()).copied().flatten().is_none())
            .collect();
        routers.sort_unstable();
        routers.dedup();
        routers
    }

    /// Judges the in-use addresses of one class at one site: which upstreams carry them, which
    /// announcement (if any) blackholes them, and which circuits would carry them but for a
    /// router in transit. Marks the class's announcements used.
    fn judge(&self, class: &Class, site: SiteId, up: &[bool], state: &State, used: &mut [bool]) -> Judged {
        let inv = self.inv;
        let mut j = Judged { carrying: Vec::new(), misdirected: None, in_transit: Vec::new() };
        let mut longest_seen = false;
        for group in &class.by_len {
            let mut live = false;
            for &a in group {
                used[a as usize] = true;
                if !self.facts[a as usize].usable() {
                    continue;
                }
                let ann = &self.anns[a as usize];
                let c = &inv.circuits[ann.circuit.ix()];
                let reaches = self.reaches(c.site, site);
                if !up[ann.circuit.ix()] {
                    let travelling = state.site_of.get(c.router.ix()).copied().flatten().is_none();
                    if reaches && travelling && !j.in_transit.contains(&ann.circuit) {
                        j.in_transit.push(ann.circuit);
                    }
                    continue;
                }
                live = true;
                if reaches {
                    let asn = inv.upstreams[c.upstream.ix()].asn;
                    if !j.carrying.contains(&asn) {
                        j.carrying.push(asn);
                    }
                } else if !longest_seen && j.misdirected.is_none() {
                    // The longest live announcement is made where these addresses are not.
                    j.misdirected = Some(a);
                }
            }
            longest_seen |= live;
        }
        j
    }
}

/// One (class, site) pair judged by [`Engine::judge`].
struct Judged {
    /// Distinct upstream ASNs carrying the addresses.
    carrying: Vec<u32>,
    /// A usable, up announcement of the longest live length made at a site that does not reach.
    misdirected: Option<u32>,
    /// Circuits with a usable covering announcement that reaches, down because their router
    /// is in transit.
    in_transit: Vec<CircuitId>,
}

/// Addresses of one site prefix at one site with one problem.
pub(super) struct Gap {
    /// In-use addresses.
    pub(super) count: u32,
    /// The first of them (index into the engine's addresses).
    pub(super) example: usize,
    /// Distinct upstream ASNs carrying them.
    pub(super) carrying: Vec<u32>,
    /// Circuits that would add a carrier but whose router is in transit (in the van).
    pub(super) in_transit: Vec<CircuitId>,
}

/// What one state does to the reach of our space as a whole (beyond its findings).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Reach {
    /// Addresses of our own space are in use, and not one of them is announced: the whole
    /// space is unreachable from the internet.
    pub(crate) none_announced: bool,
    /// Routers with circuits that are in transit in this state (in the van).
    pub(crate) routers_in_transit: Vec<ServerId>,
    /// The circuits up in this state (what `dcplan bgp verify` expects sessions on).
    pub(crate) circuits_up: Vec<CircuitId>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::checked_of;

    /// Two routers at `a`, each with one upstream; a host in `a`'s prefix.
    const TWO_ROUTERS: &str = r#"
[org]
asn = 64500
[[site]]
id = "a"
[[site]]
id = "b"
[[upstream]]
id = "ta"
asn = 64501
[[upstream]]
id = "tb"
asn = 64502
[[server]]
id = "r1"
kind = "router"
site = "a"
[[server]]
id = "r2"
kind = "router"
site = "a"
[[server]]
id = "h1"
site = "a"
addresses = ["198.18.0.10"]
[[prefix]]
cidr = "198.18.0.0/24"
site = "a"
[[roa]]
prefix = "198.18.0.0/24"
asn = 64500
[[circuit]]
id = "ta-a"
upstream = "ta"
site = "a"
router = "r1"
announce = ["198.18.0.0/24"]
[[circuit]]
id = "tb-a"
upstream = "tb"
site = "a"
router = "r2"
announce = ["198.18.0.0/24"]
"#;

    fn state_without(c: &crate::Checked, gone: &[&str]) -> State {
        let inv = &c.inventory;
        State::from_physical(inv, |s| {
            if gone.contains(&inv.server(s).id.as_str()) { None } else { inv.server(s).site }
        })
    }

    #[test]
    fn both_routers_in_the_van_leave_everything_unannounced_and_say_so() {
        let c = checked_of(TWO_ROUTERS);
        let engine = c.engine(&[]);
        let (findings, reach) = engine.evaluate_reach(&state_without(&c, &["r1", "r2"]));
        assert!(reach.none_announced);
        let names: Vec<&str> =
            reach.routers_in_transit.iter().map(|&r| c.inventory.server(r).id.as_str()).collect();
        assert_eq!(names, ["r1", "r2"]);
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].code, Code::BgpUnannounced);
        let hint = findings[0].hint.as_deref().unwrap_or_default();
        assert!(hint.starts_with("routers `r1` and `r2` are in the van"), "{hint}");
        assert!(hint.contains("circuits `ta-a` and `tb-a` are down"), "{hint}");
    }

    #[test]
    fn one_router_in_the_van_is_named_as_the_cause_of_a_single_upstream() {
        let c = checked_of(TWO_ROUTERS);
        let engine = c.engine(&[]);
        let (findings, reach) = engine.evaluate_reach(&state_without(&c, &["r2"]));
        assert!(!reach.none_announced);
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].code, Code::BgpSingleUpstream);
        let hint = findings[0].hint.as_deref().unwrap_or_default();
        assert!(
            hint.starts_with("router `r2` is in the van (it moves this night), so circuit `tb-a` is down"),
            "{hint}"
        );
        assert!(!hint.contains("ta-a"), "the circuit that carries is not blamed: {hint}");
    }

    #[test]
    fn without_a_router_in_the_van_none_is_blamed() {
        // The host is in transit too: nothing in use, nothing unannounced.
        let c = checked_of(TWO_ROUTERS);
        let engine = c.engine(&[]);
        let (findings, reach) = engine.evaluate_reach(&state_without(&c, &["h1"]));
        assert!(!reach.none_announced);
        assert!(reach.routers_in_transit.is_empty());
        assert!(findings.iter().all(|f| f.code == Code::BgpUnused), "{findings:?}");
        // Without any router in the van the old hint stands.
        let (findings, _) = engine.evaluate_reach(&state_without(&c, &[]));
        assert!(findings.is_empty(), "{findings:?}");
    }
}
