//! Exposes `CORRAL_SOURCE_HASH`: a hash of the sources that shape a result (this
//! crate, the sandbox, the clock library, the harnesses), so that the memo key changes
//! with any build that could answer differently, not only with the crate version.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

fn main() {
    let roots = [
        "src",
        "../corral-sandbox/src",
        "../corral-vtime/src",
        "../../harnesses",
    ];
    let mut files = vec![];
    for root in roots {
        println!("cargo:rerun-if-changed={root}");
        walk(Path::new(root), &mut files);
    }
    files.sort();
    let mut hash = Sha256::new();
    for f in &files {
        hash.update(f.to_string_lossy().as_bytes());
        hash.update([0]);
        hash.update(std::fs::read(f).unwrap_or_default());
        hash.update([0]);
    }
    let hex: String = hash.finalize()[..12]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    println!("cargo:rustc-env=CORRAL_SOURCE_HASH={hex}");
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}
