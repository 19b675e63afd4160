//! Reading an archive: the manifest, then its signature (checked before any file is
//! read), then every file into a fresh staging directory, each checked against the
//! manifest (size and SHA-256) as it is written.

use super::manifest::MAX_MANIFEST;
use super::pack::signed_message;
use super::ustar::Reader;
use super::{
    BundleError, COMPRESSED_SUFFIX, MANIFEST_ENTRY, Manifest, PublicKey, SIGNATURE_ENTRY,
    fingerprint, hex, io_err,
};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};
use std::fs;
use std::io::{BufReader, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// What an import accepts.
pub struct Trust {
    /// The key whose signature is required when the archive is signed.
    pub key: Option<PublicKey>,
    /// Accept an archive without a signature (and a signed one without a key).
    pub allow_unsigned: bool,
}

/// A verified archive's manifest, and who signed it.
#[derive(Debug)]
pub struct Verified {
    pub manifest: Manifest,
    /// The fingerprint of the key that signed it, when its signature was checked.
    pub signer: Option<String>,
    /// SHA-256 of the manifest's bytes.
    pub manifest_sha256: String,
}

fn open(archive: &Path) -> Result<Reader<BufReader<fs::File>>, BundleError> {
    let f = fs::File::open(archive).map_err(io_err("cannot open", archive))?;
    Ok(Reader::new(BufReader::with_capacity(1 << 20, f)))
}

/// Reads a small entry whole.
fn small_entry<R: Read>(
    r: &mut Reader<R>,
    expect: &str,
    max: u64,
) -> Result<Option<Vec<u8>>, BundleError> {
    let Some(e) = r.next()? else {
        return Ok(None);
    };
    if e.name != expect {
        return Err(BundleError::NotABundle(format!(
            "its first entry is {:?}, not {expect}",
            e.name
        )));
    }
    if e.size > max {
        return Err(BundleError::Manifest(format!("{expect} is too large")));
    }
    let mut buf = Vec::with_capacity(e.size as usize);
    r.data(e.size)
        .read_to_end(&mut buf)
        .map_err(|err| BundleError::Damaged(format!("cannot read {expect}: {err}")))?;
    if buf.len() as u64 != e.size {
        return Err(BundleError::Damaged(format!("{expect} is cut short")));
    }
    r.end_entry(&e)?;
    Ok(Some(buf))
}

/// The manifest of an archive, NOT verified: for listing and comparing only.
pub fn read_manifest(archive: &Path) -> Result<Manifest, BundleError> {
    let mut r = open(archive)?;
    let bytes = small_entry(&mut r, MANIFEST_ENTRY, MAX_MANIFEST)?
        .ok_or_else(|| BundleError::NotABundle("it is empty".into()))?;
    Manifest::from_bytes(&bytes).map_err(BundleError::Manifest)
}

/// Verifies `archive` and writes its files into `staging` (an empty directory). On
/// success every file there has its manifest's size and hash, under a signature made
/// by `trust.key` (or, with `allow_unsigned`, none); on error, what was written must
/// be thrown away.
pub fn unpack(archive: &Path, trust: &Trust, staging: &Path) -> Result<Verified, BundleError> {
    read_archive(archive, trust, Some(staging))
}

/// [`unpack`] without writing anything: whether the archive is whole and trusted.
pub fn verify(archive: &Path, trust: &Trust) -> Result<Verified, BundleError> {
    read_archive(archive, trust, None)
}

fn read_archive(
    archive: &Path,
    trust: &Trust,
    staging: Option<&Path>,
) -> Result<Verified, BundleError> {
    let mut r = open(archive)?;
    let bytes = small_entry(&mut r, MANIFEST_ENTRY, MAX_MANIFEST)?
        .ok_or_else(|| BundleError::NotABundle("it is empty".into()))?;
    let manifest_sha256 = hex(&Sha256::digest(&bytes));

    // The signature: the entry after the manifest, if that is its name.
    let mut next = r.next()?;
    let mut signer = None;
    match next.as_ref().filter(|e| e.name == SIGNATURE_ENTRY) {
        Some(e) => {
            if e.size > 4096 {
                return Err(BundleError::Signature("is too large".into()));
            }
            let mut text = vec![];
            r.data(e.size)
                .read_to_end(&mut text)
                .map_err(|err| BundleError::Damaged(format!("{SIGNATURE_ENTRY}: {err}")))?;
            let e = next.take().expect("the signature entry");
            r.end_entry(&e)?;
            let (sig, their_key) = parse_signature(&text).map_err(BundleError::Signature)?;
            match &trust.key {
                Some(key) => {
                    let good = key.verify(&signed_message(&bytes), &sig);
                    if good && their_key != key.bytes() {
                        return Err(BundleError::Signature(
                            "names another key than the one that made it: it was changed".into(),
                        ));
                    }
                    if !good {
                        let why = if their_key != key.bytes() {
                            format!(
                                "was made by key {}, not by the trusted key {}",
                                fingerprint(&their_key),
                                key.fingerprint()
                            )
                        } else {
                            "does not match the manifest: one of them was changed".into()
                        };
                        return Err(BundleError::Signature(why));
                    }
                    signer = Some(key.fingerprint());
                }
                None if trust.allow_unsigned => {
                    // Not trusted, but whole: it verifies with the key it names.
                    let named = PublicKey::from_bytes(&their_key)
                        .map_err(|e| BundleError::Signature(e.to_string()))?;
                    if !named.verify(&signed_message(&bytes), &sig) {
                        return Err(BundleError::Signature(
                            "does not match the manifest: one of them was changed".into(),
                        ));
                    }
                }
                None => return Err(BundleError::NoTrust),
            }
            next = r.next()?;
        }
        None if trust.allow_unsigned => {}
        None => return Err(BundleError::Unsigned),
    }
    // Only now is the manifest read: it is what was signed (or accepted unsigned).
    let manifest = Manifest::from_bytes(&bytes).map_err(BundleError::Manifest)?;

    for d in manifest.dirs.iter().filter(|_| staging.is_some()) {
        let p = staging.unwrap_or(Path::new("")).join(d);
        fs::create_dir_all(&p).map_err(io_err("cannot create", &p))?;
    }
    for f in &manifest.files {
        let expect = format!("{}{COMPRESSED_SUFFIX}", f.path);
        let Some(e) = next.take() else {
            return Err(BundleError::File {
                path: f.path.clone(),
                reason: "missing: the archive ends before it".into(),
            });
        };
        if e.name != expect {
            return Err(BundleError::Damaged(format!(
                "entry {:?} where the manifest has {expect}",
                e.name
            )));
        }
        let bad = |reason: String| BundleError::File {
            path: f.path.clone(),
            reason,
        };
        let dest = staging.unwrap_or(Path::new("/dev/null")).join(&f.path);
        let mut out: Option<fs::File> = match staging {
            Some(_) => {
                if let Some(parent) = dest.parent() {
                    fs::create_dir_all(parent).map_err(io_err("cannot create", parent))?;
                }
                let file = fs::File::options()
                    .write(true)
                    .create_new(true)
                    .mode(if f.executable { 0o755 } else { 0o644 })
                    .open(&dest)
                    .map_err(io_err("cannot create", &dest))?;
                Some(file)
            }
            None => None,
        };
        let mut dec = zstd::stream::read::Decoder::new(r.data(e.size))
            .map_err(|err| bad(format!("cannot decompress: {err}")))?;
        // At most one byte more than the manifest says: enough to tell it is larger.
        let mut limited = (&mut dec).take(f.size + 1);
        let mut h = Sha256::new();
        let mut buf = vec![0u8; 1 << 20];
        let mut n = 0u64;
        loop {
            let got = limited
                .read(&mut buf)
                .map_err(|err| bad(format!("cannot decompress: {err}")))?;
            if got == 0 {
                break;
            }
            h.update(&buf[..got]);
            n += got as u64;
            if n > f.size {
                return Err(bad(format!("larger than its {} bytes", f.size)));
            }
            if let Some(out) = out.as_mut() {
                out.write_all(&buf[..got])
                    .map_err(io_err("cannot write", &dest))?;
            }
        }
        // The compressed data must have been read to its end.
        let mut rest = dec.finish();
        let mut tail = [0u8; 1];
        if !rest.buffer().is_empty() || rest.read(&mut tail).map(|k| k > 0).unwrap_or(true) {
            return Err(bad("data after its end".into()));
        }
        drop(rest);
        if n != f.size {
            return Err(bad(format!("{n} bytes, not {}", f.size)));
        }
        let got = hex(&h.finalize());
        if got != f.sha256 {
            return Err(bad(format!("SHA-256 {got}, not {}", f.sha256)));
        }
        if let Some(out) = out {
            out.sync_all().map_err(io_err("cannot write", &dest))?;
        }
        r.end_entry(&e)?;
        next = r.next()?;
    }
    if let Some(e) = next {
        return Err(BundleError::Damaged(format!(
            "entry {:?} is not in the manifest",
            e.name
        )));
    }
    Ok(Verified {
        manifest,
        signer,
        manifest_sha256,
    })
}

fn parse_signature(text: &[u8]) -> Result<([u8; 64], [u8; 32]), String> {
    let text = std::str::from_utf8(text).map_err(|_| "is not text".to_string())?;
    let mut lines = text.lines();
    let sig = lines
        .next()
        .and_then(|l| l.strip_prefix("corral-ed25519-signature "))
        .and_then(|b| STANDARD.decode(b).ok())
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .ok_or("is not a corral-ed25519-signature line")?;
    let key = lines
        .next()
        .and_then(|l| PublicKey::from_text(l).ok())
        .ok_or("names no public key")?;
    Ok((sig, key.bytes()))
}
