//! Writes the generated moves the planner is measured on (benches/plan.rs `optima`), one JSON
//! file each as the planner sees them, for `scripts/cpsat-optima.py`:
//! `cargo run --release --example instances -- --out /tmp/instances`.

use std::path::PathBuf;

use clap::Parser;
use dcplan::synth::{Shape, Spec};

/// Export the benchmark's moves for an outside solver.
#[derive(Parser)]
struct Args {
    /// Output folder (created; existing files of the same name are replaced).
    #[arg(long)]
    out: PathBuf,
    /// The moves of `cargo bench --bench plan -- scan` instead (500 to 2,000 machines, seeds
    /// 4-9, 1 machine in 25, 8 or 3 a night), named `SHAPE-MACHINES-sSEED-in-SHARE`.
    #[arg(long)]
    scan: bool,
}

/// Sizes (machines, vms included) and seeds of the measured moves. Seed 1 moves 1 machine in 25
/// a night (capacity binds), seed 2 one in 8, seed 3 one in 3 (R3 and R4 bind).
const SIZES: [usize; 4] = [80, 200, 500, 1000];
const SEEDS: [u64; 3] = [1, 2, 3];

/// Machines a night for a move of `machines` with `seed`.
fn per_night(machines: usize, seed: u64) -> usize {
    let share = match seed {
        1 => 25,
        2 => 8,
        _ => 3,
    };
    (machines / share).max(8)
}

/// The moves to export: (name, spec, machines a night).
fn moves(scan: bool) -> Vec<(String, Spec, usize)> {
    let mut out = Vec::new();
    for shape in Shape::ALL {
        if scan {
            for machines in [500usize, 1000, 2000] {
                for seed in 4..10u64 {
                    for share in [25usize, 8, 3] {
                        let name = format!("{shape}-{machines}-s{seed}-in-{share}");
                        out.push((name, Spec::measured(shape, machines, seed), (machines / share).max(8)));
                    }
                }
            }
            continue;
        }
        for machines in SIZES {
            for seed in SEEDS {
                let name = format!("{shape}-{machines}-s{seed}");
                out.push((name, Spec::measured(shape, machines, seed), per_night(machines, seed)));
            }
        }
    }
    out
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a = Args::parse();
    std::fs::create_dir_all(&a.out)?;
    for (name, spec, n) in moves(a.scan) {
        let mut checked = dcplan::check_loaded(
            dcplan::load::load_files(dcplan::synth::files(spec)),
            &dcplan::Options::default(),
        );
        let file = checked.sources.add("plan.toml".into(), dcplan::synth::plan_toml(spec, n));
        let (plan, findings) = dcplan::plan::spec::load(file, &checked.sources, &checked.inventory);
        let plan = plan.ok_or_else(|| format!("plan does not load: {findings:?}"))?;
        let mut json = dcplan::synth::problem_json(&checked.inventory, &plan);
        // The outside solver's horizon: a valid plan's batch count is at least the
        // optimum (the verifier checks every plan); with no plan, every group a night.
        let found = dcplan::plan::plan(&checked, plan).batches.len();
        json["horizon"] = if found > 0 { found as u64 } else { json["groups"].as_u64().unwrap_or(0) }.into();
        json["name"] = name.clone().into();
        json["shape"] = spec.shape.to_string().into();
        json["size"] = spec.machines.into();
        json["seed"] = spec.seed.into();
        json["per_night"] = n.into();
        std::fs::write(a.out.join(format!("{name}.json")), serde_json::to_string(&json)?)?;
    }
    Ok(())
}
