//! The manifest: canonical JSON (fixed field order, files and directories sorted by
//! path, no time or host path in it), so the same bake gives the same bytes.

use serde::{Deserialize, Serialize};

/// Version of the archive format.
pub const FORMAT: u32 = 1;

/// Most bytes a manifest may have (a bake of the full crate list has a few hundred files).
pub(crate) const MAX_MANIFEST: u64 = 16 << 20;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: u32,
    /// The corral that wrote the archive.
    pub corral_version: String,
    /// The bakes in the archive, sorted by directory.
    pub bakes: Vec<BakeInfo>,
    /// Directories to create (even when empty), sorted.
    pub dirs: Vec<String>,
    /// Every file, sorted by path: the archive holds them in this order.
    pub files: Vec<FileEntry>,
}

/// One bake: `<commit hash>/<mode>` of a store and what it was made with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BakeInfo {
    /// Its directory in the archive (and in the store): `<commit hash>/<mode>`.
    pub dir: String,
    /// `rustc -vV`: release, commit hash and date, host.
    pub rustc_version: String,
    pub commit_hash: String,
    pub commit_date: String,
    pub host: String,
    pub mode: String,
    /// SHA-256 of the crate list's Cargo.lock.
    pub lock_hash: String,
    /// The crates (name, version).
    pub crates: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    pub path: String,
    pub size: u64,
    /// SHA-256 of the (uncompressed) contents, hex.
    pub sha256: String,
    /// Written with mode 0755 instead of 0644.
    pub executable: bool,
}

impl Manifest {
    /// The canonical bytes: what is signed and stored.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).expect("a manifest serializes");
        v.push(b'\n');
        v
    }

    /// SHA-256 of the canonical bytes, hex: equal for equal bakes.
    pub fn sha256(&self) -> String {
        use sha2::Digest;
        crate::hex(&sha2::Sha256::digest(self.to_bytes()))
    }

    /// Parses and checks a manifest read from an archive.
    pub fn from_bytes(bytes: &[u8]) -> Result<Manifest, String> {
        let m: Manifest = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        if m.format != FORMAT {
            return Err(format!(
                "format {} (this corral reads format {FORMAT}; the archive was written by corral {})",
                m.format, m.corral_version
            ));
        }
        m.check()?;
        Ok(m)
    }

    /// Paths are safe, sorted and unique; hashes are hashes; every file and directory
    /// lies inside one of the bakes.
    pub fn check(&self) -> Result<(), String> {
        for b in &self.bakes {
            safe_path(&b.dir)?;
        }
        sorted_unique(self.bakes.iter().map(|b| b.dir.as_str()), "bake")?;
        sorted_unique(self.dirs.iter().map(String::as_str), "directory")?;
        sorted_unique(self.files.iter().map(|f| f.path.as_str()), "file")?;
        let in_a_bake = |p: &str| {
            self.bakes.iter().any(|b| {
                p.strip_prefix(b.dir.as_str())
                    .is_some_and(|rest| rest.starts_with('/'))
            })
        };
        for p in self
            .dirs
            .iter()
            .map(String::as_str)
            .chain(self.files.iter().map(|f| f.path.as_str()))
        {
            safe_path(p)?;
            if !in_a_bake(p) {
                return Err(format!("{p} is not inside a bake of the archive"));
            }
        }
        for f in &self.files {
            let hex = f.sha256.len() == 64
                && f.sha256
                    .bytes()
                    .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c));
            if !hex {
                return Err(format!("{}: {:?} is not a SHA-256", f.path, f.sha256));
            }
        }
        Ok(())
    }
}

fn sorted_unique<'a>(mut items: impl Iterator<Item = &'a str>, what: &str) -> Result<(), String> {
    let Some(mut prev) = items.next() else {
        return Ok(());
    };
    for p in items {
        if p <= prev {
            return Err(format!("{what} {p} is out of order or repeated"));
        }
        prev = p;
    }
    Ok(())
}

/// A relative path of plain names (no `.`, `..`, empty or hidden-by-slash parts), in
/// printable ASCII without backslashes, short enough for a tar header.
pub(crate) fn safe_path(p: &str) -> Result<(), String> {
    let bad = |why: &str| Err(format!("unsafe path {p:?}: {why}"));
    if p.is_empty() || p.len() > 200 {
        return bad("empty or longer than 200 bytes");
    }
    if p.starts_with('/') {
        return bad("absolute");
    }
    if !p.bytes().all(|c| c.is_ascii_graphic() && c != b'\\') {
        return bad("only printable ASCII without backslashes is allowed");
    }
    for part in p.split('/') {
        if part.is_empty() || part == "." || part == ".." {
            return bad("empty, `.` or `..` component");
        }
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn sample() -> Manifest {
        Manifest {
            format: FORMAT,
            corral_version: "0.1.0".into(),
            bakes: vec![BakeInfo {
                dir: "abc/debug".into(),
                rustc_version: "1.95.0".into(),
                commit_hash: "abc".into(),
                commit_date: "2026-04-14".into(),
                host: "x86_64-unknown-linux-gnu".into(),
                mode: "debug".into(),
                lock_hash: "0".repeat(64),
                crates: vec![("itoa".into(), "1.0.15".into())],
            }],
            dirs: vec!["abc/debug/x".into()],
            files: vec![FileEntry {
                path: "abc/debug/baked.json".into(),
                size: 2,
                sha256: "a".repeat(64),
                executable: false,
            }],
        }
    }

    #[test]
    fn the_manifest_round_trips_and_is_checked() {
        let m = sample();
        assert_eq!(Manifest::from_bytes(&m.to_bytes()).unwrap(), m);
        for (path, ok) in [
            ("abc/debug/a", true),
            ("abc/debug/../../etc/passwd", false),
            ("/abc/debug/a", false),
            ("abc/debug//a", false),
            ("abc/debug/./a", false),
            ("abc/debug/a\\b", false),
            ("abc/debug/a b", false),
            ("abc/debugx/a", false),
            ("other/a", false),
        ] {
            let mut bad = m.clone();
            bad.files[0].path = path.into();
            assert_eq!(bad.check().is_ok(), ok, "{path}");
        }
        let mut twice = m.clone();
        twice.files.push(twice.files[0].clone());
        assert!(
            twice
                .check()
                .unwrap_err()
                .contains("out of order or repeated")
        );
        let mut newer = m.clone();
        newer.format = 2;
        assert!(
            Manifest::from_bytes(&newer.to_bytes())
                .unwrap_err()
                .contains("format 2")
        );
    }
}
