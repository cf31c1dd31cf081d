//! "Was this you?" (F15): a sign-in from a browser the account has not been used on
//! before is told to the owner by email, with a one-click "this wasn't me" link that
//! ends that session and starts a password reset.

use serde_json::json;

use crate::audit::RequestMeta;
use crate::auth::session;
use crate::paths;
use crate::state::Ctx;
use crate::store::User;

use super::links::{self, Detail, Purpose};
use super::{AccountError, greeting_name, send, user_detail};

/// Long enough for someone back from a trip to still act on it.
const NOT_ME_TTL: i64 = 7 * 86_400;

pub async fn notify_new_sign_in(ctx: &Ctx, user: &User, sid: &str, brand: &str, meta: &RequestMeta) -> Result<(), AccountError> {
    let detail = Detail { sid: Some(sid.to_string()), ..user_detail(ctx, user, brand) };
    let token = links::issue(ctx, &user.id, Purpose::NotMe, &detail, NOT_ME_TTL).await?;
    let link = links::url(ctx, paths::ACCOUNT_NOT_ME, Some(&token), &detail);
    let when = time::OffsetDateTime::from_unix_timestamp(ctx.now()).map(|t| format!("{} {:02}:{:02} UTC", t.date(), t.hour(), t.minute())).unwrap_or_default();
    let browser: String = meta.user_agent.as_deref().unwrap_or("?").chars().take(120).collect();
    let address = meta.ip.as_deref().unwrap_or("?");
    send(ctx, &user.email, &detail, "new_sign_in", greeting_name(user), Some(link), &[("when", &when), ("browser", &browser), ("address", address)]);
    Ok(())
}

/// Whether a "this wasn't me" link is still usable.
pub async fn not_me_pending(ctx: &Ctx, token: &str) -> Result<bool, AccountError> {
    Ok(links::peek(ctx, token, Purpose::NotMe).await?.is_some())
}

/// Ends the reported session and returns a fresh password-reset token for the owner,
/// who has just shown they read the account's mail.
pub async fn not_me(ctx: &Ctx, token: &str, meta: &RequestMeta) -> Result<Option<String>, AccountError> {
    let Some(link) = links::take(ctx, token, Purpose::NotMe).await? else { return Ok(None) };
    if let Some(sid) = &link.detail.sid {
        session::end(ctx, sid, "reported_by_owner", meta).await?;
    }
    ctx.audit("sign_in_reported", meta, Some(&link.user_id), None, json!({})).await;
    let reset = links::issue(ctx, &link.user_id, Purpose::PasswordReset, &link.detail, ctx.policy().accounts.reset_ttl).await?;
    Ok(Some(reset))
}
