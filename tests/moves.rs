//! `dcplan move` end to end on random small moves: `--dry-run` writes nothing; after recording
//! night 1, `check` passes and `plan` needs no more nights than the rest of the old plan. And
//! `plan --previous` on an unchanged inventory changes nothing.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

use proptest::prelude::*;

/// A random move: machine heights, services (replicas, min_up, a dependency on an earlier
/// one), limits, a crew, a pin and a not_before.
#[derive(Clone, Debug)]
struct Case {
    heights: Vec<u32>,
    services: Vec<(Vec<usize>, u32, Option<usize>)>,
    max_servers: u32,
    crew: Option<u32>,
    pin: Option<(usize, u32)>,
    not_before: Option<(usize, u32)>,
}

fn case() -> impl Strategy<Value = Case> {
    (2usize..=7).prop_flat_map(|n| {
        (
            proptest::collection::vec(1u32..=3, n),
            proptest::collection::vec(
                (proptest::collection::vec(0..n, 1..=3), 1u32..=2, proptest::option::of(0usize..4)),
                0..4,
            ),
            1u32..=3,
            proptest::option::of(1u32..=2),
            proptest::option::weighted(0.4, (0..n, 1u32..=3)),
            proptest::option::weighted(0.4, (0..n, 1u32..=3)),
        )
            .prop_map(|(heights, services, max_servers, crew, pin, not_before)| Case {
                heights,
                services,
                max_servers,
                crew,
                pin,
                not_before,
            })
    })
}

fn write(dir: &Path, c: &Case) {
    let mut inv = String::from(
        "# generated\n[org]\nasn = 64500\n[[site]]\nid = \"old\"\n[[site]]\nid = \"new\"\n\
         [[rack]]\nid = \"o1\"\nsite = \"old\"\nunits = 42\n[[rack]]\nid = \"n1\"\nsite = \"new\"\nunits = 42\n",
    );
    let mut unit = 1;
    for (i, h) in c.heights.iter().enumerate() {
        inv += &format!(
            "[[server]]\nid = \"m{i}\"  # machine {i}\nsite = \"old\"\nrack = \"o1\"\nunit = {unit}\nheight = {h}\n"
        );
        unit += h;
    }
    for (i, (runs, min_up, dep)) in c.services.iter().enumerate() {
        let mut r: Vec<usize> = runs.clone();
        r.sort_unstable();
        r.dedup();
        let dep = dep.filter(|&d| d < i).map(|d| format!("\"s{d}\"")).unwrap_or_default();
        inv += &format!(
            "[[service]]\nid = \"s{i}\"\nruns_on = [{}]\nmin_up = {}\ndepends_on = [{dep}]\n",
            r.iter().map(|x| format!("\"m{x}\"")).collect::<Vec<_>>().join(", "),
            (*min_up).min(u32::try_from(r.len()).unwrap())
        );
    }
    std::fs::create_dir_all(dir.join("inventory")).unwrap();
    std::fs::write(dir.join("inventory/inv.toml"), inv).unwrap();
    let mut plan = format!(
        "[plan]\nname = \"p\"\nfrom = \"old\"\nto = \"new\"\nmax_servers = {}\nmax_units = 6\nwindow_hours = 1\n\
         first_window = 2026-12-03T22:00:00-05:00\nblackout = [\"2026-12-10\"]\n",
        c.max_servers
    );
    if let Some(crew) = c.crew {
        plan += &format!("crew = {crew}\nhandling_minutes = 20\nhandling_minutes_per_unit = 10\n");
    }
    if let Some((m, k)) = c.pin {
        plan += &format!("[plan.pin]\nm{m} = {k}\n");
    }
    if let Some((m, k)) = c.not_before {
        plan += &format!("[plan.not_before]\nm{m} = {k}\n");
    }
    std::fs::write(dir.join("plan.toml"), plan).unwrap();
}

fn dcplan(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_dcplan")).args(args).current_dir(dir).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Nights of the plan in `dir`, None when it has errors.
fn nights(dir: &Path) -> Option<usize> {
    let (code, json) = dcplan(dir, &["plan", "plan.toml", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).ok()?;
    (code == 0).then(|| v["batches"].as_array().map_or(0, Vec::len))
}

fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().display().to_string(), std::fs::read(e.path()).unwrap()))
        .collect();
    files.sort();
    files
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn move_then_plan_needs_no_more_nights(c in case()) {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        write(dir, &c);
        let Some(before) = nights(dir) else { return Ok(()) };
        let files = snapshot(dir);
        let (code, _diff) = dcplan(dir, &["move", "plan.toml", "--batch", "1", "--dry-run"]);
        prop_assert_eq!(code, 0);
        prop_assert!(snapshot(dir) == files, "--dry-run wrote");
        let (code, out) = dcplan(dir, &["move", "plan.toml", "--batch", "1"]);
        prop_assert_eq!(code, 0, "{}", out);
        let text = std::fs::read_to_string(dir.join("inventory/inv.toml")).unwrap();
        prop_assert!(text.starts_with("# generated\n") && text.contains("  # machine 0\n"), "comments kept");
        let (code, out) = dcplan(dir, &["check"]);
        prop_assert_eq!(code, 0, "check after move:\n{}", out);
        let after = nights(dir);
        prop_assert!(after.is_some(), "plan after move has errors\n{:?}", c);
        prop_assert!(after.unwrap() < before.max(1), "{} nights after move, {} before\n{:?}", after.unwrap(), before, c);
    }
}

/// Each physical machine's night in a plan JSON.
fn nights_of(json: &str) -> Vec<(String, u64)> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    let mut out: Vec<(String, u64)> = v["batches"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|b| {
            let k = b["index"].as_u64().unwrap();
            b["servers"].as_array().unwrap().iter().map(move |s| (s.as_str().unwrap().to_owned(), k))
        })
        .collect();
    out.sort();
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn previous_on_an_unchanged_inventory_changes_nothing(c in case()) {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        write(dir, &c);
        let (code, json) = dcplan(dir, &["plan", "plan.toml", "--format", "json"]);
        if code != 0 {
            return Ok(());
        }
        std::fs::write(dir.join("old.json"), &json).unwrap();
        let (code, again) = dcplan(dir, &["plan", "plan.toml", "--format", "json", "--previous", "old.json"]);
        prop_assert_eq!(code, 0);
        let v: serde_json::Value = serde_json::from_str(&again).unwrap();
        prop_assert_eq!(&v["changes"], &serde_json::json!([]));
        prop_assert_eq!(nights_of(&json), nights_of(&again));
    }
}

fn copy_tree(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let dest = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

/// The shipped example, night 1 recorded: the inventory checks clean (the old site's prefixes are
/// stretched, so moved machines keep their addresses) and the rest plans in fewer nights.
#[test]
fn the_example_after_its_first_night() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_tree(&root.join("inventory"), &dir.path().join("inventory"));
    copy_tree(&root.join("plans"), &dir.path().join("plans"));
    let plan = ["plan", "plans/move-to-cv.toml", "--format", "json"];
    let (code, before) = dcplan(dir.path(), &plan);
    assert_eq!(code, 0, "{before}");
    let nights_before =
        serde_json::from_str::<serde_json::Value>(&before).unwrap()["batches"].as_array().unwrap().len();
    let (code, out) = dcplan(dir.path(), &["move", "plans/move-to-cv.toml", "--batch", "1"]);
    assert_eq!(code, 0, "{out}");
    let out =
        Command::new(env!("CARGO_BIN_EXE_dcplan")).args(["check"]).current_dir(dir.path()).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("ip-wrong-site"), "{stderr}");
    let (code, after) = dcplan(dir.path(), &plan);
    assert_eq!(code, 0, "{after}");
    let nights_after =
        serde_json::from_str::<serde_json::Value>(&after).unwrap()["batches"].as_array().unwrap().len();
    assert!(nights_after < nights_before, "{nights_after} nights left of {nights_before}");
}
