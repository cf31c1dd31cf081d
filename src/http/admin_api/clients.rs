//! `/clients`: registering, reading, replacing and removing clients, and rotating secrets.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::admin::clients::{self, ClientView, WithSecret};
use crate::config::ClientConfig;
use crate::admin::{ListPage, Paging};
use crate::state::AppState;

use super::super::extract::Meta;
use super::{ApiJson, ApiResult, Caller, ProblemDetails, json, problem};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(clients_get, clients_post))
        .routes(routes!(client_get, client_put, client_delete))
        .routes(routes!(client_secret_post))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Search {
    /// Part of the id or the name, any case.
    pub q: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct NewSecret {
    /// Shown only now; oneid keeps only its hash.
    pub client_secret: String,
}

/// Lists clients, optionally filtered.
#[utoipa::path(get, path = "/clients", tag = "clients", params(Search, Paging),
    responses((status = 200, body = ListPage<ClientView>), (status = 401, body = ProblemDetails), (status = 403, body = ProblemDetails)))]
async fn clients_get(State(s): State<AppState>, _: Caller, Query(search): Query<Search>, Query(paging): Query<Paging>) -> ApiResult<Response> {
    let page = clients::list(s.ctx(), search.q.as_deref(), paging).await.map_err(problem)?;
    Ok(json(StatusCode::OK, &page))
}

/// Registers a client; a confidential client's generated secret is in the answer, once.
#[utoipa::path(post, path = "/clients", tag = "clients", request_body = ClientConfig,
    responses((status = 201, body = WithSecret), (status = 409, body = ProblemDetails), (status = 422, body = ProblemDetails)))]
async fn clients_post(State(s): State<AppState>, Caller(actor): Caller, Meta(meta): Meta, ApiJson(spec): ApiJson<ClientConfig>) -> ApiResult<Response> {
    let created = clients::create(s.ctx(), spec, &actor, &meta).await.map_err(problem)?;
    Ok(json(StatusCode::CREATED, &created))
}

#[utoipa::path(get, path = "/clients/{id}", tag = "clients", params(("id" = String, Path)),
    responses((status = 200, body = ClientView), (status = 404, body = ProblemDetails)))]
async fn client_get(State(s): State<AppState>, _: Caller, Path(id): Path<String>) -> ApiResult<Response> {
    Ok(json(StatusCode::OK, &clients::get(s.ctx(), &id).await.map_err(problem)?))
}

/// Replaces a client's registration (what is left out goes back to its default).
#[utoipa::path(put, path = "/clients/{id}", tag = "clients", params(("id" = String, Path)), request_body = ClientConfig,
    responses((status = 200, body = WithSecret), (status = 403, body = ProblemDetails), (status = 404, body = ProblemDetails), (status = 422, body = ProblemDetails)))]
async fn client_put(State(s): State<AppState>, Caller(actor): Caller, Meta(meta): Meta, Path(id): Path<String>, ApiJson(spec): ApiJson<ClientConfig>) -> ApiResult<Response> {
    let updated = clients::update(s.ctx(), &id, spec, &actor, &meta).await.map_err(problem)?;
    Ok(json(StatusCode::OK, &updated))
}

/// Removes a client and everything issued to it.
#[utoipa::path(delete, path = "/clients/{id}", tag = "clients", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ProblemDetails), (status = 404, body = ProblemDetails)))]
async fn client_delete(State(s): State<AppState>, Caller(actor): Caller, Meta(meta): Meta, Path(id): Path<String>) -> ApiResult<Response> {
    clients::remove(s.ctx(), &id, &actor, &meta).await.map_err(problem)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Replaces a confidential client's secret; the new one is in the answer, once.
#[utoipa::path(post, path = "/clients/{id}/secret", tag = "clients", params(("id" = String, Path)),
    responses((status = 200, body = NewSecret), (status = 404, body = ProblemDetails), (status = 422, body = ProblemDetails)))]
async fn client_secret_post(State(s): State<AppState>, Caller(actor): Caller, Meta(meta): Meta, Path(id): Path<String>) -> ApiResult<Response> {
    let client_secret = clients::rotate_secret(s.ctx(), &id, &actor, &meta).await.map_err(problem)?;
    Ok(json(StatusCode::OK, &NewSecret { client_secret }))
}
