//! `dcplan runbook`: write the move-night runbooks of a plan.

use anyhow::{Result, bail};

use super::{Ctx, Exit, files};
use crate::cli::{FindingsFormat, RunbookArgs};

pub(super) fn run(ctx: &Ctx, a: RunbookArgs, out: &mut String) -> Result<Exit> {
    let Some((c, o)) = super::plan::planned(ctx, &a.plan, None, FindingsFormat::Human, out)? else {
        return Ok(Exit::Findings);
    };
    if o.batches.is_empty() || o.has_errors() {
        out.push_str(&crate::render::plan::human(&o, &c.inventory, &c.sources, ctx.color, false));
        eprintln!("error: the plan has errors; no runbook written");
        return Ok(Exit::Findings);
    }
    let inv = &c.inventory;
    let nights = crate::runbook::nights(inv, &o);
    let mut written = vec![("README.md".to_owned(), crate::render::runbook::overview(inv, &o))];
    for (b, n) in o.batches.iter().zip(&nights) {
        written.push((
            crate::render::runbook::batch_file(b.index),
            crate::render::runbook::night(inv, &o, b, n, &a.plan.display().to_string()),
        ));
        written.extend(crate::render::racks::night_files(inv, &o, b));
    }
    // A night's Markdown and its rack drawings.
    let is_night =
        |name: &str| name.starts_with("batch-") && (name.ends_with(".md") || name.ends_with(".svg"));
    if let Err(present) = files::write_all(&a.out, &written, a.force, is_night)? {
        bail!(
            "`{}` already holds {}: use --force to replace the runbook",
            a.out.display(),
            present.join(", ")
        );
    }
    for (name, _) in &written {
        out.push_str(&format!("wrote {}\n", a.out.join(name).display()));
    }
    Ok(Exit::Clean)
}
