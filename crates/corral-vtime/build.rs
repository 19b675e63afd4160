//! Builds `src/vtime.c` into the shared library that `corral` preloads into programs
//! running with virtual time; `lib.rs` embeds the result.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    let src = "src/vtime.c";
    println!("cargo:rerun-if-changed={src}");
    println!("cargo:rerun-if-env-changed=CC");
    let out =
        PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR")).join("libcorral_vtime.so");
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let status = Command::new(&cc)
        .args([
            "-shared",
            "-fPIC",
            "-O2",
            "-std=gnu11",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-Wno-nonnull-compare",
            "-fvisibility=hidden",
            "-fno-stack-protector",
            "-o",
        ])
        .arg(&out)
        .arg(src)
        .args(["-ldl", "-pthread"])
        .status()
        .unwrap_or_else(|e| {
            panic!("cannot run the C compiler `{cc}` ({e}); install gcc or set CC")
        });
    assert!(status.success(), "`{cc}` failed to build {src}");
}
