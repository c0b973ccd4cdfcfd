//! Bad input never panics: a corpus of broken files, generated extremes, random bytes and random
//! edits of the example inventory all load to findings (or a clean error), never to a panic.

#![allow(clippy::unwrap_used)]

use dcplan::diag::{Code, FileId, Severity};
use dcplan::load::{self, Root};
use proptest::prelude::*;

fn check_bytes(name: &str, bytes: Vec<u8>) -> Vec<dcplan::diag::Finding> {
    dcplan::check_loaded(load::load_files(vec![(name.to_owned(), bytes)]), &dcplan::Options::default())
        .findings
}

#[test]
fn every_corpus_file_gives_an_error_finding() {
    let mut n = 0;
    for entry in std::fs::read_dir("tests/corpus").unwrap() {
        let path = entry.unwrap().path();
        let findings = check_bytes(&path.display().to_string(), std::fs::read(&path).unwrap());
        assert!(
            findings.iter().any(|f| f.severity == Severity::Error && f.loc.is_some()),
            "{}: no located error in {findings:?}",
            path.display()
        );
        n += 1;
    }
    assert!(n >= 20, "the corpus shrank to {n} files");
}

#[test]
fn extremes_do_not_panic() {
    let deep = format!("a = {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(check_bytes("deep.toml", deep.into_bytes())[0].code, Code::TomlSyntax);
    let deep_tables = format!("{}x = 1\n", (0..5_000).map(|i| format!("[t{i}]\n")).collect::<String>());
    assert!(!check_bytes("tables.toml", deep_tables.into_bytes()).is_empty());
    // Without `[org]` the one finding is the missing `[org]`.
    let no_org = |f: Vec<dcplan::diag::Finding>| f.len() == 1 && f[0].object.as_deref() == Some("org:org");
    let long = format!("[[site]]\nid = \"{}\"\n", "a".repeat(10_000_000));
    assert!(no_org(check_bytes("long.toml", long.into_bytes())));
    let dotted = format!("{} = 1\n", vec!["k"; 10_000].join("."));
    assert!(!check_bytes("dotted.toml", dotted.into_bytes()).is_empty());
    assert!(no_org(check_bytes("empty.toml", Vec::new())));
}

#[test]
fn symlink_loops_and_odd_folders_are_clean_errors() {
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("inventory");
    std::fs::create_dir_all(inv.join("sub")).unwrap();
    std::fs::write(inv.join("a.toml"), "[[site]]\nid = \"s\"\n").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&inv, inv.join("sub/loop")).unwrap();
    let err = load::load(Root::Disk(inv.clone())).err().expect("a loop is an error");
    assert!(err.0.contains("loop"), "{err}");

    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    assert!(load::load(Root::Disk(empty)).err().unwrap().0.contains("no *.toml"));

    // A folder named like a TOML file is not read as one.
    let odd = dir.path().join("odd");
    std::fs::create_dir_all(odd.join("x.toml")).unwrap();
    std::fs::write(odd.join("y.toml"), "[[site]]\nid = \"s\"\n").unwrap();
    assert_eq!(load::load(Root::Disk(odd)).unwrap().sources.text(FileId(0)), "[[site]]\nid = \"s\"\n");
}

fn example_files() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new("inventory").sort_by_file_name() {
        let e = e.unwrap();
        if e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "toml") {
            out.push((e.path().display().to_string(), std::fs::read(e.path()).unwrap()));
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = check_bytes("random.toml", bytes);
    }

    #[test]
    fn random_edits_of_the_example_never_panic(file in 0usize..64, at in any::<usize>(), del in 0usize..40, ins in "[\\[\\]\"=a-z0-9 \n.,/:#-]{0,12}") {
        let mut files = example_files();
        let i = file % files.len();
        let bytes = &mut files[i].1;
        let at = at % (bytes.len() + 1);
        let end = (at + del).min(bytes.len());
        bytes.splice(at..end, ins.bytes());
        let checked = dcplan::check_loaded(load::load_files(files), &dcplan::Options::default());
        for f in &checked.findings {
            if let Some(loc) = f.loc {
                prop_assert!((loc.start as usize) <= checked.sources.text(loc.file).len());
            }
        }
    }
}

fn plan_text_never_panics(plan: &str) {
    let files = vec![(
        "inventory.toml".to_owned(),
        std::fs::read("tests/cmd/plan/order-any-breaks-the-deadlock.in/inventory/inventory.toml").unwrap(),
    )];
    let mut checked = dcplan::check_loaded(load::load_files(files), &dcplan::Options::default());
    let file = checked.sources.add("plan.toml".into(), plan.to_owned());
    let (p, _) = dcplan::plan::spec::load(file, &checked.sources, &checked.inventory);
    if let Some(p) = p {
        let _ = dcplan::plan::plan(&checked, p);
    }
}

#[test]
fn extreme_plans_do_not_panic() {
    for plan in [
        "[plan]\nfrom = \"old\"\nto = \"new\"\nmax_servers = 4294967295\nmax_units = 4294967295\n",
        "[plan]\nfrom = \"old\"\nto = \"new\"\nmax_servers = 1\nmax_units = 1\nevery_days = 4294967295\nfirst_window = 9999-12-31T23:00:00Z\n",
        "[plan]\nfrom = \"old\"\nto = \"old\"\nmax_servers = -1\nmax_units = 0\n",
        "[plan]\nfrom = \"old\"\nto = \"new\"\nmax_servers = 2\nmax_units = 9\nfirst_window = 2026-05-02\nkeep_together = [[\"a\", \"a\", \"zz\"], []]\nlinks = [[]]\n",
        "plan = 3\n",
        "",
    ] {
        plan_text_never_panics(plan);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn random_edits_of_a_plan_never_panic(at in any::<usize>(), del in 0usize..30, ins in "[\\[\\]\"=a-z0-9 \n.,:-]{0,12}") {
        let mut text = "[plan]\nfrom = \"old\"\nto = \"new\"\nmax_servers = 2\nmax_units = 4\nstay = [\"c\"]\nkeep_together = [[\"a\", \"b\"]]\norder = \"any\"\n".to_owned().into_bytes();
        let at = at % (text.len() + 1);
        let end = (at + del).min(text.len());
        text.splice(at..end, ins.bytes());
        plan_text_never_panics(&String::from_utf8_lossy(&text));
    }
}
