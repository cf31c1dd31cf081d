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
    let email = match current_session(&s, &jar).await {
        Ok(Some(session)) => match s.ctx().store.user_by_id(&session.user_id).await {
            Ok(user) => user.map(|u| u.email),
            Err(e) => return ErrorPage::from(e).into_response(),
        },
        Ok(None) => None,
        Err(e) => return ErrorPage::from(e).into_response(),
    };
    let (jar, csrf) = csrf_token(&s, jar);
    (jar, Page::new("home.html").with("email", email).with("csrf", csrf)).into_response()
}
