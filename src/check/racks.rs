//! Rack rules: rack-overlap, rack-overflow, rack-site-mismatch, rack-power.

use crate::diag::{Code, Finding};
use crate::model::{HalfU, Inventory, Rack, Server, ServerId, span_text};

/// Checks every rack and the machines mounted in it.
pub(super) fn check(inv: &Inventory, out: &mut Vec<Finding>) {
    let mut by_rack: Vec<Vec<ServerId>> = vec![Vec::new(); inv.racks.len()];
    for id in inv.server_ids() {
        if let Some(m) = inv.server(id).mount {
            by_rack[m.rack.ix()].push(id);
        }
    }
    let mut fed = vec![false; inv.racks.len()];
    for f in &inv.feeds {
        fed[f.rack.ix()] = true;
    }
    for (r, members) in by_rack.iter_mut().enumerate() {
        members.sort_by_key(|&s| (inv.server(s).mount.map(|m| m.unit), s));
        check_rack(inv, &inv.racks[r], members, fed[r], out);
    }
}

/// Checks one rack against its machines, given in unit order.
fn check_rack(inv: &Inventory, rack: &Rack, members: &[ServerId], fed: bool, out: &mut Vec<Finding>) {
    // Sweep in unit order, remembering the machine that reaches highest so far (half units, in
    // the rack's own numbering: intervals overlap there exactly when they do in the rack).
    let mut highest: Option<(HalfU, ServerId)> = None;
    let mut power = 0u64;
    for &s in members {
        let sv = inv.server(s);
        let unit_loc = sv.field_locs.unit.unwrap_or(sv.loc);
        // A 0U machine takes no unit: it neither overflows nor overlaps.
        if let Some(unit) = sv.mount.and_then(|m| m.unit) {
            let end = unit.plus(sv.height);
            if rack.numbering.offset(unit, sv.height).is_none() {
                out.push(overflow(rack, sv, unit, unit_loc));
            }
            if let Some((high, other)) = highest
                && unit < high
            {
                let o = inv.server(other);
                let ounit = o.mount.and_then(|m| m.unit).unwrap_or(HalfU::ZERO);
                out.push(
                    Finding::new(
                        Code::RackOverlap,
                        unit_loc,
                        format!(
                            "`{}` ({}) overlaps `{}` ({}) in rack `{}`",
                            sv.id,
                            units(unit, sv.height),
                            o.id,
                            units(ounit, o.height),
                            rack.id
                        ),
                    )
                    .object("server", &sv.id)
                    .related(o.field_locs.unit.unwrap_or(o.loc), format!("`{}` mounted here", o.id)),
                );
            }
            if highest.is_none_or(|(h, _)| end > h) {
                highest = Some((end, s));
            }
        }
        if let Some(site) = sv.site
            && site != rack.site
        {
            out.push(
                Finding::new(
                    Code::RackSiteMismatch,
                    sv.field_locs.rack.unwrap_or(sv.loc),
                    format!(
                        "`{}` is at site `{}` but its rack `{}` is at site `{}`",
                        sv.id,
                        inv.site(site).id,
                        rack.id,
                        inv.site(rack.site).id
                    ),
                )
                .object("server", &sv.id)
                .related(rack.loc, format!("rack `{}` declared here", rack.id)),
            );
        }
        power += u64::from(sv.power_w.unwrap_or(0));
    }
    // A rack with feeds is budgeted by its feeds (see `power`).
    if let Some(budget) = rack.power_w
        && !fed
        && power > u64::from(budget)
    {
        out.push(
            Finding::new(
                Code::RackPower,
                rack.loc,
                format!("the machines in rack `{}` draw {power} W, over its budget of {budget} W", rack.id),
            )
            .object("rack", &rack.id)
            .hint(format!("move {} W of machines to another rack", power - u64::from(budget))),
        );
    }
}

/// `unit 3`, `units 3-4`, or `units 1.5U from 3.5`.
pub(crate) fn units(unit: HalfU, height: HalfU) -> String {
    if !unit.is_whole() || !height.is_whole() {
        return format!("{height}U from unit {unit}");
    }
    let text = span_text(unit, height);
    if height <= HalfU::ONE { format!("unit {text}") } else { format!("units {text}") }
}

/// A machine (partly) outside its rack's units.
fn overflow(rack: &Rack, sv: &Server, unit: HalfU, at: crate::diag::Loc) -> Finding {
    let n = rack.numbering;
    let has = if n.is_plain() {
        format!("{} units", rack.units)
    } else {
        format!("units {}{}", n.range_text(), if n.top_down { ", numbered from the top" } else { "" })
    };
    Finding::new(
        Code::RackOverflow,
        at,
        format!("`{}` occupies {} but rack `{}` has {has}", sv.id, units(unit, sv.height), rack.id),
    )
    .object("server", &sv.id)
    .related(rack.loc, format!("rack `{}` declared here", rack.id))
}

#[cfg(test)]
mod tests {
    use crate::diag::Code;
    use crate::testutil::codes_of;

    const RACK: &str = "[[site]]\nid = \"s\"\n[[site]]\nid = \"t\"\n[[rack]]\nid = \"r\"\nsite = \"s\"\nunits = 10\npower_w = 500\n";

    #[test]
    fn adjacent_machines_do_not_overlap() {
        let inv = format!(
            "{RACK}[[server]]\nid = \"a\"\nsite = \"s\"\nrack = \"r\"\nunit = 1\nheight = 2\n[[server]]\nid = \"b\"\nsite = \"s\"\nrack = \"r\"\nunit = 3\nheight = 8\n"
        );
        assert_eq!(codes_of(&inv), vec![]);
    }

    #[test]
    fn overlap_overflow_site_and_power() {
        let inv = format!(
            "{RACK}[[server]]\nid = \"a\"\nsite = \"s\"\nrack = \"r\"\nunit = 1\nheight = 4\npower_w = 300\n[[server]]\nid = \"b\"\nsite = \"t\"\nrack = \"r\"\nunit = 4\nheight = 8\npower_w = 300\n"
        );
        assert_eq!(
            codes_of(&inv),
            vec![Code::RackPower, Code::RackSiteMismatch, Code::RackOverlap, Code::RackOverflow]
        );
    }

    #[test]
    fn a_tall_machine_overlaps_everything_inside_it() {
        let inv = format!(
            "{RACK}[[server]]\nid = \"a\"\nsite = \"s\"\nrack = \"r\"\nunit = 1\nheight = 6\n[[server]]\nid = \"b\"\nsite = \"s\"\nrack = \"r\"\nunit = 2\n[[server]]\nid = \"c\"\nsite = \"s\"\nrack = \"r\"\nunit = 4\n"
        );
        assert_eq!(codes_of(&inv), vec![Code::RackOverlap, Code::RackOverlap]);
    }

    fn server(id: &str, fields: &str) -> String {
        format!("[[server]]\nid = \"{id}\"\nsite = \"s\"\nrack = \"r\"\n{fields}\n")
    }

    #[test]
    fn half_units_fit_side_by_side_and_overlap_by_half() {
        let ok = [
            server("a", "unit = 1\nheight = 0.5"),
            server("b", "unit = 1.5\nheight = 1.5"),
            server("c", "unit = 3"),
        ];
        assert_eq!(codes_of(&format!("{RACK}{}", ok.concat())), vec![]);
        let clash = [server("a", "unit = 1\nheight = 1.5"), server("b", "unit = 2\nheight = 0.5")];
        assert_eq!(codes_of(&format!("{RACK}{}", clash.concat())), vec![Code::RackOverlap]);
        let top = server("a", "unit = 10.5\nheight = 1");
        assert_eq!(codes_of(&format!("{RACK}{top}")), vec![Code::RackOverflow]);
    }

    #[test]
    fn units_that_are_not_half_units_are_invalid() {
        for bad in ["unit = 1.25", "unit = 0", "unit = -1", "height = 0.3", "height = -0.5", "unit = 1e300"] {
            let inv = format!(
                "{RACK}{}",
                server("a", &format!("{bad}\n{}", if bad.starts_with("unit") { "" } else { "unit = 1" }))
            );
            assert_eq!(codes_of(&inv), vec![Code::InvalidValue], "{bad}");
        }
    }

    #[test]
    fn zero_u_machines_take_no_unit_and_never_overlap() {
        let pdus =
            [server("a", "height = 0"), server("b", "height = 0"), server("c", "unit = 1\nheight = 10")];
        assert_eq!(codes_of(&format!("{RACK}{}", pdus.concat())), vec![]);
        let with_unit = server("a", "height = 0\nunit = 3");
        assert_eq!(codes_of(&format!("{RACK}{with_unit}")), vec![Code::InvalidValue]);
        let no_unit = server("a", "height = 1");
        assert_eq!(codes_of(&format!("{RACK}{no_unit}")), vec![Code::InvalidValue]);
    }

    #[test]
    fn racks_numbered_from_another_unit_or_from_the_top() {
        let rack = "[[site]]\nid = \"s\"\n[[rack]]\nid = \"r\"\nsite = \"s\"\nunits = 10\nstarting_unit = 5\ndesc_units = true\n";
        let ok = [
            server("a", "unit = 5\nheight = 2"),
            server("b", "unit = 7"),
            server("c", "unit = 13\nheight = 2"),
        ];
        assert_eq!(codes_of(&format!("{rack}{}", ok.concat())), vec![]);
        for bad in ["unit = 4", "unit = 14\nheight = 2", "unit = 15"] {
            assert_eq!(codes_of(&format!("{rack}{}", server("a", bad))), vec![Code::RackOverflow], "{bad}");
        }
        let clash = [server("a", "unit = 5\nheight = 2"), server("b", "unit = 6")];
        assert_eq!(codes_of(&format!("{rack}{}", clash.concat())), vec![Code::RackOverlap]);
        let bad_start = rack.replace("starting_unit = 5", "starting_unit = 0");
        assert_eq!(codes_of(&bad_start), vec![Code::InvalidValue]);
    }
}
