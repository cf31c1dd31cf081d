//! The refresh token grant (RFC 6749 §6) with rotation: every use returns a new refresh
//! token; using a rotated one again revokes the whole family (RFC 9700 §4.14.2), unless
//! it comes within a few seconds of the rotation — a client's concurrent duplicate. A
//! family bound to a DPoP key needs a proof of that key (RFC 9449 §5); one with an app
//! PIN needs the PIN once its unlock has run out (see the PIN grant).

use serde_json::json;

use crate::crypto;
use crate::state::Ctx;
use crate::store::{RefreshLookup, RefreshTokenRecord, Rotation};

use super::super::clients::GrantType;
use super::super::error::{ErrorCode, OAuthError};
use super::super::id_token::Authentication;
use super::super::scopes::Scopes;
use super::super::token::{TokenRequest, TokenResponse};

const UNUSABLE: &str = "the refresh token is invalid, expired, or revoked";

pub async fn exchange(ctx: &Ctx, request: &TokenRequest<'_>) -> Result<TokenResponse, OAuthError> {
    let (old_hash, found) = family(ctx, request).await?;
    if found.pin_unlocked_until.is_some_and(|until| until <= ctx.now()) {
        return Err(OAuthError::invalid_grant("this app is locked: unlock it with the PIN").with("pin_required", true));
    }
    let granted = Scopes::parse(&found.grant.scope).ok_or_else(|| OAuthError::server_error("stored scope does not parse"))?;
    let scopes = match request.params.get("scope")? {
        None => granted,
        Some(asked) => {
            let asked = Scopes::parse(asked).filter(|s| !s.is_empty()).ok_or_else(|| OAuthError::invalid_scope("scope is malformed"))?;
            if !asked.is_subset_of(&granted) {
                return Err(OAuthError::invalid_scope("a refreshed token cannot have scopes beyond the original grant"));
            }
            asked
        }
    };
    let authn = super::authentication(&found.grant);
    rotate(ctx, request, old_hash, &found, &scopes, &authn).await
}

/// The family behind the presented refresh token, checked: it belongs to this client,
/// neither it nor its grant has ended, its user is active, and a family bound to a DPoP
/// key is used with a proof of that key. Returns the token's hash with it.
pub(super) async fn family(ctx: &Ctx, request: &TokenRequest<'_>) -> Result<(String, RefreshLookup), OAuthError> {
    let client = request.client;
    if !client.allows(GrantType::RefreshToken) {
        return Err(OAuthError::unauthorized_client("this client may not use the refresh_token grant"));
    }
    let presented = request.params.require("refresh_token")?;
    let now = ctx.now();
    let old_hash = crypto::token_key(presented);
    let Some(found) = ctx.store.refresh_token_with_grant(&old_hash).await? else {
        return Err(OAuthError::invalid_grant(UNUSABLE));
    };
    let grant = &found.grant;
    if grant.client_id != client.id || grant.revoked_at.is_some() || found.token.expires_at <= now || grant.expires_at <= now {
        return Err(OAuthError::invalid_grant(UNUSABLE));
    }
    if found.user.disabled {
        return Err(OAuthError::invalid_grant("the user account is no longer active"));
    }
    if let Some(bound) = &grant.dpop_jkt
        && request.dpop_jkt.as_ref() != Some(bound) {
            return Err(OAuthError::new(ErrorCode::InvalidDpopProof, "this refresh token is bound to a DPoP key: prove that key"));
        }
    Ok((old_hash, found))
}

/// Replaces the presented token by a new one and answers with fresh tokens; a rotated
/// token presented again after the grace window revokes the family.
pub(super) async fn rotate(ctx: &Ctx, request: &TokenRequest<'_>, old_hash: String, found: &RefreshLookup, scopes: &Scopes, authn: &Authentication<'_>) -> Result<TokenResponse, OAuthError> {
    // Before the token rotates: a bad `resource` must not cost the refresh token.
    super::super::audience::target(&ctx.config, request.params, scopes)?;
    let now = ctx.now();
    let grant = &found.grant;
    let new_token = crypto::time_ordered_token(now);
    let record = RefreshTokenRecord {
        token_hash: crypto::token_key(&new_token),
        grant_id: grant.id.clone(),
        created_at: now,
        expires_at: (now + ctx.policy().tokens.refresh_token_idle_ttl).min(grant.expires_at),
        parent_hash: Some(old_hash),
    };
    let grace_since = now - ctx.policy().tokens.refresh_reuse_grace;
    let reused = found.rotated_at.is_some_and(|at| at < grace_since);
    if reused || matches!(ctx.store.rotate_refresh_token(&record, now, grace_since).await?, Rotation::Reused) {
        if reused {
            ctx.store.revoke_grant(&grant.id, "refresh_token_reuse", now).await?;
        }
        ctx.audit("refresh_token_reuse", request.meta, Some(&grant.user_id), Some(&request.client.id), json!({ "grant_revoked": true })).await;
        return Err(OAuthError::invalid_grant(UNUSABLE));
    }
    super::user_tokens(ctx, request, &found.user, grant, scopes, Some(new_token), authn)
}
