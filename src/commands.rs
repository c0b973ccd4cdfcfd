//! The subcommands: each turns arguments into output text and an exit code.

use std::io::{IsTerminal, Write};

use crate::cli::{
    BgpCommand, BgpRenderArgs, BgpStatusArgs, CheckArgs, Cli, ColorChoice, Command, ExplainArgs, Format,
    GraphArgs, GraphFormat, ImpactArgs, ListArgs, ListWhat, PlanArgs, RunbookArgs,
};
use crate::diag::{Code, Severity, Summary};
use crate::load::{self, Root};
use crate::render::{findings as rf, tables};

/// Exit code: no errors.
pub(crate) const OK: u8 = 0;
/// Exit code: findings of severity error.
pub(crate) const FINDINGS: u8 = 1;
/// Exit code: unreadable input or bad command line.
pub(crate) const USAGE: u8 = 2;

/// An error that ends the command with exit code 2.
struct Fatal(String);

impl<E: std::fmt::Display> From<E> for Fatal {
    fn from(e: E) -> Fatal {
        Fatal(e.to_string())
    }
}

/// Runs the program; returns the exit code.
pub fn run(cli: Cli) -> u8 {
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let ctx = Ctx { inventory: cli.inventory, color };
    let mut out = String::new();
    let result = match cli.command {
        Command::Check(a) => ctx.check(a, &mut out),
        Command::List(a) => ctx.list(a, &mut out),
        Command::Plan(a) => ctx.plan(a, &mut out),
        Command::Impact(a) => ctx.impact(a, &mut out),
        Command::Graph(a) => ctx.graph(a, &mut out),
        Command::Runbook(a) => ctx.runbook(a, &mut out),
        Command::Completions(a) => completions(a.shell, &mut out),
        Command::Man => man(&mut out),
        Command::Explain(a) => explain(a, &mut out),
        Command::Bgp(BgpCommand::Status(a)) => ctx.bgp_status(a, &mut out),
        Command::Bgp(BgpCommand::Render(a)) => ctx.bgp_render(a, &mut out),
    };
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`dcplan list servers | head`) is not an error worth a message.
    let _ = stdout.write_all(out.as_bytes());
    let _ = stdout.flush();
    match result {
        Ok(code) => code,
        Err(Fatal(msg)) => {
            eprintln!("error: {msg}");
            USAGE
        }
    }
}

struct Ctx {
    inventory: Option<std::path::PathBuf>,
    color: bool,
}

impl Ctx {
    fn root(&self, dir: Option<std::path::PathBuf>) -> Root {
        match dir.or_else(|| self.inventory.clone()) {
            Some(d) => Root::Disk(d),
            None => {
                let r = load::find_default();
                if matches!(r, Root::Embedded) {
                    eprintln!(
                        "note: no inventory/ folder here or above; using the built-in example inventory"
                    );
                }
                r
            }
        }
    }

    /// Loads and checks, with options.
    fn checked(
        &self,
        dir: Option<std::path::PathBuf>,
        options: &crate::Options,
    ) -> Result<crate::Checked, Fatal> {
        Ok(crate::check_loaded(load::load(self.root(dir))?, options))
    }

    /// Loads and checks for a command that reads the model: errors are announced, not fatal.
    fn model(&self, options: &crate::Options) -> Result<crate::Checked, Fatal> {
        let c = self.checked(None, options)?;
        if c.findings.iter().any(|f| f.severity == Severity::Error) {
            eprintln!("warning: the inventory has errors (run `dcplan check`); using what loaded");
        }
        Ok(c)
    }

    fn check(&self, a: CheckArgs, out: &mut String) -> Result<u8, Fatal> {
        let mut c = self.checked(a.dir, &crate::Options { roas: a.roas, horizon: None })?;
        if a.deny_warnings {
            for f in &mut c.findings {
                if f.severity == Severity::Warning {
                    f.severity = Severity::Error;
                }
            }
        }
        out.push_str(&match a.format {
            Format::Human => rf::human(&c.findings, &c.sources, self.color),
            Format::Json => rf::json(&c.findings, &c.sources),
            Format::Github => rf::github(&c.findings, &c.sources),
        });
        let code = if Summary::of(&c.findings).errors > 0 { FINDINGS } else { OK };
        // The process ends next: freeing a model of many small strings one by one costs more
        // than the check itself on large inventories.
        std::mem::forget(c);
        Ok(code)
    }

    fn list(&self, a: ListArgs, out: &mut String) -> Result<u8, Fatal> {
        let c = self.model(&crate::Options::default())?;
        let inv = &c.inventory;
        let text = match (a.what, a.format) {
            (_, Format::Github) => return Err(Fatal("--format github is only for `dcplan check`".into())),
            (ListWhat::Servers, Format::Human) => tables::table(&tables::servers(inv)),
            (ListWhat::Services, Format::Human) => tables::table(&tables::services(inv)),
            (ListWhat::Prefixes, Format::Human) => tables::table(&tables::prefixes(inv)),
            (ListWhat::Circuits, Format::Human) => tables::table(&tables::circuits(inv)),
            (ListWhat::Racks, Format::Human) => tables::table(&tables::racks(inv)),
            (ListWhat::Servers, Format::Json) => to_json(&tables::servers(inv)),
            (ListWhat::Services, Format::Json) => to_json(&tables::services(inv)),
            (ListWhat::Prefixes, Format::Json) => to_json(&tables::prefixes(inv)),
            (ListWhat::Circuits, Format::Json) => to_json(&tables::circuits(inv)),
            (ListWhat::Racks, Format::Json) => to_json(&tables::racks(inv)),
        };
        out.push_str(&text);
        Ok(OK)
    }
}

impl Ctx {
    /// Loads the inventory and a plan, then plans. `None`: the inventory or the plan file has
    /// errors, which were written to `out`.
    fn planned(
        &self,
        path: &std::path::Path,
        roas: Option<std::path::PathBuf>,
        format: Format,
        out: &mut String,
    ) -> Result<Option<(crate::Checked, crate::plan::Outcome)>, Fatal> {
        let mut c = self.checked(None, &crate::Options { roas, horizon: None })?;
        let inventory_errors: Vec<_> =
            c.findings.iter().filter(|f| f.severity == Severity::Error).cloned().collect();
        if !inventory_errors.is_empty() {
            out.push_str(&render_findings(format, &inventory_errors, &c.sources, self.color)?);
            eprintln!("error: the inventory has errors; fix them (dcplan check) before planning");
            return Ok(None);
        }
        let bytes =
            std::fs::read(path).map_err(|e| Fatal(format!("cannot read plan `{}`: {e}", path.display())))?;
        let file = c.sources.add(path.display().to_string(), String::from_utf8_lossy(&bytes).into_owned());
        let (plan, plan_findings) = crate::plan::spec::load(file, &c.sources, &c.inventory);
        let Some(plan) = plan.filter(|_| plan_findings.iter().all(|f| f.severity != Severity::Error)) else {
            out.push_str(&render_findings(format, &plan_findings, &c.sources, self.color)?);
            return Ok(None);
        };
        let mut outcome = crate::plan::plan(&c, plan);
        outcome.findings.extend(plan_findings);
        Ok(Some((c, outcome)))
    }

    fn runbook(&self, a: RunbookArgs, out: &mut String) -> Result<u8, Fatal> {
        let Some((c, o)) = self.planned(&a.plan, None, Format::Human, out)? else { return Ok(FINDINGS) };
        if o.batches.is_empty() || o.has_errors() {
            out.push_str(&crate::render::plan::human(&o, &c.inventory, &c.sources, self.color, false));
            eprintln!("error: the plan has errors; no runbook written");
            return Ok(FINDINGS);
        }
        let inv = &c.inventory;
        let nights = crate::runbook::nights(inv, &o);
        let mut files = vec![("README.md".to_owned(), crate::render::runbook::overview(inv, &o))];
        for (b, n) in o.batches.iter().zip(&nights) {
            files.push((
                crate::render::runbook::batch_file(b.index),
                crate::render::runbook::night(inv, &o, b, n),
            ));
        }
        write_files(&a.out, &files, a.force)?;
        for (name, _) in &files {
            out.push_str(&format!("wrote {}\n", a.out.join(name).display()));
        }
        Ok(OK)
    }

    fn graph(&self, a: GraphArgs, out: &mut String) -> Result<u8, Fatal> {
        let (c, batch_of) = match &a.plan {
            None => {
                let c = self.model(&crate::Options::default())?;
                let n = c.inventory.servers.len();
                (c, vec![None; n])
            }
            Some(path) => {
                let Some((c, o)) = self.planned(path, None, Format::Human, out)? else { return Ok(FINDINGS) };
                let mut batch_of = vec![None; c.inventory.servers.len()];
                for b in &o.batches {
                    for &s in b.servers.iter().chain(&b.vms) {
                        batch_of[s.ix()] = Some(b.index);
                    }
                }
                (c, batch_of)
            }
        };
        out.push_str(&match a.format {
            GraphFormat::Dot => crate::render::graph::dot(&c.inventory, &batch_of),
            GraphFormat::Mermaid => crate::render::graph::mermaid(&c.inventory, &batch_of),
        });
        Ok(OK)
    }

    fn plan(&self, a: PlanArgs, out: &mut String) -> Result<u8, Fatal> {
        let Some((c, mut outcome)) = self.planned(&a.plan, a.roas.clone(), a.format, out)? else {
            return Ok(FINDINGS);
        };
        // ROAs must outlive the last window.
        if let Some(last) = outcome.plan.window(outcome.batches.len().max(1)) {
            let end = last.plus_hours(i64::from(outcome.plan.window_hours)).start.as_second();
            outcome.findings.extend(crate::bgp::expiring_roas(&c.bgp.roas, end, "the last move window"));
        }
        crate::diag::sort(&mut outcome.findings);
        out.push_str(&match a.format {
            Format::Human => {
                crate::render::plan::human(&outcome, &c.inventory, &c.sources, self.color, a.explain)
            }
            Format::Json => crate::render::plan::json(&outcome, &c.inventory, &c.sources, a.explain),
            Format::Github => return Err(Fatal("--format github is only for `dcplan check`".into())),
        });
        Ok(if outcome.has_errors() { FINDINGS } else { OK })
    }

    fn impact(&self, a: ImpactArgs, out: &mut String) -> Result<u8, Fatal> {
        let c = self.model(&crate::Options::default())?;
        let inv = &c.inventory;
        let mut machines = Vec::new();
        for name in &a.machines {
            match inv.index.servers.get(name) {
                Some(&id) => machines.push(id),
                None => {
                    let hint = crate::diag::did_you_mean(name, inv.servers.iter().map(|s| s.id.as_str()))
                        .map(|m| format!(" (did you mean `{m}`?)"))
                        .unwrap_or_default();
                    return Err(Fatal(format!("no machine `{name}` in the inventory{hint}")));
                }
            }
        }
        let impact = crate::impact::impact(inv, &machines);
        out.push_str(&match a.format {
            Format::Human => crate::render::impact::human(inv, &machines, &impact),
            Format::Json => crate::render::impact::json(inv, &machines, &impact),
            Format::Github => return Err(Fatal("--format github is only for `dcplan check`".into())),
        });
        Ok(OK)
    }

    fn bgp_status(&self, a: BgpStatusArgs, out: &mut String) -> Result<u8, Fatal> {
        let c = self.model(&crate::Options { roas: a.roas, horizon: None })?;
        let engine = c.engine(&[]);
        let rows = crate::bgp::render::status(&engine, &crate::bgp::State::current(&c.inventory));
        out.push_str(&match a.format {
            Format::Human => tables::table(&rows),
            Format::Json => to_json(&rows),
            Format::Github => return Err(Fatal("--format github is only for `dcplan check`".into())),
        });
        Ok(OK)
    }

    fn bgp_render(&self, a: BgpRenderArgs, out: &mut String) -> Result<u8, Fatal> {
        let c = self.model(&crate::Options::default())?;
        let inv = &c.inventory;
        let Some(&id) = inv.index.servers.get(&a.router) else {
            let routers =
                inv.servers.iter().filter(|s| s.kind == crate::model::Kind::Router).map(|s| s.id.as_str());
            let hint = crate::diag::did_you_mean(&a.router, routers)
                .map(|m| format!(" (did you mean `{m}`?)"))
                .unwrap_or_default();
            return Err(Fatal(format!("no machine `{}` in the inventory{hint}", a.router)));
        };
        if inv.server(id).kind != crate::model::Kind::Router {
            return Err(Fatal(format!("`{}` is a {}, not a router", a.router, inv.server(id).kind.as_str())));
        }
        out.push_str(&crate::bgp::render::router_config(inv, id));
        Ok(OK)
    }
}

/// Writes files into `dir` atomically (a temporary file renamed over the target). Refuses,
/// without `force`, when a file exists or an older runbook's night files would be left behind;
/// with `force`, replaces them and removes stale night files.
fn write_files(dir: &std::path::Path, files: &[(String, String)], force: bool) -> Result<(), Fatal> {
    std::fs::create_dir_all(dir).map_err(|e| Fatal(format!("cannot create `{}`: {e}", dir.display())))?;
    let ours: Vec<&str> = files.iter().map(|f| f.0.as_str()).collect();
    let mut clash = Vec::new();
    let mut stale = Vec::new();
    let entries =
        std::fs::read_dir(dir).map_err(|e| Fatal(format!("cannot read `{}`: {e}", dir.display())))?;
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if ours.contains(&name.as_str()) {
            clash.push(name);
        } else if name.starts_with("batch-") && name.ends_with(".md") {
            stale.push(name);
        }
    }
    if !force && (!clash.is_empty() || !stale.is_empty()) {
        let mut all = clash;
        all.extend(stale);
        all.sort();
        return Err(Fatal(format!(
            "`{}` already holds {}: use --force to replace the runbook",
            dir.display(),
            all.join(", ")
        )));
    }
    for (name, text) in files {
        let mut tmp = tempfile::NamedTempFile::new_in(dir)
            .map_err(|e| Fatal(format!("cannot write in `{}`: {e}", dir.display())))?;
        tmp.write_all(text.as_bytes()).map_err(|e| Fatal(format!("cannot write `{name}`: {e}")))?;
        tmp.persist(dir.join(name)).map_err(|e| Fatal(format!("cannot write `{name}`: {e}")))?;
    }
    for name in stale {
        std::fs::remove_file(dir.join(&name)).map_err(|e| Fatal(format!("cannot remove `{name}`: {e}")))?;
    }
    Ok(())
}

fn completions(shell: clap_complete::Shell, out: &mut String) -> Result<u8, Fatal> {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut <Cli as clap::CommandFactory>::command(), "dcplan", &mut buf);
    out.push_str(&String::from_utf8_lossy(&buf));
    Ok(OK)
}

fn man(out: &mut String) -> Result<u8, Fatal> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(<Cli as clap::CommandFactory>::command()).render(&mut buf)?;
    out.push_str(&String::from_utf8_lossy(&buf));
    Ok(OK)
}

fn render_findings(
    format: Format,
    findings: &[crate::diag::Finding],
    sources: &crate::source::Sources,
    color: bool,
) -> Result<String, Fatal> {
    Ok(match format {
        Format::Human => rf::human(findings, sources, color),
        Format::Json => rf::json(findings, sources),
        Format::Github => rf::github(findings, sources),
    })
}

fn to_json<T: serde::Serialize>(v: &T) -> String {
    let mut s = serde_json::to_string_pretty(v).expect("rows serialize");
    s.push('\n');
    s
}

fn explain(a: ExplainArgs, out: &mut String) -> Result<u8, Fatal> {
    match a.code {
        None => {
            for c in Code::ALL {
                out.push_str(&format!("{:<22} {:<8} {}\n", c.name(), c.default_severity(), c.summary()));
            }
            Ok(OK)
        }
        Some(name) => {
            let Some(c) = Code::from_name(&name) else {
                let hint = crate::diag::did_you_mean(&name, Code::ALL.iter().map(|c| c.name()))
                    .map(|m| format!(" (did you mean `{m}`?)"))
                    .unwrap_or_default();
                return Err(Fatal(format!(
                    "unknown finding code `{name}`{hint}; `dcplan explain` lists them"
                )));
            };
            out.push_str(&format!(
                "{} ({})\n\n{}\n\n{}\n",
                c.name(),
                c.default_severity(),
                c.summary(),
                c.explanation()
            ));
            Ok(OK)
        }
    }
}
