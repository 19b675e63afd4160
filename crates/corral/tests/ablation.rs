//! Layer ablation: with one layer switched off, the others still contain what the
//! design says they contain (ARCHITECTURE.md, Threat model).

mod common;

use common::*;
use std::io::Read;
use std::net::TcpListener;

/// A probe that tries the basic escapes and prints one verdict per line.
const PROBE: &str = r#"
import os, socket, sys
canary, port = sys.argv[1], int(sys.argv[2])
def attempt(what, f):
    try:
        f(); print("ESCAPED:", what)
    except Exception as e:
        print("CONTAINED:", what, type(e).__name__)
attempt("read host file", lambda: open(canary).read())
attempt("write /usr", lambda: open("/usr/corral-ablation", "w").write("x"))
attempt("write /etc", lambda: open("/etc/corral-ablation", "w").write("x"))
def connect():
    s = socket.socket(); s.settimeout(2); s.connect(("127.0.0.1", port))
attempt("connect to host listener", connect)
attempt("write a read-only bind of a world-writable dir", lambda: open("/shared/x", "w").write("x"))
def host_pids():
    pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
    if max(pids) < 100:
        raise RuntimeError("only the sandbox's own %d pids" % len(pids))
attempt("see host processes", host_pids)
"#;

fn probe(ablate: &str) -> (serde_json::Value, Vec<u8>) {
    let dir = std::env::temp_dir().join(format!("corral-ablation-{}-{ablate}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let canary = dir.join("canary");
    std::fs::write(&canary, "ablation-secret-4711").unwrap();
    let shared = dir.join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
    let ro = format!("{}:/shared", shared.display());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let o = exec_json(
        &[
            "--ablate",
            ablate,
            "--ro",
            &ro,
            "--",
            "python3",
            "-c",
            PROBE,
            canary.to_str().unwrap(),
            &port,
        ],
        b"",
    );
    let mut received = vec![];
    if let Ok((mut s, _)) = listener.accept() {
        let _ = s.read_to_end(&mut received);
        received.extend_from_slice(b"<connection>");
    }
    assert!(
        !shared.join("x").exists(),
        "a read-only bind was written with {ablate} off"
    );
    // The bind is there and refused the write (EROFS is an OSError), not missing.
    let verdict = "CONTAINED: write a read-only bind of a world-writable dir OSError";
    assert!(o["stdout"].as_str().unwrap().contains(verdict), "{o}");
    std::fs::remove_dir_all(&dir).unwrap();
    (o, received)
}

fn assert_contained(ablate: &str) -> serde_json::Value {
    let (o, received) = probe(ablate);
    let out = o["stdout"].as_str().unwrap();
    assert!(!out.contains("ESCAPED"), "with {ablate} off: {o}");
    assert_eq!(
        out.matches("CONTAINED").count(),
        6,
        "every probe ran with {ablate} off: {o}"
    );
    assert!(
        !out.contains("ablation-secret-4711")
            && !o["stderr"].as_str().unwrap().contains("ablation-secret")
    );
    assert!(
        received.is_empty(),
        "the host listener was reached with {ablate} off"
    );
    o
}

#[test]
fn without_seccomp_namespaces_and_landlock_hold() {
    if !sandbox_available() {
        return;
    }
    assert_contained("seccomp");
    // The kernel surface seccomp hides is open now, but mounts still need privileges
    // the command does not have in the sandbox's namespaces.
    let o = exec_json(
        &[
            "--ablate",
            "seccomp",
            "--",
            "python3",
            "-c",
            "import ctypes; l = ctypes.CDLL(None); print(l.mount(b'none', b'/tmp', b'tmpfs', 0, None))",
        ],
        b"",
    );
    assert_eq!(o["stdout"], "-1\n", "mount without capabilities fails: {o}");
}

#[test]
fn without_landlock_the_mount_namespace_and_seccomp_hold() {
    if !sandbox_available() {
        return;
    }
    assert_contained("landlock");
}

#[test]
fn without_cgroups_rlimits_hold_memory_and_processes() {
    if !sandbox_available() {
        return;
    }
    if !is_root() {
        eprintln!("SKIP: cgroups are only used as root; unprivileged runs already go without them");
        return;
    }
    assert_contained("cgroups");
    let o = exec_json(
        &[
            "--ablate",
            "cgroups",
            "--memory",
            "64M",
            "--",
            "python3",
            "-c",
            "a = bytearray(256 << 20)",
        ],
        b"",
    );
    assert_eq!(
        (o["status"].as_str(), o["limit"].as_str()),
        (Some("memory_limit"), Some("memory")),
        "{o}"
    );
    let o = exec_json(
        &[
            "--ablate",
            "cgroups",
            "--pids",
            "10",
            "--",
            "sh",
            "-c",
            "for i in $(seq 30); do sleep 1 & done; wait",
        ],
        b"",
    );
    assert_eq!(
        (o["status"].as_str(), o["limit"].as_str()),
        (Some("runtime_error"), Some("pids")),
        "{o}"
    );
}
