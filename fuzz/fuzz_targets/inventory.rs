//! Inventory files: any bytes load to findings, never to a panic.
#![no_main]

use dcplan::fuzz::{Input, run};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    run(Input::Inventory(data));
});
