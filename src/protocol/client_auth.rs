//! Client authentication at the token, revocation and introspection endpoints
//! (RFC 6749 §2.3): `client_secret_basic` with form-urlencoded id and secret
//! (§2.3.1), `client_secret_post`, or `none` for public clients. A client with a secret
//! may present it either way (libraries differ in their default, and both carry the same
//! secret over TLS), but only one way per request; a public client presents none.

use std::sync::Arc;

use crate::state::Ctx;

use super::clients::{AuthMethod, Client};
use super::error::OAuthError;
use super::params::Params;

/// What the request carried; the HTTP layer fills it from the Authorization header
/// and the body.
#[derive(Debug, Default)]
pub struct Credentials {
    /// `Authorization: Basic`, already base64- and form-decoded.
    pub basic: Option<(String, String)>,
    /// An Authorization header was present but not a readable Basic one.
    pub malformed_header: bool,
}

pub async fn authenticate(ctx: &Ctx, credentials: &Credentials, params: &Params) -> Result<Arc<Client>, OAuthError> {
    let failed = || OAuthError::invalid_client("client authentication failed");
    if credentials.malformed_header {
        return Err(failed());
    }
    let form_id = params.get("client_id")?;
    let form_secret = params.get("client_secret")?;
    if params.get("client_assertion")?.is_some() {
        return Err(OAuthError::invalid_client("client assertions are not supported"));
    }
    let (client_id, method, secret) = match (&credentials.basic, form_secret) {
        (Some(_), Some(_)) => return Err(OAuthError::invalid_request("use only one client authentication method")),
        (Some((id, secret)), None) => {
            if form_id.is_some_and(|f| f != id) {
                return Err(OAuthError::invalid_request("client_id in the body differs from the Authorization header"));
            }
            // An empty password only identifies the client, as a public client may.
            if secret.is_empty() { (id.as_str(), AuthMethod::None, None) } else { (id.as_str(), AuthMethod::ClientSecretBasic, Some(secret.as_str())) }
        }
        (None, Some(secret)) => (form_id.ok_or_else(failed)?, AuthMethod::ClientSecretPost, Some(secret)),
        (None, None) => (form_id.ok_or_else(failed)?, AuthMethod::None, None),
    };
    let client = ctx.clients.get(client_id).await?.ok_or_else(failed)?;
    if client.is_public() != (method == AuthMethod::None) {
        return Err(failed());
    }
    if let Some(secret) = secret
        && !client.secret_matches(secret) {
            return Err(failed());
        }
    Ok(client)
}
