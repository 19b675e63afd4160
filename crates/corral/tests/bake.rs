//! `corral bake` end to end: a small crate list (with a repository crate) is fetched,
//! built in the sandbox, recorded in baked.json, not rebuilt the second time but
//! rebuilt when the repository crate changes, and linked by rustc in the sandbox with
//! the recorded flags.

mod common;

use common::*;
use corral_rust::bake::{self, BakeMode, CrateList};
use corral_rust::toolchain::{TOOLCHAIN_MOUNT, Toolchain};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn temp_dir(name: &str) -> PathBuf {
    fresh_dir(&format!("corral-bake-{name}"))
}

/// A crate list of two tiny crates (a library and a proc-macro) and a repository crate
/// (`crates/tiny`, using the library), locked with the toolchain's cargo (needs
/// crates.io; None when it is unreachable).
fn small_list(dir: &Path, tc: &Toolchain, cargo_home: &Path) -> Option<PathBuf> {
    let vetted = dir.join("vetted");
    std::fs::create_dir_all(vetted.join("src")).unwrap();
    std::fs::write(
        vetted.join("Cargo.toml"),
        "[package]\nname = \"small-vetted\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
         [workspace]\n\n[dependencies]\nitoa = \"=1.0.15\"\npaste = \"=1.0.15\"\n\
         tiny = { path = \"crates/tiny\", version = \"=0.1.0\" }\n",
    )
    .unwrap();
    std::fs::write(vetted.join("src/lib.rs"), "").unwrap();
    let tiny = vetted.join("crates/tiny");
    std::fs::create_dir_all(tiny.join("src")).unwrap();
    std::fs::write(
        tiny.join("Cargo.toml"),
        "[package]\nname = \"tiny\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [dependencies]\nitoa = \"=1.0.15\"\n",
    )
    .unwrap();
    std::fs::write(tiny.join("src/lib.rs"), TINY_LIB).unwrap();
    let out = Command::new(tc.path.join("bin/cargo"))
        .args(["generate-lockfile", "--manifest-path"])
        .arg(vetted.join("Cargo.toml"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", std::env::var_os("HOME").unwrap_or_default())
        .env("CARGO_HOME", cargo_home)
        .env("RUSTC", tc.path.join("bin/rustc"))
        .output()
        .unwrap();
    if !out.status.success() {
        eprintln!(
            "SKIP: cannot lock a crate list (is crates.io reachable?): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        return None;
    }
    Some(vetted)
}

const TINY_LIB: &str =
    "pub fn forty_two() -> String { itoa::Buffer::new().format(42u8).to_string() }\n";

fn bake_cmd(store: &Path, args: &[&str]) -> (i32, String, Duration) {
    let start = Instant::now();
    let out = Command::new(CORRAL)
        .arg("bake")
        .args(args)
        .env("CORRAL_BAKE_DIR", store)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        start.elapsed(),
    )
}

#[test]
fn a_small_crate_list_is_baked_once_and_links_into_user_code() {
    if !sandbox_available() {
        return;
    }
    let Some(tc) = stable_toolchain() else { return };
    let dir = temp_dir("small");
    let store = dir.join("store");
    let Some(vetted) = small_list(&dir, &tc, &store.join("cargo-home")) else {
        return;
    };
    let crates = vetted.to_str().unwrap();

    let (code, stderr, _) = bake_cmd(
        &store,
        &["--toolchain", "stable", "--debug", "--crates", crates],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("Compiling itoa v1.0.15"), "{stderr}");

    let list = CrateList::from_path(&vetted).unwrap();
    let baked = bake::load_with(&store, &tc, BakeMode::Debug, &list)
        .unwrap()
        .expect("baked.json of the bake");
    assert_eq!(baked.commit_hash, tc.commit_hash);
    assert_eq!(
        baked.store_mount.0,
        store.join(&tc.commit_hash).join("debug")
    );
    let names: Vec<&str> = baked.externs.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["itoa", "paste", "tiny"]);
    for (_, inside) in &baked.externs {
        assert!(baked.host_path(inside).unwrap().is_file(), "{inside:?}");
    }
    // Release was not asked for.
    assert!(
        bake::load_with(&store, &tc, BakeMode::Release, &list)
            .unwrap()
            .is_none()
    );

    // Nothing changed: nothing to do, at once.
    let (code, stderr, took) = bake_cmd(
        &store,
        &["--toolchain", "stable", "--debug", "--crates", crates],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("nothing to do"), "{stderr}");
    assert!(!stderr.contains("Compiling"), "{stderr}");
    assert!(took < Duration::from_secs(10), "{took:?}");

    // A changed repository crate is a changed list: it alone is rebuilt.
    let old_hash = list.lock_hash();
    std::fs::write(
        vetted.join("crates/tiny/src/lib.rs"),
        format!("{TINY_LIB}// edited\n"),
    )
    .unwrap();
    let edited = CrateList::from_path(&vetted).unwrap();
    assert_ne!(edited.lock_hash(), old_hash);
    assert!(
        bake::load_with(&store, &tc, BakeMode::Debug, &edited)
            .unwrap()
            .is_none()
    );
    let (code, stderr, _) = bake_cmd(
        &store,
        &["--toolchain", "stable", "--debug", "--crates", crates],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("Compiling tiny v0.1.0"), "{stderr}");
    assert!(!stderr.contains("Compiling itoa"), "{stderr}");
    let baked = bake::load_with(&store, &tc, BakeMode::Debug, &edited)
        .unwrap()
        .expect("the rebaked list");

    // User code sees the crates through the recorded flags, compiled in the sandbox.
    let src = dir.join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(
        src.join("main.rs"),
        "paste::paste! { fn [<forty _ two>]() -> String { itoa::Buffer::new().format(42u8).to_string() } }\n\
         fn main() { println!(\"baked {} {}\", forty_two(), tiny::forty_two()); }\n",
    )
    .unwrap();
    let bake_bind = format!(
        "{}:{}",
        baked.store_mount.0.display(),
        baked.store_mount.1.display()
    );
    let tc_bind = format!("{}:{TOOLCHAIN_MOUNT}", tc.path.display());
    let src_bind = format!("{}:/src", src.display());
    let path = format!("PATH={TOOLCHAIN_MOUNT}/bin:/usr/bin:/bin");
    let script = "rustc --edition 2024 \"$@\" /src/main.rs -o /tmp/main && /tmp/main";
    let flags = baked.rustc_flags();
    let mut args = vec![
        "exec", "--ro", &bake_bind, "--ro", &tc_bind, "--ro", &src_bind, "--env", &path,
        "--memory", "1G", "--time", "120s", "--", "sh", "-c", script, "sh",
    ];
    args.extend(flags.iter().map(String::as_str));
    let (code, stdout, stderr) = exec_raw(&args, b"");
    assert_eq!((code, stdout.as_str()), (0, "baked 42 42\n"), "{stderr}");

    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unknown_toolchain_is_refused_with_the_installed_ones() {
    let Some(_) = stable_toolchain() else { return };
    let store = temp_dir("unknown");
    let (code, stderr, _) = bake_cmd(&store, &["--toolchain", "0.0.1"]);
    assert_eq!(code, 125, "{stderr}");
    assert!(
        stderr.contains("toolchain \"0.0.1\" is not installed; installed: ")
            && stderr.contains("stable"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&store);
}

#[test]
fn an_inexact_crate_list_is_refused() {
    let dir = temp_dir("inexact");
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"x\"\nversion = \"0.1.0\"\n[dependencies]\nitoa = \"1\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("Cargo.lock"), "").unwrap();
    let (code, stderr, _) = bake_cmd(&dir.join("store"), &["--crates", dir.to_str().unwrap()]);
    assert_eq!(code, 125, "{stderr}");
    assert!(
        stderr.contains("itoa: version \"1\" is not exact"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
