//! A clone has no design file beside it: the README, docs/, --help texts (in src/), schemas, the
//! example and the CI script explain everything in the project's own words and point at nothing
//! outside the repository.

#![allow(clippy::unwrap_used)]

use std::path::Path;

#[test]
fn nothing_points_outside_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // Spelled in pieces so that this file does not match itself.
    let outside = [concat!("../", "shared"), concat!("DESIGN", ".md"), concat!("STYLE", ".md")];
    let mut seen = 0;
    let mut bad = Vec::new();
    for top in ["README.md", "docs", "src", "schema", "plans", "inventory", ".ci", "Cargo.toml"] {
        for e in walkdir::WalkDir::new(root.join(top)) {
            let e = e.unwrap();
            if !e.file_type().is_file() {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(e.path()) else { continue };
            seen += 1;
            for (i, line) in text.lines().enumerate() {
                if outside.iter().any(|o| line.contains(o)) {
                    bad.push(format!("{}:{}: {line}", e.path().strip_prefix(root).unwrap().display(), i + 1));
                }
            }
        }
    }
    assert!(seen > 50, "only {seen} files read: the walk is looking in the wrong place");
    assert!(bad.is_empty(), "references to files a clone does not have:\n{}", bad.join("\n"));
}
