//! The bgpd.conf reader against a real bgpd (OpenBGPD 7.x) in network namespaces: for every
//! config of the corpus (tests/lab/corpus/, one per known reader defect and per common style)
//! and of a seeded generator, what dcplan reads equals what each upstream receives; where
//! `bgpd -n` refuses a config, dcplan reports an error on the same lines.
//!
//! Needs root, network-namespace rights and openbgpd. A test binary without the standard
//! harness (`harness = false` in Cargo.toml): it prints each case's outcome itself, so a skipped
//! case shows as `SKIPPED: <reason>` in `cargo test`'s output rather than as a silent `ok`. With
//! `DCPLAN_LAB=required` (as CI sets it) a skipped case fails the run.

// Without the standard harness this is not a `#[test]` build, where clippy.toml allows them: a
// failed unwrap here is a failed case, reported as such.
#![allow(clippy::unwrap_used)]

#[path = "lab/generator.rs"]
mod generator;
#[path = "lab/harness.rs"]
mod harness;

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::ExitCode;

/// Why a case could not run here.
struct Skip(String);

/// A case: `Ok` when it ran and held (a failed check panics), `Err` when it could not run.
type Case = fn() -> Result<(), Skip>;

const CASES: [(&str, Case); 4] = [
    ("corpus_agrees_with_bgpd", corpus_agrees_with_bgpd),
    ("generated_configs_agree_with_bgpd", generated_configs_agree_with_bgpd),
    ("legacy_configs_read_with_their_era_defaults", legacy_configs_read_with_their_era_defaults),
    ("rendered_config_announces_what_the_inventory_says", rendered_config_announces_what_the_inventory_says),
];

/// Runs the cases whose names contain one of the free arguments (all without any; options such
/// as `--quiet` that `cargo test` passes are ignored), printing one line each.
fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let filters: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let cases: Vec<&(&str, Case)> = CASES
        .iter()
        .filter(|(name, _)| filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str())))
        .collect();
    if args.iter().any(|a| a == "--list") {
        for (name, _) in &cases {
            println!("{name}: test");
        }
        return ExitCode::SUCCESS;
    }
    let required = std::env::var("DCPLAN_LAB").is_ok_and(|v| v == "required");
    println!("\nrunning {} lab cases", cases.len());
    let (mut failed, mut skipped) = (0, 0);
    for (name, case) in cases {
        match catch_unwind(AssertUnwindSafe(case)) {
            Ok(Ok(())) => println!("lab {name} ... ok"),
            Ok(Err(Skip(why))) => {
                skipped += 1;
                println!("lab {name} ... SKIPPED: {why}");
            }
            // The panic message is already on standard error.
            Err(_) => {
                failed += 1;
                println!("lab {name} ... FAILED");
            }
        }
    }
    println!("\nlab result: {failed} failed; {skipped} skipped\n");
    if skipped > 0 && required {
        println!("DCPLAN_LAB=required: a lab case that cannot run is a failure");
    }
    if failed > 0 || (skipped > 0 && required) { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}

/// `Err` with the reason when the lab cannot run here.
fn lab_available() -> Result<(), Skip> {
    harness::unavailable().map_or(Ok(()), |why| Err(Skip(why)))
}

/// The same config in dcplan and in the lab; a description of the difference, if any.
fn differ(name: &str, conf: &str) -> Option<String> {
    let ours = dcplan::bgp::read_bgpd_conf(conf);
    if let Err(lines) = harness::check(conf) {
        return match ours {
            Err(mine) if mine == lines => None,
            other => Some(format!("{name}: bgpd -n refuses lines {lines:?}; dcplan read {other:?}")),
        };
    }
    let Ok(ours) = ours else {
        return Some(format!("{name}: bgpd accepts it; dcplan reports errors on lines {ours:?}"));
    };
    let mut lab = match harness::Lab::start() {
        Ok(l) => l,
        Err(e) => return Some(format!("{name}: lab: {e}")),
    };
    let real = match lab.announce(conf) {
        Ok(r) => r,
        Err(e) => return Some(format!("{name}: lab: {e}")),
    };
    let mut diffs = Vec::new();
    for (asn, got) in &real {
        let want = ours.get(asn).cloned().unwrap_or_default();
        if &want != got {
            diffs.push(format!("AS{asn}: bgpd sent {got:?}, dcplan reads {want:?}"));
        }
    }
    (!diffs.is_empty()).then(|| format!("{name}:\n  {}", diffs.join("\n  ")))
}

/// Runs the configs a few at a time (each lab is three small daemons, mostly idle).
fn differential(configs: Vec<(String, String)>) -> Result<(), Skip> {
    lab_available()?;
    let failures: Vec<String> = std::thread::scope(|s| {
        let chunks: Vec<Vec<(String, String)>> = {
            let mut c: Vec<Vec<(String, String)>> = vec![Vec::new(); 4];
            for (i, x) in configs.into_iter().enumerate() {
                c[i % 4].push(x);
            }
            c
        };
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| s.spawn(move || chunk.iter().filter_map(|(n, c)| differ(n, c)).collect::<Vec<_>>()))
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("lab thread")).collect()
    });
    assert!(failures.is_empty(), "dcplan and bgpd disagree:\n{}", failures.join("\n"));
    Ok(())
}

fn corpus() -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/lab/corpus");
    let mut out: Vec<(String, String)> = std::fs::read_dir(dir)
        .expect("corpus")
        .filter_map(|e| {
            let p = e.ok()?.path();
            if p.extension()? != "conf" {
                return None;
            }
            Some((p.file_name()?.to_string_lossy().into_owned(), std::fs::read_to_string(&p).ok()?))
        })
        .collect();
    out.sort();
    out
}

fn corpus_agrees_with_bgpd() -> Result<(), Skip> {
    differential(corpus())
}

fn generated_configs_agree_with_bgpd() -> Result<(), Skip> {
    let configs =
        (0..24u64).map(|seed| (format!("generated seed {seed}"), generator::config(seed))).collect();
    differential(configs)
}

/// A pre-6.4 config and its 6.4+ translation: bgpd 7.7 refuses the first, and what it sends
/// with the second is what dcplan reads from the first (with that era's defaults).
fn legacy_configs_read_with_their_era_defaults() -> Result<(), Skip> {
    lab_available()?;
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/lab/legacy");
    for name in ["announce-self", "announce-none", "prefix-set-exact"] {
        let old = std::fs::read_to_string(format!("{dir}/{name}.old.conf")).unwrap();
        let new = std::fs::read_to_string(format!("{dir}/{name}.new.conf")).unwrap();
        assert!(harness::check(&old).is_err(), "{name}: bgpd 7 accepts the old syntax");
        assert!(harness::check(&new).is_ok(), "{name}: the translation is refused");
        let mut lab = harness::Lab::start().unwrap();
        let real = lab.announce(&new).unwrap();
        let ours: BTreeMap<u32, Vec<String>> = legacy_reading(&old);
        for (asn, got) in &real {
            assert_eq!(ours.get(asn).cloned().unwrap_or_default(), *got, "{name}: AS{asn}");
        }
    }
    Ok(())
}

/// dcplan's reading of a legacy config (it is not "invalid": it is read with old defaults).
fn legacy_reading(text: &str) -> BTreeMap<u32, Vec<String>> {
    dcplan::bgp::read_bgpd_conf(text).expect("a legacy config is read, not refused")
}

/// `dcplan bgp render` gives a config that bgpd accepts and that, run in the lab, announces
/// to each upstream exactly what the inventory's circuits list.
fn rendered_config_announces_what_the_inventory_says() -> Result<(), Skip> {
    let inv = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/lab/render");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dcplan"))
        .args(["bgp", "render", "rtr", "--inventory", inv])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let conf = String::from_utf8(out.stdout).unwrap();
    lab_available()?;
    assert_eq!(harness::check(&conf), Ok(()), "bgpd -n refuses the rendered config:\n{conf}");
    let mut lab = harness::Lab::start().unwrap();
    let real = lab.announce(&conf).unwrap();
    let want = BTreeMap::from([
        (64501, vec!["198.51.100.0/24", "2001:db8:100::/48", "203.0.113.0/24"]),
        (64502, vec!["198.51.100.0/24", "2001:db8:100::/48"]),
    ]);
    for (asn, got) in &real {
        let mut w: Vec<String> = want[asn].iter().map(|s| (*s).to_owned()).collect();
        w.sort();
        assert_eq!(*got, w, "AS{asn}");
    }
    Ok(())
}
