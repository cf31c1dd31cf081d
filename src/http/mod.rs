//! HTTP: the only module that knows axum. Each file owns the routes of one part of
//! the protocol; this one puts them together with the layers every request passes.

mod account;
mod account_api;
mod admin_api;
mod admin_console;
mod app;
pub mod client_addr;
mod authorize;
mod consent;
mod device;
mod device_link;
mod discovery;
mod error;
mod extract;
mod home;
mod json_api;
mod lazy_api;
mod login;
mod logout;
mod middleware;
mod request_metrics;
mod ops;
mod pages;
mod passkeys;
mod picture;
mod recovery;
mod register;
mod second_factor;
mod token;
mod userinfo;

use std::net::SocketAddr;

use axum::{Router, ServiceExt};
use axum::extract::DefaultBodyLimit;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower::ServiceBuilder;

use crate::paths;
use crate::state::AppState;

pub use error::ErrorPage;

const BODY_LIMIT: usize = 64 * 1024;

fn router(state: AppState) -> Router {
    let routes = Router::new()
        .merge(discovery::routes())
        .merge(authorize::routes())
        .merge(login::routes())
        .merge(second_factor::routes())
        .merge(device_link::routes())
        .merge(passkeys::routes())
        .merge(device::routes())
        .merge(consent::routes())
        .merge(logout::routes())
        .merge(token::routes())
        .merge(userinfo::routes())
        .merge(app::routes())
        .merge(home::routes())
        .merge(register::routes())
        .merge(recovery::routes())
        .merge(account::routes())
        .merge(picture::routes())
        .merge(ops::routes())
        .merge(admin_api::routes(&state))
        .merge(account_api::routes(&state))
        .merge(admin_console::routes());
    let prefix = &state.path_prefix;
    let app = if prefix.is_empty() {
        routes
    } else {
        // RFC 8414 §3: metadata of an issuer with a path lives at the host's well-known path.
        Router::new().nest(prefix, routes).route(&format!("{}{prefix}", paths::AS_METADATA), get(discovery::discovery_get))
    };
    app.fallback(not_found).with_state(state)
}

async fn not_found() -> Response {
    ErrorPage::not_found().into_response()
}

/// Serves until `shutdown` completes, then lets requests in flight finish. What every
/// request passes through wraps the router once (`Router::layer` would wrap each route,
/// and each request would then pass through a boxed service per layer).
pub async fn serve(state: AppState, listener: tokio::net::TcpListener, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
    let app = middleware::Finish::new(state.clone(), ServiceBuilder::new().layer(DefaultBodyLimit::max(BODY_LIMIT)).service(router(state)));
    crate::allocator::release_free_memory();
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).with_graceful_shutdown(shutdown).await
}
