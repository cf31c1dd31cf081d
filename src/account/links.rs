//! One-time links sent by email: activation, password reset, email change. The token
//! is 256 random bits, stored hashed, single use and short-lived; the link also names
//! the brand and language the person was using, so the page it opens looks the same.

use serde::{Deserialize, Serialize};

use crate::crypto;
use crate::state::Ctx;
use crate::store::{OneTimeTokenRecord, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Activation,
    PasswordReset,
    EmailChange,
    /// "This wasn't me" in a new-sign-in notification.
    NotMe,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Activation => "activation",
            Purpose::PasswordReset => "password_reset",
            Purpose::EmailChange => "email_change",
            Purpose::NotMe => "not_me",
        }
    }
}

/// What a link carries besides its user.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Detail {
    pub brand: String,
    pub lang: String,
    /// The pending authorization request to continue afterwards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
    /// The address an email change moves to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_email: Option<String>,
    /// The browser session a "this wasn't me" link ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
}

/// A used (or looked-at) link: whose, and what it carried.
pub struct Link {
    pub user_id: String,
    pub detail: Detail,
}

/// Stores a new link and returns its token.
pub async fn issue(ctx: &Ctx, user_id: &str, purpose: Purpose, detail: &Detail, ttl: i64) -> Result<String, StoreError> {
    let token = crypto::random_token();
    let now = ctx.now();
    ctx.store
        .insert_one_time_token(&OneTimeTokenRecord {
            token_hash: crypto::token_hash(&token),
            purpose: purpose.as_str().to_string(),
            user_id: user_id.to_string(),
            detail: serde_json::to_string(detail).map_err(|e| StoreError::Db(e.to_string()))?,
            created_at: now,
            expires_at: now + ttl,
        })
        .await?;
    Ok(token)
}

/// The absolute URL of page `path` with the token, brand and language.
pub fn url(ctx: &Ctx, path: &str, token: Option<&str>, detail: &Detail) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    if let Some(token) = token {
        query.append_pair("token", token);
    }
    query.append_pair("brand", &detail.brand).append_pair("lang", &detail.lang);
    format!("{}{path}?{}", ctx.config.issuer(), query.finish())
}

/// Uses the link up; `None` when it is unknown, expired or already used.
pub async fn take(ctx: &Ctx, token: &str, purpose: Purpose) -> Result<Option<Link>, StoreError> {
    let record = ctx.store.take_one_time_token(&crypto::token_hash(token), purpose.as_str(), ctx.now()).await?;
    Ok(record.map(link))
}

/// The link if it is still usable, without using it.
pub async fn peek(ctx: &Ctx, token: &str, purpose: Purpose) -> Result<Option<Link>, StoreError> {
    let record = ctx.store.one_time_token(&crypto::token_hash(token), purpose.as_str(), ctx.now()).await?;
    Ok(record.map(link))
}

/// When the newest live link of this purpose was sent to the user.
pub async fn last_sent(ctx: &Ctx, user_id: &str, purpose: Purpose) -> Result<Option<i64>, StoreError> {
    ctx.store.newest_one_time_token(user_id, purpose.as_str(), ctx.now()).await
}

/// Ends every live link of this purpose for the user.
pub async fn revoke_all(ctx: &Ctx, user_id: &str, purpose: Purpose) -> Result<(), StoreError> {
    ctx.store.delete_one_time_tokens(user_id, purpose.as_str()).await
}

fn link(record: OneTimeTokenRecord) -> Link {
    Link { detail: serde_json::from_str(&record.detail).unwrap_or_default(), user_id: record.user_id }
}
