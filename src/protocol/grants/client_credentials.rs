//! The client credentials grant (RFC 6749 §4.4): a confidential client gets a token for
//! itself. Nothing is written: the token is a signed JWT.

use crate::state::Ctx;

use super::super::access_token;
use super::super::clients::{Client, GrantType};
use super::super::error::OAuthError;
use super::super::params::Params;
use super::super::scopes::{Scopes, USER_SCOPES};
use super::super::token::TokenResponse;

pub async fn exchange(ctx: &Ctx, client: &Client, params: &Params) -> Result<TokenResponse, OAuthError> {
    if client.is_public() || !client.allows(GrantType::ClientCredentials) {
        return Err(OAuthError::unauthorized_client("this client may not use the client_credentials grant"));
    }
    let allowed = client.scopes.retain(|s| !USER_SCOPES.contains(&s));
    let scopes = match params.get("scope")? {
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
    let access = access_token::mint(ctx, &client.id, &scopes.to_string(), None)?;
    Ok(TokenResponse {
        access_token: access.token,
        token_type: "Bearer",
        expires_in: ctx.config.tokens.access_token_ttl,
        scope: scopes.to_string(),
        refresh_token: None,
        id_token: None,
    })
}
