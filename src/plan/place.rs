//! Destination placement: a rack and unit for every moved machine, without overlap, inside the
//! rack, within its power budget; the rack_map rack and the same units preferred, replicas of a
//! service spread over racks.

use crate::check::power::{self, RackPower};
use crate::diag::text::count;
use crate::diag::{Code, Finding};
use crate::model::{HalfU, Inventory, Numbering, RackId, ServerId};
use crate::num::u32_of;
use crate::plan::spec::Plan;

/// Where one machine goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placement {
    /// The machine.
    pub server: ServerId,
    /// Destination rack.
    pub rack: RackId,
    /// Lowest-numbered unit, as the destination rack numbers them; None for a 0U machine.
    pub unit: Option<HalfU>,
}

struct RackState {
    id: RackId,
    numbering: Numbering,
    /// Each half unit from the bottom: free or not.
    free: Vec<bool>,
    power: u64,
    budget: Option<u64>,
    /// A rack with feeds: its load model (every state keeps it healthy; racks only gain
    /// machines during a move, so the last state is the heaviest).
    feeds: Option<RackPower>,
    /// Weight mounted, and what the rack may carry.
    weight: f64,
    max_weight: Option<f64>,
    /// Free half units, to skip full racks quickly.
    free_units: u32,
}

/// For each service, the racks (positions in the destination list) that hold a replica of it,
/// each once; and a per-rack scratch count, so that ranking racks by the replicas already there
/// costs what the machine's services touch, not a scan of every rack's contents.
struct Replicas {
    holders: Vec<Vec<usize>>,
    seen: std::collections::HashSet<(usize, usize)>,
    counts: Vec<u32>,
}

impl Replicas {
    fn new(services: usize, racks: usize) -> Self {
        Replicas { holders: vec![Vec::new(); services], seen: Default::default(), counts: vec![0; racks] }
    }

    /// Rack `ri` now holds a replica of each of `services`.
    fn add(&mut self, services: &[usize], ri: usize) {
        for &x in services {
            if self.seen.insert((x, ri)) {
                self.holders[x].push(ri);
            }
        }
    }

    /// Fills `counts` with how many of `services` each rack already holds; returns the racks
    /// touched, to be passed to [`Replicas::clear`].
    fn count(&mut self, services: &[usize]) -> Vec<usize> {
        let mut touched = Vec::new();
        for &x in services {
            for &ri in &self.holders[x] {
                if self.counts[ri] == 0 {
                    touched.push(ri);
                }
                self.counts[ri] += 1;
            }
        }
        touched
    }

    fn clear(&mut self, touched: &[usize]) {
        for &ri in touched {
            self.counts[ri] = 0;
        }
    }
}

impl RackState {
    /// The offset from the bottom of a free run of `h`, nearest to where unit `want` (as the
    /// machine's old rack numbered it, read in this rack's numbering) would put it.
    fn find(&self, h: HalfU, want: Option<HalfU>) -> Option<HalfU> {
        let total = u32_of(self.free.len());
        if h.0 > total {
            return None;
        }
        let fits = |o: u32| (o..o + h.0).all(|x| self.free[x as usize]);
        let wanted = want.and_then(|w| self.numbering.offset(w, h)).map(|o| o.0);
        if let Some(w) = wanted
            && fits(w)
        {
            return Some(HalfU(w));
        }
        // Nearest to the wanted place, else from the bottom; whole-unit offsets first, so that
        // whole-unit machines stay on whole units. One pass from the top counts the free run
        // starting at each offset, so the scan is linear in the rack's height.
        let target = wanted.unwrap_or(0);
        if h == HalfU::ZERO {
            return Some(HalfU(target));
        }
        let mut run = 0;
        let mut best: Option<((bool, u32, u32), u32)> = None;
        for o in (0..total).rev() {
            run = if self.free[o as usize] { run + 1 } else { 0 };
            if run >= h.0 {
                let key = (!o.is_multiple_of(2), o.abs_diff(target), o);
                if best.is_none_or(|(k, _)| key < k) {
                    best = Some((key, o));
                }
            }
        }
        best.map(|(_, o)| HalfU(o))
    }

    /// Whether the rack's power (feeds, or else its budget) and weight take one more machine.
    fn powers(&self, inv: &Inventory, s: ServerId) -> bool {
        let sv = inv.server(s);
        let (w, kg) = (sv.power_w.unwrap_or(0), sv.weight_kg.unwrap_or(0.0));
        if self.max_weight.is_some_and(|max| self.weight + kg > max) {
            return false;
        }
        match &self.feeds {
            Some(p) => p.admits(power::draw(s, f64::from(w), sv.psus, sv.feed_side, p.sides())),
            None => self.budget.is_none_or(|b| self.power + u64::from(w) <= b),
        }
    }

    fn take(&mut self, offset: HalfU, h: HalfU, w: u32) {
        for x in offset.0..offset.0 + h.0 {
            self.free[x as usize] = false;
        }
        self.free_units -= h.0;
        self.power += u64::from(w);
    }
}

/// Services each machine carries (itself and its vms), by server.
fn services_of(inv: &Inventory) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); inv.servers.len()];
    for (i, s) in inv.services.iter().enumerate() {
        for &r in &s.runs_on {
            let phys = inv.physical(r);
            if !out[phys.ix()].contains(&i) {
                out[phys.ix()].push(i);
            }
        }
    }
    out
}

/// The destination racks with what already stands in them (machines that do not move).
fn racks(
    inv: &Inventory,
    plan: &Plan,
    machines: &[(ServerId, usize)],
    svcs: &[Vec<usize>],
) -> (Vec<RackState>, Replicas) {
    // The feed model of each rack holds the machines mounted now: at the destination, those stay.
    let power = power::racks(inv);
    let mut racks: Vec<RackState> = inv
        .racks
        .iter()
        .enumerate()
        .filter(|(_, r)| r.site == plan.to)
        .map(|(i, r)| RackState {
            id: RackId::from_ix(i),
            numbering: r.numbering,
            free: vec![true; r.numbering.height().0 as usize],
            free_units: r.numbering.height().0,
            power: 0,
            budget: r.power_w.map(u64::from),
            feeds: Some(power[i].clone()).filter(|p| p.sides() != [false, false]),
            weight: 0.0,
            max_weight: r.max_weight_kg,
        })
        .collect();
    let mut position = vec![None; inv.racks.len()];
    for (ri, r) in racks.iter().enumerate() {
        position[r.id.ix()] = Some(ri);
    }
    let mut replicas = Replicas::new(inv.services.len(), racks.len());
    let moving: std::collections::HashSet<ServerId> = machines.iter().map(|m| m.0).collect();
    for s in inv.server_ids() {
        let sv = inv.server(s);
        if let (Some(m), false) = (sv.mount, moving.contains(&s))
            && let Some(ri) = position[m.rack.ix()]
        {
            let rs = &mut racks[ri];
            // What stands outside the rack (an inventory error) takes no room inside it.
            if let Some(offset) = m.unit.and_then(|u| rs.numbering.offset(u, sv.height)) {
                for x in offset.0..offset.0 + sv.height.0 {
                    if !std::mem::replace(&mut rs.free[x as usize], false) {
                        continue;
                    }
                    rs.free_units -= 1;
                }
            }
            rs.power += u64::from(sv.power_w.unwrap_or(0));
            rs.weight += sv.weight_kg.unwrap_or(0.0);
            replicas.add(&svcs[s.ix()], ri);
        }
    }
    (racks, replicas)
}

/// The rack (its position in `racks`) and lowest unit for machine `s`: the fewest replicas of
/// its `services` already there, then the `preferred` rack, then rack order. Also whether a rack
/// had the room but not the power.
fn best_rack(
    inv: &Inventory,
    racks: &[RackState],
    replicas: &mut Replicas,
    services: &[usize],
    s: ServerId,
    preferred: Option<RackId>,
    want: Option<HalfU>,
) -> (Option<(usize, HalfU)>, bool) {
    let h = inv.server(s).height;
    let mut best: Option<((u32, bool, usize), usize, HalfU)> = None;
    let mut unpowered = false;
    let touched = replicas.count(services);
    // The preferred rack first; then in order, stopping at the first rack without a replica
    // of the same services (nothing after it can rank higher).
    let preferred_ix = preferred.and_then(|p| racks.iter().position(|r| r.id == p));
    for ri in preferred_ix.into_iter().chain(0..racks.len()) {
        let r = &racks[ri];
        let conflicts = replicas.counts[ri];
        let key = (conflicts, Some(r.id) != preferred, ri);
        // A rack that cannot rank higher than the best so far is not searched for room.
        if r.free_units < h.0 || best.as_ref().is_some_and(|(k, _, _)| key >= *k) {
            continue;
        }
        // Power first: it is cheaper than the search for room, and racks whose power is spent
        // while units are free are common late in a move.
        if !r.powers(inv, s) {
            unpowered = unpowered || r.find(h, want).is_some();
            continue;
        }
        let Some(unit) = r.find(h, want) else { continue };
        best = Some((key, ri, unit));
        if conflicts == 0 {
            break;
        }
    }
    replicas.clear(&touched);
    (best.map(|(_, ri, unit)| (ri, unit)), unpowered)
}

/// Places `machines` (in batch order) at the plan's destination. Machines that fit nowhere get
/// a dest-capacity finding.
pub(crate) fn place(
    inv: &Inventory,
    plan: &Plan,
    machines: &[(ServerId, usize)],
) -> (Vec<Placement>, Vec<Finding>) {
    let svcs = services_of(inv);
    let (mut racks, mut replicas) = racks(inv, plan, machines, &svcs);
    let mut findings = Vec::new();
    let needed: u64 = machines.iter().map(|&(s, _)| u64::from(inv.server(s).height.0)).sum();
    let free: u64 = racks.iter().map(|r| r.free.iter().filter(|&&f| f).count() as u64).sum();
    let (needed, free) =
        (HalfU(u32::try_from(needed).unwrap_or(u32::MAX)), HalfU(u32::try_from(free).unwrap_or(u32::MAX)));
    if needed > free {
        findings.push(
            Finding::new(
                Code::DestCapacity,
                plan.loc,
                format!(
                    "the {} at `{}` {} {free} free units, the move needs {needed}",
                    count(racks.len(), "rack"),
                    inv.site(plan.to).id,
                    if racks.len() == 1 { "has" } else { "have" }
                ),
            )
            .hint("add racks at the destination to the inventory, or keep machines with `stay`"),
        );
    }
    let mut out = Vec::with_capacity(machines.len());
    for &(s, batch) in machines {
        let sv = inv.server(s);
        let (h, w) = (sv.height, sv.power_w.unwrap_or(0));
        let preferred =
            sv.mount.and_then(|m| plan.rack_map.iter().find(|(src, _)| *src == m.rack).map(|x| x.1));
        let want = sv.mount.and_then(|m| m.unit);
        let (best, unpowered) = best_rack(inv, &racks, &mut replicas, &svcs[s.ix()], s, preferred, want);
        match best {
            Some((ri, unit)) => {
                racks[ri].take(unit, h, w);
                // A 0U machine goes in the rack without a unit.
                let unit = (h != HalfU::ZERO).then(|| racks[ri].numbering.unit_at(unit, h)).flatten();
                racks[ri].weight += sv.weight_kg.unwrap_or(0.0);
                if let Some(p) = &mut racks[ri].feeds {
                    let sides = p.sides();
                    p.draws.push(power::draw(s, f64::from(w), sv.psus, sv.feed_side, sides));
                }
                replicas.add(&svcs[s.ix()], ri);
                out.push(Placement { server: s, rack: racks[ri].id, unit });
            }
            None if unpowered => findings.push(
                Finding::new(
                    Code::DestCapacity,
                    plan.loc,
                    format!(
                        "power is what is missing: the racks at `{}` with room for `{}` (batch {}) cannot take its {w} W (or its weight) without overloading a feed, not surviving the loss of a feed, or going over a budget",
                        inv.site(plan.to).id,
                        sv.id,
                        batch + 1
                    ),
                )
                .object("server", &sv.id)
                .hint("add feeds or racks at the destination, raise a feed's breaker, or give dual-PSU machines single-PSU neighbours"),
            ),
            None => findings.push(
                Finding::new(
                    Code::DestCapacity,
                    plan.loc,
                    format!(
                        "no rack at `{}` has {h} free contiguous unit{} and {w} W of power budget left for `{}` (batch {})",
                        inv.site(plan.to).id,
                        if h == HalfU::ONE { "" } else { "s" },
                        sv.id,
                        batch + 1
                    ),
                )
                .object("server", &sv.id)
                .hint("add a rack at the destination, or raise a rack's power_w if its feed allows"),
            ),
        }
    }
    (out, findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rack(free: Vec<bool>, numbering: Numbering) -> RackState {
        RackState {
            id: RackId::from_ix(0),
            numbering,
            free_units: u32_of(free.iter().filter(|&&f| f).count()),
            free,
            power: 0,
            budget: None,
            feeds: None,
            weight: 0.0,
            max_weight: None,
        }
    }

    /// The search for room written the obvious way: every offset, every half unit of it.
    fn naive(r: &RackState, h: HalfU, want: Option<HalfU>) -> Option<HalfU> {
        let total = u32_of(r.free.len());
        let fits = |o: u32| o + h.0 <= total && (o..o + h.0).all(|x| r.free[x as usize]);
        let wanted = want.and_then(|w| r.numbering.offset(w, h)).map(|o| o.0);
        if let Some(w) = wanted.filter(|&w| fits(w)) {
            return Some(HalfU(w));
        }
        let target = wanted.unwrap_or(0);
        (0..=total).filter(|&o| fits(o)).min_by_key(|&o| (o % 2 == 1, o.abs_diff(target), o)).map(HalfU)
    }

    proptest! {
        #[test]
        fn find_is_the_nearest_free_run(
            free in proptest::collection::vec(any::<bool>(), 0..24),
            h in 0u32..6,
            want in proptest::option::of(1u32..14),
            top_down in any::<bool>(),
        ) {
            let units = u32_of(free.len() / 2);
            let mut free = free;
            free.truncate(units as usize * 2);
            let r = rack(free, Numbering { units, first: 1, top_down });
            let want = want.map(HalfU::units);
            prop_assert_eq!(r.find(HalfU(h), want), naive(&r, HalfU(h), want));
        }
    }

    #[test]
    fn a_rack_ranks_by_replicas_already_there() {
        let mut replicas = Replicas::new(3, 4);
        replicas.add(&[0, 1], 2);
        replicas.add(&[0, 1], 2);
        replicas.add(&[1], 3);
        let touched = replicas.count(&[0, 1]);
        assert_eq!(replicas.counts, vec![0, 0, 2, 1]);
        replicas.clear(&touched);
        assert_eq!(replicas.counts, vec![0; 4]);
    }
}
