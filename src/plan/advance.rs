//! The inventory follows the move (`dcplan move`): after night K, the `[[server]]` tables of
//! its machines say where they now are, and the plan file starts at the night after.
//!
//! Everything here is text in, text out: the files are edited with `toml_edit`, so comments,
//! key order and layout survive; only the values that change are replaced (keeping the comment
//! after them). The caller reads and writes the files. Whatever would make the edit wrong (a
//! machine already moved, a unit taken since the plan was made, a plan JSON of another plan)
//! is a [`Refusal`], and nothing is written.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml_edit::{DocumentMut, Item, TableLike, Value};

use crate::diag::FileId;
use crate::model::{HalfU, Inventory, Kind, RackId, ServerId};
use crate::plan::place::Placement;
use crate::plan::spec::Plan;
use crate::source::Sources;

/// Why the move cannot be recorded; nothing is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Refusal(pub String);

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refusal {}

fn refuse<T>(message: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal(message.into()))
}

/// The plan JSON a crew followed (`dcplan plan --format json`): the parts `move` reads.
#[derive(Debug, Deserialize)]
struct Executed {
    plan: String,
    from: String,
    to: String,
    batches: Vec<ExecutedBatch>,
}

#[derive(Debug, Deserialize)]
struct ExecutedBatch {
    index: usize,
    servers: Vec<String>,
    placements: Vec<ExecutedPlacement>,
}

#[derive(Debug, Deserialize)]
struct ExecutedPlacement {
    server: String,
    rack: String,
    /// Null for a 0U machine; half units as decimals.
    unit: Option<crate::raw::Units>,
}

/// Batch `k`'s placements from an executed plan JSON, resolved against the inventory. `what`
/// names the file in messages.
pub(crate) fn executed(
    json: &str,
    what: &str,
    inv: &Inventory,
    plan: &Plan,
    k: usize,
) -> Result<Vec<Placement>, Refusal> {
    let e: Executed = match serde_json::from_str(json) {
        Ok(e) => e,
        Err(err) => return refuse(format!("{what} is not a plan (`dcplan plan --format json`): {err}")),
    };
    let (from, to) = (&inv.site(plan.from).id, &inv.site(plan.to).id);
    if e.plan != plan.name || &e.from != from || &e.to != to {
        return refuse(format!(
            "{what} belongs to another plan: `{}` ({} -> {}), not `{}` ({from} -> {to})",
            e.plan, e.from, e.to, plan.name
        ));
    }
    let Some(batch) = e.batches.iter().find(|b| b.index == k) else {
        return refuse(format!("{what} has no batch {k} (it has {})", e.batches.len()));
    };
    let server = |id: &str| {
        inv.index
            .servers
            .get(id)
            .copied()
            .ok_or_else(|| Refusal(format!("`{id}` of {what} is not in the inventory")))
    };
    let mut out = Vec::new();
    for id in &batch.servers {
        let s = server(id)?;
        let Some(p) = batch.placements.iter().find(|p| &p.server == id) else {
            return refuse(format!("{what}: `{id}` has no placement in batch {k}"));
        };
        let Some(&rack) = inv.index.racks.get(&p.rack) else {
            return refuse(format!("{what}: rack `{}` of `{id}` is not in the inventory", p.rack));
        };
        let unit = match p.unit {
            None => None,
            Some(crate::raw::Units::Whole(n)) => u32::try_from(n).ok().map(HalfU::units),
            // Below a million units: within a u32, and verify refuses what no rack has.
            Some(crate::raw::Units::Decimal(x)) => match HalfU::from_decimal(x, HalfU(1_999_999)) {
                Some(h) => Some(h),
                None => return refuse(format!("{what}: unit {x} of `{id}` is not a multiple of 0.5")),
            },
        };
        out.push(Placement { server: s, rack, unit });
    }
    Ok(out)
}

/// Checks that the placements still hold in the inventory as it is now: every machine is a
/// physical machine still at the source, and its units at the destination are inside the
/// rack, free, and within the rack's power budget.
pub(crate) fn verify(inv: &Inventory, plan: &Plan, placed: &[Placement]) -> Result<(), Refusal> {
    let moving: Vec<ServerId> = placed.iter().map(|p| p.server).collect();
    // Half units from the bottom of each rack, and who takes them.
    let mut used: BTreeMap<(RackId, u32), ServerId> = BTreeMap::new();
    let mut power: BTreeMap<RackId, u64> = BTreeMap::new();
    for s in inv.server_ids().filter(|s| !moving.contains(s)) {
        let sv = inv.server(s);
        if let Some(m) = sv.mount {
            let numbering = inv.rack(m.rack).numbering;
            if let Some(o) = m.unit.and_then(|u| numbering.offset(u, sv.height)) {
                for x in o.0..o.0 + sv.height.0 {
                    used.insert((m.rack, x), s);
                }
            }
            *power.entry(m.rack).or_default() += u64::from(sv.power_w.unwrap_or(0));
        }
    }
    for p in placed {
        let sv = inv.server(p.server);
        if sv.kind == Kind::Vm {
            return refuse(format!("`{}` is a vm: it moves with its host", sv.id));
        }
        if sv.site != Some(plan.from) {
            let at = sv.site.map_or("no site", |s| inv.site(s).id.as_str());
            return refuse(format!(
                "`{}` is at `{at}`, not at `{}`: has this night been recorded already?",
                sv.id,
                inv.site(plan.from).id
            ));
        }
        let rack = inv.rack(p.rack);
        if rack.site != plan.to {
            return refuse(format!("rack `{}` of `{}` is not at `{}`", rack.id, sv.id, inv.site(plan.to).id));
        }
        let offset = match p.unit {
            None if sv.height == HalfU::ZERO => None,
            Some(u) if sv.height != HalfU::ZERO => rack.numbering.offset(u, sv.height),
            _ => None,
        };
        let fits = offset.is_some() || (p.unit.is_none() && sv.height == HalfU::ZERO);
        if !fits {
            return refuse(format!(
                "`{}` at {} does not fit in the rack's {} units",
                sv.id,
                crate::model::mount_text(rack, p.unit),
                rack.units
            ));
        }
        for x in offset.map_or(0..0, |o| o.0..o.0 + sv.height.0) {
            if let Some(other) = used.insert((p.rack, x), p.server) {
                return refuse(format!(
                    "{} is taken by `{}` since the plan was made: re-plan, or move `{}` elsewhere",
                    crate::model::mount_text(rack, p.unit),
                    inv.server(other).id,
                    sv.id
                ));
            }
        }
        let load = power.entry(p.rack).or_default();
        *load += u64::from(sv.power_w.unwrap_or(0));
        if let Some(budget) = rack.power_w
            && *load > u64::from(budget)
        {
            return refuse(format!("{} would draw {load} W with `{}`, over its {budget} W", rack.id, sv.id));
        }
    }
    Ok(())
}

/// Replaces a value keeping the decoration around it (the comment after it), or adds the key.
fn set(table: &mut dyn TableLike, key: &str, v: Value) {
    match table.get_mut(key).and_then(Item::as_value_mut) {
        Some(old) => {
            let decor = old.decor().clone();
            *old = v;
            *old.decor_mut() = decor;
        }
        None => {
            table.insert(key, Item::Value(v));
        }
    }
}

/// The `[[server]]` table with id `id` in a document.
fn server_table<'d>(doc: &'d mut DocumentMut, id: &str) -> Option<&'d mut dyn TableLike> {
    let is = |t: &dyn TableLike| t.get("id").and_then(Item::as_str) == Some(id);
    match doc.get_mut("server")? {
        Item::ArrayOfTables(tables) => tables.iter_mut().find(|t| is(*t)).map(|t| t as &mut dyn TableLike),
        Item::Value(Value::Array(array)) => array
            .iter_mut()
            .filter_map(Value::as_inline_table_mut)
            .find(|t| is(*t))
            .map(|t| t as &mut dyn TableLike),
        _ => None,
    }
}

/// The inventory files with site, rack and unit of every placed machine set to its placement:
/// (file, new text), for the files that change, in file order.
pub(crate) fn edit_inventory(
    inv: &Inventory,
    sources: &Sources,
    plan: &Plan,
    placed: &[Placement],
) -> Result<Vec<(FileId, String)>, Refusal> {
    let mut by_file: BTreeMap<FileId, Vec<&Placement>> = BTreeMap::new();
    for p in placed {
        by_file.entry(inv.server(p.server).loc.file).or_default().push(p);
    }
    let to = &inv.site(plan.to).id;
    let mut out = Vec::new();
    for (file, ps) in by_file {
        let name = sources.name(file);
        let mut doc: DocumentMut = match sources.text(file).parse() {
            Ok(d) => d,
            Err(e) => return refuse(format!("{name} does not parse: {e}")),
        };
        for p in ps {
            let id = &inv.server(p.server).id;
            let Some(table) = server_table(&mut doc, id) else {
                return refuse(format!("{name}: no [[server]] with id = \"{id}\" to edit"));
            };
            set(table, "site", Value::from(to.as_str()));
            set(table, "rack", Value::from(inv.rack(p.rack).id.as_str()));
            match p.unit {
                Some(u) => set(table, "unit", u.to_toml()),
                // A 0U machine takes no unit: any old one goes.
                None => {
                    table.remove("unit");
                }
            }
        }
        out.push((file, doc.to_string()));
    }
    Ok(out)
}

/// The plan file advanced past night `k`: first_window moves to the window after it, pins and
/// not_before of `moved` machines are dropped, and the other nights renumbered (N becomes
/// N - k; a not_before night reached by then is dropped).
pub(crate) fn advance_plan(
    text: &str,
    name: &str,
    plan: &Plan,
    inv: &Inventory,
    k: usize,
    moved: &[ServerId],
) -> Result<String, Refusal> {
    let mut doc: DocumentMut = match text.parse() {
        Ok(d) => d,
        Err(e) => return refuse(format!("{name} does not parse: {e}")),
    };
    let Some(table) = doc.get_mut("plan").and_then(Item::as_table_like_mut) else {
        return refuse(format!("{name} has no [plan] table"));
    };
    let mut next_date = None;
    if let Some(cal) = &plan.calendar {
        let Ok(next) = cal.window(k + 1) else {
            return refuse(format!("{name}: the window after night {k} falls after the year 9999"));
        };
        next_date = Some(next.date());
        let text = next.format();
        let quoted = table.get("first_window").and_then(Item::as_value).is_some_and(Value::is_str);
        let v = match text.parse::<toml_edit::Datetime>() {
            Ok(dt) if !quoted => Value::from(dt),
            _ => Value::from(text),
        };
        set(table, "first_window", v);
    }
    let moved: Vec<&str> = moved.iter().map(|&s| inv.server(s).id.as_str()).collect();
    let k = i64::try_from(k).unwrap_or(i64::MAX);
    for (field, drop_reached) in [("pin", false), ("not_before", true)] {
        let Some(decisions) = table.get_mut(field).and_then(Item::as_table_like_mut) else { continue };
        let keys: Vec<String> = decisions.iter().map(|(key, _)| key.to_owned()).collect();
        let had_entries = !keys.is_empty();
        for key in keys {
            if moved.contains(&key.as_str()) {
                decisions.remove(&key);
                continue;
            }
            let value = decisions.get(&key).and_then(Item::as_value);
            // A not_before date reached by the next night constrains nothing any more.
            let date = value.and_then(|v| match v {
                Value::String(s) => crate::plan::calendar::parse_date(s.value()),
                Value::Datetime(d) => crate::plan::calendar::parse_date(&d.value().to_string()),
                _ => None,
            });
            if drop_reached && date.is_some_and(|d| next_date.is_some_and(|n| d <= n)) {
                decisions.remove(&key);
                continue;
            }
            let Some(night) = value.and_then(Value::as_integer) else { continue };
            let renumbered = night.saturating_sub(k);
            if renumbered >= 1 {
                if let Some(v) = decisions.get_mut(&key).and_then(Item::as_value_mut) {
                    let decor = v.decor().clone();
                    *v = Value::from(renumbered);
                    *v.decor_mut() = decor;
                }
            } else if drop_reached {
                decisions.remove(&key);
            } else {
                return refuse(format!(
                    "{name}: `{key}` is pinned to night {night}, but night {k} is recorded without it: move it first, or change its pin"
                ));
            }
        }
        // A table this edit emptied says nothing any more: drop its header too.
        if had_entries && decisions.is_empty() {
            table.remove(field);
        }
    }
    Ok(doc.to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn values_change_comments_stay() {
        let mut doc: DocumentMut = "[[server]]\nid = \"a\"   # the old one\nsite = \"ids\"  # for now\n# a comment line\nrack = \"r1\"\nunit = 3\n[[server]]\nid = \"b\"\nsite = \"ids\"\n".parse().unwrap();
        let t = server_table(&mut doc, "a").unwrap();
        set(t, "site", Value::from("cv"));
        set(t, "unit", Value::from(40));
        let t = server_table(&mut doc, "b").unwrap();
        set(t, "rack", Value::from("cv-r01"));
        assert_eq!(
            doc.to_string(),
            "[[server]]\nid = \"a\"   # the old one\nsite = \"cv\"  # for now\n# a comment line\nrack = \"r1\"\nunit = 40\n[[server]]\nid = \"b\"\nsite = \"ids\"\nrack = \"cv-r01\"\n"
        );
    }
}
