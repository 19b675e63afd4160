//! ed25519 keys in one-line text files:
//!
//! ```text
//! corral-ed25519-secret <base64 of the 32-byte seed>      FILE      (mode 0600)
//! corral-ed25519-public <base64 of the 32-byte key>       FILE.pub
//! ```

use super::{BundleError, io_err};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};
use std::fs;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

const SECRET_TAG: &str = "corral-ed25519-secret";
const PUBLIC_TAG: &str = "corral-ed25519-public";

/// A signing key.
pub struct SecretKey(SigningKey);

/// Shows the public half only.
impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretKey({})", self.public().fingerprint())
    }
}

/// A key that verifies signatures: what `--trust` names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl SecretKey {
    /// A new key from the kernel's randomness.
    pub fn generate() -> SecretKey {
        SecretKey(SigningKey::generate(&mut rand_core::OsRng))
    }

    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }

    /// The key file's text.
    pub fn to_text(&self) -> String {
        format!("{SECRET_TAG} {}\n", STANDARD.encode(self.0.to_bytes()))
    }

    pub fn from_text(text: &str) -> Result<SecretKey, String> {
        let bytes = parse_line(text, SECRET_TAG)?;
        Ok(SecretKey(SigningKey::from_bytes(&bytes)))
    }

    pub fn read(path: &Path) -> Result<SecretKey, BundleError> {
        let text = fs::read_to_string(path).map_err(io_err("cannot read the key", path))?;
        SecretKey::from_text(&text)
            .map_err(|e| BundleError::Key(format!("{}: {e}", path.display())))
    }

    pub(crate) fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.0.sign(message).to_bytes()
    }
}

impl PublicKey {
    pub fn to_text(&self) -> String {
        format!("{PUBLIC_TAG} {}\n", STANDARD.encode(self.0.to_bytes()))
    }

    pub fn from_text(text: &str) -> Result<PublicKey, String> {
        let bytes = parse_line(text, PUBLIC_TAG)?;
        VerifyingKey::from_bytes(&bytes)
            .map(PublicKey)
            .map_err(|_| "not an ed25519 public key".to_string())
    }

    pub fn read(path: &Path) -> Result<PublicKey, BundleError> {
        let text = fs::read_to_string(path).map_err(io_err("cannot read the key", path))?;
        PublicKey::from_text(&text)
            .map_err(|e| BundleError::Key(format!("{}: {e}", path.display())))
    }

    /// `SHA256:<base64>` of the key's bytes, to compare by eye (as OpenSSH shows keys).
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.0.to_bytes())
    }

    pub(crate) fn verify(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        self.0
            .verify_strict(message, &ed25519_dalek::Signature::from_bytes(signature))
            .is_ok()
    }

    pub(crate) fn from_bytes(bytes: &[u8; 32]) -> Result<PublicKey, String> {
        VerifyingKey::from_bytes(bytes)
            .map(PublicKey)
            .map_err(|_| "names no valid ed25519 public key".to_string())
    }

    pub(crate) fn bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }
}

/// The fingerprint of a public key's 32 bytes.
pub fn fingerprint(key: &[u8]) -> String {
    format!("SHA256:{}", STANDARD_NO_PAD.encode(Sha256::digest(key)))
}

/// `<tag> <base64 of 32 bytes>` on one line (a final newline allowed).
fn parse_line(text: &str, tag: &str) -> Result<[u8; 32], String> {
    let line = text.strip_suffix('\n').unwrap_or(text);
    let Some((found, b64)) = line.split_once(' ') else {
        return Err(format!("expected one line `{tag} <base64>`"));
    };
    if found != tag {
        let other = if tag == SECRET_TAG {
            PUBLIC_TAG
        } else {
            SECRET_TAG
        };
        return Err(if found == other {
            format!("this is a {other} key, not a {tag} key")
        } else {
            format!("expected one line `{tag} <base64>`")
        });
    }
    let bytes = STANDARD
        .decode(b64.trim())
        .map_err(|e| format!("bad base64: {e}"))?;
    bytes
        .try_into()
        .map_err(|_| "the key is not 32 bytes".to_string())
}

/// Writes a new key to `path` (mode 0600, never over an existing file) and its public
/// key to `path.pub` (mode 0644, also never over an existing file).
pub fn write_new_key_pair(path: &Path) -> Result<(SecretKey, PathBuf), BundleError> {
    let mut pub_path = path.as_os_str().to_owned();
    pub_path.push(".pub");
    let pub_path = PathBuf::from(pub_path);
    for p in [path, pub_path.as_path()] {
        if fs::symlink_metadata(p).is_ok() {
            return Err(BundleError::Key(format!(
                "{} already exists: not overwritten",
                p.display()
            )));
        }
    }
    let key = SecretKey::generate();
    let write = |p: &Path, mode: u32, text: &str| -> Result<(), BundleError> {
        let mut f = fs::File::options()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(p)
            .map_err(io_err("cannot create", p))?;
        f.write_all(text.as_bytes())
            .and_then(|()| f.sync_all())
            .map_err(io_err("cannot write", p))
    };
    write(path, 0o600, &key.to_text())?;
    if let Err(e) = write(&pub_path, 0o644, &key.public().to_text()) {
        let _ = fs::remove_file(path);
        return Err(e);
    }
    Ok((key, pub_path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn keys_round_trip_through_their_text() {
        let k = SecretKey::generate();
        let again = SecretKey::from_text(&k.to_text()).unwrap();
        assert_eq!(again.public(), k.public());
        let p = PublicKey::from_text(&k.public().to_text()).unwrap();
        assert_eq!(p, k.public());
        assert!(p.fingerprint().starts_with("SHA256:"));
        let sig = k.sign(b"m");
        assert!(p.verify(b"m", &sig));
        assert!(!p.verify(b"n", &sig));
        assert!(
            PublicKey::from_text(&k.to_text())
                .unwrap_err()
                .contains("secret key")
        );
        assert!(PublicKey::from_text("corral-ed25519-public AAAA").is_err());
        assert!(PublicKey::from_text("").is_err());
    }

    #[test]
    fn a_new_key_pair_is_private_and_never_overwrites() {
        let dir = std::env::temp_dir().join(format!("corral-bundle-keys-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("k");
        let (key, pub_path) = write_new_key_pair(&path).unwrap();
        assert_eq!(pub_path, dir.join("k.pub"));
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(PublicKey::read(&pub_path).unwrap(), key.public());
        assert_eq!(SecretKey::read(&path).unwrap().public(), key.public());
        let before = fs::read(&path).unwrap();
        let err = write_new_key_pair(&path).unwrap_err().to_string();
        assert!(err.contains("already exists"), "{err}");
        assert_eq!(fs::read(&path).unwrap(), before);
        // Nor when only the public half is there.
        let other = dir.join("o");
        fs::write(dir.join("o.pub"), "x").unwrap();
        assert!(write_new_key_pair(&other).is_err());
        assert!(!other.exists());
        let _ = fs::remove_dir_all(&dir);
    }
}
