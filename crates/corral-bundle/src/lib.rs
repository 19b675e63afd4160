//! corral-bundle: the archive that carries bakes from one machine to another
//! (`corral bake --export` and `--import`), and the ed25519 keys that sign it.
//!
//! An archive is an uncompressed POSIX tar (ustar) file whose entries are, in order:
//!
//! ```text
//! corral-bundle.json     the manifest (Manifest): every file's path, size and SHA-256
//! corral-bundle.sig      the ed25519 signature of the manifest (absent when unsigned)
//! <path>.zst             each file of the manifest, in its order, zstd-compressed
//! ```
//!
//! Every byte of an archive is checked before its files are used: each tar header must
//! be exactly the one this crate writes for that name and size (so a changed byte in
//! one names the entry), the padding and the end of the archive must be zeros, the
//! signature must verify over the manifest's bytes with the trusted key, and each file
//! decompresses to exactly its size and SHA-256. Nothing is followed but names: only
//! regular files, under relative paths without `..`, written into a fresh directory.
//!
//! **Invariant:** [`unpack`] returns only after the signature and every file's hash
//! have been verified; until then nothing it wrote may be used, and on any error the
//! caller removes its staging directory.

mod keys;
mod manifest;
mod pack;
mod unpack;
mod ustar;

pub use keys::{PublicKey, SecretKey, fingerprint, write_new_key_pair};
pub use manifest::{BakeInfo, FORMAT, FileEntry, Manifest};
pub use pack::{Data, Source, pack};
pub use unpack::{Trust, Verified, read_manifest, unpack, verify};

use std::io;
use std::path::{Path, PathBuf};

/// The manifest's entry: the first of every archive.
pub const MANIFEST_ENTRY: &str = "corral-bundle.json";
/// The signature's entry: the second, when the archive is signed.
pub const SIGNATURE_ENTRY: &str = "corral-bundle.sig";
/// Every file's entry is its manifest path with this suffix.
pub const COMPRESSED_SUFFIX: &str = ".zst";

#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("{what} {}: {source}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    #[error("{0}")]
    Key(String),
    #[error("not a corral bake archive: {0}")]
    NotABundle(String),
    #[error("the manifest ({MANIFEST_ENTRY}) is unusable: {0}")]
    Manifest(String),
    #[error("the signature ({SIGNATURE_ENTRY}) of the manifest ({MANIFEST_ENTRY}) {0}")]
    Signature(String),
    #[error(
        "the archive is not signed: import it only if you trust where it came from, with --unsigned"
    )]
    Unsigned,
    #[error("the archive is signed but no key to check it was given: pass --trust KEY.pub")]
    NoTrust,
    #[error("the archive is damaged or was changed: {0}")]
    Damaged(String),
    #[error("file {path} in the archive is damaged or was changed: {reason}")]
    File { path: String, reason: String },
    #[error("{0}")]
    Pack(String),
}

fn io_err(what: &'static str, path: &Path) -> impl FnOnce(io::Error) -> BundleError + use<> {
    let path = path.to_path_buf();
    move |source| BundleError::Io { what, path, source }
}

/// A file's size and SHA-256 (hex), read in one pass.
pub fn sha256_file(path: &Path) -> Result<(u64, String), BundleError> {
    let f = std::fs::File::open(path).map_err(io_err("cannot open", path))?;
    pack::hash_copy(f, None).map_err(io_err("cannot read", path))
}

/// Lowercase hex.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    struct Dir(PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn temp(name: &str) -> Dir {
        let d = std::env::temp_dir().join(format!("corral-bundle-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        Dir(d)
    }

    fn bake() -> BakeInfo {
        BakeInfo {
            dir: "c0ffee/debug".into(),
            rustc_version: "1.95.0".into(),
            commit_hash: "c0ffee".into(),
            commit_date: "2026-04-14".into(),
            host: "x86_64-unknown-linux-gnu".into(),
            mode: "debug".into(),
            lock_hash: "0".repeat(64),
            crates: vec![("itoa".into(), "1.0.15".into())],
        }
    }

    /// An archive of three files (one large and barely compressible) in `dir`.
    fn sample(dir: &Path, key: Option<&SecretKey>) -> (PathBuf, Manifest) {
        let big: Vec<u8> = (0..3_000_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        fs::write(dir.join("big"), &big).unwrap();
        let files = vec![
            Source {
                path: "c0ffee/debug/baked.json".into(),
                data: Data::Bytes(b"{\"x\": 1}\n".to_vec()),
                executable: false,
            },
            Source {
                path: "c0ffee/debug/target/deps/libbig.so".into(),
                data: Data::File(dir.join("big")),
                executable: true,
            },
            Source {
                path: "c0ffee/debug/target/deps/liba.rlib".into(),
                data: Data::Bytes(vec![]),
                executable: false,
            },
        ];
        let path = dir.join("bake.tar");
        let out = fs::File::create(&path).unwrap();
        let m = pack(
            out,
            "0.1.0",
            vec![bake()],
            vec!["c0ffee/debug/target/native".into()],
            files,
            key,
            &mut |_| {},
        )
        .unwrap();
        (path, m)
    }

    fn trust(key: &SecretKey) -> Trust {
        Trust {
            key: Some(key.public()),
            allow_unsigned: false,
        }
    }

    #[test]
    fn a_signed_archive_round_trips() {
        let d = temp("round");
        let key = SecretKey::generate();
        let (archive, m) = sample(&d.0, Some(&key));
        assert_eq!(
            m.files.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(),
            [
                "c0ffee/debug/baked.json",
                "c0ffee/debug/target/deps/liba.rlib",
                "c0ffee/debug/target/deps/libbig.so"
            ]
        );
        let staging = d.0.join("staging");
        fs::create_dir(&staging).unwrap();
        let v = unpack(&archive, &trust(&key), &staging).unwrap();
        assert_eq!(v.manifest, m);
        assert_eq!(v.signer, Some(key.public().fingerprint()));
        assert_eq!(read_manifest(&archive).unwrap(), m);
        let big = staging.join("c0ffee/debug/target/deps/libbig.so");
        assert_eq!(fs::read(&big).unwrap(), fs::read(d.0.join("big")).unwrap());
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            fs::metadata(&big).unwrap().permissions().mode() & 0o777,
            0o755
        );
        assert!(staging.join("c0ffee/debug/target/native").is_dir());
        // The same inputs give the same bytes.
        let again = temp("round-again");
        let (archive2, m2) = sample(&again.0, Some(&key));
        assert_eq!(m2.to_bytes(), m.to_bytes());
        assert_eq!(fs::read(&archive).unwrap(), fs::read(&archive2).unwrap());
    }

    #[test]
    fn a_flipped_byte_anywhere_is_refused_and_a_data_byte_names_its_file() {
        let d = temp("flip");
        let key = SecretKey::generate();
        let (archive, _) = sample(&d.0, Some(&key));
        let bytes = fs::read(&archive).unwrap();
        // Every third byte of the manifest, the signature and the first file's header
        // (the tar layer's own test tries every byte of headers), 200 bytes after, and
        // the middle one (in the large file's data).
        let first = bytes
            .windows(27)
            .position(|w| w == b"c0ffee/debug/baked.json.zst")
            .unwrap()
            + 512;
        let mid = bytes.len() / 2;
        let path = d.0.join("bad.tar");
        fs::write(&path, &bytes).unwrap();
        let file = fs::File::options().write(true).open(&path).unwrap();
        let flip = |i: usize, b: u8| {
            std::os::unix::fs::FileExt::write_all_at(&file, &[b], i as u64).unwrap()
        };
        for i in (0..first)
            .step_by(3)
            .chain((first..bytes.len()).step_by(bytes.len() / 200))
            .chain([mid])
        {
            flip(i, bytes[i] ^ 0xff);
            let staging = d.0.join(format!("s{i}"));
            fs::create_dir(&staging).unwrap();
            let err = unpack(&path, &trust(&key), &staging)
                .expect_err(&format!("byte {i} changed unnoticed"))
                .to_string();
            if i == mid {
                assert!(
                    err.starts_with("file c0ffee/debug/target/deps/libbig.so in the archive"),
                    "{err}"
                );
            }
            fs::remove_dir_all(&staging).unwrap();
            flip(i, bytes[i]);
        }
    }

    #[test]
    fn a_wrong_key_or_no_signature_is_refused() {
        let d = temp("keys");
        let key = SecretKey::generate();
        let other = SecretKey::generate();
        let (signed, _) = sample(&d.0, Some(&key));
        let staging = d.0.join("s");
        fs::create_dir(&staging).unwrap();
        let err = unpack(&signed, &trust(&other), &staging)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("corral-bundle.sig") && err.contains(&key.public().fingerprint()),
            "{err}"
        );
        // Nothing was written before the signature was checked.
        assert_eq!(fs::read_dir(&staging).unwrap().count(), 0);
        let no_key = Trust {
            key: None,
            allow_unsigned: false,
        };
        assert!(matches!(
            unpack(&signed, &no_key, &staging),
            Err(BundleError::NoTrust)
        ));

        let u = temp("unsigned");
        let (unsigned, _) = sample(&u.0, None);
        assert!(matches!(
            unpack(&unsigned, &trust(&key), &staging),
            Err(BundleError::Unsigned)
        ));
        let allow = Trust {
            key: Some(key.public()),
            allow_unsigned: true,
        };
        let v = unpack(&unsigned, &allow, &staging).unwrap();
        assert_eq!(v.signer, None);
        // Verifying alone writes nothing and refuses the same.
        let empty = temp("verify");
        assert!(verify(&signed, &trust(&key)).is_ok());
        assert!(verify(&signed, &trust(&other)).is_err());
        assert!(matches!(
            verify(&unsigned, &trust(&key)),
            Err(BundleError::Unsigned)
        ));
        assert_eq!(fs::read_dir(&empty.0).unwrap().count(), 0);
    }

    #[test]
    fn a_manifest_changed_after_signing_is_refused() {
        let d = temp("resign");
        let key = SecretKey::generate();
        let (archive, m) = sample(&d.0, Some(&key));
        // Same length, one hash changed: the tar header stays canonical.
        let mut bytes = fs::read(&archive).unwrap();
        let json = m.to_bytes();
        let at = bytes
            .windows(json.len())
            .position(|w| w == json.as_slice())
            .unwrap();
        let h = String::from_utf8_lossy(&json)
            .find(&m.files[0].sha256)
            .unwrap();
        bytes[at + h] = if bytes[at + h] == b'0' { b'1' } else { b'0' };
        fs::write(&archive, &bytes).unwrap();
        let staging = d.0.join("s");
        fs::create_dir(&staging).unwrap();
        let err = unpack(&archive, &trust(&key), &staging)
            .unwrap_err()
            .to_string();
        assert!(err.contains("does not match the manifest"), "{err}");
    }

    #[test]
    fn paths_that_leave_the_staging_dir_are_refused() {
        let d = temp("escape");
        let key = SecretKey::generate();
        for path in ["../evil", "/etc/evil", "c0ffee/debug/../../evil"] {
            // A manifest naming an escaping path, properly signed: still refused.
            let mut m = manifest::tests::sample();
            m.bakes[0].dir = "c0ffee/debug".into();
            m.dirs.clear();
            m.files[0].path = path.into();
            let bytes = m.to_bytes();
            let mut w = ustar::Writer::new(Vec::new());
            w.entry(MANIFEST_ENTRY, &bytes).unwrap();
            let sig = pack::signed_message(&bytes);
            let text = format!(
                "corral-ed25519-signature {}\n{}",
                base64::Engine::encode(&base64::engine::general_purpose::STANDARD, key.sign(&sig)),
                key.public().to_text()
            );
            w.entry(SIGNATURE_ENTRY, text.as_bytes()).unwrap();
            let archive = d.0.join("evil.tar");
            fs::write(&archive, w.finish().unwrap()).unwrap();
            let staging = d.0.join("s");
            fs::create_dir_all(&staging).unwrap();
            let err = unpack(&archive, &trust(&key), &staging)
                .unwrap_err()
                .to_string();
            assert!(err.contains("unsafe path"), "{path}: {err}");
            assert!(!d.0.join("evil").exists());
        }
        // And a packer refuses to write one.
        let err = pack(
            Vec::new(),
            "0.1.0",
            vec![bake()],
            vec![],
            vec![Source {
                path: "c0ffee/debug/../x".into(),
                data: Data::Bytes(vec![]),
                executable: false,
            }],
            None,
            &mut |_| {},
        )
        .unwrap_err();
        assert!(err.to_string().contains("unsafe path"), "{err}");
    }
}
