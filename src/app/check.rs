//! `dcplan check`: load and validate the inventory, print the findings.

use anyhow::Result;

use super::{Ctx, Exit, render_findings};
use crate::cli::CheckArgs;

pub(super) fn run(ctx: &Ctx, a: CheckArgs, out: &mut String) -> Result<Exit> {
    let mut c = ctx.checked(a.dir, None, &crate::Options { roas: a.roas, ..crate::Options::default() })?;
    if a.deny_warnings {
        crate::diag::policy::deny_warnings(&mut c.findings);
    }
    out.push_str(&render_findings(a.format, &c.findings, &c.sources, &c.root, ctx.color));
    let exit = Exit::of(&c.findings);
    // The process ends next: freeing a model of many small strings one by one costs more
    // than the check itself on large inventories.
    std::mem::forget(c);
    Ok(exit)
}
