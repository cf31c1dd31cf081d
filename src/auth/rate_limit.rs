//! Per-address rate limits on the forms people post (sign-in, registration, resets):
//! a token bucket per client address in each instance's memory, refilled continuously,
//! then a count per address and minute in the database that all instances share, so
//! that N instances do not allow N times the limit. Accounts have their own, shared
//! counters (`lockout`); this only slows down one noisy address.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

use crate::state::Ctx;

/// Buckets idle this long are full again and can be forgotten.
const FORGET_AFTER_SECS: f64 = 120.0;
/// Past this many tracked addresses, idle buckets are swept before adding one.
const SWEEP_AT: usize = 10_000;

/// Takes one request of `ip`'s allowance: first from this instance's bucket (a flood
/// at one instance costs no database writes), then from the minute's count shared by
/// all instances. `Some(seconds)` says when to come back. Without the database the
/// shared count is skipped: the bucket still holds.
pub async fn check(ctx: &Ctx, ip: IpAddr) -> Option<u64> {
    if let Err(wait) = ctx.form_limiter.check(ip) {
        return Some(wait);
    }
    let now = ctx.now();
    let window = now - now.rem_euclid(60);
    match ctx.store.count_request(&format!("form:{ip}@{window}"), window + 60).await {
        Ok(count) if count > i64::from(ctx.config.lockout.per_ip_per_minute) => Some((window + 60 - now).max(1) as u64),
        Ok(_) => None,
        Err(e) => {
            tracing::warn!(error = %e, "shared request count unavailable");
            None
        }
    }
}

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
