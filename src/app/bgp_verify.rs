//! `dcplan bgp verify`: the routers' live announcements (bgpctl JSON) against the inventory, or
//! against a state of a plan.

use anyhow::{Context, Result, anyhow, bail};

use super::{Ctx, Exit, render_findings};
use crate::bgp::live::{Expected, Live, Unmatched, verify};
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
    let (Some(path), Some(name)) = (&a.plan, &a.state) else {
        let c = ctx.model(&crate::Options::default())?;
        let state = crate::bgp::State::current(&c.inventory);
        let expected = Expected { state: &state, name: None };
        return compare(ctx, &a, &c, &c.engine(&[]), expected, out);
    };
    let Some((c, o)) = super::plan::planned(ctx, path, None, a.format, out)? else {
        return Ok(Exit::Findings);
    };
    if o.batches.is_empty() {
        out.push_str(&render_findings(a.format, &o.findings, &c.sources, &c.root, ctx.color));
        eprintln!("error: the plan has no valid schedule, so no state `{name}` to compare with");
        return Ok(Exit::Findings);
    }
    let wanted = crate::plan::StateName::of_plan(name, o.batches.len()).map_err(|e| anyhow!(e))?;
    let Some((_, report)) = o.states().find(|(n, _)| *n == wanted) else {
        bail!("no state `{name}` in this plan");
    };
    let name = crate::render::plan::state_name(wanted);
    let expected = Expected { state: &report.state, name: Some(&name) };
    compare(ctx, &a, &c, &c.engine(&o.plan.links), expected, out)
}

/// The usage error for circuits that cannot be matched to the router's sessions.
fn unmatched_message(router: &str, ids: &[String]) -> String {
    let names = ids.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ");
    let (circuits, have, their) =
        if ids.len() == 1 { ("circuit", "has", "its") } else { ("circuits", "have", "their") };
    format!(
        "{circuits} {names} of router `{router}` {have} no `neighbor`, so {their} sessions can only be \
         found by the upstream's AS, which `show rib out` does not give: give --neighbors {router}=FILE \
         or set `neighbor` on {circuits} {names}"
    )
}

/// Reads the live files and compares each router's view with what is expected of it.
fn compare(
    ctx: &Ctx,
    a: &BgpVerifyArgs,
    c: &crate::Checked,
    engine: &crate::bgp::Engine<'_>,
    expected: Expected<'_>,
    out: &mut String,
) -> Result<Exit> {
    let inv = &c.inventory;
    let mut stdin_used = false;
    let mut live: std::collections::BTreeMap<String, Live> = std::collections::BTreeMap::new();
    let mut with_rib = std::collections::BTreeSet::new();
    for (arg, rib) in a.rib_out.iter().map(|x| (x, true)).chain(a.neighbors.iter().map(|x| (x, false))) {
        let (router, path, text) = read(arg, &mut stdin_used)?;
        super::bgp::router(inv, &router)?;
        // Without `show rib out` the router would seem to send nothing: every prefix missing.
        if rib {
            with_rib.insert(router.clone());
        } else if !with_rib.contains(&router) {
            bail!(
                "--neighbors {router}=... without --rib-out {router}=FILE: what the router sends is not known"
            );
        }
        let l = live.entry(router).or_default();
        let parsed = if rib { l.rib_out(&text) } else { l.neighbors(&text) };
        parsed.map_err(|e| anyhow!("{path}: {e}"))?;
    }
    let mut findings = Vec::new();
    for (router, l) in &live {
        let id = inv.index.servers[router];
        match verify(engine, expected, id, l, &format!("router `{router}`")) {
            Ok(f) => findings.extend(f),
            Err(Unmatched(ids)) => bail!("{}", unmatched_message(router, &ids)),
        }
    }
    crate::diag::sort(&mut findings);
    out.push_str(&render_findings(a.format, &findings, &c.sources, &c.root, ctx.color));
    Ok(Exit::of(&findings))
}
