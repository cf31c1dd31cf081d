//! `/users`: searching, creating and deleting accounts; disabling and enabling them,
//! lifting lockouts, sending password resets, ending sessions, and the admin role.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::admin::users::{self, NewUser, UserDetail, UserView};
use crate::admin::{ListPage, Paging};
use crate::state::AppState;

use super::super::extract::Meta;
use super::clients::Search;
use super::{ApiJson, ApiResult, Caller, ProblemDetails, json, problem};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(users_get, users_post))
        .routes(routes!(user_get, user_delete))
        .routes(routes!(user_disable_post))
        .routes(routes!(user_enable_post))
        .routes(routes!(user_unlock_post))
        .routes(routes!(user_password_reset_post))
        .routes(routes!(user_sessions_delete))
        .routes(routes!(user_admin_put, user_admin_delete))
}

#[derive(Serialize, ToSchema)]
struct Unlocked {
    /// Lock counters cleared (the account's and those of its known browsers).
    locks_cleared: u64,
}

#[derive(Serialize, ToSchema)]
struct SessionsEnded {
    sessions_ended: usize,
}

/// Searches accounts by email, name, phone number or id.
#[utoipa::path(get, path = "/users", tag = "users", params(Search, Paging),
    responses((status = 200, body = ListPage<UserView>), (status = 401, body = ProblemDetails), (status = 403, body = ProblemDetails)))]
async fn users_get(State(s): State<AppState>, _: Caller, Query(search): Query<Search>, Query(paging): Query<Paging>) -> ApiResult<Response> {
    Ok(json(StatusCode::OK, &users::search(s.ctx(), search.q.as_deref(), paging).await.map_err(problem)?))
}

/// Creates an active account (its email taken as verified).
#[utoipa::path(post, path = "/users", tag = "users", request_body = NewUser,
    responses((status = 201, body = UserView), (status = 409, body = ProblemDetails), (status = 422, body = ProblemDetails)))]
async fn users_post(State(s): State<AppState>, Caller(actor): Caller, Meta(meta): Meta, ApiJson(new): ApiJson<NewUser>) -> ApiResult<Response> {
    let user = users::create(s.ctx(), new, &actor, &meta).await.map_err(problem)?;
    Ok(json(StatusCode::CREATED, &UserView::from(&user)))
}

/// The account with its sign-in methods, lock state and sessions.
#[utoipa::path(get, path = "/users/{id}", tag = "users", params(("id" = String, Path)),
    responses((status = 200, body = UserDetail), (status = 404, body = ProblemDetails)))]
async fn user_get(State(s): State<AppState>, _: Caller, Path(id): Path<String>) -> ApiResult<Response> {
    Ok(json(StatusCode::OK, &users::detail(s.ctx(), &id).await.map_err(problem)?))
}

/// Deletes the account and everything that belongs to it.
#[utoipa::path(delete, path = "/users/{id}", tag = "users", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ProblemDetails), (status = 404, body = ProblemDetails), (status = 409, body = ProblemDetails)))]
async fn user_delete(State(s): State<AppState>, Caller(actor): Caller, Meta(meta): Meta, Path(id): Path<String>) -> ApiResult<Response> {
    users::delete(s.ctx(), &id, &actor, &meta).await.map_err(problem)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Disables the account: its sessions end and its tokens are revoked.
#[utoipa::path(post, path = "/users/{id}/disable", tag = "users", params(("id" = String, Path)),
    responses((status = 200, body = UserView), (status = 403, body = ProblemDetails), (status = 404, body = ProblemDetails)))]
async fn user_disable_post(State(s): State<AppState>, Caller(actor): Caller, Meta(meta): Meta, Path(id): Path<String>) -> ApiResult<Response> {
    let user = users::set_disabled(s.ctx(), &id, true, &actor, &meta).await.map_err(problem)?;
    Ok(json(StatusCode::OK, &UserView::from(&user)))
}

#[utoipa::path(post, path = "/users/{id}/enable", tag = "users", params(("id" = String, Path)),
    responses((status = 200, body = UserView), (status = 404, body = ProblemDetails)))]
async fn user_enable_post(State(s): State<AppState>, Caller(actor): Caller, Meta(meta): Meta, Path(id): Path<String>) -> ApiResult<Response> {
    let user = users::set_disabled(s.ctx(), &id, false, &actor, &meta).await.map_err(problem)?;
    Ok(json(StatusCode::OK, &UserView::from(&user)))
}

/// Lifts a lockout caused by wrong passwords or codes.
#[utoipa::path(post, path = "/users/{id}/unlock", tag = "users", params(("id" = String, Path)),
    responses((status = 200, body = Unlocked), (status = 404, body = ProblemDetails)))]
async fn user_unlock_post(State(s): State<AppState>, Caller(actor): Caller, Meta(meta): Meta, Path(id): Path<String>) -> ApiResult<Response> {
    let locks_cleared = users::unlock(s.ctx(), &id, &actor, &meta).await.map_err(problem)?;
    Ok(json(StatusCode::OK, &Unlocked { locks_cleared }))
}

/// Emails the owner a password reset link.
#[utoipa::path(post, path = "/users/{id}/password-reset", tag = "users", params(("id" = String, Path)),
    responses((status = 202), (status = 404, body = ProblemDetails), (status = 409, body = ProblemDetails)))]
async fn user_password_reset_post(State(s): State<AppState>, Caller(actor): Caller, Meta(meta): Meta, Path(id): Path<String>) -> ApiResult<Response> {
    users::send_password_reset(s.ctx(), &id, &actor, &meta).await.map_err(problem)?;
    Ok(StatusCode::ACCEPTED.into_response())
}

/// Ends every session of the account and revokes every grant.
#[utoipa::path(delete, path = "/users/{id}/sessions", tag = "users", params(("id" = String, Path)),
    responses((status = 200, body = SessionsEnded), (status = 404, body = ProblemDetails)))]
async fn user_sessions_delete(State(s): State<AppState>, Caller(actor): Caller, Meta(meta): Meta, Path(id): Path<String>) -> ApiResult<Response> {
    let sessions_ended = users::revoke_sessions(s.ctx(), &id, &actor, &meta).await.map_err(problem)?;
    Ok(json(StatusCode::OK, &SessionsEnded { sessions_ended }))
}

/// Gives the account the admin role.
#[utoipa::path(put, path = "/users/{id}/admin", tag = "users", params(("id" = String, Path)),
    responses((status = 200, body = UserView), (status = 404, body = ProblemDetails)))]
async fn user_admin_put(State(s): State<AppState>, Caller(actor): Caller, Meta(meta): Meta, Path(id): Path<String>) -> ApiResult<Response> {
    let user = users::set_admin(s.ctx(), &id, true, &actor, &meta).await.map_err(problem)?;
    Ok(json(StatusCode::OK, &UserView::from(&user)))
}

/// Takes the admin role away (the last administrator keeps it).
#[utoipa::path(delete, path = "/users/{id}/admin", tag = "users", params(("id" = String, Path)),
    responses((status = 200, body = UserView), (status = 404, body = ProblemDetails), (status = 409, body = ProblemDetails)))]
async fn user_admin_delete(State(s): State<AppState>, Caller(actor): Caller, Meta(meta): Meta, Path(id): Path<String>) -> ApiResult<Response> {
    let user = users::set_admin(s.ctx(), &id, false, &actor, &meta).await.map_err(problem)?;
    Ok(json(StatusCode::OK, &UserView::from(&user)))
}
