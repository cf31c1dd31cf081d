//! The settings console (F50, F52): server-rendered pages over the same admin services
//! as the API. It signs administrators in as an OIDC client of oneid (`admin::console`)
//! and keeps its own session in a signed cookie bound to the oneid session; every page
//! checks that session and the admin role again. Forms carry the CSRF token, and
//! destructive actions ask for confirmation first.

// Helpers answer early with a whole page (`Err(Response)`), once per request.
#![allow(clippy::result_large_err)]

mod clients;
mod settings;
mod signin;
mod users;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::admin::console::{Refused, SignedIn};
use crate::admin::{self, Actor, ListPage};
use crate::crypto;
use crate::error::AppError;
use crate::paths;
use crate::protocol::params::Params;
use crate::state::AppState;

use super::error::ErrorPage;
use super::pages::{Page, csrf_token, csrf_valid, with_query};

const SESSION_COOKIE: &str = "oneid_console";
const FLOW_COOKIE: &str = "oneid_console_flow";
/// The console session never outlives this, even while the oneid session lasts.
const SESSION_MAX: i64 = 12 * 3600;
const FLOW_TTL: i64 = 600;

pub fn routes() -> Router<AppState> {
    Router::new().merge(signin::routes()).merge(clients::routes()).merge(users::routes()).merge(settings::routes())
}

/// A console request by a signed-in administrator.
pub struct Console {
    pub actor: Actor,
    pub jar: CookieJar,
    pub csrf: String,
}

impl FromRequestParts<AppState> for Console {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Response> {
        let jar = CookieJar::from_headers(&parts.headers);
        let signed_in = jar.get(&cookie_name(s, SESSION_COOKIE)).and_then(|c| open::<SessionCookie>(s, c.value())).map(|c| SignedIn { user_id: c.user, sid: c.sid });
        let refused = match signed_in {
            Some(signed_in) => match admin::console::check(s.ctx(), &signed_in).await {
                Ok(actor) => {
                    let (jar, csrf) = csrf_token(s, jar);
                    return Ok(Console { actor, jar, csrf });
                }
                Err(refused) => refused,
            },
            None => Refused::Failed("not signed in".into()),
        };
        match refused {
            Refused::NotAdmin => Err(refused_page(s, jar, Refused::NotAdmin)),
            // A page that needs a sign-in starts one and comes back; a form cannot be
            // replayed after the round trip, so it says so instead.
            _ if parts.method == Method::GET => {
                let here = parts.uri.path_and_query().map_or(paths::ADMIN, |p| p.as_str());
                let here = here.strip_prefix(&s.path_prefix).unwrap_or(here);
                Err(Redirect::to(&with_query(&s.url_path(paths::ADMIN_SIGNIN), "next", here)).into_response())
            }
            _ => Err(refused_page(s, jar, Refused::Failed("your console sign-in has ended; sign in again and repeat the change".into()))),
        }
    }
}

impl Console {
    /// A console page with what the layout needs.
    pub fn page(&self, template: &'static str, section: &'static str) -> Page {
        let email = match &self.actor {
            Actor::User { email, .. } => email.as_str(),
            _ => "",
        };
        layout(template, email, &self.csrf, section)
    }

    pub fn show(self, page: Page) -> Response {
        (self.jar, page).into_response()
    }

    /// `Err` (a page) when the form's CSRF token is not this browser's.
    pub fn check_csrf(&self, s: &AppState, params: &Params) -> Result<(), Response> {
        if csrf_valid(s, &self.jar, params.get("csrf").ok().flatten()) { Ok(()) } else { Err(ErrorPage::form_expired().into_response()) }
    }

    /// The confirmation step of a destructive action: `None` once the form says yes.
    pub fn confirm(&self, params: &Params, question: &str, consequence: &str, button: &str, back: String) -> Option<Page> {
        if params.get("confirm").ok().flatten() == Some("yes") {
            return None;
        }
        Some(self.page("admin/confirm.html", "").with("question", question).with("consequence", consequence).with("button", button).with("back", back))
    }
}

/// A console page with what its layout reads (`admin/base.html`); no administrator
/// named means the page shows no sections.
fn layout(template: &'static str, admin_email: &str, csrf: &str, section: &'static str) -> Page {
    Page::new(template)
        .with("admin_email", admin_email)
        .with("csrf", csrf)
        .with("section", section)
        .with("notice", None::<&str>)
        .with("problems", None::<Vec<String>>)
}

/// The page number a list was asked for (`?page=`), and `per_page` items on it.
pub fn paging(params: &Params, per_page: u64) -> admin::Paging {
    admin::Paging { page: text(params, "page").and_then(|p| p.parse().ok()).unwrap_or(1), per_page }
}

/// A service error as the console shows it: field problems next to the form (the
/// caller re-renders it), the rest as an error page.
pub fn failure(e: AppError) -> Response {
    let (status, title) = match &e {
        AppError::BadRequest(_) => (StatusCode::UNPROCESSABLE_ENTITY, "error-request-title"),
        AppError::NotFound(_) => (StatusCode::NOT_FOUND, "error-not-found-title"),
        AppError::Conflict(_) | AppError::Forbidden(_) => (StatusCode::CONFLICT, "error-request-title"),
        AppError::Internal(_) => return ErrorPage::internal(e).into_response(),
    };
    ErrorPage::new(status, title, "error-admin-message", "error-admin-advice").detail(e.to_string()).into_response()
}

/// The page for a refused sign-in or session.
pub fn refused_page(s: &AppState, jar: CookieJar, refused: Refused) -> Response {
    let (jar, csrf) = csrf_token(s, jar);
    let (status, title, message, security_link, retry) = match refused {
        Refused::NotAdmin => (StatusCode::FORBIDDEN, "Administrators only", "This account does not have the admin role. An administrator can give it with `oneid users grant-admin EMAIL`.".to_string(), false, false),
        Refused::NeedsSecondFactor { has_factor: true } => {
            (StatusCode::FORBIDDEN, "Sign in with a second factor", "The settings console needs a passkey or an authenticator app. Sign in again and use one of them.".to_string(), false, true)
        }
        Refused::NeedsSecondFactor { has_factor: false } => (
            StatusCode::FORBIDDEN,
            "Set up a second factor first",
            "The settings console needs a passkey or an authenticator app, and this account has neither yet. Add one on your account's security page, then sign in again.".to_string(),
            true,
            true,
        ),
        Refused::Failed(why) => (StatusCode::UNAUTHORIZED, "Please sign in", format!("{why}."), false, true),
    };
    let page = layout("admin/refused.html", "", &csrf, "")
        .status(status)
        .with("title", title)
        .with("message", message)
        .with("security_link", security_link)
        .with("retry", retry);
    (jar, page).into_response()
}

#[derive(Serialize, Deserialize)]
struct SessionCookie {
    user: String,
    sid: String,
    exp: i64,
}

#[derive(Serialize, Deserialize)]
struct FlowCookie {
    secret: String,
    next: String,
    exp: i64,
}

/// The console's own key, for its cookies and its sign-in flow.
fn key(s: &AppState) -> [u8; 32] {
    s.ctx().kek.derive("admin-console")
}

/// `payload` as JSON with an HMAC: the browser can read but not change it.
fn seal(s: &AppState, payload: &impl Serialize) -> String {
    let body = crypto::b64url(&serde_json::to_vec(payload).unwrap_or_default());
    let mac = crypto::b64url(&crypto::hmac_sha256(&key(s), body.as_bytes()));
    format!("{body}.{mac}")
}

/// The payload of a sealed value, if untouched and not expired.
fn open<T: DeserializeOwned + Expiring>(s: &AppState, value: &str) -> Option<T> {
    let (body, mac) = value.split_once('.')?;
    let expected = crypto::b64url(&crypto::hmac_sha256(&key(s), body.as_bytes()));
    if !crypto::constant_time_eq(expected.as_bytes(), mac.as_bytes()) {
        return None;
    }
    let payload: T = serde_json::from_slice(&crypto::b64url_decode(body)?).ok()?;
    (payload.expires_at() > s.ctx().now()).then_some(payload)
}

trait Expiring {
    fn expires_at(&self) -> i64;
}

impl Expiring for SessionCookie {
    fn expires_at(&self) -> i64 {
        self.exp
    }
}

impl Expiring for FlowCookie {
    fn expires_at(&self) -> i64 {
        self.exp
    }
}

fn cookie_name(s: &AppState, base: &str) -> String {
    if s.ctx().config.is_https() { format!("__Host-{base}") } else { base.to_string() }
}

fn cookie(s: &AppState, base: &str, value: String, same_site: SameSite, max_age: i64) -> Cookie<'static> {
    Cookie::build((cookie_name(s, base), value))
        .http_only(true)
        .secure(s.ctx().config.is_https())
        .same_site(same_site)
        .path("/")
        .max_age(time::Duration::seconds(max_age))
        .build()
}

/// A list page's numbers, and the link to another page with the same filters.
pub fn pager<T: Serialize>(page: Page, list: &ListPage<T>, base: String) -> Page {
    let sep = if base.contains('?') { "&" } else { "?" };
    page.with("pages", list.pages()).with("page_url", format!("{base}{sep}")).with("page", list)
}

/// A moment as people read it in the console: UTC, to the minute.
pub fn utc(at: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(at)
        .ok()
        .and_then(|t| t.format(&time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]")).ok())
        .unwrap_or_else(|| at.to_string())
}

/// A query string value, encoded.
pub fn encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// A path segment, encoded.
pub fn segment(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// A notice shown after a redirect (`?done=`), from a fixed list: links cannot inject text.
pub fn notice(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "client-created" => "The client is registered.",
        "client-saved" => "The client is saved.",
        "client-deleted" => "The client is deleted.",
        "user-created" => "The account is created.",
        "user-deleted" => "The account is deleted.",
        "disable" => "The account is disabled; its sessions ended and its tokens are revoked.",
        "enable" => "The account is enabled.",
        "unlock" => "The account is unlocked.",
        "password-reset" => "A password reset link is on its way to the account's email address.",
        "sessions" => "Every session of the account ended; its apps must sign in again.",
        "grant-admin" => "The account is an administrator now.",
        "revoke-admin" => "The account is no longer an administrator.",
        "brand-created" => "The brand is created.",
        "brand-saved" => "The brand is saved.",
        "brand-deleted" => "The brand is deleted.",
        "policy-saved" => "The policies are saved; they apply to the next sign-in.",
        "keys-rotated" => "New signing keys are in use.",
        "key-retired" => "The key is no longer published.",
        _ => return None,
    })
}

/// A form field's trimmed value; empty counts as absent.
pub fn text(params: &Params, name: &str) -> Option<String> {
    params.pairs().find(|(k, _)| *k == name).map(|(_, v)| v.trim().to_string()).filter(|v| !v.is_empty())
}

/// A text area, one value per line.
pub fn lines(params: &Params, name: &str) -> Vec<String> {
    text(params, name).map(|v| v.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()).unwrap_or_default()
}

/// Every value of a repeated field (checkboxes).
pub fn all(params: &Params, name: &str) -> Vec<String> {
    params.pairs().filter(|(k, _)| *k == name).map(|(_, v)| v.to_string()).collect()
}

pub fn checked(params: &Params, name: &str) -> bool {
    text(params, name).is_some_and(|v| v == "true")
}
