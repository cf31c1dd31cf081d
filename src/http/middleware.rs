//! Cross-cutting layers: security headers on every response, request metrics, and the
//! per-request tracing span that carries the request id.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::state::AppState;

/// Headers every response gets unless the handler set its own (pages set a richer CSP,
/// discovery documents allow caching).
pub async fn security_headers(State(s): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let defaults = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CONTENT_SECURITY_POLICY, "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"),
        (header::CACHE_CONTROL, "no-store"),
    ];
    for (name, value) in defaults {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    }
    if s.ctx().config.is_https() {
        headers.entry(header::STRICT_TRANSPORT_SECURITY).or_insert(HeaderValue::from_static("max-age=63072000"));
    }
    response
}

/// Counts requests and their latency per route (the route pattern, never the raw path).
pub async fn record_metrics(request: Request, next: Next) -> Response {
    let path = request.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = request.method().as_str().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::histogram!("oneid_http_request_duration_seconds", "method" => method.clone(), "path" => path.clone())
        .record(started.elapsed().as_secs_f64());
    metrics::counter!("oneid_http_requests_total", "method" => method, "path" => path, "status" => status).increment(1);
    response
}

/// The tracing span of a request: method, path (without the query, which may hold
/// hints and state) and request id.
pub fn request_span(request: &Request) -> tracing::Span {
    let request_id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
    tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %request_id)
}
