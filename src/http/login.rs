//! The password login page. A successful login starts a new browser session (the old
//! one, if any, ends: no session fixation) and returns to the pending authorization
//! request, or to the home page when the user came directly.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::CookieJar;

use crate::auth::login::{self, LoginError};
use crate::auth::{acr, devices, lockout, pow, second_factor, session};
use crate::paths;
use crate::protocol::authorize::{self, AuthorizationRequest};
use crate::protocol::clients::Client;
use crate::audit::RequestMeta;
use crate::state::AppState;
use crate::store::{SessionRecord, User};

use super::authorize::{proceed, with_request};
use super::error::ErrorPage;
use super::extract::{BadForm, FormParams, Meta, QueryParams};
use super::pages::{DEVICE_COOKIE, LangPrefs, Page, TRUSTED_DEVICE_COOKIE, csrf_token, csrf_valid, current_session, device_cookie, set_session_cookie};

pub fn routes() -> Router<AppState> {
    Router::new().route(paths::LOGIN, get(login_get).post(login_post))
}

pub type Pending = Option<(Arc<Client>, AuthorizationRequest)>;

/// The pending authorization request `handle` names; an error page when it is gone.
pub async fn pending(s: &AppState, handle: Option<&str>) -> Result<Pending, ErrorPage> {
    let Some(handle) = handle else { return Ok(None) };
    match authorize::load_pending(s.ctx(), handle).await {
        Ok(Some(found)) => Ok(Some(found)),
        Ok(None) => Err(ErrorPage::expired()),
        Err(e) => Err(e.into()),
    }
}

/// Where to go after signing in without a pending request: a local path only.
pub fn local_next(next: Option<&str>) -> Option<&str> {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') && !n.chars().any(char::is_control))
}

/// The page for `pending`: its client's brand and `ui_locales`, a language switch that
/// keeps the flow, a way to cancel back to the client, and the client's redirect URI
/// among the form targets its CSP allows (a form of the flow may end in the redirect
/// back, which browsers check against `form-action`).
pub fn flow_page(s: &AppState, page: Page, pending: &Pending, switch_to: String) -> Page {
    let page = page.switch_url(switch_to);
    match pending {
        Some((client, request)) => page
            .brand(&client.brand)
            .ui_locales(request.ui_locales.as_deref())
            .form_target(&request.reply.redirect_uri)
            .with("client_name", client.name.as_str())
            .with("cancel_url", s.url_path(paths::AUTHORIZE_CANCEL)),
        None => page,
    }
    .with("registration", s.ctx().policy().accounts.registration)
}

#[derive(Default)]
struct LoginForm<'a> {
    handle: Option<&'a str>,
    next: Option<&'a str>,
    email: &'a str,
    error: Option<&'static str>,
    notice: Option<&'static str>,
    /// Minutes until a lock ends, for the "locked" message.
    minutes: Option<i64>,
    /// The next attempt must solve a proof of work.
    pow: bool,
}

fn login_page(s: &AppState, jar: CookieJar, pending: &Pending, form: LoginForm<'_>) -> Response {
    let here = match (form.handle, form.next) {
        (Some(handle), _) => with_request(&s.url_path(paths::LOGIN), handle),
        (None, Some(next)) => super::pages::with_query(&s.url_path(paths::LOGIN), "next", next),
        (None, None) => s.url_path(paths::LOGIN),
    };
    let (jar, page) = login_form_page(s, jar, &form);
    (jar, flow_page(s, page, pending, here)).into_response()
}

fn login_form_page(s: &AppState, jar: CookieJar, form: &LoginForm<'_>) -> (CookieJar, Page) {
    let (jar, csrf) = csrf_token(s, jar);
    let page = Page::new("login/password.html")
        .with("csrf", csrf)
        .with("request", form.handle)
        .with("next", form.next)
        .with("email", form.email)
        .with("error", form.error)
        .with("notice", form.notice)
        .with("minutes", form.minutes)
        .with("pow_challenge", form.pow.then(|| pow::issue(s.ctx())));
    (jar, page)
}

/// The sign-in page as people of `brand` see it in `lang` (the console's preview).
pub fn preview(s: &AppState, jar: CookieJar, brand: &str, lang: &str) -> Response {
    let (jar, page) = login_form_page(s, jar, &LoginForm::default());
    (jar, flow_page(s, page, &None, s.url_path(paths::LOGIN)).brand(brand).force_lang(lang).inert()).into_response()
}

/// The login page for a request `/authorize` just stored as `handle`.
pub fn page_for_request(s: &AppState, jar: CookieJar, client: Arc<Client>, request: AuthorizationRequest, handle: &str) -> Response {
    let hint = request.login_hint.clone().unwrap_or_default();
    login_page(s, jar, &Some((client, request)), LoginForm { handle: Some(handle), email: &hint, ..Default::default() })
}

async fn login_get(State(s): State<AppState>, jar: CookieJar, QueryParams(params): QueryParams) -> Response {
    let handle = params.get("request").ok().flatten();
    let pending = match pending(&s, handle).await {
        Ok(p) => p,
        Err(page) => return page.into_response(),
    };
    let hint = pending.as_ref().and_then(|(_, r)| r.login_hint.clone()).unwrap_or_default();
    let notice = match params.get("notice").ok().flatten() {
        Some("password-reset") => Some("reset-done-text"),
        _ => None,
    };
    let next = local_next(params.get("next").ok().flatten());
    login_page(&s, jar, &pending, LoginForm { handle, next, email: &hint, notice, ..Default::default() })
}

async fn login_post(State(s): State<AppState>, jar: CookieJar, lang: LangPrefs, Meta(meta): Meta, form: Result<FormParams, BadForm>) -> Response {
    let Ok(FormParams(params)) = form else { return ErrorPage::unreadable_form().into_response() };
    let field = |name| params.get(name).ok().flatten();
    let handle = field("request");
    let next = local_next(field("next"));
    let pending = match pending(&s, handle).await {
        Ok(p) => p,
        Err(page) => return page.into_response(),
    };
    let email = field("email").unwrap_or("");
    let again = |jar, form: LoginForm| login_page(&s, jar, &pending, LoginForm { handle, next, email, ..form });
    let error = |key| LoginForm { error: Some(key), ..Default::default() };
    if !csrf_valid(&s, &jar, field("csrf")) {
        return again(jar, error("login-error-form-expired"));
    }
    let device = jar.get(DEVICE_COOKIE).and_then(|c| lockout::known_device(s.ctx(), c.value()));
    let attempt = login::PasswordAttempt {
        email,
        password: field("password").unwrap_or("").to_string(),
        device: device.as_ref(),
        pow_challenge: field("pow_challenge"),
        pow_nonce: field("pow_nonce"),
    };
    let (user, totp_confirmed) = match login::with_password(s.ctx(), attempt, &meta).await {
        Ok(passed) => (passed.user, passed.totp_confirmed),
        Err(LoginError::InvalidCredentials) => return again(jar, error("login-error-credentials")),
        Err(LoginError::NotActivated) => return again(jar, error("login-error-not-activated")),
        Err(LoginError::ProofOfWorkRequired) => return again(jar, LoginForm { pow: true, ..error("login-error-pow") }),
        Err(LoginError::Locked { until }) => {
            let minutes = until.map_or(1, |until| ((until - s.ctx().now()) as f64 / 60.0).ceil().max(1.0) as i64);
            return again(jar, LoginForm { minutes: Some(minutes), ..error("login-error-locked") });
        }
        Err(LoginError::Busy) => return ErrorPage::busy().into_response(),
        Err(LoginError::Internal(e)) => return ErrorPage::internal(e).into_response(),
    };
    if let Some(factor) = second_factor::required_given(s.ctx(), &user, totp_confirmed, pending.as_ref().map(|(c, _)| c.as_ref())) {
        return super::second_factor::ask_for(&s, jar, factor, &user, &pending, &lang, handle, next, &meta).await;
    }
    let mut session_acr = acr::SINGLE_FACTOR;
    if wants_device(&s, &pending) {
        match devices::recognise(s.ctx(), &user, jar.get(TRUSTED_DEVICE_COOKIE).map(|c| c.value())).await {
            Ok(true) => session_acr = acr::DEVICE,
            Ok(false) => return super::device_link::ask(&s, jar, &user, handle, next).await,
            Err(e) => return ErrorPage::from(e).into_response(),
        }
    }
    match start_session(&s, jar, &user, &[acr::AMR_PASSWORD], session_acr, &meta).await {
        Ok((jar, session)) => signed_in(&s, jar, &session, pending, handle, next).await,
        Err(page) => page.into_response(),
    }
}

/// Whether this sign-in must end on a linked device (see `authorize::wants_device`).
pub fn wants_device(s: &AppState, pending: &Pending) -> bool {
    match pending {
        Some((_, request)) => authorize::wants_device(s.ctx(), request),
        None => s.ctx().policy().devices.require,
    }
}

/// Where a finished sign-in goes: on into the pending authorization request, whose
/// answer (a code for the client, say) is this response, saving the browser a round
/// trip through `/authorize/resume`; or to the local page that asked, or home.
pub async fn signed_in(s: &AppState, jar: CookieJar, session: &SessionRecord, pending: Pending, handle: Option<&str>, next: Option<&str>) -> Response {
    match (pending, handle) {
        (Some((client, request)), Some(handle)) => (jar, proceed(s, &client, request, Some(session), Some(handle)).await).into_response(),
        _ => (jar, Redirect::to(&after_login(s, handle, next))).into_response(),
    }
}

/// Where a finished sign-in continues as a link: back into the authorization request,
/// to the local page that asked, or home.
pub fn after_login(s: &AppState, handle: Option<&str>, next: Option<&str>) -> String {
    match (handle, next) {
        (Some(handle), _) => with_request(&s.url_path(paths::AUTHORIZE_RESUME), handle),
        (None, Some(next)) => next.to_string(),
        (None, None) => s.url_path(paths::HOME),
    }
}

/// Starts a browser session for `user` and sets its cookie: a new one, ending another
/// person's session in this browser; or, when the same person signs in again, the same
/// session (its `sid`) under a new cookie value. Either way no session fixation. A browser the account was not used on before becomes a
/// known device, and the owner is told about the sign-in, unless `expected` says the
/// owner just proved it is them (activating from the email).
pub async fn start_session(s: &AppState, jar: CookieJar, user: &User, amr: &[&str], acr: &str, meta: &RequestMeta) -> Result<(CookieJar, SessionRecord), ErrorPage> {
    start_session_as(s, jar, user, amr, acr, meta, false).await
}

pub async fn start_session_as(s: &AppState, jar: CookieJar, user: &User, amr: &[&str], acr: &str, meta: &RequestMeta, expected: bool) -> Result<(CookieJar, SessionRecord), ErrorPage> {
    let ctx = s.ctx();
    let started = match current_session(s, &jar).await {
        Ok(Some(previous)) if previous.user_id == user.id => session::renew(ctx, &previous, user, amr, acr, meta).await?,
        Ok(Some(previous)) => {
            session::end(ctx, &previous.sid, "replaced_by_login", meta).await?;
            session::start(ctx, user, amr, acr, meta).await?
        }
        _ => session::start(ctx, user, amr, acr, meta).await?,
    };
    let known = jar.get(DEVICE_COOKIE).and_then(|c| lockout::known_device(ctx, c.value())).is_some_and(|d| d.user_id == user.id);
    let jar = set_session_cookie(s, jar, started.cookie_value);
    if known {
        return Ok((jar, started.session));
    }
    if !expected
        && let Err(e) = crate::account::intrusion::notify_new_sign_in(ctx, user, &started.session.sid, crate::brands::DEFAULT_BRAND, meta).await {
            tracing::error!(error = %e, "new sign-in not told to the owner");
        }
    Ok((jar.add(device_cookie(s, lockout::device_cookie(ctx, &user.id))), started.session))
}
