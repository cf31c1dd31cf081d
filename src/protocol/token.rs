//! The token endpoint (RFC 6749 §3.2): authenticate the client, then hand the request
//! to its grant. Every successful answer has the same shape (RFC 6749 §5.1); with a DPoP
//! proof (RFC 9449 §5) the access token is bound to the proof's key.

use serde::Serialize;

use crate::audit::RequestMeta;
use crate::state::Ctx;

use super::clients::Client;
use super::error::{ErrorCode, OAuthError};
use super::grants;
use super::params::Params;

/// The PIN grant of the mobile app (F30): refresh token plus PIN.
pub const PIN_GRANT: &str = "urn:oneid:params:oauth:grant-type:pin";

/// One token request, its client authenticated.
pub struct TokenRequest<'a> {
    pub client: &'a Client,
    pub params: &'a Params,
    pub meta: &'a RequestMeta,
    /// The thumbprint of the key a valid DPoP proof demonstrated, if there was one.
    pub dpop_jkt: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}

pub async fn exchange(ctx: &Ctx, request: &TokenRequest<'_>) -> Result<TokenResponse, OAuthError> {
    let params = request.params;
    // RFC 8707 §2: `resource` may appear more than once in general; oneid takes one.
    super::audience::requested(&ctx.config, params)?;
    if let Some(name) = params.repeated() {
        return Err(OAuthError::invalid_request(format!("parameter {name} must not be repeated")));
    }
    if request.client.require_dpop && request.dpop_jkt.is_none() {
        return Err(OAuthError::new(ErrorCode::InvalidDpopProof, "this client must send a DPoP proof with every token request"));
    }
    match params.require("grant_type")? {
        "authorization_code" => grants::authorization_code::exchange(ctx, request).await,
        "refresh_token" => grants::refresh_token::exchange(ctx, request).await,
        PIN_GRANT => grants::pin::exchange(ctx, request).await,
        "client_credentials" => grants::client_credentials::exchange(ctx, request).await,
        "urn:ietf:params:oauth:grant-type:device_code" => grants::device_code::exchange(ctx, request).await,
        other => Err(OAuthError::new(ErrorCode::UnsupportedGrantType, format!("grant_type {other} is not supported"))),
    }
}
