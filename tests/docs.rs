//! Generated documentation is up to date.

#[test]
fn finding_codes_doc_is_current() {
    let want = dcplan::render::docs::finding_codes_markdown();
    let path = "docs/finding-codes.md";
    if std::env::var_os("DCPLAN_BLESS").is_some() {
        std::fs::write(path, &want).expect("write docs");
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(have == want, "{path} is stale: run `DCPLAN_BLESS=1 cargo test --test docs`");
}
