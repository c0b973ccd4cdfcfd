//! The "your first inventory" guide's files, taken from its code blocks, check clean: the
//! guide cannot drift from what dcplan accepts.

#![allow(clippy::unwrap_used)]

#[test]
fn the_guide_inventory_checks_clean() {
    let text = std::fs::read_to_string("docs/first-inventory.md").unwrap();
    let mut files: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    let mut in_block: Option<String> = None;
    for line in text.lines() {
        match &in_block {
            None if line == "```toml" => in_block = Some(String::new()),
            None => {}
            Some(_) if line == "```" => {
                let block = in_block.take().unwrap();
                // Blocks that start with `# NAME.toml` are the guide's files; the others are
                // fragments shown for the move.
                if let Some(name) = block.lines().next().and_then(|l| l.strip_prefix("# ")) {
                    files.entry(name.to_owned()).or_default().push_str(&block);
                }
            }
            Some(_) => in_block.as_mut().unwrap().push_str(&format!("{line}\n")),
        }
    }
    assert!(files.len() >= 5, "{:?}", files.keys());
    let files = files.into_iter().map(|(n, t)| (format!("inventory/{n}"), t.into_bytes())).collect();
    let checked = dcplan::check_loaded(dcplan::load::load_files(files), &dcplan::Options::default());
    assert_eq!(checked.findings, vec![]);
}
