//! dcplan command-line entry point: parse, run, exit.
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    ExitCode::from(dcplan::run(dcplan::cli::Cli::parse()))
}
