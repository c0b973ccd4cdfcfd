//! Phase timings of loading and checking a generated inventory (no file I/O), without and with
//! power feeds on every rack: `cargo bench --bench check [-- MACHINES]`.

use std::time::{Duration, Instant};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let machines = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(20_000);
    for feeds in [false, true] {
        let spec = dcplan::synth::Spec { feeds, ..dcplan::synth::Spec::with_machines(machines) };
        let files = dcplan::synth::files(spec);
        let (mut load, mut resolve, mut check) = (Vec::new(), Vec::new(), Vec::new());
        let mut counts = (0, 0);
        for _ in 0..7 {
            let t = Instant::now();
            let loaded = dcplan::load::load_files(files.clone());
            load.push(t.elapsed());
            let t = Instant::now();
            let mut findings = loaded.findings;
            let inv = dcplan::resolve::resolve(loaded.raw, &loaded.sources, &mut findings);
            resolve.push(t.elapsed());
            let t = Instant::now();
            let f = dcplan::check::check(&inv);
            check.push(t.elapsed());
            assert!(f.len() < machines);
            counts = (inv.racks.len(), f.len());
        }
        println!(
            "machines {machines}, {}: load {:?}, resolve {:?}, check {:?} (medians of 7; {} racks, {} findings)",
            if feeds { "A+B feeds on every rack" } else { "power_w budgets" },
            median(load),
            median(resolve),
            median(check),
            counts.0,
            counts.1
        );
    }
}
