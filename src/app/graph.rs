//! `dcplan graph`: services and machines as Graphviz DOT or Mermaid, by batch with `--plan`.

use anyhow::Result;

use super::{Ctx, Exit, render_findings};
use crate::cli::{FindingsFormat, GraphArgs, GraphFormat};
use crate::diag::Finding;

pub(super) fn run(ctx: &Ctx, a: GraphArgs, out: &mut String) -> Result<Exit> {
    let (c, batch_of) = match &a.plan {
        None => {
            let c = ctx.model(&crate::Options::default())?;
            let n = c.inventory.servers.len();
            (c, vec![None; n])
        }
        Some(path) => {
            // Findings go to stderr: stdout is the picture, often redirected into a file.
            let mut findings = String::new();
            let planned = super::plan::planned(ctx, path, None, FindingsFormat::Human, &mut findings)?;
            eprint!("{findings}");
            let Some((c, o)) = planned else { return Ok(Exit::Findings) };
            if o.has_errors() {
                let errors: Vec<Finding> = o.errors().cloned().collect();
                eprint!(
                    "{}",
                    render_findings(FindingsFormat::Human, &errors, &c.sources, &c.root, ctx.color)
                );
                eprintln!("error: the plan has errors; no graph drawn");
                return Ok(Exit::Findings);
            }
            let batch_of = o.batch_of(&c.inventory);
            (c, batch_of)
        }
    };
    out.push_str(&match a.format {
        GraphFormat::Dot => crate::render::graph::dot(&c.inventory, &batch_of),
        GraphFormat::Mermaid => crate::render::graph::mermaid(&c.inventory, &batch_of),
    });
    Ok(Exit::Clean)
}
