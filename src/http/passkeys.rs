//! Passkey pages and the JSON endpoints `webauthn.js` calls. The JSON endpoints take
//! the page's CSRF token in `X-CSRF-Token`; answers are `{"error": …}` on failure.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::passkeys::{self, PasskeyError};
use crate::auth::acr;
use crate::paths;
use crate::protocol::authorize;
use crate::state::AppState;
use crate::store::User;

use super::error::ErrorPage;
use super::extract::{BadForm, FormParams, Meta};
use super::login::{after_login, local_next, start_session};
use super::pages::{Page, csrf_token, csrf_valid, current_session};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(paths::ACCOUNT_PASSKEYS, get(passkeys_get).post(register_post))
        .route(paths::ACCOUNT_PASSKEYS_OPTIONS, post(register_options_post))
        .route(paths::ACCOUNT_PASSKEYS_REMOVE, post(remove_post))
        .route(paths::LOGIN_PASSKEY_OPTIONS, post(sign_in_options_post))
        .route(paths::LOGIN_PASSKEY, post(sign_in_post))
}

fn json_error(status: StatusCode, error: &str) -> Response {
    (status, Json(json!({ "error": error }))).into_response()
}

fn failed(e: PasskeyError) -> Response {
    match e {
        PasskeyError::Rejected => json_error(StatusCode::BAD_REQUEST, "the passkey could not be verified"),
        PasskeyError::Unavailable => json_error(StatusCode::NOT_FOUND, "passkeys are not available on this server"),
        other => {
            tracing::error!(error = %other, "passkey ceremony failed");
            json_error(StatusCode::INTERNAL_SERVER_ERROR, "the service could not complete the request")
        }
    }
}

/// The JSON call's CSRF header, checked against the browser's CSRF cookie.
fn csrf_header_valid(s: &AppState, jar: &CookieJar, headers: &HeaderMap) -> bool {
    csrf_valid(s, jar, headers.get("x-csrf-token").and_then(|v| v.to_str().ok()))
}

/// The signed-in user of a JSON call, or the error to answer with.
async fn json_user(s: &AppState, jar: &CookieJar, headers: &HeaderMap) -> Result<User, Response> {
    if !csrf_header_valid(s, jar, headers) {
        return Err(json_error(StatusCode::FORBIDDEN, "the page has expired; reload it"));
    }
    let session = current_session(s, jar).await.map_err(|e| ErrorPage::from(e).into_response())?;
    let Some(session) = session.filter(|session| crate::auth::session::is_recent(s.ctx(), session)) else {
        return Err(json_error(StatusCode::UNAUTHORIZED, "sign in again first"));
    };
    match s.ctx().store.user_by_id(&session.user_id).await {
        Ok(Some(user)) if !user.disabled => Ok(user),
        Ok(_) => Err(json_error(StatusCode::UNAUTHORIZED, "sign in first")),
        Err(e) => Err(ErrorPage::from(e).into_response()),
    }
}

async fn passkeys_get(State(s): State<AppState>, jar: CookieJar, super::extract::QueryParams(params): super::extract::QueryParams) -> Response {
    let session = match current_session(&s, &jar).await {
        Ok(Some(session)) if crate::auth::session::is_recent(s.ctx(), &session) => session,
        Ok(_) => return Redirect::to(&super::pages::with_query(&s.url_path(paths::LOGIN), "next", &s.url_path(paths::ACCOUNT_PASSKEYS))).into_response(),
        Err(e) => return ErrorPage::from(e).into_response(),
    };
    let user = match s.ctx().store.user_by_id(&session.user_id).await {
        Ok(Some(user)) => user,
        Ok(None) => return ErrorPage::expired().into_response(),
        Err(e) => return ErrorPage::from(e).into_response(),
    };
    let list = match passkeys::list(s.ctx(), &user).await {
        Ok(list) => list,
        Err(e) => return ErrorPage::internal(e).into_response(),
    };
    let day = |at: i64| time::OffsetDateTime::from_unix_timestamp(at).map(|t| t.date().to_string()).unwrap_or_default();
    let rows: Vec<(String, String, String, Option<String>)> = list.into_iter().map(|p| (p.id, p.name, day(p.created_at), p.last_used_at.map(day))).collect();
    let notice = (params.get("notice").ok().flatten() == Some("removed")).then_some("passkeys-removed-notice");
    let (jar, csrf) = csrf_token(&s, jar);
    let page = Page::new("account/passkeys.html")
        .with("csrf", csrf)
        .with("passkeys", rows)
        .with("notice", notice)
        .with("default_name", session.user_agent.as_deref().map(device_name).unwrap_or_default())
        .user_lang(user.locale.as_deref());
    (jar, page).into_response()
}

/// A short name for a new passkey from the browser's user agent: "Chrome on Linux".
fn device_name(user_agent: &str) -> String {
    let browser = ["Edg", "Firefox", "Chrome", "Safari"].into_iter().find(|b| user_agent.contains(b)).map(|b| if b == "Edg" { "Edge" } else { b });
    let system = ["Android", "iPhone", "iPad", "Windows", "Mac OS", "Linux"].into_iter().find(|s| user_agent.contains(s)).map(|s| if s == "Mac OS" { "macOS" } else { s });
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} · {s}"),
        (Some(one), None) | (None, Some(one)) => one.to_string(),
        (None, None) => "Passkey".into(),
    }
}

async fn register_options_post(State(s): State<AppState>, jar: CookieJar, headers: HeaderMap) -> Response {
    let user = match json_user(&s, &jar, &headers).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    match passkeys::start_registration(s.ctx(), &user).await {
        Ok(started) => Json(json!({ "ceremony": started.ceremony, "options": started.options })).into_response(),
        Err(e) => failed(e),
    }
}

#[derive(Deserialize)]
struct Registration {
    ceremony: String,
    #[serde(default)]
    name: String,
    credential: Value,
}

async fn register_post(State(s): State<AppState>, jar: CookieJar, headers: HeaderMap, Meta(meta): Meta, body: Result<Json<Registration>, axum::extract::rejection::JsonRejection>) -> Response {
    let user = match json_user(&s, &jar, &headers).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    let Ok(Json(body)) = body else { return json_error(StatusCode::BAD_REQUEST, "the request could not be read") };
    match passkeys::finish_registration(s.ctx(), &user, &body.ceremony, body.credential, &body.name).await {
        Ok(passkey) => {
            s.ctx().audit("passkey_added", &meta, Some(&user.id), None, json!({ "name": passkey.name })).await;
            crate::account::notify_passkey_added(s.ctx(), &user, &passkey.name);
            Json(json!({ "added": passkey.name })).into_response()
        }
        Err(e) => failed(e),
    }
}

async fn remove_post(State(s): State<AppState>, jar: CookieJar, Meta(meta): Meta, form: Result<FormParams, BadForm>) -> Response {
    let Ok(FormParams(params)) = form else { return ErrorPage::unreadable_form().into_response() };
    if !csrf_valid(&s, &jar, params.get("csrf").ok().flatten()) {
        return ErrorPage::form_expired().into_response();
    }
    let user = match current_session(&s, &jar).await {
        Ok(Some(session)) => s.ctx().store.user_by_id(&session.user_id).await.ok().flatten(),
        _ => None,
    };
    let Some(user) = user else { return Redirect::to(&s.url_path(paths::LOGIN)).into_response() };
    match passkeys::remove(s.ctx(), &user, params.get("id").ok().flatten().unwrap_or("")).await {
        Ok(removed) => {
            if removed {
                s.ctx().audit("passkey_removed", &meta, Some(&user.id), None, json!({})).await;
            }
            Redirect::to(&format!("{}?notice=removed", s.url_path(paths::ACCOUNT_PASSKEYS))).into_response()
        }
        Err(e) => ErrorPage::internal(e).into_response(),
    }
}

async fn sign_in_options_post(State(s): State<AppState>, jar: CookieJar, headers: HeaderMap) -> Response {
    if !csrf_header_valid(&s, &jar, &headers) {
        return json_error(StatusCode::FORBIDDEN, "the page has expired; reload it");
    }
    match passkeys::start_sign_in(s.ctx()).await {
        Ok(started) => Json(json!({ "ceremony": started.ceremony, "options": started.options })).into_response(),
        Err(e) => failed(e),
    }
}

#[derive(Deserialize)]
struct SignIn {
    ceremony: String,
    credential: Value,
    #[serde(default)]
    request: Option<String>,
    #[serde(default)]
    next: Option<String>,
}

/// A passkey sign-in: multi-factor and phishing resistant, so no second factor follows.
async fn sign_in_post(State(s): State<AppState>, jar: CookieJar, headers: HeaderMap, Meta(meta): Meta, body: Result<Json<SignIn>, axum::extract::rejection::JsonRejection>) -> Response {
    if !csrf_header_valid(&s, &jar, &headers) {
        return json_error(StatusCode::FORBIDDEN, "the page has expired; reload it");
    }
    let Ok(Json(body)) = body else { return json_error(StatusCode::BAD_REQUEST, "the request could not be read") };
    let ctx = s.ctx();
    let signed = match passkeys::finish_sign_in(ctx, &body.ceremony, body.credential).await {
        Ok(signed) => signed,
        Err(e) => {
            ctx.audit("login_failed", &meta, None, None, json!({ "method": "passkey" })).await;
            return failed(e);
        }
    };
    ctx.audit("login_succeeded", &meta, Some(&signed.user.id), None, json!({ "method": "passkey", "synced": signed.synced })).await;
    metrics::counter!("oneid_logins_total", "result" => "success").increment(1);
    let key = if signed.synced { acr::AMR_SOFTWARE_KEY } else { acr::AMR_HARDWARE_KEY };
    let jar = match start_session(&s, jar, &signed.user, &[key, acr::AMR_USER_PRESENCE, acr::AMR_MFA], acr::PHISHING_RESISTANT, &meta).await {
        Ok((jar, _)) => jar,
        Err(page) => return page.into_response(),
    };
    let request = match body.request.as_deref() {
        Some(handle) => authorize::load_pending(ctx, handle).await.ok().flatten().map(|_| handle),
        None => None,
    };
    let redirect = after_login(&s, request, local_next(body.next.as_deref()));
    (jar, Json(json!({ "redirect": redirect }))).into_response()
}
