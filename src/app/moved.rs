//! `dcplan move PLAN --batch K`: record that night K happened. The inventory files say where
//! its machines now are, and the plan file starts at the night after (see
//! [`crate::plan::advance`]). With `--dry-run`, the unified diff of every change instead.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::plan::planned;
use super::{Ctx, Exit};
use crate::cli::{FindingsFormat, MoveArgs};
use crate::diag::text::count;
use crate::load::Root;
use crate::plan::advance;

pub(super) fn run(ctx: &Ctx, a: MoveArgs, out: &mut String) -> Result<Exit> {
    let Some((c, outcome)) = planned(ctx, &a.plan, None, FindingsFormat::Human, out)? else {
        bail!("the inventory or the plan has errors: nothing written");
    };
    if matches!(c.root, Root::Embedded) {
        bail!("the built-in example inventory cannot be edited: point --inventory at a folder");
    }
    let inv = &c.inventory;
    let k = a.batch as usize;
    let placed = match &a.executed {
        Some(path) => {
            let json =
                std::fs::read_to_string(path).with_context(|| format!("cannot read `{}`", path.display()))?;
            advance::executed(&json, &format!("`{}`", path.display()), inv, &outcome.plan, k)?
        }
        None => {
            if outcome.has_errors() {
                bail!("the plan has errors (see `dcplan plan`): nothing written");
            }
            let Some(b) = outcome.batches.get(k.wrapping_sub(1)) else {
                bail!("the plan has {} night(s): there is no batch {k}", outcome.batches.len());
            };
            b.placements.clone()
        }
    };
    advance::verify(inv, &outcome.plan, &placed)?;
    let mut changes: Vec<(PathBuf, String, String)> = Vec::new();
    for (file, text) in advance::edit_inventory(inv, &c.sources, &outcome.plan, &placed)? {
        let name = c.sources.name(file);
        changes.push((PathBuf::from(name), c.sources.text(file).to_owned(), text));
    }
    let plan_text =
        std::fs::read_to_string(&a.plan).with_context(|| format!("cannot read `{}`", a.plan.display()))?;
    let moved: Vec<_> = placed.iter().map(|p| p.server).collect();
    let name = a.plan.display().to_string();
    let advanced = advance::advance_plan(&plan_text, &name, &outcome.plan, inv, k, &moved)?;
    changes.push((a.plan.clone(), plan_text, advanced));
    changes.retain(|(_, old, new)| old != new);
    if a.dry_run {
        for (path, old, new) in &changes {
            let name = path.display().to_string();
            let diff = similar::TextDiff::from_lines(old, new);
            out.push_str(&diff.unified_diff().context_radius(2).header(&name, &name).to_string());
        }
        return Ok(Exit::Clean);
    }
    write_atomically(&changes)?;
    let to = &inv.site(outcome.plan.to).id;
    out.push_str(&format!(
        "night {k} recorded: {} now at `{to}`; {} updated\n",
        count(placed.len(), "machine"),
        count(changes.len(), "file")
    ));
    for (path, _, _) in &changes {
        out.push_str(&format!("  {}\n", path.display()));
    }
    Ok(Exit::Clean)
}

/// Writes every file through a temporary file beside it, renamed over the target only when
/// all are written; a file that changed on disk since it was read stops everything first.
fn write_atomically(changes: &[(PathBuf, String, String)]) -> Result<()> {
    let mut staged = Vec::new();
    for (path, old, new) in changes {
        let now =
            std::fs::read_to_string(path).with_context(|| format!("cannot read `{}`", path.display()))?;
        if &now != old {
            bail!("`{}` changed while dcplan was reading it: nothing written; run it again", path.display());
        }
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let mut tmp = tempfile::NamedTempFile::new_in(dir)
            .with_context(|| format!("cannot write in `{}`", dir.display()))?;
        tmp.write_all(new.as_bytes()).with_context(|| format!("cannot write `{}`", path.display()))?;
        // Keep the file's permissions (a temporary file is created 0600).
        if let Ok(meta) = std::fs::metadata(path) {
            std::fs::set_permissions(tmp.path(), meta.permissions()).ok();
        }
        staged.push((tmp, path));
    }
    for (tmp, path) in staged {
        tmp.persist(path)
            .map_err(|e| e.error)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    Ok(())
}
