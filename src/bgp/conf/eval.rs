//! What a config sends to each neighbour: every own route through the outbound rules.

use std::collections::BTreeMap;

use ipnetwork::IpNetwork;

use super::{Action, Community, Conf, Criterion, Export, Len, Neighbor, Part, Peer, Rule};
use crate::diag::Loc;

impl Part {
    fn value(self, own: u32, neighbor: u32) -> Option<u32> {
        match self {
            Part::Num(n) => Some(n),
            Part::LocalAs => Some(own),
            Part::NeighborAs => Some(neighbor),
            Part::Any => None,
        }
    }

    /// Whether pattern `self` matches the route's part `v` (itself resolved the same way).
    fn matches(self, v: Part, own: u32, neighbor: u32) -> bool {
        match (self.value(own, neighbor), v.value(own, neighbor)) {
            (None, _) => true,
            (Some(a), Some(b)) => a == b,
            (Some(_), None) => false,
        }
    }
}

impl Community {
    fn matches(&self, have: &Community, own: u32, neighbor: u32) -> bool {
        match (self, have) {
            (Community::Standard(a, b), Community::Standard(x, y)) => {
                a.matches(*x, own, neighbor) && b.matches(*y, own, neighbor)
            }
            (Community::Large(a, b, c), Community::Large(x, y, z)) => {
                a.matches(*x, own, neighbor) && b.matches(*y, own, neighbor) && c.matches(*z, own, neighbor)
            }
            (Community::Ext(a), Community::Ext(b)) => a == b,
            _ => false,
        }
    }
}

fn len_matches(base: IpNetwork, len: Len, route: IpNetwork) -> bool {
    if !crate::net::contains(base, route) {
        return false;
    }
    len.admits(base.prefix(), route.prefix())
}

impl Conf {
    fn own_as(&self) -> u32 {
        self.asn.map_or(0, |a| a.0)
    }

    fn peer_matches(&self, p: &Peer, n: &Neighbor) -> bool {
        let own = self.asn.map(|a| a.0);
        match p {
            Peer::Any => true,
            Peer::Ebgp => n.remote_as.is_some() && n.remote_as != own,
            Peer::Ibgp => n.remote_as.is_some() && n.remote_as == own,
            Peer::As(a) => n.remote_as == Some(*a),
            Peer::Group(g) => n.group.as_deref() == Some(g.as_str()),
            Peer::Addr(a) => n.addr == Some(*a),
            Peer::List(l) => l.iter().any(|p| self.peer_matches(p, n)),
        }
    }

    fn rule_matches(&self, r: &Rule, n: &Neighbor, route: IpNetwork, comms: &[Community]) -> bool {
        let (own, neighbor) = (self.own_as(), n.remote_as.unwrap_or(0));
        self.peer_matches(&r.peer, n)
            && r.criteria.iter().all(|c| match c {
                Criterion::Prefixes(ps) => ps.iter().any(|&(p, l)| len_matches(p, l, route)),
                Criterion::Prefixlen(l) => l.admits(route.prefix(), route.prefix()),
                Criterion::Family(v6) => *v6 == route.is_ipv6(),
                Criterion::Community(want) => comms.iter().any(|have| want.matches(have, own, neighbor)),
                Criterion::Fixed(b) => *b,
            })
    }

    /// Whether an own route (with its communities) passes the outbound rules to `n`.
    fn passes(&self, n: &Neighbor, route: IpNetwork, communities: &[Community]) -> bool {
        let mut comms = communities.to_vec();
        // Before 6.4 routes went out unless denied; since, nothing goes without a rule (RFC 8212).
        let mut allowed = self.legacy.is_some();
        for r in &self.rules {
            if !self.rule_matches(r, n, route, &comms) {
                continue;
            }
            if r.action != Action::Match {
                allowed = r.action == Action::Allow;
            }
            if r.action != Action::Deny {
                comms.extend(r.set.iter().cloned());
            }
            if r.quick {
                break;
            }
        }
        allowed
    }

    fn sessions(&self, asn: u32) -> impl Iterator<Item = &Neighbor> {
        self.neighbors.iter().filter(move |n| n.remote_as == Some(asn) && !n.down)
    }

    /// The own prefixes announced to neighbours of AS `asn`, each with the `network` line that
    /// originates it, sorted and without duplicates. A default route from `export
    /// default-route` is not among them: see [`Conf::default_routes_to`].
    pub(crate) fn announced_to(&self, asn: u32) -> Vec<(IpNetwork, Loc)> {
        let mut out: BTreeMap<IpNetwork, Loc> = BTreeMap::new();
        for n in self.sessions(asn).filter(|n| n.export == Export::Filtered) {
            for net in &self.networks {
                if n.carries(net.prefix) && self.passes(n, net.prefix, &net.communities) {
                    out.entry(net.prefix).or_insert(net.loc);
                }
            }
        }
        out.into_iter().collect()
    }

    /// Default routes that `export default-route` sends to neighbours of AS `asn`, with the
    /// neighbour's place.
    pub(crate) fn default_routes_to(&self, asn: u32) -> Vec<(IpNetwork, Option<Loc>)> {
        let mut out: Vec<(IpNetwork, Option<Loc>)> = Vec::new();
        for n in self.sessions(asn).filter(|n| n.export == Export::DefaultRoute) {
            for d in ["0.0.0.0/0", "::/0"] {
                let d: IpNetwork = d.parse().expect("a valid default route");
                if n.carries(d) && self.passes(n, d, &[]) && !out.iter().any(|x| x.0 == d) {
                    out.push((d, n.loc));
                }
            }
        }
        out
    }

    /// Whether the config has a session with AS `asn` (one marked `down` included).
    pub(crate) fn has_neighbor_as(&self, asn: u32) -> bool {
        self.neighbors.iter().any(|n| n.remote_as == Some(asn))
    }
}
