//! Address rules: ip-duplicate, ip-outside-own-space, ip-wrong-site, ip-reserved, prefix-overlap.

use rustc_hash::FxHashMap as HashMap;
use std::net::IpAddr;

use crate::diag::{Code, Finding, Loc, text};
use crate::model::{Inventory, PrefixId, ServerId};
use crate::net::{self, Lpm};

/// The site subnets (prefixes with a site, one or several), for the subnet an address is in.
pub(crate) fn site_subnets(inv: &Inventory) -> Lpm<PrefixId> {
    let mut sites = Lpm::new();
    for (i, p) in inv.prefixes.iter().enumerate() {
        if p.site.is_some() {
            sites.insert(p.cidr, PrefixId::from_ix(i));
        }
    }
    sites
}

/// Checks every address and every site prefix.
pub(super) fn check(inv: &Inventory, out: &mut Vec<Finding>) {
    let mut own: Lpm<PrefixId> = Lpm::new();
    for (i, p) in inv.prefixes.iter().enumerate() {
        own.insert(p.cidr, PrefixId::from_ix(i));
    }
    let sites = site_subnets(inv);
    prefix_overlaps(inv, out);
    // With a prefix that could not be loaded (its own finding says why), which subnet an
    // address is in is not known: only duplicates are certain.
    let prefixes_known = !inv.lost.contains(&crate::raw::Table::Prefix);
    let mut seen: HashMap<IpAddr, (ServerId, Loc)> = HashMap::default();
    for id in inv.server_ids() {
        let sv = inv.server(id);
        for a in &sv.addresses {
            let ip = a.value;
            if let Some((first, floc)) = seen.get(&ip) {
                let other = &inv.server(*first).id;
                out.push(
                    Finding::new(
                        Code::IpDuplicate,
                        a.loc,
                        format!("address {ip} of `{}` is also on `{other}`", sv.id),
                    )
                    .object("server", &sv.id)
                    .related(*floc, format!("also used here, by `{other}`")),
                );
                continue;
            }
            seen.insert(ip, (id, a.loc));
            if !prefixes_known {
                continue;
            }
            if own.longest(ip).is_none() {
                out.push(
                    Finding::new(
                        Code::IpOutsideOwnSpace,
                        a.loc,
                        format!("address {ip} of `{}` is outside our own space", sv.id),
                    )
                    .object("server", &sv.id)
                    .hint("add the covering [[prefix]], or renumber the machine"),
                );
                continue;
            }
            let Some(&[p, ..]) = sites.longest(ip) else { continue };
            let prefix = &inv.prefixes[p.ix()];
            if let Some(have) = sv.site
                && !prefix.sites.is_empty()
                && !prefix.sites.contains(&have)
            {
                let names = text::backticked(prefix.sites.iter().map(|&s| &inv.site(s).id));
                out.push(
                    Finding::new(
                        Code::IpWrongSite,
                        a.loc,
                        format!(
                            "address {ip} of `{}` (at site `{}`) is in {}, the subnet of {} {names}",
                            sv.id,
                            inv.site(have).id,
                            prefix.cidr,
                            text::noun(prefix.sites.len(), "site"),
                        ),
                    )
                    .object("server", &sv.id)
                    .related(prefix.loc, "subnet declared here"),
                );
            }
            if let (IpAddr::V4(a4), ipnetwork::IpNetwork::V4(n4)) = (ip, prefix.cidr)
                && n4.prefix() < 31
                && (a4 == n4.network() || a4 == n4.broadcast())
            {
                let what = if a4 == n4.network() { "network" } else { "broadcast" };
                out.push(
                    Finding::new(
                        Code::IpReserved,
                        a.loc,
                        format!("address {ip} of `{}` is the {what} address of {}", sv.id, prefix.cidr),
                    )
                    .object("server", &sv.id)
                    .related(prefix.loc, "subnet declared here"),
                );
            }
        }
    }
}

/// Site prefixes sorted by first address; each is compared with the one reaching furthest so far.
fn prefix_overlaps(inv: &Inventory, out: &mut Vec<Finding>) {
    let mut site_prefixes: Vec<(net::Key, net::Key, usize)> = inv
        .prefixes
        .iter()
        .enumerate()
        .filter(|(_, p)| p.site.is_some())
        .map(|(i, p)| {
            let (lo, hi) = net::range(p.cidr);
            (lo, hi, i)
        })
        .collect();
    site_prefixes.sort();
    let mut furthest: Option<(net::Key, usize)> = None;
    for &(lo, hi, i) in &site_prefixes {
        if let Some((fhi, j)) = furthest
            && fhi.v6 == lo.v6
            && lo.bits <= fhi.bits
        {
            let (a, b) = (&inv.prefixes[i], &inv.prefixes[j]);
            out.push(
                Finding::new(
                    Code::PrefixOverlap,
                    a.loc,
                    format!("site prefix {} overlaps site prefix {}", a.cidr, b.cidr),
                )
                .object("prefix", &a.cidr.to_string())
                .related(b.loc, format!("{} declared here", b.cidr))
                .hint("site subnets must be disjoint; aggregates (no `site`) may contain them"),
            );
        }
        if furthest.is_none_or(|(fhi, _)| fhi.v6 != hi.v6 || hi.bits > fhi.bits) {
            furthest = Some((hi, i));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::diag::Code;
    use crate::testutil::codes_of;

    const BASE: &str = "[[site]]\nid = \"s\"\n[[site]]\nid = \"t\"\n\
        [[prefix]]\ncidr = \"198.18.0.0/15\"\n\
        [[prefix]]\ncidr = \"198.18.1.0/24\"\nsite = \"s\"\n\
        [[prefix]]\ncidr = \"198.18.2.0/24\"\nsite = \"t\"\n\
        [[prefix]]\ncidr = \"2001:db8:1::/48\"\nsite = \"s\"\n";

    fn with(servers: &str) -> Vec<Code> {
        codes_of(&format!("{BASE}{servers}"))
    }

    #[test]
    fn good_addresses_are_quiet() {
        assert_eq!(
            with(
                "[[server]]\nid = \"a\"\nsite = \"s\"\naddresses = [\"198.18.1.1\", \"198.18.1.254\", \"2001:db8:1::\", \"198.19.0.0\"]\n"
            ),
            vec![]
        );
    }

    #[test]
    fn each_address_rule() {
        assert_eq!(
            with("[[server]]\nid = \"a\"\nsite = \"s\"\naddresses = [\"198.18.1.0\"]\n"),
            vec![Code::IpReserved]
        );
        assert_eq!(
            with("[[server]]\nid = \"a\"\nsite = \"s\"\naddresses = [\"198.18.1.255\"]\n"),
            vec![Code::IpReserved]
        );
        assert_eq!(
            with("[[server]]\nid = \"a\"\nsite = \"s\"\naddresses = [\"198.18.2.5\"]\n"),
            vec![Code::IpWrongSite]
        );
        assert_eq!(
            with("[[server]]\nid = \"a\"\nsite = \"s\"\naddresses = [\"203.0.113.5\"]\n"),
            vec![Code::IpOutsideOwnSpace]
        );
        assert_eq!(
            with(
                "[[server]]\nid = \"a\"\nsite = \"s\"\naddresses = [\"198.18.1.5\"]\n[[server]]\nid = \"b\"\nsite = \"s\"\naddresses = [\"198.18.1.5\"]\n"
            ),
            vec![Code::IpDuplicate]
        );
    }

    #[test]
    fn overlapping_site_prefixes() {
        let extra =
            "[[prefix]]\ncidr = \"198.18.1.128/25\"\nsite = \"t\"\n[[prefix]]\ncidr = \"198.18.0.0/16\"\n";
        assert_eq!(with(extra), vec![Code::PrefixOverlap]);
        let same_start = "[[prefix]]\ncidr = \"198.18.2.0/25\"\nsite = \"t\"\n";
        assert_eq!(with(same_start), vec![Code::PrefixOverlap]);
    }
}
