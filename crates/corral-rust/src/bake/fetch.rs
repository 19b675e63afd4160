//! The trusted, host-side steps: `cargo fetch` (the only step with the network) and
//! `cargo metadata`, read with `cargo_metadata`.

use super::{BAKE_MOUNT, BakeError, io_err, push_tail};
use crate::toolchain::Toolchain;
use cargo_metadata::{DependencyKind, Metadata};
use std::collections::VecDeque;
use std::fs;
use std::io::{self, BufRead};
use std::path::Path;
use std::process::{Command, Stdio};

/// Fetches the sources of the crate list in `vetted` into `cargo_home`, makes them
/// readable by the sandbox's user, and reads the resolved graph.
pub(super) fn fetch(
    toolchain: &Toolchain,
    cargo_home: &Path,
    vetted: &Path,
    progress: &mut dyn FnMut(&str),
) -> Result<Plan, BakeError> {
    let manifest = vetted.join("Cargo.toml");
    let fetch_args = [
        "fetch",
        "--locked",
        "--manifest-path",
        &manifest.to_string_lossy(),
        "--target",
        &toolchain.host,
    ]
    .map(String::from);
    host_cargo(toolchain, cargo_home, vetted, &fetch_args, progress).map_err(BakeError::Fetch)?;
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
    let meta = host_cargo(toolchain, cargo_home, vetted, &metadata_args, &mut |_| {})
        .map_err(BakeError::Metadata)?;
    parse_metadata(&meta).map_err(BakeError::Metadata)
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

/// What `cargo metadata` says about the crate list.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Plan {
    /// (extern name, package id, package name, version) of each direct dependency.
    pub(super) direct: Vec<(String, String, String, String)>,
    /// Packages in the resolved graph (for the progress count).
    pub(super) packages: usize,
}

/// The root package's normal dependencies in `cargo metadata` output.
fn parse_metadata(json: &str) -> Result<Plan, String> {
    let meta: Metadata = serde_json::from_str(json).map_err(|e| format!("bad JSON: {e}"))?;
    let resolve = meta.resolve.as_ref().ok_or("no root package")?;
    let root = resolve.root.as_ref().ok_or("no root package")?;
    let root_node = resolve
        .nodes
        .iter()
        .find(|n| &n.id == root)
        .ok_or("the root package is not resolved")?;
    // A repository crate's id names its directory: on the host here, `/bake/vetted/…`
    // in the sandbox's build, whose artifacts are matched by id.
    let host_root = format!("path+file://{}", meta.workspace_root);
    let in_sandbox = |id: &str| match id.strip_prefix(&host_root) {
        Some(rest) if rest.starts_with(['/', '#']) => {
            format!("path+file://{BAKE_MOUNT}/vetted{rest}")
        }
        _ => id.to_string(),
    };
    let direct = root_node
        .deps
        .iter()
        .filter(|d| d.dep_kinds.iter().any(|k| k.kind == DependencyKind::Normal))
        .map(|d| {
            let (pname, version) = meta
                .packages
                .iter()
                .find(|p| p.id == d.pkg)
                .map(|p| (p.name.to_string(), p.version.to_string()))
                .unwrap_or_else(|| ("?".into(), "?".into()));
            (d.name.clone(), in_sandbox(&d.pkg.repr), pname, version)
        })
        .collect();
    Ok(Plan {
        direct,
        packages: resolve.nodes.len(),
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bake::test_support::temp_dir;

    /// `cargo metadata --format-version 1`, cut down to three packages.
    const METADATA: &str = r#"{
      "packages": [
        {"name": "corral-vetted", "version": "0.1.0", "id": "path+file:///bake/vetted#corral-vetted@0.1.0",
         "source": null, "dependencies": [], "targets": [], "features": {},
         "manifest_path": "/bake/vetted/Cargo.toml", "edition": "2024"},
        {"name": "cfg-if", "version": "1.0.4", "id": "registry+https://github.com/rust-lang/crates.io-index#cfg-if@1.0.4",
         "source": "registry+https://github.com/rust-lang/crates.io-index", "dependencies": [], "targets": [], "features": {},
         "manifest_path": "/cargo-home/registry/src/index.crates.io-1949cf8c6b5b557f/cfg-if-1.0.4/Cargo.toml", "edition": "2018"},
        {"name": "paste", "version": "1.0.15", "id": "registry+https://github.com/rust-lang/crates.io-index#paste@1.0.15",
         "source": "registry+https://github.com/rust-lang/crates.io-index", "dependencies": [], "targets": [], "features": {},
         "manifest_path": "/cargo-home/registry/src/index.crates.io-1949cf8c6b5b557f/paste-1.0.15/Cargo.toml", "edition": "2018"}
      ],
      "workspace_members": ["path+file:///bake/vetted#corral-vetted@0.1.0"],
      "workspace_default_members": ["path+file:///bake/vetted#corral-vetted@0.1.0"],
      "resolve": {
        "root": "path+file:///bake/vetted#corral-vetted@0.1.0",
        "nodes": [
          {"id": "path+file:///bake/vetted#corral-vetted@0.1.0", "dependencies": [], "features": [], "deps": [
            {"name": "cfg_if", "pkg": "registry+https://github.com/rust-lang/crates.io-index#cfg-if@1.0.4", "dep_kinds": [{"kind": null, "target": null}]},
            {"name": "paste", "pkg": "registry+https://github.com/rust-lang/crates.io-index#paste@1.0.15", "dep_kinds": [{"kind": "build", "target": null}, {"kind": null, "target": "cfg(unix)"}]},
            {"name": "only_dev", "pkg": "x", "dep_kinds": [{"kind": "dev", "target": null}]},
            {"name": "only_build", "pkg": "y", "dep_kinds": [{"kind": "build", "target": null}]}
          ]},
          {"id": "registry+https://github.com/rust-lang/crates.io-index#cfg-if@1.0.4", "dependencies": [], "deps": [], "features": []},
          {"id": "registry+https://github.com/rust-lang/crates.io-index#paste@1.0.15", "dependencies": [], "deps": [], "features": []}
        ]
      },
      "target_directory": "/bake/vetted/target",
      "build_directory": "/bake/vetted/target",
      "version": 1,
      "workspace_root": "/bake/vetted",
      "metadata": null
    }"#;

    #[test]
    fn the_plan_lists_the_normal_direct_dependencies() {
        let plan = parse_metadata(METADATA).unwrap();
        assert_eq!(plan.packages, 3);
        let id = |pkg: &str| format!("registry+https://github.com/rust-lang/crates.io-index#{pkg}");
        assert_eq!(
            plan.direct,
            [
                (
                    "cfg_if".into(),
                    id("cfg-if@1.0.4"),
                    "cfg-if".into(),
                    "1.0.4".into()
                ),
                (
                    "paste".into(),
                    id("paste@1.0.15"),
                    "paste".into(),
                    "1.0.15".into()
                ),
            ]
        );
        // A repository crate resolved on the host is named as the sandbox's build sees it.
        let local = METADATA
            .replace("/bake/vetted", "/store/x/debug/vetted")
            .replace(
                "registry+https://github.com/rust-lang/crates.io-index#paste@1.0.15",
                "path+file:///store/x/debug/vetted/crates/paste#1.0.15",
            );
        let plan = parse_metadata(&local).unwrap();
        assert_eq!(
            plan.direct[1].1,
            "path+file:///bake/vetted/crates/paste#1.0.15"
        );
        let unresolved = METADATA.replace(r#""root": "path"#, r#""root": "nowhere"#);
        assert_eq!(
            parse_metadata(&unresolved).unwrap_err(),
            "the root package is not resolved"
        );
        assert!(parse_metadata("{}").unwrap_err().starts_with("bad JSON: "));
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
}
