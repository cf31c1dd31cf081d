//! The JSON APIs are put together on their first request, not at start. Declaring a
//! route also describes it in the API's OpenAPI document, so building the routes builds
//! the document: every path and schema, a tenth of an idle server's memory, though most
//! instances serve sign-ins and tokens and never these APIs.

use std::convert::Infallible;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};

use axum::Router;
use axum::body::Bytes;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::future::RouteFuture;
use axum::routing::get;
use tower::Service;

use crate::state::AppState;

/// An API as built: its routes, with the state, and its OpenAPI document.
pub struct Api {
    pub routes: Router,
    pub document: Bytes,
}

/// Serves the API below `prefix` and its document at `document_path`; `build` makes
/// both on the first request to either.
pub fn routes(state: &AppState, prefix: &str, document_path: &str, build: fn(&AppState) -> Api) -> Router<AppState> {
    let api = LazyApi { state: state.clone(), build, built: Arc::default() };
    let document = api.clone();
    Router::new().nest_service(prefix, api).route(document_path, get(move || async move { document.document() }))
}

#[derive(Clone)]
struct LazyApi {
    state: AppState,
    build: fn(&AppState) -> Api,
    built: Arc<OnceLock<Api>>,
}

impl LazyApi {
    fn api(&self) -> &Api {
        self.built.get_or_init(|| (self.build)(&self.state))
    }

    fn document(&self) -> Response {
        ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], self.api().document.clone()).into_response()
    }
}

impl Service<Request> for LazyApi {
    type Response = Response;
    type Error = Infallible;
    type Future = RouteFuture<Infallible>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // A router is always ready.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        self.api().routes.clone().call(request)
    }
}
