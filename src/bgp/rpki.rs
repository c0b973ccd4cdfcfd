//! RPKI route origin validation (RFC 6811) and ROA import from rpki-client / Routinator JSON.

use std::collections::BTreeMap;

use ipnetwork::IpNetwork;
use serde::Deserialize;

use crate::diag::{Code, FileId, Finding, Loc};
use crate::model::Roa;
use crate::net::Lpm;

/// The RFC 6811 validation state of an announcement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum RpkiState {
    /// A covering ROA matches origin and length.
    Valid,
    /// Covered, but no ROA matches: dropped by validating networks.
    Invalid,
    /// No ROA covers it.
    NotFound,
}

impl RpkiState {
    /// `valid`, `invalid`, `not-found`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            RpkiState::Valid => "valid",
            RpkiState::Invalid => "invalid",
            RpkiState::NotFound => "not-found",
        }
    }
}

/// ROAs indexed for origin validation of announcements from one AS.
pub(crate) struct Validator<'a> {
    roas: Lpm<&'a Roa>,
    origin: u32,
}

impl<'a> Validator<'a> {
    /// Indexes the ROAs; announcements are judged as originated by `origin`.
    pub(crate) fn new(roas: &'a [Roa], origin: u32) -> Validator<'a> {
        let mut t = Lpm::new();
        for r in roas {
            t.insert(r.prefix, r);
        }
        Validator { roas: t, origin }
    }

    /// RFC 6811: a ROA covers the route when its prefix contains the route's; the route is
    /// valid when a covering ROA has the route's origin (never AS0) and a max length at least
    /// the route's length; invalid when covered otherwise; not-found when not covered.
    pub(crate) fn state(&self, route: IpNetwork) -> RpkiState {
        let mut covered = false;
        for (len, roas) in self.roas.matches(route.network()) {
            if len > route.prefix() {
                continue;
            }
            covered = true;
            if roas.iter().any(|r| r.asn == self.origin && r.asn != 0 && r.max_length >= route.prefix()) {
                return RpkiState::Valid;
            }
        }
        if covered { RpkiState::Invalid } else { RpkiState::NotFound }
    }
}

/// An AS number as rpki-client (`64500`) or Routinator (`"AS64500"`) write it.
#[derive(Deserialize)]
#[serde(untagged)]
enum Asn {
    Number(u32),
    Text(String),
}

#[derive(Deserialize)]
struct ExportRoa {
    asn: Asn,
    prefix: String,
    #[serde(rename = "maxLength")]
    max_length: u8,
    /// Unix time after which the ROA is no longer valid (rpki-client writes it).
    expires: Option<i64>,
}

/// Only `roas` is read; `metadata`, `bgpsec_keys`, `aspas` and the rest are ignored.
#[derive(Deserialize)]
struct Export {
    roas: Vec<ExportRoa>,
}

/// Byte offset of a 1-based line and column.
fn offset(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum();
    (start + column.saturating_sub(1)).min(text.len())
}

/// Parses an rpki-client `-j` / Routinator `--format json` export. Bad entries are findings
/// (pointing into the file); good ones are kept.
pub(crate) fn parse_export(file: FileId, text: &str) -> (Vec<Roa>, Vec<Finding>) {
    let export: Export = match serde_json::from_str(text) {
        Ok(e) => e,
        Err(e) => {
            let at = offset(text, e.line(), e.column());
            return (
                Vec::new(),
                vec![Finding::new(Code::InvalidValue, Loc::new(file, at..at), format!("not a ROA export: {e}"))
                    .hint("expected the JSON of `rpki-client -j` or `routinator vrps --format json`: an object with a `roas` array")],
            );
        }
    };
    let mut roas = Vec::with_capacity(export.roas.len());
    let mut findings = Vec::new();
    for (i, r) in export.roas.into_iter().enumerate() {
        let asn = match &r.asn {
            Asn::Number(n) => Some(*n),
            Asn::Text(t) => t.strip_prefix("AS").or(t.strip_prefix("as")).unwrap_or(t).parse().ok(),
        };
        let prefix = crate::resolve::parse_cidr(&r.prefix);
        let whole = Loc::new(file, 0..0);
        match (asn, prefix) {
            (Some(asn), Ok(prefix))
                if r.max_length >= prefix.prefix()
                    && r.max_length <= if prefix.is_ipv4() { 32 } else { 128 } =>
            {
                roas.push(Roa { prefix, max_length: r.max_length, asn, expires: r.expires });
            }
            _ => findings.push(Finding::new(
                Code::InvalidValue,
                whole,
                format!("ROA #{} ({} maxLength {}) is not valid: skipped", i + 1, r.prefix, r.max_length),
            )),
        }
    }
    (roas, findings)
}

/// rpki-expiring: imported ROAs that expire before `horizon` (unix seconds), which the
/// message calls `horizon_label` ("now", "the last move window").
pub(crate) fn expiring_roas(roas: &[crate::model::Roa], horizon: i64, horizon_label: &str) -> Vec<Finding> {
    let mut by_prefix: BTreeMap<(IpNetwork, u32), i64> = BTreeMap::new();
    for r in roas {
        if let Some(exp) = r.expires.filter(|&e| e < horizon) {
            by_prefix.entry((r.prefix, r.asn)).and_modify(|e| *e = (*e).min(exp)).or_insert(exp);
        }
    }
    by_prefix
        .into_iter()
        .map(|((prefix, asn), exp)| {
            let when = jiff::Timestamp::from_second(exp)
                .map_or_else(|_| format!("at unix time {exp}"), |t| t.to_string());
            Finding::unplaced(
                Code::RpkiExpiring,
                format!("the ROA for {prefix} (AS{asn}) expires {when}, before {horizon_label}"),
            )
            .hint("renew the ROA before the move")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roa(p: &str, max: u8, asn: u32) -> Roa {
        Roa { prefix: p.parse().unwrap(), max_length: max, asn, expires: None }
    }

    fn state(roas: &[Roa], route: &str) -> RpkiState {
        Validator::new(roas, 64500).state(route.parse().unwrap())
    }

    #[test]
    fn rfc6811_states() {
        let roas = [roa("198.18.0.0/22", 24, 64500), roa("203.0.113.0/24", 24, 64999)];
        assert_eq!(state(&roas, "198.18.0.0/22"), RpkiState::Valid);
        assert_eq!(state(&roas, "198.18.1.0/24"), RpkiState::Valid);
        assert_eq!(state(&roas, "198.18.1.0/25"), RpkiState::Invalid); // max_length too short
        assert_eq!(state(&roas, "203.0.113.0/24"), RpkiState::Invalid); // wrong origin
        assert_eq!(state(&roas, "198.18.0.0/21"), RpkiState::NotFound); // ROA is more specific
        assert_eq!(state(&roas, "2001:db8::/32"), RpkiState::NotFound);
        // Any one matching ROA among several covering ones makes it valid.
        let both = [roa("198.18.0.0/22", 22, 64500), roa("198.18.0.0/24", 24, 64500)];
        assert_eq!(state(&both, "198.18.0.0/24"), RpkiState::Valid);
        // AS0 never validates.
        assert_eq!(state(&[roa("198.18.0.0/22", 24, 0)], "198.18.0.0/22"), RpkiState::Invalid);
    }

    #[test]
    fn exports_of_both_tools_load() {
        let text = r#"{"metadata": {"buildtime": "2026-11-01T00:00:00Z"},
            "roas": [{"asn": 64500, "prefix": "198.18.0.0/22", "maxLength": 24, "ta": "ripe", "expires": 1800000000},
                     {"asn": "AS64500", "prefix": "2001:db8:100::/44", "maxLength": 48, "ta": "ripe"},
                     {"asn": "ASX", "prefix": "2001:db8:100::/44", "maxLength": 48, "ta": "ripe"}],
            "bgpsec_keys": [], "aspas": []}"#;
        let (roas, findings) = parse_export(FileId(0), text);
        assert_eq!(roas.len(), 2);
        assert_eq!(roas[0].expires, Some(1_800_000_000));
        assert_eq!(roas[1].asn, 64500);
        assert_eq!(findings.len(), 1);
        let (roas, findings) = parse_export(FileId(0), "{\n  \"roas\": 3\n}");
        assert!(roas.is_empty());
        assert_eq!(findings[0].loc.unwrap().start, 12);
    }
}
