//! The helper, in two halves: the outer reaper (the supervisor's child, outside the
//! step's cgroups and ids) and the inner helper that joins the cgroups, becomes the
//! step's host id, creates the namespaces and forks init.

use super::init::init_main;
use super::root::{open_sources, sources_from_fds};
use super::{CONTROL_FD, Result, SIGPENDING, Step};
use crate::sys;
use crate::wire::{self, FromJail, Start, ToHelper};
use nix::sched::{CloneFlags, unshare};
use nix::sys::resource::{Resource, setrlimit};
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{Gid, Pid, Uid, setresgid, setresuid};
use std::fs;
use std::io::Write;
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd, OwnedFd};
use std::path::Path;

/// Entry point of the helper process. Never returns.
pub(crate) fn helper_main() -> ! {
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
    let start = match prepare_reaper(&ctl) {
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
        let code = match helper(&ctl, &start, outer) {
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

fn prepare_reaper(ctl: &OwnedFd) -> Result<Start> {
    // Nothing but stdio and the control socket may cross into the sandbox.
    sys::close_range(CONTROL_FD as u32 + 1, u32::MAX).step("close inherited fds")?;
    let start: Start = match wire::recv::<ToHelper>(ctl).step("read start")? {
        Some(ToHelper::Start(s)) => *s,
        _ => return Err("expected start message".into()),
    };
    // Die with the supervisor's thread that spawned us (taking the step along): a
    // catchable signal, so the handler can kill the inner helper. Re-check the parent
    // after arming, in case it died before.
    sys::set_signal_handler(libc::SIGTERM, kill_inner as *const () as libc::sighandler_t);
    nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGTERM).step("PR_SET_PDEATHSIG")?;
    if nix::unistd::getppid().as_raw() != start.parent_pid {
        return Err("the supervisor died during start-up".into());
    }
    nix::sys::prctl::set_child_subreaper(true).step("PR_SET_CHILD_SUBREAPER")?;
    Ok(start)
}

/// The inner helper: joins the step's cgroups, becomes its host id, creates the
/// namespaces, waits for the job (at once, or later for a pre-started jail) and forks
/// init.
fn helper(ctl: &OwnedFd, start: &Start, reaper: i32) -> Result<i32> {
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
    for file in &start.cgroup_attach {
        fs::write(file, "0").step(&format!("join cgroup {}", file.display()))?;
    }
    reset_priorities(start.root_mode)?;
    // Per-user counts of the user namespace we create are capped by our limits at
    // creation: lower them now (the command sets its own again).
    setrlimit(Resource::RLIMIT_SIGPENDING, SIGPENDING, SIGPENDING).step("RLIMIT_SIGPENDING")?;

    // In root mode, become the step's own unprivileged host id before creating the user
    // namespace (the supervisor opens the bind sources as host root: the toolchain
    // under /root is readable only by uid 0).
    let mut timens_offsets = None;
    if let Some(id) = start.host_id {
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
        cap_ipc(start.ipc_memory)?;
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
    if start.host_id.is_none() {
        ns |= CloneFlags::CLONE_NEWIPC;
    }
    unshare(ns).step("unshare user, pid, mount, net, ipc and uts namespaces")?;
    wire::send(ctl, &FromJail::Unshared(std::process::id() as i32)).step("notify supervisor")?;
    match wire::recv::<ToHelper>(ctl).step("wait for id maps")? {
        Some(ToHelper::Go) => {}
        _ => return Err("supervisor did not map ids".into()),
    }
    // The job: a pre-started jail waits here, with nothing of any step in it yet.
    let (setup, fds) = match wire::recv_with_fds::<ToHelper>(ctl).step("wait for the job")? {
        Some((ToHelper::Job(setup), fds)) => (*setup, fds),
        None => return Ok(125), // the jail was never used: the pool is closing
        _ => return Err("expected the job".into()),
    };
    let setup = &setup;
    let (sources, devices) = if start.host_id.is_some() {
        sources_from_fds(&setup.policy, fds)?
    } else {
        open_sources(&setup.policy)?
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
