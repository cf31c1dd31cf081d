//! What every request passes through, in one layer around the whole router so that
//! the cheapest requests (discovery, JWKS) stay cheap: a request id and the tracing
//! span that carries it, the request timeout, the page a handler returned rendered,
//! default security headers, CORS for browser-based clients on the few endpoints they
//! call themselves, and the request counted.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower::Service;
use tracing::Instrument;

use crate::auth::rate_limit;
use crate::paths;
use crate::state::AppState;

use super::client_addr::{self, Network};
use super::{pages, request_metrics};

/// How long a request may take before it is answered 503 (too busy, try again).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Endpoints that JavaScript on other origins may call (none of them uses cookies).
const CROSS_ORIGIN: &[&str] = &[paths::DISCOVERY, paths::AS_METADATA, paths::JWKS, paths::TOKEN, paths::PAR, paths::REVOKE, paths::USERINFO];
const CORS_MAX_AGE: Duration = Duration::from_secs(3600);
/// Forms whose POSTs each client address may send only so often.
const RATE_LIMITED: &[&str] = &[paths::LOGIN, paths::LOGIN_CODE, paths::LOGIN_TOTP, paths::LOGIN_DEVICE, paths::LOGIN_PASSKEY, paths::LOGIN_CODE_RESEND, paths::REGISTER, paths::PASSWORD_FORGOT, paths::RESEND_ACTIVATION];
/// Endpoints that answer with JSON or plain text only.
const NO_PAGES: &[&str] = &[
    paths::DISCOVERY, paths::AS_METADATA, paths::JWKS, paths::TOKEN, paths::PAR, paths::REVOKE, paths::USERINFO, paths::INTROSPECT, paths::DEVICE_AUTHORIZATION,
    paths::APP_PIN, paths::HEALTHZ, paths::READYZ, paths::METRICS, STATIC_FILE,
];

/// The layer around the router, as a tower service of its own: axum's `from_fn` would
/// box the rest of the stack and that stack's future again on every request.
#[derive(Clone)]
pub struct Finish<S> {
    state: AppState,
    inner: S,
}

impl<S> Finish<S> {
    pub fn new(state: AppState, inner: S) -> Finish<S> {
        Finish { state, inner }
    }
}

impl<S> Service<Request> for Finish<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        // The service made ready serves this request; its clone waits for its own poll_ready.
        let waiting = self.inner.clone();
        let ready = std::mem::replace(&mut self.inner, waiting);
        let state = self.state.clone();
        Box::pin(async move { Ok(finish(state, request, ready).await) })
    }
}

async fn finish<S>(s: AppState, mut request: Request, inner: S) -> Response
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    mark_secrets(request.headers_mut());
    let request_id = request_id(&mut request, &s.ctx().trusted_proxies);
    // The path without the query, which may hold hints and state.
    let span = tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %request_id.to_str().unwrap_or("-"));
    let mut response = answer(s, request, inner).instrument(span).await;
    response.headers_mut().insert(REQUEST_ID, request_id);
    response
}

async fn answer<S>(s: AppState, request: Request, mut inner: S) -> Response
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    let started = Instant::now();
    let route_index = route_of(&s.path_prefix, request.uri().path());
    let route = ROUTES[route_index];
    let method = request.method().clone();
    let cross_origin = CROSS_ORIGIN.contains(&route);
    let preflight = cross_origin && request.method() == Method::OPTIONS && request.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    // Only routes that can answer with a page pay for reading what pages need.
    let page_request = (!NO_PAGES.contains(&route)).then(|| pages::PageRequest::of(&request));
    // Typing device codes is limited however it is sent: the codes are short.
    let limited = if (request.method() == Method::POST && RATE_LIMITED.contains(&route)) || route == paths::DEVICE {
        client_addr::of(request.extensions(), request.headers(), &s.ctx().trusted_proxies).and_then(|ip| rate_limit::check(s.ctx(), ip))
    } else {
        None
    };
    let mut response = match limited {
        Some(retry_after) => super::error::ErrorPage::too_many(retry_after),
        None if preflight => StatusCode::NO_CONTENT.into_response(),
        None => match tokio::time::timeout(REQUEST_TIMEOUT, inner.call(request)).await {
            Ok(Ok(response)) => response,
            Err(_) => super::error::ErrorPage::busy().into_response(),
        },
    };
    if let (Some(page), Some(page_request)) = (response.extensions_mut().remove::<pages::Page>(), page_request) {
        response = pages::render(&s, page, &page_request, response);
    }
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
    if cross_origin {
        // `*` without credentials: any origin may read, none can act as the user.
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        if preflight {
            headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST"));
            headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("authorization, content-type, dpop"));
            headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from(CORS_MAX_AGE.as_secs()));
        } else {
            headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static("www-authenticate, dpop-nonce"));
        }
    }
    let elapsed = started.elapsed();
    let status = response.status();
    let latency_ms = elapsed.as_secs_f64() * 1000.0;
    if status.is_server_error() {
        tracing::error!(status = status.as_u16(), latency_ms, "response failed");
    } else {
        tracing::debug!(status = status.as_u16(), latency_ms, "finished processing request");
    }
    request_metrics::record(route_index, &method, status, elapsed);
    response
}

/// Marks the headers that carry secrets, so that debug output of a request never shows them.
fn mark_secrets(headers: &mut HeaderMap) {
    for name in [header::AUTHORIZATION, header::COOKIE] {
        if let header::Entry::Occupied(mut entry) = headers.entry(name) {
            entry.iter_mut().for_each(|value| value.set_sensitive(true));
        }
    }
}

/// The request's id, which handlers, pages and audit events then read from the
/// request's headers: the one a trusted proxy in front sent, when it looks like an id;
/// otherwise a new one (anybody else's would let them forge or blur the trail that logs
/// and audit events leave).
fn request_id(request: &mut Request, trusted: &[Network]) -> HeaderValue {
    // The peer is looked at only when an id came: most requests bring none.
    let from_proxy = || request.extensions().get::<ConnectInfo<SocketAddr>>().is_some_and(|peer| client_addr::is_trusted(peer.0.ip(), trusted));
    if let Some(id) = request.headers().get(REQUEST_ID).filter(|id| is_request_id(id.as_bytes()) && from_proxy()) {
        return id.clone();
    }
    let id = new_request_id();
    request.headers_mut().insert(REQUEST_ID, id.clone());
    id
}

/// Up to 128 letters, digits and `-_.:`: UUIDs, hex and the ids proxies make.
fn is_request_id(id: &[u8]) -> bool {
    (1..=128).contains(&id.len()) && id.iter().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(b))
}

/// The route patterns requests are told apart by (metrics labels, CORS, rate limits,
/// pages): patterns only, never raw paths, which would let anyone create label values.
pub(super) const ROUTES: &[&str] = &[
    paths::DISCOVERY, paths::AS_METADATA, paths::JWKS, paths::AUTHORIZE, paths::AUTHORIZE_RESUME, paths::AUTHORIZE_CANCEL,
    paths::LOGIN, paths::CONSENT, paths::TOKEN, paths::USERINFO, paths::REVOKE, paths::INTROSPECT, paths::LOGOUT,
    paths::HOME, paths::HEALTHZ, paths::READYZ, paths::METRICS, paths::REGISTER, paths::ACTIVATE, paths::RESEND_ACTIVATION,
    paths::PASSWORD_FORGOT, paths::PASSWORD_RESET, paths::ACCOUNT, paths::ACCOUNT_PASSWORD, paths::ACCOUNT_EMAIL,
    paths::ACCOUNT_EMAIL_CONFIRM, paths::ACCOUNT_EXPORT, paths::ACCOUNT_DELETE, paths::LOGIN_CODE, paths::LOGIN_CODE_RESEND,
    paths::LOGIN_TOTP, paths::ACCOUNT_TOTP, paths::ACCOUNT_NOT_ME, paths::ACCOUNT_PHONE,
    paths::LOGIN_DEVICE, paths::ACCOUNT_DEVICES, paths::ACCOUNT_QUESTION, paths::LOGIN_PASSKEY, paths::LOGIN_PASSKEY_OPTIONS,
    paths::ACCOUNT_PASSKEYS, paths::ACCOUNT_PASSKEYS_OPTIONS, paths::ACCOUNT_PASSKEYS_REMOVE, paths::DEVICE_AUTHORIZATION, paths::DEVICE,
    paths::DEVICE_DECIDE, paths::ACCOUNT_SESSIONS, paths::PAR, paths::APP_PIN,
    paths::ACCOUNT_SECURITY, paths::ACCOUNT_SECURITY_CODE, paths::ACCOUNT_SECURITY_CODE_RESEND,
    STATIC_FILE, UNMATCHED,
];
const STATIC_FILE: &str = "/static/{file}";
const UNMATCHED: &str = "unmatched";

/// The index in `ROUTES` of the route `path` belongs to.
fn route_of(prefix: &str, path: &str) -> usize {
    let index = |route: &str| ROUTES.iter().position(|r| *r == route).unwrap_or(ROUTES.len() - 1);
    let Some(path) = path.strip_prefix(prefix) else {
        // RFC 8414 §3: the metadata of an issuer with a path is outside that path.
        return index(if path.starts_with(paths::AS_METADATA) { paths::AS_METADATA } else { UNMATCHED });
    };
    let path = if path.is_empty() { paths::HOME } else { path };
    let path = if path.strip_prefix(paths::STATIC).is_some_and(|rest| rest.starts_with('/')) { STATIC_FILE } else { path };
    index(path)
}

/// A request id: 128 random bits from the thread's generator (no system call), so ids
/// from several instances never collide and say nothing about traffic volume.
fn new_request_id() -> HeaderValue {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let id: u128 = rand::random();
    // Written out by hand: formatting machinery is a measurable share of the cheapest requests.
    let hex: [u8; 32] = std::array::from_fn(|i| HEX[(id >> (124 - 4 * i)) as usize & 0xf]);
    // Owned by a shared buffer: the copies in the request and the response share it.
    HeaderValue::from_maybe_shared(Bytes::from_owner(hex)).unwrap_or(HeaderValue::from_static("-"))
}

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
