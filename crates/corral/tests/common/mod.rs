//! Shared helpers of the `corral` integration tests: run the real binary.

#![allow(dead_code)]

pub mod ws;

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

/// `corral run --json ARGS FILE` with `code` written to a fresh FILE; asserts that a
/// result was printed (exit 0) and returns it.
pub fn run_code(args: &[&str], code: &str) -> Value {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "corral-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("main.rs");
    std::fs::write(&file, code).unwrap();
    let f = file.display().to_string();
    let all = [&["run", "--json"], args, &[f.as_str()]].concat();
    let (status, stdout, stderr) = exec_raw(&all, b"");
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(status, 0, "--json exits 0; stderr: {stderr}");
    serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("bad JSON {stdout:?}: {e}; stderr: {stderr}"))
}

/// Whether stable's debug bake of the vetted crates exists (and the sandbox works);
/// prints why the caller skips otherwise.
pub fn stable_baked() -> bool {
    if !sandbox_available() {
        return false;
    }
    let toolchains = corral_rust::toolchain::discover(&corral_rust::toolchain::rustup_home());
    let Ok(stable) = corral_rust::toolchain::resolve(&toolchains, "stable") else {
        eprintln!("SKIP: no stable toolchain");
        return false;
    };
    let store = corral_rust::bake::default_store();
    match corral_rust::bake::load(&store, stable, corral_rust::bake::BakeMode::Debug) {
        Ok(Some(_)) => true,
        _ => {
            eprintln!(
                "SKIP: the vetted crates are not baked in {} (run `corral bake`; CI does)",
                store.display()
            );
            false
        }
    }
}

/// The installed stable toolchain; prints why the caller skips when there is none.
pub fn stable_toolchain() -> Option<corral_rust::toolchain::Toolchain> {
    use corral_rust::toolchain;
    let found = toolchain::discover(&toolchain::rustup_home());
    let t = toolchain::resolve(&found, "stable").ok().cloned();
    if t.is_none() {
        eprintln!("SKIP: no stable toolchain installed");
    }
    t
}

/// An empty directory `<temp>/<name>-<pid>` (emptied if an earlier run left it).
pub fn fresh_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}
