//! `cargo run -p plugsmith_runner --example run -- PATH [options]`: the `plugsmith run` command
//! without the main binary (for trying the runner on its own).
use clap::Parser;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: plugsmith_runner::RunArgs,
}

fn main() -> std::process::ExitCode {
    plugsmith_runner::run_command(Cli::parse().args)
}
