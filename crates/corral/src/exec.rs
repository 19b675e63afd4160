//! `corral exec`: any command in the sandbox, with the default root (docs/cli.md, `corral exec`).

use anyhow::Context;
use clap::Args;
use corral_sandbox::{Ablation, Policy, Sandbox, Stream, parse_duration, parse_size};
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Args, Debug)]
pub struct ExecArgs {
    /// Memory limit, e.g. 256M (swap is not allowed).
    #[arg(long, value_parser = parse_size)]
    memory: Option<u64>,
    /// Processes and threads alive at once.
    #[arg(long)]
    pids: Option<u64>,
    /// Wall-clock limit, e.g. 10s.
    #[arg(long, value_parser = parse_duration)]
    time: Option<Duration>,
    /// CPU-time limit of all processes together, e.g. 5s.
    #[arg(long = "cpu-time", value_parser = parse_duration)]
    cpu_time: Option<Duration>,
    /// Bytes kept of each of stdout and stderr; more stops the command.
    #[arg(long, value_parser = parse_size)]
    output: Option<u64>,
    /// Size of the private tmpfs holding /tmp, /work and /dev/shm.
    #[arg(long, value_parser = parse_size)]
    tmpfs: Option<u64>,
    /// Inodes of that tmpfs (files and directories).
    #[arg(long)]
    inodes: Option<u64>,
    /// Largest file the command may write.
    #[arg(long = "file-size", value_parser = parse_size)]
    file_size: Option<u64>,
    /// Open files per process.
    #[arg(long = "open-files")]
    open_files: Option<u64>,
    /// Bind a host path read-only: PATH or PATH:DEST.
    #[arg(long = "ro", value_name = "PATH[:DEST]")]
    ro: Vec<String>,
    /// Bind a host path writable: PATH or PATH:DEST.
    #[arg(long = "rw", value_name = "PATH[:DEST]")]
    rw: Vec<String>,
    /// Add an environment variable.
    #[arg(long = "env", value_name = "KEY=VALUE")]
    env: Vec<String>,
    /// Working directory inside the sandbox (default /work).
    #[arg(long)]
    cwd: Option<PathBuf>,
    /// Turn address-space randomisation off: the same command lays out its memory
    /// (and prints its addresses) identically on every run.
    #[arg(long = "no-aslr")]
    no_aslr: bool,
    /// Switch one layer off (seccomp, landlock, cgroups) to test that the others hold. Testing only.
    #[arg(long, hide = true, value_parser = ["seccomp", "landlock", "cgroups"])]
    ablate: Vec<String>,
    /// Print the outcome as JSON instead of passing the output through.
    #[arg(long)]
    json: bool,
    /// The command and its arguments.
    #[arg(last = true, required = true, value_name = "COMMAND")]
    command: Vec<String>,
}

fn split_bind(spec: &str) -> (PathBuf, PathBuf) {
    match spec.split_once(':') {
        Some((src, dest)) if !dest.is_empty() => (src.into(), dest.into()),
        _ => (
            spec.trim_end_matches(':').into(),
            spec.trim_end_matches(':').into(),
        ),
    }
}

pub fn policy_from(args: &ExecArgs) -> anyhow::Result<Policy> {
    let mut p = Policy::default();
    let l = &mut p.limits;
    if let Some(v) = args.memory {
        l.memory = v
    }
    if let Some(v) = args.pids {
        l.pids = v
    }
    if let Some(v) = args.time {
        l.wall = v
    }
    if let Some(v) = args.cpu_time {
        l.cpu = v
    }
    if let Some(v) = args.output {
        l.output = v
    }
    if let Some(v) = args.tmpfs {
        l.tmpfs = v
    }
    if let Some(v) = args.inodes {
        l.inodes = v
    }
    if let Some(v) = args.file_size {
        l.file_size = v
    }
    if let Some(v) = args.open_files {
        l.open_files = v
    }
    // Without an explicit CPU limit, CPU time may use the whole wall-clock budget.
    if args.cpu_time.is_none() {
        p.limits.cpu = p.limits.wall;
    }
    for (spec, writable) in args
        .ro
        .iter()
        .map(|s| (s, false))
        .chain(args.rw.iter().map(|s| (s, true)))
    {
        let (src, dest) = split_bind(spec);
        p.bind(src, dest, writable);
    }
    for kv in &args.env {
        let (k, v) = kv
            .split_once('=')
            .with_context(|| format!("--env {kv:?}: expected KEY=VALUE"))?;
        p.set_env(k, v);
    }
    if let Some(cwd) = &args.cwd {
        p.cwd = cwd.clone();
    }
    p.aslr = !args.no_aslr;
    Ok(p)
}

pub fn run(args: ExecArgs) -> anyhow::Result<u8> {
    let policy = policy_from(&args)?;
    let ablation = Ablation {
        seccomp: args.ablate.iter().any(|a| a == "seccomp"),
        landlock: args.ablate.iter().any(|a| a == "landlock"),
        cgroups: args.ablate.iter().any(|a| a == "cgroups"),
    };
    if !args.ablate.is_empty() {
        eprintln!(
            "corral: WARNING: layers switched off for testing: {}",
            args.ablate.join(", ")
        );
    }
    let sandbox = Sandbox::new(crate::helper())?.with_ablation(ablation);
    let mut child = sandbox.spawn(&policy, &args.command, !args.json)?;
    // stdin is a pipe: forward ours unless it is a terminal (then the command sees EOF).
    if let Some(mut pipe) = child.stdin.take()
        && !std::io::stdin().is_terminal()
    {
        std::thread::spawn(move || {
            let mut buf = [0u8; 16 << 10];
            let mut input = std::io::stdin().lock();
            while let Ok(n) = input.read(&mut buf) {
                if n == 0 || pipe.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        });
    }
    if !args.json {
        for chunk in child.output().iter() {
            let _ = match chunk.stream {
                Stream::Stdout => std::io::stdout()
                    .write_all(&chunk.data)
                    .and_then(|_| std::io::stdout().flush()),
                Stream::Stderr => std::io::stderr().write_all(&chunk.data),
            };
        }
    }
    let outcome = child.wait();
    if args.json {
        println!("{}", serde_json::to_string(&outcome)?);
        return Ok(0);
    }
    if let Some(e) = &outcome.error {
        eprintln!("corral: {e}");
    }
    if let Some(limit) = outcome.limit {
        eprintln!("corral: {:?} ({:?} limit)", outcome.status, limit);
    }
    Ok(outcome.exit_code_for_cli().clamp(0, 255) as u8)
}
