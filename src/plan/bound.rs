//! The lower bound on batches, and the earliest batch each group can be in.

use crate::plan::conflict::{self, Conflict};
use crate::plan::ids::{BatchIx, GroupId, IdVec, SvcIx};
use crate::plan::problem::Problem;
use crate::plan::rules::{Load, Resource};

/// Checks what no schedule can fix: a group larger than a batch, or carrying too many replicas.
pub(crate) fn impossible_groups(p: &Problem) -> Option<Conflict> {
    let empty = Load::new(p);
    let alone = |g: GroupId| empty.exceeded(p, g).map(|d| p.limits[d].what);
    // R1 first, over all groups; then the other limits.
    if let Some(g) = p.groups.ids().find(|&g| matches!(alone(g), Some(Resource::Machines | Resource::Units)))
    {
        return Some(Conflict::GroupTooBig { group: g });
    }
    p.groups.ids().find_map(|g| match alone(g)? {
        Resource::Replicas(s) => Some(Conflict::GroupBreaksR3 { group: g, service: s }),
        Resource::Machines | Resource::Units => None,
    })
}

/// The lower bound on batches, with the earliest batch each group can be in.
pub(crate) fn lower_bound(p: &Problem) -> Result<(u32, IdVec<GroupId, BatchIx>), Conflict> {
    if let Some(c) = impossible_groups(p) {
        return Err(c);
    }
    let g = p.groups.len();
    // Every limit: its total over all groups, a batch at a time.
    let mut totals = vec![0u64; p.limits.len()];
    for d in &p.demand {
        for &(dim, c) in d {
            totals[dim.0 as usize] += u64::from(c);
        }
    }
    let mut lb = u32::from(g > 0);
    for (l, &total) in p.limits.iter().zip(&totals) {
        let need = total.div_ceil(u64::from(l.cap.max(1)));
        lb = lb.max(u32::try_from(need).unwrap_or(u32::MAX));
    }
    let mut est: IdVec<GroupId, BatchIx> = p.domain.iter().map(|d| BatchIx(d.first)).collect();
    if p.dependencies_first {
        let mut changed = true;
        let mut rounds = 0;
        while changed {
            changed = false;
            rounds += 1;
            // No schedule needs more batches than groups: past that the estimates only rise
            // through a dependency cycle that R3 keeps spreading out.
            if rounds > g + 2 || est.iter().any(|&e| e.0 as usize > g) {
                return Err(conflict::deadlock(p, &est));
            }
            for (t, svc) in p.services.enumerate() {
                if svc.dependents.is_empty() {
                    continue;
                }
                let ready = earliest_ready(p, t, &est);
                for &s in &svc.dependents {
                    for &(grp, _) in &p.services[s].moving {
                        if est[grp] < ready {
                            est[grp] = ready;
                            changed = true;
                        }
                    }
                }
            }
        }
        lb = lb.max(est.iter().map(|e| e.0 + 1).max().unwrap_or(0));
    }
    Ok((lb, est))
}

/// Relaxation for service `t`: its groups at their earliest batches, R3 respected, nothing
/// else; the batch in which `need` replicas are across.
fn earliest_ready(p: &Problem, t: SvcIx, est: &IdVec<GroupId, BatchIx>) -> BatchIx {
    let s = &p.services[t];
    let mut groups: Vec<(u32, u32)> = s.moving.iter().map(|&(g, c)| (est[g].0, c)).collect();
    groups.sort_unstable();
    let mut used: Vec<u32> = Vec::new();
    let mut done = 0;
    for (e, c) in groups {
        let mut b = e as usize;
        if let Some(cap) = s.cap {
            while used.get(b).copied().unwrap_or(0) + c > cap {
                b += 1;
            }
        }
        if used.len() <= b {
            used.resize(b + 1, 0);
        }
        used[b] += c;
        done += c;
        if done >= s.need {
            return BatchIx(b as u32);
        }
    }
    BatchIx(0)
}
