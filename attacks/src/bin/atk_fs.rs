//! Attacks the file system: host files through /proc and `..`, writes to read-only places, device nodes, planted links, state that outlives a run.
//!
//! Modes:
//! - `read CANARY_PATH`: read a host file through its direct path and /proc tricks.
//! - `secrets`: read well-known secret files of a host (shadow, SSH host keys, root's files).
//! - `write`: create or open for writing in /, /usr, /etc, /attacks, /playground, /proc/sys, the
//!   executable.
//! - `mknod`: create device nodes; look for dangerous ones in /dev.
//! - `plant CANARY_PATH`: plant symlinks, hardlinks and FIFOs in the work dir for the supervisor.
//! - `persist write|check|clean [DIR...]`: leave markers (files, SysV shm, POSIX mqueue) and look for them.
//! - `persist hold SECS`: leave the markers and stay alive SECS seconds (for a concurrent `check`).

use corral_attacks::{contained, cstr, escaped, info, io_err, last_err, usage};
use std::os::unix::fs::{FileTypeExt, MetadataExt};

fn main() {
    let a = corral_attacks::args();
    match a.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["read", canary] => read(canary),
        ["secrets"] => secrets(),
        ["write"] => write(),
        ["mknod"] => mknod(),
        ["plant", canary] => plant(canary),
        ["persist", "hold", secs] => {
            persist("write", &[]);
            std::thread::sleep(std::time::Duration::from_secs(secs.parse().unwrap_or(3)));
            info("held the markers; exiting");
        }
        ["persist", mode, dirs @ ..] => persist(mode, dirs),
        _ => usage(
            "atk_fs read CANARY | secrets | write | mknod | plant CANARY | persist write|check|clean [DIR...] | persist hold SECS",
        ),
    }
}

fn try_read(label: &str, path: &str) {
    match std::fs::read(path) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            escaped(format!(
                "read host file via {label} ({path}): {}",
                text.trim()
            ));
        }
        Err(e) => contained(format!("read host file via {label} ({path})"), io_err(&e)),
    }
}

fn read(canary: &str) {
    if !canary.starts_with('/') {
        usage("the canary path must be absolute");
    }
    try_read("direct path", canary);
    try_read("/proc/1/root", &format!("/proc/1/root{canary}"));
    try_read("/proc/self/root", &format!("/proc/self/root{canary}"));
    try_read(
        "/proc/self/cwd and ..",
        &format!("/proc/self/cwd/../../../../../../..{canary}"),
    );
    try_read(
        "/proc/1/cwd and ..",
        &format!("/proc/1/cwd/../../../../../../..{canary}"),
    );
    // SAFETY: getppid has no preconditions.
    let ppid = unsafe { libc::getppid() };
    try_read("/proc/<ppid>/root", &format!("/proc/{ppid}/root{canary}"));
    // Every process this sandbox can see, in case one of them lives in the host's root.
    let mut others = 0;
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for entry in dir.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.parse::<u32>().is_ok() && name != "1" && name != ppid.to_string() {
                let path = format!("/proc/{name}/root{canary}");
                if std::fs::read(&path).is_ok() {
                    try_read("/proc/<pid>/root", &path);
                }
                others += 1;
            }
        }
    }
    info(format!(
        "tried /proc/<pid>/root of {others} other processes"
    ));
    // Climb with chdir("..") far above the root, then open the path relative to there.
    let rel = format!("{}{canary}", "../".repeat(16));
    try_read("relative ../ climb", &rel);
    let _ = std::env::set_current_dir("/");
    for _ in 0..16 {
        let _ = std::env::set_current_dir("..");
    }
    try_read(
        "chdir(..) x16 then relative",
        canary.trim_start_matches('/'),
    );
}

/// Creates a new file in `dir`; it must fail.
fn try_create(dir: &str) {
    let path = format!("{dir}/.corral-attack-write");
    let c = cstr(&path);
    // SAFETY: open with a valid NUL-terminated path.
    let fd = unsafe {
        libc::open(
            c.as_ptr(),
            libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_CLOEXEC,
            0o644,
        )
    };
    if fd >= 0 {
        escaped(format!("created {path}"));
        // SAFETY: closing and removing what we just created.
        unsafe {
            libc::close(fd);
            libc::unlink(c.as_ptr());
        }
    } else {
        contained(format!("create file in {dir}"), last_err());
    }
}

/// Opens an existing file for writing without truncating it (nothing is written).
fn try_open_write(path: &str) {
    let c = cstr(path);
    // SAFETY: open with a valid NUL-terminated path; no O_TRUNC, nothing is written.
    let fd = unsafe { libc::open(c.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC) };
    if fd >= 0 {
        escaped(format!("opened {path} for writing"));
        // SAFETY: closing our fd.
        unsafe { libc::close(fd) };
    } else {
        contained(format!("open {path} for writing"), last_err());
    }
}

fn write() {
    for dir in [
        "/",
        "/usr",
        "/usr/bin",
        "/usr/lib",
        "/bin",
        "/lib",
        "/lib64",
        "/etc",
        "/attacks",
        "/playground",
        "/proc",
        "/proc/sys",
        "/dev",
    ] {
        try_create(dir);
    }
    for dir in [
        "/usr/corral-attack-dir",
        "/etc/corral-attack-dir",
        "/attacks/corral-attack-dir",
        "/playground/corral-attack-dir",
    ] {
        let c = cstr(dir);
        // SAFETY: mkdir with a valid path.
        if unsafe { libc::mkdir(c.as_ptr(), 0o755) } == 0 {
            escaped(format!("mkdir {dir}"));
            // SAFETY: removing what we created.
            unsafe { libc::rmdir(c.as_ptr()) };
        } else {
            contained(format!("mkdir {dir}"), last_err());
        }
    }
    let exe = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let mut targets = vec![
        "/proc/self/exe".to_string(),
        "/proc/1/exe".into(),
        "/etc/passwd".into(),
        "/etc/hosts".into(),
        "/etc/ld.so.cache".into(),
        "/usr/bin/env".into(),
        "/bin/sh".into(),
        "/usr/bin/ld".into(),
        "/usr/bin/cc".into(),
        "/proc/sys/kernel/hostname".into(),
        "/proc/sys/kernel/core_pattern".into(),
        "/proc/sys/vm/drop_caches".into(),
        "/proc/sys/kernel/modprobe".into(),
        "/proc/sysrq-trigger".into(),
        "/proc/1/mem".into(),
        "/proc/1/attr/current".into(),
    ];
    for lib in [
        "/usr/lib/x86_64-linux-gnu/libc.so.6",
        "/lib64/ld-linux-x86-64.so.2",
    ] {
        targets.push(lib.into());
    }
    if !exe.is_empty() {
        targets.push(exe);
    }
    for t in &targets {
        if std::path::Path::new(t).exists() || t.starts_with("/proc") {
            try_open_write(t);
        }
    }
    // Metadata changes that keep the file as it was (same mode).
    for t in ["/usr/bin/env", "/etc/passwd", "/attacks", "/playground"] {
        match std::fs::metadata(t) {
            Ok(m) => {
                let c = cstr(t);
                // SAFETY: chmod to the mode the file already has.
                if unsafe { libc::chmod(c.as_ptr(), m.mode() & 0o7777) } == 0 {
                    escaped(format!("chmod {t} (to its own mode) succeeded"));
                } else {
                    contained(format!("chmod {t}"), last_err());
                }
            }
            Err(e) => contained(format!("stat {t}"), io_err(&e)),
        }
    }
    let (from, to) = (cstr("/etc/hosts"), cstr("/etc/hosts.corral-attack"));
    // SAFETY: rename with valid paths; moved back below if it worked.
    if unsafe { libc::rename(from.as_ptr(), to.as_ptr()) } == 0 {
        escaped("renamed /etc/hosts");
        // SAFETY: undo.
        unsafe { libc::rename(to.as_ptr(), from.as_ptr()) };
    } else {
        contained("rename /etc/hosts", last_err());
    }
}

fn mknod() {
    let nodes: [(&str, u32, u32, u32); 5] = [
        ("/work/mem", libc::S_IFCHR, 1, 1),
        ("/work/kmsg", libc::S_IFCHR, 1, 11),
        ("/tmp/vda", libc::S_IFBLK, 253, 0),
        ("/tmp/sda", libc::S_IFBLK, 8, 0),
        ("/dev/shm/mem", libc::S_IFCHR, 1, 1),
    ];
    for (path, kind, major, minor) in nodes {
        let c = cstr(path);
        // SAFETY: mknod with a valid path; on success the node is removed at once.
        let r = unsafe { libc::mknod(c.as_ptr(), kind | 0o666, libc::makedev(major, minor)) };
        if r == 0 {
            escaped(format!("mknod {path} ({major},{minor})"));
            // SAFETY: removing what we created.
            unsafe { libc::unlink(c.as_ptr()) };
        } else {
            contained(format!("mknod {path} ({major},{minor})"), last_err());
        }
    }
    // Devices the minimal /dev must not hold.
    let allowed = [
        "null", "zero", "full", "random", "urandom", "tty", "ptmx", "console",
    ];
    match std::fs::read_dir("/dev") {
        Ok(dir) => {
            let mut names = Vec::new();
            for e in dir.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if let Ok(m) = std::fs::symlink_metadata(e.path()) {
                    let ft = m.file_type();
                    if (ft.is_char_device() || ft.is_block_device())
                        && !allowed.contains(&name.as_str())
                    {
                        escaped(format!(
                            "unexpected device /dev/{name} ({},{})",
                            libc::major(m.rdev()),
                            libc::minor(m.rdev())
                        ));
                    }
                }
                names.push(name);
            }
            names.sort();
            info(format!("/dev holds: {}", names.join(" ")));
        }
        Err(e) => info(format!("cannot list /dev: {}", io_err(&e))),
    }
    for dev in [
        "/dev/mem",
        "/dev/kmem",
        "/dev/port",
        "/dev/kmsg",
        "/dev/vda",
        "/dev/sda",
        "/dev/kvm",
        "/dev/fuse",
        "/dev/net/tun",
        "/dev/loop-control",
        "/dev/tty",
    ] {
        match std::fs::OpenOptions::new().read(true).open(dev) {
            Ok(_) => escaped(format!("opened {dev}")),
            Err(e) => contained(format!("open {dev}"), io_err(&e)),
        }
    }
}

fn plant(canary: &str) {
    let links: [(&str, &str); 8] = [
        ("/work/stdout", "/etc/shadow"),
        ("/work/result.json", canary),
        ("/work/output", "/proc/1/root"),
        ("/work/root", "/"),
        ("/work/up", "../../../../../../.."),
        (
            "/work/host-canary-dir",
            canary.rsplit_once('/').map(|(d, _)| d).unwrap_or("/"),
        ),
        ("/tmp/out", "/root/.ssh/id_rsa"),
        ("/work/loop", "/work/loop"),
    ];
    for (path, target) in links {
        match std::os::unix::fs::symlink(target, path) {
            Ok(()) => contained(
                format!("planted symlink {path} -> host path (the supervisor must not follow it)"),
                "planted",
            ),
            Err(e) => contained(format!("symlink {path}"), io_err(&e)),
        }
    }
    // Hardlinks to files outside the writable tree must fail (other mount or missing).
    for (src, dest) in [
        (canary, "/work/hl-canary"),
        ("/etc/passwd", "/work/hl-passwd"),
        ("/usr/bin/env", "/work/hl-env"),
    ] {
        match std::fs::hard_link(src, dest) {
            Ok(()) => escaped(format!("hardlinked {src} to {dest}")),
            Err(e) => contained(format!("hardlink {src} -> {dest}"), io_err(&e)),
        }
    }
    for fifo in ["/work/fifo", "/work/stdout.fifo", "/tmp/fifo"] {
        let c = cstr(fifo);
        // SAFETY: mkfifo with a valid path.
        if unsafe { libc::mkfifo(c.as_ptr(), 0o666) } == 0 {
            contained(
                format!("planted FIFO {fifo} (the supervisor must not block on it)"),
                "planted",
            );
        } else {
            contained(format!("mkfifo {fifo}"), last_err());
        }
    }
    match std::os::unix::net::UnixListener::bind("/work/socket") {
        Ok(l) => {
            contained("planted unix socket /work/socket", "planted");
            std::mem::forget(l);
        }
        Err(e) => contained("bind /work/socket", io_err(&e)),
    }
}

const MARKER: &str = ".corral-persist-marker";
const SHM_KEY: libc::key_t = 0x636f_7272;
const MQ_NAME: &str = "/corral-persist-marker";

fn persist(mode: &str, dirs: &[&str]) {
    let default = ["/tmp", "/dev/shm", "/work"];
    let dirs: Vec<&str> = if dirs.is_empty() {
        default.to_vec()
    } else {
        dirs.to_vec()
    };
    let mq = cstr(MQ_NAME);
    match mode {
        "write" => {
            for d in &dirs {
                let p = format!("{d}/{MARKER}");
                match std::fs::write(&p, "corral persistence marker\n") {
                    Ok(()) => info(format!("wrote {p}")),
                    Err(e) => info(format!("could not write {p}: {}", io_err(&e))),
                }
            }
            // SAFETY: shmget with a fixed key and a small size.
            let id = unsafe { libc::shmget(SHM_KEY, 4096, libc::IPC_CREAT | 0o666) };
            info(format!(
                "SysV shm key {SHM_KEY:#x}: {}",
                if id >= 0 {
                    "created".to_string()
                } else {
                    last_err()
                }
            ));
            // SAFETY: mq_open with a valid name and default attributes.
            let q = unsafe {
                libc::mq_open(
                    mq.as_ptr(),
                    libc::O_CREAT | libc::O_RDWR,
                    0o666,
                    std::ptr::null_mut::<libc::mq_attr>(),
                )
            };
            info(format!(
                "POSIX mqueue {MQ_NAME}: {}",
                if q >= 0 {
                    "created".to_string()
                } else {
                    last_err()
                }
            ));
        }
        "check" => {
            for d in &dirs {
                let p = format!("{d}/{MARKER}");
                match std::fs::metadata(&p) {
                    Ok(_) => escaped(format!("marker {p} from an earlier run is visible")),
                    Err(e) => contained(format!("marker {p} from an earlier run"), io_err(&e)),
                }
            }
            // SAFETY: shmget without IPC_CREAT only looks the key up.
            let id = unsafe { libc::shmget(SHM_KEY, 0, 0) };
            if id >= 0 {
                escaped(format!(
                    "SysV shm key {SHM_KEY:#x} from an earlier run is visible"
                ));
            } else {
                contained("SysV shm from an earlier run", last_err());
            }
            // SAFETY: mq_open without O_CREAT only looks the queue up.
            let q = unsafe { libc::mq_open(mq.as_ptr(), libc::O_RDONLY) };
            if q >= 0 {
                escaped(format!(
                    "POSIX mqueue {MQ_NAME} from an earlier run is visible"
                ));
            } else {
                contained("POSIX mqueue from an earlier run", last_err());
            }
        }
        "clean" => {
            for d in &dirs {
                let _ = std::fs::remove_file(format!("{d}/{MARKER}"));
            }
            // SAFETY: look the key up and remove the segment if it is there.
            unsafe {
                let id = libc::shmget(SHM_KEY, 0, 0);
                if id >= 0 {
                    libc::shmctl(id, libc::IPC_RMID, std::ptr::null_mut());
                }
                libc::mq_unlink(mq.as_ptr());
            }
            info("cleaned");
        }
        _ => usage("atk_fs persist write|check|clean [DIR...]"),
    }
}

fn secrets() {
    let files = [
        "/etc/shadow",
        "/etc/gshadow",
        "/etc/sudoers",
        "/etc/ssh/ssh_host_ed25519_key",
        "/etc/ssh/ssh_host_rsa_key",
        "/root/.bash_history",
        "/root/.ssh/id_ed25519",
        "/root/.ssh/id_rsa",
        "/root/.ssh/authorized_keys",
        "/root/.cargo/credentials.toml",
        "/root/.config/gh/hosts.yml",
        "/var/log/syslog",
        "/var/lib/dpkg/status",
        "/home",
    ];
    for f in files {
        match std::fs::metadata(f) {
            Ok(m) if m.is_dir() => match std::fs::read_dir(f) {
                Ok(d) => {
                    let names: Vec<String> = d
                        .flatten()
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect();
                    escaped(format!("listed host directory {f}: {}", names.join(" ")))
                }
                Err(e) => contained(format!("list {f}"), io_err(&e)),
            },
            _ => match std::fs::read(f) {
                Ok(b) => escaped(format!("read {} bytes of host file {f}", b.len())),
                Err(e) => contained(format!("read {f}"), io_err(&e)),
            },
        }
    }
}
