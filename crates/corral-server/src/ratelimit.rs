//! A per-client token bucket, so one client cannot starve a classroom.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

pub struct RateLimiter {
    /// Tokens per second and the bucket size; `per_second == 0` turns limiting off.
    per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32, burst: u32) -> RateLimiter {
        RateLimiter {
            per_second: per_minute as f64 / 60.0,
            burst: burst.max(1) as f64,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// `Ok(())` or `Err(seconds to wait)`.
    pub fn check(&self, client: IpAddr) -> Result<(), u64> {
        if self.per_second <= 0.0 {
            return Ok(());
        }
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() > 100_000 {
            // Bounded memory: forget idle clients (their buckets are full again anyway).
            buckets.retain(|_, (_, t)| {
                now.duration_since(*t).as_secs_f64() * self.per_second < self.burst
            });
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
}
