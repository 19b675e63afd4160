//! A per-client token bucket, so one client cannot starve a classroom.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

pub struct RateLimiter {
    /// Tokens per second and the bucket size; `per_second == 0` turns limiting off.
    per_second: f64,
    burst: f64,
    /// The most clients tracked at once (see [`RateLimiter::check`]).
    max_clients: usize,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

/// Default bound on the clients tracked: 65,536 buckets, about 3 MiB.
pub const MAX_CLIENTS: usize = 1 << 16;

impl RateLimiter {
    pub fn new(per_minute: u32, burst: u32) -> RateLimiter {
        RateLimiter::with_capacity(per_minute, burst, MAX_CLIENTS)
    }

    pub fn with_capacity(per_minute: u32, burst: u32, max_clients: usize) -> RateLimiter {
        RateLimiter {
            per_second: per_minute as f64 / 60.0,
            burst: burst.max(1) as f64,
            max_clients: max_clients.max(1),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Clients tracked now.
    pub fn tracked(&self) -> usize {
        self.buckets.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// `Ok(())` or `Err(seconds to wait)`.
    ///
    /// Memory is bounded: when `max_clients` are tracked and a new one comes, the
    /// clients whose buckets have refilled are forgotten (they would start full
    /// anyway); if that frees nothing, the least recently seen eighth is forgotten.
    pub fn check(&self, client: IpAddr) -> Result<(), u64> {
        if self.per_second <= 0.0 {
            return Ok(());
        }
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() >= self.max_clients && !buckets.contains_key(&client) {
            buckets.retain(|_, (tokens, t)| {
                *tokens + now.duration_since(*t).as_secs_f64() * self.per_second < self.burst
            });
            if buckets.len() >= self.max_clients {
                let mut seen: Vec<Instant> = buckets.values().map(|(_, t)| *t).collect();
                let cut = (self.max_clients / 8).max(1);
                if cut >= seen.len() {
                    buckets.clear();
                } else {
                    let oldest_kept = *seen.select_nth_unstable(cut).1;
                    buckets.retain(|_, (_, t)| *t >= oldest_kept);
                }
            }
        }
        let (tokens, last) = buckets.entry(client).or_insert((self.burst, now));
        *tokens =
            (*tokens + now.duration_since(*last).as_secs_f64() * self.per_second).min(self.burst);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / self.per_second).ceil() as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_a_wait() {
        let r = RateLimiter::new(60, 3);
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        let b: IpAddr = "127.0.0.2".parse().unwrap();
        assert!(r.check(a).is_ok() && r.check(a).is_ok() && r.check(a).is_ok());
        assert_eq!(r.check(a), Err(1));
        assert!(r.check(b).is_ok(), "another client has its own bucket");
        assert!(
            RateLimiter::new(0, 1).check(a).is_ok(),
            "0 turns limiting off"
        );
    }

    #[test]
    fn the_number_of_clients_tracked_is_bounded() {
        let r = RateLimiter::with_capacity(60, 3, 64);
        for i in 0..10_000u32 {
            let _ = r.check(IpAddr::from(i.to_be_bytes()));
            assert!(r.tracked() <= 64);
        }
        // A busy client seen recently keeps its (empty) bucket.
        let a: IpAddr = "10.9.9.9".parse().unwrap();
        while r.check(a).is_ok() {}
        for i in 0..10u32 {
            let _ = r.check(IpAddr::from(((i + 1) << 20).to_be_bytes()));
        }
        assert!(r.check(a).is_err(), "the busy client is still limited");
    }
}
