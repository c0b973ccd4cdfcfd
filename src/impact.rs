//! `dcplan impact`: what goes down, directly and through dependencies, when machines are off.

use std::collections::VecDeque;

use crate::bgp::State;
use crate::diag::Finding;
use crate::model::{Inventory, ServerId, ServiceId};
use crate::num::u32_of;

/// Why a service is down.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Cause {
    /// Fewer than min_up of its replicas are up.
    Direct,
    /// It depends, through `via` (nearest first), on a service that is down.
    Dependency(Vec<ServiceId>),
}

/// The impact of turning machines off.
#[derive(Clone, Debug, Default)]
pub(crate) struct Impact {
    /// Services down, direct causes first, each in inventory order.
    pub(crate) down: Vec<(ServiceId, Cause)>,
    /// Services still up but with replicas lost: (service, replicas up).
    pub(crate) degraded: Vec<(ServiceId, u32)>,
}

/// Services down or degraded when `off` (and the vms on them) are off.
pub(crate) fn impact(inv: &Inventory, off: &[ServerId]) -> Impact {
    let is_off = |s: ServerId| off.contains(&inv.physical(s)) || off.contains(&s);
    let mut out = Impact::default();
    let mut down = vec![false; inv.services.len()];
    for id in inv.service_ids() {
        let s = inv.service(id);
        let up = u32_of(s.runs_on.iter().filter(|&&r| !is_off(r)).count());
        if up < s.min_up {
            down[id.ix()] = true;
            out.down.push((id, Cause::Direct));
        } else if (up as usize) < s.runs_on.len() {
            out.degraded.push((id, up));
        }
    }
    // Breadth-first over "depends on" reversed: the shortest chain to a down service.
    let mut dependents: Vec<Vec<ServiceId>> = vec![Vec::new(); inv.services.len()];
    for id in inv.service_ids() {
        for &d in &inv.service(id).depends_on {
            dependents[d.ix()].push(id);
        }
    }
    let mut via: Vec<Option<Vec<ServiceId>>> = vec![None; inv.services.len()];
    let mut queue: VecDeque<ServiceId> = out.down.iter().map(|(s, _)| *s).collect();
    let mut found: Vec<ServiceId> = Vec::new();
    while let Some(s) = queue.pop_front() {
        for &d in &dependents[s.ix()] {
            if down[d.ix()] {
                continue;
            }
            down[d.ix()] = true;
            let mut chain = vec![s];
            chain.extend(via[s.ix()].clone().unwrap_or_default());
            via[d.ix()] = Some(chain);
            found.push(d);
            queue.push_back(d);
        }
    }
    found.sort();
    out.down
        .extend(found.into_iter().map(|d| (d, Cause::Dependency(via[d.ix()].clone().unwrap_or_default()))));
    // A service down through a dependency is not "degraded" as well.
    out.degraded.retain(|(s, _)| !down[s.ix()]);
    out
}

/// What the internet sees of our space when `off` are off: the BGP findings of that state that
/// the inventory as it is does not have already (a router off takes its circuits down).
pub(crate) fn announcements(checked: &crate::Checked, off: &[ServerId]) -> Vec<Finding> {
    let inv = &checked.inventory;
    let engine = checked.engine(&[]);
    // A vm's addresses are in use while its host is up: announcements follow physical machines.
    let state = State::from_physical(inv, |s| if off.contains(&s) { None } else { inv.server(s).site });
    let now = engine.evaluate(&State::current(inv));
    let key = |f: &Finding| (f.code, f.loc, f.object.clone());
    let known: Vec<_> = now.iter().map(key).collect();
    engine.evaluate(&state).into_iter().filter(|f| !known.contains(&key(f))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replicated_versus_single_services() {
        let inv = crate::testutil::checked_of("[[site]]\nid = \"s\"\n\
            [[server]]\nid = \"a\"\nsite = \"s\"\n[[server]]\nid = \"b\"\nsite = \"s\"\n[[server]]\nid = \"v\"\nkind = \"vm\"\nhost = \"a\"\n\
            [[service]]\nid = \"dns\"\nruns_on = [\"a\", \"b\"]\n\
            [[service]]\nid = \"files\"\nruns_on = [\"v\"]\n\
            [[service]]\nid = \"imap\"\nruns_on = [\"b\"]\ndepends_on = [\"files\"]\n\
            [[service]]\nid = \"webmail\"\nruns_on = [\"b\"]\ndepends_on = [\"imap\", \"dns\"]\n").inventory;
        let a = inv.index.servers["a"];
        let i = impact(&inv, &[a]);
        let name = |s: ServiceId| inv.service(s).id.clone();
        let down: Vec<(String, Vec<String>)> = i
            .down
            .iter()
            .map(|(s, c)| {
                (
                    name(*s),
                    match c {
                        Cause::Direct => vec![],
                        Cause::Dependency(v) => v.iter().map(|&x| name(x)).collect(),
                    },
                )
            })
            .collect();
        assert_eq!(
            down,
            vec![
                ("files".into(), vec![]),
                ("imap".into(), vec!["files".into()]),
                ("webmail".into(), vec!["imap".into(), "files".into()])
            ]
        );
        // dns lost one of two replicas: degraded, still up.
        assert_eq!(
            i.degraded.iter().map(|(s, up)| (name(*s), *up)).collect::<Vec<_>>(),
            vec![("dns".into(), 1)]
        );
        // Both replicas off: dns is down too.
        let b = inv.index.servers["b"];
        assert_eq!(impact(&inv, &[a, b]).down.len(), 4);
    }
}
