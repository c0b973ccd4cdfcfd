//! Generated documentation is up to date.

fn current(path: &str, want: String) {
    if std::env::var_os("DCPLAN_BLESS").is_some() {
        std::fs::write(path, &want).expect("write docs");
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(have == want, "{path} is stale: run `DCPLAN_BLESS=1 cargo test --test docs`");
}

#[test]
fn finding_codes_doc_is_current() {
    current("docs/finding-codes.md", dcplan::render::docs::finding_codes_markdown());
}

#[test]
fn format_reference_is_current() {
    current("docs/inventory.md", dcplan::render::docs::format_reference_markdown());
}
