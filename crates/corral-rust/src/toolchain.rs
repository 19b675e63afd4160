//! Toolchains: what rustup has installed, and which one a request names.

use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::Command;

/// One installed toolchain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Toolchain {
    /// rustup's name, e.g. `stable-x86_64-unknown-linux-gnu` or `1.95.0-x86_64-unknown-linux-gnu`.
    pub name: String,
    /// `stable`, `beta`, `nightly`, or the pinned version for a pinned toolchain.
    pub channel: String,
    /// `rustc -vV`'s release, e.g. `1.95.0` or `1.97.0-nightly`.
    pub version: String,
    pub commit_hash: String,
    pub commit_date: String,
    pub host: String,
    /// The toolchain directory (bound read-only into the sandbox at [`TOOLCHAIN_MOUNT`]).
    #[serde(skip)]
    pub path: PathBuf,
    /// Installed tools and targets (rustfmt, clippy, rust-src …; x86_64-unknown-linux-gnu …).
    pub components: Vec<String>,
    pub targets: Vec<String>,
}

/// Where a toolchain appears inside the sandbox.
pub const TOOLCHAIN_MOUNT: &str = "/toolchain";

#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq, serde::Deserialize, Serialize)]
pub enum ToolchainError {
    #[error("toolchain {asked:?} is not installed; installed: {}", installed.join(", "))]
    NotInstalled {
        asked: String,
        installed: Vec<String>,
    },
    #[error("no Rust toolchain found: install one with rustup (looked in {0})")]
    NoneFound(String),
}

/// The rustup home: `$RUSTUP_HOME`, else `~/.rustup`.
pub fn rustup_home() -> PathBuf {
    if let Some(h) = std::env::var_os("RUSTUP_HOME") {
        return PathBuf::from(h);
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/root"));
    home.join(".rustup")
}

/// Every toolchain under `<rustup home>/toolchains` that has a working rustc.
pub fn discover(rustup_home: &Path) -> Vec<Toolchain> {
    let Ok(entries) = std::fs::read_dir(rustup_home.join("toolchains")) else {
        return vec![];
    };
    let mut found: Vec<Toolchain> = entries
        .flatten()
        .filter_map(|e| inspect(&e.path()))
        .collect();
    found.sort_by(|a, b| a.name.cmp(&b.name));
    found
}

/// `rustc -vV`'s output, remembered per rustc binary: running three compilers at
/// every `corral run` cost 30 ms. The cache entry is named by the binary's path and
/// keyed by its inode, size and modification time, so a toolchain that rustup
/// replaces is asked again; an unwritable cache only means asking every time.
fn version_text(rustc: &Path) -> Option<String> {
    use sha2::{Digest, Sha256};
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(rustc).ok()?;
    let key = format!(
        "{} {} {} {}.{}\n",
        meta.dev(),
        meta.ino(),
        meta.size(),
        meta.mtime(),
        meta.mtime_nsec()
    );
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .map(|c| {
            let name = Sha256::digest(rustc.as_os_str().as_encoded_bytes());
            let name: String = name[..8].iter().map(|b| format!("{b:02x}")).collect();
            c.join("corral/rustc-version").join(name)
        });
    if let Some(text) = cache
        .as_ref()
        .and_then(|c| std::fs::read_to_string(c).ok())
        .and_then(|t| t.strip_prefix(&key).map(String::from))
    {
        return Some(text);
    }
    let out = Command::new(rustc).arg("-vV").env_clear().output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if let Some(c) = cache
        && let Some(parent) = c.parent()
        && std::fs::create_dir_all(parent).is_ok()
    {
        let tmp = c.with_extension(format!("tmp{}", std::process::id()));
        if std::fs::write(&tmp, format!("{key}{text}")).is_ok() {
            let _ = std::fs::rename(&tmp, &c);
        }
    }
    Some(text)
}

fn inspect(dir: &Path) -> Option<Toolchain> {
    let name = dir.file_name()?.to_str()?.to_string();
    let text = version_text(&dir.join("bin/rustc"))?;
    let field = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key))
            .map(|v| v.trim().to_string())
    };
    let version = field("release:")?;
    let host = field("host:")?;
    let channel = match name.split('-').next()? {
        c @ ("stable" | "beta" | "nightly") => c.to_string(),
        other => other.to_string(),
    };
    let lib = dir.join("lib/rustlib");
    let components = std::fs::read_to_string(lib.join("components"))
        .map(|s| {
            s.lines()
                .map(|l| l.trim().to_string())
                .filter(|l| !l.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let targets = std::fs::read_dir(&lib)
        .map(|it| {
            let mut t: Vec<String> = it
                .flatten()
                .filter(|e| e.path().join("lib").is_dir())
                .filter_map(|e| e.file_name().to_str().map(String::from))
                .collect();
            t.sort();
            t
        })
        .unwrap_or_default();
    Some(Toolchain {
        name,
        channel,
        version,
        commit_hash: field("commit-hash:").unwrap_or_default(),
        commit_date: field("commit-date:").unwrap_or_default(),
        host,
        path: dir.to_path_buf(),
        components,
        targets,
    })
}

/// The toolchain a request names: `stable`, `beta`, `nightly` or a version like `1.95.0`.
pub fn resolve<'a>(
    installed: &'a [Toolchain],
    asked: &str,
) -> Result<&'a Toolchain, ToolchainError> {
    let by_channel = installed
        .iter()
        .find(|t| t.channel == asked || t.name == asked);
    by_channel.ok_or_else(|| ToolchainError::NotInstalled {
        asked: asked.to_string(),
        installed: installed.iter().map(|t| t.channel.clone()).collect(),
    })
}

impl Toolchain {
    /// The standard library as a shared object (`lib/rustlib/<host>/lib/libstd-*.so`),
    /// when the toolchain ships one: a throwaway program links it dynamically, which
    /// saves most of hello world's link time.
    pub fn std_dylib(&self) -> Option<PathBuf> {
        let dir = self.path.join("lib/rustlib").join(&self.host).join("lib");
        let mut found = std::fs::read_dir(dir)
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("libstd-") && n.ends_with(".so"))
            });
        // Exactly one, or we would not know which one rustc links.
        match (found.next(), found.next()) {
            (Some(one), None) => Some(one),
            _ => None,
        }
    }

    /// The versions of the installed tools among `tools` (`rustfmt`, `clippy`,
    /// `miri` …), as rustup's channel manifest in the toolchain records them: read from
    /// the file, never by running a tool. Tools not installed or not recorded are left out.
    pub fn tool_versions(&self, tools: &[&str]) -> Vec<(String, String)> {
        let path = self
            .path
            .join("lib/rustlib/multirust-channel-manifest.toml");
        let Ok(text) = std::fs::read_to_string(path) else {
            return vec![];
        };
        let Ok(doc) = text.parse::<toml::Table>() else {
            return vec![];
        };
        tools
            .iter()
            .filter(|t| self.has(t))
            .filter_map(|t| Some((t.to_string(), manifest_version(&doc, t)?)))
            .collect()
    }

    /// Whether a component (rustfmt, clippy, …) is installed.
    pub fn has(&self, component: &str) -> bool {
        self.components
            .iter()
            .any(|c| c == component || c.starts_with(&format!("{component}-")))
    }
}

/// `[pkg.<tool>-preview] version` (or `[pkg.<tool>]`) of a channel manifest.
fn manifest_version(doc: &toml::Table, tool: &str) -> Option<String> {
    let pkg = doc.get("pkg")?.as_table()?;
    let entry = pkg
        .get(&format!("{tool}-preview"))
        .or_else(|| pkg.get(tool))?;
    let version = entry.get("version")?.as_str()?.trim();
    (!version.is_empty()).then(|| version.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_versions_come_from_the_channel_manifest() {
        let manifest = "manifest-version = \"2\"\n[pkg.rustfmt-preview]\nversion = \"1.9.0-nightly\"\n\
            [pkg.rustfmt-preview.target.x86_64-unknown-linux-gnu]\navailable = true\n\
            [pkg.miri-preview]\nversion = \"\"\n[pkg.cargo]\nversion = \"1.95.0\"\n";
        let doc: toml::Table = manifest.parse().unwrap();
        assert_eq!(
            manifest_version(&doc, "rustfmt").as_deref(),
            Some("1.9.0-nightly")
        );
        assert_eq!(manifest_version(&doc, "cargo").as_deref(), Some("1.95.0"));
        assert_eq!(manifest_version(&doc, "miri"), None);
        assert_eq!(manifest_version(&doc, "clippy"), None);
        for t in discover(&rustup_home()) {
            let found = t.tool_versions(&["rustfmt", "clippy"]);
            assert_eq!(
                found.len(),
                usize::from(t.has("rustfmt")) + usize::from(t.has("clippy")),
                "{t:?}: {found:?}"
            );
        }
    }

    fn fake(channel: &str) -> Toolchain {
        Toolchain {
            name: format!("{channel}-x86_64-unknown-linux-gnu"),
            channel: channel.into(),
            version: "1.95.0".into(),
            commit_hash: "abc".into(),
            commit_date: "2026-04-14".into(),
            host: "x86_64-unknown-linux-gnu".into(),
            path: PathBuf::new(),
            components: vec![
                "rustc-x86_64-unknown-linux-gnu".into(),
                "rustfmt-preview-x86_64-unknown-linux-gnu".into(),
            ],
            targets: vec![],
        }
    }

    #[test]
    fn channels_and_versions_resolve_and_unknown_ones_list_what_is_installed() {
        let installed = vec![fake("1.95.0"), fake("nightly"), fake("stable")];
        assert_eq!(resolve(&installed, "stable").unwrap().channel, "stable");
        assert_eq!(resolve(&installed, "1.95.0").unwrap().channel, "1.95.0");
        let err = resolve(&installed, "beta").unwrap_err();
        assert_eq!(
            err.to_string(),
            "toolchain \"beta\" is not installed; installed: 1.95.0, nightly, stable"
        );
    }

    #[test]
    fn components_are_matched_by_name() {
        let t = fake("stable");
        assert!(t.has("rustfmt-preview") && t.has("rustc"));
        assert!(!t.has("miri"));
    }

    #[test]
    fn this_hosts_toolchains_are_found() {
        let found = discover(&rustup_home());
        if found.is_empty() {
            eprintln!(
                "SKIP: no rustup toolchains under {}",
                rustup_home().display()
            );
            return;
        }
        for t in &found {
            assert!(
                !t.commit_hash.is_empty() && t.path.join("bin/rustc").exists(),
                "{t:?}"
            );
        }
    }
}
