//! `dcplan racks`: rack elevations as SVG, one file per rack, as the inventory has them or at
//! a state of a plan.

use anyhow::{Result, anyhow, bail};

use super::{Ctx, Exit, files};
use crate::cli::{FindingsFormat, RacksArgs};
use crate::render::racks::{self, Shown};

pub(super) fn run(ctx: &Ctx, a: RacksArgs, out: &mut String) -> Result<Exit> {
    let written = match (&a.plan, &a.state) {
        (Some(path), Some(state)) => {
            let Some((c, o)) = super::plan::planned(ctx, path, None, FindingsFormat::Human, out)? else {
                return Ok(Exit::Findings);
            };
            if o.batches.is_empty() {
                out.push_str(&crate::render::plan::human(&o, &c.inventory, &c.sources, ctx.color, false));
                eprintln!("error: the plan has no valid schedule; no rack drawn");
                return Ok(Exit::Findings);
            }
            let state = crate::plan::StateName::of_plan(state, o.batches.len()).map_err(|e| anyhow!(e))?;
            let ids = racks::select(&c.inventory, a.site.as_deref(), &a.racks).map_err(|e| anyhow!(e))?;
            racks::files(&c.inventory, &ids, Shown::Plan(&o, state))
        }
        _ => {
            let c = ctx.model(&crate::Options::default())?;
            let ids = racks::select(&c.inventory, a.site.as_deref(), &a.racks).map_err(|e| anyhow!(e))?;
            racks::files(&c.inventory, &ids, Shown::Inventory)
        }
    };
    // Other SVG files in the folder are the user's (or another site's): never stale.
    if let Err(present) = files::write_all(&a.out, &written, a.force, |_| false)? {
        bail!("`{}` already holds {}: use --force to replace them", a.out.display(), present.join(", "));
    }
    for (name, _) in &written {
        out.push_str(&format!("wrote {}\n", a.out.join(name).display()));
    }
    Ok(Exit::Clean)
}
