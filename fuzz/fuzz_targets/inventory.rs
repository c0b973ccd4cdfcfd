//! Inventory files: any bytes load to findings, never to a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = dcplan::fuzz::inventory(data);
});
