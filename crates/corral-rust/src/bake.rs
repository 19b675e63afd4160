//! Baked crates: the vetted crate list (`vetted/` at the repository root), fetched once
//! by a trusted step and built offline inside the sandbox, once per toolchain commit
//! and mode, so that user code links them with `--extern` and is never rebuilt with them.
//!
//! The store is shared by all data dirs ([`default_store`]):
//!
//! ```text
//! <store>/cargo-home/                 CARGO_HOME of the fetch; read-only at /cargo-home in the build
//! <store>/<commit hash>/<mode>.lock   held while baking
//! <store>/<commit hash>/<mode>/       at /bake: writable in the build, read-only when compiling
//!     vetted/                         the crate list's Cargo.toml and Cargo.lock, an empty lib
//!     target/<host>/<mode>/deps/      the vetted crates' rlibs (`--extern`, `-L dependency=`)
//!     target/<mode>/deps/             proc-macros and build-script dependencies (`-L dependency=`)
//!     tmp/                            TMPDIR of the build
//!     baked.json                      the manifest: [`Baked`]
//! ```
//!
//! Toolchains with the same commit hash (stable and the pinned 1.95.0) share one bake.

use crate::toolchain::{TOOLCHAIN_MOUNT, Toolchain};
use corral_sandbox::{Mode as SandboxMode, Network, Policy, Sandbox, Status};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::ffi::OsString;
use std::fmt;
use std::fs;
use std::io::{self, BufRead};
use std::os::unix::fs::MetadataExt;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};
use std::str::FromStr;
use std::time::{Duration, Instant};

/// Where a bake directory appears inside the sandbox (when building and when compiling).
pub const BAKE_MOUNT: &str = "/bake";
/// Where the fetched sources appear inside the build's sandbox.
pub const CARGO_HOME_MOUNT: &str = "/cargo-home";
/// The manifest of one bake, inside its bake directory.
pub const MANIFEST_FILE: &str = "baked.json";
/// Version of the `baked.json` format.
const FORMAT: u32 = 1;

const BUILTIN_MANIFEST: &str = include_str!("../../../vetted/Cargo.toml");
const BUILTIN_LOCK: &str = include_str!("../../../vetted/Cargo.lock");
const EMPTY_LIB: &str = "//! Empty: only its dependencies (the vetted crates) matter.\n";

/// Which profile the crates are built with; a request's mode picks the matching bake.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BakeMode {
    Debug,
    Release,
}

impl BakeMode {
    pub const ALL: [BakeMode; 2] = [BakeMode::Debug, BakeMode::Release];

    /// `debug` or `release`: also cargo's profile directory.
    pub fn as_str(self) -> &'static str {
        match self {
            BakeMode::Debug => "debug",
            BakeMode::Release => "release",
        }
    }
}

impl fmt::Display for BakeMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for BakeMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "debug" => Ok(BakeMode::Debug),
            "release" => Ok(BakeMode::Release),
            other => Err(format!("unknown mode {other:?}: expected debug or release")),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BakeError {
    #[error(
        "the vetted crates are not baked for toolchain {toolchain} ({version}) in {mode} mode: run `{command}`"
    )]
    NotBaked {
        toolchain: String,
        version: String,
        mode: BakeMode,
        command: String,
    },
    #[error("crate list {origin}: {reason}")]
    CrateList { origin: String, reason: String },
    #[error("cargo fetch failed: {0} (is crates.io reachable?)")]
    Fetch(String),
    #[error("cargo metadata failed: {0}")]
    Metadata(String),
    #[error("building the vetted crates for {toolchain} ({mode}) failed{failed}: {detail}")]
    Build {
        toolchain: String,
        mode: BakeMode,
        /// ` (could not compile: ring, sqlx)` or empty.
        failed: String,
        detail: String,
    },
    #[error("cannot start the bake step in the sandbox: {0}")]
    Sandbox(#[from] corral_sandbox::Error),
    #[error("{what} {}: {source}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    #[error("{}: unusable bake manifest ({reason}); run `corral bake` again", path.display())]
    Corrupt { path: PathBuf, reason: String },
}

fn io_err(what: &'static str, path: &Path) -> impl FnOnce(io::Error) -> BakeError + use<> {
    let path = path.to_path_buf();
    move |source| BakeError::Io { what, path, source }
}

/// A crate list: a Cargo.toml whose `[dependencies]` are the vetted crates (exact
/// versions) and the Cargo.lock that pins everything else.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrateList {
    /// Where it came from, for messages.
    pub origin: String,
    manifest: String,
    lock: String,
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

fn sha256_hex(data: &[u8]) -> String {
    format!("{:x}", Sha256::digest(data))
}

/// The bake store: `$CORRAL_BAKE_DIR`, else `$XDG_DATA_HOME/corral/bake`, else
/// `~/.local/share/corral/bake` (root included).
pub fn default_store() -> PathBuf {
    store_from_env(|k| std::env::var_os(k))
}

fn store_from_env(get: impl Fn(&str) -> Option<OsString>) -> PathBuf {
    let set = |k: &str| get(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(dir) = set("CORRAL_BAKE_DIR") {
        return dir;
    }
    if let Some(xdg) = set("XDG_DATA_HOME").filter(|p| p.is_absolute()) {
        return xdg.join("corral/bake");
    }
    set("HOME")
        .unwrap_or_else(|| PathBuf::from("/root"))
        .join(".local/share/corral/bake")
}

/// The directory name shared by every toolchain with this commit.
pub fn toolchain_key(toolchain: &Toolchain) -> String {
    let h = &toolchain.commit_hash;
    if !h.is_empty() && h.len() <= 64 && h.chars().all(|c| c.is_ascii_alphanumeric()) {
        h.clone()
    } else {
        let id = format!("{}\0{}", toolchain.version, toolchain.path.display());
        format!("unknown-{}", &sha256_hex(id.as_bytes())[..16])
    }
}

/// `<store>/<commit hash>/<mode>`.
pub fn bake_dir(store: &Path, toolchain: &Toolchain, mode: BakeMode) -> PathBuf {
    store.join(toolchain_key(toolchain)).join(mode.as_str())
}

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
    /// SHA-256 of Cargo.lock and Cargo.toml of the crate list.
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
    fn validate(&self) -> Result<(), String> {
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

/// [`load`], remembered for the life of the process once found: the built-in crate
/// list is compiled into the binary, so a bake that was current stays current. For
/// hot paths (every API request computes a memo key).
pub fn load_cached(
    store: &Path,
    toolchain: &Toolchain,
    mode: BakeMode,
) -> Option<std::sync::Arc<Baked>> {
    type Cache = BTreeMap<(PathBuf, String, BakeMode), std::sync::Arc<Baked>>;
    static CACHE: std::sync::Mutex<Cache> = std::sync::Mutex::new(BTreeMap::new());
    let key = (store.to_path_buf(), toolchain.commit_hash.clone(), mode);
    if let Some(hit) = CACHE.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
        return Some(hit.clone());
    }
    let baked = std::sync::Arc::new(load(store, toolchain, mode).ok().flatten()?);
    CACHE
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(key, baked.clone());
    Some(baked)
}

/// The bake of the built-in crate list for `toolchain` and `mode`, if it is complete
/// and current (None when it is missing or was made from another crate list).
pub fn load(
    store: &Path,
    toolchain: &Toolchain,
    mode: BakeMode,
) -> Result<Option<Baked>, BakeError> {
    load_with(store, toolchain, mode, &CrateList::builtin())
}

/// [`load`] for a given crate list.
pub fn load_with(
    store: &Path,
    toolchain: &Toolchain,
    mode: BakeMode,
    list: &CrateList,
) -> Result<Option<Baked>, BakeError> {
    let dir = bake_dir(store, toolchain, mode);
    let path = dir.join(MANIFEST_FILE);
    let text = match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_err("cannot read", &path)(e)),
    };
    let corrupt = |reason: String| BakeError::Corrupt {
        path: path.clone(),
        reason,
    };
    let mut baked: Baked = serde_json::from_str(&text).map_err(|e| corrupt(e.to_string()))?;
    if baked.format != FORMAT
        || baked.commit_hash != toolchain.commit_hash
        || baked.mode != mode
        || baked.lock_hash != list.lock_hash()
        || baked.manifest_hash != list.manifest_hash()
    {
        return Ok(None);
    }
    baked.store_mount = (dir, PathBuf::from(BAKE_MOUNT));
    baked.validate().map_err(corrupt)?;
    Ok(Some(baked))
}

/// The bake a compile step needs, or an error that says how to make it.
pub fn require(store: &Path, toolchain: &Toolchain, mode: BakeMode) -> Result<Baked, BakeError> {
    load(store, toolchain, mode)?.ok_or_else(|| not_baked(toolchain, mode))
}

fn not_baked(toolchain: &Toolchain, mode: BakeMode) -> BakeError {
    let mut command = format!("corral bake --toolchain {}", toolchain.channel);
    if mode == BakeMode::Release {
        command.push_str(" --release");
    }
    BakeError::NotBaked {
        toolchain: toolchain.channel.clone(),
        version: toolchain.version.clone(),
        mode,
        command,
    }
}

/// Bakes the built-in crate list; a no-op returning the existing bake when nothing changed.
pub fn bake(
    sandbox: &Sandbox,
    store: &Path,
    toolchain: &Toolchain,
    mode: BakeMode,
    progress: &mut dyn FnMut(&str),
) -> Result<Baked, BakeError> {
    bake_with(
        sandbox,
        store,
        toolchain,
        mode,
        &CrateList::builtin(),
        progress,
    )
}

/// [`bake`] for a given crate list.
pub fn bake_with(
    sandbox: &Sandbox,
    store: &Path,
    toolchain: &Toolchain,
    mode: BakeMode,
    list: &CrateList,
    progress: &mut dyn FnMut(&str),
) -> Result<Baked, BakeError> {
    let crates = list.crates()?;
    if let Ok(Some(baked)) = load_with(store, toolchain, mode, list) {
        progress(&format!(
            "nothing to do: {} crates already baked in {}",
            baked.externs.len(),
            baked.store_mount.0.display()
        ));
        return Ok(baked);
    }
    let dir = bake_dir(store, toolchain, mode);
    let key_dir = dir.parent().unwrap_or(store).to_path_buf();
    fs::create_dir_all(&key_dir).map_err(io_err("cannot create", &key_dir))?;
    // One bake of a directory at a time, across processes.
    let lock_path = key_dir.join(format!("{mode}.lock"));
    let lock = fs::File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(io_err("cannot open", &lock_path))?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => {
            progress("waiting for another bake of the same toolchain and mode");
            lock.lock().map_err(io_err("cannot lock", &lock_path))?;
        }
        Err(fs::TryLockError::Error(e)) => return Err(io_err("cannot lock", &lock_path)(e)),
    }
    if let Ok(Some(baked)) = load_with(store, toolchain, mode, list) {
        progress("nothing to do: another bake just finished");
        return Ok(baked);
    }

    // The crate list, copied into the bake directory.
    // An earlier build (untrusted) could write here: what it left is removed, never
    // written through (`remove_*` do not follow links; files are created anew).
    let vetted = dir.join("vetted");
    fs::create_dir_all(&dir).map_err(io_err("cannot create", &dir))?;
    let _ = fs::remove_file(dir.join(MANIFEST_FILE));
    for stale in [&vetted, &dir.join("tmp")] {
        match fs::symlink_metadata(stale) {
            Ok(m) if m.is_dir() => fs::remove_dir_all(stale),
            Ok(_) => fs::remove_file(stale),
            Err(_) => Ok(()),
        }
        .map_err(io_err("cannot remove", stale))?;
    }
    fs::create_dir_all(vetted.join("src")).map_err(io_err("cannot create", &vetted))?;
    fs::create_dir(dir.join("tmp")).map_err(io_err("cannot create", &dir))?;
    for (name, text) in [
        ("Cargo.toml", list.manifest.as_str()),
        ("Cargo.lock", list.lock.as_str()),
        ("src/lib.rs", EMPTY_LIB),
    ] {
        let p = vetted.join(name);
        write_new(&p, text).map_err(io_err("cannot write", &p))?;
    }

    // Trusted and outside the sandbox: the only step with the network.
    let cargo_home = store.join("cargo-home");
    fs::create_dir_all(&cargo_home).map_err(io_err("cannot create", &cargo_home))?;
    let manifest = vetted.join("Cargo.toml");
    progress(&format!(
        "fetching {} crates and their dependencies",
        crates.len()
    ));
    let fetch_args = [
        "fetch",
        "--locked",
        "--manifest-path",
        &manifest.to_string_lossy(),
        "--target",
        &toolchain.host,
    ]
    .map(String::from);
    host_cargo(toolchain, &cargo_home, &vetted, &fetch_args, progress).map_err(BakeError::Fetch)?;
    let metadata_args = [
        "metadata",
        "--locked",
        "--offline",
        "--format-version",
        "1",
        "--filter-platform",
        &toolchain.host,
        "--manifest-path",
        &manifest.to_string_lossy(),
    ]
    .map(String::from);
    // Crates keep their archive's modes (some are 0640): the sandbox's user must read them.
    let sources = cargo_home.join("registry/src");
    make_readable(&sources).map_err(io_err("cannot open up", &sources))?;
    let meta = host_cargo(toolchain, &cargo_home, &vetted, &metadata_args, &mut |_| {})
        .map_err(BakeError::Metadata)?;
    let plan = parse_metadata(&meta).map_err(BakeError::Metadata)?;

    // Untrusted (build scripts, proc-macros): offline, in the sandbox.
    let root_mode = matches!(sandbox.mode(), SandboxMode::Root(_));
    let owner = fs::metadata(store).map_err(io_err("cannot read", store))?;
    // The build's own host id owns `dir` while it runs (`hand_over_writable`); after it,
    // the store's owner takes it back.
    progress(&format!(
        "building {} packages offline in the sandbox ({} mode, {})",
        plan.packages, mode, toolchain.version
    ));
    let started = Instant::now();
    let built = build_in_sandbox(sandbox, toolchain, &cargo_home, &dir, mode, &plan, progress);
    if root_mode {
        corral_sandbox::hostid::chown_tree(&dir, owner.uid(), owner.gid())
            .map_err(io_err("cannot take back", &dir))?;
    }
    let _ = fs::remove_dir_all(dir.join("tmp"));
    let log = built?;

    let mut baked = assemble(&log, &plan, toolchain, mode, list, crates)
        .map_err(|reason| build_error(toolchain, mode, &[], reason))?;
    baked.build_ms = started.elapsed().as_millis() as u64;
    baked.store_mount = (dir.clone(), PathBuf::from(BAKE_MOUNT));
    baked.validate().map_err(|reason| BakeError::Corrupt {
        path: dir.join(MANIFEST_FILE),
        reason,
    })?;
    write_atomically(
        &dir.join(MANIFEST_FILE),
        &serde_json::to_string_pretty(&baked).unwrap_or_default(),
    )?;
    progress(&format!(
        "baked {} crates in {} (CPU {}, peak memory {} MiB)",
        baked.externs.len(),
        human_duration(started.elapsed()),
        human_duration(Duration::from_millis(log.cpu_ms)),
        log.memory_bytes >> 20
    ));
    Ok(baked)
}

fn build_error(
    toolchain: &Toolchain,
    mode: BakeMode,
    failed: &[String],
    detail: String,
) -> BakeError {
    BakeError::Build {
        toolchain: toolchain.channel.clone(),
        mode,
        failed: if failed.is_empty() {
            String::new()
        } else {
            format!(" (could not compile: {})", failed.join(", "))
        },
        detail,
    }
}

fn human_duration(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

/// Runs the toolchain's cargo on the host with a clean environment (the network and
/// proxy settings pass). Returns stdout; stderr's `Downloaded` lines go to `progress`.
fn host_cargo(
    toolchain: &Toolchain,
    cargo_home: &Path,
    cwd: &Path,
    args: &[String],
    progress: &mut dyn FnMut(&str),
) -> Result<String, String> {
    let mut cmd = Command::new(toolchain.path.join("bin/cargo"));
    cmd.args(args)
        .current_dir(cwd)
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in std::env::vars_os() {
        let name = k.to_string_lossy();
        let pass = ["PATH", "HOME", "SSL_CERT_FILE", "SSL_CERT_DIR"].contains(&name.as_ref())
            || name.to_ascii_lowercase().ends_with("_proxy")
            || name.starts_with("CARGO_HTTP_")
            || name.starts_with("CARGO_NET_")
            || name.starts_with("CARGO_REGISTRIES_");
        if pass {
            cmd.env(k, v);
        }
    }
    cmd.env("CARGO_HOME", cargo_home)
        .env("RUSTC", toolchain.path.join("bin/rustc"))
        .env("CARGO_TERM_COLOR", "never")
        .env("CARGO_TERM_PROGRESS_WHEN", "never");
    let mut child = cmd.spawn().map_err(|e| {
        format!(
            "cannot start {}: {e}",
            toolchain.path.join("bin/cargo").display()
        )
    })?;
    let stdout = child.stdout.take();
    let reader = std::thread::spawn(move || {
        let mut out = String::new();
        if let Some(mut s) = stdout {
            let _ = io::Read::read_to_string(&mut s, &mut out);
        }
        out
    });
    let mut tail = VecDeque::new();
    if let Some(stderr) = child.stderr.take() {
        for line in io::BufReader::new(stderr).lines().map_while(Result::ok) {
            let t = line.trim();
            if t.starts_with("Downloaded ") {
                progress(t);
            }
            push_tail(&mut tail, line);
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    let out = reader.join().unwrap_or_default();
    if status.success() {
        Ok(out)
    } else {
        Err(format!(
            "{status}: {}",
            tail.into_iter().collect::<Vec<_>>().join("\n")
        ))
    }
}

fn push_tail(tail: &mut VecDeque<String>, line: String) {
    if tail.len() == 30 {
        tail.pop_front();
    }
    tail.push_back(line);
}

/// What `cargo metadata` says about the crate list.
#[derive(Debug, PartialEq, Eq)]
struct Plan {
    /// (extern name, package id, package name, version) of each direct dependency.
    direct: Vec<(String, String, String, String)>,
    /// Packages in the resolved graph (for the progress count).
    packages: usize,
}

fn parse_metadata(json: &str) -> Result<Plan, String> {
    let v: Value = serde_json::from_str(json).map_err(|e| format!("bad JSON: {e}"))?;
    let packages: BTreeMap<&str, (&str, &str)> = v["packages"]
        .as_array()
        .ok_or("no packages")?
        .iter()
        .filter_map(|p| {
            Some((
                p["id"].as_str()?,
                (p["name"].as_str()?, p["version"].as_str()?),
            ))
        })
        .collect();
    let resolve = &v["resolve"];
    let root = resolve["root"].as_str().ok_or("no root package")?;
    let nodes = resolve["nodes"].as_array().ok_or("no resolve nodes")?;
    let root_node = nodes
        .iter()
        .find(|n| n["id"].as_str() == Some(root))
        .ok_or("the root package is not resolved")?;
    let mut direct = vec![];
    for d in root_node["deps"].as_array().into_iter().flatten() {
        let normal = d["dep_kinds"]
            .as_array()
            .is_some_and(|ks| ks.iter().any(|k| k["kind"].is_null()));
        if !normal {
            continue;
        }
        let (Some(name), Some(pkg)) = (d["name"].as_str(), d["pkg"].as_str()) else {
            continue;
        };
        let (pname, version) = packages.get(pkg).copied().unwrap_or(("?", "?"));
        direct.push((name.into(), pkg.into(), pname.into(), version.into()));
    }
    Ok(Plan {
        direct,
        packages: nodes.len(),
    })
}

/// What the build printed that matters.
#[derive(Debug, Default)]
struct BuildLog {
    /// package id → (target kinds, files) of each library artifact.
    artifacts: Vec<(String, Vec<String>, Vec<PathBuf>)>,
    /// `-L` paths of build scripts (`native=/bake/…`).
    linked_paths: BTreeSet<String>,
    /// What the build used: CPU time and peak memory.
    cpu_ms: u64,
    memory_bytes: u64,
}

impl BuildLog {
    fn take_line(&mut self, line: &str) {
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            return;
        };
        match v["reason"].as_str() {
            Some("compiler-artifact") => {
                let kinds: Vec<String> = v["target"]["kind"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|k| k.as_str().map(String::from))
                    .collect();
                let files = v["filenames"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|f| f.as_str().map(PathBuf::from))
                    .collect();
                if let Some(id) = v["package_id"].as_str() {
                    self.artifacts.push((id.into(), kinds, files));
                }
            }
            Some("build-script-executed") => {
                for p in v["linked_paths"].as_array().into_iter().flatten() {
                    if let Some(p) = p.as_str() {
                        self.linked_paths.insert(p.into());
                    }
                }
            }
            _ => {}
        }
    }
}

/// The inside-sandbox deps dirs: the target's (with `--target`), then the host's.
fn deps_dirs(host: &str, mode: BakeMode) -> [PathBuf; 2] {
    let target = Path::new(BAKE_MOUNT).join("target");
    [
        target.join(host).join(mode.as_str()).join("deps"),
        target.join(mode.as_str()).join("deps"),
    ]
}

/// The sandbox policy of the build step.
pub fn build_policy(toolchain: &Toolchain, cargo_home: &Path, bake_dir: &Path) -> Policy {
    let jobs = std::thread::available_parallelism()
        .map(|n| n.get() as u64)
        .unwrap_or(1)
        .min(8);
    let mut p = Policy {
        network: Network::Off,
        cwd: Path::new(BAKE_MOUNT).join("vetted"),
        // Root mode: the build's own host id owns the bake dir while it runs.
        hand_over_writable: true,
        ..Policy::default()
    };
    p.bind(&toolchain.path, TOOLCHAIN_MOUNT, false)
        .bind(cargo_home, CARGO_HOME_MOUNT, false)
        .bind(bake_dir, BAKE_MOUNT, true);
    let bin = format!("{TOOLCHAIN_MOUNT}/bin");
    p.set_env("PATH", &format!("{bin}:/usr/local/bin:/usr/bin:/bin"))
        .set_env("CARGO_HOME", CARGO_HOME_MOUNT)
        .set_env("CARGO_TARGET_DIR", &format!("{BAKE_MOUNT}/target"))
        .set_env("RUSTC", &format!("{bin}/rustc"))
        .set_env("TMPDIR", &format!("{BAKE_MOUNT}/tmp"))
        .set_env("CARGO_BUILD_JOBS", &jobs.to_string())
        .set_env("CARGO_INCREMENTAL", "0")
        .set_env("CARGO_TERM_COLOR", "never");
    let l = &mut p.limits;
    l.wall = Duration::from_secs(30 * 60);
    l.cpu = l.wall * jobs as u32;
    l.cpu_millis = jobs * 1000;
    l.memory = (4 << 30) + jobs * (512 << 20);
    l.pids = 512;
    l.output = 64 << 20;
    l.file_size = 4 << 30;
    l.tmpfs = 256 << 20;
    l.inodes = 65536;
    l.open_files = 4096;
    p
}

fn build_in_sandbox(
    sandbox: &Sandbox,
    toolchain: &Toolchain,
    cargo_home: &Path,
    dir: &Path,
    mode: BakeMode,
    plan: &Plan,
    progress: &mut dyn FnMut(&str),
) -> Result<BuildLog, BakeError> {
    let policy = build_policy(toolchain, cargo_home, dir);
    let mut argv: Vec<String> = [
        &format!("{TOOLCHAIN_MOUNT}/bin/cargo"),
        "build",
        "--offline",
        "--locked",
        "--target",
        &toolchain.host,
        "--message-format=json-render-diagnostics",
        "--manifest-path",
        &format!("{BAKE_MOUNT}/vetted/Cargo.toml"),
    ]
    .map(String::from)
    .to_vec();
    if mode == BakeMode::Release {
        argv.push("--release".into());
    }
    let child = sandbox.spawn(&policy, &argv, true)?;
    let mut log = BuildLog::default();
    let (mut out_buf, mut err_buf) = (Vec::new(), Vec::new());
    let mut compiling = BTreeSet::new();
    let mut tail = VecDeque::new();
    let mut failed = vec![];
    let mut on_err_line = |line: &str, tail: &mut VecDeque<String>, failed: &mut Vec<String>| {
        let t = line.trim();
        if let Some(what) = t.strip_prefix("Compiling ") {
            if compiling.insert(what.to_string()) {
                let n = compiling.len().min(plan.packages);
                progress(&format!("Compiling {what} ({n}/{})", plan.packages));
            }
            return;
        }
        if let Some(rest) = t.strip_prefix("error: could not compile `")
            && let Some((name, _)) = rest.split_once('`')
        {
            failed.push(name.to_string());
        }
        if t.starts_with("error") {
            progress(t);
        }
        push_tail(tail, line.to_string());
    };
    for chunk in child.output().iter() {
        let is_out = chunk.stream == corral_sandbox::Stream::Stdout;
        let buf = if is_out { &mut out_buf } else { &mut err_buf };
        buf.extend_from_slice(&chunk.data);
        while let Some(pos) = buf.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = buf.drain(..=pos).collect();
            let line = String::from_utf8_lossy(&line);
            if is_out {
                log.take_line(line.trim_end());
            } else {
                on_err_line(line.trim_end(), &mut tail, &mut failed);
            }
        }
    }
    let outcome = child.wait();
    if !out_buf.is_empty() {
        log.take_line(String::from_utf8_lossy(&out_buf).trim_end());
    }
    if !err_buf.is_empty() {
        on_err_line(
            String::from_utf8_lossy(&err_buf).trim_end(),
            &mut tail,
            &mut failed,
        );
    }
    let limits = &policy.limits;
    let why = match outcome.status {
        Status::Success if outcome.exit_code == Some(0) => {
            log.cpu_ms = outcome.cpu_ms;
            log.memory_bytes = outcome.memory_bytes;
            return Ok(log);
        }
        Status::Timeout => format!("it ran out of time ({} s)", limits.wall.as_secs()),
        Status::MemoryLimit => format!("it ran out of memory ({} MiB)", limits.memory >> 20),
        Status::OutputLimit => "it printed too much".to_string(),
        Status::InternalError => format!(
            "sandbox error: {}",
            outcome.error.clone().unwrap_or_default()
        ),
        _ => match (outcome.exit_code, outcome.signal) {
            (Some(c), _) => format!("cargo exited with {c}"),
            (None, Some(s)) => format!("cargo was killed by signal {s}"),
            _ => "cargo failed".to_string(),
        },
    };
    let detail = format!(
        "{why}{}\n{}",
        outcome
            .limit
            .map(|l| format!(" (limit: {l:?})"))
            .unwrap_or_default(),
        tail.into_iter().collect::<Vec<_>>().join("\n")
    );
    Err(build_error(toolchain, mode, &failed, detail))
}

/// The manifest from the build's artifacts: one library per direct dependency.
fn assemble(
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
    })
}

/// Creates a file that must not exist yet (O_EXCL: a planted link is not followed).
fn write_new(path: &Path, text: &str) -> io::Result<()> {
    let mut f = fs::File::options()
        .write(true)
        .create_new(true)
        .open(path)?;
    io::Write::write_all(&mut f, text.as_bytes())?;
    f.sync_all()
}

/// Temp file + rename, so that readers see the old manifest or the new one.
fn write_atomically(path: &Path, text: &str) -> Result<(), BakeError> {
    let tmp = path.with_extension(format!("json.tmp-{}", std::process::id()));
    let _ = fs::remove_file(&tmp);
    write_new(&tmp, text).map_err(io_err("cannot write", &tmp))?;
    fs::rename(&tmp, path).map_err(io_err("cannot rename onto", path))
}

/// Gives everyone read access (and search/execute where the owner has it) to a tree.
fn make_readable(root: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    if !root.exists() {
        return Ok(());
    }
    let mut stack = vec![root.to_path_buf()];
    while let Some(p) = stack.pop() {
        let meta = fs::symlink_metadata(&p)?;
        if meta.file_type().is_symlink() {
            continue;
        }
        let mode = meta.permissions().mode() & 0o7777;
        let wanted = if meta.is_dir() || mode & 0o100 != 0 {
            mode | 0o055
        } else {
            mode | 0o044
        };
        if wanted != mode {
            fs::set_permissions(&p, fs::Permissions::from_mode(wanted))?;
        }
        if meta.is_dir() {
            for entry in fs::read_dir(&p)? {
                stack.push(entry?.path());
            }
        }
    }
    Ok(())
}

/// Changes the owner of a tree, links included (never followed).
#[cfg(test)]
mod tests {
    use super::*;

    fn fake_toolchain() -> Toolchain {
        Toolchain {
            name: "stable-x86_64-unknown-linux-gnu".into(),
            channel: "stable".into(),
            version: "1.95.0".into(),
            commit_hash: "59807616e1fa2540724bfbac14d7976d7e4a3860".into(),
            commit_date: "2026-04-14".into(),
            host: "x86_64-unknown-linux-gnu".into(),
            path: "/opt/toolchain".into(),
            components: vec![],
            targets: vec![],
        }
    }

    fn temp_dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("corral-bake-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn the_store_follows_the_environment() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| OsString::from(v))
            }
        };
        let all = env(&[
            ("CORRAL_BAKE_DIR", "/srv/bake"),
            ("XDG_DATA_HOME", "/x"),
            ("HOME", "/h"),
        ]);
        assert_eq!(store_from_env(all), Path::new("/srv/bake"));
        let xdg = env(&[
            ("CORRAL_BAKE_DIR", ""),
            ("XDG_DATA_HOME", "/x"),
            ("HOME", "/h"),
        ]);
        assert_eq!(store_from_env(xdg), Path::new("/x/corral/bake"));
        let relative_xdg = env(&[("XDG_DATA_HOME", "x"), ("HOME", "/h")]);
        assert_eq!(
            store_from_env(relative_xdg),
            Path::new("/h/.local/share/corral/bake")
        );
        assert_eq!(
            store_from_env(env(&[])),
            Path::new("/root/.local/share/corral/bake")
        );
    }

    #[test]
    fn toolchains_with_one_commit_share_a_bake_dir() {
        let stable = fake_toolchain();
        let pinned = Toolchain {
            channel: "1.95.0".into(),
            name: "1.95.0-x86_64-unknown-linux-gnu".into(),
            ..stable.clone()
        };
        let store = Path::new("/s");
        assert_eq!(
            bake_dir(store, &stable, BakeMode::Debug),
            bake_dir(store, &pinned, BakeMode::Debug)
        );
        assert_eq!(
            bake_dir(store, &stable, BakeMode::Release),
            Path::new("/s/59807616e1fa2540724bfbac14d7976d7e4a3860/release")
        );
        let odd = Toolchain {
            commit_hash: "../../etc".into(),
            ..stable
        };
        assert!(toolchain_key(&odd).starts_with("unknown-"));
    }

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

    const METADATA: &str = r#"{
      "packages": [
        {"id": "path+file:///bake/vetted#corral-vetted@0.1.0", "name": "corral-vetted", "version": "0.1.0"},
        {"id": "registry+https://github.com/rust-lang/crates.io-index#cfg-if@1.0.4", "name": "cfg-if", "version": "1.0.4"},
        {"id": "registry+https://github.com/rust-lang/crates.io-index#paste@1.0.15", "name": "paste", "version": "1.0.15"}
      ],
      "resolve": {
        "root": "path+file:///bake/vetted#corral-vetted@0.1.0",
        "nodes": [
          {"id": "path+file:///bake/vetted#corral-vetted@0.1.0", "deps": [
            {"name": "cfg_if", "pkg": "registry+https://github.com/rust-lang/crates.io-index#cfg-if@1.0.4", "dep_kinds": [{"kind": null, "target": null}]},
            {"name": "paste", "pkg": "registry+https://github.com/rust-lang/crates.io-index#paste@1.0.15", "dep_kinds": [{"kind": null, "target": null}]},
            {"name": "only_dev", "pkg": "x", "dep_kinds": [{"kind": "dev", "target": null}]}
          ]},
          {"id": "registry+https://github.com/rust-lang/crates.io-index#cfg-if@1.0.4", "deps": []},
          {"id": "registry+https://github.com/rust-lang/crates.io-index#paste@1.0.15", "deps": []}
        ]
      }
    }"#;

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
        let plan = parse_metadata(METADATA).unwrap();
        assert_eq!(plan.packages, 3);
        assert_eq!(
            plan.direct
                .iter()
                .map(|d| (d.0.as_str(), d.3.as_str()))
                .collect::<Vec<_>>(),
            [("cfg_if", "1.0.4"), ("paste", "1.0.15")]
        );
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

    /// A bake directory with a manifest written as `bake` would, for `load` to check.
    fn fake_bake(store: &Path, list: &CrateList) -> Baked {
        let tc = fake_toolchain();
        let dir = bake_dir(store, &tc, BakeMode::Debug);
        let deps = dir.join("target/x86_64-unknown-linux-gnu/debug/deps");
        fs::create_dir_all(&deps).unwrap();
        fs::create_dir_all(dir.join("target/debug/deps")).unwrap();
        fs::write(deps.join("libitoa-1.rlib"), "").unwrap();
        let [t, h] = deps_dirs(&tc.host, BakeMode::Debug);
        let baked = Baked {
            format: FORMAT,
            commit_hash: tc.commit_hash.clone(),
            rustc_version: tc.version.clone(),
            host: tc.host.clone(),
            mode: BakeMode::Debug,
            lock_hash: list.lock_hash(),
            manifest_hash: list.manifest_hash(),
            store_mount: ("/elsewhere".into(), BAKE_MOUNT.into()),
            externs: vec![("itoa".into(), t.join("libitoa-1.rlib"))],
            deps_dirs: vec![t, h],
            native_dirs: vec![],
            crates: vec![("itoa".into(), "1.0.15".into())],
            build_ms: 1,
        };
        write_atomically(
            &dir.join(MANIFEST_FILE),
            &serde_json::to_string(&baked).unwrap(),
        )
        .unwrap();
        baked
    }

    #[test]
    fn load_finds_current_bakes_only() {
        let store = temp_dir("load");
        let tc = fake_toolchain();
        let list = CrateList::from_texts("t", "[dependencies]\nitoa = \"=1.0.15\"", "lock");
        assert!(
            load_with(&store, &tc, BakeMode::Debug, &list)
                .unwrap()
                .is_none()
        );
        fake_bake(&store, &list);
        let baked = load_with(&store, &tc, BakeMode::Debug, &list)
            .unwrap()
            .unwrap();
        // The host side of the mount is where it was found, not what the file says.
        assert_eq!(baked.store_mount.0, bake_dir(&store, &tc, BakeMode::Debug));
        assert_eq!(
            baked.host_path(&baked.externs[0].1).unwrap(),
            bake_dir(&store, &tc, BakeMode::Debug)
                .join("target/x86_64-unknown-linux-gnu/debug/deps/libitoa-1.rlib")
        );
        // Another lock, another commit or the other mode: not baked.
        let relocked = CrateList::from_texts("t", "[dependencies]\nitoa = \"=1.0.15\"", "lock2");
        assert!(
            load_with(&store, &tc, BakeMode::Debug, &relocked)
                .unwrap()
                .is_none()
        );
        let other = Toolchain {
            commit_hash: "abc".into(),
            ..tc.clone()
        };
        assert!(
            load_with(&store, &other, BakeMode::Debug, &list)
                .unwrap()
                .is_none()
        );
        assert!(
            load_with(&store, &tc, BakeMode::Release, &list)
                .unwrap()
                .is_none()
        );
        let _ = fs::remove_dir_all(&store);
    }

    #[test]
    fn manifests_pointing_outside_the_bake_are_refused() {
        let store = temp_dir("corrupt");
        let tc = fake_toolchain();
        let list = CrateList::from_texts("t", "[dependencies]\nitoa = \"=1.0.15\"", "lock");
        let good = fake_bake(&store, &list);
        let dir = bake_dir(&store, &tc, BakeMode::Debug);
        let deps = good.deps_dirs[0].clone();
        for externs in [
            vec![("itoa".to_string(), PathBuf::from("/etc/passwd"))],
            vec![("itoa".into(), deps.join("../../../../../etc/libx.rlib"))],
            vec![("itoa".into(), deps.join("libmissing.rlib"))],
            vec![("itoa=x".into(), deps.join("libitoa-1.rlib"))],
        ] {
            let bad = Baked {
                externs,
                ..good.clone()
            };
            fs::write(
                dir.join(MANIFEST_FILE),
                serde_json::to_string(&bad).unwrap(),
            )
            .unwrap();
            let err = load_with(&store, &tc, BakeMode::Debug, &list).unwrap_err();
            assert!(matches!(err, BakeError::Corrupt { .. }), "{err}");
        }
        fs::write(dir.join(MANIFEST_FILE), "{").unwrap();
        assert!(load_with(&store, &tc, BakeMode::Debug, &list).is_err());
        let _ = fs::remove_dir_all(&store);
    }

    #[test]
    fn fetched_sources_become_readable_by_the_sandbox_user() {
        use std::os::unix::fs::PermissionsExt;
        let root = temp_dir("readable");
        let krate = root.join("fnv-1.0.7");
        fs::create_dir(&krate).unwrap();
        let (lib, script) = (krate.join("lib.rs"), krate.join("configure"));
        fs::write(&lib, "").unwrap();
        fs::write(&script, "").unwrap();
        let set = |p: &Path, m: u32| fs::set_permissions(p, fs::Permissions::from_mode(m)).unwrap();
        set(&lib, 0o640);
        set(&script, 0o750);
        set(&krate, 0o700);
        make_readable(&root).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(
            (mode(&lib), mode(&script), mode(&krate)),
            (0o644, 0o755, 0o755)
        );
        let _ = fs::remove_dir_all(&root);
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

    #[test]
    fn an_unbaked_toolchain_says_how_to_bake_it() {
        let mut tc = fake_toolchain();
        tc.channel = "nightly".into();
        tc.version = "1.97.0-nightly".into();
        assert_eq!(
            not_baked(&tc, BakeMode::Debug).to_string(),
            "the vetted crates are not baked for toolchain nightly (1.97.0-nightly) in debug mode: \
             run `corral bake --toolchain nightly`"
        );
        assert!(
            not_baked(&tc, BakeMode::Release)
                .to_string()
                .ends_with("`corral bake --toolchain nightly --release`")
        );
    }

    #[test]
    fn the_build_step_is_offline_and_writes_only_its_bake() {
        let p = build_policy(
            &fake_toolchain(),
            Path::new("/s/cargo-home"),
            Path::new("/s/x/debug"),
        );
        assert_eq!(p.network, Network::Off);
        let writable: Vec<_> = p
            .mounts
            .iter()
            .filter_map(|m| match m {
                corral_sandbox::Mount::Bind {
                    src,
                    dest,
                    writable: true,
                } => Some((src.clone(), dest.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(
            writable,
            [(PathBuf::from("/s/x/debug"), PathBuf::from("/bake"))]
        );
        assert!(p.limits.memory >= 3 << 30 && p.limits.wall >= Duration::from_secs(1800));
    }
}
