//! `check --format sarif` and `--format gitlab`: valid against the official SARIF 2.1.0 schema
//! (shipped in tests/data), one rule per code, paths from the repository root, and fingerprints
//! that stay the same when unrelated lines are inserted above a finding.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// Runs `dcplan check --format FORMAT inventory` in `dir`; the output as JSON.
fn check(dir: &Path, format: &str) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_dcplan"))
        .args(["check", "--format", format, "inventory"])
        .current_dir(dir)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// A copy of the broken fixture inventory in a fresh folder (no repository around it).
fn broken_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    std::fs::create_dir(dir.path().join("inventory")).expect("inventory folder");
    for e in std::fs::read_dir("tests/cmd/broken/inventory").expect("fixture") {
        let e = e.expect("entry");
        std::fs::copy(e.path(), dir.path().join("inventory").join(e.file_name())).expect("copy");
    }
    dir
}

/// Fingerprints by rule, each with the line it was found at.
fn sarif_fingerprints(doc: &Value) -> Vec<(String, String, u64)> {
    let mut v: Vec<_> = doc["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().expect("ruleId").to_owned(),
                r["partialFingerprints"]["dcplanFinding/v1"].as_str().expect("fingerprint").to_owned(),
                r["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn sarif_is_valid_sarif_2_1_0() {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string("tests/data/sarif-schema-2.1.0.json").expect("schema"))
            .expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let dir = broken_copy();
    let doc = check(dir.path(), "sarif");
    let errors: Vec<String> =
        validator.iter_errors(&doc).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The schema does reject what is not SARIF (a level it does not know).
    let mut wrong = doc.clone();
    wrong["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&wrong));

    let run = &doc["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let explain = Command::new(env!("CARGO_BIN_EXE_dcplan")).arg("explain").output().expect("runs");
    let codes = String::from_utf8(explain.stdout).expect("utf-8").lines().count();
    assert_eq!(rules.len(), codes, "one rule per finding code");
    assert!(rules.iter().all(|r| r["help"]["text"].as_str().is_some_and(|t| !t.is_empty())));
    for r in run["results"].as_array().expect("results") {
        let index = usize::try_from(r["ruleIndex"].as_u64().expect("ruleIndex")).expect("an index");
        assert_eq!(rules[index]["id"], r["ruleId"]);
        let artifact = &r["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(artifact["uriBaseId"], "%SRCROOT%");
        // Outside a git repository the root is the current folder.
        assert!(artifact["uri"].as_str().expect("uri").starts_with("inventory/"), "{artifact}");
    }
}

#[test]
fn fingerprints_survive_inserted_lines() {
    let dir = broken_copy();
    let before = sarif_fingerprints(&check(dir.path(), "sarif"));
    let file = dir.path().join("inventory/a.toml");
    let text = std::fs::read_to_string(&file).expect("fixture");
    std::fs::write(&file, format!("# a comment\n# and another\n\n{text}")).expect("edit");
    let after = sarif_fingerprints(&check(dir.path(), "sarif"));
    assert_eq!(before.len(), after.len());
    for (b, a) in before.iter().zip(&after) {
        assert_eq!((&b.0, &b.1), (&a.0, &a.1), "same rule, same fingerprint");
    }
    // The lines did move (the test would prove nothing otherwise).
    assert!(before.iter().zip(&after).any(|(b, a)| a.2 == b.2 + 3));

    let gitlab = check(dir.path(), "gitlab");
    let mut issues: Vec<(String, String)> = gitlab
        .as_array()
        .expect("an array of issues")
        .iter()
        .map(|i| {
            for key in ["description", "check_name", "fingerprint", "severity"] {
                assert!(i[key].is_string(), "{key} in {i}");
            }
            assert!(
                ["info", "minor", "major", "critical", "blocker"]
                    .contains(&i["severity"].as_str().unwrap_or(""))
            );
            assert!(i["location"]["path"].is_string() && i["location"]["lines"]["begin"].is_u64(), "{i}");
            (
                i["check_name"].as_str().unwrap_or("").to_owned(),
                i["fingerprint"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    issues.sort();
    let sarif: Vec<(String, String)> = after.into_iter().map(|(r, f, _)| (r, f)).collect();
    assert_eq!(issues, sarif, "GitLab and SARIF share fingerprints");
}

/// Inside a repository, paths start at its root, whatever the current folder.
#[test]
fn sarif_paths_start_at_the_repository_root() {
    let dir = broken_copy();
    std::fs::create_dir(dir.path().join(".git")).expect("a repository marker");
    let sub = dir.path().join("ops");
    std::fs::create_dir(&sub).expect("subfolder");
    let out = Command::new(env!("CARGO_BIN_EXE_dcplan"))
        .args(["check", "--format", "sarif", "../inventory"])
        .current_dir(&sub)
        .output()
        .expect("runs");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let uri = &doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    assert_eq!(uri, "inventory/a.toml");
}
