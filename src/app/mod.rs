//! The program behind `main`: one file per subcommand, each turning its arguments into output
//! text and an [`Exit`] status. Errors that stop a command (unreadable input, a bad argument)
//! carry their cause up to [`run`], which prints them and exits 2.

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use clap::Parser;

use crate::cli::{BgpCommand, Cli, ColorChoice, Command, FindingsFormat, ImportCommand};
use crate::diag::{Finding, Severity};
use crate::load::{self, Root};
use crate::render::{findings as rf, sarif};
use crate::source::Sources;

mod bgp;
mod bgp_verify;
mod check;
mod explain;
mod files;
mod graph;
mod impact;
mod import;
mod inventory;
mod list;
mod man;
mod moved;
mod plan;
mod racks;
mod runbook;

/// How a command ended: the process exit status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Exit {
    /// No errors (warnings allowed).
    Clean,
    /// Findings of severity error (or no valid plan).
    Findings,
}

/// Exit status when the input could not be read or the command line is wrong.
const FATAL: u8 = 2;

impl Exit {
    /// `Findings` when any finding is an error.
    fn of(findings: &[Finding]) -> Exit {
        if findings.iter().any(|f| f.severity == Severity::Error) { Exit::Findings } else { Exit::Clean }
    }
}

/// Runs the program on its command line (the first item is the program name) and returns the
/// exit status: 0 clean, 1 findings of severity error, 2 unreadable input or a bad command line.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to stdout and exit 0; usage errors to stderr with 2.
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(FATAL));
        }
    };
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    if let Some(columns) = table_width() {
        crate::render::tables::fit_width(columns);
    }
    let ctx = Ctx { inventory: cli.inventory, example: cli.example, device_types: cli.device_types, color };
    let mut out = String::new();
    let result = dispatch(&ctx, cli.command, &mut out);
    // Whatever was produced is printed, also before an error (findings, then the reason).
    let status = match result {
        Ok(Exit::Clean) => 0,
        Ok(Exit::Findings) => 1,
        Err(e) => {
            print_out(&out);
            eprintln!("error: {e:#}");
            return ExitCode::from(FATAL);
        }
    };
    if print_out(&out) { ExitCode::from(status) } else { ExitCode::from(FATAL) }
}

/// The width tables must fit: `COLUMNS` when set, else the terminal's when stdout is one;
/// piped into a file or a program, tables keep their full width.
fn table_width() -> Option<usize> {
    let columns =
        std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse::<usize>().ok()).filter(|&c| c > 0);
    columns.or_else(|| {
        let stdout = std::io::stdout();
        stdout
            .is_terminal()
            .then(|| terminal_size::terminal_size_of(&stdout))
            .flatten()
            .map(|(w, _)| usize::from(w.0))
    })
}

fn dispatch(ctx: &Ctx, command: Command, out: &mut String) -> Result<Exit> {
    match command {
        Command::Check(a) => check::run(ctx, a, out),
        Command::List(a) => list::run(ctx, a, out),
        Command::Plan(a) => plan::run(ctx, a, out),
        Command::Impact(a) => impact::run(ctx, a, out),
        Command::Graph(a) => graph::run(ctx, a, out),
        Command::Runbook(a) => runbook::run(ctx, a, out),
        Command::Move(a) => moved::run(ctx, a, out),
        Command::Racks(a) => racks::run(ctx, a, out),
        Command::Completions(a) => man::completions(a.shell, out),
        Command::Man(a) => man::man(a, out),
        Command::Explain(a) => explain::run(a, out),
        Command::Bgp(BgpCommand::Status(a)) => bgp::status(ctx, a, out),
        Command::Bgp(BgpCommand::Render(a)) => bgp::render(ctx, a, out),
        Command::Import(ImportCommand::Netbox(a)) => import::netbox(ctx, a, out),
        Command::Bgp(BgpCommand::Verify(a)) => bgp_verify::run(ctx, a, out),
    }
}

/// Writes the output to stdout. A closed pipe (`dcplan list servers | head`) is a reader that
/// has seen enough, not a failure; any other write error (a full disk) is reported: `false`.
fn print_out(out: &str) -> bool {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(out.as_bytes()).and_then(|()| stdout.flush()) {
        Ok(()) => true,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => true,
        Err(e) => {
            eprintln!("error: cannot write to standard output: {e}");
            false
        }
    }
}

/// What every command shares: the global options.
pub(crate) struct Ctx {
    inventory: Option<PathBuf>,
    example: bool,
    /// `--device-types`: the library machines' `model` is looked up in.
    device_types: Option<PathBuf>,
    color: bool,
}

impl Ctx {
    /// Loads and checks the inventory: `dir` (of `check DIR`) or the global choice, searched
    /// next to `plan` first when the command reads one. Callers leave `options.device_types`
    /// unset: the library is `--device-types`, filled in here for every command alike.
    fn checked(
        &self,
        dir: Option<PathBuf>,
        plan: Option<&Path>,
        options: &crate::Options,
    ) -> Result<crate::Checked> {
        let named = dir.or_else(|| self.inventory.clone());
        let root = inventory::Search { named, example: self.example, plan }.root()?;
        let options = crate::Options { device_types: self.device_types()?, ..options.clone() };
        Ok(crate::check_loaded(load::load(root)?, &options))
    }

    /// The device-type library of `--device-types`, listed (its files are read when needed).
    fn device_types(&self) -> Result<Option<crate::devtype::Library>> {
        let Some(path) = &self.device_types else { return Ok(None) };
        crate::devtype::Library::open(path).map(Some).map_err(anyhow::Error::msg)
    }

    /// Loads and checks for a command that reads the model: errors are announced, not fatal.
    fn model(&self, options: &crate::Options) -> Result<crate::Checked> {
        let c = self.checked(None, None, options)?;
        if c.findings.iter().any(|f| f.severity == Severity::Error) {
            eprintln!("warning: the inventory has errors (run `dcplan check`); using what loaded");
        }
        Ok(c)
    }
}

/// Findings in the given format. `root` is the inventory they are about: SARIF and GitLab
/// name files from the repository around it.
fn render_findings(
    format: FindingsFormat,
    findings: &[Finding],
    sources: &Sources,
    root: &Root,
    color: bool,
) -> String {
    let prefix = || repository_prefix(root);
    match format {
        FindingsFormat::Human => rf::human(findings, sources, color),
        FindingsFormat::Json => rf::json(findings, sources),
        FindingsFormat::Github => rf::github(findings, sources),
        FindingsFormat::Sarif => sarif::sarif(findings, &sarif::RepoPaths { prefix: &prefix(), sources }),
        FindingsFormat::Gitlab => sarif::gitlab(findings, &sarif::RepoPaths { prefix: &prefix(), sources }),
    }
}

/// The current folder as seen from the repository root: the git work tree around the
/// inventory, else the current folder itself (an empty prefix).
fn repository_prefix(root: &Root) -> PathBuf {
    let Ok(cwd) = std::env::current_dir() else { return PathBuf::new() };
    let top = match root {
        Root::Disk(dir) => {
            let dir = cwd.join(dir);
            let dir =
                if dir.is_file() { dir.parent().map(Path::to_path_buf).unwrap_or_default() } else { dir };
            sarif::repository_root(&inventory::normalize(&dir))
        }
        Root::Embedded => None,
    };
    top.map(|t| inventory::relative_to(&cwd, &t)).unwrap_or_default()
}

/// Pretty JSON with a trailing newline.
fn to_json<T: serde::Serialize>(v: &T) -> Result<String> {
    let mut s = serde_json::to_string_pretty(v)?;
    s.push('\n');
    Ok(s)
}

/// "did you mean `x`?" in parentheses, or nothing.
fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    crate::diag::text::did_you_mean_suffix(name, candidates)
}
