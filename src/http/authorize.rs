//! `/authorize` and the steps that return to it: resume after login or consent, and
//! cancel. The protocol module decides; this turns its answers into redirects, the
//! login page, the form-post page, or error pages.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;

use crate::paths;
use crate::protocol::authorize::{self, AuthorizationRequest, AuthorizationResponse, AuthorizeError, Next, ResponseMode};
use crate::protocol::clients::Client;
use crate::protocol::params::Params;
use crate::state::AppState;
use crate::store::SessionRecord;

use super::error::ErrorPage;
use super::extract::{BadForm, FormParams, QueryParams};
use super::pages::{Page, csrf_valid, current_session};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(paths::AUTHORIZE, get(authorize_get).post(authorize_post))
        .route(paths::AUTHORIZE_RESUME, get(resume_get))
        .route(paths::AUTHORIZE_CANCEL, post(cancel_post))
}

async fn authorize_get(State(s): State<AppState>, jar: CookieJar, QueryParams(params): QueryParams) -> Response {
    authorize(&s, jar, &params).await
}

/// A POSTed request comes from the client's site, so the browser withholds our
/// SameSite=Lax session cookie; as a GET it gets the cookie and behaves the same.
async fn authorize_post(State(s): State<AppState>, form: Result<FormParams, BadForm>) -> Response {
    match form {
        Ok(FormParams(params)) => Redirect::to(&format!("{}?{}", s.url_path(paths::AUTHORIZE), params.to_query())).into_response(),
        Err(_) => ErrorPage::unreadable_form().into_response(),
    }
}

async fn authorize(s: &AppState, jar: CookieJar, params: &Params) -> Response {
    let (client, request) = match authorize::validate(s.ctx(), params).await {
        Ok(valid) => valid,
        Err(AuthorizeError::Untrusted(message)) => return ErrorPage::bad_request(message).into_response(),
        Err(AuthorizeError::Client(reply, error)) => return respond(reply.error(s.ctx(), &error)),
    };
    // A pushed request's `request_uri` works once, so its login page gets an address of
    // its own (a redirect) that still works when the page is reloaded.
    let pushed = params.get("request_uri").ok().flatten().is_some();
    match current_session(s, &jar).await {
        Ok(session) => advance(s, &client, request, session.as_ref(), None, (!pushed).then_some(jar)).await,
        Err(e) => ErrorPage::from(e).into_response(),
    }
}

/// Takes a validated request one step further. `handle` names the stored request
/// when the user is already in the middle of the flow.
pub async fn proceed(s: &AppState, client: &Arc<Client>, request: AuthorizationRequest, session: Option<&SessionRecord>, handle: Option<&str>) -> Response {
    advance(s, client, request, session, handle, None).await
}

/// `proceed`; with the browser's cookies (`jar`) a sign-in it needs is this response,
/// the login page, sparing the browser a redirect to it.
async fn advance(s: &AppState, client: &Arc<Client>, request: AuthorizationRequest, session: Option<&SessionRecord>, handle: Option<&str>, jar: Option<CookieJar>) -> Response {
    let ctx = s.ctx();
    // A stored request is answered once: a second tab or a form sent twice finds it gone.
    match (authorize::next_step(ctx, client, &request, session).await, session) {
        (Err(error), _) => match handle {
            Some(handle) if !matches!(authorize::take_pending(ctx, handle).await, Ok(Some(_))) => ErrorPage::expired().into_response(),
            _ => respond(request.reply.error(ctx, &error)),
        },
        (Ok(Next::Issue), Some(session)) => match authorize::issue_code(ctx, &request, session, handle).await {
            Ok(Some(response)) => respond(response),
            Ok(None) => ErrorPage::expired().into_response(),
            Err(error) => respond(request.reply.error(ctx, &error)),
        },
        (Ok(step), _) => {
            let handle = match handle {
                Some(handle) => handle.to_string(),
                None => match authorize::save_pending(ctx, &request).await {
                    Ok(handle) => handle,
                    Err(error) => return respond(request.reply.error(ctx, &error)),
                },
            };
            match (step, jar) {
                (Next::Login, Some(jar)) => super::login::page_for_request(s, jar, client.clone(), request, &handle),
                (Next::Consent, _) => Redirect::to(&with_request(&s.url_path(paths::CONSENT), &handle)).into_response(),
                _ => Redirect::to(&with_request(&s.url_path(paths::LOGIN), &handle)).into_response(),
            }
        }
    }
}

/// After login or consent: continue the stored request.
async fn resume_get(State(s): State<AppState>, jar: CookieJar, QueryParams(params): QueryParams) -> Response {
    let Some(handle) = params.get("request").ok().flatten() else { return ErrorPage::expired().into_response() };
    let pending = match authorize::load_pending(s.ctx(), handle).await {
        Ok(Some(pending)) => pending,
        Ok(None) => return ErrorPage::expired().into_response(),
        Err(e) => return ErrorPage::from(e).into_response(),
    };
    match current_session(&s, &jar).await {
        Ok(session) => proceed(&s, &pending.0, pending.1, session.as_ref(), Some(handle)).await,
        Err(e) => ErrorPage::from(e).into_response(),
    }
}

/// "Cancel" on a sign-in page: the client hears `access_denied`. The login page names
/// its request; the later steps (codes, device check) are this browser's pending sign-in.
async fn cancel_post(State(s): State<AppState>, jar: CookieJar, form: Result<FormParams, BadForm>) -> Response {
    let Ok(FormParams(params)) = form else { return ErrorPage::unreadable_form().into_response() };
    if !csrf_valid(&s, &jar, params.get("csrf").ok().flatten()) {
        return ErrorPage::form_expired().into_response();
    }
    let handle = match params.get("request").ok().flatten() {
        Some(handle) => handle.to_string(),
        None => match super::second_factor::pending_login(&s, &jar).await {
            Ok((_, record, _, _)) => match record.request {
                Some(handle) => handle,
                None => return ErrorPage::expired().into_response(),
            },
            Err(page) => return page,
        },
    };
    let jar = super::pages::clear_pending_login_cookie(&s, jar);
    match authorize::take_pending(s.ctx(), &handle).await {
        Ok(Some((_, request))) => (jar, respond(request.reply.error(s.ctx(), &authorize::access_denied()))).into_response(),
        Ok(None) => ErrorPage::expired().into_response(),
        Err(e) => ErrorPage::from(e).into_response(),
    }
}

/// Sends the authorization response: a 303 redirect (RFC 9700 §4.11: never 307), or
/// for `response_mode=form_post` a page that posts it.
pub fn respond(response: AuthorizationResponse) -> Response {
    match response.response_mode {
        ResponseMode::Query => Redirect::to(&response.redirect_url()).into_response(),
        ResponseMode::FormPost => Page::new("login/form_post.html")
            .with("action", &response.redirect_uri)
            .with("params", &response.params)
            .form_target(&response.redirect_uri)
            .into_response(),
    }
}

pub fn with_request(path: &str, handle: &str) -> String {
    let query = form_urlencoded::Serializer::new(String::new()).append_pair("request", handle).finish();
    format!("{path}?{query}")
}
