//! The plan file: `[plan]` with its limits, stays, groups, temporary links, the calendar of move
//! windows, labour, operator pins and the rack map, loaded with spans and resolved against the
//! inventory.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use toml::Spanned;

pub(crate) use super::calendar::Window;
use super::calendar::{self, Calendar};
use crate::diag::text::{self, did_you_mean};
use crate::diag::{Code, FileId, Finding, Loc};
use crate::model::{Inventory, Kind, RackId, Server, ServerId, SiteId};
use crate::source::Sources;

mod decide;
mod raw;

use raw::{RawPlan, date_text};

/// The JSON Schema of plan files.
/// Only the test that keeps the shipped `schema/` current needs it.
#[cfg(test)]
pub(crate) fn schema() -> schemars::Schema {
    raw::schema()
}

/// Whether R4 (dependencies first) applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Order {
    /// R4 applies (the default).
    DependenciesFirst,
    /// R4 dropped: the link carries cross-site traffic.
    Any,
}

/// Labour: R5 and the estimate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Labour {
    /// People per night; R5 applies only when set.
    pub(crate) crew: Option<u32>,
    /// Person-minutes per machine.
    pub(crate) handling_minutes: u32,
    /// Added per unit above 1.
    pub(crate) handling_minutes_per_unit: u32,
    /// Cost of a person-hour.
    pub(crate) hourly_cost: Option<f64>,
}

impl Labour {
    /// Person-minutes to move one physical machine: its own figure, or the plan's per machine
    /// plus per unit above 1. Vms are free (they ride with their host).
    pub(crate) fn minutes(&self, s: &Server) -> u32 {
        if s.is_vm() {
            return 0;
        }
        s.handling_minutes.unwrap_or_else(|| {
            self.handling_minutes.saturating_add(
                self.handling_minutes_per_unit.saturating_mul(s.height.ceil_units().saturating_sub(1)),
            )
        })
    }

    /// R5: person-minutes one night may hold (None: no crew set, no limit).
    pub(crate) fn capacity(&self, window_hours: u32) -> Option<u32> {
        self.crew.map(|c| c.saturating_mul(window_hours).saturating_mul(60))
    }

    /// The cost of `minutes` person-minutes (None without hourly_cost).
    pub(crate) fn cost(&self, minutes: u64) -> Option<f64> {
        self.hourly_cost.map(|h| h * minutes as f64 / 60.0)
    }
}

/// `[plan.pin]`: a machine that must move in a given night.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Pin {
    /// The physical machine.
    pub(crate) server: ServerId,
    /// Its night, from 1.
    pub(crate) night: u32,
    /// The value in the plan file.
    pub(crate) loc: Loc,
}

/// `[plan.not_before]`: a machine that may not move before a night.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct NotBefore {
    /// The physical machine.
    pub(crate) server: ServerId,
    /// The earliest night, from 1 (a date resolved on the calendar).
    pub(crate) night: u32,
    /// The date as written, when one was.
    pub(crate) date: Option<Date>,
    /// The value in the plan file.
    pub(crate) loc: Loc,
}

/// Where the calendar fields were written, for plan-level findings.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct CalendarLocs {
    /// `every_days = ...` (or `first_window` when every_days is the default).
    pub(crate) every_days: Option<Loc>,
    /// `last_window = ...`.
    pub(crate) last_window: Option<Loc>,
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
    /// Kilograms per batch (the van), when set.
    pub(crate) max_weight_kg: Option<f64>,
    /// Machines that do not move.
    pub stay: Vec<ServerId>,
    /// Machines that move together.
    pub keep_together: Vec<Vec<ServerId>>,
    /// Temporary links during the move.
    pub links: Vec<Vec<SiteId>>,
    /// Days between windows.
    pub every_days: u32,
    /// Length of a window.
    pub window_hours: u32,
    /// The windows (None without first_window).
    pub(crate) calendar: Option<Calendar>,
    /// Crew and handling figures.
    pub(crate) labour: Labour,
    /// Machines pinned to a night, by server.
    pub(crate) pins: Vec<Pin>,
    /// Machines with an earliest night, by server.
    pub(crate) not_before: Vec<NotBefore>,
    /// R4 or not.
    pub(crate) order: Order,
    /// Preferred destination rack per source rack.
    pub rack_map: Vec<(RackId, RackId)>,
    /// The `[plan]` table.
    pub loc: Loc,
    /// Calendar field locations.
    pub(crate) calendar_locs: CalendarLocs,
}

impl Plan {
    /// The window of batch `k` (from 1): None without first_window, or past the year 9999
    /// ([`Plan::calendar_findings`] reports that).
    pub(crate) fn window(&self, k: usize) -> Option<Window> {
        self.calendar.as_ref().and_then(|c| c.window(k).ok())
    }

    /// Windows that start no later than last_window (None: no last_window).
    pub(crate) fn windows_available(&self) -> Option<u64> {
        self.calendar.as_ref().and_then(Calendar::available)
    }

    /// Whether machine `s` moves under this plan: physical, at `from`, not staying.
    pub(crate) fn moves(&self, inv: &Inventory, s: ServerId) -> bool {
        let sv = inv.server(s);
        !sv.is_vm() && sv.site == Some(self.from) && !self.stay.contains(&s)
    }

    /// The calendar's findings for a plan of `batches` nights: `plan-deadline` when more nights
    /// are needed than windows start before last_window; `invalid-value` when a needed window
    /// falls past the year 9999.
    pub(crate) fn calendar_findings(&self, batches: usize) -> Vec<Finding> {
        let Some(cal) = &self.calendar else { return Vec::new() };
        if batches == 0 {
            return Vec::new();
        }
        let mut out = Vec::new();
        if cal.window(batches).is_err() {
            out.push(
                Finding::new(
                    Code::InvalidValue,
                    self.calendar_locs.every_days.unwrap_or(self.loc),
                    format!("the window of night {batches} falls after the year 9999"),
                )
                .hint("lower every_days or move first_window earlier"),
            );
        }
        if let Some(n) = cal.available()
            && usize::try_from(n).is_ok_and(|n| n < batches)
        {
            out.push(
                Finding::new(
                    Code::PlanDeadline,
                    self.calendar_locs.last_window.unwrap_or(self.loc),
                    format!(
                        "the move needs {} but only {} start{} by last_window",
                        text::count(batches, "night"),
                        text::count(n, "window"),
                        if n == 1 { "s" } else { "" },
                    ),
                )
                .hint("raise max_servers / max_units / crew, shorten every_days, drop a blackout date, or extend the lease"),
            );
        }
        out
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

    fn invalid(&mut self, at: Loc, message: impl Into<String>, hint: Option<&str>) {
        let f = Finding::new(Code::InvalidValue, at, message);
        self.findings.push(match hint {
            Some(h) => f.hint(h),
            None => f,
        });
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
        let hint = did_you_mean(r.get_ref(), keys.iter().copied());
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

    /// A whole number in `min..=max`; out of range is a finding and gives `min`.
    fn ranged(&mut self, field: &str, v: &Spanned<i64>, min: u32, max: u32) -> u32 {
        match u32::try_from(*v.get_ref()) {
            Ok(n) if (min..=max).contains(&n) => n,
            _ => {
                let at = self.loc(v);
                self.invalid(
                    at,
                    format!("{field} must be between {min} and {max}, found {}", v.get_ref()),
                    None,
                );
                min
            }
        }
    }

    fn positive(&mut self, field: &str, v: &Spanned<i64>) -> u32 {
        match u32::try_from(*v.get_ref()) {
            Ok(n) if n >= 1 => n,
            _ => {
                let at = self.loc(v);
                self.invalid(at, format!("{field} must be at least 1, found {}", v.get_ref()), None);
                1
            }
        }
    }

    /// `max_weight_kg`: above 0, at most 1,000,000 kg (R1 counts tenths of a kilogram in 32 bits).
    fn van_weight(&mut self, v: &Spanned<f64>) -> Option<f64> {
        let kg = *v.get_ref();
        if kg.is_finite() && kg > 0.0 && kg <= 1_000_000.0 {
            return Some(kg);
        }
        let at = self.loc(v);
        self.invalid(at, format!("max_weight_kg must be above 0 and at most 1000000, found {kg}"), None);
        None
    }

    fn physical(&mut self, field: &str, r: &Spanned<String>) -> Option<ServerId> {
        let inv = self.inv;
        let id = self.reference("server", field, r, &inv.index.servers)?;
        if self.inv.server(id).kind == Kind::Vm {
            let at = self.loc(r);
            self.invalid(
                at,
                format!("plan {field}: `{}` is a vm: vms move with their host", r.get_ref()),
                Some("name the host instead"),
            );
            return None;
        }
        Some(id)
    }

    /// A machine named by a pin or not_before: physical, and one that moves.
    fn moving(&mut self, field: &str, name: &str, at: Loc, plan: &Plan) -> Option<ServerId> {
        let key = Spanned::new(at.start as usize..at.end as usize, name.to_owned());
        let id = self.physical(field, &key)?;
        if plan.moves(self.inv, id) {
            return Some(id);
        }
        let inv = self.inv;
        let (why, hint) = if plan.stay.contains(&id) {
            ("it is in `stay`".to_owned(), "remove the entry, or take the machine out of `stay`")
        } else {
            let site = inv.server(id).site.map_or("no site", |s| inv.site(s).id.as_str());
            (format!("it is at `{site}`, not at `{}`", inv.site(plan.from).id), "remove the entry")
        };
        self.invalid(at, format!("plan {field}: `{name}` does not move: {why}"), Some(hint));
        None
    }
}

/// Parses and resolves a plan file already added to `sources`. Returns the plan (when usable)
/// and the findings.
pub fn load(file: FileId, sources: &Sources, inv: &Inventory) -> (Option<Plan>, Vec<Finding>) {
    let raw = match raw::parse(file, sources.text(file)) {
        Ok(r) => r,
        Err(f) => return (None, vec![f]),
    };
    let mut cx = Ctx { file, inv, findings: Vec::new() };
    let plan_loc = cx.loc(&raw);
    let p = raw.into_inner();
    let from = cx.reference("site", "from", &p.from, &inv.index.sites);
    let to = cx.reference("site", "to", &p.to, &inv.index.sites);
    if from.is_some() && from == to {
        let at = cx.loc(&p.to);
        cx.invalid(at, "plan `to` is the same site as `from`", None);
    }
    let (Some(from), Some(to)) = (from, to) else {
        return (None, cx.findings);
    };
    let stay: Vec<ServerId> = p.stay.iter().filter_map(|s| cx.physical("stay", s)).collect();
    let (keep_together, links) = groups(&mut cx, &p);
    let every_days = p.every_days.as_ref().map_or(7, |v| cx.positive("every_days", v));
    let (calendar, calendar_locs) = calendar_of(&mut cx, &p, every_days);
    let order = match p.order.as_ref().map(|o| o.get_ref().as_str()) {
        None | Some("dependencies-first") => Order::DependenciesFirst,
        Some("any") => Order::Any,
        Some(other) => {
            let at = p.order.as_ref().map_or(plan_loc, |o| cx.loc(o));
            cx.invalid(at, format!("order `{other}` is not `dependencies-first` or `any`"), None);
            Order::DependenciesFirst
        }
    };
    let mut plan = Plan {
        name: p
            .name
            .clone()
            .unwrap_or_else(|| format!("Move from {} to {}", inv.site(from).id, inv.site(to).id)),
        from,
        to,
        max_servers: cx.positive("max_servers", &p.max_servers),
        max_units: cx.positive("max_units", &p.max_units),
        max_weight_kg: p.max_weight_kg.as_ref().and_then(|v| cx.van_weight(v)),
        stay,
        keep_together,
        links,
        every_days,
        window_hours: p.window_hours.as_ref().map_or(6, |v| cx.ranged("window_hours", v, 1, 24 * 366)),
        calendar,
        labour: labour(&mut cx, &p),
        pins: Vec::new(),
        not_before: Vec::new(),
        order,
        rack_map: rack_map(&mut cx, &p, to),
        loc: plan_loc,
        calendar_locs,
    };
    decide::decisions(&mut cx, &p, &mut plan);
    (Some(plan), cx.findings)
}

/// keep_together groups and temporary links.
fn groups(cx: &mut Ctx<'_>, p: &RawPlan) -> (Vec<Vec<ServerId>>, Vec<Vec<SiteId>>) {
    let mut keep_together = Vec::new();
    for g in &p.keep_together {
        let members: Vec<ServerId> =
            g.get_ref().iter().filter_map(|s| cx.physical("keep_together", s)).collect();
        if members.len() >= 2 {
            keep_together.push(members);
        }
    }
    let inv = cx.inv;
    let mut links = Vec::new();
    for l in &p.links {
        let sites: Vec<SiteId> =
            l.get_ref().iter().filter_map(|s| cx.reference("site", "links", s, &inv.index.sites)).collect();
        if l.get_ref().len() < 2 {
            let at = cx.loc(l);
            cx.invalid(at, "a link joins at least two sites", None);
        }
        links.push(sites);
    }
    (keep_together, links)
}

/// A date-time field (`first_window`, `last_window`).
fn window_field(
    cx: &mut Ctx<'_>,
    field: &str,
    v: &Spanned<toml::Value>,
    tz: Option<&TimeZone>,
) -> Option<Window> {
    let text = date_text(v.get_ref());
    let parsed = text.as_deref().and_then(|t| calendar::parse_window(t, tz));
    if parsed.is_none() {
        let shown = text.unwrap_or_else(|| v.get_ref().to_string());
        let at = cx.loc(v);
        cx.invalid(
            at,
            format!("{field} `{shown}` needs a date, a time and a UTC offset"),
            Some("write it like 2026-05-02T22:00:00-04:00 (a TOML date-time, or the same in quotes)"),
        );
    }
    parsed
}

/// time_zone, first_window, blackout, last_window: the calendar of windows.
fn calendar_of(cx: &mut Ctx<'_>, p: &RawPlan, every_days: u32) -> (Option<Calendar>, CalendarLocs) {
    let tz = p.time_zone.as_ref().and_then(|name| match TimeZone::get(name.get_ref()) {
        Ok(tz) => Some(tz),
        Err(_) => {
            let names: Vec<String> = jiff::tz::db().available().map(|n| n.as_str().to_owned()).collect();
            let hint = did_you_mean(name.get_ref(), names.iter().map(String::as_str))
                .unwrap_or_else(|| "an IANA name such as `Europe/Berlin` or `America/Toronto`".to_owned());
            let at = cx.loc(name);
            cx.invalid(at, format!("time_zone `{}` is not a known time zone", name.get_ref()), Some(&hint));
            None
        }
    });
    let first = p.first_window.as_ref().and_then(|w| window_field(cx, "first_window", w, tz.as_ref()));
    let mut blackout = Vec::new();
    for b in &p.blackout {
        match date_text(b.get_ref()).as_deref().and_then(calendar::parse_date) {
            Some(d) => blackout.push(d),
            None => {
                let at = cx.loc(b);
                cx.invalid(
                    at,
                    format!("blackout `{}` is not a date", b.get_ref()),
                    Some("write dates like \"2026-12-24\""),
                );
            }
        }
    }
    let last = p.last_window.as_ref().and_then(|w| window_field(cx, "last_window", w, tz.as_ref()));
    let locs = CalendarLocs {
        every_days: p.every_days.as_ref().map(|v| cx.loc(v)).or(p.first_window.as_ref().map(|v| cx.loc(v))),
        last_window: p.last_window.as_ref().map(|v| cx.loc(v)),
    };
    let Some(first) = first else {
        if p.first_window.is_none() {
            let set = [
                ("last_window", p.last_window.as_ref().map(|v| cx.loc(v))),
                ("blackout", p.blackout.first().map(|v| cx.loc(v))),
                ("time_zone", p.time_zone.as_ref().map(|v| cx.loc(v))),
            ];
            for (field, at) in set {
                if let Some(at) = at {
                    cx.invalid(
                        at,
                        format!("{field} needs first_window"),
                        Some("set first_window, the start of night 1"),
                    );
                }
            }
        }
        return (None, locs);
    };
    if let (Some(l), Some(v)) = (last, &p.last_window)
        && l.start < first.start
    {
        let at = cx.loc(v);
        cx.invalid(at, "last_window is before first_window", None);
    }
    (Some(Calendar::new(first, tz, every_days, &blackout, last.map(|l| l.start))), locs)
}

/// crew, handling minutes and cost.
fn labour(cx: &mut Ctx<'_>, p: &RawPlan) -> Labour {
    const MAX_MINUTES: u32 = 100_000;
    let hourly_cost = p.hourly_cost.as_ref().and_then(|c| {
        let v = *c.get_ref();
        if v.is_finite() && v >= 0.0 {
            Some(v)
        } else {
            let at = cx.loc(c);
            cx.invalid(at, format!("hourly_cost must be a number of at least 0, found {v}"), None);
            None
        }
    });
    Labour {
        crew: p.crew.as_ref().map(|c| cx.ranged("crew", c, 1, 10_000)),
        handling_minutes: p
            .handling_minutes
            .as_ref()
            .map_or(30, |v| cx.ranged("handling_minutes", v, 0, MAX_MINUTES)),
        handling_minutes_per_unit: p
            .handling_minutes_per_unit
            .as_ref()
            .map_or(0, |v| cx.ranged("handling_minutes_per_unit", v, 0, MAX_MINUTES)),
        hourly_cost,
    }
}

/// The rack map: source rack -> destination rack at `to`.
fn rack_map(cx: &mut Ctx<'_>, p: &RawPlan, to: SiteId) -> Vec<(RackId, RackId)> {
    let inv = cx.inv;
    let mut out = Vec::new();
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
        if inv.rack(d).site != to {
            cx.invalid(
                at,
                format!("plan rack_map: `{}` is not at the destination site", inv.rack(d).id),
                None,
            );
            continue;
        }
        out.push((s, d));
    }
    out
}
