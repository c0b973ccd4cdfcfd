//! dcplan command-line entry point: everything is in the library's `run`.

/// mimalloc: loading allocates many small strings and tables; it halves their cost.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    dcplan::run(std::env::args_os())
}
