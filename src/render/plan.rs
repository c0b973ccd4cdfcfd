//! `dcplan plan` output: the plan as JSON (the machine contract, see docs/planning.md), and
//! tables for people. The planner's typed answer (state names, reasons, window dates) is turned
//! into words here, and only here.

use serde::Serialize;
use tabled::Tabled;

use crate::diag::text::{and_list, count};
use crate::diag::{Code, Severity};
use crate::model::Inventory;
use crate::plan::{Batch, Explanation, Outcome, Reason, StateName};
use crate::render::findings::{JsonFinding, json_findings};
use crate::source::Sources;

#[derive(Serialize)]
struct JsonPlacement<'a> {
    server: &'a str,
    rack: &'a str,
    /// Null for a 0U machine.
    unit: Option<crate::model::HalfU>,
    /// Single-PSU machines in a rack with feeds: the side to plug into.
    #[serde(skip_serializing_if = "Option::is_none")]
    feed_side: Option<&'static str>,
}

#[derive(Serialize)]
struct JsonReason<'a> {
    server: &'a str,
    reason: String,
}

#[derive(Serialize)]
struct JsonBatch<'a> {
    index: usize,
    window_start: Option<String>,
    servers: Vec<&'a str>,
    vms: Vec<&'a str>,
    units: u32,
    placements: Vec<JsonPlacement<'a>>,
    services_down: Vec<&'a str>,
    handling_minutes: u32,
    cost: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    explain: Option<Vec<JsonReason<'a>>>,
}

#[derive(Serialize)]
struct JsonState<'a> {
    state: String,
    findings: Vec<JsonFinding<'a>>,
}

#[derive(Serialize)]
struct JsonChange<'a> {
    machine: &'a str,
    from: usize,
    to: usize,
    reason: String,
}

#[derive(Serialize)]
struct JsonDowntime<'a> {
    service: &'a str,
    states_down: u32,
}

#[derive(Serialize)]
struct JsonPlan<'a> {
    plan: &'a str,
    from: &'a str,
    to: &'a str,
    lower_bound: u32,
    optimal: bool,
    windows_available: Option<u64>,
    total_handling_minutes: u64,
    total_cost: Option<f64>,
    batches: Vec<JsonBatch<'a>>,
    states: Vec<JsonState<'a>>,
    downtime: Vec<JsonDowntime<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    changes: Option<Vec<JsonChange<'a>>>,
    findings: Vec<JsonFinding<'a>>,
}

/// The plan as JSON; `explain` adds each machine's reason to its batch.
pub(crate) fn json(o: &Outcome, inv: &Inventory, sources: &Sources, explain: bool) -> String {
    let sid = |s: crate::model::ServerId| inv.server(s).id.as_str();
    let sides = crate::check::power::rack_sides(inv);
    let plugged = |p: &crate::plan::Placement| {
        let sv = inv.server(p.server);
        crate::check::power::plugged_side(sv.psus, sv.feed_side, sides[p.rack.ix()])
    };
    let doc = JsonPlan {
        plan: &o.plan.name,
        from: &inv.site(o.plan.from).id,
        to: &inv.site(o.plan.to).id,
        lower_bound: o.lower_bound,
        optimal: o.optimal,
        windows_available: o.windows_available,
        total_handling_minutes: o.total_handling_minutes(),
        total_cost: o.total_cost().map(cents),
        batches: o
            .batches
            .iter()
            .map(|b| JsonBatch {
                index: b.index,
                window_start: b.window_start.as_ref().map(window),
                servers: b.servers.iter().map(|&s| sid(s)).collect(),
                vms: b.vms.iter().map(|&s| sid(s)).collect(),
                units: b.units,
                placements: b
                    .placements
                    .iter()
                    .map(|p| JsonPlacement {
                        server: sid(p.server),
                        rack: &inv.rack(p.rack).id,
                        unit: p.unit,
                        feed_side: plugged(p).map(|s| s.as_str()),
                    })
                    .collect(),
                services_down: b.services_down.iter().map(|&s| inv.service(s).id.as_str()).collect(),
                handling_minutes: b.handling_minutes,
                cost: b.cost.map(cents),
                explain: explain.then(|| {
                    b.reasons
                        .iter()
                        .map(|(s, r)| JsonReason { server: sid(*s), reason: reason(inv, r) })
                        .collect()
                }),
            })
            .collect(),
        states: o
            .states()
            .map(|(n, s)| JsonState { state: state_name(n), findings: json_findings(&s.findings, sources) })
            .collect(),
        downtime: o
            .downtime
            .iter()
            .map(|&(s, n)| JsonDowntime { service: &inv.service(s).id, states_down: n })
            .collect(),
        changes: o.changes.as_ref().map(|cs| {
            cs.iter()
                .map(|c| JsonChange {
                    machine: sid(c.machine),
                    from: c.from,
                    to: c.to,
                    reason: change_reason(inv, c),
                })
                .collect()
        }),
        findings: json_findings(&o.findings, sources),
    };
    let mut s = serde_json::to_string_pretty(&doc).expect("plan serializes");
    s.push('\n');
    s
}

#[derive(Tabled)]
struct BatchRow {
    #[tabled(rename = "#")]
    index: usize,
    window: String,
    machines: String,
    units: u32,
    #[tabled(rename = "person-min")]
    work: u32,
    #[tabled(rename = "services down")]
    services_down: String,
    /// The night's BGP findings, and the errors of the state after it (see [`bgp_cell`]).
    #[tabled(rename = "BGP")]
    bgp: String,
}

#[derive(Tabled)]
struct ReasonRow {
    machine: String,
    batch: usize,
    to: String,
    why: String,
}

#[derive(Tabled)]
struct DowntimeRow {
    service: String,
    criticality: &'static str,
    #[tabled(rename = "states down")]
    states_down: u32,
}

/// Tables for people, then the findings of every state that has any.
pub(crate) fn human(o: &Outcome, inv: &Inventory, sources: &Sources, color: bool, explain: bool) -> String {
    let mut out = format!("{} ({} -> {})\n", o.plan.name, inv.site(o.plan.from).id, inv.site(o.plan.to).id);
    if !o.batches.is_empty() || o.findings.iter().all(|f| f.code != crate::diag::Code::PlanInfeasible) {
        out.push_str(&format!(
            "{}; lower bound {}{}\n\n",
            count(o.batches.len(), "batch"),
            o.lower_bound,
            if o.optimal { " (proven optimal)" } else { "" }
        ));
    }
    let rows: Vec<BatchRow> = o
        .batches
        .iter()
        .map(|b| {
            let mut machines: Vec<String> = b.servers.iter().map(|&s| inv.server(s).id.clone()).collect();
            if !b.vms.is_empty() {
                machines.push(format!("+{}", count(b.vms.len(), "vm")));
            }
            BatchRow {
                index: b.index,
                window: b.window_start.as_ref().map(window).unwrap_or_default(),
                machines: machines.join(" "),
                units: b.units,
                work: b.handling_minutes,
                services_down: b
                    .services_down
                    .iter()
                    .map(|&s| inv.service(s).id.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                bgp: bgp_cell(o, b),
            }
        })
        .collect();
    if !rows.is_empty() {
        out.push_str(&crate::render::tables::table(&rows));
        for b in &o.batches {
            if let Some(alarm) = unannounced_alarm(o, inv, b) {
                out.push_str(&format!("!! {alarm}\n"));
            }
        }
        out.push_str(&format!("Estimate: {}\n", estimate(o)));
    }
    if let Some(changes) = &o.changes {
        out.push_str(&changes_summary(inv, changes));
    }
    if explain {
        out.push('\n');
        out.push_str(&reasons_table(o, inv));
    }
    if !o.downtime.is_empty() {
        let rows: Vec<DowntimeRow> = o
            .downtime
            .iter()
            .map(|&(s, n)| DowntimeRow {
                service: inv.service(s).id.clone(),
                criticality: inv.service(s).criticality.as_str(),
                states_down: n,
            })
            .collect();
        out.push_str("\nDowntime (states in which a service has fewer than min_up replicas up):\n");
        out.push_str(&crate::render::tables::table(&rows));
    }
    out.push_str(&findings_text(o, sources, color));
    out
}

/// `--explain`: why each machine is in its batch, and where it goes.
fn reasons_table(o: &Outcome, inv: &Inventory) -> String {
    let rows: Vec<ReasonRow> = o
        .batches
        .iter()
        .flat_map(|b| {
            b.reasons.iter().map(move |(s, r)| {
                let to = b
                    .placements
                    .iter()
                    .find(|p| p.server == *s)
                    .map(|p| crate::model::mount_text(inv.rack(p.rack), p.unit))
                    .unwrap_or_default();
                ReasonRow { machine: inv.server(*s).id.clone(), batch: b.index, to, why: reason(inv, r) }
            })
        })
        .collect();
    crate::render::tables::table(&rows)
}

/// The findings of every state that has any, then the plan's own, and one summary line for all.
fn findings_text(o: &Outcome, sources: &Sources, color: bool) -> String {
    let mut out = String::new();
    let mut all = o.findings.clone();
    for (name, s) in o.states() {
        if s.findings.is_empty() {
            continue;
        }
        out.push_str(&format!("\nState `{}`:\n", state_name(name)));
        let text = crate::render::findings::human(&s.findings, sources, color);
        // The per-state summary line is left out; one summary closes the report.
        out.push_str(text.trim_end().rsplit_once('\n').map_or("", |x| x.0));
        out.push('\n');
        all.extend(s.findings.iter().cloned());
    }
    if !o.findings.is_empty() {
        out.push('\n');
        let text = crate::render::findings::human(&o.findings, sources, color);
        out.push_str(text.trim_end().rsplit_once('\n').map_or("", |x| x.0));
        out.push('\n');
    }
    out.push_str(&format!("\n{}\n", crate::render::findings::summary_line(crate::diag::Summary::of(&all))));
    out
}

/// The own prefixes a night leaves announced nowhere (each once, whatever the site).
fn unannounced_prefixes(o: &Outcome, b: &Batch) -> usize {
    let mut prefixes: Vec<&str> = o
        .night(b)
        .during
        .findings
        .iter()
        .filter(|f| f.code == Code::BgpUnannounced)
        .filter_map(|f| f.object.as_deref())
        .collect();
    prefixes.sort_unstable();
    prefixes.dedup();
    prefixes.len()
}

/// A night's BGP cell: `3 warnings`, or `UNREACHABLE: 2 prefixes` when own space is announced
/// nowhere during it (a planned degradation, hence warnings, but one that must not read as
/// fine), with `; after: 1 error` when the state after the night has errors (those fail the
/// plan, so the table must not hide them).
pub(crate) fn bgp_cell(o: &Outcome, b: &Batch) -> String {
    let night = o.night(b);
    let warnings = crate::diag::text::count(night.during.findings.len(), "warning");
    let mut cell = match unannounced_prefixes(o, b) {
        0 if night.during.findings.is_empty() => "none".to_owned(),
        0 => warnings,
        n if n == night.during.findings.len() => {
            format!("UNREACHABLE: {}", crate::diag::text::count(n, "prefix"))
        }
        n => format!("UNREACHABLE: {}; {warnings}", crate::diag::text::count(n, "prefix")),
    };
    let errors = night.after.findings.iter().filter(|f| f.severity == Severity::Error).count();
    if errors > 0 {
        cell.push_str(&format!("; after: {}", crate::diag::text::count(errors, "error")));
    }
    cell
}

/// `Night 2: all own space unannounced during the move (routers `r1` and `r2` both in the van)`,
/// or the count of prefixes when only some are; `None` when the night announces all of it.
pub(crate) fn unannounced_alarm(o: &Outcome, inv: &Inventory, b: &Batch) -> Option<String> {
    let during = &o.night(b).during;
    let routers: Vec<String> =
        during.reach.routers_in_transit.iter().map(|&r| format!("`{}`", inv.server(r).id)).collect();
    let van = match routers.as_slice() {
        [] => String::new(),
        [one] => format!(" (router {one} in the van)"),
        [a, b] => format!(" (routers {a} and {b} both in the van)"),
        all => format!(" (routers {} all in the van)", and_list(all)),
    };
    if during.reach.none_announced {
        return Some(format!("Night {}: all own space unannounced during the move{van}", b.index));
    }
    match unannounced_prefixes(o, b) {
        0 => None,
        n => Some(format!(
            "Night {}: {} of own space unannounced during the move{van}",
            b.index,
            crate::diag::text::count(n, "prefix")
        )),
    }
}

/// Money rounded to cents, for JSON.
fn cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// `1,705`: a whole number with thousands separators.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The move's estimate in words: `4 nights, 31 person-hours, 1,705 in labour` (and the windows
/// left before the lease ends, when it does).
pub(crate) fn estimate(o: &Outcome) -> String {
    let nights = o.batches.len();
    let minutes = o.total_handling_minutes();
    let hours = (minutes as f64 / 6.0).round() / 10.0;
    let mut text = format!("{}, {hours} person-hours", count(nights, "night"));
    if let Some(cost) = o.total_cost() {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "a float-to-integer `as` saturates (NaN gives 0), and a cost is shown in whole units"
        )]
        let whole = cost.round() as u64;
        text.push_str(&format!(", {} in labour", thousands(whole)));
    }
    if let Some(w) = o.windows_available {
        text.push_str(&format!(" ({} before the lease ends)", count(w, "window")));
    }
    text
}

/// Why a machine left its earlier night, in words.
fn change_reason(inv: &Inventory, c: &crate::plan::stable::Change) -> String {
    match &c.reason {
        Some(r) => reason(inv, &Explanation { reason: r.clone(), together: Vec::new() }),
        None => format!("night {} is no longer needed: the move takes fewer nights", c.from),
    }
}

/// `3 machines change night since the previous plan:` and one line each.
fn changes_summary(inv: &Inventory, changes: &[crate::plan::stable::Change]) -> String {
    if changes.is_empty() {
        return "No machine changes night since the previous plan.\n".to_owned();
    }
    let n = changes.len();
    let mut out = format!(
        "{} change{} night since the previous plan:\n",
        count(n, "machine"),
        if n == 1 { "s" } else { "" }
    );
    for c in changes {
        out.push_str(&format!(
            "  {}: {} -> {} ({})\n",
            inv.server(c.machine).id,
            c.from,
            c.to,
            change_reason(inv, c)
        ));
    }
    out
}

/// `before`, `during 2`, `after 2`.
pub(crate) fn state_name(n: StateName) -> String {
    match n {
        StateName::Before => "before".to_owned(),
        StateName::During(k) => format!("during {k}"),
        StateName::After(k) => format!("after {k}"),
    }
}

/// A window start as `2026-05-02T22:00:00-04:00`.
pub(crate) fn window(z: &jiff::ZonedDateTime) -> String {
    z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// Why a machine is in its batch, in words.
pub(crate) fn reason(inv: &Inventory, e: &Explanation) -> String {
    let text = match &e.reason {
        Reason::FirstBatch => "first batch".to_owned(),
        Reason::Full { batch, machines, units } => {
            format!("R1: batch {batch} is full ({machines} machines / {units} U with it)")
        }
        Reason::StayUp { service, cap, min_up, replicas } => format!(
            "R3: `{}` may have {} in transit at once ({min_up} of {replicas} must stay up)",
            inv.service(*service).id,
            count(*cap, "replica")
        ),
        Reason::Dependency { service, on, need, batch } => format!(
            "R4: `{}` depends on `{}`, which needs {} at the destination, not there by batch {batch}",
            inv.service(*service).id,
            inv.service(*on).id,
            count(*need, "replica")
        ),
        Reason::Weight { batch, tenths_kg, max_tenths_kg } => format!(
            "R1: batch {batch} would weigh {} kg with it, over the van's {} kg",
            f64::from(*tenths_kg) / 10.0,
            f64::from(*max_tenths_kg) / 10.0
        ),
        Reason::Labour { batch, minutes, capacity } => {
            format!("R5: kept out of night {batch} by labour: {minutes} of {capacity} person-minutes")
        }
        Reason::Pinned { night } => format!("pinned to night {night}"),
        Reason::NotBefore { night } => format!("not before night {night}"),
        Reason::Objective => "objective: less downtime or fewer BGP findings this way".to_owned(),
    };
    if e.together.is_empty() {
        text
    } else {
        let names: Vec<&str> = e.together.iter().map(|&m| inv.server(m).id.as_str()).collect();
        format!("{text} (R2: keeps together {})", names.join(", "))
    }
}
