//! What of a bake travels (`corral bake --export`): exactly what compiling with it
//! reads, and a `baked.json` that names no host path and no build time, so that the
//! same bake made in two stores exports the same files.

use super::manifest::{FORMAT, MANIFEST_FILE};
use super::{BAKE_MOUNT, BakeError, Baked, io_err};
use std::fs;
use std::path::{Path, PathBuf};

/// A bake's files, relative to its directory.
#[derive(Debug, PartialEq, Eq)]
pub struct Portable {
    /// The relocatable `baked.json`.
    pub manifest: String,
    /// Files to carry (besides `baked.json`), sorted.
    pub files: Vec<PathBuf>,
    /// Directories that must exist even when empty (`-L native=` ones), sorted.
    pub dirs: Vec<PathBuf>,
}

/// The parts of `baked` that user code needs: the rlibs (and shared objects) of the
/// target's `-L dependency=` directory; of the host's, the proc-macros (shared
/// objects, which rustc loads whole: the rlibs beside them are their dependencies and
/// the build scripts'); the shared library; the crate list's Cargo.toml and
/// Cargo.lock; the `-L native=` directories, empty (the rlibs hold the static
/// libraries their build scripts made). Not cargo's `.rmeta`, `.d`, fingerprints,
/// build-script outputs or incremental state.
pub fn portable(baked: &Baked) -> Result<Portable, BakeError> {
    let host_deps = super::build::deps_dirs(&baked.host, baked.mode)[1].clone();
    let root = &baked.store_mount.0;
    let rel = |inside: &Path| -> PathBuf {
        inside
            .strip_prefix(&baked.store_mount.1)
            .map(Path::to_path_buf)
            .unwrap_or_default()
    };
    let mut files = vec![
        PathBuf::from("vetted/Cargo.toml"),
        PathBuf::from("vetted/Cargo.lock"),
    ];
    for d in &baked.deps_dirs {
        let dir = rel(d);
        let host = root.join(&dir);
        for entry in fs::read_dir(&host).map_err(io_err("cannot read", &host))? {
            let entry = entry.map_err(io_err("cannot read", &host))?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let rlib = name.ends_with(".rlib") && *d != host_deps;
            let lib = name.starts_with("lib") && (rlib || name.ends_with(".so"));
            let regular = entry.file_type().is_ok_and(|t| t.is_file());
            if lib && regular {
                files.push(dir.join(name));
            }
        }
    }
    if let Some(shared) = &baked.shared {
        files.push(rel(shared));
    }
    files.sort();
    files.dedup();
    let mut dirs: Vec<PathBuf> = baked.native_dirs.iter().map(|d| rel(d)).collect();
    dirs.sort();
    dirs.dedup();
    let relocatable = Baked {
        store_mount: (PathBuf::new(), PathBuf::from(BAKE_MOUNT)),
        build_ms: 0,
        ..baked.clone()
    };
    let mut manifest = serde_json::to_string_pretty(&relocatable).unwrap_or_default();
    manifest.push('\n');
    Ok(Portable {
        manifest,
        files,
        dirs,
    })
}

/// Checks a bake directory that was just imported (before it is put in place): its
/// `baked.json` is of this corral's format and everything it names is inside it.
pub fn check_imported(dir: &Path) -> Result<Baked, BakeError> {
    let path = dir.join(MANIFEST_FILE);
    let text = fs::read_to_string(&path).map_err(io_err("cannot read", &path))?;
    let corrupt = |reason: String| BakeError::Corrupt {
        path: path.clone(),
        reason,
    };
    let mut baked: Baked = serde_json::from_str(&text).map_err(|e| corrupt(e.to_string()))?;
    if baked.format != FORMAT {
        return Err(corrupt(format!(
            "format {} (this corral reads format {FORMAT})",
            baked.format
        )));
    }
    baked.store_mount = (dir.to_path_buf(), PathBuf::from(BAKE_MOUNT));
    baked.validate().map_err(corrupt)?;
    Ok(baked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bake::test_support::temp_dir;
    use crate::bake::{BakeMode, build::deps_dirs};

    #[test]
    fn only_what_compiling_reads_travels() {
        let dir = temp_dir("portable");
        let [t, h] = deps_dirs("x86_64-unknown-linux-gnu", BakeMode::Debug);
        let host = |p: &Path| dir.join(p.strip_prefix(BAKE_MOUNT).unwrap());
        for (d, names) in [
            (
                &t,
                &["liba-1.rlib", "liba-1.rmeta", "liba-1.d", "libc-3.so"][..],
            ),
            (&h, &["libm-2.so", "libsyn-4.rlib", "build-script"][..]),
        ] {
            fs::create_dir_all(host(d)).unwrap();
            for n in names {
                fs::write(host(d).join(n), n).unwrap();
            }
        }
        std::os::unix::fs::symlink("/etc/passwd", host(&t).join("libz-9.rlib")).unwrap();
        fs::create_dir_all(dir.join("target/.fingerprint")).unwrap();
        fs::create_dir_all(dir.join("shared")).unwrap();
        fs::write(dir.join("shared/libcorral_vetted.so"), "so").unwrap();
        let baked = Baked {
            format: FORMAT,
            commit_hash: "c".into(),
            rustc_version: "1.95.0".into(),
            host: "x86_64-unknown-linux-gnu".into(),
            mode: BakeMode::Debug,
            lock_hash: "l".into(),
            manifest_hash: "m".into(),
            store_mount: (dir.clone(), BAKE_MOUNT.into()),
            deps_dirs: vec![t.clone(), h.clone()],
            native_dirs: vec!["/bake/target/debug/build/x/out".into()],
            externs: vec![("a".into(), t.join("liba-1.rlib"))],
            crates: vec![("a".into(), "1.0.0".into())],
            build_ms: 1234,
            shared: Some("/bake/shared/libcorral_vetted.so".into()),
        };
        let p = portable(&baked).unwrap();
        let files: Vec<String> = p.files.iter().map(|f| f.display().to_string()).collect();
        assert_eq!(
            files,
            [
                "shared/libcorral_vetted.so",
                "target/debug/deps/libm-2.so",
                "target/x86_64-unknown-linux-gnu/debug/deps/liba-1.rlib",
                "target/x86_64-unknown-linux-gnu/debug/deps/libc-3.so",
                "vetted/Cargo.lock",
                "vetted/Cargo.toml",
            ]
        );
        assert_eq!(p.dirs, [PathBuf::from("target/debug/build/x/out")]);
        assert!(!p.manifest.contains(dir.to_str().unwrap()));
        assert!(p.manifest.contains("\"build_ms\": 0"));
        let _ = fs::remove_dir_all(&dir);
    }
}
