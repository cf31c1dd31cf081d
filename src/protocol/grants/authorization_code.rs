//! Redeeming an authorization code (RFC 6749 §4.1.3, RFC 7636 §4.6). A code works once:
//! presenting it again fails and revokes the grant its first use started (RFC 6749
//! §4.1.2, RFC 9700 §4.2).

use serde_json::json;

use crate::audit::RequestMeta;
use crate::crypto;
use crate::state::Ctx;
use crate::store::{GrantRecord, Redemption, RefreshTokenRecord};

use super::super::clients::{Client, GrantType};
use super::super::error::OAuthError;
use super::super::params::Params;
use super::super::pkce;
use super::super::scopes::{OFFLINE_ACCESS, Scopes};
use super::super::token::TokenResponse;

const UNUSABLE: &str = "the authorization code is invalid, expired, or was already used";

pub async fn exchange(ctx: &Ctx, client: &Client, params: &Params, meta: &RequestMeta) -> Result<TokenResponse, OAuthError> {
    if !client.allows(GrantType::AuthorizationCode) {
        return Err(OAuthError::unauthorized_client("this client may not use the authorization_code grant"));
    }
    let code = params.require("code")?;
    let now = ctx.now();
    let code_hash = crypto::token_hash(code);
    let Some(record) = ctx.store.code_by_hash(&code_hash).await? else {
        return Err(OAuthError::invalid_grant(UNUSABLE));
    };
    if record.redeemed_at.is_some() {
        revoke_after_replay(ctx, record.grant_id.as_deref(), &record.client_id, meta).await?;
        return Err(OAuthError::invalid_grant(UNUSABLE));
    }
    if record.client_id != client.id || now >= record.expires_at {
        return Err(OAuthError::invalid_grant(UNUSABLE));
    }
    let redirect_uri = params.get("redirect_uri")?;
    let redirect_ok = match (&record.redirect_uri, redirect_uri) {
        (Some(expected), Some(given)) => expected == given,
        (Some(_), None) => false,
        (None, given) => given.is_none_or(|g| client.has_redirect_uri(g)),
    };
    if !redirect_ok {
        return Err(OAuthError::invalid_grant("redirect_uri does not match the one in the authorization request"));
    }
    if !pkce::verify(&record.code_challenge, params.get("code_verifier")?) {
        return Err(OAuthError::invalid_grant("code_verifier does not match the code_challenge"));
    }
    let user = super::active_user(ctx, &record.user_id).await?;
    let scopes = Scopes::parse(&record.scope).ok_or_else(|| OAuthError::server_error("stored scope does not parse"))?;
    let offline = scopes.contains(OFFLINE_ACCESS);
    // Without offline_access the grant lives only as long as the browser session.
    let expires_at = if offline {
        now + ctx.config.tokens.refresh_token_max_ttl
    } else {
        match ctx.store.session_by_sid(&record.sid, now).await? {
            Some(session) => session.expires_at,
            None => return Err(OAuthError::invalid_grant("the user's session has ended")),
        }
    };
    let grant = GrantRecord {
        id: crypto::random_token(),
        user_id: record.user_id.clone(),
        client_id: client.id.clone(),
        sid: Some(record.sid.clone()),
        scope: record.scope.clone(),
        auth_time: record.auth_time,
        acr: record.acr.clone(),
        amr: record.amr.clone(),
        offline,
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
    match ctx.store.redeem_code(&code_hash, now, &grant, refresh_record.as_ref()).await? {
        Redemption::Redeemed => {}
        Redemption::Replayed { grant_id } => {
            revoke_after_replay(ctx, grant_id.as_deref(), &record.client_id, meta).await?;
            return Err(OAuthError::invalid_grant(UNUSABLE));
        }
    }
    if refresh_token.is_some() {
        metrics::counter!("oneid_tokens_issued_total", "type" => "refresh_token").increment(1);
    }
    super::user_tokens(ctx, client, &user, &grant, &scopes, record.nonce.as_deref(), refresh_token)
}

async fn revoke_after_replay(ctx: &Ctx, grant_id: Option<&str>, client_id: &str, meta: &RequestMeta) -> Result<(), OAuthError> {
    let Some(grant_id) = grant_id else { return Ok(()) };
    if ctx.store.revoke_grant(grant_id, "authorization_code_replay", ctx.now()).await? {
        let user = ctx.store.grant_by_id(grant_id).await?.map(|g| g.user_id);
        ctx.audit("authorization_code_replay", meta, user.as_deref(), Some(client_id), json!({ "grant_revoked": true })).await;
    }
    Ok(())
}
