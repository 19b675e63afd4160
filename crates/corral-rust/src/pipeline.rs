//! A request becomes two sandboxed steps: rustc (under the compile policy) writes the
//! program into the request's work dir; the program runs (under the run policy) from
//! a read-only bind of that dir. Both steps are untrusted.

use crate::bake;
use crate::config::{StepLimits, lowered};
use crate::diagnostics::{self, UserLines};
use crate::harness;
use crate::request::{BuildMode, CrateType, Request, RequestError, TimeMode, normalise_source};
use crate::result::{CompileResult, RunResult, RustResult, Step};
use crate::toolchain::{self, TOOLCHAIN_MOUNT, Toolchain};
use crate::workdir;
use corral_sandbox::{Child, Chunk, Killer, Network, Outcome, Policy, Sandbox, Status, Stream};
use corral_vtime::{Decoder, Event, Segment, StreamName};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, mpsc};

/// Where the request's work dir appears in the compile step (sources, `target/`).
pub const WORK_MOUNT: &str = "/playground";
/// The compiled program's name inside `target/`, and so in the run step.
pub const PROGRAM: &str = "playground";

/// What a caller can watch while a request runs.
pub enum Progress<'a> {
    /// The compile step ended (its diagnostics are final).
    Compiled(&'a CompileResult),
    /// The program wrote this, just now.
    Output(&'a Chunk),
}

pub struct Pipeline {
    sandbox: Sandbox,
    toolchains: Vec<Toolchain>,
    limits: StepLimits,
    bake_store: PathBuf,
    work_root: PathBuf,
    /// The virtual-time library on the host, written on first use.
    vtime: OnceLock<Result<PathBuf, String>>,
}

/// Where programs with virtual time find the preloaded clock library.
pub const VTIME_MOUNT: &str = "/corral/libcorral_vtime.so";

pub(crate) use crate::workdir::WorkDir;

/// Kills an interactive run from any thread, in whichever step it is; the result then
/// has status `killed`. A kill before a step starts kills that step as it starts.
#[derive(Clone, Default)]
pub struct Stop(Arc<Mutex<StopState>>);

#[derive(Default)]
struct StopState {
    killed: bool,
    step: Option<Killer>,
}

impl Stop {
    pub fn kill(&self) {
        let mut s = self.0.lock().unwrap_or_else(|p| p.into_inner());
        s.killed = true;
        if let Some(k) = &s.step {
            k.kill();
        }
    }

    pub fn killed(&self) -> bool {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).killed
    }

    /// `killer` is the running step's from now on.
    fn attach(&self, killer: Killer) {
        let mut s = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if s.killed {
            killer.kill();
        }
        s.step = Some(killer);
    }
}

/// The compile step's end: a final result, or a program ready to run.
enum Compiled {
    Done(RustResult),
    Ready(Ready),
}

/// A compiled program and what its run needs.
struct Ready {
    work: WorkDir,
    compile: CompileResult,
    harness: &'static harness::Harness,
    run_args: Vec<String>,
}

impl Pipeline {
    pub fn new(
        sandbox: Sandbox,
        toolchains: Vec<Toolchain>,
        limits: StepLimits,
        bake_store: PathBuf,
        work_root: PathBuf,
    ) -> Pipeline {
        // The first owner of the work root in this process removes what crashed
        // predecessors left there (see `workdir`); `work_dir` retries on failure.
        if let Err(e) = private_dir(&work_root).and_then(|()| workdir::claim(&work_root)) {
            tracing::warn!("work dir {}: {e}", work_root.display());
        }
        Pipeline {
            sandbox,
            toolchains,
            limits,
            bake_store,
            work_root,
            vtime: OnceLock::new(),
        }
    }

    pub fn toolchains(&self) -> &[Toolchain] {
        &self.toolchains
    }

    pub fn limits(&self) -> &StepLimits {
        &self.limits
    }

    pub fn bake_store(&self) -> &Path {
        &self.bake_store
    }

    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    /// Compiles and runs `req`. `Err` is the client's mistake (unknown channel, bad
    /// harness argument, …); everything else, corral's failures included, is a result.
    pub fn run(
        &self,
        req: &Request,
        color: bool,
        watch: &mut dyn FnMut(Progress),
    ) -> Result<RustResult, RequestError> {
        let ready = match self.compile(req, color, None, watch)? {
            Compiled::Done(result) => return Ok(result),
            Compiled::Ready(ready) => ready,
        };
        let (mut child, virtual_cap) = match self.spawn_program(req, &ready) {
            Ok(started) => started,
            Err(e) => return Ok(ready.failed(e)),
        };
        if let Some(mut pipe) = child.stdin.take() {
            let input = req.stdin.clone();
            std::thread::spawn(move || {
                let _ = pipe.write_all(&input);
            });
        }
        Ok(ready.collect(child, virtual_cap, watch))
    }

    /// Like [`Pipeline::run`], but live: after `req.stdin`, the program reads the chunks
    /// sent on `stdin` as they arrive, and end-of-file when every sender is dropped;
    /// `stop` kills the step running (compile or program), ending the run as `killed`.
    /// Never memoized: its input is not known in advance.
    pub fn run_interactive(
        &self,
        req: &Request,
        color: bool,
        stdin: mpsc::Receiver<Vec<u8>>,
        stop: &Stop,
        watch: &mut dyn FnMut(Progress),
    ) -> Result<RustResult, RequestError> {
        let ready = match self.compile(req, color, Some(stop), watch)? {
            Compiled::Done(result) => return Ok(result),
            Compiled::Ready(ready) => ready,
        };
        let (mut child, virtual_cap) = match self.spawn_program(req, &ready) {
            Ok(started) => started,
            Err(e) => return Ok(ready.failed(e)),
        };
        stop.attach(child.killer());
        if let Some(mut pipe) = child.stdin.take() {
            let first = req.stdin.clone();
            // Ends when the senders are gone (end-of-file) or the program is (EPIPE).
            std::thread::spawn(move || {
                if pipe.write_all(&first).is_err() {
                    return;
                }
                for chunk in stdin {
                    if pipe.write_all(&chunk).and_then(|()| pipe.flush()).is_err() {
                        return;
                    }
                }
            });
        }
        Ok(ready.collect(child, virtual_cap, watch))
    }

    /// Checks `req`, writes its work dir and runs rustc (step 1). `stop`, when given,
    /// can kill the compiler.
    fn compile(
        &self,
        req: &Request,
        color: bool,
        stop: Option<&Stop>,
        watch: &mut dyn FnMut(Progress),
    ) -> Result<Compiled, RequestError> {
        let toolchain = toolchain::resolve(&self.toolchains, &req.channel)?;
        let harness = harness::find(&req.harness).ok_or_else(|| {
            let ids: Vec<&str> = harness::builtin().iter().map(|h| h.id.as_str()).collect();
            RequestError::UnknownHarness(req.harness.clone(), ids.join(", "))
        })?;
        let code = normalise_source(&req.code);
        let mut prepared = harness
            .prepare(&code, &req.args)
            .map_err(|e| RequestError::Harness(e.to_string()))?;
        req.validate_files()?;
        if req.crate_type == CrateType::Lib {
            if harness.id != "bin" || prepared.test {
                return Err(RequestError::Invalid(format!(
                    "crate type lib works with the bin harness only, not {:?}",
                    harness.id
                )));
            }
            for (name, _) in &mut prepared.files {
                if *name == prepared.crate_root {
                    *name = "src/lib.rs".into();
                }
            }
            if prepared.source_map.file == prepared.crate_root {
                prepared.source_map.file = "src/lib.rs".into();
            }
            prepared.crate_root = "src/lib.rs".into();
        }
        for (name, content) in &req.extra_files {
            if prepared.files.iter().any(|(n, _)| n == name) {
                return Err(RequestError::Invalid(format!(
                    "file {name:?} is the harness's own; choose another name"
                )));
            }
            prepared
                .files
                .push((name.clone(), normalise_source(content)));
        }
        // The harness's files with the user's: still one text per name.
        crate::request::validate_file_set(prepared.files.iter().map(|(n, _)| n.as_str()))?;
        let bake_mode = match req.mode {
            BuildMode::Debug => bake::BakeMode::Debug,
            BuildMode::Release => bake::BakeMode::Release,
        };
        let baked = bake::load(&self.bake_store, toolchain, bake_mode)
            .ok()
            .flatten();
        if baked.is_none() && !harness.crates.is_empty() {
            return Err(RequestError::NotBaked {
                toolchain: toolchain.name.clone(),
                channel: toolchain.channel.clone(),
                mode: req.mode.as_str(),
                release: if req.mode == BuildMode::Release {
                    " --release"
                } else {
                    ""
                },
            });
        }

        let work = match self.work_dir(&prepared.files) {
            Ok(w) => w,
            Err(e) => {
                return Ok(Compiled::Done(internal(format!(
                    "cannot prepare the work dir: {e}"
                ))));
            }
        };

        // Step 1: rustc.
        let policy = compile_policy(
            toolchain,
            work.path(),
            baked.as_ref(),
            lowered(&self.limits.compile, &req.compile_limits),
        );
        let mut argv = vec![
            format!("{TOOLCHAIN_MOUNT}/bin/rustc"),
            prepared.crate_root.clone(),
            "--edition".into(),
            req.edition.as_str().into(),
            "--crate-name".into(),
            PROGRAM.into(),
            "--crate-type".into(),
            if req.crate_type == CrateType::Lib {
                "lib"
            } else {
                "bin"
            }
            .into(),
            "--error-format=json".into(),
            "-o".into(),
            format!(
                "target/{}",
                if req.crate_type == CrateType::Lib {
                    "libplayground.rlib"
                } else {
                    PROGRAM
                }
            ),
        ];
        if color {
            argv.push("--json=diagnostic-rendered-ansi".into());
        }
        argv.extend(codegen_flags(req.mode, req.backtrace));
        if prepared.test {
            argv.push("--test".into());
        }
        if let Some(b) = &baked {
            argv.extend(b.rustc_flags());
        }
        let compiled = match stop {
            None => self.sandbox.run(&policy, &argv, b""),
            Some(stop) => self.sandbox.spawn(&policy, &argv, false).map(|child| {
                stop.attach(child.killer());
                child.wait()
            }),
        };
        let compiled = match compiled {
            Ok(o) => o,
            Err(e) => return Ok(Compiled::Done(internal(e.to_string()))),
        };
        let lookup = |file: &str, line: usize| prepared.source_map.lookup(file, line);
        let map = UserLines {
            lookup: &lookup,
            text: &code,
            user_file: if req.crate_type == CrateType::Lib {
                "src/lib.rs"
            } else {
                "src/main.rs"
            },
        };
        let (diagnostics, rendered) = diagnostics::parse(&compiled.stderr, &map);
        let compile = CompileResult {
            success: compiled.status == Status::Success,
            stderr: rendered,
            diagnostics,
            wall_ms: compiled.wall_ms,
            cpu_ms: compiled.cpu_ms,
            memory_bytes: compiled.memory_bytes,
        };
        watch(Progress::Compiled(&compile));
        match compiled.status {
            Status::Success => {}
            Status::RuntimeError => {
                // A build that filled the work dir's tmpfs: a limit, not a bug.
                let limit = compiled.limit.or_else(|| work.full(&compiled.stderr));
                return Ok(Compiled::Done(finish(
                    Status::CompileError,
                    Step::Compile,
                    limit,
                    compile,
                    None,
                    None,
                )));
            }
            Status::InternalError => {
                return Ok(Compiled::Done(finish(
                    Status::InternalError,
                    Step::Compile,
                    None,
                    compile,
                    None,
                    compiled.error,
                )));
            }
            other => {
                return Ok(Compiled::Done(finish(
                    other,
                    Step::Compile,
                    compiled.limit,
                    compile,
                    None,
                    None,
                )));
            }
        }
        if req.crate_type == CrateType::Lib || req.compile_only {
            return Ok(Compiled::Done(finish(
                Status::Success,
                Step::Compile,
                None,
                compile,
                None,
                None,
            )));
        }

        Ok(Compiled::Ready(Ready {
            work,
            compile,
            harness,
            run_args: prepared.run_args,
        }))
    }

    /// Starts the compiled program (step 2) under the run policy, streaming its output.
    /// With virtual time, also returns the user's output cap (the sandbox's own cap
    /// leaves room for the frames; `Ready::collect` applies this one to the bytes).
    fn spawn_program(&self, req: &Request, ready: &Ready) -> Result<(Child, Option<u64>), String> {
        let mut policy = Policy::default();
        policy.bind(ready.work.path().join("target"), WORK_MOUNT, false);
        if req.backtrace {
            policy.set_env("RUST_BACKTRACE", "1");
        }
        policy.limits = lowered(&self.limits.run, &req.run_limits);
        let mut virtual_cap = None;
        if req.time == TimeMode::Virtual {
            let library = self
                .vtime
                .get_or_init(|| {
                    corral_vtime::install(&self.work_root.join("vtime"))
                        .map_err(|e| format!("cannot write the virtual-time library: {e}"))
                })
                .clone()?;
            policy.bind(library, VTIME_MOUNT, false);
            policy.set_env("LD_PRELOAD", VTIME_MOUNT);
            policy.set_env(corral_vtime::SEED_ENV, &req.seed.to_string());
            // Same addresses on every run ({:p}, hash seeds derived from them).
            policy.aslr = false;
            // Each write carries a 20-byte frame; the user's cap applies to the decoded
            // bytes (see `Ready::collect`).
            virtual_cap = Some(policy.limits.output);
            policy.limits.output = policy
                .limits
                .output
                .saturating_mul(4)
                .saturating_add(1 << 20);
        }
        let mut argv = vec![format!("{WORK_MOUNT}/{PROGRAM}")];
        argv.extend(ready.run_args.iter().cloned());
        argv.extend(req.argv.iter().cloned());
        let child = self
            .sandbox
            .spawn(&policy, &argv, true)
            .map_err(|e| e.to_string())?;
        Ok((child, virtual_cap))
    }

    /// A fresh host directory with the sources, writable by the sandbox user. In root
    /// mode a tmpfs capped by the compile step's `tmpfs` and `inodes` limits (see
    /// `workdir`); unprivileged, a plain directory.
    pub(crate) fn work_dir(&self, files: &[(String, String)]) -> std::io::Result<WorkDir> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        private_dir(&self.work_root)?;
        // Our pid's names are ours from here on (a predecessor's were removed).
        workdir::claim(&self.work_root)?;
        let root_mode = matches!(self.sandbox.mode(), corral_sandbox::Mode::Root(_));
        let cap = root_mode.then_some(workdir::Cap {
            size: self.limits.compile.tmpfs,
            inodes: self.limits.compile.inodes,
        });
        let dir = workdir::create(
            self.work_root.join(format!("{}-{n}", std::process::id())),
            cap,
        )?;
        for (name, content) in files {
            let path = dir.path().join(name);
            debug_assert!(corral_sandbox::policy::is_relative_clean(Path::new(name)));
            std::fs::create_dir_all(path.parent().unwrap_or(dir.path()))?;
            std::fs::write(&path, content)?;
        }
        // In root mode the step's own host id is made the owner of the whole dir when it
        // starts (`Policy::hand_over_writable`, set by `compile_policy`).
        std::fs::create_dir(dir.path().join("target"))?;
        Ok(dir)
    }
}

impl Ready {
    /// The program could not start.
    fn failed(self, error: String) -> RustResult {
        finish(
            Status::InternalError,
            Step::Run,
            None,
            self.compile,
            None,
            Some(error),
        )
    }

    /// Passes the program's output to `watch` as it comes, then waits for its end.
    /// `virtual_cap` is the output cap when the program ran with virtual time: its
    /// streams are then framed and decoded here into plain bytes and timed events.
    fn collect(
        self,
        child: Child,
        virtual_cap: Option<u64>,
        watch: &mut dyn FnMut(Progress),
    ) -> RustResult {
        let mut events = vec![];
        let mut last = std::time::Duration::ZERO;
        let mut decoders = [Decoder::default(), Decoder::default()];
        let mut segments: [Vec<Segment>; 2] = [vec![], vec![]];
        for chunk in child.output().iter() {
            let i = usize::from(chunk.stream == Stream::Stderr);
            if virtual_cap.is_some() {
                let segs = decoders[i].feed(&chunk.data);
                let data: Vec<u8> = segs.iter().flat_map(|s| s.data.iter().copied()).collect();
                segments[i].extend(segs);
                if !data.is_empty() {
                    watch(Progress::Output(&Chunk { data, ..chunk }));
                }
                continue;
            }
            watch(Progress::Output(&chunk));
            events.push(Event {
                message: String::from_utf8_lossy(&chunk.data).into_owned(),
                stream: if i == 0 {
                    StreamName::Stdout
                } else {
                    StreamName::Stderr
                },
                delay_ns: chunk.at.saturating_sub(last).as_nanos() as u64,
            });
            last = chunk.at;
        }
        let mut ran: Outcome = child.wait();
        if let Some(cap) = virtual_cap {
            let [mut out, mut err] = segments;
            out.extend(decoders[0].finish());
            err.extend(decoders[1].finish());
            let out_cut = cap_segments(&mut out, cap);
            let err_cut = cap_segments(&mut err, cap);
            let decoded = corral_vtime::decode(out, err);
            ran.stdout = String::from_utf8_lossy(&decoded.stdout).into_owned();
            ran.stderr = String::from_utf8_lossy(&decoded.stderr).into_owned();
            ran.stdout_truncated |= out_cut;
            ran.stderr_truncated |= err_cut;
            if (out_cut || err_cut) && matches!(ran.status, Status::Success | Status::RuntimeError)
            {
                ran.status = Status::OutputLimit;
                ran.limit = Some(corral_sandbox::LimitKind::Output);
            }
            events = decoded.events;
        }
        let (harness_json, stdout) =
            self.harness
                .interpret(&ran.stdout, &ran.stderr, ran.exit_code);
        // What the harness took out of stdout (its marker line) leaves the events too.
        let start = ran
            .stdout
            .bytes()
            .zip(stdout.bytes())
            .take_while(|(a, b)| a == b)
            .count();
        cut_stdout_events(
            &mut events,
            start,
            ran.stdout.len().saturating_sub(stdout.len()),
        );
        let run = RunResult {
            exit_code: ran.exit_code,
            signal: ran.signal,
            stdout,
            stderr: ran.stderr.clone(),
            stdout_truncated: ran.stdout_truncated,
            stderr_truncated: ran.stderr_truncated,
            events,
            harness: harness_json,
            wall_ms: ran.wall_ms,
            cpu_ms: ran.cpu_ms,
            memory_bytes: ran.memory_bytes,
        };
        // The work dir (the program's files) lives until the program has ended.
        drop(self.work);
        finish(
            ran.status,
            Step::Run,
            ran.limit,
            self.compile,
            Some(run),
            ran.error,
        )
    }
}

/// Removes bytes `start..start + len` of stdout from the events that carried them
/// (an event left empty goes, its delay passing to the next one).
fn cut_stdout_events(events: &mut Vec<Event>, start: usize, len: usize) {
    if len == 0 {
        return;
    }
    let (mut at, mut carry) = (0, 0);
    let mut kept = Vec::with_capacity(events.len());
    for mut e in events.drain(..) {
        e.delay_ns += std::mem::take(&mut carry);
        if e.stream == StreamName::Stdout {
            let (from, to) = (at, at + e.message.len());
            at = to;
            let (a, b) = (
                start.clamp(from, to) - from,
                (start + len).clamp(from, to) - from,
            );
            if a < b && e.message.is_char_boundary(a) && e.message.is_char_boundary(b) {
                e.message.replace_range(a..b, "");
                if e.message.is_empty() {
                    carry = e.delay_ns;
                    continue;
                }
            }
        }
        kept.push(e);
    }
    *events = kept;
}

/// Keeps the first `cap` bytes of a stream's segments; true when some were cut.
fn cap_segments(segments: &mut Vec<Segment>, cap: u64) -> bool {
    let mut left = usize::try_from(cap).unwrap_or(usize::MAX);
    let mut cut = false;
    segments.retain_mut(|s| {
        if s.data.len() > left {
            s.data.truncate(left);
            cut = true;
        }
        left -= s.data.len();
        !s.data.is_empty()
    });
    cut
}

/// Makes `dir` (if needed) a directory only we can enter, and refuses one that is a
/// link or belongs to someone else (a shared /tmp must not redirect our writes).
fn private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt};
    match std::fs::DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    let meta = std::fs::symlink_metadata(dir)?;
    let me = nix::unistd::geteuid().as_raw();
    if !meta.is_dir() || meta.uid() != me || meta.mode() & 0o077 != 0 {
        return Err(std::io::Error::other(format!(
            "{} must be a directory owned by uid {me} with mode 0700; remove it or choose another work dir",
            dir.display()
        )));
    }
    Ok(())
}

/// The compile step's policy (also every tool's): the toolchain and the bake read-only,
/// `work` writable at [`WORK_MOUNT`] and the working directory, no network.
pub(crate) fn compile_policy(
    toolchain: &Toolchain,
    work: &Path,
    baked: Option<&bake::Baked>,
    limits: corral_sandbox::Limits,
) -> Policy {
    let mut policy = Policy::default();
    policy
        .bind(&toolchain.path, TOOLCHAIN_MOUNT, false)
        .bind(work, WORK_MOUNT, true);
    if let Some(b) = baked {
        policy.bind(&b.store_mount.0, &b.store_mount.1, false);
    }
    policy.cwd = WORK_MOUNT.into();
    policy.network = Network::Off;
    // Root mode: the step's own host id owns the work dir while it runs.
    policy.hand_over_writable = true;
    policy.set_env(
        "PATH",
        &format!("{TOOLCHAIN_MOUNT}/bin:/usr/local/bin:/usr/bin:/bin"),
    );
    policy.limits = limits;
    policy
}

/// rustc flags for the build mode, chosen for latency.
pub(crate) fn codegen_flags(mode: BuildMode, backtrace: bool) -> Vec<String> {
    let debuginfo = if backtrace { "line-tables-only" } else { "0" };
    let flags: &[&str] = match mode {
        BuildMode::Debug => &["-C", "opt-level=0"],
        BuildMode::Release => &["-C", "opt-level=3"],
    };
    let mut v: Vec<String> = flags.iter().map(|s| s.to_string()).collect();
    v.extend(["-C".to_string(), format!("debuginfo={debuginfo}")]);
    v
}

fn finish(
    status: Status,
    step: Step,
    limit: Option<corral_sandbox::LimitKind>,
    compile: CompileResult,
    run: Option<RunResult>,
    error: Option<String>,
) -> RustResult {
    RustResult {
        status,
        step,
        limit,
        compile,
        run,
        error,
    }
}

fn internal(error: String) -> RustResult {
    let compile = CompileResult {
        success: false,
        stderr: String::new(),
        diagnostics: vec![],
        wall_ms: 0,
        cpu_ms: 0,
        memory_bytes: 0,
    };
    finish(
        Status::InternalError,
        Step::Compile,
        None,
        compile,
        None,
        Some(error),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_harness_marker_leaves_the_events() {
        let ev = |m: &str, stream, delay_ns| Event {
            message: m.into(),
            stream,
            delay_ns,
        };
        let mut events = vec![
            ev("user ", StreamName::Stdout, 0),
            ev("err\n", StreamName::Stderr, 5),
            ev("line\nMARK {}\n", StreamName::Stdout, 7),
            ev("MORE\n", StreamName::Stdout, 9),
            ev("end\n", StreamName::Stdout, 11),
        ];
        // stdout is "user line\nMARK {}\nMORE\nend\n": cut "MARK {}\nMORE\n".
        cut_stdout_events(&mut events, 10, 13);
        assert_eq!(
            events,
            [
                ev("user ", StreamName::Stdout, 0),
                ev("err\n", StreamName::Stderr, 5),
                ev("line\n", StreamName::Stdout, 7),
                ev("end\n", StreamName::Stdout, 20),
            ]
        );
    }
}
