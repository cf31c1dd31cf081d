//! The home page: who is signed in on this browser, with a way to sign out.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_extra::extract::CookieJar;

use crate::paths;
use crate::state::AppState;

use super::error::ErrorPage;
use super::pages::{Page, csrf_token, current_session};

pub fn routes() -> Router<AppState> {
    Router::new().route(paths::HOME, get(home_get))
}

async fn home_get(State(s): State<AppState>, jar: CookieJar) -> Response {
    let user = match current_session(&s, &jar).await {
        Ok(Some(session)) => match s.ctx().store.user_by_id(&session.user_id).await {
            Ok(user) => user,
            Err(e) => return ErrorPage::from(e).into_response(),
        },
        Ok(None) => None,
        Err(e) => return ErrorPage::from(e).into_response(),
    };
    let (jar, csrf) = csrf_token(&s, jar);
    let page = Page::new("home.html")
        .with("email", user.as_ref().map(|u| u.email.as_str()))
        .with("csrf", csrf)
        .user_lang(user.as_ref().and_then(|u| u.locale.as_deref()));
    (jar, page).into_response()
}
