//! Client-authenticated endpoints: token (RFC 6749 §3.2), revocation (RFC 7009) and
//! introspection (RFC 7662). Answers are never cached.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;

use crate::paths;
use crate::protocol::{client_auth, introspect, revoke, token};
use crate::state::AppState;

use super::error::{TokenError, no_store_json};
use super::extract::{BadForm, FormParams, Meta, client_credentials};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(paths::TOKEN, post(token_post))
        .route(paths::REVOKE, post(revoke_post))
        .route(paths::INTROSPECT, post(introspect_post))
        .route(paths::DEVICE_AUTHORIZATION, post(device_authorization_post))
}

async fn token_post(State(s): State<AppState>, headers: HeaderMap, Meta(meta): Meta, form: Result<FormParams, BadForm>) -> Result<Response, TokenError> {
    let FormParams(params) = form.map_err(crate::protocol::OAuthError::from)?;
    let client = client_auth::authenticate(s.ctx(), &client_credentials(&headers), &params).await?;
    let response = token::exchange(s.ctx(), &client, &params, &meta).await?;
    Ok(no_store_json(&response))
}

async fn revoke_post(State(s): State<AppState>, headers: HeaderMap, Meta(meta): Meta, form: Result<FormParams, BadForm>) -> Result<Response, TokenError> {
    let FormParams(params) = form.map_err(crate::protocol::OAuthError::from)?;
    let client = client_auth::authenticate(s.ctx(), &client_credentials(&headers), &params).await?;
    revoke::revoke(s.ctx(), &client, &params, &meta).await?;
    Ok((StatusCode::OK, [(header::CACHE_CONTROL, "no-store")]).into_response())
}

/// RFC 8628 §3.1–3.2: a device asks for a device code and a user code.
async fn device_authorization_post(State(s): State<AppState>, headers: HeaderMap, form: Result<FormParams, BadForm>) -> Result<Response, TokenError> {
    let FormParams(params) = form.map_err(crate::protocol::OAuthError::from)?;
    let client = client_auth::authenticate(s.ctx(), &client_credentials(&headers), &params).await?;
    let verification_uri = format!("{}{}", s.ctx().config.issuer(), paths::DEVICE);
    let started = crate::protocol::device::start(s.ctx(), &client, &params, verification_uri).await?;
    Ok(no_store_json(&started))
}

async fn introspect_post(State(s): State<AppState>, headers: HeaderMap, form: Result<FormParams, BadForm>) -> Result<Response, TokenError> {
    let FormParams(params) = form.map_err(crate::protocol::OAuthError::from)?;
    let client = client_auth::authenticate(s.ctx(), &client_credentials(&headers), &params).await?;
    let body = introspect::introspect(s.ctx(), &client, &params).await?;
    Ok(no_store_json(&body))
}
