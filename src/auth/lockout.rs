//! Brute-force protection that attackers cannot turn against users (F21). Each
//! password attempt is counted against a subject before the password is checked:
//! - the account, for browsers it does not know;
//! - the account on one known browser (a signed cookie set at a successful sign-in),
//!   with its own count, so the owner still gets in while strangers lock the account;
//! - the address itself when no account has it, so that locking reveals nothing.
//!
//! At the threshold the subject locks, each lock in a row longer than the last; a lock
//! ends with time, a password reset, or `oneid users unlock`.

use crate::clock::UnixTime;
use crate::crypto;
use crate::state::Ctx;
use crate::store::{Attempt, StoreError, User};

/// A browser where `user_id` signed in before, proven by the cookie's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownDevice {
    pub user_id: String,
    pub device_id: String,
}

/// The cookie value that makes this browser a known device of `user_id`.
pub fn device_cookie(ctx: &Ctx, user_id: &str) -> String {
    let body = format!("{user_id}.{}", &crypto::random_token()[..22]);
    format!("{body}.{}", device_mac(ctx, &body))
}

pub fn known_device(ctx: &Ctx, cookie: &str) -> Option<KnownDevice> {
    let (body, mac) = cookie.rsplit_once('.')?;
    if !crypto::constant_time_eq(device_mac(ctx, body).as_bytes(), mac.as_bytes()) {
        return None;
    }
    let (user_id, device_id) = body.split_once('.')?;
    Some(KnownDevice { user_id: user_id.to_string(), device_id: device_id.to_string() })
}

fn device_mac(ctx: &Ctx, body: &str) -> String {
    crypto::b64url(&crypto::hmac_sha256(&ctx.kek.derive("known-device"), body.as_bytes()))
}

/// What is counted for an attempt to sign in as `email`.
pub struct Subject {
    key: String,
    threshold: i32,
    /// Failures after which an attempt must bring a solved proof of work.
    pow_after: Option<i32>,
}

impl Subject {
    pub fn of(ctx: &Ctx, email: &str, user: Option<&User>, device: Option<&KnownDevice>) -> Subject {
        let config = ctx.policy();
        let policy = &config.lockout;
        let (key, threshold) = match user {
            Some(user) => match device.filter(|d| d.user_id == user.id) {
                Some(d) => (format!("device:{}:{}", user.id, d.device_id), policy.known_device_threshold),
                None => (format!("user:{}", user.id), policy.threshold),
            },
            None => (format!("email:{}", crypto::token_hash(email)), policy.threshold),
        };
        Subject { key, threshold, pow_after: Some(policy.pow_after) }
    }

    /// Guesses at the user's authenticator or recovery codes, counted like passwords.
    pub fn second_factor(ctx: &Ctx, user: &User) -> Subject {
        Subject { key: format!("2fa:{}", user.id), threshold: ctx.policy().lockout.threshold, pow_after: None }
    }

    /// Counts this attempt before its secret is checked. `pow_solved`: the attempt
    /// brought a valid proof of work, which lets it past `pow_after` failures.
    pub async fn begin(&self, ctx: &Ctx, pow_solved: bool) -> Result<Attempt, StoreError> {
        let pow_after = self.pow_after.filter(|_| !pow_solved);
        ctx.store.begin_attempt(&self.key, self.threshold, pow_after, ctx.now()).await
    }

    /// Records a wrong password; returns the end of the lock it caused, if it did.
    pub async fn failed(&self, ctx: &Ctx, failures: i32) -> Result<Option<UnixTime>, StoreError> {
        let policy = ctx.policy().lockout.clone();
        let lock_for = move |lockouts: i32| lock_duration(policy.base_duration, policy.growth, policy.max_duration, lockouts);
        ctx.store.fail_attempt(&self.key, failures, self.threshold, lock_for, ctx.now()).await
    }

    pub async fn succeeded(&self, ctx: &Ctx) -> Result<(), StoreError> {
        ctx.store.clear_attempts(&self.key).await
    }
}

/// `base · growth^lockouts`, at most `max`.
pub fn lock_duration(base: i64, growth: i64, max: i64, lockouts: i32) -> i64 {
    let mut duration = base;
    for _ in 0..lockouts.max(0) {
        duration = duration.saturating_mul(growth);
        if duration >= max {
            return max;
        }
    }
    duration.min(max)
}

/// Lifts the locks on the user's account and on each of their known browsers.
pub async fn unlock(ctx: &Ctx, user_id: &str) -> Result<u64, StoreError> {
    ctx.store.clear_attempts(&format!("2fa:{user_id}")).await?;
    ctx.store.clear_user_attempts(&format!("user:{user_id}"), &format!("device:{user_id}:")).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_grow_up_to_the_cap() {
        let durations: Vec<i64> = (0..8).map(|n| lock_duration(60, 2, 3600, n)).collect();
        assert_eq!(durations, [60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(lock_duration(60, 1, 3600, 50), 60);
    }
}
