//! BGP: the announcement engine (which in-use addresses the upstreams carry, per state), the
//! bgpd.conf reader, RPKI, and the inputs read from files.
//!
//! Codes raised here: bgp-unannounced, bgp-single-upstream, bgp-misdirected, bgp-unused
//! (per state); rpki-invalid, rpki-not-found, bgp-too-specific, bgp-not-own (per announcement,
//! once), in [`engine`] and [`findings`]; bgp-config-drift and the bgpd.conf codes in [`inputs`](mod@inputs)
//! and [`conf`]; ROA import and rpki-expiring in [`rpki`].

pub(crate) mod conf;
pub(crate) mod engine;
mod findings;
pub(crate) mod inputs;
pub(crate) mod live;
pub(crate) mod rpki;
pub(crate) mod status;

use std::collections::BTreeMap;

pub(crate) use engine::Reach;
pub use engine::{Engine, State};
pub(crate) use inputs::Inputs;
pub(crate) use inputs::inputs;
pub(crate) use rpki::expiring_roas;

/// What dcplan reads from a bgpd.conf (its text; no includes): per neighbour AS, the prefixes
/// sent (a default route from `export default-route` included), or, when bgpd would refuse
/// the config, the lines it would name. The lab tests compare this with a real bgpd.
#[doc(hidden)]
pub fn read_bgpd_conf(text: &str) -> Result<BTreeMap<u32, Vec<String>>, Vec<usize>> {
    let mut sources = crate::source::Sources::new();
    let file = sources.add("bgpd.conf".into(), text.to_owned());
    let c = conf::parse(file, &mut sources, &mut |_| Err("no includes here".into()));
    if c.invalid {
        let mut lines: Vec<usize> = c
            .skipped
            .iter()
            .filter(|f| f.code == crate::diag::Code::BgpConfigInvalid)
            .filter_map(|f| f.loc.map(|l| sources.line_col(l).line))
            .collect();
        lines.sort_unstable();
        lines.dedup();
        return Err(lines);
    }
    let mut out = BTreeMap::new();
    for asn in c.neighbors.iter().filter_map(|n| n.remote_as) {
        let mut sent: Vec<String> = c.announced_to(asn).into_iter().map(|(p, _)| p.to_string()).collect();
        sent.extend(c.default_routes_to(asn).into_iter().map(|(p, _)| p.to_string()));
        sent.sort();
        out.insert(asn, sent);
    }
    Ok(out)
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
