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
//! 2,000 machines, seeds 4-9, 1 machine in 25, 8 or 3 a night: `normal-500-s4-in-25`...) with no
//! stored optimum, and lists those whose count the planner cannot prove optimal; further words
//! select moves by name, as with `optima`.

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

/// The comparison with the stored optima.
fn optima(only: &[&String]) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/data/optima.json");
    let text = std::fs::read_to_string(path).expect("benches/data/optima.json");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("optima.json is JSON");
    println!("optima: {}", doc["solver"].as_str().unwrap_or("?"));
    println!(
        "| move | machines | groups | optimum (CP-SAT) | CP-SAT s | batches | lower bound | optimal | plan s | downtime (CP-SAT) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let (mut proven, mut equal, mut bound_equal, mut claimed, mut worst) = (0, 0, 0, 0, 0.0f64);
    for inst in doc["instances"].as_array().expect("instances") {
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
        let batches = o.batches.len() as u64;
        let optimum = (inst["status"] == "OPTIMAL").then(|| num("batches"));
        if let Some(opt) = optimum {
            proven += 1;
            equal += usize::from(batches == opt);
            bound_equal += usize::from(u64::from(o.lower_bound) == opt);
            // The planner's claim must be true.
            assert!(
                !o.optimal || batches == opt,
                "{}: claims optimal with {batches}, optimum {opt}",
                inst["name"]
            );
            assert!(u64::from(o.lower_bound) <= opt, "{}: bound above the optimum", inst["name"]);
            claimed += usize::from(o.optimal);
        }
        let cpsat = match optimum {
            Some(opt) => opt.to_string(),
            None => format!("{} ({})", inst["batches"], inst["status"].as_str().unwrap_or("?")),
        };
        println!(
            "| {} | {} | {} | {cpsat} | {:.2} | {batches} | {} | {} | {secs:.3} | {} ({}) |",
            inst["name"].as_str().unwrap_or("?"),
            num("machines"),
            num("groups"),
            inst["seconds"].as_f64().unwrap_or(0.0),
            o.lower_bound,
            if o.optimal { "yes" } else { "no" },
            weighted_downtime(&checked, &o),
            inst["downtime"],
        );
    }
    println!(
        "proven optima {proven}: batches equal {equal}, lower bound equal {bound_equal}, claimed optimal {claimed}; slowest plan {worst:.3} s"
    );
}

/// The moves without a stored optimum: how many the planner proves optimal, and the others.
fn scan(only: &[&String]) {
    let (mut planned, mut proven, mut worst) = (0, 0, 0.0f64);
    for shape in Shape::ALL {
        for machines in [500usize, 1000, 2000] {
            for seed in 4..10u64 {
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
                    if o.batches.is_empty() {
                        continue;
                    }
                    planned += 1;
                    proven += usize::from(o.optimal);
                    if !o.optimal {
                        let b = o.batches.len();
                        println!("{name}: {b} batches, lower bound {}", o.lower_bound);
                    }
                }
            }
        }
    }
    println!("with a plan {planned}, proven optimal {proven}; slowest plan {worst:.3} s");
}
