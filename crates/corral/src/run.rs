//! `corral run`: compile and run a Rust file in the sandbox (docs/cli.md, `corral run`).

use anyhow::Context;
use clap::Args;
use corral_rust::config::StepLimits;
use corral_rust::pipeline::{Pipeline, Progress};
use corral_rust::request::{BuildMode, CrateType, Edition, LimitRequest, Request, TimeMode};
use corral_rust::result::Stream;
use corral_sandbox::{Sandbox, parse_duration, parse_size};
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Harness the file is a stub for (bin, expr, test, doctest, rocket-request).
    #[arg(long, default_value = "bin")]
    harness: String,
    /// Harness argument; repeat a key for a list (e.g. --arg header='X-A: 1').
    #[arg(long = "arg", value_name = "KEY=VALUE")]
    args: Vec<String>,
    /// stable, beta, nightly, or a version such as 1.95.0.
    #[arg(long, default_value = "stable")]
    channel: String,
    /// 2015, 2018, 2021 or 2024.
    #[arg(long, default_value = "2024")]
    edition: String,
    /// debug or release.
    #[arg(long, default_value = "debug")]
    mode: String,
    /// bin or lib (lib: compile only).
    #[arg(long = "crate-type", default_value = "bin")]
    crate_type: String,
    /// A file whose contents are the program's standard input.
    #[arg(long)]
    stdin: Option<PathBuf>,
    /// Wall-clock limit of the program (can only lower the configured one).
    #[arg(long, value_parser = parse_duration)]
    time: Option<Duration>,
    /// Memory limit of the program (can only lower the configured one).
    #[arg(long, value_parser = parse_size)]
    memory: Option<u64>,
    /// Output kept per stream (can only lower the configured one).
    #[arg(long, value_parser = parse_size)]
    output: Option<u64>,
    /// Real time instead of virtual time (virtual: sleeps return at once, time starts
    /// at 2015-05-15T00:00:00Z, randomness is seeded, output is timed).
    #[arg(long = "real-time")]
    real_time: bool,
    /// Seeds the program's randomness under virtual time.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// RUST_BACKTRACE=1 and line tables, for readable panics.
    #[arg(long)]
    backtrace: bool,
    /// Print the result as JSON (docs/contracts.md, Rust result).
    #[arg(long)]
    json: bool,
    /// Limits configuration (TOML); also CORRAL_CONFIG.
    #[arg(long, env = "CORRAL_CONFIG")]
    config: Option<PathBuf>,
    /// The Rust file, or - for standard input.
    file: String,
    /// Arguments for the program.
    #[arg(last = true)]
    program_args: Vec<String>,
}

fn harness_args(pairs: &[String]) -> anyhow::Result<serde_json::Map<String, serde_json::Value>> {
    use serde_json::Value;
    let mut map = serde_json::Map::new();
    for kv in pairs {
        let (k, v) = kv
            .split_once('=')
            .with_context(|| format!("--arg {kv:?}: expected KEY=VALUE"))?;
        match map.get_mut(k) {
            Some(Value::Array(list)) => list.push(Value::String(v.into())),
            Some(first) => *first = Value::Array(vec![first.clone(), Value::String(v.into())]),
            None => {
                map.insert(k.into(), Value::String(v.into()));
            }
        }
    }
    Ok(map)
}

pub fn run(args: RunArgs) -> anyhow::Result<u8> {
    let code = if args.file == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("reading the program from stdin")?;
        s
    } else {
        std::fs::read_to_string(&args.file).with_context(|| format!("reading {}", args.file))?
    };
    let stdin = match &args.stdin {
        Some(p) => std::fs::read(p).with_context(|| format!("reading --stdin {}", p.display()))?,
        None => vec![],
    };
    let request = Request {
        code,
        extra_files: vec![],
        harness: args.harness.clone(),
        args: harness_args(&args.args)?,
        channel: args.channel.clone(),
        edition: Edition::parse(&args.edition)?,
        mode: BuildMode::parse(&args.mode)?,
        crate_type: CrateType::parse(&args.crate_type)?,
        stdin,
        argv: args.program_args.clone(),
        backtrace: args.backtrace,
        compile_limits: LimitRequest::default(),
        run_limits: LimitRequest {
            wall: args.time,
            memory: args.memory,
            output: args.output,
        },
        time: if args.real_time {
            TimeMode::Real
        } else {
            TimeMode::Virtual
        },
        seed: args.seed,
        compile_only: false,
        color: !args.json && std::io::stderr().is_terminal(),
        tool: None,
    };
    let limits =
        StepLimits::load(args.config.as_deref(), std::env::vars()).map_err(anyhow::Error::msg)?;
    let sandbox = Sandbox::new(crate::helper())?;
    let toolchains = corral_rust::toolchain::discover(&corral_rust::toolchain::rustup_home());
    // SAFETY: geteuid has no preconditions.
    let uid = unsafe { libc::geteuid() };
    let work_root = std::env::temp_dir().join(format!("corral-work-{uid}"));
    let pipeline = Pipeline::new(
        sandbox,
        toolchains,
        limits,
        corral_rust::bake::default_store(),
        work_root,
    );
    // Output is shown as it comes, unless the harness rewrites it (then at the end).
    let live = !corral_rust::harness::find(&args.harness).is_some_and(|h| h.rewrites_stdout());
    let json = args.json;
    let result = pipeline.run(&request, &mut |p| {
        if json {
            return;
        }
        match p {
            Progress::Compiled { stderr, .. } => {
                let _ = std::io::stderr().write_all(stderr.as_bytes());
            }
            Progress::Output { stream, data } if live => {
                let _ = match stream {
                    Stream::Stdout => std::io::stdout()
                        .write_all(&data)
                        .and_then(|_| std::io::stdout().flush()),
                    Stream::Stderr => std::io::stderr().write_all(&data),
                };
            }
            Progress::Output { .. } | Progress::Started => {}
        }
    })?;
    if json {
        println!("{}", serde_json::to_string(&result)?);
        return Ok(0);
    }
    if let (false, Some(run)) = (live, &result.run) {
        print!("{}", run.stdout);
        eprint!("{}", run.stderr);
        println!("{}", serde_json::to_string_pretty(&run.harness)?);
    }
    if let Some(e) = &result.error {
        eprintln!("corral: {e}");
    }
    if let Some(limit) = result.limit {
        eprintln!(
            "corral: {:?} in the {:?} step ({:?} limit)",
            result.status, result.step, limit
        );
    }
    Ok(result.exit_code_for_cli().clamp(0, 255) as u8)
}
