//! `dcplan bgp status` and `dcplan bgp render`.

use anyhow::{Result, bail};

use super::{Ctx, Exit, did_you_mean, to_json};
use crate::cli::{BgpRenderArgs, BgpStatusArgs, ReportFormat};
use crate::model::Kind;

pub(super) fn status(ctx: &Ctx, a: BgpStatusArgs, out: &mut String) -> Result<Exit> {
    let c = ctx.model(&crate::Options { roas: a.roas, horizon: None, device_types: None })?;
    let engine = c.engine(&[]);
    let rows = crate::bgp::status::status(&engine, &crate::bgp::State::current(&c.inventory));
    out.push_str(&match a.format {
        ReportFormat::Human => crate::render::tables::table(&rows),
        ReportFormat::Json => to_json(&rows)?,
    });
    Ok(Exit::Clean)
}

pub(super) fn render(ctx: &Ctx, a: BgpRenderArgs, out: &mut String) -> Result<Exit> {
    let c = ctx.model(&crate::Options::default())?;
    let inv = &c.inventory;
    let Some(&id) = inv.index.servers.get(&a.router) else {
        let routers = inv.servers.iter().filter(|s| s.kind == Kind::Router).map(|s| s.id.as_str());
        bail!("no machine `{}` in the inventory{}", a.router, did_you_mean(&a.router, routers));
    };
    if inv.server(id).kind != Kind::Router {
        bail!("`{}` is a {}, not a router", a.router, inv.server(id).kind.as_str());
    }
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
