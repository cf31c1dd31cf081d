//! Operations endpoints: liveness, readiness (the database answers), Prometheus
//! metrics, and the static files pages use.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::paths;
use crate::state::AppState;
use crate::templates::STATIC_FILES;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(paths::HEALTHZ, get(healthz_get))
        .route(paths::READYZ, get(readyz_get))
        .route(paths::METRICS, get(metrics_get))
        .route(&format!("{}/{{file}}", paths::STATIC), get(static_get))
}

async fn healthz_get() -> &'static str {
    "ok"
}

async fn readyz_get(State(s): State<AppState>) -> Response {
    match s.ctx().store.ping().await {
        Ok(()) => "ready".into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
    }
}

async fn metrics_get(State(s): State<AppState>) -> Response {
    match &s.metrics {
        Some(handle) => ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], handle.render()).into_response(),
        None => (StatusCode::NOT_FOUND, "metrics are not enabled").into_response(),
    }
}

async fn static_get(State(s): State<AppState>, Path(file): Path<String>) -> Response {
    // Each brand's colours: `brand-{id}.css`.
    if let Some(css) = file.strip_prefix("brand-").and_then(|f| f.strip_suffix(".css")).and_then(|id| s.ctx().brands.style_sheet(id)) {
        return ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=300")], css.to_string()).into_response();
    }
    match STATIC_FILES.iter().find(|(name, _, _)| *name == file) {
        Some((_, content_type, bytes)) => {
            ([(header::CONTENT_TYPE, *content_type), (header::CACHE_CONTROL, "public, max-age=3600")], *bytes).into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
