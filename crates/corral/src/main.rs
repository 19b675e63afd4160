//! The `corral` command line: a thin layer that parses flags, calls the library
//! crates and maps their results to exit codes (docs/contracts.md, Exit codes).

mod bake;
mod bot;
mod cluster;
mod exec;
mod key;
mod mdbook;
mod run;
mod serve;
mod worker;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "corral",
    version,
    about = "Compile and run untrusted code in a kernel-level sandbox"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a command in the sandbox (read-only /usr, private /tmp and /work, no network).
    Exec(Box<exec::ExecArgs>),
    /// Serve the HTTP API (default 127.0.0.1:8000); bakes the default crates first if needed.
    Serve(Box<serve::ServeArgs>),
    /// Compile and run a Rust file (or a harness stub) in the sandbox.
    Run(Box<run::RunArgs>),
    /// Fetch the vetted crates and build them in the sandbox (default: stable, debug and release).
    Bake(bake::BakeArgs),
    /// Run the jobs of a cluster (`corral serve --cluster`) on this machine.
    Worker(Box<worker::WorkerArgs>),
    /// Operate a cluster: drop a worker's results, make a worker's nkey.
    #[command(subcommand)]
    Cluster(cluster::ClusterCommand),
    /// Chat bots that answer ?eval and ?play through a corral server's HTTP API.
    #[command(subcommand)]
    Bot(bot::BotCommand),
    /// Make the ed25519 key that signs bake archives (`corral bake --export --key`).
    #[command(subcommand)]
    Key(key::KeyCommand),
    /// Point an mdBook's runnable examples (its Run buttons) at a corral server.
    Mdbook(mdbook::MdbookArgs),
    /// Show which sandbox layers are active on this host (with --cluster: check the
    /// cluster instead).
    Doctor(serve::ClusterArgs),
}

/// The sandbox helper to start for each step: the small `corral-jail` installed next to
/// this binary when it is there (much cheaper to execute), else this binary itself
/// (which also answers as the helper).
pub fn helper() -> std::path::PathBuf {
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join("corral-jail")));
    match beside {
        Some(jail) if jail.is_file() => jail,
        _ => "/proc/self/exe".into(),
    }
}

fn main() -> ExitCode {
    // When started as the sandbox helper, this never returns.
    corral_sandbox::run_helper_if_requested();
    // Logging costs start-up time; it is set up only when asked for.
    if let Ok(filter) = tracing_subscriber::EnvFilter::try_from_env("CORRAL_LOG") {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    }
    // Usage errors exit 125 (corral's own error), --help and --version 0.
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 125 } else { 0 });
        }
    };
    let code = match cli.command {
        Command::Exec(args) => exec::run(*args),
        Command::Run(args) => run::run(*args),
        Command::Serve(args) => serve::run(*args),
        Command::Bake(args) => bake::run(args),
        Command::Worker(args) => worker::run(*args),
        Command::Cluster(command) => cluster::run(command),
        Command::Mdbook(args) => mdbook::run(args),
        Command::Bot(command) => bot::run(command),
        Command::Key(command) => key::run(command),
        Command::Doctor(c) if c.cluster.is_some() => cluster::doctor(&c),
        Command::Doctor(_) => doctor(),
    };
    match code {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("corral: {e:#}");
            ExitCode::from(125)
        }
    }
}

fn doctor() -> anyhow::Result<u8> {
    use corral_sandbox::doctor::{self, State};
    let checks = doctor::run(&helper());
    for c in &checks {
        let state = match c.state {
            State::Active => "active",
            State::Degraded => "degraded",
            State::Missing => "missing",
        };
        let req = if c.required { "required" } else { "tried" };
        println!("{:<18} {:<9} {:<9} {}", c.layer, state, req, c.detail);
    }
    if doctor::enforceable(&checks) {
        println!("\nThe default policy can be enforced on this host.");
        Ok(0)
    } else {
        println!(
            "\nThe default policy CANNOT be enforced: a required layer is missing (see above)."
        );
        Ok(1)
    }
}
