//! The plan file (DESIGN.md section 4): `[plan]` with its limits, stays, groups, temporary
//! links, windows and rack map, loaded with spans and resolved against the inventory.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, ValueDeserializer};

use crate::diag::{Code, FileId, Finding, Loc, did_you_mean};
use crate::model::{Inventory, Kind, RackId, ServerId, SiteId};
use crate::source::Sources;

/// The `[plan]` table as written.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    /// Display name.
    name: Option<String>,
    /// Source site: every physical machine there moves, except `stay`.
    #[schemars(with = "String")]
    from: Spanned<String>,
    /// Destination site.
    #[schemars(with = "String")]
    to: Spanned<String>,
    /// Physical machines per batch (vms ride with their host and are not counted).
    #[schemars(with = "u32")]
    max_servers: Spanned<i64>,
    /// Rack units per batch (what one truck, one night, can carry).
    #[schemars(with = "u32")]
    max_units: Spanned<i64>,
    /// Machines that do not move.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    stay: Vec<Spanned<String>>,
    /// Groups of machines that move in the same batch.
    #[serde(default)]
    #[schemars(with = "Vec<Vec<String>>")]
    keep_together: Vec<Spanned<Vec<Spanned<String>>>>,
    /// Temporary links that exist during the move (added to [[link]]).
    #[serde(default)]
    #[schemars(with = "Vec<Vec<String>>")]
    links: Vec<Spanned<Vec<Spanned<String>>>>,
    /// Start of batch 1's window, with its UTC offset (2026-05-02T22:00:00-04:00).
    #[schemars(with = "Option<String>")]
    first_window: Option<Spanned<toml::value::Datetime>>,
    /// Days between windows (default 7).
    #[schemars(with = "Option<u32>")]
    every_days: Option<Spanned<i64>>,
    /// Length of a window in hours (default 6).
    #[schemars(with = "Option<u32>")]
    window_hours: Option<Spanned<i64>>,
    /// `dependencies-first` (default, rule R4) or `any`.
    #[schemars(with = "Option<String>")]
    order: Option<Spanned<String>>,
    /// Preferred destination rack for each source rack.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    rack_map: BTreeMap<String, Spanned<String>>,
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
pub fn schema() -> schemars::Schema {
    schemars::schema_for!(RawFile)
}

/// Whether R4 (dependencies first) applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    /// R4 applies (the default).
    DependenciesFirst,
    /// R4 dropped: the link carries cross-site traffic.
    Any,
}

/// A window start with its UTC offset, as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// The instant.
    pub start: jiff::Timestamp,
    /// The offset to print it in.
    pub offset: jiff::tz::Offset,
}

impl Window {
    /// `2026-05-02T22:00:00-04:00`.
    pub fn format(self) -> String {
        self.start
            .to_zoned_datetime(jiff::tz::TimeZone::fixed(self.offset))
            .strftime("%Y-%m-%dT%H:%M:%S%:z")
            .to_string()
    }

    /// This window plus `hours`.
    pub fn plus_hours(self, hours: i64) -> Window {
        let start = self.start.checked_add(jiff::Span::new().hours(hours)).unwrap_or(self.start);
        Window { start, ..self }
    }
}

/// A validated plan.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Display name.
    pub name: String,
    /// Source site.
    pub from: SiteId,
    /// Destination site.
    pub to: SiteId,
    /// Physical machines per batch.
    pub max_servers: u32,
    /// Rack units per batch.
    pub max_units: u32,
    /// Machines that do not move.
    pub stay: Vec<ServerId>,
    /// Machines that move together.
    pub keep_together: Vec<Vec<ServerId>>,
    /// Temporary links during the move.
    pub links: Vec<Vec<SiteId>>,
    /// Start of batch 1's window.
    pub first_window: Option<Window>,
    /// Days between windows.
    pub every_days: u32,
    /// Length of a window.
    pub window_hours: u32,
    /// R4 or not.
    pub order: Order,
    /// Preferred destination rack per source rack.
    pub rack_map: Vec<(RackId, RackId)>,
    /// The `[plan]` table.
    pub loc: Loc,
}

impl Plan {
    /// The window of batch `k` (from 1).
    pub fn window(&self, k: usize) -> Option<Window> {
        self.first_window.map(|w| w.plus_hours(24 * i64::from(self.every_days) * (k as i64 - 1)))
    }
}

struct Ctx<'a> {
    file: FileId,
    inv: &'a Inventory,
    findings: Vec<Finding>,
}

impl Ctx<'_> {
    fn loc<T>(&self, s: &Spanned<T>) -> Loc {
        Loc::new(self.file, s.span())
    }

    fn reference<I: Copy>(
        &mut self,
        what: &str,
        field: &str,
        r: &Spanned<String>,
        index: &std::collections::HashMap<String, I, rustc_hash::FxBuildHasher>,
    ) -> Option<I> {
        if let Some(i) = index.get(r.get_ref()) {
            return Some(*i);
        }
        let mut keys: Vec<&str> = index.keys().map(String::as_str).collect();
        keys.sort_unstable();
        let hint = did_you_mean(r.get_ref(), keys.iter().copied()).map(|m| format!("did you mean `{m}`?"));
        self.findings.push(
            Finding::new(
                Code::UnknownReference,
                self.loc(r),
                format!("plan {field}: `{}` is not a known {what}", r.get_ref()),
            )
            .maybe_hint(hint),
        );
        None
    }

    fn positive(&mut self, field: &str, v: &Spanned<i64>) -> u32 {
        match u32::try_from(*v.get_ref()) {
            Ok(n) if n >= 1 => n,
            _ => {
                self.findings.push(Finding::new(
                    Code::InvalidValue,
                    self.loc(v),
                    format!("{field} must be at least 1, found {}", v.get_ref()),
                ));
                1
            }
        }
    }

    fn physical(&mut self, field: &str, r: &Spanned<String>) -> Option<ServerId> {
        let inv = self.inv;
        let id = self.reference("server", field, r, &inv.index.servers)?;
        if self.inv.server(id).kind == Kind::Vm {
            self.findings.push(
                Finding::new(
                    Code::InvalidValue,
                    self.loc(r),
                    format!("plan {field}: `{}` is a vm: vms move with their host", r.get_ref()),
                )
                .hint("name the host instead"),
            );
            return None;
        }
        Some(id)
    }
}

/// Parses and resolves a plan file already added to `sources`. Returns the plan (when usable)
/// and the findings.
pub fn load(file: FileId, sources: &Sources, inv: &Inventory) -> (Option<Plan>, Vec<Finding>) {
    let text = sources.text(file);
    let mut cx = Ctx { file, inv, findings: Vec::new() };
    let table = match DeTable::parse(text) {
        Ok(t) => t,
        Err(e) => {
            let f = Finding::new(
                Code::TomlSyntax,
                Loc::new(file, e.span().unwrap_or(0..0)),
                e.message().lines().next().unwrap_or("").to_owned(),
            );
            return (None, vec![f]);
        }
    };
    let value = Spanned::new(table.span(), toml::de::DeValue::Table(table.into_inner()));
    let raw = match RawFile::deserialize(ValueDeserializer::from(value)) {
        Ok(r) => r,
        Err(e) => {
            let loc = Loc::new(file, e.span().unwrap_or(0..0));
            let f = crate::load::serde_finding("the plan", loc, e.message());
            return (None, vec![f]);
        }
    };
    let plan_loc = cx.loc(&raw.plan);
    let p = raw.plan.into_inner();
    let from = cx.reference("site", "from", &p.from, &inv.index.sites);
    let to = cx.reference("site", "to", &p.to, &inv.index.sites);
    if from.is_some() && from == to {
        cx.findings.push(Finding::new(
            Code::InvalidValue,
            cx.loc(&p.to),
            "plan `to` is the same site as `from`",
        ));
    }
    let max_servers = cx.positive("max_servers", &p.max_servers);
    let max_units = cx.positive("max_units", &p.max_units);
    let stay: Vec<ServerId> = p.stay.iter().filter_map(|s| cx.physical("stay", s)).collect();
    let mut keep_together = Vec::new();
    for g in &p.keep_together {
        let members: Vec<ServerId> =
            g.get_ref().iter().filter_map(|s| cx.physical("keep_together", s)).collect();
        if members.len() >= 2 {
            keep_together.push(members);
        }
    }
    let mut links = Vec::new();
    for l in &p.links {
        let sites: Vec<SiteId> =
            l.get_ref().iter().filter_map(|s| cx.reference("site", "links", s, &inv.index.sites)).collect();
        if l.get_ref().len() < 2 {
            cx.findings.push(Finding::new(Code::InvalidValue, cx.loc(l), "a link joins at least two sites"));
        }
        links.push(sites);
    }
    let first_window = p.first_window.as_ref().and_then(|w| {
        let text = w.get_ref().to_string();
        let parsed = jiff::fmt::strtime::parse("%Y-%m-%dT%H:%M:%S%:z", &text)
            .ok()
            .and_then(|b| Some(Window { start: b.to_timestamp().ok()?, offset: b.offset()? }));
        if parsed.is_none() {
            cx.findings.push(
                Finding::new(
                    Code::InvalidValue,
                    cx.loc(w),
                    format!("first_window `{text}` needs a date, a time and a UTC offset"),
                )
                .hint("write it like 2026-05-02T22:00:00-04:00"),
            );
        }
        parsed
    });
    let every_days = p.every_days.as_ref().map_or(7, |v| cx.positive("every_days", v));
    let window_hours = p.window_hours.as_ref().map_or(6, |v| cx.positive("window_hours", v));
    let order = match p.order.as_ref().map(|o| o.get_ref().as_str()) {
        None | Some("dependencies-first") => Order::DependenciesFirst,
        Some("any") => Order::Any,
        Some(other) => {
            let at = cx.loc(p.order.as_ref().expect("order is set"));
            cx.findings.push(Finding::new(
                Code::InvalidValue,
                at,
                format!("order `{other}` is not `dependencies-first` or `any`"),
            ));
            Order::DependenciesFirst
        }
    };
    let mut rack_map = Vec::new();
    for (src, dst) in &p.rack_map {
        let at = cx.loc(dst);
        let (Some(s), Some(d)) =
            (inv.index.racks.get(src).copied(), cx.reference("rack", "rack_map", dst, &inv.index.racks))
        else {
            if !inv.index.racks.contains_key(src) {
                cx.findings.push(Finding::new(
                    Code::UnknownReference,
                    at,
                    format!("plan rack_map: source rack `{src}` is not a known rack"),
                ));
            }
            continue;
        };
        if Some(inv.rack(d).site) != to {
            cx.findings.push(Finding::new(
                Code::InvalidValue,
                at,
                format!("plan rack_map: `{}` is not at the destination site", inv.rack(d).id),
            ));
            continue;
        }
        rack_map.push((s, d));
    }
    let plan = match (from, to) {
        (Some(from), Some(to)) => Some(Plan {
            name: p.name.unwrap_or_else(|| format!("Move from {} to {}", inv.site(from).id, inv.site(to).id)),
            from,
            to,
            max_servers,
            max_units,
            stay,
            keep_together,
            links,
            first_window,
            every_days,
            window_hours,
            order,
            rack_map,
            loc: plan_loc,
        }),
        _ => None,
    };
    (plan, cx.findings)
}
