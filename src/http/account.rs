//! `/account`: the signed-in person's own pages, on the same browser session as every
//! sign-in to a relying party. Without a session they go through the login page and
//! come back.

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;

use crate::account::fields::{COUNTRIES, FieldErrors, address_parts};
use crate::account::{AccountError, Origin, deletion, intrusion, profile, question, security};
use crate::auth::otp::{Checked, Sent};
use crate::paths;
use crate::protocol::params::Params;
use crate::state::AppState;
use crate::store::{SessionRecord, User};

use super::error::ErrorPage;
use super::extract::{BadForm, FormParams, Meta, QueryParams};
use super::pages::{LangPrefs, Page, clear_session_cookie, csrf_token, csrf_valid, current_session, with_query};
use super::register::{confirm_link_page, echoed, notice};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(paths::ACCOUNT, get(account_get).post(account_post))
        .route(paths::ACCOUNT_PASSWORD, get(password_get).post(password_post))
        .route(paths::ACCOUNT_EMAIL, get(email_get).post(email_post))
        .route(paths::ACCOUNT_EMAIL_CONFIRM, get(email_confirm_get).post(email_confirm_post))
        .route(paths::ACCOUNT_EXPORT, get(export_get))
        .route(paths::ACCOUNT_DELETE, get(delete_get).post(delete_post))
        .route(paths::ACCOUNT_SECURITY, get(security_get).post(security_post))
        .route(paths::ACCOUNT_TOTP, get(totp_get).post(totp_post))
        .route(paths::ACCOUNT_NOT_ME, get(not_me_get).post(not_me_post))
        .route(paths::ACCOUNT_PHONE, get(phone_get).post(phone_post))
        .route(paths::ACCOUNT_DEVICES, post(devices_post))
        .route(paths::ACCOUNT_SESSIONS, get(sessions_get).post(sessions_post))
        .route(paths::ACCOUNT_QUESTION, get(question_get).post(question_post))
        .route(paths::ACCOUNT_SECURITY_CODE, post(security_code_post))
        .route(paths::ACCOUNT_SECURITY_CODE_RESEND, post(security_resend_post))
}

/// Pages that change how the account is protected: they need a recent sign-in.
const SENSITIVE: &[&str] = &[
    paths::ACCOUNT_PASSWORD, paths::ACCOUNT_EMAIL, paths::ACCOUNT_DELETE, paths::ACCOUNT_SECURITY, paths::ACCOUNT_TOTP, paths::ACCOUNT_PHONE,
    paths::ACCOUNT_QUESTION, paths::ACCOUNT_EXPORT,
];

/// The session and its user, or the response that sends the person to sign in first
/// (again, when `back_to` is sensitive and the sign-in is not recent).
pub(super) async fn signed_in(s: &AppState, jar: &CookieJar, back_to: &str) -> Result<(SessionRecord, User), Response> {
    let session = current_session(s, jar).await.map_err(|e| ErrorPage::from(e).into_response())?;
    let user = match &session {
        Some(session) => s.ctx().store.user_by_id(&session.user_id).await.map_err(|e| ErrorPage::from(e).into_response())?,
        None => None,
    };
    let recent_enough = |session: &SessionRecord| !SENSITIVE.contains(&back_to) || crate::auth::session::is_recent(s.ctx(), session);
    match (session, user) {
        (Some(session), Some(user)) if !user.disabled && recent_enough(&session) => Ok((session, user)),
        _ => Err(Redirect::to(&with_query(&s.url_path(paths::LOGIN), "next", &s.url_path(back_to))).into_response()),
    }
}

/// A form posted on an account page, once the session and the CSRF token check out.
async fn account_form(s: &AppState, jar: &CookieJar, form: Result<FormParams, BadForm>, back_to: &str) -> Result<(SessionRecord, User, Params), Response> {
    let (session, user) = signed_in(s, jar, back_to).await?;
    let Ok(FormParams(params)) = form else { return Err(ErrorPage::unreadable_form().into_response()) };
    if !csrf_valid(s, jar, params.get("csrf").ok().flatten()) {
        return Err(ErrorPage::form_expired().into_response());
    }
    Ok((session, user, params))
}

fn failed(e: AccountError) -> Response {
    match e {
        AccountError::Busy => ErrorPage::busy().into_response(),
        AccountError::Internal(e) => ErrorPage::internal(e).into_response(),
        AccountError::Fields(_) => ErrorPage::unreadable_form().into_response(),
    }
}

/// A page of the account, in the user's language unless they switched.
pub(super) fn account_page(s: &AppState, jar: CookieJar, template: &'static str, user: &User, brand: Option<&str>, errors: FieldErrors) -> (CookieJar, Page) {
    let (jar, csrf) = csrf_token(s, jar);
    let mut page = Page::new(template)
        .with("csrf", csrf)
        .with("email", &user.email)
        .with("errors", errors)
        .with("values", BTreeMap::<&str, String>::new())
        .user_lang(user.locale.as_deref());
    if let Some(brand) = brand {
        page = page.brand(brand);
    }
    (jar, page)
}

fn profile_values(user: &User) -> BTreeMap<&'static str, String> {
    let (street, postal_code, locality) = address_parts(user.address.as_deref());
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    BTreeMap::from([
        ("salutation", text(&user.salutation)),
        ("given_name", text(&user.given_name)),
        ("family_name", text(&user.family_name)),
        ("country", text(&user.country)),
        ("locale", text(&user.locale)),
        ("phone_number", text(&user.phone_number)),
        ("street_address", street),
        ("postal_code", postal_code),
        ("locality", locality),
    ])
}

fn profile_page(s: &AppState, jar: CookieJar, user: &User, values: BTreeMap<&'static str, String>, errors: FieldErrors, notice: Option<&'static str>) -> Response {
    let (jar, page) = account_page(s, jar, "account/profile.html", user, None, errors);
    (jar, page.with("values", values).with("countries", COUNTRIES).with("notice", notice)).into_response()
}

async fn account_get(State(s): State<AppState>, jar: CookieJar, QueryParams(params): QueryParams) -> Response {
    let (_, user) = match signed_in(&s, &jar, paths::ACCOUNT).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let notice = match params.get("notice").ok().flatten() {
        Some("saved") => Some("account-saved"),
        Some("activated") => Some("activated-notice"),
        Some("password-changed") => Some("password-changed-notice"),
        Some("email-changed") => Some("email-changed-notice"),
        _ => None,
    };
    profile_page(&s, jar, &user, profile_values(&user), FieldErrors::new(), notice)
}

async fn account_post(State(s): State<AppState>, jar: CookieJar, Meta(meta): Meta, form: Result<FormParams, BadForm>) -> Response {
    let (_, user, params) = match account_form(&s, &jar, form, paths::ACCOUNT).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let field = |name: &str| params.get(name).ok().flatten();
    match profile::update(s.ctx(), &user, &field, &meta).await {
        Ok(_) => Redirect::to(&format!("{}?notice=saved", s.url_path(paths::ACCOUNT))).into_response(),
        Err(AccountError::Fields(errors)) => profile_page(&s, jar, &user, echoed(&params), errors, None),
        Err(e) => failed(e),
    }
}

async fn password_get(State(s): State<AppState>, jar: CookieJar) -> Response {
    match signed_in(&s, &jar, paths::ACCOUNT_PASSWORD).await {
        Ok((_, user)) => account_page(&s, jar, "account/password.html", &user, None, FieldErrors::new()).into_response(),
        Err(response) => response,
    }
}

async fn password_post(State(s): State<AppState>, jar: CookieJar, Meta(meta): Meta, form: Result<FormParams, BadForm>) -> Response {
    let (session, user, params) = match account_form(&s, &jar, form, paths::ACCOUNT_PASSWORD).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let field = |name: &str| params.get(name).ok().flatten();
    let brand = s.ctx().brands.get(field("brand")).id.clone();
    let (current, new) = (field("current_password").unwrap_or(""), field("password").unwrap_or(""));
    match profile::change_password(s.ctx(), &user, current, new, &session.sid, &brand, &meta).await {
        Ok(()) => Redirect::to(&format!("{}?notice=password-changed", s.url_path(paths::ACCOUNT))).into_response(),
        Err(AccountError::Fields(errors)) => account_page(&s, jar, "account/password.html", &user, field("brand"), errors).into_response(),
        Err(e) => failed(e),
    }
}

async fn email_get(State(s): State<AppState>, jar: CookieJar) -> Response {
    match signed_in(&s, &jar, paths::ACCOUNT_EMAIL).await {
        Ok((_, user)) => account_page(&s, jar, "account/email.html", &user, None, FieldErrors::new()).into_response(),
        Err(response) => response,
    }
}

async fn email_post(State(s): State<AppState>, jar: CookieJar, lang: LangPrefs, Meta(meta): Meta, form: Result<FormParams, BadForm>) -> Response {
    let (_, user, params) = match account_form(&s, &jar, form, paths::ACCOUNT_EMAIL).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let field = |name: &str| params.get(name).ok().flatten();
    let brand = field("brand").filter(|b| s.ctx().brands.exists(b)).unwrap_or(crate::brands::DEFAULT_BRAND);
    let origin = Origin { brand, lang: lang.resolve(None, user.locale.as_deref()), request: None };
    let (new_email, current) = (field("email").unwrap_or(""), field("current_password").unwrap_or(""));
    match profile::request_email_change(s.ctx(), &user, new_email, current, origin, &meta).await {
        Ok(new_email) => {
            let page = notice("email-change-title", "email-change-sent")
                .with("email", new_email)
                .with("next_url", s.url_path(paths::ACCOUNT))
                .with("next_text", "back-to-account")
                .user_lang(user.locale.as_deref());
            page.brand(brand).into_response()
        }
        Err(AccountError::Fields(errors)) => {
            let (jar, page) = account_page(&s, jar, "account/email.html", &user, Some(brand), errors);
            (jar, page.with("values", echoed(&params))).into_response()
        }
        Err(e) => failed(e),
    }
}

fn email_change_invalid() -> Response {
    notice("email-change-invalid-title", "email-change-invalid-text").status(StatusCode::BAD_REQUEST).into_response()
}

async fn email_confirm_get(State(s): State<AppState>, jar: CookieJar, QueryParams(params): QueryParams) -> Response {
    let Some(token) = params.get("token").ok().flatten() else { return email_change_invalid() };
    match profile::email_change_pending(s.ctx(), token).await {
        Ok(true) => confirm_link_page(&s, jar, "email-change-title", "email-email-change-button", paths::ACCOUNT_EMAIL_CONFIRM, token).into_response(),
        Ok(false) => email_change_invalid(),
        Err(e) => failed(e),
    }
}

async fn email_confirm_post(State(s): State<AppState>, jar: CookieJar, Meta(meta): Meta, form: Result<FormParams, BadForm>) -> Response {
    let Ok(FormParams(params)) = form else { return ErrorPage::unreadable_form().into_response() };
    if !csrf_valid(&s, &jar, params.get("csrf").ok().flatten()) {
        return ErrorPage::form_expired().into_response();
    }
    let Some(token) = params.get("token").ok().flatten() else { return email_change_invalid() };
    match profile::confirm_email_change(s.ctx(), token, &meta).await {
        Ok(Some(user)) => notice("email-change-title", "email-changed-notice")
            .with("email", &user.email)
            .with("next_url", s.url_path(paths::ACCOUNT))
            .with("next_text", "back-to-account")
            .user_lang(user.locale.as_deref())
            .into_response(),
        Ok(None) => email_change_invalid(),
        Err(e) => failed(e),
    }
}

async fn export_get(State(s): State<AppState>, jar: CookieJar) -> Response {
    let (_, user) = match signed_in(&s, &jar, paths::ACCOUNT_EXPORT).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    match deletion::export(s.ctx(), &user).await {
        Ok(data) => {
            let body = serde_json::to_vec_pretty(&data).unwrap_or_default();
            let headers = [
                (header::CONTENT_TYPE, "application/json"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"my-data.json\""),
                (header::CACHE_CONTROL, "no-store"),
            ];
            (headers, body).into_response()
        }
        Err(e) => failed(e),
    }
}

async fn delete_get(State(s): State<AppState>, jar: CookieJar) -> Response {
    match signed_in(&s, &jar, paths::ACCOUNT_DELETE).await {
        Ok((_, user)) => account_page(&s, jar, "account/delete.html", &user, None, FieldErrors::new()).into_response(),
        Err(response) => response,
    }
}

async fn delete_post(State(s): State<AppState>, jar: CookieJar, Meta(meta): Meta, form: Result<FormParams, BadForm>) -> Response {
    let (_, user, params) = match account_form(&s, &jar, form, paths::ACCOUNT_DELETE).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let field = |name: &str| params.get(name).ok().flatten();
    let brand = s.ctx().brands.get(field("brand")).id.clone();
    match deletion::delete(s.ctx(), &user, field("current_password").unwrap_or(""), &brand, &meta).await {
        Ok(()) => {
            let jar = clear_session_cookie(&s, jar);
            (jar, notice("deleted-title", "deleted-text").brand(&brand).user_lang(user.locale.as_deref())).into_response()
        }
        Err(AccountError::Fields(errors)) => account_page(&s, jar, "account/delete.html", &user, Some(&brand), errors).into_response(),
        Err(e) => failed(e),
    }
}

async fn security_page(s: &AppState, jar: CookieJar, user: &User, errors: FieldErrors, notice: Option<&'static str>) -> Response {
    let trusted = match crate::auth::devices::list(s.ctx(), user).await {
        Ok(trusted) => trusted,
        Err(e) => return ErrorPage::from(e).into_response(),
    };
    let day = |at: i64| time::OffsetDateTime::from_unix_timestamp(at).map(|t| t.date().to_string()).unwrap_or_default();
    let devices: Vec<(String, String, String)> = trusted.into_iter().map(|d| (d.id, d.name, day(d.last_used_at))).collect();
    let (jar, page) = account_page(s, jar, "account/security.html", user, None, errors);
    let number = user.phone_number.as_deref().filter(|_| user.phone_number_verified).map(super::device_link::masked_number);
    let page = page.with("enabled", user.email_otp_enabled).with("notice", notice).with("devices", devices).with("number", number).with("code_channel", &user.login_code_channel);
    (jar, page).into_response()
}

async fn devices_post(State(s): State<AppState>, jar: CookieJar, Meta(meta): Meta, form: Result<FormParams, BadForm>) -> Response {
    let (_, user, params) = match account_form(&s, &jar, form, paths::ACCOUNT_SECURITY).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let id = params.get("id").ok().flatten().unwrap_or("");
    match crate::auth::devices::revoke(s.ctx(), &user, id).await {
        Ok(removed) => {
            if removed {
                s.ctx().audit("trusted_device_removed", &meta, Some(&user.id), None, serde_json::json!({})).await;
            }
            Redirect::to(&format!("{}?notice=device-removed", s.url_path(paths::ACCOUNT_SECURITY))).into_response()
        }
        Err(e) => ErrorPage::from(e).into_response(),
    }
}

fn code_page(s: &AppState, jar: CookieJar, user: &User, error: Option<&str>, notice: Option<&str>) -> Response {
    super::second_factor::code_page(s, jar, user, &None, super::second_factor::CodeFor::TurningOn, (error, notice))
}

async fn security_get(State(s): State<AppState>, jar: CookieJar, QueryParams(params): QueryParams) -> Response {
    let notice = match params.get("notice").ok().flatten() {
        Some("enabled") => Some("security-enabled-notice"),
        Some("disabled") => Some("security-disabled-notice"),
        Some("device-removed") => Some("devices-removed-notice"),
        Some("code-channel") => Some("security-code-channel-saved"),
        _ => None,
    };
    match signed_in(&s, &jar, paths::ACCOUNT_SECURITY).await {
        Ok((_, user)) => security_page(&s, jar, &user, FieldErrors::new(), notice).await,
        Err(response) => response,
    }
}

async fn security_post(State(s): State<AppState>, jar: CookieJar, lang: LangPrefs, Meta(meta): Meta, form: Result<FormParams, BadForm>) -> Response {
    let (_, user, params) = match account_form(&s, &jar, form, paths::ACCOUNT_SECURITY).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let field = |name: &str| params.get(name).ok().flatten();
    let brand = s.ctx().brands.get(field("brand")).id.clone();
    let password = field("current_password").unwrap_or("");
    let lang = lang.resolve(None, user.locale.as_deref());
    if field("action") == Some("code-channel") {
        return match security::set_code_channel(s.ctx(), &user, field("channel").unwrap_or(""), &meta).await {
            Ok(()) => Redirect::to(&format!("{}?notice=code-channel", s.url_path(paths::ACCOUNT_SECURITY))).into_response(),
            Err(AccountError::Fields(errors)) => security_page(&s, jar, &user, errors, None).await,
            Err(e) => failed(e),
        };
    }
    let outcome = match field("action") {
        Some("disable") => security::disable(s.ctx(), &user, password, &brand, &meta).await.map(|()| None),
        _ => security::start_enabling(s.ctx(), &user, password, &brand, lang).await.map(Some),
    };
    match outcome {
        Ok(None) => Redirect::to(&format!("{}?notice=disabled", s.url_path(paths::ACCOUNT_SECURITY))).into_response(),
        Ok(Some(Sent::Sent)) => code_page(&s, jar, &user, None, None),
        Ok(Some(Sent::TooSoon)) => code_page(&s, jar, &user, None, Some("code-too-soon")),
        Err(AccountError::Fields(errors)) => security_page(&s, jar, &user, errors, None).await,
        Err(e) => failed(e),
    }
}

async fn security_code_post(State(s): State<AppState>, jar: CookieJar, Meta(meta): Meta, form: Result<FormParams, BadForm>) -> Response {
    let (_, user, params) = match account_form(&s, &jar, form, paths::ACCOUNT_SECURITY).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let brand = s.ctx().brands.get(params.get("brand").ok().flatten()).id.clone();
    let code = params.get("code").ok().flatten().unwrap_or("");
    match security::finish_enabling(s.ctx(), &user, code, &brand, &meta).await {
        Ok(Checked::Accepted) => Redirect::to(&format!("{}?notice=enabled", s.url_path(paths::ACCOUNT_SECURITY))).into_response(),
        Ok(Checked::Wrong) => code_page(&s, jar, &user, Some("code-wrong"), None),
        Ok(Checked::Unusable) => code_page(&s, jar, &user, Some("code-unusable"), None),
        Err(e) => failed(e),
    }
}

async fn security_resend_post(State(s): State<AppState>, jar: CookieJar, lang: LangPrefs, form: Result<FormParams, BadForm>) -> Response {
    let (_, user, params) = match account_form(&s, &jar, form, paths::ACCOUNT_SECURITY).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let brand = s.ctx().brands.get(params.get("brand").ok().flatten()).id.clone();
    match security::resend_enabling_code(s.ctx(), &user, &brand, lang.resolve(None, user.locale.as_deref())).await {
        Ok(Sent::Sent) => code_page(&s, jar, &user, None, Some("code-resent")),
        Ok(Sent::TooSoon) => code_page(&s, jar, &user, Some("code-too-soon"), None),
        Err(e) => failed(e),
    }
}

async fn totp_page(s: &AppState, jar: CookieJar, user: &User, brand: Option<&str>, errors: FieldErrors, notice: Option<&'static str>) -> Response {
    let ctx = s.ctx();
    let active = match crate::auth::totp::active(ctx, user).await {
        Ok(active) => active,
        Err(e) => return ErrorPage::internal(e).into_response(),
    };
    let (jar, mut page) = account_page(s, jar, "account/totp.html", user, brand, errors);
    page = page.with("active", active).with("notice", notice);
    if active {
        let left = crate::auth::totp::recovery_codes_left(ctx, user).await.unwrap_or(0);
        page = page.with("codes_left", left).with("qr_svg", "").with("secret", "");
    } else {
        let enrolment = match security::totp_enrolment(ctx, user, &ctx.brands.get(brand).id).await {
            Ok(enrolment) => enrolment,
            Err(e) => return failed(e),
        };
        page = page.with("codes_left", 0).with("qr_svg", enrolment.qr_svg).with("secret", enrolment.secret);
    }
    (jar, page).into_response()
}

async fn totp_get(State(s): State<AppState>, jar: CookieJar, QueryParams(params): QueryParams) -> Response {
    let notice = (params.get("notice").ok().flatten() == Some("removed")).then_some("totp-removed-notice");
    match signed_in(&s, &jar, paths::ACCOUNT_TOTP).await {
        Ok((_, user)) => totp_page(&s, jar, &user, None, FieldErrors::new(), notice).await,
        Err(response) => response,
    }
}

async fn totp_post(State(s): State<AppState>, jar: CookieJar, Meta(meta): Meta, form: Result<FormParams, BadForm>) -> Response {
    let (_, user, params) = match account_form(&s, &jar, form, paths::ACCOUNT_TOTP).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let field = |name: &str| params.get(name).ok().flatten();
    let ctx = s.ctx();
    let brand = ctx.brands.get(field("brand")).id.clone();
    let password = field("current_password").unwrap_or("");
    let codes = match field("action") {
        Some("remove") => match security::remove_totp(ctx, &user, password, &brand, &meta).await {
            Ok(()) => return Redirect::to(&format!("{}?notice=removed", s.url_path(paths::ACCOUNT_TOTP))).into_response(),
            Err(e) => Err(e),
        },
        Some("recovery-codes") => security::new_recovery_codes(ctx, &user, password, &meta).await,
        _ => security::confirm_totp(ctx, &user, password, field("code").unwrap_or(""), &brand, &meta).await,
    };
    match codes {
        Ok(codes) => {
            let (jar, page) = account_page(&s, jar, "account/recovery_codes.html", &user, Some(&brand), FieldErrors::new());
            (jar, page.with("codes", codes)).into_response()
        }
        Err(AccountError::Fields(errors)) => totp_page(&s, jar, &user, Some(&brand), errors, None).await,
        Err(e) => failed(e),
    }
}

fn not_me_invalid(s: &AppState) -> Response {
    notice("not-me-invalid-title", "not-me-invalid-text")
        .with("next_url", s.url_path(paths::PASSWORD_FORGOT))
        .with("next_text", "forgot-title")
        .status(StatusCode::BAD_REQUEST)
        .into_response()
}

async fn not_me_get(State(s): State<AppState>, jar: CookieJar, QueryParams(params): QueryParams) -> Response {
    let Some(token) = params.get("token").ok().flatten() else { return not_me_invalid(&s) };
    match intrusion::not_me_pending(s.ctx(), token).await {
        Ok(true) => confirm_link_page(&s, jar, "not-me-title", "email-new-sign-in-button", paths::ACCOUNT_NOT_ME, token).into_response(),
        Ok(false) => not_me_invalid(&s),
        Err(e) => failed(e),
    }
}

/// Ends the reported session and goes on to choosing a new password.
async fn not_me_post(State(s): State<AppState>, jar: CookieJar, Meta(meta): Meta, form: Result<FormParams, BadForm>) -> Response {
    let Ok(FormParams(params)) = form else { return ErrorPage::unreadable_form().into_response() };
    if !csrf_valid(&s, &jar, params.get("csrf").ok().flatten()) {
        return ErrorPage::form_expired().into_response();
    }
    let Some(token) = params.get("token").ok().flatten() else { return not_me_invalid(&s) };
    match intrusion::not_me(s.ctx(), token, &meta).await {
        Ok(Some(reset)) => Redirect::to(&with_query(&s.url_path(paths::PASSWORD_RESET), "token", &reset)).into_response(),
        Ok(None) => not_me_invalid(&s),
        Err(e) => failed(e),
    }
}

fn phone_page(s: &AppState, jar: CookieJar, user: &User, brand: Option<&str>, error: Option<&str>, notice: Option<&str>) -> Response {
    let (jar, page) = account_page(s, jar, "account/phone.html", user, brand, FieldErrors::new());
    let page = page.with("number", &user.phone_number).with("verified", user.phone_number_verified).with("error", error).with("notice", notice);
    (jar, page).into_response()
}

async fn phone_get(State(s): State<AppState>, jar: CookieJar) -> Response {
    match signed_in(&s, &jar, paths::ACCOUNT_PHONE).await {
        Ok((_, user)) => phone_page(&s, jar, &user, None, None, None),
        Err(response) => response,
    }
}

async fn phone_post(State(s): State<AppState>, jar: CookieJar, lang: LangPrefs, Meta(meta): Meta, form: Result<FormParams, BadForm>) -> Response {
    let (_, user, params) = match account_form(&s, &jar, form, paths::ACCOUNT_PHONE).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let field = |name: &str| params.get(name).ok().flatten();
    let ctx = s.ctx();
    let brand = ctx.brands.get(field("brand")).id.clone();
    if field("action") == Some("send") {
        return match security::send_phone_code(ctx, &user, &brand, lang.resolve(None, user.locale.as_deref())).await {
            Ok(Some(Sent::Sent)) => phone_page(&s, jar, &user, Some(&brand), None, Some("phone-sent")),
            Ok(Some(Sent::TooSoon)) => phone_page(&s, jar, &user, Some(&brand), Some("code-too-soon"), None),
            Ok(None) => phone_page(&s, jar, &user, Some(&brand), None, None),
            Err(e) => failed(e),
        };
    }
    match security::verify_phone(ctx, &user, field("code").unwrap_or(""), &meta).await {
        Ok(security::PhoneVerification::Verified) => {
            let verified = User { phone_number_verified: true, ..user };
            phone_page(&s, jar, &verified, Some(&brand), None, None)
        }
        Ok(security::PhoneVerification::Taken) => phone_page(&s, jar, &user, Some(&brand), Some("phone-taken"), None),
        Ok(security::PhoneVerification::Code(Checked::Wrong)) => phone_page(&s, jar, &user, Some(&brand), Some("code-wrong"), None),
        Ok(security::PhoneVerification::Code(_)) => phone_page(&s, jar, &user, Some(&brand), Some("code-unusable"), None),
        Err(e) => failed(e),
    }
}

fn question_page(s: &AppState, jar: CookieJar, user: &User, values: BTreeMap<&'static str, String>, errors: FieldErrors, notice: Option<&str>) -> Response {
    let (jar, page) = account_page(s, jar, "account/question.html", user, None, errors);
    let page = page
        .with("questions", question::QUESTIONS)
        .with("current", user.security_question.as_deref().unwrap_or(""))
        .with("is_set", user.security_answer_hash.is_some())
        .with("values", values)
        .with("notice", notice);
    (jar, page).into_response()
}

async fn question_get(State(s): State<AppState>, jar: CookieJar, QueryParams(params): QueryParams) -> Response {
    let notice = (params.get("notice").ok().flatten() == Some("saved")).then_some("question-set-notice");
    match signed_in(&s, &jar, paths::ACCOUNT_QUESTION).await {
        Ok((_, user)) => question_page(&s, jar, &user, BTreeMap::new(), FieldErrors::new(), notice),
        Err(response) => response,
    }
}

async fn question_post(State(s): State<AppState>, jar: CookieJar, Meta(meta): Meta, form: Result<FormParams, BadForm>) -> Response {
    let (_, user, params) = match account_form(&s, &jar, form, paths::ACCOUNT_QUESTION).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let field = |name: &str| params.get(name).ok().flatten().unwrap_or("");
    match question::set(s.ctx(), &user, field("question"), field("answer"), field("current_password"), &meta).await {
        Ok(()) => Redirect::to(&format!("{}?notice=saved", s.url_path(paths::ACCOUNT_QUESTION))).into_response(),
        Err(AccountError::Fields(errors)) => {
            let values = BTreeMap::from([("question", field("question").to_string())]);
            question_page(&s, jar, &user, values, errors, None)
        }
        Err(e) => failed(e),
    }
}

async fn sessions_page(s: &AppState, jar: CookieJar, current: &SessionRecord, user: &User, notice: Option<&str>) -> Response {
    let ctx = s.ctx();
    let day = |at: i64| time::OffsetDateTime::from_unix_timestamp(at).map(|t| t.date().to_string()).unwrap_or_default();
    let (sessions, grants) = match (ctx.store.sessions_of(&user.id, ctx.now()).await, ctx.store.grants_of(&user.id, ctx.now()).await) {
        (Ok(sessions), Ok(grants)) => (sessions, grants),
        (Err(e), _) | (_, Err(e)) => return ErrorPage::from(e).into_response(),
    };
    let sessions: Vec<(String, String, String, String, bool)> = sessions
        .into_iter()
        .map(|x| (x.sid.clone(), x.user_agent.clone().unwrap_or_else(|| "?".into()), x.ip.clone().unwrap_or_default(), day(x.auth_time), x.sid == current.sid))
        .collect();
    // Apps and devices: grants of their own (not those that end with a browser session).
    let mut apps = Vec::new();
    for (grant, used) in grants.into_iter().filter(|(g, _)| g.offline) {
        let client = ctx.clients.get(&grant.client_id).await.ok().flatten().map_or_else(|| grant.client_id.clone(), |c| c.name.clone());
        let device = grant.user_agent.clone().unwrap_or_else(|| "?".into());
        apps.push((grant.id, client, day(grant.created_at), day(used), device, grant.ip.clone().unwrap_or_default()));
    }
    let (jar, page) = account_page(s, jar, "account/sessions.html", user, None, FieldErrors::new());
    (jar, page.with("sessions", sessions).with("grants", apps).with("notice", notice)).into_response()
}

async fn sessions_get(State(s): State<AppState>, jar: CookieJar, QueryParams(params): QueryParams) -> Response {
    let notice = (params.get("notice").ok().flatten() == Some("ended")).then_some("sessions-ended-notice");
    match signed_in(&s, &jar, paths::ACCOUNT_SESSIONS).await {
        Ok((session, user)) => sessions_page(&s, jar, &session, &user, notice).await,
        Err(response) => response,
    }
}

async fn sessions_post(State(s): State<AppState>, jar: CookieJar, Meta(meta): Meta, form: Result<FormParams, BadForm>) -> Response {
    let (session, user, params) = match account_form(&s, &jar, form, paths::ACCOUNT_SESSIONS).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let field = |name: &str| params.get(name).ok().flatten().unwrap_or("");
    let ctx = s.ctx();
    let done = match field("action") {
        "end-others" => crate::auth::session::end_other_sessions(ctx, &user.id, &session.sid, &meta).await.map(|_| ()),
        "end" => match ctx.store.sessions_of(&user.id, ctx.now()).await {
            // Only the user's own sessions, found by their sid.
            Ok(mine) if mine.iter().any(|x| x.sid == field("sid") && x.sid != session.sid) => crate::auth::session::end(ctx, field("sid"), "ended_by_owner", &meta).await,
            Ok(_) => Ok(()),
            Err(e) => Err(e),
        },
        "revoke" => crate::auth::session::end_grant(ctx, &user.id, field("grant"), &meta).await.map(|_| ()),
        _ => Ok(()),
    };
    match done {
        Ok(()) => Redirect::to(&format!("{}?notice=ended", s.url_path(paths::ACCOUNT_SESSIONS))).into_response(),
        Err(e) => ErrorPage::from(e).into_response(),
    }
}
