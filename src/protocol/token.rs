//! The token endpoint (RFC 6749 §3.2): authenticate the client, then hand the request
//! to its grant. Every successful answer has the same shape (RFC 6749 §5.1).

use serde::Serialize;

use crate::audit::RequestMeta;
use crate::state::Ctx;

use super::clients::Client;
use super::error::{ErrorCode, OAuthError};
use super::grants;
use super::params::Params;

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

pub async fn exchange(ctx: &Ctx, client: &Client, params: &Params, meta: &RequestMeta) -> Result<TokenResponse, OAuthError> {
    if let Some(name) = params.repeated() {
        return Err(OAuthError::invalid_request(format!("parameter {name} must not be repeated")));
    }
    let response = match params.require("grant_type")? {
        "authorization_code" => grants::authorization_code::exchange(ctx, client, params, meta).await,
        "refresh_token" => grants::refresh_token::exchange(ctx, client, params, meta).await,
        "client_credentials" => grants::client_credentials::exchange(ctx, client, params).await,
        "urn:ietf:params:oauth:grant-type:device_code" => grants::device_code::exchange(ctx, client, params).await,
        other => Err(OAuthError::new(ErrorCode::UnsupportedGrantType, format!("grant_type {other} is not supported"))),
    }?;
    Ok(response)
}
