//! The password login page. A successful login starts a new browser session (the old
//! one, if any, ends: no session fixation) and returns to the pending authorization
//! request, or to the home page when the user came directly.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::CookieJar;

use crate::auth::login::{self, LoginError};
use crate::auth::{acr, session};
use crate::paths;
use crate::protocol::authorize::{self, AuthorizationRequest};
use crate::protocol::clients::Client;
use crate::state::AppState;

use super::authorize::with_request;
use super::error::ErrorPage;
use super::extract::{BadForm, FormParams, Meta, QueryParams};
use super::pages::{Page, csrf_token, csrf_valid, current_session, set_session_cookie};

pub fn routes() -> Router<AppState> {
    Router::new().route(paths::LOGIN, get(login_get).post(login_post))
}

type Pending = Option<(Arc<Client>, AuthorizationRequest)>;

async fn pending(s: &AppState, handle: Option<&str>) -> Result<Pending, ErrorPage> {
    let Some(handle) = handle else { return Ok(None) };
    match authorize::load_pending(s.ctx(), handle).await {
        Ok(Some(found)) => Ok(Some(found)),
        Ok(None) => Err(ErrorPage::expired()),
        Err(e) => Err(e.into()),
    }
}

fn login_page(s: &AppState, jar: CookieJar, pending: &Pending, handle: Option<&str>, email: &str, error: Option<&str>) -> Response {
    let (jar, csrf) = csrf_token(s, jar);
    let mut page = Page::new("login/password.html")
        .with("csrf", csrf)
        .with("request", handle)
        .with("email", email)
        .with("error", error)
        .with("client_name", pending.as_ref().map(|(c, _)| c.name.as_str()))
        .with("cancel_url", pending.as_ref().map(|_| s.url_path(paths::AUTHORIZE_CANCEL)));
    if let Some((client, request)) = pending {
        // The login form ends in a redirect to the client.
        page = page.form_target(&request.reply.redirect_uri).with("brand", &client.brand);
    }
    (jar, page).into_response()
}

async fn login_get(State(s): State<AppState>, jar: CookieJar, QueryParams(params): QueryParams) -> Response {
    let handle = params.get("request").ok().flatten();
    let pending = match pending(&s, handle).await {
        Ok(p) => p,
        Err(page) => return page.into_response(),
    };
    let hint = pending.as_ref().and_then(|(_, r)| r.login_hint.clone()).unwrap_or_default();
    login_page(&s, jar, &pending, handle, &hint, None)
}

async fn login_post(State(s): State<AppState>, jar: CookieJar, Meta(meta): Meta, form: Result<FormParams, BadForm>) -> Response {
    let Ok(FormParams(params)) = form else { return ErrorPage::bad_request("The sign-in form could not be read.").into_response() };
    let field = |name| params.get(name).ok().flatten();
    let handle = field("request");
    let pending = match pending(&s, handle).await {
        Ok(p) => p,
        Err(page) => return page.into_response(),
    };
    let email = field("email").unwrap_or("");
    if !csrf_valid(&s, &jar, field("csrf")) {
        return login_page(&s, jar, &pending, handle, email, Some("Your sign-in form expired. Please enter your details again."));
    }
    let password = field("password").unwrap_or("").to_string();
    let user = match login::with_password(s.ctx(), email, password, &meta).await {
        Ok(user) => user,
        Err(LoginError::InvalidCredentials) => {
            return login_page(&s, jar, &pending, handle, email, Some("The email address or password is not correct."));
        }
        Err(LoginError::Busy) => return ErrorPage::busy().into_response(),
        Err(LoginError::Internal(e)) => return ErrorPage::internal(e).into_response(),
    };
    if let Ok(Some(previous)) = current_session(&s, &jar).await {
        if let Err(e) = session::end(s.ctx(), &previous.sid, "replaced_by_login", &meta).await {
            return ErrorPage::from(e).into_response();
        }
    }
    let started = match session::start(s.ctx(), &user, &[acr::AMR_PASSWORD], acr::SINGLE_FACTOR, &meta).await {
        Ok(started) => started,
        Err(e) => return ErrorPage::from(e).into_response(),
    };
    let jar = set_session_cookie(&s, jar, started.cookie_value);
    let next = match handle {
        Some(handle) => with_request(&s.url_path(paths::AUTHORIZE_RESUME), handle),
        None => s.url_path(paths::HOME),
    };
    (jar, Redirect::to(&next)).into_response()
}
