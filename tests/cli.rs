//! CLI tests as data: each `tests/cmd/**/NAME.toml` runs the binary (in `NAME.in/` when it
//! exists) and compares the whole stdout and stderr with `NAME.stdout` / `NAME.stderr`.
//! Regenerate after an intended change with `TRYCMD=overwrite cargo test --test cli`.

#[test]
fn cli() {
    // Tables fit COLUMNS when it is set: these snapshots are of full-width tables.
    trycmd::TestCases::new().env("COLUMNS", "").case("tests/cmd/*.toml").case("tests/cmd/*/*.toml");
}

/// Tables fit the width in COLUMNS (a terminal's width when stdout is one).
#[test]
fn tables_fit_columns() {
    trycmd::TestCases::new().case("tests/width/*.toml");
}

/// Runbook files are ordinary files: the mode a new file gets under the umask (0644 usually),
/// not the 0600 of a temporary file.
#[cfg(unix)]
#[test]
fn runbook_files_respect_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temporary folder");
    let fixture = std::path::Path::new("tests/cmd/plan/order-any-breaks-the-deadlock.in");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dcplan"))
        .args(["runbook", "plan.toml", "--out"])
        .arg(dir.path().join("runbook"))
        .current_dir(fixture)
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let probe = dir.path().join("probe");
    std::fs::File::create(&probe).expect("probe file");
    let expected = std::fs::metadata(&probe).expect("probe").permissions().mode() & 0o777;
    for name in ["README.md", "batch-01.md"] {
        let mode = std::fs::metadata(dir.path().join("runbook").join(name)).expect(name).permissions().mode();
        assert_eq!(mode & 0o777, expected, "{name}");
    }
}

/// Every page the man pages refer to (`dcplan-bgp-status(1)`) is written by `dcplan man --out`,
/// and `dcplan man COMMAND...` prints the same page.
#[test]
fn man_pages_exist_for_every_subcommand_they_name() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let dcplan = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_dcplan")).args(args).output().expect("runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("utf-8")
    };
    dcplan(&["man", "--out", dir.path().to_str().expect("utf-8 path")]);
    let mut pages: Vec<String> = std::fs::read_dir(dir.path())
        .expect("pages")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    assert!(pages.len() >= 13, "{pages:?}");
    for name in &pages {
        let text = std::fs::read_to_string(dir.path().join(name)).expect("page");
        for reference in text.split("dcplan\\-").skip(1).filter_map(|r| r.split_once("(1)")).map(|r| r.0) {
            let file = format!("dcplan-{}.1", reference.replace("\\-", "-"));
            assert!(pages.contains(&file), "{name} refers to {file}, which is not written");
        }
    }
    let status = std::fs::read_to_string(dir.path().join("dcplan-bgp-status.1")).expect("page");
    assert_eq!(dcplan(&["man", "bgp", "status"]), status);
    assert_eq!(dcplan(&["man"]), std::fs::read_to_string(dir.path().join("dcplan.1")).expect("page"));
}

/// The README's samples are what dcplan prints: every `console` block runs (from the
/// file's folder; a bare code fence counts as one too, so only these pages are run) and its whole output is compared; `...` lines stand for lines left out.
#[test]
fn readme_samples() {
    trycmd::TestCases::new().env("COLUMNS", "").case("README.md").case("docs/README.md").case("docs/json.md");
}
