//! rpki-client / Routinator ROA exports: any bytes give ROAs or findings, never a panic.
#![no_main]

use dcplan::fuzz::{Input, run};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    run(Input::RoaJson(data));
});
