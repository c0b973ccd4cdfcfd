//! The command line (clap derive). The `///` comments are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Plan a datacenter move from a declarative inventory kept in git.
#[derive(Debug, Parser)]
#[command(name = "dcplan", version, about, long_about = None)]
pub(crate) struct Cli {
    /// The inventory folder. Default: an `inventory/` folder next to the plan file or above it,
    /// else in the current folder or above it; none found is an error.
    #[arg(long, global = true, value_name = "DIR")]
    pub(crate) inventory: Option<PathBuf>,

    /// Use the example inventory built into dcplan (a hosting collective moving datacenters),
    /// to try the commands without an inventory of your own.
    #[arg(long, global = true, conflicts_with = "inventory")]
    pub(crate) example: bool,

    /// A checkout of the NetBox device-type library (YAML files under
    /// `device-types/<Manufacturer>/`): machines with `model = "manufacturer/model"` get the
    /// height, power_w, psus and weight_kg they do not write from their type.
    #[arg(long, global = true, value_name = "PATH")]
    pub(crate) device_types: Option<PathBuf>,

    /// When to colour output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub(crate) color: ColorChoice,

    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Colour choice; `auto` colours only a terminal, and never when NO_COLOR is set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    /// On a terminal without NO_COLOR.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Output format of findings (`check`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum FindingsFormat {
    /// For people: messages with source snippets.
    Human,
    /// For programs: `{"findings": [...], "summary": {...}}` (see docs/json.md).
    Json,
    /// GitHub workflow annotations (`::error file=...`).
    Github,
    /// SARIF 2.1.0, for GitHub code scanning (paths from the repository root).
    Sarif,
    /// GitLab Code Quality report (paths from the repository root).
    Gitlab,
}

/// Output format of a report (plan, impact, tables).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ReportFormat {
    /// For people.
    Human,
    /// For programs (see docs/json.md).
    Json,
}

impl From<ReportFormat> for FindingsFormat {
    /// A report that fails prints its findings in the matching findings format.
    fn from(f: ReportFormat) -> FindingsFormat {
        match f {
            ReportFormat::Human => FindingsFormat::Human,
            ReportFormat::Json => FindingsFormat::Json,
        }
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Load and validate the inventory; exit 0 (clean), 1 (errors) or 2 (unreadable input).
    Check(CheckArgs),
    /// Order the move into batches, place machines at the destination, check every state.
    Plan(PlanArgs),
    /// What goes down, directly and through dependencies, if these machines are off.
    Impact(ImpactArgs),
    /// Services and machines with their dependencies, by site (and by batch with --plan).
    Graph(GraphArgs),
    /// Write the move-night runbooks (Markdown) of a plan.
    Runbook(RunbookArgs),
    /// Record that a night happened: its machines' site/rack/unit in the inventory files, and
    /// the plan file advanced to the next night (comments and layout kept).
    Move(MoveArgs),
    /// Print the inventory as tables.
    List(ListArgs),
    /// Draw rack elevations (front views) as SVG, one file per rack; with a plan, at a state.
    Racks(RacksArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(CompletionsArgs),
    /// Print a man page (roff), or write every page into a folder with --out.
    Man(ManArgs),
    /// Explain a finding code (or list them all).
    Explain(ExplainArgs),
    /// BGP: announcement status, router configs from the inventory, and what the routers really send.
    #[command(subcommand)]
    Bgp(BgpCommand),
    /// Import inventory files from other tools (NetBox).
    #[command(subcommand)]
    Import(ImportCommand),
}

/// `dcplan import ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum ImportCommand {
    /// NetBox REST data (a folder of exports, or --url) -> DIR/netbox/*.toml.
    Netbox(ImportNetboxArgs),
}

/// `dcplan import netbox`.
#[derive(Debug, Args)]
pub(crate) struct ImportNetboxArgs {
    /// A folder of NetBox REST exports, one `<app>_<endpoint>.json` per endpoint.
    #[arg(value_name = "SRC", required_unless_present = "url", conflicts_with = "url")]
    pub(crate) src: Option<PathBuf>,
    /// A NetBox base URL (with or without /api); the API token is read from NETBOX_TOKEN.
    #[arg(long, value_name = "URL")]
    pub(crate) url: Option<String>,
    /// The inventory folder to write into: the files go to DIR/netbox/.
    #[arg(long, value_name = "DIR")]
    pub(crate) out: PathBuf,
    /// Output format of the import report.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub(crate) format: ReportFormat,
}

/// `dcplan bgp ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum BgpCommand {
    /// Per own prefix: carrying upstreams, most specific announcement, where it lands, RPKI.
    Status(BgpStatusArgs),
    /// Print a router's OpenBGPD config (bgpd.conf) from the inventory, or with --fragment only
    /// its announcement lines.
    Render(BgpRenderArgs),
    /// Compare what the routers really send (bgpctl JSON) with what the inventory expects.
    Verify(BgpVerifyArgs),
}

/// `dcplan bgp verify`.
#[derive(Debug, Args)]
pub(crate) struct BgpVerifyArgs {
    /// A router's `bgpctl -j show rib out` output: ROUTER=FILE (`-` for standard input); repeat
    /// for each router.
    #[arg(long = "rib-out", value_name = "ROUTER=FILE", required = true)]
    pub(crate) rib_out: Vec<String>,
    /// A router's `bgpctl -j show neighbor` output: ROUTER=FILE. Needed to judge sessions
    /// (bgp-session-down) and to find the sessions of circuits without `neighbor` (by the
    /// upstream's AS).
    #[arg(long, value_name = "ROUTER=FILE")]
    pub(crate) neighbors: Vec<String>,
    /// Compare with a state of this plan rather than the inventory as it is (with --state).
    #[arg(long, value_name = "PLAN", requires = "state")]
    pub(crate) plan: Option<PathBuf>,
    /// The state of the plan, named as in the plan's JSON: `before`, `during K` or `after K`.
    #[arg(long, value_name = "STATE", requires = "plan")]
    pub(crate) state: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FindingsFormat::Human)]
    pub(crate) format: FindingsFormat,
}

/// `dcplan bgp status`.
#[derive(Debug, Args)]
pub(crate) struct BgpStatusArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub(crate) format: ReportFormat,
    /// ROA export to add (as for `check`).
    #[arg(long, value_name = "FILE")]
    pub(crate) roas: Option<PathBuf>,
}

/// `dcplan bgp render`.
#[derive(Debug, Args)]
pub(crate) struct BgpRenderArgs {
    /// The router's server id.
    pub(crate) router: String,
    /// Only the announcement lines (prefix-sets, networks, `allow to group` rules), for an
    /// existing config whose groups are named after the upstream ids.
    #[arg(long)]
    pub(crate) fragment: bool,
}

/// `dcplan check`.
#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// The inventory folder (same as --inventory, which it excludes).
    #[arg(value_name = "DIR", conflicts_with_all = ["inventory", "example"])]
    pub(crate) dir: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FindingsFormat::Human)]
    pub(crate) format: FindingsFormat,
    /// Treat warnings as errors.
    #[arg(long)]
    pub(crate) deny_warnings: bool,
    /// ROAs from an rpki-client (`-j`) or Routinator (`--format json`) export, added to `[[roa]]`.
    #[arg(long, value_name = "FILE")]
    pub(crate) roas: Option<PathBuf>,
}

/// `dcplan plan`.
#[derive(Debug, Args)]
pub(crate) struct PlanArgs {
    /// The plan file.
    pub(crate) plan: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub(crate) format: ReportFormat,
    /// For each machine, the rule that put it in its batch.
    #[arg(long)]
    pub(crate) explain: bool,
    /// ROA export to add (as for `check`).
    #[arg(long, value_name = "FILE")]
    pub(crate) roas: Option<PathBuf>,
    /// An earlier `dcplan plan --format json` of this plan: keep machines in their nights where
    /// the rules allow, and report the ones that change.
    #[arg(long, value_name = "OLD.json")]
    pub(crate) previous: Option<PathBuf>,
}

/// `dcplan completions`.
#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub(crate) shell: clap_complete::Shell,
}

/// `dcplan man`.
#[derive(Debug, Args)]
pub(crate) struct ManArgs {
    /// The subcommand whose page to print (`check`, `bgp status`); none: the main page.
    #[arg(value_name = "COMMAND")]
    pub(crate) command: Vec<String>,
    /// Write the page of dcplan and of every subcommand (dcplan.1, dcplan-check.1, ...) here.
    #[arg(long, value_name = "DIR", conflicts_with = "command")]
    pub(crate) out: Option<PathBuf>,
    /// Replace pages that exist already.
    #[arg(long, requires = "out")]
    pub(crate) force: bool,
}

/// `dcplan runbook`.
#[derive(Debug, Args)]
pub(crate) struct RunbookArgs {
    /// The plan file.
    pub(crate) plan: PathBuf,
    /// The folder to write README.md and batch-NN.md into.
    #[arg(long, value_name = "DIR")]
    pub(crate) out: PathBuf,
    /// Replace runbook files that exist already.
    #[arg(long)]
    pub(crate) force: bool,
}

/// `dcplan move`.
#[derive(Debug, Args)]
pub(crate) struct MoveArgs {
    /// The plan file (advanced in place: first_window, pins, not_before).
    pub(crate) plan: PathBuf,
    /// The night that happened (from 1).
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) batch: u32,
    /// The plan JSON the crew followed that night (`dcplan plan --format json`); without it,
    /// the plan as computed now.
    #[arg(long, value_name = "PLAN.json")]
    pub(crate) executed: Option<PathBuf>,
    /// Print the changes as a unified diff; write nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
}

/// `dcplan racks`.
#[derive(Debug, Args)]
pub(crate) struct RacksArgs {
    /// Only the racks of this site.
    #[arg(long, value_name = "SITE")]
    pub(crate) site: Option<String>,
    /// Only this rack (repeat for more).
    #[arg(long = "rack", value_name = "RACK")]
    pub(crate) racks: Vec<String>,
    /// Show the racks at a state of this plan (with --state).
    #[arg(long, value_name = "PLAN", requires = "state")]
    pub(crate) plan: Option<PathBuf>,
    /// The state, named as in the plan's JSON: `before`, `during K` or `after K`.
    #[arg(long, value_name = "STATE", requires = "plan")]
    pub(crate) state: Option<String>,
    /// The folder to write RACK.svg files into.
    #[arg(long, value_name = "DIR")]
    pub(crate) out: PathBuf,
    /// Replace files that exist already.
    #[arg(long)]
    pub(crate) force: bool,
}

/// Graph output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum GraphFormat {
    /// Graphviz DOT.
    Dot,
    /// Mermaid flowchart (GitHub renders it).
    Mermaid,
}

/// `dcplan graph`.
#[derive(Debug, Args)]
pub(crate) struct GraphArgs {
    /// Colour machines by the batch this plan puts them in.
    #[arg(long, value_name = "PLAN")]
    pub(crate) plan: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    pub(crate) format: GraphFormat,
}

/// `dcplan impact`.
#[derive(Debug, Args)]
pub(crate) struct ImpactArgs {
    /// Machines (servers or vms) that are off.
    #[arg(value_name = "MACHINE", required_unless_present_any = ["feed", "side"], conflicts_with_all = ["feed", "side"])]
    pub(crate) machines: Vec<String>,
    /// A power feed that trips: what goes dark, and what goes down with it.
    #[arg(long, value_name = "FEED", conflicts_with_all = ["side", "rack"])]
    pub(crate) feed: Option<String>,
    /// A whole side of a rack's power that fails (with --rack).
    #[arg(long, value_enum, requires = "rack")]
    pub(crate) side: Option<PowerSide>,
    /// The rack whose side fails (with --side).
    #[arg(long, value_name = "RACK", requires = "side")]
    pub(crate) rack: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub(crate) format: ReportFormat,
}

/// A redundancy side of a rack's power.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum PowerSide {
    /// The A side.
    A,
    /// The B side.
    B,
}

/// What `dcplan list` lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ListWhat {
    /// Machines.
    Servers,
    /// Services.
    Services,
    /// Own IP space.
    Prefixes,
    /// BGP sessions.
    Circuits,
    /// Racks and their occupancy.
    Racks,
    /// Power feeds: load normally, on the loss of the other side, and capacity.
    Feeds,
}

/// `dcplan list`.
#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// What to list.
    #[arg(value_enum)]
    pub(crate) what: ListWhat,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub(crate) format: ReportFormat,
}

/// `dcplan explain`.
#[derive(Debug, Args)]
pub(crate) struct ExplainArgs {
    /// A finding code such as `ip-duplicate`; without one, every code is listed.
    pub(crate) code: Option<String>,
}
