//! ID tokens (OIDC Core §2, §3.1.3.6), signed with the algorithm the client registered,
//! and `id_token_hint` parsing for authorization and logout requests.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::state::Ctx;
use crate::store::User;

use super::claims;
use super::clients::Client;
use super::error::OAuthError;
use super::scopes::Scopes;

/// How and when the user authenticated, as recorded with the grant.
pub struct Authentication<'a> {
    pub auth_time: i64,
    pub acr: &'a str,
    pub amr: &'a str,
    pub sid: Option<&'a str>,
    /// The `nonce` of the authorization request, for the first ID token of a grant.
    pub nonce: Option<&'a str>,
}

#[derive(Serialize)]
struct IdClaims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    exp: i64,
    iat: i64,
    auth_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    nonce: Option<&'a str>,
    azp: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    sid: Option<&'a str>,
    acr: &'a str,
    amr: Vec<&'a str>,
    at_hash: String,
    #[serde(flatten)]
    user: Map<String, Value>,
}

pub fn mint(
    ctx: &Ctx,
    client: &Client,
    user: &User,
    scopes: &Scopes,
    authn: &Authentication<'_>,
    access_token: &str,
) -> Result<String, OAuthError> {
    let now = ctx.now();
    let alg = client.id_token_alg;
    let claims = IdClaims {
        iss: ctx.config.issuer(),
        sub: &user.id,
        aud: &client.id,
        exp: now + ctx.policy().tokens.id_token_ttl,
        iat: now,
        auth_time: authn.auth_time,
        nonce: authn.nonce,
        azp: &client.id,
        sid: authn.sid,
        acr: authn.acr,
        amr: authn.amr.split_whitespace().collect(),
        at_hash: alg.left_half_hash(access_token),
        user: claims::for_scopes(user, scopes, ctx.config.issuer()),
    };
    let payload = serde_json::to_vec(&claims).map_err(OAuthError::server_error)?;
    let token = ctx.keys.sign(alg, "JWT", &payload)?;
    metrics::counter!("oneid_tokens_issued_total", "type" => "id_token").increment(1);
    Ok(token)
}

/// What an `id_token_hint` says, once its signature is ours. Expiry is not checked:
/// OIDC allows expired ID tokens as hints.
pub struct Hint {
    pub sub: String,
    pub audiences: Vec<String>,
    pub sid: Option<String>,
}

#[derive(Deserialize)]
struct HintClaims {
    iss: String,
    sub: String,
    #[serde(deserialize_with = "audiences")]
    aud: Vec<String>,
    #[serde(default)]
    sid: Option<String>,
}

/// `aud` is one string or an array of them (RFC 7519 §4.1.3); read as a list.
pub(super) fn audiences<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Audience {
        One(String),
        Many(Vec<String>),
    }
    Ok(match Audience::deserialize(d)? {
        Audience::One(a) => vec![a],
        Audience::Many(a) => a,
    })
}

pub fn parse_hint(ctx: &Ctx, token: &str) -> Option<Hint> {
    let jwt = ctx.keys.verify(token).ok()?;
    if jwt.typ.as_deref().is_some_and(|t| !t.eq_ignore_ascii_case("JWT")) {
        return None;
    }
    let claims: HintClaims = serde_json::from_slice(&jwt.payload).ok()?;
    if claims.iss != ctx.config.issuer() {
        return None;
    }
    Some(Hint { sub: claims.sub, audiences: claims.aud, sid: claims.sid })
}
