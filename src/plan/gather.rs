//! The second objective on moves too large for the exact search: a service that must go down
//! (no R3 cap: every replica it has is needed) is down in every night one of its replicas
//! moves, so its replicas should move in as few nights as possible, ideally one.

use crate::plan::heuristic::Assignment;
use crate::plan::ids::{BatchIx, GroupId};
use crate::plan::problem::{Problem, Svc};
use crate::plan::rules::{self, Load};
use crate::plan::solve::{batches_of, downtime};

/// Moves up to this many groups are gathered (each try re-checks the whole schedule).
const GATHER_MAX_GROUPS: usize = 5_000;

/// Gathers each service that must go down and moves over several nights into one of them, in
/// turn (its earliest night first), when every rule still holds, the batch count stays and the
/// weighted downtime drops. Where the night is full, other groups make room by moving to the
/// nights the service leaves (a swap). Every candidate is checked by the verifier.
pub(crate) fn fewer_down_nights(p: &Problem, mut batch: Assignment) -> Assignment {
    if p.groups.len() > GATHER_MAX_GROUPS {
        return batch;
    }
    let nb = batches_of(&batch);
    let mut best = downtime(p, &batch);
    let mut nights: Vec<BatchIx> = Vec::new();
    for svc in p.services.iter().filter(|s| s.cap.is_none()) {
        nights.clear();
        nights.extend(svc.moving.iter().map(|&(g, _)| batch[g]));
        nights.sort_unstable();
        nights.dedup();
        if nights.len() < 2 {
            continue;
        }
        for &to in &nights {
            let Some(candidate) = gathered(p, svc, &batch, to) else { continue };
            let down = downtime(p, &candidate);
            if down < best && batches_of(&candidate) == nb && rules::violation(p, &candidate).is_none() {
                best = down;
                batch = candidate;
                break;
            }
        }
    }
    batch
}

/// `batch` with every group of `svc` in night `to`, and, while that night is over a limit, one
/// of its other groups moved to a night `svc` left where it fits (groups carrying no service
/// that goes down first, so as not to split another). `None` when the night cannot be emptied
/// enough. R4 and the rest are left to the verifier.
fn gathered(p: &Problem, svc: &Svc, batch: &Assignment, to: BatchIx) -> Option<Assignment> {
    let mut batch = batch.clone();
    let mut loads = rules::loads(p, &batch);
    let mut left: Vec<BatchIx> = Vec::new();
    let shift = |batch: &mut Assignment, loads: &mut [Load], g: GroupId, b: BatchIx| {
        loads[batch[g].0 as usize].remove(p, g);
        loads[b.0 as usize].add(p, g);
        batch[g] = b;
    };
    for &(g, _) in &svc.moving {
        if batch[g] != to {
            left.push(batch[g]);
            shift(&mut batch, &mut loads, g, to);
        }
    }
    left.sort_unstable();
    left.dedup();
    let over = |loads: &[Load]| p.limits.ids().any(|d| loads[to.0 as usize].used(d) > p.limits[d].cap);
    let ours = |g: GroupId| svc.moving.iter().any(|x| x.0 == g);
    let goes_down = |g: GroupId| p.group_services[g].iter().any(|&(s, _)| p.services[s].cap.is_none());
    let mut others: Vec<GroupId> = p.groups.ids().filter(|&g| batch[g] == to && !ours(g)).collect();
    others.sort_by_key(|&g| (goes_down(g), g));
    let mut others = others.into_iter();
    while over(&loads) {
        // The next group of the night that fits a night the service left.
        let (y, f) = others
            .by_ref()
            .find_map(|y| Some((y, *left.iter().find(|f| loads[f.0 as usize].fits(p, y))?)))?;
        shift(&mut batch, &mut loads, y, f);
    }
    Some(batch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::ids::IdVec;
    use crate::plan::testkit::problem;

    fn nights(b: &[u32]) -> Assignment {
        b.iter().copied().map(BatchIx).collect::<IdVec<GroupId, BatchIx>>()
    }

    #[test]
    fn a_service_that_goes_down_moves_in_one_night() {
        // db has 2 replicas and needs both: it is down in every night one moves. Three nights of
        // two machines; web may have one replica in transit at a time (R3). The naive plan
        // splits db: night 1 m0 m2, night 2 m1 m4, night 3 m3 m5.
        let services = "[[service]]\nid = \"db\"\nruns_on = [\"m0\", \"m1\"]\nmin_up = 2\n\
                        [[service]]\nid = \"web\"\nruns_on = [\"m2\", \"m3\"]\nmin_up = 1\n";
        let p = problem(6, services, 2);
        let split = nights(&[0, 1, 0, 2, 1, 2]);
        assert_eq!(rules::violation(&p, &split), None);
        let out = fewer_down_nights(&p, split.clone());
        // Night 1 is full: m1 joins m0 there and web's m2 makes room in night 2 (a swap), away
        // from web's other replica in night 3.
        assert_eq!(out, nights(&[0, 0, 1, 2, 1, 2]));
        assert_eq!(rules::violation(&p, &out), None);
        assert_eq!((downtime(&p, &split), downtime(&p, &out)), (4, 2));
    }

    #[test]
    fn no_gathering_that_breaks_a_rule() {
        // Two services that go down share m1: gathering one splits the other, and room can only
        // be made by moving the other's replica: the downtime would not drop, nothing changes.
        let services = "[[service]]\nid = \"a\"\nruns_on = [\"m0\", \"m1\"]\nmin_up = 2\n\
                        [[service]]\nid = \"b\"\nruns_on = [\"m1\", \"m2\"]\nmin_up = 2\n";
        let p = problem(3, services, 1);
        let one_a_night = nights(&[0, 1, 2]);
        assert_eq!(fewer_down_nights(&p, one_a_night.clone()), one_a_night);
    }
}
