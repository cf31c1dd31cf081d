//! RP-initiated logout: `/logout` by GET or POST from a client, and the confirmation
//! form the user submits (recognised by its CSRF token).

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::CookieJar;

use crate::audit::RequestMeta;
use crate::auth::session;
use crate::paths;
use crate::protocol::logout::{self, LogoutRequest};
use crate::protocol::params::Params;
use crate::state::AppState;

use super::error::ErrorPage;
use super::extract::{BadForm, FormParams, Meta, QueryParams};
use super::pages::{Page, clear_session_cookie, csrf_token, csrf_valid, current_session};

pub fn routes() -> Router<AppState> {
    Router::new().route(paths::LOGOUT, get(logout_get).post(logout_post))
}

async fn logout_get(State(s): State<AppState>, jar: CookieJar, Meta(meta): Meta, QueryParams(params): QueryParams) -> Response {
    logout(&s, jar, &params, false, &meta).await
}

async fn logout_post(State(s): State<AppState>, jar: CookieJar, Meta(meta): Meta, form: Result<FormParams, BadForm>) -> Response {
    let Ok(FormParams(params)) = form else { return ErrorPage::unreadable_form().into_response() };
    // Our own confirmation form carries a CSRF token. A client's POST does not, and
    // comes cross-site without our SameSite=Lax session cookie: as a GET it gets it.
    match params.get("csrf").ok().flatten() {
        Some(token) if csrf_valid(&s, &jar, Some(token)) => logout(&s, jar, &params, true, &meta).await,
        Some(_) => ErrorPage::form_expired().into_response(),
        None => Redirect::to(&format!("{}?{}", s.url_path(paths::LOGOUT), params.to_query())).into_response(),
    }
}

async fn logout(s: &AppState, jar: CookieJar, params: &Params, confirmed: bool, meta: &RequestMeta) -> Response {
    let request = match logout::validate(s.ctx(), params).await {
        Ok(request) => request,
        Err(message) => return sign_out_error(message),
    };
    let session = match current_session(s, &jar).await {
        Ok(session) => session,
        Err(e) => return ErrorPage::from(e).into_response(),
    };
    let Some(session) = session else { return finish(jar, &request) };
    if !confirmed && request.needs_confirmation(&session) {
        return confirm_page(s, jar, &request, &session.user_id).await;
    }
    if let Err(e) = session::end(s.ctx(), &session.sid, "logout", meta).await {
        return ErrorPage::from(e).into_response();
    }
    let jar = clear_session_cookie(s, jar);
    finish(jar, &request)
}

fn finish(jar: CookieJar, request: &LogoutRequest) -> Response {
    match request.redirect_url() {
        Some(url) => (jar, Redirect::to(&url)).into_response(),
        None => (jar, Page::new("logout/done.html")).into_response(),
    }
}

async fn confirm_page(s: &AppState, jar: CookieJar, request: &LogoutRequest, user_id: &str) -> Response {
    let email = match s.ctx().store.user_by_id(user_id).await {
        Ok(user) => user.map(|u| u.email),
        Err(e) => return ErrorPage::from(e).into_response(),
    };
    let mut params: Vec<(&str, String)> = Vec::new();
    if let Some(client) = &request.client {
        params.push(("client_id", client.id.clone()));
    }
    if let Some(uri) = &request.redirect_uri {
        params.push(("post_logout_redirect_uri", uri.clone()));
    }
    if let Some(state) = &request.state {
        params.push(("state", state.clone()));
    }
    let (jar, csrf) = csrf_token(s, jar);
    let mut page = Page::new("logout/confirm.html")
        .with("csrf", csrf)
        .with("params", params)
        .with("email", email)
        .with("client_name", request.client.as_ref().map(|c| c.name.clone()));
    if let Some(uri) = &request.redirect_uri {
        page = page.form_target(uri);
    }
    if let Some(client) = &request.client {
        page = page.brand(&client.brand);
    }
    (jar, page).into_response()
}

fn sign_out_error(message: &'static str) -> Response {
    ErrorPage::new(axum::http::StatusCode::BAD_REQUEST, "error-logout-title", message, "error-logout-advice").into_response()
}
