//! The app's PIN grant (F30), `urn:oneid:params:oauth:grant-type:pin`: opening the app,
//! it sends its refresh token and the PIN the person typed, and gets fresh tokens (the
//! refresh token rotates as with the refresh grant). A wrong PIN answers `invalid_grant`
//! with `pin_attempts_left`; the last allowed wrong one revokes the family and answers
//! `pin_attempts_left: 0`, so the app knows to sign in with the password again.

use crate::auth::acr;
use crate::auth::pin::{self, PinCheck, PinError};
use crate::state::Ctx;

use super::super::error::OAuthError;
use super::super::id_token::Authentication;
use super::super::scopes::Scopes;
use super::super::token::{TokenRequest, TokenResponse};

pub async fn exchange(ctx: &Ctx, request: &TokenRequest<'_>) -> Result<TokenResponse, OAuthError> {
    let presented_pin = request.params.require("pin")?;
    let (old_hash, found) = super::refresh_token::family(ctx, request).await?;
    let grant = &found.grant;
    let check = pin::verify(ctx, grant, presented_pin, request.meta).await.map_err(|e| match e {
        PinError::Hash(crate::auth::password::HashError::Busy) => OAuthError::busy(),
        other => OAuthError::server_error(other),
    })?;
    match check {
        PinCheck::Right => {}
        PinCheck::NoPin => return Err(OAuthError::invalid_grant("no PIN is set for this sign-in")),
        PinCheck::Wrong { attempts_left } => {
            return Err(OAuthError::invalid_grant(format!("wrong PIN; {attempts_left} attempts left")).with("pin_attempts_left", attempts_left));
        }
        PinCheck::Locked => {
            return Err(OAuthError::invalid_grant("too many wrong PINs: this app is signed out; sign in with your password and set a new PIN").with("pin_attempts_left", 0));
        }
    }
    let scopes = Scopes::parse(&grant.scope).ok_or_else(|| OAuthError::server_error("stored scope does not parse"))?;
    // The person just proved the PIN; with a DPoP-bound family also the app's key.
    let (level, amr) = if grant.dpop_jkt.is_some() {
        (acr::TWO_FACTOR, [acr::AMR_PIN, acr::AMR_PROOF_OF_POSSESSION, acr::AMR_MFA].join(" "))
    } else {
        (acr::SINGLE_FACTOR, acr::AMR_PIN.to_string())
    };
    let authn = Authentication { auth_time: ctx.now(), acr: level, amr: &amr, sid: grant.sid.as_deref(), nonce: None };
    super::refresh_token::rotate(ctx, request, old_hash, &found, &scopes, &authn).await
}
