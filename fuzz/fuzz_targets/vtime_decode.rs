//! The timed-output decoder. Any bytes, fed in any chunks, decode to the same segments as
//! fed whole, never to more bytes than came in; and a valid encoding (frames on two
//! streams, cut anywhere) decodes back to exactly the bytes written, with events capped
//! and never earlier than the time they were written at.
#![no_main]

use arbitrary::Arbitrary;
use corral_vtime::{Decoder, MAX_EVENTS, Segment, decode};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Write {
    stderr: bool,
    at_ns: u64,
    data: Vec<u8>,
}

#[derive(Arbitrary, Debug)]
enum Input {
    /// Arbitrary stream bytes and where to cut them.
    Raw { bytes: Vec<u8>, cuts: Vec<u16> },
    /// Writes as the clock library frames them (write numbers from 1, in order).
    Frames { writes: Vec<Write>, cuts: Vec<u16> },
}

fn frame(at: u64, seq: u32, data: &[u8]) -> Vec<u8> {
    let mut v = b"\0\0VT".to_vec();
    v.extend_from_slice(&at.to_le_bytes());
    v.extend_from_slice(&seq.to_le_bytes());
    v.extend_from_slice(&(data.len() as u32).to_le_bytes());
    v.extend_from_slice(data);
    v
}

fn feed(bytes: &[u8], cuts: &[u16]) -> Vec<Segment> {
    let mut points: Vec<usize> = cuts
        .iter()
        .map(|&c| usize::from(c) % (bytes.len() + 1))
        .collect();
    points.sort();
    let mut d = Decoder::default();
    let mut out = vec![];
    let mut last = 0;
    for p in points {
        out.extend(d.feed(&bytes[last..p]));
        last = p;
    }
    out.extend(d.feed(&bytes[last..]));
    out.extend(d.finish());
    out
}

fn plain(segs: &[Segment]) -> Vec<u8> {
    segs.iter().flat_map(|s| s.data.iter().copied()).collect()
}

fuzz_target!(|input: Input| {
    match input {
        Input::Raw { bytes, cuts } => {
            let whole = feed(&bytes, &[]);
            let split = feed(&bytes, &cuts);
            assert!(
                plain(&whole).len() <= bytes.len(),
                "decoded more than came in"
            );
            let a = decode(whole, vec![]);
            let b = decode(split, vec![]);
            assert_eq!(a, b, "chunking changed the decoding");
            assert!(a.events.len() <= MAX_EVENTS);
        }
        Input::Frames { writes, cuts } => {
            let (mut out, mut err) = (vec![], vec![]);
            let (mut want_out, mut want_err) = (vec![], vec![]);
            let mut max_at = 0;
            for (i, w) in writes.iter().enumerate() {
                let seq = i as u32 + 1;
                let (stream, want) = if w.stderr {
                    (&mut err, &mut want_err)
                } else {
                    (&mut out, &mut want_out)
                };
                stream.extend(frame(w.at_ns, seq, &w.data));
                want.extend_from_slice(&w.data);
                max_at = max_at.max(w.at_ns);
            }
            let d = decode(feed(&out, &cuts), feed(&err, &cuts));
            assert_eq!(d.stdout, want_out, "stdout does not round-trip");
            assert_eq!(d.stderr, want_err, "stderr does not round-trip");
            assert!(d.events.len() <= MAX_EVENTS);
            let total: u64 = d.events.iter().map(|e| e.delay_ns).sum();
            assert!(
                total <= max_at,
                "events end at {total}, after the last write at {max_at}"
            );
            let joined: usize = d.events.iter().map(|e| e.message.len()).sum();
            assert!(
                joined >= want_out.len() + want_err.len(),
                "events lost bytes"
            );
        }
    }
});
