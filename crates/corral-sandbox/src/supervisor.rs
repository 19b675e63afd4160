//! The supervisor: it never enters the sandbox. It re-executes the helper, maps ids,
//! places the helper in cgroups, watches the clocks and the output pipes, kills the
//! whole pid namespace when a limit is reached, and cleans up.

use crate::cgroup::{Cgroups, Group};
use crate::jail::{CONTROL_FD, HELPER_ARG};
use crate::limits::Limits;
use crate::outcome::{LimitKind, Outcome, Status};
use crate::policy::{Policy, PolicyError, SANDBOX_ID};
use crate::sys;
use crate::wire::{self, FromJail, Report, Setup, Start, ToHelper};
use std::io::{self, Write};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{ChildStdin, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

/// Errors that prevent a step from starting.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[error("running as root requires cgroups for memory and pids, and none are usable: {0}")]
    NoCgroups(String),
    #[error("cannot create the step's cgroup: {0}")]
    Cgroup(io::Error),
    #[error("cannot give the step a host id of its own: {0}")]
    HostId(io::Error),
    #[error("cannot start the sandbox helper {path}: {source}")]
    Helper { path: PathBuf, source: io::Error },
    #[error("the command line is empty")]
    EmptyCommand,
}

/// How the sandbox can be built on this host.
#[derive(Clone, Debug)]
pub enum Mode {
    /// Root: each step gets its own host id, cgroups enforce memory, pids, CPU.
    Root(Cgroups),
    /// Not root: user namespaces, with rlimits for memory and processes.
    Unprivileged { uid: u32, gid: u32 },
}

/// Which stream a chunk of output came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// Output as it comes, stamped with the time since the step started.
#[derive(Clone, Debug)]
pub struct Chunk {
    pub stream: Stream,
    pub data: Vec<u8>,
    pub at: Duration,
}

/// Test-only switches that turn one layer off, to show the others still hold.
#[derive(Clone, Copy, Debug, Default)]
pub struct Ablation {
    pub seccomp: bool,
    pub landlock: bool,
    /// Root mode without cgroups: rlimits must then hold memory and processes.
    pub cgroups: bool,
}

/// Creates sandboxed steps. Cheap to share between threads.
pub struct Sandbox {
    starter: Starter,
    pool: Arc<Pool>,
}

/// What starting a jail needs (cloned into the pool's refill threads).
#[derive(Clone)]
struct Starter {
    helper: PathBuf,
    mode: Mode,
    ablation: Ablation,
}

impl Sandbox {
    /// `helper` is a binary that calls [`crate::run_helper_if_requested`] first thing in `main`
    /// (the `corral` binary does; `/proc/self/exe` is the usual choice).
    pub fn new(helper: impl Into<PathBuf>) -> Result<Sandbox, Error> {
        let mode = if nix::unistd::geteuid().is_root() {
            let cg = Cgroups::detect().map_err(Error::NoCgroups)?;
            cg.sweep_stale();
            Mode::Root(cg)
        } else {
            Mode::Unprivileged {
                uid: nix::unistd::getuid().as_raw(),
                gid: nix::unistd::getgid().as_raw(),
            }
        };
        Ok(Sandbox {
            starter: Starter {
                helper: helper.into(),
                mode,
                ablation: Ablation::default(),
            },
            pool: Arc::default(),
        })
    }

    pub fn mode(&self) -> &Mode {
        &self.starter.mode
    }

    /// Switches layers off (attack-suite ablation only).
    pub fn with_ablation(mut self, ablation: Ablation) -> Self {
        self.starter.ablation = ablation;
        self
    }

    /// Keeps `count` jails for steps with `limits` (those a jail is made with: memory,
    /// pids, CPU share; see `same_jail`) started ahead of time, in
    /// the background: helper running, cgroups joined, host id leased, namespaces
    /// made and ids mapped, waiting for a job. Nothing of any step is in a jail before
    /// its job arrives (the root, mounts, time namespace and command all come after),
    /// and a jail serves one step only: each one taken is replaced. `count` 0 stops
    /// keeping jails for these limits.
    pub fn keep_warm(&self, limits: &Limits, count: usize) {
        let missing = self.pool.resize(limits, count);
        for _ in 0..missing {
            self.refill(limits);
        }
    }

    /// Stops keeping jails and tears down the ones waiting, each killed, reaped and
    /// its cgroups removed before this returns (a server's shutdown).
    pub fn close_pool(&self) {
        let jails: Vec<Jail> = {
            let mut classes = self.pool.lock();
            classes
                .iter_mut()
                .flat_map(|(_, size, jails)| {
                    *size = 0;
                    jails.drain(..).collect::<Vec<_>>()
                })
                .collect()
        };
        let threads: Vec<_> = jails.into_iter().map(|j| j.thread).collect();
        // Their job channels are closed now: each thread cleans up and ends.
        for t in threads {
            let _ = t.join();
        }
    }

    /// How many started jails wait for steps with `limits` (for tests and metrics).
    pub fn warm(&self, limits: &Limits) -> usize {
        self.pool.count(limits)
    }

    /// Starts one jail for `limits` in the background and adds it to the pool.
    fn refill(&self, limits: &Limits) {
        let (starter, pool, limits) = (self.starter.clone(), self.pool.clone(), limits.clone());
        let _ = std::thread::Builder::new()
            .name("corral-warm".into())
            .spawn(move || match starter.start(&limits) {
                Ok(jail) => pool.put(&limits, jail),
                Err(e) => tracing::warn!("pre-starting a jail: {e}"),
            });
    }

    /// Starts `argv` under `policy`. Output arrives on [`Child::output`] when `stream` is set.
    pub fn spawn(&self, policy: &Policy, argv: &[String], stream: bool) -> Result<Child, Error> {
        if argv.is_empty() {
            return Err(Error::EmptyCommand);
        }
        let mut policy = policy.clone();
        policy.validate()?;
        if let Some(jail) = self.pool.take(&policy.limits) {
            self.refill(&policy.limits);
            match self.spawn_in(jail, &policy, argv, stream) {
                // It died while it waited (the OOM killer takes idle helpers first, their
                // OOM score being the highest): start another.
                Err(Error::Helper { source, .. }) => {
                    tracing::warn!("a jail started ahead is gone ({source}); starting another")
                }
                spawned => return spawned,
            }
        }
        let jail = self.starter.start(&policy.limits)?;
        self.spawn_in(jail, &policy, argv, stream)
    }

    /// Gives `jail` its job.
    fn spawn_in(
        &self,
        jail: Jail,
        policy: &Policy,
        argv: &[String],
        stream: bool,
    ) -> Result<Child, Error> {
        let policy = policy.clone();
        if let (Some(id), true) = (jail.start.host_id, policy.hand_over_writable) {
            for m in &policy.mounts {
                if let crate::policy::Mount::Bind {
                    src,
                    writable: true,
                    ..
                } = m
                {
                    crate::hostid::hand_over(src, id).map_err(|e| {
                        Error::HostId(io::Error::new(
                            e.kind(),
                            format!("handing over {}: {e}", src.display()),
                        ))
                    })?;
                }
            }
        }
        // Root mode: the helper already is the step's unprivileged host id, so the bind
        // sources are opened here, as host root, and passed to it.
        let sources = match jail.start.host_id {
            Some(_) => crate::jail::open_sources(&policy).map(Some),
            None => Ok(None),
        };
        let setup = Setup {
            require_landlock: policy.require_landlock,
            policy,
            argv: argv.to_vec(),
            root_mode: jail.start.root_mode,
            memory_by_rlimit: jail.memory_by_rlimit,
            ablate_seccomp: self.starter.ablation.seccomp,
            ablate_landlock: self.starter.ablation.landlock,
        };
        let (stdin_tx, stdin_rx) = mpsc::channel();
        let (out_tx, out_rx) = mpsc::channel();
        let (done_tx, done_rx) = mpsc::channel();
        let gone = || Error::Helper {
            path: self.starter.helper.clone(),
            source: io::Error::other("the jail's thread is gone"),
        };
        jail.jobs
            .send(Job {
                setup,
                sources,
                stream: stream.then_some(out_tx),
                stdin_tx,
                done_tx,
            })
            .map_err(|_| gone())?;
        let stdin = match stdin_rx.recv() {
            Ok(Ok(stdin)) => Some(stdin),
            Ok(Err(source)) => {
                return Err(Error::Helper {
                    path: self.starter.helper.clone(),
                    source,
                });
            }
            Err(_) => None,
        };
        Ok(Child {
            stdin,
            output: out_rx,
            kill: jail.kill,
            done: done_rx,
        })
    }

    /// Runs to completion with `stdin` as input.
    pub fn run(&self, policy: &Policy, argv: &[String], stdin: &[u8]) -> Result<Outcome, Error> {
        let mut child = self.spawn(policy, argv, false)?;
        if let Some(mut pipe) = child.stdin.take() {
            let input = stdin.to_vec();
            // A separate writer: the program may not read its input before writing output.
            std::thread::spawn(move || {
                let _ = pipe.write_all(&input);
            });
        }
        Ok(child.wait())
    }
}

impl Starter {
    /// A jail for steps with `limits`: a host id, cgroups with the limits, and a
    /// thread that starts the helper and then waits for the jail's one job.
    fn start(&self, limits: &Limits) -> Result<Jail, Error> {
        // Process-wide, so that several `Sandbox`es never pick the same cgroup name.
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let name = format!("{}-{n}", std::process::id());
        let lease = match &self.mode {
            Mode::Root(_) => Some(crate::hostid::lease().map_err(Error::HostId)?),
            Mode::Unprivileged { .. } => None,
        };
        let group = match &self.mode {
            Mode::Root(cg) if !self.ablation.cgroups => {
                Some(cg.create(&name, limits).map_err(Error::Cgroup)?)
            }
            _ => None,
        };
        let start = Start {
            parent_pid: std::process::id() as i32,
            root_mode: matches!(self.mode, Mode::Root(_)),
            host_id: lease.as_ref().map(|l| l.id()),
            cgroup_attach: group
                .as_ref()
                .map(|g| g.self_attach_files())
                .unwrap_or_default(),
            ipc_memory: limits.memory,
        };
        let kill = Arc::new(KillSwitch::default());
        let (jobs, jobs_rx) = mpsc::channel();
        let memory_by_rlimit = group.is_none();
        let watch = Watch {
            helper: self.helper.clone(),
            mode: self.mode.clone(),
            start: start.clone(),
            group,
            _lease: lease,
            kill: kill.clone(),
            stream: None,
        };
        // The jail's thread spawns the helper and lives exactly as long as it: the
        // helper's PR_SET_PDEATHSIG is tied to the thread that forked it.
        let thread = std::thread::Builder::new()
            .name(format!("corral-step-{n}"))
            .spawn(move || watch.serve(jobs_rx))
            .map_err(|source| Error::Helper {
                path: self.helper.clone(),
                source,
            })?;
        Ok(Jail {
            thread,
            jobs,
            kill,
            memory_by_rlimit,
            start,
        })
    }
}

/// A jail started (or starting) on its own thread, waiting for its job.
struct Jail {
    thread: std::thread::JoinHandle<()>,
    jobs: mpsc::Sender<Job>,
    kill: Arc<KillSwitch>,
    memory_by_rlimit: bool,
    start: Start,
}

/// A step for a jail: what it runs, and where its results go.
struct Job {
    setup: Setup,
    /// Root mode: the bind sources, opened by the caller as host root.
    sources: Result<Option<crate::jail::Sources>, String>,
    stream: Option<mpsc::Sender<Chunk>>,
    stdin_tx: mpsc::Sender<io::Result<ChildStdin>>,
    done_tx: mpsc::Sender<Outcome>,
}

/// Whether a jail started for `a` can serve a step with `b`: the limits a jail is
/// made with (its cgroups' memory, processes and CPU share, and its IPC namespace's
/// memory) are equal; the others apply once the job is known.
fn same_jail(a: &Limits, b: &Limits) -> bool {
    (a.memory, a.pids, a.cpu_millis) == (b.memory, b.pids, b.cpu_millis)
}

/// Started jails, per limits. Dropping the pool (with its `Sandbox`) closes their
/// job channels: each one's thread then kills its helper and cleans up.
#[derive(Default)]
struct Pool {
    classes: Mutex<Vec<(Limits, usize, std::collections::VecDeque<Jail>)>>,
}

impl Pool {
    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, Vec<(Limits, usize, std::collections::VecDeque<Jail>)>> {
        self.classes.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sets how many jails to keep for `limits`; returns how many to start.
    fn resize(&self, limits: &Limits, count: usize) -> usize {
        let mut classes = self.lock();
        match classes.iter_mut().find(|(l, _, _)| same_jail(l, limits)) {
            Some((_, size, jails)) => {
                *size = count;
                jails.truncate(count);
                count - jails.len()
            }
            None => {
                classes.push((limits.clone(), count, Default::default()));
                count
            }
        }
    }

    fn take(&self, limits: &Limits) -> Option<Jail> {
        let mut classes = self.lock();
        let (_, _, jails) = classes.iter_mut().find(|(l, _, _)| same_jail(l, limits))?;
        jails.pop_front()
    }

    fn put(&self, limits: &Limits, jail: Jail) {
        let mut classes = self.lock();
        if let Some((_, size, jails)) = classes.iter_mut().find(|(l, _, _)| same_jail(l, limits))
            && jails.len() < *size
        {
            jails.push_back(jail);
        }
    }

    fn count(&self, limits: &Limits) -> usize {
        self.lock()
            .iter()
            .find(|(l, _, _)| same_jail(l, limits))
            .map_or(0, |(_, _, jails)| jails.len())
    }
}

/// A running step.
pub struct Child {
    /// The program's standard input; drop it to send end-of-file.
    pub stdin: Option<ChildStdin>,
    output: mpsc::Receiver<Chunk>,
    kill: Arc<KillSwitch>,
    done: mpsc::Receiver<Outcome>,
}

impl Child {
    /// Output chunks as they come (only when spawned with `stream`).
    pub fn output(&self) -> &mpsc::Receiver<Chunk> {
        &self.output
    }

    /// A handle that kills the step from any thread.
    pub fn killer(&self) -> Killer {
        Killer(self.kill.clone())
    }

    /// Waits for the end of the step; every process of it is dead and its cgroup removed.
    pub fn wait(self) -> Outcome {
        drop(self.stdin);
        self.done
            .recv()
            .unwrap_or_else(|_| internal("the watcher thread panicked".into(), Duration::ZERO))
    }
}

/// Kills a running step; it then ends with status `killed`.
#[derive(Clone)]
pub struct Killer(Arc<KillSwitch>);

impl Killer {
    pub fn kill(&self) {
        self.0.fire(Reason::User);
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reason {
    User,
    Wall,
    Cpu,
    Output,
}

#[derive(Default)]
struct KillSwitch {
    fired: AtomicBool,
    reason: Mutex<Option<Reason>>,
    /// pidfd of init: killing it kills the whole pid namespace.
    init: Mutex<Option<OwnedFd>>,
    /// pidfd of the helper, before init exists (init dies with it: PR_SET_PDEATHSIG).
    helper: Mutex<Option<OwnedFd>>,
}

impl KillSwitch {
    fn fire(&self, reason: Reason) {
        {
            let mut r = self.reason.lock().unwrap_or_else(|p| p.into_inner());
            if r.is_none() {
                *r = Some(reason);
            }
        }
        self.fired.store(true, Ordering::SeqCst);
        self.signal();
    }

    /// Kills init (process 1: the whole pid namespace dies with it; the helpers then
    /// exit), or before init exists the helper, with the SIGTERM its reaper half turns
    /// into a kill of the inner half (so every process is collected, none left behind
    /// as a zombie).
    fn signal(&self) {
        if let Some(fd) = self.init.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            let _ = sys::pidfd_kill(fd, libc::SIGKILL);
            return;
        }
        if let Some(fd) = self
            .helper
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            let _ = sys::pidfd_kill(fd, libc::SIGTERM);
        }
    }

    fn reason(&self) -> Option<Reason> {
        *self.reason.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn internal(error: String, wall: Duration) -> Outcome {
    Outcome {
        status: Status::InternalError,
        limit: None,
        exit_code: None,
        signal: None,
        stdout: String::new(),
        stderr: String::new(),
        stdout_truncated: false,
        stderr_truncated: false,
        wall_ms: wall.as_millis() as u64,
        cpu_ms: 0,
        memory_bytes: 0,
        stdout_bytes: vec![],
        stderr_bytes: vec![],
        error: Some(error),
    }
}

struct Watch {
    helper: PathBuf,
    mode: Mode,
    start: Start,
    group: Option<Box<dyn Group>>,
    /// The step's host id (root mode), released when the step is over.
    _lease: Option<crate::hostid::Lease>,
    kill: Arc<KillSwitch>,
    stream: Option<mpsc::Sender<Chunk>>,
}

/// Output collected from one stream, up to the cap.
struct Capture {
    pipe: Option<OwnedFd>,
    kept: Vec<u8>,
    truncated: bool,
    stream: Stream,
}

/// A helper that has made its namespaces and had its ids mapped.
struct Started {
    child: std::process::Child,
    ctl: OwnedFd,
    reaper: i32,
    inner: i32,
}

impl Watch {
    /// The jail's thread: starts the helper, waits for the job, runs it, cleans up.
    fn serve(mut self, jobs: mpsc::Receiver<Job>) {
        let started = self.prestart();
        let Ok(job) = jobs.recv() else {
            // Never used: the pool is closing.
            if let Ok(s) = started {
                self.kill.signal();
                self.reap(s);
            }
            self.remove_group();
            return;
        };
        let Job {
            setup,
            sources,
            stream,
            stdin_tx,
            done_tx,
        } = job;
        self.stream = stream;
        // The step's clock starts with its job, not with its jail.
        let begin = Instant::now();
        let result = match started {
            Err(e) => {
                let _ = stdin_tx.send(Err(io::Error::other(e.clone())));
                Err(e)
            }
            Ok(mut s) => {
                let stdin = s
                    .child
                    .stdin
                    .take()
                    .ok_or_else(|| io::Error::other("no stdin pipe"));
                let limits = setup.policy.limits.clone();
                let sent = match sources {
                    Err(e) => Err(format!("sandbox setup failed: {e}")),
                    Ok(_) if !self.waiting(&s) => {
                        let gone = "the jail is gone: its helper ended while it waited";
                        let _ = stdin_tx.send(Err(io::Error::other(gone)));
                        Err(gone.to_string())
                    }
                    Ok(sources) => {
                        let fds = sources
                            .as_ref()
                            .map(crate::jail::source_fds)
                            .unwrap_or_default();
                        // (The helper holds its own copies of the sources once sent.)
                        wire::send_with_fds(&s.ctl, &ToHelper::Job(Box::new(setup)), &fds).map_err(
                            |e| {
                                // Said to the caller, who can start another jail.
                                let gone = format!("the jail is gone: {e}");
                                let _ = stdin_tx.send(Err(io::Error::other(gone.clone())));
                                gone
                            },
                        )
                    }
                };
                let _ = stdin_tx.send(stdin);
                let outcome = sent.and_then(|()| self.watch(begin, &mut s, limits));
                if outcome.is_err() {
                    self.kill.signal();
                }
                self.reap(s);
                outcome
            }
        };
        self.remove_group();
        let _ = done_tx.send(result.unwrap_or_else(|e| internal(e, begin.elapsed())));
    }

    fn remove_group(&self) {
        if let Some(g) = &self.group
            && let Err(e) = g.remove()
        {
            tracing::warn!("cgroup cleanup: {e}");
        }
    }

    /// Spawns the helper and takes it to the point where it waits for a job.
    fn prestart(&mut self) -> Result<Started, String> {
        let (ours, theirs) = wire::pair().map_err(|e| format!("control socket: {e}"))?;
        let theirs_fd = theirs.as_raw_fd();
        let mut cmd = std::process::Command::new(&self.helper);
        cmd.arg(HELPER_ARG)
            .env_clear()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // SAFETY: dup2 is async-signal-safe; it places the control socket at fd 3
        // (dup2 clears close-on-exec on the copy) in the forked child only.
        unsafe {
            cmd.pre_exec(move || {
                if libc::dup2(theirs_fd, CONTROL_FD) < 0 {
                    return Err(io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().map_err(|e| {
            format!(
                "cannot start the sandbox helper {}: {e}",
                self.helper.display()
            )
        })?;
        drop(theirs);
        // The pipes belong to us (host root, in root mode); the sandbox user must be able
        // to reopen its own stdio through /dev/stdin (/proc/self/fd/N) like any process.
        // Nobody else can reach these pipes: only processes that hold them can name them.
        for fd in [
            child.stdin.as_ref().map(|p| p.as_raw_fd()),
            child.stdout.as_ref().map(|p| p.as_raw_fd()),
            child.stderr.as_ref().map(|p| p.as_raw_fd()),
        ]
        .into_iter()
        .flatten()
        {
            // SAFETY: fchmod on a pipe descriptor we own; no memory is involved.
            unsafe { libc::fchmod(fd, 0o666) };
        }
        let reaper = child.id() as i32;
        *self.kill.helper.lock().unwrap_or_else(|p| p.into_inner()) = sys::pidfd_open(reaper).ok();
        let mut s = Started {
            child,
            ctl: ours,
            reaper,
            inner: 0,
        };
        match self.handshake(&mut s) {
            Ok(()) => Ok(s),
            Err(e) => {
                self.kill.signal();
                self.reap(s);
                Err(e)
            }
        }
    }

    /// Whether the started helper still waits for its job: nothing may come on the
    /// control socket meanwhile (a message or a hang-up means it is gone), and the
    /// reaper has not exited.
    fn waiting(&self, s: &Started) -> bool {
        let quiet = |fd: std::os::fd::BorrowedFd| {
            let mut fds = [nix::poll::PollFd::new(fd, nix::poll::PollFlags::POLLIN)];
            nix::poll::poll(&mut fds, nix::poll::PollTimeout::ZERO) == Ok(0)
        };
        let reaper = self.kill.helper.lock().unwrap_or_else(|p| p.into_inner());
        quiet(s.ctl.as_fd()) && reaper.as_ref().is_none_or(|fd| quiet(fd.as_fd()))
    }

    /// Start, the helper's namespaces, its id maps, Go.
    fn handshake(&mut self, s: &mut Started) -> Result<(), String> {
        wire::send(&s.ctl, &ToHelper::Start(Box::new(self.start.clone())))
            .map_err(|e| format!("send start: {e}"))?;
        // Bounded: a helper that neither answers nor dies must not hold a thread.
        let mut fds = [nix::poll::PollFd::new(
            s.ctl.as_fd(),
            nix::poll::PollFlags::POLLIN,
        )];
        match nix::poll::poll(&mut fds, nix::poll::PollTimeout::from(10_000u16)) {
            Ok(0) => return Err("the sandbox helper did not start within 10 s".into()),
            Ok(_) => {}
            Err(e) => return Err(format!("poll: {e}")),
        }
        match wire::recv::<FromJail>(&s.ctl) {
            Ok(Some(FromJail::Unshared(pid))) => {
                self.map_ids(pid, s.reaper)?;
                s.inner = pid;
            }
            Ok(Some(FromJail::Failed(e))) => return Err(format!("sandbox setup failed: {e}")),
            Ok(Some(other)) => {
                return Err(format!("unexpected message from the helper: {other:?}"));
            }
            Ok(None) | Err(_) => return Err("the sandbox helper ended during start-up".into()),
        }
        wire::send(&s.ctl, &ToHelper::Go).map_err(|e| format!("send go: {e}"))
    }

    /// Waits for the helper to collect the step's processes (it exits then), then
    /// reaps it; kills it if it lingers.
    fn reap(&self, mut s: Started) {
        // (Its pidfd becomes readable when it exits; a copy, so kills need not wait.)
        let helper = self
            .kill
            .helper
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .and_then(|fd| fd.try_clone().ok());
        if let Some(fd) = &helper {
            let mut fds = [nix::poll::PollFd::new(
                fd.as_fd(),
                nix::poll::PollFlags::POLLIN,
            )];
            let _ = nix::poll::poll(&mut fds, nix::poll::PollTimeout::from(2000u16));
        }
        let _ = s.child.kill();
        let _ = s.child.wait();
    }

    /// Watches the step, its job sent, to its end.
    fn watch(
        &mut self,
        start: Instant,
        s: &mut Started,
        limits: Limits,
    ) -> Result<Outcome, String> {
        let ctl = &s.ctl;
        let inner = Some(s.inner);
        let (stdout, stderr) = (s.child.stdout.take(), s.child.stderr.take());
        let mut captures = [
            Capture {
                pipe: stdout.map(OwnedFd::from),
                kept: vec![],
                truncated: false,
                stream: Stream::Stdout,
            },
            Capture {
                pipe: stderr.map(OwnedFd::from),
                kept: vec![],
                truncated: false,
                stream: Stream::Stderr,
            },
        ];
        for c in &captures {
            if let Some(p) = &c.pipe {
                set_nonblocking(p);
            }
        }
        let mut ctl_open = true;
        let mut report: Option<Report> = None;
        let mut failure: Option<String> = None;
        let deadline = start + limits.wall;
        let mut buf = vec![0u8; 64 << 10];
        loop {
            let outputs_open = captures.iter().any(|c| c.pipe.is_some());
            if !ctl_open && !outputs_open {
                break;
            }
            let now = Instant::now();
            if now >= deadline && !self.kill.fired.load(Ordering::SeqCst) {
                self.kill.fire(Reason::Wall);
            }
            if let Some(g) = &self.group
                && g.cpu_ns()
                    .is_ok_and(|ns| ns >= limits.cpu.as_nanos() as u64)
            {
                self.kill.fire(Reason::Cpu);
            }
            // Poll at most 20 ms at a time: the CPU limit and kills are checked between polls.
            let wait = deadline
                .saturating_duration_since(now)
                .min(Duration::from_millis(20));
            let mut fds: Vec<nix::poll::PollFd> = Vec::with_capacity(3);
            let mut which = Vec::with_capacity(3);
            if ctl_open {
                fds.push(nix::poll::PollFd::new(
                    ctl.as_fd(),
                    nix::poll::PollFlags::POLLIN,
                ));
                which.push(2usize);
            }
            for (i, c) in captures.iter().enumerate() {
                if let Some(p) = &c.pipe {
                    fds.push(nix::poll::PollFd::new(
                        p.as_fd(),
                        nix::poll::PollFlags::POLLIN,
                    ));
                    which.push(i);
                }
            }
            let timeout = nix::poll::PollTimeout::from(wait.as_millis().clamp(1, 1000) as u16);
            match nix::poll::poll(&mut fds, timeout) {
                Ok(_) | Err(nix::errno::Errno::EINTR) => {}
                Err(e) => return Err(format!("poll: {e}")),
            }
            let ready: Vec<usize> = fds
                .iter()
                .zip(&which)
                .filter(|(f, _)| f.revents().is_some_and(|r| !r.is_empty()))
                .map(|(_, &w)| w)
                .collect();
            drop(fds);
            for w in ready {
                if w == 2 {
                    match wire::recv::<FromJail>(ctl) {
                        Ok(Some(FromJail::Unshared(_))) => {
                            return Err("the helper asked for id maps twice".into());
                        }
                        Ok(Some(FromJail::InitPid(pid))) => {
                            // Only a pidfd of the inner helper's child is init: if init
                            // already died (the step was killed meanwhile) and its pid
                            // was reused, the pidfd names a stranger, which we drop.
                            let fd = sys::pidfd_open(pid)
                                .ok()
                                .filter(|_| inner.is_some() && parent_of(pid) == inner);
                            if fd.is_none() && !self.kill.fired.load(Ordering::SeqCst) {
                                return Err(format!("init (pid {pid}) is gone"));
                            }
                            *self.kill.init.lock().unwrap_or_else(|p| p.into_inner()) = fd;
                            if self.kill.fired.load(Ordering::SeqCst) {
                                self.kill.signal();
                            }
                            let _ = wire::send(ctl, &ToHelper::Ack);
                        }
                        Ok(Some(FromJail::Report(r))) => report = Some(r),
                        Ok(Some(FromJail::Failed(e))) => failure = Some(e),
                        Ok(None) | Err(_) => ctl_open = false,
                    }
                } else {
                    let c = &mut captures[w];
                    self.drain(c, &mut buf, limits.output, start);
                }
            }
        }
        let wall = start.elapsed();
        if let Some(e) = failure {
            return Err(format!("sandbox setup failed: {e}"));
        }
        let usage = self.group.as_ref().map(|g| g.usage());
        let mut out = internal(String::new(), wall);
        out.error = None;
        let [so, se] = captures;
        out.stdout = String::from_utf8_lossy(&so.kept).into_owned();
        out.stderr = String::from_utf8_lossy(&se.kept).into_owned();
        out.stdout_truncated = so.truncated;
        out.stderr_truncated = se.truncated;
        out.stdout_bytes = so.kept;
        out.stderr_bytes = se.kept;
        // No report: we killed the step, or the OOM killer took init too (tmpfs pages
        // are charged to the group and belong to no process).
        let oom = usage.is_some_and(|u| u.oom_killed);
        let report = match (report, self.kill.reason()) {
            (Some(r), _) => Some(r),
            (None, Some(_)) => None,
            (None, None) if oom => None,
            (None, None) => return Err("the sandbox ended without a report".into()),
        };
        if let Some(r) = &report {
            let status = r.wait_status;
            if libc::WIFEXITED(status) {
                out.exit_code = Some(libc::WEXITSTATUS(status));
            } else if libc::WIFSIGNALED(status) {
                out.signal = Some(libc::WTERMSIG(status));
            }
        } else {
            out.signal = Some(libc::SIGKILL);
        }
        out.cpu_ms = match (&usage, &report) {
            (Some(u), _) => u.cpu_ns / 1_000_000,
            (None, Some(r)) => r.cpu_us / 1000,
            (None, None) => 0,
        };
        out.memory_bytes = match (&usage, &report) {
            (Some(u), _) => u.memory_peak,
            (None, Some(r)) => r.maxrss_kb * 1024,
            (None, None) => 0,
        };
        let (status, limit) = classify(
            &out,
            self.kill.reason(),
            usage.as_ref(),
            report.as_ref(),
            &limits,
        );
        out.status = status;
        out.limit = limit;
        Ok(out)
    }

    /// Reads what is available; past the cap, keeps nothing more and stops the step.
    fn drain(&self, c: &mut Capture, buf: &mut [u8], cap: u64, start: Instant) {
        let Some(pipe) = &c.pipe else { return };
        loop {
            match nix::unistd::read(pipe, buf) {
                Ok(0) => {
                    c.pipe = None;
                    return;
                }
                Ok(n) => {
                    let room = (cap as usize).saturating_sub(c.kept.len());
                    let take = n.min(room);
                    c.kept.extend_from_slice(&buf[..take]);
                    if let (Some(tx), true) = (&self.stream, take > 0) {
                        let _ = tx.send(Chunk {
                            stream: c.stream,
                            data: buf[..take].to_vec(),
                            at: start.elapsed(),
                        });
                    }
                    if take < n {
                        c.truncated = true;
                        self.kill.fire(Reason::Output);
                    }
                }
                Err(nix::errno::Errno::EAGAIN) => return,
                Err(nix::errno::Errno::EINTR) => continue,
                Err(_) => {
                    c.pipe = None;
                    return;
                }
            }
        }
    }

    /// Maps sandbox uid/gid 1000 to the step's host id (root) or the caller's.
    ///
    /// Written through a descriptor of `/proc/<pid>` whose parent was checked to be our
    /// child `reaper`: a reused pid cannot receive the maps.
    fn map_ids(&self, pid: i32, reaper: i32) -> Result<(), String> {
        let proc = PathBuf::from(format!("/proc/{pid}"));
        let dir =
            std::fs::File::open(&proc).map_err(|e| format!("open {}: {e}", proc.display()))?;
        let proc = PathBuf::from(format!("/proc/self/fd/{}", dir.as_raw_fd()));
        let status = std::fs::read_to_string(proc.join("status")).unwrap_or_default();
        if status_ppid(&status) != Some(reaper) {
            return Err(format!("pid {pid} is not the sandbox helper"));
        }
        let (uid, gid) = match (&self.mode, self.start.host_id) {
            (Mode::Root(_), Some(id)) => (id, id),
            (Mode::Root(_), None) => return Err("root mode without a host id".into()),
            (Mode::Unprivileged { uid, gid }, _) => {
                // An unprivileged process may map its own gid only after denying setgroups.
                std::fs::write(proc.join("setgroups"), "deny")
                    .map_err(|e| format!("write setgroups: {e}"))?;
                (*uid, *gid)
            }
        };
        std::fs::write(proc.join("uid_map"), format!("{SANDBOX_ID} {uid} 1\n"))
            .map_err(|e| format!("write uid_map: {e}"))?;
        std::fs::write(proc.join("gid_map"), format!("{SANDBOX_ID} {gid} 1\n"))
            .map_err(|e| format!("write gid_map: {e}"))?;
        Ok(())
    }
}

/// The parent pid in a /proc/<pid>/status text.
fn status_ppid(status: &str) -> Option<i32> {
    status
        .lines()
        .find_map(|l| l.strip_prefix("PPid:"))
        .and_then(|v| v.trim().parse().ok())
}

fn parent_of(pid: i32) -> Option<i32> {
    status_ppid(&std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?)
}

fn set_nonblocking(fd: &OwnedFd) {
    use nix::fcntl::{FcntlArg, OFlag, fcntl};
    if let Ok(flags) = fcntl(fd, FcntlArg::F_GETFL) {
        let _ = fcntl(
            fd,
            FcntlArg::F_SETFL(OFlag::from_bits_retain(flags) | OFlag::O_NONBLOCK),
        );
    }
}

/// Decides the status and the limit responsible, from what the supervisor saw.
fn classify(
    out: &Outcome,
    killed: Option<Reason>,
    usage: Option<&crate::cgroup::Usage>,
    report: Option<&Report>,
    limits: &crate::limits::Limits,
) -> (Status, Option<LimitKind>) {
    match killed {
        Some(Reason::User) => return (Status::Killed, None),
        Some(Reason::Wall) => return (Status::Timeout, Some(LimitKind::Wall)),
        Some(Reason::Cpu) => return (Status::Timeout, Some(LimitKind::Cpu)),
        Some(Reason::Output) => return (Status::OutputLimit, Some(LimitKind::Output)),
        None => {}
    }
    if usage.is_some_and(|u| u.oom_killed) {
        return (Status::MemoryLimit, Some(LimitKind::Memory));
    }
    // RLIMIT_CPU (whole seconds) sends SIGXCPU, then SIGKILL: trust either only when the
    // CPU time was really spent, so that a program raising SIGXCPU itself, or a shell
    // exiting 152 (128 + SIGXCPU), is not a CPU timeout.
    let cpu_spent = usage.map(|u| u.cpu_ns / 1_000_000).unwrap_or(out.cpu_ms);
    // (getrusage's figure for children is scaled and can fall a little short of the
    // kernel's CPU-timer clock that sent the signal.)
    let cpu_exhausted = cpu_spent + 250 >= limits.cpu.as_millis() as u64;
    let died_of = |sig: i32| out.signal == Some(sig) || out.exit_code == Some(128 + sig);
    if cpu_exhausted && (died_of(libc::SIGXCPU) || out.signal == Some(libc::SIGKILL)) {
        return (Status::Timeout, Some(LimitKind::Cpu));
    }
    if out.exit_code == Some(0) {
        return (Status::Success, None);
    }
    // RLIMIT_AS bounds memory without a memory cgroup, and refuses single allocations
    // far over the limit with one: such failures surface as the runtime's own message
    // (Rust, Python, C++, glibc's strerror).
    const OOM_MESSAGES: [&str; 4] = [
        "memory allocation of ",
        "MemoryError",
        "std::bad_alloc",
        "Cannot allocate memory",
    ];
    if OOM_MESSAGES.iter().any(|m| out.stderr.contains(m)) {
        return (Status::MemoryLimit, Some(LimitKind::Memory));
    }
    // Without a pids cgroup, RLIMIT_NPROC makes fork and thread creation fail.
    const FORK_FAILURES: [&str; 3] = [
        "Cannot fork",
        "fork: Resource temporarily unavailable",
        "failed to spawn thread",
    ];
    // A shell reports a child's death by signal N as exit code 128+N.
    let limit = if died_of(libc::SIGXFSZ) {
        Some(LimitKind::FileSize)
    } else if usage.is_some_and(|u| u.pids_hit)
        || (usage.is_none() && FORK_FAILURES.iter().any(|m| out.stderr.contains(m)))
    {
        Some(LimitKind::Pids)
    } else if report.is_some_and(|r| r.disk_full) {
        Some(LimitKind::Disk)
    } else if report.is_some_and(|r| r.inodes_full) {
        Some(LimitKind::Inodes)
    } else if out.stderr.contains("Too many open files") {
        Some(LimitKind::OpenFiles)
    } else {
        None
    };
    (Status::RuntimeError, limit)
}
