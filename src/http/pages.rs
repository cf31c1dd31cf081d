//! HTML pages and browser state. Handlers return a `Page` (a template and its values);
//! one middleware renders it with what every page shares and sets the headers every page
//! needs (strict CSP, no caching). Cookies: the session id and the CSRF secret, both
//! HttpOnly, SameSite=Lax, `__Host-` prefixed and Secure unless the issuer is plain-http
//! localhost. CSRF tokens are the HMAC of the CSRF cookie (signed double submit).

use std::collections::BTreeMap;

use axum::body::Body;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use minijinja::Value;

use crate::crypto;
use crate::state::AppState;
use crate::store::{SessionRecord, StoreError};

const SESSION_COOKIE: &str = "oneid_session";
/// A sign-in waiting for its second factor.
const PENDING_LOGIN_COOKIE: &str = "oneid_pending";
const CSRF_COOKIE: &str = "oneid_csrf";

#[derive(Clone)]
pub struct Page {
    template: &'static str,
    values: BTreeMap<&'static str, Value>,
    status: StatusCode,
    /// Origins (other than ours) that a form on the page may lead to, directly or
    /// through redirects: the client's redirect URI.
    form_targets: Vec<String>,
    /// The brand of the client in play, if any.
    brand: Option<String>,
    /// Language hints in order: the client's `ui_locales`, the user's preference.
    ui_locales: Option<String>,
    user_lang: Option<String>,
    /// Where the language switch leads (this page, by GET); the request's own URL
    /// when it was a GET.
    switch_url: Option<String>,
    /// A language that beats every preference (the console's previews).
    forced_lang: Option<String>,
    /// Shown, not used: no script runs and no form can be sent (the console's previews,
    /// where a sign-in page must not sign anybody in).
    inert: bool,
}

impl Page {
    pub fn new(template: &'static str) -> Page {
        Page {
            template,
            values: BTreeMap::new(),
            status: StatusCode::OK,
            form_targets: Vec::new(),
            brand: None,
            ui_locales: None,
            user_lang: None,
            switch_url: None,
            forced_lang: None,
            inert: false,
        }
    }

    pub fn inert(mut self) -> Page {
        self.inert = true;
        self
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

    pub fn brand(mut self, brand: &str) -> Page {
        self.brand = Some(brand.to_string());
        self
    }

    pub fn ui_locales(mut self, ui_locales: Option<&str>) -> Page {
        self.ui_locales = ui_locales.map(str::to_string);
        self
    }

    pub fn user_lang(mut self, lang: Option<&str>) -> Page {
        self.user_lang = lang.map(str::to_string);
        self
    }

    pub fn force_lang(mut self, lang: &str) -> Page {
        self.forced_lang = Some(lang.to_string());
        self
    }

    pub fn switch_url(mut self, url: String) -> Page {
        self.switch_url = Some(url);
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

/// What the request says about its language: the language switch (`?lang=`) or the
/// cookie it set, and `Accept-Language`.
#[derive(Debug, Clone, Default)]
pub struct LangPrefs {
    pub chosen: Option<String>,
    /// `?lang=` named a supported language: remember it in the cookie.
    pub switched: bool,
    pub accept_language: Option<String>,
}

impl LangPrefs {
    pub fn of(headers: &HeaderMap, uri: &Uri) -> LangPrefs {
        let switched = query_param(uri, "lang").filter(|l| crate::i18n::supported(l).is_some());
        let cookie = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|c| c.trim().split_once('='))
            .find(|(name, _)| *name == LANG_COOKIE)
            .map(|(_, value)| value.to_string());
        LangPrefs {
            switched: switched.is_some(),
            chosen: switched.or(cookie),
            accept_language: headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).map(str::to_string),
        }
    }

    /// The language, given the client's `ui_locales` and the user's preference.
    pub fn resolve(&self, ui_locales: Option<&str>, user: Option<&str>) -> &'static str {
        crate::i18n::choose(self.chosen.as_deref(), ui_locales, user, self.accept_language.as_deref())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for LangPrefs {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(LangPrefs::of(&parts.headers, &parts.uri))
    }
}

fn query_param(uri: &Uri, name: &str) -> Option<String> {
    form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

/// What the request says about how to show a page: taken by the response layer
/// before the handler runs, and only on routes that can answer with a page.
pub struct PageRequest {
    pub request_id: Option<String>,
    pub lang: LangPrefs,
    /// `?brand=`, carried by links in emails.
    pub brand: Option<String>,
    /// The request's path and query, when it was a GET.
    pub get_url: Option<String>,
}

impl PageRequest {
    pub fn of(request: &axum::extract::Request) -> PageRequest {
        PageRequest {
            request_id: request.headers().get(super::middleware::REQUEST_ID).and_then(|v| v.to_str().ok()).map(str::to_string),
            lang: LangPrefs::of(request.headers(), request.uri()),
            brand: query_param(request.uri(), "brand"),
            get_url: (request.method() == axum::http::Method::GET)
                .then(|| request.uri().path_and_query().map(|p| p.as_str().to_string()))
                .flatten(),
        }
    }
}

const LANG_COOKIE: &str = "oneid_lang";

/// Renders the `Page` a handler returned into `response` (whose status and cookies it
/// keeps), in the chosen language and brand, with the headers every page needs.
pub fn render(state: &AppState, page: Page, request: &PageRequest, mut response: Response) -> Response {
    let ctx = state.ctx();
    let lang = match page.forced_lang.as_deref().and_then(crate::i18n::supported) {
        Some(lang) => lang,
        None => request.lang.resolve(page.ui_locales.as_deref(), page.user_lang.as_deref()),
    };
    let brand = ctx.brands.get(page.brand.as_deref().or(request.brand.as_deref()));
    let switch_base = page.switch_url.as_deref().or(request.get_url.as_deref());
    let languages: Vec<(&str, &str, Option<String>)> =
        crate::i18n::LANGUAGES.iter().map(|(code, name)| (*code, *name, switch_base.map(|url| with_query(url, "lang", code)))).collect();
    let mut values = page.values;
    values.entry("request_id").or_insert_with(|| Value::from(request.request_id.clone()));
    values.insert("lang", Value::from(lang));
    values.insert("brand", Value::from(minijinja::value::Serde(&brand.config)));
    values.insert("languages", Value::from(minijinja::value::Serde(&languages)));
    values.insert("passkeys_available", Value::from(ctx.webauthn.is_some()));
    values.insert("min_password", Value::from(ctx.policy().accounts.password_min_length));
    let html = match ctx.templates.render(page.template, Value::from(values)) {
        Ok(html) => html,
        Err(e) => {
            tracing::error!(error = %e, "page could not be rendered");
            return (StatusCode::INTERNAL_SERVER_ERROR, "The page could not be shown. Try again later.").into_response();
        }
    };
    let csp = if page.inert {
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'".to_string()
    } else {
        format!(
            "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'{}; frame-ancestors 'none'; base-uri 'none'",
            page.form_targets.iter().map(|t| format!(" {t}")).collect::<String>()
        )
    };
    *response.body_mut() = Body::from(html);
    let headers = response.headers_mut();
    // The router measured the empty body the handler returned; the server measures this one.
    headers.remove(header::CONTENT_LENGTH);
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(lang));
    if let Ok(csp) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    if request.lang.switched {
        // Not a secret, so no `__Host-` prefix: the name stays the same on every issuer.
        let cookie = Cookie::build((LANG_COOKIE, lang))
            .http_only(true)
            .secure(ctx.config.is_https())
            .same_site(SameSite::Lax)
            .path("/")
            .max_age(time::Duration::days(365))
            .build();
        if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
            headers.append(header::SET_COOKIE, value);
        }
    }
    response
}

/// `url` with the query parameter `name` set to `value` (replacing an earlier one).
pub fn with_query(url: &str, name: &str, value: &str) -> String {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    serializer.extend_pairs(form_urlencoded::parse(query.as_bytes()).filter(|(k, _)| k != name));
    serializer.append_pair(name, value);
    format!("{path}?{}", serializer.finish())
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

/// The known-device cookie: not `__Host-` prefixed, because it must be found by the same
/// name on any issuer; it is HttpOnly, Lax and signed, and says only "seen before".
pub const DEVICE_COOKIE: &str = "oneid_device";

pub fn device_cookie(state: &AppState, value: String) -> Cookie<'static> {
    Cookie::build((DEVICE_COOKIE, value))
        .http_only(true)
        .secure(state.ctx.config.is_https())
        .same_site(SameSite::Lax)
        .path("/")
        .max_age(time::Duration::days(400))
        .build()
}

/// "Remember this device": `id.secret` of a trusted device (see `auth::devices`).
pub const TRUSTED_DEVICE_COOKIE: &str = "oneid_trusted";

pub fn trusted_device_cookie(state: &AppState, value: String) -> Cookie<'static> {
    Cookie::build((TRUSTED_DEVICE_COOKIE, value))
        .http_only(true)
        .secure(state.ctx.config.is_https())
        .same_site(SameSite::Lax)
        .path("/")
        .max_age(time::Duration::days(state.ctx.policy().devices.remember_days))
        .build()
}

pub fn set_session_cookie(state: &AppState, jar: CookieJar, value: String) -> CookieJar {
    jar.add(cookie(state, SESSION_COOKIE, value, Some(state.ctx.policy().session.ttl)))
}

pub fn set_pending_login_cookie(state: &AppState, jar: CookieJar, value: String) -> CookieJar {
    jar.add(cookie(state, PENDING_LOGIN_COOKIE, value, Some(crate::auth::second_factor::LIFETIME)))
}

pub fn pending_login_cookie(state: &AppState, jar: &CookieJar) -> Option<String> {
    jar.get(&cookie_name(state, PENDING_LOGIN_COOKIE)).map(|c| c.value().to_string())
}

pub fn clear_pending_login_cookie(state: &AppState, jar: CookieJar) -> CookieJar {
    jar.remove(cookie(state, PENDING_LOGIN_COOKIE, String::new(), None))
}

pub fn clear_session_cookie(state: &AppState, jar: CookieJar) -> CookieJar {
    jar.remove(cookie(state, SESSION_COOKIE, String::new(), None))
}
