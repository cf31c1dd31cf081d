//! "Link your account" (device authorization): the person picks text or email, enters
//! the 6-digit code, and may tick "remember this device". The sign-in then carries the
//! device `acr`.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::CookieJar;

use crate::auth::otp::{self, Checked, Purpose, Sent};
use crate::auth::{acr, devices, second_factor};
use crate::paths;
use crate::state::AppState;
use crate::store::User;

use super::error::ErrorPage;
use super::extract::{BadForm, FormParams, Meta};
use super::login::{Pending, flow_page};
use super::pages::{LangPrefs, Page, csrf_token, set_pending_login_cookie, trusted_device_cookie};
use super::second_factor::{PendingForm, finish, pending_form, pending_login};

pub fn routes() -> Router<AppState> {
    Router::new().route(paths::LOGIN_DEVICE, get(device_get).post(device_post))
}

/// After a right password on a browser that is not linked yet.
pub async fn ask(s: &AppState, jar: CookieJar, user: &User, handle: Option<&str>, next: Option<&str>) -> Response {
    match second_factor::begin(s.ctx(), user, &[acr::AMR_PASSWORD], handle, next).await {
        Ok(started) => (set_pending_login_cookie(s, jar, started), Redirect::to(&s.url_path(paths::LOGIN_DEVICE))).into_response(),
        Err(e) => ErrorPage::from(e).into_response(),
    }
}

fn masked_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => format!("{}•••@{domain}", local.chars().next().unwrap_or('•')),
        None => "•••".into(),
    }
}

pub fn masked_number(number: &str) -> String {
    let tail: String = number.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    format!("{}•••{tail}", number.chars().take(3).collect::<String>())
}

/// The choice of channel, or (with `channel`) the code form.
fn device_page(s: &AppState, jar: CookieJar, user: &User, flow: &Pending, channel: Option<&str>, error: Option<&str>) -> Response {
    let (jar, csrf) = csrf_token(s, jar);
    let number = user.phone_number.as_deref().filter(|_| user.phone_number_verified).map(masked_number);
    let page = Page::new("login/device.html")
        .with("csrf", csrf)
        .with("channel", channel)
        .with("error", error)
        .with("number", number)
        .with("email", masked_email(&user.email))
        .with("days", s.ctx().policy().devices.remember_days)
        .user_lang(user.locale.as_deref());
    (jar, flow_page(s, page, flow, s.url_path(paths::LOGIN_DEVICE))).into_response()
}

async fn device_get(State(s): State<AppState>, jar: CookieJar) -> Response {
    match pending_login(&s, &jar).await {
        Ok((_, _, user, flow)) => device_page(&s, jar, &user, &flow, None, None),
        Err(response) => response,
    }
}

async fn device_post(State(s): State<AppState>, jar: CookieJar, lang: LangPrefs, Meta(meta): Meta, form: Result<FormParams, BadForm>) -> Response {
    let PendingForm { handle, record, user, flow, params } = match pending_form(&s, &jar, form).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let field = |name: &str| params.get(name).ok().flatten();
    let ctx = s.ctx();
    let (channel, purpose) = match field("channel") {
        Some("text") if user.phone_number_verified => ("text", Purpose::LinkDeviceByText),
        _ => ("email", Purpose::LinkDeviceByEmail),
    };
    if field("action") == Some("send") {
        let (brand, ui_locales) = match &flow {
            Some((client, request)) => (client.brand.clone(), request.ui_locales.clone()),
            None => (crate::brands::DEFAULT_BRAND.to_string(), None),
        };
        let lang = lang.resolve(ui_locales.as_deref(), user.locale.as_deref());
        return match otp::send(ctx, &user, purpose, &brand, lang).await {
            Ok(Sent::Sent) => device_page(&s, jar, &user, &flow, Some(channel), None),
            Ok(Sent::TooSoon) => device_page(&s, jar, &user, &flow, Some(channel), Some("code-too-soon")),
            Err(e) => ErrorPage::from(e).into_response(),
        };
    }
    match otp::check(ctx, &user, purpose, field("code").unwrap_or("")).await {
        Ok(Checked::Accepted) => {}
        Ok(Checked::Wrong) => return device_page(&s, jar, &user, &flow, Some(channel), Some("code-wrong")),
        Ok(Checked::Unusable) => return device_page(&s, jar, &user, &flow, Some(channel), Some("code-unusable")),
        Err(e) => return ErrorPage::from(e).into_response(),
    }
    let jar = if field("remember") == Some("yes") {
        match devices::trust(ctx, &user, meta.user_agent.as_deref()).await {
            Ok(cookie) => jar.add(trusted_device_cookie(&s, cookie)),
            Err(e) => return ErrorPage::from(e).into_response(),
        }
    } else {
        jar
    };
    ctx.audit("device_linked", &meta, Some(&user.id), None, serde_json::json!({ "channel": channel, "remembered": field("remember") == Some("yes") })).await;
    let method = if purpose == Purpose::LinkDeviceByText { acr::AMR_SMS } else { acr::AMR_OTP };
    finish(&s, jar, &handle, &record, &user, &flow, method, &meta).await
}
