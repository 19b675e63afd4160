//! Token buckets per user and per channel, so that a flood cannot make the bot flood:
//! a request over the limit is answered once with a notice, then the bot stays silent
//! for that user (or channel) until its bucket has a token again.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// `requests` per `window`, refilled evenly (3 per 30 s: one every 10 s, bursts of 3).
/// Zero requests turns the limit off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub requests: u32,
    pub window: Duration,
}

impl Rate {
    fn per_second(self) -> f64 {
        f64::from(self.requests) / self.window.as_secs_f64().max(0.001)
    }
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
    /// The notice was given since the bucket last let a request through.
    noticed: bool,
}

impl Bucket {
    fn refill(&mut self, rate: Rate, now: Instant) {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * rate.per_second()).min(f64::from(rate.requests));
        self.at = now;
    }

    fn wait(&self, rate: Rate) -> Duration {
        Duration::from_secs_f64(((1.0 - self.tokens) / rate.per_second()).max(0.0))
    }
}

/// What to do with a request.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Go,
    /// Over the limit: say so once, with the time until the next request is let through.
    Notice(Duration),
    /// Over the limit, and already told.
    Silent,
}

/// Buckets kept before full ones (idle users) are forgotten.
const MAX_BUCKETS: usize = 4096;

#[derive(Debug)]
pub struct Limiter {
    user: Rate,
    channel: Rate,
    users: HashMap<String, Bucket>,
    channels: HashMap<String, Bucket>,
}

impl Limiter {
    pub fn new(user: Rate, channel: Rate) -> Limiter {
        Limiter {
            user,
            channel,
            users: HashMap::new(),
            channels: HashMap::new(),
        }
    }

    /// A request from `user` in `channel` (none for a private message) at `now`.
    pub fn check(&mut self, user: &str, channel: Option<&str>, now: Instant) -> Verdict {
        let mut buckets = Vec::new();
        buckets.extend(bucket(&mut self.users, user, self.user, now));
        if let Some(c) = channel {
            buckets.extend(bucket(&mut self.channels, c, self.channel, now));
        }
        if buckets.iter().all(|(b, _)| b.tokens >= 1.0) {
            for (b, _) in &mut buckets {
                b.tokens -= 1.0;
                b.noticed = false;
            }
            return Verdict::Go;
        }
        let (mut wait, mut fresh) = (Duration::ZERO, false);
        for (b, rate) in buckets.iter_mut().filter(|(b, _)| b.tokens < 1.0) {
            wait = wait.max(b.wait(*rate));
            fresh |= !b.noticed;
            b.noticed = true;
        }
        if fresh {
            Verdict::Notice(wait)
        } else {
            Verdict::Silent
        }
    }
}

fn key(name: &str) -> String {
    name.to_lowercase()
}

/// The refilled bucket of `name` and its rate; none when the limit is off.
fn bucket<'a>(
    buckets: &'a mut HashMap<String, Bucket>,
    name: &str,
    rate: Rate,
    now: Instant,
) -> Option<(&'a mut Bucket, Rate)> {
    if rate.requests == 0 {
        return None;
    }
    if buckets.len() >= MAX_BUCKETS {
        buckets.retain(|_, b| {
            b.refill(rate, now);
            b.tokens < f64::from(rate.requests)
        });
    }
    let bucket = buckets.entry(key(name)).or_insert(Bucket {
        tokens: f64::from(rate.requests),
        at: now,
        noticed: false,
    });
    bucket.refill(rate, now);
    Some((bucket, rate))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    fn limiter() -> Limiter {
        Limiter::new(
            Rate {
                requests: 3,
                window: 30 * SECOND,
            },
            Rate {
                requests: 10,
                window: 60 * SECOND,
            },
        )
    }

    #[test]
    fn a_flood_gets_one_notice_then_silence_until_the_bucket_refills() {
        let mut l = limiter();
        let t = Instant::now();
        for _ in 0..3 {
            assert_eq!(l.check("alice", Some("#c"), t), Verdict::Go);
        }
        assert_eq!(
            l.check("Alice", Some("#c"), t),
            Verdict::Notice(10 * SECOND),
            "nicks ignore case"
        );
        for _ in 0..10 {
            assert_eq!(l.check("alice", Some("#c"), t), Verdict::Silent);
        }
        // Others are not held back by alice's bucket.
        assert_eq!(l.check("bob", Some("#c"), t), Verdict::Go);
        // One token back after 10 s: one request, then a notice again.
        let later = t + 10 * SECOND;
        assert_eq!(l.check("alice", Some("#c"), later), Verdict::Go);
        assert_eq!(
            l.check("alice", Some("#c"), later),
            Verdict::Notice(10 * SECOND)
        );
    }

    #[test]
    fn a_channel_has_its_own_limit_noticed_once_for_everyone() {
        let mut l = limiter();
        let t = Instant::now();
        for i in 0..10 {
            assert_eq!(l.check(&format!("user{i}"), Some("#c"), t), Verdict::Go);
        }
        assert_eq!(
            l.check("user10", Some("#c"), t),
            Verdict::Notice(6 * SECOND)
        );
        assert_eq!(l.check("user11", Some("#c"), t), Verdict::Silent);
        // Private messages and other channels count only the user's bucket.
        assert_eq!(l.check("user11", None, t), Verdict::Go);
        assert_eq!(l.check("user11", Some("#other"), t), Verdict::Go);
    }

    #[test]
    fn zero_requests_turns_a_limit_off() {
        let off = Rate {
            requests: 0,
            window: SECOND,
        };
        let mut l = Limiter::new(off, off);
        let t = Instant::now();
        for _ in 0..100 {
            assert_eq!(l.check("a", Some("#c"), t), Verdict::Go);
        }
    }
}
