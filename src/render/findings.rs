//! Findings as rustc-style text, JSON (docs/json.md) or GitHub workflow annotations.

use codespan_reporting::diagnostic::{Diagnostic, Label, Severity as CsSeverity};
use codespan_reporting::term::{self, Config, termcolor::Buffer};
use serde::Serialize;

use crate::diag::text::count;
use crate::diag::{Finding, Loc, Severity, Summary};
use crate::source::Sources;

/// A finding as it appears in JSON output.
#[derive(Serialize)]
pub(crate) struct JsonFinding<'a> {
    code: &'static str,
    severity: Severity,
    message: &'a str,
    file: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    object: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<JsonRelated<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    message: &'a str,
}

/// Findings in JSON form, borrowing from the findings and sources.
pub(crate) fn json_findings<'a>(findings: &'a [Finding], sources: &'a Sources) -> Vec<JsonFinding<'a>> {
    findings
        .iter()
        .map(|f| {
            let lc = f.loc.map(|l| sources.line_col(l));
            JsonFinding {
                code: f.code.name(),
                severity: f.severity,
                message: &f.message,
                file: f.loc.map(|l| sources.name(l.file)),
                line: lc.map(|p| p.line),
                column: lc.map(|p| p.column),
                object: f.object.as_deref(),
                related: f
                    .related
                    .iter()
                    .map(|r| {
                        let p = sources.line_col(r.loc);
                        JsonRelated {
                            file: sources.name(r.loc.file),
                            line: p.line,
                            column: p.column,
                            message: &r.message,
                        }
                    })
                    .collect(),
                hint: f.hint.as_deref(),
            }
        })
        .collect()
}

/// `{"findings": [...], "summary": {...}}`.
pub(crate) fn json(findings: &[Finding], sources: &Sources) -> String {
    #[derive(Serialize)]
    struct Doc<'a> {
        findings: Vec<JsonFinding<'a>>,
        summary: Summary,
    }
    let doc = Doc { findings: json_findings(findings, sources), summary: Summary::of(findings) };
    let mut s = serde_json::to_string_pretty(&doc).expect("findings serialize");
    s.push('\n');
    s
}

fn label_range(loc: Loc, sources: &Sources) -> std::ops::Range<usize> {
    let len = sources.text(loc.file).len();
    let start = (loc.start as usize).min(len);
    let end = (loc.end as usize).clamp(start, len);
    start..end
}

/// rustc / cargo-deny style text with source snippets; ANSI colour when `color`.
pub(crate) fn human(findings: &[Finding], sources: &Sources, color: bool) -> String {
    let mut buf = if color { Buffer::ansi() } else { Buffer::no_color() };
    let config = Config::default();
    for f in findings {
        let severity = match f.severity {
            Severity::Error => CsSeverity::Error,
            Severity::Warning => CsSeverity::Warning,
            Severity::Info => CsSeverity::Note,
        };
        let mut labels = Vec::new();
        if let Some(loc) = f.loc {
            labels.push(Label::primary(loc.file.0 as usize, label_range(loc, sources)));
        }
        for r in &f.related {
            labels.push(
                Label::secondary(r.loc.file.0 as usize, label_range(r.loc, sources)).with_message(&r.message),
            );
        }
        let mut d =
            Diagnostic::new(severity).with_code(f.code.name()).with_message(&f.message).with_labels(labels);
        if let Some(h) = &f.hint {
            d = d.with_notes(vec![format!("hint: {h}")]);
        }
        // Rendering only fails on a location outside its file, which `label_range` prevents.
        let _ = term::emit_to_write_style(&mut buf, &config, sources.files(), &d);
    }
    let mut out = String::from_utf8_lossy(buf.as_slice()).into_owned();
    let s = Summary::of(findings);
    out.push_str(&format!("{}\n", summary_line(s)));
    out
}

/// `3 errors, 1 warning, 0 infos`.
pub(crate) fn summary_line(s: Summary) -> String {
    format!("{}, {}, {}", count(s.errors, "error"), count(s.warnings, "warning"), count(s.infos, "info"))
}

/// Escapes a GitHub workflow command's data part.
fn gh_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a GitHub workflow command's property value.
fn gh_prop(s: &str) -> String {
    gh_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One `::error file=...,line=...,col=...,title=CODE::message` line per finding.
pub(crate) fn github(findings: &[Finding], sources: &Sources) -> String {
    let mut out = String::new();
    for f in findings {
        let level = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut msg = f.message.clone();
        if let Some(h) = &f.hint {
            msg.push_str(&format!("\n{h}"));
        }
        match f.loc {
            Some(loc) => {
                let p = sources.line_col(loc);
                out.push_str(&format!(
                    "::{level} file={},line={},col={},title={}::{}\n",
                    gh_prop(sources.name(loc.file)),
                    p.line,
                    p.column,
                    f.code.name(),
                    gh_data(&msg)
                ));
            }
            None => out.push_str(&format!("::{level} title={}::{}\n", f.code.name(), gh_data(&msg))),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Code;

    #[test]
    fn github_escapes() {
        let mut s = Sources::new();
        let f = s.add("a,b:c.toml".into(), "x = 1\n".into());
        let finding = Finding::new(Code::InvalidValue, Loc::new(f, 4..5), "50% bad\nreally").hint("fix");
        assert_eq!(
            github(&[finding], &s),
            "::error file=a%2Cb%3Ac.toml,line=1,col=5,title=invalid-value::50%25 bad%0Areally%0Afix\n"
        );
    }

    #[test]
    fn summary_is_pluralised() {
        assert_eq!(
            summary_line(Summary { errors: 1, warnings: 2, infos: 0 }),
            "1 error, 2 warnings, 0 infos"
        );
    }
}
