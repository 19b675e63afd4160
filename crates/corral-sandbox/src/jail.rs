//! The inside of the sandbox: the helper (re-executed from the supervisor's binary),
//! init (process 1 of the new pid namespace) and the command's last steps before exec.
//!
//! Order matters and reads top to bottom:
//! reaper:  the supervisor's child; a subreaper whose parent-death signal (SIGTERM)
//!          kills the inner helper; forks it, then collects it and init, so that no
//!          process of the step outlives the server, not even as a zombie
//! helper:  join cgroups -> reset scheduling, I/O priority and OOM score -> (root mode)
//!          open bind sources as root, become the step's own host uid/gid
//!          -> unshare user+pid+mount+net+ipc+uts (the user namespace is owned by, and
//!          its per-user counts charged to, that uid) -> supervisor maps ids
//!          -> (unprivileged) open bind sources -> unshare cgroup and time -> fork init
//!          -> wait for it
//! init:    private mounts -> become uid/gid 1000 -> arm the parent-death signal (any
//!          uid change clears it) -> build the new root -> pivot_root -> fork the command
//!          -> reap everything, killing it all at wall + grace if nobody else did -> report
//! command: new session -> persona (ASLR) and umask -> rlimits -> no_new_privs -> Landlock
//!          -> drop capabilities -> close fds -> seccomp -> exec

use crate::landlock_rules;
use crate::policy::{Mount, Network, Policy, SANDBOX_ID};
use crate::seccomp;
use crate::sys;
use crate::wire::{self, FromJail, Report, Setup, ToHelper};
use nix::mount::{MntFlags, MsFlags, mount, umount2};
use nix::sched::{CloneFlags, unshare};
use nix::sys::resource::{Resource, setrlimit};
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{Gid, Pid, Uid, chdir, pivot_root, setresgid, setresuid};
use std::ffi::CString;
use std::fs;
use std::io::{Read, Write};
use std::os::fd::{AsFd, AsRawFd, FromRawFd, IntoRawFd, OwnedFd, RawFd};
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The first argument that turns the corral binary into the sandbox helper.
pub const HELPER_ARG: &str = "__corral-jail";
/// The control socket's descriptor number in the helper.
pub(crate) const CONTROL_FD: RawFd = 3;

/// Where init builds the new root before pivoting into it.
const NEW_ROOT: &str = "/tmp";
/// Signals the command may have queued at once (RLIMIT_SIGPENDING).
pub(crate) const SIGPENDING: u64 = 1024;
/// Seconds past the wall limit after which init kills everything on its own.
const WALL_GRACE_SECS: u64 = 2;
const DEVICES: [&str; 5] = ["null", "zero", "full", "random", "urandom"];
/// /proc files that describe the host rather than the sandbox (kernel command line,
/// loaded modules, kernel symbols, timers and keys of other processes).
const PROC_MASKED: [&str; 21] = [
    "cmdline",
    "modules",
    "kallsyms",
    "timer_list",
    "keys",
    "key-users",
    "kcore",
    "config.gz",
    "iomem",
    "ioports",
    // Names the host's boot: the same in every sandbox on one host.
    "sys/kernel/random/boot_id",
    // Host-wide counts that move with every process on the host, other runs included:
    // a channel between runs and a view of the host's activity.
    "sys/fs/file-nr",
    "sys/fs/inode-nr",
    "sys/fs/inode-state",
    "sys/fs/dentry-state",
    "diskstats",
    "pressure/cpu",
    "pressure/memory",
    "pressure/io",
    "pressure/irq",
    "vmstat",
];

type Result<T> = std::result::Result<T, String>;

/// Adds context to an error: which step failed.
trait Step<T> {
    fn step(self, what: &str) -> Result<T>;
}
impl<T, E: std::fmt::Display> Step<T> for std::result::Result<T, E> {
    fn step(self, what: &str) -> Result<T> {
        self.map_err(|e| format!("{what}: {e}"))
    }
}

/// Entry point of the helper process. Never returns.
pub fn helper_main() -> ! {
    // SAFETY: fd 3 was placed there by the supervisor for this process alone.
    let ctl = unsafe { OwnedFd::from_raw_fd(CONTROL_FD) };
    let code = match reaper(ctl) {
        Ok(code) => code,
        Err((ctl, e)) => {
            let _ = wire::send(&ctl, &FromJail::Failed(e));
            125
        }
    };
    std::process::exit(code)
}

/// A pidfd of the inner helper (-1 until it exists), for the reaper's SIGTERM handler:
/// a pidfd names that process alone, even once it is reaped and its pid reused.
static INNER_PIDFD: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(-1);
/// Set by the reaper's SIGTERM handler, so a SIGTERM that comes before the inner helper
/// exists is acted on once it does.
static TERMINATED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The reaper's SIGTERM (its parent-death signal, or the supervisor's kill before init
/// exists): kill the inner helper; init follows it (its own parent-death signal), and
/// the reaper collects both.
extern "C" fn kill_inner(_: libc::c_int) {
    TERMINATED.store(true, std::sync::atomic::Ordering::SeqCst);
    let fd = INNER_PIDFD.load(std::sync::atomic::Ordering::SeqCst);
    if fd >= 0 {
        // SAFETY: a raw pidfd_send_signal, async-signal-safe.
        unsafe { libc::syscall(libc::SYS_pidfd_send_signal, fd, libc::SIGKILL, 0, 0) };
    }
}

/// The outer helper: the supervisor's child, outside the step's cgroups and ids. It
/// forks the inner helper and reaps it and, as a subreaper, init: when the server
/// dies, every process of the step is dead *and collected* before the reaper exits, so
/// none lingers even as a zombie of the step's host id waiting for the host's init.
fn reaper(ctl: OwnedFd) -> std::result::Result<i32, (OwnedFd, String)> {
    let setup = match prepare_reaper(&ctl) {
        Ok(s) => s,
        Err(e) => return Err((ctl, e)),
    };
    let outer = std::process::id() as i32;
    let inner = match sys::fork() {
        Ok(pid) => pid,
        Err(e) => return Err((ctl, format!("fork helper: {e}"))),
    };
    if inner == 0 {
        sys::set_signal_handler(libc::SIGTERM, libc::SIG_DFL);
        let code = match helper(&ctl, &setup, outer) {
            Ok(code) => code,
            Err(e) => {
                let _ = wire::send(&ctl, &FromJail::Failed(e));
                125
            }
        };
        // SAFETY: _exit in a forked child.
        unsafe { libc::_exit(code) };
    }
    // Our unreaped child: its pid cannot have been reused yet.
    match sys::pidfd_open(inner) {
        Ok(fd) => {
            // Kept open for the rest of our life (raw, for the signal handler).
            INNER_PIDFD.store(fd.into_raw_fd(), std::sync::atomic::Ordering::SeqCst);
            if TERMINATED.load(std::sync::atomic::Ordering::SeqCst) {
                kill_inner(libc::SIGTERM);
            }
        }
        // SAFETY: kill of our own unreaped child.
        Err(_) => unsafe {
            libc::kill(inner, libc::SIGKILL);
        },
    }
    // The step's pipes and control socket must close when the step's processes end,
    // not when we do.
    drop(ctl);
    if let Ok(devnull) = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/null")
    {
        for fd in 0..3 {
            let _ = sys::dup2(devnull.as_raw_fd(), fd);
        }
    }
    loop {
        // SAFETY: waitpid with a null status pointer.
        let pid = unsafe { libc::waitpid(-1, std::ptr::null_mut(), libc::__WALL) };
        if pid < 0 && nix::errno::Errno::last() != nix::errno::Errno::EINTR {
            return Ok(0); // ECHILD: the inner helper and init are collected
        }
    }
}

fn prepare_reaper(ctl: &OwnedFd) -> Result<Setup> {
    // Nothing but stdio and the control socket may cross into the sandbox.
    sys::close_range(CONTROL_FD as u32 + 1, u32::MAX).step("close inherited fds")?;
    let setup: Setup = match wire::recv::<ToHelper>(ctl).step("read setup")? {
        Some(ToHelper::Setup(s)) => *s,
        _ => return Err("expected setup message".into()),
    };
    // Die with the supervisor's thread that spawned us (taking the step along): a
    // catchable signal, so the handler can kill the inner helper. Re-check the parent
    // after arming, in case it died before.
    sys::set_signal_handler(libc::SIGTERM, kill_inner as *const () as libc::sighandler_t);
    nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGTERM).step("PR_SET_PDEATHSIG")?;
    if nix::unistd::getppid().as_raw() != setup.parent_pid {
        return Err("the supervisor died during start-up".into());
    }
    nix::sys::prctl::set_child_subreaper(true).step("PR_SET_CHILD_SUBREAPER")?;
    Ok(setup)
}

/// The inner helper: joins the step's cgroups, becomes its host id, creates the
/// namespaces and forks init.
fn helper(ctl: &OwnedFd, setup: &Setup, reaper: i32) -> Result<i32> {
    // Die with the reaper; re-check it after arming.
    nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL).step("PR_SET_PDEATHSIG")?;
    if nix::unistd::getppid().as_raw() != reaper {
        return Ok(125);
    }
    let devnull = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/null")
        .step("open /dev/null")?;
    // Join our cgroups first: everything we and our children do is counted there.
    for file in &setup.cgroup_attach {
        fs::write(file, "0").step(&format!("join cgroup {}", file.display()))?;
    }
    reset_priorities(setup.root_mode)?;
    // Per-user counts of the user namespace we create are capped by our limits at
    // creation: lower them now (the command sets its own again).
    setrlimit(Resource::RLIMIT_SIGPENDING, SIGPENDING, SIGPENDING).step("RLIMIT_SIGPENDING")?;

    // In root mode, open the bind sources while we are still host root (the toolchain
    // under /root is readable only by uid 0), then become the step's own unprivileged
    // host id before creating the user namespace.
    let mut sources = None;
    let mut timens_offsets = None;
    if let Some(id) = setup.host_id {
        // Opened as host root, whose right to set the offsets the kernel checks at the
        // write, after the namespaces exist.
        timens_offsets = fs::OpenOptions::new()
            .write(true)
            .open("/proc/self/timens_offsets")
            .ok();
        // The IPC namespace is made here, by host root, so its limits can be written
        // (they belong to the root of the user namespace that owns it, which a sandbox's
        // own user namespace does not map). The run has no capability over it.
        unshare(CloneFlags::CLONE_NEWIPC).step("unshare ipc namespace")?;
        cap_ipc(setup.policy.limits.memory)?;
        sources = Some(open_sources(&setup.policy)?);
        nix::unistd::setgroups(&[]).step("drop supplementary groups")?;
        setresgid(Gid::from_raw(id), Gid::from_raw(id), Gid::from_raw(id)).step("setresgid")?;
        setresuid(Uid::from_raw(id), Uid::from_raw(id), Uid::from_raw(id)).step("setresuid")?;
        // The uid change cleared the parent-death signal: arm it again, and re-check.
        nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL)
            .step("PR_SET_PDEATHSIG")?;
        if nix::unistd::getppid().as_raw() != reaper {
            return Ok(125);
        }
    }

    // New user namespace first (it owns the others), then the rest in one call.
    // The pid namespace applies to our children: init will be process 1.
    let mut ns = CloneFlags::CLONE_NEWUSER
        | CloneFlags::CLONE_NEWPID
        | CloneFlags::CLONE_NEWNS
        | CloneFlags::CLONE_NEWNET
        | CloneFlags::CLONE_NEWUTS;
    if setup.host_id.is_none() {
        ns |= CloneFlags::CLONE_NEWIPC;
    }
    unshare(ns).step("unshare user, pid, mount, net, ipc and uts namespaces")?;
    wire::send(ctl, &FromJail::Unshared(std::process::id() as i32)).step("notify supervisor")?;
    match wire::recv::<ToHelper>(ctl).step("wait for id maps")? {
        Some(ToHelper::Go) => {}
        _ => return Err("supervisor did not map ids".into()),
    }
    let (sources, devices) = match sources {
        Some(s) => s,
        None => open_sources(&setup.policy)?,
    };
    // We are in our cgroups, so the new cgroup namespace is rooted there.
    let mut layers = vec![];
    match unshare(CloneFlags::CLONE_NEWCGROUP) {
        Ok(()) => layers.push("cgroup namespace: active".to_string()),
        Err(e) => layers.push(format!("cgroup namespace: missing ({e})")),
    }
    // A time namespace for init and the command, with the host's uptime hidden.
    // (Written here: init is not dumpable, so it could not open its own proc files; in
    // root mode neither are we since our uid changed, so the file was opened before.)
    let time_ns = match timens_offsets.take() {
        Some(f) => Ok(f),
        None => fs::OpenOptions::new()
            .write(true)
            .open("/proc/self/timens_offsets")
            .step("open timens_offsets"),
    }
    .and_then(enter_time_namespace);
    match time_ns {
        Ok(()) => layers.push("time namespace: active".into()),
        Err(e) => layers.push(format!("time namespace: missing ({e})")),
    }

    // Init learns whether we died before its PR_SET_PDEATHSIG was armed: the write end
    // of this pipe stays open exactly as long as we live.
    let (alive_r, alive_w) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).step("pipe")?;
    let init = sys::fork().step("fork init")?;
    if init == 0 {
        drop(alive_w);
        let code = match init_main(ctl, setup, layers, alive_r, sources, devices) {
            Ok(code) => code,
            Err(e) => {
                let _ = wire::send(ctl, &FromJail::Failed(e));
                125
            }
        };
        // SAFETY: _exit in a forked child, without running the parent's atexit handlers.
        unsafe { libc::_exit(code) };
    }
    drop(alive_r);
    wire::send(ctl, &FromJail::InitPid(init)).step("report init pid")?;
    // Keep init unreaped until the supervisor holds a pidfd, so its pid cannot be recycled.
    let _ = wire::recv::<ToHelper>(ctl);
    for fd in 0..3 {
        sys::dup2(devnull.as_raw_fd(), fd).step("detach stdio")?;
    }
    loop {
        match waitpid(Pid::from_raw(init), None) {
            Ok(WaitStatus::Exited(_, code)) => return Ok(code),
            Ok(WaitStatus::Signaled(..)) => return Ok(125),
            Ok(_) => continue,
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(format!("wait for init: {e}")),
        }
    }
}

/// Process 1 of the sandbox.
fn init_main(
    ctl: &OwnedFd,
    setup: &Setup,
    layers: Vec<String>,
    helper_alive: OwnedFd,
    sources: Vec<(OwnedFd, PathBuf, bool)>,
    devices: Vec<(OwnedFd, &'static str)>,
) -> Result<i32> {
    let policy = &setup.policy;
    // Not dumpable: the command (same uid) cannot open /proc/1/mem or ptrace us.
    nix::sys::prctl::set_dumpable(false).step("PR_SET_DUMPABLE")?;

    // Nothing we mount may propagate back to the host.
    mount(
        None::<&str>,
        "/",
        None::<&str>,
        MsFlags::MS_REC | MsFlags::MS_PRIVATE,
        None::<&str>,
    )
    .step("make mounts private")?;

    // From here on we are the sandbox user; capabilities stay, but only inside our namespaces.
    if setup.root_mode {
        nix::unistd::setgroups(&[]).step("drop supplementary groups")?;
    }
    let id = SANDBOX_ID;
    setresgid(Gid::from_raw(id), Gid::from_raw(id), Gid::from_raw(id)).step("setresgid")?;
    setresuid(Uid::from_raw(id), Uid::from_raw(id), Uid::from_raw(id)).step("setresuid")?;
    // Die with the helper. Armed only now: every uid change clears it.
    nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL).step("PR_SET_PDEATHSIG")?;
    // If the helper died before the line above, nothing would kill us: check.
    let mut fds = [nix::poll::PollFd::new(
        helper_alive.as_fd(),
        nix::poll::PollFlags::POLLIN,
    )];
    if nix::poll::poll(&mut fds, nix::poll::PollTimeout::ZERO).is_ok_and(|n| n > 0) {
        return Err("the helper died during start-up".into());
    }
    drop(helper_alive);

    let root = Path::new(NEW_ROOT);
    build_root(root, policy, sources, devices)?;
    nix::unistd::sethostname(&policy.hostname).step("sethostname")?;
    // The new UTS namespace copied the host's NIS domain name: reset it to the kernel's default.
    let domain = b"(none)";
    // SAFETY: the pointer and length describe a live buffer.
    if unsafe { libc::setdomainname(domain.as_ptr().cast(), domain.len()) } != 0 {
        return Err(format!(
            "setdomainname: {}",
            std::io::Error::last_os_error()
        ));
    }
    if policy.network == Network::Loopback {
        sys::loopback_up().step("bring up lo")?;
    }
    cap_socket_buffers()?;

    // Enter the new root and detach the old one (pivot_root(".", ".") stacks them).
    chdir(root).step("chdir new root")?;
    pivot_root(".", ".").step("pivot_root")?;
    umount2(".", MntFlags::MNT_DETACH).step("detach old root")?;
    chdir("/").step("chdir /")?;
    sys::mount_setattr_path(
        Path::new("/"),
        sys::MOUNT_ATTR_RDONLY | sys::MOUNT_ATTR_NOSUID | sys::MOUNT_ATTR_NODEV,
    )
    .step("make / read-only")?;
    sys::mount_setattr_path(
        Path::new("/dev"),
        sys::MOUNT_ATTR_RDONLY | sys::MOUNT_ATTR_NOSUID | sys::MOUNT_ATTR_NOEXEC,
    )
    .step("make /dev read-only")?;

    // Setup errors of the command come back through this pipe; exec closes it.
    let (err_r, err_w) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).step("pipe")?;
    let argv = setup.argv.clone();
    let command = sys::fork().step("fork command")?;
    if command == 0 {
        drop(err_r);
        let e = command_main(setup, &argv, err_w.as_raw_fd());
        let mut w = fs::File::from(err_w);
        let _ = w.write_all(e.as_bytes());
        // SAFETY: _exit in a forked child.
        unsafe { libc::_exit(125) };
    }
    drop(err_w);
    COMMAND_PID.store(command, std::sync::atomic::Ordering::SeqCst);
    for sig in [
        libc::SIGTERM,
        libc::SIGINT,
        libc::SIGHUP,
        libc::SIGQUIT,
        libc::SIGUSR1,
        libc::SIGUSR2,
    ] {
        sys::set_signal_handler(sig, forward_signal as *const () as libc::sighandler_t);
    }
    // The wall limit holds even if the supervisor is gone: past it and a grace period,
    // init kills everything itself.
    sys::set_signal_handler(libc::SIGALRM, kill_all as *const () as libc::sighandler_t);
    let backstop = policy.limits.wall.as_secs() + WALL_GRACE_SECS;
    // SAFETY: alarm only arms a timer of this process.
    unsafe { libc::alarm(backstop.min(u32::MAX as u64) as u32) };
    let devnull = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/null")
        .step("open /dev/null")?;
    for fd in 0..3 {
        sys::dup2(devnull.as_raw_fd(), fd).step("detach stdio")?;
    }
    let mut setup_error = String::new();
    let _ = fs::File::from(err_r).read_to_string(&mut setup_error);
    if !setup_error.is_empty() {
        return Err(setup_error);
    }

    // Reap everything; when the command ends, everything else ends with it.
    let mut wait_status = 0;
    loop {
        let mut status = 0;
        // SAFETY: waitpid with a valid out-pointer.
        let pid = unsafe { libc::waitpid(-1, &mut status, 0) };
        if pid == command {
            wait_status = status;
            // SAFETY: kill(-1) from process 1 reaches only this pid namespace.
            unsafe { libc::kill(-1, libc::SIGKILL) };
        } else if pid < 0 {
            match nix::errno::Errno::last() {
                nix::errno::Errno::EINTR => continue,
                _ => break,
            }
        }
    }
    let usage = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)
        .step("getrusage")?;
    let cpu = usage.user_time() + usage.system_time();
    let (disk_full, inodes_full) = match nix::sys::statvfs::statvfs("/tmp") {
        Ok(s) => (s.blocks_available() == 0, s.files_available() == 0),
        Err(_) => (false, false),
    };
    let report = Report {
        wait_status,
        cpu_us: (cpu.tv_sec() as u64) * 1_000_000 + cpu.tv_usec() as u64,
        maxrss_kb: usage.max_rss() as u64,
        disk_full,
        inodes_full,
        layers,
    };
    wire::send(ctl, &FromJail::Report(report)).step("send report")?;
    Ok(0)
}

static COMMAND_PID: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);

/// Init's wall-clock backstop: kill(-1) from process 1 reaches the whole pid namespace.
extern "C" fn kill_all(_: libc::c_int) {
    // SAFETY: kill is async-signal-safe.
    unsafe { libc::kill(-1, libc::SIGKILL) };
}

/// Init forwards termination signals to the command's process group.
extern "C" fn forward_signal(sig: libc::c_int) {
    let pid = COMMAND_PID.load(std::sync::atomic::Ordering::SeqCst);
    if pid > 0 {
        // SAFETY: kill is async-signal-safe.
        unsafe { libc::kill(-pid, sig) };
    }
}

/// Detached copies of every bind source and device, restricted (read-only unless
/// writable, nosuid, nodev or noexec) and private, ready for init to attach.
type Sources = (Vec<(OwnedFd, PathBuf, bool)>, Vec<(OwnedFd, &'static str)>);
fn open_sources(policy: &Policy) -> Result<Sources> {
    let mut sources = Vec::new();
    for m in &policy.mounts {
        if let Mount::Bind {
            src,
            dest,
            writable,
        } = m
        {
            let fd =
                sys::open_tree_clone(src).step(&format!("open bind source {}", src.display()))?;
            let is_dir = nix::sys::stat::fstat(&fd).step("stat bind source")?.st_mode
                & libc::S_IFMT
                == libc::S_IFDIR;
            let mut attrs = sys::MOUNT_ATTR_NOSUID | sys::MOUNT_ATTR_NODEV;
            if !writable {
                attrs |= sys::MOUNT_ATTR_RDONLY;
            }
            sys::mount_setattr_fd(&fd, attrs).step(&format!("restrict bind {}", src.display()))?;
            sources.push((fd, dest.clone(), is_dir));
        }
    }
    let mut devices = Vec::new();
    for d in DEVICES {
        let fd =
            sys::open_tree_clone(&Path::new("/dev").join(d)).step(&format!("open /dev/{d}"))?;
        sys::mount_setattr_fd(&fd, sys::MOUNT_ATTR_NOSUID | sys::MOUNT_ATTR_NOEXEC)
            .step("restrict device")?;
        devices.push((fd, d));
    }
    Ok((sources, devices))
}

/// Scheduling state is the server's until reset: nice 0, normal policy, best-effort
/// I/O at the default level, and the highest OOM score (the run is what the OOM killer
/// takes first; written as root, the run cannot lower it again). Unprivileged, a nice
/// value below the caller's cannot be restored: it stays the caller's.
fn reset_priorities(root: bool) -> Result<()> {
    let param = libc::sched_param { sched_priority: 0 };
    // SAFETY: plain calls on this process with a valid sched_param.
    unsafe {
        if libc::sched_setscheduler(0, libc::SCHED_OTHER, &param) != 0 {
            return Err(format!(
                "sched_setscheduler: {}",
                std::io::Error::last_os_error()
            ));
        }
        if libc::setpriority(libc::PRIO_PROCESS, 0, 0) != 0 && root {
            return Err(format!("setpriority: {}", std::io::Error::last_os_error()));
        }
        const IOPRIO_WHO_PROCESS: libc::c_int = 1;
        const IOPRIO_BEST_EFFORT_4: libc::c_int = (2 << 13) | 4;
        if libc::syscall(
            libc::SYS_ioprio_set,
            IOPRIO_WHO_PROCESS,
            0,
            IOPRIO_BEST_EFFORT_4,
        ) != 0
        {
            return Err(format!("ioprio_set: {}", std::io::Error::last_os_error()));
        }
    }
    fs::write("/proc/self/oom_score_adj", "1000").step("oom_score_adj")
}

/// Loopback TCP buffers of the sandbox's own network namespace, capped per socket (the
/// host's defaults let one socket autotune to 6 MiB). Their total is charged to the
/// memory cgroup: on v2 within `memory.max`, on v1 to its own counter beside the memory
/// limit (see `cgroup::v1::socket_memory`).
fn cap_socket_buffers() -> Result<()> {
    for (name, value) in [
        ("tcp_rmem", "4096 131072 1048576"),
        ("tcp_wmem", "4096 16384 1048576"),
    ] {
        let path = format!("/proc/sys/net/ipv4/{name}");
        if Path::new(&path).exists() {
            fs::write(&path, value).step(&format!("write {path}"))?;
        }
    }
    Ok(())
}

fn mkdir_p(path: &Path, mode: u32) -> Result<()> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(mode)
        .create(path)
        .step(&format!("mkdir {}", path.display()))
}

/// Makes `root` a fresh tmpfs holding every mount of the policy.
fn build_root(
    root: &Path,
    policy: &Policy,
    sources: Vec<(OwnedFd, PathBuf, bool)>,
    devices: Vec<(OwnedFd, &'static str)>,
) -> Result<()> {
    let flags = MsFlags::MS_NOSUID | MsFlags::MS_NODEV;
    mount(
        Some("corral"),
        root,
        Some("tmpfs"),
        flags,
        Some("size=4m,nr_inodes=4096,mode=0755"),
    )
    .step("mount root tmpfs")?;
    let inside = |p: &Path| root.join(p.strip_prefix("/").unwrap_or(p));

    for m in &policy.mounts {
        match m {
            Mount::Symlink { dest, target } => {
                let d = inside(dest);
                mkdir_p(d.parent().unwrap_or(root), 0o755)?;
                std::os::unix::fs::symlink(target, &d)
                    .step(&format!("symlink {}", dest.display()))?;
            }
            Mount::File { dest, contents } => {
                let d = inside(dest);
                mkdir_p(d.parent().unwrap_or(root), 0o755)?;
                fs::write(&d, contents).step(&format!("write {}", dest.display()))?;
                fs::set_permissions(&d, fs::Permissions::from_mode(0o644)).step("chmod")?;
            }
            Mount::Bind { .. } => {}
        }
    }
    for (fd, dest, is_dir) in &sources {
        let d = inside(dest);
        if *is_dir {
            mkdir_p(&d, 0o755)?;
        } else {
            mkdir_p(d.parent().unwrap_or(root), 0o755)?;
            fs::write(&d, b"").step(&format!("create mount point {}", dest.display()))?;
        }
        sys::move_mount(fd, &d).step(&format!("bind {}", dest.display()))?;
    }

    // /dev: a small tmpfs with the host's harmless devices bound in.
    let dev = root.join("dev");
    mkdir_p(&dev, 0o755)?;
    mount(
        Some("corral-dev"),
        &dev,
        Some("tmpfs"),
        flags | MsFlags::MS_NOEXEC,
        Some("size=64k,nr_inodes=64,mode=0755"),
    )
    .step("mount /dev")?;
    for (fd, name) in &devices {
        let d = dev.join(name);
        fs::write(&d, b"").step("create device mount point")?;
        sys::move_mount(fd, &d).step(&format!("bind /dev/{name}"))?;
    }
    for (link, target) in [
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
    ] {
        std::os::unix::fs::symlink(target, dev.join(link)).step("symlink in /dev")?;
    }

    // One capped tmpfs holds /tmp, /work and /dev/shm, so their sizes and inodes add up
    // under one limit (and its pages count toward the memory cgroup).
    let scratch = root.join(".scratch");
    mkdir_p(&scratch, 0o700)?;
    let opts = format!(
        "size={},nr_inodes={},mode=0755",
        policy.limits.tmpfs.max(4096),
        policy.limits.inodes.max(16)
    );
    mount(
        Some("corral-scratch"),
        &scratch,
        Some("tmpfs"),
        flags,
        Some(opts.as_str()),
    )
    .step("mount scratch tmpfs")?;
    for (name, dest, mode) in [
        ("tmp", root.join("tmp"), 0o1777),
        ("work", root.join("work"), 0o755),
        ("shm", dev.join("shm"), 0o1777),
    ] {
        let src = scratch.join(name);
        mkdir_p(&src, 0o755)?;
        fs::set_permissions(&src, fs::Permissions::from_mode(mode)).step("chmod scratch")?;
        mkdir_p(&dest, 0o755)?;
        mount(
            Some(&src),
            &dest,
            None::<&str>,
            MsFlags::MS_BIND,
            None::<&str>,
        )
        .step(&format!("bind {}", dest.display()))?;
    }
    umount2(&scratch, MntFlags::MNT_DETACH).step("detach scratch")?;
    fs::remove_dir(&scratch).step("remove scratch dir")?;

    let proc = root.join("proc");
    mkdir_p(&proc, 0o555)?;
    mount(
        Some("proc"),
        &proc,
        Some("proc"),
        flags | MsFlags::MS_NOEXEC,
        None::<&str>,
    )
    .step("mount /proc")?;
    // Host information that /proc shows to anyone: hide it behind /dev/null.
    for masked in PROC_MASKED {
        let target = proc.join(masked);
        if target.exists() {
            mount(
                Some(&dev.join("null")),
                &target,
                None::<&str>,
                MsFlags::MS_BIND,
                None::<&str>,
            )
            .step(&format!("mask /proc/{masked}"))?;
        }
    }
    // /proc/stat's counters run since the host booted (CPU jiffies summed over the CPUs
    // are the host's uptime): show a copy with them at zero. Its `btime` is already the
    // time namespace's. /proc/loadavg counts every thread on the host: show an idle one.
    // Each copy is bound over the original and unlinked.
    if let Ok(real) = fs::read_to_string(proc.join("stat")) {
        replace_proc_file(root, &proc, "stat", &without_host_counters(&real))?;
    }
    replace_proc_file(root, &proc, "loadavg", "0.00 0.00 0.00 1/1 1\n")?;
    mkdir_p(&inside(&policy.cwd), 0o755)?;
    Ok(())
}

/// Binds a file with `contents` over `/proc/<name>` (built in the new root, then unlinked).
fn replace_proc_file(root: &Path, proc: &Path, name: &str, contents: &str) -> Result<()> {
    let copy = root.join(format!(".{name}"));
    fs::write(&copy, contents).step(&format!("write /proc/{name}"))?;
    mount(
        Some(&copy),
        &proc.join(name),
        None::<&str>,
        MsFlags::MS_BIND,
        None::<&str>,
    )
    .step(&format!("mask /proc/{name}"))?;
    fs::remove_file(&copy).step(&format!("remove /proc/{name} copy"))
}

/// System V IPC limits of the sandbox's own IPC namespace (root mode), from the memory
/// limit: the defaults allow 32000 message queues of 16 KiB and shared memory without
/// bound (the memory cgroup counts them too).
fn cap_ipc(memory: u64) -> Result<()> {
    let pages = (memory / 4096).max(1);
    for (name, value) in [
        ("shmmax", memory.to_string()),
        ("shmall", pages.to_string()),
        ("shmmni", "256".to_string()),
        ("msgmni", "32".to_string()),
        ("msgmnb", "16384".to_string()),
        ("sem", "250 8192 32 128".to_string()),
    ] {
        let path = format!("/proc/sys/kernel/{name}");
        if Path::new(&path).exists() {
            fs::write(&path, &value).step(&format!("write {path}"))?;
        }
    }
    Ok(())
}

/// /proc/stat with every counter at zero but `btime`, one process running.
fn without_host_counters(stat: &str) -> String {
    let mut out = String::with_capacity(stat.len());
    for line in stat.lines() {
        let mut fields = line.split_whitespace();
        let Some(key) = fields.next() else { continue };
        out.push_str(key);
        for f in fields {
            out.push(' ');
            out.push_str(match key {
                "btime" => f,
                "procs_running" => "1",
                _ => "0",
            });
        }
        out.push('\n');
    }
    out
}

fn enter_time_namespace(mut offsets_file: fs::File) -> Result<()> {
    unshare(CloneFlags::from_bits_retain(libc::CLONE_NEWTIME)).step("unshare time namespace")?;
    // Monotonic and boot time start near one second for the command.
    let now = nix::time::clock_gettime(nix::time::ClockId::CLOCK_BOOTTIME).step("clock_gettime")?;
    let mono =
        nix::time::clock_gettime(nix::time::ClockId::CLOCK_MONOTONIC).step("clock_gettime")?;
    let offsets = format!(
        "monotonic {} 0\nboottime {} 0\n",
        1 - mono.tv_sec(),
        1 - now.tv_sec()
    );
    offsets_file
        .write_all(offsets.as_bytes())
        .step("write timens_offsets")?;
    Ok(())
}

/// The command's last steps. Returns only on failure, with the reason.
fn command_main(setup: &Setup, argv: &[String], err_fd: RawFd) -> String {
    match prepare_command(setup, err_fd) {
        Ok(program) => exec(program, argv, &setup.policy),
        Err(e) => e,
    }
}

fn prepare_command(setup: &Setup, err_fd: RawFd) -> Result<CString> {
    let policy = &setup.policy;
    sys::unblock_all_signals();
    // Every disposition the caller may have set, real-time signals included (glibc's
    // sigaction refuses the two it reserves; those calls fail harmlessly).
    for sig in 1..=libc::SIGRTMAX() {
        if sig != libc::SIGKILL && sig != libc::SIGSTOP {
            sys::set_signal_handler(sig, libc::SIG_DFL);
        }
    }
    nix::unistd::setsid().step("setsid")?;
    chdir(&policy.cwd).step(&format!("chdir {}", policy.cwd.display()))?;
    let program = resolve_program(&setup.argv[0], policy)?;
    set_persona(policy.aslr)?;
    // Not the caller's umask: files the command creates get the same modes everywhere.
    nix::sys::stat::umask(nix::sys::stat::Mode::from_bits_truncate(0o022));
    set_rlimits(policy, setup.memory_by_rlimit)?;
    nix::sys::prctl::set_no_new_privs().step("PR_SET_NO_NEW_PRIVS")?;
    if !setup.ablate_landlock {
        let status = landlock_rules::restrict(policy).step("Landlock")?;
        if setup.require_landlock && !status.fully_enforced {
            return Err(format!(
                "Landlock is required but only {}",
                status.description
            ));
        }
    }
    sys::drop_all_capabilities().step("drop capabilities")?;
    sys::close_range(3, err_fd as u32 - 1).step("close fds")?;
    sys::close_range(err_fd as u32 + 1, u32::MAX).step("close fds")?;
    if !setup.ablate_seccomp {
        seccomp::install(&seccomp::program()).step("install seccomp filter")?;
    }
    Ok(program)
}

/// The command's persona, replacing whatever the caller's was: Linux with layout
/// randomisation, or without it. Both are set before seccomp, which afterwards lets the
/// command only query its persona or return to plain `PER_LINUX`.
fn set_persona(aslr: bool) -> Result<()> {
    let persona = if aslr {
        0 // PER_LINUX
    } else {
        libc::ADDR_NO_RANDOMIZE as libc::c_ulong
    };
    // SAFETY: personality only changes flags of this process that take effect at exec.
    if unsafe { libc::personality(persona) } == -1 {
        return Err(format!("personality: {}", std::io::Error::last_os_error()));
    }
    Ok(())
}

fn exec(program: CString, argv: &[String], policy: &Policy) -> String {
    let args: Vec<CString> = argv
        .iter()
        .map(|a| CString::new(a.as_bytes()).unwrap_or_default())
        .collect();
    let env: Vec<CString> = policy
        .env
        .iter()
        .map(|(k, v)| CString::new(format!("{k}={v}")).unwrap_or_default())
        .collect();
    let err = nix::unistd::execve(&program, &args, &env).unwrap_err();
    // Not a setup failure: the command itself cannot run. Say so on its stderr and
    // exit like a shell would (127 not found, 126 not executable).
    let code = if err == nix::errno::Errno::ENOENT {
        127
    } else {
        126
    };
    let _ = writeln!(
        std::io::stderr(),
        "corral: cannot execute {}: {}",
        argv[0],
        err.desc()
    );
    // SAFETY: _exit in a forked child.
    unsafe { libc::_exit(code) }
}

/// Finds the program in the sandbox's PATH, as a shell would.
fn resolve_program(name: &str, policy: &Policy) -> Result<CString> {
    let found = if name.contains('/') {
        Some(PathBuf::from(name))
    } else {
        let path = policy
            .env
            .iter()
            .find(|(k, _)| k == "PATH")
            .map(|(_, v)| v.as_str())
            .unwrap_or("/usr/bin:/bin");
        path.split(':')
            .map(|dir| Path::new(dir).join(name))
            .find(|p| p.is_file())
    };
    match found {
        Some(p) => CString::new(p.into_os_string().into_encoded_bytes()).step("program name"),
        None => {
            let _ = writeln!(
                std::io::stderr(),
                "corral: {name}: command not found in the sandbox's PATH"
            );
            // SAFETY: _exit in a forked child.
            unsafe { libc::_exit(127) }
        }
    }
}

fn set_rlimits(policy: &Policy, memory_by_rlimit: bool) -> Result<()> {
    let l = &policy.limits;
    // RLIMIT_CPU counts whole seconds per process: without cgroups it is the CPU limit
    // (SIGXCPU at the limit rounded up, SIGKILL a second later for programs that ignore
    // it); with cgroups the supervisor's poll of the group's total decides, and this is
    // a backstop one second further.
    let mut cpu = l.cpu.as_millis().div_ceil(1000).max(1) as u64;
    if !memory_by_rlimit {
        cpu += 1;
    }
    // With a memory cgroup, RLIMIT_AS is a loose backstop; without one, it is the limit.
    let address_space = if memory_by_rlimit {
        l.memory
    } else {
        l.memory.saturating_mul(4).max(1 << 30)
    };
    let cpu_us = cpu.saturating_mul(1_000_000);
    // RLIMIT_NPROC counts the step's own uid, helper and init included, and fork checks
    // it before the pids cgroup: with a cgroup it is a backstop above the cgroup's limit,
    // so the cgroup decides and reports `pids`.
    let nproc = if memory_by_rlimit { l.pids } else { l.pids + 2 };
    let limits = [
        // 1, not 0: with a piped core_pattern the kernel still runs the host's crash
        // handler (as root) at 0; only 1 stops it (and is below any core file's size).
        // seccomp keeps the command from changing it.
        (Resource::RLIMIT_CORE, 1, 1),
        (
            Resource::RLIMIT_DATA,
            libc::RLIM_INFINITY,
            libc::RLIM_INFINITY,
        ),
        (
            Resource::RLIMIT_RSS,
            libc::RLIM_INFINITY,
            libc::RLIM_INFINITY,
        ),
        (Resource::RLIMIT_LOCKS, l.open_files, l.open_files),
        (Resource::RLIMIT_SIGPENDING, SIGPENDING, SIGPENDING),
        (Resource::RLIMIT_NICE, 0, 0),
        (Resource::RLIMIT_RTPRIO, 0, 0),
        (Resource::RLIMIT_RTTIME, cpu_us, cpu_us),
        (Resource::RLIMIT_FSIZE, l.file_size, l.file_size),
        (Resource::RLIMIT_NOFILE, l.open_files, l.open_files),
        (Resource::RLIMIT_NPROC, nproc, nproc),
        (Resource::RLIMIT_STACK, l.stack, l.stack),
        (Resource::RLIMIT_AS, address_space, address_space),
        (Resource::RLIMIT_CPU, cpu, cpu + 1),
        (Resource::RLIMIT_MEMLOCK, 64 << 10, 64 << 10),
        (Resource::RLIMIT_MSGQUEUE, 64 << 10, 64 << 10),
    ];
    for (res, soft, hard) in limits {
        setrlimit(res, soft, hard).step(&format!("setrlimit {res:?}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn proc_stat_keeps_its_shape_and_loses_the_hosts_counters() {
        let real = "cpu  1 2 3 4\ncpu0 5 6 7 8\nintr 99 1 2\nctxt 77\nbtime 1700000000\n\
                    processes 12\nprocs_running 3\nprocs_blocked 1\nsoftirq 9 8\n";
        assert_eq!(
            super::without_host_counters(real),
            "cpu 0 0 0 0\ncpu0 0 0 0 0\nintr 0 0 0\nctxt 0\nbtime 1700000000\n\
             processes 0\nprocs_running 1\nprocs_blocked 0\nsoftirq 0 0\n"
        );
    }
}
