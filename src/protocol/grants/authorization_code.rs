//! Redeeming an authorization code (RFC 6749 §4.1.3, RFC 7636 §4.6). A code works once:
//! presenting it again fails and revokes the grant its first use started (RFC 6749
//! §4.1.2, RFC 9700 §4.2).

use serde_json::json;

use crate::audit::RequestMeta;
use crate::crypto;
use crate::state::Ctx;
use crate::store::Redemption;

use super::SignIn;
use super::super::id_token::Authentication;
use super::super::clients::GrantType;
use super::super::error::OAuthError;
use super::super::pkce;
use super::super::scopes::{OFFLINE_ACCESS, Scopes};
use super::super::token::{TokenRequest, TokenResponse};

const UNUSABLE: &str = "the authorization code is invalid, expired, or was already used";

pub async fn exchange(ctx: &Ctx, request: &TokenRequest<'_>) -> Result<TokenResponse, OAuthError> {
    let (client, params, meta) = (request.client, request.params, request.meta);
    if !client.allows(GrantType::AuthorizationCode) {
        return Err(OAuthError::unauthorized_client("this client may not use the authorization_code grant"));
    }
    let code = params.require("code")?;
    let now = ctx.now();
    let code_hash = crypto::token_hash(code);
    let Some((record, user)) = ctx.store.code_with_user(&code_hash).await? else {
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
    // RFC 9449 §10: a code bound to a DPoP key is redeemed only with a proof of that key.
    if let Some(bound) = &record.dpop_jkt
        && request.dpop_jkt.as_ref() != Some(bound) {
            return Err(OAuthError::invalid_grant("the authorization code is bound to another DPoP key"));
        }
    if user.disabled {
        return Err(super::inactive_user());
    }
    let scopes = Scopes::parse(&record.scope).ok_or_else(|| OAuthError::server_error("stored scope does not parse"))?;
    let scopes = super::scopes_for(&user, scopes);
    // Before the code is used up: a bad `resource` must not cost the code.
    super::super::audience::target(&ctx.config, request.params, &scopes)?;
    let scope = scopes.to_string();
    let offline = scopes.contains(OFFLINE_ACCESS);
    // Without offline_access the grant lives only as long as the browser session.
    let expires_at = if offline {
        super::family_expiry(ctx, request.client, now)
    } else {
        match ctx.store.session_by_sid(&record.sid, now).await? {
            Some(session) => session.expires_at,
            None => return Err(OAuthError::invalid_grant("the user's session has ended")),
        }
    };
    let sign_in = SignIn { user_id: &record.user_id, sid: Some(&record.sid), scope: &scope, auth_time: record.auth_time, acr: &record.acr, amr: &record.amr };
    let (grant, refresh_token, refresh_record) = super::new_grant(ctx, request, sign_in, offline, expires_at);
    match ctx.store.redeem_code(&code_hash, now, &grant, refresh_record.as_ref()).await? {
        Redemption::Redeemed => {}
        Redemption::Replayed { grant_id } => {
            revoke_after_replay(ctx, grant_id.as_deref(), &record.client_id, meta).await?;
            return Err(OAuthError::invalid_grant(UNUSABLE));
        }
    }
    let authn = Authentication { nonce: record.nonce.as_deref(), ..super::authentication(&grant) };
    super::user_tokens(ctx, request, &user, &grant, &scopes, refresh_token, &authn)
}

async fn revoke_after_replay(ctx: &Ctx, grant_id: Option<&str>, client_id: &str, meta: &RequestMeta) -> Result<(), OAuthError> {
    let Some(grant_id) = grant_id else { return Ok(()) };
    if ctx.store.revoke_grant(grant_id, "authorization_code_replay", ctx.now()).await? {
        let user = ctx.store.grant_by_id(grant_id).await?.map(|g| g.user_id);
        ctx.audit("authorization_code_replay", meta, user.as_deref(), Some(client_id), json!({ "grant_revoked": true })).await;
    }
    Ok(())
}
