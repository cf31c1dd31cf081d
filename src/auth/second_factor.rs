//! Sign-ins that passed the password and wait for a second factor. The browser holds
//! only a random id (in a short-lived cookie); the state is a single-use row.

use crate::auth::acr;
use crate::auth::otp::{self, Purpose, Sent};
use crate::crypto;
use crate::protocol::clients::Client;
use crate::state::Ctx;
use crate::store::{PendingLoginRecord, StoreError, User};

/// Which second factor a sign-in of the user asks for: the authenticator app when one is
/// set up, else the emailed code when it is on or when the policy requires a second
/// factor for the client (or its brand) the user is signing in to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Factor {
    Totp,
    EmailCode,
}

pub async fn required(ctx: &Ctx, user: &User, client: Option<&Client>) -> Result<Option<Factor>, StoreError> {
    let totp = ctx.store.totp(&user.id).await?.is_some_and(|t| t.confirmed);
    Ok(required_given(ctx, user, totp, client))
}

/// [`required`], when whether the user has a confirmed authenticator app is known.
pub fn required_given(ctx: &Ctx, user: &User, totp_confirmed: bool, client: Option<&Client>) -> Option<Factor> {
    if totp_confirmed {
        return Some(Factor::Totp);
    }
    let by_policy = client.is_some_and(|c| policy_requires(ctx, c));
    (user.email_otp_enabled || by_policy).then_some(Factor::EmailCode)
}

/// Whether the policy asks every sign-in to `client` for a second factor.
pub fn policy_requires(ctx: &Ctx, client: &Client) -> bool {
    ctx.policy().second_factor.required_for(&client.id, &client.brand)
}

/// Where this user's sign-in codes go: by text when they chose it and their mobile
/// number is verified, else by email.
pub fn code_purpose(user: &User) -> Purpose {
    let text = user.login_code_channel == "sms" && user.phone_number_verified && user.phone_number.is_some();
    if text { Purpose::SignInByText } else { Purpose::SignIn }
}

/// Sends a sign-in code by `purpose`: by text only to a user who chose it (nobody can
/// push an email user onto the weaker channel), by email always. One code a minute
/// across both channels; the newest code is the one asked for.
pub async fn send_code(ctx: &Ctx, user: &User, purpose: Purpose, brand: &str, lang: &str) -> Result<(Purpose, Sent), StoreError> {
    let purpose = if purpose == Purpose::SignInByText && code_purpose(user) != Purpose::SignInByText { Purpose::SignIn } else { purpose };
    let now = ctx.now();
    if let Some(live) = live_code(ctx, user).await?
        && live != purpose
        && ctx.store.otp_code_sent_at(&user.id, live.as_str(), now).await?.is_some_and(|at| now - at < otp::RESEND_AFTER)
    {
        return Ok((live, Sent::TooSoon));
    }
    Ok((purpose, otp::send(ctx, user, purpose, brand, lang).await?))
}

/// The sign-in code the person has (the newest sent), if any.
pub async fn live_code(ctx: &Ctx, user: &User) -> Result<Option<Purpose>, StoreError> {
    otp::latest(ctx, user, &[Purpose::SignIn, Purpose::SignInByText]).await
}

/// The RFC 8176 method a sign-in code stands for.
pub fn code_amr(purpose: Purpose) -> &'static str {
    if purpose == Purpose::SignInByText { acr::AMR_SMS } else { acr::AMR_OTP }
}

/// How long the second step may take.
pub const LIFETIME: i64 = 600;

/// Records the first factor's success; returns the cookie value.
pub async fn begin(ctx: &Ctx, user: &User, amr: &[&str], request: Option<&str>, next: Option<&str>) -> Result<String, StoreError> {
    let handle = crypto::random_token();
    let now = ctx.now();
    ctx.store
        .insert_pending_login(&PendingLoginRecord {
            id_hash: crypto::token_hash(&handle),
            user_id: user.id.clone(),
            amr: amr.join(" "),
            request: request.map(str::to_string),
            next: next.map(str::to_string),
            created_at: now,
            expires_at: now + LIFETIME,
        })
        .await?;
    Ok(handle)
}

/// The pending sign-in and its (still active) user.
pub async fn find(ctx: &Ctx, handle: &str) -> Result<Option<(PendingLoginRecord, User)>, StoreError> {
    let Some(pending) = ctx.store.pending_login(&crypto::token_hash(handle), ctx.now()).await? else { return Ok(None) };
    let user = ctx.store.user_by_id(&pending.user_id).await?.filter(|u| !u.disabled);
    Ok(user.map(|u| (pending, u)))
}

/// Ends the pending sign-in; `None` if another request finished it first.
pub async fn finish(ctx: &Ctx, handle: &str) -> Result<Option<PendingLoginRecord>, StoreError> {
    ctx.store.take_pending_login(&crypto::token_hash(handle), ctx.now()).await
}
