//! Plan files over a small inventory: any bytes give findings or a plan, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// Two sites, a few machines, services with replicas and dependencies: enough for every plan
/// field to refer to something.
const INVENTORY: &[u8] = include_bytes!("../inventory.toml");

fuzz_target!(|data: &[u8]| {
    dcplan::fuzz::plan(INVENTORY, data);
});
