//! `dcplan impact`: what goes down if these machines are off.

use anyhow::{Result, bail};

use super::{Ctx, Exit, did_you_mean};
use crate::cli::{ImpactArgs, ReportFormat};

pub(super) fn run(ctx: &Ctx, a: ImpactArgs, out: &mut String) -> Result<Exit> {
    let c = ctx.model(&crate::Options::default())?;
    let inv = &c.inventory;
    let mut machines = Vec::new();
    for name in &a.machines {
        let Some(&id) = inv.index.servers.get(name) else {
            let hint = did_you_mean(name, inv.servers.iter().map(|s| s.id.as_str()));
            bail!("no machine `{name}` in the inventory{hint}");
        };
        machines.push(id);
    }
    let impact = crate::impact::impact(inv, &machines);
    let bgp = crate::impact::announcements(&c, &machines);
    out.push_str(&match a.format {
        ReportFormat::Human => crate::render::impact::human(inv, &machines, &impact, &bgp),
        ReportFormat::Json => crate::render::impact::json(&c, &machines, &impact, &bgp),
    });
    Ok(Exit::Clean)
}
