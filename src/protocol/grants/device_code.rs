//! Redeeming a device code (RFC 8628 §3.4–3.5): `authorization_pending` while the
//! person has not decided, `slow_down` to a device that polls faster than its interval,
//! `access_denied`, `expired_token`, and tokens once after an approval. The grant does
//! not end with the approving browser's session: the device is a device of its own.

use crate::crypto;
use crate::state::Ctx;
use crate::store::{GrantRecord, RefreshTokenRecord};

use super::super::clients::{Client, GrantType};
use super::super::device::INTERVAL;
use super::super::error::{ErrorCode, OAuthError};
use super::super::params::Params;
use super::super::scopes::Scopes;
use super::super::token::TokenResponse;

pub async fn exchange(ctx: &Ctx, client: &Client, params: &Params) -> Result<TokenResponse, OAuthError> {
    if !client.allows(GrantType::DeviceCode) {
        return Err(OAuthError::unauthorized_client("this client may not use the device authorization grant"));
    }
    let hash = crypto::token_hash(params.require("device_code")?);
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
    let expires_at = now + ctx.config.tokens.refresh_token_max_ttl;
    let grant = GrantRecord {
        id: crypto::random_token(),
        user_id,
        client_id: client.id.clone(),
        sid: None,
        scope: record.scope.clone(),
        auth_time: record.auth_time.unwrap_or(now),
        acr: record.acr.clone().unwrap_or_default(),
        amr: record.amr.clone().unwrap_or_default(),
        offline: true,
        created_at: now,
        expires_at,
        revoked_at: None,
        revoked_reason: None,
    };
    let refresh_token = client.allows(GrantType::RefreshToken).then(crypto::random_token);
    let refresh_record = refresh_token.as_deref().map(|token| RefreshTokenRecord {
        token_hash: crypto::token_hash(token),
        grant_id: grant.id.clone(),
        created_at: now,
        expires_at: (now + ctx.config.tokens.refresh_token_idle_ttl).min(expires_at),
        parent_hash: None,
    });
    if !ctx.store.redeem_device_code(&hash, &grant, refresh_record.as_ref()).await? {
        return Err(OAuthError::invalid_grant("the device code was already used"));
    }
    super::user_tokens(ctx, client, &user, &grant, &scopes, None, refresh_token)
}
