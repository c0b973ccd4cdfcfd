//! OpenBGPD configs: any bytes parse to statements and skipped-statement findings, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    dcplan::fuzz::bgpd_conf(data);
});
