//! Request framing: where each request head and body ends in what a client sends,
//! and the limits on heads (414, 431).

use super::{MAX_HEAD, MAX_HEADERS, MAX_REQUEST_LINE};

/// What the framer found in the bytes a client sent.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Piece {
    /// The first byte of a request head arrived.
    HeadBegun,
    /// A complete request head, to forward.
    Head(Vec<u8>),
    /// Body bytes, to forward.
    Body(Vec<u8>),
    /// The request (head and body) is complete.
    End,
}

#[derive(Debug, Default)]
enum Framing {
    #[default]
    Head,
    Length(u64),
    Chunked(Chunk),
}

#[derive(Debug)]
enum Chunk {
    /// Reading a chunk-size line.
    Size(Vec<u8>),
    Data(u64),
    /// The CRLF after a chunk's data: bytes still to skip.
    DataEnd(u8),
    /// After the last chunk: trailer lines until an empty one.
    Trailer(Vec<u8>),
}

/// Finds request boundaries in what a client sends (HTTP/1.1 framing only).
#[derive(Debug, Default)]
pub(super) struct Framer {
    state: Framing,
    head: Vec<u8>,
}

type Reject = (u16, &'static str, &'static str);

impl Framer {
    pub(super) fn feed(&mut self, mut data: &[u8]) -> Result<Vec<Piece>, Reject> {
        let mut out = Vec::new();
        while !data.is_empty() {
            match &mut self.state {
                Framing::Head => {
                    if self.head.is_empty() {
                        // Blank lines between requests are allowed (RFC 9112 §2.2).
                        let skip = data
                            .iter()
                            .take_while(|b| **b == b'\r' || **b == b'\n')
                            .count();
                        data = &data[skip..];
                        if data.is_empty() {
                            break;
                        }
                        out.push(Piece::HeadBegun);
                    }
                    let before = self.head.len();
                    self.head.extend_from_slice(data);
                    let from = before.saturating_sub(3);
                    let end = self.head[from..]
                        .windows(4)
                        .position(|w| w == b"\r\n\r\n")
                        .map(|p| from + p + 4);
                    let Some(end) = end else {
                        self.check_head(self.head.len())?;
                        break;
                    };
                    self.check_head(end)?;
                    let rest = self.head.split_off(end);
                    let head = std::mem::take(&mut self.head);
                    let consumed = data.len() - rest.len();
                    data = &data[consumed..];
                    self.state = body_framing(&head);
                    out.push(Piece::Head(head));
                    if matches!(self.state, Framing::Length(0)) {
                        self.state = Framing::Head;
                        out.push(Piece::End);
                    }
                }
                Framing::Length(left) => {
                    let take = (*left).min(data.len() as u64) as usize;
                    out.push(Piece::Body(data[..take].to_vec()));
                    *left -= take as u64;
                    data = &data[take..];
                    if *left == 0 {
                        self.state = Framing::Head;
                        out.push(Piece::End);
                    }
                }
                Framing::Chunked(chunk) => {
                    let (used, done) = chunk.advance(data)?;
                    out.push(Piece::Body(data[..used].to_vec()));
                    data = &data[used..];
                    if done {
                        self.state = Framing::Head;
                        out.push(Piece::End);
                    }
                }
            }
        }
        Ok(out)
    }

    /// Limits of the first `len` bytes of the head being read.
    fn check_head(&self, len: usize) -> Result<(), Reject> {
        let head = &self.head[..len];
        let line_end = head.windows(2).position(|w| w == b"\r\n");
        if line_end.unwrap_or(head.len()) > MAX_REQUEST_LINE {
            return Err((
                414,
                "URI Too Long",
                "the request line is too long (at most 8 KiB)",
            ));
        }
        if len > MAX_HEAD {
            return Err((
                431,
                "Request Header Fields Too Large",
                "the request headers are too large (at most 32 KiB)",
            ));
        }
        let lines = head.windows(2).filter(|w| w == b"\r\n").count();
        if lines.saturating_sub(2) > MAX_HEADERS {
            return Err((
                431,
                "Request Header Fields Too Large",
                "the request has too many header fields (at most 96)",
            ));
        }
        Ok(())
    }
}

/// How the body after `head` is framed (RFC 9112 §6.3, for requests).
fn body_framing(head: &[u8]) -> Framing {
    let text = String::from_utf8_lossy(head);
    let mut length = 0u64;
    for line in text.split("\r\n").skip(1) {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let (name, value) = (name.trim(), value.trim());
        if name.eq_ignore_ascii_case("transfer-encoding")
            && value
                .rsplit(',')
                .next()
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("chunked"))
        {
            return Framing::Chunked(Chunk::Size(Vec::new()));
        }
        if name.eq_ignore_ascii_case("content-length") {
            length = value.parse().unwrap_or(0);
        }
    }
    Framing::Length(length)
}

impl Chunk {
    /// Consumes from `data`; returns the bytes used and whether the body ended.
    fn advance(&mut self, data: &[u8]) -> Result<(usize, bool), Reject> {
        const BAD: Reject = (400, "Bad Request", "malformed chunked request body");
        let mut i = 0;
        while i < data.len() {
            match self {
                Chunk::Size(line) => {
                    let b = data[i];
                    i += 1;
                    if b != b'\n' {
                        line.push(b);
                        if line.len() > 1024 {
                            return Err(BAD);
                        }
                        continue;
                    }
                    let text = String::from_utf8_lossy(line);
                    let hex = text.split(';').next().unwrap_or("").trim();
                    let size = u64::from_str_radix(hex, 16).map_err(|_| BAD)?;
                    *self = if size == 0 {
                        Chunk::Trailer(Vec::new())
                    } else {
                        Chunk::Data(size)
                    };
                }
                Chunk::Data(left) => {
                    let take = (*left).min((data.len() - i) as u64);
                    *left -= take;
                    i += take as usize;
                    if *left == 0 {
                        *self = Chunk::DataEnd(2);
                    }
                }
                Chunk::DataEnd(left) => {
                    i += 1;
                    *left -= 1;
                    if *left == 0 {
                        *self = Chunk::Size(Vec::new());
                    }
                }
                Chunk::Trailer(line) => {
                    let b = data[i];
                    i += 1;
                    if b != b'\n' {
                        line.push(b);
                        if line.len() > MAX_HEAD {
                            return Err(BAD);
                        }
                        continue;
                    }
                    if line.iter().all(|b| *b == b'\r') {
                        return Ok((i, true));
                    }
                    line.clear();
                }
            }
        }
        Ok((i, false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bodies(pieces: &[Piece]) -> Vec<u8> {
        pieces
            .iter()
            .flat_map(|p| match p {
                Piece::Body(b) => b.clone(),
                _ => vec![],
            })
            .collect()
    }

    #[test]
    fn frames_length_and_chunked_bodies_in_any_split() {
        let req = b"POST /a HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET /b HTTP/1.1\r\n\r\nPOST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;x=1\r\nabc\r\n2\r\nde\r\n0\r\nT: 1\r\n\r\n";
        for split in 1..req.len() {
            let mut f = Framer::default();
            let mut all = f.feed(&req[..split]).unwrap();
            all.extend(f.feed(&req[split..]).unwrap());
            let ends = all.iter().filter(|p| **p == Piece::End).count();
            let heads = all.iter().filter(|p| matches!(p, Piece::Head(_))).count();
            assert_eq!((heads, ends), (3, 3), "split at {split}: {all:?}");
            let body = bodies(&all);
            assert!(body.starts_with(b"hello3;x=1\r\nabc\r\n"), "{split}");
            assert!(body.ends_with(b"0\r\nT: 1\r\n\r\n"), "{split}");
        }
    }

    #[test]
    fn long_lines_and_heads_are_refused() {
        let mut f = Framer::default();
        let long = format!("GET /{} HTTP/1.1\r\n", "a".repeat(MAX_REQUEST_LINE));
        assert_eq!(f.feed(long.as_bytes()).unwrap_err().0, 414);
        let mut f = Framer::default();
        let many = format!("GET / HTTP/1.1\r\n{}\r\n", "X-A: b\r\n".repeat(200));
        assert_eq!(f.feed(many.as_bytes()).unwrap_err().0, 431);
        let mut f = Framer::default();
        let big = format!("GET / HTTP/1.1\r\nX-A: {}\r\n\r\n", "b".repeat(MAX_HEAD));
        assert_eq!(f.feed(big.as_bytes()).unwrap_err().0, 431);
    }
}
