//! The one place that turns errors into status codes and headers: OAuth errors as JSON
//! (RFC 6749 §5.2), bearer-token errors with `WWW-Authenticate` (RFC 6750 §3), and
//! HTML error pages that tell a person what to do next.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::protocol::{ErrorCode, OAuthError};

use super::pages::Page;

/// Errors of the token, revocation and introspection endpoints.
pub struct TokenError(pub OAuthError);

impl From<OAuthError> for TokenError {
    fn from(e: OAuthError) -> Self {
        TokenError(e)
    }
}

impl IntoResponse for TokenError {
    fn into_response(self) -> Response {
        let e = self.0;
        let status = match e.code {
            ErrorCode::InvalidClient => StatusCode::UNAUTHORIZED,
            ErrorCode::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::TemporarilyUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        };
        let mut response = (status, no_store_json(&json!({ "error": e.code.as_str(), "error_description": e.description }))).into_response();
        let headers = response.headers_mut();
        if e.code == ErrorCode::InvalidClient {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"oneid\", charset=\"UTF-8\""));
        }
        if e.code == ErrorCode::TemporarilyUnavailable {
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
        }
        response
    }
}

/// Errors of resources protected by a bearer token (the UserInfo endpoint).
pub struct BearerError(pub Option<OAuthError>);

impl IntoResponse for BearerError {
    fn into_response(self) -> Response {
        let Some(e) = self.0 else {
            // No token at all: no error code (RFC 6750 §3.1).
            return (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer realm=\"oneid\"")]).into_response();
        };
        let status = match e.code {
            ErrorCode::InvalidToken => StatusCode::UNAUTHORIZED,
            ErrorCode::InsufficientScope => StatusCode::FORBIDDEN,
            ErrorCode::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::TemporarilyUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        };
        let challenge = format!(
            "Bearer realm=\"oneid\", error=\"{}\", error_description=\"{}\"",
            e.code.as_str(),
            e.description.replace(['"', '\\'], "'")
        );
        let mut response = (status, no_store_json(&json!({ "error": e.code.as_str(), "error_description": e.description }))).into_response();
        if let Ok(value) = HeaderValue::from_str(&challenge) {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
        }
        response
    }
}

/// JSON that must not be cached (RFC 6749 §5.1).
pub fn no_store_json(body: &impl serde::Serialize) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (
            [(header::CONTENT_TYPE, "application/json"), (header::CACHE_CONTROL, "no-store"), (header::PRAGMA, "no-cache")],
            bytes,
        )
            .into_response(),
        Err(e) => TokenError(OAuthError::server_error(e)).into_response(),
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
