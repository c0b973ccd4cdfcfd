//! `dcplan explain`: what a finding code means and how to fix it.

use anyhow::{Result, bail};

use super::{Exit, did_you_mean};
use crate::cli::ExplainArgs;
use crate::diag::Code;

pub(super) fn run(a: ExplainArgs, out: &mut String) -> Result<Exit> {
    let Some(name) = a.code else {
        for c in Code::ALL {
            out.push_str(&format!("{:<22} {:<8} {}\n", c.name(), c.default_severity(), c.summary()));
        }
        return Ok(Exit::Clean);
    };
    let Some(c) = Code::from_name(&name) else {
        let hint = did_you_mean(&name, Code::ALL.iter().map(|c| c.name()));
        bail!("unknown finding code `{name}`{hint}; `dcplan explain` lists them");
    };
    out.push_str(&format!(
        "{} ({})\n\n{}\n\n{}\n",
        c.name(),
        c.default_severity(),
        c.summary(),
        c.explanation()
    ));
    Ok(Exit::Clean)
}
