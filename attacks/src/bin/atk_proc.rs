//! Attacks processes: fork and thread bombs, signal-proof daemons, kill(-1), ptrace and process_vm_*, leaked fds, TIOCSTI/TIOCLINUX, nested namespaces, clone3.
//!
//! Modes:
//! - `forkbomb [MAX]`: fork sleeping children until fork fails (bounded by MAX, default 5000).
//! - `threadbomb [MAX]`: spawn parked threads until that fails (bounded, default 20000).
//! - `daemon TAG keep|close`: double fork, setsid, ignore signals, sleep 300 s; the parent exits.
//! - `killall [HOST_PID]`: probe a host pid, then kill(-1, SIGKILL).
//! - `signal-init`: send the sandbox's init every catchable signal, then block (the run must
//!   still end by its own limits, not look like a success).
//! - `ptrace`: ptrace, process_vm_*, /proc/<pid>/mem and fds, pidfd_getfd on pid 1 and the parent.
//! - `fds`: look for file descriptors above 2 inherited from the supervisor.
//! - `tty`: TIOCSTI, TIOCLINUX, TIOCCONS, TIOCSCTTY on 0/1/2 and /dev/tty (also with high bits).
//! - `userns`: unshare and clone with CLONE_NEW*, setns, clone3.
//! - `caps`: capabilities, no_new_privs, seccomp mode, and attempts to become root.

use corral_attacks::{
    Forked, contained, cstr, err_str, errno, escaped, in_child, info, io_err, last_err,
    must_be_denied, raw_syscall6, read_text, usage,
};
use std::time::Duration;

fn main() {
    let a = corral_attacks::args();
    match a.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["forkbomb", rest @ ..] => {
            forkbomb(rest.first().and_then(|s| s.parse().ok()).unwrap_or(5000))
        }
        ["threadbomb", rest @ ..] => {
            threadbomb(rest.first().and_then(|s| s.parse().ok()).unwrap_or(20000))
        }
        ["daemon", tag, how @ ("keep" | "close")] => daemon(tag, *how == "close"),
        ["killall", rest @ ..] => killall(rest.first().and_then(|s| s.parse().ok())),
        ["signal-init"] => signal_init(),
        ["ptrace"] => ptrace(),
        ["fds"] => fds(),
        ["tty"] => tty(),
        ["userns"] => userns(),
        ["caps"] => caps(),
        _ => usage(
            "atk_proc forkbomb [MAX] | threadbomb [MAX] | daemon TAG keep|close | killall [HOST_PID] | signal-init | ptrace | fds | tty | userns | caps",
        ),
    }
}

fn forkbomb(max: u32) {
    let mut made = 0u32;
    let mut failures = 0u32;
    let mut last = 0;
    while made < max && failures < 50 {
        // SAFETY: single-threaded; the child only sleeps and exits.
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            // SAFETY: sleep and _exit have no preconditions.
            unsafe {
                libc::sleep(120);
                libc::_exit(0);
            }
        }
        if pid > 0 {
            made += 1;
        } else {
            failures += 1;
            last = errno();
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    if made >= max {
        escaped(format!(
            "fork bomb created {made} processes without hitting a limit"
        ));
    } else {
        contained(
            format!("fork bomb stopped after {made} processes"),
            err_str(last),
        );
    }
}

fn threadbomb(max: u32) {
    let mut made = 0u32;
    let mut last = String::new();
    while made < max {
        match std::thread::Builder::new().stack_size(64 << 10).spawn(|| {
            loop {
                std::thread::park();
            }
        }) {
            Ok(h) => {
                std::mem::forget(h);
                made += 1;
            }
            Err(e) => {
                last = io_err(&e);
                break;
            }
        }
    }
    if made >= max {
        escaped(format!(
            "thread bomb created {made} threads without hitting a limit"
        ));
    } else {
        contained(format!("thread bomb stopped after {made} threads"), last);
    }
}

fn daemon(tag: &str, close_stdio: bool) {
    // SAFETY: single-threaded fork; the child forks once more and exits.
    let child = unsafe { libc::fork() };
    if child < 0 {
        contained("daemon: first fork", last_err());
        return;
    }
    if child == 0 {
        // SAFETY: setsid and fork in a single-threaded child.
        unsafe {
            libc::setsid();
            let grandchild = libc::fork();
            if grandchild != 0 {
                libc::_exit(0);
            }
        }
        for sig in 1..=64 {
            if sig != libc::SIGKILL && sig != libc::SIGSTOP {
                // SAFETY: ignoring a signal has no memory-safety preconditions.
                unsafe { libc::signal(sig, libc::SIG_IGN) };
            }
        }
        if close_stdio {
            let null = cstr("/dev/null");
            // SAFETY: reopen stdio on /dev/null.
            unsafe {
                let fd = libc::open(null.as_ptr(), libc::O_RDWR);
                for target in 0..3 {
                    libc::dup2(fd, target);
                }
            }
        }
        // SAFETY: chdir to / with a valid path, then sleep; the daemon never exits on its own
        // before the host test's check (the sandbox must kill it).
        unsafe {
            let root = cstr("/");
            libc::chdir(root.as_ptr());
            for _ in 0..300 {
                libc::sleep(1);
            }
            libc::_exit(0);
        }
    }
    let mut status = 0;
    // SAFETY: reap our own child.
    unsafe { libc::waitpid(child, &mut status, 0) };
    std::thread::sleep(Duration::from_millis(200));
    contained(
        format!(
            "daemon {tag} ({}) started, parent exits",
            if close_stdio {
                "stdio closed"
            } else {
                "stdio kept open"
            }
        ),
        "the host must find no process left",
    );
}

fn killall(host_pid: Option<i32>) {
    if let Some(pid) = host_pid {
        // SAFETY: signal 0 only checks whether the pid can be signalled.
        let r = unsafe { libc::kill(pid, 0) };
        let cmd = read_text(&format!("/proc/{pid}/cmdline"))
            .unwrap_or_default()
            .replace('\0', " ");
        if r == 0 && cmd.contains("sleep") {
            escaped(format!("host process {pid} ({cmd}) can be signalled"));
        } else if r == 0 {
            info(format!("pid {pid} exists inside the sandbox too ({cmd})"));
        } else {
            contained(format!("signal host pid {pid}"), last_err());
        }
    }
    // Children of our own, so kill(-1) has something to hit inside the sandbox.
    let mut kids = Vec::new();
    for _ in 0..3 {
        // SAFETY: single-threaded fork; the child only sleeps.
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            // SAFETY: sleep and _exit have no preconditions.
            unsafe {
                libc::sleep(60);
                libc::_exit(0);
            }
        }
        if pid > 0 {
            kids.push(pid);
        }
    }
    // SAFETY: getppid has no preconditions; signalling pid 1 and the parent tests whether
    // the sandbox's own init can be killed (it must survive as process 1 does).
    let ppid = unsafe { libc::getppid() };
    // SAFETY: SIGKILL to the sandbox's init: ignored by the kernel for a pid namespace's init.
    let r1 = unsafe { libc::kill(1, libc::SIGKILL) };
    info(format!(
        "kill(1, SIGKILL) returned {r1} {}",
        if r1 < 0 { last_err() } else { String::new() }
    ));
    // SAFETY: as above, to our parent.
    let rp = unsafe { libc::kill(ppid, libc::SIGKILL) };
    info(format!(
        "kill(ppid {ppid}, SIGKILL) returned {rp} {}",
        if rp < 0 { last_err() } else { String::new() }
    ));
    // SAFETY: kill(-1) signals every process we may signal except ourselves and init.
    let r = unsafe { libc::kill(-1, libc::SIGKILL) };
    let how = if r == 0 {
        "returned 0".to_string()
    } else {
        format!("failed: {}", last_err())
    };
    let mut reaped = 0;
    for k in &kids {
        let mut status = 0;
        // SAFETY: reaping our own children.
        if unsafe { libc::waitpid(*k, &mut status, 0) } == *k && libc::WIFSIGNALED(status) {
            reaped += 1;
        }
    }
    contained(
        format!(
            "kill(-1, SIGKILL) {how}; killed {reaped}/{} of our own children; still alive",
            kids.len()
        ),
        "the host sentinel must survive",
    );
}

fn ptrace() {
    // SAFETY: getppid has no preconditions.
    let ppid = unsafe { libc::getppid() };
    let mut targets = vec![1];
    if ppid != 1 && ppid > 0 {
        targets.push(ppid);
    }
    for &pid in &targets {
        for (name, req) in [
            ("PTRACE_ATTACH", libc::PTRACE_ATTACH),
            ("PTRACE_SEIZE", libc::PTRACE_SEIZE),
        ] {
            // SAFETY: ptrace attach/seize with null addr and data.
            let r = unsafe { libc::ptrace(req, pid, 0usize, 0usize) };
            must_be_denied(&format!("ptrace({name}, pid {pid})"), r);
            if r == 0 {
                // SAFETY: let it go again.
                unsafe { libc::ptrace(libc::PTRACE_DETACH, pid, 0usize, 0usize) };
            }
        }
        let mut buf = [0u8; 16];
        let local = libc::iovec {
            iov_base: buf.as_mut_ptr().cast(),
            iov_len: buf.len(),
        };
        let remote = libc::iovec {
            iov_base: 0x400000 as *mut libc::c_void,
            iov_len: buf.len(),
        };
        // SAFETY: reads into our local buffer; the remote address is only probed.
        let r = unsafe { libc::process_vm_readv(pid, &local, 1, &remote, 1, 0) };
        must_be_denied(&format!("process_vm_readv(pid {pid})"), r as i64);
        // Lowering init's limits (it shares the sandbox's uid); also with high bits in the pid.
        let zero = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        for (label, raw_pid) in [("", pid as u64), (" | 1<<32", pid as u64 | 1 << 32)] {
            // SAFETY: prlimit64 reads one local rlimit (RLIMIT_CORE 0: the sandbox's own value).
            let r = unsafe {
                raw_syscall6(
                    libc::SYS_prlimit64,
                    [
                        raw_pid,
                        libc::RLIMIT_CORE as u64,
                        &zero as *const libc::rlimit as u64,
                        0,
                        0,
                        0,
                    ],
                )
            };
            let what = format!("prlimit64(pid {pid}{label}, RLIMIT_CORE)");
            match r {
                r if r >= 0 => escaped(format!("{what} changed another process's limits")),
                r if r == -(libc::EPERM as i64) || r == -(libc::ENOSYS as i64) => {
                    contained(what, err_str((-r) as i32))
                }
                r => escaped(format!(
                    "{what} was not refused by seccomp: reached the kernel ({})",
                    err_str((-r) as i32)
                )),
            }
        }
        let remote0 = libc::iovec {
            iov_base: std::ptr::null_mut(),
            iov_len: 1,
        };
        // SAFETY: writing to address 0 of the target always faults if it is not refused first.
        let r = unsafe { libc::process_vm_writev(pid, &local, 1, &remote0, 1, 0) };
        must_be_denied(&format!("process_vm_writev(pid {pid})"), r as i64);

        match std::fs::File::open(format!("/proc/{pid}/mem")) {
            Ok(_) => escaped(format!("opened /proc/{pid}/mem")),
            Err(e) => contained(format!("open /proc/{pid}/mem"), io_err(&e)),
        }
        match std::fs::read_dir(format!("/proc/{pid}/fd")) {
            Ok(dir) => {
                let fds: Vec<String> = dir
                    .flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect();
                escaped(format!("listed /proc/{pid}/fd: {}", fds.join(" ")));
                for fd in fds {
                    if std::fs::File::open(format!("/proc/{pid}/fd/{fd}")).is_ok() {
                        escaped(format!("reopened /proc/{pid}/fd/{fd}"));
                    }
                }
            }
            Err(e) => contained(format!("list /proc/{pid}/fd"), io_err(&e)),
        }
        for file in ["environ", "maps", "stack", "syscall"] {
            match read_text(&format!("/proc/{pid}/{file}")) {
                Ok(t) => info(format!(
                    "/proc/{pid}/{file} is readable: {}",
                    t.replace('\0', " ")
                        .lines()
                        .take(3)
                        .collect::<Vec<_>>()
                        .join(" | ")
                )),
                Err(e) => contained(format!("read /proc/{pid}/{file}"), e),
            }
        }
        // SAFETY: pidfd_open with a pid and no flags.
        let pidfd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
        if pidfd >= 0 {
            for target_fd in 0..8 {
                // SAFETY: pidfd_getfd on our pidfd; a returned fd is closed at once.
                let r = unsafe { libc::syscall(libc::SYS_pidfd_getfd, pidfd, target_fd, 0) };
                if r >= 0 {
                    escaped(format!("pidfd_getfd stole fd {target_fd} of pid {pid}"));
                    // SAFETY: closing the stolen fd.
                    unsafe { libc::close(r as i32) };
                } else if target_fd == 0 {
                    contained(format!("pidfd_getfd(pid {pid})"), last_err());
                }
            }
            // SAFETY: closing our pidfd.
            unsafe { libc::close(pidfd as i32) };
        } else {
            contained(format!("pidfd_open(pid {pid})"), last_err());
        }
    }
    // PTRACE_TRACEME in a child: the parent (our process) would become its tracer.
    let r = in_child(Duration::from_secs(2), || {
        // SAFETY: PTRACE_TRACEME takes no pointers.
        let r = unsafe { libc::ptrace(libc::PTRACE_TRACEME, 0, 0usize, 0usize) };
        if r < 0 { -(errno() as i64) } else { r }
    });
    report_forked("ptrace(PTRACE_TRACEME)", r, true);
}

/// Reports the result of a forked probe that returned `-errno` or a value.
fn report_forked(what: &str, r: Forked, seccomp: bool) {
    match r {
        Forked::Value(v) if v < 0 => {
            let e = (-v) as i32;
            if !seccomp || e == libc::EPERM || e == libc::ENOSYS {
                contained(what, err_str(e));
            } else {
                escaped(format!(
                    "{what} was not refused by seccomp: reached the kernel ({})",
                    err_str(e)
                ));
            }
        }
        Forked::Value(v) => escaped(format!("{what} succeeded (returned {v})")),
        Forked::Signaled(s) => contained(what, format!("child killed by signal {s}")),
        other => contained(what, format!("{other:?}")),
    }
}

fn fds() {
    let mut leaked = 0;
    match std::fs::read_dir("/proc/self/fd") {
        Ok(dir) => {
            let entries: Vec<(i32, String)> = dir
                .flatten()
                .filter_map(|e| {
                    let fd = e.file_name().to_string_lossy().parse::<i32>().ok()?;
                    let target = std::fs::read_link(e.path())
                        .map(|p| p.display().to_string())
                        .unwrap_or_default();
                    Some((fd, target))
                })
                .collect();
            for (fd, target) in entries {
                if fd <= 2 {
                    info(format!("fd {fd} -> {target}"));
                    if target.starts_with("/dev/pts")
                        || target.starts_with("/dev/tty")
                        || target.starts_with("/dev/console")
                    {
                        escaped(format!("fd {fd} is the host terminal {target}"));
                    }
                } else if !target.starts_with("/proc/") || !target.ends_with("/fd") {
                    // The directory handle of read_dir itself shows as /proc/<pid>/fd.
                    leaked += 1;
                    escaped(format!("inherited fd {fd} -> {target}"));
                }
            }
        }
        Err(e) => info(format!("cannot list /proc/self/fd: {}", io_err(&e))),
    }
    // Also by probing, in case /proc hides something: fcntl succeeds on every open fd.
    let mut probed = Vec::new();
    for fd in 3..4096 {
        // SAFETY: F_GETFD only queries the fd.
        if unsafe { libc::fcntl(fd, libc::F_GETFD) } >= 0 {
            probed.push(fd);
        }
    }
    if probed.is_empty() {
        contained("file descriptors above 2", "none open");
    } else if leaked == 0 {
        escaped(format!(
            "open fds above 2 not listed in /proc/self/fd: {probed:?}"
        ));
    }
}

fn tty() {
    let c: u8 = b'#';
    let subcode: u8 = 6; // TIOCL_GETSHIFTSTATE: harmless read.
    let mut fds: Vec<(String, i32)> = (0..3).map(|fd| (format!("fd {fd}"), fd)).collect();
    let tty = cstr("/dev/tty");
    // SAFETY: open with a valid path.
    let fd = unsafe {
        libc::open(
            tty.as_ptr(),
            libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC,
        )
    };
    if fd >= 0 {
        escaped("opened /dev/tty (a controlling terminal is reachable)");
        fds.push(("/dev/tty".into(), fd));
    } else {
        contained("open /dev/tty", last_err());
    }
    for (label, fd) in &fds {
        let probes: [(&str, u64, *const u8); 4] = [
            ("TIOCSTI", libc::TIOCSTI, &c),
            ("TIOCLINUX", libc::TIOCLINUX, &subcode),
            ("TIOCCONS", libc::TIOCCONS, std::ptr::null()),
            ("TIOCSCTTY", libc::TIOCSCTTY, std::ptr::null()),
        ];
        for (name, cmd, arg) in probes {
            for high in [false, true] {
                let full = if high { cmd | 0x1_0000_0000 } else { cmd };
                // SAFETY: the raw ioctl gets a pointer to a local byte or null; with the high
                // bits set the kernel truncates the command to 32 bits, which is the point.
                let r = unsafe {
                    raw_syscall6(libc::SYS_ioctl, [*fd as u64, full, arg as u64, 0, 0, 0])
                };
                let what = format!(
                    "ioctl({label}, {name}{})",
                    if high { " | 1<<32" } else { "" }
                );
                if r >= 0 {
                    escaped(format!("{what} succeeded"));
                } else {
                    contained(what, err_str((-r) as i32));
                }
            }
        }
    }
}

fn userns() {
    let flags: [(&str, i32); 8] = [
        ("CLONE_NEWUSER", libc::CLONE_NEWUSER),
        ("CLONE_NEWNS", libc::CLONE_NEWNS),
        ("CLONE_NEWPID", libc::CLONE_NEWPID),
        ("CLONE_NEWNET", libc::CLONE_NEWNET),
        ("CLONE_NEWIPC", libc::CLONE_NEWIPC),
        ("CLONE_NEWUTS", libc::CLONE_NEWUTS),
        ("CLONE_NEWCGROUP", libc::CLONE_NEWCGROUP),
        ("CLONE_NEWTIME", 0x80),
    ];
    for (name, flag) in flags {
        // unshare in a child so a success cannot change this process.
        let r = in_child(Duration::from_secs(2), || {
            // SAFETY: unshare takes only flags.
            let r = unsafe { libc::unshare(flag) };
            if r < 0 { -(errno() as i64) } else { r as i64 }
        });
        report_forked(&format!("unshare({name})"), r, true);
        if flag == 0x80 {
            // For clone(2), 0x80 is part of the exit signal, not CLONE_NEWTIME (clone3 only).
            continue;
        }
        let r = in_child(Duration::from_secs(2), || {
            // SAFETY: fork-like raw clone (no new stack, no CLONE_VM): the new process
            // returns 0 here and in_child makes it exit at once.
            unsafe {
                raw_syscall6(
                    libc::SYS_clone,
                    [(flag | libc::SIGCHLD) as u64, 0, 0, 0, 0, 0],
                )
            }
        });
        report_forked(&format!("clone({name})"), r, true);
    }
    for ns in ["user", "mnt", "net", "pid", "ipc", "uts", "cgroup"] {
        for pid in ["self", "1"] {
            let path = format!("/proc/{pid}/ns/{ns}");
            let c = cstr(&path);
            // SAFETY: open with a valid path.
            let fd = unsafe { libc::open(c.as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC) };
            if fd < 0 {
                contained(format!("open {path}"), last_err());
                continue;
            }
            let r = in_child(Duration::from_secs(2), || {
                // SAFETY: setns with an fd we opened; nstype 0 accepts any kind.
                let r = unsafe { libc::setns(fd, 0) };
                if r < 0 { -(errno() as i64) } else { r as i64 }
            });
            report_forked(&format!("setns({path})"), r, true);
            // SAFETY: closing our fd.
            unsafe { libc::close(fd) };
        }
    }
    // clone3 must answer ENOSYS (so that libc falls back to clone, whose flags seccomp checks).
    let r = in_child(Duration::from_secs(2), || {
        let mut args = [0u64; 11];
        args[4] = libc::SIGCHLD as u64; // exit_signal
        // SAFETY: clone3 with a valid clone_args of 88 bytes; fork-like if it were allowed.
        unsafe { raw_syscall6(libc::SYS_clone3, [args.as_ptr() as u64, 88, 0, 0, 0, 0]) }
    });
    match r {
        Forked::Value(v) if v == -(libc::ENOSYS as i64) => contained("clone3", "ENOSYS"),
        Forked::Value(v) if v < 0 => escaped(format!(
            "clone3 answered {} instead of ENOSYS",
            err_str((-v) as i32)
        )),
        other => escaped(format!("clone3 was not refused: {other:?}")),
    }
    let r = in_child(Duration::from_secs(2), || {
        let mut args = [0u64; 11];
        args[0] = libc::CLONE_NEWUSER as u64;
        args[4] = libc::SIGCHLD as u64;
        // SAFETY: as above, with CLONE_NEWUSER.
        unsafe { raw_syscall6(libc::SYS_clone3, [args.as_ptr() as u64, 88, 0, 0, 0, 0]) }
    });
    report_forked("clone3(CLONE_NEWUSER)", r, true);
}

fn caps() {
    let status = read_text("/proc/self/status").unwrap_or_default();
    let field = |k: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{k}:")))
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    for k in ["CapInh", "CapPrm", "CapEff", "CapAmb", "CapBnd"] {
        let v = field(k);
        if u64::from_str_radix(&v, 16).unwrap_or(1) != 0 {
            escaped(format!(
                "{k} is {v}: the sandboxed process holds capabilities"
            ));
        } else {
            contained(k, "0");
        }
    }
    match field("NoNewPrivs").as_str() {
        "1" => contained("no_new_privs", "set"),
        v => escaped(format!(
            "NoNewPrivs is {v:?}: setuid binaries could raise privileges"
        )),
    }
    match field("Seccomp").as_str() {
        "2" => contained("seccomp", "filter mode"),
        v => escaped(format!("Seccomp is {v:?}: no seccomp filter")),
    }
    let (mut r, mut e, mut s) = (0, 0, 0);
    // SAFETY: getresuid writes into three locals.
    unsafe { libc::getresuid(&mut r, &mut e, &mut s) };
    info(format!("uid {r} euid {e} suid {s}; {}", field("Uid")));
    if r == 0 || e == 0 || s == 0 {
        escaped(format!(
            "runs as uid 0 inside the sandbox (uid {r} euid {e} suid {s})"
        ));
    }
    fn setuid0() -> i64 {
        // SAFETY: setuid takes an id only.
        unsafe { libc::setuid(0) as i64 }
    }
    fn setresuid0() -> i64 {
        // SAFETY: setresuid takes ids only.
        unsafe { libc::setresuid(0, 0, 0) as i64 }
    }
    fn setgid0() -> i64 {
        // SAFETY: setgid takes an id only.
        unsafe { libc::setgid(0) as i64 }
    }
    fn setgroups0() -> i64 {
        let groups = [0 as libc::gid_t];
        // SAFETY: setgroups reads one gid from a local array.
        unsafe { libc::setgroups(1, groups.as_ptr()) as i64 }
    }
    type Probe = fn() -> i64;
    let probes = [
        ("setuid(0)", setuid0 as Probe),
        ("setresuid(0, 0, 0)", setresuid0),
        ("setgid(0)", setgid0),
        ("setgroups([0])", setgroups0),
    ];
    for (name, f) in probes {
        let r = in_child(Duration::from_secs(2), || {
            if f() < 0 { -(errno() as i64) } else { 0 }
        });
        report_forked(name, r, false);
    }
    // Raise every capability in the effective/permitted sets.
    let r = in_child(Duration::from_secs(2), || {
        let mut hdr = [0x2008_0522u32, 0]; // _LINUX_CAPABILITY_VERSION_3, this process
        let data = [u32::MAX; 6];
        // SAFETY: capset with a valid v3 header and two data structs (6 words).
        let r = unsafe { libc::syscall(libc::SYS_capset, hdr.as_mut_ptr(), data.as_ptr()) };
        if r < 0 { -(errno() as i64) } else { r }
    });
    report_forked("capset(all capabilities)", r, false);
}

fn signal_init() {
    // SAFETY: getppid has no preconditions.
    let ppid = unsafe { libc::getppid() };
    let mut delivered = Vec::new();
    for sig in 1..=31 {
        if sig == libc::SIGKILL || sig == libc::SIGSTOP {
            continue;
        }
        for pid in [1, ppid] {
            // SAFETY: sending a signal; the kernel and Landlock decide whether it is delivered.
            if unsafe { libc::kill(pid, sig) } == 0 {
                delivered.push(format!("{sig}->{pid}"));
            }
        }
    }
    if delivered.is_empty() {
        contained("signals to the sandbox's init", last_err());
    } else {
        info(format!(
            "signals delivered to init: {}",
            delivered.join(" ")
        ));
    }
    // SAFETY: pause blocks until a signal; the sandbox's wall clock ends it.
    unsafe { libc::pause() };
    escaped("pause() returned: a signal reached this process");
}
