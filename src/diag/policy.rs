//! The one severity policy: every change to a finding's severity, or to whether it is shown,
//! after the pass that raised it. Passes raise findings at their code's default severity; the
//! commands apply these rules, and nothing else adjusts severities.
//!
//! - A `during` state of a plan is a planned degradation that the runbook announces: its errors
//!   are reported as warnings ([`planned_degradation`]).
//! - `--deny-warnings` makes warnings errors ([`deny_warnings`]).
//! - A finding that is only a consequence of another is not shown ([`suppress_cascades`]): when a
//!   file did not parse, references into it cannot be told from typos.

use super::{Code, Finding, Severity};

/// What the inventory's loading could not see, which later findings may depend on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Gaps {
    /// A file did not parse: the objects it declared are unknown.
    pub(crate) unparsed_file: bool,
}

impl Gaps {
    /// The gaps shown by the load findings.
    pub(crate) fn of(findings: &[Finding]) -> Gaps {
        Gaps { unparsed_file: findings.iter().any(|f| f.code == Code::TomlSyntax) }
    }

    /// Whether findings computed over the whole inventory (the BGP state) would be guesses.
    pub(crate) fn incomplete(self) -> bool {
        self.unparsed_file
    }
}

/// Drops the findings that only follow from a gap: a reference into a file that did not parse
/// is not "unknown".
pub(crate) fn suppress_cascades(findings: &mut Vec<Finding>, gaps: Gaps) {
    if gaps.unparsed_file {
        findings.retain(|f| f.code != Code::UnknownReference);
    }
}

/// A planned degradation (a `during` state): errors are reported as warnings.
pub(crate) fn planned_degradation(findings: &mut [Finding]) {
    lower(findings, Severity::Error, Severity::Warning);
}

/// `--deny-warnings`: warnings count as errors.
pub(crate) fn deny_warnings(findings: &mut [Finding]) {
    lower(findings, Severity::Warning, Severity::Error);
}

fn lower(findings: &mut [Finding], from: Severity, to: Severity) {
    for f in findings.iter_mut().filter(|f| f.severity == from) {
        f.severity = to;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{FileId, Loc};

    fn f(code: Code) -> Finding {
        Finding::new(code, Loc::new(FileId(0), 0..1), "x")
    }

    #[test]
    fn degradation_and_deny_warnings() {
        let mut v = vec![f(Code::BgpUnannounced), f(Code::RpkiNotFound), f(Code::BgpUnused)];
        planned_degradation(&mut v);
        assert_eq!(
            v.iter().map(|f| f.severity).collect::<Vec<_>>(),
            [Severity::Warning, Severity::Warning, Severity::Info]
        );
        deny_warnings(&mut v);
        assert_eq!(v[0].severity, Severity::Error);
        assert_eq!(v[2].severity, Severity::Info);
    }

    #[test]
    fn references_into_an_unparsed_file_are_not_unknown() {
        let mut v = vec![f(Code::TomlSyntax), f(Code::UnknownReference)];
        let gaps = Gaps::of(&v);
        suppress_cascades(&mut v, gaps);
        assert_eq!(v, vec![f(Code::TomlSyntax)]);
    }
}
