//! OpenBGPD configs: any bytes parse to statements and skipped-statement findings, never a panic.
#![no_main]

use dcplan::fuzz::{Input, run};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    run(Input::BgpdConf(data));
});
