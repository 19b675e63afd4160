//! `corral bake --export` and `--import`: bakes in one archive (`corral_bundle`).
//!
//! An import verifies everything in a staging directory inside the store
//! (`<store>/.import-<pid>`), then moves each bake into place with one rename (an
//! existing bake of the same toolchain and mode is swapped out atomically); a refused
//! or interrupted import leaves the bakes of the store as they were.

use anyhow::{Context, bail};
use corral_bundle::{BakeInfo, Data, PublicKey, SecretKey, Source, Trust};
use corral_rust::bake::{self, BakeMode, CrateList};
use corral_rust::toolchain::{self, Toolchain};
use std::fs;
use std::io::BufWriter;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Instant;

pub fn export(
    out: &Path,
    key: Option<&Path>,
    store: &Path,
    toolchains: &[&Toolchain],
    modes: &[BakeMode],
    list: &CrateList,
) -> anyhow::Result<u8> {
    let started = Instant::now();
    let key = key.map(SecretKey::read).transpose()?;
    let mut bakes = vec![];
    let mut files = vec![];
    let mut dirs = vec![];
    for tc in toolchains {
        for &mode in modes {
            let dir = format!("{}/{mode}", bake::toolchain_key(tc));
            if bakes.iter().any(|b: &BakeInfo| b.dir == dir) {
                continue;
            }
            let Some(baked) = bake::load_with(store, tc, mode, list)? else {
                let release = if mode == BakeMode::Release {
                    " --release"
                } else {
                    " --debug"
                };
                bail!(
                    "no current bake of {} for {} ({}) in {mode} mode in {}: run `corral bake --toolchain {}{release}` first",
                    list.origin,
                    tc.channel,
                    tc.version,
                    store.display(),
                    tc.channel
                );
            };
            let portable = bake::portable(&baked)?;
            files.push(Source {
                path: format!("{dir}/{}", bake::MANIFEST_FILE),
                data: Data::Bytes(portable.manifest.into_bytes()),
                executable: false,
            });
            for f in &portable.files {
                let host = baked.store_mount.0.join(f);
                let meta = fs::metadata(&host)
                    .with_context(|| format!("cannot read {}", host.display()))?;
                files.push(Source {
                    path: format!("{dir}/{}", f.display()),
                    data: Data::File(host),
                    executable: meta.permissions().mode() & 0o111 != 0,
                });
            }
            dirs.extend(
                portable
                    .dirs
                    .iter()
                    .map(|d| format!("{dir}/{}", d.display())),
            );
            bakes.push(BakeInfo {
                dir,
                rustc_version: tc.version.clone(),
                commit_hash: tc.commit_hash.clone(),
                commit_date: tc.commit_date.clone(),
                host: tc.host.clone(),
                mode: mode.to_string(),
                lock_hash: list.lock_hash(),
                crates: baked.crates.clone(),
            });
        }
    }
    // Written beside, then renamed: a failed export leaves no half archive.
    let name = out
        .file_name()
        .and_then(|n| n.to_str())
        .context("--export needs a file name")?;
    let tmp = out.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let _ = fs::remove_file(&tmp);
    let file = fs::File::options()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .with_context(|| format!("cannot create {}", tmp.display()))?;
    let label = bakes
        .iter()
        .map(|b| format!("{} {}", b.rustc_version, b.mode))
        .collect::<Vec<_>>()
        .join(", ");
    eprintln!(
        "corral bake: exporting {label} ({} files) to {}",
        files.len(),
        out.display()
    );
    let packed = corral_bundle::pack(
        BufWriter::with_capacity(1 << 20, file),
        env!("CARGO_PKG_VERSION"),
        bakes,
        dirs,
        files,
        key.as_ref(),
        &mut |line| eprintln!("corral bake: {line}"),
    );
    let manifest = match packed.and_then(|m| {
        fs::rename(&tmp, out).map_err(|source| corral_bundle::BundleError::Io {
            what: "cannot rename onto",
            path: out.to_path_buf(),
            source,
        })?;
        Ok(m)
    }) {
        Ok(m) => m,
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            return Err(e.into());
        }
    };
    let size = fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    let contents: u64 = manifest.files.iter().map(|f| f.size).sum();
    eprintln!(
        "corral bake: wrote {} ({:.1} MiB; {} files of {:.1} MiB) in {:.1} s, {}",
        out.display(),
        size as f64 / 1048576.0,
        manifest.files.len(),
        contents as f64 / 1048576.0,
        started.elapsed().as_secs_f64(),
        match &key {
            Some(k) => format!("signed by key {}", k.public().fingerprint()),
            None => "NOT signed (pass --key to sign it)".into(),
        }
    );
    eprintln!("corral bake: manifest sha256 {}", manifest.sha256());
    Ok(0)
}

/// Removes the staging directory unless the import finished with it.
struct Staging(PathBuf);

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

pub fn import(file: &Path, trust: Option<&Path>, unsigned: bool) -> anyhow::Result<u8> {
    let started = Instant::now();
    let trust = Trust {
        key: trust.map(PublicKey::read).transpose()?,
        allow_unsigned: unsigned,
    };
    let store = bake::default_store();
    fs::create_dir_all(&store)
        .with_context(|| format!("cannot create the bake store {}", store.display()))?;
    sweep_stale_staging(&store);
    let staging = Staging(store.join(format!(".import-{}", std::process::id())));
    let _ = fs::remove_dir_all(&staging.0);
    fs::create_dir(&staging.0).with_context(|| format!("cannot create {}", staging.0.display()))?;
    fs::set_permissions(&staging.0, fs::Permissions::from_mode(0o700))?;
    eprintln!(
        "corral bake: verifying {} into {}",
        file.display(),
        store.display()
    );
    let verified = corral_bundle::unpack(file, &trust, &staging.0)
        .with_context(|| format!("refused {}", file.display()))?;
    match &verified.signer {
        Some(fp) => eprintln!("corral bake: signature by {fp} verified, every file's hash too"),
        None => eprintln!(
            "corral bake: WARNING: no signature checked (--unsigned); every file's hash verified"
        ),
    }
    // Each bake is checked as a bake before any is put in place.
    let mut ready = vec![];
    for b in &verified.manifest.bakes {
        let (key, mode) = b
            .dir
            .split_once('/')
            .filter(|(k, _)| k.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
            .with_context(|| format!("refused {}: bake directory {:?}", file.display(), b.dir))?;
        let mode: BakeMode = mode.parse().map_err(anyhow::Error::msg)?;
        let dir = staging.0.join(&b.dir);
        let baked = bake::check_imported(&dir)
            .with_context(|| format!("refused {}: bake {}", file.display(), b.dir))?;
        if baked.commit_hash != b.commit_hash || baked.mode != mode {
            bail!(
                "refused {}: bake {} holds {} {}",
                file.display(),
                b.dir,
                baked.commit_hash,
                baked.mode
            );
        }
        ready.push((key.to_string(), mode, dir, baked));
    }
    let installed = toolchain::discover(&toolchain::rustup_home());
    for (key, mode, dir, baked) in ready {
        let parent = store.join(&key);
        fs::create_dir_all(&parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
        // The same lock as `corral bake`: never under a bake being made.
        let lock_path = parent.join(format!("{mode}.lock"));
        let lock = fs::File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .with_context(|| format!("cannot open {}", lock_path.display()))?;
        lock.lock()
            .with_context(|| format!("cannot lock {}", lock_path.display()))?;
        let target = parent.join(mode.as_str());
        swap_into_place(&dir, &target)?;
        drop(lock);
        eprintln!(
            "corral bake: imported {} crates for rustc {} ({mode}) into {}",
            baked.externs.len(),
            baked.rustc_version,
            target.display()
        );
        if !installed.iter().any(|t| t.commit_hash == baked.commit_hash) {
            let info = verified
                .manifest
                .bakes
                .iter()
                .find(|b| b.commit_hash == baked.commit_hash);
            let date = info.map(|b| b.commit_date.as_str()).unwrap_or("");
            eprintln!(
                "corral bake: WARNING: rustc {} (commit {}) is not installed here, so this bake \
                 is not used until it is: {}",
                baked.rustc_version,
                &baked.commit_hash[..baked.commit_hash.len().min(12)],
                install_hint(&baked.rustc_version, date)
            );
        }
    }
    eprintln!(
        "corral bake: import done in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(0)
}

/// How to install the toolchain of a bake.
fn install_hint(version: &str, commit_date: &str) -> String {
    if version.contains("nightly") {
        format!(
            "`rustup toolchain install nightly-YYYY-MM-DD` with the nightly built from the \
             commit of {commit_date} (usually the next day's)"
        )
    } else if version.contains("beta") {
        "`rustup toolchain install beta` (if beta is still that release)".into()
    } else {
        format!("`rustup toolchain install {version}`")
    }
}

/// Moves `new` to `target` in one step: a rename, or when `target` exists an atomic
/// exchange (the old bake ends up where `new` was, in the staging directory).
fn swap_into_place(new: &Path, target: &Path) -> anyhow::Result<()> {
    use nix::fcntl::{AT_FDCWD, RenameFlags, renameat2};
    if fs::symlink_metadata(target).is_ok() {
        renameat2(
            AT_FDCWD,
            new,
            AT_FDCWD,
            target,
            RenameFlags::RENAME_EXCHANGE,
        )
        .with_context(|| {
            format!(
                "cannot exchange {} with {}",
                new.display(),
                target.display()
            )
        })?;
    } else {
        fs::rename(new, target)
            .with_context(|| format!("cannot move {} to {}", new.display(), target.display()))?;
    }
    Ok(())
}

/// Removes what an interrupted import left (`.import-<pid>` of a dead process).
fn sweep_stale_staging(store: &Path) {
    let Ok(entries) = fs::read_dir(store) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix(".import-")) else {
            continue;
        };
        if pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists() {
            let _ = fs::remove_dir_all(e.path());
        }
    }
}
