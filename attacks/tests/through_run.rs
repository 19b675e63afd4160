//! Runs the attack programs through `corral run` as a user submits them: one source file (the attack with the shared library inlined as a module), compiled by rustc inside the sandbox and run in a second one, with the exact expectations and host-side checks `suite.rs` has for `corral exec`.
//!
//! The run step has its own limits (10 s wall, 512 MiB memory, 64 KiB output, 128 pids, 64 MiB
//! tmpfs, 4096 inodes, 256 open files); `--time`, `--memory` and `--output` can only lower them,
//! so the bombs are expected to stop at those defaults. Only as root: `corral run` needs the
//! toolchain under the caller's rustup home, which an unprivileged test user cannot read.

mod common;

use common::{
    CANARY_ENV, Case, Run, Sentinel, case, check_with, host, is_root, kernel_table, processes_with,
    random_hex, serial, wait_corral,
};
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The shared library of the attack programs, and the module it declares in its own file.
const LIB: &str = include_str!("../src/lib.rs");
const NAMES: &str = include_str!("../src/names.rs");

const SOURCES: [(&str, &str); 6] = [
    ("atk_fs", include_str!("../src/bin/atk_fs.rs")),
    ("atk_net", include_str!("../src/bin/atk_net.rs")),
    ("atk_proc", include_str!("../src/bin/atk_proc.rs")),
    ("atk_res", include_str!("../src/bin/atk_res.rs")),
    ("atk_kernel", include_str!("../src/bin/atk_kernel.rs")),
    ("atk_leak", include_str!("../src/bin/atk_leak.rs")),
];

/// Where the program runs: its binary is mounted read-only at this path.
const PLAYGROUND_EXE: &str = "/playground/playground";

/// One file a user could paste: the attack, then `mod corral_attacks { <lib.rs> }` with lib.rs's
/// `mod names;` replaced by the inline module, so that `use corral_attacks::…` resolves to it.
fn single_file(prog: &str) -> String {
    let bin = SOURCES
        .iter()
        .find(|(n, _)| *n == prog)
        .map(|(_, s)| *s)
        .expect("known attack");
    let decl = "\nmod names;\n";
    assert_eq!(
        LIB.matches(decl).count(),
        1,
        "lib.rs should declare `mod names;` once"
    );
    let lib = LIB.replacen(decl, &format!("\nmod names {{\n{NAMES}}}\n"), 1);
    format!(
        "{bin}\n// attacks/src/lib.rs, with names.rs inlined (each attack uses part of it).\n\
         #[allow(unused)]\nmod corral_attacks {{\n{lib}}}\n"
    )
}

/// Why `corral run` cannot be tested here, if it cannot (printed once as `SKIP:`).
fn unavailable() -> Option<&'static str> {
    static WHY: OnceLock<Option<String>> = OnceLock::new();
    WHY.get_or_init(|| {
        let why = probe_run();
        match &why {
            Some(w) => println!("SKIP: corral run: {w}"),
            None => println!(
                "SKIP: unprivileged corral run: it needs the toolchain under the caller's rustup \
                 home, which the test user cannot read"
            ),
        }
        why
    })
    .as_deref()
}

/// Why the attacks cannot go through `corral run` here (None: they can). The attacks need libc,
/// which `corral run` provides from the bake of the stable toolchain (debug mode).
fn probe_run() -> Option<String> {
    use corral_rust::{bake, toolchain};
    if !is_root() {
        return Some("the test does not run as root".into());
    }
    let installed = toolchain::discover(&toolchain::rustup_home());
    let stable = match toolchain::resolve(&installed, "stable") {
        Ok(t) => t,
        Err(e) => return Some(format!("no stable toolchain: {e}")),
    };
    match bake::load(&bake::default_store(), stable, bake::BakeMode::Debug) {
        Ok(Some(_)) => None,
        Ok(None) => Some(format!(
            "the crates are not baked for {} (run `corral bake`)",
            stable.name
        )),
        Err(e) => Some(format!("the bake cannot be read: {e}")),
    }
}

/// `corral run` with the default limits (no configuration from the environment).
fn corral_command() -> Command {
    let mut cmd = Command::new(&host().corral);
    // Real time: several attacks rely on real sleeps (children that outlive their
    // parent, a sleep cut by the wall clock). The virtual clock is no security layer:
    // a program can bypass it with raw syscalls.
    cmd.args(["run", "--real-time"]);
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy();
        if k == "CORRAL_CONFIG" || k.starts_with("CORRAL_RUN_") || k.starts_with("CORRAL_COMPILE_")
        {
            cmd.env_remove(&*k);
        }
    }
    cmd
}

/// Host processes running the playground binary with exactly these arguments (the program of
/// this case's `corral run`, not of other corral users on the host).
fn playground_processes(args: &[String]) -> Vec<String> {
    let mut want = vec![PLAYGROUND_EXE.to_string()];
    want.extend(args.iter().cloned());
    let want = want.join(" ");
    processes_with(PLAYGROUND_EXE)
        .into_iter()
        .filter(|p| {
            p.split_once(": ")
                .is_some_and(|(_, cmd)| cmd.trim_end() == want.trim_end())
        })
        .collect()
}

/// Work directories of the corral process `pid` still on the host (`<tmp>/corral-work*/<pid>-N`).
fn work_dirs_of(pid: u32) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let prefix = format!("{pid}-");
    for root in std::fs::read_dir(std::env::temp_dir())
        .into_iter()
        .flatten()
    {
        let Ok(root) = root else { continue };
        if !root
            .file_name()
            .to_string_lossy()
            .starts_with("corral-work")
        {
            continue;
        }
        for e in std::fs::read_dir(root.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            if e.file_name().to_string_lossy().starts_with(&prefix) {
                found.push(e.path());
            }
        }
    }
    found
}

/// Writes the attack as one file and runs it through `corral run --json <flags> FILE -- <args>`.
fn corral_run(c: &Case) -> Result<Run, String> {
    let h = host();
    let src = h.base.join("src").join(format!(
        "{}-{}-{}.rs",
        c.prog,
        std::process::id(),
        random_hex(4)
    ));
    std::fs::create_dir_all(src.parent().expect("dir")).map_err(|e| e.to_string())?;
    std::fs::write(&src, single_file(c.prog)).map_err(|e| e.to_string())?;
    let before = playground_processes(&c.args);
    let mut cmd = corral_command();
    cmd.arg("--json")
        .args(&c.flags)
        .arg(&src)
        .arg("--")
        .args(&c.args)
        .env(CANARY_ENV, &h.secret)
        .stdin(Stdio::null());
    let done = wait_corral(cmd)?;
    let _ = std::fs::remove_file(&src);
    // Whatever the run started must be gone once corral returns (a short grace for reaping).
    let left = || {
        let mut l: Vec<String> = playground_processes(&c.args)
            .into_iter()
            .filter(|p| !before.contains(p))
            .collect();
        l.extend(
            work_dirs_of(done.pid)
                .iter()
                .map(|d| format!("work dir {}", d.display())),
        );
        l
    };
    let mut leftovers = left();
    let grace = Instant::now();
    while !leftovers.is_empty() && grace.elapsed() < Duration::from_millis(500) {
        std::thread::sleep(Duration::from_millis(50));
        leftovers = left();
    }
    let (stdout, corral_stderr) = (&done.stdout, &done.stderr);
    if !done.status.success() {
        return Err(format!(
            "corral exited with {}; stdout: {stdout}; stderr: {corral_stderr}",
            done.status
        ));
    }
    let top: Value = serde_json::from_str(stdout.trim())
        .map_err(|e| format!("corral printed no JSON ({e}): {stdout}; stderr: {corral_stderr}"))?;
    if top["step"] != "run" || top["compile"]["success"] != true {
        return Err(format!(
            "the attack did not reach the run step: status {}, step {}, compile stderr:\n{}",
            top["status"],
            top["step"],
            top["compile"]["stderr"].as_str().unwrap_or("")
        ));
    }
    // The program's result, with the run's status and limit, in the shape suite.rs checks.
    let mut json = top["run"].clone();
    let Some(obj) = json.as_object_mut() else {
        return Err(format!("no run result: {stdout}"));
    };
    for k in ["status", "limit", "step"] {
        obj.insert(k.into(), top[k].clone());
    }
    let field = |k: &str| json[k].as_str().unwrap_or("").to_string();
    Ok(Run {
        stdout: field("stdout"),
        stderr: field("stderr"),
        json,
        corral_stdout: done.stdout,
        corral_stderr: done.stderr,
        corral_pid: done.pid,
        leftovers,
    })
}

/// Runs every case through `corral run`; panics with all deviations at the end.
/// False when `corral run` cannot be tested here (the caller returns).
fn run_cases(cases: Vec<Case>) -> bool {
    if unavailable().is_some() {
        return false;
    }
    let _serial = serial();
    let mut failures = Vec::new();
    for c in cases {
        let label = format!("[run] {} {}", c.prog, c.args.join(" "));
        let (bad, _) = check_with(&label, &c, || corral_run(&c));
        println!("{} {label}", if bad.is_empty() { "ok  " } else { "FAIL" });
        failures.extend(bad);
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    true
}

// ---------------------------------------------------------------------------------------------

#[test]
fn each_attack_is_one_file_with_the_library_inline() {
    for (prog, _) in SOURCES {
        let text = single_file(prog);
        assert_eq!(text.matches("\nfn main()").count(), 1, "{prog}");
        assert_eq!(text.matches("\nmod corral_attacks {").count(), 1, "{prog}");
        assert!(!text.contains("\nmod names;"), "{prog}");
    }
}

#[test]
fn filesystem_attacks_are_contained() {
    let h = host();
    let canary = h.canary.display().to_string();
    let before = std::fs::read_to_string(&h.canary).expect("canary");
    let ran = run_cases(vec![
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
            .because(
                "create file in /playground (",
                &["EROFS", "EACCES", "EPERM"],
            )
            .because(
                "mkdir /playground/corral-attack-dir",
                &["EROFS", "EACCES", "EPERM"],
            )
            .because(
                "create file in /proc/sys (",
                &["EROFS", "EACCES", "EPERM", "ENOENT"],
            )
            .because(
                "open /proc/self/exe for writing",
                &["EROFS", "EACCES", "EPERM", "ETXTBSY"],
            )
            .because(
                &format!("open {PLAYGROUND_EXE} for writing"),
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
                "chmod /playground",
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
        case("atk_fs", &["persist", "write"]),
        case("atk_fs", &["persist", "check"])
            .because("marker /tmp/.corral-persist-marker", &["ENOENT"])
            .because("marker /dev/shm/.corral-persist-marker", &["ENOENT"])
            .because("marker /work/.corral-persist-marker", &["ENOENT"])
            .because("SysV shm from an earlier run", &["ENOENT"])
            .because("POSIX mqueue from an earlier run", &["ENOENT"]),
    ]);
    if !ran {
        return;
    }
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
fn network_attacks_are_contained() {
    let h = host();
    let mut tcp = vec!["tcp"];
    tcp.extend(h.tcp_targets.iter().map(String::as_str));
    let unix_path = h.unix_path.display().to_string();
    let mut tcp_case = case("atk_net", &tcp);
    for t in &h.tcp_targets {
        tcp_case = tcp_case.contains(&[&format!("TCP connect to host listener {t}")]);
    }
    run_cases(vec![
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
    ]);
}

#[test]
fn process_attacks_are_contained() {
    if unavailable().is_some() {
        return;
    }
    let mut sentinel = Sentinel::spawn();
    let sentinel_pid = sentinel.pid();
    let tag = format!("corral-daemon-{}", random_hex(6));
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
    run_cases(vec![
        // The run step's pids limit (128, not settable from the CLI) stops the bombs.
        case("atk_proc", &["forkbomb"])
            .because("fork bomb stopped after", &["EAGAIN"])
            .at_most("fork bomb stopped after", 128),
        case("atk_proc", &["threadbomb"])
            .because("thread bomb stopped after", &["EAGAIN"])
            .at_most("thread bomb stopped after", 128),
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
        // corral inherits an fd without CLOEXEC from the host (see common::host).
        case("atk_proc", &["fds"]).line("CONTAINED: file descriptors above 2 (none open)"),
        tty,
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
    ]);
    let alive = sentinel.alive();
    drop(sentinel);
    assert!(alive, "the host sentinel process did not survive kill(-1)");
    let left = processes_with(&tag);
    assert!(left.is_empty(), "the daemon survived its sandbox: {left:?}");
}

#[test]
fn resource_attacks_hit_their_limits() {
    run_cases(vec![
        case("atk_res", &["memory", "512"])
            .flags(&["--memory", "128M"])
            .ends("memory_limit", Some("memory"))
            .signal(libc::SIGKILL as i64),
        // The run step's own memory limit (512 MiB) without a flag.
        case("atk_res", &["memory", "1024"])
            .ends("memory_limit", Some("memory"))
            .signal(libc::SIGKILL as i64),
        // The run step's tmpfs (64 MiB) is shared by /tmp, /work and /dev/shm.
        case("atk_res", &["disk", "/tmp"])
            .because("fill /tmp", &["ENOSPC", "EFBIG", "EDQUOT"])
            .at_most("fill /tmp", 64),
        case("atk_res", &["disk", "/work"])
            .because("fill /work", &["ENOSPC", "EFBIG", "EDQUOT"])
            .at_most("fill /work", 64),
        case("atk_res", &["disk", "/dev/shm"])
            .because("fill /dev/shm", &["ENOSPC", "EFBIG", "EDQUOT"])
            .at_most("fill /dev/shm", 64),
        // tmpfs pages count toward the memory limit (cgroups account them).
        case("atk_res", &["disk", "/tmp"])
            .flags(&["--memory", "32M"])
            .ends("memory_limit", Some("memory"))
            .signal(libc::SIGKILL as i64),
        case("atk_res", &["inodes", "/tmp"])
            .because("inode fill of /tmp stopped after", &["ENOSPC", "EDQUOT"])
            .at_most("inode fill of /tmp stopped after", 4096),
        // The run step's own output cap (64 KiB) on stdout; a lowered one on stderr.
        case("atk_res", &["flood", "stdout"])
            .ends("output_limit", Some("output"))
            .signal(libc::SIGKILL as i64)
            .truthy("stdout_truncated")
            .output_max(64 << 10),
        case("atk_res", &["flood", "stderr"])
            .flags(&["--output", "16K"])
            .ends("output_limit", Some("output"))
            .signal(libc::SIGKILL as i64)
            .truthy("stderr_truncated")
            .output_max(16 << 10),
        // `--time` lowers the CPU-time limit along with the wall clock, and the run step gets at
        // most one CPU (cpu_millis 1000): spinning threads reach both limits together.
        case("atk_res", &["spin"])
            .flags(&["--time", "2s"])
            .ends_by_either("timeout", &["wall", "cpu"])
            .signal(libc::SIGKILL as i64)
            .wall(1900, 4000),
        case("atk_res", &["sleep"])
            .flags(&["--time", "1s"])
            .ends("timeout", Some("wall"))
            .signal(libc::SIGKILL as i64)
            .wall(900, 3000),
        case("atk_res", &["kobj"])
            .because("pipes: stopped after", &["EMFILE", "ENFILE"])
            // The run step's open-files limit 256: at most 128 pairs.
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
    ]);
}

#[test]
fn kernel_surface_is_refused() {
    let h = host();
    let allow = h.data_dir.join("allow.txt").display().to_string();
    run_cases(vec![
        kernel_table(),
        case("atk_kernel", &["x32"])
            .ends("runtime_error", None)
            .signal(libc::SIGSYS as i64)
            .line("INFO: calling getpid through the x32 ABI (must die of SIGSYS)"),
        case("atk_kernel", &["int80"])
            .ends("runtime_error", None)
            .signal(libc::SIGSYS as i64)
            .line("INFO: calling getpid through int 0x80 (must die of SIGSYS)"),
        // The allow-list comes in on standard input, as a user's `--stdin` file.
        case("atk_kernel", &["sweep", "-"])
            .flags(&["--stdin", &allow])
            .contains(&["syscall sweep 0..=599"]),
    ]);
}

#[test]
fn information_does_not_leak() {
    let h = host();
    run_cases(vec![
        case("atk_leak", &["env"])
            .line("CONTAINED: environment (only PATH, HOME, LANG and the requested variables)"),
        case("atk_leak", &["procs"]).contains(&["process list"]),
        // The program's dir, and the toolchain's shared std it is linked against.
        case("atk_leak", &["mounts", "/playground", "/corral/lib"]).contains(&["mountinfo"]),
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
    ]);
}
