//! Forgotten passwords (F11): a reset link by email (the same answer whether or not the
//! account exists), then a new password under the same policy as registration. Using
//! the link proves the address, so it also activates an account that was waiting, lifts
//! a lockout, and ends every session and refresh token of the account.

use serde_json::json;

use crate::audit::RequestMeta;
use crate::auth::login::normalize_email;
use crate::auth::{lockout, password_policy, session};
use crate::paths;
use crate::state::Ctx;
use crate::store::User;

use super::links::{self, Purpose};
use super::{AccountError, Origin, greeting_name, send, user_detail};

pub async fn forgot(ctx: &Ctx, email: &str, origin: Origin<'_>, meta: &RequestMeta) -> Result<(), AccountError> {
    let email = normalize_email(email);
    if !crate::admin::users::valid_email(&email) {
        return Err(AccountError::field("email", "email-invalid"));
    }
    let Some(user) = ctx.store.user_by_email(&email).await?.filter(|u| !u.disabled) else {
        ctx.audit("password_reset_unknown_account", meta, None, None, json!({})).await;
        return Ok(());
    };
    let recent = links::last_sent(ctx, &user.id, Purpose::PasswordReset).await?;
    if recent.is_some_and(|at| ctx.now() - at < ctx.policy().accounts.resend_cooldown) {
        return Ok(());
    }
    let detail = origin.detail();
    let token = links::issue(ctx, &user.id, Purpose::PasswordReset, &detail, ctx.policy().accounts.reset_ttl).await?;
    let link = links::url(ctx, paths::PASSWORD_RESET, Some(&token), &detail);
    send(ctx, &user.email, &detail, "password_reset", greeting_name(&user), Some(link), &[]);
    ctx.audit("password_reset_requested", meta, Some(&user.id), None, json!({})).await;
    Ok(())
}

/// Sends the owner a reset link at an administrator's request, in the owner's language.
pub async fn send_reset(ctx: &Ctx, user: &User) -> Result<(), AccountError> {
    let detail = user_detail(ctx, user, crate::brands::DEFAULT_BRAND);
    let token = links::issue(ctx, &user.id, Purpose::PasswordReset, &detail, ctx.policy().accounts.reset_ttl).await?;
    let link = links::url(ctx, paths::PASSWORD_RESET, Some(&token), &detail);
    send(ctx, &user.email, &detail, "password_reset", greeting_name(user), Some(link), &[]);
    Ok(())
}

/// The account a reset link belongs to, while the link is usable.
pub async fn reset_target(ctx: &Ctx, token: &str) -> Result<Option<User>, AccountError> {
    let Some(link) = links::peek(ctx, token, Purpose::PasswordReset).await? else { return Ok(None) };
    Ok(ctx.store.user_by_id(&link.user_id).await?.filter(|u| !u.disabled))
}

pub enum Reset {
    /// Done; `request` is the sign-in the link was asked for from, if any.
    Done { request: Option<String> },
    LinkUnusable,
}

/// Sets the new password.
pub async fn reset(ctx: &Ctx, token: &str, password: &str, meta: &RequestMeta) -> Result<Reset, AccountError> {
    let Some(user) = reset_target(ctx, token).await? else { return Ok(Reset::LinkUnusable) };
    check_new_password(ctx, &user, password)?;
    let hash = ctx.hasher.hash(password.to_string()).await?;
    // Taken only now, so that a password the policy refused leaves the link usable.
    let Some(link) = links::take(ctx, token, Purpose::PasswordReset).await? else { return Ok(Reset::LinkUnusable) };
    let now = ctx.now();
    ctx.store.set_password_hash(&user.id, &hash, now).await?;
    ctx.store.verify_email(&user.id, now).await?;
    links::revoke_all(ctx, &user.id, Purpose::PasswordReset).await?;
    links::revoke_all(ctx, &user.id, Purpose::Activation).await?;
    session::end_all(ctx, &user.id, "password_reset").await?;
    crate::auth::pin::forget_all(ctx, &user.id, "password_reset").await?;
    lockout::unlock(ctx, &user.id).await?;
    crate::auth::devices::revoke_all(ctx, &user.id).await?;
    send(ctx, &user.email, &link.detail, "password_changed", greeting_name(&user), None, &[]);
    ctx.audit("password_reset", meta, Some(&user.id), None, json!({})).await;
    Ok(Reset::Done { request: link.detail.request })
}

/// The registration policy, with the account's own address and names.
pub fn check_new_password(ctx: &Ctx, user: &User, password: &str) -> Result<(), AccountError> {
    let personal = [user.email.as_str(), user.given_name.as_deref().unwrap_or(""), user.family_name.as_deref().unwrap_or("")];
    password_policy::check(password, ctx.policy().accounts.password_min_length, &personal)
        .map_err(|problem| AccountError::field("password", problem.message()))
}

/// Notification in the user's own language and the default brand (no page started it).
pub(super) fn notify(ctx: &Ctx, user: &User, brand: &str, template: &'static str, extra: &[(&'static str, &str)]) {
    let detail = user_detail(ctx, user, brand);
    send(ctx, &user.email, &detail, template, greeting_name(user), None, extra);
}
