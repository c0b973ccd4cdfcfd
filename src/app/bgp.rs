//! `dcplan bgp status` and `dcplan bgp render`.

use anyhow::{Result, bail};

use super::{Ctx, Exit, did_you_mean, to_json};
use crate::cli::{BgpRenderArgs, BgpStatusArgs, ReportFormat};
use crate::model::{Inventory, Kind, ServerId};

pub(super) fn status(ctx: &Ctx, a: BgpStatusArgs, out: &mut String) -> Result<Exit> {
    let c = ctx.model(&crate::Options { roas: a.roas, ..crate::Options::default() })?;
    let engine = c.engine(&[]);
    let rows = crate::bgp::status::status(&engine, &crate::bgp::State::current(&c.inventory));
    out.push_str(&match a.format {
        ReportFormat::Human => crate::render::tables::table(&rows),
        ReportFormat::Json => to_json(&rows)?,
    });
    Ok(Exit::Clean)
}

/// The router named on the command line. Anything else is a usage error (exit 2): a machine of
/// another kind has no circuits, so `render` would print an empty config and `verify` would find
/// nothing to judge and pass.
pub(super) fn router(inv: &Inventory, name: &str) -> Result<ServerId> {
    let Some(&id) = inv.index.servers.get(name) else {
        let routers = inv.servers.iter().filter(|s| s.kind == Kind::Router).map(|s| s.id.as_str());
        bail!("no machine `{name}` in the inventory{}", did_you_mean(name, routers));
    };
    if inv.server(id).kind != Kind::Router {
        bail!("`{name}` is a {}, not a router", inv.server(id).kind.as_str());
    }
    Ok(id)
}

pub(super) fn render(ctx: &Ctx, a: BgpRenderArgs, out: &mut String) -> Result<Exit> {
    let c = ctx.model(&crate::Options::default())?;
    let inv = &c.inventory;
    let id = router(inv, &a.router)?;
    if a.fragment {
        out.push_str(&crate::render::bgpd::fragment(inv, id));
    } else {
        match crate::render::bgpd::complete(inv, id) {
            Ok(text) => out.push_str(&text),
            Err(missing) => {
                bail!("cannot render a complete config: {} (or use --fragment)", missing.join("; "))
            }
        }
    }
    Ok(Exit::Clean)
}
