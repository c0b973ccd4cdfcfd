//! rpki-client / Routinator ROA exports: any bytes give ROAs or findings, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    dcplan::fuzz::roa_json(data);
});
