//! Attacks resources: memory bombs, tmpfs and inode exhaustion, output floods, CPU spinning, blocking forever, kernel objects.
//!
//! Modes:
//! - `memory [MAX_MIB]`: allocate and touch 16 MiB at a time (ESCAPED past MAX_MIB, default 2048).
//! - `disk [DIR] [MAX_MIB]`: write 1 MiB blocks to DIR/fill until an error (default /tmp, 2048).
//! - `inodes [DIR] [MAX]`: create empty files until an error (default /tmp, 200000).
//! - `flood stdout|stderr [MAX_MIB]`: write forever (ESCAPED past MAX_MIB, default 1024).
//! - `spin [THREADS] [ignore-xcpu]`: spin on every CPU (default: available parallelism, at least
//!   2), optionally ignoring SIGXCPU (the soft RLIMIT_CPU warning).
//! - `sleep`: block forever (bounded by one hour).
//! - `kobj`: pipes, epoll, inotify, eventfd, memfd until EMFILE/ENFILE; SysV shm/msg/sem;
//!   POSIX mqueues; mlock and mlockall.

use corral_attacks::{contained, err_str, errno, escaped, info, io_err, last_err, usage};
use std::io::Write;

fn main() {
    let a = corral_attacks::args();
    let v: Vec<&str> = a.iter().map(String::as_str).collect();
    let num = |i: usize, d: u64| v.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
    match v.first().copied() {
        Some("memory") => memory(num(1, 2048)),
        Some("disk") => disk(v.get(1).copied().unwrap_or("/tmp"), num(2, 2048)),
        Some("inodes") => inodes(v.get(1).copied().unwrap_or("/tmp"), num(2, 200_000)),
        Some("flood") => flood(v.get(1).copied() == Some("stderr"), num(2, 1024)),
        Some("spin") => {
            if v.get(2).copied() == Some("ignore-xcpu") {
                corral_attacks::ignore_signal(libc::SIGXCPU);
            }
            spin(num(1, 0) as usize)
        }
        Some("sleep") => std::thread::sleep(std::time::Duration::from_secs(3600)),
        Some("kobj") => kobj(),
        _ => usage(
            "atk_res memory [MAX_MIB] | disk [DIR] [MAX_MIB] | inodes [DIR] [MAX] | flood stdout|stderr [MAX_MIB] | spin [N] [ignore-xcpu] | sleep | kobj",
        ),
    }
}

/// Allocates like an ordinary program (Vec; an allocation failure aborts).
fn memory(max_mib: u64) {
    const STEP: usize = 16 << 20;
    let mut held: Vec<Vec<u8>> = Vec::new();
    let mut total = 0u64;
    while total < max_mib << 20 {
        let mut block = Vec::<u8>::with_capacity(STEP);
        // Touch every page so the memory is really used.
        block.resize(STEP, 0x5a);
        for i in (0..STEP).step_by(4096) {
            block[i] = (i >> 12) as u8;
        }
        held.push(block);
        total += STEP as u64;
        if total.is_multiple_of(128 << 20) {
            corral_attacks::info(format!("allocated {} MiB", total >> 20));
        }
    }
    escaped(format!(
        "allocated and touched {} MiB without hitting a limit",
        total >> 20
    ));
}

fn disk(dir: &str, max_mib: u64) {
    corral_attacks::ignore_signal(libc::SIGXFSZ);
    let block = vec![0x42u8; 1 << 20];
    let mut total = 0u64;
    let mut file_no = 0;
    // Several files, so both the file-size rlimit and the tmpfs size are reached.
    'outer: while total < max_mib << 20 {
        let path = format!("{dir}/fill-{file_no}");
        file_no += 1;
        let mut f = match std::fs::File::create(&path) {
            Ok(f) => f,
            Err(e) => {
                contained(
                    format!("fill {dir}: create after {} MiB", total >> 20),
                    io_err(&e),
                );
                return;
            }
        };
        for _ in 0..256 {
            match f.write(&block) {
                Ok(n) if n == block.len() => total += n as u64,
                Ok(n) => {
                    total += n as u64;
                    // A short write: the next one says why.
                    if let Err(e) = f.write_all(&block[..1]) {
                        if e.raw_os_error() == Some(libc::EFBIG) {
                            continue 'outer;
                        }
                        contained(format!("fill {dir} after {} MiB", total >> 20), io_err(&e));
                        return;
                    }
                }
                Err(e) if e.raw_os_error() == Some(libc::EFBIG) => continue 'outer,
                Err(e) => {
                    contained(format!("fill {dir} after {} MiB", total >> 20), io_err(&e));
                    return;
                }
            }
            if total >= max_mib << 20 {
                break 'outer;
            }
        }
    }
    escaped(format!(
        "wrote {} MiB to {dir} without hitting a limit",
        total >> 20
    ));
}

fn inodes(dir: &str, max: u64) {
    let base = format!("{dir}/inodes");
    if let Err(e) = std::fs::create_dir(&base) {
        contained(format!("mkdir {base}"), io_err(&e));
        return;
    }
    for i in 0..max {
        if let Err(e) = std::fs::File::create(format!("{base}/{i}")) {
            contained(
                format!("inode fill of {dir} stopped after {i} files"),
                io_err(&e),
            );
            return;
        }
    }
    escaped(format!(
        "created {max} files in {dir} without hitting a limit"
    ));
}

fn flood(stderr: bool, max_mib: u64) {
    let block = [b'A'; 64 << 10];
    let mut total = 0u64;
    let res = loop {
        let r = if stderr {
            std::io::stderr().write_all(&block)
        } else {
            std::io::stdout().write_all(&block)
        };
        if let Err(e) = r {
            break Err(e);
        }
        total += block.len() as u64;
        if total >= max_mib << 20 {
            break Ok(());
        }
    };
    let stream = if stderr { "stderr" } else { "stdout" };
    match res {
        // Only the other stream can still carry the report.
        Ok(()) => {
            let msg = format!(
                "ESCAPED: flooded {} MiB on {stream} without being stopped",
                total >> 20
            );
            if stderr {
                corral_attacks::line(&msg)
            } else {
                eprintln!("{msg}")
            }
        }
        Err(e) => {
            let msg = format!(
                "CONTAINED: {stream} flood after {} KiB ({})",
                total >> 10,
                io_err(&e)
            );
            if stderr {
                corral_attacks::line(&msg)
            } else {
                eprintln!("{msg}")
            }
        }
    }
}

fn spin(n: usize) {
    let n = if n == 0 {
        std::thread::available_parallelism()
            .map(|p| p.get())
            .unwrap_or(2)
            .max(2)
    } else {
        n
    };
    info(format!("spinning on {n} threads"));
    let handles: Vec<_> = (0..n)
        .map(|_| {
            std::thread::spawn(|| {
                let mut x = 0u64;
                // Bounded only by the sandbox: 2^63 iterations take centuries.
                for i in 0..u64::MAX / 2 {
                    x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(i));
                }
                x
            })
        })
        .collect();
    for h in handles {
        let _ = h.join();
    }
    escaped("spin finished: no time limit stopped it");
}

/// Opens objects with `open` until it fails; reports how many and why.
fn exhaust(what: &str, max: u32, mut open: impl FnMut() -> i64) {
    let mut n = 0;
    while n < max {
        if open() < 0 {
            let e = errno();
            contained(format!("{what}: stopped after {n}"), err_str(e));
            return;
        }
        n += 1;
    }
    escaped(format!("{what}: created {max} without hitting a limit"));
}

fn kobj() {
    exhaust("pipes", 100_000, || {
        let mut fds = [0i32; 2];
        // SAFETY: pipe2 writes two fds into a local array.
        unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) as i64 }
    });
    close_above(2);
    // SAFETY: epoll_create1 takes only flags.
    exhaust("epoll instances", 100_000, || unsafe {
        libc::epoll_create1(libc::EPOLL_CLOEXEC) as i64
    });
    close_above(2);
    // SAFETY: inotify_init1 takes only flags.
    exhaust("inotify instances", 100_000, || unsafe {
        libc::inotify_init1(libc::IN_CLOEXEC) as i64
    });
    close_above(2);
    // SAFETY: eventfd takes only a value and flags.
    exhaust("eventfds", 100_000, || unsafe {
        libc::eventfd(0, libc::EFD_CLOEXEC) as i64
    });
    close_above(2);
    let name = corral_attacks::cstr("corral-attack");
    exhaust("memfds", 100_000, || {
        // SAFETY: memfd_create with a valid name.
        unsafe { libc::memfd_create(name.as_ptr(), libc::MFD_CLOEXEC) as i64 }
    });
    close_above(2);
    // SysV IPC: private to the sandbox's IPC namespace, bounded by its limits.
    // Segments are created but not attached: only the namespace's count limit applies.
    // SAFETY: shmget of a private 1 MiB segment.
    exhaust("SysV shm segments", 40_000, || unsafe {
        libc::shmget(libc::IPC_PRIVATE, 1 << 20, libc::IPC_CREAT | 0o600) as i64
    });
    // SAFETY: msgget of a private queue.
    exhaust("SysV message queues", 40_000, || unsafe {
        libc::msgget(libc::IPC_PRIVATE, libc::IPC_CREAT | 0o600) as i64
    });
    // SAFETY: semget of a private set of 8 semaphores.
    exhaust("SysV semaphore sets", 40_000, || unsafe {
        libc::semget(libc::IPC_PRIVATE, 8, libc::IPC_CREAT | 0o600) as i64
    });
    let mut i = 0u32;
    exhaust("POSIX message queues", 10_000, || {
        i += 1;
        let n = corral_attacks::cstr(&format!("/corral-attack-{i}"));
        // SAFETY: mq_open with a valid name and default attributes.
        unsafe {
            libc::mq_open(
                n.as_ptr(),
                libc::O_CREAT | libc::O_RDWR | libc::O_CLOEXEC,
                0o600,
                std::ptr::null_mut::<libc::mq_attr>(),
            ) as i64
        }
    });
    close_above(2);
    // mlock beyond RLIMIT_MEMLOCK.
    let len = 64usize << 20;
    // SAFETY: an anonymous private mapping we own.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        contained("mmap 64 MiB for mlock", last_err());
    } else {
        // SAFETY: locking our own mapping.
        if unsafe { libc::mlock(p, len) } == 0 {
            escaped("mlock of 64 MiB succeeded");
            // SAFETY: unlocking it again.
            unsafe { libc::munlock(p, len) };
        } else {
            contained("mlock of 64 MiB", last_err());
        }
        // SAFETY: unmapping our own mapping.
        unsafe { libc::munmap(p, len) };
    }
    // SAFETY: mlockall takes only flags; undone at once if it worked.
    if unsafe { libc::mlockall(libc::MCL_CURRENT | libc::MCL_FUTURE) } == 0 {
        let mut rl = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes into a local.
        unsafe { libc::getrlimit(libc::RLIMIT_MEMLOCK, &mut rl) };
        // Legal when everything we have fits in RLIMIT_MEMLOCK; an escape otherwise.
        info(format!(
            "mlockall succeeded (RLIMIT_MEMLOCK {})",
            rl.rlim_cur
        ));
        // SAFETY: no arguments.
        unsafe { libc::munlockall() };
    } else {
        contained("mlockall(MCL_CURRENT|MCL_FUTURE)", last_err());
    }
}

fn close_above(fd: i32) {
    // SAFETY: close_range closes only fds of this process above `fd`.
    let r = unsafe { libc::syscall(libc::SYS_close_range, fd + 1, u32::MAX, 0) };
    if r < 0 {
        for f in fd + 1..1 << 16 {
            // SAFETY: closing fds of this process.
            unsafe { libc::close(f) };
        }
    }
}
