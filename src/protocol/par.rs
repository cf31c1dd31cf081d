//! Pushed authorization requests (RFC 9126): the client posts its authorization request
//! to `/par`, authenticated, and gets a `request_uri` to send the browser with instead.
//! The request is validated when pushed; its `request_uri` works once and for
//! `LIFETIME` seconds. A DPoP proof at the PAR endpoint binds the code to its key
//! (RFC 9449 §10.1).

use std::sync::Arc;

use serde::Serialize;

use crate::crypto;
use crate::state::Ctx;
use crate::store::AuthRequestRecord;

use super::authorize::{self, AuthorizationRequest, AuthorizeError, Channel};
use super::clients::Client;
use super::error::OAuthError;
use super::params::Params;

pub const REQUEST_URI_PREFIX: &str = "urn:ietf:params:oauth:request_uri:";
const LIFETIME: i64 = 90;
/// Client authentication travels with the push, never into the stored request.
const CREDENTIALS: &[&str] = &["client_secret", "client_assertion", "client_assertion_type"];

#[derive(Debug, Serialize)]
pub struct Pushed {
    pub request_uri: String,
    pub expires_in: i64,
}

/// Validates and stores a pushed request of the authenticated `client`.
pub async fn push(ctx: &Ctx, client: &Client, params: &Params, dpop_jkt: Option<String>) -> Result<Pushed, OAuthError> {
    if params.get("client_id")?.is_some_and(|id| id != client.id) {
        return Err(OAuthError::invalid_request("client_id differs from the authenticated client"));
    }
    if params.get("request_uri")?.is_some() {
        return Err(OAuthError::invalid_request("request_uri is not allowed in a pushed request"));
    }
    let jkt = match (dpop_jkt.as_deref(), params.get("dpop_jkt")?) {
        (Some(proven), Some(asked)) if proven != asked => return Err(OAuthError::invalid_request("dpop_jkt differs from the key of the DPoP proof")),
        (proven, asked) => proven.or(asked),
    };
    let mut pairs: Vec<(String, String)> = params.pairs().filter(|(k, _)| !CREDENTIALS.contains(k) && *k != "client_id" && *k != "dpop_jkt").map(|(k, v)| (k.to_string(), v.to_string())).collect();
    pairs.push(("client_id".into(), client.id.clone()));
    if let Some(jkt) = jkt {
        pairs.push(("dpop_jkt".into(), jkt.to_string()));
    }
    let (_, request) = match authorize::validate_params(ctx, &Params::from_pairs(pairs), Channel::Pushed).await {
        Ok(valid) => valid,
        Err(AuthorizeError::Untrusted(message)) => return Err(OAuthError::invalid_request(ctx.catalogs.message("en", message, &[]))),
        Err(AuthorizeError::Client(_, error)) => return Err(error),
    };
    let token = crypto::random_token();
    let now = ctx.now();
    ctx.store
        .insert_auth_request(&AuthRequestRecord {
            id_hash: stored_id(&token),
            client_id: client.id.clone(),
            params: serde_json::to_string(&request).map_err(OAuthError::server_error)?,
            created_at: now,
            expires_at: now + LIFETIME,
        })
        .await?;
    Ok(Pushed { request_uri: format!("{REQUEST_URI_PREFIX}{token}"), expires_in: LIFETIME })
}

/// The pushed request a `request_uri` names, taken (it works once), for the client
/// the browser's `client_id` names (RFC 9126 §4). Any other parameter is ignored.
pub async fn redeem(ctx: &Ctx, params: &Params) -> Result<(Arc<Client>, AuthorizationRequest), AuthorizeError> {
    let unusable = || AuthorizeError::Untrusted("error-request-uri-unusable");
    let request_uri = params.get("request_uri").ok().flatten().ok_or_else(unusable)?;
    let client_id = params.get("client_id").map_err(|_| AuthorizeError::Untrusted("error-client-id-repeated"))?.ok_or(AuthorizeError::Untrusted("error-client-id-missing"))?;
    let token = request_uri.strip_prefix(REQUEST_URI_PREFIX).ok_or_else(unusable)?;
    let record = ctx.store.take_auth_request(&stored_id(token), ctx.now()).await.map_err(|e| {
        tracing::error!(error = %e, "pushed request lookup failed");
        AuthorizeError::Untrusted("error-internal-message")
    })?;
    let record = record.filter(|r| r.client_id == client_id).ok_or_else(unusable)?;
    match authorize::pending(ctx, Some(record)).await {
        Ok(Some(found)) => Ok(found),
        Ok(None) => Err(unusable()),
        Err(e) => {
            tracing::error!(error = %e, "pushed request unreadable");
            Err(AuthorizeError::Untrusted("error-internal-message"))
        }
    }
}

/// Pushed requests share the pending-request table; their own prefix keeps the two
/// kinds of handle from standing in for each other.
fn stored_id(token: &str) -> String {
    crypto::token_hash(&format!("par:{token}"))
}
