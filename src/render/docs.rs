//! Reference documentation generated from the code table, so `docs/` and `dcplan explain` never
//! disagree.

use crate::diag::Code;

/// `docs/finding-codes.md`.
pub fn finding_codes_markdown() -> String {
    let mut out = String::from(
        "# Finding codes\n\nGenerated from `src/diag.rs` (the same text as `dcplan explain CODE`); \
         a test fails when this file is stale (`DCPLAN_BLESS=1 cargo test --test docs` refreshes it).\n\n\
         | code | severity | when |\n|---|---|---|\n",
    );
    for c in Code::ALL {
        out.push_str(&format!(
            "| [`{0}`](#{0}) | {1} | {2} |\n",
            c.name(),
            c.default_severity(),
            c.summary()
        ));
    }
    for c in Code::ALL {
        out.push_str(&format!(
            "\n## {}\n\nSeverity: {}.\n\n{}\n",
            c.name(),
            c.default_severity(),
            c.explanation()
        ));
    }
    out
}
