//! `dcplan completions` and `dcplan man`: generated from the clap definition.

use anyhow::{Result, bail};
use clap::CommandFactory;

use super::{Exit, did_you_mean, files};
use crate::cli::{Cli, ManArgs};

pub(super) fn completions(shell: clap_complete::Shell, out: &mut String) -> Result<Exit> {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "dcplan", &mut buf);
    out.push_str(&String::from_utf8_lossy(&buf));
    Ok(Exit::Clean)
}

/// The main page lists the subcommands as `dcplan-check(1)` and so on: each of those pages
/// exists, printed by `dcplan man check` or written by `dcplan man --out DIR`.
pub(super) fn man(a: ManArgs, out: &mut String) -> Result<Exit> {
    // Built, the subcommands know their page names (`dcplan-bgp-status`).
    let mut top = Cli::command().disable_help_subcommand(true);
    top.build();
    if let Some(dir) = &a.out {
        let mut pages = Vec::new();
        collect(&top, &mut pages)?;
        let is_page = |name: &str| name.starts_with("dcplan") && name.ends_with(".1");
        if let Err(present) = files::write_all(dir, &pages, a.force, is_page)? {
            bail!("`{}` already holds {}: use --force to replace them", dir.display(), present.join(", "));
        }
        for (name, _) in &pages {
            out.push_str(&format!("wrote {}\n", dir.join(name).display()));
        }
        return Ok(Exit::Clean);
    }
    let mut cmd = &top;
    for name in &a.command {
        let Some(sub) = cmd.find_subcommand(name) else {
            let hint = did_you_mean(name, cmd.get_subcommands().map(clap::Command::get_name));
            bail!("no subcommand `{name}` in `{}`{hint}", cmd.get_display_name().unwrap_or("dcplan"));
        };
        cmd = sub;
    }
    out.push_str(&page(cmd)?);
    Ok(Exit::Clean)
}

/// The page of `cmd`, in roff.
fn page(cmd: &clap::Command) -> Result<String> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut buf)?;
    Ok(String::from_utf8(buf)?)
}

/// (file name, page) for `cmd` and every subcommand under it.
fn collect(cmd: &clap::Command, pages: &mut Vec<(String, String)>) -> Result<()> {
    pages.push((clap_mangen::Man::new(cmd.clone()).get_filename(), page(cmd)?));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        collect(sub, pages)?;
    }
    Ok(())
}
