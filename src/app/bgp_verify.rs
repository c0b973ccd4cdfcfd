//! `dcplan bgp verify`: the routers' live announcements (bgpctl JSON) against the inventory.

use anyhow::{Context, Result, bail};

use super::{Ctx, Exit, render_findings};
use crate::bgp::live::{Live, verify};
use crate::cli::BgpVerifyArgs;

/// `ROUTER=FILE` split; the file's text (`-`: standard input, read once).
fn read(arg: &str, stdin_used: &mut bool) -> Result<(String, String, String)> {
    let Some((router, path)) = arg.split_once('=') else {
        bail!("`{arg}`: expected ROUTER=FILE");
    };
    let text = if path == "-" {
        if std::mem::replace(stdin_used, true) {
            bail!("standard input (`-`) can be read only once");
        }
        std::io::read_to_string(std::io::stdin()).context("cannot read standard input")?
    } else {
        std::fs::read_to_string(path).with_context(|| format!("cannot read `{path}`"))?
    };
    Ok((router.to_owned(), path.to_owned(), text))
}

pub(super) fn run(ctx: &Ctx, a: BgpVerifyArgs, out: &mut String) -> Result<Exit> {
    let c = ctx.model(&crate::Options::default())?;
    let inv = &c.inventory;
    let mut stdin_used = false;
    let mut live: std::collections::BTreeMap<String, Live> = std::collections::BTreeMap::new();
    for (arg, rib) in a.rib_out.iter().map(|x| (x, true)).chain(a.neighbors.iter().map(|x| (x, false))) {
        let (router, path, text) = read(arg, &mut stdin_used)?;
        if !inv.index.servers.contains_key(&router) {
            bail!("no router `{router}` in the inventory");
        }
        let l = live.entry(router).or_default();
        let parsed = if rib { l.rib_out(&text) } else { l.neighbors(&text) };
        parsed.map_err(|e| anyhow::anyhow!("{path}: {e}"))?;
    }
    let engine = c.engine(&[]);
    let state = crate::bgp::State::current(inv);
    let mut findings = Vec::new();
    for (router, l) in &live {
        let id = inv.index.servers[router];
        findings.extend(verify(&engine, &state, id, l, &format!("router `{router}`")));
    }
    crate::diag::sort(&mut findings);
    out.push_str(&render_findings(a.format, &findings, &c.sources, &c.root, ctx.color));
    Ok(Exit::of(&findings))
}
