//! The account API (F12 for the mobile app): JSON at `/api/v1/me`, for an access token
//! of the user's own sign-in with the `account` scope (Bearer or DPoP), errors as RFC
//! 9457 problem details. Changes that need a recent sign-in answer with the RFC 9470
//! step-up challenge. Routes and their OpenAPI description are declared once; the
//! document is at `/api/v1/openapi.json`.

mod me;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;

use crate::account::AccountError;
use crate::account::api::{self, Refused};
use crate::auth::session::RECENT;
use crate::paths;
use crate::protocol::access_token::AccessClaims;
use crate::protocol::error::{ErrorCode, OAuthError};
use crate::protocol::resource::Scheme;
use crate::state::AppState;
use crate::store::User;

use super::error::{BearerError, Problem};
use super::json_api;
use super::lazy_api::{self, Api};

#[derive(OpenApi)]
#[openapi(
    info(title = "oneid account API", description = "The signed-in person's own account, for apps: personal data, email address and mobile number, password, sessions and devices, passkeys, sign-in codes, export and deletion. Every call needs an access token of the person's sign-in with the `account` scope (Bearer or DPoP). Errors are RFC 9457 problem details; changes that need a recent sign-in answer 401 with `error=\"insufficient_user_authentication\"` and `max_age` (RFC 9470)."),
    security(("bearer" = [])),
    tags((name = "me"))
)]
struct ApiDoc;

pub fn routes(state: &AppState) -> Router<AppState> {
    lazy_api::routes(state, paths::ACCOUNT_API, paths::ACCOUNT_OPENAPI, build)
}

fn build(state: &AppState) -> Api {
    let (api, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi()).merge(me::routes()).split_for_parts();
    doc.servers = Some(vec![utoipa::openapi::Server::new(format!("{}{}", state.ctx().config.issuer(), paths::ACCOUNT_API))]);
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()));
    let routes = api.fallback(json_api::unknown_route).layer(axum::middleware::map_response(json_api::as_problem));
    Api { routes: routes.with_state(state.clone()), document: doc.to_json().unwrap_or_default().into() }
}

/// The caller: the account and the claims of its access token.
pub struct Me {
    pub user: User,
    pub claims: AccessClaims,
    scheme: Scheme,
}

impl FromRequestParts<AppState> for Me {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Response> {
        let ctx = s.ctx();
        let (claims, scheme) = json_api::access_claims(s, parts, "send an access token with the account scope").await?;
        match api::caller(ctx, &claims).await {
            Ok(user) => Ok(Me { user, claims, scheme }),
            Err(Refused::Scope) => {
                let e = OAuthError::new(ErrorCode::InsufficientScope, "this access token lacks the account scope").with("scope", api::SCOPE);
                let problem = Problem::new(StatusCode::FORBIDDEN, "urn:oneid:problem:insufficient-scope", "The access token does not allow this", "ask for the account scope when the person signs in");
                Err(json_api::with_challenge(BearerError::new(ctx, e, scheme).into_response(), problem))
            }
            Err(Refused::NoUser) => Err(Problem::new(StatusCode::FORBIDDEN, "urn:oneid:problem:forbidden", "Not allowed", "a client's own token has no account").into_response()),
            Err(Refused::Inactive) => {
                let e = OAuthError::invalid_token("the account is no longer active");
                Err(json_api::with_challenge(BearerError::new(ctx, e, scheme).into_response(), json_api::unauthorized("the account is no longer active")))
            }
            Err(Refused::Store(e)) => Err(internal(e)),
        }
    }
}

impl Me {
    /// `Err` with the RFC 9470 step-up challenge when the sign-in is not recent.
    #[allow(clippy::result_large_err)] // an early answer, once per request
    pub fn recently_signed_in(&self, s: &AppState) -> Result<(), Response> {
        if api::recent(s.ctx(), &self.claims) {
            return Ok(());
        }
        let scheme = match self.scheme {
            Scheme::Bearer => "Bearer",
            Scheme::Dpop => "DPoP",
        };
        let value = format!("{scheme} error=\"insufficient_user_authentication\", error_description=\"a more recent sign-in is required\", max_age={RECENT}");
        let mut response = Problem::new(
            StatusCode::UNAUTHORIZED,
            "urn:oneid:problem:reauthentication-required",
            "Sign in again first",
            format!("this change needs a sign-in from the last {} minutes: send the person through the authorization endpoint with max_age={RECENT} (or prompt=login), then retry with the new token", RECENT / 60),
        )
        .with("max_age", RECENT)
        .into_response();
        if let Ok(value) = HeaderValue::from_str(&value) {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
        }
        Err(response)
    }
}

fn internal(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "account API internal error");
    Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "urn:oneid:problem:internal", "Something went wrong on our side", "try again later; the request id is in the X-Request-Id header").into_response()
}

/// An account service's error: field problems (in English) as 422, the rest plainly.
pub fn failure(s: &AppState, e: AccountError) -> Response {
    match e {
        AccountError::Fields(errors) => {
            let messages: serde_json::Map<String, serde_json::Value> =
                errors.iter().map(|(field, key)| (field.to_string(), s.ctx().catalogs.message("en", key, &[("min", s.ctx().policy().accounts.password_min_length.to_string()), ("max", crate::auth::password_policy::PASSWORD_MAX.to_string())]).into())).collect();
            let detail = messages.iter().map(|(f, m)| format!("{f}: {}", m.as_str().unwrap_or(""))).collect::<Vec<_>>().join("; ");
            Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "urn:oneid:problem:invalid-fields", "Some values are not acceptable", detail).with("errors", messages).into_response()
        }
        AccountError::Busy => Problem::new(StatusCode::SERVICE_UNAVAILABLE, "urn:oneid:problem:busy", "The server is busy", "try again in a moment").into_response(),
        AccountError::Internal(e) => internal(e),
    }
}
