//! The one place that turns errors into status codes and headers: OAuth errors as JSON
//! (RFC 6749 §5.2), access-token errors with `WWW-Authenticate` (RFC 6750 §3, RFC 9449
//! §7.1), and
//! HTML error pages that tell a person what to do next.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::protocol::dpop;
use crate::protocol::resource::Scheme;
use crate::protocol::{ErrorCode, OAuthError};
use crate::state::Ctx;

use super::pages::Page;

/// Errors of the client-authenticated endpoints (token, PAR, revocation, introspection,
/// device authorization).
pub struct TokenError {
    error: OAuthError,
    /// The client tried `Authorization: Basic`: a failure then carries the matching
    /// challenge (RFC 6749 §5.2); other methods get none, which libraries read better.
    basic_used: bool,
}

impl TokenError {
    pub fn new(error: OAuthError, request_headers: &HeaderMap) -> Self {
        TokenError { error, basic_used: request_headers.contains_key(header::AUTHORIZATION) }
    }
}

impl IntoResponse for TokenError {
    fn into_response(self) -> Response {
        let e = self.error;
        let status = match e.code {
            ErrorCode::InvalidClient => StatusCode::UNAUTHORIZED,
            ErrorCode::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::TemporarilyUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        };
        let mut response = (status, no_store_json(&error_body(&e))).into_response();
        let headers = response.headers_mut();
        if e.code == ErrorCode::InvalidClient && self.basic_used {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"oneid\", charset=\"UTF-8\""));
        }
        if e.code == ErrorCode::TemporarilyUnavailable {
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
        }
        response
    }
}

/// Errors of resources protected by an access token (UserInfo, the app PIN): RFC 6750
/// §3 for bearer tokens, RFC 9449 §7.1 for DPoP-bound ones, with a fresh `DPoP-Nonce`
/// when the proof needs one.
pub struct BearerError {
    error: Option<OAuthError>,
    scheme: Scheme,
    nonce: Option<String>,
}

impl BearerError {
    pub fn new(ctx: &Ctx, error: OAuthError, scheme: Scheme) -> Self {
        let dpop_problem = matches!(error.code, ErrorCode::InvalidDpopProof | ErrorCode::UseDpopNonce);
        let nonce = (scheme == Scheme::Dpop || dpop_problem).then(|| dpop::nonce(ctx));
        BearerError { error: Some(error), scheme: if dpop_problem { Scheme::Dpop } else { scheme }, nonce }
    }

    /// A request that could not be read (before any scheme was known).
    pub fn bearer(error: OAuthError) -> Self {
        BearerError { error: Some(error), scheme: Scheme::Bearer, nonce: None }
    }

    /// No access token at all.
    pub fn missing() -> Self {
        BearerError { error: None, scheme: Scheme::Bearer, nonce: None }
    }
}

impl IntoResponse for BearerError {
    fn into_response(self) -> Response {
        let dpop_challenge = format!("DPoP algs=\"{}\"", dpop::ALGS.join(" "));
        let Some(e) = self.error else {
            // No token at all: no error code (RFC 6750 §3.1); either scheme will do.
            let mut response = (StatusCode::UNAUTHORIZED, no_store_json(&json!({}))).into_response();
            let headers = response.headers_mut();
            headers.append(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"oneid\""));
            if let Ok(value) = HeaderValue::from_str(&dpop_challenge) {
                headers.append(header::WWW_AUTHENTICATE, value);
            }
            return response;
        };
        let status = match e.code {
            ErrorCode::InvalidToken | ErrorCode::InvalidDpopProof | ErrorCode::UseDpopNonce => StatusCode::UNAUTHORIZED,
            ErrorCode::InsufficientScope => StatusCode::FORBIDDEN,
            ErrorCode::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::TemporarilyUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        };
        let error = format!("error=\"{}\", error_description=\"{}\"", e.code.as_str(), e.description.replace(['"', '\\'], "'"));
        let challenge = match self.scheme {
            Scheme::Bearer => format!("Bearer realm=\"oneid\", {error}"),
            Scheme::Dpop => format!("{dpop_challenge}, {error}"),
        };
        let mut response = (status, no_store_json(&error_body(&e))).into_response();
        let headers = response.headers_mut();
        if let Ok(value) = HeaderValue::from_str(&challenge) {
            headers.insert(header::WWW_AUTHENTICATE, value);
        }
        if let Some(nonce) = self.nonce.and_then(|n| HeaderValue::from_str(&n).ok()) {
            headers.insert(DPOP_NONCE, nonce);
        }
        response
    }
}

/// An RFC 9457 problem: `type` names the kind (a URN of ours), `detail` says what
/// to do; extension members as given.
pub struct Problem {
    pub status: StatusCode,
    pub kind: &'static str,
    pub title: &'static str,
    pub detail: String,
    pub extra: Vec<(&'static str, serde_json::Value)>,
}

impl Problem {
    pub fn new(status: StatusCode, kind: &'static str, title: &'static str, detail: impl Into<String>) -> Self {
        Problem { status, kind, title, detail: detail.into(), extra: Vec::new() }
    }

    pub fn with(mut self, name: &'static str, value: impl Into<serde_json::Value>) -> Self {
        self.extra.push((name, value.into()));
        self
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let mut body = serde_json::Map::new();
        body.insert("type".into(), self.kind.into());
        body.insert("title".into(), self.title.into());
        body.insert("status".into(), self.status.as_u16().into());
        body.insert("detail".into(), self.detail.into());
        for (name, value) in self.extra {
            body.insert(name.into(), value);
        }
        let bytes = serde_json::Value::Object(body).to_string();
        let mut response = (self.status, [(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json")), (header::CACHE_CONTROL, HeaderValue::from_static("no-store"))], bytes).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
        }
        response
    }
}

/// RFC 9449 §8: the nonce a DPoP proof must carry next.
pub const DPOP_NONCE: header::HeaderName = header::HeaderName::from_static("dpop-nonce");

/// `error`, `error_description` and any extension members.
fn error_body(e: &OAuthError) -> serde_json::Value {
    let mut body = serde_json::Map::new();
    body.insert("error".into(), e.code.as_str().into());
    body.insert("error_description".into(), e.description.as_ref().into());
    for (name, value) in &e.extra {
        body.insert((*name).into(), value.clone());
    }
    body.into()
}

/// JSON that must not be cached (RFC 6749 §5.1).
pub fn no_store_json(body: &impl serde::Serialize) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (
            [(header::CONTENT_TYPE, HeaderValue::from_static("application/json")), (header::CACHE_CONTROL, HeaderValue::from_static("no-store")), (header::PRAGMA, HeaderValue::from_static("no-cache"))],
            bytes,
        )
            .into_response(),
        Err(e) => TokenError { error: OAuthError::server_error(e), basic_used: false }.into_response(),
    }
}

/// An HTML error page: what happened and what the person can do about it. Title,
/// message and advice are message keys, shown in the page's language.
pub struct ErrorPage {
    pub status: StatusCode,
    pub title: &'static str,
    pub message: &'static str,
    pub advice: &'static str,
    /// A technical detail (English, from the protocol layer), shown small.
    pub detail: Option<String>,
}

impl ErrorPage {
    pub fn new(status: StatusCode, title: &'static str, message: &'static str, advice: &'static str) -> Self {
        ErrorPage { status, title, message, advice, detail: None }
    }

    /// A sign-in request that cannot go on; `message` says why.
    pub fn bad_request(message: &'static str) -> Self {
        ErrorPage::new(StatusCode::BAD_REQUEST, "error-request-title", message, "error-request-advice")
    }

    pub fn expired() -> Self {
        ErrorPage::new(StatusCode::BAD_REQUEST, "error-expired-title", "error-expired-message", "error-expired-advice")
    }

    /// A form without a valid CSRF token.
    pub fn form_expired() -> Self {
        ErrorPage::new(StatusCode::FORBIDDEN, "error-form-title", "error-form-message", "error-form-advice")
    }

    /// A form body that could not be read at all.
    pub fn unreadable_form() -> Self {
        ErrorPage::new(StatusCode::BAD_REQUEST, "error-form-title", "error-unreadable-message", "error-form-advice")
    }

    pub fn busy() -> Self {
        ErrorPage::new(StatusCode::SERVICE_UNAVAILABLE, "error-busy-title", "error-busy-message", "error-busy-advice")
    }

    /// Rate-limited; `retry_after` seconds until the next attempt is allowed.
    pub fn too_many(retry_after: u64) -> Response {
        let mut response = ErrorPage::new(StatusCode::TOO_MANY_REQUESTS, "error-too-many-title", "error-too-many-message", "error-too-many-advice").into_response();
        if let Ok(value) = HeaderValue::from_str(&retry_after.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }

    pub fn not_found() -> Self {
        ErrorPage::new(StatusCode::NOT_FOUND, "error-not-found-title", "error-not-found-message", "error-not-found-advice")
    }

    /// Something failed on our side; the details are logged with the request id.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        ErrorPage::new(StatusCode::INTERNAL_SERVER_ERROR, "error-internal-title", "error-internal-message", "error-internal-advice")
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

impl From<OAuthError> for ErrorPage {
    fn from(e: OAuthError) -> Self {
        match e.code {
            ErrorCode::ServerError => ErrorPage::internal(e.description),
            ErrorCode::TemporarilyUnavailable => ErrorPage::busy(),
            _ => ErrorPage::bad_request("error-request-message").detail(e.description.to_string()),
        }
    }
}

impl From<crate::store::StoreError> for ErrorPage {
    fn from(e: crate::store::StoreError) -> Self {
        ErrorPage::internal(e)
    }
}

impl IntoResponse for ErrorPage {
    fn into_response(self) -> Response {
        let page = Page::new("error.html")
            .with("title", self.title)
            .with("message", self.message)
            .with("advice", self.advice)
            .with("detail", self.detail)
            .status(self.status);
        let mut response = page.into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        response
    }
}
