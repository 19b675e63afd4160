//! Virtual time for sandboxed programs.
//!
//! [`LIBRARY`] is `src/vtime.c` built as a shared library: preloaded into a program
//! (`LD_PRELOAD`), it gives it a virtual clock that starts at [`EPOCH_UNIX_S`] and
//! jumps ahead when every thread sleeps, seeded randomness and a fixed CPU count, and
//! frames each write to stdout and stderr with its virtual time. [`Decoder`] and
//! [`decode`] turn those framed streams back into plain bytes and timed [`Event`]s.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The preload library (see `src/vtime.c` for what it replaces and how).
pub const LIBRARY: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/libcorral_vtime.so"));

/// Where the virtual realtime clock starts: 2015-05-15T00:00:00Z, Rust 1.0's release.
pub const EPOCH_UNIX_S: u64 = 1_431_648_000;
/// Where the virtual monotonic and boottime clocks start, in seconds.
pub const MONOTONIC_START_S: u64 = 1;
/// The CPU count programs see (`available_parallelism`, `sched_getaffinity`, `sysconf`).
pub const CPUS: u32 = 1;
/// The environment variable that carries the randomness seed into the program.
pub const SEED_ENV: &str = "CORRAL_SEED";

const MAGIC: &[u8; 4] = b"\0\0VT";
const HEADER: usize = 20;

/// Hex SHA-256 of [`LIBRARY`]: results of programs run with another build of the
/// library are other results (it is part of the memo key).
pub fn library_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        Sha256::digest(LIBRARY)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    })
}

/// Writes [`LIBRARY`] under `dir` (once per content) and returns its path. The file is
/// world-readable: the sandbox user maps to another host uid.
pub fn install(dir: &Path) -> std::io::Result<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let hash = &library_hash()[..16];
    let path = dir.join(format!("libcorral_vtime-{hash}.so"));
    if std::fs::read(&path).is_ok_and(|b| b == LIBRARY) {
        return Ok(path);
    }
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!("libcorral_vtime-{hash}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, LIBRARY)?;
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o444))?;
    std::fs::rename(&tmp, &path)?;
    Ok(path)
}

/// One piece of one stream: bytes written at virtual time `at_ns` by write number
/// `seq` (bytes written past the library, without a frame, follow the last frame of
/// their stream).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    pub at_ns: u64,
    pub seq: u32,
    /// Orders unframed bytes after the frame they follow.
    pub sub: u32,
    pub data: Vec<u8>,
}

/// Decodes one framed stream incrementally: feed it chunks as they arrive.
#[derive(Debug, Default)]
pub struct Decoder {
    pending: Vec<u8>,
    in_frame: usize,
    at_ns: u64,
    seq: u32,
    sub: u32,
}

impl Decoder {
    /// The segments completed by `bytes` (a frame's data may span several calls).
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<Segment> {
        self.pending.extend_from_slice(bytes);
        let mut out = vec![];
        let mut pos = 0;
        loop {
            let rest = &self.pending[pos..];
            if rest.is_empty() {
                break;
            }
            if self.in_frame > 0 {
                let n = self.in_frame.min(rest.len());
                self.push(&mut out, rest[..n].to_vec(), false);
                self.in_frame -= n;
                pos += n;
                continue;
            }
            if rest.len() >= HEADER && rest.starts_with(MAGIC) {
                let at = u64::from_le_bytes(rest[4..12].try_into().expect("8 bytes"));
                // Time never goes back (a forged or reordered frame cannot rewind it).
                self.at_ns = self.at_ns.max(at);
                self.seq = u32::from_le_bytes(rest[12..16].try_into().expect("4 bytes"));
                self.sub = 0;
                self.in_frame =
                    u32::from_le_bytes(rest[16..20].try_into().expect("4 bytes")) as usize;
                pos += HEADER;
                continue;
            }
            if rest.len() < HEADER && MAGIC.starts_with(&rest[..rest.len().min(4)]) {
                break; // maybe the start of a header: wait for more
            }
            // Unframed bytes: up to the next possible header.
            let end = (1..rest.len())
                .find(|&i| rest[i] == 0 && MAGIC.starts_with(&rest[i..(i + 4).min(rest.len())]))
                .unwrap_or(rest.len());
            self.push(&mut out, rest[..end].to_vec(), true);
            pos += end;
        }
        self.pending.drain(..pos);
        out
    }

    /// What is left at the end of the stream (a cut-off header) as unframed bytes.
    pub fn finish(&mut self) -> Vec<Segment> {
        let rest = std::mem::take(&mut self.pending);
        let mut out = vec![];
        if !rest.is_empty() {
            self.push(&mut out, rest, true);
        }
        out
    }

    fn push(&mut self, out: &mut Vec<Segment>, data: Vec<u8>, unframed: bool) {
        if unframed {
            self.sub += 1;
        }
        match out.last_mut() {
            Some(last) if last.seq == self.seq && last.sub == self.sub => {
                last.data.extend_from_slice(&data)
            }
            _ => out.push(Segment {
                at_ns: self.at_ns,
                seq: self.seq,
                sub: self.sub,
                data,
            }),
        }
    }
}

/// Which stream a segment or event came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StreamName {
    Stdout,
    Stderr,
}

/// One timed piece of output (`run.events` in docs/contracts.md): `delay_ns` since the previous
/// event (the first since the start of the run).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub message: String,
    pub stream: StreamName,
    pub delay_ns: u64,
}

/// The plain streams and the events of a whole run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Decoded {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub events: Vec<Event>,
}

/// The most events kept; later output joins the last event of its stream.
pub const MAX_EVENTS: usize = 10_000;

/// Puts both streams' segments in the order they were written (by write number) and
/// joins neighbours of the same stream and time into events.
pub fn decode(stdout: Vec<Segment>, stderr: Vec<Segment>) -> Decoded {
    let mut all: Vec<(StreamName, Segment)> = stdout
        .into_iter()
        .map(|s| (StreamName::Stdout, s))
        .chain(stderr.into_iter().map(|s| (StreamName::Stderr, s)))
        .collect();
    // Stable: within a stream the order is already right.
    all.sort_by_key(|(_, s)| (s.seq, s.sub));
    let mut out = Decoded::default();
    // (stream, time, bytes) of the events being built; bytes joined before UTF-8
    // decoding so a character split across writes survives.
    let mut pieces: Vec<(StreamName, u64, Vec<u8>)> = vec![];
    for (stream, seg) in all {
        match stream {
            StreamName::Stdout => out.stdout.extend_from_slice(&seg.data),
            StreamName::Stderr => out.stderr.extend_from_slice(&seg.data),
        }
        let full = pieces.len() >= MAX_EVENTS;
        let joins = |p: &(StreamName, u64, Vec<u8>)| p.0 == stream && (p.1 == seg.at_ns || full);
        if let Some(p) = pieces.last_mut().filter(|p| joins(p)) {
            p.2.extend_from_slice(&seg.data);
        } else if let Some(p) = pieces.iter_mut().rev().find(|p| full && p.0 == stream) {
            p.2.extend_from_slice(&seg.data);
        } else {
            pieces.push((stream, seg.at_ns, seg.data));
        }
    }
    let mut last = 0;
    for (stream, at, bytes) in pieces {
        out.events.push(Event {
            message: String::from_utf8_lossy(&bytes).into_owned(),
            stream,
            delay_ns: at.saturating_sub(last),
        });
        last = last.max(at);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(at: u64, seq: u32, data: &[u8]) -> Vec<u8> {
        let mut v = MAGIC.to_vec();
        v.extend_from_slice(&at.to_le_bytes());
        v.extend_from_slice(&seq.to_le_bytes());
        v.extend_from_slice(&(data.len() as u32).to_le_bytes());
        v.extend_from_slice(data);
        v
    }

    fn whole(bytes: &[u8]) -> Vec<Segment> {
        let mut d = Decoder::default();
        let mut s = d.feed(bytes);
        s.extend(d.finish());
        s
    }

    #[test]
    fn frames_split_anywhere_decode_the_same() {
        let mut bytes = frame(0, 1, b"hello ");
        bytes.extend(frame(5, 3, "wörld\n".as_bytes()));
        bytes.extend(b"raw tail");
        let expected = decode(whole(&bytes), vec![]);
        assert_eq!(expected.stdout, "hello wörld\nraw tail".as_bytes());
        for cut in 0..bytes.len() {
            for cut2 in cut..bytes.len() {
                let mut d = Decoder::default();
                let mut segs = d.feed(&bytes[..cut]);
                segs.extend(d.feed(&bytes[cut..cut2]));
                segs.extend(d.feed(&bytes[cut2..]));
                segs.extend(d.finish());
                assert_eq!(decode(segs, vec![]), expected, "cut at {cut} and {cut2}");
            }
        }
    }

    #[test]
    fn streams_merge_in_write_order_with_delays() {
        // The Go playground's faketime_write_interaction, with write numbers.
        let mut out = frame(0, 1, b"A\n");
        out.extend(frame(1, 3, b"A\n"));
        out.extend(frame(1, 4, b"A\n"));
        out.extend(frame(1_000_000_001, 6, b"A\n"));
        let mut err = frame(1, 2, b"B\n");
        err.extend(frame(1_000_000_000 - 1, 5, b"B\n"));
        let d = decode(whole(&out), whole(&err));
        let got: Vec<(&str, StreamName, u64)> = d
            .events
            .iter()
            .map(|e| (e.message.as_str(), e.stream, e.delay_ns))
            .collect();
        assert_eq!(
            got,
            [
                ("A\n", StreamName::Stdout, 0),
                ("B\n", StreamName::Stderr, 1),
                ("A\nA\n", StreamName::Stdout, 0),
                ("B\n", StreamName::Stderr, 999_999_998),
                ("A\n", StreamName::Stdout, 2),
            ]
        );
        assert_eq!(d.stdout, b"A\nA\nA\nA\n");
        assert_eq!(d.stderr, b"B\nB\n");
    }

    #[test]
    fn unframed_bytes_follow_the_last_frame_and_time_never_goes_back() {
        let mut out = b"before\n".to_vec();
        out.extend(frame(10, 2, b"x"));
        out.extend(b"\0\0V not a header");
        out.extend(frame(3, 4, b"y"));
        let mut err = frame(7, 1, b"e");
        err.extend(frame(12, 3, b"f"));
        let d = decode(whole(&out), whole(&err));
        assert_eq!(d.stdout, b"before\nx\0\0V not a headery");
        let order: Vec<&str> = d.events.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(order, ["before\n", "e", "x\0\0V not a header", "f", "y"]);
        let delays: Vec<u64> = d.events.iter().map(|e| e.delay_ns).collect();
        assert_eq!(delays, [0, 7, 3, 2, 0]);
    }

    #[test]
    fn a_character_split_across_writes_survives() {
        let bytes = "é".as_bytes();
        let mut out = frame(0, 1, &bytes[..1]);
        out.extend(frame(0, 2, &bytes[1..]));
        assert_eq!(decode(whole(&out), vec![]).events[0].message, "é");
    }

    #[test]
    fn events_are_capped() {
        let mut out = vec![];
        for i in 0..(MAX_EVENTS as u32 + 50) {
            out.extend(frame(u64::from(i), i + 1, b"."));
        }
        let d = decode(whole(&out), vec![]);
        assert_eq!(d.events.len(), MAX_EVENTS);
        assert_eq!(d.stdout.len(), MAX_EVENTS + 50);
    }

    #[test]
    fn install_writes_the_library_once() {
        let dir = std::env::temp_dir().join(format!("corral-vtime-test-{}", std::process::id()));
        let a = install(&dir).unwrap();
        let b = install(&dir).unwrap();
        assert_eq!(a, b);
        assert_eq!(std::fs::read(&a).unwrap(), LIBRARY);
        assert!(LIBRARY.starts_with(b"\x7fELF"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
