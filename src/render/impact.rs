//! `dcplan impact` output: a table, or JSON (`docs/json.md`).

use serde::Serialize;
use tabled::Tabled;

use crate::diag::Finding;
use crate::impact::{Cause, Impact};
use crate::model::{Inventory, ServerId};
use crate::render::findings::{JsonFinding, json_findings};

#[derive(Serialize)]
struct JsonDown<'a> {
    service: &'a str,
    cause: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    via: Option<Vec<&'a str>>,
}

#[derive(Serialize)]
struct JsonDegraded<'a> {
    service: &'a str,
    up: u32,
    min_up: u32,
    replicas: usize,
}

#[derive(Serialize)]
struct JsonImpact<'a> {
    machines: Vec<&'a str>,
    down: Vec<JsonDown<'a>>,
    degraded: Vec<JsonDegraded<'a>>,
    /// BGP findings that only this state has (a router off takes its circuits down).
    bgp: Vec<JsonFinding<'a>>,
}

/// `{"machines": [...], "down": [...], "degraded": [...], "bgp": [...]}`.
pub(crate) fn json(c: &crate::Checked, machines: &[ServerId], i: &Impact, bgp: &[Finding]) -> String {
    let inv = &c.inventory;
    let doc = JsonImpact {
        machines: machines.iter().map(|&m| inv.server(m).id.as_str()).collect(),
        down: i
            .down
            .iter()
            .map(|(s, c)| JsonDown {
                service: &inv.service(*s).id,
                cause: if *c == Cause::Direct { "direct" } else { "dependency" },
                via: match c {
                    Cause::Direct => None,
                    Cause::Dependency(v) => Some(v.iter().map(|&x| inv.service(x).id.as_str()).collect()),
                },
            })
            .collect(),
        degraded: i
            .degraded
            .iter()
            .map(|&(s, up)| JsonDegraded {
                service: &inv.service(s).id,
                up,
                min_up: inv.service(s).min_up,
                replicas: inv.service(s).runs_on.len(),
            })
            .collect(),
        bgp: json_findings(bgp, &c.sources),
    };
    let mut s = serde_json::to_string_pretty(&doc).expect("impact serializes");
    s.push('\n');
    s
}

#[derive(Tabled)]
struct Row {
    service: String,
    criticality: &'static str,
    status: &'static str,
    why: String,
}

/// One row per service down or degraded.
pub(crate) fn human(inv: &Inventory, machines: &[ServerId], i: &Impact, bgp: &[Finding]) -> String {
    let names: Vec<&str> = machines.iter().map(|&m| inv.server(m).id.as_str()).collect();
    let mut rows: Vec<Row> = i
        .down
        .iter()
        .map(|(s, c)| Row {
            service: inv.service(*s).id.clone(),
            criticality: inv.service(*s).criticality.as_str(),
            status: "down",
            why: match c {
                Cause::Direct => {
                    let svc = inv.service(*s);
                    format!("fewer than {} of {} replicas up", svc.min_up, svc.runs_on.len())
                }
                Cause::Dependency(v) => {
                    let chain: Vec<&str> = v.iter().map(|&x| inv.service(x).id.as_str()).collect();
                    format!("needs {}", chain.join(" -> "))
                }
            },
        })
        .collect();
    rows.extend(i.degraded.iter().map(|&(s, up)| Row {
        service: inv.service(s).id.clone(),
        criticality: inv.service(s).criticality.as_str(),
        status: "degraded",
        why: format!(
            "{up} of {} replicas up ({} needed)",
            inv.service(s).runs_on.len(),
            inv.service(s).min_up
        ),
    }));
    let mut out = format!(
        "With {} off: {} service{} down, {} degraded.\n",
        names.join(", "),
        i.down.len(),
        if i.down.len() == 1 { "" } else { "s" },
        i.degraded.len()
    );
    if !rows.is_empty() {
        out.push_str(&crate::render::tables::table(&rows));
    }
    if !bgp.is_empty() {
        out.push_str("\nAnnouncements (what the internet sees of our addresses then):\n");
        for f in bgp {
            out.push_str(&format!("{}[{}]: {}\n", f.severity, f.code.name(), f.message));
        }
    }
    out
}
