//! "My Account", a reference relying party of oneid: signs people in with the code flow
//! and PKCE (the `openidconnect` crate), shows who they are (UserInfo), and links their
//! financing agreements, which it allows only after a sign-in on a device linked to the
//! account (`acr` = `urn:oneid:acr:device`, checked in the ID token). Its "Messages"
//! pages talk to the secure message center (`messages.rs`). Sign-out is RP-initiated;
//! oneid's back-channel logout ends the portal's sessions too (`backchannel.rs`).
//! Sessions live in memory behind a random cookie; every form carries the session's
//! CSRF token.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use base64::Engine;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthenticationContextClass, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken, Scope, TokenResponse,
};
use serde::Deserialize;
use subtle::ConstantTimeEq;

use super::agreements::{LinkRequest, Store};

pub const DEVICE_ACR: &str = "urn:oneid:acr:device";
const COOKIE: &str = "portal_session";
/// How long a device sign-in allows linking.
const LINK_WINDOW: i64 = 600;

pub type Client = CoreClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointMaybeSet, EndpointMaybeSet>;

struct Pending {
    state: CsrfToken,
    nonce: Nonce,
    verifier: PkceCodeVerifier,
    linking: bool,
    /// The portal page to return to.
    next: String,
}

#[derive(Clone)]
pub struct User {
    pub sub: String,
    /// oneid's browser session, named in back-channel logout tokens.
    pub sid: Option<String>,
    pub name: String,
    pub email: String,
    id_token: String,
    /// When the person last signed in on a linked device.
    device_at: Option<i64>,
    /// The sign-in's refresh token and the message center's current access token; one
    /// refresh at a time, since oneid rotates refresh tokens and treats a reused one as
    /// stolen.
    pub tokens: Arc<tokio::sync::Mutex<Tokens>>,
}

#[derive(Default)]
pub struct Tokens {
    pub refresh: Option<RefreshToken>,
    /// The message center's token and when it expires (unix seconds).
    pub messages: Option<(String, i64)>,
}

struct Session {
    csrf: String,
    pending: Option<Pending>,
    user: Option<User>,
}

pub struct Portal {
    pub client: Client,
    pub http: reqwest::Client,
    pub issuer: String,
    base: String,
    end_session: Option<String>,
    jwks_uri: String,
    /// The page headers every answer carries (CSP and friends).
    headers: Vec<(header::HeaderName, String)>,
    /// The message center: its API's address, which is also its resource indicator.
    pub messages: String,
    sessions: Mutex<HashMap<String, Session>>,
    /// Logout tokens already used (`jti` → expiry), so none is played twice.
    logout_tokens: Mutex<HashMap<String, i64>>,
    /// Agreements, their payments, and which accounts are linked to them.
    pub store: Store,
}

pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// Where the portal runs and what it talks to.
pub struct Settings<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub secret: &'a str,
    /// The portal's own address.
    pub base: &'a str,
    pub database: &'a str,
    /// The message center's address (and resource indicator).
    pub messages: &'a str,
}

impl Portal {
    /// Discovers the issuer and registers nothing: the client is declared in oneid.
    pub async fn new(settings: Settings<'_>) -> Result<Portal, String> {
        let Settings { issuer, client_id, secret, base, database, messages } = settings;
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().map_err(|e| e.to_string())?;
        let metadata = CoreProviderMetadata::discover_async(IssuerUrl::new(issuer.into()).map_err(|e| e.to_string())?, &http).await.map_err(|e| format!("{e:?}"))?;
        let jwks_uri = metadata.jwks_uri().url().to_string();
        let discovery: serde_json::Value = http.get(format!("{issuer}/.well-known/openid-configuration")).send().await.map_err(|e| e.to_string())?.json().await.map_err(|e| e.to_string())?;
        let client = CoreClient::from_provider_metadata(metadata, ClientId::new(client_id.into()), Some(ClientSecret::new(secret.into())))
            .set_redirect_uri(RedirectUrl::new(format!("{base}/callback")).map_err(|e| e.to_string())?);
        // Forms post here, and some end in a redirect to oneid (sign-in, sign-out).
        let oneid = url::Url::parse(issuer).map_err(|e| e.to_string())?.origin().ascii_serialization();
        let headers = vec![
            (header::CONTENT_SECURITY_POLICY, format!("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self' {oneid}; frame-ancestors 'none'; base-uri 'none'")),
            (header::X_FRAME_OPTIONS, "DENY".into()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".into()),
            (header::REFERRER_POLICY, "same-origin".into()),
        ];
        Ok(Portal {
            client,
            http,
            issuer: issuer.into(),
            headers,
            base: base.into(),
            end_session: discovery["end_session_endpoint"].as_str().map(str::to_string),
            jwks_uri,
            messages: messages.trim_end_matches('/').into(),
            sessions: Mutex::new(HashMap::new()),
            logout_tokens: Mutex::new(HashMap::new()),
            store: Store::open(database).await?,
        })
    }

    /// The signed-in person of this request, and the session's CSRF token.
    pub fn user(&self, headers: &HeaderMap) -> Option<(User, String)> {
        let id = session_id(headers)?;
        let sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        let session = sessions.get(&id)?;
        Some((session.user.clone()?, session.csrf.clone()))
    }

    /// Whether `token` is this browser session's CSRF token.
    pub fn csrf_ok(&self, headers: &HeaderMap, token: &str) -> bool {
        let id = session_id(headers).unwrap_or_default();
        let sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        sessions.get(&id).is_some_and(|s| !token.is_empty() && bool::from(s.csrf.as_bytes().ct_eq(token.as_bytes())))
    }

    /// Signs `sub` out of the portal's sessions (only the one of oneid session `sid`, if
    /// given); a sign-in under way in such a browser goes on. Returns how many.
    pub fn end_sessions(&self, sub: Option<&str>, sid: Option<&str>) -> usize {
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        let mut ended = 0;
        for session in sessions.values_mut() {
            let Some(user) = &session.user else { continue };
            let ends = match (sid, sub) {
                (Some(sid), sub) => user.sid.as_deref() == Some(sid) && sub.is_none_or(|sub| sub == user.sub),
                (None, Some(sub)) => user.sub == sub,
                (None, None) => false,
            };
            if ends {
                session.user = None;
                ended += 1;
            }
        }
        ended
    }

    /// Remembers a logout token's `jti` until it expires; false if it was seen before.
    pub fn first_use(&self, jti: &str, expires: i64) -> bool {
        let mut seen = self.logout_tokens.lock().unwrap_or_else(|e| e.into_inner());
        let now = now();
        seen.retain(|_, exp| *exp > now);
        seen.insert(jti.to_string(), expires).is_none()
    }

    pub fn jwks_uri(&self) -> &str {
        &self.jwks_uri
    }
}

pub fn router(portal: Arc<Portal>) -> Router {
    Router::new()
        .route("/", get(overview))
        .route("/style.css", get(|| async { ([(header::CONTENT_TYPE, "text/css"), (header::CACHE_CONTROL, "max-age=3600")], STYLE) }))
        .route("/login", get(login))
        .route("/callback", get(callback))
        .route("/link", get(link_form).post(link))
        .route("/logout", post(logout))
        .route("/backchannel-logout", post(super::backchannel::logout))
        .merge(super::messages::routes())
        .layer(DefaultBodyLimit::max(3 * 1024 * 1024))
        .layer(axum::middleware::from_fn_with_state(portal.clone(), secure_headers))
        .with_state(portal)
}

async fn secure_headers(State(p): State<Arc<Portal>>, request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let mut response = next.run(request).await;
    for (name, value) in &p.headers {
        if let Ok(value) = value.parse() {
            response.headers_mut().entry(name.clone()).or_insert(value);
        }
    }
    response
}

const STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}\
nav{margin-bottom:1rem}label{display:block;margin:.75rem 0}input,select,textarea{display:block;width:100%;box-sizing:border-box;font:inherit;padding:.4rem}\
button{font:inherit;padding:.5rem 1rem;margin-top:.5rem}.error{color:#a4000f}.agreement,.message{border:1px solid #ddd;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}\
.message.service{background:#f3f7ff}.text{white-space:pre-wrap}";

fn session_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_string())
}

pub fn esc(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

pub fn page(title: &str, body: &str) -> Response {
    let nav = "<nav><a href=\"/\">Overview</a> · <a href=\"/messages\">Messages</a> · <a href=\"/link\">Link your account</a></nav>";
    let full = if title == "My Account" { title.to_string() } else { format!("{title} · My Account") };
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>{}</title><link rel=\"stylesheet\" href=\"/style.css\"></head><body>{nav}<h1>{}</h1>{body}</body></html>",
        esc(&full),
        esc(title)
    );
    ([(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

pub fn failure(status: StatusCode, title: &str, text: &str) -> Response {
    (status, page(title, &format!("<p class=\"error\">{}</p>", esc(text)))).into_response()
}

/// The hidden field every form carries.
pub fn csrf_field(csrf: &str) -> String {
    format!("<input type=\"hidden\" name=\"csrf\" value=\"{}\">", esc(csrf))
}

fn refused_form() -> Response {
    failure(StatusCode::FORBIDDEN, "Form expired", "This form has expired. Go back, reload the page and try again.")
}

async fn overview(State(p): State<Arc<Portal>>, headers: HeaderMap) -> Response {
    let Some((user, csrf)) = p.user(&headers) else {
        return page("My Account", "<p><a href=\"/login\">Sign in</a></p>");
    };
    let linked = match p.store.linked(&user.sub).await {
        Ok(linked) => linked,
        Err(e) => return failure(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong", &e),
    };
    let contracts: String = linked
        .iter()
        .map(|a| {
            let payments: String = a.payments.iter().map(|(day, amount)| format!("<li>{} · {} EUR</li>", esc(day), esc(amount))).collect();
            format!("<section class=\"agreement\"><h2>{} · {}</h2><p>VIN {}</p><ul>{payments}</ul></section>", esc(&a.id), esc(&a.vehicle), esc(&a.vin))
        })
        .collect();
    let body = format!(
        "<p id=\"who\">{} · {}</p>{contracts}<p><a href=\"/link\">Link your account</a> · <a href=\"/messages\">Messages</a></p><form method=\"post\" action=\"/logout\">{}<button>Sign out</button></form>",
        esc(&user.name),
        esc(&user.email),
        csrf_field(&csrf)
    );
    page("My Account", &body)
}

#[derive(Deserialize)]
struct LoginQuery {
    link: Option<String>,
    next: Option<String>,
}

/// Where to send someone who must sign in first, to come back to `here` (a local path).
pub fn sign_in_first(here: &str) -> Response {
    let query = form_urlencoded::Serializer::new(String::new()).append_pair("next", here).finish();
    Redirect::to(&format!("/login?{query}")).into_response()
}

/// A local path to return to, or the overview (never another site: `//host` is not local).
fn local_path(next: Option<&str>) -> String {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\')).unwrap_or("/").to_string()
}

fn new_id() -> String {
    CsrfToken::new_random().secret().clone()
}

fn session_cookie(p: &Portal, id: &str) -> String {
    let secure = if p.base.starts_with("https://") { "; Secure" } else { "" };
    format!("{COOKIE}={id}; HttpOnly; SameSite=Lax; Path=/{secure}")
}

/// Starts a sign-in; `?link=1` asks for a sign-in on a linked device.
async fn login(State(p): State<Arc<Portal>>, headers: HeaderMap, Query(q): Query<LoginQuery>) -> Response {
    let linking = q.link.as_deref() == Some("1");
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = p.client.authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random).set_pkce_challenge(challenge);
    for scope in ["email", "profile", "messages:read", "messages:write"] {
        request = request.add_scope(Scope::new(scope.into()));
    }
    if linking {
        request = request.add_auth_context_value(AuthenticationContextClass::new(DEVICE_ACR.into())).add_prompt(openidconnect::core::CoreAuthPrompt::Login);
    }
    let (url, state, nonce) = request.url();
    let next = if linking { "/link".to_string() } else { local_path(q.next.as_deref()) };
    let pending = Pending { state, nonce, verifier, linking, next };
    let mut sessions = p.sessions.lock().unwrap_or_else(|e| e.into_inner());
    // Only a session this portal made is kept; any other cookie value gets a new one.
    let id = session_id(&headers).filter(|id| sessions.contains_key(id)).unwrap_or_else(new_id);
    sessions.entry(id.clone()).or_insert_with(|| Session { csrf: new_id(), pending: None, user: None }).pending = Some(pending);
    ([(header::SET_COOKIE, session_cookie(&p, &id))], Redirect::to(url.as_str())).into_response()
}

#[derive(Deserialize)]
struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// A claim of a JWT this portal has already verified.
fn verified_claim(jwt: &str, name: &str) -> Option<String> {
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(jwt.split('.').nth(1)?).ok()?;
    serde_json::from_slice::<serde_json::Value>(&payload).ok()?[name].as_str().map(str::to_string)
}

async fn callback(State(p): State<Arc<Portal>>, headers: HeaderMap, Query(q): Query<Callback>) -> Response {
    let id = session_id(&headers).unwrap_or_default();
    let pending = p.sessions.lock().unwrap_or_else(|e| e.into_inner()).get_mut(&id).and_then(|s| s.pending.take());
    let Some(pending) = pending else { return (StatusCode::BAD_REQUEST, page("Sign-in expired", "<p><a href=\"/login\">Sign in again</a></p>")).into_response() };
    if let Some(error) = q.error {
        let text = match error.as_str() {
            "access_denied" => "You cancelled the sign-in.",
            "login_required" | "interaction_required" => "Please sign in.",
            _ => "The sign-in could not be completed.",
        };
        let again = if pending.linking { "/login?link=1" } else { "/login" };
        return (StatusCode::OK, page("Not signed in", &format!("<p>{text}</p><p><a href=\"{again}\">Sign in</a> · <a href=\"/\">Overview</a></p>"))).into_response();
    }
    if q.state.as_deref() != Some(pending.state.secret().as_str()) {
        return failure(StatusCode::BAD_REQUEST, "Sign-in refused", "The answer does not belong to this browser.");
    }
    let Some(code) = q.code else { return failure(StatusCode::BAD_REQUEST, "Sign-in refused", "No code.") };
    let exchanged = match p.client.exchange_code(AuthorizationCode::new(code)) {
        Ok(request) => request.set_pkce_verifier(pending.verifier).request_async(&p.http).await,
        Err(e) => return failure(StatusCode::BAD_GATEWAY, "Sign-in failed", &e.to_string()),
    };
    let Ok(tokens) = exchanged else { return failure(StatusCode::BAD_GATEWAY, "Sign-in failed", "The code could not be exchanged.") };
    let Some(id_token) = tokens.id_token() else { return failure(StatusCode::BAD_GATEWAY, "Sign-in failed", "No ID token.") };
    let claims = match id_token.claims(&p.client.id_token_verifier(), &pending.nonce) {
        Ok(claims) => claims.clone(),
        Err(_) => return failure(StatusCode::BAD_REQUEST, "Sign-in refused", "The ID token does not verify."),
    };
    // Linking needs a sign-in on a linked device, as the ID token says it was.
    let on_device = claims.auth_context_ref().is_some_and(|acr| acr.as_str() == DEVICE_ACR);
    if pending.linking && !on_device {
        return failure(StatusCode::FORBIDDEN, "Device check needed", "Linking needs a sign-in confirmed on your device.");
    }
    // Name and address from UserInfo, for the subject the ID token names.
    let info = match p.client.user_info(tokens.access_token().clone(), Some(claims.subject().clone())) {
        Ok(request) => request.request_async(&p.http).await,
        Err(e) => return failure(StatusCode::BAD_GATEWAY, "Sign-in failed", &e.to_string()),
    };
    let Ok(info): Result<openidconnect::core::CoreUserInfoClaims, _> = info else { return failure(StatusCode::BAD_GATEWAY, "Sign-in failed", "oneid did not say who signed in.") };
    let user = User {
        sub: claims.subject().to_string(),
        sid: verified_claim(&id_token.to_string(), "sid"),
        name: info.name().and_then(|n| n.get(None)).map(|n| n.to_string()).unwrap_or_default(),
        email: info.email().map(|e| e.to_string()).unwrap_or_default(),
        id_token: id_token.to_string(),
        device_at: on_device.then(now),
        tokens: Arc::new(tokio::sync::Mutex::new(Tokens { refresh: tokens.refresh_token().cloned(), messages: None })),
    };
    // A new session id (and CSRF token) for the signed-in person: no session fixation.
    let fresh = new_id();
    {
        let mut sessions = p.sessions.lock().unwrap_or_else(|e| e.into_inner());
        sessions.remove(&id);
        sessions.insert(fresh.clone(), Session { csrf: new_id(), pending: None, user: Some(user) });
    }
    ([(header::SET_COOKIE, session_cookie(&p, &fresh))], Redirect::to(&pending.next)).into_response()
}

/// The signed-in person, whether their device sign-in allows linking, and the CSRF token.
fn linking(p: &Portal, headers: &HeaderMap) -> Option<(String, bool, String)> {
    let (user, csrf) = p.user(headers)?;
    Some((user.sub, user.device_at.is_some_and(|at| now() - at < LINK_WINDOW), csrf))
}

async fn link_form(State(p): State<Arc<Portal>>, headers: HeaderMap) -> Response {
    match linking(&p, &headers) {
        None => sign_in_first("/link"),
        Some((_, false, _)) => Redirect::to("/login?link=1").into_response(),
        Some((_, true, csrf)) => page(
            "Link your account",
            &format!(
                "<form method=\"post\" action=\"/link\">{}<label>Given name <input name=\"given_name\" autocomplete=\"given-name\"></label><label>Family name <input name=\"family_name\" autocomplete=\"family-name\"></label><label>Date of birth <input name=\"birth_date\" type=\"date\"></label><label>VIN <input name=\"vin\"></label><label>Last payment (EUR) <input name=\"last_payment\" inputmode=\"decimal\"></label><p>or</p><label>Customer ID <input name=\"customer_id\"></label><button>Link</button></form>",
                csrf_field(&csrf)
            ),
        ),
    }
}

async fn link(State(p): State<Arc<Portal>>, headers: HeaderMap, Form(form): Form<LinkRequest>) -> Response {
    let Some((sub, allowed, _)) = linking(&p, &headers) else { return sign_in_first("/link") };
    if !p.csrf_ok(&headers, &form.csrf) {
        return refused_form();
    }
    if !allowed {
        return Redirect::to("/login?link=1").into_response();
    }
    match p.store.find(&form).await {
        Ok(Ok(agreement)) => match p.store.link(&sub, &agreement.id).await {
            Ok(true) => Redirect::to("/").into_response(),
            Ok(false) => failure(StatusCode::CONFLICT, "Already linked", "This agreement is linked to another account. If it is yours, please contact us."),
            Err(e) => failure(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong", &e),
        },
        Ok(Err(why)) => (StatusCode::UNPROCESSABLE_ENTITY, page("Link your account", &format!("<p class=\"error\">{}</p><p><a href=\"/link\">Try again</a></p>", esc(why)))).into_response(),
        Err(e) => failure(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong", &e),
    }
}

#[derive(Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

/// RP-initiated logout (OIDC RP-Initiated Logout 1.0): the portal's session ends here,
/// oneid's at its end-session endpoint.
async fn logout(State(p): State<Arc<Portal>>, headers: HeaderMap, Form(form): Form<CsrfOnly>) -> Response {
    if !p.csrf_ok(&headers, &form.csrf) {
        return refused_form();
    }
    let id = session_id(&headers).unwrap_or_default();
    let user = p.sessions.lock().unwrap_or_else(|e| e.into_inner()).remove(&id).and_then(|s| s.user);
    match (user, &p.end_session) {
        (Some(user), Some(end)) => {
            let query = form_urlencoded::Serializer::new(String::new()).append_pair("id_token_hint", &user.id_token).append_pair("post_logout_redirect_uri", &format!("{}/", p.base)).finish();
            Redirect::to(&format!("{end}?{query}")).into_response()
        }
        _ => Redirect::to("/").into_response(),
    }
}
