//! Findings for the tools around a repository: SARIF 2.1.0 (GitHub code scanning) and GitLab
//! Code Quality. Both name files relative to the repository root and give each finding a
//! fingerprint of its code, object and file, not of its line: a finding keeps its identity
//! when unrelated lines are inserted above it, so the tools do not close and reopen it.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::diag::{Code, Finding, Loc, Severity};
use crate::source::Sources;

/// Where the findings' files are, seen from the repository root: `prefix` is the current folder
/// relative to the root (empty when they are the same), as file names are relative to the
/// current folder.
pub(crate) struct RepoPaths<'a> {
    pub(crate) prefix: &'a Path,
    pub(crate) sources: &'a Sources,
}

impl RepoPaths<'_> {
    /// The repository-relative path of a file, with `/` separators.
    fn path(&self, loc: Loc) -> String {
        let mut out: Vec<String> = Vec::new();
        for c in self.prefix.join(self.sources.name(loc.file)).components() {
            match c {
                Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
                Component::ParentDir if out.last().is_some_and(|l| l != "..") => {
                    out.pop();
                }
                c => out.push(c.as_os_str().to_string_lossy().into_owned()),
            }
        }
        out.join("/")
    }

    /// The same as a relative URI reference (RFC 3986): reserved and non-ASCII bytes escaped.
    fn uri(&self, loc: Loc) -> String {
        let mut uri = String::new();
        for b in self.path(loc).bytes() {
            if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
                uri.push(char::from(b));
            } else {
                uri.push_str(&format!("%{b:02X}"));
            }
        }
        uri
    }
}

/// One fingerprint per finding: SHA-256 of code, object and file (the message when there is no
/// object), and the rank among findings with the same key, in the findings' order.
fn fingerprints(findings: &[Finding], paths: &RepoPaths<'_>) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    findings
        .iter()
        .map(|f| {
            let file = f.loc.map(|l| paths.path(l)).unwrap_or_default();
            let what = f.object.as_deref().unwrap_or(&f.message);
            let key = format!("{}\0{what}\0{file}", f.code.name());
            let rank = seen.entry(key.clone()).or_default();
            *rank += 1;
            let digest = Sha256::digest(format!("{key}\0{rank}").as_bytes());
            digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
        })
        .collect()
}

/// Message text: the message, and the hint on a line of its own.
fn text(f: &Finding) -> String {
    match &f.hint {
        Some(h) => format!("{}\nhint: {h}", f.message),
        None => f.message.clone(),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Sarif<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    short_description: Text,
    full_description: Text,
    help: Text,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location<'a>>,
    partial_fingerprints: Fingerprints,
}

#[derive(Serialize)]
struct Fingerprints {
    #[serde(rename = "dcplanFinding/v1")]
    finding: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: Physical,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<TextRef<'a>>,
}

#[derive(Serialize)]
struct TextRef<'a> {
    text: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Physical {
    artifact_location: Artifact,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Artifact {
    uri: String,
    uri_base_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn physical(loc: Loc, paths: &RepoPaths<'_>) -> Physical {
    let start = paths.sources.line_col(loc);
    let end = paths.sources.line_col(Loc { start: loc.end, ..loc });
    Physical {
        artifact_location: Artifact { uri: paths.uri(loc), uri_base_id: "%SRCROOT%" },
        region: Region {
            start_line: start.line,
            start_column: start.column,
            end_line: end.line.max(start.line),
            end_column: if end.line > start.line { end.column } else { end.column.max(start.column + 1) },
        },
    }
}

/// SARIF 2.1.0: one rule per finding code (summary, and the `explain` text as help), one result
/// per finding.
pub(crate) fn sarif(findings: &[Finding], paths: &RepoPaths<'_>) -> String {
    let rules = Code::ALL
        .iter()
        .map(|c| Rule {
            id: c.name(),
            short_description: Text { text: c.summary().to_owned() },
            full_description: Text { text: c.summary().to_owned() },
            help: Text { text: c.explanation().to_owned() },
            default_configuration: Configuration { level: level(c.default_severity()) },
        })
        .collect();
    let results = findings
        .iter()
        .zip(fingerprints(findings, paths))
        .map(|(f, finding)| SarifResult {
            rule_id: f.code.name(),
            rule_index: Code::ALL.iter().position(|&c| c == f.code).unwrap_or_default(),
            level: level(f.severity),
            message: Text { text: text(f) },
            locations: f
                .loc
                .map(|l| Location { id: None, physical_location: physical(l, paths), message: None })
                .into_iter()
                .collect(),
            related_locations: f
                .related
                .iter()
                .enumerate()
                .map(|(i, r)| Location {
                    id: Some(i),
                    physical_location: physical(r.loc, paths),
                    message: Some(TextRef { text: &r.message }),
                })
                .collect(),
            partial_fingerprints: Fingerprints { finding },
        })
        .collect();
    let doc = Sarif {
        schema: "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
        version: "2.1.0",
        runs: [Run {
            tool: Tool { driver: Driver { name: "dcplan", version: env!("CARGO_PKG_VERSION"), rules } },
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    pretty(&doc)
}

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'static str,
    fingerprint: String,
    severity: &'static str,
    location: IssueLocation<'a>,
}

#[derive(Serialize)]
struct IssueLocation<'a> {
    path: std::borrow::Cow<'a, str>,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
}

/// GitLab Code Quality: an array of issues, with the same fingerprints as SARIF.
pub(crate) fn gitlab(findings: &[Finding], paths: &RepoPaths<'_>) -> String {
    let issues: Vec<Issue<'_>> = findings
        .iter()
        .zip(fingerprints(findings, paths))
        .map(|(f, fingerprint)| Issue {
            description: text(f),
            check_name: f.code.name(),
            fingerprint,
            severity: match f.severity {
                Severity::Error => "major",
                Severity::Warning => "minor",
                Severity::Info => "info",
            },
            location: IssueLocation {
                // A finding with no place in a file is about the repository as a whole.
                path: f.loc.map_or(".".into(), |l| paths.path(l).into()),
                lines: Lines { begin: f.loc.map_or(1, |l| paths.sources.line_col(l).line) },
            },
        })
        .collect();
    pretty(&issues)
}

fn pretty<T: Serialize>(doc: &T) -> String {
    // Plain structs of strings and numbers: serializing cannot fail.
    let mut s = serde_json::to_string_pretty(doc).unwrap_or_default();
    s.push('\n');
    s
}

/// The repository root around `dir` (an absolute folder): the nearest folder with a `.git`
/// (a folder, or a file in a linked work tree).
pub(crate) fn repository_root(dir: &Path) -> Option<PathBuf> {
    dir.ancestors().find(|d| d.join(".git").exists()).map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(sources: &mut Sources, text: &str, line_of_object: usize) -> Finding {
        let f = sources.add("inventory/servers.toml".into(), text.into());
        let start: usize = text.lines().take(line_of_object - 1).map(|l| l.len() + 1).sum();
        Finding::new(Code::IpDuplicate, Loc::new(f, start..start + 10), "address used twice")
            .object("server", "db2")
    }

    #[test]
    fn fingerprints_ignore_inserted_lines_and_paths_are_from_the_root() {
        let mut sources = Sources::new();
        let a = finding(&mut sources, "[[server]]\nid = \"db2\"\n", 1);
        let b = finding(&mut sources, "# a comment\n\n[[server]]\nid = \"db2\"\n", 3);
        let prefix = PathBuf::from("ops/dc");
        let paths = RepoPaths { prefix: &prefix, sources: &sources };
        let fa = fingerprints(std::slice::from_ref(&a), &paths);
        let fb = fingerprints(std::slice::from_ref(&b), &paths);
        assert_eq!(fa, fb);
        assert_eq!(paths.path(a.loc.expect("loc")), "ops/dc/inventory/servers.toml");
        // Two findings with the same key still differ.
        let both = fingerprints(&[a.clone(), a], &paths);
        assert_ne!(both[0], both[1]);
    }

    #[test]
    fn uris_are_escaped_and_parent_folders_resolved() {
        let mut sources = Sources::new();
        let f = sources.add("../inventory/a b/é.toml".into(), String::new());
        let prefix = PathBuf::from("tests/cmd");
        let paths = RepoPaths { prefix: &prefix, sources: &sources };
        assert_eq!(paths.uri(Loc::new(f, 0..0)), "tests/inventory/a%20b/%C3%A9.toml");
    }
}
