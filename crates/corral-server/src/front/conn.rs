//! One client connection's state (for its timer and for eviction) and the cap on
//! how many are open.

use super::respond::refuse;
use super::{Front, Limits};
use rocket::tokio;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::Notify;
use tokio::time::Instant;

/// What one connection is doing, for its timer and for eviction.
pub(super) struct ConnState {
    /// The last byte either way.
    pub(super) active: Instant,
    /// A request head has begun and is not complete.
    pub(super) head_started: Option<Instant>,
    /// A request body is arriving.
    pub(super) body_started: Option<Instant>,
    /// A request was forwarded whole and no byte of its answer came back yet.
    pub(super) awaiting: bool,
    pub(super) upgraded: bool,
}

pub(super) struct Conn {
    state: Mutex<ConnState>,
    pub(super) close: Notify,
}

impl Conn {
    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, ConnState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(super) fn touch(&self) {
        self.lock().active = Instant::now();
    }

    /// Idle or sending its head: may be closed to make room.
    pub(super) fn evictable(&self) -> bool {
        let s = self.lock();
        !s.upgraded && !s.awaiting && s.body_started.is_none()
    }

    /// Busy with a request (its body, or its answer).
    pub(super) fn busy(&self) -> bool {
        let s = self.lock();
        s.awaiting || s.body_started.is_some()
    }

    pub(super) fn deadline(&self, l: &Limits, draining: bool) -> Option<Instant> {
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
impl Front {
    pub(super) fn admit(self: Arc<Self>, socket: TcpStream, peer: SocketAddr) {
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
}
