//! Exposes `CORRAL_SOURCE_HASH`: a hash of the sources that shape a result (this
//! crate, the sandbox, the clock library, the harnesses), so that the memo key changes
//! with any build that could answer differently, not only with the crate version.
//! Also embeds the repository crates of the vetted list (`vetted/crates/`): writes
//! `$OUT_DIR/vetted_crates.rs`, a list of (path under `vetted/`, `include_str!`).

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
    embed_vetted_crates();
}

/// Every file under `vetted/crates/` (but `target/` directories), in path order.
fn embed_vetted_crates() {
    let vetted = Path::new("../../vetted");
    let root = vetted.join("crates");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = vec![];
    walk(&root, &mut files);
    let mut entries: Vec<(String, PathBuf)> = files
        .into_iter()
        .filter_map(|f| {
            let rel = f.strip_prefix(vetted).ok()?.to_str()?.to_string();
            let skip = rel.split('/').any(|c| c == "target" || c.starts_with('.'));
            (!skip).then(|| (rel, std::fs::canonicalize(&f).unwrap_or(f)))
        })
        .collect();
    entries.sort();
    let mut out = String::from("&[\n");
    for (rel, abs) in &entries {
        out.push_str(&format!(
            "    ({rel:?}, include_str!({:?})),\n",
            abs.display().to_string()
        ));
    }
    out.push_str("]\n");
    let dest = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("vetted_crates.rs");
    std::fs::write(dest, out).expect("write vetted_crates.rs");
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
