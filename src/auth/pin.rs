//! The mobile app's PIN (F30). A PIN belongs to one app grant (its refresh family): the
//! app sets it after the user signed in with their password, and opening the app later
//! exchanges it, with the refresh token, for fresh tokens. PINs are digits only, of a
//! configured length, never a trivial one; stored as argon2id hashes. Wrong attempts are
//! counted before the check, and the last allowed wrong one revokes the grant: the user
//! signs in with their password again and sets a new PIN.

use serde_json::json;

use crate::audit::RequestMeta;
use crate::config::PinConfig;
use crate::state::Ctx;
use crate::store::{GrantRecord, PinAttempt, StoreError};

use super::password::HashError;

/// Why a new PIN is refused; `message` is safe to show the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinProblem {
    NotDigits,
    Length,
    Trivial,
}

impl PinProblem {
    pub fn message(self, policy: &PinConfig) -> String {
        match self {
            PinProblem::NotDigits => "a PIN consists of digits only".into(),
            PinProblem::Length => format!("a PIN has {} to {} digits", policy.min_length, policy.max_length),
            PinProblem::Trivial => "this PIN is too easy to guess (repeated, sequential or common digits); choose another".into(),
        }
    }
}

/// The most common four-digit PINs beyond the patterns checked below (after the
/// DataGenetics analysis of 3.4 million PINs).
const COMMON: &[&str] = &["1004", "2000", "1122", "1313", "2001", "1998", "1999", "2580", "0852", "1379", "9731", "1470", "3690", "7410", "0963"];

pub fn check_policy(pin: &str, policy: &PinConfig) -> Result<(), PinProblem> {
    if pin.is_empty() || !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PinProblem::NotDigits);
    }
    if !(policy.min_length..=policy.max_length).contains(&pin.len()) {
        return Err(PinProblem::Length);
    }
    if is_trivial(pin.as_bytes()) || COMMON.contains(&pin) {
        return Err(PinProblem::Trivial);
    }
    Ok(())
}

/// Repeated (`0000`), sequential up or down (`1234`, `9876`, `7890` with the wrap), a
/// short pattern repeated (`1212`, `123123`), or two halves of doubled digits (`1122`).
fn is_trivial(digits: &[u8]) -> bool {
    let steps: Vec<i8> = digits.windows(2).map(|w| ((w[1] as i8 - w[0] as i8) + 10) % 10).collect();
    let constant_step = steps.windows(2).all(|w| w[0] == w[1]) && matches!(steps.first(), Some(0 | 1 | 9));
    let periodic = (1..=digits.len() / 2).any(|p| digits.len().is_multiple_of(p) && digits.iter().enumerate().all(|(i, d)| *d == digits[i % p]));
    let doubled = digits.len().is_multiple_of(2) && digits.chunks(2).all(|pair| pair[0] == pair[1]);
    constant_step || periodic || doubled
}

#[derive(Debug, thiserror::Error)]
pub enum PinError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Hash(#[from] HashError),
}

/// The outcome of presenting a PIN.
#[derive(Debug, PartialEq, Eq)]
pub enum PinCheck {
    Right,
    /// Wrong; this many attempts remain.
    Wrong { attempts_left: i32 },
    /// Wrong for the last time: the grant is revoked, the app must sign in again.
    Locked,
    /// The grant has no PIN.
    NoPin,
}

/// Sets the grant's PIN (already checked against the policy); the app stays unlocked
/// for the configured time.
pub async fn set(ctx: &Ctx, grant: &GrantRecord, pin: &str, meta: &RequestMeta) -> Result<(), PinError> {
    let hash = ctx.hasher.hash(pin.to_string()).await?;
    let now = ctx.now();
    ctx.store.set_pin(&grant.id, &hash, now + ctx.policy().pin.unlock_ttl, now).await?;
    ctx.audit("app_pin_set", meta, Some(&grant.user_id), Some(&grant.client_id), json!({ "grant": grant.id })).await;
    Ok(())
}

/// Checks a PIN for the grant. At most `max_attempts` wrong ones are ever checked,
/// however many arrive at once; the last one revokes the grant and tells the owner.
pub async fn verify(ctx: &Ctx, grant: &GrantRecord, pin: &str, meta: &RequestMeta) -> Result<PinCheck, PinError> {
    let max = ctx.policy().pin.max_attempts;
    let now = ctx.now();
    let (hash, failures) = match ctx.store.begin_pin_attempt(&grant.id, max, now).await? {
        PinAttempt::NoPin => return Ok(PinCheck::NoPin),
        PinAttempt::Exhausted => return Ok(PinCheck::Locked),
        PinAttempt::Allowed { pin_hash, failures } => (pin_hash, failures),
    };
    if ctx.hasher.verify(Some(hash), pin.to_string()).await?.ok {
        ctx.store.pin_succeeded(&grant.id, now + ctx.policy().pin.unlock_ttl, now).await?;
        ctx.audit("app_pin_unlocked", meta, Some(&grant.user_id), Some(&grant.client_id), json!({ "grant": grant.id })).await;
        return Ok(PinCheck::Right);
    }
    if failures < max {
        ctx.audit("app_pin_wrong", meta, Some(&grant.user_id), Some(&grant.client_id), json!({ "grant": grant.id, "failures": failures })).await;
        return Ok(PinCheck::Wrong { attempts_left: max - failures });
    }
    if ctx.store.revoke_grant(&grant.id, "pin_attempts_exhausted", now).await? {
        crate::protocol::backchannel::grant_ended(ctx, &grant.client_id, &grant.user_id, grant.sid.as_deref(), "pin_attempts_exhausted").await?;
        ctx.audit("app_pin_locked", meta, Some(&grant.user_id), Some(&grant.client_id), json!({ "grant": grant.id, "grant_revoked": true })).await;
        if let Some(user) = ctx.store.user_by_id(&grant.user_id).await? {
            let app = ctx.clients.get(&grant.client_id).await?.map_or_else(|| grant.client_id.clone(), |c| c.name.clone());
            crate::account::notify_pin_locked(ctx, &user, &app, max);
        }
    }
    Ok(PinCheck::Locked)
}

/// After a password change or reset: apps with a PIN sign in again with the new password.
pub async fn forget_all(ctx: &Ctx, user_id: &str, reason: &str) -> Result<u64, StoreError> {
    ctx.store.revoke_pinned_grants(user_id, reason, ctx.now()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> PinConfig {
        PinConfig::default()
    }

    #[test]
    fn trivial_pins_are_refused() {
        for pin in ["0000", "1111", "1234", "4321", "0123", "6789", "7890", "9876", "123456", "654321", "1212", "123123", "121212", "1122", "112233", "2580", "1004"] {
            assert_eq!(check_policy(pin, &policy()), Err(PinProblem::Trivial), "{pin}");
        }
    }

    #[test]
    fn ordinary_pins_pass() {
        for pin in ["4729", "8351", "52907", "190274", "3317"] {
            assert_eq!(check_policy(pin, &policy()), Ok(()), "{pin}");
        }
    }

    #[test]
    fn length_and_digits() {
        assert_eq!(check_policy("472", &policy()), Err(PinProblem::Length));
        assert_eq!(check_policy("4729183", &policy()), Err(PinProblem::Length));
        assert_eq!(check_policy("47a9", &policy()), Err(PinProblem::NotDigits));
        assert_eq!(check_policy("٤٧٢٩", &policy()), Err(PinProblem::NotDigits), "ASCII digits only");
        assert_eq!(check_policy("", &policy()), Err(PinProblem::NotDigits));
    }
}
