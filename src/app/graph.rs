//! `dcplan graph`: services and machines as Graphviz DOT or Mermaid, by batch with `--plan`.

use anyhow::Result;

use super::{Ctx, Exit};
use crate::cli::{FindingsFormat, GraphArgs, GraphFormat};

pub(super) fn run(ctx: &Ctx, a: GraphArgs, out: &mut String) -> Result<Exit> {
    let (c, batch_of) = match &a.plan {
        None => {
            let c = ctx.model(&crate::Options::default())?;
            let n = c.inventory.servers.len();
            (c, vec![None; n])
        }
        Some(path) => {
            let Some((c, o)) = super::plan::planned(ctx, path, None, FindingsFormat::Human, out)? else {
                return Ok(Exit::Findings);
            };
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
