//! The planner on generated inventories: `cargo bench --bench plan [-- MACHINES...]`
//! (default: 60 and 20000). Prints batches, lower bound, optimality and the time of each phase.
//!
//! `cargo bench --bench plan -- optima` compares the planner with the proven optima of
//! `benches/data/optima.json` (moves of 80 to 1,000 machines, solved by an exact CP-SAT model of
//! the same rules: `scripts/cpsat-optima.py`): batches, lower bound, the "optimal" claim, the
//! downtime at that batch count, and the time beside the solver's. Further words select moves by
//! name: `cargo bench --bench plan -- optima stacked-1000`.
//!
//! `cargo bench --bench plan -- scan` plans 216 more generated moves (the four shapes, 500 to
//! 2,000 machines, seeds 4-9, 1 machine in 25, 8 or 3 a night: `normal-500-s4-in-25`...), lists
//! those the planner cannot prove optimal or where CP-SAT found fewer nights, those that take
//! over a second, and compares them with the CP-SAT results of `benches/data/scan-optima.json`
//! as `optima` does; further words select moves by name, as with `optima`
//! (`DCPLAN_BENCH_SEEDS=10-21` plans other seeds, with no stored results).

use std::time::Instant;

mod common;

use dcplan::synth::{Shape, Spec};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // Other words after `scan` or `optima`: only the moves whose names contain one of them.
    let only: Vec<&String> =
        args.iter().filter(|a| !["scan", "optima"].contains(&a.as_str()) && !a.starts_with('-')).collect();
    if args.iter().any(|a| a == "scan") {
        scan(&only);
        return;
    }
    if args.iter().any(|a| a == "optima") {
        optima(&only);
        return;
    }
    let sizes: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![60, 20_000] } else { sizes };
    for machines in sizes {
        let mut spec = Spec::with_machines(machines);
        // DCPLAN_BENCH_SEED: another generated estate (some seeds give a move with no plan).
        spec.seed = std::env::var("DCPLAN_BENCH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
        // A night moves about 1% of a large estate, 8 machines of a small one.
        let (checked, p) = load(spec, (machines / 100).max(8));
        let (o, best) = common::best_of_3(|| dcplan::plan::plan(&checked, p.clone()));
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

/// The generated inventory of `spec`, checked, and its plan moving `per_night` machines a night.
fn load(spec: Spec, per_night: usize) -> (dcplan::Checked, dcplan::plan::spec::Plan) {
    let files = dcplan::synth::files(spec);
    let mut checked = dcplan::check_loaded(dcplan::load::load_files(files), &dcplan::Options::default());
    let file = checked.sources.add("plan.toml".into(), dcplan::synth::plan_toml(spec, per_night));
    let (p, findings) = dcplan::plan::spec::load(file, &checked.sources, &checked.inventory);
    assert!(findings.is_empty(), "{findings:?}");
    (checked, p.expect("plan loads"))
}

/// Weighted downtime of a plan: states down per service times its weight (high 3, normal 2,
/// low 1).
fn weighted_downtime(checked: &dcplan::Checked, o: &dcplan::plan::Outcome) -> u64 {
    o.downtime
        .iter()
        .map(|&(s, n)| u64::from(n) * u64::from(checked.inventory.service(s).downtime_weight()))
        .sum()
}

/// A plan compared with the stored CP-SAT results of its move.
#[derive(Default)]
struct Tally {
    /// Moves with a proven optimum.
    proven: usize,
    /// Of those: the planner's batches equal it, its bound equals it, it says "optimal".
    equal: usize,
    bound_equal: usize,
    claimed: usize,
    /// Moves at the optimum with a stored downtime, and those where the planner's is no more.
    downtime_known: usize,
    downtime_met: usize,
}

impl Tally {
    /// Adds one plan; the proven optimum, if any. Panics when the planner's claims are false:
    /// "optimal" on a count above the optimum, or a bound above it.
    fn add(&mut self, inst: &serde_json::Value, o: &dcplan::plan::Outcome, downtime: u64) -> Option<u64> {
        let optimum = (inst["status"] == "OPTIMAL").then(|| inst["batches"].as_u64()).flatten()?;
        let batches = o.batches.len() as u64;
        let name = inst["name"].as_str().unwrap_or("?");
        assert!(!o.optimal || batches == optimum, "{name}: claims optimal with {batches}, optimum {optimum}");
        assert!(u64::from(o.lower_bound) <= optimum, "{name}: bound above the optimum");
        self.proven += 1;
        self.equal += usize::from(batches == optimum);
        self.bound_equal += usize::from(u64::from(o.lower_bound) == optimum);
        self.claimed += usize::from(o.optimal);
        if let (true, Some(best)) = (batches == optimum, inst["downtime"].as_u64()) {
            self.downtime_known += 1;
            self.downtime_met += usize::from(downtime <= best);
        }
        Some(optimum)
    }

    fn summary(&self) -> String {
        format!(
            "proven optima {}: batches equal {}, lower bound equal {}, claimed optimal {}; downtime at most CP-SAT's on {} of {}",
            self.proven, self.equal, self.bound_equal, self.claimed, self.downtime_met, self.downtime_known
        )
    }
}

/// The stored CP-SAT results of `file` in `benches/data`: the solver, and one object a move.
fn stored(file: &str) -> (String, Vec<serde_json::Value>) {
    let path = format!("{}/benches/data/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let doc: serde_json::Value = serde_json::from_str(&text).expect("stored optima are JSON");
    let solver = doc["solver"].as_str().unwrap_or("?").to_owned();
    (solver, doc["instances"].as_array().cloned().unwrap_or_default())
}

/// The comparison with the stored optima.
fn optima(only: &[&String]) {
    let (solver, instances) = stored("optima.json");
    println!("optima: {solver}");
    println!(
        "| move | machines | groups | optimum (CP-SAT) | CP-SAT s | batches | lower bound | optimal | plan s | downtime (CP-SAT) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let (mut tally, mut worst) = (Tally::default(), 0.0f64);
    for inst in &instances {
        let name = inst["name"].as_str().unwrap_or("?");
        if !only.is_empty() && !only.iter().any(|w| name.contains(w.as_str())) {
            continue;
        }
        let num = |k: &str| inst[k].as_u64().unwrap_or(0);
        let size = |k: &str| usize::try_from(num(k)).expect("a size");
        let shape: Shape = inst["shape"].as_str().unwrap_or("").parse().expect("known shape");
        let spec = Spec::measured(shape, size("size"), num("seed"));
        let (checked, p) = load(spec, size("per_night"));
        let t = Instant::now();
        let o = dcplan::plan::plan(&checked, p);
        let secs = t.elapsed().as_secs_f64();
        worst = worst.max(secs);
        let downtime = weighted_downtime(&checked, &o);
        let cpsat = match tally.add(inst, &o, downtime) {
            Some(opt) => opt.to_string(),
            None => format!("{} ({})", inst["batches"], inst["status"].as_str().unwrap_or("?")),
        };
        println!(
            "| {name} | {} | {} | {cpsat} | {:.2} | {} | {} | {} | {secs:.3} | {downtime} ({}) |",
            num("machines"),
            num("groups"),
            inst["seconds"].as_f64().unwrap_or(0.0),
            o.batches.len(),
            o.lower_bound,
            if o.optimal { "yes" } else { "no" },
            inst["downtime"],
        );
    }
    println!("{}; slowest plan {worst:.3} s", tally.summary());
}

/// The wider scan: how many the planner proves optimal, the others with CP-SAT's answer
/// (`benches/data/scan-optima.json`, from `cargo run --release --example instances -- --scan`
/// and `scripts/cpsat-optima.py`), and the comparison with those stored optima.
fn scan(only: &[&String]) {
    let (solver, instances) = stored("scan-optima.json");
    println!("scan optima: {solver}");
    let by_name: std::collections::HashMap<&str, &serde_json::Value> =
        instances.iter().map(|i| (i.get("name").and_then(|n| n.as_str()).unwrap_or("?"), i)).collect();
    let (mut planned, mut proven, mut worst, mut tally) = (0, 0, 0.0f64, Tally::default());
    // DCPLAN_BENCH_SEEDS=A-B: other seeds (no stored CP-SAT results for them).
    let seeds = std::env::var("DCPLAN_BENCH_SEEDS").ok();
    let seeds = seeds
        .as_deref()
        .and_then(|s| s.split_once('-'))
        .and_then(|(a, b)| Some(a.parse().ok()?..=b.parse().ok()?));
    for shape in Shape::ALL {
        for machines in [500usize, 1000, 2000] {
            for seed in seeds.clone().unwrap_or(4..=9u64) {
                for share in [25usize, 8, 3] {
                    let name = format!("{shape}-{machines}-s{seed}-in-{share}");
                    if !only.is_empty() && !only.iter().any(|w| name.contains(w.as_str())) {
                        continue;
                    }
                    let spec = Spec::measured(shape, machines, seed);
                    let (checked, p) = load(spec, (machines / share).max(8));
                    let t = Instant::now();
                    let o = dcplan::plan::plan(&checked, p);
                    let secs = t.elapsed().as_secs_f64();
                    worst = worst.max(secs);
                    if secs > 1.0 {
                        println!("{name}: plan {secs:.2} s");
                    }
                    let cpsat = by_name.get(name.as_str());
                    let optimum = cpsat.and_then(|inst| tally.add(inst, &o, weighted_downtime(&checked, &o)));
                    if o.batches.is_empty() {
                        continue;
                    }
                    planned += 1;
                    proven += usize::from(o.optimal);
                    if !o.optimal || optimum.is_some_and(|opt| opt != o.batches.len() as u64) {
                        let cpsat = cpsat.map_or("not run".to_owned(), |i| {
                            format!("{} {}", i["status"].as_str().unwrap_or("?"), i["batches"])
                        });
                        println!(
                            "{name}: {} batches, lower bound {}; CP-SAT {cpsat}",
                            o.batches.len(),
                            o.lower_bound
                        );
                    }
                }
            }
        }
    }
    println!("with a plan {planned}, proven optimal {proven}; slowest plan {worst:.3} s");
    println!("{}", tally.summary());
}
