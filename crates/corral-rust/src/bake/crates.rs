//! The crate list: a Cargo.toml of vetted crates at exact versions and its Cargo.lock,
//! with the files of its repository crates (`crates/<name>/` next to the Cargo.toml).

use super::BakeError;
use sha2::{Digest, Sha256};
use std::fs;
use std::path::Path;

const BUILTIN_MANIFEST: &str = include_str!("../../../../vetted/Cargo.toml");
const BUILTIN_LOCK: &str = include_str!("../../../../vetted/Cargo.lock");
/// The files of `vetted/crates/` (path under `vetted/`, text), written by `build.rs`.
const BUILTIN_LOCAL: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/vetted_crates.rs"));

/// Where the repository crates of a list live, next to its Cargo.toml.
pub(super) const LOCAL_DIR: &str = "crates";
/// A crate list: a Cargo.toml whose `[dependencies]` are the vetted crates (exact
/// versions) and the Cargo.lock that pins everything else, with the files of the
/// repository crates it names (`{ path = "crates/<name>", version = "=x.y.z" }`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrateList {
    /// Where it came from, for messages.
    pub origin: String,
    pub(super) manifest: String,
    pub(super) lock: String,
    /// Every file under `crates/` (path relative to the list's directory, text), sorted.
    pub(super) local: Vec<(String, String)>,
}

/// The baked crate that a compiler error line says is missing, if any: `rand` in
/// ``error[E0432]: unresolved import `rand` `` (or E0433, E0463). The code used one of
/// the built-in vetted crates, so what it lacks is a bake, not a fix.
pub fn missing_vetted_crate(line: &str) -> Option<String> {
    static NAMES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    if !["[E0432]", "[E0433]", "[E0463]"]
        .iter()
        .any(|c| line.contains(c))
    {
        return None;
    }
    let names = NAMES.get_or_init(|| {
        CrateList::builtin()
            .crates()
            .unwrap_or_default()
            .into_iter()
            .map(|(name, _)| name.replace('-', "_"))
            .collect()
    });
    // The first `…` span: a path whose first segment is the crate.
    let quoted = line.split('`').nth(1)?;
    let first = quoted.split("::").next()?.trim();
    names.iter().find(|n| *n == first).cloned()
}

impl CrateList {
    /// The list built into corral: `vetted/` of the repository.
    pub fn builtin() -> CrateList {
        CrateList {
            origin: "built-in vetted/Cargo.toml".into(),
            manifest: BUILTIN_MANIFEST.into(),
            lock: BUILTIN_LOCK.into(),
            local: BUILTIN_LOCAL
                .iter()
                .map(|(p, t)| (p.to_string(), t.to_string()))
                .collect(),
        }
    }

    /// A directory holding Cargo.toml and Cargo.lock, or the path of that Cargo.toml.
    pub fn from_path(path: &Path) -> Result<CrateList, BakeError> {
        let dir = if path.is_dir() {
            path
        } else {
            path.parent().unwrap_or(Path::new("."))
        };
        let manifest_path = if path.is_dir() {
            path.join("Cargo.toml")
        } else {
            path.to_path_buf()
        };
        let lock_path = dir.join("Cargo.lock");
        let origin = manifest_path.display().to_string();
        let read = |p: &Path| {
            fs::read_to_string(p).map_err(|e| BakeError::CrateList {
                origin: origin.clone(),
                reason: format!("cannot read {}: {e}", p.display()),
            })
        };
        let mut local = vec![];
        read_tree(dir, Path::new(LOCAL_DIR), &mut local).map_err(|e| BakeError::CrateList {
            origin: origin.clone(),
            reason: format!("cannot read {}: {e}", dir.join(LOCAL_DIR).display()),
        })?;
        local.sort();
        let list = CrateList {
            manifest: read(&manifest_path)?,
            lock: read(&lock_path)?,
            origin: origin.clone(),
            local,
        };
        list.crates()?;
        Ok(list)
    }

    /// A list from texts (tests, configuration).
    pub fn from_texts(origin: &str, manifest: &str, lock: &str) -> CrateList {
        CrateList {
            origin: origin.into(),
            manifest: manifest.into(),
            lock: lock.into(),
            local: vec![],
        }
    }

    /// This list with repository crate files (path under the list's directory, text).
    pub fn with_local_files(mut self, files: &[(&str, &str)]) -> CrateList {
        self.local = files
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect();
        self.local.sort();
        self
    }

    /// SHA-256 of what is built: Cargo.lock (its checksums pin every registry crate's
    /// contents) and, when there are repository crates, each of their files (path and
    /// text). A list without them hashes its lock alone.
    pub fn lock_hash(&self) -> String {
        if self.local.is_empty() {
            return sha256_hex(self.lock.as_bytes());
        }
        let mut h = Sha256::new();
        h.update(self.lock.as_bytes());
        for (path, text) in &self.local {
            h.update([0]);
            h.update(path.as_bytes());
            h.update([0]);
            h.update((text.len() as u64).to_le_bytes());
            h.update(text.as_bytes());
        }
        format!("{:x}", h.finalize())
    }

    /// The repository crates' files, to copy next to the list's Cargo.toml.
    pub(super) fn local_files(&self) -> &[(String, String)] {
        &self.local
    }

    /// SHA-256 of Cargo.toml (features are not in the lock).
    pub fn manifest_hash(&self) -> String {
        sha256_hex(self.manifest.as_bytes())
    }

    /// The vetted crates and their exact versions, checked: registry crates only, each
    /// with `=x.y.z`, not renamed (so one version per crate name), not optional.
    pub fn crates(&self) -> Result<Vec<(String, String)>, BakeError> {
        let bad = |reason: String| BakeError::CrateList {
            origin: self.origin.clone(),
            reason,
        };
        let doc: toml::Table = toml::from_str(&self.manifest).map_err(|e| bad(e.to_string()))?;
        for section in ["target", "build-dependencies", "patch", "replace"] {
            if doc.contains_key(section) {
                return Err(bad(format!(
                    "[{section}] is not allowed: list every crate under [dependencies]"
                )));
            }
        }
        let deps = doc
            .get("dependencies")
            .and_then(|d| d.as_table())
            .ok_or_else(|| bad("no [dependencies] table".into()))?;
        if deps.is_empty() {
            return Err(bad("[dependencies] is empty".into()));
        }
        let mut out = vec![];
        let mut repository = vec![];
        for (name, spec) in deps {
            let version = match spec {
                toml::Value::String(v) => v.clone(),
                toml::Value::Table(t) => {
                    for key in t.keys() {
                        if ![
                            "version",
                            "features",
                            "default-features",
                            "default_features",
                            "path",
                        ]
                        .contains(&key.as_str())
                        {
                            return Err(bad(format!(
                                "{name}: key `{key}` is not allowed (crates.io or repository crates only, not renamed, not optional)"
                            )));
                        }
                    }
                    if let Some(path) = t.get("path") {
                        let want = format!("{LOCAL_DIR}/{name}");
                        if path.as_str() != Some(want.as_str()) {
                            return Err(bad(format!(
                                "{name}: a repository crate's path must be \"{want}\""
                            )));
                        }
                        repository.push(name.clone());
                    }
                    t.get("version")
                        .and_then(|v| v.as_str())
                        .ok_or_else(|| bad(format!("{name}: no version")))?
                        .to_string()
                }
                _ => return Err(bad(format!("{name}: expected a version or a table"))),
            };
            let exact = version.strip_prefix('=').map(str::trim).filter(|v| {
                let core = v.split(['-', '+']).next().unwrap_or("");
                core.split('.').count() == 3
                    && core
                        .split('.')
                        .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
            });
            match exact {
                Some(v) => out.push((name.clone(), v.to_string())),
                None => {
                    return Err(bad(format!(
                        "{name}: version {version:?} is not exact: write \"=x.y.z\""
                    )));
                }
            }
        }
        for name in &repository {
            self.check_repository_crate(name, deps, &out)
                .map_err(|reason| bad(format!("{name} ({LOCAL_DIR}/{name}): {reason}")))?;
        }
        Ok(out)
    }

    /// A repository crate's own manifest: its name and version are the list's, it has
    /// no build script, and its dependencies are registry crates of the list at the
    /// list's versions, so that nothing unvetted comes with it.
    fn check_repository_crate(
        &self,
        name: &str,
        deps: &toml::Table,
        crates: &[(String, String)],
    ) -> Result<(), String> {
        let manifest_path = format!("{LOCAL_DIR}/{name}/Cargo.toml");
        let text = self
            .local
            .iter()
            .find(|(p, _)| *p == manifest_path)
            .map(|(_, t)| t)
            .ok_or("its Cargo.toml is missing")?;
        let doc: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
        for section in [
            "target",
            "build-dependencies",
            "build_dependencies",
            "patch",
            "replace",
            "workspace",
        ] {
            if doc.contains_key(section) {
                return Err(format!("[{section}] is not allowed"));
            }
        }
        let package = doc
            .get("package")
            .and_then(|p| p.as_table())
            .ok_or("no [package]")?;
        if package.get("name").and_then(|n| n.as_str()) != Some(name) {
            return Err(format!("its package name is not {name:?}"));
        }
        let version = crates
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        if package.get("version").and_then(|v| v.as_str()) != Some(version) {
            return Err(format!("its package version is not {version}"));
        }
        if package.contains_key("build")
            || self
                .local
                .iter()
                .any(|(p, _)| *p == format!("{LOCAL_DIR}/{name}/build.rs"))
        {
            return Err("a build script is not allowed".into());
        }
        let own = doc.get("dependencies").and_then(|d| d.as_table());
        for (dep, spec) in own.into_iter().flatten() {
            let listed = deps.get(dep).filter(|s| s.get("path").is_none());
            let version_of = |s: &toml::Value| -> Option<String> {
                match s {
                    toml::Value::String(v) => Some(v.clone()),
                    toml::Value::Table(t) => t.get("version")?.as_str().map(String::from),
                    _ => None,
                }
            };
            let allowed = match spec {
                toml::Value::String(_) => true,
                toml::Value::Table(t) => t.keys().all(|k| {
                    [
                        "version",
                        "features",
                        "default-features",
                        "default_features",
                    ]
                    .contains(&k.as_str())
                }),
                _ => false,
            };
            if !allowed || listed.is_none() || listed.and_then(version_of) != version_of(spec) {
                return Err(format!(
                    "dependency {dep}: only the list's registry crates, at the list's exact versions"
                ));
            }
        }
        Ok(())
    }
}

/// Every file under `dir/rel` (recursively, but `target/` and hidden entries) as
/// (path relative to `dir`, text). A missing directory holds nothing.
fn read_tree(dir: &Path, rel: &Path, out: &mut Vec<(String, String)>) -> std::io::Result<()> {
    let entries = match fs::read_dir(dir.join(rel)) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') || name == "target" {
            continue;
        }
        let path = rel.join(&*name);
        let kind = entry.file_type()?;
        if kind.is_dir() {
            read_tree(dir, &path, out)?;
        } else if kind.is_file() {
            let text = fs::read_to_string(dir.join(&path))?;
            out.push((path.to_string_lossy().into_owned(), text));
        }
    }
    Ok(())
}

pub(super) fn sha256_hex(data: &[u8]) -> String {
    format!("{:x}", Sha256::digest(data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_list_is_exact_and_complete() {
        let crates = CrateList::builtin().crates().unwrap();
        let names: Vec<&str> = crates.iter().map(|(n, _)| n.as_str()).collect();
        for want in [
            "rocket",
            "rocket_dyn_templates",
            "rocket_db_pools",
            "rocket_ws",
            "figment",
            "tokio",
            "serde",
            "serde_json",
            "rand",
            "regex",
            "itertools",
            "libc",
            "anyhow",
            "thiserror",
            "chrono",
            "plotters",
            "base64",
            "rocket_docs_tests",
        ] {
            assert!(names.contains(&want), "{want} missing from {names:?}");
        }
        let lock = CrateList::builtin().lock;
        for (name, version) in &crates {
            assert!(
                lock.contains(&format!("name = \"{name}\"\nversion = \"{version}\"\n")),
                "{name} {version} is not in Cargo.lock: run `cargo update` in vetted/"
            );
        }
    }

    #[test]
    fn inexact_renamed_or_local_crates_are_refused() {
        let check = |deps: &str| {
            CrateList::from_texts("t", &format!("[package]\nname='x'\n{deps}"), "").crates()
        };
        assert!(check("[dependencies]\nitoa = \"=1.0.15\"").is_ok());
        assert!(check("[dependencies]\nitoa = { version = \"=1.0.15\", features = [] }").is_ok());
        for bad in [
            "[dependencies]\nitoa = \"1.0.15\"",
            "[dependencies]\nitoa = \"=1.0\"",
            "[dependencies]\nitoa = \"=1.0.*\"",
            "[dependencies]\nitoa2 = { version = \"=1.0.15\", package = \"itoa\" }",
            "[dependencies]\nitoa = { path = \"../itoa\" }",
            "[dependencies]\nitoa = { version = \"=1.0.15\", optional = true }",
            "[dependencies]\n",
            "[target.'cfg(unix)'.dependencies]\nitoa = \"=1.0.15\"",
        ] {
            let err = check(bad).unwrap_err().to_string();
            assert!(err.starts_with("crate list t: "), "{bad}: {err}");
        }
    }

    #[test]
    fn repository_crates_are_checked_and_hashed() {
        let manifest = "[package]\nname='x'\n[dependencies]\nitoa = \"=1.0.15\"\nhelp = { path = \"crates/help\", version = \"=0.1.0\" }\n";
        let own = |deps: &str| {
            format!("[package]\nname = \"help\"\nversion = \"0.1.0\"\n[dependencies]\n{deps}")
        };
        let with = |files: &[(&str, &str)]| {
            CrateList::from_texts("t", manifest, "lock").with_local_files(files)
        };
        let good = own("itoa = \"=1.0.15\"");
        let list = with(&[
            ("crates/help/Cargo.toml", &good),
            ("crates/help/src/lib.rs", ""),
        ]);
        assert_eq!(
            list.crates().unwrap(),
            [
                ("help".into(), "0.1.0".into()),
                ("itoa".into(), "1.0.15".into())
            ]
        );
        // The files are part of the hash; a list without any hashes its lock alone.
        let edited = with(&[
            ("crates/help/Cargo.toml", &good),
            ("crates/help/src/lib.rs", "//"),
        ]);
        assert_ne!(list.lock_hash(), edited.lock_hash());
        assert_ne!(
            list.lock_hash(),
            CrateList::from_texts("t", manifest, "lock").lock_hash()
        );
        assert_eq!(
            CrateList::from_texts("t", manifest, "lock").lock_hash(),
            sha256_hex(b"lock")
        );
        let bad_manifest = own("itoa = \"=1.0.14\"");
        let unvetted = own("ryu = \"=1.0.20\"");
        let elsewhere = own("itoa = { path = \"../itoa\" }");
        let renamed = own("").replace("help", "other");
        let build = format!("{good}[build-dependencies]\ncc = \"=1.0.0\"\n");
        for files in [
            vec![],
            vec![("crates/help/Cargo.toml", bad_manifest.as_str())],
            vec![("crates/help/Cargo.toml", unvetted.as_str())],
            vec![("crates/help/Cargo.toml", elsewhere.as_str())],
            vec![("crates/help/Cargo.toml", renamed.as_str())],
            vec![("crates/help/Cargo.toml", build.as_str())],
            vec![
                ("crates/help/Cargo.toml", &good),
                ("crates/help/build.rs", ""),
            ],
        ] {
            let err = with(&files).crates().unwrap_err().to_string();
            assert!(err.contains("help (crates/help): "), "{files:?}: {err}");
        }
        let outside = manifest.replace("crates/help", "vendor/help");
        let err = CrateList::from_texts("t", &outside, "")
            .crates()
            .unwrap_err();
        assert!(err.to_string().contains("must be \"crates/help\""), "{err}");
    }

    #[test]
    fn the_builtin_list_carries_its_repository_crates() {
        let list = CrateList::builtin();
        assert!(
            list.local
                .iter()
                .any(|(p, _)| p == "crates/rocket_docs_tests/src/lib.rs"),
            "{:?}",
            list.local.iter().map(|(p, _)| p).collect::<Vec<_>>()
        );
        let from_disk =
            CrateList::from_path(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../vetted"))
                .unwrap();
        assert_eq!(from_disk.lock_hash(), list.lock_hash());
    }

    #[test]
    fn a_missing_baked_crate_is_named_and_nothing_else_is() {
        for (line, want) in [
            ("error[E0432]: unresolved import `rand`", Some("rand")),
            (
                "error[E0433]: cannot find module or crate `tokio` in this scope",
                Some("tokio"),
            ),
            (
                "error[E0463]: can't find crate for `serde_json`",
                Some("serde_json"),
            ),
            ("error[E0432]: unresolved import `rand::Rng`", Some("rand")),
            // Not a vetted crate, or not that kind of error.
            ("error[E0432]: unresolved import `nonesuch`", None),
            ("error[E0425]: cannot find value `rand` in this scope", None),
            ("error[E0432]: unresolved import", None),
        ] {
            assert_eq!(missing_vetted_crate(line).as_deref(), want, "{line}");
        }
    }
}
