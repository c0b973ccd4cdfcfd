//! BGP engine on a generated inventory: engine build, then 40 move states evaluated
//! (`cargo bench --bench bgp [-- MACHINES]`).

use std::time::{Duration, Instant};

use dcplan::bgp::State;
use dcplan::model::SiteId;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let machines = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(20_000);
    let files = dcplan::synth::files(dcplan::synth::Spec::with_machines(machines));
    let checked = dcplan::check_loaded(dcplan::load::load_files(files), &dcplan::Options::default());
    let inv = &checked.inventory;
    let cv = inv.index.sites["cv"];
    // 20 batches: state "during k" has batch k in transit, "after k" has it at cv.
    let physical: Vec<_> = inv.server_ids().filter(|&s| !inv.server(s).is_vm()).collect();
    let batch_of =
        |s: dcplan::model::ServerId| physical.iter().position(|&p| p == s).unwrap_or(0) * 20 / physical.len();
    let batch: Vec<usize> =
        inv.server_ids().map(|s| if inv.server(s).is_vm() { 0 } else { batch_of(s) }).collect();
    let states: Vec<State> = (0..40)
        .map(|i| {
            let (k, during) = (i / 2, i % 2 == 0);
            State::from_physical(inv, |s| {
                let b = batch[s.ix()];
                let site: Option<SiteId> = inv.server(s).site;
                if b < k || (b == k && !during) {
                    Some(cv)
                } else if b == k {
                    None
                } else {
                    site
                }
            })
        })
        .collect();
    let mut builds = Vec::new();
    let mut evals = Vec::new();
    let mut total_findings = 0;
    for _ in 0..7 {
        let t = Instant::now();
        let engine = checked.engine(&[]);
        builds.push(t.elapsed());
        let t = Instant::now();
        total_findings = states.iter().map(|s| engine.evaluate(s).len()).sum::<usize>();
        evals.push(t.elapsed());
    }
    let med = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    println!(
        "machines {machines}, {} states: engine build {:?}, all states evaluated {:?} ({total_findings} findings; medians of 7)",
        states.len(),
        med(builds),
        med(evals)
    );
}
