//! Per-address rate limits on the forms people post (sign-in, registration, resets):
//! a token bucket per client address, refilled continuously, kept in memory. Accounts
//! have their own, shared counters (`lockout`); this only slows down one noisy address.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

/// Buckets idle this long are full again and can be forgotten.
const FORGET_AFTER_SECS: f64 = 120.0;
/// Past this many tracked addresses, idle buckets are swept before adding one.
const SWEEP_AT: usize = 10_000;

pub struct RateLimiter {
    per_minute: f64,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter { per_minute: f64::from(per_minute), buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one token for `ip`; `Err(seconds)` says when the next one is ready.
    pub fn check(&self, ip: IpAddr) -> Result<(), u64> {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() >= SWEEP_AT {
            buckets.retain(|_, (_, at)| now.duration_since(*at).as_secs_f64() < FORGET_AFTER_SECS);
        }
        let (tokens, at) = buckets.entry(ip).or_insert((self.per_minute, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.per_minute / 60.0).min(self.per_minute);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) * 60.0 / self.per_minute).ceil() as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_a_wait() {
        let limiter = RateLimiter::new(3);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        assert!(limiter.check(ip).is_ok() && limiter.check(ip).is_ok() && limiter.check(ip).is_ok());
        let wait = limiter.check(ip).unwrap_err();
        assert!((1..=20).contains(&wait), "{wait}");
        assert!(limiter.check("192.0.2.2".parse().unwrap()).is_ok(), "other addresses are not affected");
    }
}
