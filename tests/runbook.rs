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
