//! Entry points for the fuzz targets under `fuzz/`: each feeds outside bytes to one reader of
//! outside input, the way the commands do, and discards the result. Any panic is a bug; findings
//! and errors are the expected outcome of bad input.
//!
//! Kept apart from the public surface (hidden from the docs) so the readers themselves can stay
//! crate-private.

use crate::diag::Finding;
use crate::load;
use crate::source::Sources;

/// Inventory files: load, resolve and check one TOML file, with BGP and RPKI on the current state.
pub fn inventory(bytes: &[u8]) -> Vec<Finding> {
    crate::check_loaded(
        load::load_files(vec![("fuzz.toml".to_owned(), bytes.to_vec())]),
        &crate::Options::default(),
    )
    .findings
}

/// A plan file over an inventory (given as one TOML file): parse and validate the plan, and plan
/// when it is valid.
pub fn plan(inventory: &[u8], plan: &[u8]) {
    let files = vec![("inventory.toml".to_owned(), inventory.to_vec())];
    let mut checked = crate::check_loaded(load::load_files(files), &crate::Options::default());
    let file = checked.sources.add("plan.toml".to_owned(), String::from_utf8_lossy(plan).into_owned());
    let (spec, _) = crate::plan::spec::load(file, &checked.sources, &checked.inventory);
    if let Some(spec) = spec {
        let _ = crate::plan::plan(&checked, spec);
    }
}

/// An OpenBGPD `bgpd.conf`: tokenize, parse and interpret it (includes cannot be read), then
/// ask what it announces.
pub fn bgpd_conf(bytes: &[u8]) {
    let mut sources = Sources::new();
    let file = sources.add("bgpd.conf".to_owned(), String::from_utf8_lossy(bytes).into_owned());
    let conf = crate::bgp::conf::parse(file, &mut sources, &mut |_| Err("no includes here".to_owned()));
    let _ = conf.announced_to(64501);
}

/// An rpki-client / Routinator JSON export of ROAs.
pub fn roa_json(bytes: &[u8]) {
    let _ = crate::bgp::rpki::parse_export(crate::diag::FileId(0), &String::from_utf8_lossy(bytes));
}

/// NetBox exports: one endpoint's JSON (chosen by the first byte) read and mapped.
pub fn netbox_json(bytes: &[u8]) {
    let Some((&endpoint, rest)) = bytes.split_first() else { return };
    let _ = crate::import::netbox::fuzz_one(endpoint, rest);
}

/// A device-type file of the NetBox device-type library (YAML).
pub fn device_type_yaml(bytes: &[u8]) {
    let _ = crate::devtype::parse(&String::from_utf8_lossy(bytes));
}
