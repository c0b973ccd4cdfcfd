//! Plan files over a small inventory: any bytes give findings or a plan, never a panic.
#![no_main]

use dcplan::fuzz::{Input, run};
use libfuzzer_sys::fuzz_target;

/// Two sites, a few machines, services with replicas and dependencies: enough for every plan
/// field to refer to something.
const INVENTORY: &[u8] = include_bytes!("../fixtures/plan-inventory.toml");

fuzz_target!(|data: &[u8]| {
    run(Input::Plan { inventory: INVENTORY, plan: data });
});
