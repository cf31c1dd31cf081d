//! Registration pages: the form ("Register now" on the login page), the activation
//! link's page, and "send a new activation email". Each keeps the sign-in the person
//! started, so that after activation they land back in it.

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_extra::extract::CookieJar;

use crate::account::fields::{COUNTRIES, FieldErrors};
use crate::account::{AccountError, Origin, recovery, registration};
use crate::audit::RequestMeta;
use crate::auth::{acr, pow};
use crate::paths;
use crate::protocol::authorize;
use crate::protocol::params::Params;
use crate::state::AppState;

use super::authorize::with_request;
use super::error::ErrorPage;
use super::extract::{BadForm, FormParams, Meta, QueryParams};
use super::login::{Pending, flow_page, pending, signed_in, start_session_as};
use super::pages::{LangPrefs, Page, csrf_token, csrf_valid};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(paths::REGISTER, get(register_get).post(register_post))
        .route(paths::ACTIVATE, get(activate_get).post(activate_post))
        .route(paths::RESEND_ACTIVATION, get(resend_get).post(resend_post))
}

/// Fields a form may echo back; never a password, token or CSRF value.
const ECHOED: &[&str] = &[
    "email", "salutation", "given_name", "family_name", "country", "locale", "phone_number", "street_address", "postal_code", "locality", "terms",
];

pub fn echoed(params: &Params) -> BTreeMap<&'static str, String> {
    ECHOED.iter().filter_map(|name| params.get(name).ok().flatten().map(|v| (*name, v.to_string()))).collect()
}

/// The brand and language the person sees, as the flow's `Origin`.
pub fn origin<'a>(s: &'a AppState, pending: &'a Pending, form_brand: Option<&'a str>, lang: &LangPrefs, handle: Option<&'a str>) -> Origin<'a> {
    let brand = match pending {
        Some((client, _)) => client.brand.as_str(),
        None => form_brand.filter(|b| s.ctx().brands.exists(b)).unwrap_or(crate::brands::DEFAULT_BRAND),
    };
    let ui_locales = pending.as_ref().and_then(|(_, r)| r.ui_locales.as_deref());
    Origin { brand, lang: lang.resolve(ui_locales, None), request: handle }
}

pub struct FormState<'a> {
    pub handle: Option<&'a str>,
    /// The brand to show when no client is in play (from the form or the link).
    pub brand: Option<&'a str>,
    pub values: BTreeMap<&'static str, String>,
    pub errors: FieldErrors,
}

impl<'a> FormState<'a> {
    pub fn empty(handle: Option<&'a str>) -> FormState<'a> {
        FormState { handle, brand: None, values: BTreeMap::new(), errors: FieldErrors::new() }
    }
}

fn register_page(s: &AppState, jar: CookieJar, pending: &Pending, form: FormState<'_>) -> Response {
    let FormState { handle, brand, values, errors } = form;
    let (jar, csrf) = csrf_token(s, jar);
    let ctx = s.ctx();
    let mut page = Page::new("account/register.html")
        .with("csrf", csrf)
        .with("request", handle)
        .with("pow_challenge", pow::issue(ctx))
        .with("countries", COUNTRIES)
        .with("terms_url", &ctx.policy().accounts.terms_url)
        .with("values", values)
        .with("errors", errors);
    if let Some(brand) = brand {
        page = page.brand(brand);
    }
    let here = in_flow(s, paths::REGISTER, handle);
    (jar, flow_page(s, page, pending, here)).into_response()
}

fn registration_closed() -> Response {
    ErrorPage::new(axum::http::StatusCode::FORBIDDEN, "register-title", "register-closed", "error-request-advice").into_response()
}

async fn register_get(State(s): State<AppState>, jar: CookieJar, QueryParams(params): QueryParams) -> Response {
    if !s.ctx().policy().accounts.registration {
        return registration_closed();
    }
    let handle = params.get("request").ok().flatten();
    match pending(&s, handle).await {
        Ok(pending) => register_page(&s, jar, &pending, FormState::empty(handle)),
        Err(page) => page.into_response(),
    }
}

async fn register_post(State(s): State<AppState>, jar: CookieJar, lang: LangPrefs, Meta(meta): Meta, form: Result<FormParams, BadForm>) -> Response {
    if !s.ctx().policy().accounts.registration {
        return registration_closed();
    }
    let Ok(FormParams(params)) = form else { return ErrorPage::unreadable_form().into_response() };
    let field = |name: &str| params.get(name).ok().flatten();
    let handle = field("request");
    let pending = match pending(&s, handle).await {
        Ok(p) => p,
        Err(page) => return page.into_response(),
    };
    let again = |jar, errors| register_page(&s, jar, &pending, FormState { handle, brand: field("brand"), values: echoed(&params), errors });
    if let Err(problem) = guarded(&s, &jar, &params).await {
        return match problem {
            Guard::Failed(errors) => again(jar, errors),
            Guard::Broken(response) => response,
        };
    }
    let origin = origin(&s, &pending, field("brand"), &lang, handle);
    let email = field("email").unwrap_or("");
    let form = registration::Form { email, password: field("password").unwrap_or(""), terms_accepted: field("terms") == Some("accepted"), field: &field };
    match registration::register(s.ctx(), form, origin, &meta).await {
        Ok(()) => {
            let resend = in_flow(&s, paths::RESEND_ACTIVATION, handle);
            let page = notice("registered-title", "registered-text")
                .with("email", crate::auth::login::normalize_email(email))
                .with("extra", "registered-no-email")
                .with("extra_link", resend)
                .with("extra_link_text", "login-resend-activation");
            flow_page(&s, page.brand(origin.brand), &pending, in_flow(&s, paths::LOGIN, handle)).into_response()
        }
        Err(AccountError::Fields(errors)) => again(jar, errors),
        Err(AccountError::Busy) => ErrorPage::busy().into_response(),
        Err(AccountError::Internal(e)) => ErrorPage::internal(e).into_response(),
    }
}

/// A page that tells the person something, with optional extra line and button.
pub fn notice(title: &'static str, text: &'static str) -> Page {
    Page::new("notice.html")
        .with("title", title)
        .with("text", text)
        .with("extra", None::<&str>)
        .with("extra_link", None::<&str>)
        .with("extra_link_text", None::<&str>)
        .with("next_url", None::<&str>)
        .with("next_text", None::<&str>)
}

/// The page an emailed link opens: a button that uses it (mail scanners that open
/// links must not).
pub fn confirm_link_page(s: &AppState, jar: CookieJar, title: &'static str, button: &'static str, action: &str, token: &str) -> (CookieJar, Page) {
    let (jar, csrf) = csrf_token(s, jar);
    let page = Page::new("account/confirm_link.html")
        .with("title", title)
        .with("button", button)
        .with("action", s.url_path(action))
        .with("token", token)
        .with("csrf", csrf);
    (jar, page)
}

fn activation_invalid(s: &AppState) -> Response {
    notice("activation-invalid-title", "activation-invalid-text")
        .with("next_url", s.url_path(paths::RESEND_ACTIVATION))
        .with("next_text", "resend-title")
        .status(axum::http::StatusCode::BAD_REQUEST)
        .into_response()
}

async fn activate_get(State(s): State<AppState>, jar: CookieJar, QueryParams(params): QueryParams) -> Response {
    let Some(token) = params.get("token").ok().flatten() else { return activation_invalid(&s) };
    let request = match registration::activation_pending(s.ctx(), token).await {
        Ok(Some(request)) => request,
        Ok(None) => return activation_invalid(&s),
        Err(e) => return ErrorPage::internal(e).into_response(),
    };
    let (jar, page) = confirm_link_page(&s, jar, "activate-title", "email-activation-button", paths::ACTIVATE, token);
    // Activating continues the sign-in, which may end in a redirect to the client.
    let continues = match request.as_deref() {
        Some(handle) => authorize::load_pending(s.ctx(), handle).await.ok().flatten(),
        None => None,
    };
    match continues {
        Some((client, request)) => (jar, page.form_target(&request.reply.redirect_uri).brand(&client.brand).ui_locales(request.ui_locales.as_deref())).into_response(),
        None => (jar, page).into_response(),
    }
}

async fn activate_post(State(s): State<AppState>, jar: CookieJar, Meta(meta): Meta, form: Result<FormParams, BadForm>) -> Response {
    let Ok(FormParams(params)) = form else { return ErrorPage::unreadable_form().into_response() };
    if !csrf_valid(&s, &jar, params.get("csrf").ok().flatten()) {
        return ErrorPage::form_expired().into_response();
    }
    let Some(token) = params.get("token").ok().flatten() else { return activation_invalid(&s) };
    let activated = match registration::activate(s.ctx(), token, &meta).await {
        Ok(Some(activated)) => activated,
        Ok(None) => return activation_invalid(&s),
        Err(e) => return ErrorPage::internal(e).into_response(),
    };
    // The emailed link is a one-time secret sent to the address: a one-time password.
    let (jar, session) = match start_session_as(&s, jar, &activated.user, &[acr::AMR_OTP], acr::SINGLE_FACTOR, &meta, true).await {
        Ok(started) => started,
        Err(page) => return page.into_response(),
    };
    let pending = match activated.request.as_deref() {
        Some(handle) => authorize::load_pending(s.ctx(), handle).await.ok().flatten(),
        None => None,
    };
    let handle = pending.as_ref().and(activated.request.as_deref());
    let account = format!("{}?notice=activated", s.url_path(paths::ACCOUNT));
    signed_in(&s, jar, &session, pending, handle, Some(&account)).await
}

/// The one-field email form (resend activation, forgotten password).
pub fn email_form(s: &AppState, jar: CookieJar, pending: &Pending, kind: EmailForm, form: FormState<'_>) -> Response {
    let FormState { handle, brand, values, errors } = form;
    let (jar, csrf) = csrf_token(s, jar);
    let (title, intro, submit, path) = match kind {
        EmailForm::Resend => ("resend-title", "resend-intro", "resend-submit", paths::RESEND_ACTIVATION),
        EmailForm::Forgot => ("forgot-title", "forgot-intro", "forgot-submit", paths::PASSWORD_FORGOT),
    };
    let mut page = Page::new("account/email_form.html")
        .with("title", title)
        .with("intro", intro)
        .with("submit", submit)
        .with("action", s.url_path(path))
        .with("csrf", csrf)
        .with("request", handle)
        .with("pow_challenge", pow::issue(s.ctx()))
        .with("values", values)
        .with("errors", errors);
    if let Some(brand) = brand {
        page = page.brand(brand);
    }
    let here = in_flow(s, path, handle);
    (jar, flow_page(s, page, pending, here)).into_response()
}

#[derive(Clone, Copy)]
pub enum EmailForm {
    Resend,
    Forgot,
}

async fn resend_get(State(s): State<AppState>, jar: CookieJar, QueryParams(params): QueryParams) -> Response {
    let handle = params.get("request").ok().flatten();
    match pending(&s, handle).await {
        Ok(pending) => email_form(&s, jar, &pending, EmailForm::Resend, FormState::empty(handle)),
        Err(page) => page.into_response(),
    }
}

async fn resend_post(State(s): State<AppState>, jar: CookieJar, lang: LangPrefs, Meta(meta): Meta, form: Result<FormParams, BadForm>) -> Response {
    email_form_post(&s, jar, &lang, &meta, form, EmailForm::Resend).await
}

/// The page at `path`, within the sign-in `handle` names if there is one.
fn in_flow(s: &AppState, path: &str, handle: Option<&str>) -> String {
    handle.map_or_else(|| s.url_path(path), |h| with_request(&s.url_path(path), h))
}

pub enum Guard {
    /// Shown on the form again.
    Failed(FieldErrors),
    Broken(Response),
}

/// The checks every public form makes before its work: the CSRF token, then the proof
/// of work (which is spent by checking it).
pub async fn guarded(s: &AppState, jar: &CookieJar, params: &Params) -> Result<(), Guard> {
    let field = |name: &str| params.get(name).ok().flatten();
    if !csrf_valid(s, jar, field("csrf")) {
        return Err(Guard::Failed(FieldErrors::from([("pow", "error-form-message")])));
    }
    match pow::verify(s.ctx(), field("pow_challenge"), field("pow_nonce")).await {
        Ok(()) => Ok(()),
        Err(pow::PowError::Rejected) => Err(Guard::Failed(FieldErrors::from([("pow", "pow-failed")]))),
        Err(pow::PowError::Store(e)) => Err(Guard::Broken(ErrorPage::from(e).into_response())),
    }
}

/// A submitted one-address form: the same answer whatever the address.
pub async fn email_form_post(s: &AppState, jar: CookieJar, lang: &LangPrefs, meta: &RequestMeta, form: Result<FormParams, BadForm>, kind: EmailForm) -> Response {
    let Ok(FormParams(params)) = form else { return ErrorPage::unreadable_form().into_response() };
    let field = |name: &str| params.get(name).ok().flatten();
    let handle = field("request");
    let pending = match pending(s, handle).await {
        Ok(p) => p,
        Err(page) => return page.into_response(),
    };
    let again = |jar, errors| email_form(s, jar, &pending, kind, FormState { handle, brand: field("brand"), values: echoed(&params), errors });
    if let Err(problem) = guarded(s, &jar, &params).await {
        return match problem {
            Guard::Failed(errors) => again(jar, errors),
            Guard::Broken(response) => response,
        };
    }
    let origin = origin(s, &pending, field("brand"), lang, handle);
    let email = field("email").unwrap_or("");
    let (done, title, text) = match kind {
        EmailForm::Resend => (registration::resend(s.ctx(), email, origin, meta).await, "resend-title", "resend-sent"),
        EmailForm::Forgot => (recovery::forgot(s.ctx(), email, origin, meta).await, "forgot-sent-title", "forgot-sent-text"),
    };
    match done {
        Ok(()) => flow_page(s, notice(title, text).brand(origin.brand), &pending, in_flow(s, paths::LOGIN, handle)).into_response(),
        Err(AccountError::Fields(errors)) => again(jar, errors),
        Err(AccountError::Busy) => ErrorPage::busy().into_response(),
        Err(AccountError::Internal(e)) => ErrorPage::internal(e).into_response(),
    }
}
