//! Destination placement: a rack and unit for every moved machine, without overlap, inside the
//! rack, within its power budget; the rack_map rack and the same units preferred, replicas of a
//! service spread over racks.

use crate::check::power::{self, RackPower};
use crate::diag::{Code, Finding};
use crate::model::{Inventory, RackId, ServerId};
use crate::num::u32_of;
use crate::plan::spec::Plan;

/// Where one machine goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placement {
    /// The machine.
    pub server: ServerId,
    /// Destination rack.
    pub rack: RackId,
    /// Lowest unit.
    pub unit: u32,
}

struct RackState {
    id: RackId,
    free: Vec<bool>,
    power: u64,
    budget: Option<u64>,
    /// A rack with feeds: its load model (every state keeps it healthy; racks only gain
    /// machines during a move, so the last state is the heaviest).
    feeds: Option<RackPower>,
    /// Weight mounted, and what the rack may carry.
    weight: f64,
    max_weight: Option<f64>,
    /// Free units, to skip full racks quickly.
    free_units: u32,
    /// Services with a replica in the rack.
    services: Vec<usize>,
}

impl RackState {
    /// The lowest unit of a free run of `h` units, nearest to `want`.
    fn find(&self, h: u32, want: Option<u32>) -> Option<u32> {
        let units = u32_of(self.free.len());
        if h == 0 || h > units {
            return None;
        }
        let fits = |u: u32| (u..u + h).all(|x| self.free[(x - 1) as usize]);
        if let Some(w) = want.filter(|&w| w >= 1 && w + h - 1 <= units)
            && fits(w)
        {
            return Some(w);
        }
        // Nearest to the wanted unit, else from the bottom.
        let target = want.unwrap_or(1);
        (1..=units - h + 1).filter(|&u| fits(u)).min_by_key(|&u| (u.abs_diff(target), u))
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

    fn take(&mut self, unit: u32, h: u32, w: u32) {
        for x in unit..unit + h {
            self.free[(x - 1) as usize] = false;
        }
        self.free_units -= h;
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
) -> Vec<RackState> {
    // The feed model of each rack holds the machines mounted now: at the destination, those stay.
    let power = power::racks(inv);
    let mut racks: Vec<RackState> = inv
        .racks
        .iter()
        .enumerate()
        .filter(|(_, r)| r.site == plan.to)
        .map(|(i, r)| RackState {
            id: RackId::from_ix(i),
            free: vec![true; r.units as usize],
            free_units: r.units,
            power: 0,
            budget: r.power_w.map(u64::from),
            feeds: Some(power[i].clone()).filter(|p| p.sides() != [false, false]),
            weight: 0.0,
            max_weight: r.max_weight_kg,
            services: Vec::new(),
        })
        .collect();
    let moving: std::collections::HashSet<ServerId> = machines.iter().map(|m| m.0).collect();
    for s in inv.server_ids() {
        let sv = inv.server(s);
        if let (Some(m), false) = (sv.mount, moving.contains(&s))
            && let Some(rs) = racks.iter_mut().find(|r| r.id == m.rack)
        {
            let top = (m.unit + sv.height - 1).min(u32_of(rs.free.len()));
            for x in m.unit..=top {
                rs.free[(x - 1) as usize] = false;
            }
            rs.power += u64::from(sv.power_w.unwrap_or(0));
            rs.weight += sv.weight_kg.unwrap_or(0.0);
            rs.services.extend(&svcs[s.ix()]);
        }
    }
    racks
}

/// Places `machines` (in batch order) at the plan's destination. Machines that fit nowhere get
/// a dest-capacity finding.
pub(crate) fn place(
    inv: &Inventory,
    plan: &Plan,
    machines: &[(ServerId, usize)],
) -> (Vec<Placement>, Vec<Finding>) {
    let svcs = services_of(inv);
    let mut racks = racks(inv, plan, machines, &svcs);
    let mut findings = Vec::new();
    let needed: u64 = machines.iter().map(|&(s, _)| u64::from(inv.server(s).height)).sum();
    let free: u64 = racks.iter().map(|r| r.free.iter().filter(|&&f| f).count() as u64).sum();
    if needed > free {
        findings.push(
            Finding::new(
                Code::DestCapacity,
                plan.loc,
                format!(
                    "the {} at `{}` {} {free} free units, the move needs {needed}",
                    if racks.len() == 1 { "1 rack".to_owned() } else { format!("{} racks", racks.len()) },
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
        let want = sv.mount.map(|m| m.unit);
        let mut best: Option<((usize, bool, usize), usize, u32)> = None;
        let mut unpowered = false;
        // The preferred rack first; then in order, stopping at the first rack without a replica
        // of the same services (nothing after it can rank higher).
        let preferred_ix = preferred.and_then(|p| racks.iter().position(|r| r.id == p));
        for ri in preferred_ix.into_iter().chain(0..racks.len()) {
            let r = &racks[ri];
            if r.free_units < h {
                continue;
            }
            let Some(unit) = r.find(h, want) else { continue };
            if !r.powers(inv, s) {
                unpowered = true;
                continue;
            }
            let conflicts = svcs[s.ix()].iter().filter(|x| r.services.contains(x)).count();
            let key = (conflicts, Some(r.id) != preferred, ri);
            if best.as_ref().is_none_or(|(k, _, _)| key < *k) {
                best = Some((key, ri, unit));
            }
            if conflicts == 0 {
                break;
            }
        }
        match best {
            Some((_, ri, unit)) => {
                racks[ri].take(unit, h, w);
                racks[ri].weight += sv.weight_kg.unwrap_or(0.0);
                if let Some(p) = &mut racks[ri].feeds {
                    let sides = p.sides();
                    p.draws.push(power::draw(s, f64::from(w), sv.psus, sv.feed_side, sides));
                }
                racks[ri].services.extend(&svcs[s.ix()]);
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
                        if h == 1 { "" } else { "s" },
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
