//! Attacks other tenants of the same host: host-wide kernel pools, per-user quotas shared between runs, notification side channels, host uptime, inherited process state, how a run's end is classified.
//!
//! Modes:
//! - `bpf-filter`: attach one classic BPF socket filter with SO_ATTACH_FILTER and
//!   SO_ATTACH_REUSEPORT_CBPF, and try SO_ATTACH_BPF / SO_ATTACH_REUSEPORT_EBPF (each JIT image is
//!   charged to the host-wide `bpf_jit_limit`); all four must answer EPERM.
//! - `hugetlb`: mmap(MAP_HUGETLB), memfd_create(MFD_HUGETLB), shmget(SHM_HUGETLB) must answer
//!   EPERM (hugetlb pages are a host pool outside the memory cgroup's ordinary accounting).
//! - `sockbuf tcp|udp PAIRS STOP_MIB`: park data in loopback socket buffers nobody reads, and
//!   sum what the kernel holds for them (SO_MEMINFO: receive + send queues); ESCAPED when the
//!   total passes STOP_MIB (the fill stops there), else CONTAINED with the total in MiB.
//! - `quota hold SECS | quota probe`: `hold` fills the per-user quotas (pending signals up to
//!   RLIMIT_SIGPENDING, pipe buffer pages with 1 MiB pipes, unix fds in flight) and keeps them
//!   SECS seconds; `probe` checks that this process still gets each of them (one queued signal,
//!   a 64 KiB pipe, one fd sent), ESCAPED when another holder took them.
//! - `notify`: inotify, fanotify, fcntl(F_NOTIFY) and fcntl(F_SETLEASE) must answer EPERM;
//!   sync() and syncfs() must return 0 (`INFO` lines).
//! - `uptime HOST_UPTIME_S HOST_BTIME`: /proc/uptime, /proc/stat btime, /proc/self/stat
//!   starttime, sysinfo() and CLOCK_BOOTTIME must not show the host's uptime (within 5 s of the
//!   host's values, passed by the test); CLOCK_MONOTONIC, /proc/self/timens_offsets and
//!   /proc/self/sched are printed as `INFO`.
//! - `inherited [strict]`: RLIMIT_CORE exactly 1 and not lowerable, oom_score_adj 1000, nice 0,
//!   ioprio best-effort level 4 (or none), RLIMIT_RTPRIO and RLIMIT_NICE 0, RLIMIT_SIGPENDING at
//!   most 4096, the rlimits that bound resources finite; nice, ioprio cannot be raised; with
//!   `strict`, oom_score_adj cannot be lowered either (otherwise an `INFO` line).
//! - `exit-after MS CODE`: sleep MS milliseconds, then exit with CODE.
//! - `bigalloc MIB`: one `vec![0u8; MIB MiB]`, then touch every page.

use corral_attacks::{
    Forked, contained, cstr, err_str, errno, escaped, in_child, info, last_err, raw_syscall6,
    read_text, usage,
};
use std::time::{Duration, Instant};

fn main() {
    let a = corral_attacks::args();
    let v: Vec<&str> = a.iter().map(String::as_str).collect();
    let num = |i: usize, d: u64| v.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
    match v.as_slice() {
        ["bpf-filter"] => bpf_filter(),
        ["hugetlb"] => hugetlb(),
        ["sockbuf", proto @ ("tcp" | "udp"), ..] => {
            sockbuf(*proto == "tcp", num(2, 64), num(3, 64))
        }
        ["quota", "hold", ..] => quota_hold(num(2, 3)),
        ["quota", "probe"] => quota_probe(),
        ["notify"] => notify(),
        ["hostview"] => hostview(),
        ["uptime", up, bt] => uptime(up.parse().unwrap_or(0.0), bt.parse().unwrap_or(0)),
        ["inherited", rest @ ..] => inherited(rest.first() == Some(&"strict")),
        ["exit-after", ..] => {
            std::thread::sleep(Duration::from_millis(num(1, 2)));
            std::process::exit(num(2, 152) as i32)
        }
        ["bigalloc", ..] => bigalloc(num(1, 2048)),
        _ => usage(
            "atk_tenant bpf-filter | hugetlb | sockbuf tcp|udp PAIRS STOP_MIB | quota hold SECS | quota probe | notify | hostview | uptime HOST_UPTIME_S HOST_BTIME | inherited [strict] | exit-after MS CODE | bigalloc MIB",
        ),
    }
}

/// Runs `probe` (a libc-style call: -1 and errno on failure) in a child and returns what it
/// returned, with the errno of a failure encoded as `-errno`.
fn forked(probe: impl FnOnce() -> i64) -> Forked {
    in_child(Duration::from_secs(5), || {
        let r = probe();
        if r < 0 { -(errno() as i64) } else { r }
    })
}

/// Reports a forked libc-style call that seccomp must refuse (EPERM or ENOSYS).
fn denied_in_child(what: &str, probe: impl FnOnce() -> i64) {
    match forked(probe) {
        Forked::Value(v) if v < 0 => {
            let e = (-v) as i32;
            if e == libc::EPERM || e == libc::ENOSYS {
                contained(what, err_str(e));
            } else {
                escaped(format!(
                    "{what} was not refused by seccomp: reached the kernel ({})",
                    err_str(e)
                ));
            }
        }
        Forked::Value(v) => escaped(format!("{what} succeeded (returned {v})")),
        Forked::Signaled(s) => contained(what, format!("killed by signal {s}")),
        other => escaped(format!("{what}: the probe ended as {other:?}")),
    }
}

// ---------------------------------------------------------------------------------------------
// bpf-filter

const SO_ATTACH_FILTER: i32 = 26;
const SO_ATTACH_BPF: i32 = 50;
const SO_ATTACH_REUSEPORT_CBPF: i32 = 51;
const SO_ATTACH_REUSEPORT_EBPF: i32 = 52;

fn bpf_filter() {
    // One instruction: accept the whole packet (BPF_RET | BPF_K, 0xffff).
    let insns = [libc::sock_filter {
        code: 0x06,
        jt: 0,
        jf: 0,
        k: 0xffff,
    }];
    let prog = libc::sock_fprog {
        len: 1,
        filter: insns.as_ptr() as *mut libc::sock_filter,
    };
    for (name, opt, classic) in [
        ("SO_ATTACH_FILTER", SO_ATTACH_FILTER, true),
        ("SO_ATTACH_REUSEPORT_CBPF", SO_ATTACH_REUSEPORT_CBPF, true),
        ("SO_ATTACH_BPF", SO_ATTACH_BPF, false),
        ("SO_ATTACH_REUSEPORT_EBPF", SO_ATTACH_REUSEPORT_EBPF, false),
    ] {
        let what = format!("setsockopt(SOL_SOCKET, {name})");
        denied_in_child(&what, || {
            // SAFETY: a fresh UDP socket; setsockopt reads the option from locals that outlive
            // the calls (the filter program, or an int).
            unsafe {
                let s = libc::socket(libc::AF_INET, libc::SOCK_DGRAM, 0);
                if s < 0 {
                    return -1;
                }
                let one: i32 = 1;
                // The reuseport variants need SO_REUSEPORT on an unbound socket.
                libc::setsockopt(
                    s,
                    libc::SOL_SOCKET,
                    libc::SO_REUSEPORT,
                    (&one as *const i32).cast(),
                    4,
                );
                if classic {
                    libc::setsockopt(
                        s,
                        libc::SOL_SOCKET,
                        opt,
                        (&prog as *const libc::sock_fprog).cast(),
                        std::mem::size_of::<libc::sock_fprog>() as u32,
                    ) as i64
                } else {
                    // No eBPF program can be loaded (bpf() is refused): an invalid fd shows
                    // whether the option reaches the kernel (EBADF) or is refused before.
                    let fd: i32 = -1;
                    libc::setsockopt(s, libc::SOL_SOCKET, opt, (&fd as *const i32).cast(), 4) as i64
                }
            }
        });
    }
    // A program's own seccomp filters are classic BPF too, JIT-compiled and charged to the same
    // host-wide pool; only evidence here (installing many would drain the host's pool).
    let r = forked(|| {
        // SAFETY: installs an allow-all filter on this child only (no_new_privs first).
        unsafe {
            libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
            let allow = [libc::sock_filter {
                code: 0x06,
                jt: 0,
                jf: 0,
                k: 0x7fff_0000,
            }];
            let p = libc::sock_fprog {
                len: 1,
                filter: allow.as_ptr() as *mut libc::sock_filter,
            };
            libc::prctl(
                libc::PR_SET_SECCOMP,
                libc::SECCOMP_MODE_FILTER,
                &p as *const libc::sock_fprog,
            ) as i64
        }
    });
    info(format!(
        "installing one more seccomp filter (also charged to bpf_jit_limit): {}",
        forked_result(r)
    ));
}

fn forked_result(r: Forked) -> String {
    match r {
        Forked::Value(v) if v < 0 => err_str((-v) as i32),
        Forked::Value(v) => format!("returned {v}"),
        other => format!("{other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// hugetlb

const SHM_HUGETLB: i32 = 0o4000;
const MFD_HUGETLB: u32 = 4;

fn hugetlb() {
    let two_mib: usize = 2 << 20;
    denied_in_child("mmap(MAP_HUGETLB)", || {
        // SAFETY: an anonymous mapping in the child; never touched.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                two_mib,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_HUGETLB,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED { -1 } else { 0 }
    });
    denied_in_child("memfd_create(MFD_HUGETLB)", || {
        let name = cstr("corral-huge");
        // SAFETY: a NUL-terminated name; the fd dies with the child.
        unsafe { libc::memfd_create(name.as_ptr(), MFD_HUGETLB) as i64 }
    });
    denied_in_child("shmget(SHM_HUGETLB)", || {
        // SAFETY: a private segment, removed at once if it was created.
        unsafe {
            let id = libc::shmget(
                libc::IPC_PRIVATE,
                two_mib,
                libc::IPC_CREAT | 0o600 | SHM_HUGETLB,
            );
            if id >= 0 {
                libc::shmctl(id, libc::IPC_RMID, std::ptr::null_mut());
            }
            id as i64
        }
    });
}

// ---------------------------------------------------------------------------------------------
// sockbuf

const SO_MEMINFO: i32 = 55;

/// Bytes the kernel holds for one socket: receive queue, send queue and its forward allocation
/// (SO_MEMINFO: rmem_alloc + wmem_queued + fwd_alloc + backlog), or 0 when unknown.
fn held(fd: i32) -> u64 {
    let mut m = [0u32; 9];
    let mut len = std::mem::size_of_val(&m) as u32;
    // SAFETY: getsockopt writes at most `len` bytes into our array.
    let r = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            SO_MEMINFO,
            m.as_mut_ptr().cast(),
            &mut len,
        )
    };
    if r != 0 {
        return 0;
    }
    m[0] as u64 + m[5] as u64 + m[4] as u64 + m[7] as u64
}

fn set_buffers(fd: i32) {
    let big: i32 = 64 << 20;
    for opt in [libc::SO_SNDBUF, libc::SO_RCVBUF] {
        // SAFETY: an int option read from a local.
        unsafe { libc::setsockopt(fd, libc::SOL_SOCKET, opt, (&big as *const i32).cast(), 4) };
    }
}

fn sockbuf(tcp: bool, pairs: u64, stop_mib: u64) {
    let kind = if tcp { "TCP" } else { "UDP" };
    let stop = stop_mib << 20;
    let deadline = Instant::now() + Duration::from_secs(4);
    let chunk = vec![0x55u8; 60_000];
    let mut fds: Vec<i32> = Vec::new();
    let mut total;
    let mut made = 0u64;
    let mut why = String::from("all buffers full");
    // SAFETY: plain socket calls on fds this function owns; buffers are locals.
    unsafe {
        let mut addr: libc::sockaddr_in = std::mem::zeroed();
        addr.sin_family = libc::AF_INET as u16;
        addr.sin_addr.s_addr = u32::from_ne_bytes([127, 0, 0, 1]);
        let alen = std::mem::size_of::<libc::sockaddr_in>() as u32;
        let ty = if tcp {
            libc::SOCK_STREAM
        } else {
            libc::SOCK_DGRAM
        } | libc::SOCK_NONBLOCK;
        let listener = libc::socket(libc::AF_INET, ty, 0);
        if listener < 0 {
            escaped(format!("{kind} socket: {}", last_err()));
            return;
        }
        if tcp {
            set_buffers(listener);
            libc::bind(listener, (&addr as *const libc::sockaddr_in).cast(), alen);
            libc::listen(listener, 1024);
        }
        let mut laddr: libc::sockaddr_in = std::mem::zeroed();
        let mut llen = alen;
        if tcp {
            libc::getsockname(
                listener,
                (&mut laddr as *mut libc::sockaddr_in).cast(),
                &mut llen,
            );
        }
        'pairs: for _ in 0..pairs {
            if Instant::now() > deadline {
                why = "time is up".into();
                break;
            }
            let (tx, rx);
            if tcp {
                tx = libc::socket(libc::AF_INET, ty, 0);
                if tx < 0 {
                    why = format!("socket: {}", last_err());
                    break;
                }
                set_buffers(tx);
                libc::connect(tx, (&laddr as *const libc::sockaddr_in).cast(), alen);
                let mut rx_fd = -1;
                for _ in 0..200 {
                    rx_fd = libc::accept(listener, std::ptr::null_mut(), std::ptr::null_mut());
                    if rx_fd >= 0 || errno() != libc::EAGAIN {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(1));
                }
                if rx_fd < 0 {
                    why = format!("accept: {}", last_err());
                    libc::close(tx);
                    break;
                }
                rx = rx_fd;
            } else {
                rx = libc::socket(libc::AF_INET, ty, 0);
                if rx < 0 {
                    why = format!("socket: {}", last_err());
                    break;
                }
                set_buffers(rx);
                libc::bind(rx, (&addr as *const libc::sockaddr_in).cast(), alen);
                let mut ra: libc::sockaddr_in = std::mem::zeroed();
                let mut rl = alen;
                libc::getsockname(rx, (&mut ra as *mut libc::sockaddr_in).cast(), &mut rl);
                tx = listener; // one sender for every UDP receiver
                libc::connect(tx, (&ra as *const libc::sockaddr_in).cast(), alen);
            }
            fds.push(rx);
            if tx != listener {
                fds.push(tx);
            }
            made += 1;
            // Fill: until the sender is told to wait (TCP) or the receiver stops growing (UDP
            // drops what does not fit, silently).
            let mut last = 0u64;
            let mut flat = 0;
            loop {
                let n = libc::send(tx, chunk.as_ptr().cast(), chunk.len(), libc::MSG_DONTWAIT);
                if tcp && n < 0 {
                    let e = errno();
                    if e == libc::EAGAIN {
                        // Loopback delivers asynchronously: give it a moment, then stop.
                        flat += 1;
                        if flat > 3 {
                            break;
                        }
                        std::thread::sleep(Duration::from_millis(1));
                        continue;
                    }
                    why = format!("send: {}", err_str(e));
                    break 'pairs;
                }
                if !tcp {
                    let now = held(rx);
                    if now <= last {
                        flat += 1;
                        if flat > 3 || n < 0 {
                            break;
                        }
                    }
                    last = now;
                }
                if Instant::now() > deadline {
                    break;
                }
            }
            total = fds.iter().map(|&f| held(f)).sum::<u64>() + held(listener);
            if total > stop {
                break;
            }
        }
        total = fds.iter().map(|&f| held(f)).sum::<u64>() + held(listener);
        info(format!(
            "{kind}: {made} socket pairs, {} KiB held ({why})",
            total >> 10
        ));
        if total > stop {
            escaped(format!(
                "{kind} socket buffers hold {} MiB, more than {stop_mib} MiB",
                total >> 20
            ));
        } else {
            contained(
                format!("{kind} socket buffers held {} MiB", total.div_ceil(1 << 20)),
                why,
            );
        }
        for f in fds {
            libc::close(f);
        }
        libc::close(listener);
    }
}

// ---------------------------------------------------------------------------------------------
// quota

/// Queues SIGRTMIN (blocked) to this process until the kernel refuses; returns (count, errno).
fn fill_signals(max: u64) -> (u64, i32) {
    // SAFETY: blocks SIGRTMIN in this (single-threaded) process, then queues it to ourselves.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGRTMIN());
        libc::sigprocmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        let me = libc::getpid();
        let mut n = 0;
        while n < max {
            let val = libc::sigval {
                sival_ptr: std::ptr::null_mut(),
            };
            if libc::sigqueue(me, libc::SIGRTMIN(), val) != 0 {
                return (n, errno());
            }
            n += 1;
        }
        (n, 0)
    }
}

fn pipe_size(fd: i32) -> i64 {
    // SAFETY: fcntl on our own fd.
    unsafe { libc::fcntl(fd, libc::F_GETPIPE_SZ) as i64 }
}

/// Sends `fd` `count` times in one SCM_RIGHTS message on `sock`.
fn send_fds(sock: i32, fd: i32, count: usize) -> i64 {
    let fds = vec![fd; count];
    // SAFETY: CMSG_SPACE only computes a size.
    let space = unsafe { libc::CMSG_SPACE((count * 4) as u32) } as usize;
    let mut control = vec![0u8; space];
    let mut byte = [0u8; 1];
    let mut iov = libc::iovec {
        iov_base: byte.as_mut_ptr().cast(),
        iov_len: 1,
    };
    // SAFETY: msghdr points at locals that outlive sendmsg; the cmsg fits the buffer.
    unsafe {
        let mut msg: libc::msghdr = std::mem::zeroed();
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = space;
        let c = libc::CMSG_FIRSTHDR(&msg);
        (*c).cmsg_level = libc::SOL_SOCKET;
        (*c).cmsg_type = libc::SCM_RIGHTS;
        (*c).cmsg_len = libc::CMSG_LEN((count * 4) as u32) as usize;
        std::ptr::copy_nonoverlapping(fds.as_ptr(), libc::CMSG_DATA(c).cast(), count);
        libc::sendmsg(sock, &msg, libc::MSG_DONTWAIT) as i64
    }
}

fn quota_hold(secs: u64) {
    let (n, e) = fill_signals(1 << 20);
    if e == 0 {
        escaped(format!("queued {n} signals without a limit"));
    } else {
        contained(format!("queued signals: stopped after {n}"), err_str(e));
    }
    // Pipe buffer pages: 1 MiB pipes (256 pages each) until the kernel refuses.
    let mut pipes = 0;
    let mut why = String::from("enough");
    for _ in 0..100 {
        let mut p = [0i32; 2];
        // SAFETY: pipe writes two fds into our array; they stay open while we hold.
        if unsafe { libc::pipe(p.as_mut_ptr()) } != 0 {
            why = last_err();
            break;
        }
        // SAFETY: fcntl on our own pipe.
        if unsafe { libc::fcntl(p[0], libc::F_SETPIPE_SZ, 1 << 20) } < 0 {
            why = last_err();
            break;
        }
        pipes += 1;
    }
    // Then default pipes for what is left below the soft limit, until a new pipe is cut down.
    let mut small = 0;
    for _ in 0..64 {
        let mut p = [0i32; 2];
        // SAFETY: pipe writes two fds into our array; they stay open while we hold.
        if unsafe { libc::pipe(p.as_mut_ptr()) } != 0 {
            break;
        }
        small += 1;
        if pipe_size(p[0]) < 65536 {
            break;
        }
    }
    info(format!(
        "1 MiB pipes: {pipes} ({why}), then {small} default pipes"
    ));
    // Unix fds in flight: one datagram socketpair, messages of 64 copies of fd 0, never read.
    let mut sv = [0i32; 2];
    // SAFETY: socketpair writes two fds into our array.
    unsafe { libc::socketpair(libc::AF_UNIX, libc::SOCK_DGRAM, 0, sv.as_mut_ptr()) };
    let big: i32 = 64 << 20;
    // SAFETY: an int option read from a local.
    unsafe {
        libc::setsockopt(
            sv[1],
            libc::SOL_SOCKET,
            libc::SO_RCVBUF,
            (&big as *const i32).cast(),
            4,
        );
        libc::setsockopt(
            sv[0],
            libc::SOL_SOCKET,
            libc::SO_SNDBUF,
            (&big as *const i32).cast(),
            4,
        );
    }
    let mut inflight = 0;
    let mut why = String::from("enough");
    for _ in 0..2000 {
        if send_fds(sv[0], 0, 64) < 0 {
            why = last_err();
            break;
        }
        inflight += 64;
    }
    info(format!("fds in flight: {inflight} ({why})"));
    corral_attacks::line("OK: holding");
    std::thread::sleep(Duration::from_secs(secs));
}

fn quota_probe() {
    let r = in_child(Duration::from_secs(5), || {
        let (n, e) = fill_signals(1);
        if n == 1 { 0 } else { -(e as i64) }
    });
    match r {
        Forked::Value(0) => contained("one queued signal", "queued"),
        Forked::Value(v) => escaped(format!(
            "could not queue one signal ({}): another holder took the quota",
            err_str((-v) as i32)
        )),
        other => escaped(format!("signal probe ended as {other:?}")),
    }
    let mut p = [0i32; 2];
    // SAFETY: pipe writes two fds into our array.
    if unsafe { libc::pipe(p.as_mut_ptr()) } != 0 {
        escaped(format!("pipe: {}", last_err()));
    } else {
        let size = pipe_size(p[0]);
        if size >= 65536 {
            contained(format!("a new pipe has {size} bytes"), "default size");
        } else {
            escaped(format!(
                "a new pipe has only {size} bytes: another holder took the pipe pages"
            ));
        }
        // SAFETY: closing our pipe.
        unsafe {
            libc::close(p[0]);
            libc::close(p[1]);
        }
    }
    let mut sv = [0i32; 2];
    // SAFETY: socketpair writes two fds into our array.
    unsafe { libc::socketpair(libc::AF_UNIX, libc::SOCK_DGRAM, 0, sv.as_mut_ptr()) };
    if send_fds(sv[0], 0, 1) < 0 {
        escaped(format!(
            "could not send one fd ({}): another holder has the fds in flight",
            last_err()
        ));
    } else {
        contained("one fd in flight", "sent");
    }
}

// ---------------------------------------------------------------------------------------------
// notify

const F_NOTIFY: i32 = 1026;
const DN_MODIFY: i32 = 2;
const DN_MULTISHOT: i32 = 0x8000_0000u32 as i32;

fn notify() {
    denied_in_child("inotify_init1", || {
        // SAFETY: no memory arguments; the fd dies with the child.
        unsafe { libc::inotify_init1(0) as i64 }
    });
    denied_in_child("inotify_init", || {
        // SAFETY: harmless arguments (no pointers, or -1 fds); runs in a child.
        unsafe { raw_ret(raw_syscall6(libc::SYS_inotify_init, [0; 6])) }
    });
    denied_in_child("inotify_add_watch", || {
        let p = cstr("/usr");
        // SAFETY: a NUL-terminated path; fd -1 (EBADF if the call reaches the kernel).
        unsafe { libc::inotify_add_watch(-1, p.as_ptr(), libc::IN_ACCESS | libc::IN_OPEN) as i64 }
    });
    denied_in_child("fanotify_init", || {
        // SAFETY: harmless arguments (no pointers, or -1 fds); runs in a child.
        unsafe { raw_ret(raw_syscall6(libc::SYS_fanotify_init, [0, 0, 0, 0, 0, 0])) }
    });
    denied_in_child("fanotify_mark", || {
        // SAFETY: harmless arguments (no pointers, or -1 fds); runs in a child.
        unsafe {
            raw_ret(raw_syscall6(
                libc::SYS_fanotify_mark,
                [u64::MAX, 0, 0, u64::MAX, 0, 0],
            ))
        }
    });
    denied_in_child("fcntl(F_NOTIFY) on /usr", || {
        let p = cstr("/usr");
        // SAFETY: opens a directory and asks for notifications on it in the child.
        unsafe {
            let fd = libc::open(p.as_ptr(), libc::O_RDONLY | libc::O_DIRECTORY);
            if fd < 0 {
                return -1;
            }
            libc::fcntl(fd, F_NOTIFY, DN_MODIFY | DN_MULTISHOT) as i64
        }
    });
    let dir = std::env::temp_dir().join(format!("corral-lease-{}", std::process::id()));
    let _ = std::fs::write(&dir, b"lease");
    let path = dir.display().to_string();
    denied_in_child("fcntl(F_SETLEASE)", || {
        let p = cstr(&path);
        // SAFETY: opens our own file read-only and asks for a read lease in the child.
        unsafe {
            let fd = libc::open(p.as_ptr(), libc::O_RDONLY);
            if fd < 0 {
                return -1;
            }
            libc::fcntl(fd, libc::F_SETLEASE, libc::F_RDLCK) as i64
        }
    });
    let _ = std::fs::remove_file(&dir);
    // SAFETY: sync has no arguments.
    let r = unsafe { raw_syscall6(libc::SYS_sync, [0; 6]) };
    info(format!("sync() returned {r}"));
    let root = cstr("/");
    // SAFETY: opens / read-only; syncfs on that fd.
    let r = unsafe {
        let fd = libc::open(root.as_ptr(), libc::O_RDONLY | libc::O_DIRECTORY);
        let r = raw_syscall6(libc::SYS_syncfs, [fd as u64, 0, 0, 0, 0, 0]);
        libc::close(fd);
        r
    };
    info(format!("syncfs() returned {r}"));
}

/// A raw syscall's `-errno` in libc's convention (sets errno, returns -1).
/// What a run can see of the host's activity and hold on the host's shared files:
/// host-wide counters in /proc (a channel between runs), a lock on a shared read-only file.
fn hostview() {
    match read_text("/proc/loadavg") {
        Ok(t) if t.split_whitespace().nth(3) == Some("1/1") => {
            contained("/proc/loadavg", "an idle host, not the host's threads")
        }
        Ok(t) => escaped(format!(
            "/proc/loadavg shows the host's threads: {}",
            t.trim()
        )),
        Err(e) => contained("/proc/loadavg", e),
    }
    for f in [
        "/proc/sys/fs/file-nr",
        "/proc/sys/fs/dentry-state",
        "/proc/diskstats",
        "/proc/pressure/cpu",
        "/proc/vmstat",
    ] {
        match read_text(f) {
            Ok(t) if t.trim().is_empty() => contained(f, "empty"),
            Ok(t) => escaped(format!(
                "{f} shows host-wide counts: {}",
                t.lines().next().unwrap_or("")
            )),
            Err(e) => contained(f, e),
        }
    }
    match read_text("/proc/stat") {
        Ok(t) => {
            let busy: u64 = t
                .lines()
                .filter(|l| l.starts_with("cpu"))
                .flat_map(|l| l.split_whitespace().skip(1))
                .filter_map(|v| v.parse::<u64>().ok())
                .sum();
            if busy == 0 {
                contained("/proc/stat CPU counters", "all zero");
            } else {
                escaped(format!(
                    "/proc/stat CPU counters show the host's: {busy} jiffies"
                ));
            }
        }
        Err(e) => contained("/proc/stat", e),
    }
    // An exclusive lock on a file every run and the host share: it must lock nothing.
    let path = cstr("/etc/ld.so.cache");
    // SAFETY: a NUL-terminated path; the fd is ours.
    let fd = unsafe { libc::open(path.as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC) };
    if fd < 0 {
        info("no /etc/ld.so.cache to lock");
        return;
    }
    // SAFETY: flock on our own descriptor.
    let r = unsafe { libc::flock(fd, libc::LOCK_EX | libc::LOCK_NB) };
    let locks = read_text("/proc/locks").unwrap_or_default();
    let pid = std::process::id().to_string();
    let held = locks
        .lines()
        .any(|l| l.contains("FLOCK") && l.split_whitespace().nth(4) == Some(pid.as_str()));
    match (r, held) {
        (0, true) => escaped("flock(LOCK_EX) on /etc/ld.so.cache holds a lock others wait for"),
        (0, false) => contained(
            "flock(LOCK_EX) on /etc/ld.so.cache",
            "returned 0, locks nothing",
        ),
        _ => contained("flock(LOCK_EX) on /etc/ld.so.cache", err_str(errno())),
    }
    // SAFETY: closing our own descriptor.
    unsafe { libc::close(fd) };
}

fn raw_ret(r: i64) -> i64 {
    if r < 0 {
        // SAFETY: __errno_location returns this thread's errno.
        unsafe { *libc::__errno_location() = (-r) as i32 };
        -1
    } else {
        r
    }
}

// ---------------------------------------------------------------------------------------------
// uptime

fn uptime(host_up: f64, host_btime: i64) {
    const NEAR: f64 = 5.0;
    if host_up < 60.0 {
        info(format!(
            "the host booted {host_up:.0} s ago: too recent to tell it from a fresh clock"
        ));
    }
    let judge = |what: &str, seen: f64, host: f64| {
        if (seen - host).abs() < NEAR && host_up >= 60.0 {
            escaped(format!("{what} shows the host's uptime ({seen:.0} s)"));
        } else {
            contained(format!("{what} {seen:.0} s"), "not the host's uptime");
        }
    };
    match read_text("/proc/uptime") {
        Ok(t) => {
            let up: f64 = t
                .split_whitespace()
                .next()
                .and_then(|s| s.parse().ok())
                .unwrap_or(-1.0);
            judge("/proc/uptime", up, host_up);
        }
        Err(e) => contained("/proc/uptime", e),
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    match read_text("/proc/stat") {
        Ok(t) => {
            let bt: i64 = t
                .lines()
                .find_map(|l| l.strip_prefix("btime "))
                .and_then(|s| s.trim().parse().ok())
                .unwrap_or(0);
            // As an uptime: now - btime, compared with the host's now - btime.
            judge(
                "/proc/stat btime as uptime",
                (now - bt) as f64,
                (now - host_btime) as f64,
            );
        }
        Err(e) => contained("/proc/stat", e),
    }
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    match read_text("/proc/self/stat") {
        Ok(t) => {
            // Fields after the command's closing parenthesis; starttime is field 22.
            let rest = t.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
            let start: f64 = rest
                .split_whitespace()
                .nth(19)
                .and_then(|s| s.parse().ok())
                .unwrap_or(-1.0);
            judge("/proc/self/stat starttime", start / hz, host_up);
        }
        Err(e) => contained("/proc/self/stat", e),
    }
    // SAFETY: sysinfo is plain data; all zeros is a valid value.
    let mut si: libc::sysinfo = unsafe { std::mem::zeroed() };
    // SAFETY: sysinfo fills a local struct.
    if unsafe { libc::sysinfo(&mut si) } == 0 {
        judge("sysinfo() uptime", si.uptime as f64, host_up);
    }
    let clock = |id| {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: clock_gettime fills a local timespec.
        unsafe { libc::clock_gettime(id, &mut ts) };
        ts.tv_sec as f64 + ts.tv_nsec as f64 / 1e9
    };
    judge("CLOCK_BOOTTIME", clock(libc::CLOCK_BOOTTIME), host_up);
    info(format!(
        "CLOCK_MONOTONIC {:.0} s (host uptime {host_up:.0} s)",
        clock(libc::CLOCK_MONOTONIC)
    ));
    match read_text("/proc/self/timens_offsets") {
        Ok(t) => info(format!(
            "/proc/self/timens_offsets: {}",
            t.trim().replace('\n', "; ")
        )),
        Err(e) => info(format!("/proc/self/timens_offsets: {e}")),
    }
    match read_text("/proc/self/sched") {
        Ok(t) => {
            let start = t
                .lines()
                .find(|l| l.starts_with("se.exec_start"))
                .and_then(|l| l.split(':').nth(1))
                .and_then(|s| s.trim().parse::<f64>().ok())
                .unwrap_or(-1.0);
            info(format!(
                "/proc/self/sched se.exec_start {:.0} s (host uptime {host_up:.0} s)",
                start / 1000.0
            ));
        }
        Err(e) => info(format!("/proc/self/sched: {e}")),
    }
}

// ---------------------------------------------------------------------------------------------
// inherited

fn rlimit(res: libc::__rlimit_resource_t) -> (u64, u64) {
    let mut r = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit fills a local struct.
    unsafe { libc::getrlimit(res, &mut r) };
    (r.rlim_cur, r.rlim_max)
}

fn show(v: u64) -> String {
    if v == libc::RLIM_INFINITY {
        "unlimited".into()
    } else {
        v.to_string()
    }
}

fn inherited(strict: bool) {
    let (soft, hard) = rlimit(libc::RLIMIT_CORE);
    if (soft, hard) == (1, 1) {
        contained("RLIMIT_CORE soft 1 hard 1", "exactly 1");
    } else {
        escaped(format!(
            "RLIMIT_CORE is {}/{} (only 1/1 keeps a pipe core_pattern's helper from running)",
            show(soft),
            show(hard)
        ));
    }
    denied_in_child("setrlimit(RLIMIT_CORE, 0)", || {
        let r = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: lowers a limit of the child only.
        unsafe { libc::setrlimit(libc::RLIMIT_CORE, &r) as i64 }
    });
    denied_in_child("prlimit64(0, RLIMIT_CORE, 0)", || {
        let r = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: lowers a limit of the child only.
        unsafe { libc::prlimit(0, libc::RLIMIT_CORE, &r, std::ptr::null_mut()) as i64 }
    });
    denied_in_child("prlimit64(self, RLIMIT_CORE, 0)", || {
        let r = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: lowers a limit of the child only.
        unsafe { libc::prlimit(libc::getpid(), libc::RLIMIT_CORE, &r, std::ptr::null_mut()) as i64 }
    });
    match read_text("/proc/self/oom_score_adj") {
        Ok(t) if t.trim() == "1000" => contained("oom_score_adj 1000", "first to be killed"),
        Ok(t) => escaped(format!("oom_score_adj is {}, not 1000", t.trim())),
        Err(e) => escaped(format!("oom_score_adj unreadable ({e})")),
    }
    let lower = forked(|| match std::fs::write("/proc/self/oom_score_adj", b"0") {
        Ok(()) => 0,
        Err(e) => -(e.raw_os_error().unwrap_or(0) as i64),
    });
    match lower {
        Forked::Value(v) if v < 0 => contained("lower oom_score_adj to 0", err_str((-v) as i32)),
        other if strict => escaped(format!("lower oom_score_adj to 0: {other:?}")),
        other => info(format!("lower oom_score_adj to 0: {other:?}")),
    }
    // SAFETY: getpriority has no memory arguments (errno distinguishes -1; 0 is the answer).
    let nice = unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) };
    if nice == 0 {
        contained("nice 0", "not inherited");
    } else if !strict && nice > 0 {
        // Unprivileged, a nice value below the caller's cannot be restored (only root may
        // lower it): the run keeps its caller's, which is never more than the caller has.
        info(format!("nice is {nice}, the unprivileged caller's own"));
    } else {
        escaped(format!("nice is {nice}, inherited from the caller"));
    }
    must_fail_in_child("setpriority(nice -1)", || {
        // SAFETY: harmless arguments (no pointers, or -1 fds); runs in a child.
        unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, -1) as i64 }
    });
    // SAFETY: ioprio_get(IOPRIO_WHO_PROCESS, self) has no memory arguments.
    let io = unsafe { raw_syscall6(libc::SYS_ioprio_get, [1, 0, 0, 0, 0, 0]) };
    let (class, level) = (io >> 13, io & 0xff);
    if io == 0 || (class == 2 && level == 4) {
        contained(
            format!("ioprio class {class} level {level}"),
            "best-effort 4",
        );
    } else {
        escaped(format!(
            "ioprio is class {class} level {level} (raw {io}), inherited from the caller"
        ));
    }
    must_fail_in_child("ioprio_set(realtime)", || {
        // SAFETY: harmless arguments (no pointers, or -1 fds); runs in a child.
        unsafe { raw_ret(raw_syscall6(libc::SYS_ioprio_set, [1, 0, 1 << 13, 0, 0, 0])) }
    });
    for (name, res) in [
        ("RLIMIT_RTPRIO", libc::RLIMIT_RTPRIO),
        ("RLIMIT_NICE", libc::RLIMIT_NICE),
    ] {
        let (s, h) = rlimit(res);
        if (s, h) == (0, 0) {
            contained(format!("{name} 0"), "no priority to gain");
        } else {
            escaped(format!("{name} is {}/{}", show(s), show(h)));
        }
    }
    let (s, h) = rlimit(libc::RLIMIT_SIGPENDING);
    if h <= 4096 {
        contained(
            format!("RLIMIT_SIGPENDING {}/{}", show(s), show(h)),
            "set by the sandbox",
        );
    } else {
        escaped(format!(
            "RLIMIT_SIGPENDING is {}/{}: not set by the sandbox",
            show(s),
            show(h)
        ));
    }
    let all = [
        ("RLIMIT_CPU", libc::RLIMIT_CPU, true),
        ("RLIMIT_FSIZE", libc::RLIMIT_FSIZE, true),
        ("RLIMIT_DATA", libc::RLIMIT_DATA, false),
        ("RLIMIT_STACK", libc::RLIMIT_STACK, true),
        ("RLIMIT_CORE", libc::RLIMIT_CORE, true),
        ("RLIMIT_RSS", libc::RLIMIT_RSS, false),
        ("RLIMIT_NPROC", libc::RLIMIT_NPROC, true),
        ("RLIMIT_NOFILE", libc::RLIMIT_NOFILE, true),
        ("RLIMIT_MEMLOCK", libc::RLIMIT_MEMLOCK, true),
        ("RLIMIT_AS", libc::RLIMIT_AS, true),
        ("RLIMIT_LOCKS", libc::RLIMIT_LOCKS, false),
        ("RLIMIT_SIGPENDING", libc::RLIMIT_SIGPENDING, true),
        ("RLIMIT_MSGQUEUE", libc::RLIMIT_MSGQUEUE, true),
        ("RLIMIT_NICE", libc::RLIMIT_NICE, true),
        ("RLIMIT_RTPRIO", libc::RLIMIT_RTPRIO, true),
        ("RLIMIT_RTTIME", libc::RLIMIT_RTTIME, false),
    ];
    let mut infinite = Vec::new();
    for (name, res, bounded) in all {
        let (s, h) = rlimit(res);
        info(format!("{name} {}/{}", show(s), show(h)));
        if bounded && h == libc::RLIM_INFINITY {
            infinite.push(name);
        }
    }
    if infinite.is_empty() {
        contained("rlimits that bound resources", "all finite");
    } else {
        escaped(format!("unlimited: {}", infinite.join(", ")));
    }
}

/// Reports a forked libc-style call that must fail (any errno).
fn must_fail_in_child(what: &str, probe: impl FnOnce() -> i64) {
    match forked(probe) {
        Forked::Value(v) if v < 0 => contained(what, err_str((-v) as i32)),
        Forked::Value(v) => escaped(format!("{what} succeeded (returned {v})")),
        other => escaped(format!("{what}: the probe ended as {other:?}")),
    }
}

// ---------------------------------------------------------------------------------------------
// bigalloc

fn bigalloc(mib: u64) {
    let n = (mib << 20) as usize;
    let mut v = vec![0u8; n];
    for i in (0..n).step_by(4096) {
        v[i] = 1;
    }
    escaped(format!("allocated and touched {mib} MiB in one allocation"));
    std::hint::black_box(&v);
}
