//! One-time codes sent by email (F22) or text message (F13): six digits, stored as a
//! keyed hash (a leaked table cannot be brute-forced offline) bound to the user, the
//! purpose and the number they went to, single use, ten minutes, five attempts, and
//! "send a new one" no more than once a minute.

use crate::crypto;
use crate::state::Ctx;
use crate::store::{CodeAttempt, StoreError, User};

/// What a code is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    SignIn,
    /// A sign-in code sent by text message to the verified mobile number.
    SignInByText,
    /// Confirms that the address receives codes before two-factor sign-in is turned on.
    Enable,
    /// Proves the user's mobile number is theirs (Phone ID).
    VerifyPhone,
    /// Links a browser to the account, by text message or by email.
    LinkDeviceByText,
    LinkDeviceByEmail,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::SignIn => "sign_in",
            Purpose::SignInByText => "sign_in_text",
            Purpose::Enable => "enable",
            Purpose::VerifyPhone => "verify_phone",
            Purpose::LinkDeviceByText => "link_device_text",
            Purpose::LinkDeviceByEmail => "link_device_email",
        }
    }
}

const LIFETIME: i64 = 600;
const MAX_ATTEMPTS: i32 = 5;
/// One code a minute (per purpose here, across both sign-in channels in `second_factor`).
pub const RESEND_AFTER: i64 = 60;

#[derive(Debug, PartialEq, Eq)]
pub enum Sent {
    Sent,
    /// A code went out less than a minute ago.
    TooSoon,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Checked {
    Accepted,
    Wrong,
    /// No live code, or its attempts are used up: ask for a new one.
    Unusable,
}

/// Sends a new code to the user's address, in `lang` and `brand`.
pub async fn send(ctx: &Ctx, user: &User, purpose: Purpose, brand: &str, lang: &str) -> Result<Sent, StoreError> {
    let now = ctx.now();
    if ctx.store.otp_code_sent_at(&user.id, purpose.as_str(), now).await?.is_some_and(|at| now - at < RESEND_AFTER) {
        return Ok(Sent::TooSoon);
    }
    let code = format!("{:06}", rand::random_range(0..1_000_000u32));
    ctx.store.put_otp_code(&user.id, purpose.as_str(), &code_hash(ctx, user, purpose, &code), now, now + LIFETIME).await?;
    match (purpose, &user.phone_number) {
        (Purpose::VerifyPhone | Purpose::LinkDeviceByText | Purpose::SignInByText, Some(number)) => {
            let brand_name = &ctx.brands.get(Some(brand)).name;
            ctx.sms.send(number, ctx.catalogs.message(lang, "sms-code", &[("brand", brand_name.clone()), ("code", code)]));
        }
        _ => crate::account::send_code(ctx, user, brand, lang, &code),
    }
    Ok(Sent::Sent)
}

/// Which of `purposes` had the newest live code sent (the one the person just got).
pub async fn latest(ctx: &Ctx, user: &User, purposes: &[Purpose]) -> Result<Option<Purpose>, StoreError> {
    let now = ctx.now();
    let mut newest: Option<(i64, Purpose)> = None;
    for &purpose in purposes {
        if let Some(at) = ctx.store.otp_code_sent_at(&user.id, purpose.as_str(), now).await?
            && newest.is_none_or(|(t, _)| at >= t) {
                newest = Some((at, purpose));
            }
    }
    Ok(newest.map(|(_, p)| p))
}

/// Checks `code`; a right one is used up.
pub async fn check(ctx: &Ctx, user: &User, purpose: Purpose, code: &str) -> Result<Checked, StoreError> {
    let code: String = code.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    let stored = match ctx.store.attempt_otp_code(&user.id, purpose.as_str(), MAX_ATTEMPTS, ctx.now()).await? {
        CodeAttempt::Check { code_hash } => code_hash,
        CodeAttempt::Unusable => return Ok(Checked::Unusable),
    };
    if !crypto::constant_time_eq(code_hash(ctx, user, purpose, &code).as_bytes(), stored.as_bytes()) {
        return Ok(Checked::Wrong);
    }
    Ok(if ctx.store.consume_otp_code(&user.id, purpose.as_str()).await? { Checked::Accepted } else { Checked::Unusable })
}

fn code_hash(ctx: &Ctx, user: &User, purpose: Purpose, code: &str) -> String {
    // Bound to where it was sent: a code for one number cannot verify another.
    let by_text = matches!(purpose, Purpose::VerifyPhone | Purpose::LinkDeviceByText | Purpose::SignInByText);
    let sent_to = if by_text { user.phone_number.as_deref().unwrap_or("") } else { user.email.as_str() };
    let message = format!("{}\n{}\n{sent_to}\n{code}", user.id, purpose.as_str());
    crypto::b64url(&crypto::hmac_sha256(&ctx.kek.derive("email-otp"), message.as_bytes()))
}
