//! Our space and how it is announced: prefixes, upstreams, circuits, links and ROAs.

use rustc_hash::FxHashMap as HashMap;
use toml::Spanned;

use super::{Owner, Resolver, loc_of, parse_cidr};
use crate::diag::{Code, Finding, Loc};
use crate::model::*;
use crate::raw::{self, Table};

impl Resolver<'_> {
    pub(super) fn prefixes(&mut self, prefixes: Vec<(Loc, raw::Prefix)>, inv: &mut Inventory) {
        for (loc, p) in prefixes {
            let text = p.cidr.get_ref().clone();
            let owner = Owner(Table::Prefix, &text);
            let sites = self.prefix_sites(loc, owner, &p, &inv.index);
            match parse_cidr(&text) {
                Ok(cidr) => inv.prefixes.push(Prefix {
                    cidr,
                    site: sites.first().copied(),
                    sites,
                    description: p.description.unwrap_or_default(),
                    loc,
                }),
                Err(e) => {
                    self.invalid(loc_of(loc, &p.cidr), owner, e);
                    inv.lost.insert(Table::Prefix);
                }
            }
        }
    }

    /// `site`, or the `sites` of a stretched subnet (not both).
    fn prefix_sites(&mut self, loc: Loc, owner: Owner<'_>, p: &raw::Prefix, index: &Index) -> Vec<SiteId> {
        let mut written: Vec<&Spanned<String>> = p.site.iter().collect();
        if let Some(list) = &p.sites {
            if p.site.is_some() {
                self.invalid(loc_of(loc, list), owner, "a prefix has `site` or `sites`, not both");
            } else if list.get_ref().is_empty() {
                self.invalid(loc_of(loc, list), owner, "`sites` lists no site (omit it for an aggregate)");
            }
            written.extend(list.get_ref());
        }
        let mut sites = Vec::new();
        for s in written {
            let field = if p.sites.is_some() && p.site.is_none() { "sites" } else { "site" };
            if let Some(site) = self.reference::<SiteId>(loc, owner, field, s, index)
                && !sites.contains(&site)
            {
                sites.push(site);
            }
        }
        sites
    }

    pub(super) fn upstreams(&mut self, ups: Vec<(Loc, raw::Upstream)>, inv: &mut Inventory) {
        let mut locs = HashMap::default();
        for (loc, u) in ups {
            let next = UpstreamId::from_ix(inv.upstreams.len());
            if self.declare(&u.id, loc, inv, &mut locs, next) {
                inv.upstreams.push(Upstream { id: u.id.into_inner(), asn: u.asn.into_inner() });
            }
        }
    }

    pub(super) fn circuits(&mut self, circuits: Vec<(Loc, raw::Circuit)>, inv: &mut Inventory) {
        let mut locs = HashMap::default();
        for (loc, c) in circuits {
            let next = CircuitId::from_ix(inv.circuits.len());
            if !self.declare(&c.id, loc, inv, &mut locs, next) {
                continue;
            }
            let id = c.id.get_ref().clone();
            match self.circuit(loc, &id, &c, inv) {
                Some(circuit) => inv.circuits.push(circuit),
                None => {
                    inv.index.circuits.remove(&id);
                    inv.lost.insert(Table::Circuit);
                }
            }
        }
    }

    /// One circuit; `None` when its upstream, site or router cannot be used.
    fn circuit(&mut self, loc: Loc, id: &str, c: &raw::Circuit, inv: &Inventory) -> Option<Circuit> {
        let owner = Owner(Table::Circuit, id);
        let upstream = self.reference::<UpstreamId>(loc, owner, "upstream", &c.upstream, &inv.index);
        let site = self.reference::<SiteId>(loc, owner, "site", &c.site, &inv.index);
        let mut router = self.reference::<ServerId>(loc, owner, "router", &c.router, &inv.index);
        if let Some(r) = router {
            let kind = inv.server(r).kind;
            if kind != Kind::Router {
                self.push(
                    Finding::new(
                        Code::UnknownReference,
                        loc_of(loc, &c.router),
                        format!(
                            "circuit `{id}`: router `{}` is a {}, not a router",
                            c.router.get_ref(),
                            kind.as_str()
                        ),
                    )
                    .object("circuit", id)
                    .related(inv.server(r).loc, "declared here")
                    .hint("set `kind = \"router\"` on the machine, or name the right router"),
                );
                router = None;
            }
        }
        let mut announce = Vec::new();
        for a in &c.announce {
            match parse_cidr(a.get_ref()) {
                Ok(net) => announce.push(At { value: net, loc: loc_of(loc, a) }),
                Err(e) => self.invalid(loc_of(loc, a), owner, e),
            }
        }
        let config = c.config.as_ref().map(|p| At { value: p.get_ref().clone(), loc: loc_of(loc, p) });
        let spread = |v: &Option<toml::Spanned<raw::OneOrMany>>| -> Vec<raw::S> {
            v.as_ref().map_or_else(Vec::new, |v| {
                v.get_ref().items().into_iter().map(|s| toml::Spanned::new(v.span(), s)).collect()
            })
        };
        let neighbor = self.addresses(loc, owner, &spread(&c.neighbor));
        let local_address = self.addresses(loc, owner, &spread(&c.local_address));
        Some(Circuit {
            id: id.to_owned(),
            upstream: upstream?,
            site: site?,
            router: router?,
            announce,
            config,
            neighbor,
            local_address,
            loc,
        })
    }

    pub(super) fn links(&mut self, links: Vec<(Loc, raw::Link)>, inv: &mut Inventory) {
        for (loc, l) in links {
            let label = l.sites.get_ref().iter().map(|s| s.get_ref().as_str()).collect::<Vec<_>>().join("-");
            let owner = Owner(Table::Link, &label);
            let mut sites = Vec::new();
            for s in l.sites.get_ref() {
                if let Some(site) = self.reference::<SiteId>(loc, owner, "sites", s, &inv.index) {
                    sites.push(site);
                }
            }
            if l.sites.get_ref().len() < 2 {
                self.invalid(loc_of(loc, &l.sites), owner, "a link joins at least two sites");
            }
            inv.links.push(Link { sites });
        }
    }

    pub(super) fn roas(&mut self, roas: Vec<(Loc, raw::Roa)>, inv: &mut Inventory) {
        for (loc, r) in roas {
            let text = r.prefix.get_ref().clone();
            let owner = Owner(Table::Roa, &text);
            let prefix = match parse_cidr(&text) {
                Ok(p) => p,
                Err(e) => {
                    self.invalid(loc_of(loc, &r.prefix), owner, e);
                    continue;
                }
            };
            let max_bits = if prefix.is_ipv4() { 32 } else { 128 };
            let max_length = r.max_length.as_ref().map_or(prefix.prefix(), |m| *m.get_ref());
            if max_length < prefix.prefix() || max_length > max_bits {
                let at = r.max_length.as_ref().map_or(loc, |m| loc_of(loc, m));
                self.invalid(
                    at,
                    owner,
                    format!(
                        "max_length {max_length} must be between the prefix length {} and {max_bits}",
                        prefix.prefix()
                    ),
                );
                continue;
            }
            inv.roas.push(Roa { prefix, max_length, asn: r.asn.into_inner(), expires: None });
        }
    }
}
