//! Password login (F20). Unknown account, wrong password and disabled account give the
//! same answer after the same work: an argon2id verification always runs. Every attempt
//! is counted before the password is checked (`lockout`), and after a few wrong ones
//! the next must carry a solved proof of work.

use serde_json::json;

use crate::audit::RequestMeta;
use crate::state::Ctx;
use crate::store::{SignInName, User};

use super::lockout::{KnownDevice, Subject};
use super::password::HashError;
use super::pow;
use crate::clock::UnixTime;
use crate::store::Attempt;

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("wrong email or password")]
    InvalidCredentials,
    /// The password was right, but the account waits for activation.
    #[error("the account is not activated")]
    NotActivated,
    /// Too many wrong passwords: no password is checked until then (`None`: while
    /// other attempts are still being checked).
    #[error("locked")]
    Locked { until: Option<UnixTime> },
    /// After a few wrong passwords the next attempt must carry a solved proof of work.
    #[error("a proof of work is required")]
    ProofOfWorkRequired,
    #[error("too many logins in progress")]
    Busy,
    #[error("login failed: {0}")]
    Internal(String),
}

/// One sign-in attempt as the login form submitted it.
pub struct PasswordAttempt<'a> {
    pub email: &'a str,
    pub password: String,
    /// The browser's known-device cookie, if it had a valid one.
    pub device: Option<&'a KnownDevice>,
    pub pow_challenge: Option<&'a str>,
    pub pow_nonce: Option<&'a str>,
}

/// Who passed the password check.
pub struct PasswordPassed {
    pub user: User,
    /// Whether the account has a confirmed authenticator app (read with it).
    pub totp_confirmed: bool,
}

/// Emails compare case-insensitively and without surrounding space.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

pub async fn with_password(ctx: &Ctx, attempt: PasswordAttempt<'_>, meta: &RequestMeta) -> Result<PasswordPassed, LoginError> {
    let internal = |e: crate::store::StoreError| LoginError::Internal(e.to_string());
    // Phone ID: a verified mobile number signs in like the email address.
    let phone = attempt.email.trim().starts_with(['+', '0']).then(|| crate::account::fields::e164(attempt.email)).flatten();
    let email = phone.clone().unwrap_or_else(|| normalize_email(attempt.email));
    let name = match &phone {
        Some(number) => SignInName::Phone(number),
        None => SignInName::Email(&email),
    };
    let (user, totp_confirmed) = ctx.store.user_signing_in(name).await.map_err(internal)?.unzip();
    let subject = Subject::of(ctx, &email, user.as_ref(), attempt.device);
    // Whether the attempt needs the solution is the count's to say, in the same
    // statement that counts it; a solution the form brought is spent either way.
    let pow_solved = pow::verify(ctx, attempt.pow_challenge, attempt.pow_nonce).await.is_ok();
    let failures = match subject.begin(ctx, pow_solved).await.map_err(internal)? {
        Attempt::Allowed { failures } => failures,
        Attempt::ProofOfWorkRequired => return Err(LoginError::ProofOfWorkRequired),
        Attempt::Locked { until } => {
            metrics::counter!("oneid_logins_total", "result" => "locked").increment(1);
            return Err(LoginError::Locked { until });
        }
    };
    let hash = user.as_ref().and_then(|u| u.password_hash.clone());
    let checked = ctx.hasher.verify(hash, attempt.password).await.map_err(|e| match e {
        HashError::Busy => LoginError::Busy,
        HashError::Failed(e) => LoginError::Internal(e),
    })?;
    let user = match user {
        Some(user) if checked.ok && !user.disabled => user,
        other => {
            let reason = match &other {
                None => "unknown_account",
                Some(_) if !checked.ok => "wrong_password",
                Some(_) => "account_disabled",
            };
            metrics::counter!("oneid_logins_total", "result" => "failure").increment(1);
            let user_id = other.as_ref().map(|u| u.id.as_str());
            ctx.audit("login_failed", meta, user_id, None, json!({ "method": "password", "reason": reason })).await;
            let locked = subject.failed(ctx, failures).await.map_err(internal)?;
            if let (Some(until), Some(user)) = (locked, &other) {
                // Somebody is guessing: no browser stays trusted without a fresh code.
                super::devices::revoke_all(ctx, &user.id).await.map_err(internal)?;
                ctx.audit("account_locked", meta, Some(&user.id), None, json!({ "until": until, "known_device": attempt.device.is_some() })).await;
                crate::account::notify_locked(ctx, user, until);
            }
            return Err(match locked {
                Some(until) => LoginError::Locked { until: Some(until) },
                None => LoginError::InvalidCredentials,
            });
        }
    };
    subject.succeeded(ctx).await.map_err(internal)?;
    if !user.email_verified {
        ctx.audit("login_failed", meta, Some(&user.id), None, json!({ "method": "password", "reason": "not_activated" })).await;
        return Err(LoginError::NotActivated);
    }
    if let Some(rehash) = checked.rehash {
        ctx.store.set_password_hash(&user.id, &rehash, ctx.now()).await.map_err(internal)?;
    }
    metrics::counter!("oneid_logins_total", "result" => "success").increment(1);
    ctx.audit("login_succeeded", meta, Some(&user.id), None, json!({ "method": "password", "known_device": attempt.device.is_some() })).await;
    Ok(PasswordPassed { user, totp_confirmed: totp_confirmed.unwrap_or(false) })
}
