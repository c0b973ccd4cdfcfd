//! The planner on generated inventories: `cargo bench --bench plan [-- MACHINES...]`
//! (default: 60 and 20000). Prints batches, lower bound, optimality and the time of each phase.

use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![60, 20_000] } else { sizes };
    for machines in sizes {
        let mut spec = dcplan::synth::Spec::with_machines(machines);
        // DCPLAN_BENCH_SEED: another generated estate (some seeds give a move with no plan).
        spec.seed = std::env::var("DCPLAN_BENCH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
        let files = dcplan::synth::files(spec);
        let mut checked = dcplan::check_loaded(dcplan::load::load_files(files), &dcplan::Options::default());
        // A night moves about 1% of a large estate, 8 machines of a small one.
        let per_night = (machines / 100).max(8);
        let plan = format!(
            "[plan]\nfrom = \"ids\"\nto = \"cv\"\nmax_servers = {per_night}\nmax_units = {}\nstay = [\"rtr2\"]\n",
            per_night * 3
        );
        let file = checked.sources.add("plan.toml".into(), plan);
        let (p, findings) = dcplan::plan::spec::load(file, &checked.sources, &checked.inventory);
        assert!(findings.is_empty(), "{findings:?}");
        let mut best = f64::MAX;
        let mut last = None;
        for _ in 0..3 {
            let t = Instant::now();
            let o = dcplan::plan::plan(&checked, p.clone().expect("plan loads"));
            best = best.min(t.elapsed().as_secs_f64());
            last = Some(o);
        }
        let o = last.expect("ran");
        let warnings: usize = o.states().map(|(_, s)| s.findings.len()).sum();
        if std::env::var_os("DCPLAN_BENCH_FILL").is_some() {
            eprintln!("fill: {:?}", o.batches.iter().map(|b| b.servers.len()).collect::<Vec<_>>());
        }
        println!(
            "machines {machines}: {} batches, lower bound {}, optimal {}, {} states ({warnings} findings): plan {:.3} s (best of 3)",
            o.batches.len(),
            o.lower_bound,
            o.optimal,
            o.states().count(),
            best
        );
    }
}
