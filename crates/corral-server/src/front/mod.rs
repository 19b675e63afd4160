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

mod conn;
mod forward;
mod framer;
mod respond;

use conn::Conn;
use rocket::tokio;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{Notify, Semaphore};

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
}
