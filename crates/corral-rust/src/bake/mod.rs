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
//!     vetted/crates/<name>/           the list's repository crates (`rocket_docs_tests`)
//!     target/<host>/<mode>/deps/      the vetted crates' rlibs (`--extern`, `-L dependency=`)
//!     target/<mode>/deps/             proc-macros and build-script dependencies (`-L dependency=`)
//!     tmp/                            TMPDIR of the build
//!     baked.json                      the manifest: [`Baked`]
//! ```
//!
//! Toolchains with the same commit hash (stable and the pinned 1.95.0) share one bake.
//!
//! One file per concern: [`CrateList`] (`crates`), the store and loading a bake
//! (`store`), `baked.json` (`manifest`), the host-side `cargo fetch` and `cargo metadata`
//! (`fetch`), the sandboxed build (`build`), [`bake`] tying them together
//! (`orchestrate`), and what of a bake travels in an archive (`portable`).

mod build;
mod crates;
mod fetch;
mod manifest;
mod orchestrate;
mod portable;
mod store;

pub use build::SHARED_CRATE;
pub use build::{CARGO_HOME_MOUNT, build_policy};
pub use crates::{CrateList, missing_vetted_crate};
pub use manifest::{Baked, MANIFEST_FILE};
pub use orchestrate::{bake, bake_with};
pub use portable::{Portable, check_imported, portable};
pub use store::{bake_dir, default_store, load, load_cached, load_with, require, toolchain_key};

use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// Where a bake directory appears inside the sandbox (when building and when compiling).
pub const BAKE_MOUNT: &str = "/bake";

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

/// Keeps the last 30 lines of an output, for error messages.
fn push_tail(tail: &mut VecDeque<String>, line: String) {
    if tail.len() == 30 {
        tail.pop_front();
    }
    tail.push_back(line);
}

/// Helpers shared by the tests of this module's files.
#[cfg(test)]
mod test_support {
    use crate::toolchain::Toolchain;
    use std::fs;
    use std::path::PathBuf;

    pub(super) fn fake_toolchain() -> Toolchain {
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

    pub(super) fn temp_dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("corral-bake-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }
}
