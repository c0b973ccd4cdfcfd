//! Service rules: service-min-up, service-spof-rack, service-spof-host, dependency-cycle.

use petgraph::algo::tarjan_scc;

use crate::diag::{Code, Finding, text};
use crate::graph::service_graph;
use crate::model::{Inventory, ServiceId};

/// Checks every service and the dependency graph.
pub(super) fn check(inv: &Inventory, out: &mut Vec<Finding>) {
    for sid in inv.service_ids() {
        let s = inv.service(sid);
        let n = s.runs_on.len();
        if s.partial {
            // A replica could not be loaded (its own finding says why): counts would be wrong.
            continue;
        }
        if s.min_up == 0 || s.min_up as usize > n {
            let why = if s.min_up == 0 {
                "min_up must be at least 1".to_owned()
            } else {
                format!("min_up is {} but the service has {}", s.min_up, text::count(n, "replica"))
            };
            out.push(
                Finding::new(Code::ServiceMinUp, s.min_up_loc, format!("service `{}`: {why}", s.id))
                    .object("service", &s.id),
            );
        }
        if n < 2 {
            continue;
        }
        let physical: Vec<_> = s.runs_on.iter().map(|&r| inv.physical(r)).collect();
        if s.runs_on.iter().all(|&r| inv.server(r).is_vm()) && physical.windows(2).all(|w| w[0] == w[1]) {
            out.push(
                Finding::new(
                    Code::ServiceSpofHost,
                    s.loc,
                    format!("all {n} replicas of `{}` are vms on `{}`", s.id, inv.server(physical[0]).id),
                )
                .object("service", &s.id)
                .hint("move a replica to another hypervisor"),
            );
            continue;
        }
        let racks: Vec<_> = physical.iter().map(|&p| inv.server(p).mount.map(|m| m.rack)).collect();
        if let Some(Some(first)) = racks.first()
            && racks.iter().all(|r| *r == Some(*first))
        {
            out.push(
                Finding::new(
                    Code::ServiceSpofRack,
                    s.loc,
                    format!("all {n} replicas of `{}` are in rack `{}`", s.id, inv.rack(*first).id),
                )
                .object("service", &s.id)
                .hint("put a replica in another rack"),
            );
        }
    }
    cycles(inv, out);
}

fn cycles(inv: &Inventory, out: &mut Vec<Finding>) {
    let g = service_graph(inv);
    for scc in tarjan_scc(&g) {
        if scc.len() < 2 {
            continue;
        }
        let members: Vec<ServiceId> = scc.iter().map(|n| g[*n]).collect();
        let cycle = cycle_through(inv, &members);
        let names: Vec<&str> = cycle.iter().map(|&s| inv.service(s).id.as_str()).collect();
        let first = inv.service(cycle[0]);
        let mut f = Finding::new(
            Code::DependencyCycle,
            first.loc,
            format!("services depend on each other in a cycle: {} -> {}", names.join(" -> "), names[0]),
        )
        .object("service", &first.id)
        .hint("drop the dependency that is not needed to start the service");
        for &s in &cycle[1..] {
            f = f.related(inv.service(s).loc, format!("`{}` is in the cycle", inv.service(s).id));
        }
        out.push(f);
    }
}

/// One simple cycle inside a strongly connected set, starting at its lowest service.
fn cycle_through(inv: &Inventory, members: &[ServiceId]) -> Vec<ServiceId> {
    let start = *members.iter().min().expect("an scc is not empty");
    // Breadth-first search back to `start` inside the component gives a shortest cycle.
    let mut prev: std::collections::HashMap<ServiceId, ServiceId> = std::collections::HashMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(s) = queue.pop_front() {
        let mut deps = inv.service(s).depends_on.clone();
        deps.sort();
        for d in deps {
            if !members.contains(&d) {
                continue;
            }
            if d == start {
                let mut path = vec![s];
                let mut cur = s;
                while cur != start {
                    cur = prev[&cur];
                    path.push(cur);
                }
                path.reverse();
                return path;
            }
            if let std::collections::hash_map::Entry::Vacant(e) = prev.entry(d) {
                e.insert(s);
                queue.push_back(d);
            }
        }
    }
    members.to_vec()
}

#[cfg(test)]
mod tests {
    use crate::diag::Code;
    use crate::testutil::{codes_of, findings_of};

    const BASE: &str = "[[site]]\nid = \"s\"\n[[rack]]\nid = \"r1\"\nsite = \"s\"\nunits = 42\n[[rack]]\nid = \"r2\"\nsite = \"s\"\nunits = 42\n\
        [[server]]\nid = \"a\"\nsite = \"s\"\nrack = \"r1\"\nunit = 1\n\
        [[server]]\nid = \"b\"\nsite = \"s\"\nrack = \"r1\"\nunit = 2\n\
        [[server]]\nid = \"c\"\nsite = \"s\"\nrack = \"r2\"\nunit = 1\n\
        [[server]]\nid = \"v1\"\nkind = \"vm\"\nhost = \"a\"\n\
        [[server]]\nid = \"v2\"\nkind = \"vm\"\nhost = \"a\"\n";

    fn with(services: &str) -> Vec<Code> {
        codes_of(&format!("{BASE}{services}"))
    }

    #[test]
    fn min_up() {
        assert_eq!(with("[[service]]\nid = \"x\"\nruns_on = [\"a\", \"c\"]\nmin_up = 2\n"), vec![]);
        assert_eq!(
            with("[[service]]\nid = \"x\"\nruns_on = [\"a\", \"c\"]\nmin_up = 3\n"),
            vec![Code::ServiceMinUp]
        );
        assert_eq!(
            with("[[service]]\nid = \"x\"\nruns_on = [\"a\"]\nmin_up = 0\n"),
            vec![Code::ServiceMinUp]
        );
    }

    #[test]
    fn single_points_of_failure() {
        assert_eq!(with("[[service]]\nid = \"x\"\nruns_on = [\"a\", \"b\"]\n"), vec![Code::ServiceSpofRack]);
        assert_eq!(
            with("[[service]]\nid = \"x\"\nruns_on = [\"v1\", \"v2\"]\n"),
            vec![Code::ServiceSpofHost]
        );
        // A vm on a host in r1 and a machine in r1: one rack still.
        assert_eq!(with("[[service]]\nid = \"x\"\nruns_on = [\"v1\", \"b\"]\n"), vec![Code::ServiceSpofRack]);
        assert_eq!(with("[[service]]\nid = \"x\"\nruns_on = [\"v1\", \"c\"]\n"), vec![]);
    }

    #[test]
    fn cycles_are_listed_in_order() {
        let f = findings_of(&format!(
            "{BASE}[[service]]\nid = \"p\"\nruns_on = [\"a\"]\ndepends_on = [\"q\"]\n\
             [[service]]\nid = \"q\"\nruns_on = [\"a\"]\ndepends_on = [\"r\"]\n\
             [[service]]\nid = \"r\"\nruns_on = [\"a\"]\ndepends_on = [\"p\"]\n\
             [[service]]\nid = \"z\"\nruns_on = [\"a\"]\ndepends_on = [\"p\"]\n"
        ));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].code, Code::DependencyCycle);
        assert!(f[0].message.ends_with("p -> q -> r -> p"), "{}", f[0].message);
    }
}
