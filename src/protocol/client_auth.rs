//! Client authentication at the token, PAR, revocation, introspection and device
//! authorization endpoints (RFC 6749 §2.3): `client_secret_basic` with form-urlencoded
//! id and secret (§2.3.1), `client_secret_post`, `private_key_jwt` (RFC 7523 §2.2, OIDC
//! Core §9), or `none` for public clients. A client with a secret may present it either
//! way (libraries differ in their default, and both carry the same secret over TLS), but
//! only one way per request; a public client presents none.

use std::sync::Arc;

use serde::Deserialize;

use crate::crypto;
use crate::keys::foreign;
use crate::paths;
use crate::state::Ctx;

use super::clients::{AuthMethod, Client};
use super::error::OAuthError;
use super::params::Params;

pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Algorithms accepted for client assertions (`Ed25519`: EdDSA's fully specified name).
pub const ASSERTION_ALGS: &[&str] = &["ES256", "EdDSA", "Ed25519", "RS256", "PS256"];
/// An assertion may be valid for at most this long: its `jti` is remembered until then.
const MAX_ASSERTION_LIFETIME: i64 = 3600;
/// Clock skew tolerated for `iat` and `nbf`.
const SKEW: i64 = 60;

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
    if let Some(assertion) = params.get("client_assertion")? {
        if credentials.basic.is_some() || form_secret.is_some() {
            return Err(OAuthError::invalid_request("use only one client authentication method"));
        }
        if params.get("client_assertion_type")? != Some(JWT_BEARER) {
            return Err(OAuthError::invalid_client(format!("client_assertion_type must be {JWT_BEARER}")));
        }
        return by_assertion(ctx, assertion, form_id).await;
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
    match secret {
        Some(secret) if client.secret_matches(secret) => Ok(client),
        Some(_) => Err(failed()),
        None => Ok(client),
    }
}

#[derive(Deserialize)]
struct AssertionClaims {
    iss: String,
    sub: String,
    #[serde(deserialize_with = "super::id_token::audiences")]
    aud: Vec<String>,
    exp: i64,
    #[serde(default)]
    nbf: Option<i64>,
    #[serde(default)]
    iat: Option<i64>,
    jti: String,
}

/// RFC 7523 §3: signed by one of the client's keys, `iss` = `sub` = the client, for
/// us as audience, unexpired, and never seen before (its `jti` is remembered).
async fn by_assertion(ctx: &Ctx, assertion: &str, form_id: Option<&str>) -> Result<Arc<Client>, OAuthError> {
    let failed = |why: &str| {
        tracing::info!(reason = why, "client assertion refused");
        OAuthError::invalid_client("client authentication failed")
    };
    let unverified: AssertionClaims = assertion
        .split('.')
        .nth(1)
        .and_then(crypto::b64url_decode)
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| failed("not a readable JWT"))?;
    if form_id.is_some_and(|id| id != unverified.sub) {
        return Err(OAuthError::invalid_request("client_id differs from the assertion's subject"));
    }
    let client = ctx.clients.get(&unverified.sub).await?.ok_or_else(|| failed("unknown client"))?;
    if client.auth_method != AuthMethod::PrivateKeyJwt {
        return Err(failed("client does not use private_key_jwt"));
    }
    let header = foreign::peek_header(assertion).ok_or_else(|| failed("no JWS header"))?;
    let alg = header.get("alg").and_then(|a| a.as_str()).unwrap_or_default();
    let kid = header.get("kid").and_then(|k| k.as_str());
    let keys = ctx.client_keys.keys_for(&client, kid).await.map_err(|e| {
        tracing::warn!(client_id = %client.id, error = %e, "client keys unavailable");
        OAuthError::invalid_client("client authentication failed")
    })?;
    let payload = keys
        .iter()
        .filter(|k| kid.is_none_or(|kid| k.get("kid").and_then(|v| v.as_str()) == Some(kid)))
        .filter(|k| k.get("alg").and_then(|v| v.as_str()).is_none_or(|a| foreign::same_alg(a, alg)))
        .find_map(|k| foreign::verify(assertion, k, alg, ASSERTION_ALGS))
        .ok_or_else(|| failed(if ASSERTION_ALGS.contains(&alg) { "signature does not verify with the client's keys" } else { "alg is not one oneid accepts" }))?;
    let claims: AssertionClaims = serde_json::from_slice(&payload).map_err(|_| failed("claims unreadable"))?;
    let now = ctx.now();
    let issuer = ctx.config.issuer();
    let ours = |aud: &str| {
        aud == issuer || [paths::TOKEN, paths::PAR, paths::REVOKE, paths::INTROSPECT, paths::DEVICE_AUTHORIZATION].iter().any(|p| aud.strip_prefix(issuer) == Some(p))
    };
    let for_us = claims.aud.iter().any(|a| ours(a));
    if claims.iss != client.id || claims.sub != client.id {
        return Err(failed("iss and sub must be the client_id"));
    }
    if !for_us {
        return Err(failed("aud is not this issuer or its token endpoint"));
    }
    if claims.exp <= now || claims.exp > now + MAX_ASSERTION_LIFETIME {
        return Err(failed("expired, or valid for too long"));
    }
    if claims.nbf.is_some_and(|nbf| nbf > now + SKEW) || claims.iat.is_some_and(|iat| iat > now + SKEW) {
        return Err(failed("not valid yet"));
    }
    if claims.jti.is_empty() || claims.jti.len() > 256 {
        return Err(failed("jti missing or too long"));
    }
    let seen = format!("jwt-bearer:{}", crypto::token_hash(&format!("{}\n{}", client.id, claims.jti)));
    if !ctx.store.spend_challenge(&seen, claims.exp).await? {
        return Err(failed("assertion replayed"));
    }
    Ok(client)
}
