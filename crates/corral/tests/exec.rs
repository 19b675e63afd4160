//! `corral exec` end to end: every outcome field, every limit, the exit-code contract.

mod common;

use common::*;
use serde_json::json;

macro_rules! require_sandbox {
    () => {
        if !sandbox_available() {
            return;
        }
    };
}

#[test]
fn success_reports_every_field() {
    require_sandbox!();
    let o = exec_json(&["--", "sh", "-c", "echo out; echo err >&2"], b"");
    assert_eq!(o["status"], "success");
    assert_eq!(o["limit"], json!(null));
    assert_eq!(o["exit_code"], 0);
    assert_eq!(o["signal"], json!(null));
    assert_eq!(o["stdout"], "out\n");
    assert_eq!(o["stderr"], "err\n");
    assert_eq!(o["stdout_truncated"], false);
    assert_eq!(o["stderr_truncated"], false);
    assert!(o["wall_ms"].as_u64().unwrap() < 10_000);
    assert!(o["cpu_ms"].is_u64());
    assert!(
        o["memory_bytes"].as_u64().unwrap() > 0,
        "peak memory is measured: {o}"
    );
}

#[test]
fn exit_codes_pass_through() {
    require_sandbox!();
    let o = exec_json(&["--", "sh", "-c", "exit 3"], b"");
    assert_eq!(
        (o["status"].as_str(), o["exit_code"].as_i64()),
        (Some("runtime_error"), Some(3))
    );
    assert_eq!(exec_raw(&["exec", "--", "sh", "-c", "exit 3"], b"").0, 3);
}

#[test]
fn signals_become_128_plus_n() {
    require_sandbox!();
    let o = exec_json(&["--", "sh", "-c", "kill -SEGV $$"], b"");
    assert_eq!(o["status"], "runtime_error");
    assert_eq!(o["signal"], 11);
    assert_eq!(o["exit_code"], json!(null));
    assert_eq!(
        exec_raw(&["exec", "--", "sh", "-c", "kill -SEGV $$"], b"").0,
        139
    );
}

#[test]
fn output_passes_through_without_json() {
    require_sandbox!();
    let (code, out, err) = exec_raw(
        &["exec", "--", "sh", "-c", "echo to-out; echo to-err >&2"],
        b"",
    );
    assert_eq!((code, out.as_str()), (0, "to-out\n"));
    assert!(err.contains("to-err"), "{err}");
}

#[test]
fn stdin_is_a_pipe_with_the_callers_input() {
    require_sandbox!();
    let o = exec_json(
        &["--", "sh", "-c", "cat; test -t 0 || echo not-a-tty"],
        b"line one\n",
    );
    assert_eq!(o["stdout"], "line one\nnot-a-tty\n");
}

#[test]
fn not_found_is_127_and_not_executable_is_126() {
    require_sandbox!();
    let (code, _, err) = exec_raw(&["exec", "--", "no-such-command"], b"");
    assert_eq!(code, 127);
    assert!(err.contains("not found"), "{err}");
    assert_eq!(exec_raw(&["exec", "--", "/etc/passwd"], b"").0, 126);
    assert_eq!(exec_raw(&["exec", "--", "/no/such/path"], b"").0, 127);
}

#[test]
fn corral_errors_are_125_with_a_reason() {
    let (code, _, err) = exec_raw(&["exec", "--ro", "/definitely/missing", "--", "true"], b"");
    assert_eq!(code, 125);
    assert!(err.contains("/definitely/missing"), "{err}");
    let (code, _, err) = exec_raw(&["exec", "--memory", "lots", "--", "true"], b"");
    assert_eq!(code, 125);
    assert!(
        err.contains("256M"),
        "the error says what a valid size looks like: {err}"
    );
    assert_eq!(
        exec_raw(&["exec", "--ro", "/usr:relative", "--", "true"], b"").0,
        125
    );
}

#[test]
fn wall_clock_limit_is_timeout_124() {
    require_sandbox!();
    let o = exec_json(&["--time", "500ms", "--", "sleep", "30"], b"");
    assert_eq!(
        (o["status"].as_str(), o["limit"].as_str()),
        (Some("timeout"), Some("wall"))
    );
    assert!(o["wall_ms"].as_u64().unwrap() < 5_000, "{o}");
    assert_eq!(
        exec_raw(&["exec", "--time", "300ms", "--", "sleep", "30"], b"").0,
        124
    );
}

#[test]
fn cpu_time_limit_is_timeout_cpu() {
    require_sandbox!();
    let o = exec_json(
        &[
            "--cpu-time",
            "1s",
            "--time",
            "20s",
            "--",
            "sh",
            "-c",
            "while :; do :; done",
        ],
        b"",
    );
    assert_eq!(
        (o["status"].as_str(), o["limit"].as_str()),
        (Some("timeout"), Some("cpu"))
    );
    assert!(o["cpu_ms"].as_u64().unwrap() >= 900, "{o}");
}

#[test]
fn memory_limit_ends_a_memory_bomb() {
    require_sandbox!();
    let o = exec_json(
        &[
            "--memory",
            "64M",
            "--",
            "python3",
            "-c",
            "a = bytearray(256 << 20); print('survived')",
        ],
        b"",
    );
    assert_eq!(
        (o["status"].as_str(), o["limit"].as_str()),
        (Some("memory_limit"), Some("memory")),
        "{o}"
    );
    assert_eq!(o["stdout"], "");
    if is_root() {
        // cgroup: the kernel's OOM killer ended it; the peak is the limit.
        assert_eq!(o["signal"], 9);
        assert!(o["memory_bytes"].as_u64().unwrap() <= 64 << 20);
    }
}

#[test]
fn tmpfs_pages_count_toward_memory() {
    require_sandbox!();
    if !is_root() {
        eprintln!("SKIP: tmpfs pages are charged to the memory cgroup, which needs root");
        return;
    }
    let o = exec_json(
        &[
            "--memory",
            "32M",
            "--tmpfs",
            "256M",
            "--",
            "sh",
            "-c",
            "head -c 100000000 /dev/zero > /tmp/big",
        ],
        b"",
    );
    assert_eq!(o["status"], "memory_limit", "{o}");
}

#[test]
fn pids_limit_is_reported() {
    require_sandbox!();
    let o = exec_json(
        &[
            "--pids",
            "16",
            "--",
            "sh",
            "-c",
            "for i in $(seq 64); do sleep 5 & done; wait",
        ],
        b"",
    );
    assert_eq!(o["status"], "runtime_error", "{o}");
    if is_root() {
        assert_eq!(o["limit"], "pids", "{o}");
    }
}

#[test]
fn output_limit_truncates_stdout_and_stderr() {
    require_sandbox!();
    let o = exec_json(&["--output", "4K", "--", "yes"], b"");
    assert_eq!(
        (o["status"].as_str(), o["limit"].as_str()),
        (Some("output_limit"), Some("output"))
    );
    assert_eq!(o["stdout_truncated"], true);
    assert_eq!(o["stderr_truncated"], false);
    assert_eq!(o["stdout"].as_str().unwrap().len(), 4096);
    let o = exec_json(&["--output", "4K", "--", "sh", "-c", "yes >&2"], b"");
    assert_eq!(o["status"], "output_limit");
    assert_eq!(o["stderr_truncated"], true);
    assert_eq!(o["stderr"].as_str().unwrap().len(), 4096);
}

#[test]
fn file_size_limit_is_reported() {
    require_sandbox!();
    let o = exec_json(
        &[
            "--file-size",
            "1K",
            "--",
            "sh",
            "-c",
            "head -c 5000 /dev/zero > /tmp/x",
        ],
        b"",
    );
    assert_eq!(
        (o["status"].as_str(), o["limit"].as_str()),
        (Some("runtime_error"), Some("file_size")),
        "{o}"
    );
}

#[test]
fn tmpfs_size_limit_is_disk() {
    require_sandbox!();
    let o = exec_json(
        &[
            "--tmpfs",
            "1M",
            "--",
            "sh",
            "-c",
            "head -c 5000000 /dev/zero > /work/x",
        ],
        b"",
    );
    assert_eq!(
        (o["status"].as_str(), o["limit"].as_str()),
        (Some("runtime_error"), Some("disk")),
        "{o}"
    );
    assert!(
        o["stderr"].as_str().unwrap().contains("No space left"),
        "{o}"
    );
}

#[test]
fn inode_limit_is_reported() {
    require_sandbox!();
    let o = exec_json(
        &[
            "--inodes",
            "64",
            "--",
            "sh",
            "-c",
            "for i in $(seq 200); do : > /tmp/f$i || exit 1; done",
        ],
        b"",
    );
    assert_eq!(
        (o["status"].as_str(), o["limit"].as_str()),
        (Some("runtime_error"), Some("inodes")),
        "{o}"
    );
}

#[test]
fn open_files_limit_is_reported() {
    require_sandbox!();
    let script = "fs = [open('/dev/null') for _ in range(100)]";
    let o = exec_json(&["--open-files", "16", "--", "python3", "-c", script], b"");
    assert_eq!(
        (o["status"].as_str(), o["limit"].as_str()),
        (Some("runtime_error"), Some("open_files")),
        "{o}"
    );
}

#[test]
fn binds_env_and_cwd() {
    require_sandbox!();
    let dir = std::env::temp_dir().join(format!("corral-bind-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // The sandbox user is an unprivileged host id: make the rw dir writable for it.
    std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
    std::fs::write(dir.join("input"), "from host").unwrap();
    let rw = format!("{}:/data", dir.display());
    let ro = format!("{}:/ro", dir.display());
    let o = exec_json(
        &[
            "--rw",
            &rw,
            "--ro",
            &ro,
            "--env",
            "GREETING=hi",
            "--cwd",
            "/data",
            "--",
            "sh",
            "-c",
            "cat input; echo; echo $GREETING; pwd; echo made > out; echo x > /ro/nope && echo WROTE-RO",
        ],
        b"",
    );
    assert_eq!(o["stdout"], "from host\nhi\n/data\n", "{o}");
    assert!(
        o["stderr"]
            .as_str()
            .unwrap()
            .contains("Read-only file system"),
        "{o}"
    );
    assert_eq!(std::fs::read_to_string(dir.join("out")).unwrap(), "made\n");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn environment_is_only_path_home_lang_and_env_flags() {
    require_sandbox!();
    let o = exec_json(&["--env", "A=1", "--", "/usr/bin/env"], b"");
    let mut vars: Vec<&str> = o["stdout"].as_str().unwrap().lines().collect();
    vars.sort();
    assert_eq!(
        vars,
        [
            "A=1",
            "HOME=/work",
            "LANG=C.UTF-8",
            "PATH=/usr/local/bin:/usr/bin:/bin"
        ]
    );
}

#[test]
fn nothing_survives_the_step() {
    require_sandbox!();
    let marker = format!("corral-linger-{}", std::process::id());
    let script = format!("(setsid sh -c 'exec -a {marker} sleep 300' &) ; sleep 0.2; echo started");
    let o = exec_json(&["--", "sh", "-c", &script], b"");
    assert_eq!(o["stdout"], "started\n");
    std::thread::sleep(std::time::Duration::from_millis(100));
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        if let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) {
            assert!(
                !String::from_utf8_lossy(&cmdline).contains(&marker),
                "a daemon survived: {:?}",
                entry.path()
            );
        }
    }
    if is_root() {
        // No cgroup is left behind by a corral process that has exited.
        let own = std::fs::read_to_string("/proc/self/cgroup").unwrap();
        for controller in ["memory", "pids"] {
            let path = own.lines().find_map(|l| {
                let mut p = l.splitn(3, ':');
                let (_, ctrls, path) = (p.next()?, p.next()?, p.next()?);
                ctrls
                    .split(',')
                    .any(|c| c == controller)
                    .then(|| path.to_string())
            });
            let Some(path) = path else { continue };
            let parent = std::path::Path::new("/sys/fs/cgroup")
                .join(controller)
                .join(path.trim_start_matches('/'))
                .join("corral");
            let Ok(entries) = std::fs::read_dir(&parent) else {
                continue;
            };
            for e in entries.flatten().filter(|e| e.path().is_dir()) {
                let name = e.file_name().to_string_lossy().into_owned();
                let pid = name.split('-').next().unwrap_or("");
                assert!(
                    std::path::Path::new("/proc").join(pid).exists(),
                    "leaked cgroup {}",
                    e.path().display()
                );
            }
        }
    }
}

#[test]
fn the_command_cannot_touch_init() {
    require_sandbox!();
    // Init runs as the same uid; it must still be out of the command's reach.
    let script = r#"
import os, resource, signal
def attempt(what, f):
    try:
        f(); print("ESCAPED:", what)
    except OSError as e:
        print("CONTAINED:", what, e.errno)
attempt("prlimit on init", lambda: resource.prlimit(1, resource.RLIMIT_CPU, (1, 1)))
attempt("read init's memory", lambda: open("/proc/1/mem", "rb").read(1))
attempt("read init's environment", lambda: open("/proc/1/environ", "rb").read())
for sig in (signal.SIGKILL, signal.SIGSTOP):
    try:
        os.kill(1, sig)  # refused by Landlock's signal scope, or ignored by the kernel for pid 1
    except OSError:
        pass
print("init still there")
"#;
    let o = exec_json(&["--", "python3", "-c", script], b"");
    let out = o["stdout"].as_str().unwrap();
    assert!(!out.contains("ESCAPED"), "{o}");
    assert_eq!(out.matches("CONTAINED").count(), 3, "{o}");
    assert!(out.ends_with("init still there\n"), "{o}");
    assert_eq!(o["status"], "success", "init reported normally: {o}");
}

#[test]
fn dev_stdin_and_stdout_can_be_reopened() {
    require_sandbox!();
    // Programs open /dev/stdin, /dev/stdout by name (/proc/self/fd/N): it must work as
    // it does outside, though the pipes were made by the supervisor.
    let o = exec_json(
        &[
            "--",
            "sh",
            "-c",
            "cat /dev/stdin > /dev/stdout; echo err > /dev/stderr",
        ],
        b"piped\n",
    );
    assert_eq!(
        (o["stdout"].as_str(), o["stderr"].as_str()),
        (Some("piped\n"), Some("err\n")),
        "{o}"
    );
}

/// `corral exec ARGS` that must succeed; returns its stdout.
fn stdout_of(args: &[&str]) -> String {
    let (code, out, err) = exec_raw(&[&["exec"], args].concat(), b"");
    assert_eq!(code, 0, "corral exec {args:?}: {err}");
    out
}

#[test]
fn no_aslr_lays_out_memory_identically_on_every_run() {
    require_sandbox!();
    let maps = ["/bin/cat", "/proc/self/maps"];
    let fixed = stdout_of(&[&["--no-aslr", "--"], &maps[..]].concat());
    assert!(fixed.contains("[stack]"), "{fixed}");
    assert_eq!(
        stdout_of(&[&["--no-aslr", "--"], &maps[..]].concat()),
        fixed,
        "the same command without ASLR maps the same addresses"
    );
    if std::fs::read_to_string("/proc/sys/kernel/randomize_va_space").is_ok_and(|v| v.trim() == "0")
    {
        eprintln!("SKIP: the host has address-space randomisation off for everyone");
        return;
    }
    // On by default: three runs that all equal the fixed layout would mean it is not.
    let runs: Vec<String> = (0..3)
        .map(|_| stdout_of(&[&["--"], &maps[..]].concat()))
        .collect();
    assert!(
        runs.iter().any(|r| *r != fixed) && runs.iter().any(|r| *r != runs[0]),
        "ASLR is on by default: {runs:#?}"
    );
}

#[test]
fn the_command_is_pid_2_in_a_fixed_session_every_run() {
    require_sandbox!();
    for _ in 0..2 {
        assert_eq!(stdout_of(&["--", "sh", "-c", "echo $$ $PPID"]), "2 1\n");
        // pid (comm) state ppid pgrp session: the command leads its own session.
        let stat = stdout_of(&["--no-aslr", "--", "/bin/cat", "/proc/self/stat"]);
        let fields: Vec<&str> = stat.split(' ').take(6).collect();
        assert_eq!(fields, ["2", "(cat)", "R", "1", "2", "2"], "{stat}");
    }
}

#[test]
fn identity_does_not_depend_on_the_host_or_the_caller() {
    require_sandbox!();
    // The caller's umask stays outside.
    let out = std::process::Command::new("sh")
        .args([
            "-c",
            r#"umask 077; exec "$0" "$@""#,
            CORRAL,
            "exec",
            "--",
            "sh",
            "-c",
            "id -u; id -g; id -un; hostname; cat /proc/sys/kernel/domainname; umask",
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "1000\n1000\nsandbox\ncorral\n(none)\n0022\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    if is_root() {
        // Root mode drops the caller's supplementary groups (unprivileged mode cannot,
        // and they show as the overflow group).
        assert_eq!(
            stdout_of(&["--", "id"]),
            "uid=1000(sandbox) gid=1000(sandbox) groups=1000(sandbox)\n"
        );
    }
}
