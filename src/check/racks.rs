//! Rack rules: rack-overlap, rack-overflow, rack-site-mismatch, rack-power.

use crate::diag::{Code, Finding};
use crate::model::{Inventory, Rack, ServerId};

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
    // Sweep in unit order, remembering the machine that reaches highest so far.
    let mut highest: Option<(u32, ServerId)> = None;
    let mut power = 0u64;
    for &s in members {
        let sv = inv.server(s);
        let unit = sv.mount.map_or(1, |m| m.unit);
        let top = unit + sv.height - 1;
        let unit_loc = sv.field_locs.unit.unwrap_or(sv.loc);
        if top > rack.units {
            out.push(
                Finding::new(
                    Code::RackOverflow,
                    unit_loc,
                    format!(
                        "`{}` occupies {} but rack `{}` has {} units",
                        sv.id,
                        units(unit, top),
                        rack.id,
                        rack.units
                    ),
                )
                .object("server", &sv.id)
                .related(rack.loc, format!("rack `{}` declared here", rack.id)),
            );
        }
        if let Some((high, other)) = highest
            && unit <= high
        {
            let o = inv.server(other);
            let ounit = o.mount.map_or(1, |m| m.unit);
            out.push(
                Finding::new(
                    Code::RackOverlap,
                    unit_loc,
                    format!(
                        "`{}` ({}) overlaps `{}` ({}) in rack `{}`",
                        sv.id,
                        units(unit, top),
                        o.id,
                        units(ounit, ounit + o.height - 1),
                        rack.id
                    ),
                )
                .object("server", &sv.id)
                .related(o.field_locs.unit.unwrap_or(o.loc), format!("`{}` mounted here", o.id)),
            );
        }
        if highest.is_none_or(|(h, _)| top > h) {
            highest = Some((top, s));
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

/// `unit 3` or `units 3-4`.
pub(crate) fn units(low: u32, high: u32) -> String {
    if low == high { format!("unit {low}") } else { format!("units {low}-{high}") }
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
}
