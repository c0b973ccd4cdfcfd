//! Phase timings of loading and checking a generated inventory (no file I/O):
//! `cargo bench --bench check [-- MACHINES]`.

use std::time::{Duration, Instant};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let machines = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(20_000);
    let files = dcplan::synth::files(dcplan::synth::Spec::with_machines(machines));
    let (mut load, mut resolve, mut check) = (Vec::new(), Vec::new(), Vec::new());
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
    }
    println!(
        "machines {machines}: load {:?}, resolve {:?}, check {:?} (medians of 7)",
        median(load),
        median(resolve),
        median(check)
    );
}
