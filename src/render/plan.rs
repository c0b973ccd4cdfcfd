//! `dcplan plan` output: the JSON of DESIGN.md section 5, and tables for people.

use serde::Serialize;
use tabled::Tabled;

use crate::diag::Severity;
use crate::model::Inventory;
use crate::plan::Outcome;
use crate::render::findings::{JsonFinding, json_findings};
use crate::source::Sources;

#[derive(Serialize)]
struct JsonPlacement<'a> {
    server: &'a str,
    rack: &'a str,
    unit: u32,
}

#[derive(Serialize)]
struct JsonReason<'a> {
    server: &'a str,
    reason: &'a str,
}

#[derive(Serialize)]
struct JsonBatch<'a> {
    index: usize,
    window_start: Option<&'a str>,
    servers: Vec<&'a str>,
    vms: Vec<&'a str>,
    units: u32,
    placements: Vec<JsonPlacement<'a>>,
    services_down: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    explain: Option<Vec<JsonReason<'a>>>,
}

#[derive(Serialize)]
struct JsonState<'a> {
    state: &'a str,
    findings: Vec<JsonFinding<'a>>,
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
    batches: Vec<JsonBatch<'a>>,
    states: Vec<JsonState<'a>>,
    downtime: Vec<JsonDowntime<'a>>,
    findings: Vec<JsonFinding<'a>>,
}

/// The plan as JSON; `explain` adds each machine's reason to its batch.
pub fn json(o: &Outcome, inv: &Inventory, sources: &Sources, explain: bool) -> String {
    let sid = |s: crate::model::ServerId| inv.server(s).id.as_str();
    let doc = JsonPlan {
        plan: &o.plan.name,
        from: &inv.site(o.plan.from).id,
        to: &inv.site(o.plan.to).id,
        lower_bound: o.lower_bound,
        optimal: o.optimal,
        batches: o
            .batches
            .iter()
            .map(|b| JsonBatch {
                index: b.index,
                window_start: b.window_start.as_deref(),
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
                    })
                    .collect(),
                services_down: b.services_down.iter().map(|&s| inv.service(s).id.as_str()).collect(),
                explain: explain.then(|| {
                    b.reasons.iter().map(|(s, r)| JsonReason { server: sid(*s), reason: r }).collect()
                }),
            })
            .collect(),
        states: o
            .states
            .iter()
            .map(|s| JsonState { state: &s.name, findings: json_findings(&s.findings, sources) })
            .collect(),
        downtime: o
            .downtime
            .iter()
            .map(|&(s, n)| JsonDowntime { service: &inv.service(s).id, states_down: n })
            .collect(),
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
    #[tabled(rename = "services down")]
    services_down: String,
    #[tabled(rename = "BGP warnings")]
    bgp: usize,
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
pub fn human(o: &Outcome, inv: &Inventory, sources: &Sources, color: bool, explain: bool) -> String {
    let mut out = format!("{} ({} -> {})\n", o.plan.name, inv.site(o.plan.from).id, inv.site(o.plan.to).id);
    if !o.batches.is_empty() || o.findings.iter().all(|f| f.code != crate::diag::Code::PlanInfeasible) {
        out.push_str(&format!(
            "{} batch{}; lower bound {}{}\n\n",
            o.batches.len(),
            if o.batches.len() == 1 { "" } else { "es" },
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
                machines.push(format!("+{} vm{}", b.vms.len(), if b.vms.len() == 1 { "" } else { "s" }));
            }
            BatchRow {
                index: b.index,
                window: b.window_start.clone().unwrap_or_default(),
                machines: machines.join(" "),
                units: b.units,
                services_down: b
                    .services_down
                    .iter()
                    .map(|&s| inv.service(s).id.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                bgp: o.states[2 * b.index - 1].findings.len(),
            }
        })
        .collect();
    if !rows.is_empty() {
        out.push_str(&crate::render::tables::table(&rows));
    }
    if explain {
        let rows: Vec<ReasonRow> = o
            .batches
            .iter()
            .flat_map(|b| {
                b.reasons.iter().map(move |(s, r)| {
                    let to = b
                        .placements
                        .iter()
                        .find(|p| p.server == *s)
                        .map(|p| format!("{} u{}", inv.rack(p.rack).id, p.unit))
                        .unwrap_or_default();
                    ReasonRow { machine: inv.server(*s).id.clone(), batch: b.index, to, why: r.clone() }
                })
            })
            .collect();
        out.push('\n');
        out.push_str(&crate::render::tables::table(&rows));
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
    let mut all = o.findings.clone();
    for s in &o.states {
        if s.findings.is_empty() {
            continue;
        }
        out.push_str(&format!("\nState `{}`:\n", s.name));
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
    let errors = all.iter().filter(|f| f.severity == Severity::Error).count();
    out.push_str(&format!("\n{}\n", crate::render::findings::summary_line(crate::diag::Summary::of(&all))));
    let _ = errors;
    out
}
