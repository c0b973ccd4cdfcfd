//! NetBox exports: the first byte picks the endpoint, the rest is its JSON; any bytes give a
//! clear error or an import, never a panic.
#![no_main]

use dcplan::fuzz::{Input, run};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    run(Input::NetboxJson(data));
});
