//! `dcplan list`: the inventory as tables.

use anyhow::Result;

use super::{Ctx, Exit, to_json};
use crate::cli::{ListArgs, ListWhat, ReportFormat};
use crate::render::tables;

pub(super) fn run(ctx: &Ctx, a: ListArgs, out: &mut String) -> Result<Exit> {
    let c = ctx.model(&crate::Options::default())?;
    let inv = &c.inventory;
    out.push_str(&match (a.what, a.format) {
        (ListWhat::Servers, ReportFormat::Human) => tables::table(&tables::servers(inv)),
        (ListWhat::Services, ReportFormat::Human) => tables::table(&tables::services(inv)),
        (ListWhat::Prefixes, ReportFormat::Human) => tables::table(&tables::prefixes(inv)),
        (ListWhat::Circuits, ReportFormat::Human) => tables::table(&tables::circuits(inv)),
        (ListWhat::Racks, ReportFormat::Human) => tables::table(&tables::racks(inv)),
        (ListWhat::Feeds, ReportFormat::Human) => tables::table(&tables::feeds(inv)),
        (ListWhat::Servers, ReportFormat::Json) => to_json(&tables::servers(inv))?,
        (ListWhat::Services, ReportFormat::Json) => to_json(&tables::services(inv))?,
        (ListWhat::Prefixes, ReportFormat::Json) => to_json(&tables::prefixes(inv))?,
        (ListWhat::Circuits, ReportFormat::Json) => to_json(&tables::circuits(inv))?,
        (ListWhat::Racks, ReportFormat::Json) => to_json(&tables::racks(inv))?,
        (ListWhat::Feeds, ReportFormat::Json) => to_json(&tables::feeds(inv))?,
    });
    Ok(Exit::Clean)
}
