//! `dcplan plan`: order the move into batches; and the loading shared by the commands that
//! read a plan (`runbook`, `graph --plan`).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::{Ctx, Exit, render_findings};
use crate::cli::{FindingsFormat, PlanArgs, ReportFormat};
use crate::diag::Severity;
use crate::plan::Outcome;

pub(super) fn run(ctx: &Ctx, a: PlanArgs, out: &mut String) -> Result<Exit> {
    let previous = a.previous.as_deref();
    let Some((c, mut outcome)) = planned_with(ctx, &a.plan, a.roas.clone(), previous, a.format.into(), out)?
    else {
        return Ok(Exit::Findings);
    };
    // ROAs must outlive the last window.
    if let Some(end) = outcome.roa_deadline() {
        outcome.findings.extend(crate::bgp::expiring_roas(&c.bgp.roas, end, "the last move window"));
    }
    crate::diag::sort(&mut outcome.findings);
    out.push_str(&match a.format {
        ReportFormat::Human => {
            crate::render::plan::human(&outcome, &c.inventory, &c.sources, ctx.color, a.explain)
        }
        ReportFormat::Json => crate::render::plan::json(&outcome, &c.inventory, &c.sources, a.explain),
    });
    Ok(if outcome.has_errors() { Exit::Findings } else { Exit::Clean })
}

/// Loads the inventory and a plan, then plans. `None`: the inventory or the plan file has
/// errors, which were written to `out`.
pub(super) fn planned(
    ctx: &Ctx,
    path: &Path,
    roas: Option<PathBuf>,
    format: FindingsFormat,
    out: &mut String,
) -> Result<Option<(crate::Checked, Outcome)>> {
    planned_with(ctx, path, roas, None, format, out)
}

/// [`planned`], keeping the nights of an earlier plan JSON where the rules allow.
fn planned_with(
    ctx: &Ctx,
    path: &Path,
    roas: Option<PathBuf>,
    previous: Option<&Path>,
    format: FindingsFormat,
    out: &mut String,
) -> Result<Option<(crate::Checked, Outcome)>> {
    let mut c = ctx.checked(None, Some(path), &crate::Options { roas, ..crate::Options::default() })?;
    let inventory_errors: Vec<_> =
        c.findings.iter().filter(|f| f.severity == Severity::Error).cloned().collect();
    if !inventory_errors.is_empty() {
        out.push_str(&render_findings(format, &inventory_errors, &c.sources, &c.root, ctx.color));
        eprintln!("error: the inventory has errors; fix them (dcplan check) before planning");
        return Ok(None);
    }
    let bytes = std::fs::read(path).with_context(|| format!("cannot read plan `{}`", path.display()))?;
    let file = c.sources.add(path.display().to_string(), String::from_utf8_lossy(&bytes).into_owned());
    let (plan, plan_findings) = crate::plan::spec::load(file, &c.sources, &c.inventory);
    let Some(plan) = plan.filter(|_| plan_findings.iter().all(|f| f.severity != Severity::Error)) else {
        out.push_str(&render_findings(format, &plan_findings, &c.sources, &c.root, ctx.color));
        return Ok(None);
    };
    let previous = match previous {
        Some(p) => {
            let json =
                std::fs::read_to_string(p).with_context(|| format!("cannot read `{}`", p.display()))?;
            let what = format!("`{}`", p.display());
            Some(
                crate::plan::stable::Previous::parse(&json, &what, &c.inventory, &plan)
                    .map_err(anyhow::Error::msg)?,
            )
        }
        None => None,
    };
    let long = c.inventory.servers.len() >= crate::progress::LONG_PLAN_MACHINES;
    let progress = crate::progress::Progress::spinner("planning the move", long);
    let mut outcome = crate::plan::plan_with(&c, plan, previous.as_ref());
    drop(progress);
    outcome.findings.extend(plan_findings);
    Ok(Some((c, outcome)))
}
