//! HTML pages and browser state. Handlers return a `Page` (a template and its values);
//! one middleware renders it with what every page shares and sets the headers every page
//! needs (strict CSP, no caching). Cookies: the session id and the CSRF secret, both
//! HttpOnly, SameSite=Lax, `__Host-` prefixed and Secure unless the issuer is plain-http
//! localhost. CSRF tokens are the HMAC of the CSRF cookie (signed double submit).

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use minijinja::Value;

use crate::crypto;
use crate::state::AppState;
use crate::store::{SessionRecord, StoreError};

const SESSION_COOKIE: &str = "oneid_session";
const CSRF_COOKIE: &str = "oneid_csrf";

#[derive(Clone)]
pub struct Page {
    template: &'static str,
    values: BTreeMap<&'static str, Value>,
    status: StatusCode,
    /// Origins (other than ours) that a form on the page may lead to, directly or
    /// through redirects: the client's redirect URI.
    form_targets: Vec<String>,
}

impl Page {
    pub fn new(template: &'static str) -> Page {
        Page { template, values: BTreeMap::new(), status: StatusCode::OK, form_targets: Vec::new() }
    }

    pub fn with(mut self, name: &'static str, value: impl serde::Serialize) -> Page {
        self.values.insert(name, Value::from(minijinja::value::Serde(value)));
        self
    }

    pub fn status(mut self, status: StatusCode) -> Page {
        self.status = status;
        self
    }

    pub fn form_target(mut self, uri: &str) -> Page {
        if let Some(source) = csp_source(uri) {
            self.form_targets.push(source);
        }
        self
    }
}

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        let status = self.status;
        let mut response = status.into_response();
        response.extensions_mut().insert(self);
        response
    }
}

/// Renders the `Page` a handler returned into `response` (whose status and cookies it
/// keeps), with what every page shares and the headers every page needs.
pub fn render(state: &AppState, page: Page, request_id: Option<&str>, mut response: Response) -> Response {
    let mut values = page.values;
    values.entry("request_id").or_insert_with(|| Value::from(request_id));
    values.entry("brand_name").or_insert_with(|| Value::from("oneid"));
    values.entry("lang").or_insert_with(|| Value::from("en"));
    let html = match state.templates.render(page.template, Value::from(values)) {
        Ok(html) => html,
        Err(e) => {
            tracing::error!(error = %e, "page could not be rendered");
            return (StatusCode::INTERNAL_SERVER_ERROR, "The page could not be shown. Try again later.").into_response();
        }
    };
    let csp = format!(
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self'{}; frame-ancestors 'none'; base-uri 'none'",
        page.form_targets.iter().map(|t| format!(" {t}")).collect::<String>()
    );
    *response.body_mut() = Body::from(html);
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(csp) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    response
}

/// The CSP source for where a URI points: its origin, or its scheme for a native app.
fn csp_source(uri: &str) -> Option<String> {
    let url = url::Url::parse(uri).ok()?;
    match url.scheme() {
        "http" | "https" => Some(url.origin().ascii_serialization()),
        scheme if scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')) => Some(format!("{scheme}:")),
        _ => None,
    }
}

fn cookie_name(state: &AppState, base: &str) -> String {
    if state.ctx.config.is_https() { format!("__Host-{base}") } else { base.to_string() }
}

fn cookie(state: &AppState, base: &str, value: String, max_age: Option<i64>) -> Cookie<'static> {
    let mut builder = Cookie::build((cookie_name(state, base), value))
        .http_only(true)
        .secure(state.ctx.config.is_https())
        .same_site(SameSite::Lax)
        .path("/");
    if let Some(seconds) = max_age {
        builder = builder.max_age(time::Duration::seconds(seconds));
    }
    builder.build()
}

/// The CSRF token for this browser, setting the CSRF cookie when there is none yet.
pub fn csrf_token(state: &AppState, jar: CookieJar) -> (CookieJar, String) {
    let existing = jar.get(&cookie_name(state, CSRF_COOKIE)).map(|c| c.value().to_string()).filter(|v| v.len() == 43);
    let (jar, secret) = match existing {
        Some(secret) => (jar, secret),
        None => {
            let secret = crypto::random_token();
            (jar.add(cookie(state, CSRF_COOKIE, secret.clone(), None)), secret)
        }
    };
    let token = crypto::b64url(&crypto::hmac_sha256(state.csrf_key.as_ref(), secret.as_bytes()));
    (jar, token)
}

/// Whether a submitted form carries the token of this browser's CSRF cookie.
pub fn csrf_valid(state: &AppState, jar: &CookieJar, submitted: Option<&str>) -> bool {
    let (Some(secret), Some(submitted)) = (jar.get(&cookie_name(state, CSRF_COOKIE)), submitted) else { return false };
    let expected = crypto::b64url(&crypto::hmac_sha256(state.csrf_key.as_ref(), secret.value().as_bytes()));
    crypto::constant_time_eq(expected.as_bytes(), submitted.as_bytes())
}

/// The browser session the cookie points to, if it is live.
pub async fn current_session(state: &AppState, jar: &CookieJar) -> Result<Option<SessionRecord>, StoreError> {
    match jar.get(&cookie_name(state, SESSION_COOKIE)) {
        Some(c) => crate::auth::session::find(state.ctx(), c.value()).await,
        None => Ok(None),
    }
}

pub fn set_session_cookie(state: &AppState, jar: CookieJar, value: String) -> CookieJar {
    jar.add(cookie(state, SESSION_COOKIE, value, Some(state.ctx.config.session.ttl)))
}

pub fn clear_session_cookie(state: &AppState, jar: CookieJar) -> CookieJar {
    jar.remove(cookie(state, SESSION_COOKIE, String::new(), None))
}
