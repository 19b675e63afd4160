//! Attacks the kernel surface: dangerous syscalls, the x32 ABI, int 0x80, and a sweep of every syscall number against the allow-list.
//!
//! Modes:
//! - `table`: each dangerous syscall with harmless arguments must answer EPERM or ENOSYS.
//! - `x32`: getpid through the x32 ABI (nr | 0x40000000) must kill the process with SIGSYS.
//! - `int80`: getpid through int 0x80 (the i386 ABI) must kill the process with SIGSYS.
//! - `sweep ALLOW_FILE [MAX_NR]`: every number 0..=MAX_NR (default 599) not in the allow-list
//!   (numbers or names, one a line, `#` comments; `-` reads it from standard input) must answer
//!   ENOSYS or EPERM.
//! - `call NR [ARG...]`: call one syscall (number or name) with integer arguments in a child
//!   and print what it returned (a debugging aid for the sweep).

use corral_attacks::{
    Forked, contained, cstr, err_str, errno, escaped, in_child, info, must_be_denied, raw_syscall6,
    syscall_name, syscall_number, usage,
};
use std::time::Duration;

fn main() {
    let a = corral_attacks::args();
    match a.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["table"] => table(),
        ["x32"] => x32(),
        ["int80"] => int80(),
        ["call", nr, args @ ..] => call(nr, args),
        ["sweep", file, rest @ ..] => sweep(
            file,
            rest.first().and_then(|s| s.parse().ok()).unwrap_or(599),
        ),
        _ => usage("atk_kernel table | x32 | int80 | sweep ALLOW_FILE [MAX_NR] | call NR [ARG...]"),
    }
}

/// Runs one syscall in a child (so a success cannot change this process) and reports it.
fn denied(name: &str, nr: i64, args: [u64; 6]) {
    // SAFETY: every caller passes harmless arguments (null, -1, invalid magic, or pointers
    // to buffers that outlive the child, which gets a copy of them).
    let r = in_child(Duration::from_secs(2), || unsafe { raw_syscall6(nr, args) });
    match r {
        Forked::Value(v) if v < 0 => {
            // Map the raw -errno to the libc convention that must_be_denied expects.
            let e = (-v) as i32;
            if e == libc::EPERM || e == libc::ENOSYS {
                contained(name, err_str(e));
            } else {
                escaped(format!(
                    "{name} was not refused by seccomp: reached the kernel ({})",
                    err_str(e)
                ));
            }
        }
        Forked::Value(v) => escaped(format!("{name} succeeded (returned {v})")),
        Forked::Signaled(s) => contained(name, format!("killed by signal {s}")),
        Forked::TimedOut => escaped(format!("{name} reached the kernel and blocked")),
        other => contained(name, format!("{other:?}")),
    }
}

fn table() {
    let at_fdcwd = libc::AT_FDCWD as i64 as u64;
    let m1 = u64::MAX; // -1: an invalid fd
    let user = cstr("user");
    let desc = cstr("corral-attack");
    let none = cstr("corral_attack_none");
    let tmp = cstr("/tmp");
    let root = cstr("/");
    let tmpfs = cstr("tmpfs");
    let nonexistent = cstr("/nonexistent-corral");
    let empty = cstr("");
    let host = cstr("corral-x");
    let zeros = [0u8; 256];
    let mut handle = [0u8; 136];
    handle[0] = 8; // handle_bytes
    let mut mount_id = 0i32;
    // SAFETY: gettimeofday writes into a local.
    let mut tv: libc::timeval = unsafe { std::mem::zeroed() };
    // SAFETY: as above.
    unsafe { libc::gettimeofday(&mut tv, std::ptr::null_mut()) };
    let ts = libc::timespec {
        tv_sec: tv.tv_sec,
        tv_nsec: 0,
    };
    let p = |x: *const u8| x as u64;
    let table: Vec<(&str, i64, [u64; 6])> = vec![
        (
            "keyctl(GET_KEYRING_ID, session)",
            libc::SYS_keyctl,
            [0, (-3i64) as u64, 0, 0, 0, 0],
        ),
        (
            "add_key(user)",
            libc::SYS_add_key,
            [
                p(user.as_ptr().cast()),
                p(desc.as_ptr().cast()),
                p(desc.as_ptr().cast()),
                1,
                (-2i64) as u64,
                0,
            ],
        ),
        (
            "request_key(user)",
            libc::SYS_request_key,
            [p(user.as_ptr().cast()), p(desc.as_ptr().cast()), 0, 0, 0, 0],
        ),
        (
            "bpf(BPF_MAP_CREATE)",
            libc::SYS_bpf,
            [0, p(zeros.as_ptr()), 128, 0, 0, 0],
        ),
        (
            "bpf(BPF_PROG_LOAD)",
            libc::SYS_bpf,
            [5, p(zeros.as_ptr()), 128, 0, 0, 0],
        ),
        (
            "perf_event_open",
            libc::SYS_perf_event_open,
            [p(zeros.as_ptr()), 0, m1, m1, 0, 0],
        ),
        (
            "io_uring_setup",
            libc::SYS_io_uring_setup,
            [1, p(zeros.as_ptr()), 0, 0, 0, 0],
        ),
        (
            "io_uring_enter",
            libc::SYS_io_uring_enter,
            [m1, 0, 0, 0, 0, 0],
        ),
        (
            "io_uring_register",
            libc::SYS_io_uring_register,
            [m1, 0, 0, 0, 0, 0],
        ),
        (
            "userfaultfd",
            libc::SYS_userfaultfd,
            [libc::O_CLOEXEC as u64, 0, 0, 0, 0, 0],
        ),
        (
            "mount(tmpfs on /tmp)",
            libc::SYS_mount,
            [
                p(tmpfs.as_ptr().cast()),
                p(tmp.as_ptr().cast()),
                p(tmpfs.as_ptr().cast()),
                0,
                0,
                0,
            ],
        ),
        (
            "mount(MS_REMOUNT|MS_BIND on /)",
            libc::SYS_mount,
            [
                0,
                p(root.as_ptr().cast()),
                0,
                libc::MS_REMOUNT | libc::MS_BIND,
                0,
                0,
            ],
        ),
        (
            "umount2(/tmp, MNT_DETACH)",
            libc::SYS_umount2,
            [p(tmp.as_ptr().cast()), libc::MNT_DETACH as u64, 0, 0, 0, 0],
        ),
        (
            "fsopen(tmpfs)",
            libc::SYS_fsopen,
            [p(tmpfs.as_ptr().cast()), 0, 0, 0, 0, 0],
        ),
        ("fsconfig", libc::SYS_fsconfig, [m1, 0, 0, 0, 0, 0]),
        ("fsmount", libc::SYS_fsmount, [m1, 0, 0, 0, 0, 0]),
        (
            "fspick(/)",
            libc::SYS_fspick,
            [at_fdcwd, p(root.as_ptr().cast()), 0, 0, 0, 0],
        ),
        (
            "open_tree(/)",
            libc::SYS_open_tree,
            [at_fdcwd, p(root.as_ptr().cast()), 0, 0, 0, 0],
        ),
        (
            "open_tree(/, OPEN_TREE_CLONE)",
            libc::SYS_open_tree,
            [at_fdcwd, p(root.as_ptr().cast()), 1, 0, 0, 0],
        ),
        (
            "move_mount",
            libc::SYS_move_mount,
            [
                m1,
                p(empty.as_ptr().cast()),
                m1,
                p(empty.as_ptr().cast()),
                0,
                0,
            ],
        ),
        (
            "mount_setattr(/)",
            libc::SYS_mount_setattr,
            [
                at_fdcwd,
                p(root.as_ptr().cast()),
                0,
                p(zeros.as_ptr()),
                32,
                0,
            ],
        ),
        (
            "pivot_root(/tmp, /tmp)",
            libc::SYS_pivot_root,
            [p(tmp.as_ptr().cast()), p(tmp.as_ptr().cast()), 0, 0, 0, 0],
        ),
        (
            "chroot(/tmp)",
            libc::SYS_chroot,
            [p(tmp.as_ptr().cast()), 0, 0, 0, 0, 0],
        ),
        (
            "unshare(CLONE_NEWUSER)",
            libc::SYS_unshare,
            [libc::CLONE_NEWUSER as u64, 0, 0, 0, 0, 0],
        ),
        (
            "unshare(CLONE_NEWNS)",
            libc::SYS_unshare,
            [libc::CLONE_NEWNS as u64, 0, 0, 0, 0, 0],
        ),
        ("setns(-1, 0)", libc::SYS_setns, [m1, 0, 0, 0, 0, 0]),
        (
            "clone(CLONE_NEWUSER)",
            libc::SYS_clone,
            [(libc::CLONE_NEWUSER | libc::SIGCHLD) as u64, 0, 0, 0, 0, 0],
        ),
        (
            "clone(CLONE_NEWNET)",
            libc::SYS_clone,
            [(libc::CLONE_NEWNET | libc::SIGCHLD) as u64, 0, 0, 0, 0, 0],
        ),
        (
            "open_by_handle_at",
            libc::SYS_open_by_handle_at,
            [at_fdcwd, p(handle.as_ptr()), libc::O_RDONLY as u64, 0, 0, 0],
        ),
        (
            "name_to_handle_at(/)",
            libc::SYS_name_to_handle_at,
            [
                at_fdcwd,
                p(root.as_ptr().cast()),
                p(handle.as_mut_ptr()),
                &mut mount_id as *mut i32 as u64,
                0,
                0,
            ],
        ),
        ("kexec_load", libc::SYS_kexec_load, [0, 0, 0, 0, 0, 0]),
        (
            "kexec_file_load",
            libc::SYS_kexec_file_load,
            [m1, m1, 0, p(empty.as_ptr().cast()), 0, 0],
        ),
        (
            "init_module",
            libc::SYS_init_module,
            [p(zeros.as_ptr()), 0, p(empty.as_ptr().cast()), 0, 0, 0],
        ),
        (
            "finit_module",
            libc::SYS_finit_module,
            [m1, p(empty.as_ptr().cast()), 0, 0, 0, 0],
        ),
        (
            "delete_module",
            libc::SYS_delete_module,
            [p(none.as_ptr().cast()), libc::O_NONBLOCK as u64, 0, 0, 0, 0],
        ),
        ("syslog(SIZE_BUFFER)", libc::SYS_syslog, [10, 0, 0, 0, 0, 0]),
        (
            "syslog(READ_ALL)",
            libc::SYS_syslog,
            [3, p(zeros.as_ptr()), 64, 0, 0, 0],
        ),
        (
            "personality(ADDR_NO_RANDOMIZE)",
            libc::SYS_personality,
            [0x0040000, 0, 0, 0, 0, 0],
        ),
        (
            "personality(READ_IMPLIES_EXEC)",
            libc::SYS_personality,
            [0x0400000, 0, 0, 0, 0, 0],
        ),
        ("reboot(bad magic)", libc::SYS_reboot, [1, 2, 0, 0, 0, 0]),
        (
            "swapon",
            libc::SYS_swapon,
            [p(nonexistent.as_ptr().cast()), 0, 0, 0, 0, 0],
        ),
        (
            "swapoff",
            libc::SYS_swapoff,
            [p(nonexistent.as_ptr().cast()), 0, 0, 0, 0, 0],
        ),
        ("acct(NULL)", libc::SYS_acct, [0, 0, 0, 0, 0, 0]),
        (
            "sethostname",
            libc::SYS_sethostname,
            [p(host.as_ptr().cast()), 8, 0, 0, 0, 0],
        ),
        (
            "setdomainname",
            libc::SYS_setdomainname,
            [p(host.as_ptr().cast()), 8, 0, 0, 0, 0],
        ),
        (
            "settimeofday(now)",
            libc::SYS_settimeofday,
            [&tv as *const libc::timeval as u64, 0, 0, 0, 0, 0],
        ),
        (
            "clock_settime(REALTIME, now)",
            libc::SYS_clock_settime,
            [
                libc::CLOCK_REALTIME as u64,
                &ts as *const libc::timespec as u64,
                0,
                0,
                0,
                0,
            ],
        ),
        ("iopl(3)", libc::SYS_iopl, [3, 0, 0, 0, 0, 0]),
        ("ioperm(0x80)", libc::SYS_ioperm, [0x80, 1, 1, 0, 0, 0]),
        ("fanotify_init", libc::SYS_fanotify_init, [0, 0, 0, 0, 0, 0]),
        (
            "quotactl",
            libc::SYS_quotactl,
            [0x800005, p(nonexistent.as_ptr().cast()), 0, 0, 0, 0],
        ),
        (
            "ptrace(PTRACE_ATTACH, 1)",
            libc::SYS_ptrace,
            [libc::PTRACE_ATTACH as u64, 1, 0, 0, 0, 0],
        ),
        (
            "process_vm_readv(1)",
            libc::SYS_process_vm_readv,
            [1, 0, 0, 0, 0, 0],
        ),
        (
            "process_vm_writev(1)",
            libc::SYS_process_vm_writev,
            [1, 0, 0, 0, 0, 0],
        ),
    ];
    for (name, nr, args) in table {
        denied(name, nr, args);
    }
    // socket() with forbidden domains (the net attack has more).
    for (label, domain, ty) in [
        ("AF_NETLINK", libc::AF_NETLINK, libc::SOCK_RAW),
        ("AF_PACKET", libc::AF_PACKET, libc::SOCK_RAW),
        ("AF_VSOCK", libc::AF_VSOCK, libc::SOCK_STREAM),
    ] {
        // SAFETY: socket with constant arguments.
        let fd = unsafe { libc::socket(domain, ty | libc::SOCK_CLOEXEC, 0) };
        must_be_denied(&format!("socket({label})"), fd as i64);
    }
    // The query form of personality stays allowed.
    // SAFETY: personality(0xffffffff) only reads the persona.
    let q = unsafe { libc::personality(0xffff_ffff) };
    info(format!(
        "personality(query) = {q:#x}{}",
        if q < 0 {
            format!(" ({})", err_str(errno()))
        } else {
            String::new()
        }
    ));
}

fn x32() {
    info("calling getpid through the x32 ABI (must die of SIGSYS)");
    // SAFETY: x32 getpid takes no arguments; the sandbox should kill us before it returns.
    let r = unsafe { raw_syscall6(libc::SYS_getpid | 0x4000_0000, [0; 6]) };
    escaped(format!(
        "x32 syscall returned {r}{}",
        if r < 0 {
            format!(" ({})", err_str((-r) as i32))
        } else {
            String::new()
        }
    ));
}

fn int80() {
    info("calling getpid through int 0x80 (must die of SIGSYS)");
    let r: i32;
    // SAFETY: i386 getpid (20) takes no arguments; int 0x80 clobbers nothing else on return.
    unsafe {
        core::arch::asm!("int 0x80", inlateout("eax") 20i32 => r, options(nostack));
    }
    escaped(format!(
        "int 0x80 returned {r}{}",
        if r < 0 {
            format!(" ({})", err_str(-r))
        } else {
            String::new()
        }
    ));
}

fn sweep(file: &str, max_nr: i64) {
    let read = if file == "-" {
        let mut t = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut t).map(|_| t)
    } else {
        std::fs::read_to_string(file)
    };
    let text = match read {
        Ok(t) => t,
        Err(e) => usage(&format!("cannot read allow-list {file}: {e}")),
    };
    let mut allowed = std::collections::BTreeSet::new();
    for l in text.lines() {
        let l = l.split('#').next().unwrap_or("").trim();
        if l.is_empty() {
            continue;
        }
        match l.parse::<i64>().ok().or_else(|| syscall_number(l)) {
            Some(nr) => {
                allowed.insert(nr);
            }
            None => info(format!("unknown syscall name in allow-list: {l}")),
        }
    }
    info(format!("allow-list holds {} syscalls", allowed.len()));
    let (mut enosys, mut eperm, mut other) = (0, 0, 0);
    for nr in 0..=max_nr {
        if allowed.contains(&nr) {
            continue;
        }
        let name = syscall_name(nr).unwrap_or("unknown");
        // SAFETY: all-zero arguments in a throwaway child: null pointers, fd 0, no flags.
        let r = in_child(Duration::from_secs(2), || unsafe {
            raw_syscall6(nr, [0; 6])
        });
        // The kernel runs uretprobe and uprobe without asking seccomp (they only work from
        // the trampoline it installs); called from anywhere else they raise SIGILL or ENXIO.
        if name == "uretprobe" || name == "uprobe" {
            match r {
                Forked::Signaled(libc::SIGILL) => {
                    contained(
                        format!("syscall {nr} ({name}), which bypasses seccomp by design"),
                        "SIGILL",
                    );
                    continue;
                }
                Forked::Value(v)
                    if v == -(libc::ENXIO as i64)
                        || v == -(libc::ENOSYS as i64)
                        || v == -(libc::EPERM as i64) =>
                {
                    contained(
                        format!("syscall {nr} ({name}), which bypasses seccomp by design"),
                        err_str((-v) as i32),
                    );
                    continue;
                }
                _ => {}
            }
        }
        match r {
            Forked::Value(v) if v == -(libc::ENOSYS as i64) => enosys += 1,
            Forked::Value(v) if v == -(libc::EPERM as i64) => eperm += 1,
            Forked::Value(v) if v < 0 => {
                other += 1;
                escaped(format!(
                    "syscall {nr} ({name}) is not on the allow-list but reached the kernel ({})",
                    err_str((-v) as i32)
                ));
            }
            Forked::Value(v) => {
                other += 1;
                escaped(format!(
                    "syscall {nr} ({name}) is not on the allow-list but succeeded (returned {v})"
                ));
            }
            Forked::TimedOut => {
                other += 1;
                escaped(format!(
                    "syscall {nr} ({name}) is not on the allow-list but blocked in the kernel"
                ));
            }
            // Killed (SIGSYS) or exited early: refused more strictly than asked.
            Forked::Signaled(s) => {
                eperm += 1;
                info(format!(
                    "syscall {nr} ({name}) killed the child with signal {s}"
                ));
            }
            Forked::Exited(c) => {
                other += 1;
                escaped(format!(
                    "syscall {nr} ({name}) made the child exit with {c}: it ran"
                ));
            }
            Forked::ForkFailed(e) => {
                other += 1;
                info(format!("fork for syscall {nr} failed: {}", err_str(e)));
            }
        }
    }
    if other == 0 {
        contained(
            format!(
                "syscall sweep 0..={max_nr}: {} numbers outside the allow-list all refused ({enosys} ENOSYS, {eperm} EPERM)",
                enosys + eperm
            ),
            "seccomp",
        );
    } else {
        info(format!(
            "syscall sweep: {other} numbers outside the allow-list were not refused"
        ));
    }
}

fn call(nr: &str, args: &[&str]) {
    let Some(nr) = nr.parse::<i64>().ok().or_else(|| syscall_number(nr)) else {
        usage("call NR: unknown syscall")
    };
    let mut a = [0u64; 6];
    for (slot, text) in a.iter_mut().zip(args) {
        *slot = text
            .parse::<i64>()
            .map(|v| v as u64)
            .unwrap_or_else(|_| usage("call: arguments are integers"));
    }
    // SAFETY: a debugging aid: the caller chooses integer arguments; the call runs in a child.
    let r = in_child(Duration::from_secs(2), || unsafe { raw_syscall6(nr, a) });
    let name = syscall_name(nr).unwrap_or("unknown");
    match r {
        Forked::Value(v) if v < 0 => info(format!(
            "syscall {nr} ({name}) returned -{}",
            err_str((-v) as i32)
        )),
        other => info(format!("syscall {nr} ({name}): {other:?}")),
    }
}
