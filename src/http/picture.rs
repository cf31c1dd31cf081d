//! Profile images: served by their random id to anybody with the URL (the OIDC
//! `picture` claim), and changed on the account page (a file upload, no JavaScript).

use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;

use crate::account::fields::FieldErrors;
use crate::account::picture::{self, MAX_BYTES, PictureError};
use crate::paths;
use crate::state::AppState;
use crate::store::User;

use super::account::{account_page, signed_in};
use super::error::ErrorPage;
use super::extract::{BadForm, FormParams, Meta, QueryParams};
use super::pages::csrf_valid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(&format!("{}/{{id}}", paths::PICTURES), get(picture_get))
        // The upload is larger than any other form.
        .route(paths::ACCOUNT_PICTURE, get(account_picture_get).post(account_picture_post).layer(DefaultBodyLimit::max(MAX_BYTES + 64 * 1024)))
        .route(paths::ACCOUNT_PICTURE_REMOVE, post(account_picture_remove_post))
}

async fn picture_get(State(s): State<AppState>, Path(id): Path<String>) -> Response {
    match s.ctx().store.picture(&id).await {
        // A new picture gets a new id, so a picture never changes under its URL; an hour
        // bounds how long caches keep one that was removed.
        Ok(Some(p)) => ([(header::CONTENT_TYPE, p.content_type.as_str()), (header::CACHE_CONTROL, "public, max-age=3600")], p.bytes).into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, [(header::CACHE_CONTROL, "no-store")]).into_response(),
        Err(e) => ErrorPage::from(e).into_response(),
    }
}

fn picture_page(s: &AppState, jar: CookieJar, user: &User, error: Option<&'static str>, notice: Option<&'static str>) -> Response {
    let mut errors = FieldErrors::new();
    if let Some(error) = error {
        errors.insert("picture", error);
    }
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let (jar, page) = account_page(s, jar, "account/picture.html", user, None, errors);
    let url = user.picture.as_deref().map(|id| s.url_path(&format!("{}/{id}", paths::PICTURES)));
    (jar, page.with("picture", url).with("notice", notice).with("max_mib", MAX_BYTES / 1024 / 1024).status(status)).into_response()
}

async fn account_picture_get(State(s): State<AppState>, jar: CookieJar, QueryParams(params): QueryParams) -> Response {
    let notice = match params.get("notice").ok().flatten() {
        Some("saved") => Some("picture-saved"),
        Some("removed") => Some("picture-removed"),
        _ => None,
    };
    match signed_in(&s, &jar, paths::ACCOUNT_PICTURE).await {
        Ok((_, user)) => picture_page(&s, jar, &user, None, notice),
        Err(response) => response,
    }
}

/// The message key for a refused upload.
fn problem_key(e: &PictureError) -> &'static str {
    match e {
        PictureError::TooLarge => "picture-too-large",
        PictureError::NotAnImage => "picture-not-image",
        PictureError::TooManyPixels { .. } => "picture-too-many-pixels",
        PictureError::Internal(_) | PictureError::Busy => "picture-not-image",
    }
}

async fn account_picture_post(State(s): State<AppState>, jar: CookieJar, Meta(meta): Meta, multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>) -> Response {
    let (_, user) = match signed_in(&s, &jar, paths::ACCOUNT_PICTURE).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let Ok(mut multipart) = multipart else { return ErrorPage::unreadable_form().into_response() };
    let (mut csrf, mut file) = (None, None);
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => match field.name() {
                Some("csrf") => csrf = field.text().await.ok(),
                Some("picture") => match field.bytes().await {
                    Ok(bytes) => file = Some(bytes.to_vec()),
                    Err(_) => return picture_page(&s, jar, &user, Some("picture-too-large"), None),
                },
                _ => {}
            },
            Ok(None) => break,
            // A body past the limit ends here too.
            Err(_) => return picture_page(&s, jar, &user, Some("picture-too-large"), None),
        }
    }
    if !csrf_valid(&s, &jar, csrf.as_deref()) {
        return ErrorPage::form_expired().into_response();
    }
    let Some(bytes) = file.filter(|f| !f.is_empty()) else { return picture_page(&s, jar, &user, Some("picture-missing"), None) };
    match picture::set(s.ctx(), &user, bytes, &meta).await {
        Ok(_) => Redirect::to(&format!("{}?notice=saved", s.url_path(paths::ACCOUNT_PICTURE))).into_response(),
        Err(PictureError::Internal(e)) => ErrorPage::internal(e).into_response(),
        Err(PictureError::Busy) => ErrorPage::busy().into_response(),
        Err(e) => picture_page(&s, jar, &user, Some(problem_key(&e)), None),
    }
}

async fn account_picture_remove_post(State(s): State<AppState>, jar: CookieJar, Meta(meta): Meta, form: Result<FormParams, BadForm>) -> Response {
    let (_, user) = match signed_in(&s, &jar, paths::ACCOUNT_PICTURE).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let Ok(FormParams(params)) = form else { return ErrorPage::unreadable_form().into_response() };
    if !csrf_valid(&s, &jar, params.get("csrf").ok().flatten()) {
        return ErrorPage::form_expired().into_response();
    }
    match picture::remove(s.ctx(), &user, &meta).await {
        Ok(_) => Redirect::to(&format!("{}?notice=removed", s.url_path(paths::ACCOUNT_PICTURE))).into_response(),
        Err(e) => ErrorPage::from(e).into_response(),
    }
}
