//! Client-authenticated endpoints: token (RFC 6749 §3.2), pushed authorization requests
//! (RFC 9126), revocation (RFC 7009), introspection (RFC 7662) and device authorization
//! (RFC 8628). Answers are never cached.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;

use crate::paths;
use crate::protocol::clients::Client;
use crate::protocol::params::Params;
use crate::protocol::{OAuthError, client_auth, dpop, introspect, par, revoke, token};
use crate::state::{AppState, Ctx};

use super::error::{DPOP_NONCE, TokenError, no_store_json};
use super::extract::{BadForm, FormParams, Meta, client_credentials, dpop_proofs};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(paths::TOKEN, post(token_post))
        .route(paths::REVOKE, post(revoke_post))
        .route(paths::INTROSPECT, post(introspect_post))
        .route(paths::DEVICE_AUTHORIZATION, post(device_authorization_post))
        .route(paths::PAR, post(par_post))
}

async fn token_post(State(s): State<AppState>, headers: HeaderMap, Meta(meta): Meta, form: Result<FormParams, BadForm>) -> Response {
    let ctx = s.ctx();
    let answer = async {
        let (client, params, dpop_jkt) = with_proof(ctx, &headers, form, paths::TOKEN).await?;
        let request = token::TokenRequest { client: &client, params: &params, meta: &meta, dpop_jkt };
        token::exchange(ctx, &request).await
    };
    let response = match answer.await {
        Ok(tokens) => no_store_json(&tokens),
        Err(e) => TokenError::new(e, &headers).into_response(),
    };
    with_nonce(ctx, &headers, response)
}

/// The authenticated client, the form, and the key of the request's DPoP proof for
/// `path` if it carried one (RFC 9449 §4.3).
async fn with_proof(ctx: &Ctx, headers: &HeaderMap, form: Result<FormParams, BadForm>, path: &str) -> Result<(Arc<Client>, Params, Option<String>), OAuthError> {
    let (client, params) = authenticated(ctx, headers, form).await?;
    let url = format!("{}{path}", ctx.config.issuer());
    let proofs = dpop_proofs(headers);
    let dpop_jkt = dpop::verify(ctx, &dpop::Request { proofs: &proofs, method: "POST", url: &url, access_token: None }).await?;
    Ok((client, params, dpop_jkt))
}

/// RFC 9449 §8: a client that sent a DPoP proof always learns the nonce to use next.
fn with_nonce(ctx: &Ctx, headers: &HeaderMap, mut response: Response) -> Response {
    if headers.contains_key("dpop")
        && let Ok(nonce) = HeaderValue::from_str(&dpop::nonce(ctx)) {
            response.headers_mut().insert(DPOP_NONCE, nonce);
        }
    response
}

async fn revoke_post(State(s): State<AppState>, headers: HeaderMap, Meta(meta): Meta, form: Result<FormParams, BadForm>) -> Result<Response, TokenError> {
    let answer = async {
        let (client, params) = authenticated(s.ctx(), &headers, form).await?;
        revoke::revoke(s.ctx(), &client, &params, &meta).await
    };
    answer.await.map_err(|e| TokenError::new(e, &headers))?;
    Ok((StatusCode::OK, [(header::CACHE_CONTROL, "no-store")]).into_response())
}

/// The authenticated client and the form.
async fn authenticated(ctx: &Ctx, headers: &HeaderMap, form: Result<FormParams, BadForm>) -> Result<(Arc<Client>, Params), OAuthError> {
    let FormParams(params) = form.map_err(OAuthError::from)?;
    let client = client_auth::authenticate(ctx, &client_credentials(headers), &params).await?;
    Ok((client, params))
}

/// RFC 9126 §2: a client pushes its authorization request and gets a `request_uri`.
async fn par_post(State(s): State<AppState>, headers: HeaderMap, form: Result<FormParams, BadForm>) -> Response {
    let ctx = s.ctx();
    let answer = async {
        let (client, params, dpop_jkt) = with_proof(ctx, &headers, form, paths::PAR).await?;
        par::push(ctx, &client, &params, dpop_jkt).await
    };
    let response = match answer.await {
        Ok(pushed) => (StatusCode::CREATED, no_store_json(&pushed)).into_response(),
        Err(e) => TokenError::new(e, &headers).into_response(),
    };
    with_nonce(ctx, &headers, response)
}

/// RFC 8628 §3.1–3.2: a device asks for a device code and a user code.
async fn device_authorization_post(State(s): State<AppState>, headers: HeaderMap, form: Result<FormParams, BadForm>) -> Result<Response, TokenError> {
    let answer = async {
        let (client, params) = authenticated(s.ctx(), &headers, form).await?;
        let verification_uri = format!("{}{}", s.ctx().config.issuer(), paths::DEVICE);
        crate::protocol::device::start(s.ctx(), &client, &params, verification_uri).await
    };
    let started = answer.await.map_err(|e| TokenError::new(e, &headers))?;
    Ok(no_store_json(&started))
}

async fn introspect_post(State(s): State<AppState>, headers: HeaderMap, form: Result<FormParams, BadForm>) -> Result<Response, TokenError> {
    let answer = async {
        let (client, params) = authenticated(s.ctx(), &headers, form).await?;
        introspect::introspect(s.ctx(), &client, &params).await
    };
    let body = answer.await.map_err(|e| TokenError::new(e, &headers))?;
    Ok(no_store_json(&body))
}
