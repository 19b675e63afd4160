//! The bake store: where bakes live, and loading a current one.

use super::crates::sha256_hex;
use super::manifest::{FORMAT, MANIFEST_FILE};
use super::{BAKE_MOUNT, BakeError, BakeMode, Baked, CrateList, io_err};
use crate::toolchain::Toolchain;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bake::build::deps_dirs;
    use crate::bake::manifest::write_atomically;
    use crate::bake::test_support::{fake_toolchain, temp_dir};

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
            shared: None,
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
        // The shared library: only `libcorral_vetted.so`, inside the bake, present.
        fs::create_dir_all(dir.join("shared")).unwrap();
        fs::write(dir.join("shared/libcorral_vetted.so"), "").unwrap();
        fs::write(dir.join("shared/libother.so"), "").unwrap();
        for (shared, ok) in [
            ("/bake/shared/libcorral_vetted.so", true),
            ("/bake/shared/libother.so", false),
            ("/bake/shared/../../etc/libcorral_vetted.so", false),
            ("/elsewhere/libcorral_vetted.so", false),
            ("/bake/libcorral_vetted.so", false),
        ] {
            let with = Baked {
                shared: Some(shared.into()),
                ..good.clone()
            };
            fs::write(
                dir.join(MANIFEST_FILE),
                serde_json::to_string(&with).unwrap(),
            )
            .unwrap();
            let loaded = load_with(&store, &tc, BakeMode::Debug, &list);
            assert_eq!(loaded.is_ok(), ok, "{shared}: {loaded:?}");
        }
        fs::write(dir.join(MANIFEST_FILE), "{").unwrap();
        assert!(load_with(&store, &tc, BakeMode::Debug, &list).is_err());
        let _ = fs::remove_dir_all(&store);
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
}
