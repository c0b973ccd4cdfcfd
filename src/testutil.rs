//! Helpers for unit tests: check an inventory given as one TOML string.

use crate::diag::{Code, Finding};

/// The inventory-rule findings (no BGP) for a one-file inventory, sorted. An `[org]` is added
/// at the end (no span moves) when the text has none: rule tests are about other tables.
pub(crate) fn findings_of(toml: &str) -> Vec<Finding> {
    let text = if toml.contains("[org]") { toml.to_owned() } else { format!("{toml}\n[org]\nasn = 64500\n") };
    let loaded = crate::load::load_files(vec![("t.toml".into(), text.into_bytes())]);
    let mut findings = loaded.findings;
    let inv = crate::resolve::resolve(loaded.raw, &loaded.sources, &mut findings);
    findings.extend(crate::check::check(&inv));
    crate::diag::sort(&mut findings);
    findings
}

/// The codes of [`findings_of`].
pub(crate) fn codes_of(toml: &str) -> Vec<Code> {
    findings_of(toml).into_iter().map(|f| f.code).collect()
}

/// A one-file inventory, loaded and fully checked.
pub(crate) fn checked_of(toml: &str) -> crate::Checked {
    let loaded = crate::load::load_files(vec![("t.toml".into(), toml.as_bytes().to_vec())]);
    crate::check_loaded(loaded, &crate::Options::default())
}

/// Every finding (inventory rules, BGP and RPKI on the current state), sorted.
pub(crate) fn all_findings_of(toml: &str) -> Vec<Finding> {
    checked_of(toml).findings
}
