//! Token revocation (RFC 7009). Revoking a refresh token revokes its grant, and with it
//! the grant's access tokens; revoking an access token denies its `jti` until it would
//! have expired. Unknown and already invalid tokens are not an error (§2.2).

use std::sync::Arc;

use serde_json::json;

use crate::audit::RequestMeta;
use crate::crypto;
use crate::state::Ctx;

use super::access_token;
use super::clients::Client;
use super::error::OAuthError;
use super::params::Params;

pub async fn revoke(ctx: &Ctx, client: &Arc<Client>, params: &Params, meta: &RequestMeta) -> Result<(), OAuthError> {
    let token = params.require("token")?;
    // The hint only speeds up the search (§2.1); both kinds are always tried.
    params.get("token_type_hint")?;
    let not_yours = || OAuthError::invalid_request("the token was not issued to this client");
    if let Some(found) = ctx.store.refresh_token_with_grant(&crypto::token_key(token)).await? {
        if found.grant.client_id != client.id {
            return Err(not_yours());
        }
        if ctx.store.revoke_grant(&found.grant.id, "revoked_by_client", ctx.now()).await? {
            ctx.audit("grant_revoked", meta, Some(&found.grant.user_id), Some(&client.id), json!({ "by": "refresh_token" })).await;
        }
        return Ok(());
    }
    if let Ok(claims) = access_token::verify(ctx, token) {
        if claims.client_id != client.id {
            return Err(not_yours());
        }
        ctx.store.deny_access_token(&claims.jti, claims.exp, ctx.now()).await?;
        ctx.audit("access_token_revoked", meta, claims.gid.is_some().then_some(claims.sub.as_str()), Some(&client.id), json!({})).await;
    }
    Ok(())
}
