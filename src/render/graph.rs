//! `dcplan graph`: services and machines with their edges, clustered by site, coloured by batch
//! when a plan is given; Graphviz DOT or Mermaid.

use std::fmt::Write;

use crate::model::{Inventory, ServerId};

/// Fill colours of batches 1, 2, ... (cycled), readable with black text.
const PALETTE: &[&str] = &[
    "#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3", "#fdb462", "#b3de69", "#fccde5", "#d9d9d9",
    "#bc80bd",
];

fn colour(batch: usize) -> &'static str {
    PALETTE[(batch - 1) % PALETTE.len()]
}

/// Mermaid and DOT ids: letters, digits and underscores only, without collisions (`_` is
/// doubled, `-` and `.` become `_h` and `_d`; ids have no other characters).
fn node_id(prefix: &str, id: &str) -> String {
    let mut out = format!("{prefix}_");
    for c in id.chars() {
        match c {
            '_' => out.push_str("__"),
            '-' => out.push_str("_h"),
            '.' => out.push_str("_d"),
            c => out.push(c),
        }
    }
    out
}

/// Graphviz DOT. `batch_of` gives each machine's batch (from 1) when a plan is shown.
pub(crate) fn dot(inv: &Inventory, batch_of: &[Option<usize>]) -> String {
    let mut out =
        String::from("digraph dcplan {\n  rankdir=LR;\n  node [fontname=\"sans-serif\", fontsize=10];\n");
    for (si, site) in inv.sites.iter().enumerate() {
        writeln!(
            out,
            "  subgraph cluster_{} {{\n    label=\"{} ({})\";",
            node_id("site", &site.id),
            site.id,
            site.name.replace('"', "'")
        )
        .ok();
        for id in inv.server_ids().filter(|&s| inv.server(s).site.map(|x| x.ix()) == Some(si)) {
            let s = inv.server(id);
            let shape = if s.is_vm() { "component" } else { "box" };
            let fill = batch_of[id.ix()]
                .map_or(String::new(), |b| format!(", style=filled, fillcolor=\"{}\"", colour(b)));
            let label = batch_of[id.ix()].map_or(s.id.clone(), |b| format!("{} [{b}]", s.id));
            writeln!(out, "    {} [shape={shape}, label=\"{label}\"{fill}];", node_id("m", &s.id)).ok();
        }
        out.push_str("  }\n");
    }
    for s in &inv.services {
        writeln!(out, "  {} [shape=ellipse, label=\"{}\"];", node_id("s", &s.id), s.id).ok();
    }
    for s in &inv.services {
        for &r in &s.runs_on {
            writeln!(
                out,
                "  {} -> {} [style=dashed, arrowhead=none];",
                node_id("s", &s.id),
                node_id("m", &inv.server(r).id)
            )
            .ok();
        }
        for &d in &s.depends_on {
            writeln!(out, "  {} -> {};", node_id("s", &s.id), node_id("s", &inv.service(d).id)).ok();
        }
    }
    for s in &inv.servers {
        if let Some(h) = s.host {
            writeln!(
                out,
                "  {} -> {} [style=dotted, arrowhead=none];",
                node_id("m", &s.id),
                node_id("m", &inv.server(h).id)
            )
            .ok();
        }
    }
    out.push_str("}\n");
    out
}

/// A Mermaid flowchart (GitHub renders it in Markdown).
pub(crate) fn mermaid(inv: &Inventory, batch_of: &[Option<usize>]) -> String {
    let mut out = String::from("flowchart LR\n");
    for (si, site) in inv.sites.iter().enumerate() {
        writeln!(out, "  subgraph {}[\"{}\"]", node_id("site", &site.id), site.id).ok();
        for id in inv.server_ids().filter(|&s| inv.server(s).site.map(|x| x.ix()) == Some(si)) {
            let s = inv.server(id);
            let label = batch_of[id.ix()].map_or(s.id.clone(), |b| format!("{} [{b}]", s.id));
            writeln!(out, "    {}[\"{label}\"]", node_id("m", &s.id)).ok();
        }
        out.push_str("  end\n");
    }
    for s in &inv.services {
        writeln!(out, "  {}([\"{}\"])", node_id("s", &s.id), s.id).ok();
    }
    for s in &inv.services {
        for &r in &s.runs_on {
            writeln!(out, "  {} -.- {}", node_id("s", &s.id), node_id("m", &inv.server(r).id)).ok();
        }
        for &d in &s.depends_on {
            writeln!(out, "  {} --> {}", node_id("s", &s.id), node_id("s", &inv.service(d).id)).ok();
        }
    }
    let mut used: Vec<usize> = batch_of.iter().flatten().copied().collect();
    used.sort_unstable();
    used.dedup();
    for b in used {
        writeln!(out, "  classDef batch{b} fill:{}", colour(b)).ok();
        let members: Vec<String> = inv
            .server_ids()
            .filter(|&s: &ServerId| batch_of[s.ix()] == Some(b))
            .map(|s| node_id("m", &inv.server(s).id))
            .collect();
        writeln!(out, "  class {} batch{b}", members.join(",")).ok();
    }
    out
}
