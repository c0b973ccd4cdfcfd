//! Device-type YAML files: any bytes give a device type or an error with its place, never a
//! panic.
#![no_main]

use dcplan::fuzz::{Input, run};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    run(Input::DeviceTypeYaml(data));
});
