//! Entry points for the fuzz targets under `fuzz/` (built with the `fuzz` feature only): each
//! feeds outside bytes to one reader of outside input, the way the commands do, and discards the
//! result. Any panic is a bug; findings and errors are the expected outcome of bad input.
//!
//! One function and one enum, so the readers themselves stay crate-private and the public
//! surface does not grow with every target.

use crate::load;
use crate::plan::advance;
use crate::source::Sources;

/// What a fuzz target feeds, and to which reader. `inventory` fields are a fixed inventory file
/// (TOML) the outside bytes refer to; `plan` fields a fixed or fuzzed plan file over it.
#[derive(Clone, Copy, Debug)]
pub enum Input<'a> {
    /// An inventory file: load, resolve and check it, with BGP and RPKI on the current state.
    Inventory(&'a [u8]),
    /// A plan file over an inventory: parse and validate the plan, and plan when it is valid.
    Plan {
        /// The inventory.
        inventory: &'a [u8],
        /// The plan file (fuzzed).
        plan: &'a [u8],
    },
    /// A plan JSON (`dcplan plan --format json`) handed back as `plan --previous` and as
    /// `move --executed` over an inventory and a plan: read, and for `move`, checked against
    /// the inventory and applied to the inventory's and the plan's text.
    PlanJson {
        /// The inventory.
        inventory: &'a [u8],
        /// The plan file the JSON is of.
        plan: &'a [u8],
        /// The plan JSON (fuzzed).
        json: &'a [u8],
    },
    /// An OpenBGPD `bgpd.conf`: tokenize, parse and interpret it (includes cannot be read),
    /// then ask what it announces.
    BgpdConf(&'a [u8]),
    /// `bgpctl -j show rib out` (first byte even) or `bgpctl -j show neighbor` (odd) of a
    /// router, compared with what the inventory expects of each of its machines, as `dcplan bgp
    /// verify` does.
    BgpctlJson {
        /// The inventory.
        inventory: &'a [u8],
        /// The selector byte, then the JSON (fuzzed).
        json: &'a [u8],
    },
    /// An rpki-client / Routinator JSON export of ROAs.
    RoaJson(&'a [u8]),
    /// NetBox exports: one endpoint's JSON (chosen by the first byte) read and mapped; every
    /// file the import would write must parse as TOML (outside text in a comment or a string
    /// must not break out of it).
    NetboxJson(&'a [u8]),
    /// A device-type file of the NetBox device-type library (YAML).
    DeviceTypeYaml(&'a [u8]),
}

/// Feeds one input to its reader.
pub fn run(input: Input<'_>) {
    match input {
        Input::Inventory(bytes) => drop(checked(bytes)),
        Input::Plan { inventory, plan } => plan_file(inventory, plan),
        Input::PlanJson { inventory, plan, json } => plan_json(inventory, plan, json),
        Input::BgpdConf(bytes) => bgpd_conf(bytes),
        Input::BgpctlJson { inventory, json } => bgpctl_json(inventory, json),
        Input::RoaJson(bytes) => {
            let _ = crate::bgp::rpki::parse_export(crate::diag::FileId(0), &lossy(bytes));
        }
        Input::NetboxJson(bytes) => netbox_json(bytes),
        Input::DeviceTypeYaml(bytes) => {
            let _ = crate::devtype::parse(&lossy(bytes));
        }
    }
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// One inventory file loaded, resolved and checked.
fn checked(inventory: &[u8]) -> crate::Checked {
    crate::check_loaded(
        load::load_files(vec![("inventory.toml".to_owned(), inventory.to_vec())]),
        &crate::Options::default(),
    )
}

/// The inventory checked and the plan file over it, when the plan is readable.
fn planned(inventory: &[u8], plan: &[u8]) -> (crate::Checked, Option<crate::plan::spec::Plan>) {
    let mut checked = checked(inventory);
    let file = checked.sources.add("plan.toml".to_owned(), lossy(plan));
    let (spec, _) = crate::plan::spec::load(file, &checked.sources, &checked.inventory);
    (checked, spec)
}

fn plan_file(inventory: &[u8], plan: &[u8]) {
    let (checked, spec) = planned(inventory, plan);
    if let Some(spec) = spec {
        let _ = crate::plan::plan(&checked, spec);
    }
}

fn plan_json(inventory: &[u8], plan: &[u8], json: &[u8]) {
    let (checked, Some(spec)) = planned(inventory, plan) else { return };
    let (inv, json) = (&checked.inventory, lossy(json));
    if let Ok(previous) = crate::plan::stable::Previous::parse(&json, "fuzz.json", inv, &spec) {
        for i in 0..inv.servers.len() {
            let _ = previous.night(crate::model::ServerId::from_ix(i));
        }
    }
    let plan_text = lossy(plan);
    for k in 1..=3 {
        let Ok(placed) = advance::executed(&json, "fuzz.json", inv, &spec, k) else { continue };
        if advance::verify(inv, &spec, &placed).is_err() {
            continue;
        }
        let _ = advance::edit_inventory(inv, &checked.sources, &spec, &placed);
        let moved: Vec<_> = placed.iter().map(|p| p.server).collect();
        let _ = advance::advance_plan(&plan_text, "plan.toml", &spec, inv, k, &moved);
    }
}

fn bgpd_conf(bytes: &[u8]) {
    let mut sources = Sources::new();
    let file = sources.add("bgpd.conf".to_owned(), lossy(bytes));
    let conf = crate::bgp::conf::parse(file, &mut sources, &mut |_| Err("no includes here".to_owned()));
    let _ = conf.announced_to(64501);
}

fn bgpctl_json(inventory: &[u8], bytes: &[u8]) {
    let Some((&which, json)) = bytes.split_first() else { return };
    let mut live = crate::bgp::live::Live::default();
    let json = lossy(json);
    let read = if which % 2 == 0 { live.rib_out(&json) } else { live.neighbors(&json) };
    if read.is_err() {
        return;
    }
    let checked = checked(inventory);
    let inv = &checked.inventory;
    let state = crate::bgp::State::current(inv);
    let engine = checked.engine(&[]);
    let expected = crate::bgp::live::Expected { state: &state, name: None };
    for i in 0..inv.servers.len() {
        let _ =
            crate::bgp::live::verify(&engine, expected, crate::model::ServerId::from_ix(i), &live, "fuzz");
    }
}

fn netbox_json(bytes: &[u8]) {
    let Some((&endpoint, rest)) = bytes.split_first() else { return };
    let Ok(files) = crate::import::netbox::fuzz_one(endpoint, rest) else { return };
    for (name, text) in files {
        if let Err(e) = toml::from_str::<toml::Table>(&text) {
            panic!("the import writes {name}, which is not TOML: {e}\n{text}");
        }
    }
}
