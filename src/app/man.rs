//! `dcplan completions` and `dcplan man`: generated from the clap definition.

use anyhow::Result;
use clap::CommandFactory;

use super::Exit;
use crate::cli::Cli;

pub(super) fn completions(shell: clap_complete::Shell, out: &mut String) -> Result<Exit> {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "dcplan", &mut buf);
    out.push_str(&String::from_utf8_lossy(&buf));
    Ok(Exit::Clean)
}

pub(super) fn man(out: &mut String) -> Result<Exit> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut buf)?;
    out.push_str(&String::from_utf8_lossy(&buf));
    Ok(Exit::Clean)
}
