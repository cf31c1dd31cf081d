//! The UserInfo endpoint (OIDC Core §5.3): claims about the user an access token was
//! issued for, limited to the scopes it carries. Bearer and DPoP-bound tokens alike
//! (see `resource`).

use serde_json::{Map, Value};

use crate::state::Ctx;

use super::claims;
use super::error::{ErrorCode, OAuthError};
use super::resource::{self, Presented};
use super::scopes::{OPENID, Scopes};

pub async fn claims_for(ctx: &Ctx, presented: &Presented<'_>) -> Result<Map<String, Value>, OAuthError> {
    let claims = resource::authenticate(ctx, presented).await?;
    let scopes = Scopes::parse(&claims.scope).unwrap_or_else(Scopes::empty);
    if !scopes.contains(OPENID) || claims.gid.is_none() {
        return Err(OAuthError::new(ErrorCode::InsufficientScope, "the access token lacks the openid scope"));
    }
    let user = match ctx.store.user_by_id(&claims.sub).await? {
        Some(user) if !user.disabled => user,
        _ => return Err(OAuthError::invalid_token("the user account is no longer active")),
    };
    let mut body = Map::new();
    body.insert("sub".into(), Value::String(user.id.clone()));
    body.extend(claims::for_scopes(&user, &scopes, ctx.config.issuer()));
    Ok(body)
}
