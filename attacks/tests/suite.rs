//! Runs every attack program through the real `corral exec --json`, asserts each exact outcome and the host-side checks, and proves the safe probes escape without the sandbox.
//!
//! Each sandboxed attack runs twice: as the caller (root: cgroups) and, when the caller is root
//! and the user `corral-test` (or `$CORRAL_TEST_USER`) exists, as that unprivileged user through
//! `setpriv` (rlimits instead of cgroups). The host watches too: a canary file and a canary
//! environment variable whose secret must never show, a TCP listener and two unix sockets that
//! must receive nothing, an inherited fd the sandbox must not get, a sentinel process that must
//! survive kill(-1), and no process of a run left behind.

mod common;

use common::{
    CANARY_ENV, Case, Run, Sentinel, case, check_with, host, is_root, kernel_table, processes_with,
    random_hex, serial, spawn_counter, wait_corral, world_dir,
};
use serde_json::Value;
use std::net::TcpListener;
use std::os::linux::net::SocketAddrExt;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{SocketAddr as UnixAddr, UnixListener};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

const ATTACKS: [(&str, &str); 7] = [
    ("atk_fs", env!("CARGO_BIN_EXE_atk_fs")),
    ("atk_net", env!("CARGO_BIN_EXE_atk_net")),
    ("atk_proc", env!("CARGO_BIN_EXE_atk_proc")),
    ("atk_res", env!("CARGO_BIN_EXE_atk_res")),
    ("atk_kernel", env!("CARGO_BIN_EXE_atk_kernel")),
    ("atk_leak", env!("CARGO_BIN_EXE_atk_leak")),
    ("atk_tenant", env!("CARGO_BIN_EXE_atk_tenant")),
];

/// The variable that tags every process of one sandboxed run (found on the host via environ).
const RUN_ENV: &str = "CORRAL_ATTACK_RUN";

fn attack_bin(name: &str) -> &'static str {
    ATTACKS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, p)| *p)
        .expect("known attack")
}

/// Who runs corral.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// The test's own user (root in CI: cgroups are used).
    Caller,
    /// The unprivileged `corral-test` user (rlimits instead of cgroups).
    Unprivileged,
}

struct Unpriv {
    uid: u32,
    gid: u32,
    /// World-readable copies of corral and the attack binaries.
    dir: PathBuf,
}

fn lookup_user(name: &str) -> Option<(u32, u32)> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() > 3 && f[0] == name).then(|| Some((f[2].parse().ok()?, f[3].parse().ok()?)))?
    })
}

static UNPRIV: OnceLock<Result<Unpriv, String>> = OnceLock::new();

/// The unprivileged user's setup, made once (or why there is none).
fn unpriv() -> &'static Result<Unpriv, String> {
    UNPRIV.get_or_init(|| {
        let h = host();
        let u = setup_unpriv(&h.base, &h.corral);
        if let Err(why) = &u {
            println!("SKIP: unprivileged runs: {why}");
        }
        u
    })
}

fn setup_unpriv(base: &Path, corral: &Path) -> Result<Unpriv, String> {
    let user = std::env::var("CORRAL_TEST_USER").unwrap_or_else(|_| "corral-test".into());
    if !is_root() {
        return Err("the test does not run as root".into());
    }
    let (uid, gid) = lookup_user(&user).ok_or_else(|| format!("user {user} does not exist"))?;
    if Command::new("setpriv").arg("--version").output().is_err() {
        return Err("setpriv is not installed".into());
    }
    let dir = base.join("unpriv-bin");
    world_dir(&dir);
    let copy = |src: &Path, name: &str| -> Result<(), String> {
        let dest = dir.join(name);
        std::fs::copy(src, &dest).map_err(|e| format!("copy {}: {e}", src.display()))?;
        std::fs::set_permissions(&dest, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| e.to_string())
    };
    copy(corral, "corral")?;
    for (name, path) in ATTACKS {
        copy(Path::new(path), name)?;
    }
    Ok(Unpriv { uid, gid, dir })
}

/// The modes to run: always the caller; the unprivileged user when available.
fn modes() -> Vec<Mode> {
    let mut m = vec![Mode::Caller];
    if unpriv().is_ok() {
        m.push(Mode::Unprivileged);
    }
    m
}

/// Runs `/attacks/<prog> <args>` through `corral exec --json` with `flags`.
fn corral(mode: Mode, flags: &[String], prog: &str, args: &[String]) -> Result<Run, String> {
    let mut argv = vec![format!("/attacks/{prog}")];
    argv.extend(args.iter().cloned());
    corral_argv(mode, flags, &argv, Tweak::None)
}

/// What the host changes in corral's own process before it starts (to show the sandbox does
/// not pass it on).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tweak {
    None,
    /// nice 5, ioprio best-effort 7, oom_score_adj -500 (root), RLIMIT_NICE 20 and
    /// RLIMIT_RTPRIO 1 (root).
    Priorities,
}

/// A fresh run tag (every process of the run carries it in its environment).
fn run_tag() -> String {
    format!(
        "run-{}-{}",
        host().next_run.fetch_add(1, Ordering::SeqCst),
        random_hex(4)
    )
}

/// The `corral exec --json` command for `argv` (the attack binaries at `/attacks`), not started.
fn corral_command(
    mode: Mode,
    flags: &[String],
    argv: &[String],
    run_id: &str,
    tweak: Tweak,
) -> Result<Command, String> {
    let h = host();
    let (mut cmd, attacks_dir) = match mode {
        Mode::Caller => (
            Command::new(&h.corral),
            Path::new(attack_bin("atk_fs"))
                .parent()
                .expect("bin dir")
                .to_path_buf(),
        ),
        Mode::Unprivileged => {
            let u = unpriv().as_ref().map_err(Clone::clone)?;
            let mut c = Command::new("setpriv");
            c.arg(format!("--reuid={}", u.uid))
                .arg(format!("--regid={}", u.gid))
                .args(["--clear-groups", "--"])
                .arg(u.dir.join("corral"));
            (c, u.dir.clone())
        }
    };
    cmd.arg("exec")
        .arg("--json")
        .args(flags)
        .arg("--ro")
        .arg(format!("{}:/attacks", attacks_dir.display()))
        .arg("--ro")
        .arg(format!("{}:/data", h.data_dir.display()))
        .arg("--env")
        .arg(format!("{RUN_ENV}={run_id}"))
        .arg("--")
        .args(argv)
        .env(CANARY_ENV, &h.secret)
        .stdin(Stdio::null());
    if tweak == Tweak::Priorities {
        let root = is_root();
        // SAFETY: the hook runs in the forked child before exec and only makes raw system
        // calls on constant data (async-signal-safe); failures are ignored.
        unsafe {
            std::os::unix::process::CommandExt::pre_exec(&mut cmd, move || {
                libc::setpriority(libc::PRIO_PROCESS, 0, 5);
                libc::syscall(libc::SYS_ioprio_set, 1, 0, (2 << 13) | 7);
                if root {
                    let fd = libc::open(c"/proc/self/oom_score_adj".as_ptr(), libc::O_WRONLY);
                    if fd >= 0 {
                        libc::write(fd, c"-500".as_ptr().cast(), 4);
                        libc::close(fd);
                    }
                    let nice = libc::rlimit {
                        rlim_cur: 20,
                        rlim_max: 20,
                    };
                    libc::setrlimit(libc::RLIMIT_NICE, &nice);
                    let rt = libc::rlimit {
                        rlim_cur: 1,
                        rlim_max: 1,
                    };
                    libc::setrlimit(libc::RLIMIT_RTPRIO, &rt);
                }
                Ok(())
            });
        }
    }
    Ok(cmd)
}

/// Runs `argv` through `corral exec --json` with `flags`.
fn corral_argv(mode: Mode, flags: &[String], argv: &[String], tweak: Tweak) -> Result<Run, String> {
    let run_id = run_tag();
    let cmd = corral_command(mode, flags, argv, &run_id, tweak)?;
    let done = wait_corral(cmd)?;
    let (status, stdout, corral_stderr, corral_pid) =
        (done.status, done.stdout, done.stderr, done.pid);
    // Whatever the run started must be gone once corral returns (a short grace for reaping).
    let mut leftovers = processes_with(&run_id);
    let grace = Instant::now();
    while !leftovers.is_empty() && grace.elapsed() < Duration::from_millis(500) {
        std::thread::sleep(Duration::from_millis(50));
        leftovers = processes_with(&run_id);
    }
    if !status.success() {
        return Err(format!(
            "corral exited with {status}; stdout: {stdout}; stderr: {corral_stderr}"
        ));
    }
    let json: Value = serde_json::from_str(stdout.trim())
        .map_err(|e| format!("corral printed no JSON ({e}): {stdout}; stderr: {corral_stderr}"))?;
    let field = |k: &str| {
        json.get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    Ok(Run {
        stdout: field("stdout"),
        stderr: field("stderr"),
        json,
        corral_stdout: stdout,
        corral_stderr,
        corral_pid,
        leftovers,
    })
}

/// Runs one case in one mode and returns every way it deviated (empty: as expected).
fn check(mode: Mode, c: &Case) -> (Vec<String>, Option<Run>) {
    let label = format!("[{mode:?}] {} {}", c.prog, c.args.join(" "));
    check_with(&label, c, || corral(mode, &c.flags, c.prog, &c.args))
}

/// Runs every case in every mode; panics with all deviations at the end.
fn run_cases(cases: impl Fn(Mode) -> Vec<Case>) {
    let _serial = serial();
    let mut failures = Vec::new();
    for mode in modes() {
        for c in cases(mode) {
            let (bad, _) = check(mode, &c);
            println!(
                "{} [{mode:?}] {} {}",
                if bad.is_empty() { "ok  " } else { "FAIL" },
                c.prog,
                c.args.join(" ")
            );
            failures.extend(bad);
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Sandboxed attacks.

#[test]
fn filesystem_attacks_are_contained() {
    let h = host();
    let canary = h.canary.display().to_string();
    let before = std::fs::read_to_string(&h.canary).expect("canary");
    run_cases(|_| {
        vec![
            case("atk_fs", &["read", &canary]).contains(&[
                "read host file via direct path",
                "read host file via /proc/1/root",
                "read host file via /proc/self/root",
                "read host file via /proc/self/cwd and ..",
                "read host file via /proc/1/cwd and ..",
                "read host file via relative ../ climb",
                "read host file via chdir(..) x16 then relative",
            ]),
            case("atk_fs", &["secrets"]).contains(&[
                "read /etc/shadow",
                "read /etc/ssh/ssh_host_ed25519_key",
                "read /root/.ssh/id_rsa",
                "read /root/.cargo/credentials.toml",
                "/home",
            ]),
            case("atk_fs", &["write"])
                .because("create file in / (", &["EROFS", "EACCES", "EPERM"])
                .because("create file in /usr (", &["EROFS", "EACCES", "EPERM"])
                .because("create file in /etc (", &["EROFS", "EACCES", "EPERM"])
                .because("create file in /attacks (", &["EROFS", "EACCES", "EPERM"])
                .because(
                    "create file in /proc/sys (",
                    &["EROFS", "EACCES", "EPERM", "ENOENT"],
                )
                .because(
                    "open /proc/self/exe for writing",
                    &["EROFS", "EACCES", "EPERM", "ETXTBSY"],
                )
                .because(
                    "open /usr/bin/env for writing",
                    &["EROFS", "EACCES", "EPERM"],
                )
                .because(
                    "open /etc/passwd for writing",
                    &["EROFS", "EACCES", "EPERM"],
                )
                .contains(&[
                    "open /proc/sys/kernel/core_pattern for writing",
                    "open /proc/sysrq-trigger for writing",
                    "chmod /usr/bin/env",
                    "rename /etc/hosts",
                ]),
            case("atk_fs", &["mknod"])
                .because("mknod /work/mem (1,1)", &["EPERM"])
                .because("mknod /tmp/sda (8,0)", &["EPERM"])
                .contains(&["open /dev/mem", "open /dev/kmsg", "open /dev/tty"]),
            // The supervisor must neither follow the planted links nor block on the FIFOs.
            case("atk_fs", &["plant", &canary])
                .contains(&[
                    "planted symlink /work/result.json",
                    "planted FIFO /work/fifo",
                    "hardlink /etc/passwd",
                ])
                .wall(0, 5000),
        ]
    });
    assert_eq!(
        std::fs::read_to_string(&h.canary).expect("canary"),
        before,
        "the canary file changed"
    );
    let mut names: Vec<String> = std::fs::read_dir(&h.canary_dir)
        .expect("canary dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["canary.txt", "host.sock"],
        "files appeared next to the canary"
    );
}

#[test]
fn state_does_not_persist_between_runs() {
    run_cases(|_| {
        vec![
            case("atk_fs", &["persist", "write"]),
            case("atk_fs", &["persist", "check"])
                .because("marker /tmp/.corral-persist-marker", &["ENOENT"])
                .because("marker /dev/shm/.corral-persist-marker", &["ENOENT"])
                .because("marker /work/.corral-persist-marker", &["ENOENT"])
                .because("SysV shm from an earlier run", &["ENOENT"])
                .because("POSIX mqueue from an earlier run", &["ENOENT"]),
        ]
    });
}

#[test]
fn network_attacks_are_contained() {
    let h = host();
    let mut tcp = vec!["tcp"];
    tcp.extend(h.tcp_targets.iter().map(String::as_str));
    let unix_path = h.unix_path.display().to_string();
    run_cases(|_| {
        let mut tcp_case = case("atk_net", &tcp);
        for t in &h.tcp_targets {
            tcp_case = tcp_case.contains(&[&format!("TCP connect to host listener {t}")]);
        }
        vec![
            tcp_case,
            case("atk_net", &["outside"])
                .because("TCP connect to 1.1.1.1:53", &["ENETUNREACH"])
                .because("UDP connect to 1.1.1.1:53", &["ENETUNREACH"])
                .because("TCP connect to 10.0.0.1:80", &["ENETUNREACH"])
                .because("TCP connect to 169.254.169.254:80", &["ENETUNREACH"])
                .because(
                    "TCP connect to [2606:4700:4700::1111]:53",
                    &["ENETUNREACH", "EADDRNOTAVAIL", "EAFNOSUPPORT"],
                ),
            case("atk_net", &["abstract", &h.abstract_name]).contains(&[&format!(
                "connect to host abstract unix socket @{} (stream)",
                h.abstract_name
            )]),
            case("atk_net", &["unix", &unix_path]).contains(&[&format!(
                "connect to host path unix socket {unix_path} (stream)"
            )]),
            case("atk_net", &["raw"])
                .because("AF_INET SOCK_RAW ICMP socket", &["EPERM"])
                .because("AF_INET6 SOCK_RAW ICMPV6 socket", &["EPERM"])
                .because("AF_PACKET SOCK_RAW socket", &["EPERM"])
                .because("AF_NETLINK ROUTE socket", &["EPERM"])
                .because("AF_NETLINK KOBJECT_UEVENT socket", &["EPERM"])
                .because("AF_VSOCK STREAM socket", &["EPERM"])
                .because("AF_ALG SEQPACKET socket", &["EPERM"])
                .because("AF_KEY RAW socket", &["EPERM"]),
            case("atk_net", &["loopback"]).line("OK: loopback"),
        ]
    });
}

#[test]
fn process_attacks_are_contained() {
    let mut sentinel = Sentinel::spawn();
    let sentinel_pid = sentinel.pid();
    let tag = format!("corral-daemon-{}", random_hex(6));
    run_cases(|_| {
        vec![
            case("atk_proc", &["forkbomb"])
                .flags(&["--pids", "64"])
                .because("fork bomb stopped after", &["EAGAIN"])
                .at_most("fork bomb stopped after", 64),
            case("atk_proc", &["threadbomb"])
                .flags(&["--pids", "64"])
                .because("thread bomb stopped after", &["EAGAIN"])
                .at_most("thread bomb stopped after", 64),
            case("atk_proc", &["daemon", &tag, "keep"])
                .contains(&["daemon"])
                .wall(0, 5000)
                .flags(&["--time", "10s"]),
            case("atk_proc", &["daemon", &tag, "close"])
                .contains(&["daemon"])
                .wall(0, 5000)
                .flags(&["--time", "10s"]),
            case("atk_proc", &["killall", &sentinel_pid])
                .contains(&["signal host pid", "kill(-1, SIGKILL)"]),
            // Landlock scopes signals: init cannot be signalled, and the run still ends by its
            // own wall clock rather than looking like a success.
            case("atk_proc", &["signal-init"])
                .flags(&["--time", "1s"])
                .ends("timeout", Some("wall"))
                .signal(libc::SIGKILL as i64)
                .because("signals to the sandbox's init", &["EPERM"]),
            case("atk_proc", &["ptrace"])
                .because("ptrace(PTRACE_ATTACH, pid 1)", &["EPERM"])
                .because("ptrace(PTRACE_SEIZE, pid 1)", &["EPERM"])
                .because("process_vm_readv(pid 1)", &["EPERM"])
                .because("process_vm_writev(pid 1)", &["EPERM"])
                .because("pidfd_getfd(pid 1)", &["EPERM"])
                .because("ptrace(PTRACE_TRACEME)", &["EPERM"])
                .because("prlimit64(pid 1, RLIMIT_CORE)", &["EPERM"])
                .because("prlimit64(pid 1 | 1<<32, RLIMIT_CORE)", &["EPERM"])
                .contains(&["open /proc/1/mem", "list /proc/1/fd"]),
            case("atk_proc", &["fds"]).line("CONTAINED: file descriptors above 2 (none open)"),
            // seccomp answers EPERM for TIOCSTI/TIOCLINUX whatever the high bits say (ENOTTY
            // would mean the ioctl reached the kernel) and ENOSYS for other unlisted commands.
            {
                let mut tty = case("atk_proc", &["tty"]).contains(&["open /dev/tty"]);
                for fd in 0..3 {
                    for cmd in ["TIOCSTI", "TIOCLINUX"] {
                        for high in ["", " | 1<<32"] {
                            tty = tty.because(&format!("ioctl(fd {fd}, {cmd}{high})"), &["EPERM"]);
                        }
                    }
                    for cmd in ["TIOCCONS", "TIOCSCTTY"] {
                        for high in ["", " | 1<<32"] {
                            tty = tty.because(
                                &format!("ioctl(fd {fd}, {cmd}{high})"),
                                &["ENOSYS", "EPERM"],
                            );
                        }
                    }
                }
                tty
            },
            case("atk_proc", &["caps"])
                .contains(&[
                    "CapInh (0)",
                    "CapPrm (0)",
                    "CapEff (0)",
                    "CapAmb (0)",
                    "CapBnd (0)",
                ])
                .line("CONTAINED: no_new_privs (set)")
                .line("CONTAINED: seccomp (filter mode)")
                .contains(&[
                    "setuid(0)",
                    "setresuid(0, 0, 0)",
                    "setgid(0)",
                    "setgroups([0])",
                ])
                .because("capset(all capabilities)", &["EPERM"]),
            case("atk_proc", &["userns"])
                .because("unshare(CLONE_NEWUSER)", &["EPERM"])
                .because("unshare(CLONE_NEWNS)", &["EPERM"])
                .because("unshare(CLONE_NEWNET)", &["EPERM"])
                .because("clone(CLONE_NEWUSER)", &["EPERM"])
                .because("clone(CLONE_NEWPID)", &["EPERM"])
                .because("setns(/proc/self/ns/user)", &["EPERM"])
                .contains(&["/proc/1/ns/mnt"])
                .line("CONTAINED: clone3 (ENOSYS)")
                .because("clone3(CLONE_NEWUSER)", &["ENOSYS"]),
        ]
    });
    let alive = sentinel.alive();
    drop(sentinel);
    assert!(alive, "the host sentinel process did not survive kill(-1)");
    let left = processes_with(&tag);
    assert!(left.is_empty(), "the daemon survived its sandbox: {left:?}");
}

#[test]
fn resource_attacks_hit_their_limits() {
    run_cases(|mode| {
        // CPU time: the cgroup's accounting (corral kills with SIGKILL) as root; without
        // cgroups RLIMIT_CPU's soft limit (SIGXCPU), its hard limit a few seconds later.
        let (cpu_signal, cpu_overrun) = match mode {
            Mode::Caller => (libc::SIGKILL as i64, 1500),
            Mode::Unprivileged => (libc::SIGXCPU as i64, 4000),
        };
        let memory = case("atk_res", &["memory", "512"]).flags(&["--memory", "128M"]);
        let memory = match mode {
            Mode::Caller => memory
                .ends("memory_limit", Some("memory"))
                .signal(libc::SIGKILL as i64),
            // Without cgroups, RLIMIT_AS stops the allocation: the failed allocation makes
            // Rust's allocator abort (SIGABRT), and corral attributes that to the memory
            // limit because the process was near its RLIMIT_AS (observed: memory_limit,
            // limit "memory", signal 6, "memory allocation of 16777216 bytes failed").
            Mode::Unprivileged => memory
                .ends("memory_limit", Some("memory"))
                .signal(libc::SIGABRT as i64),
        };
        // tmpfs pages count toward the memory limit where cgroups account them; without
        // cgroups only the tmpfs size bounds them (observed: ENOSPC at 256 MiB, success).
        let tmpfs_vs_memory =
            case("atk_res", &["disk", "/tmp"]).flags(&["--memory", "64M", "--tmpfs", "256M"]);
        let tmpfs_vs_memory = match mode {
            Mode::Caller => tmpfs_vs_memory
                .ends("memory_limit", Some("memory"))
                .signal(libc::SIGKILL as i64),
            Mode::Unprivileged => tmpfs_vs_memory
                .because("fill /tmp", &["ENOSPC"])
                .at_most("fill /tmp", 256),
        };
        vec![
            memory,
            case("atk_res", &["disk", "/tmp"])
                .flags(&["--tmpfs", "32M"])
                .because("fill /tmp", &["ENOSPC", "EFBIG", "EDQUOT"])
                .at_most("fill /tmp", 32),
            case("atk_res", &["disk", "/work"])
                .flags(&["--tmpfs", "32M"])
                .because("fill /work", &["ENOSPC", "EFBIG", "EDQUOT"])
                .at_most("fill /work", 32),
            case("atk_res", &["disk", "/dev/shm"])
                .flags(&["--tmpfs", "32M"])
                .because("fill /dev/shm", &["ENOSPC", "EFBIG", "EDQUOT"])
                .at_most("fill /dev/shm", 32),
            tmpfs_vs_memory,
            case("atk_res", &["inodes", "/tmp"])
                .because("inode fill of /tmp stopped after", &["ENOSPC", "EDQUOT"])
                // The default inode cap of the sandbox's tmpfs (Limits::default().inodes).
                .at_most("inode fill of /tmp stopped after", 4096),
            case("atk_res", &["flood", "stdout"])
                .flags(&["--output", "64K"])
                .ends("output_limit", Some("output"))
                .signal(libc::SIGKILL as i64)
                .truthy("stdout_truncated")
                .output_max(64 << 10),
            case("atk_res", &["flood", "stderr"])
                .flags(&["--output", "64K"])
                .ends("output_limit", Some("output"))
                .signal(libc::SIGKILL as i64)
                .truthy("stderr_truncated")
                .output_max(64 << 10),
            case("atk_res", &["spin"])
                .flags(&["--time", "2s", "--cpu-time", "60s"])
                .ends("timeout", Some("wall"))
                .signal(libc::SIGKILL as i64)
                .wall(1900, 4000),
            case("atk_res", &["spin", "2"])
                .flags(&["--time", "20s", "--cpu-time", "1s"])
                .ends("timeout", Some("cpu"))
                .signal(cpu_signal)
                .wall(400, 5000),
            // Ignoring SIGXCPU does not help: the cgroup (or RLIMIT_CPU's hard limit) kills.
            case("atk_res", &["spin", "2", "ignore-xcpu"])
                .flags(&["--time", "20s", "--cpu-time", "1s"])
                .ends("timeout", Some("cpu"))
                .signal(libc::SIGKILL as i64)
                .cpu_max(cpu_overrun)
                .wall(400, 5000),
            case("atk_res", &["sleep"])
                .flags(&["--time", "1s"])
                .ends("timeout", Some("wall"))
                .signal(libc::SIGKILL as i64)
                .wall(900, 3000),
            case("atk_res", &["kobj"])
                .because("pipes: stopped after", &["EMFILE", "ENFILE"])
                // Default open-files limit 256: at most 128 pairs.
                .at_most("pipes: stopped after", 128)
                .because("epoll instances: stopped after", &["EMFILE", "ENFILE"])
                // Refused outright: a watch on the shared read-only binds saw the host's files.
                .because("inotify instances: stopped after", &["EPERM"])
                .because("eventfds: stopped after", &["EMFILE", "ENFILE"])
                .because("memfds: stopped after", &["EMFILE", "ENFILE"])
                .because("SysV shm segments: stopped after", &["ENOSPC", "ENOMEM"])
                .because("SysV message queues: stopped after", &["ENOSPC", "ENOMEM"])
                .because("SysV semaphore sets: stopped after", &["ENOSPC", "ENOMEM"])
                .because(
                    "POSIX message queues: stopped after",
                    &["EMFILE", "ENOSPC", "ENOMEM"],
                )
                .because("mlock of 64 MiB", &["ENOMEM", "EPERM", "EAGAIN"]),
        ]
    });
}

#[test]
fn kernel_surface_is_refused() {
    run_cases(|_| {
        vec![
            kernel_table(),
            case("atk_kernel", &["x32"])
                .ends("runtime_error", None)
                .signal(libc::SIGSYS as i64)
                .line("INFO: calling getpid through the x32 ABI (must die of SIGSYS)"),
            case("atk_kernel", &["int80"])
                .ends("runtime_error", None)
                .signal(libc::SIGSYS as i64)
                .line("INFO: calling getpid through int 0x80 (must die of SIGSYS)"),
            case("atk_kernel", &["sweep", "/data/allow.txt"])
                .flags(&["--time", "60s"])
                .contains(&["syscall sweep 0..=599"]),
        ]
    });
}

#[test]
fn information_does_not_leak() {
    let h = host();
    run_cases(|_| {
        vec![
            case("atk_leak", &["env", RUN_ENV])
                .line("CONTAINED: environment (only PATH, HOME, LANG and the requested variables)"),
            case("atk_leak", &["procs"]).contains(&["process list"]),
            case("atk_leak", &["mounts", "/attacks", "/data"]).contains(&["mountinfo"]),
            case("atk_leak", &["cgroup"]).contains(&["/sys/fs/cgroup"]),
            case("atk_leak", &["uname", &h.hostname]).contains(&["hostname"]),
            case("atk_leak", &["kallsyms"]).contains(&[
                "/proc/kallsyms",
                "read /proc/kcore",
                "read /proc/kmsg",
                "read /proc/timer_list",
                "read /proc/sched_debug",
                "read /proc/sys/kernel/random/boot_id",
            ]),
            case("atk_leak", &["sys"]).contains(&["/sys ("]),
        ]
    });
}

#[test]
fn concurrent_runs_do_not_see_each_other() {
    let _serial = serial();
    let mut failures = Vec::new();
    for mode in modes() {
        let name = format!("corral-attack-run-{}", random_hex(6));
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port()
            .to_string();
        // Run A listens and holds its markers for 4 s; the host and run B try to reach them.
        let listener = case("atk_net", &["listen", &name, &port, "4"])
            .flags(&["--time", "15s"])
            .concurrent()
            .contains(&[&format!("listeners @{name} and 127.0.0.1:{port}")]);
        let holder = case("atk_fs", &["persist", "hold", "4"])
            .flags(&["--time", "15s"])
            .concurrent();
        let a = std::thread::spawn(move || check(mode, &listener).0);
        let b = std::thread::spawn(move || check(mode, &holder).0);
        std::thread::sleep(Duration::from_millis(1500));
        let addr = UnixAddr::from_abstract_name(name.as_bytes()).expect("abstract addr");
        if std::os::unix::net::UnixStream::connect_addr(&addr).is_ok() {
            failures.push(format!(
                "[{mode:?}] the host reached the sandbox's abstract socket @{name}"
            ));
        }
        let sa: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
        if std::net::TcpStream::connect_timeout(&sa, Duration::from_secs(1)).is_ok() {
            failures.push(format!(
                "[{mode:?}] the host reached the sandbox's listener {sa}"
            ));
        }
        for c in [
            case("atk_net", &["abstract", &name])
                .concurrent()
                .contains(&[&format!(
                    "connect to host abstract unix socket @{name} (stream)"
                )]),
            case("atk_net", &["tcp", &sa.to_string()])
                .concurrent()
                .contains(&[&format!("TCP connect to host listener {sa}")]),
            case("atk_fs", &["persist", "check"])
                .concurrent()
                .because("marker /tmp/.corral-persist-marker", &["ENOENT"])
                .because("marker /dev/shm/.corral-persist-marker", &["ENOENT"])
                .because("SysV shm from an earlier run", &["ENOENT"])
                .because("POSIX mqueue from an earlier run", &["ENOENT"]),
        ] {
            let (bad, _) = check(mode, &c);
            println!(
                "{} [{mode:?}] concurrent {} {}",
                if bad.is_empty() { "ok  " } else { "FAIL" },
                c.prog,
                c.args.join(" ")
            );
            failures.extend(bad);
        }
        for t in [a, b] {
            failures.extend(
                t.join()
                    .unwrap_or_else(|_| vec!["a concurrent run panicked".into()]),
            );
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Proof that the safe probes work: the same programs, without the sandbox, must escape.

fn unsandboxed(prog: &str, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = Command::new(attack_bin(prog))
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("run attack without the sandbox");
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn assert_escapes(out: &str, what: &str) {
    assert!(
        out.lines()
            .any(|l| l.starts_with("ESCAPED: ") && l.contains(what)),
        "without the sandbox the probe should report `ESCAPED: ...{what}...`, got:\n{out}"
    );
}

#[test]
fn probes_escape_without_the_sandbox() {
    let dir = std::env::temp_dir().join(format!(
        "corral-attacks-proof-{}-{}",
        std::process::id(),
        random_hex(4)
    ));
    world_dir(&dir);
    let secret = format!("proof-{}", random_hex(8));
    let canary = dir.join("canary.txt");
    std::fs::write(&canary, &secret).expect("write canary");
    let canary_s = canary.display().to_string();

    if is_root() && Path::new("/etc/shadow").exists() {
        assert_escapes(
            &unsandboxed("atk_fs", &["secrets"], &[]),
            "host file /etc/shadow",
        );
    }
    let out = unsandboxed("atk_fs", &["read", &canary_s], &[]);
    assert_escapes(&out, "read host file via direct path");
    assert!(
        out.contains(&secret),
        "the read probe should print what it read"
    );

    let hits = Arc::new(AtomicUsize::new(0));
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = l.local_addr().expect("addr").to_string();
    spawn_counter(hits.clone(), move || l.accept());
    let out = unsandboxed("atk_net", &["tcp", &addr], &[]);
    assert_escapes(&out, "TCP connect to host listener");
    assert_escapes(&out, "shows in /proc/net/tcp");

    let name = format!("corral-attack-proof-{}", random_hex(6));
    let al = UnixListener::bind_addr(&UnixAddr::from_abstract_name(name.as_bytes()).expect("addr"))
        .expect("bind abstract");
    spawn_counter(hits.clone(), move || al.accept());
    let out = unsandboxed("atk_net", &["abstract", &name], &[]);
    assert_escapes(&out, "connected to host abstract unix socket");
    assert_escapes(&out, "shows in /proc/net/unix");

    let sock = dir.join("proof.sock");
    let pl = UnixListener::bind(&sock).expect("bind path socket");
    spawn_counter(hits.clone(), move || pl.accept());
    assert_escapes(
        &unsandboxed("atk_net", &["unix", &sock.display().to_string()], &[]),
        "connected to host path unix socket",
    );
    let deadline = Instant::now() + Duration::from_secs(2);
    while hits.load(Ordering::SeqCst) < 3 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(
        hits.load(Ordering::SeqCst) >= 3,
        "the host listeners should have seen the unsandboxed probes"
    );

    assert!(
        unsandboxed("atk_net", &["loopback"], &[])
            .lines()
            .any(|l| l == "OK: loopback")
    );

    let out = unsandboxed("atk_leak", &["env"], &[(CANARY_ENV, &secret)]);
    assert_escapes(&out, CANARY_ENV);
    assert!(out.contains(&secret));

    if std::fs::read_dir("/sys")
        .map(|d| d.count() > 0)
        .unwrap_or(false)
    {
        assert_escapes(&unsandboxed("atk_leak", &["sys"], &[]), "/sys has content");
    }
    assert_escapes(
        &unsandboxed("atk_leak", &["procs"], &[]),
        "processes visible",
    );
    let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    assert_escapes(
        &unsandboxed("atk_leak", &["uname", hostname.trim()], &[]),
        "hostname is the host's",
    );
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    if mountinfo
        .lines()
        .any(|l| l.split(' ').nth(4).is_some_and(|m| m.starts_with("/sys")))
    {
        assert_escapes(
            &unsandboxed("atk_leak", &["mounts"], &[]),
            "mount point /sys",
        );
    }

    // An fd the child inherits (no CLOEXEC) is reported.
    let f = std::fs::File::open(&canary).expect("open");
    // SAFETY: dup of our own fd; the copy is closed below.
    let fd = unsafe { libc::dup(std::os::fd::AsRawFd::as_raw_fd(&f)) };
    let out = unsandboxed("atk_proc", &["fds"], &[]);
    // SAFETY: closing the fd we created.
    unsafe { libc::close(fd) };
    assert_escapes(&out, &format!("inherited fd {fd} -> {canary_s}"));

    let (a, b, c) = (dir.join("a"), dir.join("b"), dir.join("c"));
    for d in [&a, &b, &c] {
        world_dir(d);
    }
    let dirs: Vec<String> = [&a, &b, &c]
        .iter()
        .map(|d| d.display().to_string())
        .collect();
    let with = |mode: &str| {
        let mut v = vec!["persist", mode];
        v.extend(dirs.iter().map(String::as_str));
        unsandboxed("atk_fs", &v, &[])
    };
    with("clean");
    with("write");
    let out = with("check");
    with("clean");
    assert_escapes(&out, "from an earlier run is visible");
    assert_escapes(&out, "SysV shm key");
    assert_escapes(&out, "POSIX mqueue");

    // The host's check for processes left behind finds a process by its run tag.
    let tag = format!("proof-run-{}", random_hex(6));
    let mut tagged = Command::new("sleep")
        .arg("30")
        .env(RUN_ENV, &tag)
        .spawn()
        .expect("spawn sleep");
    // The child's environment is the new one only once its exec is done: look for a while.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    let mut seen = false;
    while !seen && std::time::Instant::now() < deadline {
        seen = !processes_with(&tag).is_empty();
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let _ = tagged.kill();
    let _ = tagged.wait();
    assert!(
        seen,
        "processes_with() should find a process by its environment"
    );

    // Capabilities, no_new_privs and seccomp of an ordinary process are reported.
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    if status
        .lines()
        .any(|l| l.replace(char::is_whitespace, "") == "NoNewPrivs:0")
    {
        assert_escapes(&unsandboxed("atk_proc", &["caps"], &[]), "NoNewPrivs is");
    }

    if is_root() {
        assert_escapes(&unsandboxed("atk_proc", &["caps"], &[]), "CapEff is");
        let out = unsandboxed("atk_net", &["raw"], &[]);
        assert_escapes(&out, "created AF_PACKET SOCK_RAW socket");
        assert_escapes(&out, "created AF_NETLINK ROUTE socket");
        let kallsyms = std::fs::read_to_string("/proc/kallsyms").unwrap_or_default();
        if kallsyms
            .lines()
            .next()
            .is_some_and(|l| !l.starts_with("0000000000000000"))
        {
            assert_escapes(
                &unsandboxed("atk_leak", &["kallsyms"], &[]),
                "non-zero kernel addresses",
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------------------------
// Other tenants of the host: pools every run shares, per-user quotas, side channels, inherited
// state, how a run ends, and runs that outlive their supervisor (atk_tenant).

/// The host's uptime in seconds and its boot time (Unix seconds).
fn host_uptime() -> (String, String) {
    let up = std::fs::read_to_string("/proc/uptime").unwrap_or_default();
    let up = up.split_whitespace().next().unwrap_or("0").to_string();
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let btime = stat
        .lines()
        .find_map(|l| l.strip_prefix("btime "))
        .unwrap_or("0")
        .trim()
        .to_string();
    (up, btime)
}

#[test]
fn host_pools_are_bounded() {
    run_cases(|mode| {
        let mut cases = vec![
            // Classic and extended BPF socket filters are JIT-compiled into the host-wide
            // bpf_jit_limit pool: refused, so no run can starve seccomp of the next ones.
            case("atk_tenant", &["bpf-filter"])
                .because("setsockopt(SOL_SOCKET, SO_ATTACH_FILTER)", &["EPERM"])
                .because(
                    "setsockopt(SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF)",
                    &["EPERM"],
                )
                .because("setsockopt(SOL_SOCKET, SO_ATTACH_BPF)", &["EPERM"])
                .because(
                    "setsockopt(SOL_SOCKET, SO_ATTACH_REUSEPORT_EBPF)",
                    &["EPERM"],
                ),
            case("atk_tenant", &["hugetlb"])
                .because("mmap(MAP_HUGETLB)", &["EPERM"])
                .because("memfd_create(MFD_HUGETLB)", &["EPERM"])
                .because("shmget(SHM_HUGETLB)", &["EPERM"]),
        ];
        if mode == Mode::Caller {
            // Loopback buffers nobody reads are charged to the run's memory cgroup (kmem.tcp,
            // a quarter of the memory limit): far less than the 64 MiB limit in total.
            for proto in ["tcp", "udp"] {
                cases.push(
                    case("atk_tenant", &["sockbuf", proto, "120", "64"])
                        .flags(&["--memory", "64M"])
                        .because(
                            &format!("{} socket buffers held", proto.to_uppercase()),
                            &[],
                        )
                        .at_most(
                            if proto == "tcp" {
                                "TCP socket buffers held"
                            } else {
                                "UDP socket buffers held"
                            },
                            64,
                        )
                        .wall(0, 8000),
                );
            }
        } else {
            println!("SKIP: socket buffer bound [Unprivileged]: no memory cgroup without root");
        }
        cases
    });
}

#[test]
fn notifications_are_refused() {
    run_cases(|_| {
        vec![
            case("atk_tenant", &["notify"])
                .because("inotify_init1", &["EPERM"])
                .because("inotify_init (", &["EPERM"])
                .because("inotify_add_watch", &["EPERM"])
                .because("fanotify_init", &["EPERM"])
                .because("fanotify_mark", &["EPERM"])
                .because("fcntl(F_NOTIFY) on /usr", &["EPERM"])
                .because("fcntl(F_SETLEASE)", &["EPERM"])
                // Answered by seccomp without doing anything: only the value can be checked.
                .line("INFO: sync() returned 0")
                .line("INFO: syncfs() returned 0"),
            case("atk_tenant", &["hostview"])
                .because("/proc/loadavg", &["an idle host, not the host's threads"])
                .because("/proc/sys/fs/file-nr", &["empty"])
                .because("/proc/sys/fs/dentry-state", &["empty"])
                .because("/proc/diskstats", &["empty"])
                .because("/proc/pressure/cpu", &["empty", "ENOENT"])
                .because("/proc/vmstat", &["empty"])
                .because("/proc/stat CPU counters", &["all zero"])
                .because(
                    "flock(LOCK_EX) on /etc/ld.so.cache",
                    &["returned 0, locks nothing"],
                ),
        ]
    });
}

#[test]
fn host_uptime_does_not_show() {
    run_cases(|_| {
        let (up, btime) = host_uptime();
        // Residual, printed only: CLOCK_MONOTONIC, /proc/self/timens_offsets, /proc/self/sched.
        vec![
            case("atk_tenant", &["uptime", &up, &btime])
                .because("/proc/uptime", &["not the host's uptime"])
                .because("/proc/stat btime as uptime", &["not the host's uptime"])
                .because("/proc/self/stat starttime", &["not the host's uptime"])
                .because("sysinfo() uptime", &["not the host's uptime"])
                .because("CLOCK_BOOTTIME", &["not the host's uptime"]),
        ]
    });
}

#[test]
fn inherited_state_is_reset() {
    let _serial = serial();
    let mut failures = Vec::new();
    for mode in modes() {
        // Only a privileged writer can raise oom_score_adj's floor: checked as root only.
        let mut args = vec!["inherited"];
        if mode == Mode::Caller {
            args.push("strict");
        }
        let c = case("atk_tenant", &args)
            .line("CONTAINED: RLIMIT_CORE soft 1 hard 1 (exactly 1)")
            .because("setrlimit(RLIMIT_CORE, 0)", &["EPERM"])
            .because("prlimit64(0, RLIMIT_CORE, 0)", &["EPERM"])
            .because("prlimit64(self, RLIMIT_CORE, 0)", &["EPERM"])
            .line("CONTAINED: oom_score_adj 1000 (first to be killed)")
            .because("setpriority(nice -1)", &["EACCES", "EPERM"])
            .because("ioprio class", &["best-effort 4"])
            .because("ioprio_set(realtime)", &["EPERM"])
            .line("CONTAINED: RLIMIT_RTPRIO 0 (no priority to gain)")
            .line("CONTAINED: RLIMIT_NICE 0 (no priority to gain)")
            .because("RLIMIT_SIGPENDING", &["set by the sandbox"])
            .line("CONTAINED: rlimits that bound resources (all finite)");
        // Unprivileged, the caller's nice cannot be lowered back to 0 (docs/limits.md: shared in
        // unprivileged mode); as root it is reset.
        let c = if mode == Mode::Caller {
            c.because("lower oom_score_adj to 0", &[])
                .line("CONTAINED: nice 0 (not inherited)")
        } else {
            c.line("INFO: nice is 5, the unprivileged caller's own")
        };
        let label = format!(
            "[{mode:?}] atk_tenant {} (corral at nice 5)",
            args.join(" ")
        );
        let argv: Vec<String> = std::iter::once("/attacks/atk_tenant")
            .chain(args.iter().copied())
            .map(String::from)
            .collect();
        let (bad, _) = check_with(&label, &c, || {
            corral_argv(mode, &c.flags, &argv, Tweak::Priorities)
        });
        println!("{} {label}", if bad.is_empty() { "ok  " } else { "FAIL" });
        failures.extend(bad);
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn run_status_is_classified() {
    let _serial = serial();
    let mut failures = Vec::new();
    let python = Path::new("/usr/bin/python3").exists();
    if !python {
        println!("SKIP: one python allocation above the memory limit: no /usr/bin/python3");
    }
    for mode in modes() {
        let mut runs: Vec<(Case, Vec<String>)> = vec![
            // 152 = 128 + SIGXCPU: still the program's own exit code, not a CPU limit.
            (
                case("atk_tenant", &["exit-after", "2", "152"])
                    .ends("runtime_error", None)
                    .exit(152),
                vec![],
            ),
            // One allocation above the limit (default 512 MiB): refused or OOM-killed, both
            // are the memory limit.
            (
                case("atk_tenant", &["bigalloc", "2048"])
                    .ends("memory_limit", Some("memory"))
                    .any_exit(),
                vec![],
            ),
        ];
        if python {
            runs.push((
                case("python3", &["-c", "b=b'x'*(1<<30)"])
                    .flags(&["--memory", "64M"])
                    .ends("memory_limit", Some("memory"))
                    .any_exit(),
                vec![
                    "/usr/bin/python3".into(),
                    "-c".into(),
                    "b=b'x'*(1<<30)".into(),
                ],
            ));
        }
        for (c, raw) in runs {
            let argv = if raw.is_empty() {
                std::iter::once(format!("/attacks/{}", c.prog))
                    .chain(c.args.iter().cloned())
                    .collect()
            } else {
                raw
            };
            let label = format!("[{mode:?}] {} {}", c.prog, c.args.join(" "));
            let (bad, _) = check_with(&label, &c, || {
                corral_argv(mode, &c.flags, &argv, Tweak::None)
            });
            println!("{} {label}", if bad.is_empty() { "ok  " } else { "FAIL" });
            failures.extend(bad);
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn per_user_quotas_are_per_run() {
    let _serial = serial();
    let mut failures = Vec::new();
    let probe = || {
        case("atk_tenant", &["quota", "probe"])
            .concurrent()
            .line("CONTAINED: one queued signal (queued)")
            .line("CONTAINED: a new pipe has 65536 bytes (default size)")
            .line("CONTAINED: one fd in flight (sent)")
    };
    for mode in modes() {
        if mode == Mode::Unprivileged {
            // Unprivileged, every run is the caller's own uid and shares its per-user
            // counts (README, docs/resources.md: bounded per run by rlimits, not isolated).
            println!("SKIP: [Unprivileged] per-user quotas are the caller's, shared by design");
            continue;
        }
        // Run A takes every per-user quota it can and holds it; run B (and the host) must
        // still get theirs.
        let holder = case("atk_tenant", &["quota", "hold", "4"])
            .flags(&["--time", "15s"])
            .concurrent()
            .line("OK: holding")
            .because("queued signals: stopped after", &["EAGAIN"]);
        let a = std::thread::spawn(move || check(mode, &holder).0);
        std::thread::sleep(Duration::from_millis(1500));
        let (bad, _) = check(mode, &probe());
        println!(
            "{} [{mode:?}] concurrent atk_tenant quota probe",
            if bad.is_empty() { "ok  " } else { "FAIL" }
        );
        failures.extend(bad);
        let host_side = unsandboxed("atk_tenant", &["quota", "probe"], &[]);
        for l in host_side.lines().filter(|l| l.starts_with("ESCAPED")) {
            failures.push(format!(
                "[{mode:?}] the host, while a run holds its quotas: {l}"
            ));
        }
        failures.extend(
            a.join()
                .unwrap_or_else(|_| vec!["the holding run panicked".into()]),
        );
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// Starts `atk_res sleep` in the sandbox without waiting; returns corral and the run's tag once
/// the sandboxed program is seen on the host.
fn start_sleeper(mode: Mode, flags: &[&str]) -> Result<(std::process::Child, String), String> {
    let tag = run_tag();
    let flags: Vec<String> = flags.iter().map(|s| s.to_string()).collect();
    let mut cmd = corral_command(
        mode,
        &flags,
        &["/attacks/atk_res".into(), "sleep".into()],
        &tag,
        Tweak::None,
    )?;
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("spawn corral: {e}"))?;
    let deadline = Instant::now() + Duration::from_secs(10);
    let corral_pid = child.id().to_string();
    loop {
        let sandboxed: Vec<String> = processes_with(&tag)
            .into_iter()
            .filter(|p| !p.starts_with(&format!("pid {corral_pid}:")))
            .filter(|p| p.contains("atk_res"))
            .collect();
        if !sandboxed.is_empty() {
            return Ok((child, tag));
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err("the sandboxed program did not show up within 10 s".into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn runs_end_when_the_supervisor_dies() {
    let _serial = serial();
    let mut failures = Vec::new();
    for mode in modes() {
        let (mut child, tag) = match start_sleeper(mode, &["--time", "100s"]) {
            Ok(x) => x,
            Err(e) => {
                failures.push(format!("[{mode:?}] {e}"));
                continue;
            }
        };
        let _ = child.kill();
        let _ = child.wait();
        std::thread::sleep(Duration::from_secs(1));
        let left = processes_with(&tag);
        println!(
            "{} [{mode:?}] SIGKILL of corral exec: nothing of the run left after 1 s",
            if left.is_empty() { "ok  " } else { "FAIL" }
        );
        if !left.is_empty() {
            failures.push(format!(
                "[{mode:?}] 1 s after SIGKILL of corral the run still has: {left:?}"
            ));
            kill_tagged(&tag);
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn wall_limit_holds_without_the_supervisor() {
    let _serial = serial();
    let mut failures = Vec::new();
    for mode in modes() {
        // The supervisor is stopped (SIGSTOP) while the program sleeps: init must end the run
        // at the wall limit (1 s) plus its grace on its own.
        let (mut child, tag) = match start_sleeper(mode, &["--time", "1s"]) {
            Ok(x) => x,
            Err(e) => {
                failures.push(format!("[{mode:?}] {e}"));
                continue;
            }
        };
        let started = Instant::now();
        // SAFETY: stopping and continuing our own child.
        unsafe { libc::kill(child.id() as i32, libc::SIGSTOP) };
        let mut left = processes_with(&tag);
        while started.elapsed() < Duration::from_secs(6) {
            left = processes_with(&tag)
                .into_iter()
                .filter(|p| !p.starts_with(&format!("pid {}:", child.id())))
                .collect();
            if left.is_empty() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let took = started.elapsed();
        // SAFETY: continuing our own child.
        unsafe { libc::kill(child.id() as i32, libc::SIGCONT) };
        println!(
            "{} [{mode:?}] supervisor stopped: the run ended {} after the wall limit",
            if left.is_empty() { "ok  " } else { "FAIL" },
            if left.is_empty() {
                format!("{took:?}")
            } else {
                "never (6 s)".into()
            }
        );
        if !left.is_empty() {
            failures.push(format!(
                "[{mode:?}] with the supervisor stopped, the run outlived its 1 s wall limit by \
                 5 s: {left:?}"
            ));
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        kill_tagged(&tag);
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// SIGKILLs every process carrying `tag` (cleanup after a failed lifetime check).
fn kill_tagged(tag: &str) {
    for p in processes_with(tag) {
        if let Some(pid) = p
            .strip_prefix("pid ")
            .and_then(|r| r.split(':').next())
            .and_then(|n| n.parse::<i32>().ok())
        {
            // SAFETY: kill with a pid read from /proc that carries this test's run tag.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
    }
}

/// Runs an attack binary directly as the unprivileged test user (no sandbox).
fn bare_unprivileged(prog: &str, args: &[&str]) -> Option<String> {
    let u = unpriv().as_ref().ok()?;
    let out = Command::new("setpriv")
        .arg(format!("--reuid={}", u.uid))
        .arg(format!("--regid={}", u.gid))
        .args(["--clear-groups", "--"])
        .arg(u.dir.join(prog))
        .args(args)
        .current_dir("/")
        .stdin(Stdio::null())
        .output()
        .expect("run attack as the unprivileged user");
    Some(format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    ))
}

#[test]
fn tenant_probes_escape_without_the_sandbox() {
    let _serial = serial();
    if unpriv().is_err() {
        println!("SKIP: tenant probes without the sandbox: no unprivileged test user");
        return;
    }
    let bare = |args: &[&str]| bare_unprivileged("atk_tenant", args).expect("unprivileged user");
    let out = bare(&["bpf-filter"]);
    assert_escapes(&out, "SO_ATTACH_FILTER) succeeded");
    let out = bare(&["hugetlb"]);
    assert_escapes(&out, "memfd_create(MFD_HUGETLB)");
    let out = bare(&["notify"]);
    assert_escapes(&out, "inotify_init1 succeeded");
    assert_escapes(&out, "fcntl(F_NOTIFY) on /usr succeeded");
    let out = bare(&["hostview"]);
    assert_escapes(&out, "/proc/stat CPU counters show the host's");
    assert_escapes(&out, "flock(LOCK_EX) on /etc/ld.so.cache holds a lock");
    let out = bare(&["inherited"]);
    assert_escapes(&out, "RLIMIT_CORE is");
    assert_escapes(&out, "setrlimit(RLIMIT_CORE, 0) succeeded");
    let (up, btime) = host_uptime();
    if up.parse::<f64>().unwrap_or(0.0) >= 60.0 {
        let out = bare(&["uptime", &up, &btime]);
        assert_escapes(&out, "/proc/uptime shows the host's uptime");
        assert_escapes(&out, "/proc/self/stat starttime shows the host's uptime");
    }
    // Small and short: 64 MiB of loopback buffers, freed when the probe exits.
    assert_escapes(
        &bare(&["sockbuf", "tcp", "120", "64"]),
        "TCP socket buffers hold",
    );
    assert_escapes(
        &bare(&["sockbuf", "udp", "120", "64"]),
        "UDP socket buffers hold",
    );
    // Two processes of one user share the per-user quotas.
    let holder = std::thread::spawn(move || {
        bare_unprivileged("atk_tenant", &["quota", "hold", "3"]).unwrap_or_default()
    });
    std::thread::sleep(Duration::from_millis(1500));
    let out = bare(&["quota", "probe"]);
    let held = holder.join().expect("holder");
    assert!(
        held.contains("OK: holding"),
        "the holder did not hold:\n{held}"
    );
    assert_escapes(&out, "could not queue one signal");
    assert_escapes(&out, "a new pipe has only");
    assert_escapes(&out, "could not send one fd");
}
