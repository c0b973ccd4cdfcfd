//! `bgpctl -j` output for `dcplan bgp verify`: the first byte picks `show rib out` (even) or
//! `show neighbor` (odd), the rest is the JSON; any bytes give an error or findings, never a
//! panic.
#![no_main]

use dcplan::fuzz::{Input, run};
use libfuzzer_sys::fuzz_target;

/// A router with circuits at two sites (the one of tests/cmd/bgp/verify-plan).
const INVENTORY: &[u8] = include_bytes!("../fixtures/bgp-inventory.toml");

fuzz_target!(|data: &[u8]| {
    run(Input::BgpctlJson { inventory: INVENTORY, json: data });
});
