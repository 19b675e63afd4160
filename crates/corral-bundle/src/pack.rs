//! Writing an archive: hash every file, write the manifest and its signature, then each
//! file compressed (hashed again on the way, so a file that changed meanwhile is
//! refused rather than packed under the wrong hash).

use super::manifest::{BakeInfo, FORMAT, FileEntry, Manifest, safe_path};
use super::ustar::Writer;
use super::{
    BundleError, COMPRESSED_SUFFIX, MANIFEST_ENTRY, SIGNATURE_ENTRY, SecretKey, hex, io_err,
};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};
use std::fs;
use std::io::{self, Read, Write};
use std::path::PathBuf;

/// zstd's level: 9 makes the archive of a full bake about a tenth smaller than the
/// default 3, for a few more seconds of packing; decompressing is as fast.
const LEVEL: i32 = 9;
/// zstd's worker threads: fixed, so that the archive's bytes do not depend on the
/// machine (zstd's multi-threaded output depends only on its parameters).
const THREADS: u32 = 2;

/// A file to pack.
pub struct Source {
    /// Its path in the archive (and, below the store, after import).
    pub path: String,
    pub data: Data,
    pub executable: bool,
}

pub enum Data {
    File(PathBuf),
    Bytes(Vec<u8>),
}

impl Data {
    fn open(&self) -> Result<Box<dyn Read + '_>, BundleError> {
        Ok(match self {
            Data::File(p) => Box::new(fs::File::open(p).map_err(io_err("cannot open", p))?),
            Data::Bytes(b) => Box::new(&b[..]),
        })
    }

    fn what(&self, path: &str) -> String {
        match self {
            Data::File(p) => p.display().to_string(),
            Data::Bytes(_) => path.to_string(),
        }
    }
}

/// Reads everything, returning (size, SHA-256); with `copy`, also writes it there.
pub(crate) fn hash_copy(
    mut r: impl Read,
    mut copy: Option<&mut dyn Write>,
) -> io::Result<(u64, String)> {
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let got = match r.read(&mut buf) {
            Ok(0) => break,
            Ok(g) => g,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        h.update(&buf[..got]);
        if let Some(w) = copy.as_mut() {
            w.write_all(&buf[..got])?;
        }
        n += got as u64;
    }
    Ok((n, hex(&h.finalize())))
}

/// Packs `files` (and the empty `dirs`) of `bakes` into `out`, signed with `key` when
/// given; returns the manifest written.
pub fn pack(
    out: impl Write,
    corral_version: &str,
    mut bakes: Vec<BakeInfo>,
    mut dirs: Vec<String>,
    mut files: Vec<Source>,
    key: Option<&SecretKey>,
    progress: &mut dyn FnMut(&str),
) -> Result<Manifest, BundleError> {
    bakes.sort_by(|a, b| a.dir.cmp(&b.dir));
    dirs.sort();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let mut entries = vec![];
    for f in &files {
        safe_path(&f.path).map_err(BundleError::Pack)?;
        let (size, sha256) = hash_copy(f.data.open()?, None)
            .map_err(io_err("cannot read", &PathBuf::from(f.data.what(&f.path))))?;
        entries.push(FileEntry {
            path: f.path.clone(),
            size,
            sha256,
            executable: f.executable,
        });
    }
    let manifest = Manifest {
        format: FORMAT,
        corral_version: corral_version.to_string(),
        bakes,
        dirs,
        files: entries,
    };
    manifest.check().map_err(BundleError::Pack)?;
    let bytes = manifest.to_bytes();
    let mut w = Writer::new(out);
    w.entry(MANIFEST_ENTRY, &bytes)?;
    if let Some(key) = key {
        w.entry(SIGNATURE_ENTRY, signature_text(key, &bytes).as_bytes())?;
    }
    let total: u64 = manifest.files.iter().map(|f| f.size).sum();
    let mut done = 0u64;
    let mut next_report = 256u64 << 20;
    for (f, entry) in files.iter().zip(&manifest.files) {
        let mut compressed = Vec::with_capacity((entry.size / 3) as usize);
        let mut enc = zstd::stream::write::Encoder::new(&mut compressed, LEVEL)
            .map_err(|e| BundleError::Pack(format!("zstd: {e}")))?;
        enc.include_checksum(true)
            .and_then(|()| enc.include_contentsize(true))
            .and_then(|()| enc.set_pledged_src_size(Some(entry.size)))
            .map_err(|e| BundleError::Pack(format!("zstd: {e}")))?;
        if entry.size > 1 << 20 {
            enc.multithread(THREADS)
                .map_err(|e| BundleError::Pack(format!("zstd: {e}")))?;
        }
        let (size, sha256) = hash_copy(f.data.open()?, Some(&mut enc))
            .map_err(|e| BundleError::Pack(format!("cannot pack {}: {e}", f.data.what(&f.path))))?;
        enc.finish()
            .map_err(|e| BundleError::Pack(format!("zstd: {e}")))?;
        if size != entry.size || sha256 != entry.sha256 {
            return Err(BundleError::Pack(format!(
                "{} changed while it was being packed",
                f.data.what(&f.path)
            )));
        }
        w.entry(&format!("{}{COMPRESSED_SUFFIX}", f.path), &compressed)?;
        done += size;
        if done >= next_report || done == total {
            progress(&format!(
                "packed {} of {} MiB",
                done >> 20,
                total.max(1).div_ceil(1 << 20)
            ));
            next_report = done + (256 << 20);
        }
    }
    w.finish()?;
    Ok(manifest)
}

/// The signature entry's text: the signature, and the signer's public key (to name it
/// when it is not the trusted one; verification uses the trusted key only).
fn signature_text(key: &SecretKey, manifest: &[u8]) -> String {
    let sig = key.sign(&signed_message(manifest));
    format!(
        "corral-ed25519-signature {}\n{}",
        STANDARD.encode(sig),
        key.public().to_text()
    )
}

/// What is signed: a fixed prefix (so the signature is good for nothing else), then
/// the manifest's bytes.
pub(crate) fn signed_message(manifest: &[u8]) -> Vec<u8> {
    let mut m = b"corral-bundle manifest v1\n".to_vec();
    m.extend_from_slice(manifest);
    m
}
