//! The front door: corral's own accept loop in front of Rocket.
//!
//! **Why a front layer.** Rocket 0.5 owns its listener: `Rocket::http_server`, which
//! would take any `rocket::http::private::Listener`, is `pub(crate)`, and the hyper
//! connection it builds has no header-read timeout, no idle timeout for keep-alive
//! connections and no cap on their number. So `corral serve` binds the public address
//! itself and Rocket listens on an ephemeral loopback port that only this layer uses.
//! Each client connection is a task here that forwards bytes to its own connection to
//! Rocket, and frames the requests it forwards (request line, headers,
//! `Content-Length` or chunked body; nothing else is parsed or changed) so that it
//! knows what the connection is doing:
//!
//! - **idle** (between requests): closed after `idle` without a byte either way;
//! - **head** (request line and headers arriving): closed unless the head is complete
//!   within `header` of its first byte; heads are buffered here and reach Rocket only
//!   when complete, so a slow-header client never costs Rocket anything; a request line
//!   over [`MAX_REQUEST_LINE`] answers 414, a head over [`MAX_HEAD`] or with more than
//!   [`MAX_HEADERS`] fields 431, both with a JSON body;
//! - **body**: the whole body must arrive within `body` of the end of the head;
//! - **awaiting** (the request is complete, no byte of the answer yet): no timer, the
//!   run's own limits bound it;
//! - **upgraded** (a `101 Switching Protocols` answer, i.e. a WebSocket): forwarded as
//!   is, closed only after `upgraded_idle` without a byte either way.
//!
//! At most `max_connections` client connections are open. A new one beyond the cap
//! evicts the least recently active connection that is idle or still sending its head;
//! when every connection is busy, it gets a 503 and is closed. A connection opens its
//! connection to Rocket only with its first complete head, and at most `max_forwarded`
//! do at once (each costs two more descriptors), so an idle connection costs one file
//! descriptor and the total stays below the process's limit. One client address may
//! hold at most `max_forwarded_per_client` of those (a quarter), so slow bodies from
//! one address cannot take every slot.
//!
//! Rocket sees the front's side of each forwarded connection as the remote address;
//! [`Peers`] maps it back to the client's real address (used by the rate limit), so no
//! header is trusted for it unless configured.

use rocket::tokio;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// The longest request line (method, target, version) accepted: longer answers 414.
pub const MAX_REQUEST_LINE: usize = 8 << 10;
/// The longest request head (request line and header fields) accepted: longer answers 431.
pub const MAX_HEAD: usize = 32 << 10;
/// The most header fields accepted in one request: more answers 431 (hyper's own
/// limit, 100, would answer 431 without a body).
pub const MAX_HEADERS: usize = 96;

/// The bounds of the front layer.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Client connections open at once.
    pub max_connections: usize,
    /// Connections forwarded to Rocket at once.
    pub max_forwarded: usize,
    /// Of those, at most this many from one client address (0: no such limit; set it
    /// to 0 behind a reverse proxy, where every connection comes from the proxy).
    pub max_forwarded_per_client: usize,
    /// An idle keep-alive connection is closed after this long without a byte.
    pub idle: Duration,
    /// A request head must be complete this long after its first byte.
    pub header: Duration,
    /// A request body must be complete this long after its head.
    pub body: Duration,
    /// An upgraded connection (WebSocket) is closed after this long without a byte.
    pub upgraded_idle: Duration,
}

impl Limits {
    /// Defaults for a process whose file descriptor limit is `nofile`: half of it for
    /// connections (an idle one costs one descriptor, a forwarded one three).
    pub fn for_nofile(nofile: u64) -> Limits {
        let half = (nofile / 2).clamp(16, 1 << 20) as usize;
        Limits {
            max_connections: half,
            max_forwarded: (half / 3).max(4),
            max_forwarded_per_client: (half / 12).max(4),
            idle: Duration::from_secs(5),
            header: Duration::from_secs(10),
            body: Duration::from_secs(20),
            upgraded_idle: Duration::from_secs(300),
        }
    }
}

/// The client address behind each connection the front opened to Rocket.
#[derive(Default)]
pub struct Peers(Mutex<HashMap<SocketAddr, SocketAddr>>);

impl Peers {
    /// The client behind Rocket's remote address `inner`, when the front opened it.
    pub fn get(&self, inner: SocketAddr) -> Option<SocketAddr> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&inner)
            .copied()
    }

    fn set(&self, inner: SocketAddr, peer: Option<SocketAddr>) {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        match peer {
            Some(p) => map.insert(inner, p),
            None => map.remove(&inner),
        };
    }
}

/// What one connection is doing, for its timer and for eviction.
struct ConnState {
    /// The last byte either way.
    active: Instant,
    /// A request head has begun and is not complete.
    head_started: Option<Instant>,
    /// A request body is arriving.
    body_started: Option<Instant>,
    /// A request was forwarded whole and no byte of its answer came back yet.
    awaiting: bool,
    upgraded: bool,
}

struct Conn {
    state: Mutex<ConnState>,
    close: Notify,
}

impl Conn {
    fn lock(&self) -> std::sync::MutexGuard<'_, ConnState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn touch(&self) {
        self.lock().active = Instant::now();
    }

    /// Idle or sending its head: may be closed to make room.
    fn evictable(&self) -> bool {
        let s = self.lock();
        !s.upgraded && !s.awaiting && s.body_started.is_none()
    }

    /// Busy with a request (its body, or its answer).
    fn busy(&self) -> bool {
        let s = self.lock();
        s.awaiting || s.body_started.is_some()
    }

    fn deadline(&self, l: &Limits, draining: bool) -> Option<Instant> {
        let s = self.lock();
        if s.upgraded {
            Some(s.active + l.upgraded_idle)
        } else if let Some(t) = s.body_started {
            Some(t + l.body)
        } else if s.awaiting {
            None
        } else if let Some(t) = s.head_started {
            Some(t + l.header)
        } else if draining {
            Some(s.active + Duration::from_millis(300))
        } else {
            Some(s.active + l.idle)
        }
    }
}

pub struct Front {
    limits: Limits,
    backend: SocketAddr,
    peers: Arc<Peers>,
    conns: Mutex<HashMap<u64, Arc<Conn>>>,
    next_id: AtomicU64,
    forwarded: Arc<Semaphore>,
    draining: AtomicBool,
    stop_accepting: Notify,
    stats: Arc<Stats>,
    /// Forwarded connections per client address.
    per_client: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

/// Counters of the front layer, for /metrics.
#[derive(Default)]
pub struct Stats {
    /// Client connections open now.
    pub open: AtomicU64,
    /// Connections refused (every one busy) or evicted (idle) because of the cap.
    pub refused: AtomicU64,
    pub evicted: AtomicU64,
    /// Connections closed by a timer (idle, slow head, slow body).
    pub timed_out: AtomicU64,
}

impl Front {
    /// A front for Rocket listening at `backend` (loopback).
    pub fn new(
        limits: Limits,
        backend: SocketAddr,
        peers: Arc<Peers>,
        stats: Arc<Stats>,
    ) -> Arc<Front> {
        Arc::new(Front {
            forwarded: Arc::new(Semaphore::new(limits.max_forwarded.max(1))),
            limits,
            backend,
            peers,
            conns: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(0),
            draining: AtomicBool::new(false),
            stop_accepting: Notify::new(),
            stats,
            per_client: Arc::new(Mutex::new(HashMap::new())),
        })
    }

    fn conns(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Conn>>> {
        self.conns.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Client connections open now.
    pub fn open(&self) -> usize {
        self.conns().len()
    }

    /// Connections with a request in progress (its body or its answer).
    pub fn busy(&self) -> usize {
        self.conns().values().filter(|c| c.busy()).count()
    }

    /// Accepts connections until [`Front::drain`].
    pub async fn serve(self: Arc<Self>, listener: TcpListener) {
        loop {
            tokio::select! {
                _ = self.stop_accepting.notified() => return,
                accepted = listener.accept() => match accepted {
                    Ok((socket, peer)) => self.clone().admit(socket, peer),
                    // Out of descriptors (or similar): wait for some to be freed.
                    Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
                },
            }
        }
    }

    /// Stops accepting, closes idle connections now and the others once their request
    /// is answered; new requests on open connections answer 503.
    pub fn drain(&self) {
        self.draining.store(true, Ordering::SeqCst);
        self.stop_accepting.notify_one();
        for c in self.conns().values() {
            if c.evictable() {
                c.close.notify_one();
            }
        }
    }

    /// Closes every connection still open.
    pub fn close_all(&self) {
        for c in self.conns().values() {
            c.close.notify_one();
        }
    }

    fn admit(self: Arc<Self>, socket: TcpStream, peer: SocketAddr) {
        let _ = socket.set_nodelay(true);
        let conn = Arc::new(Conn {
            state: Mutex::new(ConnState {
                active: Instant::now(),
                head_started: None,
                body_started: None,
                awaiting: false,
                upgraded: false,
            }),
            close: Notify::new(),
        });
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        {
            let mut conns = self.conns();
            if conns.len() >= self.limits.max_connections {
                let victim = conns
                    .iter()
                    .filter(|(_, c)| c.evictable())
                    .min_by_key(|(_, c)| c.lock().active)
                    .map(|(id, _)| *id);
                match victim.and_then(|v| conns.remove(&v)) {
                    Some(v) => {
                        self.stats.evicted.fetch_add(1, Ordering::Relaxed);
                        v.close.notify_one();
                    }
                    None => {
                        drop(conns);
                        self.stats.refused.fetch_add(1, Ordering::Relaxed);
                        tokio::spawn(refuse(socket));
                        return;
                    }
                }
            }
            conns.insert(id, conn.clone());
            self.stats.open.store(conns.len() as u64, Ordering::Relaxed);
        }
        tokio::spawn(async move {
            let timed_out = self.drive(&conn, socket, peer).await;
            if timed_out {
                self.stats.timed_out.fetch_add(1, Ordering::Relaxed);
            }
            let mut conns = self.conns();
            conns.remove(&id);
            self.stats.open.store(conns.len() as u64, Ordering::Relaxed);
        });
    }

    /// Serves one client connection until it ends; true when a timer ended it.
    async fn drive(&self, conn: &Arc<Conn>, client: TcpStream, peer: SocketAddr) -> bool {
        let (mut client_rd, client_wr) = client.into_split();
        let client_wr = Arc::new(tokio::sync::Mutex::new(client_wr));
        let mut framer = Framer::default();
        let mut backend: Option<Backend> = None;
        let mut buf = vec![0u8; 16 << 10];
        loop {
            let draining = self.draining.load(Ordering::SeqCst);
            let deadline = conn.deadline(&self.limits, draining);
            let timer = async {
                match deadline {
                    Some(d) => tokio::time::sleep_until(d).await,
                    // Awaiting an answer: the answer's first byte (seen by the task
                    // forwarding answers) starts the idle timer; look again soon.
                    None => tokio::time::sleep(Duration::from_millis(200)).await,
                }
            };
            let down_done = async {
                match &mut backend {
                    Some(b) => (&mut b.down).await,
                    None => std::future::pending().await,
                }
            };
            let n = tokio::select! {
                _ = conn.close.notified() => return false,
                _ = timer => {
                    // A deadline may have moved while the timer slept (a byte came).
                    if conn.deadline(&self.limits, draining).is_some_and(|d| d <= Instant::now()) {
                        return true;
                    }
                    continue;
                }
                _ = down_done => {
                    linger(&mut backend, &mut client_rd, &client_wr).await;
                    return false;
                }
                read = client_rd.read(&mut buf) => match read {
                    Ok(0) | Err(_) => return false,
                    Ok(n) => n,
                },
            };
            conn.touch();
            let upgraded = conn.lock().upgraded;
            if upgraded {
                if let Some(b) = &mut backend
                    && b.write(&buf[..n], self.limits.upgraded_idle).await
                {
                    continue;
                }
                linger(&mut backend, &mut client_rd, &client_wr).await;
                return false;
            }
            let pieces = match framer.feed(&buf[..n]) {
                Ok(p) => p,
                Err((status, reason, message)) => {
                    respond(&client_wr, status, reason, message).await;
                    linger(&mut None, &mut client_rd, &client_wr).await;
                    return false;
                }
            };
            for piece in pieces {
                match piece {
                    Piece::Head(head) => {
                        if self.draining.load(Ordering::SeqCst) {
                            respond(
                                &client_wr,
                                503,
                                "Service Unavailable",
                                "the server is shutting down; try again shortly",
                            )
                            .await;
                            return false;
                        }
                        if backend.is_none() {
                            match self.connect(conn, &client_wr, peer).await {
                                Some(b) => backend = Some(b),
                                None => {
                                    respond(
                                        &client_wr,
                                        503,
                                        "Service Unavailable",
                                        "the server has too many connections; try again shortly",
                                    )
                                    .await;
                                    return false;
                                }
                            }
                        }
                        {
                            let mut s = conn.lock();
                            s.head_started = None;
                            s.body_started = Some(Instant::now());
                        }
                        let Some(b) = &mut backend else { return false };
                        if !b.write(&head, self.limits.body).await {
                            linger(&mut backend, &mut client_rd, &client_wr).await;
                            return false;
                        }
                    }
                    Piece::Body(bytes) => {
                        let Some(b) = &mut backend else { return false };
                        if !b.write(&bytes, self.limits.body).await {
                            linger(&mut backend, &mut client_rd, &client_wr).await;
                            return false;
                        }
                    }
                    Piece::End => {
                        let mut s = conn.lock();
                        s.body_started = None;
                        s.awaiting = true;
                    }
                    Piece::HeadBegun => {
                        let mut s = conn.lock();
                        s.head_started.get_or_insert_with(Instant::now);
                    }
                }
            }
        }
    }

    /// Opens the connection to Rocket (waiting for a slot at most `header`) and starts
    /// forwarding its answers to the client.
    async fn connect(
        &self,
        conn: &Arc<Conn>,
        client_wr: &Arc<tokio::sync::Mutex<OwnedWriteHalf>>,
        peer: SocketAddr,
    ) -> Option<Backend> {
        let permit =
            tokio::time::timeout(self.limits.header, self.forwarded.clone().acquire_owned())
                .await
                .ok()?
                .ok()?;
        let client = ClientSlot::take(
            &self.per_client,
            peer.ip(),
            self.limits.max_forwarded_per_client,
        )?;
        let stream = TcpStream::connect(self.backend).await.ok()?;
        let _ = stream.set_nodelay(true);
        let local = stream.local_addr().ok()?;
        self.peers.set(local, Some(peer));
        let (mut rd, wr) = stream.into_split();
        let conn = conn.clone();
        let client_wr = client_wr.clone();
        let down = tokio::spawn(async move {
            let mut buf = vec![0u8; 16 << 10];
            loop {
                let n = match rd.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => n,
                };
                {
                    let mut s = conn.lock();
                    s.active = Instant::now();
                    if s.awaiting {
                        let head = &buf[..n];
                        if head.starts_with(b"HTTP/1.1 101") || head.starts_with(b"HTTP/1.0 101") {
                            s.upgraded = true;
                            s.awaiting = false;
                        } else if !head.starts_with(b"HTTP/1.1 100 ") {
                            s.awaiting = false;
                        }
                    }
                }
                let mut w = client_wr.lock().await;
                if w.write_all(&buf[..n]).await.is_err() {
                    return;
                }
                drop(w);
                conn.touch();
            }
        });
        Some(Backend {
            wr,
            down,
            local,
            peers: self.peers.clone(),
            _permit: permit,
            _client: client,
        })
    }
}

/// A connection to Rocket for one client connection.
struct Backend {
    wr: OwnedWriteHalf,
    /// Forwards Rocket's answers to the client; ends when either side closes.
    down: tokio::task::JoinHandle<()>,
    local: SocketAddr,
    peers: Arc<Peers>,
    _permit: OwnedSemaphorePermit,
    _client: Option<ClientSlot>,
}

/// One of a client address's forwarded connections, given back on drop.
struct ClientSlot {
    map: Arc<Mutex<HashMap<IpAddr, usize>>>,
    ip: IpAddr,
}

impl ClientSlot {
    /// `None` when the address already has `max` (and `max` is not 0); `Some(None)`
    /// when there is no per-client limit.
    fn take(
        map: &Arc<Mutex<HashMap<IpAddr, usize>>>,
        ip: IpAddr,
        max: usize,
    ) -> Option<Option<ClientSlot>> {
        if max == 0 {
            return Some(None);
        }
        let mut m = map.lock().unwrap_or_else(|p| p.into_inner());
        let n = m.entry(ip).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(Some(ClientSlot {
            map: map.clone(),
            ip,
        }))
    }
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        let mut m = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = m.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                m.remove(&self.ip);
            }
        }
    }
}

impl Backend {
    async fn write(&mut self, bytes: &[u8], within: Duration) -> bool {
        matches!(
            tokio::time::timeout(within, self.wr.write_all(bytes)).await,
            Ok(Ok(()))
        )
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        self.down.abort();
        self.peers.set(self.local, None);
    }
}

/// Rocket closed its side (or stopped reading): lets the rest of its answer reach the
/// client, then closes the client's side gracefully, discarding what the client still
/// sends for a moment (closing with unread input would reset the connection and could
/// lose the answer, e.g. a 413 while the client still sends its body).
async fn linger(
    backend: &mut Option<Backend>,
    client_rd: &mut tokio::net::tcp::OwnedReadHalf,
    client_wr: &tokio::sync::Mutex<OwnedWriteHalf>,
) {
    if let Some(b) = backend
        && !b.down.is_finished()
    {
        let _ = tokio::time::timeout(Duration::from_secs(2), &mut b.down).await;
    }
    let _ = tokio::time::timeout(Duration::from_secs(1), client_wr.lock().await.shutdown()).await;
    let mut sink = [0u8; 4096];
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        while matches!(client_rd.read(&mut sink).await, Ok(n) if n > 0) {}
    })
    .await;
}

/// A JSON error answer written by the front itself, then the connection is closed.
fn error_response(status: u16, reason: &str, message: &str) -> Vec<u8> {
    let body = serde_json::json!({ "error": message }).to_string();
    format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

async fn respond(
    client_wr: &tokio::sync::Mutex<OwnedWriteHalf>,
    status: u16,
    reason: &str,
    message: &str,
) {
    let bytes = error_response(status, reason, message);
    let mut w = client_wr.lock().await;
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        let _ = w.write_all(&bytes).await;
        let _ = w.shutdown().await;
    })
    .await;
}

async fn refuse(mut socket: TcpStream) {
    let bytes = error_response(
        503,
        "Service Unavailable",
        "the server has too many connections; try again shortly",
    );
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        let _ = socket.write_all(&bytes).await;
        let _ = socket.shutdown().await;
    })
    .await;
}

/// What the framer found in the bytes a client sent.
#[derive(Debug, PartialEq, Eq)]
enum Piece {
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
struct Framer {
    state: Framing,
    head: Vec<u8>,
}

type Reject = (u16, &'static str, &'static str);

impl Framer {
    fn feed(&mut self, mut data: &[u8]) -> Result<Vec<Piece>, Reject> {
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
