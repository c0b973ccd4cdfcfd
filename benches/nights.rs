//! The planner with Part II's night rules on generated inventories:
//! `cargo bench --bench nights [-- MACHINES...]` (default 20000).
//!
//! R5 labour binds (a crew too small for the machine limit), and the operator has frozen part of
//! a first plan: every 50th machine pinned to its night, every 50th (offset) not before it. The
//! pins come from a plan the same rules made, so the move stays feasible. Prints batches, the
//! lower bound, optimality and the time of the second run (best of 3). `DCPLAN_BENCH_FEEDS=1`
//! puts A and B feeds on every rack.

use std::fmt::Write as _;

mod common;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![20_000] } else { sizes };
    for machines in sizes {
        let mut spec = dcplan::synth::Spec::with_machines(machines);
        // DCPLAN_BENCH_FEEDS=1: A and B feeds on every rack, so placement runs the feed load model.
        spec.feeds = std::env::var_os("DCPLAN_BENCH_FEEDS").is_some();
        let files = dcplan::synth::files(spec);
        let mut checked = dcplan::check_loaded(dcplan::load::load_files(files), &dcplan::Options::default());
        let per_night = (machines / 100).max(8);
        // 30 person-minutes a machine plus 15 a unit above 1, a crew that carries about 80% of
        // what the van holds: labour, not the machine limit, decides most nights.
        let crew = (per_night * 45 * 8 / 10).div_ceil(8 * 60).max(2);
        let base = format!(
            "[plan]\nfrom = \"ids\"\nto = \"cv\"\nmax_servers = {per_night}\nmax_units = {}\nstay = [\"rtr2\"]\n\
             crew = {crew}\nwindow_hours = 8\nhandling_minutes = 30\nhandling_minutes_per_unit = 15\n",
            per_night * 3
        );
        let file = checked.sources.add("plan-first.toml".into(), base.clone());
        let (p, findings) = dcplan::plan::spec::load(file, &checked.sources, &checked.inventory);
        assert!(findings.is_empty(), "{findings:?}");
        let first = dcplan::plan::plan(&checked, p.expect("plan loads"));
        assert!(!first.batches.is_empty(), "the first plan has no nights: {:?}", first.findings);
        let (mut pins, mut not_before) = (String::from("[plan.pin]\n"), String::from("[plan.not_before]\n"));
        let (mut n_pins, mut n_nb) = (0, 0);
        for b in &first.batches {
            for (i, &s) in b.servers.iter().enumerate() {
                let id = &checked.inventory.server(s).id;
                if i % 50 == 0 {
                    writeln!(pins, "\"{id}\" = {}", b.index).ok();
                    n_pins += 1;
                } else if i % 50 == 25 {
                    writeln!(not_before, "\"{id}\" = {}", b.index).ok();
                    n_nb += 1;
                }
            }
        }
        let plan = format!("{base}{pins}{not_before}");
        let file = checked.sources.add("plan.toml".into(), plan);
        let (p, findings) = dcplan::plan::spec::load(file, &checked.sources, &checked.inventory);
        assert!(findings.is_empty(), "{findings:?}");
        let p = p.expect("plan loads");
        let (o, best) = common::best_of_3(|| dcplan::plan::plan(&checked, p.clone()));
        println!(
            "machines {machines}, crew {crew}, {n_pins} pins, {n_nb} not_before: {} batches (first plan {}), lower bound {}, optimal {}: plan {:.3} s (best of 3)",
            o.batches.len(),
            first.batches.len(),
            o.lower_bound,
            o.optimal,
            best
        );
    }
}
