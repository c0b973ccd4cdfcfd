//! Runbooks: the example's files match their snapshots, two runs give the same bytes, existing
//! files are replaced only with --force, and the orders respect the dependencies.
//! Refresh the snapshots with `DCPLAN_BLESS=1 cargo test --test runbook`.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

fn dcplan(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_dcplan")).args(args).output().unwrap()
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect();
    out.sort();
    out
}

#[test]
fn example_runbook_matches_snapshot_and_is_idempotent() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("runbook");
    let o = out.to_str().unwrap();
    let run = dcplan(&["runbook", "plans/move-to-cv.toml", "--out", o, "--inventory", "inventory"]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let first = files(&out);
    let markdown: Vec<(String, Vec<u8>)> = first.iter().filter(|f| f.0.ends_with(".md")).cloned().collect();
    assert_eq!(markdown.len(), 6, "README.md and five nights");
    // Each night shows its source and destination racks: drawings written beside it.
    for (name, text) in &markdown[1..] {
        let text = String::from_utf8_lossy(text);
        let links: Vec<&str> = text.split("](").skip(1).filter_map(|l| l.split(')').next()).collect();
        let drawings: Vec<&&str> = links.iter().filter(|l| l.ends_with(".svg")).collect();
        assert!(drawings.len() >= 2, "{name} shows where machines leave and arrive");
        for d in drawings {
            assert!(first.iter().any(|f| f.0 == *d), "{name} links {d}, which was written");
        }
    }

    // Without --force nothing is touched and the exit code is 2.
    std::fs::write(out.join("README.md"), "edited by hand").unwrap();
    let again = dcplan(&["runbook", "plans/move-to-cv.toml", "--out", o, "--inventory", "inventory"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    assert_eq!(std::fs::read_to_string(out.join("README.md")).unwrap(), "edited by hand");

    // With --force: the same bytes as the first run, and stale nights removed.
    std::fs::write(out.join("batch-09.md"), "old night").unwrap();
    std::fs::write(out.join("batch-09-ids-a01.svg"), "old drawing").unwrap();
    let forced =
        dcplan(&["runbook", "plans/move-to-cv.toml", "--out", o, "--force", "--inventory", "inventory"]);
    assert!(forced.status.success());
    assert_eq!(files(&out), first);

    let snapshots = Path::new("tests/snapshots/runbook");
    if std::env::var_os("DCPLAN_BLESS").is_some() {
        std::fs::create_dir_all(snapshots).unwrap();
        for (name, bytes) in &first {
            std::fs::write(snapshots.join(name), bytes).unwrap();
        }
    }
    assert_eq!(
        files(snapshots),
        first,
        "runbook changed: DCPLAN_BLESS=1 cargo test --test runbook, then review"
    );
}

#[test]
fn shutdown_is_dependents_first_and_power_on_the_reverse() {
    let mut checked = dcplan::check_inventory(dcplan::load::Root::Disk("inventory".into())).unwrap();
    let text = std::fs::read_to_string("plans/move-to-cv.toml").unwrap();
    let file = checked.sources.add("plan".into(), text);
    let (p, _) = dcplan::plan::spec::load(file, &checked.sources, &checked.inventory);
    let o = dcplan::plan::plan(&checked, p.unwrap());
    let inv = &checked.inventory;
    let mut dependency_pairs = 0;
    for n in dcplan::runbook::nights(inv, &o) {
        let mut reversed = n.shutdown.clone();
        reversed.reverse();
        assert_eq!(reversed, n.power_on);
        let pos = |s| n.power_on.iter().position(|&x| x == s).unwrap();
        for &a in &n.power_on {
            // Hosts before their vms.
            if let Some(h) = inv.server(a).host
                && n.power_on.contains(&h)
            {
                assert!(pos(h) < pos(a));
            }
            // The machines of a dependency before the machines of the dependent.
            for s in inv.services.iter().filter(|s| s.runs_on.contains(&a)) {
                for &t in &s.depends_on {
                    for &b in &inv.service(t).runs_on {
                        if b != a && n.power_on.contains(&b) {
                            assert!(
                                pos(b) < pos(a),
                                "{} powers on before its dependency on {}",
                                inv.server(a).id,
                                inv.server(b).id
                            );
                            dependency_pairs += 1;
                        }
                    }
                }
            }
        }
    }
    assert!(dependency_pairs > 5, "the example exercises the order ({dependency_pairs} pairs)");
}

/// Shell words of one command line: blanks split, double quotes group (enough for the lines
/// the runbook writes).
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word: Option<String> = None;
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                word.get_or_insert_with(String::new);
            }
            ' ' if !quoted => out.extend(word.take()),
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    out.extend(word);
    out
}

/// The `dcplan bgp verify` line a night's runbook gives runs as written: with the lab's captured
/// bgpctl output saved under the names the runbook asks for, it compares them with `after 1` and
/// finds the session the lab left down.
#[test]
fn the_runbooks_verify_line_runs_as_written() {
    let tmp = tempfile::tempdir().unwrap();
    let fixture = Path::new("tests/cmd/bgp/verify-plan.in");
    std::fs::create_dir(tmp.path().join("inventory")).unwrap();
    for name in ["plan.toml", "inventory/inventory.toml"] {
        std::fs::copy(fixture.join(name), tmp.path().join(name)).unwrap();
    }
    let run = |args: &[String]| {
        Command::new(env!("CARGO_BIN_EXE_dcplan")).args(args).current_dir(tmp.path()).output().unwrap()
    };
    let written = run(&words("runbook plan.toml --out runbook"));
    assert!(written.status.success(), "{}", String::from_utf8_lossy(&written.stderr));
    let night = std::fs::read_to_string(tmp.path().join("runbook/batch-01.md")).unwrap();
    let line = night.lines().find(|l| l.starts_with("dcplan bgp verify")).expect("a verify line");
    assert!(line.contains("--state \"after 1\""), "{line}");
    for (file, command) in [("rtr-rib-out.json", "rib out"), ("rtr-neighbors.json", "neighbor")] {
        assert!(night.contains(&format!("bgpctl -j show {command} > {file}")), "{night}");
        std::fs::copy(Path::new("tests/lab/captured").join(file), tmp.path().join(file)).unwrap();
    }
    let verified = run(&words(line)[1..]);
    let stdout = String::from_utf8_lossy(&verified.stdout);
    assert_eq!(verified.status.code(), Some(1), "{stdout}{}", String::from_utf8_lossy(&verified.stderr));
    assert!(
        stdout.contains("error[bgp-session-down]: circuit `transit-b-lab` should be up in `after 1`"),
        "{stdout}"
    );
    assert!(!stdout.contains("bgp-live-missing"), "{stdout}");
}
