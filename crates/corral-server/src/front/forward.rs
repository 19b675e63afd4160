//! Forwarding one client connection to its own connection to Rocket: the timers, the
//! framing of requests, and the per-client share of forwarded connections.

use super::conn::Conn;
use super::framer::{Framer, Piece};
use super::respond::respond;
use super::{Front, Peers};
use rocket::tokio;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::OwnedWriteHalf;
use tokio::sync::OwnedSemaphorePermit;
use tokio::time::Instant;

impl Front {
    /// Serves one client connection until it ends; true when a timer ended it.
    pub(super) async fn drive(
        &self,
        conn: &Arc<Conn>,
        client: TcpStream,
        peer: SocketAddr,
    ) -> bool {
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
