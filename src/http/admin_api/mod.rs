//! The admin API (F51): JSON over `/admin/api/v1`, authorised by an access token from
//! oneid itself (see `admin::caller`), errors as RFC 9457 problem details. Each route is
//! declared once, with its OpenAPI description, and the document at
//! `/admin/api/v1/openapi.json` is generated from the same router, so the two cannot
//! disagree.

mod clients;
mod settings;
mod users;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, OriginalUri, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::de::DeserializeOwned;
use utoipa::OpenApi;
use utoipa::openapi::security::{ClientCredentials, Flow, HttpAuthScheme, HttpBuilder, OAuth2, Scopes, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;

use crate::admin::{self, Actor};
use crate::error::AppError;
use crate::paths;
use crate::protocol::resource::{self, Presented};
use crate::protocol::scopes::{ADMIN, ADMIN_AUTOMATION};
use crate::state::AppState;

use super::error::{BearerError, Problem, no_store_json};
use super::extract::{access_token, dpop_proofs};

#[derive(OpenApi)]
#[openapi(
    info(title = "oneid admin API", description = "Clients, users, brands, policies, signing keys and the audit log of a oneid server. Every call needs an access token from this server: an administrator's with the `oneid:admin` scope, or an automation client's own (client credentials) with `oneid:admin:automation`. Errors are RFC 9457 problem details."),
    security(("bearer" = []), ("oauth2" = [])),
    tags((name = "clients"), (name = "users"), (name = "brands"), (name = "policy"), (name = "keys"), (name = "audit"))
)]
struct ApiDoc;

pub fn routes(state: &AppState) -> Router<AppState> {
    let (api, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi()).merge(clients::routes()).merge(users::routes()).merge(settings::routes()).split_for_parts();
    let base = format!("{}{}", state.ctx().config.issuer(), paths::ADMIN_API);
    doc.servers = Some(vec![utoipa::openapi::Server::new(base)]);
    let token_url = format!("{}{}", state.ctx().config.issuer(), paths::TOKEN);
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()));
    let scopes = Scopes::from_iter([(ADMIN, "act as the signed-in administrator"), (ADMIN_AUTOMATION, "act as this automation client")]);
    components.add_security_scheme("oauth2", SecurityScheme::OAuth2(OAuth2::new([Flow::ClientCredentials(ClientCredentials::new(token_url, scopes))])));
    let document: Bytes = doc.to_json().unwrap_or_default().into();
    let openapi = get(move || {
        let document = document.clone();
        async move { ([(header::CONTENT_TYPE, "application/json")], document) }
    });
    let api = api.fallback(unknown_route).layer(axum::middleware::map_response(as_problem));
    Router::new().nest(paths::ADMIN_API, api).route(paths::ADMIN_OPENAPI, openapi)
}

pub async fn unknown_route() -> Response {
    Problem::new(StatusCode::NOT_FOUND, "urn:oneid:problem:not-found", "No such route", "see /admin/api/v1/openapi.json for the routes").into_response()
}

/// axum's own refusals (a path or query it cannot read, a method a route does not
/// have) as problem details too, like every other answer of the API.
pub async fn as_problem(response: Response) -> Response {
    let status = response.status();
    let json = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("json"));
    if !status.is_client_error() || json {
        return response;
    }
    let bytes = axum::body::to_bytes(response.into_body(), 4096).await.unwrap_or_default();
    let detail = match String::from_utf8_lossy(&bytes).trim() {
        "" => status.canonical_reason().unwrap_or("the request was refused").to_string(),
        text => text.to_string(),
    };
    Problem::new(status, "urn:oneid:problem:invalid-request", "The request could not be used", detail).into_response()
}

/// The caller of an admin API route, authenticated and authorised.
pub struct Caller(pub Actor);

impl FromRequestParts<AppState> for Caller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Response> {
        let ctx = s.ctx();
        let (scheme, token) = match access_token(&parts.headers, None) {
            Ok(Some(found)) => found,
            Ok(None) => return Err(unauthorized(BearerError::missing().into_response(), "send an access token with the oneid:admin scope")),
            Err(e) => return Err(unauthorized(BearerError::bearer(e).into_response(), "the Authorization header could not be read")),
        };
        let proofs = dpop_proofs(&parts.headers);
        // The router nests this API, so the full path is in `OriginalUri` (for the DPoP `htu`).
        let path = parts.extensions.get::<OriginalUri>().map_or(parts.uri.path(), |u| u.0.path());
        let url = format!("{}{}", ctx.config.issuer(), path.strip_prefix(&s.path_prefix).unwrap_or(path));
        let presented = Presented { scheme, token: &token, proofs: &proofs, method: parts.method.as_str(), url: &url };
        let claims = match resource::authenticate(ctx, &presented).await {
            Ok(claims) => claims,
            Err(e) => {
                let detail = e.description.to_string();
                return Err(unauthorized(BearerError::new(ctx, e, scheme).into_response(), &detail));
            }
        };
        admin::caller(ctx, &claims).await.map(Caller).map_err(problem)
    }
}

/// A 401 with the RFC 6750 challenge headers and a problem-details body.
fn unauthorized(challenge: Response, detail: &str) -> Response {
    let status = challenge.status();
    let mut response = Problem::new(status, "urn:oneid:problem:unauthorized", "An access token is needed", detail).into_response();
    for name in [header::WWW_AUTHENTICATE, super::error::DPOP_NONCE] {
        for value in challenge.headers().get_all(&name) {
            response.headers_mut().append(name.clone(), value.clone());
        }
    }
    response
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
