//! Discovery documents and the JWKS, served from bytes prepared in advance.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::paths;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(paths::DISCOVERY, get(discovery_get))
        .route(paths::AS_METADATA, get(discovery_get))
        .route(paths::JWKS, get(jwks_get))
}

pub async fn discovery_get(State(s): State<AppState>) -> Response {
    ([(header::CONTENT_TYPE, "application/json"), (header::CACHE_CONTROL, "public, max-age=300")], Bytes::from_owner(s.discovery.clone())).into_response()
}

async fn jwks_get(State(s): State<AppState>) -> Response {
    // Short caching: after a rotation clients must see the new key soon.
    ([(header::CONTENT_TYPE, "application/jwk-set+json"), (header::CACHE_CONTROL, "public, max-age=60")], Bytes::from_owner(s.ctx().keys.jwks())).into_response()
}
