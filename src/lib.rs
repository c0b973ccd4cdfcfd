//! dcplan: a datacenter inventory as TOML, checked; the move to a new datacenter, planned.
//!
//! Data flows one way: files -> [`load`] (raw spanned tables) -> [`resolve`] (the typed
//! [`model`]) -> [`check`] (findings) -> [`render`]. [`run`] is the whole program behind
//! `main`; [`check_loaded`] and [`plan::plan`] are the library entry points for tests and
//! benchmarks.

mod app;
pub mod bgp;
pub mod check;
mod cli;
mod devtype;
pub mod diag;
#[cfg(feature = "fuzz")]
#[doc(hidden)]
pub mod fuzz;
mod graph;
mod impact;
mod import;
pub mod load;
pub mod model;
pub(crate) mod net;
mod num;
pub mod plan;
mod progress;
pub mod raw;
pub(crate) mod render;
pub mod resolve;
pub mod runbook;
pub mod source;
#[cfg(feature = "synth")]
pub mod synth;

#[cfg(test)]
pub(crate) mod testutil;

pub use app::run;

use diag::Finding;
use model::Inventory;
use source::Sources;

/// A loaded and checked inventory.
pub struct Checked {
    /// Where it came from.
    pub root: load::Root,
    /// File texts.
    pub sources: Sources,
    /// The model.
    pub inventory: Inventory,
    /// Every finding, sorted.
    pub findings: Vec<Finding>,
    /// What the BGP engine is built from.
    pub(crate) bgp: bgp::Inputs,
}

/// Options of a check beyond the inventory itself.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// An rpki-client / Routinator JSON export of ROAs.
    pub roas: Option<std::path::PathBuf>,
    /// Unix time before which ROAs must not expire (default: now).
    pub horizon: Option<i64>,
    /// The device-type library (`--device-types`): fills what machines with a `model` leave out.
    pub(crate) device_types: Option<devtype::Library>,
}

impl Checked {
    /// The BGP engine over this inventory, with optional temporary links.
    pub fn engine(&self, extra_links: &[Vec<model::SiteId>]) -> bgp::Engine<'_> {
        bgp::Engine::new(&self.inventory, self.bgp.announcements.clone(), &self.bgp.roas, extra_links)
    }
}

/// Loads, resolves and checks an inventory.
pub fn check_inventory(root: load::Root) -> Result<Checked, load::LoadError> {
    Ok(check_loaded(load::load(root)?, &Options::default()))
}

/// Resolves and checks what was loaded: inventory rules, then BGP and RPKI on the current state.
pub fn check_loaded(loaded: load::Loaded, options: &Options) -> Checked {
    let load::Loaded { root, mut sources, mut raw, mut findings } = loaded;
    if let Some(lib) = &options.device_types {
        devtype::fill(&mut raw, lib, &mut sources, &mut findings);
    }
    let inventory = resolve::resolve(raw, &sources, &mut findings);
    // A file that did not parse declared objects we cannot see: references to them would all
    // be reported as unknown, and the BGP state would miss machines or circuits, burying the one
    // real error under consequences.
    let gaps = diag::policy::Gaps::of(&findings);
    diag::policy::suppress_cascades(&mut findings, gaps);
    findings.extend(check::check(&inventory));
    let bgp = bgp::inputs(&inventory, &root, &mut sources, options.roas.as_deref(), &mut findings);
    let horizon = options.horizon.unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
    });
    let label = if options.horizon.is_some() { "the last move window" } else { "now" };
    findings.extend(bgp::expiring_roas(&bgp.roas, horizon, label));
    let engine = bgp::Engine::new(&inventory, bgp.announcements.clone(), &bgp.roas, &[]);
    if inventory.has_org() {
        findings.extend(engine.static_findings());
    }
    if !gaps.incomplete() && inventory.bgp_complete() {
        findings.extend(engine.evaluate(&bgp::State::current(&inventory)));
    }
    drop(engine);
    diag::sort(&mut findings);
    Checked { root, sources, inventory, findings, bgp }
}
