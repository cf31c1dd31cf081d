//! The signed-in person's own account (F12): personal data, password, email address.
//! A new address takes effect only when its confirmation link is opened, and the old
//! address is told; a new password ends the account's other sessions.

use serde_json::json;

use crate::audit::RequestMeta;
use crate::auth::login::normalize_email;
use crate::auth::session;
use crate::paths;
use crate::state::Ctx;
use crate::store::{StoreError, User};

use super::fields::{self, FieldErrors};
use super::links::{self, Detail, Purpose};
use super::recovery::{check_new_password, notify};
use super::{AccountError, Origin, greeting_name, send};

pub async fn update<'a>(ctx: &Ctx, user: &User, field: &(dyn Fn(&str) -> Option<&'a str> + Sync), meta: &RequestMeta) -> Result<User, AccountError> {
    let mut errors = FieldErrors::new();
    let profile = fields::profile(field, &mut errors);
    if !errors.is_empty() {
        return Err(AccountError::Fields(errors));
    }
    let phone_changed = profile.phone_number != user.phone_number;
    let updated = User {
        salutation: profile.salutation,
        given_name: Some(profile.given_name),
        family_name: Some(profile.family_name),
        locale: Some(profile.locale),
        country: Some(profile.country),
        phone_number_verified: user.phone_number_verified && !phone_changed,
        phone_number: profile.phone_number,
        address: profile.address,
        ..user.clone()
    };
    ctx.store.update_profile(&updated, ctx.now()).await?;
    ctx.audit("profile_updated", meta, Some(&user.id), None, json!({})).await;
    Ok(updated)
}

/// Checks the current password (wrong answers cost a full argon2 run, like logins).
pub(super) async fn confirm_password(ctx: &Ctx, user: &User, current: &str) -> Result<(), AccountError> {
    let checked = ctx.hasher.verify(user.password_hash.clone(), current.to_string()).await?;
    if checked.ok { Ok(()) } else { Err(AccountError::field("current_password", "password-mismatch")) }
}

/// Changes the password; every session but `keep_sid` ends, with its session-bound
/// tokens, and the owner is told by email.
pub async fn change_password(ctx: &Ctx, user: &User, current: &str, new: &str, keep_sid: &str, brand: &str, meta: &RequestMeta) -> Result<(), AccountError> {
    confirm_password(ctx, user, current).await?;
    check_new_password(ctx, user, new)?;
    let hash = ctx.hasher.hash(new.to_string()).await?;
    ctx.store.set_password_hash(&user.id, &hash, ctx.now()).await?;
    session::end_others(ctx, &user.id, keep_sid, "password_changed").await?;
    crate::auth::pin::forget_all(ctx, &user.id, "password_changed").await?;
    crate::auth::devices::revoke_all(ctx, &user.id).await?;
    notify(ctx, user, brand, "password_changed", &[]);
    ctx.audit("password_changed", meta, Some(&user.id), None, json!({})).await;
    Ok(())
}

/// Sends a confirmation link to the new address. An address that already belongs to
/// an account gets nothing, but the answer is the same.
pub async fn request_email_change(ctx: &Ctx, user: &User, new_email: &str, current: &str, origin: Origin<'_>, meta: &RequestMeta) -> Result<String, AccountError> {
    let new_email = normalize_email(new_email);
    if !crate::admin::users::valid_email(&new_email) {
        return Err(AccountError::field("email", "email-invalid"));
    }
    if new_email == user.email {
        return Err(AccountError::field("email", "email-change-taken"));
    }
    confirm_password(ctx, user, current).await?;
    if ctx.store.user_by_email(&new_email).await?.is_none() {
        let detail = Detail { new_email: Some(new_email.clone()), ..origin.detail() };
        let token = links::issue(ctx, &user.id, Purpose::EmailChange, &detail, ctx.policy().accounts.email_change_ttl).await?;
        let link = links::url(ctx, paths::ACCOUNT_EMAIL_CONFIRM, Some(&token), &detail);
        send(ctx, &new_email, &detail, "email_change", greeting_name(user), Some(link), &[]);
    }
    ctx.audit("email_change_requested", meta, Some(&user.id), None, json!({})).await;
    Ok(new_email)
}

/// Whether an email-change link is still usable.
pub async fn email_change_pending(ctx: &Ctx, token: &str) -> Result<bool, AccountError> {
    Ok(links::peek(ctx, token, Purpose::EmailChange).await?.is_some())
}

/// Uses the confirmation link: the account moves to the new address and the old one
/// is told. `None` when the link is unusable or the address was taken meanwhile.
pub async fn confirm_email_change(ctx: &Ctx, token: &str, meta: &RequestMeta) -> Result<Option<User>, AccountError> {
    let Some(link) = links::take(ctx, token, Purpose::EmailChange).await? else { return Ok(None) };
    let (Some(user), Some(new_email)) = (ctx.store.user_by_id(&link.user_id).await?, link.detail.new_email.clone()) else { return Ok(None) };
    match ctx.store.set_email(&user.id, &new_email, ctx.now()).await {
        Ok(()) => {}
        Err(StoreError::Conflict { .. }) => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    links::revoke_all(ctx, &user.id, Purpose::EmailChange).await?;
    let old = user.clone();
    send(ctx, &old.email, &link.detail, "email_changed", greeting_name(&old), None, &[("new_email", &new_email)]);
    ctx.audit("email_changed", meta, Some(&user.id), None, json!({})).await;
    Ok(Some(User { email: new_email, email_verified: true, ..user }))
}
