//! The consent page (OIDC Core §3.1.2.4): what the client asks for, in words, with
//! Allow and Deny. Allowing remembers the scopes for this user and client.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::CookieJar;

use crate::paths;
use crate::protocol::authorize::{self, Next};
use crate::state::AppState;

use super::authorize::{proceed, respond, with_request};
use super::error::ErrorPage;
use super::extract::{BadForm, FormParams, QueryParams};
use super::pages::{Page, csrf_token, csrf_valid, current_session};

pub fn routes() -> Router<AppState> {
    Router::new().route(paths::CONSENT, get(consent_get).post(consent_post))
}

/// The message key that describes a scope, and the scope itself for the generic one.
pub fn describe(scope: &str) -> (&'static str, String) {
    let key = match scope {
        "openid" => "scope-openid",
        "profile" => "scope-profile",
        "email" => "scope-email",
        "phone" => "scope-phone",
        "address" => "scope-address",
        "offline_access" => "scope-offline-access",
        _ => "scope-other",
    };
    (key, scope.to_string())
}

async fn consent_get(State(s): State<AppState>, jar: CookieJar, QueryParams(params): QueryParams) -> Response {
    let Some(handle) = params.get("request").ok().flatten() else { return ErrorPage::expired().into_response() };
    let ctx = s.ctx();
    let (client, request) = match authorize::load_pending(ctx, handle).await {
        Ok(Some(found)) => found,
        Ok(None) => return ErrorPage::expired().into_response(),
        Err(e) => return ErrorPage::from(e).into_response(),
    };
    let session = match current_session(&s, &jar).await {
        Ok(session) => session,
        Err(e) => return ErrorPage::from(e).into_response(),
    };
    let (Some(session), Ok(Next::Consent)) = (&session, authorize::next_step(ctx, &client, &request, session.as_ref()).await) else {
        // Nothing to consent to (yet): let the flow decide what comes next.
        return Redirect::to(&with_request(&s.url_path(paths::AUTHORIZE_RESUME), handle)).into_response();
    };
    let email = match ctx.store.user_by_id(&session.user_id).await {
        Ok(user) => user.map(|u| u.email).unwrap_or_default(),
        Err(e) => return ErrorPage::from(e).into_response(),
    };
    let scopes: Vec<(&str, String)> = request.scopes().names().into_iter().map(describe).collect();
    let (jar, csrf) = csrf_token(&s, jar);
    // The client's name comes with the flow (flow_page).
    let page = Page::new("login/consent.html")
        .with("email", email)
        .with("scopes", scopes)
        .with("csrf", csrf)
        .with("request", handle);
    let here = with_request(&s.url_path(paths::CONSENT), handle);
    let page = super::login::flow_page(&s, page, &Some((client.clone(), request.clone())), here);
    (jar, page).into_response()
}

async fn consent_post(State(s): State<AppState>, jar: CookieJar, form: Result<FormParams, BadForm>) -> Response {
    let Ok(FormParams(params)) = form else { return ErrorPage::unreadable_form().into_response() };
    let field = |name| params.get(name).ok().flatten();
    if !csrf_valid(&s, &jar, field("csrf")) {
        return ErrorPage::form_expired().into_response();
    }
    let Some(handle) = field("request") else { return ErrorPage::expired().into_response() };
    let ctx = s.ctx();
    let (client, request) = match authorize::load_pending(ctx, handle).await {
        Ok(Some(found)) => found,
        Ok(None) => return ErrorPage::expired().into_response(),
        Err(e) => return ErrorPage::from(e).into_response(),
    };
    if field("decision") != Some("allow") {
        return match authorize::take_pending(ctx, handle).await {
            Ok(Some(_)) => respond(request.reply.error(ctx, &authorize::access_denied())),
            Ok(None) => ErrorPage::expired().into_response(),
            Err(e) => ErrorPage::from(e).into_response(),
        };
    }
    let session = match current_session(&s, &jar).await {
        Ok(Some(session)) => session,
        Ok(None) => return Redirect::to(&with_request(&s.url_path(paths::LOGIN), handle)).into_response(),
        Err(e) => return ErrorPage::from(e).into_response(),
    };
    if let Err(e) = authorize::grant_consent(ctx, &request, &session.user_id).await {
        return ErrorPage::from(e).into_response();
    }
    // Consent is recorded, so a prompt=consent is satisfied for this request.
    let mut request = request;
    request.prompt.retain(|p| p != "consent");
    proceed(&s, &client, request, Some(&session), Some(handle)).await
}
