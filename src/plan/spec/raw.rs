//! The plan file as written: the `[plan]` table with spans, before any resolution.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;
use toml::de::DeTable;

use crate::diag::{Code, FileId, Finding, Loc};

/// The `[plan]` table as written.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPlan {
    /// Display name.
    pub(super) name: Option<String>,
    /// Source site: every physical machine there moves, except `stay`.
    #[schemars(with = "String")]
    pub(super) from: Spanned<String>,
    /// Destination site.
    #[schemars(with = "String")]
    pub(super) to: Spanned<String>,
    /// Physical machines per batch (vms ride with their host and are not counted).
    #[schemars(with = "u32")]
    pub(super) max_servers: Spanned<i64>,
    /// Rack units per batch (what one truck, one night, can carry).
    #[schemars(with = "u32")]
    pub(super) max_units: Spanned<i64>,
    /// Kilograms per batch (what the van carries): rule R1 then also limits the weight of each
    /// night's machines (their `weight_kg`; machines without one count 0).
    #[schemars(with = "Option<f64>")]
    pub(super) max_weight_kg: Option<Spanned<f64>>,
    /// Machines that do not move.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub(super) stay: Vec<Spanned<String>>,
    /// Groups of machines that move in the same batch.
    #[serde(default)]
    #[schemars(with = "Vec<Vec<String>>")]
    pub(super) keep_together: Vec<Spanned<Vec<Spanned<String>>>>,
    /// Temporary links that exist during the move (added to `[[link]]`).
    #[serde(default)]
    #[schemars(with = "Vec<Vec<String>>")]
    pub(super) links: Vec<Spanned<Vec<Spanned<String>>>>,
    /// Start of batch 1's window: a TOML date-time with its UTC offset
    /// (`2026-05-02T22:00:00-04:00`), or the same as an RFC 3339 string. With `time_zone`, a
    /// local date-time without offset is read in that zone.
    #[schemars(with = "Option<String>")]
    pub(super) first_window: Option<Spanned<toml::Value>>,
    /// Days between windows (default 7).
    #[schemars(with = "Option<u32>")]
    pub(super) every_days: Option<Spanned<i64>>,
    /// Length of a window in hours (default 6).
    #[schemars(with = "Option<u32>")]
    pub(super) window_hours: Option<Spanned<i64>>,
    /// The lease ends: no window may start later (a window starting exactly then is available).
    #[schemars(with = "Option<String>")]
    pub(super) last_window: Option<Spanned<toml::Value>>,
    /// IANA time zone (`America/Toronto`): windows keep their local time across daylight-saving
    /// changes. Without it, windows keep first_window's UTC offset.
    #[schemars(with = "Option<String>")]
    pub(super) time_zone: Option<Spanned<String>>,
    /// Local dates (`"2026-12-24"`) on which no window starts: that night is skipped.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub(super) blackout: Vec<Spanned<toml::Value>>,
    /// People on site per night. When set, rule R5 limits each night's handling work to
    /// crew x window_hours x 60 person-minutes.
    #[schemars(with = "Option<u32>")]
    pub(super) crew: Option<Spanned<i64>>,
    /// Person-minutes to de-rack, carry, re-rack, cable and power on one machine (default 30).
    #[schemars(with = "Option<u32>")]
    pub(super) handling_minutes: Option<Spanned<i64>>,
    /// Person-minutes added for each rack unit above 1 (default 0).
    #[schemars(with = "Option<u32>")]
    pub(super) handling_minutes_per_unit: Option<Spanned<i64>>,
    /// Cost of one person-hour (any currency), for the estimate.
    #[schemars(with = "Option<f64>")]
    pub(super) hourly_cost: Option<Spanned<f64>>,
    /// Operator decisions: machine -> night number it must move in.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, u32>")]
    pub(super) pin: BTreeMap<String, Spanned<i64>>,
    /// Machine -> earliest night: a night number, or a date (`"2026-12-19"`) before which its
    /// window may not start.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, NightOrDate>")]
    pub(super) not_before: BTreeMap<String, Spanned<toml::Value>>,
    /// `dependencies-first` (default, rule R4) or `any`.
    #[schemars(with = "Option<String>")]
    pub(super) order: Option<Spanned<String>>,
    /// Preferred destination rack for each source rack.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    pub(super) rack_map: BTreeMap<String, Spanned<String>>,
}

/// A night number (from 1) or a `YYYY-MM-DD` date (schema only).
#[derive(JsonSchema)]
#[schemars(untagged)]
#[allow(dead_code)]
enum NightOrDate {
    /// Night number, from 1.
    Night(u32),
    /// Local date.
    Date(String),
}

/// A plan file: only `[plan]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "dcplan move plan")]
struct RawFile {
    /// The plan.
    #[schemars(with = "RawPlan")]
    plan: Spanned<RawPlan>,
}

/// The JSON Schema of plan files.
/// Only the test that keeps the shipped `schema/` current needs it.
#[cfg(test)]
pub(super) fn schema() -> schemars::Schema {
    schemars::schema_for!(RawFile)
}

/// The text of a date field written as a TOML date/date-time or as a string.
pub(super) fn date_text(v: &toml::Value) -> Option<String> {
    match v {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Datetime(d) => Some(d.to_string()),
        _ => None,
    }
}

/// Parses the plan file's TOML into the raw table, or the one finding that stops it.
pub(super) fn parse(file: FileId, text: &str) -> Result<Spanned<RawPlan>, Finding> {
    let table = DeTable::parse(text).map_err(|e| {
        Finding::new(
            Code::TomlSyntax,
            Loc::new(file, e.span().unwrap_or(0..0)),
            e.message().lines().next().unwrap_or("").to_owned(),
        )
    })?;
    // Unknown fields from serde's own field lists (the file's, then `[plan]`'s).
    let nested = match table.get_ref().get("plan").map(Spanned::get_ref) {
        Some(toml::de::DeValue::Table(t)) => crate::load::unknown_field::<RawPlan>("the plan", file, t),
        _ => None,
    };
    if let Some(f) = crate::load::unknown_field::<RawFile>("the plan", file, table.get_ref()).or(nested) {
        return Err(f);
    }
    let value = Spanned::new(table.span(), toml::de::DeValue::Table(table.into_inner()));
    crate::load::deserialize::<RawFile>("the plan", file, value).map(|r| r.plan)
}
