//! The authorization endpoint (RFC 6749 §4.1.1, OIDC Core §3.1.2): validating the
//! request, deciding whether the user must log in or consent, remembering the request
//! while they do, and issuing the code. Until the client and the exact redirect URI are
//! verified, errors are shown to the user; after, they go back to the client with
//! `state` and `iss` (RFC 9207).

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::auth::acr;
use crate::auth::second_factor;
use crate::crypto;
use crate::state::Ctx;
use crate::store::{AuthRequestRecord, CodeRecord, SessionRecord};

use super::clients::{Client, GrantType};
use super::error::{ErrorCode, OAuthError};
use super::id_token;
use super::params::Params;
use super::pkce;
use super::scopes::{OPENID, Scopes};

/// Longest value accepted for free-form parameters (state, nonce, hints).
const MAX_VALUE_LEN: usize = 2048;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResponseMode {
    Query,
    /// OAuth 2.0 Form Post Response Mode: an auto-submitting HTML form.
    FormPost,
}

/// Where the answer goes, once client and redirect URI are trusted.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReplyTo {
    pub redirect_uri: String,
    pub response_mode: ResponseMode,
    pub state: Option<String>,
}

/// A validated authorization request, stored while the user logs in and consents.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthorizationRequest {
    pub client_id: String,
    pub reply: ReplyTo,
    /// Whether `redirect_uri` was in the request: then the token request must repeat it.
    pub redirect_uri_given: bool,
    pub scope: String,
    pub nonce: Option<String>,
    pub code_challenge: String,
    pub prompt: Vec<String>,
    pub max_age: Option<i64>,
    pub login_hint: Option<String>,
    pub ui_locales: Option<String>,
    pub acr_values: Option<String>,
    pub id_token_hint_sub: Option<String>,
    /// RFC 9449 §10: the thumbprint of the DPoP key the code will be bound to.
    #[serde(default)]
    pub dpop_jkt: Option<String>,
    pub created_at: i64,
}

impl AuthorizationRequest {
    pub fn scopes(&self) -> Scopes {
        Scopes::parse(&self.scope).unwrap_or_else(Scopes::empty)
    }

    fn prompts(&self, value: &str) -> bool {
        self.prompt.iter().any(|p| p == value)
    }
}

/// The response to send to the client: a code or an error.
#[derive(Debug, Clone)]
pub struct AuthorizationResponse {
    pub redirect_uri: String,
    pub response_mode: ResponseMode,
    pub params: Vec<(&'static str, String)>,
}

impl AuthorizationResponse {
    /// The redirect URI with the response added to its query (RFC 6749 §4.1.2: keep
    /// the query component it already has).
    pub fn redirect_url(&self) -> String {
        let mut url = self.redirect_uri.clone();
        let mut serializer = form_urlencoded::Serializer::new(String::new());
        for (name, value) in &self.params {
            serializer.append_pair(name, value);
        }
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&serializer.finish());
        url
    }
}

impl ReplyTo {
    fn respond(&self, ctx: &Ctx, mut params: Vec<(&'static str, String)>) -> AuthorizationResponse {
        if let Some(state) = &self.state {
            params.push(("state", state.clone()));
        }
        params.push(("iss", ctx.config.issuer().to_string()));
        AuthorizationResponse { redirect_uri: self.redirect_uri.clone(), response_mode: self.response_mode, params }
    }

    pub fn error(&self, ctx: &Ctx, error: &OAuthError) -> AuthorizationResponse {
        self.respond(ctx, vec![("error", error.code.as_str().to_string()), ("error_description", error.description.to_string())])
    }
}

/// Why an authorization request failed.
#[derive(Debug)]
pub enum AuthorizeError {
    /// The client or redirect URI is not verified: tell the user (the message key says
    /// what is wrong), never redirect.
    Untrusted(&'static str),
    /// Tell the client, at its verified redirect URI.
    Client(ReplyTo, OAuthError),
}

/// What the user has to do before a code can be issued.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    Login,
    Consent,
    Issue,
}

/// How an authorization request arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// In the browser's query string (or form).
    FrontChannel,
    /// Pushed by the authenticated client (RFC 9126).
    Pushed,
}

/// RFC 6749 §4.1.1 and OIDC Core §3.1.2.1–2; a `request_uri` of a pushed request
/// (RFC 9126 §4) stands for the whole request, which was validated when it was pushed.
pub async fn validate(ctx: &Ctx, params: &Params) -> Result<(Arc<Client>, AuthorizationRequest), AuthorizeError> {
    if params.get("request_uri").ok().flatten().is_some_and(|uri| uri.starts_with(super::par::REQUEST_URI_PREFIX)) {
        return super::par::redeem(ctx, params).await;
    }
    validate_params(ctx, params, Channel::FrontChannel).await
}

pub async fn validate_params(ctx: &Ctx, params: &Params, channel: Channel) -> Result<(Arc<Client>, AuthorizationRequest), AuthorizeError> {
    let untrusted = AuthorizeError::Untrusted;
    let client_id = params
        .get("client_id")
        .map_err(|_| untrusted("error-client-id-repeated"))?
        .ok_or_else(|| untrusted("error-client-id-missing"))?;
    let client = ctx
        .clients
        .get(client_id)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "client lookup failed");
            untrusted("error-internal-message")
        })?
        .ok_or_else(|| untrusted("error-unknown-client"))?;
    let given_uri = params
        .get("redirect_uri")
        .map_err(|_| untrusted("error-redirect-uri-repeated"))?;
    let asks_openid = params.get("scope").ok().flatten().is_some_and(|s| s.split(' ').any(|v| v == OPENID));
    let redirect_uri = match given_uri {
        Some(uri) if client.has_redirect_uri(uri) => uri.to_string(),
        Some(_) => return Err(untrusted("error-redirect-uri-unregistered")),
        None if client.redirect_uris.len() == 1 && !asks_openid => client.redirect_uris[0].clone(),
        None => return Err(untrusted("error-redirect-uri-missing")),
    };

    // From here on errors go back to the client.
    let state = params.get("state").ok().flatten().map(str::to_string);
    let response_mode = match params.get("response_mode") {
        Ok(None | Some("query")) => Ok(ResponseMode::Query),
        Ok(Some("form_post")) => Ok(ResponseMode::FormPost),
        Ok(Some(other)) => Err(OAuthError::invalid_request(format!("response_mode {other} is not supported; use query or form_post"))),
        Err(e) => Err(e),
    };
    let reply = ReplyTo { redirect_uri, response_mode: *response_mode.as_ref().unwrap_or(&ResponseMode::Query), state };
    let fail = |e: OAuthError| AuthorizeError::Client(reply.clone(), e);
    response_mode.map_err(fail)?;
    if client.require_par && channel == Channel::FrontChannel {
        return Err(fail(OAuthError::invalid_request("this client must push its authorization requests (RFC 9126) and send only request_uri")));
    }
    let request = parse(ctx, &client, params, &reply, given_uri.is_some()).map_err(fail)?;
    Ok((client, request))
}

fn parse(ctx: &Ctx, client: &Client, params: &Params, reply: &ReplyTo, redirect_uri_given: bool) -> Result<AuthorizationRequest, OAuthError> {
    // RFC 8707 §2: an unknown or malformed resource is `invalid_target`; the token
    // request names the resource its token is for.
    super::audience::requested(&ctx.config, params)?;
    if let Some(name) = params.repeated() {
        return Err(OAuthError::invalid_request(format!("parameter {name} must not be repeated")));
    }
    if reply.state.as_ref().is_some_and(|s| s.len() > MAX_VALUE_LEN) {
        return Err(OAuthError::invalid_request("state is too long"));
    }
    if params.get("request")?.is_some() {
        return Err(OAuthError::new(ErrorCode::RequestNotSupported, "request objects are not supported"));
    }
    if params.get("request_uri")?.is_some() {
        // Only pushed requests' URIs are ours; request objects by reference are not supported.
        return Err(OAuthError::new(ErrorCode::RequestUriNotSupported, "request_uri is supported only for pushed authorization requests (RFC 9126)"));
    }
    if params.get("registration")?.is_some() {
        return Err(OAuthError::new(ErrorCode::RegistrationNotSupported, "the registration parameter is not supported"));
    }
    match params.get("response_type")? {
        None => return Err(OAuthError::invalid_request("response_type is required")),
        Some("code") => {}
        Some(_) => {
            return Err(OAuthError::new(ErrorCode::UnsupportedResponseType, "only response_type=code is supported"));
        }
    }
    if !client.allows(GrantType::AuthorizationCode) {
        return Err(OAuthError::unauthorized_client("this client may not use the authorization code flow"));
    }
    let scope = params.get("scope")?.ok_or_else(|| OAuthError::invalid_scope("scope is required"))?;
    let scopes = Scopes::parse(scope).ok_or_else(|| OAuthError::invalid_scope("scope contains characters that are not allowed"))?;
    if scopes.is_empty() {
        return Err(OAuthError::invalid_scope("scope is required"));
    }
    if !scopes.is_subset_of(&client.scopes) {
        let extra = scopes.minus(&client.scopes);
        return Err(OAuthError::invalid_scope(format!("this client may not request: {extra}")));
    }
    let code_challenge = pkce::challenge(params.get("code_challenge_method")?, params.get("code_challenge")?)?;
    let prompt: Vec<String> = params.get("prompt")?.unwrap_or("").split(' ').filter(|p| !p.is_empty()).map(str::to_string).collect();
    if let Some(bad) = prompt.iter().find(|p| !matches!(p.as_str(), "none" | "login" | "consent" | "select_account")) {
        return Err(OAuthError::invalid_request(format!("prompt value {bad} is not supported")));
    }
    if prompt.iter().any(|p| p == "none") && prompt.len() > 1 {
        return Err(OAuthError::invalid_request("prompt=none cannot be combined with other prompt values"));
    }
    let max_age = match params.get("max_age")? {
        None => None,
        Some(v) => Some(v.parse::<i64>().ok().filter(|v| *v >= 0).ok_or_else(|| OAuthError::invalid_request("max_age must be a non-negative integer"))?),
    };
    let bounded = |name: &str| -> Result<Option<String>, OAuthError> {
        match params.get(name)? {
            Some(v) if v.len() > MAX_VALUE_LEN => Err(OAuthError::invalid_request(format!("{name} is too long"))),
            v => Ok(v.map(str::to_string)),
        }
    };
    let id_token_hint_sub = match params.get("id_token_hint")? {
        None => None,
        Some(hint) => {
            let hint = id_token::parse_hint(ctx, hint).ok_or_else(|| OAuthError::invalid_request("id_token_hint is not a valid ID token from this issuer"))?;
            Some(hint.sub)
        }
    };
    let dpop_jkt = match params.get("dpop_jkt")? {
        Some(jkt) if jkt.len() == 43 && crypto::b64url_decode(jkt).is_some() => Some(jkt.to_string()),
        Some(_) => return Err(OAuthError::invalid_request("dpop_jkt must be the base64url SHA-256 thumbprint of a JWK")),
        None => None,
    };
    Ok(AuthorizationRequest {
        client_id: client.id.clone(),
        reply: reply.clone(),
        redirect_uri_given,
        scope: scopes.to_string(),
        nonce: bounded("nonce")?,
        code_challenge,
        prompt,
        max_age,
        login_hint: bounded("login_hint")?,
        ui_locales: bounded("ui_locales")?,
        acr_values: bounded("acr_values")?,
        id_token_hint_sub,
        dpop_jkt,
        created_at: ctx.now(),
    })
}

/// Whether the user must log in or consent first (OIDC Core §3.1.2.3–4); with
/// `prompt=none` that is an error for the client instead.
pub async fn next_step(ctx: &Ctx, client: &Client, request: &AuthorizationRequest, session: Option<&SessionRecord>) -> Result<Next, OAuthError> {
    let none = request.prompts("none");
    let session = match session.filter(|s| session_satisfies(ctx, request, s)) {
        Some(session) if strong_enough(ctx, request, session).await? => Some(session),
        _ => None,
    };
    let Some(session) = session else {
        return if none { Err(OAuthError::new(ErrorCode::LoginRequired, "the user must log in")) } else { Ok(Next::Login) };
    };
    if needs_consent(ctx, client, request, &session.user_id).await? {
        return if none { Err(OAuthError::new(ErrorCode::ConsentRequired, "the user must consent")) } else { Ok(Next::Consent) };
    }
    Ok(Next::Issue)
}

fn session_satisfies(ctx: &Ctx, request: &AuthorizationRequest, session: &SessionRecord) -> bool {
    // prompt=login and select_account ask for a login made after this request began.
    let fresh_needed = request.prompts("login") || request.prompts("select_account");
    let fresh = session.auth_time >= request.created_at;
    let young_enough = request.max_age.is_none_or(|max| ctx.now() - session.auth_time <= max);
    let right_user = request.id_token_hint_sub.as_ref().is_none_or(|sub| *sub == session.user_id);
    (!fresh_needed || fresh) && young_enough && right_user
}

/// Step-up (OIDC Core §3.1.2.1 `acr_values`): a session weaker than the strongest
/// `acr` the client asks for (or the policy requires for it) is not enough when the user
/// has a second factor or a passkey to sign in with; a user without one signs in as they
/// can, and the ID token's `acr` says so.
async fn strong_enough(ctx: &Ctx, request: &AuthorizationRequest, session: &SessionRecord) -> Result<bool, OAuthError> {
    // A linked device is its own requirement: only a sign-in on that device satisfies it.
    if wants_device(ctx, request) {
        return Ok(session.acr == acr::DEVICE);
    }
    let asked = request.acr_values.as_deref().unwrap_or("").split(' ').map(acr::strength).max().unwrap_or(0);
    let client = ctx.clients.get(&request.client_id).await?;
    let by_policy = client.as_deref().is_some_and(|c| second_factor::policy_requires(ctx, c));
    let wanted = if by_policy { asked.max(acr::strength(acr::TWO_FACTOR)) } else { asked };
    if acr::strength(&session.acr) >= wanted {
        return Ok(true);
    }
    let Some(user) = ctx.store.user_by_id(&session.user_id).await? else { return Ok(false) };
    // A user with a second factor or a passkey signs in again with it.
    let can_do_more = second_factor::required(ctx, &user, client.as_deref()).await?.is_some() || !ctx.store.passkeys_of(&user.id).await?.is_empty();
    Ok(!can_do_more)
}

/// Whether the sign-in must happen on a device linked to the account: the client asked
/// for the device `acr`, or policy says every sign-in must.
pub fn wants_device(ctx: &Ctx, request: &AuthorizationRequest) -> bool {
    ctx.policy().devices.require || request.acr_values.as_deref().unwrap_or("").split(' ').any(|v| v == acr::DEVICE)
}

async fn needs_consent(ctx: &Ctx, client: &Client, request: &AuthorizationRequest, user_id: &str) -> Result<bool, OAuthError> {
    if request.prompts("consent") {
        return Ok(true);
    }
    if client.skip_consent {
        return Ok(false);
    }
    let granted = ctx.store.consent(user_id, &client.id).await?.and_then(|c| Scopes::parse(&c.scope));
    Ok(!granted.is_some_and(|g| request.scopes().is_subset_of(&g)))
}

/// Issues a single-use code for the logged-in user (RFC 6749 §4.1.2). When the request
/// was kept as pending (`handle`), the code answers it once: `None` when it was answered
/// before (another tab, a form sent twice) or has expired.
pub async fn issue_code(ctx: &Ctx, request: &AuthorizationRequest, session: &SessionRecord, handle: Option<&str>) -> Result<Option<AuthorizationResponse>, OAuthError> {
    let now = ctx.now();
    let code = crypto::random_token();
    let code_record = CodeRecord {
        code_hash: crypto::token_hash(&code),
        client_id: request.client_id.clone(),
        user_id: session.user_id.clone(),
        sid: session.sid.clone(),
        redirect_uri: request.redirect_uri_given.then(|| request.reply.redirect_uri.clone()),
        scope: request.scope.clone(),
        nonce: request.nonce.clone(),
        code_challenge: request.code_challenge.clone(),
        auth_time: session.auth_time,
        acr: session.acr.clone(),
        amr: session.amr.clone(),
        created_at: now,
        expires_at: now + ctx.policy().tokens.code_ttl,
        redeemed_at: None,
        grant_id: None,
        dpop_jkt: request.dpop_jkt.clone(),
    };
    let answered = ctx.store.insert_code(&code_record, handle.map(crypto::token_hash).as_deref(), now).await?;
    Ok(answered.then(|| request.reply.respond(ctx, vec![("code", code)])))
}

/// Records consent to everything `request` asks, on top of what was granted before.
pub async fn grant_consent(ctx: &Ctx, request: &AuthorizationRequest, user_id: &str) -> Result<(), OAuthError> {
    let earlier = ctx.store.consent(user_id, &request.client_id).await?.and_then(|c| Scopes::parse(&c.scope));
    let scopes = match earlier {
        Some(earlier) => earlier.union(&request.scopes()),
        None => request.scopes(),
    };
    ctx.store.save_consent(user_id, &request.client_id, &scopes.to_string(), ctx.now()).await?;
    Ok(())
}

/// Keeps `request` while the user logs in or consents; the handle goes in page URLs.
pub async fn save_pending(ctx: &Ctx, request: &AuthorizationRequest) -> Result<String, OAuthError> {
    let handle = crypto::random_token();
    let now = ctx.now();
    ctx.store
        .insert_auth_request(&AuthRequestRecord {
            id_hash: crypto::token_hash(&handle),
            client_id: request.client_id.clone(),
            params: serde_json::to_string(request).map_err(OAuthError::server_error)?,
            created_at: now,
            expires_at: now + ctx.policy().tokens.authorization_request_ttl,
        })
        .await?;
    Ok(handle)
}

/// A pending request and its client; `None` when unknown, expired or already finished.
pub async fn load_pending(ctx: &Ctx, handle: &str) -> Result<Option<(Arc<Client>, AuthorizationRequest)>, OAuthError> {
    let record = ctx.store.auth_request(&crypto::token_hash(handle), ctx.now()).await?;
    pending(ctx, record).await
}

/// Like [`load_pending`], but removes the request: it can be finished only once.
pub async fn take_pending(ctx: &Ctx, handle: &str) -> Result<Option<(Arc<Client>, AuthorizationRequest)>, OAuthError> {
    let record = ctx.store.take_auth_request(&crypto::token_hash(handle), ctx.now()).await?;
    pending(ctx, record).await
}

pub(super) async fn pending(ctx: &Ctx, record: Option<AuthRequestRecord>) -> Result<Option<(Arc<Client>, AuthorizationRequest)>, OAuthError> {
    let Some(record) = record else { return Ok(None) };
    let request: AuthorizationRequest = serde_json::from_str(&record.params).map_err(OAuthError::server_error)?;
    // The client may have been removed or changed since; its redirect URI must still be registered.
    let client = ctx.clients.get(&record.client_id).await?;
    Ok(client.filter(|c| c.has_redirect_uri(&request.reply.redirect_uri)).map(|c| (c, request)))
}

pub fn access_denied() -> OAuthError {
    OAuthError::new(ErrorCode::AccessDenied, "the user denied the request")
}
