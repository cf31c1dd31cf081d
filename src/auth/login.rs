//! Password login (F20). Unknown account, wrong password and disabled account give the
//! same answer after the same work: an argon2id verification always runs.

use serde_json::json;

use crate::audit::RequestMeta;
use crate::state::Ctx;
use crate::store::User;

use super::password::HashError;

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("wrong email or password")]
    InvalidCredentials,
    /// The password was right, but the account waits for activation.
    #[error("the account is not activated")]
    NotActivated,
    #[error("too many logins in progress")]
    Busy,
    #[error("login failed: {0}")]
    Internal(String),
}

/// Emails compare case-insensitively and without surrounding space.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

pub async fn with_password(ctx: &Ctx, email: &str, password: String, meta: &RequestMeta) -> Result<User, LoginError> {
    let internal = |e: crate::store::StoreError| LoginError::Internal(e.to_string());
    let user = ctx.store.user_by_email(&normalize_email(email)).await.map_err(internal)?;
    let hash = user.as_ref().and_then(|u| u.password_hash.clone());
    let checked = ctx.hasher.verify(hash, password).await.map_err(|e| match e {
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
            return Err(LoginError::InvalidCredentials);
        }
    };
    if !user.email_verified {
        ctx.audit("login_failed", meta, Some(&user.id), None, json!({ "method": "password", "reason": "not_activated" })).await;
        return Err(LoginError::NotActivated);
    }
    if let Some(rehash) = checked.rehash {
        ctx.store.set_password_hash(&user.id, &rehash, ctx.now()).await.map_err(internal)?;
    }
    metrics::counter!("oneid_logins_total", "result" => "success").increment(1);
    ctx.audit("login_succeeded", meta, Some(&user.id), None, json!({ "method": "password" })).await;
    Ok(user)
}
