//! `dcplan import netbox`: NetBox data -> `DIR/netbox/*.toml`, and the report of what was
//! imported and skipped. The exit status is about the import, not about what `check` will find.

use anyhow::{Result, anyhow};

use super::{Ctx, Exit};
use crate::cli::{ImportNetboxArgs, ReportFormat};
use crate::import::netbox::{self, Source, report};

pub(super) fn netbox(ctx: &Ctx, a: ImportNetboxArgs, out: &mut String) -> Result<Exit> {
    let device_types = ctx.device_types()?;
    let source = match (a.src, a.url) {
        (_, Some(url)) => {
            let token = std::env::var("NETBOX_TOKEN").ok().filter(|t| !t.trim().is_empty());
            Source::Url { url, token: token.map(|t| t.trim().to_owned()) }
        }
        (Some(dir), None) => Source::Folder(dir),
        (None, None) => return Err(anyhow!("give a folder of NetBox exports or --url")),
    };
    let r =
        netbox::import(&source, &a.out, device_types.as_ref()).map_err(|e| anyhow!("import netbox: {e}"))?;
    out.push_str(&match a.format {
        ReportFormat::Human => report::human(&r),
        ReportFormat::Json => report::json(&r),
    });
    Ok(Exit::Clean)
}
