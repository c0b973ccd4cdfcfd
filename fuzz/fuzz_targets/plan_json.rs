//! Plan JSON handed back (`plan --previous`, `move --executed`): any bytes give a clear refusal
//! or a reading (and, for `move`, edits of the inventory and the plan), never a panic.
#![no_main]

use dcplan::fuzz::{Input, run};
use libfuzzer_sys::fuzz_target;

/// A small move (the one of tests/cmd/move): its machines, racks and plan name are what a plan
/// JSON must name to get past the first checks.
const INVENTORY: &[u8] = include_bytes!("../fixtures/move-inventory.toml");
const PLAN: &[u8] = include_bytes!("../fixtures/move-plan.toml");

fuzz_target!(|data: &[u8]| {
    run(Input::PlanJson { inventory: INVENTORY, plan: PLAN, json: data });
});
