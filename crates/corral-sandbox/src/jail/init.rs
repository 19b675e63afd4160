//! Process 1 of the sandbox: private mounts, the sandbox's own ids, the new root and
//! pivot_root, then forking the command, reaping everything and reporting.

use super::command::command_main;
use super::root::build_root;
use super::{Result, Step};
use crate::policy::{Network, SANDBOX_ID};
use crate::sys;
use crate::wire::{self, FromJail, Report, Setup};
use nix::mount::{MntFlags, MsFlags, mount, umount2};
use nix::unistd::{Gid, Uid, chdir, pivot_root, setresgid, setresuid};
use std::fs;
use std::io::{Read, Write};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::path::{Path, PathBuf};

/// Where init builds the new root before pivoting into it.
const NEW_ROOT: &str = "/tmp";
/// Seconds past the wall limit after which init kills everything on its own.
const WALL_GRACE_SECS: u64 = 2;

/// Process 1 of the sandbox.
pub(super) fn init_main(
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
