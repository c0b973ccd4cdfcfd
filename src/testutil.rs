//! Helpers for unit tests: check an inventory given as one TOML string.

use crate::diag::{Code, Finding};

/// Every finding for a one-file inventory, sorted.
pub(crate) fn findings_of(toml: &str) -> Vec<Finding> {
    crate::check_loaded(crate::load::load_files(vec![("t.toml".into(), toml.as_bytes().to_vec())])).findings
}

/// The codes of [`findings_of`].
pub(crate) fn codes_of(toml: &str) -> Vec<Code> {
    findings_of(toml).into_iter().map(|f| f.code).collect()
}
