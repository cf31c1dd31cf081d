//! Forgotten-password pages: ask for a link (same answer for every address), and the
//! new-password form the link opens.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::CookieJar;

use crate::account::fields::FieldErrors;
use crate::account::recovery::{self, Reset};
use crate::account::AccountError;
use crate::paths;
use crate::protocol::authorize;
use crate::state::AppState;
use crate::store::User;

use super::error::ErrorPage;
use super::extract::{BadForm, FormParams, Meta, QueryParams};
use super::login::pending;
use super::pages::{LangPrefs, Page, csrf_token, csrf_valid, with_query};
use super::register::{EmailForm, FormState, email_form, email_form_post, notice};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(paths::PASSWORD_FORGOT, get(forgot_get).post(forgot_post))
        .route(paths::PASSWORD_RESET, get(reset_get).post(reset_post))
}

async fn forgot_get(State(s): State<AppState>, jar: CookieJar, QueryParams(params): QueryParams) -> Response {
    let handle = params.get("request").ok().flatten();
    match pending(&s, handle).await {
        Ok(pending) => email_form(&s, jar, &pending, EmailForm::Forgot, FormState::empty(handle)),
        Err(page) => page.into_response(),
    }
}

async fn forgot_post(State(s): State<AppState>, jar: CookieJar, lang: LangPrefs, Meta(meta): Meta, form: Result<FormParams, BadForm>) -> Response {
    email_form_post(&s, jar, &lang, &meta, form, EmailForm::Forgot).await
}

fn reset_page(s: &AppState, jar: CookieJar, token: &str, user: &User, brand: Option<&str>, errors: FieldErrors) -> Response {
    let (jar, csrf) = csrf_token(s, jar);
    let mut page = Page::new("account/reset.html")
        .with("csrf", csrf)
        .with("token", token)
        .with("email", &user.email)
        .with("values", FieldErrors::new())
        .with("errors", errors)
        .user_lang(user.locale.as_deref());
    if let Some(brand) = brand {
        page = page.brand(brand);
    }
    (jar, page).into_response()
}

fn reset_invalid(s: &AppState) -> Response {
    notice("reset-invalid-title", "reset-invalid-text")
        .with("next_url", s.url_path(paths::PASSWORD_FORGOT))
        .with("next_text", "forgot-title")
        .status(StatusCode::BAD_REQUEST)
        .into_response()
}

async fn reset_get(State(s): State<AppState>, jar: CookieJar, QueryParams(params): QueryParams) -> Response {
    let Some(token) = params.get("token").ok().flatten() else { return reset_invalid(&s) };
    match recovery::reset_target(s.ctx(), token).await {
        Ok(Some(user)) => reset_page(&s, jar, token, &user, None, FieldErrors::new()),
        Ok(None) => reset_invalid(&s),
        Err(e) => ErrorPage::internal(e).into_response(),
    }
}

async fn reset_post(State(s): State<AppState>, jar: CookieJar, Meta(meta): Meta, form: Result<FormParams, BadForm>) -> Response {
    let Ok(FormParams(params)) = form else { return ErrorPage::unreadable_form().into_response() };
    let field = |name: &str| params.get(name).ok().flatten();
    let Some(token) = field("token") else { return reset_invalid(&s) };
    let user = match recovery::reset_target(s.ctx(), token).await {
        Ok(Some(user)) => user,
        Ok(None) => return reset_invalid(&s),
        Err(e) => return ErrorPage::internal(e).into_response(),
    };
    if !csrf_valid(&s, &jar, field("csrf")) {
        return reset_page(&s, jar, token, &user, field("brand"), FieldErrors::from([("password", "error-form-message")]));
    }
    match recovery::reset(s.ctx(), token, field("password").unwrap_or(""), &meta).await {
        Ok(Reset::Done { request }) => {
            // Back to the sign-in the link was asked for, if it is still going.
            let live = match request.as_deref() {
                Some(handle) => authorize::load_pending(s.ctx(), handle).await.ok().flatten().map(|_| handle),
                None => None,
            };
            let mut to = with_query(&s.url_path(paths::LOGIN), "notice", "password-reset");
            if let Some(handle) = live {
                to = with_query(&to, "request", handle);
            }
            Redirect::to(&to).into_response()
        }
        Ok(Reset::LinkUnusable) => reset_invalid(&s),
        Err(AccountError::Fields(errors)) => reset_page(&s, jar, token, &user, field("brand"), errors),
        Err(AccountError::Busy) => ErrorPage::busy().into_response(),
        Err(AccountError::Internal(e)) => ErrorPage::internal(e).into_response(),
    }
}
