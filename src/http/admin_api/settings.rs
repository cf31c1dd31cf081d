//! `/brands`, `/policy`, `/keys` and `/audit`.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::admin::audit::{AuditEventView, AuditQuery};
use crate::admin::brands::{self, BrandView};
use crate::admin::keys::{self, KeyView};
use crate::admin::policy::{self, PolicyView};
use crate::admin::{ListPage, Paging};
use crate::brands::BrandConfig;
use crate::state::AppState;

use super::super::extract::Meta;
use super::{ApiJson, ApiResult, Caller, ProblemDetails, json, problem};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(brands_get, brands_post))
        .routes(routes!(brand_get, brand_put, brand_delete))
        .routes(routes!(policy_get, policy_patch))
        .routes(routes!(keys_get))
        .routes(routes!(keys_rotate_post))
        .routes(routes!(key_retire_post))
        .routes(routes!(audit_get))
}

#[derive(Serialize, ToSchema)]
struct Rotated {
    /// The new signing keys, one per algorithm.
    new_kids: Vec<String>,
}

#[utoipa::path(get, path = "/brands", tag = "brands", responses((status = 200, body = Vec<BrandView>), (status = 401, body = ProblemDetails)))]
async fn brands_get(State(s): State<AppState>, _: Caller) -> ApiResult<Response> {
    Ok(json(StatusCode::OK, &brands::list(s.ctx())))
}

#[utoipa::path(post, path = "/brands", tag = "brands", request_body = BrandConfig,
    responses((status = 201, body = BrandView), (status = 409, body = ProblemDetails), (status = 422, body = ProblemDetails)))]
async fn brands_post(State(s): State<AppState>, Caller(actor): Caller, Meta(meta): Meta, ApiJson(brand): ApiJson<BrandConfig>) -> ApiResult<Response> {
    Ok(json(StatusCode::CREATED, &brands::create(s.ctx(), brand, &actor, &meta).await.map_err(problem)?))
}

#[utoipa::path(get, path = "/brands/{id}", tag = "brands", params(("id" = String, Path)), responses((status = 200, body = BrandView), (status = 404, body = ProblemDetails)))]
async fn brand_get(State(s): State<AppState>, _: Caller, Path(id): Path<String>) -> ApiResult<Response> {
    Ok(json(StatusCode::OK, &brands::get(s.ctx(), &id).map_err(problem)?))
}

#[utoipa::path(put, path = "/brands/{id}", tag = "brands", params(("id" = String, Path)), request_body = BrandConfig,
    responses((status = 200, body = BrandView), (status = 403, body = ProblemDetails), (status = 404, body = ProblemDetails), (status = 422, body = ProblemDetails)))]
async fn brand_put(State(s): State<AppState>, Caller(actor): Caller, Meta(meta): Meta, Path(id): Path<String>, ApiJson(brand): ApiJson<BrandConfig>) -> ApiResult<Response> {
    Ok(json(StatusCode::OK, &brands::update(s.ctx(), &id, brand, &actor, &meta).await.map_err(problem)?))
}

#[utoipa::path(delete, path = "/brands/{id}", tag = "brands", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ProblemDetails), (status = 404, body = ProblemDetails), (status = 409, body = ProblemDetails)))]
async fn brand_delete(State(s): State<AppState>, Caller(actor): Caller, Meta(meta): Meta, Path(id): Path<String>) -> ApiResult<Response> {
    brands::remove(s.ctx(), &id, &actor, &meta).await.map_err(problem)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The policy in force and which values an administrator changed.
#[utoipa::path(get, path = "/policy", tag = "policy", responses((status = 200, body = PolicyView), (status = 401, body = ProblemDetails)))]
async fn policy_get(State(s): State<AppState>, _: Caller) -> ApiResult<Response> {
    Ok(json(StatusCode::OK, &policy::get(s.ctx())))
}

/// Changes policy values: a JSON merge patch (RFC 7396) of sections and keys, for
/// example `{"lockout": {"threshold": 3}}`; `null` goes back to the config file's value.
#[utoipa::path(patch, path = "/policy", tag = "policy", request_body(content = Object, content_type = "application/merge-patch+json"),
    responses((status = 200, body = PolicyView), (status = 422, body = ProblemDetails)))]
async fn policy_patch(State(s): State<AppState>, Caller(actor): Caller, Meta(meta): Meta, ApiJson(changes): ApiJson<serde_json::Value>) -> ApiResult<Response> {
    Ok(json(StatusCode::OK, &policy::change(s.ctx(), &changes, &actor, &meta).await.map_err(problem)?))
}

/// Every signing key, newest first.
#[utoipa::path(get, path = "/keys", tag = "keys", responses((status = 200, body = Vec<KeyView>), (status = 401, body = ProblemDetails)))]
async fn keys_get(State(s): State<AppState>, _: Caller) -> ApiResult<Response> {
    Ok(json(StatusCode::OK, &keys::list(s.ctx()).await.map_err(problem)?))
}

/// Adds a new key per algorithm; the previous keys stay published until their tokens expire.
#[utoipa::path(post, path = "/keys/rotate", tag = "keys", responses((status = 200, body = Rotated), (status = 401, body = ProblemDetails)))]
async fn keys_rotate_post(State(s): State<AppState>, Caller(actor): Caller, Meta(meta): Meta) -> ApiResult<Response> {
    let new_kids = keys::rotate(s.ctx(), &actor, &meta).await.map_err(problem)?;
    Ok(json(StatusCode::OK, &Rotated { new_kids }))
}

/// Stops publishing a key that no longer signs: tokens it signed stop verifying.
#[utoipa::path(post, path = "/keys/{kid}/retire", tag = "keys", params(("kid" = String, Path)),
    responses((status = 204), (status = 404, body = ProblemDetails), (status = 409, body = ProblemDetails)))]
async fn key_retire_post(State(s): State<AppState>, Caller(actor): Caller, Meta(meta): Meta, Path(kid): Path<String>) -> ApiResult<Response> {
    keys::retire(s.ctx(), &kid, &actor, &meta).await.map_err(problem)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The audit log, newest first.
#[utoipa::path(get, path = "/audit", tag = "audit", params(AuditQuery, Paging),
    responses((status = 200, body = ListPage<AuditEventView>), (status = 401, body = ProblemDetails)))]
async fn audit_get(State(s): State<AppState>, _: Caller, Query(query): Query<AuditQuery>, Query(paging): Query<Paging>) -> ApiResult<Response> {
    Ok(json(StatusCode::OK, &crate::admin::audit::search(s.ctx(), &query, paging).await.map_err(problem)?))
}
