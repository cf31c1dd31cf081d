//! The mobile app's API (F30): `GET /app/pin` tells the PIN policy and whether this
//! sign-in has a PIN; `POST /app/pin` sets it. Access-token problems answer like any
//! protected resource (RFC 6750/9449); request problems as RFC 9457 problem details.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::audit::RequestMeta;
use crate::paths;
use crate::protocol::app_pin::{self, SetupError};
use crate::protocol::params::Params;
use crate::protocol::resource::{Presented, Scheme};
use crate::state::AppState;

use super::error::{BearerError, Problem, no_store_json};
use super::extract::{BadForm, FormParams, Meta, access_token, dpop_proofs};

pub fn routes() -> Router<AppState> {
    Router::new().route(paths::APP_PIN, get(pin_get).post(pin_post))
}

async fn pin_get(State(s): State<AppState>, headers: HeaderMap) -> Response {
    with_token(&s, Method::GET, &headers, None).await
}

async fn pin_post(State(s): State<AppState>, headers: HeaderMap, Meta(meta): Meta, form: Result<FormParams, BadForm>) -> Response {
    match form {
        Ok(FormParams(params)) => with_token(&s, Method::POST, &headers, Some((&params, &meta))).await,
        Err(BadForm(why)) => Problem::new(StatusCode::BAD_REQUEST, "urn:oneid:problem:invalid-request", "The request could not be read", why).into_response(),
    }
}

/// Reads the access token and its proof, then shows the status (no form) or sets the PIN.
async fn with_token(s: &AppState, method: Method, headers: &HeaderMap, form: Option<(&Params, &RequestMeta)>) -> Response {
    let ctx = s.ctx();
    let (scheme, token) = match access_token(headers, None) {
        Ok(Some(found)) => found,
        Ok(None) => return BearerError::missing().into_response(),
        Err(e) => return BearerError::bearer(e).into_response(),
    };
    let proofs = dpop_proofs(headers);
    let url = format!("{}{}", ctx.config.issuer(), paths::APP_PIN);
    let presented = Presented { scheme, token: &token, proofs: &proofs, method: method.as_str(), url: &url };
    let result = match form {
        Some((params, meta)) => app_pin::set(ctx, &presented, params, meta).await,
        None => app_pin::status(ctx, &presented).await,
    };
    match result {
        Ok(status) => no_store_json(&status),
        Err(e) => setup_error(s, e, scheme),
    }
}

fn setup_error(s: &AppState, e: SetupError, scheme: Scheme) -> Response {
    match e {
        SetupError::Token(e) => BearerError::new(s.ctx(), e, scheme).into_response(),
        SetupError::Invalid(field, detail) => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "urn:oneid:problem:invalid-field", "A field is not acceptable", detail).with("field", field).into_response(),
        SetupError::Reauthenticate => Problem::new(
            StatusCode::FORBIDDEN,
            "urn:oneid:problem:reauthentication-required",
            "Confirm the current PIN or sign in again",
            "this sign-in already has a PIN: send current_pin, or sign in again with the password (prompt=login) and set the PIN within 15 minutes",
        )
        .into_response(),
        SetupError::WrongCurrentPin(attempts_left) => {
            let detail = if attempts_left > 0 { format!("the current PIN is wrong; {attempts_left} attempts left") } else { "too many wrong PINs: this app is signed out; sign in with your password".into() };
            Problem::new(StatusCode::FORBIDDEN, "urn:oneid:problem:wrong-pin", "Wrong PIN", detail).with("pin_attempts_left", attempts_left).into_response()
        }
        SetupError::Busy => Problem::new(StatusCode::SERVICE_UNAVAILABLE, "urn:oneid:problem:busy", "The server is busy", "try again in a moment").into_response(),
        SetupError::Internal(cause) => {
            tracing::error!(error = %cause, "internal error");
            Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "urn:oneid:problem:internal", "Something went wrong on our side", "try again later").into_response()
        }
    }
}
