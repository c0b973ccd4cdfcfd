//! Rack elevations (front views) as data: which machine sits in which units of a rack, as the
//! inventory has it or in a state of a move plan, and what moves that night. [`super::racks_svg`]
//! draws the result.
//!
//! Two steps. [`contents`] says what is where, in rack units as the inventory numbers them;
//! [`view`] turns one rack's contents into display rows (top to bottom) with their labels. How
//! a rack numbers its units is known only to [`Numbering`](crate::model::Numbering): racks numbered top-down, from
//! another first unit, or in half units change that type and nothing else.

use crate::diag::text::did_you_mean_suffix;
use crate::model::{HalfU, Inventory, Kind, Rack, RackId, ServerId, span_text};
use crate::plan::{Batch, Outcome, StateName};
use crate::render::plan::state_name;

/// What the night shown does to a machine in a rack.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Mark {
    /// Nothing: it stays where it is (or no night is shown).
    Stays,
    /// It leaves this rack this night.
    Leaves,
    /// It arrives in this rack this night.
    Arrives,
    /// It left this rack this night: its units are free now.
    Left,
}

/// A machine in a rack, at its lowest unit as the rack numbers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Occupant {
    /// The machine.
    pub(crate) server: ServerId,
    /// Lowest-numbered unit occupied; None for a 0U machine.
    pub(crate) unit: Option<HalfU>,
    /// What the night shown does to it.
    pub(crate) mark: Mark,
}

/// What is in every rack (indexed by rack), as the inventory has it or at a state of a plan.
/// Occupants are sorted by unit, then machine.
pub(crate) fn contents(inv: &Inventory, plan: Option<(&Outcome, StateName)>) -> Vec<Vec<Occupant>> {
    let mut out = vec![Vec::new(); inv.racks.len()];
    // The night (0 = none yet) each moving machine travels in, and where it goes.
    let mut night = vec![0usize; inv.servers.len()];
    let mut placed = vec![None; inv.servers.len()];
    if let Some((o, _)) = plan {
        for b in &o.batches {
            for &s in &b.servers {
                night[s.ix()] = b.index;
            }
            for p in &b.placements {
                placed[p.server.ix()] = Some((p.rack, p.unit));
            }
        }
    }
    let (shown, during) = match plan.map(|p| p.1) {
        None | Some(StateName::Before) => (0, false),
        Some(StateName::During(k)) => (k, true),
        Some(StateName::After(k)) => (k, false),
    };
    for s in inv.server_ids() {
        let n = night[s.ix()];
        let moved = n != 0 && (n < shown || (n == shown && !during));
        if let Some(m) = inv.server(s).mount.filter(|_| !moved || n == shown) {
            let mark = match (n == shown && n != 0, moved) {
                (false, _) => Mark::Stays,
                (true, false) => Mark::Leaves,
                (true, true) => Mark::Left,
            };
            out[m.rack.ix()].push(Occupant { server: s, unit: m.unit, mark });
        }
        if let Some((rack, unit)) = placed[s.ix()].filter(|_| n != 0 && n <= shown) {
            let mark = if n == shown { Mark::Arrives } else { Mark::Stays };
            out[rack.ix()].push(Occupant { server: s, unit, mark });
        }
    }
    for occupants in &mut out {
        occupants.sort_by_key(|o| (o.unit, o.server));
    }
    out
}

/// The source racks (what leaves) and destination racks (what arrives) of a night, each in
/// inventory order without repeats.
pub(crate) fn night_racks(inv: &Inventory, b: &Batch) -> (Vec<RackId>, Vec<RackId>) {
    let mut from: Vec<RackId> =
        b.servers.iter().filter_map(|&s| inv.server(s).mount.map(|m| m.rack)).collect();
    let mut to: Vec<RackId> = b.placements.iter().map(|p| p.rack).collect();
    for v in [&mut from, &mut to] {
        v.sort();
        v.dedup();
    }
    (from, to)
}

/// The racks to draw: all, those of a site, or those named; an unknown name is an error that
/// says what exists.
pub(crate) fn select(inv: &Inventory, site: Option<&str>, names: &[String]) -> Result<Vec<RackId>, String> {
    let site = match site {
        None => None,
        Some(name) => Some(*inv.index.sites.get(name).ok_or_else(|| {
            let mut sites: Vec<&str> = inv.sites.iter().map(|s| s.id.as_str()).collect();
            sites.sort_unstable();
            format!("no site `{name}` in the inventory; its sites: {}", sites.join(", "))
        })?),
    };
    let mut ids = Vec::new();
    for name in names {
        let &id = inv.index.racks.get(name).ok_or_else(|| {
            let hint = did_you_mean_suffix(name, inv.racks.iter().map(|r| r.id.as_str()));
            format!("no rack `{name}` in the inventory{hint}; `dcplan list racks` lists them")
        })?;
        if let Some(site) = site.filter(|&s| inv.rack(id).site != s) {
            return Err(format!("rack `{name}` is not at site `{}`", inv.site(site).id));
        }
        ids.push(id);
    }
    if names.is_empty() {
        ids = (0..inv.racks.len())
            .map(RackId::from_ix)
            .filter(|&r| site.is_none_or(|s| inv.rack(r).site == s))
            .collect();
    }
    ids.sort();
    ids.dedup();
    Ok(ids)
}

/// The file an elevation is written to: `RACK.svg`, or `batch-NN-RACK.svg` beside a runbook.
pub(crate) fn file_name(rack: &Rack, night: Option<usize>) -> String {
    match night {
        None => format!("{}.svg", rack.id),
        Some(k) => format!("batch-{k:02}-{}.svg", rack.id),
    }
}

/// One rack, ready to draw: rows from the top with their unit labels, and the machines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RackView {
    /// The rack id.
    pub(crate) id: String,
    /// First heading line: rack, site, size.
    pub(crate) title: String,
    /// Lines under the heading: the site, and what is shown (the inventory, or a plan's state).
    pub(crate) subtitle: Vec<String>,
    /// The unit label of each display row, top to bottom.
    pub(crate) rows: Vec<String>,
    /// The machines.
    pub(crate) slots: Vec<Slot>,
    /// The marks that the state shown can have, for the legend.
    pub(crate) marks: Vec<Mark>,
}

/// A machine's box.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Slot {
    /// Top display row, in half rows (a row is one unit).
    pub(crate) top: u32,
    /// Display half rows covered.
    pub(crate) rows: u32,
    /// Machine id.
    pub(crate) label: String,
    /// Height as the inventory gives it.
    pub(crate) height: HalfU,
    /// Its kind.
    pub(crate) kind: Kind,
    /// What the night shown does to it.
    pub(crate) mark: Mark,
    /// Units as the rack numbers them, for the tooltip: `12-13`.
    pub(crate) units: String,
    /// Part of it is outside the rack (an inventory error, drawn clipped).
    pub(crate) clipped: bool,
}

/// What a view shows: the inventory, or a state of a plan.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Shown<'a> {
    /// The inventory as it is.
    Inventory,
    /// A plan's state.
    Plan(&'a Outcome, StateName),
}

/// The model-to-view step for one rack.
pub(crate) fn view(inv: &Inventory, rack: RackId, occupants: &[Occupant], shown: Shown<'_>) -> RackView {
    let r = inv.rack(rack);
    let n = r.numbering;
    let site = inv.site(r.site);
    let power = r.power_w.map(|w| format!(", {w} W")).unwrap_or_default();
    let mut subtitle = match shown {
        Shown::Inventory => vec![site.name.clone(), "As in the inventory".to_owned()],
        Shown::Plan(o, state) => {
            let when = state.night().map(|k| match o.plan.window(k) {
                Some(w) => format!(" (night {k} of {}, {})", o.batches.len(), w.format()),
                None => format!(" (night {k} of {})", o.batches.len()),
            });
            vec![
                site.name.clone(),
                format!("Plan \"{}\": {}{}", o.plan.name, state_name(state), when.unwrap_or_default()),
            ]
        }
    };
    let zero_u: Vec<&str> =
        occupants.iter().filter(|o| o.unit.is_none()).map(|o| inv.server(o.server).id.as_str()).collect();
    if !zero_u.is_empty() {
        subtitle.push(format!("0U, beside the units: {}", zero_u.join(", ")));
    }
    let slots = occupants
        .iter()
        .filter_map(|o| {
            let s = inv.server(o.server);
            let unit = o.unit?;
            let (top, rows, clipped) = n.half_rows(unit, s.height)?;
            let units = span_text(unit, s.height);
            Some(Slot {
                top,
                rows,
                label: s.id.clone(),
                height: s.height,
                kind: s.kind,
                mark: o.mark,
                units,
                clipped,
            })
        })
        .collect();
    RackView {
        id: r.id.clone(),
        title: format!("Rack {}, site {}: {} U{power}", r.id, site.id, r.units),
        subtitle,
        rows: (0..r.units).map(|row| n.label(row).to_string()).collect(),
        slots,
        marks: match shown {
            Shown::Inventory | Shown::Plan(_, StateName::Before) => Vec::new(),
            Shown::Plan(_, StateName::During(_)) => vec![Mark::Leaves, Mark::Arrives],
            Shown::Plan(_, StateName::After(_)) => vec![Mark::Arrives, Mark::Left],
        },
    }
}

/// The SVG files of `racks` in what `shown` shows: (file name, text), in rack order.
pub(crate) fn files(inv: &Inventory, racks: &[RackId], shown: Shown<'_>) -> Vec<(String, String)> {
    let plan = match shown {
        Shown::Inventory => None,
        Shown::Plan(o, state) => Some((o, state)),
    };
    let all = contents(inv, plan);
    let progress = crate::progress::Progress::bar("drawing racks", racks.len(), crate::progress::LONG_RACKS);
    racks
        .iter()
        .map(|&r| {
            let text = super::racks_svg::svg(&view(inv, r, &all[r.ix()], shown));
            progress.inc();
            (file_name(inv.rack(r), None), text)
        })
        .collect()
}

/// The elevations of night `b`'s source and destination racks, as they are during the night,
/// named to be written beside the runbook: (file name, text).
pub(crate) fn night_files(inv: &Inventory, o: &Outcome, b: &Batch) -> Vec<(String, String)> {
    let (from, to) = night_racks(inv, b);
    let all = contents(inv, Some((o, StateName::During(b.index))));
    from.iter()
        .chain(&to)
        .map(|&r| {
            let v = view(inv, r, &all[r.ix()], Shown::Plan(o, StateName::During(b.index)));
            (file_name(inv.rack(r), Some(b.index)), super::racks_svg::svg(&v))
        })
        .collect()
}

/// The runbook's section on night `b`'s racks: image links to [`night_files`].
pub(crate) fn night_markdown(inv: &Inventory, b: &Batch) -> String {
    let (from, to) = night_racks(inv, b);
    let mut out = String::from("\n## Racks\n\n");
    out.push_str("Front views during the night: what leaves is hatched and marked OUT, ");
    out.push_str("what arrives dotted and marked IN.\n");
    for (heading, racks) in [("Source racks (what leaves)", &from), ("Destination racks (what arrives)", &to)]
    {
        out.push_str(&format!("\n### {heading}\n\n"));
        if racks.is_empty() {
            out.push_str("None.\n");
        }
        for &r in racks {
            let rack = inv.rack(r);
            out.push_str(&format!("![rack {}]({})\n", rack.id, file_name(rack, Some(b.index))));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Numbering;

    #[test]
    fn bottom_up_numbering_puts_unit_1_on_the_last_row() {
        let n = Numbering { units: 42, first: 1, top_down: false };
        assert_eq!(n.label(0), 42);
        assert_eq!(n.label(41), 1);
        // A 2U machine at unit 12 covers units 12 and 13: rows 29 and 30 from the top, in half
        // rows 58..62.
        assert_eq!(n.half_rows(HalfU::units(12), HalfU::units(2)), Some((58, 4, false)));
        assert_eq!(n.half_rows(HalfU::units(42), HalfU::units(2)), Some((0, 2, true)));
        assert_eq!(n.half_rows(HalfU::units(50), HalfU::ONE), None);
    }

    #[test]
    fn top_down_numbering_is_one_change_in_the_model() {
        let n = Numbering { units: 10, first: 1, top_down: true };
        assert_eq!(n.label(0), 1);
        assert_eq!(n.half_rows(HalfU::units(3), HalfU::units(2)), Some((4, 4, false)));
        let n = Numbering { units: 10, first: 0, top_down: false };
        assert_eq!(n.label(9), 0);
        assert_eq!(n.half_rows(HalfU(0), HalfU::ONE), Some((18, 2, false)));
    }

    #[test]
    fn half_units_top_down_racks_and_0u_machines_are_drawn_where_the_rack_says() {
        let c = crate::testutil::checked_of(
            "[[site]]\nid = \"s\"\n[[rack]]\nid = \"r\"\nsite = \"s\"\nunits = 4\nstarting_unit = 5\ndesc_units = true\n\
             [[server]]\nid = \"top\"\nsite = \"s\"\nrack = \"r\"\nunit = 5\nheight = 1.5\n\
             [[server]]\nid = \"half\"\nsite = \"s\"\nrack = \"r\"\nunit = 8.5\nheight = 0.5\n\
             [[server]]\nid = \"pdu\"\nsite = \"s\"\nrack = \"r\"\nheight = 0\n",
        );
        let inv = &c.inventory;
        let occupants = &contents(inv, None)[0];
        let v = view(inv, RackId(0), occupants, Shown::Inventory);
        // Numbered 5..8 from the top.
        assert_eq!(v.rows, ["5", "6", "7", "8"]);
        let boxes: Vec<(&str, u32, u32, String)> =
            v.slots.iter().map(|s| (s.label.as_str(), s.top, s.rows, s.units.clone())).collect();
        assert_eq!(
            boxes,
            [("top", 0, 3, "1.5U from 5".to_owned()), ("half", 7, 1, "0.5U from 8.5".to_owned())]
        );
        assert!(v.subtitle.iter().any(|l| l == "0U, beside the units: pdu"), "{:?}", v.subtitle);
        let svg = crate::render::racks_svg::svg(&v);
        assert!(svg.contains("half") && svg.contains("0.5U"), "{svg}");
    }

    /// The example inventory and its plan.
    fn example() -> (crate::Checked, Outcome) {
        let loaded = crate::load::load(crate::load::Root::Embedded).expect("the example loads");
        let mut c = crate::check_loaded(loaded, &crate::Options::default());
        let text = include_str!("../../plans/move-to-cv.toml");
        let file = c.sources.add("plans/move-to-cv.toml".into(), text.into());
        let (plan, _) = crate::plan::spec::load(file, &c.sources, &c.inventory);
        let o = crate::plan::plan(&c, plan.expect("the example plan loads"));
        (c, o)
    }

    #[test]
    fn every_state_puts_each_machine_once_and_moving_ones_twice() {
        let (c, o) = example();
        let inv = &c.inventory;
        assert_eq!(contents(inv, None), contents(inv, Some((&o, StateName::Before))));
        let batch_of = o.batch_of(inv);
        for (state, _) in o.states() {
            let all = contents(inv, Some((&o, state)));
            let mut seen = vec![Vec::new(); inv.servers.len()];
            for (r, occupants) in all.iter().enumerate() {
                let n = inv.racks[r].numbering;
                let mut taken = vec![false; n.height().0 as usize];
                for occ in occupants {
                    seen[occ.server.ix()].push(occ.mark);
                    if occ.mark == Mark::Left {
                        continue;
                    }
                    let h = inv.server(occ.server).height;
                    let Some(o) = occ.unit.and_then(|u| n.offset(u, h)) else { continue };
                    for u in o.0..o.0 + h.0 {
                        let slot = &mut taken[u as usize];
                        assert!(!*slot, "{state:?}: unit {u} of {} taken twice", inv.racks[r].id);
                        *slot = true;
                    }
                }
            }
            for s in inv.server_ids().filter(|&s| inv.server(s).mount.is_some()) {
                let tonight = state.night().is_some() && batch_of[s.ix()] == state.night();
                let mut marks = seen[s.ix()].clone();
                marks.sort();
                let want = match state {
                    _ if !tonight => vec![Mark::Stays],
                    StateName::During(_) => vec![Mark::Leaves, Mark::Arrives],
                    _ => vec![Mark::Arrives, Mark::Left],
                };
                assert_eq!(marks, want, "{state:?}: {}", inv.server(s).id);
            }
        }
    }

    #[test]
    fn after_the_last_night_only_what_stays_is_at_the_old_site() {
        let (c, o) = example();
        let inv = &c.inventory;
        let last = contents(inv, Some((&o, StateName::After(o.batches.len()))));
        for (r, occupants) in last.iter().enumerate() {
            for occ in occupants.iter().filter(|occ| occ.mark != Mark::Left) {
                let at_old = inv.racks[r].site == o.plan.from;
                assert_eq!(at_old, o.plan.stay.contains(&occ.server), "{}", inv.server(occ.server).id);
            }
        }
    }
}
