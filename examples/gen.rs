//! Writes a synthetic inventory of any size, for benchmarks:
//! `cargo run --release --example gen -- --machines 20000 --out /tmp/inv20k`.

use std::path::PathBuf;

use clap::Parser;

/// Generate a large realistic inventory.
#[derive(Parser)]
struct Args {
    /// Machines in all (a quarter of them vms).
    #[arg(long, default_value_t = 20_000)]
    machines: usize,
    /// Services (default: half the machines).
    #[arg(long)]
    services: Option<usize>,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output folder (must not exist unless --force).
    #[arg(long)]
    out: PathBuf,
    /// Replace the output folder's files.
    #[arg(long)]
    force: bool,
    /// A and B power feeds on every rack, PSUs, feed sides and weights on every machine.
    #[arg(long)]
    feeds: bool,
}

fn main() -> std::io::Result<()> {
    let a = Args::parse();
    if a.out.exists() && !a.force {
        eprintln!("error: {} exists (use --force to replace its files)", a.out.display());
        std::process::exit(2);
    }
    let mut spec = dcplan::synth::Spec::with_machines(a.machines);
    spec.seed = a.seed;
    spec.feeds = a.feeds;
    if let Some(s) = a.services {
        spec.services = s;
    }
    std::fs::create_dir_all(&a.out)?;
    for (name, text) in dcplan::synth::files(spec) {
        let path = a.out.join(name);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, text)?;
    }
    eprintln!("wrote {} machines, {} services to {}", spec.machines, spec.services, a.out.display());
    Ok(())
}
