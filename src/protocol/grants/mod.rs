//! One module per grant type (RFC 6749 §4.1.3, §6, §4.4, RFC 8628 §3.4, and the app's
//! PIN grant), and what they share: making a grant with its first refresh token, and
//! the token response for a user.

pub mod authorization_code;
pub mod client_credentials;
pub mod device_code;
pub mod pin;
pub mod refresh_token;

use crate::crypto;
use crate::state::Ctx;
use crate::store::{GrantRecord, RefreshTokenRecord, User};

use super::access_token;
use super::audience;
use super::claims;
use super::clients::{Client, GrantType};
use super::error::OAuthError;
use super::id_token::{self, Authentication};
use super::scopes::{ADMIN, OPENID, Scopes};
use super::token::{TokenRequest, TokenResponse};

/// RFC 9449 §5: a DPoP-bound access token is of type `DPoP`.
pub fn token_type(dpop_jkt: Option<&str>) -> &'static str {
    if dpop_jkt.is_some() { "DPoP" } else { "Bearer" }
}

/// What a new grant records about the user's sign-in.
struct SignIn<'a> {
    user_id: &'a str,
    sid: Option<&'a str>,
    scope: &'a str,
    auth_time: i64,
    acr: &'a str,
    amr: &'a str,
}

/// A new grant of the request's client, with its first refresh token if the client may
/// refresh. A public client's refresh tokens are bound to the DPoP key it proved
/// (RFC 9449 §5); a confidential client's already are, by its authentication.
fn new_grant(ctx: &Ctx, request: &TokenRequest<'_>, sign_in: SignIn<'_>, offline: bool, expires_at: i64) -> (GrantRecord, Option<String>, Option<RefreshTokenRecord>) {
    let now = ctx.now();
    let client = request.client;
    let grant = GrantRecord {
        id: crypto::random_token(),
        user_id: sign_in.user_id.to_string(),
        client_id: client.id.clone(),
        sid: sign_in.sid.map(str::to_string),
        scope: sign_in.scope.to_string(),
        auth_time: sign_in.auth_time,
        acr: sign_in.acr.to_string(),
        amr: sign_in.amr.to_string(),
        offline,
        created_at: now,
        expires_at,
        revoked_at: None,
        revoked_reason: None,
        ip: request.meta.ip.clone(),
        user_agent: request.meta.user_agent.as_deref().map(|ua| ua.chars().take(512).collect()),
        dpop_jkt: if client.is_public() { request.dpop_jkt.clone() } else { None },
    };
    let refresh_token = client.allows(GrantType::RefreshToken).then(|| crypto::time_ordered_token(now));
    let record = refresh_token.as_deref().map(|token| RefreshTokenRecord {
        token_hash: crypto::token_key(token),
        grant_id: grant.id.clone(),
        created_at: now,
        expires_at: (now + ctx.policy().tokens.refresh_token_idle_ttl).min(expires_at),
        parent_hash: None,
    });
    (grant, refresh_token, record)
}

/// When a new sign-in of `client` (its refresh family) ends at the latest.
fn family_expiry(ctx: &Ctx, client: &Client, now: i64) -> i64 {
    now + client.refresh_token_ttl.unwrap_or_else(|| ctx.policy().tokens.refresh_token_max_ttl)
}

/// The scopes a user's grant gets of those asked: the admin scope only for
/// administrators (RFC 6749 §3.3 lets the server grant less than asked).
fn scopes_for(user: &User, scopes: Scopes) -> Scopes {
    if user.admin { scopes } else { scopes.retain(|s| s != ADMIN) }
}

/// How the grant's user signed in, for its tokens.
fn authentication(grant: &GrantRecord) -> Authentication<'_> {
    Authentication { auth_time: grant.auth_time, acr: &grant.acr, amr: &grant.amr, sid: grant.sid.as_deref(), nonce: None }
}

/// The tokens for a user's grant: an access token for `scopes` (bound to the request's
/// DPoP key, if it proved one), an ID token when `openid` is among them (as `authn`
/// says the user signed in), and the refresh token if one was made.
fn user_tokens(
    ctx: &Ctx,
    request: &TokenRequest<'_>,
    user: &User,
    grant: &GrantRecord,
    scopes: &Scopes,
    refresh_token: Option<String>,
    authn: &Authentication<'_>,
) -> Result<TokenResponse, OAuthError> {
    let client = request.client;
    let dpop_jkt = request.dpop_jkt.as_deref();
    // RFC 8707: a token for one API carries only that API's scopes.
    let target = audience::target(&ctx.config, request.params, scopes)?;
    let access_scopes = target.as_ref().map_or(scopes, |t| &t.scopes);
    let audience = target.as_ref().map(|t| {
        // RFC 9068 §2.2.3.1: what the sign-in released about the person, as far as the API may see it.
        let mut person = claims::for_scopes(user, scopes, ctx.config.issuer());
        person.retain(|name, _| t.claims.contains(name));
        (t.audience.as_str(), person)
    });
    let access = access_token::mint(ctx, client, &access_scopes.to_string(), Some(grant), dpop_jkt, audience)?;
    // Shorter than configured when the grant ends sooner.
    let expires_in = access.claims.exp - access.claims.iat;
    let id_token = if scopes.contains(OPENID) { Some(id_token::mint(ctx, client, user, scopes, authn, &access.token)?) } else { None };
    if refresh_token.is_some() {
        metrics::counter!("oneid_tokens_issued_total", "type" => "refresh_token").increment(1);
    }
    Ok(TokenResponse { access_token: access.token, token_type: token_type(dpop_jkt), expires_in, scope: access_scopes.to_string(), refresh_token, id_token })
}

/// The user behind a grant, if the account still exists and is enabled.
async fn active_user(ctx: &Ctx, user_id: &str) -> Result<User, OAuthError> {
    match ctx.store.user_by_id(user_id).await? {
        Some(user) if !user.disabled => Ok(user),
        _ => Err(inactive_user()),
    }
}

fn inactive_user() -> OAuthError {
    OAuthError::invalid_grant("the user account is no longer active")
}
