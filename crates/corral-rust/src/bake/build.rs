//! The build: `cargo build` of the crate list, offline in the sandbox, and what it
//! printed.

use super::fetch::Plan;
use super::{BAKE_MOUNT, BakeError, BakeMode, push_tail};
use crate::toolchain::{TOOLCHAIN_MOUNT, Toolchain};
use corral_sandbox::{Network, Policy, Sandbox, Status};
use serde_json::Value;
use std::collections::{BTreeSet, VecDeque};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where the fetched sources appear inside the build's sandbox.
pub const CARGO_HOME_MOUNT: &str = "/cargo-home";

/// What the build printed that matters.
#[derive(Debug, Default)]
pub(super) struct BuildLog {
    /// package id → (target kinds, files) of each library artifact.
    pub(super) artifacts: Vec<(String, Vec<String>, Vec<PathBuf>)>,
    /// `-L` paths of build scripts (`native=/bake/…`).
    pub(super) linked_paths: BTreeSet<String>,
    /// What the build used: CPU time and peak memory.
    pub(super) cpu_ms: u64,
    pub(super) memory_bytes: u64,
}

impl BuildLog {
    pub(super) fn take_line(&mut self, line: &str) {
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            return;
        };
        match v["reason"].as_str() {
            Some("compiler-artifact") => {
                let kinds: Vec<String> = v["target"]["kind"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|k| k.as_str().map(String::from))
                    .collect();
                let files = v["filenames"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|f| f.as_str().map(PathBuf::from))
                    .collect();
                if let Some(id) = v["package_id"].as_str() {
                    self.artifacts.push((id.into(), kinds, files));
                }
            }
            Some("build-script-executed") => {
                for p in v["linked_paths"].as_array().into_iter().flatten() {
                    if let Some(p) = p.as_str() {
                        self.linked_paths.insert(p.into());
                    }
                }
            }
            _ => {}
        }
    }
}

/// The inside-sandbox deps dirs: the target's (with `--target`), then the host's.
pub(super) fn deps_dirs(host: &str, mode: BakeMode) -> [PathBuf; 2] {
    let target = Path::new(BAKE_MOUNT).join("target");
    [
        target.join(host).join(mode.as_str()).join("deps"),
        target.join(mode.as_str()).join("deps"),
    ]
}

/// The sandbox policy of the build step.
pub fn build_policy(toolchain: &Toolchain, cargo_home: &Path, bake_dir: &Path) -> Policy {
    let jobs = std::thread::available_parallelism()
        .map(|n| n.get() as u64)
        .unwrap_or(1)
        .min(8);
    let mut p = Policy {
        network: Network::Off,
        cwd: Path::new(BAKE_MOUNT).join("vetted"),
        // Root mode: the build's own host id owns the bake dir while it runs.
        hand_over_writable: true,
        ..Policy::default()
    };
    p.bind(&toolchain.path, TOOLCHAIN_MOUNT, false)
        .bind(cargo_home, CARGO_HOME_MOUNT, false)
        .bind(bake_dir, BAKE_MOUNT, true);
    let bin = format!("{TOOLCHAIN_MOUNT}/bin");
    p.set_env("PATH", &format!("{bin}:/usr/local/bin:/usr/bin:/bin"))
        .set_env("CARGO_HOME", CARGO_HOME_MOUNT)
        .set_env("CARGO_TARGET_DIR", &format!("{BAKE_MOUNT}/target"))
        .set_env("RUSTC", &format!("{bin}/rustc"))
        .set_env("TMPDIR", &format!("{BAKE_MOUNT}/tmp"))
        .set_env("CARGO_BUILD_JOBS", &jobs.to_string())
        .set_env("CARGO_INCREMENTAL", "0")
        .set_env("CARGO_TERM_COLOR", "never");
    let l = &mut p.limits;
    l.wall = Duration::from_secs(30 * 60);
    l.cpu = l.wall * jobs as u32;
    l.cpu_millis = jobs * 1000;
    l.memory = (4 << 30) + jobs * (512 << 20);
    l.pids = 512;
    l.output = 64 << 20;
    l.file_size = 4 << 30;
    l.tmpfs = 256 << 20;
    l.inodes = 65536;
    l.open_files = 4096;
    p
}

pub(super) fn build_in_sandbox(
    sandbox: &Sandbox,
    toolchain: &Toolchain,
    cargo_home: &Path,
    dir: &Path,
    mode: BakeMode,
    plan: &Plan,
    progress: &mut dyn FnMut(&str),
) -> Result<BuildLog, BakeError> {
    let policy = build_policy(toolchain, cargo_home, dir);
    let mut argv: Vec<String> = [
        &format!("{TOOLCHAIN_MOUNT}/bin/cargo"),
        "build",
        "--offline",
        "--locked",
        "--target",
        &toolchain.host,
        "--message-format=json-render-diagnostics",
        "--manifest-path",
        &format!("{BAKE_MOUNT}/vetted/Cargo.toml"),
    ]
    .map(String::from)
    .to_vec();
    if mode == BakeMode::Release {
        argv.push("--release".into());
    }
    let child = sandbox.spawn(&policy, &argv, true)?;
    let mut log = BuildLog::default();
    let (mut out_buf, mut err_buf) = (Vec::new(), Vec::new());
    let mut compiling = BTreeSet::new();
    let mut tail = VecDeque::new();
    let mut failed = vec![];
    let mut on_err_line = |line: &str, tail: &mut VecDeque<String>, failed: &mut Vec<String>| {
        let t = line.trim();
        if let Some(what) = t.strip_prefix("Compiling ") {
            if compiling.insert(what.to_string()) {
                let n = compiling.len().min(plan.packages);
                progress(&format!("Compiling {what} ({n}/{})", plan.packages));
            }
            return;
        }
        if let Some(rest) = t.strip_prefix("error: could not compile `")
            && let Some((name, _)) = rest.split_once('`')
        {
            failed.push(name.to_string());
        }
        if t.starts_with("error") {
            progress(t);
        }
        push_tail(tail, line.to_string());
    };
    for chunk in child.output().iter() {
        let is_out = chunk.stream == corral_sandbox::Stream::Stdout;
        let buf = if is_out { &mut out_buf } else { &mut err_buf };
        buf.extend_from_slice(&chunk.data);
        while let Some(pos) = buf.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = buf.drain(..=pos).collect();
            let line = String::from_utf8_lossy(&line);
            if is_out {
                log.take_line(line.trim_end());
            } else {
                on_err_line(line.trim_end(), &mut tail, &mut failed);
            }
        }
    }
    let outcome = child.wait();
    if !out_buf.is_empty() {
        log.take_line(String::from_utf8_lossy(&out_buf).trim_end());
    }
    if !err_buf.is_empty() {
        on_err_line(
            String::from_utf8_lossy(&err_buf).trim_end(),
            &mut tail,
            &mut failed,
        );
    }
    let limits = &policy.limits;
    let why = match outcome.status {
        Status::Success if outcome.exit_code == Some(0) => {
            log.cpu_ms = outcome.cpu_ms;
            log.memory_bytes = outcome.memory_bytes;
            return Ok(log);
        }
        Status::Timeout => format!("it ran out of time ({} s)", limits.wall.as_secs()),
        Status::MemoryLimit => format!("it ran out of memory ({} MiB)", limits.memory >> 20),
        Status::OutputLimit => "it printed too much".to_string(),
        Status::InternalError => format!(
            "sandbox error: {}",
            outcome.error.clone().unwrap_or_default()
        ),
        _ => match (outcome.exit_code, outcome.signal) {
            (Some(c), _) => format!("cargo exited with {c}"),
            (None, Some(s)) => format!("cargo was killed by signal {s}"),
            _ => "cargo failed".to_string(),
        },
    };
    let detail = format!(
        "{why}{}\n{}",
        outcome
            .limit
            .map(|l| format!(" (limit: {l:?})"))
            .unwrap_or_default(),
        tail.into_iter().collect::<Vec<_>>().join("\n")
    );
    Err(build_error(toolchain, mode, &failed, detail))
}

pub(super) fn build_error(
    toolchain: &Toolchain,
    mode: BakeMode,
    failed: &[String],
    detail: String,
) -> BakeError {
    BakeError::Build {
        toolchain: toolchain.channel.clone(),
        mode,
        failed: if failed.is_empty() {
            String::new()
        } else {
            format!(" (could not compile: {})", failed.join(", "))
        },
        detail,
    }
}

/// The crate name of the bake's shared library (see [`build_shared`]).
pub const SHARED_CRATE: &str = "corral_vetted";

/// Links every vetted library crate of `baked` into one shared object,
/// `<bake>/shared/libcorral_vetted.so`, in the sandbox (it is a link of the rlibs the
/// build made, a few seconds). A program that names it (the `rocket-request` harness
/// does) links against it instead of copying Rocket, Tokio and the rest into its own
/// binary: most of that harness's compile is otherwise the link. `None` (with the
/// reason in the progress) when it cannot be made: programs then link the rlibs.
pub(super) fn build_shared(
    sandbox: &Sandbox,
    toolchain: &Toolchain,
    cargo_home: &Path,
    dir: &Path,
    mode: BakeMode,
    baked: &super::Baked,
    progress: &mut dyn FnMut(&str),
) -> Option<PathBuf> {
    let shared = dir.join("shared");
    // What an earlier (untrusted) build left here is removed, never written through.
    match std::fs::symlink_metadata(&shared) {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(&shared).ok()?,
        Ok(_) => std::fs::remove_file(&shared).ok()?,
        Err(_) => {}
    }
    std::fs::create_dir(&shared).ok()?;
    let mut lib = String::from("//! Every vetted crate, linked into one shared object.\n");
    for (name, path) in &baked.externs {
        if path.extension().is_some_and(|e| e == "rlib") {
            lib.push_str(&format!("pub extern crate {name};\n"));
        }
    }
    super::manifest::write_new(&shared.join("lib.rs"), &lib).ok()?;
    let inside = Path::new(BAKE_MOUNT).join("shared");
    let mut argv: Vec<String> = vec![
        format!("{TOOLCHAIN_MOUNT}/bin/rustc"),
        inside.join("lib.rs").display().to_string(),
        "--edition".into(),
        "2021".into(),
        "--crate-type".into(),
        "dylib".into(),
        "--crate-name".into(),
        SHARED_CRATE.into(),
        "-C".into(),
        "prefer-dynamic".into(),
        // References inside the library bound at link time: loading it then costs a
        // program 2 ms instead of 10 (70,000 fewer symbol lookups; nothing interposes).
        "-C".into(),
        "link-arg=-Wl,-Bsymbolic".into(),
        "-C".into(),
        format!(
            "opt-level={}",
            if mode == BakeMode::Release { 3 } else { 0 }
        ),
        "-o".into(),
        inside
            .join(format!("lib{SHARED_CRATE}.so"))
            .display()
            .to_string(),
    ];
    argv.extend(baked.rustc_flags());
    let policy = build_policy(toolchain, cargo_home, dir);
    let outcome = match sandbox.run(&policy, &argv, b"") {
        Ok(o) => o,
        Err(e) => {
            progress(&format!(
                "no shared library of the crates ({e}): programs link them statically"
            ));
            return None;
        }
    };
    if outcome.status != Status::Success {
        let tail: String = outcome
            .stderr
            .lines()
            .rev()
            .take(3)
            .collect::<Vec<_>>()
            .join(" | ");
        progress(&format!(
            "no shared library of the crates ({:?}: {tail}): programs link them statically",
            outcome.status
        ));
        return None;
    }
    progress(&format!("linked the crates into lib{SHARED_CRATE}.so"));
    Some(inside.join(format!("lib{SHARED_CRATE}.so")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bake::test_support::fake_toolchain;

    #[test]
    fn the_build_step_is_offline_and_writes_only_its_bake() {
        let p = build_policy(
            &fake_toolchain(),
            Path::new("/s/cargo-home"),
            Path::new("/s/x/debug"),
        );
        assert_eq!(p.network, Network::Off);
        let writable: Vec<_> = p
            .mounts
            .iter()
            .filter_map(|m| match m {
                corral_sandbox::Mount::Bind {
                    src,
                    dest,
                    writable: true,
                } => Some((src.clone(), dest.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(
            writable,
            [(PathBuf::from("/s/x/debug"), PathBuf::from("/bake"))]
        );
        assert!(p.limits.memory >= 3 << 30 && p.limits.wall >= Duration::from_secs(1800));
    }
}
