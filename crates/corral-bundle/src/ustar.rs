//! The strict tar layer: one canonical header per name and size, written and
//! re-derived when reading, so that any changed byte of a header is noticed and the
//! entry named; zero padding; the end of the archive is two zero blocks, then nothing.

use super::BundleError;
use std::io::{self, Read, Write};

pub(crate) const BLOCK: u64 = 512;

/// The only header this crate writes for a `size`-byte regular file named `name`:
/// ustar, mode 0644, owner 0:0, time 0, no user or group names.
pub(crate) fn header(name: &str, size: u64) -> Result<[u8; 512], String> {
    let mut h = tar::Header::new_ustar();
    h.set_path(name)
        .map_err(|e| format!("{name}: cannot be named in a tar header: {e}"))?;
    h.set_entry_type(tar::EntryType::Regular);
    h.set_size(size);
    h.set_mode(0o644);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(0);
    h.set_cksum();
    let mut out = [0u8; 512];
    out.copy_from_slice(h.as_bytes());
    Ok(out)
}

fn padding(size: u64) -> u64 {
    (BLOCK - size % BLOCK) % BLOCK
}

/// Writes entries to `out`, counting bytes.
pub(crate) struct Writer<W: Write> {
    out: W,
}

impl<W: Write> Writer<W> {
    pub(crate) fn new(out: W) -> Self {
        Writer { out }
    }

    /// Writes one entry: its header, `data`, zero padding to the next block. (A file is
    /// compressed into memory first: its compressed size goes in the header.)
    pub(crate) fn entry(&mut self, name: &str, data: &[u8]) -> Result<(), BundleError> {
        let h = header(name, data.len() as u64).map_err(BundleError::Pack)?;
        let io = |e: io::Error| BundleError::Pack(format!("cannot write the archive: {e}"));
        self.out.write_all(&h).map_err(io)?;
        self.out.write_all(data).map_err(io)?;
        let pad = [0u8; 512];
        self.out
            .write_all(&pad[..padding(data.len() as u64) as usize])
            .map_err(io)
    }

    /// The end: two zero blocks.
    pub(crate) fn finish(mut self) -> Result<W, BundleError> {
        self.out
            .write_all(&[0u8; 1024])
            .and_then(|()| self.out.flush())
            .map_err(|e| BundleError::Pack(format!("cannot write the archive: {e}")))?;
        Ok(self.out)
    }
}

/// Reads entries strictly; every error says where and which entry.
pub(crate) struct Reader<R: Read> {
    input: R,
    /// Bytes consumed so far.
    pub(crate) offset: u64,
    /// The last entry read, for messages.
    pub(crate) last: Option<String>,
}

/// An entry's name and size; its data follows in the reader.
pub(crate) struct Entry {
    pub(crate) name: String,
    pub(crate) size: u64,
}

impl<R: Read> Reader<R> {
    pub(crate) fn new(input: R) -> Self {
        Reader {
            input,
            offset: 0,
            last: None,
        }
    }

    fn where_(&self) -> String {
        match &self.last {
            Some(n) => format!("after {n}"),
            None => "at the start".into(),
        }
    }

    fn damaged(&self, what: String) -> BundleError {
        BundleError::Damaged(format!("{what} (byte {}, {})", self.offset, self.where_()))
    }

    fn read_block(&mut self, what: &str) -> Result<[u8; 512], BundleError> {
        let mut b = [0u8; 512];
        self.input
            .read_exact(&mut b)
            .map_err(|e| self.damaged(format!("{what}: {e}")))?;
        Ok(b)
    }

    /// The next entry's header, or None at the (checked) end of the archive.
    pub(crate) fn next(&mut self) -> Result<Option<Entry>, BundleError> {
        let block = self.read_block("cannot read the next header")?;
        if block.iter().all(|&b| b == 0) {
            let second = self.read_block("the end of the archive is cut short")?;
            if second.iter().any(|&b| b != 0) {
                return Err(self.damaged("the end of the archive is not zeros".into()));
            }
            self.offset += 2 * BLOCK;
            let mut extra = [0u8; 1];
            return match self.input.read(&mut extra) {
                Ok(0) => Ok(None),
                Ok(_) => Err(self.damaged("data after the end of the archive".into())),
                Err(e) => Err(self.damaged(format!("cannot read: {e}"))),
            };
        }
        let h = tar::Header::from_byte_slice(&block);
        let name = String::from_utf8_lossy(&h.path_bytes()).into_owned();
        let kind = h.entry_type();
        if !kind.is_file() {
            let what = if kind.is_symlink() {
                "a symbolic link"
            } else if kind.is_hard_link() {
                "a hard link"
            } else if kind.is_dir() {
                "a directory"
            } else {
                "not a regular file"
            };
            return Err(self.damaged(format!("entry {name:?} is {what}: refused")));
        }
        let size = h.entry_size().ok().filter(|s| *s < 1 << 40);
        let canonical = size.and_then(|s| header(&name, s).ok());
        match (size, canonical) {
            (Some(size), Some(c)) if c == block => {
                self.offset += BLOCK;
                Ok(Some(Entry { name, size }))
            }
            _ => Err(self.damaged(format!("the header of entry {name:?} was changed"))),
        }
    }

    /// The data of the entry just read, limited to its size; then [`Reader::end_entry`].
    pub(crate) fn data(&mut self, size: u64) -> io::Take<&mut R> {
        (&mut self.input).take(size)
    }

    /// After the entry's data was read (all of it): its padding must be zeros.
    pub(crate) fn end_entry(&mut self, entry: &Entry) -> Result<(), BundleError> {
        self.offset += entry.size;
        let pad = padding(entry.size) as usize;
        let mut buf = [0u8; 512];
        self.input.read_exact(&mut buf[..pad]).map_err(|e| {
            self.damaged(format!(
                "the archive is cut short in entry {:?}: {e}",
                entry.name
            ))
        })?;
        if buf[..pad].iter().any(|&b| b != 0) {
            return Err(self.damaged(format!(
                "the padding after entry {:?} was changed",
                entry.name
            )));
        }
        self.offset += pad as u64;
        self.last = Some(entry.name.clone());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn archive() -> Vec<u8> {
        let mut w = Writer::new(Vec::new());
        w.entry("a/b.txt", b"hello").unwrap();
        let long = format!("{}/{}", "d".repeat(120), "f".repeat(60));
        w.entry(&long, &[7u8; 600]).unwrap();
        w.finish().unwrap()
    }

    fn read_all(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, BundleError> {
        let mut r = Reader::new(bytes);
        let mut out = vec![];
        while let Some(e) = r.next()? {
            let mut data = vec![];
            r.data(e.size).read_to_end(&mut data).unwrap();
            r.end_entry(&e)?;
            out.push((e.name, data));
        }
        Ok(out)
    }

    #[test]
    fn entries_round_trip_and_other_tars_read_them() {
        let bytes = archive();
        let got = read_all(&bytes).unwrap();
        assert_eq!(got[0], ("a/b.txt".to_string(), b"hello".to_vec()));
        assert_eq!(got[1].1.len(), 600);
        // The tar crate (like tar(1)) reads it the same.
        let mut a = tar::Archive::new(&bytes[..]);
        let names: Vec<String> = a
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().display().to_string())
            .collect();
        assert_eq!(names[0], "a/b.txt");
        assert_eq!(names[1], got[1].0);
    }

    #[test]
    fn every_changed_byte_outside_the_data_is_refused() {
        let bytes = archive();
        // Data bytes are the caller's to check (hashes); everything else is checked here.
        let data = [512..517usize, 1536..2136];
        for i in 0..bytes.len() {
            if data.iter().any(|r| r.contains(&i)) {
                continue;
            }
            let mut bad = bytes.clone();
            bad[i] ^= 0x01;
            assert!(read_all(&bad).is_err(), "byte {i} changed unnoticed");
        }
        assert!(read_all(&bytes[..bytes.len() - 1]).is_err());
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(read_all(&longer).is_err());
    }

    #[test]
    fn links_and_other_kinds_of_entry_are_refused() {
        for kind in [
            tar::EntryType::Symlink,
            tar::EntryType::Link,
            tar::EntryType::Char,
            tar::EntryType::Block,
            tar::EntryType::Fifo,
            tar::EntryType::Directory,
        ] {
            let mut h = tar::Header::new_ustar();
            h.set_path("x").unwrap();
            h.set_entry_type(kind);
            h.set_size(0);
            h.set_cksum();
            let mut bytes = h.as_bytes().to_vec();
            bytes.extend_from_slice(&[0u8; 1024]);
            let err = read_all(&bytes).unwrap_err().to_string();
            assert!(err.contains("refused"), "{kind:?}: {err}");
        }
    }
}
