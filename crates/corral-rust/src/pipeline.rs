//! A request becomes two sandboxed steps: rustc (under the compile policy) writes the
//! program into the request's work dir; the program runs (under the run policy) from
//! a read-only bind of that dir. Both steps are untrusted.

use crate::bake;
use crate::config::StepLimits;
use crate::diagnostics::{self, UserLines};
use crate::harness;
use crate::plan::{self, Job, Plan, RunJob};
use crate::request::{BuildMode, CrateType, Request, RequestError, TimeMode};
use crate::result::{CompileResult, Output, RunResult, RustResult, Status, Step, Stream};
use crate::toolchain::{TOOLCHAIN_MOUNT, Toolchain};
use crate::workdir;
use corral_sandbox::{Child, Killer, LimitKind, Network, Outcome, Policy, Sandbox};
use corral_vtime::{Decoder, Event, Segment, StreamName};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, mpsc};

/// Where the request's work dir appears in the compile step (sources, `target/`).
pub const WORK_MOUNT: &str = "/playground";
/// The compiled program's name inside `target/`, and so in the run step.
pub const PROGRAM: &str = "playground";

pub use crate::result::Progress;

/// What cargo would define for the user's package when compiling it (`env!`,
/// `option_env!`), with fixed values: the package is `playground` 0.0.1 (as on the
/// Rust Playground) whose manifest directory is the work dir in the sandbox, where
/// its `src/` is. The same for every request, so not part of a memo key. Binaries
/// also get `CARGO_BIN_NAME` ([`PROGRAM`]).
pub const CARGO_ENV: &[(&str, &str)] = &[
    ("CARGO_MANIFEST_DIR", WORK_MOUNT),
    ("CARGO_MANIFEST_PATH", "/playground/Cargo.toml"),
    ("CARGO_PKG_NAME", PROGRAM),
    ("CARGO_PKG_VERSION", "0.0.1"),
    ("CARGO_PKG_VERSION_MAJOR", "0"),
    ("CARGO_PKG_VERSION_MINOR", "0"),
    ("CARGO_PKG_VERSION_PATCH", "1"),
    ("CARGO_PKG_VERSION_PRE", ""),
    ("CARGO_PKG_AUTHORS", ""),
    ("CARGO_PKG_DESCRIPTION", ""),
    ("CARGO_PKG_HOMEPAGE", ""),
    ("CARGO_PKG_REPOSITORY", ""),
    ("CARGO_PKG_LICENSE", ""),
    ("CARGO_PKG_LICENSE_FILE", ""),
    ("CARGO_PKG_RUST_VERSION", ""),
    ("CARGO_PKG_README", ""),
    ("CARGO_CRATE_NAME", PROGRAM),
    ("CARGO_PRIMARY_PACKAGE", "1"),
];

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
/// Where the run step finds the toolchain's shared standard library (the program's
/// run path; see [`Toolchain::std_dylib`]).
pub const STD_MOUNT: &str = "/corral/lib";

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
    /// The shared standard library the program was linked against, if it was.
    std_dylib: Option<PathBuf>,
    /// The bake's shared library of the crates (host path), if the program links it.
    shared: Option<PathBuf>,
}

/// What the program's stdin reads: the plan's bytes, then (live jobs) the chunks sent
/// here as they arrive, and end-of-file when every sender is dropped.
pub type LiveStdin = mpsc::Receiver<Vec<u8>>;

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

    /// A pipeline for lowering requests into plans (route tests, tools that only
    /// plan): default limits, and a jail helper that is the current executable, so its
    /// steps only run where that executable is corral.
    pub fn planner(toolchains: Vec<Toolchain>, bake_store: PathBuf) -> std::io::Result<Pipeline> {
        let sandbox = Sandbox::new("/proc/self/exe").map_err(std::io::Error::other)?;
        Ok(Pipeline {
            sandbox,
            toolchains,
            limits: StepLimits::default(),
            bake_store,
            work_root: std::env::temp_dir().join(format!("corral-planner-{}", std::process::id())),
            vtime: OnceLock::new(),
        })
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

    /// Keeps `per_step` jails started ahead for compile steps and as many for run
    /// steps with the configured limits (requests that lower a limit get a jail
    /// started for them). See `Sandbox::keep_warm`.
    pub fn keep_jails_warm(&self, per_step: usize) {
        self.sandbox.keep_warm(&self.limits.compile, per_step);
        self.sandbox.keep_warm(&self.limits.run, per_step);
    }

    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    /// Executes a plan: the one way a job runs. `stdin`, when given, makes the job live
    /// (its program reads those chunks after the plan's stdin); `stop` kills the step
    /// running (the result is then `killed`); `watch` sees progress as it happens.
    /// `Err` means this machine cannot run the plan (its toolchain or bake is not
    /// here); every other failure, corral's own included, is a result.
    pub fn execute(
        &self,
        plan: &Plan,
        stdin: Option<LiveStdin>,
        stop: &Stop,
        watch: &mut dyn FnMut(Progress),
    ) -> Result<Output, RequestError> {
        watch(Progress::Started);
        match &plan.job {
            Job::Tool(tool) => self.run_tool(plan, *tool, stop).map(Output::Tool),
            Job::Run(run) => self.run_job(plan, run, stdin, stop, watch).map(Output::Run),
        }
    }

    /// Lowers and runs `req` at once (the CLI's path: no queue, no memo).
    pub fn run(
        &self,
        req: &Request,
        watch: &mut dyn FnMut(Progress),
    ) -> Result<RustResult, RequestError> {
        let plan = self.plan(req)?;
        match self.execute(&plan, None, &Stop::default(), watch)? {
            Output::Run(result) => Ok(result),
            Output::Tool(_) => Err(RequestError::Invalid(
                "this request asks for a tool, not a run".into(),
            )),
        }
    }

    fn run_job(
        &self,
        plan: &Plan,
        run: &RunJob,
        stdin: Option<LiveStdin>,
        stop: &Stop,
        watch: &mut dyn FnMut(Progress),
    ) -> Result<RustResult, RequestError> {
        let ready = match self.compile(plan, run, stop, watch)? {
            Compiled::Done(result) => return Ok(result),
            Compiled::Ready(ready) => ready,
        };
        let (mut child, virtual_cap) = match self.spawn_program(plan, run, &ready) {
            Ok(started) => started,
            Err(e) => return Ok(ready.failed(e)),
        };
        stop.attach(child.killer());
        if let Some(mut pipe) = child.stdin.take() {
            let first = run.stdin.clone();
            // Ends when the senders are gone (end-of-file) or the program is (EPIPE).
            std::thread::spawn(move || {
                if pipe.write_all(&first).is_err() {
                    return;
                }
                for chunk in stdin.into_iter().flatten() {
                    if pipe.write_all(&chunk).and_then(|()| pipe.flush()).is_err() {
                        return;
                    }
                }
            });
        }
        Ok(ready.collect(child, virtual_cap, watch))
    }

    /// Runs one step under `policy` with `stdin`, killable by `stop`.
    pub(crate) fn step(
        &self,
        policy: &Policy,
        argv: &[String],
        stdin: &[u8],
        stop: &Stop,
    ) -> Result<Outcome, String> {
        let mut child = self
            .sandbox
            .spawn(policy, argv, false)
            .map_err(|e| e.to_string())?;
        stop.attach(child.killer());
        if let Some(mut pipe) = child.stdin.take() {
            let input = stdin.to_vec();
            // A separate writer: the step may not read its input before writing output.
            std::thread::spawn(move || {
                let _ = pipe.write_all(&input);
            });
        }
        Ok(child.wait())
    }

    /// Writes the plan's work dir and runs rustc (step 1).
    fn compile(
        &self,
        plan: &Plan,
        run: &RunJob,
        stop: &Stop,
        watch: &mut dyn FnMut(Progress),
    ) -> Result<Compiled, RequestError> {
        let toolchain = self.toolchain_of(plan)?;
        let harness = plan::find_harness(&run.harness)?;
        if harness.version != run.harness_version {
            return Err(RequestError::Invalid(format!(
                "the plan wants version {} of the {} harness; this machine has version {}",
                run.harness_version, harness.id, harness.version
            )));
        }
        let prepared = plan::prepare(harness, &plan.files, plan.crate_type, &run.args)?;
        let baked = self.bake_of(plan, toolchain)?;
        if baked.is_none() && !harness.crates.is_empty() {
            return Err(RequestError::Invalid(format!(
                "the {} harness needs the baked crates, and the plan names none",
                harness.id
            )));
        }
        let code = plan.code();
        let lib = plan.crate_type == CrateType::Lib;
        // A program runs once: std linked dynamically (bound into the run step at
        // STD_MOUNT, found through the binary's run path).
        let std_dylib = (!lib).then(|| toolchain.std_dylib()).flatten();
        // The bake's shared library of the crates, for a harness that links it: its
        // crate root (the harness's own file, never the user's) names it.
        let shared = match (&baked, harness.link_shared) {
            // (A shared library needs std shared too.)
            (Some(b), true) if std_dylib.is_some() => b
                .shared
                .clone()
                .zip(b.shared.as_ref().and_then(|s| b.host_path(s))),
            _ => None,
        };
        let mut prepared = prepared;
        if shared.is_some() {
            for (name, text) in &mut prepared.files {
                if *name == prepared.crate_root {
                    text.push_str(&format!(
                        "\n#[allow(unused_extern_crates)]\nextern crate {};\n",
                        bake::SHARED_CRATE
                    ));
                }
            }
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
        let mut policy = compile_policy(
            toolchain,
            work.path(),
            baked.as_deref(),
            plan.limits.compile.clone(),
        );
        if !lib && !prepared.test {
            policy.set_env("CARGO_BIN_NAME", PROGRAM);
        }
        let mut argv = vec![
            format!("{TOOLCHAIN_MOUNT}/bin/rustc"),
            prepared.crate_root.clone(),
            "--edition".into(),
            plan.edition.as_str().into(),
            "--crate-name".into(),
            PROGRAM.into(),
            "--crate-type".into(),
            if lib { "lib" } else { "bin" }.into(),
            "--error-format=json".into(),
            "-o".into(),
            format!(
                "target/{}",
                if lib { "libplayground.rlib" } else { PROGRAM }
            ),
        ];
        if run.color {
            argv.push("--json=diagnostic-rendered-ansi".into());
        }
        argv.extend(codegen_flags(plan.mode, run.backtrace));
        if std_dylib.is_some() {
            argv.extend([
                "-C".into(),
                "prefer-dynamic".into(),
                "-C".into(),
                format!("link-arg=-Wl,-rpath,{STD_MOUNT}"),
            ]);
        }
        // No debug info linked in unless a backtrace wants line tables.
        if !run.backtrace {
            argv.extend(["-C".into(), "strip=debuginfo".into()]);
        }
        if prepared.test {
            argv.push("--test".into());
        }
        if let Some(b) = &baked {
            argv.extend(b.rustc_flags());
        }
        if let Some((inside, _)) = &shared {
            argv.extend([
                "--extern".into(),
                format!("{}={}", bake::SHARED_CRATE, inside.display()),
            ]);
        }
        let compiled = match self.step(&policy, &argv, b"", stop) {
            Ok(o) => o,
            Err(e) => return Ok(Compiled::Done(internal(e))),
        };
        let lookup = |file: &str, line: usize| prepared.source_map.lookup(file, line);
        let needs = harness.need();
        let map = UserLines {
            lookup: &lookup,
            text: code,
            user_file: if lib { "src/lib.rs" } else { "src/main.rs" },
            needs: &needs,
        };
        let (diagnostics, rendered) = diagnostics::parse(&compiled.stderr, &map);
        if baked.is_none() && compiled.status != corral_sandbox::Status::Success {
            let missing = diagnostics.iter().find_map(|d| {
                let code = d.code.as_deref()?;
                bake::missing_vetted_crate(&format!("error[{code}]: {}", d.message))
            });
            if let Some(name) = missing {
                return Err(plan::not_baked_using(toolchain, plan.mode, &name));
            }
        }
        let compile = CompileResult {
            success: compiled.status == corral_sandbox::Status::Success,
            stderr: rendered,
            diagnostics,
            wall_ms: compiled.wall_ms,
            cpu_ms: compiled.cpu_ms,
            memory_bytes: compiled.memory_bytes,
        };
        watch(Progress::Compiled {
            success: compile.success,
            stderr: compile.stderr.clone(),
        });
        match compiled.status.into() {
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
        if lib || run.compile_only {
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
            std_dylib,
            shared: shared.map(|(_, host)| host),
        }))
    }

    /// Starts the compiled program (step 2) under the run policy, streaming its output.
    /// With virtual time, also returns the user's output cap (the sandbox's own cap
    /// leaves room for the frames; `Ready::collect` applies this one to the bytes).
    fn spawn_program(
        &self,
        plan: &Plan,
        run: &RunJob,
        ready: &Ready,
    ) -> Result<(Child, Option<u64>), String> {
        let mut policy = Policy::default();
        policy.bind(ready.work.path().join("target"), WORK_MOUNT, false);
        for lib in ready.std_dylib.iter().chain(&ready.shared) {
            let name = lib.file_name().unwrap_or_default();
            policy.bind(lib, Path::new(STD_MOUNT).join(name), false);
        }
        if run.backtrace {
            policy.set_env("RUST_BACKTRACE", "1");
        }
        policy.limits = plan.limits.run.clone();
        let mut virtual_cap = None;
        if run.time == TimeMode::Virtual {
            let library = self
                .vtime
                .get_or_init(|| {
                    corral_vtime::install(&self.work_root.join("vtime"))
                        .map_err(|e| format!("cannot write the virtual-time library: {e}"))
                })
                .clone()?;
            policy.bind(library, VTIME_MOUNT, false);
            policy.set_env("LD_PRELOAD", VTIME_MOUNT);
            policy.set_env(corral_vtime::SEED_ENV, &run.seed.to_string());
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
        argv.extend(run.argv.iter().cloned());
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
            let stream = match chunk.stream {
                corral_sandbox::Stream::Stdout => Stream::Stdout,
                corral_sandbox::Stream::Stderr => Stream::Stderr,
            };
            let i = usize::from(stream == Stream::Stderr);
            if virtual_cap.is_some() {
                let segs = decoders[i].feed(&chunk.data);
                let data: Vec<u8> = segs.iter().flat_map(|s| s.data.iter().copied()).collect();
                segments[i].extend(segs);
                if !data.is_empty() {
                    watch(Progress::Output { stream, data });
                }
                continue;
            }
            watch(Progress::Output {
                stream,
                data: chunk.data.clone(),
            });
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
            if (out_cut || err_cut)
                && matches!(
                    ran.status,
                    corral_sandbox::Status::Success | corral_sandbox::Status::RuntimeError
                )
            {
                ran.status = corral_sandbox::Status::OutputLimit;
                ran.limit = Some(LimitKind::Output);
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
            ran.status.into(),
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
    for (key, value) in CARGO_ENV {
        policy.set_env(key, value);
    }
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
    limit: Option<LimitKind>,
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
    fn cargo_variables_point_into_the_sandbox_work_dir() {
        let get = |k: &str| CARGO_ENV.iter().find(|(n, _)| *n == k).map(|(_, v)| *v);
        assert_eq!(get("CARGO_MANIFEST_DIR"), Some(WORK_MOUNT));
        assert_eq!(
            get("CARGO_MANIFEST_PATH").map(PathBuf::from),
            Some(Path::new(WORK_MOUNT).join("Cargo.toml"))
        );
        let version = get("CARGO_PKG_VERSION").unwrap();
        let parts: Vec<_> = ["MAJOR", "MINOR", "PATCH"]
            .iter()
            .map(|p| get(&format!("CARGO_PKG_VERSION_{p}")).unwrap())
            .collect();
        assert_eq!(parts.join("."), version);
        let tc = Toolchain {
            name: "stable".into(),
            channel: "stable".into(),
            version: "1.95.0".into(),
            commit_hash: String::new(),
            commit_date: String::new(),
            host: "x86_64-unknown-linux-gnu".into(),
            path: "/opt/tc".into(),
            components: vec![],
            targets: vec![],
        };
        let p = compile_policy(&tc, Path::new("/w"), None, Default::default());
        for (k, v) in CARGO_ENV {
            assert!(p.env.iter().any(|(n, x)| n == k && x == v), "{k}");
        }
    }

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
