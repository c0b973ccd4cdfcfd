//! dcplan command-line entry point: parse, run, exit.

use std::process::ExitCode;

use clap::Parser;

/// mimalloc: loading allocates many small strings and tables; it halves their cost.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    ExitCode::from(dcplan::run(dcplan::cli::Cli::parse()))
}
