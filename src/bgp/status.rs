//! `dcplan bgp status`: per own prefix, who carries it and where its most specific announcement lands.

use serde::Serialize;
use tabled::Tabled;

use super::{Engine, State};

/// A row of `dcplan bgp status`: one per own prefix, in the given state.
#[derive(Serialize, Tabled)]
pub(crate) struct StatusRow {
    /// The prefix.
    pub prefix: String,
    /// Its site, or empty for aggregates.
    pub site: String,
    /// Addresses of up machines inside it.
    pub in_use: usize,
    /// Distinct upstreams carrying it to its site (all up circuits, for aggregates).
    #[tabled(display = "crate::render::tables::list")]
    pub upstreams: Vec<String>,
    /// The most specific usable announcement covering it, on an up circuit.
    pub announced_as: String,
    /// Sites where that announcement is made.
    #[tabled(display = "crate::render::tables::list")]
    pub lands_at: Vec<String>,
    /// RPKI state of that announcement.
    pub rpki: String,
}

/// The status of every own prefix in `state`.
pub(crate) fn status(engine: &Engine<'_>, state: &State) -> Vec<StatusRow> {
    let inv = engine.inv;
    inv.prefixes
        .iter()
        .map(|p| {
            let in_use = inv
                .server_ids()
                .filter(|&s| state.site_of[s.ix()].is_some())
                .flat_map(|s| &inv.server(s).addresses)
                .filter(|a| p.cidr.contains(a.value))
                .count();
            // Usable announcements on up circuits that cover the prefix, longest first.
            let mut covering: Vec<usize> = (0..engine.anns.len())
                .filter(|&i| {
                    let a = &engine.anns[i];
                    engine.usable(i)
                        && engine.circuit_up(a.circuit, state)
                        && crate::net::contains(a.prefix, p.cidr)
                })
                .collect();
            covering.sort_by_key(|&i| std::cmp::Reverse(engine.anns[i].prefix.prefix()));
            let mut upstreams: Vec<String> = covering
                .iter()
                .map(|&i| &inv.circuits[engine.anns[i].circuit.ix()])
                .filter(|c| p.site.is_none_or(|s| engine.reaches(c.site, s)))
                .map(|c| {
                    let u = &inv.upstreams[c.upstream.ix()];
                    format!("{} (AS{})", u.id, u.asn)
                })
                .collect();
            upstreams.sort();
            upstreams.dedup();
            let longest = covering.first().map(|&i| engine.anns[i].prefix);
            let mut lands_at: Vec<String> = covering
                .iter()
                .filter(|&&i| Some(engine.anns[i].prefix) == longest)
                .map(|&i| inv.site(inv.circuits[engine.anns[i].circuit.ix()].site).id.clone())
                .collect();
            lands_at.sort();
            lands_at.dedup();
            StatusRow {
                prefix: p.cidr.to_string(),
                site: p.site.map(|s| inv.site(s).id.clone()).unwrap_or_default(),
                in_use,
                upstreams,
                announced_as: longest.map(|l| l.to_string()).unwrap_or_else(|| "-".into()),
                lands_at,
                rpki: covering.first().map_or("-", |&i| engine.rpki_state(i).as_str()).to_owned(),
            }
        })
        .collect()
}
