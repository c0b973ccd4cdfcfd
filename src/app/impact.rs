//! `dcplan impact`: what goes down if these machines are off, or if a feed or a side of a
//! rack's power fails.

use anyhow::{Result, bail};

use super::{Ctx, Exit, did_you_mean};
use crate::check::power::{self, Loss, Outage};
use crate::cli::{ImpactArgs, PowerSide, ReportFormat};
use crate::model::{Inventory, RackId, ServerId, Side};

pub(super) fn run(ctx: &Ctx, a: ImpactArgs, out: &mut String) -> Result<Exit> {
    let c = ctx.model(&crate::Options::default())?;
    let inv = &c.inventory;
    let power = power_loss(inv, &a)?;
    let machines = match &power {
        Some((_, _, o)) => o.dark.clone(),
        None => named_machines(inv, &a.machines)?,
    };
    let impact = crate::impact::impact(inv, &machines);
    let bgp = crate::impact::announcements(&c, &machines);
    let power = power.as_ref().map(|(rack, loss, o)| crate::render::impact::PowerLoss {
        rack: *rack,
        loss: *loss,
        outage: o,
    });
    out.push_str(&match a.format {
        ReportFormat::Human => crate::render::impact::human(inv, &machines, &impact, &bgp, power.as_ref()),
        ReportFormat::Json => crate::render::impact::json(&c, &machines, &impact, &bgp, power.as_ref()),
    });
    Ok(Exit::Clean)
}

fn named_machines(inv: &Inventory, names: &[String]) -> Result<Vec<ServerId>> {
    let mut machines = Vec::new();
    for name in names {
        let Some(&id) = inv.index.servers.get(name) else {
            let hint = did_you_mean(name, inv.servers.iter().map(|s| s.id.as_str()));
            bail!("no machine `{name}` in the inventory{hint}");
        };
        machines.push(id);
    }
    Ok(machines)
}

/// `--feed ID` or `--side S --rack R`: the rack, what fails, and what follows; `None` for
/// machines named on the command line.
fn power_loss(inv: &Inventory, a: &ImpactArgs) -> Result<Option<(RackId, Loss, Outage)>> {
    let (rack, loss) = if let Some(name) = &a.feed {
        let Some(&f) = inv.index.feeds.get(name) else {
            let hint = did_you_mean(name, inv.feeds.iter().map(|f| f.id.as_str()));
            bail!("no feed `{name}` in the inventory{hint}");
        };
        (inv.feeds[f.ix()].rack, Loss::Feed(f))
    } else if let (Some(side), Some(name)) = (a.side, &a.rack) {
        let Some(&r) = inv.index.racks.get(name) else {
            let hint = did_you_mean(name, inv.racks.iter().map(|r| r.id.as_str()));
            bail!("no rack `{name}` in the inventory{hint}");
        };
        let side = match side {
            PowerSide::A => Side::A,
            PowerSide::B => Side::B,
        };
        (r, Loss::Side(side))
    } else {
        return Ok(None);
    };
    let all = power::racks(inv);
    let p = &all[rack.ix()];
    let rk = &inv.rack(rack).id;
    if !p.fed() {
        bail!("rack `{rk}` has no [[feed]]: its power is one budget (power_w), with no side to lose");
    }
    if let Loss::Side(s) = loss
        && !p.has(s)
    {
        bail!(
            "rack `{rk}` has no side {} feed (its feeds are on side {} only)",
            s.as_str(),
            s.other().as_str()
        );
    }
    Ok(Some((rack, loss, power::outage(inv, p, loss))))
}
