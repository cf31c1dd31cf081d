//! One module per grant type (RFC 6749 §4.1.3, §6, §4.4).

pub mod authorization_code;
pub mod client_credentials;
pub mod device_code;
pub mod refresh_token;

use crate::state::Ctx;
use crate::store::{GrantRecord, User};

use super::access_token;
use super::clients::Client;
use super::error::OAuthError;
use super::id_token::{self, Authentication};
use super::scopes::{OPENID, Scopes};
use super::token::TokenResponse;

/// The tokens for a user's grant: an access token for `scopes`, an ID token when
/// `openid` is among them, and the refresh token if one was made.
fn user_tokens(
    ctx: &Ctx,
    client: &Client,
    user: &User,
    grant: &GrantRecord,
    scopes: &Scopes,
    nonce: Option<&str>,
    refresh_token: Option<String>,
) -> Result<TokenResponse, OAuthError> {
    let access = access_token::mint(ctx, &client.id, &scopes.to_string(), Some(grant))?;
    // Shorter than configured when the grant ends sooner.
    let expires_in = access.claims.exp - access.claims.iat;
    let id_token = if scopes.contains(OPENID) {
        let authn = Authentication { auth_time: grant.auth_time, acr: &grant.acr, amr: &grant.amr, sid: grant.sid.as_deref() };
        Some(id_token::mint(ctx, client, user, scopes, &authn, nonce, &access.token)?)
    } else {
        None
    };
    Ok(TokenResponse {
        access_token: access.token,
        token_type: "Bearer",
        expires_in,
        scope: scopes.to_string(),
        refresh_token,
        id_token,
    })
}

/// The user behind a grant, if the account still exists and is enabled.
async fn active_user(ctx: &Ctx, user_id: &str) -> Result<User, OAuthError> {
    match ctx.store.user_by_id(user_id).await? {
        Some(user) if !user.disabled => Ok(user),
        _ => Err(OAuthError::invalid_grant("the user account is no longer active")),
    }
}
