//! Redeeming a device code (RFC 8628 §3.4–3.5): `authorization_pending` while the
//! person has not decided, `slow_down` to a device that polls faster than its interval,
//! `access_denied`, `expired_token`, and tokens once after an approval. The grant does
//! not end with the approving browser's session: the device is a device of its own.

use crate::crypto;
use crate::state::Ctx;

use super::SignIn;
use super::super::clients::GrantType;
use super::super::device::INTERVAL;
use super::super::error::{ErrorCode, OAuthError};
use super::super::scopes::Scopes;
use super::super::token::{TokenRequest, TokenResponse};

pub async fn exchange(ctx: &Ctx, request: &TokenRequest<'_>) -> Result<TokenResponse, OAuthError> {
    let client = request.client;
    if !client.allows(GrantType::DeviceCode) {
        return Err(OAuthError::unauthorized_client("this client may not use the device authorization grant"));
    }
    let hash = crypto::token_hash(request.params.require("device_code")?);
    let now = ctx.now();
    let Some(record) = ctx.store.poll_device_code(&hash, now).await? else {
        return Err(OAuthError::invalid_grant("the device code is unknown or was already used"));
    };
    if record.client_id != client.id {
        return Err(OAuthError::invalid_grant("the device code belongs to another client"));
    }
    if now >= record.expires_at {
        return Err(OAuthError::new(ErrorCode::ExpiredToken, "the device code has expired; start again"));
    }
    match record.status.as_str() {
        "denied" => return Err(OAuthError::new(ErrorCode::AccessDenied, "the user denied the request")),
        "approved" => {}
        _ => {
            if record.last_polled_at.is_some_and(|at| now - at < record.interval) {
                ctx.store.slow_device_down(&hash, INTERVAL).await?;
                return Err(OAuthError::new(ErrorCode::SlowDown, format!("poll at most every {} seconds", record.interval + INTERVAL)));
            }
            return Err(OAuthError::new(ErrorCode::AuthorizationPending, "the user has not decided yet"));
        }
    }
    let user_id = record.user_id.clone().ok_or_else(|| OAuthError::server_error("approved without a user"))?;
    let user = super::active_user(ctx, &user_id).await?;
    let scopes = Scopes::parse(&record.scope).ok_or_else(|| OAuthError::server_error("stored scope does not parse"))?;
    let scopes = super::scopes_for(&user, scopes);
    // Before the device code is used up: a bad `resource` must not cost it.
    super::super::audience::target(&ctx.config, request.params, &scopes)?;
    let scope = scopes.to_string();
    let (acr, amr) = (record.acr.clone().unwrap_or_default(), record.amr.clone().unwrap_or_default());
    let sign_in = SignIn { user_id: &user_id, sid: None, scope: &scope, auth_time: record.auth_time.unwrap_or(now), acr: &acr, amr: &amr };
    let (grant, refresh_token, refresh_record) = super::new_grant(ctx, request, sign_in, true, super::family_expiry(ctx, client, now));
    if !ctx.store.redeem_device_code(&hash, &grant, refresh_record.as_ref()).await? {
        return Err(OAuthError::invalid_grant("the device code was already used"));
    }
    super::user_tokens(ctx, request, &user, &grant, &scopes, refresh_token, &super::authentication(&grant))
}
