//! The READMEs keep up with the code: every command is in both, and README.md's layout,
//! benchmark line and dependency list name what the repository has. A reader trusts these
//! lists, and nothing else fails when a new command, folder, bench or dependency is added.

#![allow(clippy::unwrap_used)]

use std::path::Path;

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

/// The part of README.md under `## TITLE`, up to the next `## `.
fn section(readme: &str, title: &str) -> String {
    let start = readme.find(&format!("\n## {title}\n")).unwrap_or_else(|| panic!("no section {title}"));
    let rest = &readme[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |e| e + 3);
    rest[..end].to_owned()
}

/// Every command that has no subcommands of its own (`dcplan bgp verify`), from the man pages
/// dcplan writes (one per command and subcommand).
fn commands() -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dcplan"))
        .args(["man", "--out", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let pages: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().trim_end_matches(".1").to_owned())
        .collect();
    let leaves = pages.iter().filter(|p| !pages.iter().any(|q| q.starts_with(&format!("{p}-"))));
    let mut names: Vec<String> = leaves.map(|p| p.replace('-', " ")).collect();
    names.sort();
    assert!(names.len() >= 15, "{names:?}");
    names
}

#[test]
fn every_command_is_in_both_readmes() {
    let (readme, guide) = (read("README.md"), read("docs/README.md"));
    let table = section(&guide, "The commands");
    let rows: Vec<&str> = table.lines().filter(|l| l.starts_with("| `dcplan")).collect();
    for c in commands() {
        let shown = format!("`{c}");
        assert!(readme.contains(&shown), "README.md does not show `{c}`");
        assert!(rows.iter().any(|r| r.contains(&shown)), "docs/README.md's command table has no `{c}`");
    }
}

#[test]
fn layout_names_every_source_folder_and_check_module() {
    let layout = section(&read("README.md"), "Layout");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for e in std::fs::read_dir(&src).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        // A folder is listed as itself, or through its parent module's file (`src/diag.rs`).
        if e.file_type().unwrap().is_dir() {
            let (dir, file) = (format!("`src/{name}/`"), format!("`src/{name}.rs`"));
            assert!(layout.contains(&dir) || layout.contains(&file), "README.md's layout has no {dir}");
        }
    }
    let checks = layout.lines().find(|l| l.starts_with("| `src/check/`")).unwrap();
    for e in std::fs::read_dir(src.join("check")).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        let module = name.trim_end_matches(".rs");
        if module != "mod" {
            assert!(checks.contains(&format!("`{module}`")), "README.md's src/check/ row has no `{module}`");
        }
    }
}

#[test]
fn benches_and_dependencies_are_named() {
    let readme = read("README.md");
    let manifest: toml::Table = read("Cargo.toml").parse().unwrap();
    let benches = manifest["bench"].as_array().unwrap();
    let line = readme.lines().find(|l| l.contains("cargo bench --bench")).unwrap();
    let listed = line.split("--bench ").nth(1).unwrap().split('`').next().unwrap();
    let mut names: Vec<&str> = benches.iter().map(|b| b["name"].as_str().unwrap()).collect();
    names.sort_unstable();
    let mut have: Vec<&str> = listed.split('|').collect();
    have.sort_unstable();
    assert_eq!(have, names, "README.md's `cargo bench --bench` line");
    // Commands in backticks (`dcplan move`) do not count as naming a dependency.
    let deps = section(&readme, "Dependencies");
    let prose: String = deps.split('`').step_by(2).collect::<Vec<_>>().join(" ");
    let words: Vec<&str> = prose.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_')).collect();
    // The crate's own name is in the prose anyway: its dev-dependency on itself is `NAME itself`.
    let own = manifest["package"]["name"].as_str().unwrap();
    for table in ["dependencies", "dev-dependencies"] {
        for name in manifest[table].as_table().unwrap().keys() {
            let named = if name == own {
                prose.contains(&format!("{own} itself"))
            } else {
                words.contains(&name.as_str())
            };
            assert!(named, "README.md's dependency list does not justify {name}");
        }
    }
}
