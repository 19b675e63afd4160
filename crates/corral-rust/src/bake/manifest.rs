//! `baked.json`: the manifest of one bake, made from the build's artifacts, checked
//! when loaded, written atomically.

use super::build::{BuildLog, deps_dirs};
use super::fetch::Plan;
use super::{BAKE_MOUNT, BakeError, BakeMode, CrateList, io_err};
use crate::toolchain::Toolchain;
use corral_sandbox::Policy;
use serde::{Deserialize, Serialize};
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

/// The manifest of one bake, inside its bake directory.
pub const MANIFEST_FILE: &str = "baked.json";
/// Version of the `baked.json` format.
pub(super) const FORMAT: u32 = 1;

/// The manifest of one bake (`baked.json`). Paths are inside-sandbox paths, valid when
/// `store_mount.0` is bound read-only at `store_mount.1`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baked {
    pub format: u32,
    pub commit_hash: String,
    /// `rustc -vV`'s release of the toolchain that baked it.
    pub rustc_version: String,
    pub host: String,
    pub mode: BakeMode,
    /// SHA-256 of the crate list's Cargo.lock (with its repository crates' files, if
    /// any: [`CrateList::lock_hash`]) and of its Cargo.toml.
    pub lock_hash: String,
    pub manifest_hash: String,
    /// (host bake directory, its path in the sandbox). Set from where it was found.
    pub store_mount: (PathBuf, PathBuf),
    /// `-L dependency=` directories: the target's deps, then the host's (proc-macros).
    pub deps_dirs: Vec<PathBuf>,
    /// `-L native=` directories that build scripts asked for.
    pub native_dirs: Vec<PathBuf>,
    /// `--extern` crate name and rlib (or proc-macro library).
    pub externs: Vec<(String, PathBuf)>,
    /// The vetted crates (package name, version), for listings.
    pub crates: Vec<(String, String)>,
    /// How long the build took.
    pub build_ms: u64,
    /// Every vetted library crate linked into one shared object (`corral_vetted`),
    /// when the bake could make it.
    #[serde(default)]
    pub shared: Option<PathBuf>,
}

impl Baked {
    /// The rustc flags that make every vetted crate available to user code.
    pub fn rustc_flags(&self) -> Vec<String> {
        let mut flags = vec![];
        for d in &self.deps_dirs {
            flags.push("-L".into());
            flags.push(format!("dependency={}", d.display()));
        }
        for d in &self.native_dirs {
            flags.push("-L".into());
            flags.push(format!("native={}", d.display()));
        }
        for (name, path) in &self.externs {
            flags.push("--extern".into());
            flags.push(format!("{name}={}", path.display()));
        }
        flags
    }

    /// Binds the bake read-only where its paths point.
    pub fn bind(&self, policy: &mut Policy) {
        policy.bind(&self.store_mount.0, &self.store_mount.1, false);
    }

    /// The host path of an inside-sandbox path of this bake.
    pub fn host_path(&self, inside: &Path) -> Option<PathBuf> {
        inside
            .strip_prefix(&self.store_mount.1)
            .ok()
            .map(|rest| self.store_mount.0.join(rest))
    }

    /// Everything points inside the bake, at files that are there; names are crate names.
    pub(super) fn validate(&self) -> Result<(), String> {
        let mount = &self.store_mount.1;
        let root = fs::canonicalize(&self.store_mount.0)
            .map_err(|e| format!("{}: {e}", self.store_mount.0.display()))?;
        let inside = |p: &Path| -> Result<PathBuf, String> {
            let clean = p.is_absolute()
                && p.components()
                    .skip(1)
                    .all(|c| matches!(c, Component::Normal(_)));
            if !clean || !p.starts_with(mount) {
                return Err(format!("{} is not inside {}", p.display(), mount.display()));
            }
            let host = self.host_path(p).unwrap_or_default();
            let real = fs::canonicalize(&host).map_err(|e| format!("{}: {e}", host.display()))?;
            if !real.starts_with(&root) {
                return Err(format!("{} leaves the bake", p.display()));
            }
            Ok(real)
        };
        if self.deps_dirs.is_empty() {
            return Err("no dependency directory".into());
        }
        for d in self.deps_dirs.iter().chain(&self.native_dirs) {
            if !inside(d)?.is_dir() {
                return Err(format!("{} is not a directory", d.display()));
            }
        }
        if let Some(shared) = &self.shared {
            let name = format!("lib{}.so", super::build::SHARED_CRATE);
            if shared.file_name().and_then(|f| f.to_str()) != Some(name.as_str())
                || !inside(shared)?.is_file()
            {
                return Err(format!("{} is not the shared library", shared.display()));
            }
        }
        for (name, path) in &self.externs {
            let ident = !name.is_empty()
                && !name.starts_with(|c: char| c.is_ascii_digit())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !ident {
                return Err(format!("{name:?} is not a crate name"));
            }
            let file = path.file_name().and_then(|f| f.to_str()).unwrap_or("");
            if !file.starts_with("lib") || !(file.ends_with(".rlib") || file.ends_with(".so")) {
                return Err(format!("{} is not a library", path.display()));
            }
            if !self.deps_dirs.iter().any(|d| path.parent() == Some(d)) {
                return Err(format!("{} is outside the deps dirs", path.display()));
            }
            if !inside(path)?.is_file() {
                return Err(format!("{} is not a file", path.display()));
            }
        }
        Ok(())
    }
}

/// The manifest from the build's artifacts: one library per direct dependency.
pub(super) fn assemble(
    log: &BuildLog,
    plan: &Plan,
    toolchain: &Toolchain,
    mode: BakeMode,
    list: &CrateList,
    crates: Vec<(String, String)>,
) -> Result<Baked, String> {
    let [target_deps, host_deps] = deps_dirs(&toolchain.host, mode);
    let mut externs = vec![];
    for (name, pkg, pname, version) in &plan.direct {
        let mut found = None;
        for (_, kinds, files) in log.artifacts.iter().filter(|a| &a.0 == pkg) {
            let proc_macro = kinds.iter().any(|k| k == "proc-macro");
            let lib = proc_macro || kinds.iter().any(|k| k == "lib" || k == "rlib");
            if !lib {
                continue;
            }
            let (ext, dir) = if proc_macro {
                ("so", &host_deps)
            } else {
                ("rlib", &target_deps)
            };
            found = files
                .iter()
                .find(|f| {
                    f.extension().is_some_and(|e| e == ext) && f.parent() == Some(dir.as_path())
                })
                .cloned();
            if found.is_some() {
                break;
            }
        }
        let path = found.ok_or_else(|| format!("cargo built no library for {pname} {version}"))?;
        externs.push((name.clone(), path));
    }
    externs.sort();
    let native_dirs = log
        .linked_paths
        .iter()
        .filter_map(|p| {
            let path = p.split_once('=').map(|(_, p)| p).unwrap_or(p);
            Path::new(path)
                .starts_with(BAKE_MOUNT)
                .then(|| PathBuf::from(path))
        })
        .collect();
    Ok(Baked {
        format: FORMAT,
        commit_hash: toolchain.commit_hash.clone(),
        rustc_version: toolchain.version.clone(),
        host: toolchain.host.clone(),
        mode,
        lock_hash: list.lock_hash(),
        manifest_hash: list.manifest_hash(),
        store_mount: (PathBuf::new(), PathBuf::from(BAKE_MOUNT)),
        deps_dirs: vec![target_deps, host_deps],
        native_dirs,
        externs,
        crates,
        build_ms: 0,
        shared: None,
    })
}

/// Creates a file that must not exist yet (O_EXCL: a planted link is not followed).
pub(super) fn write_new(path: &Path, text: &str) -> io::Result<()> {
    let mut f = fs::File::options()
        .write(true)
        .create_new(true)
        .open(path)?;
    io::Write::write_all(&mut f, text.as_bytes())?;
    f.sync_all()
}

/// Temp file + rename, so that readers see the old manifest or the new one.
pub(super) fn write_atomically(path: &Path, text: &str) -> Result<(), BakeError> {
    let tmp = path.with_extension(format!("json.tmp-{}", std::process::id()));
    let _ = fs::remove_file(&tmp);
    write_new(&tmp, text).map_err(io_err("cannot write", &tmp))?;
    fs::rename(&tmp, path).map_err(io_err("cannot rename onto", path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bake::test_support::{fake_toolchain, temp_dir};

    fn artifact(pkg: &str, kind: &str, files: &[&str]) -> String {
        serde_json::json!({
            "reason": "compiler-artifact",
            "package_id": format!("registry+https://github.com/rust-lang/crates.io-index#{pkg}"),
            "target": {"kind": [kind], "name": "x"},
            "filenames": files,
        })
        .to_string()
    }

    #[test]
    fn artifacts_of_direct_dependencies_become_externs() {
        let id = |pkg: &str| format!("registry+https://github.com/rust-lang/crates.io-index#{pkg}");
        let plan = Plan {
            direct: vec![
                (
                    "cfg_if".into(),
                    id("cfg-if@1.0.4"),
                    "cfg-if".into(),
                    "1.0.4".into(),
                ),
                (
                    "paste".into(),
                    id("paste@1.0.15"),
                    "paste".into(),
                    "1.0.15".into(),
                ),
            ],
            packages: 3,
        };
        let t = "/bake/target/x86_64-unknown-linux-gnu/debug/deps";
        let mut log = BuildLog::default();
        for line in [
            // The same package built for build scripts too: the target's copy wins.
            artifact(
                "cfg-if@1.0.4",
                "lib",
                &["/bake/target/debug/deps/libcfg_if-1.rlib"],
            ),
            artifact(
                "cfg-if@1.0.4",
                "lib",
                &[&format!("{t}/libcfg_if-2.rlib"), &format!("{t}/libcfg_if-2.rmeta")],
            ),
            artifact("paste@1.0.15", "custom-build", &["/bake/target/debug/build/p/build-script-build"]),
            artifact("paste@1.0.15", "proc-macro", &["/bake/target/debug/deps/libpaste-3.so"]),
            r#"{"reason":"build-script-executed","package_id":"p","linked_paths":["native=/bake/target/debug/build/s/out","native=/usr/lib"]}"#.to_string(),
            "not json".to_string(),
        ] {
            log.take_line(&line);
        }
        let list = CrateList::from_texts("t", "m", "l");
        let baked = assemble(
            &log,
            &plan,
            &fake_toolchain(),
            BakeMode::Debug,
            &list,
            vec![],
        )
        .unwrap();
        assert_eq!(
            baked.rustc_flags(),
            [
                "-L",
                &format!("dependency={t}"),
                "-L",
                "dependency=/bake/target/debug/deps",
                "-L",
                "native=/bake/target/debug/build/s/out",
                "--extern",
                &format!("cfg_if={t}/libcfg_if-2.rlib"),
                "--extern",
                "paste=/bake/target/debug/deps/libpaste-3.so",
            ]
        );
        let empty = BuildLog::default();
        let err = assemble(
            &empty,
            &plan,
            &fake_toolchain(),
            BakeMode::Debug,
            &list,
            vec![],
        );
        assert_eq!(err.unwrap_err(), "cargo built no library for cfg-if 1.0.4");
    }

    #[test]
    fn links_planted_by_a_build_are_not_written_through() {
        let root = temp_dir("planted");
        let victim = root.join("victim");
        fs::write(&victim, "host file").unwrap();
        let manifest = root.join(MANIFEST_FILE);
        let tmp = manifest.with_extension(format!("json.tmp-{}", std::process::id()));
        std::os::unix::fs::symlink(&victim, &tmp).unwrap();
        std::os::unix::fs::symlink(&victim, &manifest).unwrap();
        write_atomically(&manifest, "{}").unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "host file");
        assert_eq!(fs::read_to_string(&manifest).unwrap(), "{}");
        assert!(!fs::symlink_metadata(&manifest).unwrap().is_symlink());
        let _ = fs::remove_dir_all(&root);
    }
}
