//! Discovery documents and the JWKS, served from bytes prepared in advance.

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::Response;
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
    prepared("application/json", "public, max-age=300", Bytes::from_owner(s.discovery.clone()))
}

async fn jwks_get(State(s): State<AppState>) -> Response {
    // Short caching: after a rotation clients must see the new key soon.
    prepared("application/jwk-set+json", "public, max-age=60", Bytes::from_owner(s.ctx().keys.jwks()))
}

/// A response of prepared bytes. Its header map has room from the start for the headers
/// every response gets (`middleware`): growing it on the way is an allocation and a
/// rehash, a visible share of requests this cheap.
fn prepared(content_type: &'static str, cache_control: &'static str, body: Bytes) -> Response {
    let mut response = Response::new(Body::from(body));
    let headers = response.headers_mut();
    headers.reserve(16);
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache_control));
    response
}
