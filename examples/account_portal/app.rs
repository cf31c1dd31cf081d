//! "My Account", a reference relying party of oneid: signs people in with the code flow
//! and PKCE (the `openidconnect` crate), shows who they are, and links their financing
//! agreements, which it allows only after a sign-in on a device linked to the account
//! (`acr` = `urn:oneid:acr:device`, checked in the ID token). Sign-out is RP-initiated.
//! Sessions live in memory behind a random cookie.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthenticationContextClass, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl, Nonce,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use serde::Deserialize;

use super::agreements::{LinkRequest, Store};

pub const DEVICE_ACR: &str = "urn:oneid:acr:device";
const COOKIE: &str = "portal_session";
/// How long a device sign-in allows linking.
const LINK_WINDOW: i64 = 600;

type Client = CoreClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointMaybeSet, EndpointMaybeSet>;

struct Pending {
    state: CsrfToken,
    nonce: Nonce,
    verifier: PkceCodeVerifier,
    linking: bool,
}

struct User {
    sub: String,
    name: String,
    email: String,
    id_token: String,
    /// When the person last signed in on a linked device.
    device_at: Option<i64>,
}

#[derive(Default)]
struct Session {
    pending: Option<Pending>,
    user: Option<User>,
}

pub struct Portal {
    client: Client,
    http: reqwest::Client,
    base: String,
    end_session: Option<String>,
    sessions: Mutex<HashMap<String, Session>>,
    /// Agreements, their payments, and which accounts are linked to them.
    store: Store,
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

impl Portal {
    /// Discovers the issuer and registers nothing: the client is declared in oneid.
    pub async fn new(issuer: &str, client_id: &str, secret: &str, base: &str, database: &str) -> Result<Portal, String> {
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().map_err(|e| e.to_string())?;
        let metadata = CoreProviderMetadata::discover_async(IssuerUrl::new(issuer.into()).map_err(|e| e.to_string())?, &http).await.map_err(|e| format!("{e:?}"))?;
        let discovery: serde_json::Value = http.get(format!("{issuer}/.well-known/openid-configuration")).send().await.map_err(|e| e.to_string())?.json().await.map_err(|e| e.to_string())?;
        let client = CoreClient::from_provider_metadata(metadata, ClientId::new(client_id.into()), Some(ClientSecret::new(secret.into())))
            .set_redirect_uri(RedirectUrl::new(format!("{base}/callback")).map_err(|e| e.to_string())?);
        Ok(Portal {
            client,
            http,
            base: base.into(),
            end_session: discovery["end_session_endpoint"].as_str().map(str::to_string),
            sessions: Mutex::new(HashMap::new()),
            store: Store::open(database).await?,
        })
    }
}

pub fn router(portal: Arc<Portal>) -> Router {
    Router::new()
        .route("/", get(overview))
        .route("/login", get(login))
        .route("/callback", get(callback))
        .route("/link", get(link_form).post(link))
        .route("/logout", post(logout))
        .with_state(portal)
}

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

fn esc(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

fn page(title: &str, body: &str) -> Response {
    Html(format!("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t} · My Account</title></head><body><h1>{t}</h1>{body}</body></html>", t = esc(title))).into_response()
}

async fn overview(State(p): State<Arc<Portal>>, headers: HeaderMap) -> Response {
    let id = session_id(&headers).unwrap_or_default();
    let who = {
        let sessions = p.sessions.lock().unwrap_or_else(|e| e.into_inner());
        sessions.get(&id).and_then(|s| s.user.as_ref()).map(|u| (u.sub.clone(), u.name.clone(), u.email.clone()))
    };
    let Some((sub, name, email)) = who else {
        return page("My Account", "<p><a href=\"/login\">Sign in</a></p>");
    };
    let linked = match p.store.linked(&sub).await {
        Ok(linked) => linked,
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, page("Something went wrong", &esc(&e))).into_response(),
    };
    let contracts: String = linked
        .iter()
        .map(|a| {
            let payments: String = a.payments.iter().map(|(day, amount)| format!("<li>{} · {} EUR</li>", esc(day), esc(amount))).collect();
            format!("<section class=\"agreement\"><h2>{} · {}</h2><p>VIN {}</p><ul>{payments}</ul></section>", esc(&a.id), esc(&a.vehicle), esc(&a.vin))
        })
        .collect();
    let body = format!(
        "<p id=\"who\">{} · {}</p>{contracts}<p><a href=\"/link\">Link your account</a></p><form method=\"post\" action=\"/logout\"><button>Sign out</button></form>",
        esc(&name),
        esc(&email)
    );
    page("My Account", &body)
}

#[derive(Deserialize)]
struct LoginQuery {
    link: Option<String>,
}

/// Starts a sign-in; `?link=1` asks for a sign-in on a linked device.
async fn login(State(p): State<Arc<Portal>>, headers: HeaderMap, Query(q): Query<LoginQuery>) -> Response {
    let linking = q.link.as_deref() == Some("1");
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = p
        .client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge);
    if linking {
        request = request.add_auth_context_value(AuthenticationContextClass::new(DEVICE_ACR.into())).add_prompt(openidconnect::core::CoreAuthPrompt::Login);
    }
    let (url, state, nonce) = request.url();
    let id = session_id(&headers).unwrap_or_else(|| CsrfToken::new_random().secret().clone());
    p.sessions.lock().unwrap_or_else(|e| e.into_inner()).entry(id.clone()).or_default().pending = Some(Pending { state, nonce, verifier, linking });
    let cookie = format!("{COOKIE}={id}; HttpOnly; SameSite=Lax; Path=/");
    ([(header::SET_COOKIE, cookie)], Redirect::to(url.as_str())).into_response()
}

#[derive(Deserialize)]
struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

async fn callback(State(p): State<Arc<Portal>>, headers: HeaderMap, Query(q): Query<Callback>) -> Response {
    let id = session_id(&headers).unwrap_or_default();
    let pending = p.sessions.lock().unwrap_or_else(|e| e.into_inner()).get_mut(&id).and_then(|s| s.pending.take());
    let Some(pending) = pending else { return (StatusCode::BAD_REQUEST, page("Sign-in expired", "<p><a href=\"/login\">Sign in again</a></p>")).into_response() };
    if let Some(error) = q.error {
        return (StatusCode::BAD_REQUEST, page("Not signed in", &format!("<p>{}</p>", esc(&error)))).into_response();
    }
    if q.state.as_deref() != Some(pending.state.secret().as_str()) {
        return (StatusCode::BAD_REQUEST, page("Sign-in refused", "<p>The answer does not belong to this browser.</p>")).into_response();
    }
    let Some(code) = q.code else { return (StatusCode::BAD_REQUEST, page("Sign-in refused", "<p>No code.</p>")).into_response() };
    let exchanged = match p.client.exchange_code(AuthorizationCode::new(code)) {
        Ok(request) => request.set_pkce_verifier(pending.verifier).request_async(&p.http).await,
        Err(e) => return (StatusCode::BAD_GATEWAY, page("Sign-in failed", &esc(&e.to_string()))).into_response(),
    };
    let Ok(tokens) = exchanged else { return (StatusCode::BAD_GATEWAY, page("Sign-in failed", "<p>The code could not be exchanged.</p>")).into_response() };
    let Some(id_token) = tokens.id_token() else { return (StatusCode::BAD_GATEWAY, page("Sign-in failed", "<p>No ID token.</p>")).into_response() };
    let claims = match id_token.claims(&p.client.id_token_verifier(), &pending.nonce) {
        Ok(claims) => claims.clone(),
        Err(_) => return (StatusCode::BAD_REQUEST, page("Sign-in refused", "<p>The ID token does not verify.</p>")).into_response(),
    };
    // Linking needs a sign-in on a linked device, as the ID token says it was.
    let on_device = claims.auth_context_ref().is_some_and(|acr| acr.as_str() == DEVICE_ACR);
    if pending.linking && !on_device {
        return (StatusCode::FORBIDDEN, page("Device check needed", "<p>Linking needs a sign-in confirmed on your device.</p>")).into_response();
    }
    let name = claims.name().and_then(|n| n.get(None)).map(|n| n.to_string()).unwrap_or_default();
    let email = claims.email().map(|e| e.to_string()).unwrap_or_default();
    let user = User { sub: claims.subject().to_string(), name, email, id_token: id_token.to_string(), device_at: on_device.then(now) };
    p.sessions.lock().unwrap_or_else(|e| e.into_inner()).entry(id).or_default().user = Some(user);
    Redirect::to(if pending.linking { "/link" } else { "/" }).into_response()
}

/// The signed-in person's sub, and whether their device sign-in allows linking.
fn signed_in(p: &Portal, headers: &HeaderMap) -> Option<(String, bool)> {
    let id = session_id(headers)?;
    let sessions = p.sessions.lock().unwrap_or_else(|e| e.into_inner());
    let user = sessions.get(&id)?.user.as_ref()?;
    Some((user.sub.clone(), user.device_at.is_some_and(|at| now() - at < LINK_WINDOW)))
}

async fn link_form(State(p): State<Arc<Portal>>, headers: HeaderMap) -> Response {
    match signed_in(&p, &headers) {
        None => Redirect::to("/login").into_response(),
        Some((_, false)) => Redirect::to("/login?link=1").into_response(),
        Some(_) => page(
            "Link your account",
            "<form method=\"post\" action=\"/link\"><label>Given name <input name=\"given_name\" autocomplete=\"given-name\"></label><label>Family name <input name=\"family_name\" autocomplete=\"family-name\"></label><label>Date of birth <input name=\"birth_date\" type=\"date\" autocomplete=\"bday\"></label><label>VIN <input name=\"vin\"></label><label>Last payment (EUR) <input name=\"last_payment\" inputmode=\"decimal\"></label><p>or</p><label>Customer ID <input name=\"customer_id\"></label><button>Link</button></form>",
        ),
    }
}

async fn link(State(p): State<Arc<Portal>>, headers: HeaderMap, Form(form): Form<LinkRequest>) -> Response {
    let Some((sub, allowed)) = signed_in(&p, &headers) else { return Redirect::to("/login").into_response() };
    if !allowed {
        return Redirect::to("/login?link=1").into_response();
    }
    match p.store.find(&form).await {
        Ok(Ok(agreement)) => match p.store.link(&sub, &agreement.id).await {
            Ok(()) => Redirect::to("/").into_response(),
            Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, page("Something went wrong", &esc(&e))).into_response(),
        },
        Ok(Err(why)) => (StatusCode::UNPROCESSABLE_ENTITY, page("Link your account", &format!("<p class=\"error\">{}</p><p><a href=\"/link\">Try again</a></p>", esc(why)))).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, page("Something went wrong", &esc(&e))).into_response(),
    }
}

/// RP-initiated logout (OIDC RP-Initiated Logout 1.0): the portal's session ends here,
/// oneid's at its end-session endpoint.
async fn logout(State(p): State<Arc<Portal>>, headers: HeaderMap) -> Response {
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
