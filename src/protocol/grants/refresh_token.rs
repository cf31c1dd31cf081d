//! The refresh token grant (RFC 6749 §6) with rotation: every use returns a new refresh
//! token; using a rotated one again revokes the whole family (RFC 9700 §4.14.2), unless
//! it comes within a few seconds of the rotation — a client's concurrent duplicate.

use serde_json::json;

use crate::audit::RequestMeta;
use crate::crypto;
use crate::state::Ctx;
use crate::store::{RefreshTokenRecord, Rotation};

use super::super::clients::{Client, GrantType};
use super::super::error::OAuthError;
use super::super::params::Params;
use super::super::scopes::Scopes;
use super::super::token::TokenResponse;

const UNUSABLE: &str = "the refresh token is invalid, expired, or revoked";

pub async fn exchange(ctx: &Ctx, client: &Client, params: &Params, meta: &RequestMeta) -> Result<TokenResponse, OAuthError> {
    if !client.allows(GrantType::RefreshToken) {
        return Err(OAuthError::unauthorized_client("this client may not use the refresh_token grant"));
    }
    let presented = params.require("refresh_token")?;
    let now = ctx.now();
    let old_hash = crypto::token_hash(presented);
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
    let granted = Scopes::parse(&grant.scope).ok_or_else(|| OAuthError::server_error("stored scope does not parse"))?;
    let scopes = match params.get("scope")? {
        None => granted,
        Some(asked) => {
            let asked = Scopes::parse(asked).filter(|s| !s.is_empty()).ok_or_else(|| OAuthError::invalid_scope("scope is malformed"))?;
            if !asked.is_subset_of(&granted) {
                return Err(OAuthError::invalid_scope("a refreshed token cannot have scopes beyond the original grant"));
            }
            asked
        }
    };
    let new_token = crypto::random_token();
    let record = RefreshTokenRecord {
        token_hash: crypto::token_hash(&new_token),
        grant_id: grant.id.clone(),
        created_at: now,
        expires_at: (now + ctx.config.tokens.refresh_token_idle_ttl).min(grant.expires_at),
        parent_hash: Some(old_hash),
    };
    let grace_since = now - ctx.config.tokens.refresh_reuse_grace;
    let reused = found.rotated_at.is_some_and(|at| at < grace_since);
    if reused || matches!(ctx.store.rotate_refresh_token(&record, now, grace_since).await?, Rotation::Reused) {
        if reused {
            ctx.store.revoke_grant(&grant.id, "refresh_token_reuse", now).await?;
        }
        ctx.audit("refresh_token_reuse", meta, Some(&grant.user_id), Some(&client.id), json!({ "grant_revoked": true })).await;
        return Err(OAuthError::invalid_grant(UNUSABLE));
    }
    metrics::counter!("oneid_tokens_issued_total", "type" => "refresh_token").increment(1);
    super::user_tokens(ctx, client, &found.user, grant, &scopes, None, Some(new_token))
}
