//! Token introspection (RFC 7662) for resource servers: confidential clients ask whether
//! a token is active. Anything invalid, expired, revoked or unknown is just
//! `{"active": false}`.

use serde_json::{Value, json};

use crate::crypto;
use crate::state::Ctx;

use super::access_token;
use super::clients::Client;
use super::error::OAuthError;
use super::params::Params;

pub async fn introspect(ctx: &Ctx, client: &Client, params: &Params) -> Result<Value, OAuthError> {
    if client.is_public() {
        return Err(OAuthError::invalid_client("introspection needs a confidential client"));
    }
    let token = params.require("token")?;
    params.get("token_type_hint")?;
    if let Ok(claims) = access_token::verify(ctx, token) {
        if !access_token::is_live(ctx, &claims).await? {
            return Ok(inactive());
        }
        let mut body = json!({
            "active": true,
            "token_type": super::grants::token_type(claims.cnf.as_ref().map(|c| c.jkt.as_str())),
            "scope": claims.scope,
            "client_id": claims.client_id,
            "sub": claims.sub,
            "aud": claims.aud,
            "iss": claims.iss,
            "exp": claims.exp,
            "iat": claims.iat,
            "jti": claims.jti,
        });
        if let Some(map) = body.as_object_mut() {
            if let Some(auth_time) = claims.auth_time {
                map.insert("auth_time".into(), json!(auth_time));
                map.insert("acr".into(), json!(claims.acr));
            }
            // RFC 9449 §6.2: the key a DPoP-bound token is bound to.
            if let Some(cnf) = &claims.cnf {
                map.insert("cnf".into(), json!({ "jkt": cnf.jkt }));
            }
        }
        return Ok(body);
    }
    let now = ctx.now();
    if let Some(found) = ctx.store.refresh_token_with_grant(&crypto::token_key(token)).await? {
        let grant = found.grant;
        // A client sees only its own refresh tokens.
        let live = grant.client_id == client.id
            && grant.revoked_at.is_none()
            && found.rotated_at.is_none()
            && !found.user.disabled
            && found.token.expires_at > now
            && grant.expires_at > now;
        if live {
            return Ok(json!({
                "active": true,
                "token_type": "refresh_token",
                "scope": grant.scope,
                "client_id": grant.client_id,
                "sub": grant.user_id,
                "iss": ctx.config.issuer(),
                "exp": found.token.expires_at,
                "iat": found.token.created_at,
            }));
        }
    }
    Ok(inactive())
}

fn inactive() -> Value {
    json!({ "active": false })
}
