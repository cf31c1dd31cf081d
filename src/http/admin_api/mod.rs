//! The admin API (F51): JSON over `/admin/api/v1`, authorised by an access token from
//! oneid itself (see `admin::caller`), errors as RFC 9457 problem details. Each route is
//! declared once, with its OpenAPI description, and the document at
//! `/admin/api/v1/openapi.json` is generated from the same router, so the two cannot
//! disagree.

mod clients;
mod settings;
mod users;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde::de::DeserializeOwned;
use utoipa::OpenApi;
use utoipa::openapi::security::{ClientCredentials, Flow, HttpAuthScheme, HttpBuilder, OAuth2, Scopes, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;

use crate::admin::{self, Actor};
use crate::error::AppError;
use crate::paths;
use crate::protocol::scopes::{ADMIN, ADMIN_AUTOMATION};
use crate::state::AppState;

use super::error::{Problem, no_store_json};
use super::json_api;
use super::lazy_api::{self, Api};

#[derive(OpenApi)]
#[openapi(
    info(title = "oneid admin API", description = "Clients, users, brands, policies, signing keys and the audit log of a oneid server. Every call needs an access token from this server: an administrator's with the `oneid:admin` scope, or an automation client's own (client credentials) with `oneid:admin:automation`. Errors are RFC 9457 problem details."),
    security(("bearer" = []), ("oauth2" = [])),
    tags((name = "clients"), (name = "users"), (name = "brands"), (name = "policy"), (name = "keys"), (name = "audit"))
)]
struct ApiDoc;

pub fn routes(state: &AppState) -> Router<AppState> {
    lazy_api::routes(state, paths::ADMIN_API, paths::ADMIN_OPENAPI, build)
}

fn build(state: &AppState) -> Api {
    let (api, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi()).merge(clients::routes()).merge(users::routes()).merge(settings::routes()).split_for_parts();
    let base = format!("{}{}", state.ctx().config.issuer(), paths::ADMIN_API);
    doc.servers = Some(vec![utoipa::openapi::Server::new(base)]);
    let token_url = format!("{}{}", state.ctx().config.issuer(), paths::TOKEN);
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()));
    let scopes = Scopes::from_iter([(ADMIN, "act as the signed-in administrator"), (ADMIN_AUTOMATION, "act as this automation client")]);
    components.add_security_scheme("oauth2", SecurityScheme::OAuth2(OAuth2::new([Flow::ClientCredentials(ClientCredentials::new(token_url, scopes))])));
    let routes = api.fallback(json_api::unknown_route).layer(axum::middleware::map_response(json_api::as_problem));
    Api { routes: routes.with_state(state.clone()), document: doc.to_json().unwrap_or_default().into() }
}

/// The caller of an admin API route, authenticated and authorised.
pub struct Caller(pub Actor);

impl FromRequestParts<AppState> for Caller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Response> {
        let (claims, _) = json_api::access_claims(s, parts, "send an access token with the oneid:admin scope").await?;
        admin::caller(s.ctx(), &claims).await.map(Caller).map_err(problem)
    }
}

/// An admin service's error as problem details.
pub fn problem(e: AppError) -> Response {
    match e {
        AppError::BadRequest(problems) => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "urn:oneid:problem:invalid-fields", "Some values are not acceptable", problems.join("; "))
            .with("errors", problems)
            .into_response(),
        AppError::NotFound(detail) => Problem::new(StatusCode::NOT_FOUND, "urn:oneid:problem:not-found", "Not found", detail).into_response(),
        AppError::Conflict(detail) => Problem::new(StatusCode::CONFLICT, "urn:oneid:problem:conflict", "Conflicts with the current state", detail).into_response(),
        AppError::Forbidden(detail) => Problem::new(StatusCode::FORBIDDEN, "urn:oneid:problem:forbidden", "Not allowed", detail).into_response(),
        AppError::Internal(cause) => {
            tracing::error!(error = %cause, "admin API internal error");
            Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "urn:oneid:problem:internal", "Something went wrong on our side", "try again later; the request id is in the X-Request-Id header").into_response()
        }
    }
}

/// What an admin route answers.
pub type ApiResult<T> = Result<T, Response>;

/// JSON that must not be cached.
pub fn json(status: StatusCode, body: &impl serde::Serialize) -> Response {
    (status, no_store_json(body)).into_response()
}

/// A JSON request body; unreadable bodies answer as problem details.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let json_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| { let v = v.trim(); v.eq_ignore_ascii_case("application/json") || v.eq_ignore_ascii_case("application/merge-patch+json") });
        if !json_type {
            return Err(Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "urn:oneid:problem:unsupported-media-type", "Send JSON", "the body must be application/json").into_response());
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| Problem::new(StatusCode::BAD_REQUEST, "urn:oneid:problem:invalid-body", "The body could not be read", e.body_text()).into_response())?;
        serde_json::from_slice(&bytes)
            .map(ApiJson)
            .map_err(|e| Problem::new(StatusCode::BAD_REQUEST, "urn:oneid:problem:invalid-json", "The body is not the expected JSON", e.to_string()).into_response())
    }
}

/// Problem details, as the OpenAPI document describes them.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ProblemDetails {
    /// A URN naming the kind of problem.
    r#type: String,
    title: String,
    status: u16,
    detail: String,
    /// For invalid fields: one message per problem, each starting with the field name.
    errors: Option<Vec<String>>,
}
