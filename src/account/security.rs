//! Second factors as the account owner turns them on and off: the emailed code (F22;
//! turning it on takes the password and then a code sent to the address, proving codes
//! arrive) and authenticator apps (F23; the password and a first code from the app).
//! Every change takes the password and is told to the owner by email.

use serde_json::json;

use crate::audit::RequestMeta;
use crate::auth::otp::{self, Checked, Purpose, Sent};
use crate::auth::totp::{self, Enrolment, TotpError};
use crate::state::Ctx;
use crate::store::User;

use super::profile::confirm_password;
use super::recovery::notify;
use super::AccountError;

/// Step one of turning it on: the password, then a code goes out.
pub async fn start_enabling(ctx: &Ctx, user: &User, password: &str, brand: &str, lang: &str) -> Result<Sent, AccountError> {
    confirm_password(ctx, user, password).await?;
    Ok(otp::send(ctx, user, Purpose::Enable, brand, lang).await?)
}

pub async fn resend_enabling_code(ctx: &Ctx, user: &User, brand: &str, lang: &str) -> Result<Sent, AccountError> {
    Ok(otp::send(ctx, user, Purpose::Enable, brand, lang).await?)
}

/// Step two: the code from the email turns it on.
pub async fn finish_enabling(ctx: &Ctx, user: &User, code: &str, brand: &str, meta: &RequestMeta) -> Result<Checked, AccountError> {
    let checked = otp::check(ctx, user, Purpose::Enable, code).await?;
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

/// Sends a code to the user's mobile number to prove it is theirs.
pub async fn send_phone_code(ctx: &Ctx, user: &User, brand: &str, lang: &str) -> Result<Option<Sent>, AccountError> {
    if user.phone_number.is_none() {
        return Ok(None);
    }
    Ok(Some(otp::send(ctx, user, Purpose::VerifyPhone, brand, lang).await?))
}

pub enum PhoneVerification {
    Verified,
    Code(Checked),
    /// Another account already signs in with this number.
    Taken,
}

/// The code from the text message verifies the number; from then on it signs in too.
pub async fn verify_phone(ctx: &Ctx, user: &User, code: &str, meta: &RequestMeta) -> Result<PhoneVerification, AccountError> {
    let Some(number) = user.phone_number.as_deref() else { return Ok(PhoneVerification::Code(Checked::Unusable)) };
    // The code first: whether a number belongs to another account is told only to the
    // person who holds that phone.
    let checked = otp::check(ctx, user, Purpose::VerifyPhone, code).await?;
    if checked != Checked::Accepted {
        return Ok(PhoneVerification::Code(checked));
    }
    if ctx.store.user_by_verified_phone(number).await?.is_some_and(|other| other.id != user.id) {
        return Ok(PhoneVerification::Taken);
    }
    if !ctx.store.verify_phone(&user.id, number, ctx.now()).await? {
        // The number changed while the code was on its way.
        return Ok(PhoneVerification::Code(Checked::Unusable));
    }
    ctx.audit("phone_verified", meta, Some(&user.id), None, json!({})).await;
    Ok(PhoneVerification::Verified)
}

/// Where sign-in codes go: `email`, or `sms` to the verified mobile number.
pub async fn set_code_channel(ctx: &Ctx, user: &User, channel: &str, meta: &RequestMeta) -> Result<(), AccountError> {
    let by_text_possible = user.phone_number_verified && user.phone_number.is_some();
    match channel {
        "email" => {}
        "sms" if by_text_possible => {}
        "sms" => return Err(AccountError::field("channel", "phone-none")),
        _ => return Err(AccountError::field("channel", "field-required")),
    }
    if user.login_code_channel != channel {
        ctx.store.set_login_code_channel(&user.id, channel, ctx.now()).await?;
        ctx.audit("login_code_channel_changed", meta, Some(&user.id), None, json!({ "before": user.login_code_channel, "after": channel })).await;
    }
    Ok(())
}
