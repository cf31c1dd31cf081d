//! Second factors as the account owner turns them on and off: the emailed code (F22;
//! turning it on takes the password and then a code sent to the address, proving codes
//! arrive) and authenticator apps (F23; the password and a first code from the app).
//! Every change takes the password and is told to the owner by email.

use serde_json::json;

use crate::audit::RequestMeta;
use crate::auth::email_code::{self, Checked, Purpose, Sent};
use crate::auth::totp::{self, Enrolment, TotpError};
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

impl From<TotpError> for AccountError {
    fn from(e: TotpError) -> Self {
        match e {
            TotpError::Hash(e) => e.into(),
            other => AccountError::Internal(other.to_string()),
        }
    }
}

/// The authenticator secret to scan; the app shows the brand's name.
pub async fn totp_enrolment(ctx: &Ctx, user: &User, brand: &str) -> Result<Enrolment, AccountError> {
    Ok(totp::enrolment(ctx, user, &ctx.brands.get(Some(brand)).name).await?)
}

/// The password and a first code from the app finish the enrolment; returns the
/// recovery codes, to show once.
pub async fn confirm_totp(ctx: &Ctx, user: &User, password: &str, code: &str, brand: &str, meta: &RequestMeta) -> Result<Vec<String>, AccountError> {
    confirm_password(ctx, user, password).await?;
    if !totp::check(ctx, user, code).await? {
        return Err(AccountError::field("code", "totp-wrong"));
    }
    let codes = totp::new_recovery_codes(ctx, user).await?;
    notify(ctx, user, brand, "two_factor_enabled", &[]);
    ctx.audit("two_factor_enabled", meta, Some(&user.id), None, json!({ "method": "totp" })).await;
    Ok(codes)
}

pub async fn new_recovery_codes(ctx: &Ctx, user: &User, password: &str, meta: &RequestMeta) -> Result<Vec<String>, AccountError> {
    confirm_password(ctx, user, password).await?;
    let codes = totp::new_recovery_codes(ctx, user).await?;
    ctx.audit("recovery_codes_replaced", meta, Some(&user.id), None, json!({})).await;
    Ok(codes)
}

pub async fn remove_totp(ctx: &Ctx, user: &User, password: &str, brand: &str, meta: &RequestMeta) -> Result<(), AccountError> {
    confirm_password(ctx, user, password).await?;
    totp::remove(ctx, user).await?;
    notify(ctx, user, brand, "two_factor_disabled", &[]);
    ctx.audit("two_factor_disabled", meta, Some(&user.id), None, json!({ "method": "totp" })).await;
    Ok(())
}
