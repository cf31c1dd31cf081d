//! The client credentials grant (RFC 6749 §4.4): a confidential client gets a token for
//! itself. Nothing is written: the token is a signed JWT.

use crate::state::Ctx;

use super::super::access_token;
use super::super::clients::GrantType;
use super::super::error::OAuthError;
use super::super::scopes::{ADMIN, Scopes, USER_SCOPES};
use super::super::token::{TokenRequest, TokenResponse};

pub async fn exchange(ctx: &Ctx, request: &TokenRequest<'_>) -> Result<TokenResponse, OAuthError> {
    let client = request.client;
    if client.is_public() || !client.allows(GrantType::ClientCredentials) {
        return Err(OAuthError::unauthorized_client("this client may not use the client_credentials grant"));
    }
    // Scopes that act for a user make no sense without one.
    let allowed = client.scopes.retain(|s| !USER_SCOPES.contains(&s) && s != ADMIN);
    let scopes = match request.params.get("scope")? {
        None => allowed,
        Some(asked) => {
            let asked = Scopes::parse(asked).ok_or_else(|| OAuthError::invalid_scope("scope is malformed"))?;
            if !asked.is_subset_of(&allowed) {
                let extra = asked.minus(&allowed);
                return Err(OAuthError::invalid_scope(format!("this client may not request: {extra}")));
            }
            asked
        }
    };
    let dpop_jkt = request.dpop_jkt.as_deref();
    let target = super::super::audience::target(&ctx.config, request.params, &scopes)?;
    let scopes = target.as_ref().map_or(scopes.clone(), |t| t.scopes.clone());
    let access = access_token::mint(ctx, client, &scopes.to_string(), None, dpop_jkt, target.as_ref().map(|t| (t.audience.as_str(), Default::default())))?;
    Ok(TokenResponse {
        access_token: access.token,
        token_type: super::token_type(dpop_jkt),
        expires_in: access.claims.exp - access.claims.iat,
        scope: scopes.to_string(),
        refresh_token: None,
        id_token: None,
    })
}
