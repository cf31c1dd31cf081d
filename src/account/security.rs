//! Two-factor sign-in by email (F22), as the account owner turns it on and off. Turning
//! it on takes the password and then a code sent to the address (proving codes arrive);
//! turning it off takes the password. Both are told to the owner by email.

use serde_json::json;

use crate::audit::RequestMeta;
use crate::auth::email_code::{self, Checked, Purpose, Sent};
use crate::state::Ctx;
use crate::store::User;

use super::profile::confirm_password;
use super::recovery::notify;
use super::AccountError;

/// Step one of turning it on: the password, then a code goes out.
pub async fn start_enabling(ctx: &Ctx, user: &User, password: &str, brand: &str, lang: &str) -> Result<Sent, AccountError> {
    confirm_password(ctx, user, password).await?;
    Ok(email_code::send(ctx, user, Purpose::Enable, brand, lang).await?)
}

pub async fn resend_enabling_code(ctx: &Ctx, user: &User, brand: &str, lang: &str) -> Result<Sent, AccountError> {
    Ok(email_code::send(ctx, user, Purpose::Enable, brand, lang).await?)
}

/// Step two: the code from the email turns it on.
pub async fn finish_enabling(ctx: &Ctx, user: &User, code: &str, brand: &str, meta: &RequestMeta) -> Result<Checked, AccountError> {
    let checked = email_code::check(ctx, user, Purpose::Enable, code).await?;
    if checked == Checked::Accepted {
        ctx.store.set_email_otp(&user.id, true, ctx.now()).await?;
        notify(ctx, user, brand, "two_factor_enabled", &[]);
        ctx.audit("two_factor_enabled", meta, Some(&user.id), None, json!({ "method": "email" })).await;
    }
    Ok(checked)
}

pub async fn disable(ctx: &Ctx, user: &User, password: &str, brand: &str, meta: &RequestMeta) -> Result<(), AccountError> {
    confirm_password(ctx, user, password).await?;
    ctx.store.set_email_otp(&user.id, false, ctx.now()).await?;
    notify(ctx, user, brand, "two_factor_disabled", &[]);
    ctx.audit("two_factor_disabled", meta, Some(&user.id), None, json!({ "method": "email" })).await;
    Ok(())
}
