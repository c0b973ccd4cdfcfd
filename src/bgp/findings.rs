//! The engine's findings as text: per announcement (rpki-invalid, rpki-not-found,
//! bgp-too-specific, bgp-not-own) and per state (bgp-unannounced, bgp-single-upstream,
//! bgp-misdirected).

use std::collections::BTreeMap;
use std::fmt::Write;

use ipnetwork::IpNetwork;

use super::engine::{Engine, Gap};
use super::rpki::RpkiState;
use crate::diag::text::{self, and_list, noun};
use crate::diag::{Code, Finding};
use crate::model::{CircuitId, PrefixId, ServerId, SiteId};

impl Engine<'_> {
    /// Findings about announcements themselves, whatever the state: rpki-invalid,
    /// rpki-not-found, bgp-too-specific, bgp-not-own. One finding per code and prefix, at the
    /// first place it is announced, with the others as related locations.
    pub(crate) fn static_findings(&self) -> Vec<Finding> {
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

    pub(super) fn gap_finding(&self, code: Code, prefix: PrefixId, site: SiteId, gap: &Gap) -> Finding {
        let inv = self.inv;
        let p = &inv.prefixes[prefix.ix()];
        let site_id = &inv.site(site).id;
        let count = gap.count;
        let mut what = format!(
            "{} of {} at site `{site_id}` (e.g. {})",
            text::count(count, "in-use address"),
            p.cidr,
            self.example(gap.example)
        );
        let van = self.in_the_van(&gap.in_transit);
        let hint = match code {
            Code::BgpUnannounced => {
                write!(what, " {} covered by no usable announcement that reaches `{site_id}`", are(count))
                    .ok();
                match van {
                    Some(van) => format!(
                        "{van}: announce {} from a router that stays up at a site linked to `{site_id}`, or move the routers in different nights (a pin)",
                        p.cidr
                    ),
                    None => format!(
                        "announce {} (or a covering prefix) on an up circuit at a site linked to `{site_id}`",
                        p.cidr
                    ),
                }
            }
            _ => {
                write!(
                    what,
                    " {} carried by {} only ({}); org.min_upstreams is {}",
                    are(count),
                    text::count(gap.carrying.len(), "upstream"),
                    self.upstream_names(&gap.carrying),
                    inv.org.min_upstreams
                )
                .ok();
                match van {
                    Some(van) => format!(
                        "{van}, expected while it travels: to keep {} upstreams this night, announce {} through another upstream from a router that stays up",
                        inv.org.min_upstreams, p.cidr
                    ),
                    None => {
                        format!("announce {} (or a covering prefix) through another upstream as well", p.cidr)
                    }
                }
            }
        };
        Finding::new(code, p.loc, what).object("prefix", &p.cidr.to_string()).hint(hint)
    }

    /// `router `r1` is in the van (it moves this night), so circuit `c1` is down`, for the
    /// circuits down because their router is in transit; `None` when there are none.
    fn in_the_van(&self, circuits: &[CircuitId]) -> Option<String> {
        let inv = self.inv;
        let mut routers: Vec<ServerId> = circuits.iter().map(|&c| inv.circuits[c.ix()].router).collect();
        routers.sort_unstable();
        routers.dedup();
        let router_names: Vec<String> = routers.iter().map(|&r| format!("`{}`", inv.server(r).id)).collect();
        let mut circuit_ids: Vec<String> =
            circuits.iter().map(|&c| format!("`{}`", inv.circuits[c.ix()].id)).collect();
        circuit_ids.sort();
        let (nr, nc) = (routers.len(), circuit_ids.len());
        (nr > 0).then(|| {
            format!(
                "{} {} {} in the van ({} this night), so {} {} {} down",
                noun(nr, "router"),
                and_list(&router_names),
                if nr == 1 { "is" } else { "are" },
                if nr == 1 { "it moves" } else { "they move" },
                noun(nc, "circuit"),
                and_list(&circuit_ids),
                if nc == 1 { "is" } else { "are" },
            )
        })
    }

    pub(super) fn misdirected_finding(&self, a: usize, site: SiteId, count: u32, example: usize) -> Finding {
        let inv = self.inv;
        let ann = &self.anns[a];
        let c = &inv.circuits[ann.circuit.ix()];
        let site_id = &inv.site(site).id;
        Finding::new(
            Code::BgpMisdirected,
            ann.loc,
            format!(
                "{} on `{}` at site `{}` is the most specific route for {} at site `{site_id}` (e.g. {}), but `{}` cannot reach `{site_id}`: their traffic is blackholed there",
                ann.prefix,
                c.id,
                inv.site(c.site).id,
                text::count(count, "in-use address"),
                self.example(example),
                inv.site(c.site).id,
            ),
        )
        .object("circuit", &c.id)
        .hint(format!("withdraw {} at `{}`, or link `{}` and `{site_id}`", ann.prefix, inv.site(c.site).id, inv.site(c.site).id))
    }
}

fn are(n: u32) -> &'static str {
    if n == 1 { "is" } else { "are" }
}
