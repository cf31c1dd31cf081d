//! The settings console as a relying party of oneid itself (F52): it signs people in
//! with the authorization code flow and PKCE like any other client, asks for the
//! two-factor `acr`, checks the ID token, and admits only administrators who proved a
//! passkey or an authenticator app. Its own session lasts as long as the oneid session
//! it came from (the ID token's `sid`): signing out of oneid signs out of the console.

use serde::Deserialize;
use serde_json::json;

use crate::audit::RequestMeta;
use crate::auth::acr;
use crate::config::{ClientConfig, Config};
use crate::crypto;
use crate::paths;
use crate::protocol::params::Params;
use crate::protocol::scopes::{ADMIN, OPENID};
use crate::protocol::token::{self, TokenRequest};
use crate::state::Ctx;
use crate::store::User;

use super::Actor;

/// The console's client id; registered at every start, changed only here.
pub const CLIENT_ID: &str = "oneid-console";
/// How the clients table marks the console's registration.
pub const MANAGED_BY_BUILTIN: &str = "builtin";

/// The console's registration: a public client (PKCE) that may only ask for the admin
/// scope, without a consent page and without refresh tokens.
pub fn client_spec(config: &Config) -> ClientConfig {
    ClientConfig {
        id: CLIENT_ID.into(),
        name: Some("oneid settings console".into()),
        token_endpoint_auth_method: Some("none".into()),
        redirect_uris: vec![redirect_uri(config)],
        post_logout_redirect_uris: vec![format!("{}{}", config.issuer(), paths::ADMIN)],
        scopes: Some(vec![OPENID.into(), ADMIN.into()]),
        grant_types: Some(vec!["authorization_code".into()]),
        skip_consent: true,
        ..Default::default()
    }
}

fn redirect_uri(config: &Config) -> String {
    format!("{}{}", config.issuer(), paths::ADMIN_CALLBACK)
}

/// One sign-in the console started. The browser keeps only `secret` (in a cookie);
/// `state`, `nonce` and the PKCE verifier are derived from it with the console's key.
pub struct Flow<'a> {
    pub key: &'a [u8; 32],
    pub secret: &'a str,
}

impl Flow<'_> {
    fn derive(&self, what: &str) -> String {
        crypto::b64url(&crypto::hmac_sha256(self.key, format!("{what}:{}", self.secret).as_bytes()))
    }

    /// The authorization request's parameters; `fresh` asks for a new sign-in
    /// (`prompt=login`), for somebody who must now use a stronger method.
    pub fn authorize_params(&self, config: &Config, fresh: bool) -> Vec<(&'static str, String)> {
        let challenge = crypto::b64url(&crypto::sha256(self.derive("pkce").as_bytes()));
        let mut params = vec![
            ("response_type", "code".to_string()),
            ("client_id", CLIENT_ID.to_string()),
            ("redirect_uri", redirect_uri(config)),
            ("scope", format!("{OPENID} {ADMIN}")),
            ("state", self.derive("state")),
            ("nonce", self.derive("nonce")),
            ("code_challenge", challenge),
            ("code_challenge_method", "S256".to_string()),
            ("acr_values", acr::TWO_FACTOR.to_string()),
        ];
        if fresh {
            params.push(("prompt", "login".into()));
        }
        params
    }
}

/// Why somebody is not let in.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// The account does not have the admin role.
    NotAdmin,
    /// The sign-in used no passkey or authenticator app; `has_factor` says whether the
    /// account has one to sign in with.
    NeedsSecondFactor { has_factor: bool },
    /// The sign-in did not come back as it should (stale link, tampering, an error).
    Failed(String),
}

#[derive(Deserialize)]
struct IdTokenClaims {
    iss: String,
    aud: String,
    sub: String,
    exp: i64,
    nonce: Option<String>,
    sid: Option<String>,
    acr: String,
    #[serde(default)]
    amr: Vec<String>,
}

/// Who signed in to the console, in which oneid session.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user_id: String,
    pub sid: String,
}

/// Redeems the code the console got back (after checking `state`), validates the ID
/// token (OIDC Core §3.1.3.7) and decides whether the person may use the console.
pub async fn finish(ctx: &Ctx, flow: &Flow<'_>, code: &str, state: &str, meta: &RequestMeta) -> Result<SignedIn, Refused> {
    if !crypto::constant_time_eq(state.as_bytes(), flow.derive("state").as_bytes()) {
        return Err(Refused::Failed("the sign-in does not belong to this browser; start again".into()));
    }
    // The details go to the log, not to the page.
    let failed = |e: &dyn std::fmt::Display| {
        tracing::warn!(error = %e, "console sign-in not completed");
        Refused::Failed("the sign-in could not be completed; start again".into())
    };
    let client = ctx.clients.get(CLIENT_ID).await.map_err(|e| failed(&e))?.ok_or_else(|| Refused::Failed("the console is not registered".into()))?;
    let params = Params::from_pairs([
        ("grant_type".to_string(), "authorization_code".to_string()),
        ("code".to_string(), code.to_string()),
        ("redirect_uri".to_string(), redirect_uri(&ctx.config)),
        ("code_verifier".to_string(), flow.derive("pkce")),
    ]);
    let tokens = token::exchange(ctx, &TokenRequest { client: &client, params: &params, meta, dpop_jkt: None }).await.map_err(|e| failed(&e.description))?;
    let id_token = tokens.id_token.ok_or_else(|| Refused::Failed("no ID token came back".into()))?;
    let verified = ctx.keys.verify(&id_token).map_err(|e| failed(&e))?;
    let claims: IdTokenClaims = serde_json::from_slice(&verified.payload).map_err(|e| failed(&e))?;
    let nonce_ok = claims.nonce.as_deref().is_some_and(|n| crypto::constant_time_eq(n.as_bytes(), flow.derive("nonce").as_bytes()));
    if claims.iss != ctx.config.issuer() || claims.aud != CLIENT_ID || claims.exp <= ctx.now() || !nonce_ok {
        return Err(Refused::Failed("the ID token is not valid for the console".into()));
    }
    let sid = claims.sid.ok_or_else(|| Refused::Failed("the sign-in has no session".into()))?;
    let user = admin(ctx, &claims.sub).await?;
    if !tokens.scope.split(' ').any(|s| s == ADMIN) {
        return Err(Refused::NotAdmin);
    }
    let strong = super::strong_sign_in(ctx, &user, &claims.acr, &claims.amr).await.map_err(|e| failed(&e))?;
    if !strong {
        let (has_totp, has_passkey) = factors(ctx, &user).await.map_err(|e| failed(&e))?;
        return Err(Refused::NeedsSecondFactor { has_factor: has_totp || has_passkey });
    }
    ctx.audit_as(Some(Actor::User { id: user.id.clone(), email: user.email.clone() }.label()), "console_signed_in", meta, Some(&user.id), Some(CLIENT_ID), json!({ "acr": claims.acr }))
        .await;
    Ok(SignedIn { user_id: user.id, sid })
}

/// The administrator behind a console session, while the oneid session it came from
/// lasts and the account is still an enabled administrator.
pub async fn check(ctx: &Ctx, signed_in: &SignedIn) -> Result<Actor, Refused> {
    let session = ctx.store.session_by_sid(&signed_in.sid, ctx.now()).await.map_err(|e| {
        tracing::error!(error = %e, "console session not checked");
        Refused::Failed("the console could not check your sign-in; try again".into())
    })?;
    if session.is_none_or(|s| s.user_id != signed_in.user_id) {
        return Err(Refused::Failed("your sign-in has ended".into()));
    }
    let user = admin(ctx, &signed_in.user_id).await?;
    Ok(Actor::User { id: user.id, email: user.email })
}

async fn admin(ctx: &Ctx, user_id: &str) -> Result<User, Refused> {
    let user = ctx.store.user_by_id(user_id).await.map_err(|e| {
        tracing::error!(error = %e, "administrator not checked");
        Refused::Failed("the console could not check your account; try again".into())
    })?;
    match user {
        Some(user) if user.admin && !user.disabled => Ok(user),
        _ => Err(Refused::NotAdmin),
    }
}

/// Whether the account has a confirmed authenticator app, and a passkey.
async fn factors(ctx: &Ctx, user: &User) -> Result<(bool, bool), crate::store::StoreError> {
    let totp = ctx.store.totp(&user.id).await?.is_some_and(|t| t.confirmed);
    let passkey = !ctx.store.passkeys_of(&user.id).await?.is_empty();
    Ok((totp, passkey))
}

/// Registers (or updates) the console's client at start.
pub async fn register(ctx: &Ctx) -> Result<(), String> {
    let record = crate::protocol::client_metadata::validate(&client_spec(&ctx.config), &ctx.config, MANAGED_BY_BUILTIN, ctx.now()).map_err(|p| p.join("; "))?;
    let existing = ctx.store.client_by_id(CLIENT_ID).await.map_err(|e| e.to_string())?;
    if existing.as_ref().is_some_and(|c| c.managed_by != MANAGED_BY_BUILTIN) {
        return Err(format!("client id {CLIENT_ID:?} is reserved for the settings console; rename that client"));
    }
    crate::protocol::client_metadata::write_over(&ctx.store, existing.as_ref(), &record).await.map_err(|e| e.to_string())
}
