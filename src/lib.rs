//! dcplan: a datacenter inventory as TOML, checked; the move to a new datacenter, planned.
//!
//! Data flows one way: files -> [`load`] (raw spanned tables) -> [`resolve`] (the typed
//! [`model`]) -> [`check`] (findings) -> [`render`]. [`run`] is the whole program behind
//! `main`.

pub mod check;
pub mod cli;
pub mod diag;
pub mod graph;
pub mod load;
pub mod model;
pub mod net;
pub mod raw;
pub mod render;
pub mod resolve;
pub mod source;
pub mod synth;

#[cfg(test)]
pub(crate) mod testutil;

mod commands;

pub use commands::run;

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
}

/// Loads, resolves and checks an inventory.
pub fn check_inventory(root: load::Root) -> Result<Checked, load::LoadError> {
    Ok(check_loaded(load::load(root)?))
}

/// Resolves and checks what was loaded.
pub fn check_loaded(loaded: load::Loaded) -> Checked {
    let load::Loaded { root, sources, raw, mut findings } = loaded;
    let inventory = resolve::resolve(raw, &sources, &mut findings);
    // A file that did not parse declared objects we cannot see: references to them would all
    // be reported as unknown, burying the one real error.
    if findings.iter().any(|f| f.code == diag::Code::TomlSyntax) {
        findings.retain(|f| f.code != diag::Code::UnknownReference);
    }
    findings.extend(check::check(&inventory));
    diag::sort(&mut findings);
    Checked { root, sources, inventory, findings }
}
