//! CLI tests as data: each `tests/cmd/**/NAME.toml` runs the binary (in `NAME.in/` when it
//! exists) and compares the whole stdout and stderr with `NAME.stdout` / `NAME.stderr`.
//! Regenerate after an intended change with `TRYCMD=overwrite cargo test --test cli`.

#[test]
fn cli() {
    trycmd::TestCases::new().case("tests/cmd/*.toml").case("tests/cmd/*/*.toml");
}
