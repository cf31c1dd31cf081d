//! Signing in to the console through oneid's own authorization endpoint, and out.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::SameSite;

use crate::admin::console::{self, Flow, Refused};
use crate::audit::RequestMeta;
use crate::crypto;
use crate::paths;
use crate::state::AppState;

use super::super::error::ErrorPage;
use super::super::extract::{BadForm, FormParams, Meta, QueryParams};
use super::super::login::local_next;
use super::super::pages::csrf_valid;
use super::{Console, FLOW_COOKIE, FlowCookie, SESSION_COOKIE, SESSION_MAX, SessionCookie, cookie, cookie_name, key, open, refused_page, seal};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(paths::ADMIN, get(home_get))
        .route(paths::ADMIN_SIGNIN, get(signin_get))
        .route(paths::ADMIN_CALLBACK, get(callback_get))
        .route(paths::ADMIN_SIGNOUT, post(signout_post))
}

async fn home_get(State(s): State<AppState>, console: Console) -> Response {
    let counts = match crate::admin::overview(s.ctx()).await {
        Ok(counts) => counts,
        Err(e) => return super::failure(e),
    };
    let events = match super::settings::audit_rows(&s, &Default::default(), crate::admin::Paging { page: 1, per_page: 10 }).await {
        Ok((_, rows)) => rows,
        Err(response) => return response,
    };
    let page = console.page("admin/home.html", "").with("counts", counts).with("events", events);
    console.show(page)
}

/// Starts a sign-in: a fresh flow secret in a cookie, then oneid's authorization endpoint.
async fn signin_get(State(s): State<AppState>, jar: CookieJar, QueryParams(params): QueryParams) -> Response {
    let next = local_next(params.get("next").ok().flatten()).filter(|n| n.starts_with(paths::ADMIN)).unwrap_or(paths::ADMIN).to_string();
    let fresh = params.get("fresh").ok().flatten() == Some("1");
    let secret = crypto::random_token();
    let key = key(&s);
    let flow = Flow { key: &key, secret: &secret };
    let query: Vec<(String, String)> = flow.authorize_params(&s.ctx().config, fresh).into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    let url = format!("{}?{}", s.url_path(paths::AUTHORIZE), crate::protocol::params::Params::from_pairs(query).to_query());
    let value = seal(&s, &FlowCookie { secret, next, exp: s.ctx().now() + super::FLOW_TTL });
    (jar.add(cookie(&s, FLOW_COOKIE, value, SameSite::Lax, super::FLOW_TTL)), Redirect::to(&url)).into_response()
}

/// The authorization response (RFC 6749 §4.1.2, RFC 9207 `iss`).
async fn callback_get(State(s): State<AppState>, jar: CookieJar, Meta(meta): Meta, QueryParams(params): QueryParams) -> Response {
    let field = |name| params.get(name).ok().flatten();
    let Some(flow_cookie) = jar.get(&cookie_name(&s, FLOW_COOKIE)).and_then(|c| open::<FlowCookie>(&s, c.value())) else {
        return refused_page(&s, jar, Refused::Failed("this sign-in was started elsewhere or too long ago".into()));
    };
    let jar = jar.remove(cookie(&s, FLOW_COOKIE, String::new(), SameSite::Lax, 0));
    if field("iss").is_some_and(|iss| iss != s.ctx().config.issuer()) {
        return refused_page(&s, jar, Refused::Failed("the answer came from another issuer".into()));
    }
    if let Some(error) = field("error") {
        // Only the error code, reduced to its alphabet: the query is anybody's to write.
        let code: String = error.chars().filter(|c| c.is_ascii_lowercase() || *c == '_').take(40).collect();
        return refused_page(&s, jar, Refused::Failed(format!("the sign-in did not finish ({code})")));
    }
    let (Some(code), Some(state)) = (field("code"), field("state")) else {
        return refused_page(&s, jar, Refused::Failed("the answer lacks its code or state".into()));
    };
    let key = key(&s);
    let flow = Flow { key: &key, secret: &flow_cookie.secret };
    match console::finish(s.ctx(), &flow, code, state, &meta).await {
        Ok(signed_in) => {
            let value = seal(&s, &SessionCookie { user: signed_in.user_id, sid: signed_in.sid, exp: s.ctx().now() + SESSION_MAX });
            let jar = jar.add(cookie(&s, SESSION_COOKIE, value, SameSite::Strict, SESSION_MAX));
            (jar, Redirect::to(&s.url_path(&flow_cookie.next))).into_response()
        }
        Err(refused) => refused_page(&s, jar, refused),
    }
}

/// Ends the console session (the oneid session stays, like with any relying party).
async fn signout_post(State(s): State<AppState>, jar: CookieJar, Meta(meta): Meta, form: Result<FormParams, BadForm>) -> Response {
    let Ok(FormParams(params)) = form else { return ErrorPage::unreadable_form().into_response() };
    if !csrf_valid(&s, &jar, params.get("csrf").ok().flatten()) {
        return ErrorPage::form_expired().into_response();
    }
    signed_out_audit(&s, &jar, &meta).await;
    let jar = jar.remove(cookie(&s, SESSION_COOKIE, String::new(), SameSite::Strict, 0));
    refused_page(&s, jar, Refused::Failed("you are signed out of the console (your oneid account is still signed in on this browser)".into()))
}

async fn signed_out_audit(s: &AppState, jar: &CookieJar, meta: &RequestMeta) {
    if let Some(c) = jar.get(&cookie_name(s, SESSION_COOKIE)).and_then(|c| open::<SessionCookie>(s, c.value())) {
        s.ctx().audit("console_signed_out", meta, Some(&c.user), Some(console::CLIENT_ID), serde_json::json!({})).await;
    }
}
