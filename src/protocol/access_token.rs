//! JWT access tokens (RFC 9068): self-contained, so issuing one writes nothing. They
//! carry the grant they came from (`gid`), so revoking a grant or a session disables
//! its access tokens too; a single token is revoked by denying its `jti`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::crypto;
use crate::keys::Alg;
use crate::state::Ctx;
use crate::store::GrantRecord;

use super::clients::Client;
use super::error::OAuthError;

pub const TYP: &str = "at+jwt";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    pub client_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub scope: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amr: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// The grant this token belongs to; absent for client credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gid: Option<String>,
    /// RFC 9449 §6.1: the DPoP key the token is bound to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cnf: Option<Confirmation>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Confirmation {
    pub jkt: String,
}

pub struct Minted {
    pub token: String,
    pub claims: AccessClaims,
}

/// A user's token from `grant`, or the client's own (client credentials) without one;
/// bound to the DPoP key `dpop_jkt` when the request proved one; for `audience` (an API
/// named with RFC 8707 `resource`, with the claims about the person it may see) or else
/// for oneid itself.
pub fn mint(ctx: &Ctx, client: &Client, scope: &str, grant: Option<&GrantRecord>, dpop_jkt: Option<&str>, audience: Option<(&str, Map<String, Value>)>) -> Result<Minted, OAuthError> {
    let now = ctx.now();
    let client_id = client.id.as_str();
    let ttl = client.access_token_ttl.unwrap_or_else(|| ctx.policy().tokens.access_token_ttl);
    let claims = AccessClaims {
        iss: ctx.config.issuer().to_string(),
        sub: grant.map_or_else(|| client_id.to_string(), |g| g.user_id.clone()),
        aud: audience.as_ref().map_or(ctx.config.issuer(), |(aud, _)| aud).to_string(),
        exp: grant.map_or(i64::MAX, |g| g.expires_at).min(now + ttl),
        iat: now,
        jti: crypto::random_token(),
        client_id: client_id.to_string(),
        scope: scope.to_string(),
        auth_time: grant.map(|g| g.auth_time),
        acr: grant.map(|g| g.acr.clone()),
        amr: grant.map(|g| g.amr.split_whitespace().map(str::to_string).collect()),
        sid: grant.and_then(|g| g.sid.clone()),
        gid: grant.map(|g| g.id.clone()),
        cnf: dpop_jkt.map(|jkt| Confirmation { jkt: jkt.to_string() }),
    };
    let payload = match audience.map(|(_, person)| person).filter(|person| !person.is_empty()) {
        // Only a resource's token may carry claims about the person: the rare detour.
        Some(person) => {
            let mut payload = serde_json::to_value(&claims).map_err(OAuthError::server_error)?;
            if let Some(object) = payload.as_object_mut() {
                object.extend(person);
            }
            serde_json::to_vec(&payload)
        }
        None => serde_json::to_vec(&claims),
    }
    .map_err(OAuthError::server_error)?;
    let alg = Alg::parse(&ctx.policy().tokens.signing_alg).unwrap_or(Alg::Es256);
    let token = ctx.keys.sign(alg, TYP, &payload)?;
    metrics::counter!("oneid_tokens_issued_total", "type" => "access_token").increment(1);
    Ok(Minted { token, claims })
}

/// Signature, type, issuer and expiry; not whether it was revoked (see [`is_live`]).
pub fn verify(ctx: &Ctx, token: &str) -> Result<AccessClaims, OAuthError> {
    let invalid = || OAuthError::invalid_token("the access token is invalid or has expired");
    let jwt = ctx.keys.verify(token).map_err(|_| invalid())?;
    let typ_ok = jwt.typ.as_deref().is_some_and(|t| t.eq_ignore_ascii_case(TYP) || t.eq_ignore_ascii_case("application/at+jwt"));
    if !typ_ok {
        return Err(invalid());
    }
    let claims: AccessClaims = serde_json::from_slice(&jwt.payload).map_err(|_| invalid())?;
    if claims.iss != ctx.config.issuer() || claims.exp <= ctx.now() {
        return Err(invalid());
    }
    Ok(claims)
}

/// Not revoked, its grant (if any) not revoked, and its client still registered.
/// Grant expiry needs no check: a token never outlives its grant.
pub async fn is_live(ctx: &Ctx, claims: &AccessClaims) -> Result<bool, OAuthError> {
    if ctx.store.access_token_revoked(&claims.jti, claims.gid.as_deref()) {
        return Ok(false);
    }
    Ok(ctx.clients.get(&claims.client_id).await?.is_some())
}
