//! `dcplan impact` output: a table, or JSON (`docs/json.md`).

use serde::Serialize;
use tabled::Tabled;

use crate::check::power::{Loss, Outage};
use crate::diag::Finding;
use crate::diag::text::count;
use crate::impact::{Cause, Impact};
use crate::model::{FeedId, Inventory, RackId, ServerId};
use crate::render::findings::{JsonFinding, json_findings};
use crate::render::tables::watts;

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

/// A power failure in one rack and what follows from it (`impact --feed` / `--side`).
pub(crate) struct PowerLoss<'a> {
    /// The rack.
    pub(crate) rack: RackId,
    /// What failed.
    pub(crate) loss: Loss,
    /// The rack after it.
    pub(crate) outage: &'a Outage,
}

#[derive(Serialize)]
struct JsonTrip<'a> {
    side: &'static str,
    feeds: Vec<&'a str>,
    load_w: u64,
    rating_w: u64,
}

#[derive(Serialize)]
struct JsonSurvivor<'a> {
    side: &'static str,
    feeds: Vec<&'a str>,
    load_w: u64,
    capacity_w: u64,
    rating_w: u64,
}

#[derive(Serialize)]
struct JsonPower<'a> {
    rack: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    feed: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    side: Option<&'static str>,
    /// Feeds that tripped because of the load that fell on them.
    tripped: Vec<JsonTrip<'a>>,
    /// Sides with no feed left.
    sides_down: Vec<&'static str>,
    /// Sides still on, with their load.
    surviving: Vec<JsonSurvivor<'a>>,
}

fn feed_names<'a>(inv: &'a Inventory, feeds: &[FeedId]) -> Vec<&'a str> {
    feeds.iter().map(|&f| inv.feeds[f.ix()].id.as_str()).collect()
}

fn json_power<'a>(inv: &'a Inventory, p: &PowerLoss<'_>) -> JsonPower<'a> {
    let o = p.outage;
    JsonPower {
        rack: &inv.rack(p.rack).id,
        feed: match p.loss {
            Loss::Feed(f) => Some(&inv.feeds[f.ix()].id),
            Loss::Side(_) => None,
        },
        side: match p.loss {
            Loss::Feed(_) => None,
            Loss::Side(s) => Some(s.as_str()),
        },
        tripped: o
            .trips
            .iter()
            .map(|t| JsonTrip {
                side: t.side.as_str(),
                feeds: feed_names(inv, &t.feeds),
                load_w: watts(t.load),
                rating_w: watts(t.rating),
            })
            .collect(),
        sides_down: crate::model::Side::BOTH.iter().filter(|s| o.dead[s.ix()]).map(|s| s.as_str()).collect(),
        surviving: o
            .survivors
            .iter()
            .map(|s| JsonSurvivor {
                side: s.side.as_str(),
                feeds: feed_names(inv, &s.feeds),
                load_w: watts(s.load),
                capacity_w: watts(s.capacity),
                rating_w: watts(s.rating),
            })
            .collect(),
    }
}

/// What the power loss does to the rack, in sentences.
fn power_lines(inv: &Inventory, p: &PowerLoss<'_>) -> String {
    let o = p.outage;
    let rk = &inv.rack(p.rack).id;
    let quoted = |feeds: &[FeedId]| {
        let names: Vec<String> = feed_names(inv, feeds).iter().map(|n| format!("`{n}`")).collect();
        names.join(", ")
    };
    let mut out = match p.loss {
        Loss::Feed(f) => {
            let feed = &inv.feeds[f.ix()];
            format!("If feed `{}` (side {} of rack `{rk}`) trips:\n", feed.id, feed.side.as_str())
        }
        Loss::Side(s) => format!("If side {} of rack `{rk}` fails:\n", s.as_str()),
    };
    for t in &o.trips {
        out.push_str(&format!(
            "- side {} ({}) would carry {} W, over its breaker rating of {} W: it trips too\n",
            t.side.as_str(),
            quoted(&t.feeds),
            watts(t.load),
            watts(t.rating)
        ));
    }
    for s in &o.survivors {
        let state = if s.load > s.capacity {
            format!(
                "over its capacity of {} W but within its breaker rating of {} W: it holds, without the margin max_utilization keeps",
                watts(s.capacity),
                watts(s.rating)
            )
        } else {
            format!("within its capacity of {} W", watts(s.capacity))
        };
        out.push_str(&format!(
            "- side {} ({}) carries {} W, {state}\n",
            s.side.as_str(),
            quoted(&s.feeds),
            watts(s.load)
        ));
    }
    let dark: Vec<&str> = o.dark.iter().map(|&m| inv.server(m).id.as_str()).collect();
    out.push_str(&match dark.len() {
        0 => "- no machine goes dark\n".to_owned(),
        1 => format!("- 1 machine goes dark: {}\n", dark[0]),
        n => format!("- {n} machines go dark: {}\n", dark.join(", ")),
    });
    out
}

#[derive(Serialize)]
struct JsonImpact<'a> {
    /// The rack, what failed and what follows (impact --feed / --side only).
    #[serde(skip_serializing_if = "Option::is_none")]
    power: Option<JsonPower<'a>>,
    machines: Vec<&'a str>,
    down: Vec<JsonDown<'a>>,
    degraded: Vec<JsonDegraded<'a>>,
    /// BGP findings that only this state has (a router off takes its circuits down).
    bgp: Vec<JsonFinding<'a>>,
}

/// `{"machines": [...], "down": [...], "degraded": [...], "bgp": [...]}`.
pub(crate) fn json(
    c: &crate::Checked,
    machines: &[ServerId],
    i: &Impact,
    bgp: &[Finding],
    power: Option<&PowerLoss<'_>>,
) -> String {
    let inv = &c.inventory;
    let doc = JsonImpact {
        power: power.map(|p| json_power(inv, p)),
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
pub(crate) fn human(
    inv: &Inventory,
    machines: &[ServerId],
    i: &Impact,
    bgp: &[Finding],
    power: Option<&PowerLoss<'_>>,
) -> String {
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
    let counts = format!("{} down, {} degraded.\n", count(i.down.len(), "service"), i.degraded.len());
    let mut out = match power {
        Some(p) => format!("{}Then: {counts}", power_lines(inv, p)),
        None => format!("With {} off: {counts}", names.join(", ")),
    };
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
