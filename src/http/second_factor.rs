//! The second step of a sign-in: a code from the authenticator app (or a recovery
//! code), or the code sent by email. The first step (the password) left a pending
//! sign-in behind a short-lived cookie; the right code turns it into a browser session
//! with `amr` [pwd, otp, mfa] and the two-factor `acr`.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;

use crate::audit::RequestMeta;
use crate::auth::otp::{self, Checked, Purpose, Sent};
use crate::auth::lockout::Subject;
use crate::auth::second_factor::Factor;
use crate::auth::{acr, second_factor, totp};
use crate::store::Attempt;
use crate::paths;
use crate::protocol::authorize;
use crate::state::AppState;
use crate::store::{PendingLoginRecord, User};

use super::error::ErrorPage;
use super::extract::{BadForm, FormParams, Meta};
use super::login::{Pending, flow_page, signed_in, start_session, wants_device};
use super::pages::{LangPrefs, Page, clear_pending_login_cookie, csrf_token, csrf_valid, pending_login_cookie, set_pending_login_cookie};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(paths::LOGIN_CODE, get(code_get).post(code_post))
        .route(paths::LOGIN_CODE_RESEND, post(resend_post))
        .route(paths::LOGIN_TOTP, get(totp_get).post(totp_post))
}

/// After a right password: keep the sign-in pending and ask for the second factor
/// (sending the code first, for the emailed one).
#[allow(clippy::too_many_arguments)]
pub async fn ask_for(s: &AppState, jar: CookieJar, factor: Factor, user: &User, pending: &Pending, lang: &LangPrefs, handle: Option<&str>, next: Option<&str>, meta: &RequestMeta) -> Response {
    let ctx = s.ctx();
    let started = match second_factor::begin(ctx, user, &[acr::AMR_PASSWORD], handle, next).await {
        Ok(started) => started,
        Err(e) => return ErrorPage::from(e).into_response(),
    };
    if factor == Factor::Totp {
        ctx.audit("second_factor_requested", meta, Some(&user.id), None, serde_json::json!({ "method": "totp" })).await;
        return (set_pending_login_cookie(s, jar, started), Redirect::to(&s.url_path(paths::LOGIN_TOTP))).into_response();
    }
    let (brand, ui_locales) = match pending {
        Some((client, request)) => (client.brand.as_str(), request.ui_locales.as_deref()),
        None => (crate::brands::DEFAULT_BRAND, None),
    };
    let purpose = match second_factor::send_code(ctx, user, second_factor::code_purpose(user), brand, lang.resolve(ui_locales, user.locale.as_deref())).await {
        Ok((purpose, _)) => purpose,
        Err(e) => return ErrorPage::from(e).into_response(),
    };
    let method = if purpose == Purpose::SignInByText { "sms" } else { "email" };
    ctx.audit("second_factor_requested", meta, Some(&user.id), None, serde_json::json!({ "method": method })).await;
    (set_pending_login_cookie(s, jar, started), Redirect::to(&s.url_path(paths::LOGIN_CODE))).into_response()
}

/// The pending sign-in of this browser, with its authorization request (if still live).
pub async fn pending_login(s: &AppState, jar: &CookieJar) -> Result<(String, PendingLoginRecord, User, Pending), Response> {
    let Some(handle) = pending_login_cookie(s, jar) else { return Err(ErrorPage::expired().into_response()) };
    let (record, user) = match second_factor::find(s.ctx(), &handle).await {
        Ok(Some(found)) => found,
        Ok(None) => return Err(ErrorPage::expired().into_response()),
        Err(e) => return Err(ErrorPage::from(e).into_response()),
    };
    let flow = match record.request.as_deref() {
        Some(request) => authorize::load_pending(s.ctx(), request).await.ok().flatten(),
        None => None,
    };
    Ok((handle, record, user, flow))
}

/// Which code a code page asks for.
#[derive(Clone, Copy)]
pub enum CodeFor {
    /// A sign-in code, sent by text (`by_text`) or by email.
    SignIn { by_text: bool },
    /// The emailed code that turns two-factor sign-in on.
    TurningOn,
}

/// A second-step form of this browser's pending sign-in, once its CSRF token checks out.
pub struct PendingForm {
    pub handle: String,
    pub record: PendingLoginRecord,
    pub user: User,
    pub flow: Pending,
    pub params: crate::protocol::params::Params,
}

pub async fn pending_form(s: &AppState, jar: &CookieJar, form: Result<FormParams, BadForm>) -> Result<PendingForm, Response> {
    let (handle, record, user, flow) = pending_login(s, jar).await?;
    let Ok(FormParams(params)) = form else { return Err(ErrorPage::unreadable_form().into_response()) };
    if !csrf_valid(s, jar, params.get("csrf").ok().flatten()) {
        return Err(ErrorPage::form_expired().into_response());
    }
    Ok(PendingForm { handle, record, user, flow, params })
}

/// The code form; `error` and `notice` are message keys.
pub fn code_page(s: &AppState, jar: CookieJar, user: &User, flow: &Pending, code_for: CodeFor, (error, notice): (Option<&str>, Option<&str>)) -> Response {
    let (action, resend, intro, by_text) = match code_for {
        CodeFor::SignIn { by_text: true } => (paths::LOGIN_CODE, paths::LOGIN_CODE_RESEND, "code-intro-sms", true),
        CodeFor::SignIn { by_text: false } => (paths::LOGIN_CODE, paths::LOGIN_CODE_RESEND, "code-intro", false),
        CodeFor::TurningOn => (paths::ACCOUNT_SECURITY_CODE, paths::ACCOUNT_SECURITY_CODE_RESEND, "security-enable-code-intro", false),
    };
    // Somebody who chose text messages can fall back to email; nobody is offered the
    // weaker channel they did not choose.
    let switch_to = match code_for {
        CodeFor::SignIn { by_text: true } => Some("email"),
        _ => None,
    };
    let (jar, csrf) = csrf_token(s, jar);
    let number = user.phone_number.as_deref().map(super::device_link::masked_number);
    let page = Page::new("login/code.html")
        .with("csrf", csrf)
        .with("intro", intro)
        .with("by_text", by_text)
        .with("switch_to", switch_to)
        .with("number", number)
        .with("email", &user.email)
        .with("error", error)
        .with("notice", notice)
        .with("action", s.url_path(action))
        .with("resend_action", s.url_path(resend))
        .user_lang(user.locale.as_deref());
    (jar, flow_page(s, page, flow, s.url_path(action))).into_response()
}

async fn code_get(State(s): State<AppState>, jar: CookieJar) -> Response {
    match pending_login(&s, &jar).await {
        Ok((_, _, user, flow)) => match emailed_code_is_the_factor(&s, &user, &flow).await {
            Ok(()) => {
                let by_text = matches!(second_factor::live_code(s.ctx(), &user).await, Ok(Some(Purpose::SignInByText)));
                code_page(&s, jar, &user, &flow, CodeFor::SignIn { by_text }, (None, None))
            }
            Err(response) => response,
        },
        Err(response) => response,
    }
}

/// An emailed code is the second factor only of users without an authenticator app:
/// for the others it would be a way around the app (and report the same `acr`).
async fn emailed_code_is_the_factor(s: &AppState, user: &User, flow: &Pending) -> Result<(), Response> {
    let client = flow.as_ref().map(|(c, _)| c.as_ref());
    match second_factor::required(s.ctx(), user, client).await {
        Ok(Some(Factor::EmailCode)) => Ok(()),
        Ok(Some(Factor::Totp)) => Err(Redirect::to(&s.url_path(paths::LOGIN_TOTP)).into_response()),
        Ok(None) => Err(ErrorPage::expired().into_response()),
        Err(e) => Err(ErrorPage::from(e).into_response()),
    }
}

async fn code_post(State(s): State<AppState>, jar: CookieJar, Meta(meta): Meta, form: Result<FormParams, BadForm>) -> Response {
    let PendingForm { handle, record, user, flow, params } = match pending_form(&s, &jar, form).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    if let Err(response) = emailed_code_is_the_factor(&s, &user, &flow).await {
        return response;
    }
    let code = params.get("code").ok().flatten().unwrap_or("");
    let purpose = match second_factor::live_code(s.ctx(), &user).await {
        Ok(live) => live.unwrap_or(Purpose::SignIn),
        Err(e) => return ErrorPage::from(e).into_response(),
    };
    let by_text = purpose == Purpose::SignInByText;
    let again = |jar, error| code_page(&s, jar, &user, &flow, CodeFor::SignIn { by_text }, (Some(error), None));
    match otp::check(s.ctx(), &user, purpose, code).await {
        Ok(Checked::Accepted) => {}
        Ok(Checked::Wrong) => return again(jar, "code-wrong"),
        Ok(Checked::Unusable) => return again(jar, "code-unusable"),
        Err(e) => return ErrorPage::from(e).into_response(),
    }
    finish(&s, jar, &handle, &record, &user, &flow, second_factor::code_amr(purpose), &meta).await
}

/// The second factor (`method`, an RFC 8176 `amr` value) checked out: the pending
/// sign-in becomes a session.
#[allow(clippy::too_many_arguments)]
pub async fn finish(s: &AppState, jar: CookieJar, handle: &str, record: &PendingLoginRecord, user: &User, flow: &Pending, method: &str, meta: &RequestMeta) -> Response {
    if !matches!(second_factor::finish(s.ctx(), handle).await, Ok(Some(_))) {
        return ErrorPage::expired().into_response();
    }
    let mut amr: Vec<&str> = record.amr.split_whitespace().collect();
    amr.extend([method, acr::AMR_MFA]);
    let jar = clear_pending_login_cookie(s, jar);
    // A second factor sent to the user's own phone or mail also links this device.
    let session_acr = if wants_device(s, flow) { acr::DEVICE } else { acr::TWO_FACTOR };
    match start_session(s, jar, user, &amr, session_acr, meta).await {
        Ok((jar, session)) => signed_in(s, jar, &session, flow.clone(), flow.as_ref().and(record.request.as_deref()), record.next.as_deref()).await,
        Err(page) => page.into_response(),
    }
}

fn totp_page(s: &AppState, jar: CookieJar, user: &User, flow: &Pending, error: Option<&str>, minutes: Option<i64>) -> Response {
    let (jar, csrf) = csrf_token(s, jar);
    let page = Page::new("login/totp.html").with("csrf", csrf).with("error", error).with("minutes", minutes).user_lang(user.locale.as_deref());
    (jar, flow_page(s, page, flow, s.url_path(paths::LOGIN_TOTP))).into_response()
}

async fn totp_get(State(s): State<AppState>, jar: CookieJar) -> Response {
    match pending_login(&s, &jar).await {
        Ok((_, _, user, flow)) => totp_page(&s, jar, &user, &flow, None, None),
        Err(response) => response,
    }
}

async fn totp_post(State(s): State<AppState>, jar: CookieJar, Meta(meta): Meta, form: Result<FormParams, BadForm>) -> Response {
    let PendingForm { handle, record, user, flow, params } = match pending_form(&s, &jar, form).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let field = |name: &str| params.get(name).ok().flatten();
    let ctx = s.ctx();
    // Guesses at six digits are counted like passwords.
    let subject = Subject::second_factor(ctx, &user);
    let failures = match subject.begin(ctx, false).await {
        Ok(Attempt::Allowed { failures }) => failures,
        // Codes are never asked for a proof of work: anything else is a lock.
        Ok(held) => {
            let until = if let Attempt::Locked { until } = held { until } else { None };
            let minutes = until.map_or(1, |until| ((until - ctx.now()) as f64 / 60.0).ceil().max(1.0) as i64);
            return totp_page(&s, jar, &user, &flow, Some("login-error-locked"), Some(minutes));
        }
        Err(e) => return ErrorPage::from(e).into_response(),
    };
    let accepted = match (field("code"), field("recovery_code")) {
        (Some(code), _) => totp::check(ctx, &user, code).await,
        (None, Some(code)) => totp::use_recovery_code(ctx, &user, code).await,
        (None, None) => Ok(false),
    };
    match accepted {
        Ok(true) => {
            if let Err(e) = subject.succeeded(ctx).await {
                return ErrorPage::from(e).into_response();
            }
            let method = if field("code").is_some() { "totp" } else { "recovery_code" };
            ctx.audit("second_factor_passed", &meta, Some(&user.id), None, serde_json::json!({ "method": method })).await;
            finish(&s, jar, &handle, &record, &user, &flow, acr::AMR_OTP, &meta).await
        }
        Ok(false) => {
            ctx.audit("second_factor_failed", &meta, Some(&user.id), None, serde_json::json!({ "method": "totp" })).await;
            match subject.failed(ctx, failures).await {
                Ok(Some(until)) => totp_page(&s, jar, &user, &flow, Some("login-error-locked"), Some(((until - ctx.now()) as f64 / 60.0).ceil() as i64)),
                Ok(None) => totp_page(&s, jar, &user, &flow, Some("totp-wrong"), None),
                Err(e) => ErrorPage::from(e).into_response(),
            }
        }
        Err(e) => ErrorPage::internal(e).into_response(),
    }
}

async fn resend_post(State(s): State<AppState>, jar: CookieJar, lang: LangPrefs, form: Result<FormParams, BadForm>) -> Response {
    let PendingForm { user, flow, params, .. } = match pending_form(&s, &jar, form).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    if let Err(response) = emailed_code_is_the_factor(&s, &user, &flow).await {
        return response;
    }
    let (brand, ui_locales) = match &flow {
        Some((client, request)) => (client.brand.clone(), request.ui_locales.clone()),
        None => (s.ctx().brands.get(params.get("brand").ok().flatten()).id.clone(), None),
    };
    let lang = lang.resolve(ui_locales.as_deref(), user.locale.as_deref());
    let asked = match params.get("channel").ok().flatten() {
        Some("sms") => Purpose::SignInByText,
        Some("email") => Purpose::SignIn,
        _ => match second_factor::live_code(s.ctx(), &user).await {
            Ok(live) => live.unwrap_or_else(|| second_factor::code_purpose(&user)),
            Err(e) => return ErrorPage::from(e).into_response(),
        },
    };
    let (purpose, (error, notice)) = match second_factor::send_code(s.ctx(), &user, asked, &brand, lang).await {
        Ok((purpose, Sent::Sent)) => (purpose, (None, Some(if purpose == Purpose::SignInByText { "code-resent-sms" } else { "code-resent" }))),
        Ok((purpose, Sent::TooSoon)) => (purpose, (Some("code-too-soon"), None)),
        Err(e) => return ErrorPage::from(e).into_response(),
    };
    code_page(&s, jar, &user, &flow, CodeFor::SignIn { by_text: purpose == Purpose::SignInByText }, (error, notice))
}
