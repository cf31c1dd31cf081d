//! The pages where a person links a device (RFC 8628 `verification_uri`): type the code
//! the device shows (or arrive with it in the link), sign in, check what the device
//! asks for, allow or deny.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use serde_json::json;

use crate::paths;
use crate::protocol::device;
use crate::state::AppState;

use super::error::ErrorPage;
use super::extract::{BadForm, FormParams, Meta, QueryParams};
use super::pages::{Page, csrf_token, csrf_valid, current_session, with_query};
use super::register::notice;

pub fn routes() -> Router<AppState> {
    Router::new().route(paths::DEVICE, get(device_get).post(device_post)).route(paths::DEVICE_DECIDE, post(decide_post))
}

fn code_page(s: &AppState, jar: CookieJar, typed: &str, error: Option<&str>) -> Response {
    let (jar, csrf) = csrf_token(s, jar);
    let status = if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    (jar, Page::new("device/code.html").with("csrf", csrf).with("user_code", typed).with("error", error).status(status)).into_response()
}

/// With a code in the link and a session: what the device asks for. Without a session:
/// sign in first, then back here.
async fn device_get(State(s): State<AppState>, jar: CookieJar, QueryParams(params): QueryParams) -> Response {
    let Some(typed) = params.get("user_code").ok().flatten() else { return code_page(&s, jar, "", None) };
    let (client, record) = match device::pending(s.ctx(), typed).await {
        Ok(Some(found)) => found,
        Ok(None) => return code_page(&s, jar, typed, Some("device-code-unknown")),
        Err(e) => return ErrorPage::from(e).into_response(),
    };
    let here = with_query(&s.url_path(paths::DEVICE), "user_code", &record.user_code);
    let session = match current_session(&s, &jar).await {
        Ok(Some(session)) => session,
        Ok(None) => return Redirect::to(&with_query(&s.url_path(paths::LOGIN), "next", &here)).into_response(),
        Err(e) => return ErrorPage::from(e).into_response(),
    };
    let email = s.ctx().store.user_by_id(&session.user_id).await.ok().flatten().map(|u| u.email).unwrap_or_default();
    let scopes: Vec<(&str, String)> = crate::protocol::scopes::Scopes::parse(&record.scope)
        .map(|s| s.names().into_iter().map(super::consent::describe).collect())
        .unwrap_or_default();
    let (jar, csrf) = csrf_token(&s, jar);
    let page = Page::new("device/confirm.html")
        .with("csrf", csrf)
        .with("client_name", &client.name)
        .with("user_code", &record.user_code)
        .with("email", email)
        .with("scopes", scopes)
        .brand(&client.brand)
        .switch_url(here);
    (jar, page).into_response()
}

async fn device_post(State(s): State<AppState>, jar: CookieJar, form: Result<FormParams, BadForm>) -> Response {
    let Ok(FormParams(params)) = form else { return ErrorPage::unreadable_form().into_response() };
    if !csrf_valid(&s, &jar, params.get("csrf").ok().flatten()) {
        return ErrorPage::form_expired().into_response();
    }
    let typed = params.get("user_code").ok().flatten().unwrap_or("");
    match device::normalize_user_code(typed) {
        Some(code) => Redirect::to(&with_query(&s.url_path(paths::DEVICE), "user_code", &code)).into_response(),
        None => code_page(&s, jar, typed, Some("device-code-unknown")),
    }
}

async fn decide_post(State(s): State<AppState>, jar: CookieJar, Meta(meta): Meta, form: Result<FormParams, BadForm>) -> Response {
    let Ok(FormParams(params)) = form else { return ErrorPage::unreadable_form().into_response() };
    if !csrf_valid(&s, &jar, params.get("csrf").ok().flatten()) {
        return ErrorPage::form_expired().into_response();
    }
    let session = match current_session(&s, &jar).await {
        Ok(Some(session)) => session,
        Ok(None) => return Redirect::to(&s.url_path(paths::DEVICE)).into_response(),
        Err(e) => return ErrorPage::from(e).into_response(),
    };
    let user_code = params.get("user_code").ok().flatten().unwrap_or("");
    let allow = params.get("decision").ok().flatten() == Some("allow");
    match device::decide(s.ctx(), user_code, &session, allow).await {
        Ok(true) => {
            let event = if allow { "device_approved" } else { "device_denied" };
            s.ctx().audit(event, &meta, Some(&session.user_id), None, json!({})).await;
            let text = if allow { "device-approved" } else { "device-denied" };
            notice("device-title", text).into_response()
        }
        Ok(false) => code_page(&s, jar, user_code, Some("device-code-unknown")),
        Err(e) => ErrorPage::from(e).into_response(),
    }
}
