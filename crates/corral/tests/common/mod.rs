//! Shared helpers of the `corral` integration tests: run the real binary.

#![allow(dead_code)]

use serde_json::Value;
use std::io::Write;
use std::process::{Command, Stdio};

pub const CORRAL: &str = env!("CARGO_BIN_EXE_corral");

/// Whether this host can build a sandbox at all; prints why not when it cannot.
pub fn sandbox_available() -> bool {
    let out = Command::new(CORRAL)
        .args(["exec", "--", "/bin/true"])
        .output()
        .expect("run corral");
    if !out.status.success() {
        eprintln!(
            "SKIP: the sandbox cannot run here: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    out.status.success()
}

pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// `corral exec --json ARGS` with `stdin`; returns the outcome JSON.
pub fn exec_json(args: &[&str], stdin: &[u8]) -> Value {
    let (code, stdout, stderr) = exec_raw(&[&["exec", "--json"], args].concat(), stdin);
    assert_eq!(
        code, 0,
        "--json exits 0 when a result was printed; stderr: {stderr}"
    );
    serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("bad JSON {stdout:?}: {e}; stderr: {stderr}"))
}

/// Runs corral with `args`; returns (exit code, stdout, stderr).
pub fn exec_raw(args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    let mut child = Command::new(CORRAL)
        .args(args)
        // A variable of "the server": nothing inside the sandbox may see it.
        .env("CORRAL_TEST_SECRET", "server-secret-env")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn corral");
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait corral");
    writer.join().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub mod server;
