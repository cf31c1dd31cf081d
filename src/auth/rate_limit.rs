//! Per-address rate limits on the forms people post (sign-in, registration, resets):
//! a token bucket per client address in each instance's memory, refilled continuously,
//! then a count per address and minute that all instances share through the database,
//! so that N instances do not allow N times the limit. The shared counts are added up
//! in memory and written once a second ([`flush`]), not once per request: another
//! instance's requests are counted here within two seconds. Accounts have their own,
//! shared counters (`lockout`); this only slows down one noisy address.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::clock::UnixTime;
use crate::state::Ctx;

/// Buckets idle this long are full again and can be forgotten.
const FORGET_AFTER_SECS: f64 = 120.0;
/// Past this many tracked addresses, idle buckets are swept before adding one.
const SWEEP_AT: usize = 10_000;
/// How often this instance's counts go to the database (and the others' come back).
pub const FLUSH_INTERVAL: Duration = Duration::from_secs(1);

/// Takes one request of `ip`'s allowance: first from this instance's bucket, then
/// from the minute's count of all instances as last seen here plus what this instance
/// has not written yet. `Some(seconds)` says when to come back.
pub fn check(ctx: &Ctx, ip: IpAddr) -> Option<u64> {
    if let Err(wait) = ctx.form_limiter.check(ip) {
        return Some(wait);
    }
    let now = ctx.now();
    let window = minute_of(now);
    let count = ctx.form_limiter.count(ip, window);
    (count > i64::from(ctx.config.lockout.per_ip_per_minute)).then(|| (window + 60 - now).max(1) as u64)
}

/// Writes this instance's new counts and learns the totals of all instances. Without
/// the database the counts wait for the next round: the buckets still hold.
pub async fn flush(ctx: &Ctx) {
    // One round at a time: when a round ends, every count taken before it is written.
    let _one_round = ctx.form_limiter.flushing.lock().await;
    let window = minute_of(ctx.now());
    for (ip, window, added) in ctx.form_limiter.take_unwritten(window) {
        match ctx.store.count_requests(&format!("form:{ip}@{window}"), added, window + 60).await {
            Ok(total) => ctx.form_limiter.learn(ip, window, total),
            Err(e) => {
                tracing::warn!(error = %e, "shared request count unavailable");
                ctx.form_limiter.put_back(ip, window, added);
            }
        }
    }
}

fn minute_of(now: UnixTime) -> UnixTime {
    now - now.rem_euclid(60)
}

pub struct RateLimiter {
    per_minute: f64,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
    counts: Mutex<HashMap<IpAddr, Shared>>,
    flushing: tokio::sync::Mutex<()>,
}

/// One address's count in the current minute.
#[derive(Default)]
struct Shared {
    window: UnixTime,
    /// All instances' count, as the database last said.
    total: i64,
    /// This instance's requests the database has not been told about.
    unwritten: i64,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter { per_minute: f64::from(per_minute), buckets: Mutex::default(), counts: Mutex::default(), flushing: tokio::sync::Mutex::const_new(()) }
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

    /// Counts one request of `ip` in minute `window`; returns the count as known here.
    fn count(&self, ip: IpAddr, window: UnixTime) -> i64 {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let shared = counts.entry(ip).or_default();
        if shared.window != window {
            *shared = Shared { window, ..Shared::default() };
        }
        shared.unwritten += 1;
        shared.total + shared.unwritten
    }

    /// The counts to write, as (address, minute, requests); then forgets minutes
    /// before `window` (their last counts are among those returned).
    fn take_unwritten(&self, window: UnixTime) -> Vec<(IpAddr, UnixTime, i64)> {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let unwritten = counts
            .iter_mut()
            .filter(|(_, shared)| shared.unwritten > 0)
            .map(|(ip, shared)| {
                // Counted as written meanwhile, so that the total never looks smaller.
                shared.total += shared.unwritten;
                (*ip, shared.window, std::mem::take(&mut shared.unwritten))
            })
            .collect();
        counts.retain(|_, shared| shared.window >= window);
        unwritten
    }

    fn learn(&self, ip: IpAddr, window: UnixTime, total: i64) {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(shared) = counts.get_mut(&ip).filter(|s| s.window == window) {
            shared.total = shared.total.max(total);
        }
    }

    fn put_back(&self, ip: IpAddr, window: UnixTime, added: i64) {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(shared) = counts.get_mut(&ip).filter(|s| s.window == window) {
            shared.total -= added;
            shared.unwritten += added;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_counts_add_what_is_unwritten_to_what_the_database_said() {
        let limiter = RateLimiter::new(100);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!((limiter.count(ip, 60), limiter.count(ip, 60)), (1, 2));
        assert_eq!(limiter.take_unwritten(60), vec![(ip, 60, 2)]);
        assert_eq!(limiter.count(ip, 60), 3, "taken counts still count while being written");
        // Other instances counted 5 meanwhile.
        limiter.learn(ip, 60, 7);
        assert_eq!(limiter.count(ip, 60), 9);
        // A failed write is retried with the next round.
        let taken = limiter.take_unwritten(60);
        limiter.put_back(ip, 60, taken[0].2);
        assert_eq!(limiter.take_unwritten(60), vec![(ip, 60, 2)]);
        // The minute's last counts are written after it ends, then it is forgotten.
        limiter.count(ip, 60);
        assert_eq!(limiter.take_unwritten(120), vec![(ip, 60, 1)]);
        assert_eq!(limiter.count(ip, 120), 1, "a new minute starts from zero");
    }

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
