//! [`bake`]: copies the crate list into its bake directory, fetches, builds in the
//! sandbox and writes the manifest, one bake of a directory at a time.

use super::build::{build_error, build_in_sandbox, build_shared};
use super::fetch::fetch;
use super::manifest::{MANIFEST_FILE, assemble, write_atomically, write_new};
use super::{BAKE_MOUNT, BakeError, BakeMode, Baked, CrateList, bake_dir, io_err, load_with};
use crate::toolchain::Toolchain;
use corral_sandbox::{Mode as SandboxMode, Sandbox};
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, Instant};

const EMPTY_LIB: &str = "//! Empty: only its dependencies (the vetted crates) matter.\n";

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
    if let Ok(Some(baked)) = load_with(store, toolchain, mode, list)
        && baked.shared.is_some()
    {
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
    if let Ok(Some(mut baked)) = load_with(store, toolchain, mode, list) {
        if baked.shared.is_none() {
            // Baked by a corral that made no shared library (the `baked.json` format
            // is the same): add it.
            let cargo_home = store.join("cargo-home");
            let owner = fs::metadata(store).map_err(io_err("cannot read", store))?;
            baked.shared = build_shared(
                sandbox,
                toolchain,
                &cargo_home,
                &dir,
                mode,
                &baked,
                progress,
            );
            if matches!(sandbox.mode(), SandboxMode::Root(_)) {
                corral_sandbox::hostid::chown_tree(&dir, owner.uid(), owner.gid())
                    .map_err(io_err("cannot take back", &dir))?;
            }
            if baked.shared.is_some() {
                write_atomically(
                    &dir.join(MANIFEST_FILE),
                    &serde_json::to_string_pretty(&baked).unwrap_or_default(),
                )?;
            }
        } else {
            progress("nothing to do: another bake just finished");
        }
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
    // The repository crates, next to the list's Cargo.toml (`crates/<name>/…`).
    for (name, text) in list.local_files() {
        let rel = Path::new(name);
        let plain = rel.starts_with(super::crates::LOCAL_DIR)
            && rel.components().all(|c| matches!(c, Component::Normal(_)));
        if !plain {
            return Err(BakeError::CrateList {
                origin: list.origin.clone(),
                reason: format!("{name}: not a path under {}/", super::crates::LOCAL_DIR),
            });
        }
        let p = vetted.join(rel);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).map_err(io_err("cannot create", parent))?;
        }
        write_new(&p, text).map_err(io_err("cannot write", &p))?;
    }

    // Trusted and outside the sandbox: the only step with the network.
    let cargo_home = store.join("cargo-home");
    fs::create_dir_all(&cargo_home).map_err(io_err("cannot create", &cargo_home))?;
    progress(&format!(
        "fetching {} crates and their dependencies",
        crates.len()
    ));
    let plan = fetch(toolchain, &cargo_home, &vetted, progress)?;

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
    let mut baked = built.as_ref().map_err(|_| ()).and_then(|log| {
        assemble(log, &plan, toolchain, mode, list, crates.clone()).map_err(|_| ())
    });
    if let Ok(b) = &mut baked {
        b.store_mount = (dir.clone(), PathBuf::from(BAKE_MOUNT));
        b.shared = build_shared(sandbox, toolchain, &cargo_home, &dir, mode, b, progress);
    }
    if root_mode {
        corral_sandbox::hostid::chown_tree(&dir, owner.uid(), owner.gid())
            .map_err(io_err("cannot take back", &dir))?;
    }
    let _ = fs::remove_dir_all(dir.join("tmp"));
    let log = built?;

    let shared = baked.ok().and_then(|b| b.shared);
    let mut baked = assemble(&log, &plan, toolchain, mode, list, crates)
        .map_err(|reason| build_error(toolchain, mode, &[], reason))?;
    baked.shared = shared;
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

fn human_duration(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}
