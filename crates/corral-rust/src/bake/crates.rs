//! The crate list: a Cargo.toml of vetted crates at exact versions and its Cargo.lock.

use super::BakeError;
use sha2::{Digest, Sha256};
use std::fs;
use std::path::Path;

const BUILTIN_MANIFEST: &str = include_str!("../../../../vetted/Cargo.toml");
const BUILTIN_LOCK: &str = include_str!("../../../../vetted/Cargo.lock");

/// A crate list: a Cargo.toml whose `[dependencies]` are the vetted crates (exact
/// versions) and the Cargo.lock that pins everything else.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrateList {
    /// Where it came from, for messages.
    pub origin: String,
    pub(super) manifest: String,
    pub(super) lock: String,
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
        let list = CrateList {
            manifest: read(&manifest_path)?,
            lock: read(&lock_path)?,
            origin: origin.clone(),
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
        }
    }

    /// SHA-256 of Cargo.lock (its checksums pin every crate's contents).
    pub fn lock_hash(&self) -> String {
        sha256_hex(self.lock.as_bytes())
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
                        ]
                        .contains(&key.as_str())
                        {
                            return Err(bad(format!(
                                "{name}: key `{key}` is not allowed (crates.io crates only, not renamed, not optional)"
                            )));
                        }
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
        Ok(out)
    }
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
