//! Setting the app's PIN (F30). The app calls with the access token of its sign-in and
//! its current refresh token, which must belong to the same grant: the PIN then guards
//! that refresh family. Replacing an existing PIN needs the current one (counted like
//! any attempt) or a password sign-in from the last few minutes.

use serde::Serialize;

use crate::audit::RequestMeta;
use crate::auth::pin::{self, PinCheck, PinError};
use crate::auth::session::RECENT;
use crate::crypto;
use crate::state::Ctx;

use super::error::OAuthError;
use super::params::Params;
use super::resource::{self, Presented};

/// The policy the app should enforce as the person types, and whether this sign-in
/// has a PIN.
#[derive(Debug, Serialize)]
pub struct PinStatus {
    pub pin_set: bool,
    pub min_length: usize,
    pub max_length: usize,
    pub max_attempts: i32,
    /// Seconds after an unlock during which the refresh token works without the PIN.
    pub unlock_ttl: i64,
}

/// Why setting the PIN failed.
#[derive(Debug)]
pub enum SetupError {
    /// The access token (RFC 6750/9449 error).
    Token(OAuthError),
    /// The request: field and what is wrong with it.
    Invalid(&'static str, String),
    /// A PIN exists and neither the current PIN nor a recent sign-in was shown.
    Reauthenticate,
    /// The current PIN was wrong: this many attempts remain (0: the sign-in is revoked).
    WrongCurrentPin(i32),
    Busy,
    Internal(String),
}

impl From<OAuthError> for SetupError {
    fn from(e: OAuthError) -> Self {
        SetupError::Token(e)
    }
}

impl From<PinError> for SetupError {
    fn from(e: PinError) -> Self {
        match e {
            PinError::Hash(crate::auth::password::HashError::Busy) => SetupError::Busy,
            other => SetupError::Internal(other.to_string()),
        }
    }
}

impl From<crate::store::StoreError> for SetupError {
    fn from(e: crate::store::StoreError) -> Self {
        SetupError::Internal(e.to_string())
    }
}

pub async fn status(ctx: &Ctx, presented: &Presented<'_>) -> Result<PinStatus, SetupError> {
    let claims = resource::authenticate(ctx, presented).await?;
    let grant_id = claims.gid.ok_or_else(|| OAuthError::invalid_token("this access token does not belong to a user's sign-in"))?;
    Ok(status_of(ctx, ctx.store.has_pin(&grant_id).await?))
}

fn status_of(ctx: &Ctx, pin_set: bool) -> PinStatus {
    let config = ctx.policy();
    let p = &config.pin;
    PinStatus { pin_set, min_length: p.min_length, max_length: p.max_length, max_attempts: p.max_attempts, unlock_ttl: p.unlock_ttl }
}

pub async fn set(ctx: &Ctx, presented: &Presented<'_>, params: &Params, meta: &RequestMeta) -> Result<PinStatus, SetupError> {
    let claims = resource::authenticate(ctx, presented).await?;
    let grant_id = claims.gid.ok_or_else(|| OAuthError::invalid_token("this access token does not belong to a user's sign-in"))?;
    let field = |name: &'static str| params.get(name).map_err(|_| SetupError::Invalid(name, format!("{name} must not be repeated")));
    let refresh_token = field("refresh_token")?.ok_or(SetupError::Invalid("refresh_token", "the app's current refresh token is required".into()))?;
    let new_pin = field("pin")?.ok_or(SetupError::Invalid("pin", "the new PIN is required".into()))?;
    let now = ctx.now();
    let family = ctx.store.refresh_token_with_grant(&crypto::token_key(refresh_token)).await?;
    let grant = match family {
        Some(f) if f.grant.id == grant_id && f.grant.revoked_at.is_none() && f.token.expires_at > now && f.grant.expires_at > now => f.grant,
        _ => return Err(SetupError::Invalid("refresh_token", "the refresh token is not the live refresh token of this access token's sign-in".into())),
    };
    let config = ctx.policy();
    pin::check_policy(new_pin, &config.pin).map_err(|problem| SetupError::Invalid("pin", problem.message(&config.pin)))?;
    if ctx.store.has_pin(&grant.id).await? {
        match field("current_pin")? {
            Some(current) => match pin::verify(ctx, &grant, current, meta).await? {
                PinCheck::Right | PinCheck::NoPin => {}
                PinCheck::Wrong { attempts_left } => return Err(SetupError::WrongCurrentPin(attempts_left)),
                PinCheck::Locked => return Err(SetupError::WrongCurrentPin(0)),
            },
            None if now - grant.auth_time <= RECENT => {}
            None => return Err(SetupError::Reauthenticate),
        }
    }
    pin::set(ctx, &grant, new_pin, meta).await?;
    Ok(status_of(ctx, true))
}
